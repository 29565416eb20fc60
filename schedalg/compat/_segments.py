"""Small builders the compat modules share: a segment of any length, a chain of pieces."""

from __future__ import annotations

from .._concat import concat
from .._primitives import cosine, linear_ramp
from .._schedule import Schedule
from .._time_maps import scale_time


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
