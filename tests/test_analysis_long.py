"""Analysis over long windows in time independent of the window (issue 9 item 14).

Budgets of smooth stretches use Gregory's form of Euler-Maclaurin: checked against
``math.fsum`` of every term on windows of 2^18 steps (the formula path is taken there: a
stretch longer than ``SMOOTH_MIN`` steps), against sums written by hand (Faulhaber, the
zeta-function expansion of sum sqrt(t)) on windows of 10^12 steps, and between two splittings
of a window of 10^12 steps. A guard counts evaluated steps: the old code evaluated every one.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

import schedalg as sa
from schedalg import _analysis
from schedalg.cli import main

N18 = 1 << 18
BIG = 10**12


@pytest.fixture
def few_evaluations(monkeypatch):
    """Fail as soon as the analysis evaluates more than 3 * 10^6 steps in all."""
    count = [0]
    for name in ("_values", "_fvalues"):
        original = getattr(_analysis, name, None)
        if original is None:
            continue

        def counting(s, ts, original=original):
            count[0] += np.size(ts)
            if count[0] > 3_000_000:
                raise AssertionError("the analysis evaluates every step of the window")
            return original(s, ts)

        monkeypatch.setattr(_analysis, name, counting)
    return count


def _smooth_cases(n):
    return {
        "poly": sa.poly(1.0, 0.1, n, power=2.5),
        "tanh": sa.tanh(1.0, 0.0, n),
        "inverse": sa.inverse(1.0, scale=7.0, power=0.5),
        "warp": sa.warp(sa.linear_ramp(1.0, 0.0, n), 0.5),
        "product": sa.cosine(1.0, 0.1, n) * sa.linear_ramp(0.5, 2.0, n),
        "sum": sa.cosine(1.0, 0.0, n) + sa.poly(1.0, 0.0, n, power=0.5),
        "quotient": sa.cosine(1.0, 0.0, n) / sa.linear_ramp(1.0, 2.0, n),
        "cosine power 2": sa.cosine(1.0, 0.0, n, power=2.0),
        "stretched repeat": sa.repeat(sa.cosine(1.0, 0.0, n // 40), stretch=1.7),
        "scaled stretched cycles": sa.scale_by_cycle(
            sa.repeat(sa.poly(1.0, 0.0, n // 20, power=1.5), times=6, stretch=1.5), 0.8
        ),
        "staircase": sa.staircase(sa.cosine(1.0, 0.0, n), 2),
        "scale_time": sa.scale_time(sa.poly(1.0, 0.0, 1000, power=3.0), n / 997),
        "shifted warp in a concat": sa.linear_ramp(0.0, 1.0, 1000)
        >> sa.shift(sa.warp(sa.cosine(1.0, 0.0, n), 1.7), 3),
    }


@pytest.mark.parametrize("name", sorted(_smooth_cases(N18)))
def test_budget_formula_against_every_term(name, monkeypatch):
    s = _smooth_cases(N18)[name]
    used = []
    original = _analysis._gregory
    monkeypatch.setattr(
        _analysis, "_gregory", lambda *args: used.append(args[2] - args[1]) or original(*args)
    )
    for a, b in ((0, N18 + 1000), (12_345, N18 - 777)):
        got = s.integral(a, b)
        values = np.asarray(s(np.arange(a, b)), dtype=np.float64)
        want = math.fsum(values.tolist())
        scale = math.fsum(np.abs(values).tolist())
        assert abs(got - want) <= 1e-12 * scale, (got, want)
    assert used, "the formula was not used"


def test_budget_on_huge_windows_against_sums_by_hand(few_evaluations):
    # poly(1, 0, N, power=2) at t is ((N - t) / N)^2: sum = sum_{j=1}^{N} j^2 / N^2 (Faulhaber).
    n = BIG
    want = Fraction(n * (n + 1) * (2 * n + 1), 6 * n * n)
    assert sa.poly(1.0, 0.0, n, power=2.0).integral() == pytest.approx(float(want), rel=1e-12)
    # warp(linear_ramp(1, 0, N), 0.5) at t is 1 - sqrt(t / N); sum_{t<N} sqrt(t) =
    # (2/3) N^1.5 - N^0.5 / 2 + zeta(-1/2) + N^-0.5 / 24 + O(N^-2.5).
    zeta_half = -0.2078862250773080
    want = n / 3 + 0.5 - zeta_half / math.sqrt(n) - 1 / (24 * n)
    got = sa.warp(sa.linear_ramp(1.0, 0.0, n), 0.5).integral()
    assert got == pytest.approx(want, rel=1e-12)


@pytest.mark.parametrize("name", sorted(_smooth_cases(BIG)))
def test_budget_on_huge_windows_is_additive(name, few_evaluations):
    s = _smooth_cases(BIG)[name]
    whole = s.integral(0, BIG)
    for cut in (1, 777_777, 3 * BIG // 7):
        parts = s.integral(0, cut) + s.integral(cut, BIG)
        assert parts == pytest.approx(whole, rel=1e-12)
    assert few_evaluations[0] > 0


@pytest.mark.parametrize("name", sorted(_smooth_cases(BIG)))
def test_summary_bounds_argmax_on_huge_windows(name, few_evaluations):
    s = _smooth_cases(BIG)[name]
    sm = s.summary(BIG)
    low, peak = sm.low, sm.peak
    t = sm.peak_step
    assert s(t) == peak
    rng = np.random.default_rng(0)
    probe = np.unique(np.concatenate([rng.integers(0, BIG, 2000), [0, 1, BIG - 1]]))
    values = np.asarray(s(probe))
    assert values.max() <= peak and values.min() >= low
    assert t == 0 or s(t - 1) < peak
    assert t + 1 >= BIG or s(t + 1) <= peak


def test_product_peak_is_the_turn_found_by_hand(few_evaluations):
    # (0.1 + 0.45 (1 + cos(pi u))) (0.5 + 1.5 u), u = t / N: the peak is where the derivative
    # -0.45 pi sin(pi u) (0.5 + 1.5 u) + 1.5 (0.55 + 0.45 cos(pi u)) vanishes (bisection here).
    def deriv(u):
        return -0.45 * math.pi * math.sin(math.pi * u) * (0.5 + 1.5 * u) + 1.5 * (
            0.55 + 0.45 * math.cos(math.pi * u)
        )

    lo, hi = 0.0, 0.9
    for _ in range(200):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if deriv(mid) > 0 else (lo, mid)
    s = _smooth_cases(BIG)["product"]
    t = s.argmax(0, BIG)
    assert abs(t / BIG - lo) < 1e-6
    assert s(t) >= max(s(t - 1), s(t + 1), s(int(lo * BIG)))


def test_show_a_huge_warp_returns(capsys, few_evaluations):
    assert main(["show", "warp(linear_ramp(1.0, 0.0, 1000000000000), 0.5)"]) == 0
    out = capsys.readouterr().out
    assert "budget    3.33333e+11" in out


@pytest.mark.parametrize(
    "argv, words",
    [
        (["table", "cosine(1.0, 0.0, 1000000000000)", "--steps", "1e12", "--every", "1"], "rows"),
        (["table", "cosine(1.0, 0.0, 10)", "--steps", "2000000"], None),
        (["export", "cosine(1.0, 0.0, 10)", "--format", "csv", "--steps", "1e9"], "rows"),
    ],
)
def test_cli_refuses_huge_tables_in_one_line(argv, words, capsys):
    code = main(argv)
    err = capsys.readouterr().err
    if words is None:  # the default interval keeps a table short
        assert code == 0
        return
    assert code == 2
    assert words in err and "--every" in err
    assert len(err.strip().splitlines()) == 1
