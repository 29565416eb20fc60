"""Regression: a finite u-kind row followed by an infinite row, evaluated at float times.

Evaluating ``linear_ramp(...) >> hold(...)`` on a float array computed ``inf / inf`` for the
infinite row (masked out afterwards, but a RuntimeWarning, which the test run makes an error).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from schedalg import cosine, exp, hold, linear_ramp

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
