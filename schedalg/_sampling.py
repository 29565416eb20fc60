"""Choosing the step range to show and sampling schedules on it (shared by the plots and CLI)."""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np

from . import _checks as K
from ._schedule import Schedule


def check_schedules(fn: str, schedules: Sequence[Any]) -> tuple[Schedule, ...]:
    """The positional schedules of a plotting function, checked."""
    if not schedules:
        raise K.ArgumentTypeError(
            fn, "schedules", schedules, f"{fn}(): give at least one schedule, got none"
        )
    for i, s in enumerate(schedules):
        if not isinstance(s, Schedule):
            raise K.ArgumentTypeError(
                fn,
                "schedules",
                s,
                f"{fn}(): schedules must be schedules, got schedules[{i}]={s!r} "
                f"(build one with schedalg.hold, schedalg.cosine, ... or schedalg.parse)",
                index=i,
            )
    return tuple(schedules)


def check_labels(fn: str, labels: Any, n: int) -> list[str] | None:
    """``labels``: None, or one string per schedule."""
    if labels is None:
        return None
    if isinstance(labels, str):
        labels = [labels]
    labels = list(labels)
    if len(labels) != n:
        raise K.ArgumentValueError(
            fn,
            "labels",
            labels,
            f"{fn}(): labels must have one entry per schedule, got {len(labels)} labels "
            f"for {n} schedules",
        )
    return [str(x) for x in labels]


def horizon(fn: str, schedules: Sequence[Schedule], steps: Any) -> int | float:
    """The last step to show: ``steps`` if given, else the longest finite duration.

    A schedule that is infinite everywhere has no natural end; the caller must then choose.
    """
    if steps is not None:
        if isinstance(steps, bool) or not isinstance(steps, numbers.Real):
            raise K.bad_type(fn, "steps", steps, "must be a positive number")
        if not math.isfinite(steps) or steps <= 0:
            raise K.bad_value(fn, "steps", steps, "must be a positive number")
        x = float(steps)
        return int(x) if x.is_integer() else x
    finite = [s.duration for s in schedules if s.duration is not None]
    if not finite:
        raise K.ArgumentTypeError(
            fn,
            "steps",
            None,
            f"{fn}(): the schedule never ends (duration None); pass steps=N to choose the range",
        )
    return max(max(finite), 1)


def sample_times(s: Schedule, steps: int | float, points: int) -> np.ndarray:
    """Times on ``[0, steps]`` that show ``s``: ``points`` evenly spaced times, plus every
    whole step when there are at most ``points`` of them, else plus the schedule's
    breakpoints and the step before each (so that a jump is drawn where it happens)."""
    ts = np.linspace(0.0, float(steps), points)
    if steps + 1 <= points:
        extra = np.arange(0, math.floor(steps) + 1, dtype=np.float64)
    else:
        m = np.asarray([b for b in breakpoints(s, steps) if 0 < b < steps], dtype=np.float64)
        extra = np.concatenate([m, np.maximum(m - 1, 0.0)])
    return np.union1d(ts, extra)


def sample(s: Schedule, steps: int | float, points: int) -> tuple[np.ndarray, np.ndarray]:
    """(t, s(t)) at the ``sample_times``."""
    ts = sample_times(s, steps, points)
    return ts, np.asarray(s(ts), dtype=np.float64)


# More breakpoints than this in the range are not marked: they would fill the plot.
MAX_MARKS = 64


def breakpoints(s: Schedule, steps: int | float) -> list[int | float]:
    """Where segments and cycles of ``s`` begin strictly inside ``(0, steps)``; none when
    there are more than ``MAX_MARKS`` of them."""
    marks = [b for b in s.breakpoints(limit=MAX_MARKS + 2) if 0 < b < steps]
    return marks if len(marks) <= MAX_MARKS else []


def short_label(s: Schedule, width: int) -> str:
    """``repr(s)`` cut to ``width`` characters with an ellipsis."""
    r = repr(s)
    return r if len(r) <= width else r[: max(width - 1, 1)] + "…"
