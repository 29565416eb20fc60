"""Parity of schedalg.compat.fastai with fastai's published formulas.

fastai is not installed (it pulls in a large dependency tree); the formulas below are written
from ``fastai/callback/schedule.py`` (fastai/fastai on GitHub): ``sched_lin``, ``sched_cos``,
``sched_no``, ``sched_exp``, ``SchedPoly``, ``combine_scheds`` (segment ``i`` is the last one
with ``pos >= cumsum(pcts)[i]``, capped at the last; its local position is ``(pos - c_i) /
(c_{i+1} - c_i)``) and the ``scheds`` that ``fit_one_cycle``, ``fit_flat_cos`` and ``fit_sgdr``
hand to ``ParamScheduler``, which evaluates them at ``pos = iteration / total`` before each
batch. Positions and cumulative fractions are computed exactly (``fractions.Fraction``) so the
reference is the formula itself; fastai's own arithmetic (float32 tensors for the cumulative
fractions, ``pct_train`` accumulated by repeated addition) can differ from it in the last bits.

Steps ``k < total`` compare with ``f(k / total)``; steps past the end (20% more) with the value
at ``pos = 1`` (fastai's functions are not used there; schedalg holds its end value).
Error measure: ``|ours - ref| / max(|ref|, 1e-12 * scale)`` <= 1e-10.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from _parity import assert_both_paths, other_path
from hypothesis import given
from hypothesis import strategies as st

from schedalg import fit
from schedalg.compat import fastai as cf

# -- fastai's formulas ---------------------------------------------------------------------------


def sched_lin(start, end, pos):
    return start + pos * (end - start)


def sched_cos(start, end, pos):
    return start + (1 + math.cos(math.pi * (1 - pos))) * (end - start) / 2


def sched_no(start, end, pos):
    return start


def sched_exp(start, end, pos):
    return start * (end / start) ** pos


def sched_poly(start, end, power):
    return lambda pos: start + (end - start) * pos**power


def annealer(f, start, end):
    return lambda pos: f(start, end, pos)


def combine(pcts, scheds):
    """fastai's ``combine_scheds`` with exact cumulative fractions; ``pos`` a Fraction."""
    cum = [Fraction(0)]
    for p in pcts:
        # a float fraction is read as the decimal it prints as (0.4 is 2/5)
        cum.append(cum[-1] + (p if isinstance(p, Fraction) else Fraction(repr(float(p)))))
    pct_lim = len(cum) - 2

    def inner(pos):
        if pos >= 1:
            # past the end: the last segment of positive width, at its end (fastai never
            # evaluates pos >= 1; with a trailing 0 fraction its formula divides by zero there)
            idx = max(i for i in range(pct_lim + 1) if cum[i + 1] > cum[i])
            return scheds[idx](1.0)
        idx = min(max(i for i, c in enumerate(cum) if pos >= c), pct_lim)
        actual = (pos - cum[idx]) / (cum[idx + 1] - cum[idx])
        return scheds[idx](float(actual))

    return inner


def combined_cos_ref(pct, start, middle, end):
    return combine(
        [pct, 1 - Fraction(pct)],
        [annealer(sched_cos, start, middle), annealer(sched_cos, middle, end)],
    )


def reference(f, total, steps):
    """``f(k / total)`` for k < total, ``f(1)`` after."""
    return np.array(
        [f(Fraction(min(k, total), total)) for k in range(steps)],
        dtype=np.float64,
    )


assert_parity = assert_both_paths


def horizon(total):
    return math.ceil(1.2 * total) + 1


# -- single annealers ----------------------------------------------------------------------------

ANNEALERS = [
    ("lin", cf.SchedLin, lambda a, b: annealer(sched_lin, a, b), (3e-3, 7e-5)),
    ("cos", cf.SchedCos, lambda a, b: annealer(sched_cos, a, b), (2e-4, 9e-3)),
    ("no", cf.SchedNo, lambda a, b: annealer(sched_no, a, b), (0.37, 5.0)),
    ("exp", cf.SchedExp, lambda a, b: annealer(sched_exp, a, b), (1e-7, 10.0)),
]


@pytest.mark.parametrize(("name", "ours", "ref", "args"), ANNEALERS)
@pytest.mark.parametrize("total", [1, 7, 113])
def test_annealers(name, ours, ref, args, total):
    f = ref(*args)
    assert_parity(ours(*args, total=total), reference(f, total, horizon(total)), max(args))


@pytest.mark.parametrize("power", [0.5, 2.0, 3.3])
def test_sched_poly(power):
    total = 97
    f = sched_poly(4e-3, 1e-5, power)
    assert_parity(
        cf.SchedPoly(4e-3, 1e-5, power, total=total), reference(f, total, horizon(total)), 4e-3
    )


def test_default_total_is_a_function_of_pos():
    """With total=1 the schedule is fastai's function of pos itself, at fractional pos."""
    s = cf.combine_scheds([0.3, 0.7], [cf.SchedLin(1.0, 2.0), cf.SchedCos(2.0, 0.5)])
    f = combine([0.3, 0.7], [annealer(sched_lin, 1.0, 2.0), annealer(sched_cos, 2.0, 0.5)])
    for pos in (0.0, 0.1, 0.29, 0.3, 0.31, 0.5, 0.99):
        assert s(pos) == pytest.approx(f(Fraction(pos)), rel=1e-12)
    # rescaling to steps is `fit`, same as passing total
    np.testing.assert_allclose(
        fit(s, 50)(np.arange(60)),
        cf.combine_scheds([0.3, 0.7], [cf.SchedLin(1.0, 2.0), cf.SchedCos(2.0, 0.5)], 50)(
            np.arange(60)
        ),
        rtol=1e-12,
    )


# -- combine_scheds / combined_cos ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("pcts", "total"),
    [([0.25, 0.75], 100), ([0.3, 0.7], 37), ([0.7, 0.2, 0.1], 101), ([0.0, 0.4, 0.0, 0.6], 45)],
)
def test_combine_scheds(pcts, total):
    kinds = [
        (cf.SchedCos, sched_cos, (1e-3, 5e-2)),
        (cf.SchedLin, sched_lin, (5e-2, 2e-2)),
        (cf.SchedExp, sched_exp, (2e-2, 1e-4)),
        (cf.SchedNo, sched_no, (7e-3, 0.0)),
    ]
    ours_parts, ref_parts = [], []
    for i in range(len(pcts)):
        mk, f, args = kinds[i % len(kinds)]
        ours_parts.append(mk(*args))
        ref_parts.append(annealer(f, *args))
    ours = cf.combine_scheds(pcts, ours_parts, total)
    ref = reference(combine(pcts, ref_parts), total, horizon(total))
    assert_parity(ours, ref, 5e-2)


@given(
    # pieces shorter than 1e-9 steps vanish in schedalg (durations snap to whole steps)
    pct=st.sampled_from([0.0, 0.25, 1.0]) | st.floats(1e-6, 1 - 1e-6),
    start=st.floats(1e-5, 1.0),
    middle=st.floats(1e-5, 1.0),
    end=st.floats(1e-7, 1.0),
    total=st.integers(1, 150),
)
def test_combined_cos_hypothesis(pct, start, middle, end, total):
    ours = cf.combined_cos(pct, start, middle, end, total)
    ref = reference(combined_cos_ref(pct, start, middle, end), total, horizon(total))
    assert_parity(ours, ref, max(start, middle, end))


# -- fit_* ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n_epoch", "n_iter", "kwargs"),
    [
        (3, 17, {"lr_max": 3e-3}),
        (
            5,
            11,
            {
                "lr_max": 1e-2,
                "div": 10.0,
                "div_final": 1e4,
                "pct_start": 0.3,
                "moms": (0.9, 0.8, 0.93),
            },
        ),
        (1, 40, {}),
        (2, 9, {"lr_max": 0.1, "pct_start": 0.0}),
    ],
)
def test_fit_one_cycle(n_epoch, n_iter, kwargs):
    lr_max = kwargs.get("lr_max", 1e-3)
    div, div_final = kwargs.get("div", 25.0), kwargs.get("div_final", 1e5)
    pct = kwargs.get("pct_start", 0.25)
    moms = kwargs.get("moms", (0.95, 0.85, 0.95))
    total = n_epoch * n_iter
    ours = cf.fit_one_cycle(n_epoch, n_iter=n_iter, **kwargs)
    ref_lr = combined_cos_ref(pct, lr_max / div, lr_max, lr_max / div_final)
    ref_mom = combined_cos_ref(pct, *moms)
    assert set(ours) == {"lr", "mom"}
    assert_parity(ours["lr"], reference(ref_lr, total, horizon(total)), lr_max)
    assert_parity(ours["mom"], reference(ref_mom, total, horizon(total)), 1.0)


@pytest.mark.parametrize(
    ("n_epoch", "n_iter", "kwargs"),
    [
        (4, 13, {"lr": 2e-3}),
        (7, 5, {"lr": 0.05, "div_final": 300.0, "pct_start": 0.55}),
        (2, 30, {}),
    ],
)
def test_fit_flat_cos(n_epoch, n_iter, kwargs):
    lr = kwargs.get("lr", 1e-3)
    ref = combined_cos_ref(kwargs.get("pct_start", 0.75), lr, lr, lr / kwargs.get("div_final", 1e5))
    total = n_epoch * n_iter
    ours = cf.fit_flat_cos(n_epoch, n_iter=n_iter, **kwargs)
    assert set(ours) == {"lr"}
    assert_parity(ours["lr"], reference(ref, total, horizon(total)), lr)


@pytest.mark.parametrize(
    ("n_cycles", "cycle_len", "cycle_mult", "n_iter"),
    [(3, 1, 2, 10), (4, 2, 2, 7), (2, 3, 3, 5), (1, 5, 2, 9)],
)
def test_fit_sgdr(n_cycles, cycle_len, cycle_mult, n_iter):
    lr_max = 4e-3
    n_epoch = cycle_len * (cycle_mult**n_cycles - 1) // (cycle_mult - 1)
    pcts = [Fraction(cycle_len * cycle_mult**i, n_epoch) for i in range(n_cycles)]
    ref = combine(pcts, [annealer(sched_cos, lr_max, 0) for _ in range(n_cycles)])
    total = n_epoch * n_iter
    ours = cf.fit_sgdr(n_cycles, cycle_len, lr_max, cycle_mult, n_iter=n_iter)["lr"]
    assert ours.duration == total
    assert_parity(ours, reference(ref, total, horizon(total)), lr_max)


def test_fit_sgdr_mult_one_is_equal_cycles():
    """fastai divides by cycle_mult - 1; here cycle_mult=1 means n_cycles equal cycles."""
    ours = cf.fit_sgdr(3, 2, 0.1, cycle_mult=1, n_iter=5)["lr"]
    ref = combine([Fraction(1, 3)] * 3, [annealer(sched_cos, 0.1, 0)] * 3)
    assert_parity(ours, reference(ref, 30, 37), 0.1)


# -- argument errors -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: cf.SchedLin(0.0, 1.0, total=0), "total"),
        (lambda: cf.SchedExp(0.0, 1.0), "start"),
        (lambda: cf.SchedPoly(0.0, 1.0, 0.0), "power"),
        (lambda: cf.combine_scheds([0.5, 0.6], [cf.SchedLin(0, 1), cf.SchedLin(1, 0)]), "sum"),
        (lambda: cf.combine_scheds([0.5], [cf.SchedLin(0, 1), cf.SchedLin(1, 0)]), "length"),
        (lambda: cf.combine_scheds([1.5, -0.5], [cf.SchedLin(0, 1), cf.SchedLin(1, 0)]), ">= 0"),
        (lambda: cf.combine_scheds([1.0], [0.3]), "schedule"),
        (lambda: cf.combined_cos(1.2, 0.1, 1.0, 0.0), "pct"),
        (lambda: cf.fit_one_cycle(0, 1e-3, n_iter=5), "n_epoch"),
        (lambda: cf.fit_one_cycle(2, 1e-3, div=0, n_iter=5), "div"),
        (lambda: cf.fit_one_cycle(2, 1e-3, moms=(0.9, 0.8), n_iter=5), "moms"),
        (lambda: cf.fit_flat_cos(2, -1e-3, n_iter=5), "lr"),
        (lambda: cf.fit_sgdr(0, 1, n_iter=5), "n_cycles"),
        (lambda: cf.fit_sgdr(2, 1, cycle_mult=1.5, n_iter=5), "cycle_mult"),
    ],
)
def test_bad_arguments_raise(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()


def test_combine_scheds_tolerates_float_sums():
    """fastai asserts sum(pcts) == 1. and fails on [0.7, 0.2, 0.1]; a 1e-9 tolerance here."""
    s = cf.combine_scheds(
        [0.7, 0.2, 0.1], [cf.SchedNo(1.0, 0), cf.SchedNo(2.0, 0), cf.SchedNo(3.0, 0)], 10
    )
    assert [s(k) for k in range(11)] == [1.0] * 7 + [2.0] * 2 + [3.0] * 2


BACKEND_CASES = [
    cf.fit_one_cycle(3, 1e-2, n_iter=17)["lr"],
    cf.fit_sgdr(3, 2, 5e-3, n_iter=7)["lr"],
    cf.SchedPoly(1e-2, 1e-4, 2.5, total=80),
    cf.combine_scheds([0.3, 0.7], [cf.SchedExp(1e-4, 1e-2), cf.SchedLin(1e-2, 0.0)], 90),
]


@pytest.mark.parametrize("index", range(len(BACKEND_CASES)))
def test_backends_agree(index, ev, backend):
    """Every backend of the conftest fixture gives another path's values (JAX in float32)."""
    s = BACKEND_CASES[index]
    ts = np.arange(120)
    tol = (
        {"rtol": 1e-12} if backend in ("python", "numpy", "torch") else {"rtol": 2e-6, "atol": 2e-9}
    )
    np.testing.assert_allclose(ev(s, ts), other_path(s, ts, backend), **tol)
