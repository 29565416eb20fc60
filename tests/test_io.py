"""JSON serialization: exact round trips, strict loading with JSON paths in every error."""

from __future__ import annotations

import contextlib
import json
import math
import struct

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import all_finite_schedules, all_schedules

import schedalg as sa
import schedalg._arithmetic
from schedalg._fields import node_classes
from schedalg.io import FormatError, from_dict, from_json, to_dict, to_json


def _bits(x: float) -> bytes:
    return struct.pack("<d", x)


def _same_tree(a, b) -> None:
    """Structural identity including number types: floats bit for bit, ints as ints."""
    assert type(a) is type(b)
    if isinstance(a, dict):
        assert list(a) == list(b)
        for k in a:
            _same_tree(a[k], b[k])
    elif isinstance(a, list):
        assert len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            _same_tree(x, y)
    elif isinstance(a, float):
        assert _bits(a) == _bits(b)
    else:
        assert a == b


@given(all_schedules())
def test_json_round_trip_is_exact(s):
    text = to_json(s)
    back = from_json(text)
    assert back == s
    assert hash(back) == hash(s)
    # Nothing lost on the way: the dumped trees agree bit for bit, ints stay ints.
    _same_tree(to_dict(back), json.loads(text))
    assert repr(back) == repr(s)


@given(all_finite_schedules(), st.integers(0, 400))
def test_round_trip_evaluates_identically(s, t):
    back = from_json(to_json(s))
    assert _bits(back(t)) == _bits(s(t))


def test_document_shape():
    s = sa.linear_ramp(0, 3e-4, 2000) >> sa.cosine(3e-4, 3e-5, 98000)
    assert to_dict(s) == {
        "schedalg": 1,
        "type": "concat",
        "pieces": [
            {"type": "linear_ramp", "start": 0.0, "end": 3e-4, "steps": 2000},
            {"type": "cosine", "start": 3e-4, "end": 3e-5, "steps": 98000, "power": 1.0},
        ],
    }
    assert json.loads(to_json(s)) == to_dict(s)


def test_floats_that_print_long_survive():
    x = 0.1 + 0.2  # 0.30000000000000004
    tiny = 5e-324
    s = sa.piecewise([1, 2.5], [x, tiny, -0.0])
    back = from_json(to_json(s))
    vals = back._value_list()
    assert _bits(vals[0]) == _bits(x) and _bits(vals[1]) == _bits(tiny)
    assert math.copysign(1.0, vals[2]) == -1.0
    assert back.boundaries == (1, 2.5) and type(back.boundaries[0]) is int


def test_ints_stay_ints():
    s = sa.cosine(1.0, 0.0, 10, power=2) >> sa.shift(sa.hold(1.0, 3), 2)
    d = to_dict(s)
    assert type(d["pieces"][0]["power"]) is int and type(d["pieces"][1]["steps"]) is int
    assert type(d["pieces"][0]["steps"]) is int
    back = from_dict(d)
    assert type(back.pieces[0].power) is int


def test_after_jax_round_trip_packed_leaves_serialize_as_floats():
    jax = pytest.importorskip("jax")
    jnp = pytest.importorskip("jax.numpy")
    s = sa.linear_ramp(0.0, 1.0, 10) >> sa.piecewise([3], [1.0, 2.0]) >> sa.cosine(2.0, 0.5, 7)
    packed = jax.tree.map(jnp.asarray, s)
    assert from_json(to_json(packed)) == s
    assert to_json(packed) == to_json(s)


def test_traced_and_batched_leaves_are_refused():
    jax = pytest.importorskip("jax")
    jnp = pytest.importorskip("jax.numpy")
    batch = jax.vmap(lambda x: sa.hold(x, 3) >> sa.cosine(x, 0.0, 10))(jnp.arange(3.0))
    with pytest.raises(TypeError, match=r"\$\.pieces\[0\]\.value: .*batched array of shape \(3,\)"):
        to_json(batch)

    def traced(s):
        to_json(s)
        return 0.0

    with pytest.raises(TypeError, match=r"traced JAX value"):
        jax.jit(traced)(sa.linear_ramp(0.0, 1.0, 3))
    with pytest.raises(TypeError, match=r"batched"):
        to_json(sa.hold(np.array([1.0, 2.0])))


def test_to_dict_refuses_non_schedules():
    with pytest.raises(TypeError, match="to_dict"):
        to_dict(0.5)


def test_hand_written_defaults_and_number_operands():
    d = {
        "schedalg": 1,
        "type": "mul",
        "a": {"type": "cosine", "start": 1, "end": 0, "steps": 9},
        "b": 0.5,
    }
    assert from_dict(d) == sa.cosine(1.0, 0.0, 9) * 0.5
    assert from_json('{"schedalg": 1, "type": "exp", "start": 1, "rate": 0.9}') == sa.exp(
        1.0, rate=0.9
    )
    assert from_json('{"schedalg": 1, "type": "hold", "value": 2}') == sa.hold(2.0)


BASE = {
    "schedalg": 1,
    "type": "concat",
    "pieces": [
        {"type": "linear_ramp", "start": 0.0, "end": 1.0, "steps": 10},
        {
            "type": "repeat",
            "schedule": {"type": "cosine", "start": 1.0, "end": 0.0, "steps": 5, "power": 1.0},
            "times": None,
            "stretch": 1.0,
        },
    ],
}


def _edit(path, value=None, delete=False):
    d = json.loads(json.dumps(BASE))
    node = d
    for key in path[:-1]:
        node = node[key]
    if delete:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return d


@pytest.mark.parametrize(
    "doc, path, words",
    [
        (
            _edit(["pieces", 1, "schedule", "steps"], -5),
            r"$.pieces[1].schedule.steps",
            "non-negative",
        ),
        (_edit(["pieces", 1, "schedule", "steps"], "5"), r"$.pieces[1].schedule.steps", "a string"),
        (_edit(["pieces", 1, "schedule", "steps"], True), r"$.pieces[1].schedule.steps", "boolean"),
        (_edit(["pieces", 1, "schedule", "power"], 0), r"$.pieces[1].schedule.power", "> 0"),
        (
            _edit(["pieces", 1, "schedule", "start"], delete=True),
            r"$.pieces[1].schedule.start",
            "missing",
        ),
        (
            _edit(["pieces", 1, "schedule", "colour"], 1),
            r"$.pieces[1].schedule.colour",
            "unknown field",
        ),
        (_edit(["pieces", 1, "type"], "cycle"), r"$.pieces[1].type", "unknown schedule type"),
        (_edit(["pieces", 1, "type"], 3), r"$.pieces[1].type", "string"),
        (_edit(["pieces", 1, "times"], 0), r"$.pieces[1].times", "times must be >= 1"),
        (_edit(["pieces", 0], [1, 2]), r"$.pieces[0]", "a list"),
        (_edit(["pieces", 0, "type"], delete=True), r"$.pieces[0]", "missing field 'type'"),
        (_edit(["pieces"], []), r"$.pieces", "at least one"),
        (_edit(["pieces"], {"type": "hold"}), r"$.pieces", "list of schedules"),
        (_edit(["pieces", 0, "end"], None), r"$.pieces[0].end", "null"),
        (_edit(["schedalg"], 2), r"$.schedalg", "version 2"),
        (_edit(["schedalg"], "1"), r"$.schedalg", "version '1'"),
        (_edit(["pieces", 0], {"type": "hold", "value": 1.0}), r"$.pieces[0]", "infinite piece"),
        (_edit(["pieces", 1, "schedule"], 0.5), r"$.pieces[1].schedule", "must be a schedule"),
        (
            _edit(["pieces", 1, "schedule", "schedalg"], 1),
            r"$.pieces[1].schedule.schedalg",
            "unknown field",
        ),
        (
            {"schedalg": 1, "type": "piecewise", "boundaries": [1, 5, 3], "values": [1, 2, 3, 4]},
            r"$.boundaries[2]",
            "sorted",
        ),
        (
            {"schedalg": 1, "type": "piecewise", "boundaries": [1, "x"], "values": [1, 2, 3]},
            r"$.boundaries[1]",
            "a string",
        ),
        (
            {
                "schedalg": 1,
                "type": "div",
                "a": 1.0,
                "b": {"type": "linear_ramp", "start": -1, "end": 1, "steps": 4},
            },
            r"$.b",
            "includes 0",
        ),
        ({"schedalg": 1, "type": "exp", "start": 1.0}, r"$", "exactly one of end"),
        ({"schedalg": 1, "type": "exp", "start": -1.0, "end": 1.0, "steps": 3}, r"$.start", "> 0"),
        (
            {
                "schedalg": 1,
                "type": "scale_by_cycle",
                "schedule": {"type": "hold", "value": 1, "steps": 3},
                "factor": 0.5,
            },
            r"$.schedule",
            "repeat",
        ),
        ([1, 2], r"$", "a JSON object"),
    ],
)
def test_bad_documents_name_the_path(doc, path, words):
    with pytest.raises(FormatError) as info:
        from_dict(doc)
    assert info.value.path == path
    assert words in str(info.value)
    assert path in str(info.value)
    # The same problems through JSON text.
    if isinstance(doc, dict):
        with pytest.raises(FormatError, match=words.replace("(", r"\(")):
            from_json(json.dumps(doc))


@pytest.mark.parametrize(
    "text, words",
    [
        ("{", "invalid JSON"),
        ('{"schedalg": 1, "type": "hold", "value": NaN}', "NaN is not valid JSON"),
        ('{"schedalg": 1, "type": "hold", "value": Infinity}', "Infinity is not valid JSON"),
        ('{"schedalg": 1, "type": "hold", "value": 1e999}', "finite"),
        (
            '{"schedalg": 1, "type": "hold", "value": 1, "steps": ' + "9" * 5000 + "}",
            "invalid JSON",
        ),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        (b"\xff\xfe", "UTF-8"),
        ("", "invalid JSON"),
    ],
)
def test_bad_json_text(text, words):
    with pytest.raises(FormatError, match=words):
        from_json(text)


def test_deep_nesting_is_bounded():
    d = {"type": "hold", "value": 1.0, "steps": 3}
    for _ in range(300):
        d = {"type": "neg", "a": d}
    d["schedalg"] = 1
    with pytest.raises(FormatError, match="nested deeper than 200"):
        from_dict(d)
    with pytest.raises(FormatError):
        from_json(json.dumps(d))


def test_loading_runs_no_code():
    # A type name or field that names Python callables is only ever a dict key.
    for name in ("__import__", "eval", "Schedule", "_make", "system"):
        with pytest.raises(FormatError, match="unknown schedule type"):
            from_dict({"schedalg": 1, "type": name})
    with pytest.raises(FormatError, match="unknown field"):
        from_dict({"schedalg": 1, "type": "hold", "value": 1.0, "__class__": "x"})


def test_io_parse_and_analysis_import_no_framework():
    import subprocess
    import sys

    code = (
        "import sys, schedalg as sa\n"
        "s = sa.parse('linear_ramp(0, 1e-3, 10) >> cosine(1e-3, 0, 90)')\n"
        "assert sa.from_json(sa.to_json(s)) == s\n"
        "s.integral(); s.bounds(); s.summary()\n"
        "print(sorted(m for m in ('jax', 'torch', 'optax') if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.strip() == "[]"


def _node_types(s, out):
    out.add(type(s))
    kids = s.pieces if isinstance(s, sa._concat.Concat) else s._children()
    for k in kids:
        _node_types(k, out)
    return out


# the built-in node types (a test or an example may register a primitive of its own)
ALL_NODES = sorted(
    {c for c in node_classes() if c.__module__.startswith("schedalg.")}, key=lambda c: c.__name__
)


class _AllSeen(Exception):
    pass


def test_strategy_reaches_every_node_type():
    # Hypothesis mixes the literals of every loaded local module into what it draws, so the
    # draws depend on which schedalg modules earlier tests imported: draw until every type
    # is seen (stopping there), with room to spare, instead of relying on a fixed 400 draws.
    from hypothesis import HealthCheck, Phase, settings

    seen: set = set()

    @settings(
        max_examples=4000,
        phases=[Phase.generate],
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(all_schedules())
    def collect(s):
        _node_types(s, seen)
        if all(c in seen for c in ALL_NODES):
            raise _AllSeen

    with contextlib.suppress(_AllSeen):
        collect()
    assert [c.__name__ for c in ALL_NODES if c not in seen] == []


# -- io: the words of a FormatError --------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (None, "null (None)"),
        (True, "a boolean (True)"),
        ("x", "a string ('x')"),
        ([1], "a list ([1])"),
        ((1,), "a list ((1,))"),
        ({"a": 1}, "an object ({'a': 1})"),
        (1j, "complex (1j)"),
        # reprs longer than 60 characters are cut to 57 and "..."
        ("y" * 58, "a string ('" + "y" * 58 + "')"),
        ("y" * 59, "a string ('" + "y" * 56 + "...)"),
    ],
)
def test_format_error_names_the_json_kind_it_got(value, shown):
    with pytest.raises(sa.FormatError) as info:
        sa.from_dict({"schedalg": 1, "type": "hold", "value": value})
    err = info.value
    assert err.path == "$.value"
    assert err.reason == f"expected a number, got {shown}"
    assert str(err) == f"from_dict(): at $.value: expected a number, got {shown}"


def test_format_error_of_a_concat_piece_names_the_piece():
    doc = {
        "schedalg": 1,
        "type": "concat",
        "pieces": [{"type": "hold", "value": 1.0}, {"type": "hold", "value": 2.0, "steps": 3}],
    }
    with pytest.raises(sa.FormatError) as info:
        sa.from_dict(doc)
    assert info.value.path == "$.pieces[0]"
    assert "infinite" in info.value.reason


# -- io: paths and reasons of document errors ----------------------------------------------------


def _format_error(doc):
    with pytest.raises(sa.FormatError) as info:
        sa.from_dict({"schedalg": 1, **doc})
    return info.value.path, info.value.reason


# the built-in types, written out; types registered by tests and examples in the same process
# (a primitive of their own) are listed too, so they are added when the message is compared
KNOWN_TYPES = (
    "add, clip, concat, cosine, div, exp, hold, inverse, linear_ramp, maximum, minimum, mul, "
    "neg, piecewise, poly, repeat, scale_by_cycle, scale_time, shift, sigmoid, staircase, sub, "
    "take, tanh, triangle, warp"
)


def _with_registered(reason):
    builtin = set(KNOWN_TYPES.split(", "))
    extra = set(sa.io.SPECS) - builtin
    if not extra or KNOWN_TYPES not in reason:
        return reason
    return reason.replace(KNOWN_TYPES, ", ".join(sorted(builtin | extra)))


@pytest.mark.parametrize(
    ("doc", "path", "reason"),
    [
        ({"type": "hold", "value": math.nan}, "$.value", "expected a finite number, got nan"),
        ({"typ": "hold"}, "$", "missing field 'type'"),
        ({"type": "hold"}, "$.value", "missing field 'value' for type 'hold'"),
        (
            {"type": "holdx"},
            "$.type",
            f"unknown schedule type 'holdx' (known: {KNOWN_TYPES}; a primitive of your own "
            "is known once the module that defines it is imported)",
        ),
        (
            {"type": "hold", "value": 1.0, "x": 2},
            "$.x",
            "unknown field 'x' for type 'hold' (expected: value, steps)",
        ),
        (
            {"type": "hold", "value": 1.0, 1: 2},
            "$",
            "unknown field 1 for type 'hold' (expected: value, steps)",
        ),
        (
            {"type": "piecewise", "boundaries": [1, "x"], "values": [1, 2, 3]},
            "$.boundaries[1]",
            "expected a number, got a string ('x')",
        ),
        (
            {"type": "piecewise", "boundaries": 3, "values": [1, 2]},
            "$.boundaries",
            "expected a list of numbers, got a number",
        ),
        ({"type": "concat", "pieces": 3}, "$.pieces", "expected a list of schedules, got a number"),
        (
            {"type": "concat", "pieces": []},
            "$.pieces",
            "expected at least one schedule, got an empty list",
        ),
    ],
)
def test_document_errors_name_the_field_and_the_problem(doc, path, reason):
    assert _format_error(doc) == (path, _with_registered(reason))


def _nested_clips(levels):
    d = {"type": "hold", "value": 1.0}
    for _ in range(levels):
        d = {"type": "clip", "schedule": d, "low": -5.0}
    return d


def test_nesting_limit_is_exactly_max_depth():
    # levels count nodes, the root is level 1 (as in the core): 199 clips over a hold are
    # MAX_DEPTH levels, the deepest accepted; one more clip is refused at its own path
    assert sa.io.MAX_DEPTH == sa._schedule.MAX_DEPTH == 200
    s = sa.from_dict({"schedalg": 1, **_nested_clips(sa.io.MAX_DEPTH - 1)})
    for _ in range(sa.io.MAX_DEPTH - 1):
        assert isinstance(s, sa._arithmetic.Clip) and s.low == -5.0
        s = s.schedule
    assert s == sa.hold(1.0)
    path, reason = _format_error(_nested_clips(sa.io.MAX_DEPTH))
    assert path == "$" + ".schedule" * sa.io.MAX_DEPTH
    assert reason == f"schedule nested deeper than {sa.io.MAX_DEPTH} levels"


# -- io: JSON text and writer errors ------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "path", "reason"),
    [
        ('{"schedalg": 1, "type": ', "$", "invalid JSON: Expecting value (line 1, column 25)"),
        (
            b"\xff\xfe",
            "$",
            "not UTF-8 text: 'utf-8' codec can't decode byte 0xff in position 0: "
            "invalid start byte",
        ),
        ("[1]", "$", "expected a JSON object, got a list"),
        (
            '{"schedalg": "1", "type": "hold", "value": 1}',
            "$.schedalg",
            "unsupported format version '1' (this schedalg reads version 1)",
        ),
        (
            '{"schedalg": true, "type": "hold", "value": 1}',
            "$.schedalg",
            "unsupported format version True (this schedalg reads version 1)",
        ),
        ('{"schedalg": 1, "type": 3}', "$.type", "expected a string, got a number"),
        (
            '{"schedalg": 1, "type": "hold", "value": NaN}',
            "$",
            "invalid JSON: NaN is not valid JSON",
        ),
        ("[" * 100_000, "$", "JSON nested too deeply"),
    ],
)
def test_json_text_errors_name_the_path_and_the_problem(text, path, reason):
    with pytest.raises(sa.FormatError) as info:
        sa.from_json(text)
    assert (info.value.path, info.value.reason) == (path, reason)


def test_writer_errors_and_indent():
    with pytest.raises(TypeError, match=r"^from_json\(\): text must be str or bytes, got int$"):
        sa.from_json(3)
    with pytest.raises(TypeError, match=r"^to_dict\(\): schedule must be a schedule, got"):
        sa.to_dict(3)
    s = sa.hold(1.0)
    for _ in range(sa.io.MAX_DEPTH - 1):
        s = sa.clip(s, low=-5.0)
    d = sa.to_dict(s)  # 200 levels, the root included: written, and read back
    assert d["type"] == "clip" and sa.from_dict(d) == s
    with pytest.raises(ValueError, match=r"nested 201 levels deep"):
        sa.clip(s, low=-5.0)  # a deeper tree can't be built, so the writer never sees one
    text = sa.to_json(sa.hold(0.5), indent=2)
    assert text == '{\n  "schedalg": 1,\n  "type": "hold",\n  "value": 0.5,\n  "steps": null\n}'
