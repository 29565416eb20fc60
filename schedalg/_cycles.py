"""``repeat`` and ``scale_by_cycle``: cycles in closed form (SGDR restarts, cyclical rates)."""

from __future__ import annotations

import bisect
import itertools
import math
from fractions import Fraction
from typing import Any

import numpy as np

from . import _checks as K
from . import _fields as F
from . import _namespaces as N
from ._lower import Locator, interval_plan
from ._node_checks import _checked, _fits, _need_schedule, _whole
from ._primitives import each, value_span
from ._schedule import (
    Schedule,
)

# -- repeat and scale_by_cycle -------------------------------------------------------------------

# How many cycle starts of a stretched repeat are tabulated exactly; later ones (only for
# stretch barely above 1) come from the closed form.
_MAX_CYCLE_TABLE = 10_000
# Up to this many cycles, a stretched repeat locates t by compares and selects (no gathers).
_CYCLE_SELECT_MAX = 16
_TABLE_HORIZON = 2**62


def _cycle_starts(d: int | float, r: float, limit: int, horizon: float | None) -> list[int | float]:
    """Starts ``S_1 .. S_limit`` (after ``S_0 = 0``) of cycles of lengths ``d * r**k``,
    stopping early past ``horizon``. A start that is a whole number is an exact int.

    ``r = p / q`` and ``d`` are dyadic rationals, so the starts are computed exactly over one
    growing power-of-two denominator (``S_k = num / den``) and rounded once. Once ``den``
    exceeds ``d``'s own denominator by 2**1100, no later start can be whole (``S_k`` is ``d``
    times an odd number over ``q**(k-1)``, and ``d <= 2**62``): the rest accumulate in
    float64, as every backend's closed form does beyond the table.
    """
    p, q = r.as_integer_ratio()
    dp, dq = Fraction(d).as_integer_ratio()
    num, length, den = 0, dp, dq
    exact_until = dq << 1100
    starts: list[int | float] = [0]
    while len(starts) <= limit:
        num += length
        starts.append(num // den if num % den == 0 else _whole(num / den))
        if horizon is not None and starts[-1] > horizon:
            return starts
        if den > exact_until:
            break
        num, length, den = num * q, length * p, den * q
    at, flen = num / den, length / den * r
    while len(starts) <= limit:
        at += flen
        flen *= r
        starts.append(_whole(at))
        if horizon is not None and at > horizon:
            break
    return starts


class Repeat(Schedule, name="repeat"):
    schedule: Schedule = F.child(doc="one cycle")
    times: int | None = F.static(None, doc="the number of cycles; None: forever")
    stretch: float = F.static(1.0, doc="each cycle's length over the previous one's")

    @property
    def _base(self) -> int | float:
        """The cycle length (a repeated schedule is finite: ``repeat`` checks it)."""
        d = self.schedule.duration
        if d is None:
            raise AssertionError("repeat of an infinite schedule")
        return d

    def _cycle_table(self) -> tuple[list[int | float], bool]:
        """Cycle starts S_0 .. S_m (exact where they fall on whole steps), and completeness."""

        def make() -> tuple[list[int | float], bool]:
            if self.times is not None:
                return _cycle_starts(self._base, float(self.stretch), self.times, None), True
            r = float(self.stretch)
            starts = _cycle_starts(self._base, r, _MAX_CYCLE_TABLE, _TABLE_HORIZON)
            return starts, starts[-1] > _TABLE_HORIZON

        return self._cached("cycles", make)

    def _duration(self) -> int | float | None:
        if self.times is None:
            return None
        if self.stretch == 1:
            return _whole(Fraction(self._base) * self.times)
        return self._cycle_table()[0][-1]

    def _end_value(self) -> Any:
        return self.schedule.end_value

    def _compute_range(self) -> tuple[float, float]:
        return self.schedule._range()  # type: ignore[return-value]

    # cycle location ---------------------------------------------------------------------------

    def _locate_py(self, t: int | float) -> tuple[int | float, int | float]:
        """(cycle k, local time) of ``t``. At ``t = inf`` every cycle is over: the last
        cycle of a finite repeat, ``k = inf`` for an infinite one, local time ``inf`` (so the
        repeated schedule gives its end value). ``k`` is a float where it passes 2**63."""
        d = self._base
        if t == math.inf or self.times == 1:
            return (math.inf if self.times is None else self.times - 1), t
        if self.stretch == 1:
            k, local = divmod(t, d)
            if self.times is not None and k >= self.times:
                k = self.times - 1
                local = t - k * d
            return (int(k) if k < 2**63 else k), local
        starts, complete = self._cycle_table()
        m = len(starts) - 1
        if t < starts[-1] or complete:
            k = min(bisect.bisect_right(starts, t) - 1, m - 1)
            length = starts[k + 1] - starts[k]
            return k, (t - starts[k]) * (d / length)
        # Beyond the table (stretch barely above 1, times=None): with y = 1 + t (r-1) / d,
        # cycle k = floor(log_r y) and local time d / (r-1) * (y / r**k - 1), in logs so
        # that neither y nor r**k overflows at t near 1e308.
        r = float(self.stretch)
        z = t * ((r - 1) / d)
        log_y = math.log1p(z) if z < math.inf else math.log(t) + math.log((r - 1) / d)
        k = max(math.floor(log_y / math.log(r)), m)
        local = d / (r - 1) * math.expm1(log_y - k * math.log(r))
        return k, min(max(local, 0.0), d)

    def _locate_xp(self, t: Any, xp: Any) -> tuple[Any, Any]:
        """``_locate_py`` on arrays; at ``t = inf`` an infinite repeat gives ``k = inf``."""
        if self.times == 1:  # one cycle, whatever the stretch: the schedule's own time
            return xp.zeros(t.shape, dtype=np.int32), t
        if self.times is not None or t.dtype.kind != "f":
            return self._locate_finite_xp(t, xp)
        at_inf = t == math.inf
        k, local = self._locate_finite_xp(t, xp)
        inf = xp.asarray(math.inf, dtype=local.dtype)
        return xp.where(at_inf, inf, k.astype(local.dtype)), xp.where(at_inf, inf, local)

    def _locate_finite_xp(self, t: Any, xp: Any) -> tuple[Any, Any]:
        d = self._base
        int_time = _fits(t, d)
        if t.dtype.kind == "f":
            # The cycle arithmetic runs on finite times (a finite repeat at t = inf is in its
            # last cycle, past its end either way; _locate_xp handles an infinite one).
            t = xp.minimum(t, float(np.finfo(np.dtype(t.dtype.name)).max))
        if self.stretch == 1:
            if type(d) is int and t.dtype.kind in "iu" and not int_time:
                # A cycle longer than t's dtype reaches: every integer t is in cycle 0.
                return xp.zeros_like(t), t
            if int_time:
                k = t // d
                if self.times is not None and _fits(t, self.times - 1):
                    # (an integer k below the dtype's maximum is below times - 1 beyond it)
                    k = xp.minimum(k, self.times - 1)
                return k, t - k * d
            t = t.astype(xp.result_type(float)) if t.dtype.kind in "iu" else t
            d = float(d)
            # fmod is exact; t - floor(t / d) * d rounds once t / d passes 2**53 (float64) or
            # 2**24 (float32), which would read a whole float time at the wrong phase.
            local = xp.fmod(t, d)
            k = xp.round((t - local) / d)
            if self.times is not None:
                last = float(self.times - 1)
                local = xp.where(k > last, t - last * d, local)
                k = xp.minimum(k, last)
            return k, local
        starts, complete = self._cycle_table()
        m = len(starts) - 1
        r = float(self.stretch)
        int_time = int_time and all(isinstance(s, int) for s in starts)
        ft = t.astype(xp.result_type(float)) if t.dtype.kind in "iu" else t
        scale_np = [d / (starts[i + 1] - starts[i]) for i in range(m)]
        if complete and (m <= _CYCLE_SELECT_MAX or r < 1):
            # A short (or shrinking) table of cycles: locate t as in a segment table, with
            # exact comparisons against the starts (no log estimate to correct).
            if int_time:
                # (cycles starting beyond the dtype's maximum are never reached)
                info = np.iinfo(np.dtype(t.dtype.name))
                cut = tuple(s for s in starts[:m] if s <= info.max)
                scale_np = scale_np[: len(cut)]
                dtype_name = t.dtype.name
            else:
                cut = tuple(float(s) for s in starts[:m])
                dtype_name = ft.dtype.name
                t = ft
            at = Locator(interval_plan(cut, dtype_name, _CYCLE_SELECT_MAX), t, xp)
            scale = np.asarray(scale_np, dtype=ft.dtype.name)
            start_k = at(np.asarray(cut, dtype=dtype_name))
            return at.seg, (t - start_k) * at(scale)
        arg = ft * ((r - 1) / d)
        if r < 1:  # shrinking cycles end at d / (1 - r); past it arg < -1 and log1p is NaN
            arg = xp.maximum(arg, -1.0 + 1e-12)
        k = xp.floor(xp.log1p(arg) / math.log(r))
        k = xp.clip(k, 0, m - 1).astype(np.int32)
        if int_time:
            info = np.iinfo(np.dtype(t.dtype.name))
            table = np.asarray([min(s, info.max) for s in starts], dtype=t.dtype.name)
        else:
            table = np.asarray(starts, dtype=ft.dtype.name)
            t = ft
        # The estimate can be one cycle off where pow/log round; the exact table decides.
        k = k + (t >= xp.take(table, xp.minimum(k + 1, m))).astype(np.int32)
        k = k - (t < xp.take(table, k)).astype(np.int32)
        if int_time:  # the last cycle that an integer of t's dtype reaches
            k = xp.clip(k, 0, min(m, sum(s <= info.max for s in starts)) - 1)
        else:
            k = xp.clip(k, 0, m - 1)
        scale = np.asarray(scale_np, dtype=ft.dtype.name)
        local = (t - xp.take(table, k)) * xp.take(scale, k)
        if not complete:
            # Beyond the table: the log form of _locate_py (no overflow, no NaN at 1e308).
            beyond = ft >= float(starts[-1])
            z = ft * ((r - 1) / d)
            big = z > 1e15  # log1p(z) = log(z) to float64 rounding; z may overflow
            log_big = xp.log(xp.maximum(ft, 1.0)) + math.log((r - 1) / d)
            log_y = xp.where(big, log_big, xp.log1p(xp.where(big, 0.0, z)))
            kb = xp.maximum(xp.floor(log_y / math.log(r)), m)
            local_b = xp.clip(d / (r - 1) * xp.expm1(log_y - kb * math.log(r)), 0.0, d)
            k = xp.where(beyond, kb, k.astype(kb.dtype))  # a float count: it may pass 2**31
            local = xp.where(beyond, local_b, local)
        return k, local

    def _py(self, t: int | float) -> Any:
        return self.schedule._py(self._locate_py(t)[1])

    def _pyfn(self) -> Any:
        """``_py`` as a closure over the cycle table (same arithmetic as ``_locate_py``)."""
        f = self.schedule._pyfn()
        d, times = self._base, self.times
        if self.stretch == 1:
            if times is None:
                inf = math.inf  # t = inf: past every cycle, the schedule's end value
                return lambda t: f(divmod(t, d)[1] if t < inf else t)
            last = (times - 1) * d

            def g(t: int | float) -> Any:
                return f(t - last if t >= last else divmod(t, d)[1])

            return g
        starts, complete = self._cycle_table()
        if not complete:
            return self._py
        m = len(starts) - 1
        scales = [d / (starts[k + 1] - starts[k]) for k in range(m)]
        right = bisect.bisect_right

        def h(t: int | float) -> Any:
            k = min(right(starts, t) - 1, m - 1)
            return f((t - starts[k]) * scales[k])

        return h

    def _xp(self, t: Any, xp: Any) -> Any:
        return self.schedule._xp(self._locate_xp(t, xp)[1], xp)


@F.constructs(Repeat)
def repeat(schedule: Schedule, times: int | None = None, stretch: float = 1.0) -> Schedule:
    """Repeat a finite schedule, optionally stretching each cycle (SGDR's ``T_mult``).

    Formula: cycle ``k`` lasts ``d * stretch ** k`` steps (``d`` = the schedule's duration)
    and runs ``schedule`` at its local time divided by ``stretch ** k``. Cycle ``k`` starts
    at ``d * (stretch ** k - 1) / (stretch - 1)`` (``d * k`` for stretch 1), found in closed
    form, so a 10^9-step schedule costs what a 10-step one does. Starts that fall on whole
    steps are exact on every backend.

    Args:
        schedule: a finite schedule of positive duration.
        times: number of cycles (an int >= 1), or None to repeat forever.
        stretch: the cycle-length multiplier, > 0 (a float, as Keras and timm allow). Below 1
            it needs ``times``.

    Returns:
        The repeated schedule. ``repeat(s, times=1)`` takes the values of ``s`` but stays a
        repeat of one cycle, so ``scale_by_cycle`` applies to it (and to its cycle, never to
        cycles inside ``s``).

    Example:
        >>> from schedalg import linear_ramp, repeat
        >>> s = repeat(linear_ramp(1.0, 0.0, 10), stretch=2.0)
        >>> s(0), s(10), s(20), s(30)
        (1.0, 1.0, 0.5, 1.0)

    Reference: Loshchilov & Hutter, SGDR: Stochastic Gradient Descent with Warm Restarts (2017).
    """
    fn = "repeat"
    _need_schedule(fn, schedule)
    d = schedule.duration
    if d is None:
        raise K.ArgumentValueError(
            fn,
            "schedule",
            schedule,
            f"{fn}(): schedule must be finite, got the infinite {schedule!r}",
        )
    if d == 0:
        raise K.ArgumentValueError(
            fn,
            "schedule",
            schedule,
            f"{fn}(): schedule must have a positive duration, got {schedule!r}",
        )
    if d < N.MIN_NORMAL:
        raise K.ArgumentValueError(
            fn,
            "schedule",
            schedule,
            f"{fn}(): cycles of duration {d!r} are too short (at least {N.MIN_NORMAL!r}), "
            f"got {schedule!r}",
        )
    n = K.steps(fn, "times", times, allow_none=True)
    if n is not None and n < 1:
        raise K.ArgumentValueError(
            fn, "times", times, f"{fn}(): times must be >= 1 or None, got times={times!r}"
        )
    r = K.positive(fn, "stretch", stretch)
    if r < 1 and n is None:
        raise K.ArgumentValueError(
            fn,
            "stretch",
            stretch,
            f"{fn}(): stretch < 1 shrinks cycles towards zero length; give times, "
            f"got stretch={stretch!r}, times=None",
        )
    if r != 1 and n is not None and n > _MAX_CYCLE_TABLE:
        raise K.ArgumentValueError(
            fn,
            "times",
            times,
            f"{fn}(): a stretched repeat has at most {_MAX_CYCLE_TABLE} cycles (or times=None), "
            f"got times={times!r}, stretch={stretch!r}",
        )
    node = _checked(
        fn,
        Repeat._make(schedule=schedule, times=n, stretch=float(r)),
        f"times={times!r}, stretch={stretch!r}, duration {d!r}",
    )
    if r != 1:
        # Every cycle must be longer than 0 in float64, with a finite scale d / length.
        starts = node._cycle_table()[0]
        for a, b in itertools.pairwise(starts):
            if not (b > a and d / (b - a) <= N.MAX_VALUE):
                raise K.ArgumentValueError(
                    fn,
                    None,
                    None,
                    f"{fn}(): cycles become too short to place (shorter than the rounding of "
                    f"their start times), got times={times!r}, "
                    f"stretch={stretch!r} and a schedule of duration {d!r}",
                )
    return node


class ScaleByCycle(Schedule, name="scale_by_cycle"):
    schedule: Repeat = F.child(doc="a repeat")
    factor: Any = F.leaf(doc="cycle k is scaled by factor ** k")
    floor: Any = F.leaf(0.0, doc="the value the scaling approaches")

    def _duration(self) -> int | float | None:
        return self.schedule.duration

    def _end_value(self) -> Any:
        rep = self.schedule
        # (a scaled repeat is finite: scale_by_cycle checks it)
        return self._py_or_xp_end(rep.times - 1, rep.schedule.end_value)  # type: ignore[operator]

    def _py_or_xp_end(self, k: int, v: Any) -> Any:
        return self.floor + (v - self.floor) * self.factor**k

    def _compute_range(self) -> tuple[float, float]:
        lo, hi = self.schedule._range()  # type: ignore[misc]
        f, fl = self.factor, self.floor
        if type(f) is float and type(fl) is float:
            if self.schedule.times is None:
                far_lo = far_hi = fl if f < 1 else None
            else:
                kmax = self.schedule.times - 1
                far_lo, far_hi = fl + (lo - fl) * f**kmax, fl + (hi - fl) * f**kmax
            cands = [lo, hi] + [x for x in (far_lo, far_hi) if x is not None]
            return min(cands), max(cands)
        # Array leaves: the same candidates element by element.
        f, fl = np.asarray(f, dtype=np.float64), np.asarray(fl, dtype=np.float64)
        if self.schedule.times is None:
            return value_span(lo, hi, np.where(f < 1, fl, lo))
        with np.errstate(over="ignore", invalid="ignore"):
            fk = f ** float(self.schedule.times - 1)
            return value_span(lo, hi, fl + (lo - fl) * fk, fl + (hi - fl) * fk)

    def _py(self, t: int | float) -> Any:
        k, local = self.schedule._locate_py(t)
        v = self.schedule.schedule._py(local)
        return self.floor + (v - self.floor) * self.factor**k

    def _xp(self, t: Any, xp: Any) -> Any:
        rep = self.schedule
        k, local = rep._locate_xp(t, xp)
        v = rep.schedule._xp(local, xp)
        kf = k.astype(xp.result_type(v, float))
        # A count beyond the float range (t = inf) is capped: factor**k is then its limit,
        # 0 or 1, never inf * log(1) = NaN.
        kf = xp.minimum(kf, float(np.finfo(np.dtype(kf.dtype.name)).max))
        f = self.factor
        # (a Python float's log in float64: JAX would round the factor first)
        log_f = math.log(f) if type(f) is float else xp.log(f)
        scale = xp.exp(kf * log_f)
        if rep.times is None and t.dtype.kind == "f":
            # t = inf: the limit of factor**k, with no gradient through a huge k.
            limit = xp.where(self.factor < 1, 0.0, 1.0)
            scale = xp.where(t == math.inf, limit.astype(scale.dtype), scale)
        return self.floor + (v - self.floor) * scale


@F.constructs(ScaleByCycle)
def scale_by_cycle(schedule: Schedule, factor: Any, floor: Any = 0.0) -> Schedule:
    """Scale each cycle of a repeated schedule by a power of ``factor``, towards ``floor``.

    Formula: in cycle ``k``, ``s(t) = floor + (v - floor) * factor ** k`` with ``v`` the
    repeated schedule's value. This is CLR's triangular2 (factor 1/2), SGDR's ``m_mul``
    and timm's ``cycle_decay``.

    Args:
        schedule: a ``repeat(...)``.
        factor: the per-cycle multiplier, > 0; at most 1 when the repeat is infinite.
        floor: the value the cycles are scaled towards.

    Example:
        >>> from schedalg import repeat, scale_by_cycle, triangle
        >>> s = scale_by_cycle(repeat(triangle(0.0, 1.0, 4)), 0.5)
        >>> s(2), s(6), s(10)
        (1.0, 0.5, 0.25)
    """
    fn = "scale_by_cycle"
    if not isinstance(schedule, Repeat):
        raise K.ArgumentTypeError(
            fn,
            "schedule",
            schedule,
            f"{fn}(): schedule must be a repeat(...) (cycles are what it scales), "
            f"got schedule={schedule!r}",
        )
    f = K.value(fn, "factor", factor)
    fl = K.value(fn, "floor", floor)
    fa = each(f)  # element by element for an array; None (unchecked) when traced
    if fa is not None:
        if not np.all(fa > 0):
            raise K.ArgumentValueError(
                fn, "factor", factor, f"{fn}(): factor must be > 0, got factor={factor!r}"
            )
        if not np.all(fa >= N.MIN_NORMAL):
            raise K.ArgumentValueError(
                fn,
                "factor",
                factor,
                f"{fn}(): factor must be at least {N.MIN_NORMAL!r} (float32's smallest normal "
                f"number), got factor={factor!r}",
            )
        if np.any(fa > 1) and schedule.times is None:
            raise K.ArgumentValueError(
                fn,
                "factor",
                factor,
                f"{fn}(): factor > 1 on an infinite repeat grows without bound, "
                f"got factor={factor!r}; give the repeat times",
            )
        with np.errstate(over="ignore"):
            # (growth, factor > 1, is refused above on an infinite repeat)
            k = (schedule.times or 1) - 1
            top = np.max(fa) ** float(k) if np.any(fa > 1) else 1.0
        if not math.isfinite(top):
            raise K.ArgumentValueError(
                fn,
                "factor",
                factor,
                f"{fn}(): factor ** times overflows, got factor={factor!r}, times={schedule.times}",
            )
    return _checked(
        fn,
        ScaleByCycle._make(schedule=schedule, factor=f, floor=fl),
        f"factor={factor!r}, floor={floor!r}",
    )
