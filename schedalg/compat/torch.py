"""torch.optim.lr_scheduler's schedulers as schedalg schedules.

Each function takes the torch scheduler's keyword arguments minus ``optimizer``,
``last_epoch`` and ``verbose``, plus ``base_lr`` (the optimizer's ``lr``) where torch reads it.
The value at ``k`` is the lr the optimizer holds for its ``k``-th update (``param_groups``
read before ``optimizer.step()``, with ``scheduler.step()`` after it), past the nominal end
too: where torch's step-by-step (recursive) form and its closed form disagree, the schedule
follows what the real scheduler yields step by step.

Nothing here imports torch.

Reference: https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from .. import _checks as K
from .._concat import concat
from .._cycles import repeat, scale_by_cycle
from .._primitives import cosine, exp, hold, linear_ramp, piecewise, poly
from .._schedule import Schedule
from .._time_maps import scale_time, shift, staircase, take
from . import _named
from ._segments import chain, segment

__all__ = [
    "ChainedScheduler",
    "ConstantLR",
    "CosineAnnealingLR",
    "CosineAnnealingWarmRestarts",
    "CyclicLR",
    "ExponentialLR",
    "LinearLR",
    "MultiStepLR",
    "OneCycleLR",
    "PolynomialLR",
    "SequentialLR",
    "StepLR",
]


def _decay_rate(fn: str, gamma: float, low: str = "(0") -> float:
    g = K.real(fn, "gamma", gamma)
    if not (0 <= g <= 1 if low == "[0" else 0 < g <= 1):
        raise K.ArgumentValueError(
            fn,
            "gamma",
            gamma,
            f"{fn}(): gamma must be in {low}, 1] (a schedule that grows without bound has no "
            f"schedalg form; clip it with minimum(...) yourself), got gamma={gamma!r}",
        )
    return g


def _geometric(fn: str, base_lr: float, gamma: float, every: int) -> Schedule:
    """``base_lr * gamma ** floor(k / every)``, for ``base_lr >= 0`` and ``gamma`` in [0, 1]."""
    b = K.real(fn, "base_lr", base_lr)
    if b < 0:
        raise K.ArgumentValueError(
            fn,
            "base_lr",
            base_lr,
            f"{fn}(): base_lr must be >= 0 (torch's optimizers refuse a negative lr), "
            f"got base_lr={base_lr!r}",
        )
    g = _decay_rate(fn, gamma, "[0")
    if b == 0:
        return hold(0.0)
    if g == 0:  # base_lr for the first period, then 0 (0 ** 0 == 1)
        return piecewise([every], [b, 0.0])
    if every == 1:
        return exp(b, rate=g)
    return staircase(scale_time(exp(b, rate=g), every), every)


def StepLR(base_lr: float, step_size: int, gamma: float = 0.1) -> Schedule:
    """torch's ``StepLR``: decay by ``gamma`` every ``step_size`` steps.

    Formula: ``lr(k) = base_lr * gamma ** floor(k / step_size)``.

    Args:
        base_lr: the optimizer's lr.
        step_size: steps between decays, an int >= 1.
        gamma: the decay factor, in [0, 1] (0: base_lr for one period, then 0).

    Returns:
        ``staircase(scale_time(exp(base_lr, rate=gamma), step_size), step_size)``.

    Example:
        >>> from schedalg.compat.torch import StepLR
        >>> s = StepLR(base_lr=1.0, step_size=3, gamma=0.5)
        >>> [s(k) for k in (0, 2, 3, 6)]
        [1.0, 1.0, 0.5, 0.25]

    Reference: ``torch.optim.lr_scheduler.StepLR``.
    """
    fn = "StepLR"
    n = K.count(fn, "step_size", step_size, 1)
    return _geometric(fn, base_lr, gamma, n)


def MultiStepLR(base_lr: float, milestones: Sequence[int], gamma: float = 0.1) -> Schedule:
    """torch's ``MultiStepLR``: decay by ``gamma`` at each milestone.

    Formula: ``lr(k) = base_lr * gamma ** (number of milestones <= k)``; a milestone listed
    twice decays twice (torch counts them).

    Args:
        base_lr: the optimizer's lr.
        milestones: steps (ints >= 0) at which to decay, in any order.
        gamma: the decay factor.

    Returns:
        A ``piecewise`` of ``base_lr * gamma ** i``.

    Example:
        >>> from schedalg.compat.torch import MultiStepLR
        >>> s = MultiStepLR(base_lr=1.0, milestones=[2, 5], gamma=0.1)
        >>> [round(s(k), 12) for k in (0, 2, 5)]
        [1.0, 0.1, 0.01]

    Reference: ``torch.optim.lr_scheduler.MultiStepLR``.
    """
    fn = "MultiStepLR"
    b = K.real(fn, "base_lr", base_lr)
    g = K.real(fn, "gamma", gamma)
    ms = sorted(K.count(fn, "milestones", m, index=i) for i, m in enumerate(milestones))
    return piecewise(ms, [b * g**i for i in range(len(ms) + 1)])


def ConstantLR(base_lr: float, factor: float = 1.0 / 3, total_iters: int = 5) -> Schedule:
    """torch's ``ConstantLR``: ``base_lr * factor`` for ``total_iters`` steps, then ``base_lr``.

    Formula: ``lr(k) = base_lr * factor`` for ``k < total_iters``, ``base_lr`` after. With
    ``total_iters=0`` torch never restores the lr (its step-by-step form only multiplies by
    ``1 / factor`` when the step equals ``total_iters``, which the first step skips): the
    schedule is then ``base_lr * factor`` forever, as torch yields.

    Args:
        base_lr: the optimizer's lr.
        factor: the multiplier, in (0, 1].
        total_iters: the number of reduced steps, an int >= 0.

    Example:
        >>> from schedalg.compat.torch import ConstantLR
        >>> s = ConstantLR(base_lr=1.0, factor=0.5, total_iters=2)
        >>> [s(k) for k in range(4)]
        [0.5, 0.5, 1.0, 1.0]

    Reference: ``torch.optim.lr_scheduler.ConstantLR``.
    """
    fn = "ConstantLR"
    b = K.real(fn, "base_lr", base_lr)
    f = K.real(fn, "factor", factor)
    if not 0 <= f <= 1:
        raise K.ArgumentValueError(
            fn, "factor", factor, f"{fn}(): factor must be in [0, 1], got factor={factor!r}"
        )
    n = K.count(fn, "total_iters", total_iters)
    if f == 0 and n > 0:
        raise K.ArgumentValueError(
            fn,
            "factor",
            factor,
            f"{fn}(): factor=0 needs total_iters=0 (torch divides by 0 at total_iters), got "
            f"factor={factor!r}, total_iters={total_iters!r}",
        )
    if n == 0:
        return hold(b * f)
    return piecewise([n], [b * f, b])


def LinearLR(
    base_lr: float,
    start_factor: float = 1.0 / 3,
    end_factor: float = 1.0,
    total_iters: int = 5,
) -> Schedule:
    """torch's ``LinearLR``: the lr's multiplier goes linearly from start to end factor.

    Formula: ``lr(k) = base_lr * (start_factor + (end_factor - start_factor) *
    min(k, total_iters) / total_iters)``. With ``total_iters=0`` torch's step-by-step form
    keeps ``base_lr * start_factor`` forever, and so does this.

    Args:
        base_lr: the optimizer's lr.
        start_factor: the multiplier at step 0, in (0, 1].
        end_factor: the multiplier from ``total_iters`` on, in [0, 1].
        total_iters: the ramp length, an int >= 0.

    Example:
        >>> from schedalg.compat.torch import LinearLR
        >>> s = LinearLR(base_lr=1.0, start_factor=0.5, end_factor=1.0, total_iters=2)
        >>> [s(k) for k in range(4)]
        [0.5, 0.75, 1.0, 1.0]

    Reference: ``torch.optim.lr_scheduler.LinearLR``.
    """
    fn = "LinearLR"
    b = K.real(fn, "base_lr", base_lr)
    sf = K.real(fn, "start_factor", start_factor)
    ef = K.real(fn, "end_factor", end_factor)
    if not 0 < sf <= 1:
        raise K.ArgumentValueError(
            fn,
            "start_factor",
            start_factor,
            f"{fn}(): start_factor must be in (0, 1], got start_factor={start_factor!r}",
        )
    if not 0 <= ef <= 1:
        raise K.ArgumentValueError(
            fn,
            "end_factor",
            end_factor,
            f"{fn}(): end_factor must be in [0, 1], got end_factor={end_factor!r}",
        )
    n = K.count(fn, "total_iters", total_iters)
    if n == 0:
        return hold(b * sf)
    return linear_ramp(b * sf, b * ef, n)


def ExponentialLR(base_lr: float, gamma: float) -> Schedule:
    """torch's ``ExponentialLR``: multiply by ``gamma`` every step.

    Formula: ``lr(k) = base_lr * gamma ** k``.

    Args:
        base_lr: the optimizer's lr.
        gamma: the per-step factor, in [0, 1].

    Example:
        >>> from schedalg.compat.torch import ExponentialLR
        >>> ExponentialLR(base_lr=1.0, gamma=0.5)(3)
        0.125

    Reference: ``torch.optim.lr_scheduler.ExponentialLR``.
    """
    fn = "ExponentialLR"
    return _geometric(fn, base_lr, gamma, 1)


def PolynomialLR(base_lr: float, total_iters: int = 5, power: float = 1.0) -> Schedule:
    """torch's ``PolynomialLR``: polynomial decay to 0 over ``total_iters`` steps.

    Formula: ``lr(k) = base_lr * (1 - min(k, total_iters) / total_iters) ** power``. With
    ``total_iters=0`` torch's step-by-step form never changes the lr: ``base_lr`` forever.

    Args:
        base_lr: the optimizer's lr.
        total_iters: the decay length, an int >= 0.
        power: the exponent, >= 0 (0: base_lr throughout, as torch gives).

    Example:
        >>> from schedalg.compat.torch import PolynomialLR
        >>> PolynomialLR(base_lr=1.0, total_iters=4, power=2.0)(2)
        0.25

    Reference: ``torch.optim.lr_scheduler.PolynomialLR``.
    """
    fn = "PolynomialLR"
    b = K.real(fn, "base_lr", base_lr)
    n = K.count(fn, "total_iters", total_iters)
    p = K.real(fn, "power", power)
    if n == 0:  # torch never changes the lr (and never evaluates the power)
        return hold(b)
    if p < 0:
        raise K.ArgumentValueError(
            fn,
            "power",
            power,
            f"{fn}(): power must be >= 0 (torch divides by zero at total_iters), "
            f"got power={power!r}",
        )
    if p == 0:  # torch: 0 ** 0 == 1 at total_iters, so power 0 keeps base_lr
        return hold(b)
    return poly(b, 0.0, n, power=p)


def CosineAnnealingLR(base_lr: float, T_max: int, eta_min: float = 0.0) -> Schedule:
    """torch's ``CosineAnnealingLR``, including what it does after ``T_max``.

    Formula: ``lr(k) = eta_min + (base_lr - eta_min) * (1 + cos(pi * k / T_max)) / 2`` for
    every ``k``: torch's step-by-step form does not stop at ``T_max`` but follows the cosine
    back up to ``base_lr`` at ``2 * T_max``, and so on (period ``2 * T_max``). Stop it with
    ``SequentialLR`` or ``take`` if that is not what you want.

    Args:
        base_lr: the optimizer's lr.
        T_max: the half period, an int >= 1.
        eta_min: the lowest lr.

    Returns:
        ``repeat(cosine(base_lr, eta_min, T_max) >> cosine(eta_min, base_lr, T_max))``.

    Example:
        >>> from schedalg.compat.torch import CosineAnnealingLR
        >>> s = CosineAnnealingLR(base_lr=1.0, T_max=10)
        >>> [round(s(k), 12) for k in (0, 5, 10, 20)]
        [1.0, 0.5, 0.0, 1.0]

    Reference: ``torch.optim.lr_scheduler.CosineAnnealingLR``; Loshchilov & Hutter (2017).
    """
    fn = "CosineAnnealingLR"
    b = K.real(fn, "base_lr", base_lr)
    n = K.count(fn, "T_max", T_max, 1)
    lo = K.real(fn, "eta_min", eta_min)
    return repeat(cosine(b, lo, n) >> cosine(lo, b, n))


def CosineAnnealingWarmRestarts(
    base_lr: float, T_0: int, T_mult: int = 1, eta_min: float = 0.0
) -> Schedule:
    """torch's ``CosineAnnealingWarmRestarts`` (SGDR), stepped once per update.

    Formula: cycle ``i`` lasts ``T_0 * T_mult ** i`` steps; inside it, with ``T_cur`` steps
    since the restart, ``lr = eta_min + (base_lr - eta_min) * (1 + cos(pi * T_cur / T_i)) / 2``.

    Args:
        base_lr: the optimizer's lr.
        T_0: the first cycle's length, an int >= 1.
        T_mult: the cycle-length multiplier, an int >= 1.
        eta_min: the lowest lr.

    Returns:
        ``repeat(cosine(base_lr, eta_min, T_0), stretch=T_mult)``.

    Example:
        >>> from schedalg.compat.torch import CosineAnnealingWarmRestarts
        >>> s = CosineAnnealingWarmRestarts(base_lr=1.0, T_0=4, T_mult=2)
        >>> [round(s(k), 12) for k in (0, 2, 4, 8, 12)]
        [1.0, 0.5, 1.0, 0.5, 1.0]

    Reference: ``torch.optim.lr_scheduler.CosineAnnealingWarmRestarts``; Loshchilov & Hutter,
    SGDR (2017).
    """
    fn = "CosineAnnealingWarmRestarts"
    b = K.real(fn, "base_lr", base_lr)
    n = K.count(fn, "T_0", T_0, 1)
    m = K.count(fn, "T_mult", T_mult, 1)
    lo = K.real(fn, "eta_min", eta_min)
    return repeat(cosine(b, lo, n), stretch=m)


def CyclicLR(
    base_lr: float,
    max_lr: float,
    step_size_up: int | float = 2000,
    step_size_down: int | float | None = None,
    mode: str = "triangular",
    gamma: float = 1.0,
    scale_fn: None = None,
    scale_mode: str = "cycle",
    cycle_momentum: bool = True,
    base_momentum: float = 0.8,
    max_momentum: float = 0.9,
    *,
    which: str = "lr",
) -> Schedule:
    """torch's ``CyclicLR``: the lr (or, with ``which="momentum"``, the momentum) it sets.

    Formulas, with a cycle of ``step_size_up + step_size_down`` steps and ``x`` in [0, 1] the
    triangle (0 at the cycle start, 1 after ``step_size_up`` steps, 0 at the end):
    ``lr = base_lr + (max_lr - base_lr) * x * scale`` and
    ``momentum = max_momentum - (max_momentum - base_momentum) * x * scale``, where
    ``scale`` is 1 (``"triangular"``), ``1 / 2 ** cycle_index`` (``"triangular2"``) or
    ``gamma ** k`` (``"exp_range"``, k the step).

    Args:
        base_lr: the lowest lr (CyclicLR sets the optimizer's lr to it; the optimizer's own lr
            is not read).
        max_lr: the peak lr.
        step_size_up: steps from base to peak (> 0; fractional allowed, as torch's floats).
        step_size_down: steps from peak back to base (>= 0); None: ``step_size_up``.
        mode: ``"triangular"``, ``"triangular2"`` or ``"exp_range"``.
        gamma: the per-step factor of ``"exp_range"``, in (0, 1].
        scale_fn: must be None: a Python callable can't become a schedule; build a custom
            scaling with ``scale_by_cycle`` or ``*``.
        scale_mode: ignored by torch for the built-in modes; accepted for signature parity.
        cycle_momentum: whether torch cycles the momentum (needed for ``which="momentum"``).
        base_momentum, max_momentum: the momentum cycle's bounds.
        which: ``"lr"`` or ``"momentum"``: which of the two cycles to return.

    Returns:
        ``repeat(linear_ramp(base, max, up) >> linear_ramp(max, base, down))``, scaled per
        cycle (``scale_by_cycle``) or per step (``* exp(1, rate=gamma)``).

    Example:
        >>> from schedalg.compat.torch import CyclicLR
        >>> s = CyclicLR(base_lr=0.1, max_lr=1.0, step_size_up=2, mode="triangular2")
        >>> [round(s(k), 10) for k in range(7)]
        [0.1, 0.55, 1.0, 0.55, 0.1, 0.325, 0.55]
        >>> CyclicLR(base_lr=0.1, max_lr=1.0, step_size_up=2, which="momentum")(2)
        0.8

    Reference: ``torch.optim.lr_scheduler.CyclicLR``; Smith, Cyclical Learning Rates for
    Training Neural Networks (2017).
    """
    fn = "CyclicLR"
    lo = K.real(fn, "base_lr", base_lr)
    hi = K.real(fn, "max_lr", max_lr)
    up = K.length(fn, "step_size_up", K.positive(fn, "step_size_up", step_size_up))
    if step_size_down is None:
        down: int | float = up
    else:
        dv = K.real(fn, "step_size_down", step_size_down)
        if dv < 0:
            raise K.ArgumentValueError(
                fn,
                "step_size_down",
                step_size_down,
                f"{fn}(): step_size_down must be >= 0, got step_size_down={step_size_down!r}",
            )
        down = int(dv) if dv.is_integer() else dv
    K.choice(fn, "mode", mode, ("triangular", "triangular2", "exp_range"))
    K.choice(fn, "scale_mode", scale_mode, ("cycle", "iterations"))
    if scale_fn is not None:
        raise K.ArgumentTypeError(
            fn,
            "scale_fn",
            scale_fn,
            f"{fn}(): scale_fn must be None (a callable can't be rebuilt as a schedule; use "
            f"scale_by_cycle(...) or multiply by a schedule), got scale_fn={scale_fn!r}",
        )
    K.choice(fn, "which", which, ("lr", "momentum"))
    if which == "momentum":
        if not cycle_momentum:
            raise K.ArgumentValueError(
                fn,
                "cycle_momentum",
                cycle_momentum,
                f"{fn}(): which='momentum' needs cycle_momentum=True, got False",
            )
        a = K.real(fn, "max_momentum", max_momentum)
        b = K.real(fn, "base_momentum", base_momentum)
    else:
        a, b = lo, hi
    pieces = [segment("linear", a, b, up)]
    if down:
        pieces.append(segment("linear", b, a, down))
    cycle = repeat(chain(pieces))
    if mode == "triangular":
        return cycle
    if mode == "triangular2":
        return scale_by_cycle(cycle, 0.5, floor=a)
    g = _decay_rate(fn, gamma)
    return a + (cycle - a) * exp(1.0, rate=g)


def OneCycleLR(
    max_lr: float,
    total_steps: int | None = None,
    epochs: int | None = None,
    steps_per_epoch: int | None = None,
    pct_start: float = 0.3,
    anneal_strategy: str = "cos",
    cycle_momentum: bool = True,
    base_momentum: float = 0.85,
    max_momentum: float = 0.95,
    div_factor: float = 25.0,
    final_div_factor: float = 1e4,
    three_phase: bool = False,
    *,
    which: str = "lr",
) -> Schedule:
    """torch's ``OneCycleLR``: the lr (or, with ``which="momentum"``, the momentum) it sets.

    Formula: with ``T = total_steps``, ``initial = max_lr / div_factor`` and
    ``min = initial / final_div_factor``, phases end at steps ``pct_start * T - 1`` and
    ``T - 1`` (three phases: ``pct_start * T - 1``, ``2 * pct_start * T - 2``, ``T - 1``) and
    anneal ``initial -> max -> min`` (three phases: ``initial -> max -> initial -> min``) by
    ``end + (start - end) * (1 + cos(pi * p)) / 2`` (``"cos"``) or
    ``start + (end - start) * p`` (``"linear"``), ``p`` the progress in the phase. The
    momentum runs ``max -> base -> max`` (three phases: then stays at max). Phase ends may
    fall between steps, as torch's do.

    Past the end: at step ``T`` torch extrapolates the last phase (``p > 1``), and from
    ``T + 1`` on it raises. The schedule has torch's value at ``T`` and holds it after.

    Args:
        max_lr: the peak lr (the optimizer's lr is not read).
        total_steps: the number of steps; or give ``epochs`` and ``steps_per_epoch``.
        epochs, steps_per_epoch: ``total_steps = epochs * steps_per_epoch``.
        pct_start: the warm-up fraction, in [0, 1]. Odd values are followed as torch follows
            them: a phase that ends before the previous one is skipped, the next is entered
            part-way, and a last phase shorter than a step extrapolates at ``T``; a phase of
            0 steps that owns a step raises (torch divides by zero there).
        anneal_strategy: ``"cos"`` or ``"linear"``.
        cycle_momentum: whether torch cycles momentum (needed for ``which="momentum"``).
        base_momentum, max_momentum: the momentum bounds.
        div_factor: ``initial = max_lr / div_factor``.
        final_div_factor: ``min = initial / final_div_factor``.
        three_phase: the three-phase variant.
        which: ``"lr"`` or ``"momentum"``.

    Returns:
        A ``take(concat(...), total_steps)`` of linear or cosine segments.

    Example:
        >>> from schedalg.compat.torch import OneCycleLR
        >>> s = OneCycleLR(max_lr=1.0, total_steps=10, pct_start=0.3, div_factor=10.0)
        >>> [round(s(k), 12) for k in (0, 1, 2)]
        [0.1, 0.55, 1.0]

    Reference: ``torch.optim.lr_scheduler.OneCycleLR``; Smith & Topin, Super-Convergence
    (2018).
    """
    fn = "OneCycleLR"
    if total_steps is not None:
        total = K.count(fn, "total_steps", total_steps, 1)
    elif epochs is not None and steps_per_epoch is not None:
        total = K.count(fn, "epochs", epochs, 1) * K.count(
            fn, "steps_per_epoch", steps_per_epoch, 1
        )
    else:
        raise K.ArgumentTypeError(
            fn,
            None,
            None,
            f"{fn}(): give total_steps, or epochs and steps_per_epoch, got total_steps=None, "
            f"epochs={epochs!r}, steps_per_epoch={steps_per_epoch!r}",
        )
    pct = K.real(fn, "pct_start", pct_start)
    if not 0 <= pct <= 1:
        raise K.ArgumentValueError(
            fn,
            "pct_start",
            pct_start,
            f"{fn}(): pct_start must be in [0, 1], got pct_start={pct_start!r}",
        )
    kind = (
        "cos"
        if K.choice(fn, "anneal_strategy", anneal_strategy, ("cos", "linear")) == "cos"
        else "linear"
    )
    K.choice(fn, "which", which, ("lr", "momentum"))
    peak = K.real(fn, "max_lr", max_lr)
    initial = peak / K.positive(fn, "div_factor", div_factor)
    low = initial / K.positive(fn, "final_div_factor", final_div_factor)
    if which == "momentum":
        if not cycle_momentum:
            raise K.ArgumentValueError(
                fn,
                "cycle_momentum",
                cycle_momentum,
                f"{fn}(): which='momentum' needs cycle_momentum=True, got False",
            )
        mx = K.real(fn, "max_momentum", max_momentum)
        mb = K.real(fn, "base_momentum", base_momentum)
        values = [mx, mb, mx, mx] if three_phase else [mx, mb, mx]
    else:
        values = [initial, peak, initial, low] if three_phase else [initial, peak, low]
    if three_phase:
        ends = [float(pct * total) - 1, float(2 * pct * total) - 2, float(total - 1)]
    else:
        ends = [float(pct * total) - 1, float(total - 1)]
    starts = [0.0, *ends[:-1]]
    lengths = [e - s for s, e in zip(starts, ends, strict=True)]
    if not (all(n > 0 for n in lengths) and lengths[-1] >= 1):
        return _one_cycle_odd(fn, kind, values, starts, ends, total, pct_start)
    pieces = [segment(kind, values[i], values[i + 1], lengths[i]) for i in range(len(lengths) - 1)]
    # The last phase continued one phase further, so that step total_steps (p > 1) is what
    # torch extrapolates: a cosine mirrors back, a line keeps its slope.
    s, e, n = values[-2], values[-1], lengths[-1]
    pieces.append(segment(kind, s, e, n))
    pieces.append(segment(kind, e, s if kind == "cos" else 2 * e - s, n))
    return take(concat(*pieces), total)


def _one_cycle_odd(
    fn: str,
    kind: str,
    values: list[float],
    starts: list[float],
    ends: list[float],
    total: int,
    pct_start: float,
) -> Schedule:
    """OneCycleLR where a phase ends before the previous one or the last spans < 1 step.

    torch gives step ``k`` to the first phase whose end is ``>= k`` (the last phase takes the
    rest), at progress ``(k - start) / (end - start)`` with ``start`` the previous phase's end:
    phases can be skipped or entered part-way. Each phase that owns steps becomes a piece over
    exactly those steps (shifted to start part-way); step ``total_steps`` is torch's value there
    (any progress), held after.
    """

    def anneal(i: int, p: float) -> float:
        a, b = values[i], values[i + 1]
        if kind == "cos":
            return b + (a - b) / 2.0 * (math.cos(math.pi * p) + 1)
        return (b - a) * p + a

    def refuse(i: int) -> ValueError:
        return ValueError(
            f"{fn}(): phase {i + 1} of {len(ends)} spans 0 steps (ends at {ends}) and owns a "
            f"step, where torch divides by zero: change pct_start or total_steps, got "
            f"pct_start={pct_start!r}, total_steps={total}"
        )

    last = len(ends) - 1
    pieces: list[Schedule] = []
    prior = -math.inf
    for i, (start, end) in enumerate(zip(starts, ends, strict=True)):
        a = 0 if prior == -math.inf else max(0, math.floor(prior) + 1)
        b = total - 1 if i == last else min(total - 1, math.floor(end))
        prior = max(prior, end)
        if a > b:
            continue
        if not end - start > 0:
            raise refuse(i)
        seg = segment(kind, values[i], values[i + 1], end - start)
        offset = a - start
        pieces.append(take(shift(seg, -offset) if offset else seg, b - a + 1))
    i = next((j for j, e in enumerate(ends) if total <= e), last)
    if ends[i] == starts[i]:
        raise refuse(i)
    pieces.append(hold(anneal(i, (total - starts[i]) / (ends[i] - starts[i]))))
    return concat(*pieces)


def SequentialLR(schedulers: Sequence[Schedule], milestones: Sequence[int]) -> Schedule:
    """torch's ``SequentialLR``: each schedule in turn, restarted at its milestone.

    Formula: with ``m_0 = 0``, ``lr(k) = schedulers[i](k - m_i)`` for
    ``m_i <= k < m_{i+1}``. torch restarts the incoming scheduler at its own step 0 (from the
    optimizer's base lr), so pass compat schedules built with that same ``base_lr``. One torch
    quirk is not reproduced: constructing a ``OneCycleLR`` rewrites the optimizer's
    ``initial_lr`` to ``max_lr / div_factor``, and ``SequentialLR`` then starts its *first*
    scheduler from that value (build it with ``base_lr=max_lr / div_factor`` to match).
    Another: torch restarts a later scheduler with its closed form, where a ``ConstantLR``
    with ``total_iters=0`` gives ``base_lr`` forever (alone it gives ``base_lr * factor``)
    and a ``LinearLR`` with ``total_iters=0`` divides by zero: pass ``hold(base_lr)`` there.

    Args:
        schedulers: compat (or any) schedules.
        milestones: ``len(schedulers) - 1`` non-decreasing steps (ints >= 0).

    Returns:
        ``take(schedulers[0], m_1) >> take(schedulers[1], m_2 - m_1) >> ... >> schedulers[-1]``.

    Example:
        >>> from schedalg.compat.torch import ExponentialLR, LinearLR, SequentialLR
        >>> warm = LinearLR(base_lr=1.0, start_factor=0.5, total_iters=2)
        >>> s = SequentialLR([warm, ExponentialLR(base_lr=1.0, gamma=0.5)], milestones=[3])
        >>> [s(k) for k in range(5)]
        [0.5, 0.75, 1.0, 1.0, 0.5]

    Reference: ``torch.optim.lr_scheduler.SequentialLR``.
    """
    fn = "SequentialLR"
    scheds = K.schedule_list(fn, "schedulers", schedulers)
    ms = K.switch_steps(fn, "milestones", milestones, 0, "schedulers", len(scheds))
    edges = [0, *ms]
    pieces = [take(scheds[i], edges[i + 1] - edges[i]) for i in range(len(ms))]
    return concat(*pieces, scheds[-1])


def ChainedScheduler(schedulers: Sequence[Schedule], base_lr: float) -> Schedule:
    """torch's ``ChainedScheduler``: every scheduler steps, each scaling the lr in turn.

    Formula: ``lr(k) = base_lr * prod_i(schedulers[i](k) / base_lr)``. This is what torch
    yields when each chained scheduler acts by multiplying the current lr (``StepLR``,
    ``MultiStepLR``, ``ConstantLR``, ``LinearLR``, ``ExponentialLR``, ``PolynomialLR``, and
    ``CosineAnnealingLR`` with ``eta_min=0`` up to ``T_max``). Schedulers that set the lr
    outright (``CyclicLR``, ``OneCycleLR``, ``CosineAnnealingWarmRestarts``) or add to it
    (``CosineAnnealingLR`` with ``eta_min != 0``, or past ``T_max``) don't compose by
    product in torch, and the result differs from torch's.

    Args:
        schedulers: compat schedules, each built with ``base_lr``.
        base_lr: the optimizer's lr, != 0.

    Example:
        >>> from schedalg.compat.torch import ChainedScheduler, ConstantLR, ExponentialLR
        >>> s = ChainedScheduler([ConstantLR(base_lr=2.0, factor=0.5, total_iters=2),
        ...                       ExponentialLR(base_lr=2.0, gamma=0.5)], base_lr=2.0)
        >>> [s(k) for k in range(4)]
        [1.0, 0.5, 0.5, 0.25]

    Reference: ``torch.optim.lr_scheduler.ChainedScheduler``.
    """
    fn = "ChainedScheduler"
    scheds = K.schedule_list(fn, "schedulers", schedulers)
    b = K.real(fn, "base_lr", base_lr)
    if b == 0:
        raise K.ArgumentValueError(
            fn, "base_lr", base_lr, f"{fn}(): base_lr must be != 0, got base_lr={base_lr!r}"
        )
    out: Schedule = scheds[0]
    for s in scheds[1:]:
        out = out * (s / b)
    return out


_named.keep_names(globals(), "torch")
