"""The schedule value type: immutable nodes, structural equality, operators, evaluation.

A schedule is a tree of nodes. Each node class declares its fields once (``_fields``: leaf,
child or static, see ``_fields``):

* leaves: value-like numbers (start, end, value, low, high, floor, factor, constants). They
  are the JAX pytree leaves: they may be traced, differentiated and batched with ``vmap``.
* children: sub-schedules.
* static fields: everything that fixes the shape of the computation (step counts, powers,
  stretch, boundaries, kinds). They are hashed into the pytree structure.

A class declared with ``name=...`` (``class Cosine(Segment, name="cosine")``) is registered
under that name: JSON, ``parse`` and the pytree registration find it there.

Public constructors (``cosine``, ``concat``, ...) validate concrete inputs and build nodes
with ``Node._make``; JAX rebuilds nodes from (possibly traced) leaves through the same
``_make``, which never inspects leaf values.
"""

from __future__ import annotations

import math
import numbers
import threading
from collections.abc import Callable, Iterator
from typing import Any, ClassVar, TypeVar

import numpy as np

from . import _checks as K
from . import _fields as F
from . import _namespaces as N

# Precedence levels for printing: a child is parenthesised when its level is lower than the
# context requires (Python's own: `>>` < `+ -` < `* /` < unary `-` < calls and atoms).
PREC_SHIFT, PREC_ADD, PREC_MUL, PREC_NEG, PREC_ATOM = 1, 2, 3, 4, 5

# NumPy evaluates arrays longer than this in blocks of this many steps (see _numpy_blocks).
_NP_BLOCK = 1 << 14

#: Deepest accepted nesting of schedule nodes (a primitive is 1 level, ``-cosine(...)`` 2).
#: Checked when a node is built; every walk over a tree this deep (evaluation on each
#: backend, printing, equality and hashing, JSON) stays far inside Python's recursion limit.
MAX_DEPTH = 200
# Trees deeper than this compute their cached facts and their repr bottom-up, iteratively
# (a recursive walk costs several Python frames per level).
_SHALLOW = 16
# Longest repr that parse() reads back (parse.MAX_LENGTH); longer ones print a pointer to JSON.
_MAX_SOURCE = 1_000_000

_S = TypeVar("_S", bound="Schedule")
_T = TypeVar("_T")


def fmt_number(x: Any) -> str:
    """A number as Python source that reads back to the same value."""
    if type(x) is float:
        return repr(x)
    if isinstance(x, (bool, np.bool_)):
        return repr(bool(x))
    if isinstance(x, numbers.Integral):
        return str(int(x))
    if isinstance(x, numbers.Real):
        return repr(float(x))
    return repr(x)


def _leaf_key(x: Any) -> Any:
    if type(x) is float:
        return x
    if N.is_tracer(x):
        raise TypeError(
            "a schedule holding traced values has no hash or equality; compare it outside jit"
        )
    arr = np.asarray(x)
    if arr.ndim == 0:
        return float(arr)
    return ("array", arr.shape, tuple(float(v) for v in arr.ravel()))


class Schedule:
    """A learning-rate schedule: an immutable ``step -> value`` function built by the algebra.

    Call it on a Python number, a NumPy array or a JAX array. See the documentation's Concepts
    page (docs/concepts.md) for the time convention (``t`` is the 0-based index of the
    optimizer update).

    Example:
        >>> import numpy as np
        >>> from schedalg import linear_ramp, hold
        >>> s = linear_ramp(0.0, 1.0, 4) >> hold(1.0)
        >>> s(2), s(np.arange(6)).tolist(), s.duration
        (0.5, [0.0, 0.25, 0.5, 0.75, 1.0, 1.0], None)
    """

    __slots__ = ("__weakref__", "_cache")
    _cache: dict[Any, Any]  # facts computed once: duration, key, hash, lowered table, ...

    _fname: ClassVar[str] = ""
    _leaf_fields: ClassVar[tuple[str, ...]] = ()
    _child_fields: ClassVar[tuple[str, ...]] = ()
    _static_fields: ClassVar[tuple[str, ...]] = ()
    _prec: ClassVar[int] = PREC_ATOM
    #: Arguments printed as keywords even where they have no default (``cooldown``'s ``at``).
    _keywords: ClassVar[frozenset[str]] = frozenset()

    # NumPy must hand `array * schedule` to Schedule.__rmul__ instead of broadcasting.
    __array_ufunc__ = None

    _fields: ClassVar[tuple[F.Field, ...]] = ()

    def __init_subclass__(cls, name: str | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._fields = F.collect(cls, dict(cls.__dict__))
        own = cls.__dict__
        for attr, role in (
            ("_leaf_fields", F.LEAF),
            ("_child_fields", F.CHILD),
            ("_static_fields", F.STATIC),
        ):
            if attr not in own and cls._fields:  # (or spelled out: internal nodes)
                setattr(cls, attr, tuple(f.attr or f.name for f in cls._fields if f.role == role))
        if name is not None:
            cls._fname = name
            F.register_node(cls, name)
            from . import _pytree

            _pytree.register_class(cls)

    @classmethod
    def _arg_fields(cls) -> tuple[F.Field, ...]:
        """The fields that are arguments of the public constructor (and JSON fields)."""
        return tuple(f for f in cls._fields if f.arg)

    def _args(self) -> dict[str, Any]:
        """The constructor's arguments that rebuild this node: JSON dumps them."""
        return {f.name: getattr(self, f.attr or f.name) for f in self._arg_fields()}

    # -- construction ------------------------------------------------------------------------

    @classmethod
    def _make(cls: type[_S], **fields: Any) -> _S:
        obj = object.__new__(cls)
        for k, v in fields.items():
            object.__setattr__(obj, k, v)
        # The depth, from the children's (already known): O(1) per node, no walk.
        depth = 1 + max(
            (c._cache["depth"] if isinstance(c, Schedule) else c for c in obj._depth_subs()),
            default=0,
        )
        object.__setattr__(obj, "_cache", {"depth": depth})
        if depth > MAX_DEPTH:
            raise K.ArgumentValueError(
                cls._fname,
                None,
                None,
                f"{cls._fname}(): the schedule would be nested {depth} levels deep, beyond the "
                f"limit MAX_DEPTH={MAX_DEPTH} (see the Limits table in docs/concepts.md)",
            )
        return obj

    def _depth_subs(self) -> tuple[Any, ...]:
        """The sub-schedules (or the depths, ints) that set this node's depth."""
        return self._children()

    @property
    def _depth(self) -> int:
        depth: int = self._cache["depth"]
        return depth

    def _subs(self) -> tuple[Schedule, ...]:
        """Every sub-schedule whose cached facts this node's facts are made from."""
        return self._children()

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def _cached(self, name: str, make: Callable[[], _T]) -> _T:
        c = self._cache
        if name not in c:
            if c["depth"] > _SHALLOW and name in _FACTS:
                _warm(self, name)
            value: Any = make()  # (a _Key for "key", below)
            # A key holds its children's keys: with their hashes stored, hashing a tree whose
            # subtrees are shared (s = s + s, k times) costs O(nodes), not O(2**k).
            c[name] = _Key(value) if name == "key" else value
        fact: _T = c[name]  # (what ``make`` returned, or its key wrapped as a _Key tuple)
        return fact

    def __reduce__(self) -> Any:
        return (_rebuild, (type(self), {f: getattr(self, f) for f in self._all_fields()}))

    def _replace(self: _S, **fields: Any) -> _S:
        kw = {f: getattr(self, f) for f in self._all_fields()}
        kw.update(fields)
        return type(self)._make(**kw)

    @classmethod
    def _all_fields(cls) -> tuple[str, ...]:
        return cls._leaf_fields + cls._child_fields + cls._static_fields

    def _constant_after(self) -> int | float | None:
        """A step from which the schedule is constant (its duration by default; a final
        infinite hold starts earlier); None if it keeps changing."""
        return self.duration

    def _gain_children(self) -> tuple[Any, ...]:
        """The sub-schedules whose gradient bounds this node passes on (``_node_checks``)."""
        return self._children()

    def _children(self) -> tuple[Schedule, ...]:
        return tuple(getattr(self, f) for f in self._child_fields)

    def _leaves(self) -> tuple[Any, ...]:
        return tuple(getattr(self, f) for f in self._leaf_fields)

    # -- facts -------------------------------------------------------------------------------

    @property
    def duration(self) -> int | float | None:
        """Number of steps until the schedule holds its end value; None if infinite."""
        return self._cached("duration", self._duration)

    @property
    def end_value(self) -> Any:
        """The value held after the end of a finite schedule; None if infinite."""
        if self.duration is None:
            return None
        return self._cached("end_value", self._end_value)

    def _duration(self) -> int | float | None:
        raise NotImplementedError(type(self).__name__)

    def _end_value(self) -> Any:
        return self(self.duration)

    @property
    def _py_ok(self) -> bool:
        """True when every leaf is a Python float: the pure-Python path applies."""
        return self._cached(
            "py_ok",
            lambda: (
                all(type(x) is float for x in self._leaves())
                and all(c._py_ok for c in self._children())
            ),
        )

    @property
    def _has_jax(self) -> bool:
        return self._cached(
            "has_jax",
            lambda: (
                any(N.is_jax(x) for x in self._leaves())
                or any(c._has_jax for c in self._children())
            ),
        )

    @property
    def _concrete(self) -> bool:
        """True when no leaf is traced: floats and concrete (NumPy or JAX) arrays."""
        return self._cached(
            "concrete",
            lambda: (
                not any(N.is_tracer(x) for x in self._leaves())
                and all(c._concrete for c in self._children())
            ),
        )

    def _range(self) -> tuple[float, float] | None:
        """Conservative (min, max) of the values over all t and, for array leaves, over all
        their elements; None if some leaf is traced (inside jit: unchecked)."""
        if not (self._py_ok or self._concrete):
            return None
        return self._cached("range", self._compute_range)

    def _compute_range(self) -> tuple[float, float]:
        raise NotImplementedError(type(self).__name__)

    # -- evaluation --------------------------------------------------------------------------

    def __call__(self, t: Any) -> Any:
        tt = type(t)
        if tt is int or tt is float:
            f: Any = self._cache.get("pyfn")
            if f is None:
                f = self._cache["pyfn"] = self._pyfn() if self._py_ok else False
            if f is not False:
                if t > 0:
                    return f(t)
                if t == t:  # negative times evaluate as 0; NaN is refused
                    return f(0)
                raise K.ArgumentValueError(
                    "schedule", "t", t, "schedule(t): t must be a number, got t=nan"
                )
        return self._evaluate(t)

    def _pyfn(self) -> Any:
        """A plain closure ``t -> float`` (for t >= 0) for the pure-Python path.

        The default is the bound ``_py`` method; hot nodes return closures over their
        constants, so one evaluation costs a few local lookups.
        """
        return self._py

    def _evaluate(self, t: Any) -> Any:
        if isinstance(t, (bool, np.bool_)):
            raise K.ArgumentTypeError(
                "schedule", "t", t, f"schedule(t): t must be a number or an array, got t={t!r}"
            )
        if N.is_jax(t) or self._has_jax:
            xp = N.jnp()
            arr, beyond = N.as_jax_time(t)
            out_dtype = arr.dtype if arr.dtype.kind == "f" else xp.result_type(float)
        elif type(t).__module__.startswith("torch"):
            return self._evaluate_torch(t)
        else:
            xp = np
            arr = N.as_numpy_time(t)
            out_dtype = np.float64
        arr = xp.maximum(arr, 0)
        if xp is np:
            # Overflow to inf inside a formula (t / every at t = 1e300, rate ** tau) gives
            # the right limit (past the end, or 0); it is not worth a warning.
            with np.errstate(over="ignore"):
                if arr.size > _NP_BLOCK and self._py_ok:
                    return self._numpy_blocks(arr)
                out = self._xp_shaped(arr, xp)
        else:
            out = self._xp_shaped(arr, xp)
            if beyond is not None:
                out = self._beyond(arr, beyond, out, xp)
        out = xp.asarray(out, dtype=out_dtype)
        if out.shape != arr.shape:
            out = xp.broadcast_to(out, arr.shape)
            if xp is np:
                out = out.copy()
        if xp is np and out.ndim == 0:
            return np.float64(out)
        return out

    def _xp_shaped(self, t: Any, xp: Any) -> Any:
        """``_xp(t)``, whose shape must broadcast to ``t``'s. A batched schedule (array
        leaves) that does not fit ``t`` is a clear error, not a broadcasting traceback."""
        try:
            out = self._xp(t, xp)
        except (ValueError, TypeError):
            if self._batch_shape(t, xp) is None:
                raise
        else:
            shape = np.shape(out)
            if shape == t.shape or _broadcasts_to(shape, t.shape):
                return out
        batch = self._batch_shape(t, xp)
        if batch is not None and _broadcasts_to(batch, t.shape):
            fix = "evaluate it under jax.vmap over the batch (one t per schedule)"
        else:
            fix = (
                f"t must have the batch shape {batch} (one time per schedule) or a shape it "
                f"broadcasts to; to evaluate each schedule of the batch at the same times, "
                f"use jax.vmap over the batch"
            )
        raise K.ArgumentValueError(
            "schedule",
            "t",
            t,
            f"schedule(t): the schedule is batched (its leaves have the batch shape {batch}) "
            f"and t has shape {tuple(t.shape)}: {fix}",
        )

    def _batch_shape(self, t: Any, xp: Any) -> tuple[int, ...] | None:
        """The shape the leaves give a value at one scalar time; None when that is ()."""
        try:
            shape = tuple(np.shape(self._xp(xp.zeros((), dtype=t.dtype), xp)))
        except (ValueError, TypeError):
            return None
        return shape or None

    def _beyond(self, arr: Any, beyond: Any, out: Any, xp: Any) -> Any:
        """Values at unsigned times above the default int's maximum (``arr`` is clipped there):
        read in floating point, unless the schedule is constant by then."""
        top = int(np.iinfo(np.dtype(arr.dtype.name)).max)
        c = self._constant_after()
        if c is not None and c <= top:
            return out
        return xp.where(beyond > top, self._xp(beyond, xp), out)

    def _numpy_blocks(self, arr: np.ndarray) -> np.ndarray:
        """NumPy evaluation block by block, so the formulas' temporaries stay in cache.

        (Every NumPy operation makes a pass over its operands; over 10^7 steps a formula's
        dozen passes run from main memory, over a block of 2^14 steps from cache: 3-4x
        faster. Only for schedules whose leaves are all Python floats, so no leaf array
        broadcasts against t.)
        """
        flat = arr.reshape(-1)
        out = np.empty(flat.shape, dtype=np.float64)
        for i in range(0, flat.size, _NP_BLOCK):
            out[i : i + _NP_BLOCK] = self._xp(flat[i : i + _NP_BLOCK], np)
        return out.reshape(arr.shape)

    def _evaluate_torch(self, t: Any) -> Any:
        import torch

        t = t.detach().cpu()
        if t.dtype.is_floating_point and t.dtype.itemsize < 4:  # float16, bfloat16
            t = t.double()
        values = self._evaluate(t.numpy())
        # A copy: NumPy may hand back a read-only (broadcast) array, which torch warns about.
        return torch.as_tensor(np.array(values, dtype=np.float64), device=t.device)

    def _py(self, t: int | float) -> Any:
        raise NotImplementedError(type(self).__name__)

    def _xp(self, t: Any, xp: Any) -> Any:
        raise NotImplementedError(type(self).__name__)

    # -- equality, hashing, printing ---------------------------------------------------------

    def _key(self) -> tuple[Any, ...]:
        return self._cached(
            "key",
            lambda: (
                type(self).__name__,
                tuple(_leaf_key(x) for x in self._leaves()),
                tuple(c._key() for c in self._children()),
                tuple(getattr(self, f) for f in self._static_fields),
            ),
        )

    def __eq__(self, other: object) -> bool:
        if self is other:
            return True
        if not isinstance(other, Schedule):
            return NotImplemented
        return self._key() == other._key()

    def __ne__(self, other: object) -> bool:
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else not eq

    def __hash__(self) -> int:
        return self._cached("hash", lambda: hash(self._key()))

    def __repr__(self) -> str:
        memo = getattr(_PRINTING, "memo", None)
        if memo is not None:  # inside a bottom-up print: the children are done
            done = memo.get(id(self))
            return done if done is not None else self._repr()
        if self._depth <= _SHALLOW:
            text = self._repr()
        else:
            memo = _PRINTING.memo = {}
            try:
                for node in _post_order(self):
                    part = memo[id(node)] = node._repr()
                    if len(part) > _MAX_SOURCE:  # (a shared subtree repeats in the text)
                        break
                else:
                    part = self._repr()
                text = part
            finally:
                _PRINTING.memo = None
        if len(text) > _MAX_SOURCE or (self._depth > _SHALLOW and not _reads_back(self, text)):
            return (
                f"<{self._fname}(...): a schedule {self._depth} levels deep, {len(text)} "
                "characters as source, beyond what parse() reads back; save it with "
                "schedalg.to_json(s)>"
            )
        return text

    def _stand_in(self) -> Schedule:
        """The node that prints and saves for this one (itself; a named call whose arguments
        are unknown stands in for its expansion)."""
        return self

    def _repr(self) -> str:
        """The source text of this node (children through ``repr``)."""
        args = ", ".join(self._repr_args())
        return f"{self._fname}({args})"

    def _repr_args(self) -> list[str]:
        """The constructor's arguments as source: required ones by position, the others by
        keyword where they differ from their default."""
        out = []
        keyword = False  # (after a left-out argument, the rest go by keyword)
        args = self._args()
        for f in self._arg_fields():
            v = args[f.name]
            if f.default is not F.REQUIRED and _same(v, f.default):
                keyword = True
                continue
            keyword = keyword or f.default is not F.REQUIRED
            text = _source(v)
            out.append(f"{f.name}={text}" if keyword or f.name in self._keywords else text)
        return out

    def _repr_in(self, prec: int) -> str:
        r = repr(self)
        return f"({r})" if self._prec < prec else r

    # -- operators: sugar for the named combinators ------------------------------------------

    def __rshift__(self, other: Any) -> Schedule:
        """``concat(self, other)``: ``other`` starts at its own step 0 when ``self`` ends
        (local time; for absolute time see ``switch``)."""
        from ._concat import concat

        return concat(self, other)

    def __rrshift__(self, other: Any) -> Schedule:
        from ._concat import concat

        return concat(other, self)

    def __add__(self, other: Any) -> Schedule:
        from ._arithmetic import add

        return add(self, other)

    def __radd__(self, other: Any) -> Schedule:
        from ._arithmetic import add

        return add(other, self)

    def __sub__(self, other: Any) -> Schedule:
        from ._arithmetic import sub

        return sub(self, other)

    def __rsub__(self, other: Any) -> Schedule:
        from ._arithmetic import sub

        return sub(other, self)

    def __mul__(self, other: Any) -> Schedule:
        from ._arithmetic import mul

        return mul(self, other)

    def __rmul__(self, other: Any) -> Schedule:
        from ._arithmetic import mul

        return mul(other, self)

    def __truediv__(self, other: Any) -> Schedule:
        from ._arithmetic import div

        return div(self, other)

    def __rtruediv__(self, other: Any) -> Schedule:
        from ._arithmetic import div

        return div(other, self)

    def __neg__(self) -> Schedule:
        from ._arithmetic import neg

        return neg(self)

    def __pow__(self, other: Any) -> Schedule:
        from ._pointwise import power

        return power(self, other)

    def __rpow__(self, other: Any) -> Schedule:
        from ._pointwise import power

        return power(other, self)

    def at(self, clock: Schedule) -> Schedule:
        """This schedule read through a clock, ``s(clock(t))``: ``compose(s, clock)``."""
        from ._clock import compose

        return compose(self, clock)

    def __pos__(self) -> Schedule:
        return self

    # -- analysis: thin delegates to schedalg._analysis ---------------------------------------

    def integral(self, a: Any = 0, b: Any = None) -> float:
        """Learning-rate budget ``sum(s(t) for t in range(a, b))``; see ``_analysis.integral``."""
        from . import _analysis

        return _analysis.integral(self, a, b)

    def bounds(self, a: Any = 0, b: Any = None) -> tuple[float, float]:
        """``(min, max)`` over the integer steps ``a <= t < b``; see ``_analysis.bounds``."""
        from . import _analysis

        return _analysis.bounds(self, a, b)

    def argmax(self, a: Any = 0, b: Any = None) -> int:
        """First step in ``[a, b)`` taking the maximum; see ``_analysis.argmax``."""
        from . import _analysis

        return _analysis.argmax(self, a, b)

    def breakpoints(self, limit: int = 1000) -> tuple[int | float, ...]:
        """Steps where segments and cycles begin; see ``_analysis.breakpoints``."""
        from . import _analysis

        return _analysis.breakpoints(self, limit)

    def summary(self, steps: Any = None) -> Any:
        """Duration, start/peak/end, warmup and budget; see ``_analysis.summary``."""
        from . import _analysis

        return _analysis.summary(self, steps)

    # -- pytree ------------------------------------------------------------------------------

    def _tree_keys(self) -> tuple[str, ...]:
        """The names of ``_tree_flatten``'s children, for JAX key paths (``.start``)."""
        return self._leaf_fields + self._child_fields

    def _tree_flatten(self) -> tuple[list[Any], Any]:
        return list(self._leaves()) + list(self._children()), tuple(
            getattr(self, f) for f in self._static_fields
        )

    @classmethod
    def _tree_unflatten(cls, static: Any, children: Any) -> Schedule:
        children = list(children)
        nl = len(cls._leaf_fields)
        kw = dict(zip(cls._static_fields, static, strict=True))
        kw.update(zip(cls._leaf_fields, children[:nl], strict=True))
        kw.update(zip(cls._child_fields, children[nl:], strict=True))
        return cls._make(**kw)


def _same(v: Any, default: Any) -> bool:
    """True when an argument equals its default (numbers by value: ``1 == 1.0``; an option,
    a string or a flag, by type and value)."""
    if v is None or default is None:
        return v is default
    if isinstance(v, (str, bool)) or isinstance(default, (str, bool)):
        return type(v) is type(default) and v == default
    return type(v) in (int, float) and type(default) in (int, float) and v == default


def _source(v: Any) -> str:
    """An argument as source: a schedule, a list, a string, a flag, None or a number."""
    if isinstance(v, Schedule):
        return repr(v)
    if isinstance(v, str):
        import json  # (here: json is not loaded at ``import schedalg``)

        return json.dumps(v)
    if isinstance(v, bool) or v is None:
        return repr(v)
    if isinstance(v, (tuple, list)):
        return "[" + ", ".join(_source(x) for x in v) + "]"
    return fmt_number(v)


def _broadcasts_to(shape: Any, target: tuple[int, ...]) -> bool:
    try:
        return np.broadcast_shapes(shape, target) == target
    except ValueError:
        return False


def _rebuild(cls: Any, fields: dict[str, Any]) -> Any:
    return cls._make(**fields)


# -- deep trees: facts and text bottom-up, without deep recursion --------------------------------

# The cached facts a node computes from the same fact of its sub-schedules.
_FACTS: dict[str, Callable[[Schedule], Any]] = {
    "key": lambda n: n._key(),
    "hash": hash,
    "py_ok": lambda n: n._py_ok,
    "has_jax": lambda n: n._has_jax,
    "range": lambda n: n._range(),
    "duration": lambda n: n.duration,
    "end_value": lambda n: n.end_value,
}


class _HashedTuple(tuple[Any, ...]):
    """A tuple that computes its hash once (keys and layouts are hashed at every jit call)."""

    def __hash__(self) -> int:
        h = self.__dict__.get("hash")
        if h is None:
            h = self.__dict__["hash"] = tuple.__hash__(self)
        return h


class _Key(_HashedTuple):
    """A schedule's structural key (a tuple) that computes its hash once."""

    __hash__ = _HashedTuple.__hash__  # (a class defining __eq__ would otherwise drop it)

    def __eq__(self, other: object) -> bool:
        """Element-wise equality, walked without recursion (keys nest as deep as the tree)."""
        if self is other:
            return True
        if not isinstance(other, tuple):
            return NotImplemented
        stack: list[tuple[Any, Any]] = [(self, other)]
        done: set[tuple[int, int]] = set()  # pairs of shared subtrees, compared once
        while stack:
            x, y = stack.pop()
            if x is y:
                continue
            if isinstance(x, tuple) and isinstance(y, tuple):
                if len(x) != len(y):
                    return False
                if type(x) is _Key and type(y) is _Key:
                    if hash(x) != hash(y):
                        return False
                    pair = (id(x), id(y))
                    if pair in done:
                        continue
                    done.add(pair)
                stack.extend(zip(x, y, strict=True))
            elif isinstance(x, tuple) or isinstance(y, tuple) or x != y:
                return False
        return True

    def __ne__(self, other: object) -> bool:
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else not eq


def _post_order(root: Schedule) -> Iterator[Schedule]:
    """The strict descendants of ``root``, each once, every node after its sub-schedules."""
    seen = {id(root)}
    stack: list[tuple[Schedule, bool]] = [(c, False) for c in reversed(root._subs())]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            yield node
        elif id(node) not in seen:
            seen.add(id(node))
            stack.append((node, True))
            stack.extend((c, False) for c in reversed(node._subs()) if id(c) not in seen)


def _warm(root: Schedule, name: str) -> None:
    """Compute the cached fact ``name`` of ``root``'s descendants, deepest first.

    Each node then finds its sub-schedules' facts cached, so computing it recurses one level.
    Subtrees that already hold the fact are not entered.
    """
    get = _FACTS[name]
    seen: set[int] = set()
    stack: list[tuple[Schedule, bool]] = [(c, False) for c in root._subs()]
    while stack:
        node, expanded = stack.pop()
        if name in node._cache:
            continue
        if expanded:
            get(node)
        elif id(node) not in seen:  # (a shared subtree is entered once)
            seen.add(id(node))
            stack.append((node, True))
            stack.extend((c, False) for c in node._subs() if name not in c._cache)


_PRINTING = threading.local()


def _reads_back(s: Schedule, text: str) -> bool:
    """True when ``parse`` reads ``text`` (the repr of the deep schedule ``s``) back.

    A deep tree can print as more brackets, unary minus signs or syntax levels than parse
    accepts; such a repr points to JSON instead. Schedules with non-float leaves (arrays,
    tracers) print as they are: their repr is not source anyway.
    """
    if not s._py_ok:
        return True
    from ._parse import parse

    try:
        parse(text)
    except (ValueError, RecursionError):
        return False
    return True


def plain_number(x: Any, path: str) -> int | float | None:
    """A leaf or static number as a plain Python number (ints stay ints), for JSON and for
    concrete copies; ``path`` locates it in error messages."""
    if x is None:
        return None
    if type(x) is int or type(x) is float:
        return x
    if isinstance(x, (bool, np.bool_)):
        raise TypeError(f"to_dict(): at {path}: unexpected bool {x!r}")
    if N.is_tracer(x):
        raise TypeError(
            f"to_dict(): at {path}: the schedule holds a traced JAX value; "
            "serialize it outside jit/grad/vmap"
        )
    if isinstance(x, (int, np.integer)):
        return int(x)
    arr = np.asarray(x)
    if arr.ndim != 0:
        raise TypeError(
            f"to_dict(): at {path}: the schedule holds a batched array of shape {arr.shape}; "
            "serialize each schedule of the batch separately"
        )
    if arr.dtype.kind not in "iuf":
        raise TypeError(f"to_dict(): at {path}: expected a number, got {x!r}")
    return float(arr)


def plain_copy(s: Schedule, path: str = "$") -> Schedule:
    """``s`` rebuilt through its public constructors with plain Python numbers as leaves
    (a packed or 0-d array becomes floats); a traced or batched leaf is a TypeError naming
    its path."""
    args: dict[str, Any] = {}
    for k, v in s._args().items():
        sub = f"{path}.{k}"
        if isinstance(v, (list, tuple)):
            args[k] = [_plain_value(x, f"{sub}[{i}]") for i, x in enumerate(v)]
        else:
            args[k] = _plain_value(v, sub)
    name = type(s)._fname
    build = F.builder(name) or F.node_classes(name)[0]
    return build(**args)  # type: ignore[no-any-return]


def _plain_value(v: Any, path: str) -> Any:
    return plain_copy(v, path) if isinstance(v, Schedule) else plain_number(v, path)


def short_repr(s: Any, limit: int = 200) -> str:
    """``repr(s)`` cut to about ``limit`` characters, for error messages."""
    text = repr(s)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def is_finite_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)
