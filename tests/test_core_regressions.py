"""Regression tests for core fixes made on the training branch."""

from __future__ import annotations

import numpy as np

import schedalg as sa


def test_shrinking_repeat_past_the_geometric_limit_on_arrays(ev):
    # stretch < 1: cycles of 4, 2 steps (total 6); the geometric limit is 4 / (1 - 0.5) = 8.
    # Times at and past 8 used to give log1p(-1) / NaN and an out-of-bounds cycle index.
    s = sa.repeat(sa.linear_ramp(1.0, 0.0, 4), times=2, stretch=0.5)
    ts = np.arange(20)
    # By hand: cycle 0 is 1 - t/4 for t = 0..3; cycle 1 runs the ramp at half speed for
    # t = 4, 5 (local 0, 2); from t = 6 on it holds the end value 0.
    want = [1.0, 0.75, 0.5, 0.25, 1.0, 0.5] + [0.0] * 14
    np.testing.assert_allclose(ev(s, ts), want, rtol=1e-6, atol=1e-12)
