"""fastai schedules (``fastai.callback.schedule``), rebuilt from the algebra.

fastai's schedules are functions of ``pos``, the fraction of training done: its
``ParamScheduler`` sets each hyper-parameter to ``f(pos)`` before every batch, with ``pos =
iteration / total`` (``total = n_epoch * n_iter``). Here each function takes ``total``: the
schedule's step ``k`` is fastai's ``f(k / total)``. With the default ``total=1`` the schedule
is fastai's function itself, called on ``pos`` in ``[0, 1)``; ``fit(s, steps)`` rescales it.

Past the end (``pos >= 1``, never reached by fastai's training loop) fastai's functions
extrapolate; these hold their end value.

Reference: https://github.com/fastai/fastai, ``fastai/callback/schedule.py``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from .. import _checks as K
from .._concat import concat
from .._cycles import repeat
from .._primitives import cosine, exp, hold, linear_ramp
from .._schedule import Schedule
from .._time_maps import fit, warp
from . import _named

__all__ = [
    "SchedCos",
    "SchedExp",
    "SchedLin",
    "SchedNo",
    "SchedPoly",
    "combine_scheds",
    "combined_cos",
    "fit_flat_cos",
    "fit_one_cycle",
    "fit_sgdr",
]

_DEFAULT_LR = 1e-3  # fastai's defaults.lr, used by Learner when no lr is given
_DEFAULT_MOMS = (0.95, 0.85, 0.95)  # Learner's default moms


def _total(fn: str, total: Any) -> int | float:
    return K.positive(fn, "total", total)


def _span(make: Callable[[int], Schedule], total: int | float) -> Schedule:
    """``make(steps)`` over ``total`` steps: directly for a whole number, else rescaled."""
    if isinstance(total, int):
        return make(total)
    return fit(make(1), total)


def SchedLin(start: Any, end: Any, total: int | float = 1) -> Schedule:
    """Linear from ``start`` to ``end`` over the run.

    Formula: ``f(pos) = start + pos * (end - start)``, ``pos = k / total``.

    Args:
        start, end: the values at ``pos = 0`` and ``pos = 1``.
        total: the run's length in steps (1: a function of ``pos``).

    Example:
        >>> from schedalg.compat.fastai import SchedLin
        >>> SchedLin(1.0, 2.0, total=4)(1)
        1.25

    Reference: fastai ``SchedLin``.
    """
    fn = "SchedLin"
    n = _total(fn, total)
    a, b = K.value(fn, "start", start), K.value(fn, "end", end)
    return _span(lambda k: linear_ramp(a, b, k), n)


def SchedCos(start: Any, end: Any, total: int | float = 1) -> Schedule:
    """Half a cosine from ``start`` to ``end`` over the run.

    Formula: ``f(pos) = start + (1 + cos(pi * (1 - pos))) * (end - start) / 2``.

    Args:
        start, end: the values at ``pos = 0`` and ``pos = 1``.
        total: the run's length in steps (1: a function of ``pos``).

    Example:
        >>> from schedalg.compat.fastai import SchedCos
        >>> round(SchedCos(1.0, 0.0, total=10)(5), 12)
        0.5

    Reference: fastai ``SchedCos``.
    """
    fn = "SchedCos"
    n = _total(fn, total)
    a, b = K.value(fn, "start", start), K.value(fn, "end", end)
    return _span(lambda k: cosine(a, b, k), n)


def SchedNo(start: Any, end: Any, total: int | float = 1) -> Schedule:
    """The constant ``start`` (``end`` is ignored, as in fastai).

    Formula: ``f(pos) = start``.

    Example:
        >>> from schedalg.compat.fastai import SchedNo
        >>> SchedNo(0.3, 9.0, total=10)(7)
        0.3

    Reference: fastai ``SchedNo``.
    """
    fn = "SchedNo"
    n = _total(fn, total)
    K.value(fn, "end", end)
    a = K.value(fn, "start", start)
    return _span(lambda k: hold(a, k), n)


def SchedExp(start: Any, end: Any, total: int | float = 1) -> Schedule:
    """Geometric from ``start`` to ``end`` over the run (both > 0).

    Formula: ``f(pos) = start * (end / start) ** pos``.

    Example:
        >>> from schedalg.compat.fastai import SchedExp
        >>> round(SchedExp(1e-7, 10.0, total=8)(4), 15)
        0.001

    Reference: fastai ``SchedExp`` (its learning-rate finder).
    """
    fn = "SchedExp"
    n = _total(fn, total)
    exp(start, end, 1)  # validates start and end
    return _span(lambda k: exp(start, end, k), n)


def SchedPoly(start: Any, end: Any, power: float, total: int | float = 1) -> Schedule:
    """Polynomial from ``start`` to ``end`` over the run.

    Formula: ``f(pos) = start + (end - start) * pos ** power``.

    Args:
        start, end: the values at ``pos = 0`` and ``pos = 1``.
        power: the exponent, > 0.
        total: the run's length in steps.

    Example:
        >>> from schedalg.compat.fastai import SchedPoly
        >>> SchedPoly(0.0, 1.0, 2.0, total=10)(5)
        0.25

    Reference: fastai ``SchedPoly``.
    """
    fn = "SchedPoly"
    n = _total(fn, total)
    p = K.positive(fn, "power", power)
    a, b = K.value(fn, "start", start), K.value(fn, "end", end)
    return _span(lambda k: warp(linear_ramp(a, b, k), p), n)


def combine_scheds(
    pcts: Sequence[float], scheds: Sequence[Schedule], total: int | float = 1
) -> Schedule:
    """Run schedules one after another, each for its fraction ``pcts[i]`` of the run.

    Formula: with ``c_i = pcts[0] + ... + pcts[i-1]``, for ``c_i <= pos < c_{i+1}``:
    ``f(pos) = scheds[i]((pos - c_i) / pcts[i])``, where ``scheds[i]`` is read as a function
    of its own progress (its whole duration maps to ``[0, 1)``). Pieces with ``pcts[i] = 0``
    are skipped, as in fastai.

    Args:
        pcts: non-negative fractions summing to 1 (to within 1e-9; fastai demands ``== 1.``,
            which ``[0.7, 0.2, 0.1]`` fails).
        scheds: finite schedules, e.g. ``SchedCos(...)``; each is stretched to its share.
        total: the run's length in steps (1: a function of ``pos``).

    Example:
        >>> from schedalg.compat.fastai import SchedCos, SchedLin, combine_scheds
        >>> s = combine_scheds([0.25, 0.75], [SchedLin(0.0, 1.0), SchedCos(1.0, 0.0)], 100)
        >>> s(10), s(25), round(s(62.5), 12)
        (0.4, 1.0, 0.5)

    Reference: fastai ``combine_scheds``.
    """
    fn = "combine_scheds"
    n = _total(fn, total)
    try:
        ps, ss = list(pcts), list(scheds)
    except TypeError:
        raise K.ArgumentTypeError(
            fn,
            "pcts" if not isinstance(pcts, Iterable) else "scheds",
            pcts if not isinstance(pcts, Iterable) else scheds,
            f"{fn}(): pcts and scheds must be sequences, got pcts={pcts!r}, scheds={scheds!r}",
        ) from None
    if len(ps) != len(ss) or not ps:
        raise K.ArgumentValueError(
            fn,
            "scheds" if ps else "pcts",
            scheds if ps else pcts,
            f"{fn}(): pcts and scheds must have the same, non-zero length, got "
            f"len(pcts)={len(ps)}, len(scheds)={len(ss)}",
        )
    fracs = [float(K.nonnegative(fn, "pcts", p, index=i)) for i, p in enumerate(ps)]
    if abs(math.fsum(fracs) - 1.0) > 1e-9:
        raise K.ArgumentValueError(
            fn, "pcts", pcts, f"{fn}(): pcts must sum to 1, got sum(pcts)={math.fsum(fracs)!r}"
        )
    pieces = []
    for i, (x, s) in enumerate(zip(fracs, ss, strict=True)):
        if not isinstance(s, Schedule):
            raise K.ArgumentTypeError(
                fn, "scheds", s, f"{fn}(): scheds[{i}] must be a schedule, got {s!r}", index=i
            )
        if not s.duration:
            raise K.ArgumentValueError(
                fn,
                "scheds",
                s,
                f"{fn}(): scheds[{i}] must be finite with a positive duration, got {s!r}",
                index=i,
            )
        if x > 0:
            pieces.append(fit(s, x * n))
    return concat(*pieces)


def combined_cos(pct: float, start: Any, middle: Any, end: Any, total: int | float = 1) -> Schedule:
    """Cosine from ``start`` to ``middle`` for a fraction ``pct`` of the run, then to ``end``.

    Formula: ``combine_scheds([pct, 1 - pct], [SchedCos(start, middle), SchedCos(middle,
    end)])``.

    Args:
        pct: the first phase's fraction, in [0, 1].
        start, middle, end: the values at ``pos = 0``, ``pct`` and 1.
        total: the run's length in steps (1: a function of ``pos``).

    Example:
        >>> from schedalg.compat.fastai import combined_cos
        >>> s = combined_cos(0.25, 0.1, 1.0, 0.0, total=100)
        >>> s(0), s(25), s(100)
        (0.1, 1.0, 0.0)

    Reference: fastai ``combined_cos``.
    """
    fn = "combined_cos"
    p = float(K.number(fn, "pct", pct))
    if not 0.0 <= p <= 1.0:
        raise K.bad_value(fn, "pct", pct, "must be in [0, 1]")
    a, b, c = (K.value(fn, k, v) for k, v in (("start", start), ("middle", middle), ("end", end)))
    n = _total(fn, total)
    first = p * n
    if isinstance(n, int) and float(first).is_integer():
        # whole-step phases: the plain primitives (same values, a simpler expression)
        return concat(cosine(a, b, int(first)), cosine(b, c, n - int(first)))
    return combine_scheds([p, 1.0 - p], [SchedCos(a, b), SchedCos(b, c)], n)


def _run(fn: str, n_epoch: Any, n_iter: Any) -> int:
    e = K.steps(fn, "n_epoch", n_epoch)
    b = K.steps(fn, "n_iter", n_iter)
    if not e or not b:
        raise K.ArgumentValueError(
            fn,
            "n_epoch" if not e else "n_iter",
            n_epoch if not e else n_iter,
            f"{fn}(): n_epoch and n_iter must be >= 1, got n_epoch={n_epoch!r}, n_iter={n_iter!r}",
        )
    return e * b


def _lr(fn: str, name: str, x: Any) -> Any:
    """``x``, or fastai's default learning rate for None."""
    return K.positive_value(fn, name, _DEFAULT_LR if x is None else x)


def fit_one_cycle(
    n_epoch: int,
    lr_max: Any = None,
    div: float = 25.0,
    div_final: float = 1e5,
    pct_start: float = 0.25,
    moms: tuple[float, float, float] = _DEFAULT_MOMS,
    *,
    n_iter: int,
) -> dict[str, Schedule]:
    """The learning-rate and momentum schedules of fastai's ``Learner.fit_one_cycle``.

    Formula: ``lr = combined_cos(pct_start, lr_max / div, lr_max, lr_max / div_final)`` and
    ``mom = combined_cos(pct_start, *moms)`` over ``n_epoch * n_iter`` steps.

    Args:
        n_epoch: epochs.
        lr_max: the peak learning rate (None: fastai's default 1e-3).
        div, div_final: start and final divisors of ``lr_max``, > 0.
        pct_start: the warm-up fraction, in [0, 1].
        moms: momentum at the start, at ``pct_start`` and at the end.
        n_iter: batches per epoch (``len(dls.train)``).

    Returns:
        ``{"lr": ..., "mom": ...}``, the ``scheds`` fastai hands to ``ParamScheduler``.

    Example:
        >>> from schedalg.compat.fastai import fit_one_cycle
        >>> s = fit_one_cycle(2, 1e-2, n_iter=50)
        >>> s["lr"](0), s["lr"](25), s["mom"](25)
        (0.0004, 0.01, 0.85)

    References: fastai ``fit_one_cycle``; Smith, Super-Convergence (2018).
    """
    fn = "fit_one_cycle"
    total = _run(fn, n_epoch, n_iter)
    lr = _lr(fn, "lr_max", lr_max)
    d, df = K.positive(fn, "div", div), K.positive(fn, "div_final", div_final)
    try:
        m0, m1, m2 = moms
    except TypeError:
        raise K.bad_type(fn, "moms", moms, "must be three numbers") from None
    except ValueError:
        raise K.bad_value(fn, "moms", moms, "must be three numbers") from None
    return {
        "lr": combined_cos(pct_start, lr / d, lr, lr / df, total),
        "mom": combined_cos(pct_start, m0, m1, m2, total),
    }


def fit_flat_cos(
    n_epoch: int,
    lr: Any = None,
    div_final: float = 1e5,
    pct_start: float = 0.75,
    *,
    n_iter: int,
) -> dict[str, Schedule]:
    """The learning-rate schedule of fastai's ``Learner.fit_flat_cos``: flat, then cosine.

    Formula: ``lr_t = combined_cos(pct_start, lr, lr, lr / div_final)`` over ``n_epoch *
    n_iter`` steps.

    Args:
        n_epoch: epochs.
        lr: the flat learning rate (None: 1e-3).
        div_final: the final divisor, > 0.
        pct_start: the flat fraction, in [0, 1].
        n_iter: batches per epoch.

    Returns:
        ``{"lr": ...}``.

    Example:
        >>> from schedalg.compat.fastai import fit_flat_cos
        >>> s = fit_flat_cos(4, 1e-2, n_iter=25)["lr"]
        >>> s(0), s(74), s(100)
        (0.01, 0.01, 1e-07)

    Reference: fastai ``fit_flat_cos``.
    """
    fn = "fit_flat_cos"
    total = _run(fn, n_epoch, n_iter)
    v = _lr(fn, "lr", lr)
    df = K.positive(fn, "div_final", div_final)
    return {"lr": combined_cos(pct_start, v, v, v / df, total)}


def fit_sgdr(
    n_cycles: int,
    cycle_len: int,
    lr_max: Any = None,
    cycle_mult: int = 2,
    *,
    n_iter: int,
) -> dict[str, Schedule]:
    """The learning-rate schedule of fastai's ``Learner.fit_sgdr``: cosine warm restarts.

    Formula: cycle ``i`` lasts ``cycle_len * cycle_mult**i`` epochs and runs
    ``SchedCos(lr_max, 0)``; ``n_epoch = cycle_len * (cycle_mult**n_cycles - 1) //
    (cycle_mult - 1)``.

    Args:
        n_cycles: number of cycles, >= 1.
        cycle_len: the first cycle's epochs, >= 1.
        lr_max: the peak learning rate (None: 1e-3).
        cycle_mult: the cycle length multiplier, an int >= 1 (fastai divides by
            ``cycle_mult - 1``; here 1 means equal cycles).
        n_iter: batches per epoch.

    Returns:
        ``{"lr": ...}``, lasting ``n_epoch * n_iter`` steps.

    Example:
        >>> from schedalg.compat.fastai import fit_sgdr
        >>> s = fit_sgdr(3, 1, 0.1, n_iter=10)["lr"]
        >>> s(0), s(10), s(30), s.duration
        (0.1, 0.1, 0.1, 70)

    References: fastai ``fit_sgdr``; Loshchilov & Hutter, SGDR (2017).
    """
    fn = "fit_sgdr"
    n = K.steps(fn, "n_cycles", n_cycles, minimum=1)
    length = K.steps(fn, "cycle_len", cycle_len, minimum=1)
    mult = K.steps(fn, "cycle_mult", cycle_mult, minimum=1)
    steps = length * _run(fn, 1, n_iter)
    lr = _lr(fn, "lr_max", lr_max)
    return {"lr": repeat(cosine(lr, 0.0, steps), times=n, stretch=mult)}


_named.keep_names(globals(), "fastai")
