"""Primitives under the unary combinators, on every backend, against formulas written here.

The pure-Python path of a combinator calls its child's scalar ``_py`` (not the fast closure a
bare primitive uses), and the array paths of ``clip`` and ``scale_by_cycle`` each have their
own branches: a primitive inside ``shift``/``clip``/``neg``/``staircase``, a one-sided ``clip``
and a ``scale_by_cycle`` with a floor are checked here, each against its docstring formula.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import schedalg as sa
from conftest import rtol_for


def cos_f(start, end, n, power=1.0):
    def f(t):
        u = min(max(t, 0), n) / n
        return end + (start - end) * ((1 + math.cos(math.pi * u)) / 2) ** power

    return f


def lin_f(start, end, n):
    return lambda t: start + (end - start) * min(max(t, 0), n) / n


def tri_f(low, high, n):
    def f(t):
        u = min(max(t, 0), n) / n
        return low + (high - low) * (1 - abs(2 * u - 1))

    return f


# (name, schedule, formula): a cosine is on both halves (u <= 1/2 and u > 1/2) at these steps.
PRIMS = [
    ("cosine", sa.cosine(1.0, 0.1, 20), cos_f(1.0, 0.1, 20)),
    ("cosine_up", sa.cosine(0.0, 2.0, 13), cos_f(0.0, 2.0, 13)),
    ("cosine_power", sa.cosine(1.0, 0.0, 16, power=2.0), cos_f(1.0, 0.0, 16, 2.0)),
    ("linear_ramp", sa.linear_ramp(0.5, -1.5, 10), lin_f(0.5, -1.5, 10)),
    ("triangle", sa.triangle(0.2, 1.0, 12), tri_f(0.2, 1.0, 12)),
]
TS = np.arange(0, 45)


def check(ev, backend, schedule, formula):
    got = ev(schedule, TS)
    want = np.array([formula(int(t)) for t in TS])
    # Near a zero crossing only an absolute error means anything: float64 rounding of terms of
    # magnitude <= 2 on Python/NumPy/torch, float32 rounding (2 * 2**-24, doubled) on JAX.
    atol = 1e-15 if backend in ("python", "numpy", "torch") else 2.4e-7
    np.testing.assert_allclose(got, want, rtol=rtol_for(backend), atol=atol)


@pytest.mark.parametrize("name,s,f", PRIMS, ids=[p[0] for p in PRIMS])
def test_shift(ev, backend, name, s, f):
    check(ev, backend, sa.shift(s, 7), lambda t: f(t - 7))
    check(ev, backend, sa.shift(s, -3), lambda t: f(t + 3))


@pytest.mark.parametrize("name,s,f", PRIMS, ids=[p[0] for p in PRIMS])
def test_neg(ev, backend, name, s, f):
    check(ev, backend, -s, lambda t: -f(t))


@pytest.mark.parametrize("name,s,f", PRIMS, ids=[p[0] for p in PRIMS])
def test_clip_each_side_alone_and_both(ev, backend, name, s, f):
    lo, hi = 0.3, 0.8
    check(ev, backend, sa.clip(s, low=lo), lambda t: max(f(t), lo))
    check(ev, backend, sa.clip(s, high=hi), lambda t: min(f(t), hi))
    check(ev, backend, sa.clip(s, low=lo, high=hi), lambda t: min(max(f(t), lo), hi))


@pytest.mark.parametrize("name,s,f", PRIMS, ids=[p[0] for p in PRIMS])
def test_staircase_take_and_scale_time(ev, backend, name, s, f):
    check(ev, backend, sa.staircase(s, 4), lambda t: f(4 * (t // 4)))
    check(ev, backend, sa.take(s, 5), lambda t: f(min(t, 5)))
    check(ev, backend, sa.scale_time(s, 2), lambda t: f(t / 2))


def test_one_sided_clip_changes_values_on_both_sides():
    """The checks above are not vacuous: each bound alone moves some values, not others."""
    s = sa.linear_ramp(0.0, 1.0, 10)
    ts = np.arange(12)
    raw = s(ts)
    for c in (sa.clip(s, low=0.35), sa.clip(s, high=0.35)):
        got = c(ts)
        assert np.any(got != raw) and np.any(got == raw)


@pytest.mark.parametrize("floor", [0.0, 0.25, -0.5])
@pytest.mark.parametrize("factor", [0.5, 0.9, 1.5])
def test_scale_by_cycle_with_a_floor(ev, backend, factor, floor):
    """Cycle k: floor + (v - floor) * factor**k, v the repeated schedule's value."""
    n, times = 8, 4
    base = cos_f(1.0, 0.0, n)
    s = sa.scale_by_cycle(sa.repeat(sa.cosine(1.0, 0.0, n), times=times), factor, floor=floor)

    def f(t):
        k = min(t // n, times - 1)
        local = t - k * n
        return floor + (base(local) - floor) * factor**k

    check(ev, backend, s, f)


def test_scale_by_cycle_floor_moves_the_values():
    rep = sa.repeat(sa.triangle(0.0, 1.0, 4))
    ts = np.arange(4, 12)
    assert not np.allclose(
        sa.scale_by_cycle(rep, 0.5, floor=0.3)(ts), sa.scale_by_cycle(rep, 0.5)(ts)
    )


def test_concat_nested_in_a_concat_keeps_its_opaque_pieces_apart():
    """Outer: a repeated ramp, then a concat of a ramp and two different repeated ramps.

    Each opaque piece is evaluated at its own local time, and the inner concat's two repeats
    (indices 0 and 1 of its own opaque list) are not confused with the outer one or each other.
    """
    outer_rep = sa.repeat(sa.linear_ramp(1.0, 0.0, 2), times=2)  # [0, 4)
    inner = sa.concat(
        sa.linear_ramp(5.0, 6.0, 4),  # [4, 8)
        sa.repeat(sa.linear_ramp(0.0, 3.0, 3), times=2),  # [8, 14)
        sa.repeat(sa.linear_ramp(-1.0, -2.0, 2), times=3),  # [14, 20), then holds -2
    )
    s = sa.concat(outer_rep, inner)

    def f(t):
        if t < 4:
            return 1.0 - (t % 2) / 2
        if t < 8:
            return 5.0 + (t - 4) / 4
        if t < 14:
            return 3.0 * ((t - 8) % 3) / 3
        if t < 20:
            return -1.0 - ((t - 14) % 2) / 2
        return -2.0

    ts = np.arange(0, 24)
    want = [f(int(t)) for t in ts]
    np.testing.assert_allclose(s(ts), want, rtol=1e-15, atol=1e-15)
    halves = ts.astype(float) + 0.5
    np.testing.assert_allclose(s(halves), [f(t) for t in halves], rtol=1e-15)
    assert [s(int(t)) for t in ts] == pytest.approx(want, rel=1e-15, abs=1e-15)
