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
    """``repr(s)`` in at most ``width`` characters, shortened without cutting a word."""
    return short_form(repr(s), width)


_OPEN, _CLOSE = "([", ")]"


def _elide(text: str, depth: int) -> str:
    """``text`` with the contents of brackets nested ``depth`` deep or more replaced by ``…``."""
    out: list[str] = []
    level = 0
    for ch in text:
        if ch in _CLOSE:
            level -= 1
            if level == depth - 1:
                out.append("…")
        if level < depth:
            out.append(ch)
        if ch in _OPEN:
            level += 1
    return "".join(out)


def short_form(text: str, width: int) -> str:
    """An expression in at most ``width`` characters (about), never cut inside a word.

    Arguments are elided from the innermost brackets outwards (``take(cosine(…) >> …)``,
    then ``take(…)``); a long ``>>`` chain keeps its first pieces and ends in ``>> …``; as a
    last resort the text is cut at a space or bracket, before ``…``.
    """
    if len(text) <= width:
        return text
    level, deepest = 0, 0
    for ch in text:
        level += (ch in _OPEN) - (ch in _CLOSE)
        deepest = max(deepest, level)
    for depth in range(deepest, 0, -1):
        shorter = _elide(text, depth)
        if len(shorter) <= width:
            return shorter
    shorter = _elide(text, 1)
    pieces = shorter.split(" >> ")
    for k in range(len(pieces) - 1, 0, -1):
        cut = " >> ".join(pieces[:k]) + " >> …"
        if len(cut) <= width:
            return cut
    room = shorter[: max(width - 1, 1)]
    stop = max(room.rfind(" "), room.rfind("("), room.rfind(","))
    return (room[: stop + 1] if stop > 0 else room) + "…"  # (no boundary: a tiny width)
