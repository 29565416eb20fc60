"""Analysis over windows far beyond the scan limit, against sums and extremes computed here.

``integral``, ``bounds`` and ``argmax`` scan windows of up to ``SCAN_MAX`` steps (the values
``s(np.arange(a, b))``, which is what a brute-force test would compute too). Past it they use
closed forms and structure. These tests take windows of 10**7 to 10**9 steps and compute the
expected budget independently of the code: exact rational sums (``fractions``) of each
primitive's formula, sums of cosines and geometric series in 50-digit arithmetic (``mpmath``)
from their own closed forms, or ``math.fsum`` over a pure-Python loop over cycles; extremes
come from where each formula turns. The tests are written from the formulas, so they hold
whichever of these nodes the analysis computes in closed form (and whichever it sums).
"""

from __future__ import annotations

import math
from fractions import Fraction as F

import pytest

import schedalg as sa
from schedalg import _analysis

mpmath = pytest.importorskip("mpmath")
mp = mpmath.mp

BIG_WINDOWS = [(0, 10**9), (12_345, 10**9 - 77), (3 * 10**8 + 1, 7 * 10**8 + 3)]


def tri_sum(lo: int, hi: int) -> int:
    """sum(range(lo, hi)), by Gauss."""
    return (lo + hi - 1) * (hi - lo) // 2 if hi > lo else 0


def clamp_window(p, q, n):
    """The part [p, min(q, n)) inside the segment and the count of steps past it."""
    return p, max(p, min(q, n)), max(0, q - max(p, n))


def linear_sum(a, b, n, p, q) -> F:
    """sum over t in [p, q) of linear_ramp(a, b, n)(t), exactly."""
    a, b = F(a), F(b)
    lo, hi, past = clamp_window(p, q, n)
    inside = a * (hi - lo) + (b - a) * F(tri_sum(lo, hi), n)
    return inside + b * past


def triangle_sum(low, high, n, p, q) -> F:
    """triangle: low + (high - low) * 2 * min(t, n - t) / n, exactly (n even here)."""
    low, high = F(low), F(high)
    lo, hi, past = clamp_window(p, q, n)
    h = n // 2
    up = tri_sum(lo, min(hi, h + 1))  # t <= n/2: min(t, n - t) = t
    a, b = max(lo, h + 1), hi  # t > n/2: n - t
    down = n * max(0, b - a) - tri_sum(a, b)
    return low * (hi - lo) + (high - low) * F(2 * (up + down), n) + low * past


def cosine_sum(a, b, n, p, q):
    """cosine(a, b, n): b + (a - b) (1 + cos(pi t / n)) / 2, summed with the Dirichlet kernel
    sum_{t=p}^{q-1} cos(x t) = sin(m x / 2) cos(x (p + q - 1) / 2) / sin(x / 2)."""
    with mp.workdps(50):
        lo, hi, past = clamp_window(p, q, n)
        m = hi - lo
        x = mp.pi / n
        cos_sum = mp.sin(m * x / 2) * mp.cos(x * (lo + hi - 1) / 2) / mp.sin(x / 2) if m else 0
        a, b = mp.mpf(a), mp.mpf(b)
        return b * m + (a - b) * (m + cos_sum) / 2 + b * past


def geometric_sum(start, rate, p, q):
    """sum_{t=p}^{q-1} start * rate**t = start rate^p (1 - rate^m) / (1 - rate), 50 digits."""
    with mp.workdps(50):
        r = mp.mpf(rate)
        return mp.mpf(start) * r**p * (1 - r ** (q - p)) / (1 - r)


def assert_close(got, want, rel=1e-12):
    want = float(want)
    assert abs(got - want) <= rel * abs(want), (got, want, abs(got - want) / abs(want))


@pytest.mark.parametrize(("p", "q"), BIG_WINDOWS)
def test_linear_ramp_and_triangle_budgets_are_exact_sums(p, q):
    n = 6 * 10**8
    assert_close(sa.linear_ramp(0.3, -1.7, n).integral(p, q), linear_sum(0.3, -1.7, n, p, q))
    assert_close(sa.poly(2.5, 0.5, n).integral(p, q), linear_sum(2.5, 0.5, n, p, q))
    assert_close(sa.triangle(0.1, 2.0, n).integral(p, q), triangle_sum(0.1, 2.0, n, p, q))


@pytest.mark.parametrize(("p", "q"), BIG_WINDOWS)
@pytest.mark.parametrize(("a", "b"), [(1.0, 0.0), (3e-4, 3e-5), (0.0, 2.0)])
def test_cosine_budget_is_the_dirichlet_sum(p, q, a, b):
    n = 7 * 10**8 + 13
    assert_close(sa.cosine(a, b, n).integral(p, q), cosine_sum(a, b, n, p, q))


def test_cosine_budget_near_the_end_keeps_its_relative_precision():
    # The last 10**6 of 10**9 steps of a decay to 0: values ~1e-6 of the peak, whose sum a
    # difference of two partial sums over the whole cosine would lose to cancellation.
    n = 10**9
    p, q = n - 10**6, n
    assert_close(sa.cosine(1.0, 0.0, n).integral(p, q), cosine_sum(1.0, 0.0, n, p, q), rel=1e-9)


@pytest.mark.parametrize(("p", "q"), BIG_WINDOWS)
def test_exponential_budgets_are_geometric_series(p, q):
    assert_close(sa.exp(2.0, rate=1 - 1e-8).integral(p, q), geometric_sum(2.0, 1 - 1e-8, p, q))
    n = 8 * 10**8
    with mp.workdps(50):
        r = (mp.mpf(1e-3) / mp.mpf(1.0)) ** (mp.mpf(1) / n)
        lo, hi, past = clamp_window(p, q, n)
        want = geometric_sum(1.0, r, lo, hi) + mp.mpf(1e-3) * past
    assert_close(sa.exp(1.0, 1e-3, n).integral(p, q), want, rel=1e-10)


@pytest.mark.parametrize(("p", "q"), BIG_WINDOWS)
def test_piecewise_and_hold_budgets_are_counts(p, q):
    bounds, values = [10**8, 5 * 10**8 + 3, 9 * 10**8], [1.0, 0.1, 0.01, 0.001]
    edges = [0, *bounds, 10**10]
    want = sum(
        F(v) * max(0, min(q, hi) - max(p, lo))
        for v, lo, hi in zip(values, edges[:-1], edges[1:], strict=True)
    )
    assert_close(sa.piecewise(bounds, values).integral(p, q), want, rel=1e-15)
    assert_close(sa.hold(0.3).integral(p, q), F(0.3) * (q - p), rel=1e-15)


@pytest.mark.parametrize(("p", "q"), BIG_WINDOWS)
def test_repeat_budget_counts_each_residue(p, q):
    """repeat(linear_ramp(1, 0, d)): the value at t depends on t % d only; count each residue."""
    d = 7
    s = sa.repeat(sa.linear_ramp(1.0, 0.0, d))

    def count(r):  # t in [p, q) with t % d == r
        return (q - 1 - r) // d - (p - 1 - r) // d

    want = sum(count(r) * (1 - F(r, d)) for r in range(d))
    assert_close(s.integral(p, q), want, rel=1e-13)


def test_scale_by_cycle_budget_is_a_sum_over_cycles():
    d, factor, floor = 2000, 0.999, 0.05
    s = sa.scale_by_cycle(sa.repeat(sa.triangle(0.0, 1.0, d)), factor, floor=floor)
    cycle = float(triangle_sum(0.0, 1.0, d, 0, d))  # one unscaled cycle: 1000
    p, q = 3 * d + 17, 10**9 + 5
    k0, k1 = p // d, (q - 1) // d

    def part(k, lo, hi):  # steps [lo, hi) of cycle k
        v = float(triangle_sum(0.0, 1.0, d, lo - k * d, hi - k * d))
        return floor * (hi - lo) + (v - floor * (hi - lo)) * factor**k

    terms = [part(k0, p, (k0 + 1) * d), part(k1, k1 * d, q)]
    terms += [floor * d + (cycle - floor * d) * factor**k for k in range(k0 + 1, k1)]
    assert_close(s.integral(p, q), math.fsum(terms), rel=1e-11)


@pytest.mark.parametrize(("p", "q"), BIG_WINDOWS)
def test_linearity_and_time_shifts(p, q):
    n = 6 * 10**8
    a = sa.linear_ramp(0.3, -1.7, n)
    c = sa.cosine(1.0, 0.0, n)
    want = 0.5 * float(linear_sum(0.3, -1.7, n, p, q)) - float(cosine_sum(1.0, 0.0, n, p, q)) / 4
    assert_close((0.5 * a - c / 4.0).integral(p, q), want, rel=1e-11)
    assert_close((-a).integral(p, q), -linear_sum(0.3, -1.7, n, p, q))
    # shift by k: the first k steps hold the value at 0, then the ramp from its step 0
    k = 12_345_678
    head = F(0.3) * max(0, min(q, k) - p)
    want_shift = head + linear_sum(0.3, -1.7, n, max(p, k) - k, q - k)
    assert_close(sa.shift(a, k).integral(p, q), want_shift)


@pytest.mark.parametrize(("p", "m", "q"), [(0, 4 * 10**8, 10**9), (17, 10**8 + 1, 9 * 10**8)])
def test_budgets_add_over_adjacent_windows(p, m, q):
    for s in (
        sa.cosine(1.0, 0.1, 7 * 10**8),
        sa.linear_ramp(0.0, 1.0, 10**6) >> sa.hold(1.0, 10**8) >> sa.cosine(1.0, 0.0, 10**9),
        sa.scale_by_cycle(sa.repeat(sa.triangle(0.0, 1.0, 2000)), 0.5),
    ):
        whole, parts = s.integral(p, q), s.integral(p, m) + s.integral(m, q)
        assert abs(whole - parts) <= 1e-12 * abs(whole), s


# -- bounds and argmax beyond the scan limit -------------------------------------------------------


def test_windows_here_are_beyond_the_scan_limit():
    assert _analysis.SCAN_MAX < 10**7


def test_extremes_of_a_rising_cosine():
    n = 10**9
    s = sa.cosine(0.0, 1.0, n)
    p, q = 10**7, 9 * 10**8

    def f(t):
        return 1.0 - (1 + math.cos(math.pi * t / n)) / 2

    lo, hi = s.bounds(p, q)
    assert lo == pytest.approx(f(p), rel=1e-12) and hi == pytest.approx(f(q - 1), rel=1e-12)
    assert s.argmax(p, q) == q - 1


def test_extremes_of_a_triangle_and_its_cycles():
    n = 2 * 10**7
    s = sa.triangle(0.2, 1.0, n)
    assert s.bounds(0, 3 * n) == (0.2, 1.0)
    assert s.argmax(0, 3 * n) == n // 2  # the peak, u = 1/2
    clr = sa.scale_by_cycle(sa.repeat(sa.triangle(0.0, 1.0, 2000)), 0.5)
    assert clr.bounds(0, 10**7) == (0.0, 1.0)
    assert clr.argmax(0, 10**7) == 1000
    # from the third cycle on, the peak is 1/4 at t = 2 * 2000 + 1000
    assert clr.bounds(2 * 2000 + 1, 10**7)[1] == 0.25
    assert clr.argmax(2 * 2000 + 1, 10**7) == 5000


def test_extremes_of_a_decay_and_of_steps():
    n = 10**8
    s = sa.linear_ramp(1.0, 0.0, n)
    assert s.bounds(n // 2, 3 * n) == (0.0, 0.5)
    assert s.argmax(n // 2, 3 * n) == n // 2
    steps = sa.piecewise([3 * 10**6, 6 * 10**6], [0.1, 1.0, 0.5])
    assert steps.bounds(0, 10**7) == (0.1, 1.0)
    assert steps.argmax(0, 10**7) == 3 * 10**6
    # a plateau's first step: the warmup ends at its peak, held for 10**8 steps
    wsd = sa.linear_ramp(0.0, 1.0, 10**6) >> sa.hold(1.0, 10**8) >> sa.linear_ramp(1.0, 0.0, n)
    assert wsd.argmax(0, 3 * 10**8) == 10**6
    assert wsd.bounds(0, 3 * 10**8) == (0.0, 1.0)
