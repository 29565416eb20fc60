"""Checks shared by the combinators' constructors: value ranges, gradient bounds, time fits."""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction
from typing import Any, TypeVar

import numpy as np

from . import _checks as K
from . import _namespaces as N
from ._primitives import MAX_GRADIENT
from ._schedule import Schedule

_S = TypeVar("_S", bound=Schedule)


def _checked(fn: str, node: _S, got: str | Callable[[], str]) -> _S:
    """``node`` if its duration and its (conservative) value range are finite and in bounds.

    Durations stay within 2**62 steps and values within +-1e30 (inside float32's range, in which JAX
    computes), so no backend overflows while evaluating a schedule that was built.
    """
    try:
        d = node.duration
    except OverflowError:
        d = math.inf
    if d is not None and not d <= N.MAX_STEPS:
        raise K.ArgumentValueError(
            fn, None, None, f"{fn}(): the duration would exceed 2**62 steps, got {_got(got)}"
        )
    try:
        rng = node._range()
    except (OverflowError, ZeroDivisionError):
        rng = (-math.inf, math.inf)
    if rng is not None and not (-N.MAX_VALUE <= rng[0] and rng[1] <= N.MAX_VALUE):
        raise K.ArgumentValueError(
            fn,
            None,
            None,
            f"{fn}(): the values could reach {max(abs(rng[0]), abs(rng[1])):g}, beyond "
            f"{N.MAX_VALUE:g} (values and gradients stay in float32's range), got {_got(got)}",
        )
    if rng is not None:
        g = _gain(node)
        if not g <= MAX_GRADIENT:
            raise K.ArgumentValueError(
                fn,
                None,
                None,
                f"{fn}(): gradients with respect to the leaves could reach {g:g}, beyond "
                f"{MAX_GRADIENT:g} (a product of factors of very different sizes), got {_got(got)}",
            )
    return node


#: Smallest divisor magnitude: JAX's gradient of a / b forms b**2, which must stay a normal
#: float32 number (a smaller one flushes to 0 and the gradient to inf).
_MIN_DIVISOR = 2.0**-63


def _magnitude(s: Schedule) -> float:
    rng = s._range()
    assert rng is not None  # (checked nodes only: their ranges are concrete)
    lo, hi = rng
    return max(abs(lo), abs(hi))


def _gain(s: Schedule) -> float:
    """A bound on |d s(t) / d leaf| over the leaves of ``s`` (1 for a primitive, whose
    formula weighs each leaf by at most 1): the cotangent backpropagation carries to a leaf.
    A node that multiplies its operands' gains (a product, a quotient) says how in
    ``_own_gain``; any other node passes on the largest gain of its ``_gain_children``.
    Needs concrete ranges (checked nodes only)."""
    own = getattr(s, "_own_gain", None)
    if own is not None:
        return s._cached("gain", own)  # type: ignore[no-any-return]
    children = s._gain_children()
    if not children:
        return 1.0
    return s._cached(
        "gain", lambda: max(1.0, *(_gain(c) for c in children))
    )


def _got(got: str | Callable[[], str]) -> str:
    """The "got ..." part of a message, formatted only when an error is raised."""
    return got if isinstance(got, str) else got()


def _fits(t: Any, n: Any) -> bool:
    """True when ``n`` is a Python int that the integer array ``t``'s dtype can hold."""
    if type(n) is not int or t.dtype.kind not in "iu":
        return False
    info = np.iinfo(np.dtype(t.dtype.name))
    return bool(info.min <= n <= info.max)


def _with_const(t: Any, n: Any, xp: Any) -> tuple[Any, Any]:
    """``(t, n)`` ready for array arithmetic together.

    An int ``n`` stays an int (exact integer arithmetic) only where ``t`` is an integer array
    whose dtype holds it; otherwise both become floats (JAX refuses a Python int beyond its
    int32 or float32 operand's range: ``int32 t - 2**40`` is an error, not a promotion).
    """
    if _fits(t, n):
        return t, n
    if t.dtype.kind in "iu":
        t = t.astype(xp.result_type(float))
    return t, float(n)


def _need_schedule(fn: str, schedule: Any) -> None:
    if not isinstance(schedule, Schedule):
        raise K.ArgumentTypeError(
            fn,
            "schedule",
            schedule,
            f"{fn}(): schedule must be a schedule, got schedule={schedule!r}",
        )


def _whole(x: int | float | Fraction) -> int | float:
    """An exact number as a static time: an int when it is a whole number, else the nearest
    float64 (an int again if that float is whole: the number is within float64 rounding of
    it). No tolerance beyond that rounding, so 500000000.5 stays 500000000.5."""
    if type(x) is int:
        return x
    if type(x) is float:
        return int(x) if x.is_integer() else x
    fr = Fraction(x)
    if fr.denominator == 1:
        return int(fr)
    f = float(fr)
    return int(f) if f.is_integer() else f


def _add_time(a: int | float, b: int | float) -> int | float:
    """``a + b`` for static times: exact for ints, else rounded once by ``_whole``."""
    if type(a) is int and type(b) is int:
        return a + b
    return _whole(Fraction(a) + Fraction(b))
