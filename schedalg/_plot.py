"""Plots with matplotlib (the optional extra ``schedalg[plot]``), imported only when called."""

from __future__ import annotations

from typing import Any

from ._sampling import breakpoints as _breakpoints
from ._sampling import check_labels, check_schedules, horizon, sample, short_label
from ._schedule import Schedule

# Points per curve: every step up to this many steps, evenly spaced beyond.
MAX_POINTS = 20_000


def require_matplotlib(fn: str = "plot") -> Any:
    """Import matplotlib, or fail with the command that installs it."""
    try:
        import matplotlib
    except ImportError:
        raise ImportError(
            f"schedalg.{fn}() needs matplotlib, which is not installed: "
            "pip install 'schedalg[plot]'"
        ) from None
    return matplotlib


def plot(
    *schedules: Schedule,
    steps: int | float | None = None,
    labels: Any = None,
    ax: Any = None,
    log: bool = False,
    breakpoints: bool = True,
) -> Any:
    """Plot schedules with matplotlib, overlaid on one Axes; returns the Axes.

    Each schedule is drawn as a line over ``t = 0 .. steps`` (every step when there are at
    most 20000, else 20000 evenly spaced steps plus the breakpoints). Breakpoints (where
    segments and cycles begin) are marked with faint vertical lines in the schedule's color.

    Args:
        *schedules: one or more schedules.
        steps: the last step shown; default the longest finite duration (required when
            every schedule is infinite).
        labels: one legend entry per schedule; default the expressions (a legend is drawn
            for several schedules or when labels are given).
        ax: the matplotlib Axes to draw on; default a new figure from ``pyplot``.
        log: logarithmic value axis.
        breakpoints: mark breakpoints.

    Returns:
        The matplotlib Axes.

    Example:
        >>> import schedalg
        >>> s = schedalg.linear_ramp(0.0, 1e-3, 100) >> schedalg.cosine(1e-3, 0.0, 900)
        >>> ax = schedalg.plot(s, labels=["warmup + cosine"])  # doctest: +SKIP
        >>> ax.figure.savefig("schedule.png")  # doctest: +SKIP

    Raises:
        ImportError: matplotlib is missing (``pip install 'schedalg[plot]'``).
    """
    fn = "plot"
    scheds = check_schedules(fn, schedules)
    names = check_labels(fn, labels, len(scheds))
    end = horizon(fn, scheds, steps)
    require_matplotlib(fn)
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(7.0, 3.5), layout="constrained")

    legend = len(scheds) > 1 or names is not None
    for i, s in enumerate(scheds):
        ts, vs = sample(s, end, MAX_POINTS)
        if log:
            vs = vs.copy()
            vs[vs <= 0] = float("nan")  # not drawn, instead of a line down to the floor
        label = names[i] if names is not None else short_label(s, 60) if legend else None
        (line,) = ax.plot(ts, vs, label=label, lw=1.6)
        if breakpoints:
            for b in _breakpoints(s, end):
                if 0 < b < end:
                    ax.axvline(b, color=line.get_color(), alpha=0.25, lw=0.8, ls=":")
    if log:
        ax.set_yscale("log")
    ax.set_xlim(0, end)
    ax.set_xlabel("step")
    ax.set_ylabel("value")
    ax.grid(True, alpha=0.3)
    if legend:
        ax.legend(fontsize="small", frameon=False)
    return ax
