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
  - anything smooth between known edges (``poly`` with power != 1, ``tanh``, ``inverse``,
    ``cosine`` with power != 1, sums, products and quotients of schedules, ``scale_time``,
    ``warp``, non-integer ``shift``, stretched repeats, ``staircase`` by whole blocks):
    Gregory's form of Euler-Maclaurin per smooth stretch (see ``_gregory``), error below
    1e-12 of the sum of |s(t)|;
  - the rest (``minimum``/``maximum``/``clip`` of non-constant schedules, stretches under
    ``SMOOTH_MIN`` steps): ``numpy.sum`` of ``s(np.arange(...))`` in chunks of 2^20 steps.

  A 10^9-step warmup + cosine, WSD, step decay or CLR budget takes microseconds.
* ``bounds(a, b)``, ``argmax(a, b)``: windows of up to 2^20 steps are scanned (exact: the
  same values ``s(np.arange(a, b))`` gives). Longer windows use structure: every primitive is
  monotone between its breakpoints (``triangle`` turns at its middle), so the extremes lie
  among a few candidate steps per segment and per distinct cycle, and ``argmax`` finds the
  first step of a plateau by bisection. That is exact up to rounding: where a segment is flat
  to within float rounding, a brute-force scan may find a value one ulp away. Time maps
  (``warp``, ``scale_time``, ``staircase``) and stretched repeats map their child's edges;
  sums and products of schedules add turns found by sampling (``_turns``); ``minimum`` and
  ``maximum`` of two schedules are scanned in chunks.
"""

from __future__ import annotations

import bisect
import dataclasses
import itertools
import math
from collections.abc import Iterator
from fractions import Fraction
from typing import Any

import numpy as np

from . import _checks as K
from . import _fields as F
from . import _primitives as P
from ._arithmetic import Add, BinOp, Clip, Div, Maximum, Minimum, Mul, Neg, Sub
from ._concat import Concat
from ._cycles import Repeat, ScaleByCycle
from ._lower import COSINE, EXPGEO, EXPRATE, HOLD, LINEAR, OPAQUE, POLY, TRIANGLE
from ._node_checks import _whole
from ._schedule import Schedule, plain_copy
from ._time_maps import ScaleTime, Shift, Staircase, Take, Warp

__all__ = ["Summary", "argmax", "bounds", "breakpoints", "integral", "summary", "tracker_dict"]

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
        raise K.ArgumentTypeError(fn, "schedule", s, f"{fn}(): expected a schedule, got {s!r}")
    if s._py_ok and not s._has_jax:
        return s
    try:
        return plain_copy(s)
    except TypeError as e:
        raise K.ArgumentTypeError(
            fn, "schedule", s, f"{fn}(): needs concrete scalar values; {e}"
        ) from None


def _step(fn: str, name: str, x: Any) -> int:
    return K.count(fn, name, x, 0, requirement="must be a non-negative int step", bounded=False)


def _window(s: Schedule, fn: str, a: Any, b: Any) -> tuple[int, int]:
    lo = _step(fn, "a", a)
    if b is None:
        d = s.duration
        if d is None:
            raise K.ArgumentTypeError(
                fn, "b", None, f"{fn}(): the schedule is infinite; give the end step b, got b=None"
            )
        hi = math.ceil(d)
    else:
        hi = _step(fn, "b", b)
    if hi < lo:
        raise K.ArgumentValueError(fn, "b", b, f"{fn}(): need a <= b, got a={a!r}, b={b!r}")
    return lo, hi


def _closed_window(s: Schedule, fn: str, a: Any, b: Any) -> tuple[int, int]:
    """A non-empty window; with b None it reaches one step past the end (the end value)."""
    lo, hi = _window(s, fn, a, b)
    if b is None:
        hi += 1
    if hi <= lo:
        raise K.ArgumentValueError(
            fn, "b", b, f"{fn}(): the window [a, b) is empty, got a={a!r}, b={b!r}"
        )
    return lo, hi


def _expanded(s: Any) -> Any:
    """A recipe (``warmup_cosine(...)``, ...) is analysed as the expression it builds."""
    from ._recipes import Recipe

    while isinstance(s, Recipe):
        s = s.expand()
    return s


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


# -- sums over long smooth stretches: Gregory's form of Euler-Maclaurin -------------------------
#
# On integer steps p .. q-1 where s is smooth (no segment start or end, no cycle start, no
# turn of a triangle inside), the sum is
#
#     sum_{t=p}^{q-1} s(t) = (first and last _HEAD terms, summed directly)
#         + integral of s over [A, B] + (s(A) + s(B)) / 2
#         + sum_k G_k (nabla^k s(B) + (-1)^k delta^k s(A)),   A = p + _HEAD, B = q - 1 - _HEAD,
#
# with Gregory's coefficients G_k and the forward / backward differences of s at unit steps.
# The integral is Gauss-Legendre on panels that double in length away from both ends (each
# panel as long as its distance to the end: singular ends such as warp's t**p at 0 stay far
# from every panel), refined where two orders disagree. Both the panels and the truncation of
# the difference series are checked against 1e-14 of the sum of |s(t)|; a stretch that fails
# a check is split in two (steep features end up in short stretches summed directly). The
# error stays below 1e-12 of sum |s(t)| over the window (tests: math.fsum of every term on
# windows of 2^18 steps, and two splittings of windows of 10^12 steps).

#: Stretches longer than this are summed with the formula; shorter ones term by term.
SMOOTH_MIN = 1 << 16
_HEAD = 64
_GREGORY = (1 / 12, 1 / 24, 19 / 720, 3 / 160, 863 / 60480, 275 / 24192, 33953 / 3628800)
_GL_HI = np.polynomial.legendre.leggauss(20)
_GL_LO = np.polynomial.legendre.leggauss(12)
_MAX_PANELS = 4000
_MAX_EDGES = 20_000
_TOL = 1e-14


def _fvalues(s: Schedule, ts: Any) -> np.ndarray:
    return np.asarray(s(np.asarray(ts, dtype=np.float64)), dtype=np.float64)


def _quad(s: Schedule, a: float, b: float, scale: float) -> tuple[float, float] | None:
    """(integral of s over [a, b], integral of |s|), or None if the panels do not converge."""
    if b <= a:
        return 0.0, 0.0
    mid = a + (b - a) / 2
    left, w, x = [a], float(_HEAD), a
    while x + w < mid:
        x += w
        left.append(x)
        w *= 2
    right, w, x = [b], float(_HEAD), b
    while x - w > mid:
        x -= w
        right.append(x)
        w *= 2
    edges = [*left, mid, *reversed(right)]
    panels = list(itertools.pairwise(edges))
    total: list[float] = []
    total_abs: list[float] = []
    allowed = math.inf  # each panel's error allowance: a share of the integral of |s|
    while panels:
        if len(total) + len(panels) > _MAX_PANELS:
            return None
        lo = np.asarray([p[0] for p in panels])
        hi = np.asarray([p[1] for p in panels])
        half, center = (hi - lo) / 2, (hi + lo) / 2
        x_hi, w_hi = _GL_HI
        x_lo, w_lo = _GL_LO
        nodes = np.concatenate(
            [
                (center[:, None] + half[:, None] * x_hi).ravel(),
                (center[:, None] + half[:, None] * x_lo).ravel(),
            ]
        )
        v = _fvalues(s, nodes)
        n_hi = len(panels) * len(x_hi)
        v_hi = v[:n_hi].reshape(len(panels), -1)
        v_lo = v[n_hi:].reshape(len(panels), -1)
        i_hi = half * (v_hi @ w_hi)
        i_lo = half * (v_lo @ w_lo)
        a_hi = half * (np.abs(v_hi) @ w_hi)
        if allowed == math.inf:
            allowed = _TOL * (float(np.sum(a_hi)) + scale * (b - a)) / 256
        again = []
        for k, (p0, p1) in enumerate(panels):
            if abs(i_hi[k] - i_lo[k]) <= allowed:
                total.append(float(i_hi[k]))
                total_abs.append(float(a_hi[k]))
            elif p1 - p0 < 1.0:
                return None
            else:
                m = p0 + (p1 - p0) / 2
                again += [(p0, m), (m, p1)]
        panels = again
    return math.fsum(total), math.fsum(total_abs)


def _gregory(s: Schedule, p: int, q: int, scale: float) -> float | None:
    """sum(s(t) for t in range(p, q)) for s smooth on [p, q - 1]; None where a check fails."""
    K = len(_GREGORY)
    A, B = p + _HEAD, q - 1 - _HEAD
    head = _fvalues(s, np.arange(p, A + K + 1))
    tail = _fvalues(s, np.arange(B - K, q))
    direct = math.fsum(head[:_HEAD].tolist()) + math.fsum(tail[K + 1 :].tolist())
    fa, fb = head[_HEAD:], tail[: K + 1]
    terms = [(fa[0] + fb[-1]) / 2]
    for k, g in enumerate(_GREGORY, start=1):
        terms.append(g * (np.diff(fb, k)[-1] + (-1) ** k * np.diff(fa, k)[0]))
    q_ab = _quad(s, float(A), float(B), scale)
    if q_ab is None:
        return None
    integral, mass = q_ab
    # The series must have converged: its last terms far below the sum's size.
    if abs(terms[-1]) + abs(terms[-2]) > _TOL * (mass + scale):
        return None
    return direct + integral + math.fsum(terms)


def _stretch_sum(s: Schedule, p: int, q: int, depth: int = 0) -> float:
    """Sum over [p, q) of a stretch on which ``s`` is smooth."""
    if q - p <= SMOOTH_MIN or depth > 40:
        return _numeric(s, p, q)
    scale = float(np.max(np.abs(_fvalues(s, [p, (p + q) // 2, q - 1])))) * 1e-300
    out = _gregory(s, p, q, scale)
    if out is not None:
        return out
    m = (p + q) // 2
    return _stretch_sum(s, p, m, depth + 1) + _stretch_sum(s, m, q, depth + 1)


def _smooth_sum(s: Schedule, a: int, b: int) -> float:
    """Sum over [a, b): stretches between the edges of ``s`` by formula, else term by term."""
    if b - a <= SMOOTH_MIN:
        return _numeric(s, a, b)
    edges = _edges(s, a, b, mono=False)
    if edges is None:
        return _numeric(s, a, b)
    cuts = sorted({math.ceil(x) for x in edges if a < x < b})
    bounds = [a, *cuts, b]
    return math.fsum(_stretch_sum(s, lo, hi) for lo, hi in itertools.pairwise(bounds) if hi > lo)


# -- edges: where a schedule may jump, kink or turn ----------------------------------------------


def _edges(s: Any, lo: float, hi: float, mono: bool) -> list[float] | None:
    """Real times in (lo, hi) where ``s`` may be non-smooth, or None if unknown or too many.

    Between two consecutive edges ``s`` is smooth (analytic) and, with ``mono``, monotone
    (then nodes that can turn between their operands' edges, sums of two schedules and
    minimum / maximum, give None). Without ``mono`` a clip, minimum or maximum (a kink where
    the values cross) and a staircase give None.
    """
    if hi <= lo:
        return []
    out: list[float] = []
    d = s.duration
    if d is not None:
        if lo < d < hi:
            out.append(d)
        hi = min(hi, d)
        if hi <= lo:
            return out
    inner = _edges_in(s, lo, hi, mono)
    if inner is None or len(inner) > _MAX_EDGES:
        return None
    return out + [x for x in inner if lo < x < hi]


def _edges_in(s: Any, lo: float, hi: float, mono: bool) -> list[float] | None:
    s = _expanded(s)
    if _isa(s, P.Tabular):
        rows, _, opaque = s._table()
        starts = [r.start for r in rows]
        i = max(0, bisect.bisect_right(starts, lo) - 1)
        out: list[float] = []
        while i < len(rows) and rows[i].start < hi:
            row = rows[i]
            nxt = rows[i + 1].start if i + 1 < len(rows) else math.inf
            out.append(row.start)
            if row.length is not None:
                out.append(row.start + row.length)
                if row.kind == TRIANGLE:
                    out.append(row.start + row.length / 2)
            if row.kind == OPAQUE:
                sub = _edges(
                    opaque[row.opaque],
                    max(lo, row.start) - row.start,
                    min(hi, nxt) - row.start,
                    mono,
                )
                if sub is None:
                    return None
                out += [x + row.start for x in sub]
            if len(out) > _MAX_EDGES:
                return None
            i += 1
        return out
    if _isa(s, Neg):
        return _edges(s.a, lo, hi, mono)
    if _isa(s, Clip):
        return _edges(s.schedule, lo, hi, mono) if mono else None
    if _isa(s, BinOp):
        if _is_const(s.b) and not _isa(s, (Minimum, Maximum)):
            return _edges(s.a, lo, hi, mono)
        if _is_const(s.a) and not _isa(s, (Minimum, Maximum)):
            return _edges(s.b, lo, hi, mono)
        if mono or _isa(s, (Minimum, Maximum)):
            return None
        ea, eb = _edges(s.a, lo, hi, mono), _edges(s.b, lo, hi, mono)
        return None if ea is None or eb is None else ea + eb
    if _isa(s, Shift):
        c = s.steps
        sub = _edges(s.schedule, max(lo - c, 0), hi - c, mono)
        return None if sub is None else [x + c for x in sub] + ([c] if c > 0 else [])
    if _isa(s, Take):
        return _edges(s.schedule, lo, min(hi, s.steps), mono)
    if _isa(s, ScaleTime):
        f = float(s.factor)
        sub = _edges(s.schedule, lo / f, hi / f, mono)
        return None if sub is None else [x * f for x in sub]
    if _isa(s, Warp):
        dd, pw = float(s.schedule.duration), float(s.power)
        sub = _edges(s.schedule, dd * (lo / dd) ** pw, dd * (min(hi, dd) / dd) ** pw, mono)
        return None if sub is None else [dd * (x / dd) ** (1.0 / pw) for x in sub]
    if _isa(s, _Grid):
        e = s.every
        sub = _edges(s.schedule, lo * e, hi * e, mono)
        return None if sub is None else [x / e for x in sub]
    if _isa(s, Staircase):
        if not mono:
            return None
        e = float(s.every)
        sub = _edges(s.schedule, max(lo - e, 0), hi + e, mono)
        if sub is None:
            return None
        return [y for x in sub for y in (math.floor(x / e) * e, math.ceil(x / e) * e)]
    rep = s.schedule if _isa(s, ScaleByCycle) else s
    if _isa(rep, Repeat):
        return _cycle_edges(rep, lo, hi, mono)
    return None


def _cycle_edges(rep: Any, lo: float, hi: float, mono: bool) -> list[float] | None:
    d = rep._base
    if rep.stretch == 1:
        k0, k1 = math.floor(lo / d), math.floor(hi / d)
        if rep.times is not None:
            k1 = min(k1, rep.times - 1)
        cycles = [(k * d, float(d)) for k in range(k0, k1 + 1)] if k1 - k0 < _MAX_EDGES else None
    else:
        starts, complete = rep._cycle_table()
        if not complete and hi > starts[-1]:
            return None
        m = len(starts) - 1
        k0 = max(0, bisect.bisect_right(starts, lo) - 1)
        k1 = min(bisect.bisect_right(starts, hi) - 1, m - 1)
        if k1 - k0 >= _MAX_EDGES:
            return None
        cycles = [(starts[k], starts[k + 1] - starts[k]) for k in range(k0, k1 + 1)]
    if cycles is None:
        return None
    base = _edges(rep.schedule, 0, d, mono)
    if base is None:
        return None
    out: list[float] = []
    for start, length in cycles:
        out.append(start)
        out += [start + x * (length / d) for x in base]
        if len(out) > _MAX_EDGES:
            return None
    return out


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


def _row_sum(s: Any, row: Any, leaves: Any, opaque: tuple[Any, ...], lo: int, hi: int) -> float:
    """Sum of ``s`` over global steps [lo, hi), all inside ``row``'s span."""
    start, length = row.start, row.length
    if row.kind == OPAQUE:
        if isinstance(start, int):
            return _sum(opaque[row.opaque], lo - start, hi - start)
        return _smooth_sum(s, lo, hi)
    if not isinstance(start, int) or not (length is None or isinstance(length, int)):
        return _smooth_sum(s, lo, hi)
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
    n: int = length
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
    if kind == TRIANGLE:
        return total + _numeric(s, lo, hi)
    return total + _stretch_sum(s, lo, hi)


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
    s = _expanded(s)
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
    if _isa(s, Add):
        return _sum(s.a, a, b) + _sum(s.b, a, b)
    if _isa(s, Sub):
        return _sum(s.a, a, b) - _sum(s.b, a, b)
    if _isa(s, Neg):
        return -_sum(s.a, a, b)
    if _isa(s, Mul):
        if _is_const(s.a):
            v: float = s.a.value
            return v * _sum(s.b, a, b)
        if _is_const(s.b):
            w: float = s.b.value
            return _sum(s.a, a, b) * w
    if _isa(s, Div) and _is_const(s.b):
        divisor: float = s.b.value
        return _sum(s.a, a, b) / divisor
    if _isa(s, Shift) and isinstance(s.steps, int):
        c = s.steps
        if c <= 0:
            return _sum(s.schedule, a - c, b - c)
        head = _at(s.schedule, 0) * max(0, min(b, c) - a)
        return head + _sum(s.schedule, max(a, c) - c, b - c)
    if _isa(s, Take):  # [a, b) lies before its end here: the schedule itself
        return _sum(s.schedule, a, b)
    if _isa(s, Repeat) and s.stretch == 1 and isinstance(s._base, int):
        return _repeat_sum(s.schedule, s._base, a, b, None, 0.0)
    if _isa(s, ScaleByCycle):
        rep = s.schedule
        if rep.stretch == 1 and isinstance(rep._base, int):
            return _repeat_sum(rep.schedule, rep._base, a, b, float(s.factor), float(s.floor))
    if _isa(s, Staircase) and isinstance(s.every, int) and b - a > SMOOTH_MIN:
        return _staircase_sum(s, a, b)
    return _smooth_sum(s, a, b)


def _staircase_sum(s: Any, a: int, b: int) -> float:
    """A staircase's sum: every step of block k holds schedule(k * every)."""
    e: int = s.every
    k0, k1 = -(-a // e), b // e  # the whole blocks k0 .. k1 - 1
    if k1 <= k0:
        return _numeric(s, a, b)
    head = _numeric(s, a, k0 * e)
    tail = _numeric(s, k1 * e, b)
    return head + tail + e * _sum(_Grid._make(schedule=s.schedule, every=e), k0, k1)


class _Grid(Schedule):
    """``schedule(k * every)`` at step k (exact products for integer k): a staircase's blocks."""

    _fname = "grid"
    schedule: Schedule = F.child()
    every: int | float = F.static()

    def _duration(self) -> int | float | None:
        d = self.schedule.duration
        return None if d is None else d / self.every

    def _end_value(self) -> Any:
        return self.schedule.end_value

    def _compute_range(self) -> tuple[float, float]:
        return self.schedule._range()  # type: ignore[return-value]

    def _py(self, t: int | float) -> Any:
        return self.schedule._py(t * self.every)

    def _xp(self, t: Any, xp: Any) -> Any:
        return self.schedule._xp(t * self.every, xp)


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


def _row_cands(s: Any, row: Any, opaque: tuple[Any, ...], lo: int, hi: int) -> list[int] | None:
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
    s = _expanded(s)
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
    if _isa(s, (Neg, Clip)) or (
        _isa(s, (Mul, Div)) and (_is_const(s.b) or (_isa(s, Mul) and _is_const(s.a)))
    ):
        child = s.schedule if _isa(s, Clip) else (s.b if _is_const(s.a) else s.a)
        return _cands(child, a, b)
    if _isa(s, Take):
        return _cands(s.schedule, a, b)
    if _isa(s, Shift) and isinstance(s.steps, int):
        c = s.steps
        if c <= 0:
            inner = _cands(s.schedule, a - c, b - c)
            return None if inner is None else [t + c for t in inner]
        head = [a] if a < min(b, c) else []
        inner = _cands(s.schedule, max(a, c) - c, b - c) if b > c else []
        return None if inner is None else head + [t + c for t in inner]
    rep = s.schedule if _isa(s, ScaleByCycle) else s
    if _isa(rep, Repeat) and rep.stretch == 1 and isinstance(rep._base, int):
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
    mono = True
    edges = _edges(s, a, b, mono=True)
    if edges is None:
        edges = _edges(s, a, b, mono=False)  # smooth between edges, turns to be found
        if edges is None:
            return None
        mono = False
    # Between two consecutive candidates no edge lies strictly between integer steps.
    out = [a, b - 1]
    for x in edges:
        f = math.floor(x)
        out += [t for t in (f - 1, f, f + 1, f + 2) if a <= t < b]
    if not mono:
        bounds = sorted({a, b, *(math.ceil(x) for x in edges if a < x < b)})
        for lo, hi in itertools.pairwise(bounds):
            out += _turns(s, lo, hi)
    return out


#: Samples per smooth stretch when looking for the turns of a sum or product of schedules.
TURN_SAMPLES = 4096


def _turns(s: Schedule, p: int, q: int) -> list[int]:
    """Steps at the local extremes of ``s`` inside [p, q), where ``s`` is smooth.

    ``s`` is sampled at ``TURN_SAMPLES`` evenly spaced steps and at steps crowding both ends
    geometrically; each sampled local extreme is refined by golden-section search over the
    integers between its neighbours. Exact when the turns are isolated at that resolution
    (as for a product or sum of two monotone segments).
    """
    n = q - p
    if n <= 2:
        return []
    if n <= 2 * TURN_SAMPLES:  # a short stretch: every step is a candidate
        return list(range(p, q))
    ks = {p, q - 1}
    ks.update((p + np.arange(TURN_SAMPLES + 1) * (n - 1) // TURN_SAMPLES).tolist())
    g = 1
    while g < n:
        ks.update((p + g, q - 1 - g))
        g *= 2
    ts = np.asarray(sorted(k for k in ks if p <= k < q), dtype=np.int64)
    v = _values(s, ts)
    out: list[int] = []
    for i in range(1, len(ts) - 1):
        left, right = v[i] - v[i - 1], v[i + 1] - v[i]
        if left > 0 >= right or left < 0 <= right:
            sign = 1.0 if left > 0 else -1.0
            out += _golden(s, int(ts[i - 1]), int(ts[i + 1]), sign)
    return out


def _golden(s: Schedule, lo: int, hi: int, sign: float) -> list[int]:
    """Steps around the maximum of ``sign * s`` on the integers of [lo, hi] (unimodal there)."""
    while hi - lo > 8:
        m1 = lo + (hi - lo) * 382 // 1000
        m2 = hi - (hi - lo) * 382 // 1000
        v1, v2 = sign * _at(s, m1), sign * _at(s, m2)
        if v1 < v2:
            lo = m1
        else:
            hi = m2
    return list(range(lo, hi + 1))


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


def _bps(s: Any, limit: int) -> list[int | float]:
    """Sorted starts of segments and cycles (at most about ``limit``), 0 included."""
    s = _expanded(s)
    out: list[int | float] = [0]
    d = s.duration
    if _isa(s, P.Piecewise):
        out += list(s.boundaries)
    elif _isa(s, P.Segment):
        pass
    elif _isa(s, Concat):
        for off, p in zip(s._starts(), s.pieces, strict=True):
            out += [off + x for x in _bps(p, limit)]
            if len(out) > limit:
                break
    elif _isa(s, Repeat):
        base = _bps(s.schedule, limit)
        bd = s._base
        k = 0
        start: int | float = 0
        table = s._cycle_table()[0] if s.stretch != 1 else []  # exact cycle starts
        while len(out) <= limit and (s.times is None or k < s.times):
            try:
                scale = float(s.stretch) ** k
            except OverflowError:  # cycle k starts beyond every float: none is ever reached
                break
            if math.isinf(start + bd * scale):
                break
            out += [_whole(start + x * scale) for x in base if x < bd]
            start = table[k + 1] if k + 1 < len(table) else _whole(start + bd * scale)
            k += 1
    elif _isa(s, ScaleByCycle):
        out += _bps(s.schedule, limit)
    elif _isa(s, BinOp):
        out += _bps(s.a, limit) + _bps(s.b, limit)
    elif _isa(s, (Neg,)):
        out += _bps(s.a, limit)
    elif _isa(s, Clip):
        out += _bps(s.schedule, limit)
    elif _isa(s, Shift):
        out += [max(x + s.steps, 0) for x in _bps(s.schedule, limit)]
        if s.steps > 0:
            out.append(s.steps)
    elif _isa(s, ScaleTime):
        f = Fraction(s.factor)  # exact, then rounded once: the rule of ScaleTime's duration
        out += [_whole(Fraction(x) * f) for x in _bps(s.schedule, limit)]
    elif _isa(s, Staircase):
        e = Fraction(s.every)
        out += [_whole(math.ceil(Fraction(x) / e) * e) for x in _bps(s.schedule, limit)]
    elif _isa(s, Take):
        out += [x for x in _bps(s.schedule, limit) if x < s.steps]
    elif _isa(s, Warp):
        dd = s.schedule.duration
        out += [
            _whole(dd * (x / dd) ** (1.0 / s.power)) for x in _bps(s.schedule, limit) if x <= dd
        ]
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
        raise K.ArgumentTypeError(fn, "schedule", s, f"{fn}(): expected a schedule, got {s!r}")
    n = K.count(fn, "limit", limit, 1)
    return tuple(_bps(s, n)[:n])


# -- summary -------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Summary:
    """Key facts about a schedule over the steps ``0 .. steps - 1`` (``schedalg.summary``).

    ``peak`` and ``low`` are taken over the steps summarized, ``end`` at the step just after
    them, so ``end`` may lie below ``low``: a cosine from 1 to 0.1 over 100 steps has
    ``low = s(99) > 0.1`` and ``end = s(100) = 0.1``.

    Attributes:
        duration: the schedule's duration (None: infinite).
        steps: the number of steps summarized.
        start: the value at step 0.
        peak: the largest value over the steps; ``peak_step`` the first step reaching it.
        low: the smallest value over the steps.
        end: the value at step ``steps`` (for a finite schedule by default: its end value).
        warmup: steps before the peak is first reached (0 when it starts at its peak).
        budget: the learning-rate budget, ``sum(s(t) for t in range(steps))``.
        breakpoints: where segments and cycles begin (at most 1000).

    Example:
        >>> from schedalg import cosine
        >>> sm = cosine(1.0, 0.1, 100).summary()
        >>> sm.low > sm.end == 0.1
        True
        >>> sm.as_dict()["steps"], sm.as_dict()["breakpoints"]
        (100, [0, 100])
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

    def as_dict(self) -> dict[str, Any]:
        """The fields as plain Python values (``json.dumps`` takes it; breakpoints a list)."""
        return {
            "duration": self.duration,
            "steps": int(self.steps),
            "start": float(self.start),
            "peak": float(self.peak),
            "peak_step": int(self.peak_step),
            "low": float(self.low),
            "end": float(self.end),
            "warmup": int(self.warmup),
            "budget": float(self.budget),
            "breakpoints": list(self.breakpoints),
        }

    def __str__(self) -> str:
        dur = "infinite" if self.duration is None else f"{_fmt(self.duration)} steps"
        over = f"steps 0..{_fmt(self.steps - 1)}"
        if self.duration is not None and self.steps >= self.duration:
            after = "the end value, held from there on"
        else:
            after = "the step after those summarized"
        rows = [
            ("duration", dur),
            ("start", _fmt(self.start)),
            ("peak", f"{_fmt(self.peak)} at step {self.peak_step} (largest over {over})"),
            ("warmup", f"{self.warmup} steps"),
            ("min", f"{_fmt(self.low)} (smallest over {over})"),
            ("end", f"{_fmt(self.end)} at step {_fmt(self.steps)} ({after})"),
            ("budget", f"{_fmt(self.budget)} (sum over {over})"),
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


def _fmt_list(xs: tuple[Any, ...], most: int = 8) -> str:
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


def tracker_dict(s: Schedule, prefix: str = "lr", steps: Any = None) -> dict[str, Any]:
    """A flat dict of plain scalars describing a schedule, for an experiment tracker's config.

    Keys are ``<prefix>.<name>``: ``expr`` (``repr(s)``, which ``schedalg.parse`` reads back
    to an equal schedule), then the ``Summary`` fields ``duration`` (left out when the
    schedule is infinite), ``steps``, ``start``, ``peak``, ``peak_step``, ``low``, ``end``,
    ``warmup``, ``budget``, and ``segments`` (the number of segments and cycles begun within
    the steps, the first 1000 counted). Values are ``str``, ``int`` or ``float`` only, so W&B,
    MLflow, TensorBoard's hparams and ``json.dumps`` all take the dict as it is.

    Args:
        s: the schedule (concrete values).
        prefix: put before each key with a dot; ``""``: no prefix.
        steps: the steps summarized, as in ``summary`` (required when ``s`` is infinite).

    Returns:
        ``{"lr.expr": ..., "lr.duration": ..., "lr.peak": ..., ...}``.

    Example:
        >>> from schedalg import cosine, linear_ramp, tracker_dict
        >>> d = tracker_dict(linear_ramp(0.0, 1.0, 10) >> cosine(1.0, 0.0, 90))
        >>> d["lr.expr"], d["lr.peak"], d["lr.warmup"], d["lr.segments"]
        ('linear_ramp(0.0, 1.0, 10) >> cosine(1.0, 0.0, 90)', 1.0, 10, 2)
    """
    fn = "tracker_dict"
    if not isinstance(prefix, str):
        raise TypeError(f"{fn}(): prefix must be a str, got prefix={prefix!r}")
    s = _concrete(s, fn)
    fields = summary(s, steps).as_dict()
    starts = [b for b in fields.pop("breakpoints") if b < fields["steps"]]
    if fields["duration"] is None:
        del fields["duration"]
    out: dict[str, Any] = {"expr": repr(s), **fields, "segments": len(starts)}
    dot = prefix + "." if prefix else ""
    return {dot + k: v for k, v in out.items()}
