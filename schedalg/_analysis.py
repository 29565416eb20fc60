"""Analysis of a schedule over integer steps: budget, bounds, argmax, breakpoints, summary.

Everything here is about the values an optimizer sees: ``s(t)`` at the integer steps
``t = a, a + 1, ..., b - 1`` (half-open, like ``range(a, b)``).

* ``integral(a, b)`` is the *learning-rate budget* ``sum(s(t) for t in range(a, b))``, a sum
  over steps, not a continuous integral: it is what two schedules of equal "area" share
  (e.g. a WSD schedule and a cosine of equal budget). It is computed in closed form where
  one exists and by exact vectorized summation elsewhere:

  - holds and piecewise constants: value * count;
  - ``linear_ramp`` (and ``poly`` with power 1), ``triangle``: sums of ``tau`` in integers;
  - ``cosine`` with power 1: trigonometric sums, ``sum sin^2(j h) = (N - sin(N h)/sin(h))/4``
    with ``N = 2J + 1``, evaluated without cancellation near both ends;
  - ``exp`` (both forms): geometric series, ``r^p (r^m - 1) / (r - 1)`` via ``expm1``;
  - ``concat``: per piece; ``repeat`` (stretch 1): one cycle times the number of full cycles
    plus the partial ones; ``scale_by_cycle`` on it: a geometric series over the cycles;
    ``+``, ``-``, unary ``-``, ``*`` and ``/`` by a constant, integer ``shift``, ``take``:
    linearity and time shifts;
  - past the end of a finite schedule: end value * count;
  - anything else (``poly`` with power != 1, ``tanh``, ``inverse``, ``cosine`` with power != 1,
    ``minimum``/``maximum``/``clip``, products of schedules, ``staircase``, ``scale_time``,
    ``warp``, stretched repeats): ``numpy.sum`` of ``s(np.arange(...))`` in chunks of 2^20
    steps, which costs O(b - a).

  A 10^9-step warmup + cosine, WSD, step decay or CLR budget takes microseconds.
* ``bounds(a, b)``, ``argmax(a, b)``: windows of up to 2^20 steps are scanned (exact: the
  same values ``s(np.arange(a, b))`` gives). Longer windows use structure: every primitive is
  monotone between its breakpoints (``triangle`` turns at its middle), so the extremes lie
  among a few candidate steps per segment and per distinct cycle, and ``argmax`` finds the
  first step of a plateau by bisection. That is exact up to rounding: where a segment is flat
  to within float rounding, a brute-force scan may find a value one ulp away. Nodes without
  that structure (sums of schedules, ``minimum``, time warps) are scanned in chunks.
"""

from __future__ import annotations

import bisect
import dataclasses
import math
from collections.abc import Iterator
from typing import Any

import numpy as np

from . import _combinators as C
from . import _primitives as P
from ._lower import COSINE, EXPGEO, EXPRATE, HOLD, LINEAR, OPAQUE, POLY, TRIANGLE
from ._schedule import Schedule

__all__ = ["Summary", "argmax", "bounds", "breakpoints", "integral", "summary"]

#: Steps evaluated per NumPy call in the summation fallback.
CHUNK = 1 << 20
#: bounds() and argmax() scan windows up to this many steps; longer ones use structure.
SCAN_MAX = 1 << 20
# A cosine window shorter than this (or than its length / 10^6) is summed numerically: the
# difference of two trigonometric partial sums would lose digits there.
_COSINE_MIN_WINDOW = 4096


# -- arguments -----------------------------------------------------------------------------------


def _concrete(s: Schedule, fn: str) -> Schedule:
    """``s`` with Python-float leaves (a packed or 0-d array copy is converted)."""
    if not isinstance(s, Schedule):
        raise TypeError(f"{fn}(): expected a schedule, got {s!r}")
    if s._py_ok and not s._has_jax:
        return s
    from .io import from_dict, to_dict

    try:
        return from_dict(to_dict(s))
    except TypeError as e:
        raise TypeError(f"{fn}(): needs concrete scalar values; {e}") from None


def _step(fn: str, name: str, x: Any) -> int:
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, (int, np.integer)):
        if isinstance(x, float) and x.is_integer():
            return int(x)
        raise TypeError(f"{fn}(): {name} must be a non-negative int step, got {name}={x!r}")
    if x < 0:
        raise ValueError(f"{fn}(): {name} must be a non-negative int step, got {name}={x!r}")
    return int(x)


def _window(s: Schedule, fn: str, a: Any, b: Any) -> tuple[int, int]:
    lo = _step(fn, "a", a)
    if b is None:
        d = s.duration
        if d is None:
            raise ValueError(f"{fn}(): the schedule is infinite; give the end step b, got b=None")
        hi = math.ceil(d)
    else:
        hi = _step(fn, "b", b)
    if hi < lo:
        raise ValueError(f"{fn}(): need a <= b, got a={a!r}, b={b!r}")
    return lo, hi


def _closed_window(s: Schedule, fn: str, a: Any, b: Any) -> tuple[int, int]:
    """A non-empty window; with b None it reaches one step past the end (the end value)."""
    lo, hi = _window(s, fn, a, b)
    if b is None:
        hi += 1
    if hi <= lo:
        raise ValueError(f"{fn}(): the window [a, b) is empty, got a={a!r}, b={b!r}")
    return lo, hi


def _isa(s: Any, cls: type | tuple[type, ...]) -> bool:
    """isinstance without narrowing: node fields are set dynamically, unknown to mypy."""
    return isinstance(s, cls)


def _values(s: Schedule, ts: Any) -> np.ndarray:
    return np.asarray(s(np.asarray(ts, dtype=np.int64)), dtype=np.float64)


def _at(s: Schedule, t: int) -> float:
    return float(_values(s, [t])[0])


def _chunks(a: int, b: int) -> Iterator[np.ndarray]:
    for lo in range(a, b, CHUNK):
        yield np.arange(lo, min(b, lo + CHUNK), dtype=np.int64)


# -- integral ------------------------------------------------------------------------------------


def _numeric(s: Schedule, a: int, b: int) -> float:
    return math.fsum(float(np.sum(_values(s, ts))) for ts in _chunks(a, b))


def _tri(lo: int, hi: int) -> int:
    """sum(range(lo, hi)) exactly."""
    return (lo + hi - 1) * (hi - lo) // 2 if hi > lo else 0


def _geom(l: float, p: int, q: int) -> float:
    """sum(exp(l * j) for j in range(p, q)), without overflow where the result is finite."""
    m = q - p
    if m <= 0:
        return 0.0
    if l == 0:
        return float(m)
    if l > 0:
        return math.exp((q - 1) * l) * (math.expm1(-m * l) / math.expm1(-l))
    return math.exp(p * l) * (math.expm1(m * l) / math.expm1(l))


def _g(x: float) -> float:
    """x - sin(x), accurate to rounding for small x too."""
    if abs(x) >= 1.0:
        return x - math.sin(x)
    x2 = x * x
    term = x * x2 / 6.0
    total = 0.0
    k = 1
    while abs(term) > 1e-18 * abs(total) or total == 0.0:
        total += term
        term *= -x2 / ((2 * k + 2) * (2 * k + 3))
        k += 1
        if term == 0.0:
            break
    return total


def _sin2_prefix(J: int, h: float) -> float:
    """sum(sin(j h)^2 for j in range(0, J + 1)); 0 for J < 0."""
    if J <= 0:
        return 0.0
    N = 2 * J + 1
    return (_g(N * h) - N * _g(h)) / math.sin(h) / 4.0


def _cos_sums(n: int, p: int, q: int) -> tuple[float, float]:
    """(sum cos^2(pi tau / 2n), sum sin^2(pi tau / 2n)) over tau in [p, q), 0 <= p < q <= n."""
    h = math.pi / (2 * n)
    c = n // 2
    sx = sy = 0.0
    # First half: the sine squared is the small one.
    lo, hi = p, min(q, c + 1)
    if hi > lo:
        y = _sin2_prefix(hi - 1, h) - _sin2_prefix(lo - 1, h)
        sy += y
        sx += (hi - lo) - y
    # Second half: cos^2(tau h) = sin^2((n - tau) h) is the small one.
    lo, hi = max(p, c + 1), q
    if hi > lo:
        x = _sin2_prefix(n - lo, h) - _sin2_prefix(n - hi, h)
        sx += x
        sy += (hi - lo) - x
    return sx, sy


def _row_sum(s: Any, row: Any, leaves: Any, opaque: tuple, lo: int, hi: int) -> float:
    """Sum of ``s`` over global steps [lo, hi), all inside ``row``'s span."""
    start, length = row.start, row.length
    if row.kind == OPAQUE:
        if isinstance(start, int):
            return _sum(opaque[row.opaque], lo - start, hi - start)
        return _numeric(s, lo, hi)
    if not isinstance(start, int) or not (length is None or isinstance(length, int)):
        return _numeric(s, lo, hi)
    total = 0.0
    if length is not None and hi > start + length:
        # Past its length the row holds its value at u = 1.
        k = max(lo, start + length)
        total += _at(s, k) * (hi - k)
        hi = k
    if hi <= lo:
        return total
    p, q = lo - start, hi - start
    m = q - p
    kind = row.kind
    if kind == HOLD:
        return total + _at(s, lo) * m
    p0 = float(leaves[row.i0])
    p1 = float(leaves[row.i1])
    n = length
    if kind == LINEAR or (kind == POLY and row.a == 1):
        s1 = _tri(p, q)
        return total + p0 * ((n * m - s1) / n) + p1 * (s1 / n)
    if kind == TRIANGLE:
        c = n // 2
        two_min = 2 * (
            _tri(p, min(q, c + 1)) + (n * max(0, q - max(p, c + 1)) - _tri(max(p, c + 1), q))
        )
        return total + p0 * ((n * m - two_min) / n) + p1 * (two_min / n)
    if kind == EXPGEO:
        return total + p0 * _geom(math.log(p1 / p0) / n, p, q)
    if kind == EXPRATE:
        return total + p0 * _geom(p1, p, q)  # p1: the log-rate
    if kind == COSINE and row.a == 1 and m >= max(_COSINE_MIN_WINDOW, n // 10**6):
        sx, sy = _cos_sums(n, p, q)
        return total + p0 * sx + p1 * sy
    return total + _numeric(s, lo, hi)


def _rows_sum(s: Any, a: int, b: int) -> float:
    rows, leaves, opaque = s._table()
    starts = [r.start for r in rows]
    total = 0.0
    i = max(0, bisect.bisect_right(starts, a) - 1)
    while i < len(rows) and a < b:
        row = rows[i]
        nxt = math.ceil(rows[i + 1].start) if i + 1 < len(rows) else b
        hi = min(b, nxt)
        if hi > a:
            total += _row_sum(s, row, leaves, opaque, a, hi)
            a = hi
        i += 1
    return total


def _is_const(s: Any) -> bool:
    return _isa(s, P.Hold) and s.steps is None


def _sum(s: Any, a: int, b: int) -> float:
    """sum(s(t) for t in range(a, b)), 0 <= a."""
    if b <= a:
        return 0.0
    d = s.duration
    if d is not None:
        e = math.ceil(d)
        if b > e:
            k = max(a, e)
            tail = float(s.end_value) * (b - k) if b > k else 0.0
            return tail + _sum(s, a, k) if k > a else tail
    if _isa(s, P.Tabular):
        return _rows_sum(s, a, b)
    if _isa(s, C.Add):
        return _sum(s.a, a, b) + _sum(s.b, a, b)
    if _isa(s, C.Sub):
        return _sum(s.a, a, b) - _sum(s.b, a, b)
    if _isa(s, C.Neg):
        return -_sum(s.a, a, b)
    if _isa(s, C.Mul):
        if _is_const(s.a):
            return s.a.value * _sum(s.b, a, b)
        if _is_const(s.b):
            return _sum(s.a, a, b) * s.b.value
    if _isa(s, C.Div) and _is_const(s.b):
        return _sum(s.a, a, b) / s.b.value
    if _isa(s, C.Shift) and isinstance(s.steps, int):
        c = s.steps
        if c <= 0:
            return _sum(s.schedule, a - c, b - c)
        head = _at(s.schedule, 0) * max(0, min(b, c) - a)
        return head + _sum(s.schedule, max(a, c) - c, b - c)
    if _isa(s, C.Take):  # [a, b) lies before its end here: the schedule itself
        return _sum(s.schedule, a, b)
    if _isa(s, C.Repeat) and s.stretch == 1 and isinstance(s._base, int):
        return _repeat_sum(s.schedule, s._base, a, b, None, 0.0)
    if _isa(s, C.ScaleByCycle):
        rep = s.schedule
        if rep.stretch == 1 and isinstance(rep._base, int):
            return _repeat_sum(rep.schedule, rep._base, a, b, float(s.factor), float(s.floor))
    return _numeric(s, a, b)


def _repeat_sum(base: Any, d: int, a: int, b: int, factor: float | None, floor: float) -> float:
    """Sum over [a, b) of cycles of ``base`` (length d); cycle k scaled by factor**k if given."""

    def part(k: int, lo: int, hi: int) -> float:
        v = _sum(base, lo - k * d, hi - k * d)
        if factor is None:
            return v
        return floor * (hi - lo) + (v - floor * (hi - lo)) * factor**k

    k0, k1 = a // d, (b - 1) // d
    if k0 == k1:
        return part(k0, a, b)
    total = part(k0, a, (k0 + 1) * d) + part(k1, k1 * d, b)
    full = k1 - k0 - 1
    if full > 0:
        cycle = _sum(base, 0, d)
        if factor is None:
            total += cycle * full
        else:
            lf = math.log(factor)
            total += floor * d * full + (cycle - floor * d) * _geom(lf, k0 + 1, k1)
    return total


def integral(s: Schedule, a: Any = 0, b: Any = None) -> float:
    """The learning-rate budget: ``sum(s(t) for t in range(a, b))`` over integer steps.

    Closed form per primitive where one exists (see the module docstring), exact vectorized
    summation elsewhere.

    Args:
        s: the schedule (concrete values).
        a: first step, a non-negative int.
        b: end step (excluded); None: the end of a finite schedule, ``ceil(duration)``.

    Returns:
        The sum, a float.

    Example:
        >>> from schedalg import linear_ramp
        >>> linear_ramp(0.0, 1.0, 4).integral()     # 0 + 0.25 + 0.5 + 0.75
        1.5
    """
    fn = "integral"
    s = _concrete(s, fn)
    lo, hi = _window(s, fn, a, b)
    return float(_sum(s, lo, hi))


# -- bounds and argmax ---------------------------------------------------------------------------


def _row_cands(s: Any, row: Any, opaque: tuple, lo: int, hi: int) -> list[int] | None:
    start, length = row.start, row.length
    if row.kind == OPAQUE:
        if not isinstance(start, int):
            return None
        inner = _cands(opaque[row.opaque], lo - start, hi - start)
        return None if inner is None else [t + start for t in inner]
    out = [lo, hi - 1]
    if length is not None:
        end = math.ceil(start + length)
        if lo < end < hi:
            out += [end - 1, end]
    if row.kind == TRIANGLE and length:
        mid = start + length / 2
        out += [t for t in (math.floor(mid), math.ceil(mid)) if lo <= t < hi]
    return out


def _cands(s: Any, a: int, b: int) -> list[int] | None:
    """Steps in [a, b) that include every turning point and segment end, or None if unknown.

    Between two consecutive candidates the schedule is monotone.
    """
    if b <= a:
        return []
    d = s.duration
    if d is not None:
        e = math.ceil(d)
        if b > e:
            k = max(a, e)
            head = _cands(s, a, k) if k > a else []
            return None if head is None else [*head, k]
    if _isa(s, P.Tabular):
        rows, _, opaque = s._table()
        starts = [r.start for r in rows]
        out: list[int] = []
        i = max(0, bisect.bisect_right(starts, a) - 1)
        lo = a
        while i < len(rows) and lo < b:
            nxt = math.ceil(rows[i + 1].start) if i + 1 < len(rows) else b
            hi = min(b, nxt)
            if hi > lo:
                part = _row_cands(s, rows[i], opaque, lo, hi)
                if part is None:
                    return None
                out += part
                lo = hi
            i += 1
        return out
    if _isa(s, (C.Neg, C.Clip)) or (
        _isa(s, (C.Mul, C.Div)) and (_is_const(s.b) or (_isa(s, C.Mul) and _is_const(s.a)))
    ):
        child = s.schedule if _isa(s, C.Clip) else (s.b if _is_const(s.a) else s.a)
        return _cands(child, a, b)
    if _isa(s, C.Take):
        return _cands(s.schedule, a, b)
    if _isa(s, C.Shift) and isinstance(s.steps, int):
        c = s.steps
        if c <= 0:
            inner = _cands(s.schedule, a - c, b - c)
            return None if inner is None else [t + c for t in inner]
        head = [a] if a < min(b, c) else []
        inner = _cands(s.schedule, max(a, c) - c, b - c) if b > c else []
        return None if inner is None else head + [t + c for t in inner]
    rep = s.schedule if _isa(s, C.ScaleByCycle) else s
    if _isa(rep, C.Repeat) and rep.stretch == 1 and isinstance(rep._base, int):
        dd = rep._base
        k0, k1 = a // dd, (b - 1) // dd
        cycles = sorted({k0, min(k0 + 1, k1), max(k1 - 1, k0), k1})
        out = []
        for k in cycles:
            lo, hi = max(a, k * dd), min(b, (k + 1) * dd)
            inner = _cands(rep.schedule, lo - k * dd, hi - k * dd)
            if inner is None:
                return None
            out += [t + k * dd for t in inner]
        return out
    return None


def _extremes(s: Schedule, a: int, b: int) -> tuple[np.ndarray | None, float, float]:
    cands = _cands(s, a, b) if b - a > SCAN_MAX else None
    if cands is not None:
        ts = np.unique(np.asarray(cands, dtype=np.int64))
        v = _values(s, ts)
        return ts, float(np.min(v)), float(np.max(v))
    lo_v, hi_v = math.inf, -math.inf
    for ts in _chunks(a, b):
        v = _values(s, ts)
        lo_v, hi_v = min(lo_v, float(np.min(v))), max(hi_v, float(np.max(v)))
    return None, lo_v, hi_v


def bounds(s: Schedule, a: Any = 0, b: Any = None) -> tuple[float, float]:
    """``(min, max)`` of ``s(t)`` over the integer steps ``a <= t < b``.

    Args:
        s: the schedule.
        a: first step; b: end step (None: ``ceil(duration) + 1``, so the end value counts).

    Returns:
        The pair of floats.

    Example:
        >>> from schedalg import triangle
        >>> triangle(0.0, 1.0, 10).bounds(0, 10)
        (0.0, 1.0)
    """
    fn = "bounds"
    s = _concrete(s, fn)
    lo, hi = _closed_window(s, fn, a, b)
    _, vmin, vmax = _extremes(s, lo, hi)
    return vmin, vmax


def argmax(s: Schedule, a: Any = 0, b: Any = None) -> int:
    """The first integer step in ``[a, b)`` where ``s`` takes its maximum there.

    Args:
        s: the schedule.
        a: first step; b: end step (None: ``ceil(duration) + 1``).

    Returns:
        The step, an int.

    Example:
        >>> from schedalg import linear_ramp, cosine
        >>> (linear_ramp(0.0, 1.0, 100) >> cosine(1.0, 0.0, 900)).argmax()
        100
    """
    fn = "argmax"
    s = _concrete(s, fn)
    lo, hi = _closed_window(s, fn, a, b)
    cands = _cands(s, lo, hi) if hi - lo > SCAN_MAX else None
    if cands is None:
        best_t, best_v = lo, -math.inf
        for ts in _chunks(lo, hi):
            v = _values(s, ts)
            i = int(np.argmax(v))
            if v[i] > best_v:
                best_t, best_v = int(ts[i]), float(v[i])
        return best_t
    ts = np.unique(np.asarray(cands, dtype=np.int64))
    v = _values(s, ts)
    i = int(np.argmax(v))
    t, vmax = int(ts[i]), float(v[i])
    if i == 0:
        return t
    # Between candidates the schedule is monotone: find the first step reaching the maximum.
    left = int(ts[i - 1])  # s(left) < vmax
    while t - left > 1:
        mid = (left + t) // 2
        if _at(s, mid) >= vmax:
            t = mid
        else:
            left = mid
    return t


# -- breakpoints ---------------------------------------------------------------------------------


def _snap(x: float) -> int | float:
    r = round(x)
    return int(r) if abs(x - r) <= 1e-9 * max(1.0, abs(x)) else x


def _bps(s: Any, limit: int) -> list[int | float]:
    """Sorted starts of segments and cycles (at most about ``limit``), 0 included."""
    out: list[int | float] = [0]
    d = s.duration
    if _isa(s, P.Piecewise):
        out += list(s.boundaries)
    elif _isa(s, P.Segment):
        pass
    elif _isa(s, C.Concat):
        for off, p in zip(s._starts(), s.pieces, strict=True):
            out += [off + x for x in _bps(p, limit)]
            if len(out) > limit:
                break
    elif _isa(s, C.Repeat):
        base = _bps(s.schedule, limit)
        bd = s._base
        k = 0
        start: int | float = 0
        while len(out) <= limit and (s.times is None or k < s.times):
            scale = float(s.stretch) ** k
            out += [_snap(start + x * scale) for x in base if x < bd]
            start = _snap(start + bd * scale)
            k += 1
    elif _isa(s, C.ScaleByCycle):
        out += _bps(s.schedule, limit)
    elif _isa(s, C.BinOp):
        out += _bps(s.a, limit) + _bps(s.b, limit)
    elif _isa(s, (C.Neg,)):
        out += _bps(s.a, limit)
    elif _isa(s, C.Clip):
        out += _bps(s.schedule, limit)
    elif _isa(s, C.Shift):
        out += [max(x + s.steps, 0) for x in _bps(s.schedule, limit)]
        if s.steps > 0:
            out.append(s.steps)
    elif _isa(s, C.ScaleTime):
        out += [_snap(x * s.factor) for x in _bps(s.schedule, limit)]
    elif _isa(s, C.Staircase):
        e = s.every
        out += [_snap(math.ceil(x / e) * e) for x in _bps(s.schedule, limit)]
    elif _isa(s, C.Take):
        out += [x for x in _bps(s.schedule, limit) if x < s.steps]
    elif _isa(s, C.Warp):
        dd = s.schedule.duration
        out += [_snap(dd * (x / dd) ** (1.0 / s.power)) for x in _bps(s.schedule, limit) if x <= dd]
    if d is not None:
        out = [x for x in out if x <= d]
        out.append(d)
    return sorted(set(out))


def breakpoints(s: Schedule, limit: int = 1000) -> tuple[int | float, ...]:
    """The steps where a segment or a cycle begins, in order: 0, ..., and the end.

    The last entry of a finite schedule is its duration, where the final value is held. An
    infinite ``repeat`` lists cycles until ``limit`` entries.

    Args:
        s: the schedule.
        limit: the most entries returned (an int >= 1).

    Returns:
        A tuple of steps (ints where whole).

    Example:
        >>> from schedalg import linear_ramp, cosine, repeat, triangle
        >>> (linear_ramp(0.0, 1.0, 10) >> cosine(1.0, 0.0, 90)).breakpoints()
        (0, 10, 100)
        >>> repeat(triangle(0.0, 1.0, 4)).breakpoints(limit=4)
        (0, 4, 8, 12)
    """
    fn = "breakpoints"
    if not isinstance(s, Schedule):
        raise TypeError(f"{fn}(): expected a schedule, got {s!r}")
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise ValueError(f"{fn}(): limit must be an int >= 1, got limit={limit!r}")
    return tuple(_bps(s, limit)[:limit])


# -- summary -------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Summary:
    """Key facts about a schedule over the steps ``0 .. steps - 1``.

    Attributes:
        duration: the schedule's duration (None: infinite).
        steps: the number of steps summarized.
        start: the value at step 0.
        peak: the largest value; ``peak_step`` the first step reaching it.
        low: the smallest value.
        end: the value at step ``steps`` (for a finite schedule by default: its end value).
        warmup: steps before the peak is first reached (0 when it starts at its peak).
        budget: the learning-rate budget, ``sum(s(t) for t in range(steps))``.
        breakpoints: where segments and cycles begin (at most 1000).
    """

    duration: int | float | None
    steps: int
    start: float
    peak: float
    peak_step: int
    low: float
    end: float
    warmup: int
    budget: float
    breakpoints: tuple[int | float, ...]

    def __str__(self) -> str:
        dur = "infinite" if self.duration is None else f"{_fmt(self.duration)} steps"
        rows = [
            ("duration", dur),
            ("start", _fmt(self.start)),
            ("peak", f"{_fmt(self.peak)} at step {self.peak_step}"),
            ("warmup", f"{self.warmup} steps"),
            ("min", _fmt(self.low)),
            ("end", f"{_fmt(self.end)} at step {_fmt(self.steps)}"),
            ("budget", f"{_fmt(self.budget)} (sum over steps 0..{_fmt(self.steps - 1)})"),
            (
                "segments",
                f"{max(len(self.breakpoints) - 1, 1)} (starts: {_fmt_list(self.breakpoints)})",
            ),
        ]
        return "\n".join(f"{k:<9} {v}" for k, v in rows)


def _fmt(x: Any) -> str:
    if isinstance(x, int):
        return f"{x:_}" if abs(x) >= 10_000 else str(x)
    return f"{x:.6g}"


def _fmt_list(xs: tuple, most: int = 8) -> str:
    shown = ", ".join(_fmt(x) for x in xs[:most])
    return shown + (", ..." if len(xs) > most else "")


def summary(s: Schedule, steps: Any = None) -> Summary:
    """Duration, start / peak / end values, warmup length and budget of a schedule.

    Args:
        s: the schedule.
        steps: how many steps to summarize; None: ``ceil(duration)`` (required when the
            schedule is infinite).

    Returns:
        A ``Summary``; ``print`` it for a small table.

    Example:
        >>> from schedalg import linear_ramp, cosine
        >>> sm = (linear_ramp(0.0, 1.0, 10) >> cosine(1.0, 0.0, 90)).summary()
        >>> sm.peak, sm.warmup, sm.end
        (1.0, 10, 0.0)
    """
    fn = "summary"
    s = _concrete(s, fn)
    _, n = _window(s, fn, 0, steps)
    n = max(n, 1)
    peak_step = argmax(s, 0, n)
    low, peak = bounds(s, 0, n)
    return Summary(
        duration=s.duration,
        steps=n,
        start=float(s(0)),
        peak=peak,
        peak_step=peak_step,
        low=low,
        end=float(s(n)),
        warmup=peak_step,
        budget=integral(s, 0, n),
        breakpoints=breakpoints(s),
    )
