"""The schedule value type: immutable nodes, structural equality, operators, evaluation.

A schedule is a tree of nodes. Each node class names three kinds of fields:

* leaves: value-like numbers (start, end, value, low, high, floor, factor, constants). They
  are the JAX pytree leaves: they may be traced, differentiated and batched with ``vmap``.
* children: sub-schedules.
* static fields: everything that fixes the shape of the computation (step counts, powers,
  stretch, boundaries, kinds). They are hashed into the pytree structure.

Public constructors (``cosine``, ``concat``, ...) validate concrete inputs and build nodes
with ``Node._make``; JAX rebuilds nodes from (possibly traced) leaves through the same
``_make``, which never inspects leaf values.
"""

from __future__ import annotations

import math
import numbers
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from . import _backend as B

# Precedence levels for printing: a child is parenthesised when its level is lower than the
# context requires (Python's own: `>>` < `+ -` < `* /` < unary `-` < calls and atoms).
PREC_SHIFT, PREC_ADD, PREC_MUL, PREC_NEG, PREC_ATOM = 1, 2, 3, 4, 5

# NumPy evaluates arrays longer than this in blocks of this many steps (see _numpy_blocks).
_NP_BLOCK = 1 << 14


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
    if B.is_tracer(x):
        raise TypeError(
            "a schedule holding traced values has no hash or equality; compare it outside jit"
        )
    arr = np.asarray(x)
    if arr.ndim == 0:
        return float(arr)
    return ("array", arr.shape, tuple(float(v) for v in arr.ravel()))


class Schedule:
    """A learning-rate schedule: an immutable ``step -> value`` function built by the algebra.

    Call it on a Python number, a NumPy array or a JAX array. See the README for the time
    convention (``t`` is the 0-based index of the optimizer update).

    Example:
        >>> import numpy as np
        >>> from schedalg import linear_ramp, hold
        >>> s = linear_ramp(0.0, 1.0, 4) >> hold(1.0)
        >>> s(2), s(np.arange(6)).tolist(), s.duration
        (0.5, [0.0, 0.25, 0.5, 0.75, 1.0, 1.0], None)
    """

    __slots__ = ("__weakref__", "_cache")

    _fname: ClassVar[str] = ""
    _leaf_fields: ClassVar[tuple[str, ...]] = ()
    _child_fields: ClassVar[tuple[str, ...]] = ()
    _static_fields: ClassVar[tuple[str, ...]] = ()
    _prec: ClassVar[int] = PREC_ATOM

    # NumPy must hand `array * schedule` to Schedule.__rmul__ instead of broadcasting.
    __array_ufunc__ = None

    if TYPE_CHECKING:  # node fields are set by _make; tell the type checker they exist

        def __getattr__(self, name: str) -> Any: ...

    # -- construction ------------------------------------------------------------------------

    @classmethod
    def _make(cls, **fields: Any) -> Any:
        obj = object.__new__(cls)
        for k, v in fields.items():
            object.__setattr__(obj, k, v)
        object.__setattr__(obj, "_cache", {})
        return obj

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def _cached(self, name: str, make: Any) -> Any:
        c = self._cache
        if name not in c:
            c[name] = make()
        return c[name]

    def __reduce__(self) -> Any:
        return (_rebuild, (type(self), {f: getattr(self, f) for f in self._all_fields()}))

    def _replace(self, **fields: Any) -> Any:
        kw = {f: getattr(self, f) for f in self._all_fields()}
        kw.update(fields)
        return type(self)._make(**kw)

    @classmethod
    def _all_fields(cls) -> tuple[str, ...]:
        return cls._leaf_fields + cls._child_fields + cls._static_fields

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
                any(B.is_jax(x) for x in self._leaves())
                or any(c._has_jax for c in self._children())
            ),
        )

    def _range(self) -> tuple[float, float] | None:
        """Conservative (min, max) of the values over all t; None if leaves are not concrete."""
        if not self._py_ok:
            return None
        return self._cached("range", self._compute_range)

    def _compute_range(self) -> tuple[float, float]:
        raise NotImplementedError(type(self).__name__)

    # -- evaluation --------------------------------------------------------------------------

    def __call__(self, t: Any) -> Any:
        tt = type(t)
        if tt is int or tt is float:
            f = self._cache.get("pyfn")
            if f is None:
                f = self._cache["pyfn"] = self._pyfn() if self._py_ok else False
            if f is not False:
                if t > 0:
                    return f(t)
                if t == t:  # negative times evaluate as 0; NaN is refused
                    return f(0)
                raise ValueError("schedule(t): t must be a number, got t=nan")
        return self._evaluate(t)

    def _pyfn(self) -> Any:
        """A plain closure ``t -> float`` (for t >= 0) for the pure-Python path.

        The default is the bound ``_py`` method; hot nodes return closures over their
        constants, so one evaluation costs a few local lookups.
        """
        return self._py

    def _evaluate(self, t: Any) -> Any:
        if isinstance(t, (bool, np.bool_)):
            raise TypeError(f"schedule(t): t must be a number or an array, got t={t!r}")
        if B.is_jax(t) or self._has_jax:
            xp = B.jnp()
            arr = B.as_jax_time(t)
            out_dtype = xp.result_type(float) if arr.dtype.kind in "iu" else arr.dtype
            if out_dtype.kind != "f":
                out_dtype = xp.result_type(float)
        elif type(t).__module__.startswith("torch"):
            return self._evaluate_torch(t)
        else:
            xp = np
            arr = B.as_numpy_time(t)
            out_dtype = np.float64
        arr = xp.maximum(arr, 0)
        if xp is np:
            # Overflow to inf inside a formula (t / every at t = 1e300, rate ** tau) gives
            # the right limit (past the end, or 0); it is not worth a warning.
            with np.errstate(over="ignore"):
                if arr.size > _NP_BLOCK and self._py_ok:
                    return self._numpy_blocks(arr)
                out = self._xp(arr, xp)
        else:
            out = self._xp(arr, xp)
        out = xp.asarray(out, dtype=out_dtype)
        if out.shape != arr.shape:
            out = xp.broadcast_to(out, arr.shape)
            if xp is np:
                out = out.copy()
        if xp is np and out.ndim == 0:
            return np.float64(out)
        return out

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

        t_cpu = t.detach().cpu()
        if t_cpu.dtype == torch.bfloat16:  # NumPy has no bfloat16; float32 holds it exactly
            t_cpu = t_cpu.float()
        values = self._evaluate(t_cpu.numpy())
        # A copy: NumPy may hand back a read-only (broadcast) array, which torch warns about.
        return torch.as_tensor(np.array(values, dtype=np.float64), device=t.device)

    def _py(self, t: int | float) -> float:
        raise NotImplementedError(type(self).__name__)

    def _xp(self, t: Any, xp: Any) -> Any:
        raise NotImplementedError(type(self).__name__)

    # -- equality, hashing, printing ---------------------------------------------------------

    def _key(self) -> Any:
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
        args = ", ".join(self._repr_args())
        return f"{self._fname}({args})"

    def _repr_args(self) -> list[str]:
        raise NotImplementedError(type(self).__name__)

    def _repr_in(self, prec: int) -> str:
        r = repr(self)
        return f"({r})" if self._prec < prec else r

    # -- operators: sugar for the named combinators ------------------------------------------

    def __rshift__(self, other: Any) -> Schedule:
        from ._combinators import concat

        return concat(self, other)

    def __rrshift__(self, other: Any) -> Schedule:
        from ._combinators import concat

        return concat(other, self)

    def __add__(self, other: Any) -> Schedule:
        from ._combinators import add

        return add(self, other)

    def __radd__(self, other: Any) -> Schedule:
        from ._combinators import add

        return add(other, self)

    def __sub__(self, other: Any) -> Schedule:
        from ._combinators import sub

        return sub(self, other)

    def __rsub__(self, other: Any) -> Schedule:
        from ._combinators import sub

        return sub(other, self)

    def __mul__(self, other: Any) -> Schedule:
        from ._combinators import mul

        return mul(self, other)

    def __rmul__(self, other: Any) -> Schedule:
        from ._combinators import mul

        return mul(other, self)

    def __truediv__(self, other: Any) -> Schedule:
        from ._combinators import div

        return div(self, other)

    def __rtruediv__(self, other: Any) -> Schedule:
        from ._combinators import div

        return div(other, self)

    def __neg__(self) -> Schedule:
        from ._combinators import neg

        return neg(self)

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

    def _tree_flatten(self) -> tuple[list[Any], Any]:
        return list(self._leaves()) + list(self._children()), tuple(
            getattr(self, f) for f in self._static_fields
        )

    @classmethod
    def _tree_unflatten(cls, static: Any, children: Any) -> Any:
        children = list(children)
        nl = len(cls._leaf_fields)
        kw = dict(zip(cls._static_fields, static, strict=True))
        kw.update(zip(cls._leaf_fields, children[:nl], strict=True))
        kw.update(zip(cls._child_fields, children[nl:], strict=True))
        return cls._make(**kw)


def _rebuild(cls: Any, fields: dict) -> Any:
    return cls._make(**fields)


def as_schedule(fn: str, name: str, x: Any) -> Schedule:
    """A schedule argument; a number becomes the infinite ``hold`` of that number."""
    if isinstance(x, Schedule):
        return x
    if isinstance(x, (numbers.Real, np.ndarray)) or B.is_jax(x):
        from ._primitives import hold

        try:
            return hold(x)
        except (TypeError, ValueError) as e:
            raise type(e)(f"{fn}(): {name}: {e}") from None
    raise TypeError(f"{fn}(): {name} must be a schedule or a number, got {name}={x!r}")


def is_finite_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)
