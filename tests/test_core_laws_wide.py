"""The evaluation laws over the broad strategy (issue 14's blind spots), not only the narrow one.

``test_core_laws.py`` states the algebra's laws over ``strategies.schedules()``; here the
evaluation laws (backends agree with the pure-Python path, sorted and shuffled times agree,
no NaN or inf, values within the static range, pytree and print/parse round trips) run over
``strategies.broad_schedules()``: take, fit, one-sided clip, division by a schedule, 0-step
pieces, repeated and fractional piecewise boundaries, float shift and staircase steps,
scale_by_cycle over stretched repeats and with factors above 1, constants in arithmetic and
concat, repeat(times=1), infinite operands, durations up to 2**40, leaves outside +-10 and of
int and NumPy types, issue 12's nodes (switch, value_at, powers, clocks, recipes) at the root
and nested, and about half finite roots. The last test checks that the strategy does draw
each of those.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import reference as ref
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import broad_schedules, targeted_schedules

import schedalg as sa
from schedalg import *  # noqa: F403  (repr must eval in this namespace)


def probe_times(s: sa.Schedule) -> np.ndarray:
    """0..63, every breakpoint (from the reference) and its neighbours, and far beyond."""
    node = sa.to_dict(s)
    ext = ref.extent(node)
    ts = set(range(64))
    for b in ref.breakpoints(node, 2 * ext + 10):
        base = math.floor(b)
        ts.update(x for x in (base - 1, base, base + 1, base + 2) if x >= 0)
    far = math.ceil(2 * ext) + 10
    ts.update((far, 10 * far, 10**9, 10**12))
    return np.array(sorted(t for t in ts if t <= 2**62), dtype=np.int64)


def python_values(s: sa.Schedule, ts: np.ndarray) -> np.ndarray:
    return np.array([s(int(t)) for t in ts], dtype=np.float64)


def error_scale(s: sa.Schedule, ts: np.ndarray) -> np.ndarray:
    """The reference's error scale at each time: a float rounding budget's unit."""
    node = sa.to_dict(s)
    return np.array([ref.value(node, int(t))[1] for t in ts])


def _jax_share() -> settings:
    """JAX compiles each new tree: a quarter of the profile's examples (the differential
    suite compares JAX with the reference on more)."""
    return settings(max_examples=max(settings.default.max_examples // 4, 10))


def _stretched(s: sa.Schedule) -> bool:
    return any(n["stretch"] != 1 for n in ref.repeats(sa.to_dict(s)))


@given(broad_schedules())
def test_numpy_agrees_with_the_python_path(s):
    ts = probe_times(s)
    py = python_values(s, ts)
    tol = 64 * 2.0**-53 * error_scale(s, ts) + 1e-300
    assert np.all(np.abs(s(ts) - py) <= tol)
    # float times: the same values at the same (integral) times
    assert np.all(np.abs(s(ts.astype(np.float64)) - py) <= tol + 1e-12 * np.abs(py))


@_jax_share()
@given(broad_schedules())
def test_jax_agrees_with_the_python_path(s):
    """Integer times below 2**31 on trees whose times are exact on JAX (no float lengths)."""
    import jax.numpy as jnp

    if ref.has_float_time(sa.to_dict(s)):
        return  # float32 time: test_differential.py compares those within a time window
    ts = probe_times(s)
    ts = ts[ts < 2**31 - 1]
    py = python_values(s, ts)
    got = np.asarray(s(jnp.asarray(ts.astype(np.int32))), dtype=np.float64)
    tol = 64 * 2.0**-24 * error_scale(s, ts) + 2.0**-120
    assert np.all(np.abs(got - py) <= tol), (ts[np.abs(got - py) > tol], got, py)


@given(broad_schedules(), st.integers(0, 2**32 - 1), st.booleans())
def test_sorted_and_shuffled_times_agree(s, seed, integer):
    d = s.duration if s.duration is not None else 300
    ts = np.linspace(0, 2 * float(d) + 10, 700)
    if integer:
        ts = np.round(ts).astype(np.int64)
    perm = np.random.default_rng(seed).permutation(ts.size)
    np.testing.assert_array_equal(s(ts[perm]), s(ts)[perm])


@given(broad_schedules())
def test_no_nan_or_inf_anywhere(s):
    ts = np.array([0, 1, 10**6, 10**9, 10**12, 2**53, 2**62], dtype=np.int64)
    assert np.all(np.isfinite(s(ts)))
    assert np.all(np.isfinite(s(ts.astype(np.float64) + 0.5)))
    assert all(math.isfinite(s(int(t))) for t in ts)
    if not _stretched(s):  # issue 9 item 7: a stretched repeat at t = inf
        assert math.isfinite(s(math.inf))
        assert np.all(np.isfinite(s(np.array([math.inf]))))


@_jax_share()
@given(broad_schedules())
def test_no_nan_or_inf_on_jax(s):
    import jax.numpy as jnp

    times = [0.0, 1e6, 1e9, 1e12, 2.0**62] + ([] if _stretched(s) else [math.inf])
    assert np.all(np.isfinite(np.asarray(s(jnp.asarray(times, jnp.float32)))))
    assert np.all(np.isfinite(np.asarray(s(jnp.asarray([0, 7, 2**31 - 1], jnp.int32)))))


@given(broad_schedules())
def test_values_stay_in_the_static_range(s):
    lo, hi = s._range()
    node = sa.to_dict(s)
    ts = probe_times(s)
    got = python_values(s, ts)
    want = [ref.value(node, int(t))[0] for t in ts]
    slack = 1e-9 * max(1.0, abs(lo), abs(hi))
    assert np.all(got >= lo - slack) and np.all(got <= hi + slack)
    # the range holds the exact values too (a range computed from the buggy values would not)
    assert all(lo - slack <= float(v) <= hi + slack for v in want if v is not None)


@given(broad_schedules())
def test_pytree_round_trip(s):
    import jax

    leaves, treedef = jax.tree.flatten(s)
    back = jax.tree.unflatten(treedef, leaves)
    assert back == s
    ts = probe_times(s)
    np.testing.assert_array_equal(python_values(back, ts), python_values(s, ts))
    np.testing.assert_array_equal(back(ts), s(ts))
    assert jax.tree.structure(back) == treedef


@given(broad_schedules())
def test_print_parse_round_trip(s):
    text = repr(s)
    again = sa.parse(text)
    assert again == s
    assert repr(again) == text
    assert eval(text) == s
    ts = probe_times(s)
    np.testing.assert_array_equal(python_values(again, ts), python_values(s, ts))


# -- the strategy draws what issue 14 says the old one never did ----------------------------------


def _features(s: sa.Schedule) -> set[str]:
    node = sa.to_dict(s)
    out = set()
    if s.duration is not None:
        out.add("finite root")
    for n in ref.walk(node):
        kind = ref.kind_of(n)
        out.add(kind)
        kids = ref.children(n)
        if kind == "clip" and (n["low"] is None) != (n["high"] is None):
            out.add("one-sided clip")
        if kind == "div" and not ref.is_constant(n["b"]):
            out.add("division by a schedule")
        if kind != "concat" and any(ref.duration(c) == 0 for c in kids):
            out.add("0-step operand")
        if kind == "piecewise":
            b = n["boundaries"]
            if len(set(b)) < len(b):
                out.add("repeated boundaries")
            if any(float(x) != int(x) for x in b):
                out.add("fractional boundaries")
        if kind in ("shift", "staircase") and isinstance(n.get("steps", n.get("every")), float):
            out.add(f"float {kind}")
        if kind == "scale_by_cycle":
            if n["schedule"]["stretch"] != 1:
                out.add("scale_by_cycle of a stretched repeat")
            if n["factor"] > 1:
                out.add("factor > 1")
        if kind in ("add", "minimum", "maximum") and any(ref.is_constant(c) for c in kids):
            out.add(f"constant in {kind}")
        if kind == "concat" and ref.is_constant(n["pieces"][-1]):
            out.add("constant in concat")
        if kind != "concat" and any(ref.duration(c) is None for c in kids):
            out.add("infinite operand")
        d = ref.duration(n)
        if d is not None and d > 132:
            out.add("duration > 132")
        if any(ref.kind_of(c) in ref.ISSUE12 for c in kids):
            out.add("issue 12 node below another")
        for group, kinds in ISSUE12_GROUPS.items():
            if kind in kinds:
                out.add(group)
        for key in ("value", "start", "end", "low", "high"):
            x = n.get(key)
            if isinstance(x, (int, float)) and abs(x) > 10:
                out.add("leaf outside +-10")
    return out


ISSUE12_GROUPS = {
    "a switch": {"switch"},
    "a continuation": {"value_at", "cooldown", "rewarm"},
    "a power": {"power", "exp_of"},
    "a clock": {"tokens", "compose"},
    "a recipe": set(ref.ISSUE12) - {"switch", "value_at", "power", "exp_of", "tokens", "compose"},
}

WANTED = {
    "take",
    "scale_time",
    "one-sided clip",
    "division by a schedule",
    "0-step operand",
    "repeated boundaries",
    "fractional boundaries",
    "float shift",
    "float staircase",
    "scale_by_cycle of a stretched repeat",
    "factor > 1",
    "constant in add",
    "constant in minimum",
    "constant in maximum",
    "constant in concat",
    "infinite operand",
    "duration > 132",
    "leaf outside +-10",
    "finite root",
    # issue 12's nodes (tests/reference.py reads each), by group
    *ISSUE12_GROUPS,
    "issue 12 node below another",
}


def test_the_broad_strategy_draws_every_blind_spot():
    seen: dict[str, int] = dict.fromkeys(WANTED | {"n"}, 0)

    @settings(
        max_examples=400,  # (the draws shift as primitives are added: room to reach each)
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(broad_schedules())
    def draw(s):
        seen["n"] += 1
        for f in _features(s) & WANTED:
            seen[f] += 1

    draw()
    missing = sorted(f for f in WANTED if not seen[f])
    assert not missing, missing
    # a reasonable share of finite roots (the narrow strategy's was 23%)
    assert seen["finite root"] >= 0.35 * seen["n"], seen


@pytest.mark.parametrize("name", sorted(targeted_schedules()))
def test_every_targeted_strategy_builds(name):
    """Each sub-strategy draws valid schedules (a refused combination would raise here)."""

    @settings(max_examples=5, derandomize=True, database=None)
    @given(targeted_schedules()[name])
    def draw(s):
        assert isinstance(s, sa.Schedule)

    draw()
