"""A schedule for a run whose length is known only when the training loop starts.

The framework adapters (``schedalg.hf_trainer``, ``schedalg.lightning``) take either

* a finite *shape*, fitted to the run with :func:`schedalg.fit` (durations as proportions:
  ``linear_ramp(0, 1e-3, 1) >> cosine(1e-3, 0, 19)`` warms up over the first 5% of the
  updates), or
* a function ``total -> schedule`` for everything a proportion cannot say (a warmup of a
  fixed 500 updates, then a cosine over the rest: ``lambda n: linear_ramp(0, 1e-3, 500) >>
  cosine(1e-3, 0, n - 500)``).

``total`` is the number of optimizer updates (with gradient accumulation, updates, not
batches), and update ``k`` (0-based) uses ``schedule(k)``.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from typing import Any

from . import _checks as K
from ._schedule import Schedule
from ._time_maps import fit

RunSchedule = Schedule | Callable[[int], Schedule]


def check_spec(fn: str, schedule: Any) -> Any:
    """Refuse at construction what :func:`for_run` could not use later."""
    if isinstance(schedule, Schedule):
        if not schedule.duration:
            raise K.ArgumentValueError(
                fn,
                "schedule",
                schedule,
                f"{fn}(): schedule must be a finite shape with a positive duration (it is fitted "
                f"to the run's number of updates), got schedule={schedule!r}; to use a schedule "
                f"as it is, pass a function of the run's length, e.g. lambda total: schedule",
            )
        return schedule
    if callable(schedule):
        return schedule
    raise K.ArgumentTypeError(
        fn,
        "schedule",
        schedule,
        f"{fn}(): schedule must be a schedalg schedule (a shape fitted to the run) or a function "
        f"total -> schedule, got schedule={schedule!r}",
    )


def for_run(fn: str, schedule: Any, total: Any) -> Schedule:
    """The schedule of a run of ``total`` optimizer updates (see the module docstring)."""
    ok = isinstance(total, numbers.Real) and not isinstance(total, bool)
    if not (ok and math.isfinite(total) and total >= 1 and float(total).is_integer()):
        raise K.ArgumentValueError(
            fn,
            None,
            None,
            f"{fn}(): the run's number of optimizer updates must be a positive int, got "
            f"{total!r} (give the run an end: max_steps, or a finite number of epochs)",
        )
    n = int(total)
    if isinstance(schedule, Schedule):
        return fit(schedule, n)
    s = schedule(n)
    if not isinstance(s, Schedule):
        raise K.ArgumentTypeError(
            fn,
            "schedule",
            schedule,
            f"{fn}(): the schedule function must return a schedalg schedule, got {s!r} "
            f"for total={n}",
        )
    return s
