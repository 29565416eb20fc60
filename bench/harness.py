"""A small timing harness: interleaved rounds, warm-up, medians, paired ratios.

Every benchmark times schedalg and its peer in the same process. Candidates run in rounds,
each round running every candidate once in a rotated order, so slow drifts in machine load
(the benchmark machine may be shared) hit all candidates alike; the ratio of two candidates
is the median over rounds of their per-round ratio.
"""

from __future__ import annotations

import datetime
import importlib.metadata
import os
import platform
import statistics
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Timing:
    """Wall times (seconds) of one candidate, one per round it ran in (None: skipped)."""

    times: list[float | None] = field(default_factory=list)
    first: float = 0.0  # the warm-up call (includes compilation where there is one)

    @property
    def done(self) -> list[float]:
        return [x for x in self.times if x is not None]

    @property
    def median(self) -> float:
        return statistics.median(self.done)

    @property
    def best(self) -> float:
        return min(self.done)


def interleaved(
    candidates: dict[str, Callable[[], Any]],
    rounds: int,
    *,
    slow_s: float = 1.0,
) -> dict[str, Timing]:
    """Time each zero-argument callable ``rounds`` times, interleaved, after one warm-up call.

    A callable must finish its work before returning (``block_until_ready`` for JAX). One whose
    warm-up call takes more than ``slow_s`` seconds runs in the first round only (so a peer
    that needs seconds a call cannot stretch the suite to minutes); its entry says so.
    """
    out: dict[str, Timing] = {}
    for name, fn in candidates.items():
        start = time.perf_counter()
        fn()
        out[name] = Timing(first=time.perf_counter() - start)
    names = list(candidates)
    for r in range(rounds):
        order = names[r % len(names) :] + names[: r % len(names)]
        for name in order:
            timing = out[name]
            if r > 0 and timing.first > slow_s:
                timing.times.append(None)
                continue
            start = time.perf_counter()
            candidates[name]()
            timing.times.append(time.perf_counter() - start)
    return out


def ratio(a: Timing, b: Timing) -> float:
    """Median over shared rounds of a's time / b's time."""
    pairs = [
        x / y for x, y in zip(a.times, b.times, strict=True) if x is not None and y is not None
    ]
    return statistics.median(pairs)


def per_call(fn: Callable[[], Any], calls: int, rounds: int) -> float:
    """Median over ``rounds`` of the mean wall time of ``calls`` back-to-back calls (seconds)."""
    fn()
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        samples.append((time.perf_counter() - start) / calls)
    return statistics.median(samples)


# -- environment ---------------------------------------------------------------------------------


def cpu_model() -> str:
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, timeout=10).stdout
        for line in out.splitlines():
            if line.startswith("Model name:"):
                return line.split(":", 1)[1].strip()
    except (OSError, subprocess.SubprocessError):
        pass
    return platform.processor() or platform.machine()


def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def _git_rev() -> str:
    try:
        here = os.path.dirname(os.path.abspath(__file__))
        out = subprocess.run(
            ["git", "-C", here, "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
        )
        return out.stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def environment() -> dict[str, str]:
    """What the numbers were measured on and with."""
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    return {
        "date (UTC)": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M"),
        "CPU": cpu_model(),
        "cores visible": str(os.cpu_count()),
        "load average at start (1, 5, 15 min)": load,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "schedalg (git)": _git_rev(),
        **{d: _version(d) for d in ("numpy", "jax", "jaxlib", "optax", "torch")},
    }


# -- markdown ------------------------------------------------------------------------------------


def table(header: list[str], rows: list[list[Any]]) -> str:
    """A markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    for row in rows:
        lines.append("| " + " | ".join(str(c) for c in row) + " |")
    return "\n".join(lines)


def ms(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    return f"{seconds * 1e3:.3g}" if seconds < 1 else f"{seconds * 1e3:,.0f}"


def x(value: float | None) -> str:
    """A ratio as '1.23x'."""
    if value is None:
        return "-"
    return f"{value:.2f}x" if value < 100 else f"{value:,.0f}x"
