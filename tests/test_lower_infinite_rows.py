"""The segment table on NumPy: which row a time falls in, and the rows at the edges.

Regression: a finite u-kind row followed by an infinite row, evaluated at float times.
Evaluating ``linear_ramp(...) >> hold(...)`` on a float array computed ``inf / inf`` for the
infinite row (masked out afterwards, but a RuntimeWarning, which the test run makes an error).

The boundary rule (docs/concepts.md): row ``[start, start + length)`` is half-open, a time
belongs to the last row started, local time is per row, a finite schedule holds its end
value. Tables longer than ``SELECT_MAX`` rows, and any table holding an opaque piece, locate
the row by index (``Locator.seg``) rather than by the chain of selects; both are checked.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import schedalg as sa
from schedalg import _lower, cosine, exp, hold, linear_ramp

TS = [0.0, 10.5, 499.5, 500.0, 700.25, 1e9]


def _ramp(t):
    return 0.1 * t / 500


def _cos(t):
    return 0.1 * (1 - math.cos(math.pi * t / 500)) / 2


CASES = {
    "ramp-hold": (
        linear_ramp(0.0, 0.1, 500) >> hold(0.1),
        lambda t: _ramp(t) if t < 500 else 0.1,
    ),
    "cosine-hold": (cosine(0.0, 0.1, 500) >> hold(0.1), lambda t: _cos(t) if t < 500 else 0.1),
    "ramp-exprate": (
        linear_ramp(0.0, 0.1, 500) >> exp(0.1, rate=0.99),
        lambda t: _ramp(t) if t < 500 else 0.1 * 0.99 ** (t - 500),
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_float_times_past_a_finite_row(case):
    s, formula = CASES[case]
    want = [formula(t) for t in TS]
    np.testing.assert_allclose(s(np.asarray(TS)), want, rtol=1e-12, atol=1e-300)


@pytest.fixture
def fresh_plans():
    """Plans are cached by row tuple; start from an empty cache so this test builds its own."""
    for f in (_lower._plan, _lower._static, _lower.interval_plan):
        f.cache_clear()


# Ten ramps (more than SELECT_MAX rows): piece k goes from k to k + 0.5 over LENGTHS[k] steps.
LENGTHS = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3]
STARTS = [sum(LENGTHS[:k]) for k in range(len(LENGTHS))]  # 0, 3, 4, 8, 9, 14, 23, 25, 31, 36
END = sum(LENGTHS)  # 39


def _ten_ramps():
    return sa.concat(*(linear_ramp(float(k), k + 0.5, n) for k, n in enumerate(LENGTHS)))


def _ten_ramps_formula(t):
    if t >= END:
        return len(LENGTHS) - 1 + 0.5  # the last ramp's end value, held
    k = max(j for j, s0 in enumerate(STARTS) if s0 <= t)
    return k + 0.5 * (t - STARTS[k]) / LENGTHS[k]


def test_long_table_rows_are_half_open(fresh_plans):
    assert len(LENGTHS) > _lower.SELECT_MAX
    s = _ten_ramps()
    ints = np.arange(0, END + 4)
    want = [_ten_ramps_formula(int(t)) for t in ints]
    np.testing.assert_allclose(s(ints), want, rtol=1e-15, atol=1e-15)
    # At each start the new row begins at its own start value k (not the previous row's end).
    np.testing.assert_array_equal(s(np.asarray(STARTS)), np.arange(len(LENGTHS), dtype=float))
    floats = np.asarray([0.5, 2.999, 3.0, 3.25, 8.5, 24.999, 25.0, 38.5, 39.0, 1e15, math.inf])
    want = [_ten_ramps_formula(float(t)) for t in floats]
    np.testing.assert_allclose(s(floats), want, rtol=1e-12, atol=1e-15)


def test_long_table_at_huge_integer_times(fresh_plans):
    s = _ten_ramps()
    t = np.asarray([2**62, 2**63 - 1, 38, 0], dtype=np.int64)
    np.testing.assert_allclose(s(t), [9.5, 9.5, 9 + 0.5 * 2 / 3, 0.0], rtol=1e-15)


def _ramp_then_repeat():
    """4-step ramp 0 -> 1, then a 3-step ramp 0 -> 2 repeated twice (opaque), then hold 0.7."""
    return sa.concat(
        linear_ramp(0.0, 1.0, 4),
        sa.repeat(linear_ramp(0.0, 2.0, 3), times=2),
        hold(0.7),
    )


def _ramp_then_repeat_formula(t):
    if t < 4:
        return t / 4
    if t < 10:
        return 2.0 * ((t - 4) % 3) / 3
    return 0.7


@pytest.mark.parametrize("dtype", [np.int64, np.float64])
def test_opaque_piece_in_a_short_table(fresh_plans, dtype):
    s = _ramp_then_repeat()
    ts = np.arange(0, 13)
    want = [_ramp_then_repeat_formula(int(t)) for t in ts]
    np.testing.assert_allclose(s(ts.astype(dtype)), want, rtol=1e-15, atol=1e-15)


def test_opaque_pieces_in_a_long_table(fresh_plans):
    """Ten ramps, then a repeated ramp (opaque), then a second one: the rows found by index."""
    s = sa.concat(
        _ten_ramps(),
        sa.repeat(linear_ramp(0.0, 2.0, 3), times=2),
        sa.repeat(linear_ramp(-1.0, -3.0, 2), times=2),
    )

    def f(t):
        if t < END:
            return _ten_ramps_formula(t)
        if t < END + 6:
            return 2.0 * ((t - END) % 3) / 3
        local = min(t - END - 6, 4)  # past the end: the last cycle's end value
        if local == 4:
            return -3.0
        return -1.0 - 2.0 * (local % 2) / 2

    ts = np.arange(0, END + 14)
    np.testing.assert_allclose(s(ts), [f(int(t)) for t in ts], rtol=1e-15, atol=1e-15)


@pytest.mark.parametrize(
    "s,end",
    [
        (linear_ramp(3.0, 4.0, 0), 4.0),
        (cosine(1.0, 0.25, 0), 0.25),
        (sa.triangle(0.5, 1.5, 0), 0.5),
    ],
)
def test_zero_length_u_row_is_its_end_value(fresh_plans, s, end):
    """A zero-length ramp has passed its end at every t >= 0 (u = 1, never 0 / 0)."""
    for t in (np.asarray([0, 1, 7]), np.asarray([0.0, 0.5, 7.0])):
        np.testing.assert_array_equal(s(t), [end] * 3)


def test_one_step_rows(fresh_plans):
    """Length-one rows are not zero-length ones: at their start u = 0."""
    s = sa.concat(linear_ramp(0.0, 1.0, 1), linear_ramp(2.0, 3.0, 1))
    np.testing.assert_array_equal(s(np.arange(4)), [0.0, 2.0, 3.0, 3.0])
    np.testing.assert_array_equal(s(np.asarray([0.0, 0.5, 1.0, 1.5, 9.0])), [0, 0.5, 2, 2.5, 3])


def test_float32_times_are_located_like_float64(fresh_plans):
    """float32 time (computed in float64, docs/concepts.md) finds the same rows as float64."""
    s = _ten_ramps()
    ts = np.asarray([0.5, 3.0, 3.25, 8.5, 25.0, 38.5, 39.0, 1e30], dtype=np.float32)
    got = s(ts)
    want = [_ten_ramps_formula(float(t)) for t in ts]
    np.testing.assert_allclose(got, want, rtol=1e-7, atol=1e-7)


@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.uint16, np.float32, np.float64])
def test_stretched_cycles_are_located_as_a_table(fresh_plans, dtype):
    """repeat(stretch=2): cycle k lasts 2 * 2**k and runs the ramp at local time / 2**k.

    Cycles start at 0, 2, 6 and end at 14; the ramp 0 -> 1 over 2 steps then reads
    local / 2**k / 2. The cycle is found among the starts as a row of a table (in the time's
    own dtype for integer time).
    """
    s = sa.repeat(linear_ramp(0.0, 1.0, 2), times=3, stretch=2.0)

    def f(t):
        if t >= 14:
            return 1.0
        k = 0 if t < 2 else 1 if t < 6 else 2
        return (t - (0, 2, 6)[k]) / 2**k / 2

    ts = np.arange(0, 17)
    np.testing.assert_allclose(s(ts.astype(dtype)), [f(int(t)) for t in ts], rtol=1e-15)
    big = np.asarray([np.iinfo(dtype).max if dtype(0).dtype.kind in "iu" else 1e30], dtype=dtype)
    np.testing.assert_array_equal(s(big), [1.0])
