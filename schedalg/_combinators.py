"""Combinators: concatenation, cycles, arithmetic and time transforms."""

from __future__ import annotations

import bisect
import itertools
import math
import operator
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import numpy as np

from . import _backend as B
from ._lower import OPAQUE, Locator, Row, eval_table, interval_plan, leaf_vector, shift_rows
from ._primitives import MAX_GRADIENT, Hold, Tabular, each, value_span
from ._schedule import (
    PREC_ADD,
    PREC_ATOM,
    PREC_MUL,
    PREC_NEG,
    PREC_SHIFT,
    Schedule,
    _HashedTuple,
    _leaf_key,
    as_schedule,
    fmt_number,
    short_repr,
)


def _checked(fn: str, node: Any, got: str | Callable[[], str]) -> Any:
    """``node`` if its duration and its (conservative) value range are finite and in bounds.

    Durations stay within 2**62 steps and values within +-1e30 (inside float32's range, in which JAX
    computes), so no backend overflows while evaluating a schedule that was built.
    """
    try:
        d = node.duration
    except OverflowError:
        d = math.inf
    if d is not None and not d <= B.MAX_STEPS:
        raise ValueError(f"{fn}(): the duration would exceed 2**62 steps, got {_got(got)}")
    try:
        rng = node._range()
    except (OverflowError, ZeroDivisionError):
        rng = (-math.inf, math.inf)
    if rng is not None and not (-B.MAX_VALUE <= rng[0] and rng[1] <= B.MAX_VALUE):
        raise ValueError(
            f"{fn}(): the values could reach {max(abs(rng[0]), abs(rng[1])):g}, beyond "
            f"{B.MAX_VALUE:g} (values and gradients stay in float32's range), got {_got(got)}"
        )
    if rng is not None:
        g = _gain(node)
        if not g <= MAX_GRADIENT:
            raise ValueError(
                f"{fn}(): gradients with respect to the leaves could reach {g:g}, beyond "
                f"{MAX_GRADIENT:g} (a product of factors of very different sizes), got {_got(got)}"
            )
    return node


#: Smallest divisor magnitude: JAX's gradient of a / b forms b**2, which must stay a normal
#: float32 number (a smaller one flushes to 0 and the gradient to inf).
_MIN_DIVISOR = 2.0**-63


def _magnitude(s: Schedule) -> float:
    lo, hi = s._range()  # type: ignore[misc]
    return max(abs(lo), abs(hi))


def _gain(s: Schedule) -> float:
    """A bound on |d s(t) / d leaf| over the leaves of ``s`` (1 for a primitive, whose
    formula weighs each leaf by at most 1): the cotangent backpropagation carries to a leaf.
    A product multiplies each side's gain by the other side's magnitude, a quotient by
    ``1 / |b|`` or ``|a| / b**2``. Needs concrete ranges (checked nodes only)."""
    if isinstance(s, Mul):
        return s._cached(  # type: ignore[no-any-return]
            "gain",
            lambda: max(_gain(s.a) * _magnitude(s.b), _gain(s.b) * _magnitude(s.a)),
        )
    if isinstance(s, Div):

        def div_gain() -> float:
            lo, hi = s.b._range()
            low = min(abs(lo), abs(hi))
            return max(_gain(s.a) / low, _gain(s.b) * _magnitude(s.a) / low / low)

        return s._cached("gain", div_gain)  # type: ignore[no-any-return]
    if isinstance(s, Concat):
        # an appended concat (``a >> b >> ...``) combines its left part's gain, unjoined
        children = (s._left, *s._pieces) if s._left is not None else s.pieces
    else:
        children = s._children()
    if not children:
        return 1.0
    return s._cached(  # type: ignore[no-any-return]
        "gain", lambda: max(1.0, *(_gain(c) for c in children))
    )


def _got(got: str | Callable[[], str]) -> str:
    """The "got ..." part of a message, formatted only when an error is raised."""
    return got if isinstance(got, str) else got()


def _fits(t: Any, n: Any) -> bool:
    """True when ``n`` is a Python int that the integer array ``t``'s dtype can hold."""
    if type(n) is not int or t.dtype.kind not in "iu":
        return False
    info = np.iinfo(np.dtype(t.dtype.name))
    return bool(info.min <= n <= info.max)


def _with_const(t: Any, n: Any, xp: Any) -> tuple[Any, Any]:
    """``(t, n)`` ready for array arithmetic together.

    An int ``n`` stays an int (exact integer arithmetic) only where ``t`` is an integer array
    whose dtype holds it; otherwise both become floats (JAX refuses a Python int beyond its
    int32 or float32 operand's range: ``int32 t - 2**40`` is an error, not a promotion).
    """
    if _fits(t, n):
        return t, n
    if t.dtype.kind in "iu":
        t = t.astype(xp.result_type(float))
    return t, float(n)


def _need_schedule(fn: str, schedule: Any) -> None:
    if not isinstance(schedule, Schedule):
        raise TypeError(f"{fn}(): schedule must be a schedule, got schedule={schedule!r}")


# -- concat --------------------------------------------------------------------------------------


def _static_duration(piece: Schedule) -> int | float | None:
    return piece.duration


class Concat(Tabular):
    """Pieces run one after another. Lowered to one table; its leaves travel packed.

    Built publicly from ``pieces``; rebuilt by JAX from ``layout`` (static: per piece, its
    class, static fields and leaf count, or its opaque index), one leaf vector and the opaque
    pieces (those that do not lower to segments).
    """

    _fname = "concat"
    _prec = PREC_SHIFT

    # -- the two representations -------------------------------------------------------------

    @property
    def pieces(self) -> tuple[Schedule, ...]:
        """The pieces, in order."""
        p = self._pieces
        if p is None:
            return self._cached("pieces", self._rebuild_pieces)
        if self._left is None:
            return p
        return self._cached("pieces", self._join)

    def _join(self) -> tuple[Schedule, ...]:
        """The pieces of a concat built by appending to ``_left`` (see ``concat``)."""
        tails = []
        node = self
        while node._left is not None and "pieces" not in node._cache:
            tails.append(node._pieces)
            node = node._left
        out = list(node.pieces)
        for tail in reversed(tails):
            out.extend(tail)
        return tuple(out)

    def _rebuild_pieces(self) -> tuple[Schedule, ...]:
        vec = self._vec
        concrete = not B.is_tracer(vec)
        if concrete:
            vec = np.asarray(vec, dtype=np.float64)
        out = []
        pos = 0
        for entry in self._layout:
            if entry[0] == "opaque":
                out.append(self._opaque[entry[1]])
                continue
            _, cls, static, n = entry
            if cls is _PIECEWISE():
                part = vec[..., pos : pos + n]
                if concrete and part.ndim == 1:
                    part = tuple(float(x) for x in part)
                out.append(cls._make(values=part, boundaries=static[0]))
            else:
                leaves = [vec[..., pos + i] for i in range(n)]
                if concrete:
                    leaves = [float(x) if np.ndim(x) == 0 else x for x in leaves]
                out.append(cls._tree_unflatten(static, leaves))
            pos += n
        return tuple(out)

    def _split(self) -> tuple[tuple, list, tuple]:
        """(layout, flat leaves, opaque pieces) from the pieces."""
        return self._cached("split", self._compute_split)

    def _compute_split(self) -> tuple[tuple, list, tuple]:
        layout: list[tuple] = []
        leaves: list = []
        opaque: list = []
        for p in self.pieces:
            if isinstance(p, Tabular) and not isinstance(p, Concat):
                lv = p._value_list() if isinstance(p, _PIECEWISE()) else list(p._leaves())
                _flat, static = p._tree_flatten()
                layout.append(("flat", type(p), static, len(lv)))
                leaves.extend(lv)
            else:
                layout.append(("opaque", len(opaque)))
                opaque.append(p)
        return _Layout(layout), leaves, tuple(opaque)

    @property
    def _layout(self) -> tuple:
        return self._split()[0] if self._pieces is not None else self._packed_layout

    @property
    def _opaque(self) -> tuple:
        return self._split()[2] if self._pieces is not None else self._packed_opaque

    @property
    def _vec(self) -> Any:
        if self._pieces is None:
            return self._packed_vec

        def make() -> Any:
            leaves = self._split()[1]
            if all(type(x) is float for x in leaves):
                return np.asarray(leaves, dtype=np.float64)
            return leaves

        # Cached whole: jit flattens a schedule argument at every call.
        return self._cached("vec", make)

    # -- schedule protocol -------------------------------------------------------------------

    def _leaves(self) -> tuple[Any, ...]:
        if self._pieces is None:
            return (self._packed_vec,)
        return tuple(self._split()[1])

    def _children(self) -> tuple[Schedule, ...]:
        return self._opaque

    def _depth_subs(self) -> tuple[Any, ...]:
        if self._pieces is None:
            return self._packed_opaque  # type: ignore[no-any-return]
        if self._left is None:
            return self._pieces  # type: ignore[no-any-return]
        return (*self._pieces, self._left._depth - 1)  # the depth of its deepest piece

    def _subs(self) -> tuple[Schedule, ...]:
        return self.pieces

    @property
    def _py_ok(self) -> bool:
        def make() -> bool:
            if self._pieces is None and B.is_tracer(self._packed_vec):
                return False
            return all(p._py_ok for p in self.pieces)

        return self._cached("py_ok", make)

    def _starts(self) -> list[int | float]:
        def make() -> list[int | float]:
            starts: list[int | float] = [0]
            for p in self.pieces[:-1]:
                starts.append(_add_time(starts[-1], p.duration or 0))
            return starts

        return self._cached("starts", make)

    def _duration(self) -> int | float | None:
        last = self.pieces[-1].duration
        return None if last is None else self._starts()[-1] + last

    def _end_value(self) -> Any:
        return self.pieces[-1].end_value

    def _compute_range(self) -> tuple[float, float]:
        ranges: list[Any] = [p._range() for p in self.pieces]
        return min(r[0] for r in ranges), max(r[1] for r in ranges)

    def _py(self, t: int | float) -> float:
        starts = self._starts()
        i = bisect.bisect_right(starts, t) - 1
        return self.pieces[i]._py(t - starts[i])

    def _pyfn(self) -> Any:
        starts = tuple(self._starts())
        fns = tuple(p._pyfn() for p in self.pieces)
        if len(fns) == 2:
            (f0, f1), s1 = fns, starts[1]
            return lambda t: f0(t) if t < s1 else f1(t - s1)
        right = bisect.bisect_right

        def f(t: int | float) -> float:
            i = right(starts, t) - 1
            return fns[i](t - starts[i])  # type: ignore[no-any-return]

        return f

    def _table(self) -> tuple[tuple[Row, ...], Any, tuple]:
        return self._cached("table", self._compute_table) + (self._opaque,)  # type: ignore[no-any-return]

    def _compute_table(self) -> tuple[tuple[Row, ...], Any]:
        rows: list[Row] = []
        offset: int | float = 0
        leaf_pos = 0
        n = len(self._layout)
        for i, entry in enumerate(self._layout):
            last = i == n - 1
            if entry[0] == "opaque":
                piece = self._opaque[entry[1]]
                dur = piece.duration
                rows.append(Row(OPAQUE, offset, dur, 0, 0, opaque=entry[1]))
            else:
                _, cls, static, count = entry
                dummy = _placeholder(cls, static, count)
                prow, _, _ = dummy._table()
                dur = dummy.duration
                if not last:
                    prow = tuple(r for r in prow if r.start < dur)
                rows.extend(shift_rows(prow, offset, leaf_pos, 0))
                leaf_pos += count
            if not last:
                offset = _add_time(offset, dur)
        return tuple(rows), self._vec

    def _xp(self, t: Any, xp: Any) -> Any:
        rows, _, opaque = self._table()
        if xp is np and len(rows) > 1:
            out = self._xp_sorted(rows, self._vec, opaque, t)
            if out is not None:
                return out
        return eval_table(rows, self._vec, opaque, t, xp, self._cache)

    # -- equality, printing, pytree ------------------------------------------------------------

    def _key(self) -> Any:
        return self._cached("key", lambda: ("Concat", tuple(p._key() for p in self.pieces)))

    def _repr(self) -> str:
        return " >> ".join(p._repr_in(PREC_SHIFT + 1) for p in self.pieces)

    def _tree_flatten(self) -> tuple[list[Any], Any]:
        vec = self._vec
        if isinstance(vec, list):
            vec = leaf_vector(vec, B.jnp() if any(B.is_jax(x) for x in vec) else np)
        return [vec, *self._opaque], self._layout

    @classmethod
    def _tree_unflatten(cls, layout: Any, children: Any) -> Any:
        children = list(children)
        return cls._make(
            _pieces=None,
            _left=None,
            _packed_layout=layout,
            _packed_vec=children[0],
            _packed_opaque=tuple(children[1:]),
        )

    def __reduce__(self) -> Any:
        return (_concat_from_pieces, (self.pieces,))


class _Layout(_HashedTuple):
    """A concat's static layout (the pytree aux data), hashed once.

    ``jax.jit`` hashes the aux data of every argument at every call; a plain tuple of 4096
    entries rehashes in about a millisecond, this one returns its stored hash.
    """

    __hash__ = _HashedTuple.__hash__  # (a class defining __eq__ would otherwise drop it)

    def __eq__(self, other: object) -> bool:
        return self is other or tuple.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)


def _PIECEWISE() -> Any:
    from ._primitives import Piecewise

    return Piecewise


def _placeholder(cls: type, static: Any, count: int) -> Schedule:
    """A node of the given static structure with zero leaves: it yields rows and duration."""
    if cls is _PIECEWISE():
        return cls._make(values=np.zeros(count), boundaries=static[0])  # type: ignore[attr-defined]
    return cls._tree_unflatten(static, [0.0] * count)  # type: ignore[attr-defined]


def _concat_from_pieces(pieces: tuple) -> Any:
    return Concat._make(_pieces=tuple(pieces), _left=None)


def _append(left: Concat, tail: list[Schedule]) -> Schedule:
    """``left >> tail[0] >> ...`` in time independent of ``len(left.pieces)``.

    The new node keeps ``left`` and the appended pieces; its pieces are joined when first
    needed, and the facts the construction checks (duration, range) are combined from
    ``left``'s, so a chain ``a >> b >> c ...`` of n pieces costs O(n), not O(n^2).
    """
    fn = "concat"
    if left.duration is None:
        raise ValueError(
            f"{fn}(): every piece but the last must be finite, got the infinite piece "
            f"{short_repr(left.pieces[-1])} at position {len(left.pieces) - 1}"
        )
    for i, p in enumerate(tail[:-1]):
        if p.duration is None:
            raise ValueError(
                f"{fn}(): every piece but the last must be finite, got the infinite piece "
                f"{short_repr(p)} at position {len(left.pieces) + i}"
            )
    kept = [p for p in tail if p.duration != 0]
    if not kept:
        return left
    _check_last_start(fn, left.duration, kept)
    node = Concat._make(_pieces=tuple(kept), _left=left)
    total: Any = left.duration
    for p in kept:  # left to right, as _starts() adds them
        total = None if p.duration is None else total + p.duration
    cache = node._cache
    cache["duration"] = total
    cache["py_ok"] = left._py_ok and all(p._py_ok for p in kept)
    if cache["py_ok"]:
        try:
            ranges: list[Any] = [left._range(), *(p._range() for p in kept)]
            cache["range"] = (min(r[0] for r in ranges), max(r[1] for r in ranges))
        except (OverflowError, ZeroDivisionError):
            pass
    return _checked(fn, node, lambda: f"{len(left.pieces) + len(kept)} pieces")


def concat(*schedules: Any) -> Schedule:
    """Run schedules one after another: each starts at its local step 0 when the last ends.

    Formula: with ``d_i`` the durations and ``o_i = d_0 + ... + d_{i-1}``,
    ``s(t) = s_i(t - o_i)`` for ``o_i <= t < o_{i+1}``; the last piece runs on.

    Nested concats are flattened and pieces of 0 steps dropped, so ``concat`` is associative
    and ``hold(v, 0)`` is its identity; ``concat(s)`` is ``s``. Every piece but the last must be
    finite. ``a >> b`` is ``concat(a, b)``.

    Each piece runs in its own local time: ``b`` reads step 0 when ``a`` ends. For a ``b``
    that reads the global step (``tf.cond(step < k, a, b)``), use ``switch(a, b, at=k)``.

    Example:
        >>> s = linear_ramp(0.0, 1.0, 10) >> cosine(1.0, 0.0, 90)
        >>> s(5), s(10), s.duration
        (0.5, 1.0, 100)
    """
    fn = "concat"
    if not schedules:
        raise TypeError(f"{fn}(): needs at least one schedule")
    if len(schedules) == 1 and isinstance(schedules[0], Schedule):
        return schedules[0]
    pieces: list[Schedule] = []
    for i, s in enumerate(schedules):
        sched = as_schedule(fn, f"schedules[{i}]", s)
        if isinstance(sched, Concat):
            if i == 0 and sched._pieces is not None:
                continue  # appended to below, without copying its pieces
            pieces.extend(sched.pieces)
        else:
            pieces.append(sched)
    first = schedules[0]
    if isinstance(first, Concat) and first._pieces is not None:
        return _append(first, pieces)
    for i, p in enumerate(pieces[:-1]):
        if p.duration is None:
            raise ValueError(
                f"{fn}(): every piece but the last must be finite, got the infinite piece "
                f"{p!r} at position {i}"
            )
    kept = [p for p in pieces[:-1] if p.duration != 0]
    last = pieces[-1]
    if last.duration == 0 and kept:
        kept_last = kept.pop()
        last = kept_last
    kept.append(last)
    if len(kept) == 1:
        return kept[0]
    _check_last_start(fn, 0, kept)
    return _checked(fn, Concat._make(_pieces=tuple(kept), _left=None), f"{len(kept)} pieces")


def _check_last_start(fn: str, start: int | float, pieces: list[Schedule]) -> None:
    """The last piece must start within 2**62 steps, also when it is infinite (the concat's
    duration, None then, does not show where it starts)."""
    for p in pieces[:-1]:
        start = _add_time(start, p.duration or 0)  # finite: checked by the callers
    if not start <= B.MAX_STEPS:
        raise ValueError(
            f"{fn}(): the last piece would start beyond 2**62 steps, at {start}, got "
            f"{len(pieces)} pieces"
        )


# -- repeat and scale_by_cycle -------------------------------------------------------------------

# How many cycle starts of a stretched repeat are tabulated exactly; later ones (only for
# stretch barely above 1) come from the closed form.
_MAX_CYCLE_TABLE = 10_000
# Up to this many cycles, a stretched repeat locates t by compares and selects (no gathers).
_CYCLE_SELECT_MAX = 16
_TABLE_HORIZON = 2**62


def _whole(x: int | float | Fraction) -> int | float:
    """An exact number as a static time: an int when it is a whole number, else the nearest
    float64 (an int again if that float is whole: the number is within float64 rounding of
    it). No tolerance beyond that rounding, so 500000000.5 stays 500000000.5."""
    if type(x) is int:
        return x
    if type(x) is float:
        return int(x) if x.is_integer() else x
    fr = Fraction(x)
    if fr.denominator == 1:
        return int(fr)
    f = float(fr)
    return int(f) if f.is_integer() else f


def _add_time(a: int | float, b: int | float) -> int | float:
    """``a + b`` for static times: exact for ints, else rounded once by ``_whole``."""
    if type(a) is int and type(b) is int:
        return a + b
    return _whole(Fraction(a) + Fraction(b))


def _cycle_starts(d: int | float, r: float, limit: int, horizon: float | None) -> list[int | float]:
    """Starts ``S_1 .. S_limit`` (after ``S_0 = 0``) of cycles of lengths ``d * r**k``,
    stopping early past ``horizon``. A start that is a whole number is an exact int.

    ``r = p / q`` and ``d`` are dyadic rationals, so the starts are computed exactly over one
    growing power-of-two denominator (``S_k = num / den``) and rounded once. Once ``den``
    exceeds ``d``'s own denominator by 2**1100, no later start can be whole (``S_k`` is ``d``
    times an odd number over ``q**(k-1)``, and ``d <= 2**62``): the rest accumulate in
    float64, as every backend's closed form does beyond the table.
    """
    p, q = r.as_integer_ratio()
    dp, dq = Fraction(d).as_integer_ratio()
    num, length, den = 0, dp, dq
    exact_until = dq << 1100
    starts: list[int | float] = [0]
    while len(starts) <= limit:
        num += length
        starts.append(num // den if num % den == 0 else _whole(num / den))
        if horizon is not None and starts[-1] > horizon:
            return starts
        if den > exact_until:
            break
        num, length, den = num * q, length * p, den * q
    at, flen = num / den, length / den * r
    while len(starts) <= limit:
        at += flen
        flen *= r
        starts.append(_whole(at))
        if horizon is not None and at > horizon:
            break
    return starts


class Repeat(Schedule):
    _fname = "repeat"
    _child_fields = ("schedule",)
    _static_fields = ("times", "stretch")

    @property
    def _base(self) -> int | float:
        return self.schedule.duration  # type: ignore[no-any-return]

    def _cycle_table(self) -> tuple[list[int | float], bool]:
        """Cycle starts S_0 .. S_m (exact where they fall on whole steps), and completeness."""

        def make() -> tuple[list[int | float], bool]:
            if self.times is not None:
                return _cycle_starts(self._base, float(self.stretch), self.times, None), True
            r = float(self.stretch)
            starts = _cycle_starts(self._base, r, _MAX_CYCLE_TABLE, _TABLE_HORIZON)
            return starts, starts[-1] > _TABLE_HORIZON

        return self._cached("cycles", make)

    def _duration(self) -> int | float | None:
        if self.times is None:
            return None
        if self.stretch == 1:
            return _whole(Fraction(self._base) * self.times)
        return self._cycle_table()[0][-1]

    def _end_value(self) -> Any:
        return self.schedule.end_value

    def _compute_range(self) -> tuple[float, float]:
        return self.schedule._range()  # type: ignore[return-value]

    # cycle location ---------------------------------------------------------------------------

    def _locate_py(self, t: int | float) -> tuple[int | float, int | float]:
        """(cycle k, local time) of ``t``. At ``t = inf`` every cycle is over: the last
        cycle of a finite repeat, ``k = inf`` for an infinite one, local time ``inf`` (so the
        repeated schedule gives its end value). ``k`` is a float where it passes 2**63."""
        d = self._base
        if t == math.inf or self.times == 1:
            return (math.inf if self.times is None else self.times - 1), t
        if self.stretch == 1:
            k, local = divmod(t, d)
            if self.times is not None and k >= self.times:
                k = self.times - 1
                local = t - k * d
            return (int(k) if k < 2**63 else k), local
        starts, complete = self._cycle_table()
        m = len(starts) - 1
        if t < starts[-1] or complete:
            k = min(bisect.bisect_right(starts, t) - 1, m - 1)
            length = starts[k + 1] - starts[k]
            return k, (t - starts[k]) * (d / length)
        # Beyond the table (stretch barely above 1, times=None): with y = 1 + t (r-1) / d,
        # cycle k = floor(log_r y) and local time d / (r-1) * (y / r**k - 1), in logs so
        # that neither y nor r**k overflows at t near 1e308.
        r = float(self.stretch)
        z = t * ((r - 1) / d)
        log_y = math.log1p(z) if z < math.inf else math.log(t) + math.log((r - 1) / d)
        k = max(math.floor(log_y / math.log(r)), m)
        local = d / (r - 1) * math.expm1(log_y - k * math.log(r))
        return k, min(max(local, 0.0), d)

    def _locate_xp(self, t: Any, xp: Any) -> tuple[Any, Any]:
        """``_locate_py`` on arrays; at ``t = inf`` an infinite repeat gives ``k = inf``."""
        if self.times == 1:  # one cycle, whatever the stretch: the schedule's own time
            return xp.zeros(t.shape, dtype=np.int32), t
        if self.times is not None or t.dtype.kind != "f":
            return self._locate_finite_xp(t, xp)
        at_inf = t == math.inf
        k, local = self._locate_finite_xp(t, xp)
        inf = xp.asarray(math.inf, dtype=local.dtype)
        return xp.where(at_inf, inf, k.astype(local.dtype)), xp.where(at_inf, inf, local)

    def _locate_finite_xp(self, t: Any, xp: Any) -> tuple[Any, Any]:
        d = self._base
        int_time = _fits(t, d)
        if t.dtype.kind == "f":
            # The cycle arithmetic runs on finite times (a finite repeat at t = inf is in its
            # last cycle, past its end either way; _locate_xp handles an infinite one).
            t = xp.minimum(t, float(np.finfo(np.dtype(t.dtype.name)).max))
        if self.stretch == 1:
            if type(d) is int and t.dtype.kind in "iu" and not int_time:
                # A cycle longer than t's dtype reaches: every integer t is in cycle 0.
                return xp.zeros_like(t), t
            if int_time:
                k = t // d
                if self.times is not None and _fits(t, self.times - 1):
                    # (an integer k below the dtype's maximum is below times - 1 beyond it)
                    k = xp.minimum(k, self.times - 1)
                return k, t - k * d
            t = t.astype(xp.result_type(float)) if t.dtype.kind in "iu" else t
            d = float(d)
            # fmod is exact; t - floor(t / d) * d rounds once t / d passes 2**53 (float64) or
            # 2**24 (float32), which would read a whole float time at the wrong phase.
            local = xp.fmod(t, d)
            k = xp.round((t - local) / d)
            if self.times is not None:
                last = float(self.times - 1)
                local = xp.where(k > last, t - last * d, local)
                k = xp.minimum(k, last)
            return k, local
        starts, complete = self._cycle_table()
        m = len(starts) - 1
        r = float(self.stretch)
        int_time = int_time and all(isinstance(s, int) for s in starts)
        ft = t.astype(xp.result_type(float)) if t.dtype.kind in "iu" else t
        scale_np = [d / (starts[i + 1] - starts[i]) for i in range(m)]
        if complete and (m <= _CYCLE_SELECT_MAX or r < 1):
            # A short (or shrinking) table of cycles: locate t as in a segment table, with
            # exact comparisons against the starts (no log estimate to correct).
            if int_time:
                # (cycles starting beyond the dtype's maximum are never reached)
                info = np.iinfo(np.dtype(t.dtype.name))
                cut = tuple(s for s in starts[:m] if s <= info.max)
                scale_np = scale_np[: len(cut)]
                dtype_name = t.dtype.name
            else:
                cut = tuple(float(s) for s in starts[:m])
                dtype_name = ft.dtype.name
                t = ft
            at = Locator(interval_plan(cut, dtype_name, _CYCLE_SELECT_MAX), t, xp)
            scale = np.asarray(scale_np, dtype=ft.dtype.name)
            start_k = at(np.asarray(cut, dtype=dtype_name))
            return at.seg, (t - start_k) * at(scale)
        arg = ft * ((r - 1) / d)
        if r < 1:  # shrinking cycles end at d / (1 - r); past it arg < -1 and log1p is NaN
            arg = xp.maximum(arg, -1.0 + 1e-12)
        k = xp.floor(xp.log1p(arg) / math.log(r))
        k = xp.clip(k, 0, m - 1).astype(np.int32)
        if int_time:
            info = np.iinfo(np.dtype(t.dtype.name))
            table = np.asarray([min(s, info.max) for s in starts], dtype=t.dtype.name)
        else:
            table = np.asarray(starts, dtype=ft.dtype.name)
            t = ft
        # The estimate can be one cycle off where pow/log round; the exact table decides.
        k = k + (t >= xp.take(table, xp.minimum(k + 1, m))).astype(np.int32)
        k = k - (t < xp.take(table, k)).astype(np.int32)
        if int_time:  # the last cycle that an integer of t's dtype reaches
            k = xp.clip(k, 0, min(m, sum(s <= info.max for s in starts)) - 1)
        else:
            k = xp.clip(k, 0, m - 1)
        scale = np.asarray(scale_np, dtype=ft.dtype.name)
        local = (t - xp.take(table, k)) * xp.take(scale, k)
        if not complete:
            # Beyond the table: the log form of _locate_py (no overflow, no NaN at 1e308).
            beyond = ft >= float(starts[-1])
            z = ft * ((r - 1) / d)
            big = z > 1e15  # log1p(z) = log(z) to float64 rounding; z may overflow
            log_big = xp.log(xp.maximum(ft, 1.0)) + math.log((r - 1) / d)
            log_y = xp.where(big, log_big, xp.log1p(xp.where(big, 0.0, z)))
            kb = xp.maximum(xp.floor(log_y / math.log(r)), m)
            local_b = xp.clip(d / (r - 1) * xp.expm1(log_y - kb * math.log(r)), 0.0, d)
            k = xp.where(beyond, kb, k.astype(kb.dtype))  # a float count: it may pass 2**31
            local = xp.where(beyond, local_b, local)
        return k, local

    def _py(self, t: int | float) -> float:
        return self.schedule._py(self._locate_py(t)[1])

    def _pyfn(self) -> Any:
        """``_py`` as a closure over the cycle table (same arithmetic as ``_locate_py``)."""
        f = self.schedule._pyfn()
        d, times = self._base, self.times
        if self.stretch == 1:
            if times is None:
                inf = math.inf  # t = inf: past every cycle, the schedule's end value
                return lambda t: f(divmod(t, d)[1] if t < inf else t)
            last = (times - 1) * d

            def g(t: int | float) -> float:
                return f(t - last if t >= last else divmod(t, d)[1])  # type: ignore[no-any-return]

            return g
        starts, complete = self._cycle_table()
        if not complete:
            return self._py
        m = len(starts) - 1
        scales = [d / (starts[k + 1] - starts[k]) for k in range(m)]
        right = bisect.bisect_right

        def h(t: int | float) -> float:
            k = min(right(starts, t) - 1, m - 1)
            return f((t - starts[k]) * scales[k])  # type: ignore[no-any-return]

        return h

    def _xp(self, t: Any, xp: Any) -> Any:
        return self.schedule._xp(self._locate_xp(t, xp)[1], xp)

    def _repr_args(self) -> list[str]:
        args = [repr(self.schedule)]
        if self.times is not None:
            args.append(f"times={self.times}")
        if self.stretch != 1:
            args.append(f"stretch={fmt_number(self.stretch)}")
        return args


def repeat(schedule: Schedule, times: int | None = None, stretch: float = 1.0) -> Schedule:
    """Repeat a finite schedule, optionally stretching each cycle (SGDR's ``T_mult``).

    Formula: cycle ``k`` lasts ``d * stretch ** k`` steps (``d`` = the schedule's duration)
    and runs ``schedule`` at its local time divided by ``stretch ** k``. Cycle ``k`` starts
    at ``d * (stretch ** k - 1) / (stretch - 1)`` (``d * k`` for stretch 1), found in closed
    form, so a 10^9-step schedule costs what a 10-step one does. Starts that fall on whole
    steps are exact on every backend.

    Args:
        schedule: a finite schedule of positive duration.
        times: number of cycles (an int >= 1), or None to repeat forever.
        stretch: the cycle-length multiplier, > 0 (a float, as Keras and timm allow). Below 1
            it needs ``times``.

    Returns:
        The repeated schedule. ``repeat(s, times=1)`` takes the values of ``s`` but stays a
        repeat of one cycle, so ``scale_by_cycle`` applies to it (and to its cycle, never to
        cycles inside ``s``).

    Example:
        >>> s = repeat(linear_ramp(1.0, 0.0, 10), stretch=2.0)
        >>> s(0), s(10), s(20), s(30)
        (1.0, 1.0, 0.5, 1.0)

    Reference: Loshchilov & Hutter, SGDR: Stochastic Gradient Descent with Warm Restarts (2017).
    """
    fn = "repeat"
    _need_schedule(fn, schedule)
    d = schedule.duration
    if d is None:
        raise ValueError(f"{fn}(): schedule must be finite, got the infinite {schedule!r}")
    if d == 0:
        raise ValueError(f"{fn}(): schedule must have a positive duration, got {schedule!r}")
    if d < B.MIN_NORMAL:
        raise ValueError(
            f"{fn}(): cycles of duration {d!r} are too short (at least {B.MIN_NORMAL!r}), "
            f"got {schedule!r}"
        )
    n = B.steps(fn, "times", times, allow_none=True)
    if n is not None and n < 1:
        raise ValueError(f"{fn}(): times must be >= 1 or None, got times={times!r}")
    r = B.positive(fn, "stretch", stretch)
    if r < 1 and n is None:
        raise ValueError(
            f"{fn}(): stretch < 1 shrinks cycles towards zero length; give times, "
            f"got stretch={stretch!r}, times=None"
        )
    if r != 1 and n is not None and n > _MAX_CYCLE_TABLE:
        raise ValueError(
            f"{fn}(): a stretched repeat has at most {_MAX_CYCLE_TABLE} cycles (or times=None), "
            f"got times={times!r}, stretch={stretch!r}"
        )
    node = _checked(
        fn,
        Repeat._make(schedule=schedule, times=n, stretch=float(r)),
        f"times={times!r}, stretch={stretch!r}, duration {d!r}",
    )
    if r != 1:
        # Every cycle must be longer than 0 in float64, with a finite scale d / length.
        starts = node._cycle_table()[0]
        for a, b in itertools.pairwise(starts):
            if not (b > a and d / (b - a) <= B.MAX_VALUE):
                raise ValueError(
                    f"{fn}(): cycles become too short to place (shorter than the rounding of "
                    f"their start times), got times={times!r}, "
                    f"stretch={stretch!r} and a schedule of duration {d!r}"
                )
    return node


class ScaleByCycle(Schedule):
    _fname = "scale_by_cycle"
    _leaf_fields = ("factor", "floor")
    _child_fields = ("schedule",)

    def _duration(self) -> int | float | None:
        return self.schedule.duration  # type: ignore[no-any-return]

    def _end_value(self) -> Any:
        rep = self.schedule
        return self._py_or_xp_end(rep.times - 1, rep.schedule.end_value)

    def _py_or_xp_end(self, k: int, v: Any) -> Any:
        return self.floor + (v - self.floor) * self.factor**k

    def _compute_range(self) -> tuple[float, float]:
        lo, hi = self.schedule._range()
        f, fl = self.factor, self.floor
        if type(f) is float and type(fl) is float:
            if self.schedule.times is None:
                far_lo = far_hi = fl if f < 1 else None
            else:
                kmax = self.schedule.times - 1
                far_lo, far_hi = fl + (lo - fl) * f**kmax, fl + (hi - fl) * f**kmax
            cands = [lo, hi] + [x for x in (far_lo, far_hi) if x is not None]
            return min(cands), max(cands)
        # Array leaves: the same candidates element by element.
        f, fl = np.asarray(f, dtype=np.float64), np.asarray(fl, dtype=np.float64)
        if self.schedule.times is None:
            return value_span(lo, hi, np.where(f < 1, fl, lo))
        with np.errstate(over="ignore", invalid="ignore"):
            fk = f ** float(self.schedule.times - 1)
            return value_span(lo, hi, fl + (lo - fl) * fk, fl + (hi - fl) * fk)

    def _py(self, t: int | float) -> float:
        k, local = self.schedule._locate_py(t)
        v = self.schedule.schedule._py(local)
        return self.floor + (v - self.floor) * self.factor**k

    def _xp(self, t: Any, xp: Any) -> Any:
        rep = self.schedule
        k, local = rep._locate_xp(t, xp)
        v = rep.schedule._xp(local, xp)
        kf = k.astype(xp.result_type(v, float))
        # A count beyond the float range (t = inf) is capped: factor**k is then its limit,
        # 0 or 1, never inf * log(1) = NaN.
        kf = xp.minimum(kf, float(np.finfo(np.dtype(kf.dtype.name)).max))
        f = self.factor
        # (a Python float's log in float64: JAX would round the factor first)
        log_f = math.log(f) if type(f) is float else xp.log(f)
        scale = xp.exp(kf * log_f)
        if rep.times is None and t.dtype.kind == "f":
            # t = inf: the limit of factor**k, with no gradient through a huge k.
            limit = xp.where(self.factor < 1, 0.0, 1.0)
            scale = xp.where(t == math.inf, limit.astype(scale.dtype), scale)
        return self.floor + (v - self.floor) * scale

    def _repr_args(self) -> list[str]:
        args = [repr(self.schedule), fmt_number(self.factor)]
        if self.floor != 0:
            args.append(f"floor={fmt_number(self.floor)}")
        return args


def scale_by_cycle(schedule: Schedule, factor: Any, floor: Any = 0.0) -> Schedule:
    """Scale each cycle of a repeated schedule by a power of ``factor``, towards ``floor``.

    Formula: in cycle ``k``, ``s(t) = floor + (v - floor) * factor ** k`` with ``v`` the
    repeated schedule's value. This is CLR's triangular2 (factor 1/2), SGDR's ``m_mul``
    and timm's ``cycle_decay``.

    Args:
        schedule: a ``repeat(...)``.
        factor: the per-cycle multiplier, > 0; at most 1 when the repeat is infinite.
        floor: the value the cycles are scaled towards.

    Example:
        >>> s = scale_by_cycle(repeat(triangle(0.0, 1.0, 4)), 0.5)
        >>> s(2), s(6), s(10)
        (1.0, 0.5, 0.25)
    """
    fn = "scale_by_cycle"
    if not isinstance(schedule, Repeat):
        raise TypeError(
            f"{fn}(): schedule must be a repeat(...) (cycles are what it scales), "
            f"got schedule={schedule!r}"
        )
    f = B.value(fn, "factor", factor)
    fl = B.value(fn, "floor", floor)
    fa = each(f)  # element by element for an array; None (unchecked) when traced
    if fa is not None:
        if not np.all(fa > 0):
            raise ValueError(f"{fn}(): factor must be > 0, got factor={factor!r}")
        if not np.all(fa >= B.MIN_NORMAL):
            raise ValueError(
                f"{fn}(): factor must be at least {B.MIN_NORMAL!r} (float32's smallest normal "
                f"number), got factor={factor!r}"
            )
        if np.any(fa > 1) and schedule.times is None:
            raise ValueError(
                f"{fn}(): factor > 1 on an infinite repeat grows without bound, "
                f"got factor={factor!r}; give the repeat times"
            )
        with np.errstate(over="ignore"):
            top = np.max(fa) ** float(schedule.times - 1) if np.any(fa > 1) else 1.0
        if not math.isfinite(top):
            raise ValueError(
                f"{fn}(): factor ** times overflows, got factor={factor!r}, times={schedule.times}"
            )
    return _checked(
        fn,
        ScaleByCycle._make(schedule=schedule, factor=f, floor=fl),
        f"factor={factor!r}, floor={floor!r}",
    )


# -- arithmetic ----------------------------------------------------------------------------------


def _is_constant(s: Schedule) -> bool:
    """True when ``s`` is a constant: an infinite ``hold``, or a pointwise combination
    (arithmetic, ``minimum``/``maximum``, ``clip``) of constants only."""
    if isinstance(s, Hold):
        return s.steps is None
    if getattr(s, "_constant_node", False):  # value_at(...): a constant read from a schedule
        return True
    if isinstance(s, (BinOp, Neg, Clip)) or getattr(s, "_pointwise_node", False):
        return s._cached(  # type: ignore[no-any-return]
            "constant", lambda: all(_is_constant(c) for c in s._children())
        )
    return False


def _pointwise_duration(operands: tuple[Schedule, ...]) -> int | float | None:
    """Duration of a pointwise combination: the longest operand that is not a constant.

    A constant has no end (its duration is None, like ``hold(v)``), but it does not prolong
    the others: ``cosine(1, 0, 10) * 0.5`` lasts 10 steps. A combination of constants only
    is a constant (infinite), and one infinite non-constant operand makes it infinite.
    """
    durations = [s.duration for s in operands if not _is_constant(s)]
    if not durations or any(d is None for d in durations):
        return None
    return max(durations)  # type: ignore[type-var]


def _settled_value(s: Schedule) -> Any:
    """The value an operand settles at: its end value, or a constant's value."""
    return s.end_value if s.duration is not None else s(0)


class BinOp(Schedule):
    _child_fields = ("a", "b")
    _symbol = ""
    _op: Any = None

    def _duration(self) -> int | float | None:
        return _pointwise_duration((self.a, self.b))

    def _end_value(self) -> Any:
        ea = self.a.end_value if self.a.duration is not None else self.a(0)
        eb = self.b.end_value if self.b.duration is not None else self.b(0)
        return type(self)._op(ea, eb)

    def _py(self, t: int | float) -> float:
        return type(self)._op(self.a._py(t), self.b._py(t))  # type: ignore[no-any-return]

    def _pyfn(self) -> Any:
        op, fa, fb = type(self)._op, self.a._pyfn(), self.b._pyfn()
        return lambda t: op(fa(t), fb(t))

    def _xp(self, t: Any, xp: Any) -> Any:
        return self._xp_op(xp, self.a._xp(t, xp), self.b._xp(t, xp))

    def _xp_op(self, xp: Any, x: Any, y: Any) -> Any:
        return type(self)._op(x, y)

    def _compute_range(self) -> tuple[float, float]:
        (a0, a1), (b0, b1) = self.a._range(), self.b._range()
        cands = [type(self)._op(x, y) for x in (a0, a1) for y in (b0, b1)]
        return min(cands), max(cands)

    def _repr(self) -> str:
        # Two bare numbers would read back as a number (Python folds 0.5 + 0.5): the left
        # operand then keeps its hold(...) call.
        left = self.a._repr_in(self._prec) if _bare(self.a) and _bare(self.b) else None
        return (
            f"{left or _operand(self.a, self._prec)} {self._symbol} "
            f"{_operand(self.b, self._prec + 1)}"
        )


def _bare(s: Schedule) -> bool:
    """True when ``s`` prints as a bare number in an operator expression (a constant)."""
    return isinstance(s, Hold) and s.steps is None and type(s.value) is float


def _operand(s: Schedule, prec: int) -> str:
    if _bare(s):
        text = fmt_number(s.value)
        return f"({text})" if s.value < 0 and prec > PREC_NEG else text
    return s._repr_in(prec)


class Add(BinOp):
    _fname = "add"
    _prec = PREC_ADD
    _symbol = "+"
    _op = operator.add


class Sub(BinOp):
    _fname = "sub"
    _prec = PREC_ADD
    _symbol = "-"
    _op = operator.sub


class Mul(BinOp):
    _fname = "mul"
    _prec = PREC_MUL
    _symbol = "*"
    _op = operator.mul


class Div(BinOp):
    _fname = "div"
    _prec = PREC_MUL
    _symbol = "/"
    _op = operator.truediv

    def _compute_range(self) -> tuple[float, float]:
        (a0, a1), (b0, b1) = self.a._range(), self.b._range()
        cands = [x / y for x in (a0, a1) for y in (b0, b1)]
        return min(cands), max(cands)


class Minimum(BinOp):
    _fname = "minimum"
    _op = min

    def _xp_op(self, xp: Any, x: Any, y: Any) -> Any:
        return xp.minimum(x, y)

    def _compute_range(self) -> tuple[float, float]:
        (a0, a1), (b0, b1) = self.a._range(), self.b._range()
        return min(a0, b0), min(a1, b1)

    def _repr(self) -> str:
        return f"{self._fname}({self.a!r}, {self.b!r})"


class Maximum(Minimum):
    _fname = "maximum"
    _op = max

    def _xp_op(self, xp: Any, x: Any, y: Any) -> Any:
        return xp.maximum(x, y)

    def _compute_range(self) -> tuple[float, float]:
        (a0, a1), (b0, b1) = self.a._range(), self.b._range()
        return max(a0, b0), max(a1, b1)


def _binop(cls: type, fn: str, a: Any, b: Any) -> Schedule:
    sa = as_schedule(fn, "a", a)
    sb = as_schedule(fn, "b", b)
    node = cls._make(a=sa, b=sb)  # type: ignore[attr-defined]
    return _checked(fn, node, lambda: f"a={short_repr(sa)}, b={short_repr(sb)}")


def add(a: Any, b: Any) -> Schedule:
    """Pointwise sum, ``s(t) = a(t) + b(t)``; numbers are constants. ``a + b``."""
    return _binop(Add, "add", a, b)


def sub(a: Any, b: Any) -> Schedule:
    """Pointwise difference, ``s(t) = a(t) - b(t)``. ``a - b``."""
    return _binop(Sub, "sub", a, b)


def mul(a: Any, b: Any) -> Schedule:
    """Pointwise product, ``s(t) = a(t) * b(t)``. ``a * b``.

    Example:
        >>> (cosine(1.0, 0.0, 10) * 0.1)(0)
        0.1
    """
    return _binop(Mul, "mul", a, b)


def div(a: Any, b: Any) -> Schedule:
    """Pointwise quotient, ``s(t) = a(t) / b(t)``. ``a / b``.

    ``b``'s range must exclude 0 (checked at construction on concrete values), so the
    quotient is finite everywhere.
    """
    fn = "div"
    sb = as_schedule(fn, "b", b)
    rng = sb._range()
    if rng is not None and rng[0] < _MIN_DIVISOR and rng[1] > -_MIN_DIVISOR:
        raise ValueError(
            f"{fn}(): the divisor's values span [{rng[0]!r}, {rng[1]!r}], which includes 0 "
            f"(or numbers below 2**-63, whose square, in the gradient a / b**2, is below "
            f"float32's smallest normal {B.MIN_NORMAL!r}), got b={sb!r}"
        )
    ra = as_schedule(fn, "a", a)._range()
    if rng is not None and ra is not None:
        # |d(a / b) / db| = |a| / b**2 must stay in range too (float32 gradients on JAX).
        top = max(abs(ra[0]), abs(ra[1]))
        low = min(abs(rng[0]), abs(rng[1]))
        if top / low / low > B.MAX_VALUE:
            raise ValueError(
                f"{fn}(): the quotient's gradient |a| / b**2 could reach {top / low / low:g}, "
                f"beyond {B.MAX_VALUE:g}: the divisor comes too close to 0, got b={sb!r}"
            )
    return _binop(Div, fn, a, sb)


def minimum(a: Any, b: Any) -> Schedule:
    """Pointwise minimum, ``s(t) = min(a(t), b(t))``."""
    return _binop(Minimum, "minimum", a, b)


def maximum(a: Any, b: Any) -> Schedule:
    """Pointwise maximum, ``s(t) = max(a(t), b(t))``."""
    return _binop(Maximum, "maximum", a, b)


class Neg(Schedule):
    _fname = "neg"
    _prec = PREC_NEG
    _child_fields = ("a",)

    def _duration(self) -> int | float | None:
        return _pointwise_duration((self.a,))

    def _end_value(self) -> Any:
        return -_settled_value(self.a)

    def _py(self, t: int | float) -> float:
        return -self.a._py(t)

    def _xp(self, t: Any, xp: Any) -> Any:
        return -self.a._xp(t, xp)

    def _compute_range(self) -> tuple[float, float]:
        lo, hi = self.a._range()
        return -hi, -lo

    def _repr(self) -> str:
        return f"-{self.a._repr_in(PREC_NEG)}"


def neg(a: Any) -> Schedule:
    """Pointwise negation, ``s(t) = -a(t)``. ``-a``."""
    return Neg._make(a=as_schedule("neg", "a", a))


class Clip(Schedule):
    _fname = "clip"
    _leaf_fields = ("low", "high")
    _child_fields = ("schedule",)

    def _duration(self) -> int | float | None:
        return _pointwise_duration((self.schedule,))

    def _end_value(self) -> Any:
        return self._clip_py(_settled_value(self.schedule))

    def _clip_py(self, v: Any) -> Any:
        if self.low is not None:
            v = max(v, self.low)
        if self.high is not None:
            v = min(v, self.high)
        return v

    def _py(self, t: int | float) -> float:
        return self._clip_py(self.schedule._py(t))  # type: ignore[no-any-return]

    def _xp(self, t: Any, xp: Any) -> Any:
        v = self.schedule._xp(t, xp)
        if self.low is not None:
            v = xp.maximum(v, self.low)
        if self.high is not None:
            v = xp.minimum(v, self.high)
        return v

    def _leaves(self) -> tuple[Any, ...]:
        return tuple(x for x in (self.low, self.high) if x is not None)

    def _compute_range(self) -> tuple[float, float]:
        lo, hi = self.schedule._range()
        if self.low is None or type(self.low) is float:
            if self.high is None or type(self.high) is float:
                return self._clip_py(lo), self._clip_py(hi)
        # Array bounds: clip both ends element by element.
        ends = np.asarray([lo, hi])
        if self.low is not None:
            ends = np.maximum.outer(np.asarray(self.low, dtype=np.float64), ends)
        if self.high is not None:
            ends = np.minimum(np.asarray(self.high, dtype=np.float64)[..., None], ends)
        return value_span(ends)

    def _key(self) -> Any:
        return self._cached(
            "key",
            lambda: (
                "Clip",
                None if self.low is None else _leaf_key(self.low),
                None if self.high is None else _leaf_key(self.high),
                self.schedule._key(),
            ),
        )

    def _repr_args(self) -> list[str]:
        args = [repr(self.schedule)]
        if self.low is not None:
            args.append(f"low={fmt_number(self.low)}")
        if self.high is not None:
            args.append(f"high={fmt_number(self.high)}")
        return args

    def _tree_flatten(self) -> tuple[list[Any], Any]:
        present = (self.low is not None, self.high is not None)
        return [*self._leaves(), self.schedule], present

    @classmethod
    def _tree_unflatten(cls, present: Any, children: Any) -> Any:
        it = iter(children)
        low = next(it) if present[0] else None
        high = next(it) if present[1] else None
        return cls._make(low=low, high=high, schedule=next(it))


def clip(schedule: Any, low: Any = None, high: Any = None) -> Schedule:
    """Pointwise clipping, ``s(t) = min(max(schedule(t), low), high)``; None: no bound."""
    fn = "clip"
    s = as_schedule(fn, "schedule", schedule)
    lo = None if low is None else B.value(fn, "low", low)
    hi = None if high is None else B.value(fn, "high", high)
    lo_a, hi_a = each(lo), each(hi)
    if lo is not None and hi is not None and lo_a is not None and hi_a is not None:
        if not np.all(lo_a <= hi_a):  # element by element for arrays
            raise ValueError(f"{fn}(): low must be <= high, got low={low!r}, high={high!r}")
    return Clip._make(schedule=s, low=lo, high=hi)


# -- time transforms -----------------------------------------------------------------------------


class _TimeMap(Schedule):
    """A schedule read at a transformed time; one static field says how."""

    _child_fields = ("schedule",)

    def _repr_args(self) -> list[str]:
        return [repr(self.schedule), fmt_number(getattr(self, self._static_fields[0]))]

    def _end_value(self) -> Any:
        return self.schedule.end_value

    def _compute_range(self) -> tuple[float, float]:
        return self.schedule._range()  # type: ignore[return-value]


class Staircase(_TimeMap):
    _fname = "staircase"
    _static_fields = ("every",)

    def _duration(self) -> int | float | None:
        d = self.schedule.duration
        if d is None:
            return None
        e = Fraction(self.every)
        return _whole(math.ceil(Fraction(d) / e) * e)  # exact: d / e in floats rounds

    def _py(self, t: int | float) -> float:
        e = self.every
        if type(t) is int and type(e) is int:
            return self.schedule._py((t // e) * e)
        q = t / e
        if q == math.inf:  # t = inf, or t / every beyond float64: past every step
            return self.schedule._py(math.inf)
        return self.schedule._py(math.floor(q) * e)

    def _xp(self, t: Any, xp: Any) -> Any:
        t, e = _with_const(t, self.every, xp)
        if t.dtype.kind in "iu":
            return self.schedule._xp((t // e) * e, xp)
        return self.schedule._xp(xp.floor(t / e) * e, xp)


def staircase(schedule: Schedule, every: int | float) -> Schedule:
    """Hold the value constant within blocks of ``every`` steps (per-epoch stepping).

    Formula: ``s(t) = schedule(floor(t / every) * every)``.

    Example:
        >>> s = staircase(linear_ramp(0.0, 1.0, 10), 5)
        >>> s(4), s(5), s(9)
        (0.0, 0.5, 0.5)
    """
    fn = "staircase"
    _need_schedule(fn, schedule)
    e = B.length(fn, "every", B.positive(fn, "every", every))
    return _checked(fn, Staircase._make(schedule=schedule, every=e), f"every={every!r}")


class Shift(_TimeMap):
    _fname = "shift"
    _static_fields = ("steps",)

    def _duration(self) -> int | float | None:
        d = self.schedule.duration
        return None if d is None else max(_add_time(d, self.steps), 0)

    def _py(self, t: int | float) -> float:
        t = t - self.steps
        return self.schedule._py(t if t > 0 else 0)

    def _xp(self, t: Any, xp: Any) -> Any:
        steps = self.steps
        if type(steps) is int and steps < 0 and t.dtype.kind in "iu":
            return _shift_back_int(self.schedule, t, -steps, xp)
        t, st = _with_const(t, steps, xp)
        return self.schedule._xp(xp.maximum(t - st, 0), xp)


def _constant_from(schedule: Schedule) -> int | float | None:
    """A step from which ``schedule`` is constant (its duration, or the start of a final
    infinite hold); None if it keeps changing."""
    if isinstance(schedule, Hold) and schedule.steps is None:
        return 0
    if isinstance(schedule, Concat):
        last = schedule.pieces[-1]
        if isinstance(last, Hold) and last.steps is None:
            return schedule._starts()[-1]
    return schedule.duration


def _shift_back_int(schedule: Schedule, t: Any, ahead: int, xp: Any) -> Any:
    """``schedule(t + ahead)`` for integer ``t``, without integer overflow.

    The sum is exact in ``t``'s dtype while it fits, and saturates at the dtype's maximum:
    where the schedule is constant by then, that is its value. Otherwise NumPy reads the
    few elements beyond in float64; JAX keeps the saturated time (an int32 step count ends
    at 2**31 - 1, and a second, floating-point evaluation of the whole schedule would cost
    more than the rest of it).
    """
    top = int(np.iinfo(np.dtype(t.dtype.name)).max)
    if ahead > top:
        c = _constant_from(schedule)
        if (c is not None and c <= top) or xp is not np:
            return schedule._xp(xp.full_like(t, top), xp)
        return schedule._xp(t.astype(np.float64) + float(ahead), xp)
    value = schedule._xp(xp.minimum(t, top - ahead) + ahead, xp)
    if xp is not np or not np.any(t > top - ahead):
        return value
    c = _constant_from(schedule)
    if c is not None and c <= top:
        return value
    beyond = t > top - ahead
    far = schedule._xp(t[beyond].astype(np.float64) + float(ahead), xp)
    out = np.array(np.broadcast_to(value, np.broadcast_shapes(np.shape(value), t.shape)))
    out[..., beyond] = far
    return out


def shift(schedule: Schedule, steps: int | float) -> Schedule:
    """Move a schedule later by ``steps`` (earlier if negative).

    Formula: ``s(t) = schedule(max(t - steps, 0))``: a delay holds the start value; a negative
    shift starts the schedule part-way through (resuming it at local step ``-steps``).

    Example:
        >>> s = shift(linear_ramp(0.0, 1.0, 10), 5)
        >>> s(0), s(10), s.duration
        (0.0, 0.5, 15)
    """
    fn = "shift"
    _need_schedule(fn, schedule)
    st = B.length(fn, "steps", steps)
    return _checked(fn, Shift._make(schedule=schedule, steps=st), f"steps={steps!r}")


class ScaleTime(_TimeMap):
    _fname = "scale_time"
    _static_fields = ("factor",)

    def _duration(self) -> int | float | None:
        d = self.schedule.duration
        if d is None:
            return None
        exact = Fraction(d) * Fraction(self.factor)
        if exact.denominator != 1 and type(d) is int and exact < 2**53:
            n = round(exact)
            if n > 0 and float(Fraction(n, d)) == self.factor:
                # The factor is the float nearest n / d, which is how fit(s, n) writes the
                # ratio n / d: the duration is n (no tolerance: a factor one ulp off is not).
                return n
        return _whole(exact)

    def _ratio(self) -> tuple[int, int] | None:
        """``(d, D)`` when the inner duration ``d`` and this one ``D`` are whole steps.

        Time then maps as ``t * d / D`` rather than ``t / factor``: the two agree to rounding,
        but only the first is exact wherever the inner time is a whole step (the pieces'
        boundaries of a ``fit`` shape, and its end: ``t = D`` reads the inner ``d``).
        """

        def make() -> tuple[int, int] | None:
            d, total = self.schedule.duration, self.duration
            if type(d) is int and type(total) is int and d > 0 and total > 0:
                return d, total
            return None

        return self._cached("ratio", make)  # type: ignore[no-any-return]

    def _py(self, t: int | float) -> float:
        r = self._ratio()
        if r is None:
            return self.schedule._py(t / self.factor)
        return self.schedule._py(t * r[0] / r[1])

    def _xp(self, t: Any, xp: Any) -> Any:
        if t.dtype.kind in "iu":
            t = t.astype(xp.result_type(float))
        r = self._ratio()
        if r is None:
            return self.schedule._xp(t / float(self.factor), xp)
        return self.schedule._xp(t * float(r[0]) / float(r[1]), xp)


def scale_time(schedule: Schedule, factor: int | float) -> Schedule:
    """Stretch time by ``factor``: a schedule written in epochs becomes one in steps.

    Formula: ``s(t) = schedule(t / factor)``; the duration is multiplied by ``factor``.

    Example:
        >>> per_epoch = linear_ramp(0.0, 1.0, 2)      # two epochs
        >>> s = scale_time(per_epoch, 100)            # 100 steps per epoch
        >>> s(100), s.duration
        (0.5, 200)
    """
    fn = "scale_time"
    _need_schedule(fn, schedule)
    f = B.positive(fn, "factor", factor)
    if f == 1:
        return schedule
    return _checked(fn, ScaleTime._make(schedule=schedule, factor=f), f"factor={factor!r}")


def fit(schedule: Schedule, total: int | float) -> Schedule:
    """Rescale a finite schedule's time so that it lasts ``total`` steps.

    Lets durations be written as proportions: ``fit(linear_ramp(0, 1, 3) >> cosine(1, 0, 7),
    10_000)`` warms up for 30% of 10,000 steps (as fastai's ``combine_scheds`` does).

    Example:
        >>> s = fit(linear_ramp(0.0, 1.0, 1) >> hold(1.0, 3), 100)
        >>> s(25), s.duration
        (1.0, 100)
    """
    fn = "fit"
    _need_schedule(fn, schedule)
    d = schedule.duration
    if not d:
        raise ValueError(
            f"{fn}(): schedule must be finite with a positive duration, got {schedule!r}"
        )
    tot = B.length(fn, "total", B.positive(fn, "total", total))
    factor = tot / d
    if not B.MIN_NORMAL <= factor <= B.MAX_VALUE:
        raise ValueError(
            f"{fn}(): total / duration = {factor!r} is out of range, got total={total!r} "
            f"and a schedule of duration {d!r}"
        )
    return scale_time(schedule, _whole(Fraction(tot) / Fraction(d)))


class Take(_TimeMap):
    _fname = "take"
    _static_fields = ("steps",)

    def _duration(self) -> int | float | None:
        return self.steps  # type: ignore[no-any-return]

    def _end_value(self) -> Any:
        return self.schedule(self.steps)

    def _py(self, t: int | float) -> float:
        n = self.steps
        return self.schedule._py(t if t < n else n)

    def _xp(self, t: Any, xp: Any) -> Any:
        t, n = _with_const(t, self.steps, xp)
        return self.schedule._xp(xp.minimum(t, n), xp)


def take(schedule: Schedule, steps: int | float) -> Schedule:
    """The first ``steps`` steps of a schedule, then its value at ``steps`` held.

    Formula: ``s(t) = schedule(min(t, steps))``; the duration is ``steps``. Cuts an infinite or
    longer schedule to a piece of ``concat`` (a scheduler that is switched off at a milestone),
    or stretches a shorter one with its end value. Unlike a primitive's end (the limit at
    ``u -> 1``), the held value is the schedule's own value at ``steps``.

    Example:
        >>> s = take(exp(1.0, rate=0.5), 3) >> hold(5.0)
        >>> s(2), s(3), take(exp(1.0, rate=0.5), 3)(10)
        (0.25, 5.0, 0.125)
    """
    fn = "take"
    _need_schedule(fn, schedule)
    n = B.length(fn, "steps", steps)
    if n < 0:
        raise ValueError(f"{fn}(): steps must be >= 0, got steps={steps!r}")
    return Take._make(schedule=schedule, steps=n)


class Warp(_TimeMap):
    _fname = "warp"
    _static_fields = ("power",)

    def _duration(self) -> int | float | None:
        return self.schedule.duration  # type: ignore[no-any-return]

    def _py(self, t: int | float) -> float:
        d = self.schedule.duration
        if t >= d:
            return self.schedule._py(d)
        return self.schedule._py(d * (t / d) ** self.power)

    def _xp(self, t: Any, xp: Any) -> Any:
        from ._lower import _safe_pow

        d = self.schedule.duration
        if t.dtype.kind in "iu":
            t = t.astype(xp.result_type(float))
        x = xp.minimum(t, d) / d
        return self.schedule._xp(d * _safe_pow(xp, x, float(self.power)), xp)


def warp(schedule: Schedule, power: float) -> Schedule:
    """Warp time by a power: the schedule runs at progress ``u ** power`` instead of ``u``.

    Formula: with ``d`` the duration, ``s(t) = schedule(d * (t / d) ** power)`` for t < d.
    ``warp(linear_ramp(a, b, n), 0.5)`` is the "1 - sqrt" decay of WSD schedules;
    ``warp(cosine(...), k)`` is timm's ``k_decay``.

    Example:
        >>> warp(linear_ramp(0.0, 1.0, 100), 0.5)(25)
        0.5
    """
    fn = "warp"
    _need_schedule(fn, schedule)
    d = schedule.duration
    if not d:
        raise ValueError(
            f"{fn}(): schedule must be finite with a positive duration, got {schedule!r}"
        )
    p = B.positive(fn, "power", power)
    if p == 1:
        return schedule
    return Warp._make(schedule=schedule, power=p)


__all__ = [
    "PREC_ATOM",
    "add",
    "clip",
    "concat",
    "div",
    "fit",
    "maximum",
    "minimum",
    "mul",
    "neg",
    "repeat",
    "scale_by_cycle",
    "scale_time",
    "shift",
    "staircase",
    "sub",
    "take",
    "warp",
]
