"""Lowering to a flat table of segments, and the vectorized evaluation of such a table.

Every primitive, ``piecewise`` and any ``concat`` of them lowers to a table: one row per
segment, sorted by start time. Evaluating a table over an array costs the same whatever its
number of rows: each element finds its row (a comparison count for short tables, a binary
search for long ones), gathers that row's parameters, and evaluates the formula of the
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
    EXPGEO    X = exp(u log(p1 / p0))      Y = 0
    EXPRATE   X = p1^tau                   Y = 0        (p1 is the per-step rate)
    TANH      X = (1 - tanh(a + (b - a) u)) / 2,  Y = 1 - X
    INVERSE   X = (1 + tau / a)^(-b)       Y = 0

Rows of kind OPAQUE hold any other schedule, evaluated at its local time.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np

HOLD, LINEAR, COSINE, POLY, TRIANGLE, EXPGEO, EXPRATE, TANH, INVERSE, OPAQUE = range(10)

# Kinds whose formula reads progress u (a zero-length row of these evaluates at u = 1).
U_KINDS = frozenset({LINEAR, COSINE, POLY, TRIANGLE, EXPGEO, TANH})
# Kinds that may be infinite (their formula reads only tau).
INFINITE_KINDS = frozenset({HOLD, EXPRATE, INVERSE, OPAQUE})

# Below this many rows an element finds its row by counting the starts it has passed: one
# fused comparison per row, no data-dependent gather loop.
COMPARE_ALL_MAX = 16


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


def _cos_weights(xp: Any, u: Any, w: Any) -> tuple[Any, Any]:
    """(cos^2(pi u / 2), sin^2(pi u / 2)), each accurate to float rounding relative to itself.

    The smaller of the two is computed as a sine of the smaller of u, w; the larger is one
    minus it (at least 1/2, so no cancellation).
    """
    first_half = u <= w
    m = xp.minimum(u, w)
    s = xp.sin((math.pi / 2) * m)
    s = s * s
    one_minus = 1.0 - s
    return xp.where(first_half, one_minus, s), xp.where(first_half, s, one_minus)


def _weights(xp: Any, kind: int, a: float, b: float, u: Any, w: Any, tau: Any, aux: Any) -> Any:
    """(X, Y) for one kind with static shape parameters (Y None: zero); ``aux``: the log term."""
    if kind == HOLD:
        return 1.0, None
    if kind == LINEAR:
        return w, u
    if kind == COSINE:
        if a == 1:
            return _cos_weights(xp, u, w)
        # With s the smaller of cos^2 and sin^2 (s <= 1/2): in the first half cos^2 = 1 - s,
        # and 1 - (1 - s)^a = -expm1(a log1p(-s)) keeps its precision as s -> 0.
        first_half = u <= w
        m = xp.minimum(u, w)
        s = xp.sin((math.pi / 2) * m)
        s = s * s
        lg = a * xp.log1p(-s)
        late = _safe_pow(xp, s, a)
        return xp.where(first_half, xp.exp(lg), late), xp.where(
            first_half, -xp.expm1(lg), 1.0 - late
        )
    if kind == POLY:
        if a == 1:
            return w, u
        x = _safe_pow(xp, w, a)
        return x, 1.0 - x
    if kind == TRIANGLE:
        tri = 2.0 * xp.minimum(u, w)
        return 1.0 - tri, tri
    if kind == EXPGEO:
        return xp.exp(u * aux), None
    if kind == EXPRATE:
        return xp.exp(tau * aux), None
    if kind == TANH:
        x = 0.5 * (1.0 - xp.tanh(a + (b - a) * u))
        return x, 1.0 - x
    if kind == INVERSE:
        return (1.0 + tau / a) ** (-b), None
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


def _time_dtype_arrays(t: Any, xp: Any, values: list, fill: int | float) -> Any:
    """Static times as a constant of t's dtype; ints beyond the dtype's range are clipped."""
    dt = t.dtype
    if dt.kind in "iu":
        info = np.iinfo(np.dtype(dt.name))
        return np.asarray([min(max(v, info.min), info.max) for v in values], dtype=dt.name)
    return np.asarray(values, dtype=dt.name)


def eval_table(rows: tuple[Row, ...], leaves: Any, opaque: tuple, t: Any, xp: Any) -> Any:
    """Evaluate a lowered table at ``t`` (an array, already clamped to t >= 0)."""
    n_rows = len(rows)
    int_time = False
    if t.dtype.kind in "iu":
        # Integer local time needs every start and length to be an int within t's dtype
        # (int32 JAX times with a 10**10-step segment fall back to float arithmetic).
        top = np.iinfo(np.dtype(t.dtype.name)).max
        int_time = all(
            _is_int(r.start)
            and r.start <= top
            and (r.length is None or (_is_int(r.length) and r.start + r.length <= top))
            for r in rows
        )
    if not int_time and t.dtype.kind in "iu":
        t = t.astype(xp.result_type(float))

    # Zero-length rows of u-kinds evaluate at their end: start one step early, length one.
    fixed = []
    for r in rows:
        if r.length == 0 and r.kind in U_KINDS:
            r = r._replace(start=r.start - 1, length=1)
        fixed.append(r)
    rows = tuple(fixed)

    # An infinite row gets a length beyond any time but finite, so that u = tau / length and
    # w = (length - tau) / length stay 0 and 1 instead of inf / inf (NaN, and a NumPy warning).
    big = (
        np.iinfo(np.dtype(t.dtype.name)).max
        if int_time
        else float(np.finfo(np.dtype(t.dtype.name)).max) / 4
    )
    starts = [r.start for r in rows]
    lengths = [big if r.length is None else r.length for r in rows]
    if not int_time:  # Python ints beyond int32 must not reach JAX as weakly typed ints
        starts = [float(x) for x in starts]
        lengths = [float(x) for x in lengths]
    kinds_present = sorted({r.kind for r in rows})

    if n_rows == 1:
        seg = None
        start_e = starts[0]
        len_e = lengths[0]
    else:
        bounds = _time_dtype_arrays(t, xp, starts[1:], 0)
        if n_rows <= COMPARE_ALL_MAX:
            seg = sum((t >= bound).astype(np.int32) for bound in bounds)
        elif xp is np:
            seg = np.searchsorted(bounds, t, side="right")
        else:
            seg = xp.searchsorted(bounds, t, side="right", method="scan_unrolled")
        start_e = xp.take(_time_dtype_arrays(t, xp, starts, 0), seg)
        len_e = xp.take(_time_dtype_arrays(t, xp, lengths, 1), seg)

    tau = t - start_e
    tau = xp.minimum(tau, len_e)
    need_u = any(k in U_KINDS for k in kinds_present)
    if need_u:
        u = tau / len_e
        w = (len_e - tau) / len_e
    else:
        u = w = None

    P: Any = None
    if rows and any(k != OPAQUE for k in kinds_present):
        P = leaf_vector(leaves, xp) if n_rows > 1 else None

    def row_param(idx_name: str) -> Any:
        """A per-element parameter gathered from the leaf vector."""
        idx = [getattr(r, idx_name) for r in rows]
        if n_rows == 1:
            lv = leaves if isinstance(leaves, (list, tuple)) else None
            if lv is not None:
                return lv[idx[0]]
            return leaves[..., idx[0]]
        per_row = P[..., np.asarray(idx)]
        return xp.take(per_row, seg, axis=-1) if per_row.ndim == 1 else per_row[..., seg]

    def gather_static(values: list) -> Any:
        if n_rows == 1:
            return values[0]
        return xp.take(np.asarray(values), seg)

    multi_kind = len(kinds_present) > 1
    kind_e = gather_static([r.kind for r in rows]) if multi_kind else None

    p0: Any = None
    p1: Any = None
    if any(k != OPAQUE for k in kinds_present):
        p0 = row_param("i0")
        p1 = row_param("i1")

    def aux_for(kind: int) -> Any:
        """Per-element log term: log(p1 / p0) for EXPGEO, log(p1) for EXPRATE.

        Computed per row (in float64 on the host when the leaves are concrete, so a rate
        near 1 keeps its precision), with 1 in other rows' slots so logs stay finite.
        """
        if kind not in (EXPGEO, EXPRATE):
            return None
        mask = np.asarray([r.kind == kind for r in rows])
        concrete = (
            P is None
            and isinstance(leaves, (list, tuple))
            and all(type(x) is float for x in leaves)
        )
        if n_rows == 1:
            if concrete:
                q = leaves[rows[0].i1] / (leaves[rows[0].i0] if kind == EXPGEO else 1.0)
                return math.log(q)
            return xp.log(p1 / p0) if kind == EXPGEO else xp.log(p1)
        idx1 = np.asarray([r.i1 for r in rows])
        idx0 = np.asarray([r.i0 for r in rows])
        ns = np if isinstance(P, np.ndarray) else xp
        num = ns.where(mask, P[..., idx1], 1.0)
        den = ns.where(mask, P[..., idx0], 1.0) if kind == EXPGEO else 1.0
        per_row = ns.log(num / den)
        return xp.take(per_row, seg, axis=-1) if per_row.ndim == 1 else per_row[..., seg]

    value = None
    for kind in kinds_present:
        if kind == OPAQUE:
            continue
        shapes = sorted({(r.a, r.b) for r in rows if r.kind == kind})
        for a, b in shapes:
            x, y = _weights(xp, kind, a, b, u, w, tau, aux_for(kind))
            v = p0 * x if y is None else p0 * x + p1 * y
            if value is None and len(shapes) == 1 and not multi_kind:
                value = v
                continue
            if len(shapes) == 1:
                sel = kind_e == kind
            else:
                sel = gather_static([r.kind == kind and (r.a, r.b) == (a, b) for r in rows])
                if multi_kind:
                    sel = sel & (kind_e == kind)
            value = v if value is None else xp.where(sel, v, value)

    for j, r in enumerate(rows):
        if r.kind != OPAQUE:
            continue
        child = opaque[r.opaque]
        local = xp.maximum(t - r.start, 0) if n_rows > 1 else tau
        v = child._xp(local, xp)
        value = v if value is None else xp.where(seg == j, v, value)
    return value
