"""Time transforms: ``staircase``, ``shift``, ``scale_time``, ``fit``, ``take``, ``warp``."""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np

from . import _checks as K
from . import _fields as F
from . import _namespaces as N
from ._node_checks import _add_time, _checked, _need_schedule, _whole, _with_const
from ._schedule import (
    Schedule,
)

# -- time transforms -----------------------------------------------------------------------------


class _TimeMap(Schedule):
    """A schedule read at a transformed time; one static field says how."""

    schedule: Schedule = F.child(doc="the schedule read at the transformed time")

    def _end_value(self) -> Any:
        return self.schedule.end_value

    def _compute_range(self) -> tuple[float, float]:
        return self.schedule._range()  # type: ignore[return-value]


class Staircase(_TimeMap, name="staircase"):
    every: Any = F.static(doc="the block length: the value is held for every steps")

    def _duration(self) -> int | float | None:
        d = self.schedule.duration
        if d is None:
            return None
        e = Fraction(self.every)
        return _whole(math.ceil(Fraction(d) / e) * e)  # exact: d / e in floats rounds

    def _py(self, t: int | float) -> Any:
        e = self.every
        if type(t) is int and type(e) is int:
            return self.schedule._py((t // e) * e)
        q = t / e
        if q == math.inf:  # t = inf, or t / every beyond float64: past every step
            return self.schedule._py(math.inf)
        return self.schedule._py(math.floor(q) * e)

    def _xp(self, t: Any, xp: Any) -> Any:
        t, e = _with_const(t, self.every, xp)
        if t.dtype.kind in "iu":
            return self.schedule._xp((t // e) * e, xp)
        return self.schedule._xp(xp.floor(t / e) * e, xp)


@F.constructs(Staircase)
def staircase(schedule: Schedule, every: int | float) -> Schedule:
    """Hold the value constant within blocks of ``every`` steps (per-epoch stepping).

    Formula: ``s(t) = schedule(floor(t / every) * every)``.

    Example:
        >>> from schedalg import linear_ramp, staircase
        >>> s = staircase(linear_ramp(0.0, 1.0, 10), 5)
        >>> s(4), s(5), s(9)
        (0.0, 0.5, 0.5)
    """
    fn = "staircase"
    _need_schedule(fn, schedule)
    e = K.length(fn, "every", K.positive(fn, "every", every))
    return _checked(fn, Staircase._make(schedule=schedule, every=e), f"every={every!r}")


class Shift(_TimeMap, name="shift"):
    steps: Any = F.static(doc="the delay in steps (negative: skip ahead)")

    def _duration(self) -> int | float | None:
        d = self.schedule.duration
        return None if d is None else max(_add_time(d, self.steps), 0)

    def _py(self, t: int | float) -> Any:
        t = t - self.steps
        return self.schedule._py(t if t > 0 else 0)

    def _xp(self, t: Any, xp: Any) -> Any:
        steps = self.steps
        if type(steps) is int and steps < 0 and t.dtype.kind in "iu":
            return _shift_back_int(self.schedule, t, -steps, xp)
        t, st = _with_const(t, steps, xp)
        return self.schedule._xp(xp.maximum(t - st, 0), xp)


def _constant_from(schedule: Schedule) -> int | float | None:
    """A step from which ``schedule`` is constant (its duration, or the start of a final
    infinite hold); None if it keeps changing."""
    return schedule._constant_after()


def _shift_back_int(schedule: Schedule, t: Any, ahead: int, xp: Any) -> Any:
    """``schedule(t + ahead)`` for integer ``t``, without integer overflow.

    The sum is exact in ``t``'s dtype while it fits, and saturates at the dtype's maximum:
    where the schedule is constant by then, that is its value. Otherwise NumPy reads the
    few elements beyond in float64; JAX keeps the saturated time (an int32 step count ends
    at 2**31 - 1, and a second, floating-point evaluation of the whole schedule would cost
    more than the rest of it).
    """
    top = int(np.iinfo(np.dtype(t.dtype.name)).max)
    if ahead > top:
        c = _constant_from(schedule)
        if (c is not None and c <= top) or xp is not np:
            return schedule._xp(xp.full_like(t, top), xp)
        return schedule._xp(t.astype(np.float64) + float(ahead), xp)
    value = schedule._xp(xp.minimum(t, top - ahead) + ahead, xp)
    if xp is not np or not np.any(t > top - ahead):
        return value
    c = _constant_from(schedule)
    if c is not None and c <= top:
        return value
    beyond = t > top - ahead
    far = schedule._xp(t[beyond].astype(np.float64) + float(ahead), xp)
    out = np.array(np.broadcast_to(value, np.broadcast_shapes(np.shape(value), t.shape)))
    out[..., beyond] = far
    return out


@F.constructs(Shift)
def shift(schedule: Schedule, steps: int | float) -> Schedule:
    """Move a schedule later by ``steps`` (earlier if negative).

    Formula: ``s(t) = schedule(max(t - steps, 0))``: a delay holds the start value; a negative
    shift starts the schedule part-way through (resuming it at local step ``-steps``).

    Example:
        >>> from schedalg import linear_ramp, shift
        >>> s = shift(linear_ramp(0.0, 1.0, 10), 5)
        >>> s(0), s(10), s.duration
        (0.0, 0.5, 15)
    """
    fn = "shift"
    _need_schedule(fn, schedule)
    st = K.length(fn, "steps", steps)
    return _checked(fn, Shift._make(schedule=schedule, steps=st), f"steps={steps!r}")


class ScaleTime(_TimeMap, name="scale_time"):
    factor: Any = F.static(doc="the time factor (> 1: slower)")

    def _duration(self) -> int | float | None:
        d = self.schedule.duration
        if d is None:
            return None
        exact = Fraction(d) * Fraction(self.factor)
        if exact.denominator != 1 and type(d) is int and exact < 2**53:
            n = round(exact)
            if n > 0 and float(Fraction(n, d)) == self.factor:
                # The factor is the float nearest n / d, which is how fit(s, n) writes the
                # ratio n / d: the duration is n (no tolerance: a factor one ulp off is not).
                return n
        return _whole(exact)

    def _ratio(self) -> tuple[int, int] | None:
        """``(d, D)`` when the inner duration ``d`` and this one ``D`` are whole steps.

        Time then maps as ``t * d / D`` rather than ``t / factor``: the two agree to rounding,
        but only the first is exact wherever the inner time is a whole step (the pieces'
        boundaries of a ``fit`` shape, and its end: ``t = D`` reads the inner ``d``).
        """

        def make() -> tuple[int, int] | None:
            d, total = self.schedule.duration, self.duration
            if type(d) is int and type(total) is int and d > 0 and total > 0:
                return d, total
            return None

        return self._cached("ratio", make)

    def _py(self, t: int | float) -> Any:
        r = self._ratio()
        if r is None:
            return self.schedule._py(t / self.factor)
        return self.schedule._py(t * r[0] / r[1])

    def _xp(self, t: Any, xp: Any) -> Any:
        if t.dtype.kind in "iu":
            t = t.astype(xp.result_type(float))
        r = self._ratio()
        if r is None:
            return self.schedule._xp(t / float(self.factor), xp)
        return self.schedule._xp(t * float(r[0]) / float(r[1]), xp)


@F.constructs(ScaleTime)
def scale_time(schedule: Schedule, factor: int | float) -> Schedule:
    """Stretch time by ``factor``: a schedule written in epochs becomes one in steps.

    Formula: ``s(t) = schedule(t / factor)``; the duration is multiplied by ``factor``.

    Example:
        >>> from schedalg import linear_ramp, scale_time
        >>> per_epoch = linear_ramp(0.0, 1.0, 2)      # two epochs
        >>> s = scale_time(per_epoch, 100)            # 100 steps per epoch
        >>> s(100), s.duration
        (0.5, 200)
    """
    fn = "scale_time"
    _need_schedule(fn, schedule)
    f = K.positive(fn, "factor", factor)
    if f == 1:
        return schedule
    return _checked(fn, ScaleTime._make(schedule=schedule, factor=f), f"factor={factor!r}")


def _positive_duration(fn: str, schedule: Any) -> int | float:
    """The duration of a schedule that must be finite and longer than 0 (``fit``, ``warp``)."""
    _need_schedule(fn, schedule)
    d = schedule.duration
    if not d:
        raise K.ArgumentValueError(
            fn,
            "schedule",
            schedule,
            f"{fn}(): schedule must be finite with a positive duration, got {schedule!r}",
        )
    return d  # type: ignore[no-any-return]


def fit(schedule: Schedule, total: int | float) -> Schedule:
    """Rescale a finite schedule's time so that it lasts ``total`` steps.

    Lets durations be written as proportions: ``fit(linear_ramp(0, 1, 3) >> cosine(1, 0, 7),
    10_000)`` warms up for 30% of 10,000 steps (as fastai's ``combine_scheds`` does).

    Example:
        >>> from schedalg import fit, hold, linear_ramp
        >>> s = fit(linear_ramp(0.0, 1.0, 1) >> hold(1.0, 3), 100)
        >>> s(25), s.duration
        (1.0, 100)
    """
    fn = "fit"
    d = _positive_duration(fn, schedule)
    tot = K.length(fn, "total", K.positive(fn, "total", total))
    factor = tot / d
    if not N.MIN_NORMAL <= factor <= N.MAX_VALUE:
        raise K.ArgumentValueError(
            fn,
            "total",
            total,
            f"{fn}(): total / duration = {factor!r} is out of range, got total={total!r} "
            f"and a schedule of duration {d!r}",
        )
    return scale_time(schedule, _whole(Fraction(tot) / Fraction(d)))


class Take(_TimeMap, name="take"):
    steps: Any = F.static(doc="the steps kept")

    def _duration(self) -> int | float | None:
        return self.steps  # type: ignore[no-any-return]

    def _end_value(self) -> Any:
        return self.schedule(self.steps)

    def _py(self, t: int | float) -> Any:
        n = self.steps
        return self.schedule._py(t if t < n else n)

    def _xp(self, t: Any, xp: Any) -> Any:
        t, n = _with_const(t, self.steps, xp)
        return self.schedule._xp(xp.minimum(t, n), xp)


@F.constructs(Take)
def take(schedule: Schedule, steps: int | float) -> Schedule:
    """The first ``steps`` steps of a schedule, then its value at ``steps`` held.

    Formula: ``s(t) = schedule(min(t, steps))``; the duration is ``steps``. Cuts an infinite or
    longer schedule to a piece of ``concat`` (a scheduler that is switched off at a milestone),
    or stretches a shorter one with its end value. Unlike a primitive's end (the limit at
    ``u -> 1``), the held value is the schedule's own value at ``steps``.

    Example:
        >>> from schedalg import exp, hold, take
        >>> s = take(exp(1.0, rate=0.5), 3) >> hold(5.0)
        >>> s(2), s(3), take(exp(1.0, rate=0.5), 3)(10)
        (0.25, 5.0, 0.125)
    """
    fn = "take"
    _need_schedule(fn, schedule)
    n = K.length(fn, "steps", steps)
    if n < 0:
        raise K.ArgumentValueError(
            fn, "steps", steps, f"{fn}(): steps must be >= 0, got steps={steps!r}"
        )
    return Take._make(schedule=schedule, steps=n)


class Warp(_TimeMap, name="warp"):
    power: Any = F.static(doc="the exponent of the progress")

    def _duration(self) -> int | float | None:
        return self.schedule.duration

    def _py(self, t: int | float) -> Any:
        d = self.schedule.duration
        if d is None:  # (warp checks that the schedule is finite)
            raise AssertionError("warp of an infinite schedule")
        if t >= d:
            return self.schedule._py(d)
        return self.schedule._py(d * (t / d) ** self.power)

    def _xp(self, t: Any, xp: Any) -> Any:
        from ._lower import _safe_pow

        d = self.schedule.duration
        if t.dtype.kind in "iu":
            t = t.astype(xp.result_type(float))
        x = xp.minimum(t, d) / d
        return self.schedule._xp(d * _safe_pow(xp, x, float(self.power)), xp)


@F.constructs(Warp)
def warp(schedule: Schedule, power: float) -> Schedule:
    """Warp time by a power: the schedule runs at progress ``u ** power`` instead of ``u``.

    Formula: with ``d`` the duration, ``s(t) = schedule(d * (t / d) ** power)`` for t < d.
    ``warp(linear_ramp(a, b, n), 0.5)`` is the "1 - sqrt" decay of WSD schedules;
    ``warp(cosine(...), k)`` is timm's ``k_decay``.

    Example:
        >>> from schedalg import linear_ramp, warp
        >>> warp(linear_ramp(0.0, 1.0, 100), 0.5)(25)
        0.5
    """
    fn = "warp"
    _positive_duration(fn, schedule)
    p = K.positive(fn, "power", power)
    if p == 1:
        return schedule
    return Warp._make(schedule=schedule, power=p)
