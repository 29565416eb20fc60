"""timm schedulers (``timm.scheduler``), rebuilt from the algebra.

Each class of timm becomes a function of the same name and arguments, with ``base_lr`` (the
optimizer's learning rate) in place of the optimizer. timm's noise options
(``noise_range_t``, ...) are random and not taken; ``initialize`` has no meaning here.

Time: timm's schedulers are functions of ``t``, an epoch (``t_in_epochs=True``, the default,
stepped with ``scheduler.step(epoch)``) or an update count (``t_in_epochs=False``,
``scheduler.step_update(num_updates)``). The schedule's step ``k`` is the ``k``-th epoch or
update, and its value the learning rate timm's train loop uses there: the value set at
construction for ``k = 0``, ``_get_lr(k)`` after. With ``t_in_epochs=True`` and
``updates_per_epoch`` given, the result counts updates and holds each epoch's value for
``updates_per_epoch`` updates.

Reference: https://github.com/huggingface/pytorch-image-models, ``timm/scheduler/``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import _checks as K
from .._arithmetic import maximum
from .._cycles import repeat, scale_by_cycle
from .._primitives import cosine, exp, hold, inverse, linear_ramp, piecewise, poly, tanh
from .._schedule import Schedule
from .._time_maps import scale_time, shift, staircase, warp
from . import _named

__all__ = [
    "CosineLRScheduler",
    "MultiStepLRScheduler",
    "PolyLRScheduler",
    "StepLRScheduler",
    "TanhLRScheduler",
    "WSDLRScheduler",
]

_STABLE_FNS = ("constant", "rsqrt", "power")
_DECAY_FNS = ("linear", "1-sqrt", "cosine", "power", "exp")


def _timing(fn: str, s: Schedule, t_in_epochs: bool, updates_per_epoch: int | None) -> Schedule:
    if not isinstance(t_in_epochs, bool):
        raise K.ArgumentTypeError(
            fn,
            "t_in_epochs",
            t_in_epochs,
            f"{fn}(): t_in_epochs must be a bool, got t_in_epochs={t_in_epochs!r}",
        )
    if updates_per_epoch is None:
        return s
    if not t_in_epochs:
        raise K.ArgumentValueError(
            fn,
            "updates_per_epoch",
            updates_per_epoch,
            f"{fn}(): updates_per_epoch applies to t_in_epochs=True (with t_in_epochs=False, t "
            f"already counts updates), got updates_per_epoch={updates_per_epoch!r}",
        )
    n = K.steps(fn, "updates_per_epoch", updates_per_epoch, minimum=1)
    return staircase(scale_time(s, n), n)


def _first(value: Any, body: Schedule) -> Schedule:
    """``value`` at step 0 (what timm's constructor sets), ``body`` from step 1 on."""
    return hold(value, 1) >> shift(body, -1)


def _warmed(
    warmup_lr_init: Any, warmup_t: int, target: Any, body: Schedule, prefix: bool
) -> Schedule:
    """timm's warmup ``init + t * (target - init) / warmup_t`` for ``t < warmup_t``, then
    ``body``: from its own step 0 (``prefix``) or from step ``warmup_t`` on."""
    if warmup_t == 0:
        return body
    return linear_ramp(warmup_lr_init, target, warmup_t) >> (
        body if prefix else shift(body, -warmup_t)
    )


def _cycles(
    shape: Callable[[Any, Any], Schedule],
    base_lr: Any,
    lr_min: Any,
    cycle_mul: float,
    cycle_decay: Any,
    cycle_limit: int,
) -> Schedule:
    """timm's restarts: cycle ``i`` is ``lr_min + (base_lr * cycle_decay**i - lr_min) * w``,
    where ``shape(hi, lo)`` runs from ``hi`` (w = 1) to ``lo`` (w = 0); ``lr_min`` after
    ``cycle_limit`` cycles (timm's ``cycle_limit=0``: ``lr_min`` from the start)."""
    if cycle_limit == 0:
        return hold(lr_min)
    if type(cycle_decay) is float and cycle_decay == 0.0 and cycle_limit > 1:
        # 0 ** 0 == 1: the first cycle peaks at base_lr, the later ones at 0 (from lr_min)
        later = shape(0.0, lr_min)
        if cycle_mul != 1:
            later = scale_time(later, cycle_mul)
        rest = repeat(later, times=cycle_limit - 1, stretch=cycle_mul)
        return shape(base_lr, lr_min) >> rest >> hold(lr_min)
    if cycle_limit == 1 or (type(cycle_decay) is float and cycle_decay == 1.0):
        body = repeat(shape(base_lr, lr_min), times=cycle_limit, stretch=cycle_mul)
    else:
        # lr_min * (1 - w) + base_lr * cycle_decay**i * w: only the second term decays.
        top = scale_by_cycle(
            repeat(shape(base_lr, 0.0), times=cycle_limit, stretch=cycle_mul), cycle_decay
        )
        if type(lr_min) is float and lr_min == 0.0:
            body = top
        else:
            body = top + repeat(shape(0.0, lr_min), times=cycle_limit, stretch=cycle_mul)
    return body >> hold(lr_min)


def _cycle_args(
    fn: str,
    base_lr: Any,
    t_initial: Any,
    lr_min: Any,
    cycle_mul: Any,
    cycle_decay: Any,
    cycle_limit: Any,
) -> tuple[Any, int, Any, float, Any, int]:
    base = K.nonnegative_value(fn, "base_lr", base_lr)
    t0 = K.steps(fn, "t_initial", t_initial, minimum=1)
    lo = K.nonnegative_value(fn, "lr_min", lr_min)
    mul = float(K.positive(fn, "cycle_mul", cycle_mul))
    dec = K.value(fn, "cycle_decay", cycle_decay)
    if type(dec) is float and not dec >= 0:
        raise K.ArgumentValueError(
            fn,
            "cycle_decay",
            cycle_decay,
            f"{fn}(): cycle_decay must be >= 0, got cycle_decay={cycle_decay!r}",
        )
    limit = K.steps(fn, "cycle_limit", cycle_limit, minimum=0)
    return base, t0, lo, mul, dec, limit


def _warmup_args(fn: str, warmup_t: Any, warmup_lr_init: Any) -> tuple[int, Any]:
    return K.steps(fn, "warmup_t", warmup_t), K.nonnegative_value(
        fn, "warmup_lr_init", warmup_lr_init
    )


def _restarted(
    fn: str,
    body: Schedule,
    base: Any,
    limit: int,
    warmup: tuple[int, Any],
    warmup_prefix: bool,
    t_in_epochs: bool,
    updates_per_epoch: int | None,
) -> Schedule:
    """The cycles ``body`` behind timm's warmup, then timm's timing (Cosine and Poly)."""
    w, init = warmup
    if limit == 0 and w == 0:  # step 0 keeps the optimizer's lr
        body = _first(base, body)
    return _timing(fn, _warmed(init, w, base, body, warmup_prefix), t_in_epochs, updates_per_epoch)


# -- the schedulers ------------------------------------------------------------------------------


def CosineLRScheduler(  # named as timm names it
    base_lr: Any,
    t_initial: int,
    lr_min: float = 0.0,
    cycle_mul: float = 1.0,
    cycle_decay: float = 1.0,
    cycle_limit: int = 1,
    warmup_t: int = 0,
    warmup_lr_init: float = 0.0,
    warmup_prefix: bool = False,
    t_in_epochs: bool = True,
    k_decay: float = 1.0,
    updates_per_epoch: int | None = None,
) -> Schedule:
    """timm's cosine decay with warm restarts, warmup and k-decay.

    Formula: for ``t < warmup_t``: ``warmup_lr_init + t * (base_lr - warmup_lr_init) /
    warmup_t``. Else (``t -= warmup_t`` if ``warmup_prefix``) in cycle ``i`` (length
    ``t_initial * cycle_mul**i``, local time ``c``): ``lr_min + (base_lr * cycle_decay**i -
    lr_min) * (1 + cos(pi * (c / length) ** k_decay)) / 2``; ``lr_min`` after ``cycle_limit``
    cycles.

    Args:
        base_lr: the optimizer's learning rate.
        t_initial: the first cycle's length (epochs or updates), >= 1.
        lr_min: the floor, >= 0.
        cycle_mul: cycle length multiplier, > 0.
        cycle_decay: per-cycle peak multiplier, >= 0.
        cycle_limit: number of cycles, >= 0 (0: ``lr_min`` after the warmup, as in timm).
        warmup_t: warmup length; warmup_lr_init: its start value.
        warmup_prefix: the cycles start after the warmup (else the warmup covers their start).
        t_in_epochs: timm's flag; see the module docstring.
        k_decay: the k-decay exponent, > 0.
        updates_per_epoch: with ``t_in_epochs``, count updates instead of epochs.

    Example:
        >>> from schedalg.compat.timm import CosineLRScheduler
        >>> s = CosineLRScheduler(1.0, t_initial=10, lr_min=0.0)
        >>> s(0), round(s(5), 12), s(10)
        (1.0, 0.5, 0.0)

    References: timm ``CosineLRScheduler``; Loshchilov & Hutter, SGDR (2017); Zhang & Li,
    k-decay (2020).
    """
    fn = "CosineLRScheduler"
    base, t0, lo, mul, dec, limit = _cycle_args(
        fn, base_lr, t_initial, lr_min, cycle_mul, cycle_decay, cycle_limit
    )
    w, init = _warmup_args(fn, warmup_t, warmup_lr_init)
    k = K.positive(fn, "k_decay", k_decay)

    def shape(hi: Any, end: Any) -> Schedule:
        return warp(cosine(hi, end, t0), k)

    body = _cycles(shape, base, lo, mul, dec, limit)
    return _restarted(
        fn, body, base, limit, (w, init), warmup_prefix, t_in_epochs, updates_per_epoch
    )


def TanhLRScheduler(
    base_lr: Any,
    t_initial: int,
    lb: float = -7.0,
    ub: float = 3.0,
    lr_min: float = 0.0,
    cycle_mul: float = 1.0,
    cycle_decay: float = 1.0,
    cycle_limit: int = 1,
    warmup_t: int = 0,
    warmup_lr_init: float = 0.0,
    warmup_prefix: bool = False,
    t_in_epochs: bool = True,
    updates_per_epoch: int | None = None,
) -> Schedule:
    """timm's hyperbolic-tangent decay with restarts and warmup.

    Formula: in cycle ``i`` (as ``CosineLRScheduler``) with progress ``r``:
    ``lr_min + (base_lr * cycle_decay**i - lr_min) * (1 - tanh(lb * (1 - r) + ub * r)) / 2``.
    The warmup ends at ``base_lr`` with ``warmup_prefix``, else at the tanh value at
    ``warmup_t``. Without warmup, step 0 is ``base_lr`` (timm's constructor value), not the
    formula's ``(1 - tanh(lb)) / 2`` fraction of it.

    Args:
        base_lr, t_initial, lr_min, cycle_mul, cycle_decay, cycle_limit, warmup_t,
        warmup_lr_init, warmup_prefix, t_in_epochs, updates_per_epoch: as in
            ``CosineLRScheduler``.
        lb, ub: the tanh argument at the start and end of a cycle, ``lb < ub``.

    Example:
        >>> from schedalg.compat.timm import TanhLRScheduler
        >>> s = TanhLRScheduler(1.0, t_initial=10, lb=-3.0, ub=3.0)
        >>> s(0), round(s(5), 12)
        (1.0, 0.5)

    References: timm ``TanhLRScheduler``; Hsueh et al. (2019).
    """
    fn = "TanhLRScheduler"
    base, t0, lo, mul, dec, limit = _cycle_args(
        fn, base_lr, t_initial, lr_min, cycle_mul, cycle_decay, cycle_limit
    )
    w, init = _warmup_args(fn, warmup_t, warmup_lr_init)
    lower, upper = K.number(fn, "lb", lb), K.number(fn, "ub", ub)
    if not lower < upper:
        raise K.ArgumentValueError(
            fn, "lb", lb, f"{fn}(): lb must be < ub, got lb={lb!r}, ub={ub!r}"
        )

    def shape(hi: Any, end: Any) -> Schedule:
        return tanh(hi, end, t0, lower=lower, upper=upper)

    body = _cycles(shape, base, lo, mul, dec, limit)
    if w == 0:
        s = _first(base, body)
    else:
        target = base if warmup_prefix else body(w)
        s = _warmed(init, w, target, body, warmup_prefix)
    return _timing(fn, s, t_in_epochs, updates_per_epoch)


def PolyLRScheduler(
    base_lr: Any,
    t_initial: int,
    power: float = 0.5,
    lr_min: float = 0.0,
    cycle_mul: float = 1.0,
    cycle_decay: float = 1.0,
    cycle_limit: int = 1,
    warmup_t: int = 0,
    warmup_lr_init: float = 0.0,
    warmup_prefix: bool = False,
    t_in_epochs: bool = True,
    k_decay: float = 1.0,
    updates_per_epoch: int | None = None,
) -> Schedule:
    """timm's polynomial decay with restarts, warmup and k-decay.

    Formula: in cycle ``i`` (as ``CosineLRScheduler``): ``lr_min + (base_lr * cycle_decay**i -
    lr_min) * (1 - (c / length) ** k_decay) ** power``.

    Args:
        power: the polynomial exponent, >= 0 (0: ``lr`` over each cycle); the rest as in
            ``CosineLRScheduler``.

    Example:
        >>> from schedalg.compat.timm import PolyLRScheduler
        >>> PolyLRScheduler(1.0, t_initial=10, power=2.0)(5)
        0.25

    Reference: timm ``PolyLRScheduler``.
    """
    fn = "PolyLRScheduler"
    base, t0, lo, mul, dec, limit = _cycle_args(
        fn, base_lr, t_initial, lr_min, cycle_mul, cycle_decay, cycle_limit
    )
    w, init = _warmup_args(fn, warmup_t, warmup_lr_init)
    p = K.number(fn, "power", power)
    if p < 0:
        raise K.ArgumentValueError(
            fn, "power", power, f"{fn}(): power must be >= 0, got power={power!r}"
        )
    k = K.positive(fn, "k_decay", k_decay)

    def shape(hi: Any, end: Any) -> Schedule:
        if p == 0:  # timm: (1 - f) ** 0 == 1 over each cycle
            return hold(hi, t0)
        return warp(poly(hi, end, t0, power=p), k)

    body = _cycles(shape, base, lo, mul, dec, limit)
    return _restarted(
        fn, body, base, limit, (w, init), warmup_prefix, t_in_epochs, updates_per_epoch
    )


def StepLRScheduler(
    base_lr: Any,
    decay_t: float,
    decay_rate: float = 1.0,
    warmup_t: int = 0,
    warmup_lr_init: float = 0.0,
    warmup_prefix: bool = True,
    t_in_epochs: bool = True,
    updates_per_epoch: int | None = None,
) -> Schedule:
    """timm's step decay: multiply by ``decay_rate`` every ``decay_t``.

    Formula: after the warmup (``t -= warmup_t`` if ``warmup_prefix``):
    ``base_lr * decay_rate ** floor(t / decay_t)``.

    Args:
        base_lr: the optimizer's learning rate.
        decay_t: the interval, > 0 (a float is allowed, as in timm).
        decay_rate: the factor, in [0, 1].
        warmup_t, warmup_lr_init, warmup_prefix, t_in_epochs, updates_per_epoch: as in
            ``CosineLRScheduler`` (``warmup_prefix`` defaults to True here, as in timm).

    Example:
        >>> from schedalg.compat.timm import StepLRScheduler
        >>> s = StepLRScheduler(1.0, decay_t=3, decay_rate=0.5)
        >>> [s(t) for t in range(7)]
        [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.25]

    Reference: timm ``StepLRScheduler``.
    """
    fn = "StepLRScheduler"
    base = K.nonnegative_value(fn, "base_lr", base_lr)
    every = K.positive(fn, "decay_t", decay_t)
    rate = K.number(fn, "decay_rate", decay_rate)
    if not 0 <= rate <= 1:
        raise K.ArgumentValueError(
            fn,
            "decay_rate",
            decay_rate,
            f"{fn}(): decay_rate must be in [0, 1], got decay_rate={decay_rate!r}",
        )
    w, init = _warmup_args(fn, warmup_t, warmup_lr_init)
    body: Schedule
    if base == 0:
        body = hold(0.0)
    elif rate == 0:  # 0 ** 0 == 1: base_lr for the first interval, then 0
        body = staircase(scale_time(hold(base, 1) >> hold(0.0), every), every)
    else:
        body = staircase(scale_time(exp(base, rate=rate), every), every)
    return _timing(fn, _warmed(init, w, base, body, warmup_prefix), t_in_epochs, updates_per_epoch)


def MultiStepLRScheduler(
    base_lr: Any,
    decay_t: list[int],
    decay_rate: float = 1.0,
    warmup_t: int = 0,
    warmup_lr_init: float = 0.0,
    warmup_prefix: bool = True,
    t_in_epochs: bool = True,
    updates_per_epoch: int | None = None,
) -> Schedule:
    """timm's multi-step decay: multiply by ``decay_rate`` at each milestone.

    Formula: after the warmup (``t -= warmup_t`` if ``warmup_prefix``):
    ``base_lr * decay_rate ** (number of milestones m with m <= t + 1)``. timm applies
    milestone ``m`` at ``t = m - 1``, one step before torch's ``MultiStepLR`` does.

    Args:
        base_lr: the optimizer's learning rate.
        decay_t: sorted milestones (non-negative ints).
        decay_rate: the factor, >= 0 (0: 0 from the first milestone, as timm).
        warmup_t, warmup_lr_init, warmup_prefix, t_in_epochs, updates_per_epoch: as in
            ``StepLRScheduler``.

    Example:
        >>> from schedalg.compat.timm import MultiStepLRScheduler
        >>> s = MultiStepLRScheduler(1.0, decay_t=[3, 5], decay_rate=0.1)
        >>> [round(s(t), 12) for t in range(6)]
        [1.0, 1.0, 0.1, 0.1, 0.01, 0.01]

    Reference: timm ``MultiStepLRScheduler``.
    """
    fn = "MultiStepLRScheduler"
    base = K.nonnegative_value(fn, "base_lr", base_lr)
    try:
        items = list(decay_t)
    except TypeError:
        raise K.bad_type(fn, "decay_t", decay_t, "must be a list of ints") from None
    milestones = [K.steps(fn, "decay_t", m, index=i) for i, m in enumerate(items)]
    for i in range(1, len(milestones)):
        if milestones[i] < milestones[i - 1]:
            raise K.ArgumentValueError(
                fn, "decay_t", decay_t, f"{fn}(): decay_t must be sorted, got decay_t={decay_t!r}"
            )
    rate = K.value(fn, "decay_rate", decay_rate)
    if type(rate) is float and not rate >= 0:
        raise K.ArgumentValueError(
            fn,
            "decay_rate",
            decay_rate,
            f"{fn}(): decay_rate must be >= 0, got decay_rate={decay_rate!r}",
        )
    w, init = _warmup_args(fn, warmup_t, warmup_lr_init)
    values = [base * rate**i for i in range(len(milestones) + 1)]
    body = piecewise([max(m - 1, 0) for m in milestones], values) >> hold(values[-1])
    if w == 0 and milestones and milestones[0] <= 1:
        s = _first(base, body)
    else:
        s = _warmed(init, w, base, body, warmup_prefix)
    return _timing(fn, s, t_in_epochs, updates_per_epoch)


def _decay_piece(kind: str, hi: Any, lo: Any, steps: int, power: Any, ratio: float) -> Schedule:
    """One of timm's WSD decays from ``hi`` to ``lo`` over ``steps``, as ``lo + (hi - lo) * f``."""
    if kind == "linear":
        return linear_ramp(hi, lo, steps)
    if kind == "cosine":
        return cosine(hi, lo, steps)
    if kind in ("1-sqrt", "power"):
        return warp(linear_ramp(hi, lo, steps), 0.5 if kind == "1-sqrt" else power)
    # exp: (ratio ** frac - ratio) / (1 - ratio)
    # lo and hi are values (Any): the sum is a Schedule (its __radd__)
    shape: Schedule = lo + (hi - lo) * ((exp(1.0, ratio, steps) - ratio) / (1.0 - ratio))
    return shape


def WSDLRScheduler(
    base_lr: Any,
    t_initial: int,
    decay_t: int,
    lr_min: float = 0.0,
    stable_fn: str = "constant",
    stable_timescale: float | None = None,
    stable_power: float = 0.5,
    decay_fn: str = "1-sqrt",
    decay_power: float = 0.5,
    decay_ratio: float = 0.1,
    warmup_t: int = 0,
    warmup_lr_init: float = 0.0,
    t_in_epochs: bool = True,
    updates_per_epoch: int | None = None,
) -> Schedule:
    """timm's warmup-stable-decay schedule.

    Formula: warmup for ``t < warmup_t`` as in ``CosineLRScheduler``; then with
    ``s = t - warmup_t``, stable value ``S = max(base_lr * g(s), lr_min)`` (``g = 1``
    constant, ``(1 + s / timescale) ** -0.5`` rsqrt, ``** -stable_power`` power) and, over the
    last ``decay_t`` steps of ``t_initial`` (progress ``f``), ``lr_min + (S - lr_min) * d(f)``
    with ``d`` = ``1 - f`` (linear), ``1 - sqrt(f)`` (1-sqrt), ``(1 + cos(pi f)) / 2``
    (cosine), ``1 - f ** decay_power`` (power), ``(decay_ratio ** f - decay_ratio) / (1 -
    decay_ratio)`` (exp); ``lr_min`` after ``warmup_t + t_initial``.

    Args:
        base_lr: the optimizer's learning rate.
        t_initial: length of the stable and decay phases, >= 1.
        decay_t: length of the decay phase, in [1, t_initial].
        lr_min: the final value, >= 0.
        stable_fn: ``"constant"``, ``"rsqrt"`` or ``"power"``.
        stable_timescale: the stable decay's time constant (default ``warmup_t``).
        stable_power: exponent of the ``"power"`` stable function, > 0.
        decay_fn: ``"linear"``, ``"1-sqrt"``, ``"cosine"``, ``"power"`` or ``"exp"`` (a
            callable, which timm also takes, is not a schedule: compose one from the algebra).
        decay_power: exponent of the ``"power"`` decay, > 0.
        decay_ratio: the ``"exp"`` decay's ratio, in (0, 1).
        warmup_t, warmup_lr_init, t_in_epochs, updates_per_epoch: as in ``CosineLRScheduler``
            (the warmup is always a prefix).

    Example:
        >>> from schedalg.compat.timm import WSDLRScheduler
        >>> s = WSDLRScheduler(1.0, t_initial=8, decay_t=4, decay_fn="linear")
        >>> [s(t) for t in range(9)]
        [1.0, 1.0, 1.0, 1.0, 1.0, 0.75, 0.5, 0.25, 0.0]

    References: timm ``WSDLRScheduler``; Hu et al., MiniCPM (2024); Hägele et al. (2024).
    """
    fn = "WSDLRScheduler"
    base = K.nonnegative_value(fn, "base_lr", base_lr)
    total = K.steps(fn, "t_initial", t_initial, minimum=1)
    d = K.steps(fn, "decay_t", decay_t, minimum=1)
    if d > total:
        raise K.ArgumentValueError(
            fn,
            "decay_t",
            decay_t,
            f"{fn}(): decay_t must be in [1, t_initial], got decay_t={decay_t!r}, "
            f"t_initial={t_initial!r}",
        )
    lo = K.nonnegative_value(fn, "lr_min", lr_min)
    K.choice(fn, "stable_fn", stable_fn, _STABLE_FNS)
    if callable(decay_fn):
        raise K.ArgumentTypeError(
            fn,
            "decay_fn",
            decay_fn,
            f"{fn}(): decay_fn must be one of {', '.join(map(repr, _DECAY_FNS))}; a callable "
            f"is not a schedule (compose the decay from the algebra instead), got {decay_fn!r}",
        )
    K.choice(fn, "decay_fn", decay_fn, _DECAY_FNS)
    ratio = float(K.number(fn, "decay_ratio", decay_ratio))
    if not 0.0 < ratio < 1.0:
        raise K.ArgumentValueError(
            fn,
            "decay_ratio",
            decay_ratio,
            f"{fn}(): decay_ratio must be in (0, 1), got decay_ratio={decay_ratio!r}",
        )
    dpow = K.positive(fn, "decay_power", decay_power)
    spow = K.positive(fn, "stable_power", stable_power)
    w, init = _warmup_args(fn, warmup_t, warmup_lr_init)

    head = total - d
    if stable_fn == "constant":
        top = max(base, lo) if type(base) is float and type(lo) is float else base
        body = hold(top, head) >> _decay_piece(decay_fn, top, lo, d, dpow, ratio) >> hold(lo)
    else:
        ts = w if stable_timescale is None else stable_timescale
        if isinstance(ts, (int, float)) and not isinstance(ts, bool) and ts <= 0:
            raise K.ArgumentValueError(
                fn,
                "stable_timescale",
                stable_timescale,
                f"{fn}(): stable_fn={stable_fn!r} needs stable_timescale > 0 (it defaults to "
                f"warmup_t), got stable_timescale={stable_timescale!r}, warmup_t={w}",
            )
        ts = K.positive(fn, "stable_timescale", ts)
        stable = inverse(base, scale=ts, power=0.5 if stable_fn == "rsqrt" else spow)
        if not (type(lo) is float and lo == 0.0):
            stable = maximum(stable, lo)
        factor = hold(1.0, head) >> _decay_piece(decay_fn, 1.0, 0.0, d, dpow, ratio) >> hold(0.0)
        body = stable * factor if type(lo) is float and lo == 0.0 else lo + (stable - lo) * factor
    if w == 0 and type(base) is float and type(lo) is float and base < lo:
        body = _first(base, body)  # step 0 keeps the optimizer's lr; the floor applies from 1
    return _timing(fn, _warmed(init, w, base, body, True), t_in_epochs, updates_per_epoch)


_named.keep_names(globals(), "timm")
