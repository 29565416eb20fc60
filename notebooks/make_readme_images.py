"""Draw the images the README shows, into notebooks/img/ (or the folder given as argument).

Run from the repository root: ``python notebooks/make_readme_images.py``. Every curve is a
schedalg expression drawn with ``schedalg.plot``; nothing is drawn by hand.
"""

from __future__ import annotations

import sys
from pathlib import Path

from matplotlib.figure import Figure  # a bare Figure: no pyplot, no display needed

import schedalg
from schedalg import (
    cosine,
    hold,
    linear_ramp,
    repeat,
    scale_by_cycle,
    triangle,
    warp,
)

HERE = Path(__file__).resolve().parent

# title -> (schedules, labels, steps)
GALLERY = {
    "warmup + cosine": (
        [linear_ramp(0.0, 1e-3, 1000) >> cosine(1e-3, 1e-4, 9000)],
        None,
        None,
    ),
    "warmup-stable-decay": (
        [
            linear_ramp(0.0, 1e-3, 500) >> hold(1e-3, 7500) >> linear_ramp(1e-3, 0.0, 2000),
            linear_ramp(0.0, 1e-3, 500)
            >> hold(1e-3, 7500)
            >> warp(linear_ramp(1e-3, 0.0, 2000), 0.5),
        ],
        ["linear cooldown", "1 - sqrt cooldown"],
        None,
    ),
    "1cycle (learning rate)": (
        [cosine(4e-3, 0.1, 3000) >> cosine(0.1, 4e-7, 7000)],
        None,
        None,
    ),
    "SGDR, T_mult = 2": (
        [
            repeat(cosine(0.1, 0.0, 1000), stretch=2.0),
            scale_by_cycle(repeat(cosine(0.1, 0.0, 1000), stretch=2.0), 0.5),
        ],
        ["SGDR", "peak x0.5 per cycle"],
        14_999,
    ),
    "cyclical (triangular2)": (
        [scale_by_cycle(repeat(triangle(1e-3, 6e-3, 1000)), 0.5, floor=1e-3)],
        None,
        6000,
    ),
    "Noam (d_model 512, warmup 4000)": (
        [
            linear_ramp(0.0, (512 * 4000) ** -0.5, 4000)
            >> schedalg.inverse((512 * 4000) ** -0.5, scale=4000, power=0.5)
        ],
        None,
        40_000,
    ),
}


def gallery(path: Path) -> None:
    """A 2 x 3 grid of common schedules, the expression under each title."""
    fig = Figure(figsize=(12, 6.2), layout="constrained")
    axes = fig.subplots(2, 3)
    for ax, (title, (schedules, labels, steps)) in zip(axes.flat, GALLERY.items(), strict=True):
        schedalg.plot(*schedules, ax=ax, labels=labels, steps=steps)
        ax.set_title(title, fontsize=11)
        ax.set_xlabel("step", fontsize=9)
        ax.set_ylabel("")
        ax.tick_params(labelsize=8)
        ax.ticklabel_format(axis="y", style="sci", scilimits=(-2, 3))
    fig.savefig(path, dpi=90, metadata={"Software": None})


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    out = Path(argv[0]) if argv else HERE / "img"
    out.mkdir(parents=True, exist_ok=True)
    gallery(out / "schedules.png")
    print(f"wrote {out / 'schedules.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
