"""Pointwise powers and exponentials of schedules: ``s ** p``, ``c ** s``, ``exp_of(s)``.

Each is refused at construction where its values, or its gradients with respect to the
leaves, could leave float32's range (the same guarantee as the rest of the algebra: see
the Limits table in docs/concepts.md), judged from the operand's conservative value range.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from . import _checks as K
from . import _fields as F
from . import _namespaces as N
from ._arithmetic import _known
from ._node_checks import _checked, _gain
from ._primitives import MAX_GRADIENT, as_schedule, each
from ._schedule import PREC_ATOM, PREC_NEG, Schedule, fmt_number, short_repr

__all__ = ["exp_of", "power"]

#: ``**`` binds tighter than unary minus on its left only; printed operands use these levels.
PREC_POW = PREC_NEG


def _pointwise_duration(a: Schedule) -> int | float | None:
    from ._arithmetic import _pointwise_duration as pd

    return pd((a,))


def _settled(a: Schedule) -> Any:
    return a.end_value if a.duration is not None else a(0)


class Power(Schedule, name="power"):
    """``a(t) ** power``, ``power`` a static number."""

    _prec = PREC_POW
    _pointwise_node = True
    a: Schedule = F.child(doc="the base, a schedule")
    b = F.static(doc="the exponent, a number", kind="schedule", attr="power")
    power: float

    def _duration(self) -> int | float | None:
        return _pointwise_duration(self.a)

    def _end_value(self) -> Any:
        return _settled(self.a) ** self.power

    def _compute_range(self) -> tuple[float, float]:
        lo, hi = _known(self.a)
        p = self.power
        cands = [lo**p, hi**p]
        if lo < 0 < hi and p > 0:
            cands.append(0.0)
        return float(min(cands)), float(max(cands))

    def _py(self, t: int | float) -> float:
        return self.a._py(t) ** self.power  # type: ignore[no-any-return]

    def _pyfn(self) -> Any:
        f, p = self.a._pyfn(), self.power
        return lambda t: f(t) ** p

    def _xp(self, t: Any, xp: Any) -> Any:
        v = self.a._xp(t, xp)
        p = self.power
        # An integral power as an int: exact for negative bases, and JAX's integer_pow.
        return v ** int(p) if float(p).is_integer() else v**p

    def _repr(self) -> str:
        return f"{self.a._repr_in(PREC_ATOM)} ** {fmt_number(self.power)}"


class RPow(Schedule, name="power"):
    """``base ** a(t)``, ``base > 0`` a leaf."""

    _prec = PREC_POW
    _pointwise_node = True
    a = F.leaf(doc="the base, a number > 0", kind="schedule", attr="base")
    b = F.child(doc="the exponent, a schedule", attr="exponent")
    base: Any
    exponent: Schedule

    def _duration(self) -> int | float | None:
        return _pointwise_duration(self.exponent)

    def _end_value(self) -> Any:
        return self.base ** _settled(self.exponent)

    def _compute_range(self) -> tuple[float, float]:
        lo, hi = _known(self.exponent)
        b = np.asarray(self.base, dtype=np.float64)
        with np.errstate(over="ignore"):
            cands = [b**lo, b**hi]
        return float(np.min(cands)), float(np.max(cands))

    def _py(self, t: int | float) -> float:
        return self.base ** self.exponent._py(t)  # type: ignore[no-any-return]

    def _pyfn(self) -> Any:
        f, c = self.exponent._pyfn(), self.base
        return lambda t: c ** f(t)

    def _xp(self, t: Any, xp: Any) -> Any:
        v = self.exponent._xp(t, xp)
        c = self.base
        # (a Python float's log in float64: JAX would round the base first)
        log_c = math.log(c) if type(c) is float else xp.log(c)
        return xp.exp(v * log_c)

    def _repr(self) -> str:
        return f"{fmt_number(self.base)} ** {self.exponent._repr_in(PREC_POW)}"


class ExpOf(Schedule, name="exp_of"):
    """``exp(a(t))``."""

    _pointwise_node = True
    schedule: Schedule = F.child(doc="the exponent")

    def _duration(self) -> int | float | None:
        return _pointwise_duration(self.schedule)

    def _end_value(self) -> Any:
        return math.exp(_settled(self.schedule)) if self._py_ok else np.exp(_settled(self.schedule))

    def _compute_range(self) -> tuple[float, float]:
        lo, hi = _known(self.schedule)
        return math.exp(lo), (math.exp(hi) if hi < 700 else math.inf)

    def _py(self, t: int | float) -> float:
        return math.exp(self.schedule._py(t))

    def _pyfn(self) -> Any:
        f, e = self.schedule._pyfn(), math.exp
        return lambda t: e(f(t))

    def _xp(self, t: Any, xp: Any) -> Any:
        return xp.exp(self.schedule._xp(t, xp))

    def _repr_args(self) -> list[str]:
        return [repr(self.schedule)]


def _gradient_check(fn: str, node: Schedule, bound: float, got: str) -> Any:
    """Store the bound on the gradient with respect to the leaves (``_gain``), refusing it
    beyond ``MAX_GRADIENT``; then the usual duration and range checks."""
    if not bound <= MAX_GRADIENT:
        raise K.ArgumentValueError(
            fn,
            None,
            None,
            f"{fn}(): gradients with respect to the leaves could reach {bound:g}, beyond "
            f"{MAX_GRADIENT:g}, got {got}"
        )
    node._cache["gain"] = max(1.0, bound)
    return _checked(fn, node, got)


def _too_big(fn: str, top: float, got: str) -> ValueError:
    return K.ArgumentValueError(
        fn,
        None,
        None,
        f"{fn}(): the values could reach {top:g}, beyond {N.MAX_VALUE:g} (values and gradients "
        f"stay in float32's range), got {got}"
    )


def _schedule_power(fn: str, a: Schedule, p: Any) -> Schedule:
    pw = K.number(fn, "b", p)
    got = f"a={short_repr(a)}, b={p!r}"
    if pw == 1:
        return a
    integral = float(pw).is_integer()
    rng = a._range()
    if rng is None:  # traced leaves: unchecked
        return Power._make(a=a, power=float(pw))
    lo, hi = rng
    if not integral and lo < N.MIN_NORMAL:
        raise K.ArgumentValueError(
            fn,
            None,
            None,
            f"{fn}(): a non-integral power needs a base that stays positive (at least "
            f"{N.MIN_NORMAL!r}), but the base's values span [{lo!r}, {hi!r}], got {got}"
        )
    if pw < 0 and lo < 2.0**-63 and hi > -(2.0**-63):
        raise K.ArgumentValueError(
            fn,
            None,
            None,
            f"{fn}(): a negative power needs a base whose values exclude 0 (and numbers below "
            f"2**-63), but they span [{lo!r}, {hi!r}], got {got}"
        )
    mags = [abs(lo), abs(hi)]
    if lo < 0 < hi:
        mags.append(0.0)
    try:
        top = max(m**pw for m in mags if m > 0 or pw > 0)
        # d (x ** p) / dx = p x ** (p - 1): largest at an end of the range of |x|
        slope = max(abs(pw) * m ** (pw - 1) for m in mags if m > 0 or pw >= 1)
    except (OverflowError, ZeroDivisionError):
        raise _too_big(fn, math.inf, got) from None
    if not top <= N.MAX_VALUE:
        raise _too_big(fn, top, got)
    return _gradient_check(fn, Power._make(a=a, power=float(pw)), slope * _gain(a), got)  # type: ignore[no-any-return]


def _number_power(fn: str, c: Any, a: Schedule) -> Schedule:
    base = K.value(fn, "a", c)
    got = f"a={c!r}, b={short_repr(a)}"
    arr = each(base)
    if arr is not None and not np.all(arr >= N.MIN_NORMAL):
        raise K.ArgumentValueError(
            fn,
            None,
            None,
            f"{fn}(): a number raised to a schedule must be positive (at least "
            f"{N.MIN_NORMAL!r}), got a={c!r}"
        )
    rng = a._range()
    if rng is None or arr is None:
        return RPow._make(base=base, exponent=a)
    lo, hi = rng
    with np.errstate(over="ignore", divide="ignore"):
        vals = np.concatenate([np.ravel(arr**lo), np.ravel(arr**hi)])
        top = float(np.max(vals))
        if not top <= N.MAX_VALUE:
            raise _too_big(fn, top, got)
        # d / d exponent = c ** v * log c; d / d c = v * c ** (v - 1) = v * c ** v / c
        log_c = float(np.max(np.abs(np.log(arr))))
        per_c = max(abs(lo), abs(hi)) * top / float(np.min(arr))
    return _gradient_check(  # type: ignore[no-any-return]
        fn, RPow._make(base=base, exponent=a), max(_gain(a) * top * log_c, per_c), got
    )


@F.constructs(Power)
def power(a: Any, b: Any) -> Schedule:
    """Pointwise power: ``s(t) = a(t) ** b`` or ``s(t) = a ** b(t)``. ``a ** b``.

    Two forms, one of them a number:

    * ``s ** p`` (``p`` a number, static like ``poly``'s power): a base whose values may be
      negative or 0 needs an integral ``p`` (and ``p > 0`` if it reaches 0);
    * ``c ** s`` (``c > 0`` a number, a leaf): ``exp(s(t) * log(c))``. Seed 000's decay
      ``lr = lr ** 1.0001`` applied once per step is ``lr0 ** exp(1.0, rate=1.0001, steps=n)``
      in closed form.

    Refused at construction when the values could exceed 1e30 in magnitude, or the gradient
    with respect to a leaf could exceed 1e36 (judged from the operands' value ranges).
    A schedule raised to a schedule is refused: write ``exp_of(b * ...)`` with the log of the
    base's values as a schedule.

    Example:
        >>> from schedalg import linear_ramp
        >>> s = linear_ramp(1.0, 3.0, 2) ** 2
        >>> s(0), s(1), s(2)
        (1.0, 4.0, 9.0)
        >>> (0.5 ** linear_ramp(0.0, 2.0, 2))(1)
        0.5
    """
    fn = "power"
    if isinstance(a, Schedule) and isinstance(b, Schedule):
        raise K.ArgumentTypeError(
            fn,
            None,
            None,
            f"{fn}(): one of base and exponent must be a number, got a={short_repr(a)}, "
            f"b={short_repr(b)}; a schedule to a schedule's power is exp_of(b * log of a)"
        )
    if isinstance(a, Schedule):
        return _schedule_power(fn, a, b)
    if isinstance(b, Schedule):
        return _number_power(fn, a, b)
    # two numbers: a constant schedule
    return _schedule_power(fn, as_schedule(fn, "a", a), b)


@F.constructs(ExpOf)
def exp_of(schedule: Any) -> Schedule:
    """Pointwise exponential of a schedule: ``s(t) = exp(schedule(t))``.

    Not to be confused with the primitive ``exp(start, end, steps)`` (a geometric segment).
    Refused at construction when the values could exceed 1e30 (``schedule`` above about 69).

    Example:
        >>> from schedalg import exp_of, linear_ramp
        >>> exp_of(linear_ramp(0.0, 1.0, 1))(5)
        2.718281828459045
    """
    fn = "exp_of"
    a = as_schedule(fn, "schedule", schedule)
    rng = a._range()
    got = f"schedule={short_repr(a)}"
    if rng is None:
        return ExpOf._make(schedule=a)
    top = math.exp(rng[1]) if rng[1] < 700 else math.inf
    if not top <= N.MAX_VALUE:
        raise _too_big(fn, top, got)
    return _gradient_check(fn, ExpOf._make(schedule=a), _gain(a) * top, got)  # type: ignore[no-any-return]


