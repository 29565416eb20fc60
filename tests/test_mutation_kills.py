"""Tests written to kill the mutants a mutation-testing run left alive (see CONTRIBUTING.md).

Each test pins a behaviour of the evaluation, io, parse, plateau or torch-adapter modules that
the rest of the suite did not observe; the expected values come from formulas written here.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import schedalg as sa
import schedalg._arithmetic
from schedalg.plateau import PlateauState, reduce_on_plateau

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


# -- evaluation: integer powers on the array path -----------------------------------------------


@pytest.mark.parametrize("power", [2.0, 3.0, 4.0, 0.5])
def test_integer_and_fractional_powers_on_numpy(power):
    n = 12
    ts = np.arange(0, 16)
    u = np.minimum(ts, n) / n
    poly = sa.poly(2.0, 0.5, n, power=power)
    np.testing.assert_allclose(poly(ts), 0.5 + 1.5 * (1 - u) ** power, rtol=1e-13)
    cos = sa.cosine(2.0, 0.5, n, power=power)
    c = (1 + np.cos(np.pi * u)) / 2
    np.testing.assert_allclose(cos(ts), 0.5 + 1.5 * c**power, rtol=1e-13, atol=1e-15)
    # inside a concat, where the table's rows are evaluated together
    both = sa.linear_ramp(0.0, 2.0, 4) >> poly
    np.testing.assert_allclose(both(ts + 4), poly(ts), rtol=1e-13)
    assert math.isclose(both(4 + 3), 0.5 + 1.5 * (1 - 3 / n) ** power, rel_tol=1e-13)


# -- plateau and its torch adapter ---------------------------------------------------------------


def test_plateau_update_keeps_the_state_dtypes_on_numpy():
    """A float64 metric does not widen a float32 state (a scan carry must keep its dtype)."""
    rule = reduce_on_plateau(factor=0.5, patience=0)
    state = PlateauState(np.float32(np.inf), np.int32(0), np.int32(0), np.float32(1.0))
    for metric in (np.float64(3.0), np.float64(2.0), np.float64(2.5)):
        state = rule.update(state, np.asarray(metric))
        assert np.asarray(state.best).dtype == np.float32
    # the decisions are the rule's: improvements to 3 then 2, then a bad step halves the scale
    assert float(state.best) == 2.0 and float(state.scale) == 0.5


def _plateau_lr(n_groups):
    torch = pytest.importorskip("torch")
    from schedalg.torch import PlateauLR

    params = [torch.nn.Parameter(torch.zeros(1)) for _ in range(n_groups)]
    opt = torch.optim.SGD([{"params": [p], "lr": 0.1 * (i + 1)} for i, p in enumerate(params)])
    return opt, PlateauLR(opt, reduce_on_plateau(factor=0.5, patience=0))


def test_plateau_lr_load_state_dict_sets_the_last_lrs():
    _, sched = _plateau_lr(2)
    for metric in (1.0, 2.0, 3.0):
        sched.step(metric)
    saved = sched.state_dict()
    opt2, fresh = _plateau_lr(2)
    fresh.load_state_dict(saved)
    assert fresh.get_last_lr() == [g["lr"] for g in opt2.param_groups]
    assert fresh.get_last_lr() == pytest.approx([0.1 * 0.25, 0.2 * 0.25])


def test_plateau_lr_refuses_a_state_for_another_number_of_groups():
    _, sched = _plateau_lr(2)
    saved = sched.state_dict()
    _, other = _plateau_lr(3)
    with pytest.raises(ValueError):
        other.load_state_dict(saved)


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


# -- the JAX time conversion ---------------------------------------------------------------------


@pytest.mark.parametrize("dtype", ["uint8", "uint16", "uint32", "int8", "int16"])
def test_narrow_and_unsigned_times_on_the_traced_path(dtype):
    """Unsigned JAX times are read as the signed steps they hold; bools are refused."""
    jnp = pytest.importorskip("jax.numpy")
    s = sa.linear_ramp(0.0, 1.0, 100) >> sa.cosine(1.0, 0.0, 100)
    ts = np.arange(0, 120, 7)
    got = np.asarray(s(jnp.asarray(ts.astype(dtype))), dtype=np.float64)
    want = np.array([s(int(t)) for t in ts])
    np.testing.assert_allclose(got, want, rtol=2e-6, atol=1e-7)


def test_bool_times_are_refused_on_the_traced_path():
    jnp = pytest.importorskip("jax.numpy")
    with pytest.raises(TypeError, match="t must hold real numbers, got dtype bool"):
        sa.hold(1.0)(jnp.asarray([True, False]))


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
