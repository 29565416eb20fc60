"""Analysis: budget (integral), bounds, argmax, breakpoints and summary, checked against
direct numerical evaluation over the steps and against formulas written here."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import all_finite_schedules, all_schedules

import schedalg as sa
import schedalg._arithmetic
from schedalg import _analysis


def magnitude(s, ts):
    """|values| of s at ts, with sums and differences counted as |a| + |b| (rounding scale)."""
    if isinstance(s, (sa._arithmetic.Add, sa._arithmetic.Sub)):
        return magnitude(s.a, ts) + magnitude(s.b, ts)
    if isinstance(s, sa._arithmetic.Neg):
        return magnitude(s.a, ts)
    return np.abs(s(ts))


_VALUE_KEYS = {"value", "start", "end", "low", "high", "floor", "values"}


def leaf_scale(tree) -> float:
    """Largest |value-like number| in a schedule's dict form (the scale rounding acts on)."""
    if isinstance(tree, dict):
        out = 0.0
        for k, v in tree.items():
            if k in _VALUE_KEYS and isinstance(v, (int, float)):
                out = max(out, abs(v))
            elif k in _VALUE_KEYS and isinstance(v, list):
                out = max([out, *map(abs, v)])
            elif isinstance(v, (dict, list)):
                out = max(out, leaf_scale(v))
        return out
    if isinstance(tree, list):
        return max([0.0, *map(leaf_scale, tree)])
    return 0.0


def numeric_sum(s, a, b):
    """sum(s(t) for t in range(a, b)) by brute force, in chunks; and the scale of its error.

    The scale, compared at 1e-9 relative: the summed magnitudes (sums and differences counted
    term by term), at least 64 ulps per step of the largest value in the tree (where all of
    it cancels, as in repeat(x - c) with x == c, both sides are rounding noise).
    """
    total, mass = 0.0, 0.0
    for lo in range(a, b, 1 << 20):
        ts = np.arange(lo, min(b, lo + (1 << 20)))
        total += float(np.sum(s(ts)))
        mass += float(np.sum(magnitude(s, ts)))
    noise = 64 * 2.2e-16 * (b - a) * leaf_scale(sa.to_dict(s))
    return total, max(mass, noise / 1e-9)


def assert_budget(s, a, b):
    got = s.integral(a, b)
    want, mass = numeric_sum(s, a, b)
    # Relative to the summed magnitudes (sums of mixed signs cancel in both computations).
    assert abs(got - want) <= 1e-9 * mass + 1e-300, (s, a, b, got, want)


@given(all_schedules(), st.integers(0, 300), st.integers(0, 500))
def test_integral_matches_summation(s, a, n):
    assert_budget(s, a, a + n)


@given(all_finite_schedules())
def test_default_window_is_the_whole_schedule(s):
    d = math.ceil(s.duration)
    assert s.integral() == s.integral(0, d)
    want, mass = numeric_sum(s, 0, d)
    assert abs(s.integral() - want) <= 1e-9 * mass + 1e-300


@given(all_schedules(), st.integers(0, 100), st.integers(1, 300))
def test_integral_is_additive(s, a, n):
    m = a + n // 2
    whole = s.integral(a, a + n)
    _, mass = numeric_sum(s, a, a + n)
    assert abs(whole - (s.integral(a, m) + s.integral(m, a + n))) <= 1e-9 * mass + 1e-300


# Long segments exercise the closed forms (short windows of a cosine are summed directly).
long_primitives = st.one_of(
    st.builds(sa.cosine, st.floats(-2, 2), st.floats(-2, 2), st.integers(5_000, 400_000)),
    st.builds(sa.linear_ramp, st.floats(-2, 2), st.floats(-2, 2), st.integers(1, 400_000)),
    st.builds(sa.triangle, st.floats(-2, 2), st.floats(-2, 2), st.integers(1, 400_000)),
    st.builds(sa.exp, st.floats(1e-3, 2), st.floats(1e-3, 2), st.integers(1, 400_000)),
    st.builds(lambda a, r: sa.exp(a, rate=r), st.floats(1e-3, 2), st.floats(0.99, 1.0)),
    st.builds(
        lambda bs, v: sa.piecewise(sorted(bs), v[: len(bs) + 1]),
        st.lists(st.integers(0, 400_000), min_size=3, max_size=3),
        st.lists(st.floats(-2, 2), min_size=4, max_size=4),
    ),
)
long_schedules = st.one_of(
    long_primitives,
    st.builds(lambda x, y: x.__rshift__(y) if x.duration else y, long_primitives, long_primitives),
    st.builds(lambda x: sa.repeat(x) if x.duration else x, long_primitives),
    st.builds(
        lambda x, f: sa.scale_by_cycle(sa.repeat(x), f) if x.duration else x,
        long_primitives,
        st.floats(0.2, 1.0),
    ),
    st.builds(lambda x, c: sa.shift(x, c), long_primitives, st.integers(-5_000, 5_000)),
    st.builds(lambda x, y: 0.5 * x - y / 2.0, long_primitives, long_primitives),
)


@given(long_schedules, st.integers(0, 600_000), st.integers(0, 600_000))
def test_closed_forms_match_summation_on_long_windows(s, a, n):
    assert_budget(s, a, a + n)


@pytest.mark.parametrize("n", [1, 2, 3, 7, 4096, 4097, 10**5 + 1, 10**6])
def test_cosine_closed_form_near_both_ends(n):
    s = sa.cosine(1.0, 0.0, n)
    for a, b in [(0, n), (0, n // 2), (n // 2, n), (max(0, n - 5000), n), (n // 3, n - n // 5)]:
        assert_budget(s, a, b)


def test_known_sums_over_a_billion_steps():
    n = 10**9
    # sum_{t<n} (1 + cos(pi t / n)) / 2 = (n + 1) / 2, since sum_{t<n} cos(pi t / n) = 1.
    cos_sum = sa.cosine(3e-4, 3e-5, n).integral()
    assert cos_sum == pytest.approx(3e-5 * n + (3e-4 - 3e-5) * (n + 1) / 2, rel=1e-12)
    # sum_{t<n} (start + (end - start) t / n) = start n + (end - start) (n - 1) / 2.
    lin = sa.linear_ramp(0.0, 1e-3, n).integral()
    assert lin == pytest.approx(1e-3 * (n - 1) / 2, rel=1e-12)
    # Geometric: start (1 - r^n) / (1 - r), r = (end / start)^(1 / n), so r^n = end / start
    # and 1 - r = -expm1(log(end / start) / n) (written so, 1 - r keeps its digits).
    geo = sa.exp(1e-3, 1e-5, n).integral()
    assert geo == pytest.approx((1e-3 - 1e-5) / -math.expm1(math.log(1e-2) / n), rel=1e-12)
    # WSD vs cosine of equal budget: warmup, stable, 1-sqrt decay... and a step decay.
    wsd = sa.linear_ramp(0.0, 1.0, 10**6) >> sa.hold(1.0, 8 * 10**8) >> sa.linear_ramp(1.0, 0.0, n)
    assert wsd.integral() == pytest.approx((10**6 - 1) / 2 + 8 * 10**8 + (n + 1) / 2, rel=1e-12)
    clr = sa.scale_by_cycle(sa.repeat(sa.triangle(0.0, 1.0, 2000)), 0.5)
    # Each triangle of 2000 steps sums to 1000 (2 * (0 + 1 + ... + 999) / 1000 + 1); cycle k
    # is scaled by 2^-k: sum_k 1000 / 2^k over 5 * 10^5 cycles = 2000 (to rounding).
    assert clr.integral(0, n) == pytest.approx(2000.0, rel=1e-12)
    steps = sa.piecewise([3 * 10**8, 6 * 10**8], [1.0, 0.1, 0.01])
    assert steps.integral(0, n) == pytest.approx(3e8 + 3e7 + 4e6, rel=1e-15)


def test_integral_of_an_infinite_schedule_needs_b():
    with pytest.raises(TypeError, match="give the end step b"):
        sa.exp(1.0, rate=0.9).integral()
    with pytest.raises(ValueError, match="a <= b"):
        sa.hold(1.0).integral(5, 3)
    with pytest.raises(TypeError, match="non-negative int"):
        sa.hold(1.0).integral(0.5, 3)
    with pytest.raises(ValueError, match="non-negative int"):
        sa.hold(1.0).integral(-1, 3)
    assert sa.exp(1.0, rate=0.5).integral(0, 60) == pytest.approx(2 * (1 - 0.5**60), rel=1e-15)


@given(all_schedules(), st.integers(0, 300), st.integers(1, 500))
def test_bounds_and_argmax_match_evaluation(s, a, n):
    v = s(np.arange(a, a + n))
    assert s.bounds(a, a + n) == (float(np.min(v)), float(np.max(v)))
    k = s.argmax(a, a + n)
    assert s(np.array([k]))[0] == np.max(v)
    assert k == a + int(np.argmax(v))


@given(st.one_of(long_schedules, all_schedules()), st.integers(0, 500_000), st.integers(2, 300_000))
def test_bounds_and_argmax_from_structure(s, a, n):
    # Windows longer than SCAN_MAX use segment structure instead of a scan; force that path.
    # Equal up to rounding, where a (nearly) flat segment's values wobble by an ulp.
    saved = _analysis.SCAN_MAX
    _analysis.SCAN_MAX = 1
    try:
        lo, hi = s.bounds(a, a + n)
        k = s.argmax(a, a + n)
    finally:
        _analysis.SCAN_MAX = saved
    v = s(np.arange(a, a + n))
    vmin, vmax = float(np.min(v)), float(np.max(v))
    tol = 1e-14 * max(abs(vmin), abs(vmax), 1e-300)
    assert abs(lo - vmin) <= tol and abs(hi - vmax) <= tol
    assert a <= k < a + n and abs(v[k - a] - vmax) <= tol
    near = np.flatnonzero(v >= vmax - tol)
    if len(near) == 1:
        assert k == a + near[0]


def test_argmax_of_a_warmup_and_a_plateau():
    s = sa.linear_ramp(0.0, 1.0, 100) >> sa.cosine(1.0, 0.0, 900)
    assert s.argmax() == 100
    clipped = sa.clip(sa.linear_ramp(0.0, 2.0, 10**6), high=1.0)
    assert clipped.argmax() == 500_000
    assert (
        sa.cosine(0.0, 1.0, 10**9).argmax(0, 10**9)
        == int(np.argmax(sa.cosine(0.0, 1.0, 10**9)(np.arange(10**9 - 10**5, 10**9))))
        + 10**9
        - 10**5
    )


@pytest.mark.parametrize(
    "s, want",
    [
        (sa.linear_ramp(0.0, 1.0, 10) >> sa.cosine(1.0, 0.0, 90), (0, 10, 100)),
        (sa.piecewise([10, 20.5], [1.0, 2.0, 3.0]), (0, 10, 20.5)),
        (sa.repeat(sa.triangle(0.0, 1.0, 4), times=3), (0, 4, 8, 12)),
        (sa.repeat(sa.cosine(1.0, 0.0, 10), times=3, stretch=2.0), (0, 10, 30, 70)),
        (sa.shift(sa.cosine(1.0, 0.0, 10), 5), (0, 5, 15)),
        (sa.scale_time(sa.linear_ramp(0.0, 1.0, 2) >> sa.hold(1.0, 3), 100), (0, 200, 500)),
        (sa.hold(1.0), (0,)),
        (sa.cosine(1.0, 0.0, 10) + sa.linear_ramp(0.0, 1.0, 4) >> sa.hold(0.0, 2), (0, 4, 10, 12)),
        (sa.warp(sa.linear_ramp(0.0, 1.0, 50) >> sa.hold(1.0, 50), 2.0), (0, 50 * 2**0.5, 100)),
    ],
)
def test_breakpoints(s, want):
    got = s.breakpoints()
    assert len(got) == len(want)
    assert all(math.isclose(g, w, rel_tol=1e-12) for g, w in zip(got, want, strict=True))


def test_breakpoints_of_an_infinite_repeat_stop_at_the_limit():
    assert sa.repeat(sa.triangle(0.0, 1.0, 4)).breakpoints(limit=5) == (0, 4, 8, 12, 16)
    with pytest.raises(ValueError, match="limit"):
        sa.hold(1.0).breakpoints(limit=0)


def test_summary_of_warmup_cosine():
    s = sa.linear_ramp(0.0, 3e-4, 2000) >> sa.cosine(3e-4, 3e-5, 98_000)
    sm = s.summary()
    assert sm.duration == 100_000 and sm.steps == 100_000
    assert sm.start == 0.0 and sm.peak == 3e-4 and sm.peak_step == 2000 and sm.warmup == 2000
    assert sm.end == 3e-5 and sm.low == 0.0
    want = 3e-4 * 1999 / 2 + 3e-5 * 98_000 + (3e-4 - 3e-5) * 98_001 / 2
    assert sm.budget == pytest.approx(want, rel=1e-12)
    assert sm.breakpoints == (0, 2000, 100_000)
    text = str(sm)
    for word in ("duration", "100_000 steps", "peak", "0.0003 at step 2000", "warmup", "budget"):
        assert word in text


def test_summary_of_an_infinite_schedule_needs_steps():
    with pytest.raises(TypeError, match="infinite"):
        sa.inverse(1.0, 10.0).summary()
    sm = sa.inverse(1.0, 10.0).summary(steps=1000)
    assert sm.warmup == 0 and sm.peak == 1.0 and sm.end == pytest.approx(1.0 / 101)


def test_analysis_of_a_schedule_with_array_leaves():
    jax = pytest.importorskip("jax")
    jnp = pytest.importorskip("jax.numpy")
    s = sa.linear_ramp(0.0, 1.0, 10) >> sa.cosine(1.0, 0.0, 90)
    packed = jax.tree.map(jnp.asarray, s)
    assert packed.integral() == s.integral()
    assert packed.bounds() == s.bounds()
    batch = jax.vmap(lambda x: sa.hold(x, 3) >> sa.cosine(x, 0.0, 10))(jnp.arange(3.0))
    with pytest.raises(TypeError, match="concrete scalar"):
        batch.integral()
