"""Explorable plots: one self-contained HTML page per call, no dependency beyond NumPy.

The page embeds each curve's sampled values as JSON and a small script (``_plot_html.js``,
inline) that draws them as SVG, with a hover read-out, zoom, a log-scale toggle and curve
toggles. Nothing is fetched: all script and style are inline, and the page's content security
policy forbids any load from the network.
"""

from __future__ import annotations

import math
import os
from typing import Any

import numpy as np

from . import _checks as K
from ._sampling import breakpoints as _breakpoints
from ._sampling import check_labels, check_schedules, horizon, short_label
from ._schedule import Schedule

# Every whole step is embedded up to this many steps; beyond, this many evenly spaced whole
# steps, plus each breakpoint and the step before it (when there are at most MAX_JUMPS).
EVERY_STEP = 20_000
MAX_JUMPS = 2_000

# matplotlib's default color cycle ("tab10").
COLORS = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
)

CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'"


def sample_steps(s: Schedule, end: int | float) -> np.ndarray:
    """The steps at which ``s`` is embedded in the page: every whole step ``0 .. end`` when
    there are at most ``EVERY_STEP``, else ``EVERY_STEP`` evenly spaced whole steps plus the
    breakpoints and the whole step before each; and ``end`` itself when it is not whole."""
    n = math.floor(end)
    if n + 1 <= EVERY_STEP:
        ts = np.arange(n + 1, dtype=np.float64)
    else:
        ts = np.unique(np.round(np.linspace(0.0, float(n), EVERY_STEP)))
        jumps = [b for b in s.breakpoints(limit=MAX_JUMPS + 2) if 0 < b < end]
        if len(jumps) <= MAX_JUMPS:
            b = np.asarray(jumps, dtype=np.float64)
            ts = np.union1d(ts, np.concatenate([b, np.ceil(b) - 1]))
    if end > n:
        ts = np.append(ts, float(end))
    return ts


def _number(x: float) -> str:
    """A JSON number: whole numbers as integers, others to 12 significant digits; the
    strings "Infinity", "-Infinity" and "NaN" (which JavaScript's ``Number`` reads back)
    where not finite."""
    if math.isnan(x):
        return '"NaN"'
    if math.isinf(x):
        return '"Infinity"' if x > 0 else '"-Infinity"'
    if x.is_integer() and abs(x) < 2**53:
        return str(int(x))
    return format(x, ".12g")


def _script_safe(text: str) -> str:
    """JSON text that can sit inside a ``<script>`` element: no ``<``, ``>`` or ``&`` (they
    only occur inside strings, where the ``\\u`` escapes mean the same characters)."""
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _curve(s: Schedule, end: int | float, label: str, color: str, marks: bool) -> str:
    ts = sample_steps(s, end)
    vs = np.asarray(s(ts), dtype=np.float64)
    every = ts.size == math.floor(end) + 1 and bool(ts[-1] == ts.size - 1)
    t = "null" if every else "[" + ",".join(_number(x) for x in ts.tolist()) + "]"
    v = "[" + ",".join(_number(x) for x in vs.tolist()) + "]"
    m = [_number(float(b)) for b in _breakpoints(s, end)] if marks else []
    import json

    head = json.dumps({"label": label, "expr": short_label(s, 2000), "color": color})
    return f'{head[:-1]}, "marks": [{",".join(m)}], "t": {t}, "v": {v}}}'


def _asset(name: str) -> str:
    from importlib import resources

    return resources.files("schedalg").joinpath(name).read_text(encoding="utf-8")


def _data(
    fn: str,
    schedules: tuple[Schedule, ...],
    steps: int | float | None,
    labels: Any,
    log: Any,
    breakpoints: Any,
    title: Any,
) -> str:
    """The checked arguments as the JSON text the script reads (safe inside ``<script>``)."""
    scheds = check_schedules(fn, schedules)
    names = check_labels(fn, labels, len(scheds))
    end = horizon(fn, scheds, steps)
    if not isinstance(log, bool):
        raise K.ArgumentTypeError(
            fn, "log", log, f"{fn}(): log must be True or False, got log={log!r}"
        )
    if not isinstance(breakpoints, bool):
        raise K.ArgumentTypeError(
            fn,
            "breakpoints",
            breakpoints,
            f"{fn}(): breakpoints must be True or False, got breakpoints={breakpoints!r}",
        )
    if title is not None and not isinstance(title, str):
        raise K.ArgumentTypeError(
            fn, "title", title, f"{fn}(): title must be a string or None, got title={title!r}"
        )
    curves = [
        _curve(
            s,
            end,
            names[i] if names is not None else short_label(s, 60),
            COLORS[i % len(COLORS)],
            breakpoints,
        )
        for i, s in enumerate(scheds)
    ]
    import json

    head = json.dumps({"title": title or "", "end": end, "log": log})
    return _script_safe(f'{head[:-1]}, "curves": [{", ".join(curves)}]}}')


def _div(data: str) -> str:
    return f'<div class="schedalg-plot"><script type="application/json">{data}</script></div>'


def script() -> str:
    """The drawing script: it draws every ``.schedalg-plot`` element of the page it runs in."""
    return _asset("_plot_html.js")


def style() -> str:
    """The plots' style sheet."""
    return _asset("_plot_html.css")


def fragment(
    *schedules: Schedule,
    steps: int | float | None = None,
    labels: Any = None,
    log: bool = False,
    breakpoints: bool = True,
    title: str | None = None,
) -> str:
    """One plot as an HTML fragment to embed in a page of one's own (the documentation site):
    a ``<div>`` holding the data, without script or style. The page loads :func:`script` once,
    after its last plot, and :func:`style`. Arguments as :func:`plot_html`'s."""
    return _div(_data("fragment", schedules, steps, labels, log, breakpoints, title))


def plot_html(
    *schedules: Schedule,
    steps: int | float | None = None,
    labels: Any = None,
    log: bool = False,
    breakpoints: bool = True,
    title: str | None = None,
    out: str | os.PathLike[str] | None = None,
) -> str:
    """An explorable plot of schedules: one self-contained HTML page; returns its text.

    The page draws the schedules over ``t = 0 .. steps`` as SVG and lets the reader hover for
    the step and every curve's value, drag across the plot to zoom on a range (double-click
    resets), switch to a log scale and hide curves from the legend. It needs no network (all
    script and style are inline) and no Python package beyond NumPy.

    Each curve's values are embedded at every whole step when there are at most 20000 steps,
    so the read-out at step ``k`` is ``s(k)`` (to 6 significant digits). Beyond, 20000 evenly
    spaced whole steps plus the breakpoints and the step before each are embedded, and the
    read-out shows the nearest of those steps and its value.

    Args:
        *schedules: one or more schedules.
        steps: the last step shown; default the longest finite duration (required when
            every schedule is infinite).
        labels: one legend entry per schedule; default the expressions.
        log: start with a logarithmic value axis (the page has a toggle).
        breakpoints: mark breakpoints (where segments and cycles begin).
        title: a title above the plot (also the page title).
        out: also write the page to this file (UTF-8).

    Returns:
        The HTML document, as a string.

    Example:
        >>> import schedalg
        >>> s = schedalg.linear_ramp(0.0, 1e-3, 100) >> schedalg.cosine(1e-3, 0.0, 900)
        >>> page = schedalg.plot_html(s, labels=["warmup + cosine"])
        >>> page.startswith("<!DOCTYPE html>")
        True
        >>> schedalg.plot_html(s, out="schedule.html")  # doctest: +SKIP
    """
    import html

    data = _data("plot_html", schedules, steps, labels, log, breakpoints, title)
    if out is not None and not isinstance(out, (str, os.PathLike)):
        raise K.ArgumentTypeError(
            "plot_html",
            "out",
            out,
            f"plot_html(): out must be a file path or None, got out={out!r}",
        )
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title or "schedalg plot")}</title>
<style>
{style()}</style>
</head>
<body>
{_div(data)}
<noscript>This plot is drawn by JavaScript, which is turned off.</noscript>
<script>
{script()}</script>
</body>
</html>
"""
    if out is not None:
        with open(out, "w", encoding="utf-8") as f:
            f.write(page)
    return page
