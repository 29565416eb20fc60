"""repeat and scale_by_cycle: cycle starts, stretched and shrinking repeats, one-cycle repeats,
repeats at huge and infinite times."""

from __future__ import annotations

import math
import sys

import numpy as np
import pytest

import schedalg as sa

# -- a shrinking repeat past its geometric limit ------------------------------------------------

def test_shrinking_repeat_past_the_geometric_limit_on_arrays(ev):
    # stretch < 1: cycles of 4, 2 steps (total 6); the geometric limit is 4 / (1 - 0.5) = 8.
    # Times at and past 8 used to give log1p(-1) / NaN and an out-of-bounds cycle index.
    s = sa.repeat(sa.linear_ramp(1.0, 0.0, 4), times=2, stretch=0.5)
    ts = np.arange(20)
    # By hand: cycle 0 is 1 - t/4 for t = 0..3; cycle 1 runs the ramp at half speed for
    # t = 4, 5 (local 0, 2); from t = 6 on it holds the end value 0.
    want = [1.0, 0.75, 0.5, 0.25, 1.0, 0.5] + [0.0] * 14
    np.testing.assert_allclose(ev(s, ts), want, rtol=1e-6, atol=1e-12)


# -- repeat(s, times=1) is a repeat (issue 9, item 2) --------------------------------------------


@pytest.mark.parametrize("stretch", [1.0, 2.0])
def test_repeat_once_is_a_repeat_node(stretch):
    c = sa.cosine(1.0, 0.0, 10)
    r = sa.repeat(c, times=1, stretch=stretch)
    assert r != c and r.duration == 10
    assert repr(r) == (
        "repeat(cosine(1.0, 0.0, 10), times=1)"
        if stretch == 1
        else "repeat(cosine(1.0, 0.0, 10), times=1, stretch=2.0)"
    )
    assert sa.parse(repr(r)) == r and sa.from_json(sa.to_json(r)) == r
    assert sa.to_dict(r)["times"] == 1
    # A config saying times: 1 works with scale_by_cycle: one cycle, scaled by factor**0.
    s = sa.scale_by_cycle(r, 0.5)
    assert sa.from_dict(sa.to_dict(s)) == s
    assert s(0) == 1.0 and s(5) == pytest.approx(0.5) and s(10) == 0.0 and s(100) == 0.0


def test_scale_by_cycle_of_a_single_repeat_leaves_inner_cycles_alone(ev, backend):
    inner = sa.repeat(sa.cosine(1.0, 0.0, 10), times=3)
    s = sa.scale_by_cycle(sa.repeat(inner, times=1), 0.5)
    # One outer cycle: factor**0 = 1 throughout; the inner cycles restart at 1.0 each time.
    np.testing.assert_allclose(ev(s, np.array([0, 10, 20])), [1.0, 1.0, 1.0], rtol=1e-6)
    np.testing.assert_allclose(ev(s, np.array([5, 35])), [0.5, 0.0], rtol=1e-6, atol=1e-7)


# -- no snapping of cycle starts and scaled durations (issue 9, item 4) ---------------------------


def test_a_half_step_cycle_start_above_5e8_is_not_snapped():
    n = 10**9 + 1
    s = sa.repeat(sa.linear_ramp(1.0, 0.0, n), stretch=1.5)
    # Cycle 1 starts at n and lasts 1.5 n; cycle 2 starts at 2.5 n = 2500000002.5.
    t = 2_500_000_002
    want = [1.0 - ((t - n) / 1.5) / n, 1.0 - ((t + 1 - 2.5 * n) / 2.25) / n]
    assert [s(t), s(t + 1)] == pytest.approx(want, rel=1e-12)
    np.testing.assert_allclose(s(np.array([t, t + 1])), want, rtol=1e-9, atol=1e-15)
    assert s(t) < 1e-9 and s(t + 1) > 0.999  # the restart falls between t and t + 1


def test_breakpoints_report_the_unsnapped_cycle_starts():
    n = 10**9 + 1
    s = sa.repeat(sa.linear_ramp(1.0, 0.0, n), stretch=1.5)
    # Starts n * (1.5**k - 1) / 0.5 by hand: 0, n, 2.5 n, 4.75 n, 8.125 n.
    assert s.breakpoints(limit=5)[:5] == (0, n, 2.5 * n, 4.75 * n, 8.125 * n)
    assert sa.scale_time(sa.hold(1.0, n) >> sa.hold(2.0, 1), 0.5).breakpoints() == (
        0,
        n / 2,
        n / 2 + 0.5,
    )


def test_scaled_durations_are_exact():
    assert sa.scale_time(sa.hold(1.0, 10**9 + 1), 0.5).duration == 500000000.5
    # Whole numbers beyond 2**53 stay exact ints (a float64 product would round them).
    assert sa.scale_time(sa.hold(1.0, 2**60 + 2), 0.5).duration == 2**59 + 1
    assert sa.scale_time(sa.hold(1.0, 2**52 + 1), 3).duration == 3 * 2**52 + 3
    s = sa.scale_time(sa.hold(1.0, 10**9 + 1), 0.5) >> sa.hold(2.0)
    assert s(500_000_000) == 1.0 and s(500_000_001) == 2.0 and s(500000000.5) == 2.0


def test_stretched_cycle_starts_beyond_2_53_are_exact_ints():
    d = 2**52 + 1
    s = sa.repeat(sa.hold(1.0, d), times=3, stretch=2.0)
    # Starts 0, d, 3d and the end 7d: whole numbers that float64 cannot hold (3d is odd).
    assert s.duration == 7 * d and type(s.duration) is int
    assert s._cycle_table()[0] == [0, d, 3 * d, 7 * d]


# -- repeats at t = inf (issue 9, item 7) --------------------------------------------------------

_COS = sa.cosine(1.0, 0.0, 10)
# At t = inf every cycle is over: the repeated schedule's end value (0.0 for _COS), and
# scale_by_cycle's floor + (end - floor) * lim factor**k (the floor for factor < 1).
AT_INFINITY = [
    (lambda: sa.repeat(_COS), 0.0),
    (lambda: sa.repeat(_COS, stretch=1.5), 0.0),
    (lambda: sa.repeat(_COS, stretch=1.0001), 0.0),  # beyond its table of cycle starts
    (lambda: sa.repeat(sa.linear_ramp(1.0, 0.0, 7), stretch=1.0000001), 0.0),
    (lambda: sa.repeat(_COS, times=3, stretch=1.5), 0.0),
    (lambda: sa.repeat(sa.scale_time(_COS, 1e-3)), 0.0),  # cycles shorter than a step
    (lambda: sa.scale_by_cycle(sa.repeat(_COS), 0.5, floor=0.1), 0.1),
    (lambda: sa.scale_by_cycle(sa.repeat(_COS), 1.0, floor=0.1), 0.0),
    (lambda: sa.scale_by_cycle(sa.repeat(_COS, stretch=2.0), 0.5, floor=0.2), 0.2),
    (lambda: sa.scale_by_cycle(sa.repeat(sa.scale_time(_COS, 1e-3)), 1.0), 0.0),
    (
        lambda: sa.repeat(
            sa.scale_by_cycle(sa.repeat(sa.scale_time(sa.hold(0.1, 2), 0.25), times=2), 0.25),
            stretch=1.5,
        ),
        0.025,  # the inner repeat's last cycle: 0.1 * 0.25
    ),
]


@pytest.mark.parametrize("case", range(len(AT_INFINITY)))
def test_repeats_at_infinite_time_give_their_limit_on_every_backend(case, ev):
    make, want = AT_INFINITY[case]
    s = make()
    got = ev(s, np.array([np.inf]))
    np.testing.assert_allclose(got, [want], rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("case", range(len(AT_INFINITY)))
def test_repeats_at_huge_finite_times_are_finite(case):
    s = AT_INFINITY[case][0]()
    ts = [1e300, sys.float_info.max]
    assert all(math.isfinite(s(t)) for t in ts)
    assert np.all(np.isfinite(s(np.array(ts))))


def test_whole_float_times_beyond_2_53_read_the_right_cycle_phase():
    # 2**60 = 6 (mod 10): the cosine at local step 6, 0.5 * (1 + cos(0.6 pi)); the float path
    # used t - floor(t / 10) * 10, which rounds to 0 at this size (value 1.0).
    want = 0.5 * (1 + math.cos(0.6 * math.pi))
    s = sa.repeat(sa.cosine(1.0, 0.0, 10))
    assert s(2.0**60) == pytest.approx(want, rel=1e-15)
    assert s(np.array([2.0**60]))[0] == pytest.approx(want, rel=1e-15)
    # 2**53 + 2 = 4 (mod 10) in float64 as well
    assert s(np.array([2.0**53 + 2]))[0] == pytest.approx(0.5 * (1 + math.cos(0.4 * math.pi)))
    jnp = pytest.importorskip("jax.numpy")
    # float32 2**40 = 6 (mod 10) too
    got = float(s(jnp.array([2.0**40], dtype=jnp.float32))[0])
    assert got == pytest.approx(want, rel=1e-6)
