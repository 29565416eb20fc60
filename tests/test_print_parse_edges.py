"""Printer and parser at the edges of the operator grammar.

Each expression is built with the Python operators, printed, parsed back and evaluated; the
expected values are composed here from the operands' own values by each operator's meaning
(``a >> b``: ``a`` on ``[0, d_a)``, then ``b`` at local time ``t - d_a``; ``+ - * /`` and unary
``-``: pointwise), so a wrong precedence in the printer (the text reads back as another
schedule) or in the parser fails on the values as well as on equality.
"""

from __future__ import annotations

import itertools
import operator

import numpy as np
import pytest

import schedalg as sa

TS = np.arange(0, 30)

# Finite operands with different durations; every value is >= 0.5 and B - C >= 0.5, so any
# of them (and B - C) divides.
A = sa.linear_ramp(0.5, 1.0, 4)
B = sa.cosine(4.0, 2.0, 6)
C = sa.triangle(0.5, 1.5, 5)
CONST = sa.hold(3.0)


def v(s):
    """Values of ``s`` at TS, from the pure-Python path (the reference for compositions)."""
    return np.array([s(int(t)) for t in TS])


def then(x, y):
    """Values of ``x >> y`` composed from the operands (x finite)."""
    d = x.duration
    return np.array([x(int(t)) if t < d else y(int(t - d)) for t in TS])


BINARY = {
    ">>": (operator.rshift, None),
    "+": (operator.add, operator.add),
    "-": (operator.sub, operator.sub),
    "*": (operator.mul, operator.mul),
    "/": (operator.truediv, operator.truediv),
}


def expected(op, x, y):
    _build, pointwise = BINARY[op]
    if pointwise is None:
        return then(x, y)
    return pointwise(v(x), v(y))


def roundtrip(s, want):
    text = repr(s)
    back = sa.parse(text)
    assert back == s, (text, repr(back))
    assert repr(back) == text
    np.testing.assert_allclose(back(TS), want, rtol=1e-13, err_msg=text)
    np.testing.assert_allclose(s(TS), want, rtol=1e-13, err_msg=text)
    return text


def test_shift_inside_a_sum_keeps_its_brackets():
    s = (A >> B) + C
    text = roundtrip(s, then(A, B) + v(C))
    assert text == f"({A!r} >> {B!r}) + {C!r}"


def test_shift_subtracted_from_a_schedule_keeps_its_brackets():
    s = C - (A >> B)
    text = roundtrip(s, v(C) - then(A, B))
    assert text == f"{C!r} - ({A!r} >> {B!r})"


def test_negated_shift_keeps_its_brackets():
    s = -(A >> B)
    text = roundtrip(s, -then(A, B))
    assert text == f"-({A!r} >> {B!r})"


def test_a_constant_minus_a_shift():
    roundtrip(0.5 - (A >> B), 0.5 - then(A, B))
    roundtrip((A >> B) * 2.0, 2.0 * then(A, B))
    roundtrip(2.0 / (A >> B), 2.0 / then(A, B))


@pytest.mark.parametrize(("op1", "op2"), list(itertools.product(BINARY, repeat=2)))
def test_every_operator_pair_nested_both_ways(op1, op2):
    """``(x op1 y) op2 z`` and ``x op1 (y op2 z)``: precedence and associativity."""
    f1, f2 = BINARY[op1][0], BINARY[op2][0]
    left = f2(f1(A, B), C)
    # The composition on the left: (A op1 B) is a schedule; its values then meet C.
    ab = f1(A, B)
    roundtrip(left, expected(op2, ab, C) if op2 != ">>" else then(ab, C))
    if op1 != ">>":
        assert np.allclose(v(ab), expected(op1, A, B))
    right = f1(A, f2(B, C))
    bc = f2(B, C)
    roundtrip(right, expected(op1, A, bc) if op1 != ">>" else then(A, bc))


@pytest.mark.parametrize("op", [o for o in BINARY if o != ">>"])
def test_unary_minus_against_each_operator(op):
    f = BINARY[op][0]
    roundtrip(-f(A, B), -expected(op, A, B))
    roundtrip(f(-A, B), BINARY[op][1](-v(A), v(B)))
    roundtrip(f(A, -B), BINARY[op][1](v(A), -v(B)))
    roundtrip(f(A, CONST), BINARY[op][1](v(A), 3.0))
    roundtrip(f(CONST, A), BINARY[op][1](3.0, v(A)))


def test_unary_minus_against_shift():
    roundtrip(-A >> B, np.where(TS < 4, -v(A), 0.0) + np.where(TS >= 4, then(A, B), 0.0))
    roundtrip(A >> -B, then(A, -B))


def _chain(n):
    return [sa.hold(0.001 * (i + 1), 1) for i in range(n)]


@pytest.mark.parametrize(
    "wrap",
    [
        "({})",
        "(({}))",
        "({}) * 2",
        "repeat({}, times=2)",
        "hold(1.0, 3) >> ({})",
        "-({})",
    ],
)
def test_a_600_piece_chain_in_brackets(wrap):
    pieces = _chain(600)
    inner = " >> ".join(repr(p) for p in pieces)
    s = sa.parse(wrap.format(inner))
    chain = sa.concat(*pieces)
    want = {
        "({})": chain,
        "(({}))": chain,
        "({}) * 2": chain * 2,
        "repeat({}, times=2)": sa.repeat(chain, times=2),
        "hold(1.0, 3) >> ({})": sa.hold(1.0, 3) >> chain,
        "-({})": -chain,
    }[wrap]
    assert s == want
    ts = np.arange(0, 1300)
    np.testing.assert_allclose(s(ts), want(ts), rtol=1e-15)
    # and the values themselves: the chain reads 0.001 * (t + 1) at step t < 600
    k = np.arange(600)
    base = {"({}) * 2": 2.0, "-({})": -1.0}.get(wrap, 1.0)
    offset = 3 if wrap.startswith("hold") else 0
    np.testing.assert_allclose(s(k + offset), base * 0.001 * (k + 1), rtol=1e-15)


def test_two_bracketed_long_chains_side_by_side():
    left, right = _chain(550), _chain(520)
    text = "({}) + ({})".format(" >> ".join(map(repr, left)), " >> ".join(map(repr, right)))
    s = sa.parse(text)
    assert s == sa.concat(*left) + sa.concat(*right)
