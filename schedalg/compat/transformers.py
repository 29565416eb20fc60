"""Hugging Face ``transformers`` schedules (``transformers.optimization.get_*schedule*``).

Each function takes the arguments of its ``transformers`` namesake, with ``base_lr`` (the
optimizer's learning rate) in place of the optimizer and without ``last_epoch``. The value at
step ``k`` is the learning rate ``LambdaLR`` gives the optimizer for its ``k``-th update,
``base_lr * lr_lambda(k)``, at every ``k`` including past ``num_training_steps``: the cosine
schedules keep waving there, as ``transformers``' own formula does.

Not covered, because they are not functions of the step: ``get_reduce_on_plateau_schedule``
and ``get_greedy_schedule`` (driven by a metric) and ``get_adafactor_schedule`` (reads
Adafactor's internal relative step size).

Reference: https://github.com/huggingface/transformers, ``src/transformers/optimization.py``.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

from .. import _checks as K
from .._concat import concat
from .._cycles import repeat
from .._primitives import cosine, hold, inverse, linear_ramp, piecewise, poly
from .._schedule import Schedule
from .._time_maps import scale_time, shift, warp
from . import _named

__all__ = [
    "get_constant_schedule",
    "get_constant_schedule_with_warmup",
    "get_cosine_schedule_with_warmup",
    "get_cosine_with_hard_restarts_schedule_with_warmup",
    "get_cosine_with_min_lr_schedule_with_warmup",
    "get_cosine_with_min_lr_schedule_with_warmup_lr_rate",
    "get_inverse_sqrt_schedule",
    "get_linear_schedule_with_warmup",
    "get_polynomial_decay_schedule_with_warmup",
    "get_scheduler",
    "get_wsd_schedule",
]

_RAMP_TYPES = ("linear", "cosine", "1-sqrt")


# -- argument checks -----------------------------------------------------------------------------


def _training(fn: str, warmup: int, training: Any) -> int:
    n = K.steps(fn, "num_training_steps", training)
    if n < warmup:
        raise K.ArgumentValueError(
            fn,
            "num_training_steps",
            training,
            f"{fn}(): num_training_steps must be >= num_warmup_steps, got "
            f"num_training_steps={training!r}, num_warmup_steps={warmup}",
        )
    return n


def _warmup_training(
    fn: str, base_lr: Any, num_warmup_steps: Any, num_training_steps: Any
) -> tuple[Any, int, int]:
    """``base_lr``, ``num_warmup_steps`` and ``num_training_steps``, checked in that order."""
    lr = K.nonnegative_value(fn, "base_lr", base_lr)
    w = K.steps(fn, "num_warmup_steps", num_warmup_steps)
    return lr, w, _training(fn, w, num_training_steps)


# -- building blocks -----------------------------------------------------------------------------


def _warmup(base_lr: Any, steps: int) -> Schedule:
    """``base_lr * t / steps`` for ``t < steps``: the linear warmup every schedule here shares."""
    return linear_ramp(0.0, base_lr, steps)


def _timed(unit: Schedule, length: float) -> Schedule:
    """``unit`` (made of 1-step pieces) run with each piece lasting ``length`` steps."""
    return scale_time(unit, length)


def _halves(hi: Any, lo: Any, count: int, length: int | float) -> Schedule:
    """``count`` half cosine waves of ``length`` steps each, alternating hi -> lo -> hi ..."""
    n = length if isinstance(length, int) else 1
    down, up = cosine(hi, lo, n), cosine(lo, hi, n)
    parts = []
    if count >= 2:
        parts.append(repeat(down >> up, times=count // 2))
    if count % 2:
        parts.append(down)
    body = concat(*parts)
    return body if isinstance(length, int) else _timed(body, length)


def _steps_or_float(x: float) -> int | float:
    r = round(x)
    return int(r) if abs(x - r) <= 1e-9 * max(1.0, abs(x)) else x


def _wave(hi: Any, lo: Any, period_steps: int | float, num_cycles: float) -> Schedule:
    """The endless raised cosine ``lo + (hi - lo) * (1 + cos(2 pi num_cycles t / period)) / 2``."""
    half = _steps_or_float(period_steps / (2.0 * num_cycles))
    n = half if isinstance(half, int) else 1
    waves = repeat(cosine(hi, lo, n) >> cosine(lo, hi, n))
    return waves if isinstance(half, int) else _timed(waves, half)


def _until(s: Schedule, steps: int, after: Any) -> Schedule:
    """``s(t)`` for ``t < steps``, then ``after``: an indicator product (keeps ``s`` unbroken)."""
    return s * piecewise([steps], [1.0, 0.0]) + piecewise([steps], [0.0, after])


def _wave_then(hi: Any, lo: Any, steps: int, num_cycles: float, after: Any) -> Schedule:
    """``num_cycles`` cosine waves over ``steps`` steps (hi at 0, lo mid-wave), then ``after``."""
    halves = 2.0 * num_cycles
    count = round(halves)
    if abs(halves - count) <= 1e-12 * max(1.0, halves) and count >= 1:
        length = _steps_or_float(steps / count)
        return _halves(hi, lo, count, length) >> hold(after)
    return _until(_wave(hi, lo, steps, num_cycles), steps, after)


# -- the schedules -------------------------------------------------------------------------------


def get_constant_schedule(base_lr: Any) -> Schedule:
    """The optimizer's learning rate, unchanged.

    Formula: ``lr(k) = base_lr``.

    Args:
        base_lr: the optimizer's learning rate.

    Returns:
        ``hold(base_lr)``.

    Example:
        >>> from schedalg.compat.transformers import get_constant_schedule
        >>> get_constant_schedule(3e-4)(10**6)
        0.0003

    Reference: ``transformers.get_constant_schedule``.
    """
    return hold(K.nonnegative_value("get_constant_schedule", "base_lr", base_lr))


def get_constant_schedule_with_warmup(base_lr: Any, num_warmup_steps: int) -> Schedule:
    """A linear warmup from 0, then the constant ``base_lr``.

    Formula: ``lr(k) = base_lr * k / W`` for ``k < W``, ``base_lr`` after (``W`` =
    ``num_warmup_steps``).

    Args:
        base_lr: the optimizer's learning rate.
        num_warmup_steps: ``W``, a non-negative int.

    Returns:
        ``linear_ramp(0, base_lr, W) >> hold(base_lr)``.

    Example:
        >>> from schedalg.compat.transformers import get_constant_schedule_with_warmup
        >>> s = get_constant_schedule_with_warmup(1.0, 4)
        >>> [s(k) for k in range(6)]
        [0.0, 0.25, 0.5, 0.75, 1.0, 1.0]

    Reference: ``transformers.get_constant_schedule_with_warmup``.
    """
    fn = "get_constant_schedule_with_warmup"
    lr = K.nonnegative_value(fn, "base_lr", base_lr)
    w = K.steps(fn, "num_warmup_steps", num_warmup_steps)
    return _warmup(lr, w) >> hold(lr)


def get_linear_schedule_with_warmup(
    base_lr: Any, num_warmup_steps: int, num_training_steps: int
) -> Schedule:
    """A linear warmup from 0, then a linear decay to 0 at ``num_training_steps``, then 0.

    Formula: ``base_lr * k / W`` for ``k < W``; ``base_lr * (N - k) / (N - W)`` for
    ``W <= k < N``; 0 from ``N`` on (``N`` = ``num_training_steps``).

    Args:
        base_lr: the optimizer's learning rate.
        num_warmup_steps: ``W``, a non-negative int.
        num_training_steps: ``N >= W``.

    Example:
        >>> from schedalg.compat.transformers import get_linear_schedule_with_warmup
        >>> s = get_linear_schedule_with_warmup(1.0, 2, 6)
        >>> [s(k) for k in range(8)]
        [0.0, 0.5, 1.0, 0.75, 0.5, 0.25, 0.0, 0.0]

    Reference: ``transformers.get_linear_schedule_with_warmup``.
    """
    fn = "get_linear_schedule_with_warmup"
    lr, w, n = _warmup_training(fn, base_lr, num_warmup_steps, num_training_steps)
    return _warmup(lr, w) >> linear_ramp(lr, 0.0, n - w) >> hold(0.0)


def get_cosine_schedule_with_warmup(
    base_lr: Any, num_warmup_steps: int, num_training_steps: int, num_cycles: float = 0.5
) -> Schedule:
    """A linear warmup from 0, then a cosine wave between ``base_lr`` and 0.

    Formula: ``base_lr * k / W`` for ``k < W``, then with ``p = (k - W) / max(1, N - W)``:
    ``base_lr * (1 + cos(2 pi num_cycles p)) / 2``. The default ``num_cycles = 0.5`` is one
    half wave down to 0 at ``N``; the wave goes on past ``N`` (back up to ``base_lr`` at
    ``2N - W``), as in ``transformers``.

    Args:
        base_lr: the optimizer's learning rate.
        num_warmup_steps: ``W``, a non-negative int.
        num_training_steps: ``N >= W``.
        num_cycles: waves between ``W`` and ``N``, > 0.

    Example:
        >>> from schedalg.compat.transformers import get_cosine_schedule_with_warmup
        >>> s = get_cosine_schedule_with_warmup(1.0, 10, 110)
        >>> s(5), s(10), round(s(60), 12), s(110)
        (0.5, 1.0, 0.5, 0.0)

    Reference: ``transformers.get_cosine_schedule_with_warmup``.
    """
    fn = "get_cosine_schedule_with_warmup"
    lr, w, n = _warmup_training(fn, base_lr, num_warmup_steps, num_training_steps)
    c = K.positive(fn, "num_cycles", num_cycles)
    return _warmup(lr, w) >> _wave(lr, 0.0, max(1, n - w), c)


def get_cosine_with_hard_restarts_schedule_with_warmup(
    base_lr: Any, num_warmup_steps: int, num_training_steps: int, num_cycles: int = 1
) -> Schedule:
    """A linear warmup, then ``num_cycles`` cosine decays from ``base_lr`` to 0, then 0.

    Formula: ``base_lr * k / W`` for ``k < W``; with ``p = (k - W) / max(1, N - W)``:
    ``base_lr * (1 + cos(pi * ((num_cycles * p) mod 1))) / 2`` for ``p < 1``, 0 after.

    Args:
        base_lr: the optimizer's learning rate.
        num_warmup_steps: ``W``, a non-negative int.
        num_training_steps: ``N >= W``.
        num_cycles: the number of decays (a float cuts the last one short), > 0.

    Example:
        >>> from schedalg.compat.transformers import (
        ...     get_cosine_with_hard_restarts_schedule_with_warmup,
        ... )
        >>> s = get_cosine_with_hard_restarts_schedule_with_warmup(1.0, 0, 20, num_cycles=2)
        >>> s(0), round(s(5), 12), s(10), s(20)
        (1.0, 0.5, 1.0, 0.0)

    Reference: ``transformers.get_cosine_with_hard_restarts_schedule_with_warmup``.
    """
    fn = "get_cosine_with_hard_restarts_schedule_with_warmup"
    lr, w, n = _warmup_training(fn, base_lr, num_warmup_steps, num_training_steps)
    c = K.positive(fn, "num_cycles", num_cycles)
    d = max(1, n - w)
    length = _steps_or_float(d / c)
    if float(c).is_integer():
        unit = cosine(lr, 0.0, length if isinstance(length, int) else 1)
        body = repeat(unit, times=int(c))
        if not isinstance(length, int):
            body = _timed(body, length)
        decay = body >> hold(0.0)
    else:
        cycles = repeat(cosine(lr, 0.0, length) if isinstance(length, int) else cosine(lr, 0.0, 1))
        if not isinstance(length, int):
            cycles = _timed(cycles, length)
        decay = _until(cycles, d, 0.0)
    return _warmup(lr, w) >> decay


def get_polynomial_decay_schedule_with_warmup(
    base_lr: Any,
    num_warmup_steps: int,
    num_training_steps: int,
    lr_end: float = 1e-7,
    power: float = 1.0,
) -> Schedule:
    """A linear warmup, then a polynomial decay from ``base_lr`` to ``lr_end``, then ``lr_end``.

    Formula: ``base_lr * k / W`` for ``k < W``; ``lr_end + (base_lr - lr_end) *
    (1 - (k - W) / (N - W)) ** power`` for ``W <= k <= N``; ``lr_end`` after.

    Args:
        base_lr: the optimizer's learning rate, > ``lr_end``.
        num_warmup_steps: ``W``, a non-negative int.
        num_training_steps: ``N > W`` (``transformers`` divides by ``N - W``).
        lr_end: the final learning rate.
        power: the exponent, > 0.

    Example:
        >>> from schedalg.compat.transformers import get_polynomial_decay_schedule_with_warmup
        >>> s = get_polynomial_decay_schedule_with_warmup(1.0, 0, 10, lr_end=0.0, power=2.0)
        >>> s(5), s(10), s(20)
        (0.25, 0.0, 0.0)

    Reference: ``transformers.get_polynomial_decay_schedule_with_warmup`` (after BERT).
    """
    fn = "get_polynomial_decay_schedule_with_warmup"
    lr, w, n = _warmup_training(fn, base_lr, num_warmup_steps, num_training_steps)
    if n == w:
        raise K.ArgumentValueError(
            fn,
            "num_training_steps",
            num_training_steps,
            f"{fn}(): num_training_steps must be > num_warmup_steps (the decay divides by their "
            f"difference), got num_training_steps={num_training_steps!r}, num_warmup_steps={w}",
        )
    end = K.nonnegative_value(fn, "lr_end", lr_end)
    if type(lr) is float and type(end) is float and not lr > end:
        raise K.ArgumentValueError(
            fn,
            "lr_end",
            lr_end,
            f"{fn}(): lr_end must be smaller than base_lr, got lr_end={lr_end!r}, "
            f"base_lr={base_lr!r}",
        )
    p = K.positive(fn, "power", power)
    return _warmup(lr, w) >> poly(lr, end, n - w, power=p) >> hold(end)


def get_inverse_sqrt_schedule(
    base_lr: Any, num_warmup_steps: int, timescale: int | None = None
) -> Schedule:
    """A linear warmup, then an inverse-square-root decay.

    Formula: ``base_lr * k / W`` for ``k < W``, then
    ``base_lr / sqrt((k - W + timescale) / timescale)``.

    Args:
        base_lr: the optimizer's learning rate.
        num_warmup_steps: ``W``, a non-negative int.
        timescale: the decay's time constant, > 0; default ``W``, or 10,000 when ``W = 0``.

    Example:
        >>> from schedalg.compat.transformers import get_inverse_sqrt_schedule
        >>> s = get_inverse_sqrt_schedule(1.0, 4)
        >>> s(2), s(4), s(16)
        (0.5, 1.0, 0.5)

    Reference: ``transformers.get_inverse_sqrt_schedule`` (after big_vision).
    """
    fn = "get_inverse_sqrt_schedule"
    lr = K.nonnegative_value(fn, "base_lr", base_lr)
    w = K.steps(fn, "num_warmup_steps", num_warmup_steps)
    ts = (w or 10_000) if timescale is None else K.positive(fn, "timescale", timescale)
    return _warmup(lr, w) >> inverse(lr, scale=ts, power=0.5)


def _min_rate(fn: str, base_lr: Any, min_lr: Any, min_lr_rate: Any) -> float:
    if min_lr is not None and min_lr_rate is not None:
        raise K.ArgumentTypeError(
            fn,
            None,
            None,
            f"{fn}(): give only one of min_lr and min_lr_rate, got min_lr={min_lr!r}, "
            f"min_lr_rate={min_lr_rate!r}",
        )
    if min_lr is None and min_lr_rate is None:
        raise K.ArgumentTypeError(
            fn, None, None, f"{fn}(): give one of min_lr and min_lr_rate, got neither"
        )
    if min_lr_rate is not None:
        return float(K.nonnegative(fn, "min_lr_rate", min_lr_rate))
    m = float(K.nonnegative(fn, "min_lr", min_lr))
    if type(base_lr) is not float or not base_lr > 0:
        raise K.ArgumentValueError(
            fn,
            "base_lr",
            base_lr,
            f"{fn}(): min_lr needs a number base_lr > 0, got base_lr={base_lr!r}",
        )
    return m / base_lr


def get_cosine_with_min_lr_schedule_with_warmup(
    base_lr: Any,
    num_warmup_steps: int,
    num_training_steps: int,
    num_cycles: float = 0.5,
    min_lr: float | None = None,
    min_lr_rate: float | None = None,
) -> Schedule:
    """A linear warmup from 0, then a cosine wave between ``base_lr`` and a floor.

    Formula: ``base_lr * k / W`` for ``k < W``; with ``p = (k - W) / max(1, N - W)`` and
    ``r = min_lr_rate`` (or ``min_lr / base_lr``):
    ``base_lr * (r + (1 - r) * (1 + cos(2 pi num_cycles p)) / 2)``, waving on past ``N``.

    Args:
        base_lr: the optimizer's learning rate.
        num_warmup_steps: ``W``, a non-negative int.
        num_training_steps: ``N >= W``.
        num_cycles: waves between ``W`` and ``N``, > 0.
        min_lr: the floor as a learning rate; or
        min_lr_rate: the floor as a fraction of ``base_lr`` (exactly one of the two).

    Example:
        >>> from schedalg.compat.transformers import get_cosine_with_min_lr_schedule_with_warmup
        >>> s = get_cosine_with_min_lr_schedule_with_warmup(1.0, 0, 10, min_lr_rate=0.1)
        >>> s(0), s(10)
        (1.0, 0.1)

    Reference: ``transformers.get_cosine_with_min_lr_schedule_with_warmup``.
    """
    fn = "get_cosine_with_min_lr_schedule_with_warmup"
    lr, w, n = _warmup_training(fn, base_lr, num_warmup_steps, num_training_steps)
    c = K.positive(fn, "num_cycles", num_cycles)
    r = _min_rate(fn, lr, min_lr, min_lr_rate)
    return _warmup(lr, w) >> _wave(lr, lr * r, max(1, n - w), c)


def get_cosine_with_min_lr_schedule_with_warmup_lr_rate(
    base_lr: Any,
    num_warmup_steps: int,
    num_training_steps: int,
    num_cycles: float = 0.5,
    min_lr: float | None = None,
    min_lr_rate: float | None = None,
    warmup_lr_rate: float | None = None,
) -> Schedule:
    """Like ``get_cosine_with_min_lr_schedule_with_warmup``, counting from step 1.

    Formula: without ``warmup_lr_rate``, ``base_lr * (k + 1) / W`` for ``k < W`` (the warmup
    reaches ``base_lr`` at its last step); with it, ``base_lr * (a + (1 - a) * k /
    max(1, W - 1))``, ``a = warmup_lr_rate``. Then with ``p = (k - W + 1) / max(1, N - W)``:
    ``base_lr * (r + (1 - r) * (1 + cos(2 pi num_cycles p)) / 2)``: the decay starts one
    step in.

    Args:
        base_lr: the optimizer's learning rate.
        num_warmup_steps: ``W``, a non-negative int.
        num_training_steps: ``N >= W``.
        num_cycles: waves between ``W`` and ``N``, > 0.
        min_lr, min_lr_rate: the floor (exactly one), as above.
        warmup_lr_rate: the warmup's first value as a fraction of ``base_lr``, or None.

    Example:
        >>> from schedalg.compat.transformers import (
        ...     get_cosine_with_min_lr_schedule_with_warmup_lr_rate,
        ... )
        >>> s = get_cosine_with_min_lr_schedule_with_warmup_lr_rate(1.0, 4, 8, min_lr_rate=0.0)
        >>> [s(k) for k in range(4)]
        [0.25, 0.5, 0.75, 1.0]

    Reference: ``transformers.get_cosine_with_min_lr_schedule_with_warmup_lr_rate``.
    """
    fn = "get_cosine_with_min_lr_schedule_with_warmup_lr_rate"
    lr, w, n = _warmup_training(fn, base_lr, num_warmup_steps, num_training_steps)
    c = K.positive(fn, "num_cycles", num_cycles)
    r = _min_rate(fn, lr, min_lr, min_lr_rate)
    if w == 0:
        warm: Schedule = hold(lr, 0)
    elif warmup_lr_rate is None:
        warm = linear_ramp(lr / w, lr * (w + 1) / w, w)
    else:
        a = float(K.nonnegative(fn, "warmup_lr_rate", warmup_lr_rate))
        warm = hold(lr * a, 1) if w == 1 else linear_ramp(lr * a, lr, w - 1) >> hold(lr, 1)
    return warm >> shift(_wave(lr, lr * r, max(1, n - w), c), -1)


def _ramp(kind: str, start: Any, end: Any, steps: int) -> Schedule:
    """A warmup (start < end) or decay of the given kind over ``steps`` steps."""
    if kind == "linear":
        return linear_ramp(start, end, steps)
    if kind == "cosine":
        return cosine(start, end, steps)
    return poly(start, end, steps, power=0.5)  # warmup: 1 - sqrt(1 - p)


def get_wsd_schedule(
    base_lr: Any,
    num_warmup_steps: int,
    num_decay_steps: int,
    num_training_steps: int | None = None,
    num_stable_steps: int | None = None,
    warmup_type: str = "linear",
    decay_type: str = "cosine",
    min_lr_ratio: float = 0,
    num_cycles: float = 0.5,
) -> Schedule:
    """Warmup-stable-decay: warm up, hold ``base_lr``, decay, then hold the floor.

    Formula, with ``m = min_lr_ratio`` and ``f(x) = base_lr * (m + (1 - m) * x)``:
    warmup ``k < W``, ``p = k / W``: ``f(p)`` (linear), ``f((1 - cos(pi p)) / 2)`` (cosine) or
    ``f(1 - sqrt(1 - p))`` (1-sqrt); stable ``k < W + S``: ``base_lr``; decay ``k < W + S +
    D``, ``p = (k - W - S) / D``: ``f(1 - p)`` (linear), ``f((1 + cos(2 pi num_cycles p)) /
    2)`` (cosine) or ``f(1 - sqrt(p))`` (1-sqrt); then ``m * base_lr``.

    Args:
        base_lr: the optimizer's learning rate.
        num_warmup_steps: ``W``.
        num_decay_steps: ``D``.
        num_training_steps: the total ``N``; ``S = N - W - D`` (if ``N < W + D``, the decay
            starts ``W + D - N`` steps in, right after the warm-up, as in transformers).
        num_stable_steps: ``S``; given with a ``num_training_steps`` that disagrees, it wins
            with a ``UserWarning``, as in transformers.
        warmup_type, decay_type: ``"linear"``, ``"cosine"`` or ``"1-sqrt"``.
        min_lr_ratio: ``m >= 0``, the floor as a fraction of ``base_lr``.
        num_cycles: cosine waves over the decay, > 0.

    Example:
        >>> from schedalg.compat.transformers import get_wsd_schedule
        >>> s = get_wsd_schedule(1.0, 2, 4, num_training_steps=10, decay_type="linear")
        >>> [s(k) for k in range(11)]
        [0.0, 0.5, 1.0, 1.0, 1.0, 1.0, 1.0, 0.75, 0.5, 0.25, 0.0]

    Reference: ``transformers.get_wsd_schedule``; Hu et al., MiniCPM (2024).
    """
    fn = "get_wsd_schedule"
    lr = K.nonnegative_value(fn, "base_lr", base_lr)
    w = K.steps(fn, "num_warmup_steps", num_warmup_steps)
    d = K.steps(fn, "num_decay_steps", num_decay_steps)
    if num_training_steps is None and num_stable_steps is None:
        raise K.ArgumentTypeError(
            fn, None, None, f"{fn}(): give num_training_steps or num_stable_steps, got neither"
        )
    if num_stable_steps is not None:
        s = K.steps(fn, "num_stable_steps", num_stable_steps)
        if num_training_steps is not None:
            n = K.steps(fn, "num_training_steps", num_training_steps)
            if n != w + s + d:
                # what transformers does (get_scheduler passes num_training_steps along)
                warnings.warn(
                    f"{fn}(): num_training_steps={n} differs from num_warmup_steps + "
                    f"num_stable_steps + num_decay_steps = {w} + {s} + {d}; num_stable_steps "
                    f"is used, as transformers does",
                    UserWarning,
                    stacklevel=2,
                )
    else:
        n = K.steps(fn, "num_training_steps", num_training_steps)
        # negative when num_training_steps < num_warmup_steps + num_decay_steps: transformers
        # then enters the decay part-way, -s steps in, right after the warm-up
        s = n - w - d
    K.choice(fn, "warmup_type", warmup_type, _RAMP_TYPES)
    K.choice(fn, "decay_type", decay_type, _RAMP_TYPES)
    m = float(K.nonnegative(fn, "min_lr_ratio", min_lr_ratio))
    c = K.positive(fn, "num_cycles", num_cycles)
    low = lr * m
    head = _ramp(warmup_type, low, lr, w) >> hold(lr, max(s, 0))
    if d == 0:
        return head >> hold(low)
    if decay_type == "linear":
        tail: Schedule = linear_ramp(lr, low, d) >> hold(low)
    elif decay_type == "1-sqrt":
        tail = warp(linear_ramp(lr, low, d), 0.5) >> hold(low)
    else:
        tail = _wave_then(lr, low, d, c, low)
    return head >> (shift(tail, s) if s < 0 else tail)


_BY_NAME: dict[str, Callable[..., Schedule]] = {
    "linear": get_linear_schedule_with_warmup,
    "cosine": get_cosine_schedule_with_warmup,
    "cosine_with_restarts": get_cosine_with_hard_restarts_schedule_with_warmup,
    "polynomial": get_polynomial_decay_schedule_with_warmup,
    "constant": get_constant_schedule,
    "constant_with_warmup": get_constant_schedule_with_warmup,
    "inverse_sqrt": get_inverse_sqrt_schedule,
    "cosine_with_min_lr": get_cosine_with_min_lr_schedule_with_warmup,
    "cosine_warmup_with_min_lr": get_cosine_with_min_lr_schedule_with_warmup_lr_rate,
    "warmup_stable_decay": get_wsd_schedule,
}
_NOT_A_SCHEDULE = ("reduce_lr_on_plateau", "greedy")


def get_scheduler(
    name: str,
    base_lr: Any,
    num_warmup_steps: int | None = None,
    num_training_steps: int | None = None,
    scheduler_specific_kwargs: dict[str, Any] | None = None,
) -> Schedule:
    """The schedule ``transformers.get_scheduler`` (and ``TrainingArguments.lr_scheduler_type``)
    selects by name.

    Formula: that of the named function, called as ``transformers`` calls it.

    Args:
        name: a ``SchedulerType`` value, e.g. ``"linear"``, ``"cosine"``,
            ``"warmup_stable_decay"`` (or the enum itself).
        base_lr: the optimizer's learning rate.
        num_warmup_steps, num_training_steps: passed where the named schedule takes them.
        scheduler_specific_kwargs: further keyword arguments (``lr_scheduler_kwargs``).

    Example:
        >>> from schedalg.compat.transformers import get_scheduler
        >>> get_scheduler("linear", 1.0, num_warmup_steps=0, num_training_steps=4)(1)
        0.75

    Reference: ``transformers.get_scheduler``.
    """
    fn = "get_scheduler"
    key = getattr(name, "value", name)
    if isinstance(key, str) and key in _NOT_A_SCHEDULE:
        raise K.ArgumentValueError(
            fn,
            "name",
            name,
            f"{fn}(): name={key!r} is driven by a metric, not by the step; it has no schedule",
        )
    K.choice(fn, "name", key, tuple(_BY_NAME))
    make = _BY_NAME[key]
    kwargs = dict(scheduler_specific_kwargs or {})
    if key == "constant":
        return make(base_lr)
    if num_warmup_steps is None:
        raise K.ArgumentTypeError(
            fn, "num_warmup_steps", None, f"{fn}(): name={key!r} needs num_warmup_steps, got None"
        )
    if key in ("constant_with_warmup",):
        return make(base_lr, num_warmup_steps=num_warmup_steps)
    if key == "inverse_sqrt":
        return make(base_lr, num_warmup_steps=num_warmup_steps, **kwargs)
    if key == "warmup_stable_decay":
        return make(
            base_lr,
            num_warmup_steps=num_warmup_steps,
            num_training_steps=num_training_steps,
            **kwargs,
        )
    if num_training_steps is None:
        raise K.ArgumentTypeError(
            fn,
            "num_training_steps",
            None,
            f"{fn}(): name={key!r} needs num_training_steps, got None",
        )
    return make(
        base_lr, num_warmup_steps=num_warmup_steps, num_training_steps=num_training_steps, **kwargs
    )


_named.keep_names(globals(), "transformers")
