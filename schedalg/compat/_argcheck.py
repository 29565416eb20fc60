"""Argument checks and small builders shared by the compat modules.

Errors name the peer function, the argument and the value, as the core's do:
``StepLR(): step_size must be an int >= 1, got step_size=0``.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

from .._combinators import concat, scale_time
from .._primitives import cosine, linear_ramp
from .._schedule import Schedule


def count(fn: str, name: str, x: Any, minimum: int | None = 0) -> int:
    """An int (an integral float is accepted) >= ``minimum`` (None: any int)."""
    bound = "" if minimum is None else f" >= {minimum}"
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"{fn}(): {name} must be an int{bound}, got {name}={x!r}")
    if isinstance(x, numbers.Integral):
        n = int(x)
    elif math.isfinite(float(x)) and float(x).is_integer():
        n = int(float(x))
    else:
        raise ValueError(f"{fn}(): {name} must be an int{bound}, got {name}={x!r}")
    if minimum is not None and n < minimum:
        raise ValueError(f"{fn}(): {name} must be an int{bound}, got {name}={x!r}")
    return n


def real(fn: str, name: str, x: Any) -> float:
    """A finite real number, as a float."""
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"{fn}(): {name} must be a real number, got {name}={x!r}")
    if not math.isfinite(float(x)):
        raise ValueError(f"{fn}(): {name} must be finite, got {name}={x!r}")
    return float(x)


def positive(fn: str, name: str, x: Any) -> float:
    v = real(fn, name, x)
    if not v > 0:
        raise ValueError(f"{fn}(): {name} must be > 0, got {name}={x!r}")
    return v


def length(fn: str, name: str, x: Any) -> int | float:
    """A positive length in steps that may be fractional (kept an int when integral)."""
    v = positive(fn, name, x)
    return int(v) if v.is_integer() else v


def choice(fn: str, name: str, x: object, options: tuple[str, ...]) -> str:
    for option in options:
        if x == option:
            return option
    raise ValueError(f"{fn}(): {name} must be one of {options!r}, got {name}={x!r}")


def schedule_list(fn: str, name: str, xs: Any, show_empty: bool = True) -> list[Schedule]:
    """A non-empty list of schedules (``show_empty``: the empty error repeats the value)."""
    scheds = list(xs)
    if not scheds:
        got = f", got {name}={xs!r}" if show_empty else ""
        raise ValueError(f"{fn}(): {name} must not be empty{got}")
    for i, s in enumerate(scheds):
        if not isinstance(s, Schedule):
            raise TypeError(f"{fn}(): {name}[{i}] must be a schedule, got {s!r}")
    return scheds


def switch_steps(
    fn: str, name: str, xs: Any, minimum: int | None, scheds_name: str, n_scheds: int
) -> list[int]:
    """The non-decreasing steps at which ``n_scheds`` schedules hand over, one per handover."""
    steps = [count(fn, f"{name}[{i}]", x, minimum) for i, x in enumerate(xs)]
    if len(steps) != n_scheds - 1:
        raise ValueError(
            f"{fn}(): {name} must have one entry fewer than {scheds_name}, got "
            f"len({name})={len(steps)}, len({scheds_name})={n_scheds}"
        )
    for i in range(1, len(steps)):
        if steps[i] < steps[i - 1]:
            raise ValueError(f"{fn}(): {name} must be non-decreasing, got {name}={steps}")
    return steps


def segment(kind: str, start: float, end: float, steps: int | float) -> Schedule:
    """A linear or cosine segment over ``steps`` steps, which may be a fractional count.

    A fractional length is the one-step primitive stretched by ``scale_time``, so the
    progress is still ``u = t / steps``.
    """
    make = linear_ramp if kind == "linear" else cosine
    if isinstance(steps, int) or float(steps).is_integer():
        return make(start, end, int(steps))
    return scale_time(make(start, end, 1), steps)


def chain(pieces: list[Schedule]) -> Schedule:
    return concat(*pieces) if len(pieces) > 1 else pieces[0]
