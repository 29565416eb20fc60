"""Pointwise combinations: ``+ - * /``, ``neg``, ``minimum``, ``maximum``, ``clip``."""

from __future__ import annotations

import operator
from typing import Any, TypeGuard

import numpy as np

from . import _checks as K
from . import _fields as F
from . import _namespaces as N
from ._node_checks import _MIN_DIVISOR, _checked, _gain, _magnitude
from ._primitives import Hold, as_schedule, each, value_span
from ._schedule import (
    PREC_ADD,
    PREC_MUL,
    PREC_NEG,
    Schedule,
    _leaf_key,
    fmt_number,
    short_repr,
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
        return s._cached(
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


def _known(s: Schedule) -> tuple[float, float]:
    """A sub-schedule's range, known (concrete) whenever its parent's range is computed."""
    r = s._range()
    if r is None:
        raise AssertionError("the range of a traced schedule is not known")
    return r


class BinOp(Schedule):
    a: Schedule = F.child(doc="the left operand")
    b: Schedule = F.child(doc="the right operand")
    _symbol = ""
    _op: Any = None

    def _duration(self) -> int | float | None:
        return _pointwise_duration((self.a, self.b))

    def _end_value(self) -> Any:
        ea = self.a.end_value if self.a.duration is not None else self.a(0)
        eb = self.b.end_value if self.b.duration is not None else self.b(0)
        return type(self)._op(ea, eb)

    def _py(self, t: int | float) -> Any:
        return type(self)._op(self.a._py(t), self.b._py(t))

    def _pyfn(self) -> Any:
        op, fa, fb = type(self)._op, self.a._pyfn(), self.b._pyfn()
        return lambda t: op(fa(t), fb(t))

    def _xp(self, t: Any, xp: Any) -> Any:
        return self._xp_op(xp, self.a._xp(t, xp), self.b._xp(t, xp))

    def _xp_op(self, xp: Any, x: Any, y: Any) -> Any:
        return type(self)._op(x, y)

    def _compute_range(self) -> tuple[float, float]:
        (a0, a1), (b0, b1) = _known(self.a), _known(self.b)
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


def _bare(s: Schedule) -> TypeGuard[Hold]:
    """True when ``s`` prints as a bare number in an operator expression (a constant)."""
    return isinstance(s, Hold) and s.steps is None and type(s.value) is float


def _operand(s: Schedule, prec: int) -> str:
    if _bare(s):
        text = fmt_number(s.value)
        return f"({text})" if s.value < 0 and prec > PREC_NEG else text
    return s._repr_in(prec)


class Add(BinOp, name="add"):
    _prec = PREC_ADD
    _symbol = "+"
    _op = operator.add


class Sub(BinOp, name="sub"):
    _prec = PREC_ADD
    _symbol = "-"
    _op = operator.sub


class Mul(BinOp, name="mul"):
    _prec = PREC_MUL
    _symbol = "*"
    _op = operator.mul

    def _own_gain(self) -> float:
        """Each side's gain times the other side's magnitude (see ``_gain``)."""
        a, b = self.a, self.b
        return max(_gain(a) * _magnitude(b), _gain(b) * _magnitude(a))


class Div(BinOp, name="div"):
    _prec = PREC_MUL
    _symbol = "/"
    _op = operator.truediv

    def _own_gain(self) -> float:
        """``gain(a) / |b|`` and ``gain(b) |a| / b**2`` (see ``_gain``)."""
        lo, hi = _known(self.b)
        low = min(abs(lo), abs(hi))
        return max(_gain(self.a) / low, _gain(self.b) * _magnitude(self.a) / low / low)

    def _compute_range(self) -> tuple[float, float]:
        (a0, a1), (b0, b1) = _known(self.a), _known(self.b)
        cands = [x / y for x in (a0, a1) for y in (b0, b1)]
        return min(cands), max(cands)


class Minimum(BinOp, name="minimum"):
    _op = min

    def _xp_op(self, xp: Any, x: Any, y: Any) -> Any:
        return xp.minimum(x, y)

    def _compute_range(self) -> tuple[float, float]:
        (a0, a1), (b0, b1) = _known(self.a), _known(self.b)
        return min(a0, b0), min(a1, b1)

    def _repr(self) -> str:
        return f"{self._fname}({self.a!r}, {self.b!r})"


class Maximum(Minimum, name="maximum"):
    _op = max

    def _xp_op(self, xp: Any, x: Any, y: Any) -> Any:
        return xp.maximum(x, y)

    def _compute_range(self) -> tuple[float, float]:
        (a0, a1), (b0, b1) = _known(self.a), _known(self.b)
        return max(a0, b0), max(a1, b1)


def _binop(cls: type[Schedule], fn: str, a: Any, b: Any) -> Schedule:
    sa = as_schedule(fn, "a", a)
    sb = as_schedule(fn, "b", b)
    node = cls._make(a=sa, b=sb)
    return _checked(fn, node, lambda: f"a={short_repr(sa)}, b={short_repr(sb)}")


@F.constructs(Add)
def add(a: Any, b: Any) -> Schedule:
    """Pointwise sum, ``s(t) = a(t) + b(t)``; numbers are constants. ``a + b``."""
    return _binop(Add, "add", a, b)


@F.constructs(Sub)
def sub(a: Any, b: Any) -> Schedule:
    """Pointwise difference, ``s(t) = a(t) - b(t)``. ``a - b``."""
    return _binop(Sub, "sub", a, b)


@F.constructs(Mul)
def mul(a: Any, b: Any) -> Schedule:
    """Pointwise product, ``s(t) = a(t) * b(t)``. ``a * b``.

    Example:
        >>> from schedalg import cosine
        >>> (cosine(1.0, 0.0, 10) * 0.1)(0)
        0.1
    """
    return _binop(Mul, "mul", a, b)


@F.constructs(Div)
def div(a: Any, b: Any) -> Schedule:
    """Pointwise quotient, ``s(t) = a(t) / b(t)``. ``a / b``.

    ``b``'s range must exclude 0 (checked at construction on concrete values), so the
    quotient is finite everywhere.
    """
    fn = "div"
    sb = as_schedule(fn, "b", b)
    rng = sb._range()
    if rng is not None and rng[0] < _MIN_DIVISOR and rng[1] > -_MIN_DIVISOR:
        raise K.ArgumentValueError(
            fn,
            "b",
            b,
            f"{fn}(): the divisor's values span [{rng[0]!r}, {rng[1]!r}], which includes 0 "
            f"(or numbers below 2**-63, whose square, in the gradient a / b**2, is below "
            f"float32's smallest normal {N.MIN_NORMAL!r}), got b={sb!r}",
        )
    ra = as_schedule(fn, "a", a)._range()
    if rng is not None and ra is not None:
        # |d(a / b) / db| = |a| / b**2 must stay in range too (float32 gradients on JAX).
        top = max(abs(ra[0]), abs(ra[1]))
        low = min(abs(rng[0]), abs(rng[1]))
        if top / low / low > N.MAX_VALUE:
            raise K.ArgumentValueError(
                fn,
                "b",
                b,
                f"{fn}(): the quotient's gradient |a| / b**2 could reach {top / low / low:g}, "
                f"beyond {N.MAX_VALUE:g}: the divisor comes too close to 0, got b={sb!r}",
            )
    return _binop(Div, fn, a, sb)


@F.constructs(Minimum)
def minimum(a: Any, b: Any) -> Schedule:
    """Pointwise minimum, ``s(t) = min(a(t), b(t))``."""
    return _binop(Minimum, "minimum", a, b)


@F.constructs(Maximum)
def maximum(a: Any, b: Any) -> Schedule:
    """Pointwise maximum, ``s(t) = max(a(t), b(t))``."""
    return _binop(Maximum, "maximum", a, b)


class Neg(Schedule, name="neg"):
    _prec = PREC_NEG
    a: Schedule = F.child(doc="the operand")

    def _duration(self) -> int | float | None:
        return _pointwise_duration((self.a,))

    def _end_value(self) -> Any:
        return -_settled_value(self.a)

    def _py(self, t: int | float) -> Any:
        return -self.a._py(t)

    def _xp(self, t: Any, xp: Any) -> Any:
        return -self.a._xp(t, xp)

    def _compute_range(self) -> tuple[float, float]:
        lo, hi = _known(self.a)
        return -hi, -lo

    def _repr(self) -> str:
        return f"-{self.a._repr_in(PREC_NEG)}"


@F.constructs(Neg)
def neg(a: Any) -> Schedule:
    """Pointwise negation, ``s(t) = -a(t)``. ``-a``."""
    return Neg._make(a=as_schedule("neg", "a", a))


class Clip(Schedule, name="clip"):
    schedule: Schedule = F.child(doc="the clipped schedule")
    low: Any = F.leaf(None, doc="the lower bound; None: none")
    high: Any = F.leaf(None, doc="the upper bound; None: none")

    def _tree_keys(self) -> tuple[str, ...]:
        present = [k for k in ("low", "high") if getattr(self, k) is not None]
        return (*present, "schedule")

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

    def _py(self, t: int | float) -> Any:
        return self._clip_py(self.schedule._py(t))

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
        lo, hi = _known(self.schedule)
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

    def _key(self) -> tuple[Any, ...]:
        return self._cached(
            "key",
            lambda: (
                "Clip",
                None if self.low is None else _leaf_key(self.low),
                None if self.high is None else _leaf_key(self.high),
                self.schedule._key(),
            ),
        )

    def _tree_flatten(self) -> tuple[list[Any], Any]:
        present = (self.low is not None, self.high is not None)
        return [*self._leaves(), self.schedule], present

    @classmethod
    def _tree_unflatten(cls, present: Any, children: Any) -> Clip:
        it = iter(children)
        low = next(it) if present[0] else None
        high = next(it) if present[1] else None
        return cls._make(low=low, high=high, schedule=next(it))


@F.constructs(Clip)
def clip(schedule: Any, low: Any = None, high: Any = None) -> Schedule:
    """Pointwise clipping, ``s(t) = min(max(schedule(t), low), high)``; None: no bound."""
    fn = "clip"
    s = as_schedule(fn, "schedule", schedule)
    lo = None if low is None else K.value(fn, "low", low)
    hi = None if high is None else K.value(fn, "high", high)
    lo_a, hi_a = each(lo), each(hi)
    if lo is not None and hi is not None and lo_a is not None and hi_a is not None:
        if not np.all(lo_a <= hi_a):  # element by element for arrays
            raise K.ArgumentValueError(
                fn, "low", low, f"{fn}(): low must be <= high, got low={low!r}, high={high!r}"
            )
    return Clip._make(schedule=s, low=lo, high=hi)
