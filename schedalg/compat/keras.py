"""keras.optimizers.schedules as schedalg schedules: same names, same arguments.

``s(step)`` equals the Keras schedule at ``step`` (computed in float64, i.e. with a float64
``initial_learning_rate``). ``name`` is accepted and ignored. Keras steps are whole numbers;
where Keras's rule is "``step <= boundary``" (``PiecewiseConstantDecay``,
``PolynomialDecay(cycle=True)``) the schedule matches it at every integer step.

Nothing here imports Keras.

Reference: https://keras.io/api/optimizers/learning_rate_schedules/
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from .. import _checks as K
from .._cycles import repeat, scale_by_cycle
from .._primitives import cosine, exp, hold, inverse, linear_ramp, piecewise, poly
from .._schedule import Schedule
from .._time_maps import scale_time, shift, staircase, take
from . import _named

__all__ = [
    "CosineDecay",
    "CosineDecayRestarts",
    "ExponentialDecay",
    "InverseTimeDecay",
    "PiecewiseConstantDecay",
    "PolynomialDecay",
]


_KERAS_NAMES = ("initial_learning_rate", "decay_steps", "decay_rate")


def _exponential(
    fn: str,
    lr: float,
    decay_steps: float,
    rate: float,
    stair: bool,
    names: tuple[str, str, str] = _KERAS_NAMES,
) -> Schedule:
    """``lr * rate ** (step / decay_steps)``; ``names``: the caller's names of the three."""
    n_lr, n_steps, n_rate = names
    a = K.real(fn, n_lr, lr)
    n = K.positive(fn, n_steps, decay_steps)
    if not 0 <= rate <= 1:
        raise K.ArgumentValueError(
            fn,
            n_rate,
            rate,
            f"{fn}(): {n_rate} must give a factor in [0, 1] (a growth without bound has no "
            f"schedalg form), got {n_rate}={rate!r}",
        )
    if a < 0:
        raise K.ArgumentValueError(fn, n_lr, lr, f"{fn}(): {n_lr} must be >= 0, got {n_lr}={lr!r}")
    if a == 0:
        return hold(0.0)
    if rate == 0:  # 0 ** 0 == 1: the lr at step 0 (the first interval, staircased), then 0
        s = scale_time(hold(a, 1) >> hold(0.0), n) if stair else hold(a, 1) >> hold(0.0)
        return staircase(s, n) if stair else s
    s = scale_time(exp(a, rate=rate), n)
    return staircase(s, n) if stair else s


def ExponentialDecay(
    initial_learning_rate: float,
    decay_steps: float,
    decay_rate: float,
    staircase: bool = False,
    name: str | None = None,
) -> Schedule:
    """Keras's ``ExponentialDecay``.

    Formula: ``lr(step) = initial_learning_rate * decay_rate ** (step / decay_steps)``, the
    exponent floored if ``staircase``.

    Args:
        initial_learning_rate: the lr at step 0, >= 0.
        decay_steps: steps per factor of ``decay_rate``, > 0.
        decay_rate: the factor, in [0, 1].
        staircase: decay in whole blocks of ``decay_steps``.
        name: ignored.

    Returns:
        ``[staircase](scale_time(exp(initial_learning_rate, rate=decay_rate), decay_steps))``.

    Example:
        >>> from schedalg.compat.keras import ExponentialDecay
        >>> ExponentialDecay(1.0, decay_steps=10, decay_rate=0.5)(20)
        0.25

    Reference: ``keras.optimizers.schedules.ExponentialDecay``.
    """
    fn = "ExponentialDecay"
    return _exponential(
        fn, initial_learning_rate, decay_steps, K.real(fn, "decay_rate", decay_rate), staircase
    )


def _keras_piecewise(fn: str, boundaries: Sequence[float], values: Sequence[float]) -> Schedule:
    bs = [K.real(fn, "boundaries", b, index=i) for i, b in enumerate(boundaries)]
    vs = [K.real(fn, "values", v, index=i) for i, v in enumerate(values)]
    if len(vs) != len(bs) + 1:
        raise K.ArgumentValueError(
            fn,
            "values",
            values,
            f"{fn}(): values must have one more entry than boundaries, got "
            f"len(boundaries)={len(bs)}, len(values)={len(vs)}",
        )
    for i, b in enumerate(bs):
        if i and b < bs[i - 1]:
            raise K.ArgumentValueError(
                fn,
                "boundaries",
                b,
                f"{fn}(): boundaries must be increasing, got boundaries[{i - 1}]={bs[i - 1]!r} "
                f"> boundaries[{i}]={b!r}",
                index=i,
            )
    # value i applies while step <= boundaries[i]: at whole steps, until floor(b) + 1 (a
    # negative boundary is passed before step 0, as in Keras).
    return piecewise([max(math.floor(b) + 1, 0) for b in bs], vs)


def PiecewiseConstantDecay(
    boundaries: Sequence[float], values: Sequence[float], name: str | None = None
) -> Schedule:
    """Keras's ``PiecewiseConstantDecay``: the boundary step belongs to the interval before it.

    Formula: ``values[0]`` for ``step <= boundaries[0]``, ``values[i]`` for
    ``boundaries[i-1] < step <= boundaries[i]``, ``values[-1]`` after ``boundaries[-1]``.
    (schedalg's ``piecewise``, optax and torch switch *at* the boundary; Keras one step
    later.)

    Args:
        boundaries: non-decreasing steps (a negative one is passed before step 0).
        values: one more value than boundaries.
        name: ignored.

    Returns:
        ``piecewise([floor(b) + 1 for b in boundaries], values)``: equal at every whole step.

    Example:
        >>> from schedalg.compat.keras import PiecewiseConstantDecay
        >>> s = PiecewiseConstantDecay([10, 20], [1.0, 0.5, 0.1])
        >>> s(10), s(11), s(21)
        (1.0, 0.5, 0.1)

    Reference: ``keras.optimizers.schedules.PiecewiseConstantDecay``.
    """
    return _keras_piecewise("PiecewiseConstantDecay", boundaries, values)


def _keras_polynomial(
    fn: str,
    lr: float,
    decay_steps: int,
    end: float,
    power: float,
    cycle: bool,
    lr_name: str = "initial_learning_rate",
) -> Schedule:
    a = K.real(fn, lr_name, lr)
    n = K.count(fn, "decay_steps", decay_steps, 1)
    b = K.real(fn, "end_learning_rate", end)
    p = K.real(fn, "power", power)
    if p < 0:
        raise K.ArgumentValueError(
            fn, "power", power, f"{fn}(): power must be >= 0, got power={power!r}"
        )
    if p == 0:  # (1 - step / D) ** 0 == 1 at every step, the end included (0 ** 0 == 1)
        return hold(a)
    if not cycle:
        return poly(a, b, n, power=p)
    # Step k >= 1 lies in cycle c = ceil(k / n) - 1 and decays over (c + 1) * n steps from 0:
    # (1 - k / ((c + 1) n)) ** p = (c + 1) ** -p * (1 - (tau + 1) / n) ** p with
    # tau = k - 1 - c n. Step 0 is Keras's special case (multiplier 1: init).
    tail = take(shift(poly(1.0, 0.0, n, power=p), -1), n)
    amplitude = staircase(inverse(1.0, scale=n, power=p), n)
    return hold(a, 1) >> b + (a - b) * amplitude * repeat(tail)


def PolynomialDecay(
    initial_learning_rate: float,
    decay_steps: int,
    end_learning_rate: float = 0.0001,
    power: float = 1.0,
    cycle: bool = False,
    name: str | None = None,
) -> Schedule:
    """Keras's ``PolynomialDecay``, with or without ``cycle``.

    Formula: ``lr = (initial - end) * (1 - step / D) ** power + end`` with
    ``D = decay_steps`` and ``step`` clamped to ``D``; with ``cycle=True`` no clamp and
    ``D = decay_steps * ceil(step / decay_steps)`` (1 at step 0): each restart decays over a
    longer span from step 0, so it starts lower, at ``(1 / (c + 1)) ** power`` of the height.

    Args:
        initial_learning_rate: the lr at step 0.
        decay_steps: the decay length, an int >= 1.
        end_learning_rate: the lr at the end of each decay.
        power: the exponent, >= 0 (0: ``initial_learning_rate`` throughout, as Keras).
        cycle: restart after each ``decay_steps``.
        name: ignored.

    Returns:
        ``poly(...)``; with ``cycle``, ``hold(initial, 1) >> end + (initial - end) *
        staircase(inverse(1, scale=D, power)) * repeat(take(shift(poly(1, 0, D, power), -1),
        D))``.

    Example:
        >>> from schedalg.compat.keras import PolynomialDecay
        >>> s = PolynomialDecay(1.0, 4, end_learning_rate=0.0, cycle=True)
        >>> [s(k) for k in (0, 2, 4, 5, 8)]
        [1.0, 0.5, 0.0, 0.375, 0.0]

    Reference: ``keras.optimizers.schedules.PolynomialDecay``.
    """
    return _keras_polynomial(
        "PolynomialDecay", initial_learning_rate, decay_steps, end_learning_rate, power, cycle
    )


def _inverse_time(
    fn: str,
    lr: float,
    decay_steps: float,
    rate: float,
    stair: bool,
    lr_name: str = "initial_learning_rate",
) -> Schedule:
    a = K.real(fn, lr_name, lr)
    n = K.positive(fn, "decay_steps", decay_steps)
    r = K.real(fn, "decay_rate", rate)
    if r < 0:
        raise K.ArgumentValueError(
            fn, "decay_rate", rate, f"{fn}(): decay_rate must be >= 0, got decay_rate={rate!r}"
        )
    if r == 0:
        return hold(a)
    if stair:
        return staircase(scale_time(inverse(a, scale=1.0 / r), n), n)
    return inverse(a, scale=n / r)


def InverseTimeDecay(
    initial_learning_rate: float,
    decay_steps: float,
    decay_rate: float,
    staircase: bool = False,
    name: str | None = None,
) -> Schedule:
    """Keras's ``InverseTimeDecay``.

    Formula: ``lr = initial_learning_rate / (1 + decay_rate * step / decay_steps)``, the
    ratio floored if ``staircase``.

    Args:
        initial_learning_rate: the lr at step 0.
        decay_steps: the time unit, > 0.
        decay_rate: the rate, >= 0.
        staircase: decay in whole blocks of ``decay_steps``.
        name: ignored.

    Returns:
        ``inverse(initial, scale=decay_steps / decay_rate)`` (staircased if asked).

    Example:
        >>> from schedalg.compat.keras import InverseTimeDecay
        >>> InverseTimeDecay(1.0, decay_steps=10, decay_rate=0.5)(20)
        0.5

    Reference: ``keras.optimizers.schedules.InverseTimeDecay``.
    """
    return _inverse_time(
        "InverseTimeDecay", initial_learning_rate, decay_steps, decay_rate, staircase
    )


def CosineDecay(
    initial_learning_rate: float,
    decay_steps: int,
    alpha: float = 0.0,
    name: str | None = None,
    warmup_target: float | None = None,
    warmup_steps: int = 0,
) -> Schedule:
    """Keras's ``CosineDecay``, with its optional linear warm-up.

    Formula: without ``warmup_target``: ``lr = initial * ((1 - alpha) * (1 + cos(pi * s /
    decay_steps)) / 2 + alpha)``, ``s = min(step, decay_steps)``. With it: linear from
    ``initial`` to ``warmup_target`` over ``warmup_steps``, then that decay from
    ``warmup_target`` (``decay_steps`` does not count the warm-up).

    Args:
        initial_learning_rate: the lr at step 0.
        decay_steps: the decay length, an int >= 1.
        alpha: the final lr as a fraction of the decay's start.
        name: ignored.
        warmup_target: the lr after warm-up, or None for no warm-up.
        warmup_steps: the warm-up length, an int >= 0.

    Returns:
        ``[linear_ramp(initial, target, warmup_steps) >>] cosine(start, start * alpha,
        decay_steps)``.

    Example:
        >>> from schedalg.compat.keras import CosineDecay
        >>> s = CosineDecay(0.0, 100, warmup_target=1.0, warmup_steps=10)
        >>> s(5), s(10), s(110)
        (0.5, 1.0, 0.0)

    Reference: ``keras.optimizers.schedules.CosineDecay``; Loshchilov & Hutter (2017).
    """
    fn = "CosineDecay"
    a = K.real(fn, "initial_learning_rate", initial_learning_rate)
    n = K.count(fn, "decay_steps", decay_steps, 1)
    al = K.real(fn, "alpha", alpha)
    if warmup_target is None:
        return cosine(a, a * al, n)
    tgt = K.real(fn, "warmup_target", warmup_target)
    w = K.count(fn, "warmup_steps", warmup_steps)
    return linear_ramp(a, tgt, w) >> cosine(tgt, tgt * al, n)


def _restarts(
    fn: str,
    lr: float,
    first: int,
    t_mul: float,
    m_mul: float,
    alpha: float,
    lr_name: str = "initial_learning_rate",
) -> Schedule:
    a = K.real(fn, lr_name, lr)
    n = K.count(fn, "first_decay_steps", first, 1)
    t = K.real(fn, "t_mul", t_mul)
    if t < 1:
        raise K.ArgumentValueError(
            fn,
            "t_mul",
            t_mul,
            f"{fn}(): t_mul must be >= 1 (shrinking periods run out: the peer returns NaN "
            f"after their sum), got t_mul={t_mul!r}",
        )
    m = K.real(fn, "m_mul", m_mul)
    if not 0 < m <= 1:
        raise K.ArgumentValueError(
            fn, "m_mul", m_mul, f"{fn}(): m_mul must be in (0, 1], got m_mul={m_mul!r}"
        )
    al = K.real(fn, "alpha", alpha)
    floor = a * al
    cycles = repeat(cosine(a, floor, n), stretch=t)
    return cycles if m == 1 else scale_by_cycle(cycles, m, floor=floor)


def CosineDecayRestarts(
    initial_learning_rate: float,
    first_decay_steps: int,
    t_mul: float = 2.0,
    m_mul: float = 1.0,
    alpha: float = 0.0,
    name: str | None = None,
) -> Schedule:
    """Keras's ``CosineDecayRestarts`` (SGDR).

    Formula: period ``i`` lasts ``first_decay_steps * t_mul ** i`` steps; inside it, at
    fraction ``f`` of it, ``lr = initial * ((1 - alpha) * m_mul ** i * (1 + cos(pi f)) / 2 +
    alpha)``.

    Args:
        initial_learning_rate: the lr at step 0.
        first_decay_steps: the first period, an int >= 1.
        t_mul: the period multiplier, >= 1 (a float is fine).
        m_mul: the per-period height multiplier, in (0, 1].
        alpha: the floor as a fraction of ``initial_learning_rate``.
        name: ignored.

    Returns:
        ``scale_by_cycle(repeat(cosine(initial, initial * alpha, first_decay_steps),
        stretch=t_mul), m_mul, floor=initial * alpha)``.

    Example:
        >>> from schedalg.compat.keras import CosineDecayRestarts
        >>> s = CosineDecayRestarts(1.0, 10, t_mul=2.0, m_mul=0.5)
        >>> s(0), s(10), s(30)
        (1.0, 0.5, 0.25)

    Reference: ``keras.optimizers.schedules.CosineDecayRestarts``; Loshchilov & Hutter (2017).
    """
    return _restarts(
        "CosineDecayRestarts", initial_learning_rate, first_decay_steps, t_mul, m_mul, alpha
    )


_named.keep_names(globals(), "keras")
