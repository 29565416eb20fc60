"""Plots in the terminal, with no dependency beyond NumPy: Unicode braille or one marker per cell.

One schedule is drawn in braille: each character cell holds a 2 x 4 grid of dots, so a
``width`` x ``height`` plot has ``2 * width`` x ``4 * height`` pixels. Several schedules are
drawn in braille too when ``color=True`` (each cell takes the color of the schedule with the
most dots in it); without color each schedule gets its own marker character per cell, and a
cell that several schedules pass through shows ``#``.

Every pixel column covers a range of steps; the column is filled from the smallest to the
largest value the schedule takes there (and joined to the previous column), so jumps are
drawn as vertical lines and cycles shorter than a column show as a band, never as aliasing.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import _checks as K
from ._sampling import breakpoints, check_labels, check_schedules, horizon, sample, short_label
from ._schedule import Schedule

# Bit of the braille dot in (row 0..3, column 0..1) of a cell; U+2800 is the empty cell.
_DOTS = ((0x01, 0x08), (0x02, 0x10), (0x04, 0x20), (0x40, 0x80))
_BRAILLE = 0x2800
MARKERS = "*o+x%@&$"
OVERLAP = "#"
# ANSI foreground colors: blue, red, green, magenta, cyan, yellow.
COLORS = (34, 31, 32, 35, 36, 33)


def fmt_value(v: float) -> str:
    """A value in at most about 9 characters: ``0.0003``, ``3e-05``, ``1.2e+04``."""
    if v == 0:
        return "0"
    return f"{v:.3g}"


def fmt_step(t: int | float) -> str:
    if float(t).is_integer():
        return str(int(t))
    return f"{t:.4g}"


def _pixels(
    ts: np.ndarray, vs: np.ndarray, steps: float, w: int, h: int, lo: float, hi: float
) -> np.ndarray:
    """A boolean (h, w) image of one curve; row 0 is the top (value ``hi``)."""
    img = np.zeros((h, w), dtype=bool)
    ok = np.isfinite(vs)
    ts, vs = ts[ok], vs[ok]
    if ts.size == 0:
        return img
    col = np.minimum((ts / steps * w).astype(np.int64), w - 1)
    span = hi - lo
    row = np.rint((hi - vs) / span * (h - 1)).astype(np.int64)
    row = np.clip(row, 0, h - 1)
    top = np.full(w, h, dtype=np.int64)
    bottom = np.full(w, -1, dtype=np.int64)
    np.minimum.at(top, col, row)
    np.maximum.at(bottom, col, row)
    # Join each column to the last sample before it, so jumps between columns are drawn.
    first = np.flatnonzero(np.diff(col)) + 1
    np.minimum.at(top, col[first], row[first - 1])
    np.maximum.at(bottom, col[first], row[first - 1])
    rows = np.arange(h)[:, None]
    img |= (rows >= top[None, :]) & (rows <= bottom[None, :])
    return img


def _braille(img: np.ndarray) -> np.ndarray:
    """Cell codes (height, width) of a (4 * height, 2 * width) image."""
    h, w = img.shape
    cells = np.zeros((h // 4, w // 2), dtype=np.int64)
    for r in range(4):
        for c in range(2):
            cells += img[r::4, c::2] * _DOTS[r][c]
    return cells


def termplot(
    *schedules: Schedule,
    steps: int | float | None = None,
    width: int = 72,
    height: int = 16,
    log: bool = False,
    labels: Any = None,
    color: bool = False,
) -> str:
    """Draw schedules as text, for terminals and SSH sessions; returns the plot as a string.

    The plot area is ``width`` x ``height`` characters, with the value range on the left,
    the step range below (``0`` to ``steps``; ``┴`` marks where segments and cycles begin)
    and a legend when there are several schedules or ``labels``.

    Args:
        *schedules: one or more schedules, overlaid on the same axes.
        steps: the last step shown; default the longest finite duration (required when
            every schedule is infinite).
        width: plot width in characters (>= 8).
        height: plot height in characters (>= 2).
        log: logarithmic value axis (values <= 0 are left out).
        labels: one legend entry per schedule; default the schedules' expressions.
        color: ANSI colors (braille for every schedule) instead of one marker per schedule.

    Returns:
        The plot, lines joined by newlines, without a trailing newline.

    Example:
        >>> from schedalg import cosine, linear_ramp, termplot
        >>> print(termplot(linear_ramp(0.0, 1.0, 10) >> cosine(1.0, 0.0, 90), width=20,
        ...                height=4))
          1 ┤ ⢸⠉⠉⠓⠲⢤⣀
            │ ⡏     ⠈⠙⠲⣄⡀
        0.5 ┤⢸⠁         ⠙⠲⣄⡀
          0 ┤⡏             ⠉⠓⠦⢤⣀⣀
            └──┴─────────────────
             0                100
    """
    fn = "termplot"
    scheds = check_schedules(fn, schedules)
    names = check_labels(fn, labels, len(scheds))
    width = K.count(fn, "width", width, 8)
    height = K.count(fn, "height", height, 2)
    end = horizon(fn, scheds, steps)
    w, h = 2 * width, 4 * height

    curves = []
    for s in scheds:
        ts, vs = sample(s, end, 8 * w + 1)
        if log:
            with np.errstate(divide="ignore", invalid="ignore"):
                vs = np.where(vs > 0, np.log10(np.where(vs > 0, vs, 1.0)), np.nan)
        curves.append((ts, vs))
    # Where every whole step is sampled, the value range comes from those: the times in
    # between are drawn, but a log axis must not reach down to s(0.07) of a ramp from 0.
    whole = end + 1 <= 8 * w + 1
    finite = np.concatenate(
        [vs[np.isfinite(vs) & ((ts == np.floor(ts)) if whole else True)] for ts, vs in curves]
    )
    if finite.size == 0:
        what = "positive" if log else "finite"
        raise K.ArgumentValueError(
            fn, None, None, f"{fn}(): no {what} values to plot on [0, {fmt_step(end)}]"
        )
    lo, hi = float(finite.min()), float(finite.max())
    if hi - lo <= 1e-12 * max(abs(lo), abs(hi), 1e-300):
        pad = 0.5 if log else (abs(lo) * 0.5 if lo != 0 else 1.0)
        lo, hi = lo - pad, hi + pad

    images = [_pixels(ts, vs, float(end), w, h, lo, hi) for ts, vs in curves]
    several = len(scheds) > 1
    if not several or color:
        codes = [_braille(img) for img in images]
        merged = np.zeros_like(codes[0])
        for c in codes:
            merged |= c
        grid = [
            [chr(_BRAILLE + int(merged[r, c])) if merged[r, c] else " " for c in range(width)]
            for r in range(height)
        ]
        if color and several:
            # Each cell takes the color of the schedule with the most dots in it.
            counts = np.stack([_popcount(c) for c in codes])
            owner = len(codes) - 1 - np.argmax(counts[::-1], axis=0)
            for r, c in zip(*np.nonzero(merged), strict=True):
                grid[r][c] = _paint(grid[r][c], int(owner[r, c]))
    else:
        cell_hit = [img.reshape(height, 4, width, 2).any(axis=(1, 3)) for img in images]
        grid = [[" "] * width for _ in range(height)]
        hits = np.sum(cell_hit, axis=0)
        for i, hit in enumerate(cell_hit):
            mark = MARKERS[i % len(MARKERS)]
            for r, c in zip(*np.nonzero(hit), strict=True):
                grid[r][c] = OVERLAP if hits[r, c] > 1 else mark

    def ylabel(v: float) -> str:
        if log:
            return fmt_value(10**v)
        # A value that is zero at the plot's resolution reads as 0, not 2.1e-05.
        return fmt_value(0.0 if abs(v) < 1e-4 * (hi - lo) else v)

    top, mid, bottom = ylabel(hi), ylabel((hi + lo) / 2), ylabel(lo)
    pad = max(len(top), len(mid), len(bottom))
    lines = []
    mid_row = height // 2 if height > 2 else -1
    for r in range(height):
        if r == 0:
            lab, tick = top, "┤"
        elif r == height - 1:
            lab, tick = bottom, "┤"
        elif r == mid_row:
            lab, tick = mid, "┤"
        else:
            lab, tick = "", "│"
        lines.append(f"{lab:>{pad}} {tick}{''.join(grid[r])}".rstrip())

    axis = ["─"] * width
    for s in scheds:
        for b in breakpoints(s, end):
            axis[min(int(b / end * width), width - 1)] = "┴"
    lines.append(" " * pad + " └" + "".join(axis))
    left, right = "0", fmt_step(end)
    under = left + " " * max(width - len(left) - len(right), 1) + right
    if width >= 24:
        middle = fmt_step(end / 2 if not float(end / 2).is_integer() else int(end) // 2)
        at = width // 2 - len(middle) // 2
        if at > len(left) + 1 and at + len(middle) < width - len(right) - 1:
            under = under[:at] + middle + under[at + len(middle) :]
    lines.append(" " * (pad + 2) + under)

    if several or names is not None:
        lines.append("")
        for i, s in enumerate(scheds):
            if several and not color:
                key = MARKERS[i % len(MARKERS)]
            else:
                key = _paint("⣿", i) if color else "⣿"
            text = names[i] if names is not None else short_label(s, pad + 2 + width - 4)
            lines.append(f"{' ' * pad} {key} {text}")
        if several and not color:
            both = "both" if len(scheds) == 2 else "several"
            lines.append(f"{' ' * pad} {OVERLAP} {both}")
    return "\n".join(lines)


def _popcount(a: np.ndarray) -> np.ndarray:
    out = np.zeros_like(a)
    for bit in range(8):
        out += (a >> bit) & 1
    return out


def _paint(text: str, i: int) -> str:
    return f"\x1b[{COLORS[i % len(COLORS)]}m{text}\x1b[0m"
