"""Lowering to a flat table of segments, and the vectorized evaluation of such a table.

Every primitive, ``piecewise`` and any ``concat`` of them lowers to a table: one row per
segment, sorted by start time. Evaluating a table over an array costs the same whatever its
number of rows: each element finds its row (a chain of comparisons for short tables, a
bucket index built at lowering time for long ones), gathers that row's parameters, and
evaluates the formula of the
segment kinds present in the table (known at lowering time, so a table of holds never pays
for a cosine).

The boundary rule, written once: a row ``[start, start + length)`` is half-open; an element
at ``t`` belongs to the last row whose start is ``<= t``; its local time is
``tau = t - start``, clamped to ``length`` (so past the end of the last row the value is the
limit ``u -> 1``); progress is ``u = tau / length`` and ``w = (length - tau) / length``, both
computed from the integer ``tau`` where the input is integer, so neither loses precision at
large ``t`` and ``w`` is exact near the end of a decay.

Every segment's value is ``p0 * X + p1 * Y``, with ``p0``, ``p1`` two of the schedule's leaves
and ``(X, Y)`` a pair of weights given by the kind::

    HOLD      X = 1                        Y = 0
    LINEAR    X = w                        Y = u
    COSINE    X = cos(pi u / 2)^2          Y = 1 - X    (raised to the static power a)
    POLY      X = w^a                      Y = 1 - X
    TRIANGLE  X = 1 - 2 min(u, w)          Y = 1 - X
    EXPGEO    X = exp(tau log(p1 / p0) / n)  Y = 0      (n the length)
    EXPRATE   X = exp(tau p1)              Y = 0        (p1 is the log of the per-step rate)
    TANH      X = (1 - tanh(a + (b - a) u)) / 2,  Y = 1 - X
    INVERSE   X = (1 + tau / a)^(-b)       Y = 0

Rows of kind OPAQUE hold any other schedule, evaluated at its local time.
"""

from __future__ import annotations

import functools
import math
from typing import Any, NamedTuple

import numpy as np

HOLD, LINEAR, COSINE, POLY, TRIANGLE, EXPGEO, EXPRATE, TANH, INVERSE, OPAQUE = range(10)

# Kinds whose formula reads progress u (a zero-length row of these evaluates at u = 1).
U_KINDS = frozenset({LINEAR, COSINE, POLY, TRIANGLE, EXPGEO, TANH})


class Row(NamedTuple):
    kind: int
    start: int | float
    length: int | float | None  # None: infinite
    i0: int  # index of p0 in the leaf vector
    i1: int  # index of p1 in the leaf vector
    a: float = 1.0  # static shape parameters (power, tanh range, time constant)
    b: float = 0.0
    opaque: int = -1  # index into the table's opaque schedules


def shift_rows(rows: tuple[Row, ...], dt: int | float, di: int, do: int) -> tuple[Row, ...]:
    """Rows moved later by ``dt`` in time, ``di`` in leaf index and ``do`` in opaque index."""
    return tuple(
        r._replace(
            start=r.start + dt,
            i0=r.i0 + di,
            i1=r.i1 + di,
            opaque=r.opaque + do if r.opaque >= 0 else -1,
        )
        for r in rows
    )


def _is_int(x: Any) -> bool:
    return isinstance(x, int)


# -- weights -------------------------------------------------------------------------------------


def _safe_pow(xp: Any, base: Any, p: float) -> Any:
    """``base ** p`` for base in [0, 1], with a finite gradient at base = 0 (where p < 1)."""
    if p == 1:
        return base
    if p == 2:
        return base * base
    pos = base > 0
    return xp.where(pos, xp.where(pos, base, 1.0) ** p, 0.0)


class _LocalTime(NamedTuple):
    """An element's local time in its row, as the formulas read it.

    ``tf``: tau; ``rf``: length - tau (exact, from integers where time is integer); ``nf``:
    the length; all in the float dtype. ``first_half``: tau <= length - tau.

    Each formula forms its own quotients (``u = tf / nf`` and ``w = rf / nf``) where it uses
    them. Progress shared between the kinds of a table would be computed once and stored by
    XLA:CPU (a division with several users is not fused), costing a pass over memory each;
    a quotient per use keeps the whole table one fused, vectorized loop.
    """

    tf: Any
    rf: Any
    nf: Any
    first_half: Any


def _cos_weights(xp: Any, lt: _LocalTime) -> tuple[Any, Any, Any]:
    """(cos^2(pi u / 2), sin^2(pi u / 2), s), each accurate to float rounding relative to itself.

    The smaller of the two, ``s``, is computed as a sine of the smaller of u, w; the larger is
    one minus it (at least 1/2, so no cancellation). The Python path's scalar form of the same
    formula is ``_primitives._cosine_fn``; a property test pins the two together.
    """
    m = xp.minimum(lt.tf, lt.rf) / lt.nf
    s = xp.sin((math.pi / 2) * m)
    s = s * s
    one_minus = 1.0 - s
    fh = lt.first_half
    return xp.where(fh, one_minus, s), xp.where(fh, s, one_minus), s


def _weights(xp: Any, kind: int, a: float, b: float, lt: _LocalTime, aux: Any) -> Any:
    """(X, Y) for one kind with static shape parameters (Y None: zero); ``aux``: the log term."""
    if kind == HOLD:
        return 1.0, None
    if kind == LINEAR or (kind == POLY and a == 1):
        return lt.rf / lt.nf, lt.tf / lt.nf
    if kind == COSINE:
        c, sn, s = _cos_weights(xp, lt)
        if a == 1:
            return c, sn
        # With s the smaller of cos^2 and sin^2 (s <= 1/2): in the first half cos^2 = 1 - s,
        # and 1 - (1 - s)^a = -expm1(a log1p(-s)) keeps its precision as s -> 0.
        fh = lt.first_half
        lg = a * xp.log1p(-s)
        late = _safe_pow(xp, s, a)
        return xp.where(fh, xp.exp(lg), late), xp.where(fh, -xp.expm1(lg), 1.0 - late)
    if kind == POLY:
        x = _safe_pow(xp, lt.rf / lt.nf, a)
        return x, 1.0 - x
    if kind == TRIANGLE:
        tri = 2.0 * xp.minimum(lt.tf, lt.rf) / lt.nf
        return 1.0 - tri, tri
    if kind in (EXPGEO, EXPRATE):
        return xp.exp(lt.tf * aux), None
    if kind == TANH:
        x = 0.5 * (1.0 - xp.tanh(a + (b - a) * (lt.tf / lt.nf)))
        return x, 1.0 - x
    if kind == INVERSE:
        return (1.0 + lt.tf / a) ** (-b), None
    raise AssertionError(f"unknown segment kind {kind}")


# -- the table -----------------------------------------------------------------------------------


def leaf_vector(leaves: Any, xp: Any) -> Any:
    """The leaves as one array (last axis), whatever mix of floats, arrays and tracers."""
    if isinstance(leaves, (list, tuple)):
        if all(type(x) is float for x in leaves):
            return np.asarray(leaves, dtype=np.float64)
        if xp is np:
            return np.stack([np.asarray(x, dtype=np.float64) for x in leaves], axis=-1)
        return xp.stack([xp.asarray(x) for x in leaves], axis=-1)
    return leaves


class _Plan(NamedTuple):
    """Everything static about evaluating one table at one time dtype (built once, cached)."""

    rows: tuple[Row, ...]
    int_time: bool
    starts: np.ndarray  # row starts, in the time dtype
    lengths: np.ndarray  # float time: row lengths (infinite rows: a quarter of the maximum)
    bounds: np.ndarray  # starts[1:]
    mode: str  # "one", "select", "bucket" or "bisect"
    inv_width: float = 0.0  # bucket: 1 / bucket width
    n_buckets: int = 0
    base: np.ndarray | None = None  # bucket: rows surely started at the bucket's left margin
    # bucket: per candidate j, the bound base + j of each bucket (or sentinel)
    near: tuple[Any, ...] = ()
    identity: np.ndarray | None = None  # bucket: arange(rows)
    ends: np.ndarray | None = None  # integer time: row ends, at most the dtype's maximum
    extra: np.ndarray | None = None  # integer time: how far ends pass that maximum (float)


# Tables of at most this many rows pick each element's parameters with a chain of compares and
# selects (branch-free, vectorizes on every backend); longer tables locate the row with a
# bucket index and a few compares, then gather.
SELECT_MAX = 8
# Bucket index limits: beyond them (very uneven row lengths) the lookup is a binary search.
MAX_BUCKETS = 1 << 16
MAX_CANDIDATES = 4


def _fix_zero_length(rows: tuple[Row, ...]) -> tuple[Row, ...]:
    """Zero-length rows of u-kinds evaluate at their end: start one step early, length one."""
    return tuple(
        r._replace(start=r.start - 1, length=1) if r.length == 0 and r.kind in U_KINDS else r
        for r in rows
    )


def _as_time_array(values: list[Any], dtype: np.dtype[Any]) -> np.ndarray:
    """Static times as an array of the time dtype; ints beyond the dtype's range are clipped."""
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        return np.asarray([min(max(v, info.min), info.max) for v in values], dtype=dtype)
    return np.asarray(values, dtype=dtype)


def _bucket_index(bounds: np.ndarray) -> tuple[float, int, np.ndarray, int] | None:
    """A uniform bucket index over the sorted ``bounds``: (1/width, buckets, base, candidates).

    An element at ``t`` in bucket ``q = floor(t / width)`` (computed in floating point, so
    possibly one bucket off) lies in ``[(q - 1) width, (q + 2) width)``: every bound up to the
    left end is passed (``base[q]`` of them) and at most ``candidates`` more lie inside.
    None when the bounds are too uneven for a small index.
    """
    b = bounds.astype(np.float64)
    hi = float(b[-1])
    if not hi > 0 or not math.isfinite(hi):
        return None
    n_buckets = min(MAX_BUCKETS, max(16, 1 << int(2 * len(b) - 1).bit_length()))
    while True:
        width = hi / (n_buckets - 1)
        q = np.arange(n_buckets, dtype=np.float64)
        base = np.searchsorted(b, (q - 1) * width, side="right")
        top = np.searchsorted(b, (q + 2) * width, side="left")
        top[-1] = len(b)
        cand = int(np.max(top - base))
        if cand <= MAX_CANDIDATES:
            return 1.0 / width, n_buckets, base.astype(np.int32), max(cand, 1)
        if n_buckets >= MAX_BUCKETS:
            return None
        n_buckets = min(MAX_BUCKETS, n_buckets * 4)


class _Static(NamedTuple):
    """Per-row facts the evaluation reads, computed once per table."""

    kinds: tuple[int, ...]  # kinds present, sorted
    i0: np.ndarray  # per row, the leaf index of p0
    i1: np.ndarray
    # per (kind, a, b) present: (kind, a, b, per-row mask, kind has one shape)
    shapes: tuple[tuple[int, float, float, np.ndarray, bool], ...]
    kind_mask: dict[int, np.ndarray]  # per kind: per-row mask
    per_step: np.ndarray  # EXPGEO rows: their length; other rows: 1
    opaque_rows: tuple[tuple[int, Row], ...]  # (row index, row) of the OPAQUE rows


@functools.lru_cache(maxsize=512)
def _static(rows: tuple[Row, ...]) -> _Static:
    kinds = tuple(sorted({r.kind for r in rows}))
    shapes = []
    for kind in kinds:
        if kind == OPAQUE:
            continue
        ab = sorted({(r.a, r.b) for r in rows if r.kind == kind})
        for a, b in ab:
            mask = np.asarray([r.kind == kind and (r.a, r.b) == (a, b) for r in rows])
            shapes.append((kind, a, b, mask, len(ab) == 1))
    return _Static(
        kinds,
        np.asarray([r.i0 for r in rows]),
        np.asarray([r.i1 for r in rows]),
        tuple(shapes),
        {k: np.asarray([r.kind == k for r in rows]) for k in kinds},
        np.asarray([float(r.length or 1) if r.kind == EXPGEO else 1.0 for r in rows]),
        tuple((j, r) for j, r in enumerate(rows) if r.kind == OPAQUE),
    )


def _int_time(rows: tuple[Row, ...], dtype: Any) -> bool:
    """Integer local time needs an integer ``t`` and every start and length an int."""
    if dtype.kind not in "iu":
        return False
    return all(_is_int(r.start) and (r.length is None or _is_int(r.length)) for r in rows)


@functools.lru_cache(maxsize=512)
def _plan(rows: tuple[Row, ...], dtype_name: str, int_time: bool) -> _Plan:
    dtype = np.dtype(dtype_name)
    rows = _fix_zero_length(rows)
    if not int_time:
        # An infinite row gets a length beyond any time but finite (a quarter of the float
        # maximum, so 2 * length cannot overflow in the formulas of other kinds).
        big = float(np.finfo(dtype).max) / 4
        starts = _as_time_array([r.start for r in rows], dtype)
        lengths = _as_time_array([big if r.length is None else r.length for r in rows], dtype)
        return _locating(rows, int_time, starts, lengths, SELECT_MAX)
    # Integer time: rows starting beyond the dtype's maximum are never reached (int32 JAX
    # time with a schedule longer than 2**31 steps), so they are left out; ends beyond it
    # are clipped there, and the excess is added back in floating point to ``length - tau``.
    # Every integer operation (min(t, end) - start, end - min(t, end)) then stays in range.
    top = int(np.iinfo(dtype).max)
    rows = tuple(r for j, r in enumerate(rows) if j == 0 or r.start <= top)
    ends = [top if r.length is None else r.start + r.length for r in rows]
    starts = np.asarray([r.start for r in rows], dtype=dtype)
    plan = _locating(rows, int_time, starts, starts, SELECT_MAX)
    over = [float(max(e - top, 0)) for e in ends]
    return plan._replace(
        ends=np.asarray([min(e, top) for e in ends], dtype=dtype),
        extra=np.asarray(over) if any(over) else None,
    )


def _locating(
    rows: tuple[Row, ...], int_time: bool, starts: np.ndarray, lengths: np.ndarray, select_max: int
) -> _Plan:
    """The plan that finds, per element, the last of the sorted ``starts`` it has passed."""
    bounds = starts[1:]
    n = len(starts)
    if n == 1:
        return _Plan(rows, int_time, starts, lengths, bounds, "one")
    if n <= select_max:
        return _Plan(rows, int_time, starts, lengths, bounds, "select")
    index = _bucket_index(bounds)
    if index is None:
        return _Plan(rows, int_time, starts, lengths, bounds, "bisect")
    inv_width, n_buckets, base, cand = index
    sentinel = np.iinfo(starts.dtype).max if starts.dtype.kind in "iu" else np.inf
    padded = np.concatenate([bounds, np.full(cand, sentinel, dtype=starts.dtype)])
    near = tuple(padded[base + j] for j in range(cand))
    return _Plan(
        rows,
        int_time,
        starts,
        lengths,
        bounds,
        "bucket",
        inv_width,
        n_buckets,
        base,
        near,
        np.arange(n, dtype=np.int32),
    )


@functools.lru_cache(maxsize=256)
def interval_plan(starts: tuple[int | float, ...], dtype_name: str, select_max: int) -> _Plan:
    """A plan locating t among the intervals ``[starts[i], starts[i + 1])`` (the last open).

    Used by ``Locator`` as for a table: compare/select chains up to ``select_max``
    intervals, else a bucket index (or a binary search).
    """
    dtype = np.dtype(dtype_name)
    arr = _as_time_array(list(starts), dtype)
    return _locating((), dtype.kind in "iu", arr, arr, select_max)


class Locator:
    """Per-element access to per-row tables: which row each element of ``t`` is in."""

    def __init__(self, plan: _Plan, t: Any, xp: Any) -> None:
        self.plan, self.t, self.xp = plan, t, xp
        self.masks: list[Any] | None = None
        self._seg: Any = None
        if plan.mode == "select":
            self.masks = [t >= b for b in plan.bounds.tolist()]

    @property
    def seg(self) -> Any:
        """The row index of each element (int32)."""
        if self._seg is None:
            self._seg = self._locate()
        return self._seg

    def _locate(self) -> Any:
        plan, t, xp = self.plan, self.t, self.xp
        if plan.mode == "select":
            return sum(m.astype(np.int32) for m in self.masks)  # type: ignore[union-attr]
        if xp is np:
            return np.searchsorted(plan.bounds, t, side="right")
        if plan.mode == "bisect":
            return xp.searchsorted(plan.bounds, t, side="right", method="scan_unrolled")
        ft = t if t.dtype.kind == "f" else t.astype(xp.result_type(float))
        q = xp.clip(ft * plan.inv_width, 0, plan.n_buckets - 1).astype(np.int32)
        # Each gather reads only q (no chain of dependent gathers): one fused pass.
        seg = _take(xp, plan.base, q)
        for near in plan.near:
            seg = seg + (t >= _take(xp, near, q)).astype(np.int32)
        seg = xp.minimum(seg, len(plan.starts) - 1)
        # XLA:CPU stores a gather with several users and fuses everything else: passing the
        # row index through a gather stores it once, so the rest of the table (gathers of the
        # row's parameters and the formulas) is one fused loop.
        return _take(xp, plan.identity, seg)

    def __call__(self, table: Any) -> Any:
        """``table[row of each element]``; ``table`` is per row on its last axis."""
        xp = self.xp
        if self.masks is not None and np.ndim(table) == 1:
            out = table[0]
            for j, m in enumerate(self.masks, start=1):
                out = xp.where(m, table[j], out)
            return out
        if np.ndim(table) == 1:
            return _take(xp, table, self.seg)
        return table[..., self.seg]


def _take(xp: Any, table: Any, index: Any) -> Any:
    """``table[index]`` for in-bounds indices (no bounds handling on JAX)."""
    if xp is np:
        return np.take(table, index)
    return xp.take(table, index, mode="clip")


def eval_table(
    rows: tuple[Row, ...],
    leaves: Any,
    opaque: tuple[Any, ...],
    t: Any,
    xp: Any,
    memo: dict[Any, Any] | None = None,
) -> Any:
    """Evaluate a lowered table at ``t`` (an array, already clamped to t >= 0).

    ``memo``: the calling node's cache, where the table's plan for this time dtype is kept
    (a NumPy call then costs no per-row Python work).
    """
    key = ("plan", xp.__name__, t.dtype.name)
    got = memo.get(key) if memo is not None else None
    if got is None:
        int_time = _int_time(rows, t.dtype)
        fdt = np.dtype(np.float64) if xp is np else np.dtype(xp.result_type(float))
        tdt = t.dtype if int_time or t.dtype.kind == "f" else fdt
        got = (int_time, _plan(rows, np.dtype(tdt).name, int_time))
        got = got + (_static(got[1].rows),)
        if memo is not None:
            memo[key] = got
    int_time, plan, st = got
    if not int_time and t.dtype.kind in "iu":
        t = t.astype(xp.result_type(float))
    rows = plan.rows
    n_rows = len(rows)
    at = Locator(plan, t, xp)
    kinds_present = st.kinds

    if int_time:
        ends = plan.ends
        assert ends is not None
        extra = plan.extra
        if n_rows == 1:
            start_e, end_e = int(plan.starts[0]), int(ends[0])
            extra_e = None if extra is None else float(extra[0])
        else:
            start_e, end_e = at(plan.starts), at(ends)
            extra_e = None if extra is None else at(extra)
        te = xp.minimum(t, end_e)
        tau = te - start_e
        rest = end_e - te
        fdt = np.float64 if xp is np else xp.result_type(float)
        tf, rf = tau.astype(fdt), rest.astype(fdt)
        if extra_e is None:
            first_half = tau <= rest
        else:
            rf = rf + extra_e
            first_half = tf <= rf
        nf = tf + rf
    else:
        if n_rows == 1:
            start_e, len_e = plan.starts.tolist()[0], plan.lengths.tolist()[0]
        else:
            start_e, len_e = at(plan.starts), at(plan.lengths)
        tau = xp.minimum(t - start_e, len_e)
        tf, rf, nf = tau, len_e - tau, len_e
        first_half = tf <= rf
    lt = _LocalTime(tf, rf, nf, first_half)

    tabular = [k for k in kinds_present if k != OPAQUE]
    p0: Any = None
    p1: Any = None
    if tabular:
        if n_rows == 1 and isinstance(leaves, (list, tuple)):
            p0, p1 = leaves[rows[0].i0], leaves[rows[0].i1]
        elif n_rows == 1:
            p0, p1 = leaves[..., rows[0].i0], leaves[..., rows[0].i1]
        else:
            vec = leaf_vector(leaves, xp)
            p0_rows = vec[..., st.i0]
            p1_rows = vec[..., st.i1]
            p0, p1 = at(p0_rows), at(p1_rows)

    def aux_for(kind: int) -> Any:
        """Per-element log term: log(p1 / p0) for EXPGEO, p1 (the log-rate) for EXPRATE.

        Computed per row (in float64 on the host when the leaves are concrete), with 1 in
        other rows' slots so logs stay finite, then gathered.
        """
        if kind not in (EXPGEO, EXPRATE):
            return None
        if kind == EXPRATE:
            return p1
        # EXPGEO reads log(p1 / p0) / length per step of tau (no per-element progress).
        if n_rows == 1:
            n = float(rows[0].length or 1)
            if type(p0) is float and type(p1) is float:
                return (math.log(p1) - math.log(p0)) / n
            return (xp.log(p1) - xp.log(p0)) / n
        mask = st.kind_mask[kind]
        num = _where(xp, mask, p1_rows, 1.0)
        # log(p1) - log(p0), not log(p1 / p0): the quotient may overflow in float32.
        den = _where(xp, mask, p0_rows, 1.0)
        return at((_log(xp, num) - _log(xp, den)) / st.per_step)

    multi_kind = len(kinds_present) > 1

    value = None
    for kind, a, b, mask, single in st.shapes:
        x, y = _weights(xp, kind, a, b, lt, aux_for(kind))
        v = p0 * x if y is None else p0 * x + p1 * y
        if value is None and single and not multi_kind:
            value = v
            continue
        # One gathered mask per use (a row-kind index compared several times would be
        # stored by XLA:CPU as a pass of its own).
        value = v if value is None else xp.where(at(mask), v, value)

    for j, r in st.opaque_rows:
        child = opaque[r.opaque]
        local = xp.maximum(t - plan.starts[j], 0) if n_rows > 1 else tau
        v = child._xp(local, xp)
        value = v if value is None else xp.where(at.seg == j, v, value)
    return value


def _where(xp: Any, mask: np.ndarray, p: Any, other: float) -> Any:
    """Per-row ``p`` where the static mask holds, ``other`` elsewhere."""
    if isinstance(p, np.ndarray):
        return np.where(mask, p, other)
    return xp.where(mask, p, other)


def _log(xp: Any, x: Any) -> Any:
    return np.log(x) if isinstance(x, np.ndarray) else xp.log(x)
