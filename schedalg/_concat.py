"""``concat`` (``>>``): pieces run one after another, lowered to one segment table."""

from __future__ import annotations

import bisect
from typing import TYPE_CHECKING, Any

import numpy as np

from . import _checks as K
from . import _fields as F
from . import _namespaces as N
from ._lower import OPAQUE, Row, eval_table, leaf_vector, shift_rows
from ._node_checks import _add_time, _checked
from ._primitives import Hold, Tabular, as_schedule
from ._schedule import (
    PREC_SHIFT,
    Schedule,
    _HashedTuple,
    short_repr,
)

if TYPE_CHECKING:
    from ._primitives import Piecewise

# -- concat --------------------------------------------------------------------------------------


class Concat(Tabular, name="concat"):
    """Pieces run one after another. Lowered to one table; its leaves travel packed.

    Built publicly from ``pieces``; rebuilt by JAX from ``layout`` (static: per piece, its
    class, static fields and leaf count, or its opaque index), one leaf vector and the opaque
    pieces (those that do not lower to segments).
    """

    # Its two representations (see the docstring): the pieces (``_pieces``, and ``_left``
    # for a concat built by appending), or the packed form JAX rebuilds.
    _pieces: tuple[Schedule, ...] | None
    _left: Concat | None
    _packed_layout: Any
    _packed_vec: Any
    _packed_opaque: tuple[Schedule, ...]

    _prec = PREC_SHIFT

    @classmethod
    def _arg_fields(cls) -> tuple[F.Field, ...]:
        return (_PIECES,)

    def _args(self) -> dict[str, Any]:
        return {"pieces": list(self.pieces)}

    def _tree_keys(self) -> tuple[str, ...]:
        return ("leaves", *(f"opaque[{i}]" for i in range(len(self._opaque))))

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
            out.extend(tail or ())
        return tuple(out)

    def _rebuild_pieces(self) -> tuple[Schedule, ...]:
        vec = self._vec
        concrete = not N.is_tracer(vec)
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

    def _split(self) -> tuple[tuple[Any, ...], list[Any], tuple[Schedule, ...]]:
        """(layout, flat leaves, opaque pieces) from the pieces."""
        return self._cached("split", self._compute_split)

    def _compute_split(self) -> tuple[tuple[Any, ...], list[Any], tuple[Schedule, ...]]:
        layout: list[tuple[Any, ...]] = []
        leaves: list[Any] = []
        opaque: list[Schedule] = []
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
    def _layout(self) -> tuple[Any, ...]:
        return self._split()[0] if self._pieces is not None else self._packed_layout

    @property
    def _opaque(self) -> tuple[Schedule, ...]:
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
            return self._packed_opaque
        if self._left is None:
            return self._pieces
        return (*self._pieces, self._left._depth - 1)  # the depth of its deepest piece

    def _constant_after(self) -> int | float | None:
        last = self.pieces[-1]
        if isinstance(last, Hold) and last.steps is None:
            return self._starts()[-1]
        return self.duration

    def _gain_children(self) -> tuple[Any, ...]:
        # an appended concat (``a >> b >> ...``) combines its left part's gain, unjoined
        if self._left is not None:
            return (self._left, *(self._pieces or ()))
        return self.pieces

    def _subs(self) -> tuple[Schedule, ...]:
        return self.pieces

    @property
    def _py_ok(self) -> bool:
        def make() -> bool:
            if self._pieces is None and N.is_tracer(self._packed_vec):
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

    def _py(self, t: int | float) -> Any:
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

        def f(t: int | float) -> Any:
            i = right(starts, t) - 1
            return fns[i](t - starts[i])

        return f

    def _table(self) -> tuple[tuple[Row, ...], Any, tuple[Schedule, ...]]:
        return self._cached("table", self._compute_table) + (self._opaque,)

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
                prow, _, _ = dummy._table()  # type: ignore[attr-defined]
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

    def _key(self) -> tuple[Any, ...]:
        return self._cached("key", lambda: ("Concat", tuple(p._key() for p in self.pieces)))

    def _repr(self) -> str:
        return " >> ".join(p._repr_in(PREC_SHIFT + 1) for p in self.pieces)

    def _tree_flatten(self) -> tuple[list[Any], Any]:
        vec = self._vec
        if isinstance(vec, list):
            vec = leaf_vector(vec, N.jnp() if any(N.is_jax(x) for x in vec) else np)
        return [vec, *self._opaque], self._layout

    @classmethod
    def _tree_unflatten(cls, layout: Any, children: Any) -> Concat:
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


_PIECES = F.named("pieces", F.child(many=True, doc="the pieces, in order"))


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


def _PIECEWISE() -> type[Piecewise]:
    from ._primitives import Piecewise

    return Piecewise


def _placeholder(cls: type[Schedule], static: Any, count: int) -> Schedule:
    """A node of the given static structure with zero leaves: it yields rows and duration."""
    if cls is _PIECEWISE():
        return cls._make(values=np.zeros(count), boundaries=static[0])
    return cls._tree_unflatten(static, [0.0] * count)


def _concat_from_pieces(pieces: tuple[Schedule, ...]) -> Concat:
    return Concat._make(_pieces=tuple(pieces), _left=None)


def _append(left: Concat, tail: list[Schedule]) -> Schedule:
    """``left >> tail[0] >> ...`` in time independent of ``len(left.pieces)``.

    The new node keeps ``left`` and the appended pieces; its pieces are joined when first
    needed, and the facts the construction checks (duration, range) are combined from
    ``left``'s, so a chain ``a >> b >> c ...`` of n pieces costs O(n), not O(n^2).
    """
    fn = "concat"
    if left.duration is None:
        raise K.ArgumentValueError(
            fn,
            "schedules",
            left.pieces[-1],
            f"{fn}(): every piece but the last must be finite, got the infinite piece "
            f"{short_repr(left.pieces[-1])} at position {len(left.pieces) - 1}",
            index=len(left.pieces) - 1,
        )
    for i, p in enumerate(tail[:-1]):
        if p.duration is None:
            raise K.ArgumentValueError(
                fn,
                "schedules",
                p,
                f"{fn}(): every piece but the last must be finite, got the infinite piece "
                f"{short_repr(p)} at position {len(left.pieces) + i}",
                index=len(left.pieces) + i,
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


def _concat_from_json(pieces: list[Any]) -> Schedule:
    return concat(*pieces)


@F.constructs(Concat, loader=_concat_from_json)
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
        >>> from schedalg import cosine, linear_ramp
        >>> s = linear_ramp(0.0, 1.0, 10) >> cosine(1.0, 0.0, 90)
        >>> s(5), s(10), s.duration
        (0.5, 1.0, 100)
    """
    fn = "concat"
    if not schedules:
        raise K.ArgumentTypeError(
            fn, "schedules", schedules, f"{fn}(): needs at least one schedule"
        )
    if len(schedules) == 1 and isinstance(schedules[0], Schedule):
        return schedules[0]
    pieces: list[Schedule] = []
    for i, s in enumerate(schedules):
        sched = as_schedule(fn, "schedules", s, index=i)
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
            raise K.ArgumentValueError(
                fn,
                "schedules",
                p,
                f"{fn}(): every piece but the last must be finite, got the infinite piece "
                f"{p!r} at position {i}",
                index=i,
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
    if not start <= N.MAX_STEPS:
        raise K.ArgumentValueError(
            fn,
            None,
            None,
            f"{fn}(): the last piece would start beyond 2**62 steps, at {start}, got "
            f"{len(pieces)} pieces",
        )
