"""TensorFlow's learning-rate decays as schedalg schedules.

Two families:

* TF1 ``tf.compat.v1.train`` decays (``exponential_decay``, ``piecewise_constant``, ...). TF1
  takes ``global_step`` as an argument and returns a tensor; here the argument is dropped and
  the schedule *is* the function of it: ``tf.train.exponential_decay(lr, step, 1000, 0.96)``
  becomes ``exponential_decay(lr, 1000, 0.96)(step)``. ``name`` is accepted and ignored.
* The TF Object Detection API's ``object_detection/utils/learning_schedules.py``:
  ``manual_stepping``, ``exponential_decay_with_burnin``, ``cosine_decay_with_warmup``, again
  without ``global_step``.

TensorFlow is not needed (nor imported). The formulas are those of TF's published source
(``tensorflow/python/keras/optimizer_v2/legacy_learning_rate_decay.py`` and
``learning_rate_schedule.py``; ``tensorflow/models`` ``research/object_detection``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from .. import _checks as K
from .._arithmetic import maximum
from .._concat import concat
from .._cycles import repeat
from .._primitives import cosine, hold, linear_ramp, piecewise
from .._schedule import Schedule
from .._time_maps import scale_time, staircase, take
from . import _named
from .keras import _exponential, _inverse_time, _keras_piecewise, _keras_polynomial, _restarts

_TF1_NAMES = ("learning_rate", "decay_steps", "decay_rate")

__all__ = [
    "cosine_decay",
    "cosine_decay_restarts",
    "cosine_decay_with_warmup",
    "exponential_decay",
    "exponential_decay_with_burnin",
    "inverse_time_decay",
    "linear_cosine_decay",
    "manual_stepping",
    "natural_exp_decay",
    "piecewise_constant",
    "polynomial_decay",
]


def piecewise_constant(
    boundaries: Sequence[float], values: Sequence[float], name: str | None = None
) -> Schedule:
    """TF1's ``piecewise_constant`` (without its ``x``): the boundary step is in the earlier piece.

    Formula: ``values[0]`` for ``step <= boundaries[0]``, ``values[i]`` for
    ``boundaries[i-1] < step <= boundaries[i]``, ``values[-1]`` after.

    Returns:
        ``piecewise([floor(b) + 1 for b in boundaries], values)``: equal at every whole step.

    Example:
        >>> from schedalg.compat.tf import piecewise_constant
        >>> s = piecewise_constant([100, 200], [1.0, 0.5, 0.1])
        >>> s(100), s(101)
        (1.0, 0.5)

    Reference: ``tf.compat.v1.train.piecewise_constant``.
    """
    return _keras_piecewise("piecewise_constant", boundaries, values)


def exponential_decay(
    learning_rate: float,
    decay_steps: float,
    decay_rate: float,
    staircase: bool = False,
    name: str | None = None,
) -> Schedule:
    """TF1's ``exponential_decay``: ``learning_rate * decay_rate ** (step / decay_steps)``.

    The exponent is floored if ``staircase``. ``decay_rate`` in (0, 1].

    Example:
        >>> from schedalg.compat.tf import exponential_decay
        >>> exponential_decay(1.0, 10, 0.5, staircase=True)(19)
        0.5

    Reference: ``tf.compat.v1.train.exponential_decay``.
    """
    fn = "exponential_decay"
    rate = K.real(fn, "decay_rate", decay_rate)
    return _exponential(fn, learning_rate, decay_steps, rate, staircase, _TF1_NAMES)


def natural_exp_decay(
    learning_rate: float,
    decay_steps: float,
    decay_rate: float,
    staircase: bool = False,
    name: str | None = None,
) -> Schedule:
    """TF1's ``natural_exp_decay``: ``learning_rate * exp(-decay_rate * step / decay_steps)``.

    TF computes it as ``exponential_decay`` with the factor ``exp(-decay_rate)``; the ratio
    is floored if ``staircase``. ``decay_rate >= 0``.

    Example:
        >>> import math
        >>> from schedalg.compat.tf import natural_exp_decay
        >>> round(natural_exp_decay(1.0, 10, math.log(2.0))(20), 12)
        0.25

    Reference: ``tf.compat.v1.train.natural_exp_decay``.
    """
    fn = "natural_exp_decay"
    r = K.real(fn, "decay_rate", decay_rate)
    if r < 0:
        raise K.ArgumentValueError(
            fn,
            "decay_rate",
            decay_rate,
            f"{fn}(): decay_rate must be >= 0, got decay_rate={decay_rate!r}",
        )
    return _exponential(fn, learning_rate, decay_steps, math.exp(-r), staircase, _TF1_NAMES)


def inverse_time_decay(
    learning_rate: float,
    decay_steps: float,
    decay_rate: float,
    staircase: bool = False,
    name: str | None = None,
) -> Schedule:
    """TF1's ``inverse_time_decay``: ``learning_rate / (1 + decay_rate * step / decay_steps)``.

    The ratio is floored if ``staircase``.

    Example:
        >>> from schedalg.compat.tf import inverse_time_decay
        >>> inverse_time_decay(1.0, 10, 1.0)(10)
        0.5

    Reference: ``tf.compat.v1.train.inverse_time_decay``.
    """
    return _inverse_time(
        "inverse_time_decay", learning_rate, decay_steps, decay_rate, staircase, "learning_rate"
    )


def polynomial_decay(
    learning_rate: float,
    decay_steps: int,
    end_learning_rate: float = 0.0001,
    power: float = 1.0,
    cycle: bool = False,
    name: str | None = None,
) -> Schedule:
    """TF1's ``polynomial_decay``, with or without ``cycle``.

    Formula: ``(learning_rate - end) * (1 - step / D) ** power + end``, ``D = decay_steps``
    and ``step`` clamped to it; with ``cycle``, ``D = decay_steps * ceil(step / decay_steps)``
    (1 at step 0) and no clamp.

    Example:
        >>> from schedalg.compat.tf import polynomial_decay
        >>> polynomial_decay(1.0, 10, end_learning_rate=0.0)(5)
        0.5

    Reference: ``tf.compat.v1.train.polynomial_decay``.
    """
    return _keras_polynomial(
        "polynomial_decay",
        learning_rate,
        decay_steps,
        end_learning_rate,
        power,
        cycle,
        "learning_rate",
    )


def cosine_decay(
    learning_rate: float, decay_steps: int, alpha: float = 0.0, name: str | None = None
) -> Schedule:
    """TF1's ``cosine_decay``.

    Formula: ``learning_rate * ((1 - alpha) * (1 + cos(pi * s / decay_steps)) / 2 + alpha)``,
    ``s = min(step, decay_steps)``.

    Returns:
        ``cosine(learning_rate, learning_rate * alpha, decay_steps)``.

    Example:
        >>> from schedalg.compat.tf import cosine_decay
        >>> cosine_decay(1.0, 10, alpha=0.1)(10)
        0.1

    Reference: ``tf.compat.v1.train.cosine_decay``.
    """
    fn = "cosine_decay"
    a = K.real(fn, "learning_rate", learning_rate)
    al = K.real(fn, "alpha", alpha)
    return cosine(a, a * al, K.count(fn, "decay_steps", decay_steps, 1))


def cosine_decay_restarts(
    learning_rate: float,
    first_decay_steps: int,
    t_mul: float = 2.0,
    m_mul: float = 1.0,
    alpha: float = 0.0,
    name: str | None = None,
) -> Schedule:
    """TF1's ``cosine_decay_restarts`` (SGDR).

    Formula: period ``i`` lasts ``first_decay_steps * t_mul ** i``; at fraction ``f`` of it,
    ``learning_rate * ((1 - alpha) * m_mul ** i * (1 + cos(pi f)) / 2 + alpha)``.

    Example:
        >>> from schedalg.compat.tf import cosine_decay_restarts
        >>> cosine_decay_restarts(1.0, 10, t_mul=1.0, m_mul=0.5)(20)
        0.25

    Reference: ``tf.compat.v1.train.cosine_decay_restarts``.
    """
    return _restarts(
        "cosine_decay_restarts",
        learning_rate,
        first_decay_steps,
        t_mul,
        m_mul,
        alpha,
        "learning_rate",
    )


def linear_cosine_decay(
    learning_rate: float,
    decay_steps: int,
    num_periods: float = 0.5,
    alpha: float = 0.0,
    beta: float = 0.001,
    name: str | None = None,
) -> Schedule:
    """TF1's ``linear_cosine_decay`` (Bello et al., Neural Optimizer Search, 2017).

    Formula: with ``s = min(step, decay_steps)``, ``linear = (decay_steps - s) / decay_steps``
    and ``cos_part = (1 + cos(2 pi num_periods s / decay_steps)) / 2``:
    ``learning_rate * ((alpha + linear) * cos_part + beta)``.

    Returns:
        ``learning_rate * ((alpha + linear_ramp(1, 0, D)) * waves + beta)`` where ``waves`` is
        ``take(scale_time(repeat(cosine(1, 0, 1) >> cosine(0, 1, 1)), D / (2 num_periods)),
        D)``.

    Example:
        >>> from schedalg.compat.tf import linear_cosine_decay
        >>> s = linear_cosine_decay(1.0, 100, num_periods=1.0, beta=0.0)
        >>> s(0), s(50), round(s(75), 12)
        (1.0, 0.0, 0.125)

    Reference: ``tf.compat.v1.train.linear_cosine_decay``.
    """
    fn = "linear_cosine_decay"
    lr = K.real(fn, "learning_rate", learning_rate)
    n = K.count(fn, "decay_steps", decay_steps, 1)
    periods = K.real(fn, "num_periods", num_periods)
    if periods < 0:
        raise K.ArgumentValueError(
            fn,
            "num_periods",
            num_periods,
            f"{fn}(): num_periods must be >= 0, got num_periods={num_periods!r}",
        )
    al = K.real(fn, "alpha", alpha)
    be = K.real(fn, "beta", beta)
    linear = al + linear_ramp(1.0, 0.0, n)
    if periods == 0:
        return lr * (linear + be)
    half_period = n / (2.0 * periods)
    waves = take(scale_time(repeat(cosine(1.0, 0.0, 1) >> cosine(0.0, 1.0, 1)), half_period), n)
    return lr * (linear * waves + be)


# -- TF Object Detection API ----------------------------------------------------------------


def manual_stepping(
    boundaries: Sequence[int], rates: Sequence[float], warmup: bool = False
) -> Schedule:
    """The TF Object Detection API's ``manual_stepping``.

    Formula: ``rates[i]`` for ``boundaries[i-1] <= step < boundaries[i]`` (the boundary step
    is in the *later* piece, unlike ``piecewise_constant``). With ``warmup``, the first piece
    is a per-step linear ramp ``rates[0] + (rates[1] - rates[0]) * step / boundaries[0]``.

    Args:
        boundaries: strictly increasing ints > 0.
        rates: one more rate than boundaries.
        warmup: interpolate over ``[0, boundaries[0])``.

    Returns:
        ``piecewise(boundaries, rates)``; with warm-up,
        ``staircase(linear_ramp(rates[0], rates[1], boundaries[0]), 1) >> piecewise(...)``.

    Example:
        >>> from schedalg.compat.tf import manual_stepping
        >>> s = manual_stepping([4, 8], [0.0, 1.0, 0.1], warmup=True)
        >>> [s(k) for k in (1, 4, 8)]
        [0.25, 1.0, 0.1]

    Reference: tensorflow/models, ``research/object_detection/utils/learning_schedules.py``.
    """
    fn = "manual_stepping"
    bs = [K.count(fn, "boundaries", b, 1, index=i) for i, b in enumerate(boundaries)]
    rs = [K.real(fn, "rates", r, index=i) for i, r in enumerate(rates)]
    for i in range(1, len(bs)):
        if bs[i] <= bs[i - 1]:
            raise K.ArgumentValueError(
                fn,
                "boundaries",
                bs[i],
                f"{fn}(): boundaries must be strictly increasing, got "
                f"boundaries[{i - 1}]={bs[i - 1]}, boundaries[{i}]={bs[i]}",
                index=i,
            )
    if len(rs) != len(bs) + 1:
        raise K.ArgumentValueError(
            fn,
            "rates",
            rates,
            f"{fn}(): rates must have one more entry than boundaries, got "
            f"len(boundaries)={len(bs)}, len(rates)={len(rs)}",
        )
    if not (warmup and bs):
        return piecewise(bs, rs)
    ramp = staircase(linear_ramp(rs[0], rs[1], bs[0]), 1)
    return ramp >> piecewise([b - bs[0] for b in bs[1:]], rs[1:])


def exponential_decay_with_burnin(
    learning_rate_base: float,
    learning_rate_decay_steps: float,
    learning_rate_decay_factor: float,
    burnin_learning_rate: float = 0.0,
    burnin_steps: int = 0,
    min_learning_rate: float = 0.0,
    staircase: bool = True,
) -> Schedule:
    """The TF Object Detection API's ``exponential_decay_with_burnin``.

    Formula: ``burnin_learning_rate`` (``learning_rate_base`` if it is 0) for
    ``step < burnin_steps``, then ``learning_rate_base * factor ** ((step - burnin_steps) /
    decay_steps)`` (exponent floored if ``staircase``), never below ``min_learning_rate``.

    Args:
        learning_rate_base: the lr after burn-in, > 0.
        learning_rate_decay_steps: steps per decay factor, > 0.
        learning_rate_decay_factor: the factor, in (0, 1].
        burnin_learning_rate: the burn-in lr; 0 means ``learning_rate_base``.
        burnin_steps: the burn-in length, an int >= 0.
        min_learning_rate: the floor.
        staircase: decay in whole blocks.

    Returns:
        ``maximum(hold(burnin, burnin_steps) >> exponential_decay(...), min_learning_rate)``.

    Example:
        >>> from schedalg.compat.tf import exponential_decay_with_burnin
        >>> s = exponential_decay_with_burnin(1.0, 10, 0.5, burnin_learning_rate=0.4,
        ...                                   burnin_steps=5, min_learning_rate=0.3)
        >>> s(4), s(5), s(15), s(25)
        (0.4, 1.0, 0.5, 0.3)

    Reference: tensorflow/models, ``research/object_detection/utils/learning_schedules.py``.
    """
    fn = "exponential_decay_with_burnin"
    base = K.real(fn, "learning_rate_base", learning_rate_base)
    burn = K.real(fn, "burnin_learning_rate", burnin_learning_rate)
    n = K.count(fn, "burnin_steps", burnin_steps)
    floor = K.real(fn, "min_learning_rate", min_learning_rate)
    factor = K.real(fn, "learning_rate_decay_factor", learning_rate_decay_factor)
    names = ("learning_rate_base", "learning_rate_decay_steps", "learning_rate_decay_factor")
    decay = _exponential(fn, base, learning_rate_decay_steps, factor, staircase, names)
    lr = hold(base if burn == 0 else burn, n) >> decay
    return maximum(lr, floor)


def cosine_decay_with_warmup(
    learning_rate_base: float,
    total_steps: int,
    warmup_learning_rate: float = 0.0,
    warmup_steps: int = 0,
    hold_base_rate_steps: int = 0,
) -> Schedule:
    """The TF Object Detection API's ``cosine_decay_with_warmup``.

    Formula: linear from ``warmup_learning_rate`` to ``learning_rate_base`` over
    ``warmup_steps``; ``learning_rate_base`` held for ``hold_base_rate_steps``; then
    ``0.5 * base * (1 + cos(pi * (step - warmup - hold) / (total - warmup - hold)))``; 0
    after ``total_steps``.

    Args:
        learning_rate_base: the peak lr, >= ``warmup_learning_rate``.
        total_steps: the length; must exceed ``warmup_steps + hold_base_rate_steps`` (TF
            divides by the difference).
        warmup_learning_rate: the lr at step 0.
        warmup_steps: the warm-up length, an int >= 0.
        hold_base_rate_steps: steps at the peak before decaying, an int >= 0.

    Returns:
        ``linear_ramp(warmup_lr, base, warmup) >> hold(base, hold) >> cosine(base, 0,
        total - warmup - hold) >> hold(0.0)``.

    Example:
        >>> from schedalg.compat.tf import cosine_decay_with_warmup
        >>> s = cosine_decay_with_warmup(1.0, 30, warmup_steps=10, hold_base_rate_steps=10)
        >>> [round(s(k), 12) for k in (5, 15, 25, 30, 40)]
        [0.5, 1.0, 0.5, 0.0, 0.0]

    Reference: tensorflow/models, ``research/object_detection/utils/learning_schedules.py``.
    """
    fn = "cosine_decay_with_warmup"
    base = K.real(fn, "learning_rate_base", learning_rate_base)
    total = K.count(fn, "total_steps", total_steps, 1)
    wlr = K.real(fn, "warmup_learning_rate", warmup_learning_rate)
    w = K.count(fn, "warmup_steps", warmup_steps)
    h = K.count(fn, "hold_base_rate_steps", hold_base_rate_steps)
    if base < wlr:
        raise K.ArgumentValueError(
            fn,
            "learning_rate_base",
            learning_rate_base,
            f"{fn}(): learning_rate_base must be >= warmup_learning_rate, got "
            f"learning_rate_base={learning_rate_base!r}, "
            f"warmup_learning_rate={warmup_learning_rate!r}",
        )
    if total <= w + h:
        raise K.ArgumentValueError(
            fn,
            "total_steps",
            total_steps,
            f"{fn}(): total_steps must be > warmup_steps + hold_base_rate_steps, got "
            f"total_steps={total_steps!r}, warmup_steps={warmup_steps!r}, "
            f"hold_base_rate_steps={hold_base_rate_steps!r}",
        )
    return concat(
        linear_ramp(wlr, base, w), hold(base, h), cosine(base, 0.0, total - w - h), hold(0.0)
    )


_named.keep_names(globals(), "tf")
