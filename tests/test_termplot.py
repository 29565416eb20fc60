"""schedalg.termplot: the text plot decoded back into pixels and checked against formulas."""

from __future__ import annotations

import doctest
import math
import re

import numpy as np
import pytest

import schedalg
from schedalg import _termplot, cosine, exp, hold, inverse, linear_ramp, piecewise, repeat, triangle

BRAILLE = 0x2800
# Bit of the braille dot at (row, column) of a cell, from the Unicode braille pattern chart:
# dots 1-2-3 go down the left column, 4-5-6 down the right, 7 and 8 are the bottom row.
BIT = {(0, 0): 1, (1, 0): 2, (2, 0): 4, (0, 1): 8, (1, 1): 16, (2, 1): 32, (3, 0): 64, (3, 1): 128}
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def plot_area(text: str, height: int) -> tuple[list[str], list[str]]:
    """(y labels, plot rows) of the first ``height`` lines, split at the axis character."""
    labels, rows = [], []
    for line in text.split("\n")[:height]:
        i = max(line.find("┤"), line.find("│"))
        labels.append(line[:i].strip())
        rows.append(line[i + 1 :])
    return labels, rows


def decode(text: str, width: int, height: int) -> np.ndarray:
    """The (4 * height, 2 * width) pixel image encoded by the braille characters."""
    _, rows = plot_area(ANSI.sub("", text), height)
    img = np.zeros((4 * height, 2 * width), dtype=bool)
    for r, line in enumerate(rows):
        for c, ch in enumerate(line.ljust(width)[:width]):
            code = ord(ch) - BRAILLE
            if ch == " " or not 0 < code < 256:
                continue
            for (dr, dc), bit in BIT.items():
                if code & bit:
                    img[4 * r + dr, 2 * c + dc] = True
    return img


def expected_row(v: float, lo: float, hi: float, h: int) -> int:
    return round((hi - v) / (hi - lo) * (h - 1))


def test_linear_ramp_pixels_follow_the_formula():
    width, height, n = 40, 10, 1000
    text = schedalg.termplot(linear_ramp(0.0, 1.0, n), width=width, height=height)
    img = decode(text, width, height)
    h, w = img.shape
    for c in range(w):
        lit = np.flatnonzero(img[:, c])
        assert lit.size, f"column {c} is empty"
        # the first step of column c is ceil(c * n / w); value t / n; range [0, 1]
        t = math.ceil(c * n / w)
        want = expected_row(t / n, 0.0, 1.0, h)
        assert lit.min() <= want <= lit.max(), (c, lit, want)
        assert lit.max() - lit.min() <= 2  # a thin line, not a band
    labels, _ = plot_area(text, height)
    assert labels[0] == "1" and labels[-1] == "0"
    assert labels[height // 2] == "0.5"


def test_cosine_pixels_follow_the_formula():
    width, height, n = 30, 8, 600
    s = cosine(2.0, 1.0, n)
    img = decode(schedalg.termplot(s, width=width, height=height), width, height)
    h, w = img.shape
    for c in range(w):
        t = math.ceil(c * n / w)
        v = 1.0 + (2.0 - 1.0) * (1 + math.cos(math.pi * t / n)) / 2
        lit = np.flatnonzero(img[:, c])
        assert lit.min() <= expected_row(v, 1.0, 2.0, h) <= lit.max()


def test_log_axis_draws_an_exponential_as_a_straight_line():
    width, height, n = 40, 12, 400
    s = exp(1e-6, 1.0, n)  # log10 goes from -6 to 0 linearly
    text = schedalg.termplot(s, width=width, height=height, log=True)
    img = decode(text, width, height)
    h, w = img.shape
    for c in range(w):
        t = math.ceil(c * n / w)
        y = -6 + 6 * t / n
        lit = np.flatnonzero(img[:, c])
        assert lit.min() <= expected_row(y, -6.0, 0.0, h) <= lit.max()
    labels, _ = plot_area(text, height)
    assert labels[0] == "1" and labels[-1] == "1e-06"
    assert labels[height // 2] == "0.001"  # the middle of the log axis: 10 ** -3


def test_log_axis_leaves_out_zero():
    s = linear_ramp(0.0, 1.0, 100)
    text = schedalg.termplot(s, width=20, height=4, log=True)
    labels, _ = plot_area(text, 4)
    assert labels[-1] == "0.01"  # the smallest positive value, s(1) = 1/100
    with pytest.raises(ValueError, match="no positive values"):
        schedalg.termplot(hold(0.0, 10), log=True)


def test_jump_is_a_vertical_line_and_fast_cycles_a_band():
    width, height = 20, 4
    h = 4 * height
    img = decode(
        schedalg.termplot(piecewise([50], [1.0, 0.0]), steps=100, width=width, height=height),
        width,
        height,
    )
    col = 2 * width * 50 // 100  # the pixel column holding t = 50
    assert img[:, col].all()
    assert img[0, :col].all() and not img[1:, : col - 1].any()
    assert img[h - 1, col + 1 :].all() and not img[: h - 1, col + 1 :].any()

    band = decode(
        schedalg.termplot(repeat(triangle(0.0, 1.0, 10)), steps=10_000, width=width, height=height),
        width,
        height,
    )
    assert band.all()


def test_constant_is_one_row_with_a_padded_range():
    width, height = 16, 5
    text = schedalg.termplot(hold(3.0, 10), width=width, height=height)
    img = decode(text, width, height)
    rows = np.flatnonzero(img.any(axis=1))
    assert rows.size == 1 and img[rows[0]].all()
    labels, _ = plot_area(text, height)
    assert labels[0] == "4.5" and labels[-1] == "1.5"  # 3 +- 3/2


def test_x_axis_labels_and_breakpoint_ticks():
    s = linear_ramp(0.0, 1.0, 250) >> cosine(1.0, 0.0, 750)
    text = schedalg.termplot(s, width=40, height=6)
    lines = text.split("\n")
    axis, under = lines[6], lines[7]
    assert axis.strip().startswith("└")
    numbers = under.split()
    assert numbers == ["0", "500", "1000"]
    ticks = [i for i, ch in enumerate(axis[axis.index("└") + 1 :]) if ch == "┴"]
    assert ticks == [int(250 / 1000 * 40)]  # the cosine begins at 250 of 1000


def test_several_schedules_get_markers_overlap_and_legend():
    a = linear_ramp(0.0, 1.0, 100) >> hold(1.0, 100)
    b = linear_ramp(0.0, 1.0, 100) >> hold(0.0, 100)
    width, height = 40, 8
    text = schedalg.termplot(a, b, width=width, height=height, labels=["up", "down"])
    _, rows = plot_area(text, height)
    grid = [r.ljust(width) for r in rows]
    half = width // 2  # both are the same ramp up to t = 100: columns 0 .. 19
    first = {ch for r in grid for ch in r[: half - 1]} - {" "}
    second = {ch for r in grid for ch in r[half + 1 :]} - {" "}
    assert first == {"#"}
    assert second == {"*", "o"}
    assert all(ch == "*" for ch in grid[0][half + 1 :])  # a holds 1 on the top row
    assert all(ch == "o" for ch in grid[-1][half + 1 :])  # b holds 0 on the bottom row
    legend = text.split("\n")[-3:]
    assert legend[0].split() == ["*", "up"]
    assert legend[1].split() == ["o", "down"]
    assert legend[2].split() == ["#", "both"]


def test_color_paints_braille_per_schedule():
    a, b = hold(1.0, 100), hold(0.0, 100)
    width, height = 20, 4
    text = schedalg.termplot(a, b, width=width, height=height, color=True)
    lines = text.split("\n")
    assert "\x1b[34m" in lines[0] and "\x1b[31m" not in lines[0]  # a: first color, top row
    assert "\x1b[31m" in lines[height - 1] and "\x1b[34m" not in lines[height - 1]
    img = decode(text, width, height)
    assert img[0].all() and img[-1].all() and not img[1:-1].any()
    plain = schedalg.termplot(a, b, width=width, height=height)
    assert "\x1b" not in plain


def test_default_range_and_legend_text():
    s = linear_ramp(0.0, 1.0, 10)
    text = schedalg.termplot(s, hold(2.0), width=30, height=4)
    assert text.split("\n")[5].split() == ["0", "5", "10"]  # the finite duration, 10
    legend = text.split("\n")[-3:-1]
    assert legend[0].endswith(repr(s))
    assert legend[1].endswith("hold(2.0)")


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({}, TypeError, r"termplot\(\): the schedule never ends .* steps="),
        ({"steps": 0}, ValueError, r"termplot\(\): steps must be a positive number, got steps=0"),
        ({"steps": 10, "width": 3}, ValueError, r"width must be an int >= 8, got width=3"),
        ({"steps": 10, "height": 1.5}, TypeError, r"height must be an int >= 2"),
        ({"steps": 10, "labels": ["a", "b"]}, ValueError, r"one entry per schedule, got 2"),
    ],
)
def test_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        schedalg.termplot(inverse(1.0, 10.0), **kwargs)


def test_not_a_schedule():
    with pytest.raises(TypeError, match=r"termplot\(\): schedules must be schedules"):
        schedalg.termplot(lambda t: 1.0)
    with pytest.raises(TypeError, match="at least one schedule"):
        schedalg.termplot()


def test_docstring_example():
    result = doctest.testmod(_termplot, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 1 and result.failed == 0
