"""Trees at the size limits: deep nesting and long concat chains (issue 9 items 12 and 13).

Every walk over a tree the construction accepts must work: building, evaluating (Python,
NumPy, JAX), printing, reading back, saving and comparing. Expected values come from the
cosine formula written by hand, ``0.5 * (1 + cos(pi * t / 10))`` for ``cosine(1.0, 0.0, 10)``.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

import schedalg as sa
from schedalg import _schedule
from schedalg._concat import Concat
from schedalg.io import from_json, to_json

MAX_DEPTH = _schedule.MAX_DEPTH


def _cos10(t):
    t = np.minimum(np.asarray(t, dtype=np.float64), 10.0)
    return 0.5 * (1.0 + np.cos(np.pi * t / 10.0))


def _within(frames, fn):
    """``fn()`` called from ``frames`` extra Python frames (a framework's stack, say)."""
    if frames == 0:
        return fn()
    return _within(frames - 1, fn)


def _neg_chain(depth):
    s = sa.cosine(1.0, 0.0, 10)
    for _ in range(depth - 1):
        s = -s
    return s


def _sum_chain(depth):
    c = sa.cosine(1.0, 0.0, 10)
    s = c
    for _ in range(depth - 1):
        s = s + c
    return s


def _plus_chain(depth):
    s = sa.cosine(1.0, 0.0, 10)
    for _ in range(depth - 1):
        s = s + 0.25
    return s


def test_the_depth_limit_is_checked_at_construction_with_a_clear_error():
    c = sa.cosine(1.0, 0.0, 10)
    # Used to raise RecursionError while building (each constructor formatted a full repr).
    with pytest.raises(
        ValueError, match=rf"add\(\): .*nested {MAX_DEPTH + 1} levels deep.*MAX_DEPTH"
    ):
        sum([c] * 250)
    s = sum([c] * (MAX_DEPTH - 1))  # 0 + c + c ...: MAX_DEPTH levels
    assert s._depth == MAX_DEPTH
    assert s(3) == pytest.approx((MAX_DEPTH - 1) * _cos10(3), rel=1e-12)
    with pytest.raises(ValueError, match=r"neg\(\): .*levels deep"):
        -_neg_chain(MAX_DEPTH)
    with pytest.raises(ValueError, match=r"repeat\(\): .*levels deep"):
        sa.repeat(_neg_chain(MAX_DEPTH), times=2)


def test_building_formats_no_repr(monkeypatch):
    # The message of a possible error is formatted only when raised: building an n-term sum
    # used to print every partial sum (O(n^2) and a deep recursion).
    calls = []

    def counting_repr(self):
        calls.append(type(self).__name__)
        return "<s>"

    c = sa.cosine(1.0, 0.0, 10)
    monkeypatch.setattr(sa.Schedule, "__repr__", counting_repr)
    s = c
    for _ in range(90):
        s = s + c * 0.5 - sa.shift(c, 3)
    s = sa.clip(-s, -100.0, 100.0) >> sa.hold(0.0)
    assert calls == []


def _cases():
    c = sa.cosine(1.0, 0.0, 10)
    mixed = c
    for i in range(MAX_DEPTH - 1):
        mixed = [sa.shift(mixed, 1), sa.clip(mixed, -5.0, 5.0), mixed * 0.5][i % 3]
    return {
        "neg": (_neg_chain(MAX_DEPTH), lambda t: (-1) ** (MAX_DEPTH - 1) * _cos10(t)),
        # (constants: a chain of 200 cosines compiles for seconds under jit)
        "add": (_plus_chain(MAX_DEPTH), lambda t: _cos10(t) + 0.25 * (MAX_DEPTH - 1)),
        # shifts: 67 of them (i = 0, 3, ...), halvings: 66 (i = 2, 5, ...); clips don't bind.
        "mixed": (mixed, lambda t: 0.5**66 * _cos10(np.maximum(np.asarray(t) - 67, 0))),
    }


@pytest.mark.parametrize("name", ["neg", "add", "mixed"])
def test_trees_at_the_depth_limit_work_everywhere(name):
    s, want = _cases()[name]
    assert s._depth == MAX_DEPTH
    ts = np.arange(0, 90, 7)

    def everything():
        jax = pytest.importorskip("jax")
        jnp = jax.numpy
        assert s(7) == pytest.approx(float(want(7)), rel=1e-12, abs=1e-300)
        np.testing.assert_allclose(s(ts), want(ts), rtol=1e-12, atol=1e-300)
        # (jit, not eager: the same code, without 200 dispatches of one op each)
        closed = jax.jit(lambda t: s(t))(jnp.asarray(ts))
        np.testing.assert_allclose(np.asarray(closed), want(ts), rtol=1e-5, atol=1e-30)
        passed = jax.jit(lambda sched, t: sched(t))(s, jnp.asarray(ts))
        np.testing.assert_allclose(np.asarray(passed), want(ts), rtol=1e-5, atol=1e-30)
        back = from_json(to_json(s))
        assert back == s and hash(back) == hash(s)
        text = repr(s)
        if text.startswith("<"):
            assert "to_json" in text
        else:
            assert sa.parse(text) == s

    _within(300, everything)  # with room to spare under a framework's stack


def test_a_199_deep_neg_json_document_loads_and_evaluates():
    doc: dict = {"type": "cosine", "start": 1.0, "end": 0.0, "steps": 10}
    for _ in range(199):
        doc = {"type": "neg", "a": doc}
    s = from_json(json.dumps({"schedalg": 1, **doc}))
    want = -_cos10(3)  # 199 negations
    assert s(3) == pytest.approx(float(want), rel=1e-12)
    np.testing.assert_allclose(s(np.array([3, 20])), [want, -_cos10(20)], rtol=1e-12)
    assert from_json(to_json(s)) == s


@pytest.mark.parametrize("depth", [2, 20, 33, 40, 101, 150, MAX_DEPTH])
def test_repr_reads_back_or_points_to_json(depth):
    # A run of more than 32 unary minus signs, or more than 100 nested brackets, is more
    # than parse() reads: such a repr used to be source that parse refused.
    s = _neg_chain(depth)
    nested = sa.linear_ramp(1.0, 0.0, 4)
    for _ in range(depth - 1):
        nested = sa.take(nested, 3)
    for tree in (s, nested):
        text = repr(tree)
        if text.startswith("<"):
            assert "to_json" in text and f"{depth} levels deep" in text
            with pytest.raises(sa.ParseError):
                sa.parse(text)
        else:
            assert sa.parse(text) == tree
    if depth <= 20:
        assert not repr(s).startswith("<") and not repr(nested).startswith("<")
    if depth >= 40:
        assert repr(s).startswith("<")  # 39 minus signs in a row
    if depth >= 150:
        assert repr(nested).startswith("<")  # take(take(...)): 149 nested brackets


def test_equal_deep_trees_built_apart_compare_and_hash_equal():
    a, b = _sum_chain(MAX_DEPTH), _sum_chain(MAX_DEPTH)
    assert a is not b
    assert _within(300, lambda: a == b and hash(a) == hash(b))
    assert a != _sum_chain(MAX_DEPTH - 1)


# -- long concat chains ---------------------------------------------------------------------------


def _pieces(n):
    return [
        sa.linear_ramp(0.0, 1.0, 10) if i % 2 else sa.cosine(1.0, 0.0, 10 + i % 7) for i in range(n)
    ]


def test_chained_shift_operator_does_not_copy_the_pieces(monkeypatch):
    # `a >> b >> c ...` used to copy the left concat's pieces at every step: O(n^2).
    pieces = _pieces(2000)
    copied = []
    original = Concat.pieces.fget

    def counting(self):
        out = original(self)
        copied.append(len(out))
        return out

    monkeypatch.setattr(Concat, "pieces", property(counting))
    s = pieces[0]
    for p in pieces[1:]:
        s = s >> p
    assert sum(copied) <= 4 * len(pieces)
    monkeypatch.undo()
    assert s == sa.concat(*pieces)
    assert s.pieces == tuple(pieces)
    starts = np.cumsum([0] + [p.duration for p in pieces])
    assert s.duration == starts[-1]
    ts = starts[[0, 1, 999, 1999]] + 3
    want = [p(3) for p in (pieces[0], pieces[1], pieces[999], pieces[1999])]
    np.testing.assert_allclose(s(ts), want, rtol=1e-12)
    assert [s(int(t)) for t in ts] == pytest.approx(want, rel=1e-12)


def test_chained_concat_keeps_the_rules_of_concat():
    a, b = sa.linear_ramp(0.0, 1.0, 10), sa.cosine(1.0, 0.0, 10)
    ab = a >> b
    assert (ab >> sa.hold(5.0, 0)) is ab  # a 0-step piece vanishes
    assert (ab >> sa.hold(5.0, 0) >> b).pieces == (a, b, b)
    assert (ab >> (b >> a)).pieces == (a, b, b, a)
    with pytest.raises(ValueError, match="position 2"):
        (ab >> sa.hold(1.0)) >> b
    with pytest.raises(ValueError, match="position 2"):
        ab >> sa.hold(1.0) >> b
    left = ab >> sa.hold(2.0)  # infinite last piece: fine while last
    assert left.duration is None and left(25) == 2.0
    chained = ab >> a >> b
    assert chained == sa.concat(a, b, a, b)
    assert hash(chained) == hash(sa.concat(a, b, a, b))
    assert chained._range() == (0.0, 1.0)
    assert math.isclose(chained(35), b(5))


def test_chained_concat_adds_fractional_durations_in_order():
    # 0.1 + 0.2 + 0.3 is not 0.1 + (0.2 + 0.3) in floats: the chain must add as concat does.
    ramp = sa.linear_ramp(0.0, 1.0, 10)
    parts = [sa.take(ramp, x) for x in (0.1, 0.2, 0.3, 0.7)]
    chained = parts[0] >> parts[1]
    chained = chained >> sa.concat(parts[2], parts[3])
    flat = sa.concat(*parts)
    assert chained.duration == flat.duration == ((0.1 + 0.2) + 0.3) + 0.7
    assert chained._starts() == flat._starts()


def test_shared_subtrees_print_hash_and_compare_in_time_linear_in_nodes():
    # s = s + s, 40 times: 41 nodes, 2^40 leaves when written out. Printing, hashing and
    # comparing used to walk every path (2^40).
    def doubled():
        s = sa.cosine(1.0, 0.0, 10)
        for _ in range(40):
            s = s + s
        return s

    s, t = doubled(), doubled()
    text = repr(s)
    assert text.startswith("<add(...)") and "to_json" in text
    assert hash(s) == hash(t) and s == t
    assert s != doubled() * 0.5
    assert s.duration == 10 and s.end_value == 0.0


# -- a concat whose infinite last piece starts beyond 2**62 -------------------------------------

def test_a_concat_whose_infinite_last_piece_starts_beyond_2_62_is_refused():
    with pytest.raises(ValueError, match=r"concat\(\): the last piece would start beyond 2\*\*62"):
        sa.concat(sa.hold(1.0, 2**62), sa.hold(1.0, 2**62), 1.0)
    with pytest.raises(ValueError, match=r"the last piece would start beyond 2\*\*62"):
        left = sa.hold(1.0, 2**61) >> sa.hold(1.0, 2**61)
        assert (left >> sa.hold(2.0)).duration is None  # its last piece starts at 2**62: fine
        sa.concat(left, sa.hold(1.0, 5), 2.0)  # appended to left: starts at 2**62 + 5
    doc = {
        "schedalg": 1,
        "type": "concat",
        "pieces": [{"type": "hold", "value": 1, "steps": 2**62}] * 2 + [1.0],
    }
    from schedalg import FormatError, from_dict

    with pytest.raises(FormatError, match="beyond 2"):
        from_dict(doc)
