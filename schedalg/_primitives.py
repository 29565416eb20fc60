"""Primitive schedules: segments of ``steps`` steps with a closed-form formula.

Time inside a segment is local: ``tau = 0 .. steps - 1`` and progress ``u = tau / steps``.
After its end a segment holds its end value (the limit ``u -> 1``); a segment of 0 steps
contributes nothing to a ``concat`` and, alone, is the constant end value.
"""

from __future__ import annotations

import bisect
import itertools
import math
import numbers
from collections.abc import Callable, Iterable, Mapping, Set
from typing import Any

import numpy as np

from . import _checks as K
from . import _fields as F
from . import _namespaces as N
from ._lower import (
    COSINE,
    EXPGEO,
    EXPRATE,
    HOLD,
    INVERSE,
    LINEAR,
    POLY,
    TANH,
    TRIANGLE,
    Row,
    eval_table,
)
from ._schedule import Schedule, _leaf_key, fmt_number, short_repr

_HALF_PI = math.pi / 2


# The sorted NumPy path evaluates at most this many row slices per call.
_MAX_SLICES = 4


def _sorted_1d(t: Any) -> bool:
    """A 1-D array of at least a few hundred non-decreasing times (checked in one pass)."""
    return t.ndim == 1 and t.size >= 256 and bool(t[0] <= t[-1]) and bool(np.all(t[1:] >= t[:-1]))


class Tabular(Schedule):
    """A node that lowers to a table of segments (see ``_lower``)."""

    __slots__ = ()

    def _table(self) -> tuple[tuple[Row, ...], Any, tuple[Schedule, ...]]:
        """(rows, leaves, opaque schedules): rows start at 0, indices into the leaves."""
        raise NotImplementedError(type(self).__name__)

    def _xp(self, t: Any, xp: Any) -> Any:
        rows, leaves, opaque = self._table()
        if xp is np and len(rows) > 1:
            out = self._xp_sorted(rows, leaves, opaque, t)
            if out is not None:
                return out
        return eval_table(rows, leaves, opaque, t, xp, self._cache)

    def _xp_sorted(
        self, rows: tuple[Row, ...], leaves: Any, opaque: tuple[Schedule, ...], t: Any
    ) -> Any:
        """NumPy over sorted times that meet few rows: each row's elements are one slice,
        evaluated as a one-row table (no row search, no per-element gathers, no select
        between kinds). None where that does not apply (unsorted, short, or many rows: each
        slice costs a Python call, so a block of steps meeting many rows is left to the
        general path)."""
        if not _sorted_1d(t):
            return None
        starts = self._cached("row_starts", lambda: np.asarray([float(r.start) for r in rows]))
        # rows first..last meet the times (the last row whose start is <= t[0], and so on)
        first, last = (np.searchsorted(starts, [t[0], t[-1]], side="right") - 1).tolist()
        first = max(first, 0)
        if last - first + 1 > _MAX_SLICES:
            return None
        cuts = np.searchsorted(t, starts[first + 1 : last + 1], side="left").tolist()
        edges = [0, *cuts, t.size]
        spans = [
            (first + j, lo, hi) for j, (lo, hi) in enumerate(itertools.pairwise(edges)) if hi > lo
        ]
        out = np.empty(t.shape, dtype=np.float64)
        for j, lo, hi in spans:
            memo = self._cache.setdefault(("row", j), {})
            out[lo:hi] = eval_table((rows[j],), leaves, opaque, t[lo:hi], np, memo)
        return out


class Segment(Tabular):
    """A primitive of ``steps`` steps (None: infinite) with leaves (p0, p1)."""

    _kind: int = HOLD
    steps: int | None  # (each subclass declares it as a field, with its own default)

    def _duration(self) -> int | None:
        return self.steps

    def _shape(self) -> tuple[float, float]:
        return (1.0, 0.0)

    def _table(self) -> tuple[tuple[Row, ...], Any, tuple[Schedule, ...]]:
        i1 = 1 if len(self._leaf_fields) > 1 else 0
        a, b = self._shape()
        return (Row(self._kind, 0, self.steps, 0, i1, a, b),), list(self._leaves()), ()

    def _compute_range(self) -> tuple[float, float]:
        return value_span(*self._leaves())


def value_span(*xs: Any) -> tuple[float, float]:
    """(min, max) over numbers and every element of concrete arrays."""
    if all(type(x) is float for x in xs):
        return min(xs), max(xs)
    arrays = [np.asarray(x, dtype=np.float64) for x in xs]
    return min(float(np.min(a)) for a in arrays), max(float(np.max(a)) for a in arrays)


def _progress(t: int | float, n: int) -> tuple[float, float]:
    return t / n, (n - t) / n


def _cosine_fn(a: Any, b: Any, n: int) -> Callable[[int | float], Any]:
    """``t -> cosine(a, b, n)(t)`` (power 1) for one time ``t >= 0``: the scalar form of the
    COSINE weights in ``_lower`` (cos^2 and sin^2 of pi u / 2, the smaller of the two from a
    sine of the smaller of u and 1 - u), written out for the Python path's speed (a closure:
    one call per step). A property test (tests/test_core_primitives.py) pins it to the array
    form."""
    sin, half_pi = math.sin, _HALF_PI

    def f(t: int | float) -> Any:
        if t >= n:
            return b
        u = t / n
        w = (n - t) / n
        if u <= w:
            s = sin(half_pi * u)
            s *= s
            return a * (1.0 - s) + b * s
        s = sin(half_pi * w)
        s *= s
        return a * s + b * (1.0 - s)

    return f


#: Largest bound on a gradient that construction accepts: float32's maximum (3.4e38) over
#: about 300, room for the small constant factors of a derivative (pi / 2, two paths summed)
#: that the bounds leave out.
MAX_GRADIENT = 1e36


def _slope_check(fn: str, leaves: dict[str, Any], gain: float, got: str) -> None:
    """Refuse a segment whose gradient could leave float32's range: a static number that
    multiplies the values in the formula's derivative (a power, a tanh span, 1 / scale),
    times the largest value, must stay within ``MAX_GRADIENT``."""
    arrays = [each(x) for x in leaves.values() if not isinstance(x, int)]
    if any(a is None for a in arrays) or gain <= 1:
        return
    top = max(float(np.max(np.abs(a), initial=0.0)) for a in arrays if a is not None)
    if top * gain > MAX_GRADIENT:
        values = ", ".join(f"{k}={v!r}" for k, v in leaves.items() if not isinstance(v, int))
        raise K.ArgumentValueError(
            fn,
            None,
            None,
            f"{fn}(): gradients could reach {top * gain:g}, beyond {MAX_GRADIENT:g} (values "
            f"times {gain:g}), got {values}, {got}",
        )


def _span(fn: str, start: Any, end: Any, steps: Any) -> dict[str, Any]:
    """The validated (start, end, steps) that most segments share."""
    return {
        "start": K.value(fn, "start", start),
        "end": K.value(fn, "end", end),
        "steps": K.steps(fn, "steps", steps),
    }


# -- hold ----------------------------------------------------------------------------------------


class Hold(Segment, name="hold"):
    _kind = HOLD
    value: Any = F.leaf(doc="the constant")
    steps: int | None = F.static(None, doc="the length; None: forever")

    def _pyfn(self) -> Any:
        v = self.value
        return lambda t: v

    def _py(self, t: int | float) -> Any:
        return self.value

    def _end_value(self) -> Any:
        return self.value

    def _constant_after(self) -> int | float | None:
        return 0 if self.steps is None else self.steps

    def _repr_args(self) -> list[str]:
        v = fmt_number(self.value)
        return [v] if self.steps is None else [v, str(self.steps)]


@F.constructs(Hold)
def hold(value: Any, steps: int | None = None) -> Schedule:
    """A constant: ``value`` for ``steps`` steps (forever if ``steps`` is None).

    Formula: ``s(t) = value``.

    Args:
        value: the constant.
        steps: its length, a non-negative int, or None for an infinite hold.

    Returns:
        The schedule. ``hold(v, 0)`` is the identity of ``concat``.

    Example:
        >>> from schedalg import hold
        >>> s = hold(0.1, 10)
        >>> s(3), s.duration
        (0.1, 10)
    """
    return Hold._make(
        value=K.value("hold", "value", value),
        steps=K.steps("hold", "steps", steps, allow_none=True),
    )


def as_schedule(fn: str, name: str, x: Any, *, index: int | None = None) -> Schedule:
    """A schedule argument (``name[index]`` for a list); a number becomes the infinite
    ``hold`` of that number."""
    if isinstance(x, Schedule):
        return x
    label = name if index is None else f"{name}[{index}]"
    if isinstance(x, (numbers.Real, np.ndarray)) or N.is_jax(x):
        try:
            return hold(x)
        except K.ArgumentError as e:
            cls = K.ArgumentTypeError if isinstance(e, TypeError) else K.ArgumentValueError
            raise cls(fn, name, x, f"{fn}(): {label}: {e}", index=index) from None
    raise K.ArgumentTypeError(
        fn,
        name,
        x,
        f"{fn}(): {label} must be a schedule or a number, got {label}={short_repr(x)}",
        index=index,
    )


# -- linear_ramp ---------------------------------------------------------------------------------


class LinearRamp(Segment, name="linear_ramp"):
    _kind = LINEAR
    start: Any = F.leaf(doc="the value at t = 0")
    end: Any = F.leaf(doc="the value from t = steps on")
    steps: int = F.static(doc="the length")

    def _py(self, t: int | float) -> Any:
        n = self.steps
        if t >= n:
            return self.end
        u, w = _progress(t, n)
        return self.start * w + self.end * u

    def _pyfn(self) -> Any:
        a, b, n = self.start, self.end, self.steps

        def f(t: int | float) -> Any:
            if t >= n:
                return b
            return a * ((n - t) / n) + b * (t / n)

        return f

    def _end_value(self) -> Any:
        return self.end


@F.constructs(LinearRamp)
def linear_ramp(start: Any, end: Any, steps: int) -> Schedule:
    """A straight line from ``start`` to ``end`` over ``steps`` steps.

    Formula: ``s(t) = start + (end - start) * u`` with ``u = t / steps``; ``end`` after.

    Args:
        start: the value at t = 0.
        end: the value approached at t = steps and held after.
        steps: the length, a non-negative int.

    Example:
        >>> from schedalg import linear_ramp
        >>> s = linear_ramp(0.0, 1.0, 4)
        >>> [s(t) for t in range(6)]
        [0.0, 0.25, 0.5, 0.75, 1.0, 1.0]
    """
    fn = "linear_ramp"
    return LinearRamp._make(
        **_span(fn, start, end, steps),
    )


# -- cosine --------------------------------------------------------------------------------------


class Cosine(Segment, name="cosine"):
    _kind = COSINE
    start: Any = F.leaf(doc="the value at t = 0")
    end: Any = F.leaf(doc="the value from t = steps on")
    steps: int = F.static(doc="the length")
    power: float = F.static(1.0, doc="exponent of the cosine factor")

    def _shape(self) -> tuple[float, float]:
        return (self.power, 0.0)

    def _py(self, t: int | float) -> Any:
        n = self.steps
        if t >= n:
            return self.end
        p = self.power
        if p == 1:
            f = self._cache.get("scalar")
            if f is None:
                f = self._cache["scalar"] = _cosine_fn(self.start, self.end, n)
            return f(t)
        u, w = _progress(t, n)
        if u <= w:  # cos^2 = 1 - s with s small: 1 - cos^2p = -expm1(p log1p(-s))
            s = math.sin(_HALF_PI * u)
            lg = p * math.log1p(-s * s)
            return self.start * math.exp(lg) - self.end * math.expm1(lg)
        s = math.sin(_HALF_PI * w)
        x = (s * s) ** p
        return self.start * x + self.end * (1.0 - x)

    def _end_value(self) -> Any:
        return self.end

    def _pyfn(self) -> Any:
        if self.power != 1:
            return self._py
        return _cosine_fn(self.start, self.end, self.steps)


@F.constructs(Cosine)
def cosine(start: Any, end: Any, steps: int, power: float = 1.0) -> Schedule:
    """Half a cosine wave from ``start`` down (or up) to ``end`` over ``steps`` steps.

    Formula: ``s(t) = end + (start - end) * ((1 + cos(pi * u)) / 2) ** power``,
    ``u = t / steps``; ``end`` after. Accurate to float rounding relative to the value near
    both ends (a decay to 0 keeps its relative precision in float32).

    Args:
        start: the value at t = 0.
        end: the value approached at t = steps and held after.
        steps: the length, a non-negative int.
        power: exponent of the cosine factor (optax's ``exponent``), > 0.

    Example:
        >>> from schedalg import cosine
        >>> s = cosine(1.0, 0.0, 100)
        >>> s(0), round(s(50), 12), s(100)
        (1.0, 0.5, 0.0)

    Reference: Loshchilov & Hutter, SGDR (2017).
    """
    fn = "cosine"
    span = _span(fn, start, end, steps)
    p = K.positive(fn, "power", power)
    _slope_check(fn, span, p, f"power={power!r}")
    return Cosine._make(**span, power=p)


# -- exp -----------------------------------------------------------------------------------------


class Exp(Segment, name="exp"):
    _kind = EXPGEO
    start: Any = F.leaf(doc="the value at t = 0, > 0")
    end: Any = F.leaf(doc="the value from t = steps on, > 0")
    steps: int = F.static(doc="the length")

    def _py(self, t: int | float) -> Any:
        n = self.steps
        if t >= n:
            return self.end
        log_ratio = self._cached("log_ratio", lambda: math.log(self.end) - math.log(self.start))
        return self.start * math.exp(log_ratio * (t / n))

    def _end_value(self) -> Any:
        return self.end


_RATE_ARG = F.named("rate", F.leaf(doc="the per-step factor, > 0"))


class ExpRate(Segment, name="exp"):
    """``start * rate ** tau``, with the natural log of the rate as its leaf.

    A jit argument's leaves are rounded to float32: a rounded rate near 1 is wrong by up
    to 6e-8 relative, and ``rate ** tau`` by ``tau`` times that (1.3% at tau = 1e6); a
    rounded log-rate keeps ``tau * log(rate)``, so the value, to 6e-8 relative. ``rate``
    is the number the schedule was built with (for printing, JSON and the Python path).
    """

    _kind = EXPRATE
    start: Any = F.leaf(doc="the value at t = 0, > 0")
    log_rate: Any = F.leaf(arg=False, doc="the natural log of the per-step factor")
    steps: int | None = F.static(None, doc="the length; None: forever")

    @classmethod
    def _arg_fields(cls) -> tuple[F.Field, ...]:
        f = cls._fields
        return (f[0], _RATE_ARG, f[2])

    def _args(self) -> dict[str, Any]:
        return {"start": self.start, "rate": self.rate, "steps": self.steps}

    @property
    def rate(self) -> Any:
        """The per-step factor as given; ``exp(log_rate)`` for a node JAX rebuilt from leaves
        whose log-rate no constructor made."""
        r = self._cache.get("rate")
        if r is None:
            r = self._cache["rate"] = _rate_of(self.log_rate)
        return r

    def _key(self) -> tuple[Any, ...]:
        return self._cached(
            "key",
            lambda: ("ExpRate", _leaf_key(self.start), _leaf_key(self.rate), self.steps),
        )

    def __reduce__(self) -> Any:
        return (_exp_rate, (self.start, self.rate, self.log_rate, self.steps))

    def _py(self, t: int | float) -> Any:
        n = self.steps
        if n is not None and t > n:
            t = n
        return self.start * self.rate**t

    def _pyfn(self) -> Any:
        start, rate, n = self.start, self.rate, self.steps
        if n is None:
            return lambda t: start * rate**t
        return lambda t: start * rate ** (t if t < n else n)

    def _end_value(self) -> Any:
        return self.start * self.rate**self.steps

    def _compute_range(self) -> tuple[float, float]:
        start, rate = self.start, self.rate
        if type(start) is float and type(rate) is float:
            if self.steps is None:
                far = 0.0 if rate < 1 else start
            else:
                far = start * rate**self.steps
            return min(start, far), max(start, far)
        a, r = np.asarray(start, dtype=np.float64), np.asarray(rate, dtype=np.float64)
        with np.errstate(over="ignore"):
            if self.steps is None:
                far_a = np.where(r < 1, 0.0, a)
            else:
                far_a = a * r ** float(self.steps)
        return value_span(a, far_a)

    def _repr_args(self) -> list[str]:
        args = [fmt_number(self.start), f"rate={fmt_number(self.rate)}"]
        if self.steps is not None:
            args.append(f"steps={self.steps}")
        return args


def each(x: Any) -> np.ndarray | None:
    """A concrete value (a float, a NumPy or JAX array) as a float64 array for element-wise
    checks; None for a traced value, which can't be inspected (inside jit: unchecked)."""
    if N.is_tracer(x):
        return None
    return np.asarray(x, dtype=np.float64)


# The exact rate behind each log-rate a constructor made (log is not invertible in floating
# point), so a node JAX rebuilds from concrete leaves prints and saves the rate it was given.
_RATES: dict[float, float] = {}
_RATES_MAX = 1 << 16


def _log_rate(rate: Any) -> Any:
    """The natural log of a rate: in float64 on the host for concrete values."""
    if type(rate) is float:
        lr = math.log(rate)
        if len(_RATES) >= _RATES_MAX:
            _RATES.clear()
        _RATES[lr] = rate
        return lr
    if isinstance(rate, np.ndarray):
        return np.log(rate.astype(np.float64))
    return N.jnp().log(rate)


def _rate_of(log_rate: Any) -> Any:
    if type(log_rate) is float:
        r = _RATES.get(log_rate)
        return math.exp(log_rate) if r is None else r
    if isinstance(log_rate, np.ndarray):
        return np.exp(log_rate)
    return N.jnp().exp(log_rate)


def _exp_rate(start: Any, rate: Any, log_rate: Any, steps: int | None) -> ExpRate:
    node = ExpRate._make(start=start, log_rate=log_rate, steps=steps)
    node._cache["rate"] = rate
    return node


def _exp_positive(fn: str, name: str, x: Any) -> Any:
    """A positive value, at least float32's smallest normal number (its log is finite on JAX);
    element by element for an array."""
    v = K.value(fn, name, x)
    arr = each(v)
    if arr is not None:
        if not np.all(arr > 0):
            raise K.bad_value(fn, name, x, "must be > 0")
        if not np.all(arr >= N.MIN_NORMAL):
            raise K.bad_value(
                fn, name, x, f"must be at least {N.MIN_NORMAL!r} (float32's smallest normal number)"
            )
    return v


@F.constructs(Exp)
def exp(
    start: Any,
    end: Any = None,
    steps: int | None = None,
    *,
    rate: Any = None,
    every: Any = None,
    staircase: bool = False,
) -> Schedule:
    """Exponential (geometric) change, given by its end value or by its per-step rate.

    Formulas: ``exp(start, end, steps)``: ``s(t) = start * (end / start) ** u``,
    ``u = t / steps``, ``end`` after (start, end > 0).
    ``exp(start, rate=r, steps=None)``: ``s(t) = start * r ** t``, infinite when ``steps``
    is None (then ``r <= 1``: no growth without bound), else ``start * r ** steps`` after.

    Args:
        start: the value at t = 0, > 0.
        end: the value approached at t = steps (geometric form).
        steps: the length; optional in the rate form.
        rate: the per-step factor, > 0 (rate form).
        every: (rate form) apply ``rate`` once per ``every`` steps instead of once per step:
            ``s(t) = start * rate ** (t / every)``, TF's ``exponential_decay`` with
            ``decay_steps=every`` (``steps`` still counts steps).
        staircase: with ``every``, floor the exponent: ``start * rate ** floor(t / every)``
            (TF's ``staircase=True``, torch's ``StepLR``; see also ``step_decay``).

    Example:
        >>> from schedalg import exp
        >>> round(exp(1.0, 0.01, 2)(1), 12)
        0.1
        >>> exp(1.0, rate=0.5)(3)
        0.125
        >>> s = exp(1.0, rate=0.5, every=10, staircase=True)
        >>> s(9), s(10), s(25)
        (1.0, 0.5, 0.25)
    """
    fn = "exp"
    if every is not None or staircase is not False:
        if every is None or rate is None or end is not None:
            raise K.ArgumentTypeError(
                fn,
                None,
                None,
                f"{fn}(): every= and staircase= go with the rate form, exp(start, rate=r, "
                f"every=n), got end={end!r}, rate={rate!r}, every={every!r}"
            )
        from ._recipes import exp_every

        return exp_every(start, rate, steps, every, staircase)
    if (end is None) == (rate is None):
        raise K.ArgumentTypeError(
            fn,
            None,
            None,
            f"{fn}(): give exactly one of end (geometric form) and rate (per-step form), "
            f"got end={end!r}, rate={rate!r}",
        )
    start_v = _exp_positive(fn, "start", start)
    a = each(start_v)
    if end is not None:
        end_v = _exp_positive(fn, "end", end)
        if steps is None:
            raise K.ArgumentTypeError(
                fn, "steps", None, f"{fn}(): the geometric form needs steps, got steps=None"
            )
        b = each(end_v)
        if a is not None and b is not None:
            if not np.all(np.maximum(a / b, b / a) <= N.MAX_VALUE):
                # d s / d end = u * s / end: the ratio bounds the gradient.
                raise K.ArgumentValueError(
                    fn,
                    "end",
                    end,
                    f"{fn}(): end / start must be within [{1 / N.MAX_VALUE:g}, "
                    f"{N.MAX_VALUE:g}], got start={start!r}, end={end!r}",
                )
        return Exp._make(start=start_v, end=end_v, steps=K.steps(fn, "steps", steps))
    rate_v = _exp_positive(fn, "rate", rate)
    n = K.steps(fn, "steps", steps, allow_none=True)
    r = each(rate_v)
    if r is not None:
        if n is None and not np.all(r <= 1):
            raise K.ArgumentValueError(
                fn,
                "rate",
                rate,
                f"{fn}(): an infinite exp with rate > 1 grows without bound, got rate={rate!r}; "
                "give steps",
            )
        if n is not None and a is not None:
            with np.errstate(over="ignore"):
                end_value = a * r ** float(n)
            if not np.all(np.abs(end_value) <= N.MAX_VALUE):
                raise K.ArgumentValueError(
                    fn,
                    None,
                    None,
                    f"{fn}(): start * rate ** steps overflows, got start={start!r}, "
                    f"rate={rate!r}, steps={steps!r}",
                )
    return _exp_rate(start_v, rate_v, _log_rate(rate_v), n)


# -- poly ----------------------------------------------------------------------------------------


class Poly(Segment, name="poly"):
    _kind = POLY
    start: Any = F.leaf(doc="the value at t = 0")
    end: Any = F.leaf(doc="the value from t = steps on")
    steps: int = F.static(doc="the length")
    power: float = F.static(1.0, doc="the exponent")

    def _shape(self) -> tuple[float, float]:
        return (self.power, 0.0)

    def _py(self, t: int | float) -> Any:
        n = self.steps
        if t >= n:
            return self.end
        u, w = _progress(t, n)
        if self.power == 1:
            return self.start * w + self.end * u
        x = w**self.power
        return self.start * x + self.end * (1.0 - x)

    def _end_value(self) -> Any:
        return self.end

    def _repr_args(self) -> list[str]:
        return [
            fmt_number(self.start),
            fmt_number(self.end),
            str(self.steps),
            f"power={fmt_number(self.power)}",
        ]


@F.constructs(Poly)
def poly(start: Any, end: Any, steps: int, power: float = 1.0) -> Schedule:
    """Polynomial decay (or growth) from ``start`` to ``end`` over ``steps`` steps.

    Formula: ``s(t) = end + (start - end) * (1 - u) ** power``, ``u = t / steps``; ``end``
    after. ``power = 1`` is ``linear_ramp``.

    Args:
        start: the value at t = 0.
        end: the value approached at t = steps and held after.
        steps: the length, a non-negative int.
        power: the exponent, > 0.

    Example:
        >>> from schedalg import poly
        >>> poly(1.0, 0.0, 10, power=2.0)(5)
        0.25
    """
    fn = "poly"
    span = _span(fn, start, end, steps)
    p = K.positive(fn, "power", power)
    _slope_check(fn, span, p, f"power={power!r}")
    return Poly._make(**span, power=p)


# -- triangle ------------------------------------------------------------------------------------


class Triangle(Segment, name="triangle"):
    _kind = TRIANGLE
    low: Any = F.leaf(doc="the value at both ends")
    high: Any = F.leaf(doc="the value at half time")
    steps: int = F.static(doc="the cycle length")

    def _py(self, t: int | float) -> Any:
        n = self.steps
        if t >= n:
            return self.low
        u, w = _progress(t, n)
        tri = 2.0 * min(u, w)
        return self.low * (1.0 - tri) + self.high * tri

    def _end_value(self) -> Any:
        return self.low


@F.constructs(Triangle)
def triangle(low: Any, high: Any, steps: int) -> Schedule:
    """One triangular cycle: ``low`` up to ``high`` at half time, back down to ``low``.

    Formula: ``s(t) = low + (high - low) * (1 - |2u - 1|)``, ``u = t / steps``; ``low``
    after. Repeat it for cyclical learning rates.

    Args:
        low: the value at both ends.
        high: the value at ``t = steps / 2``.
        steps: the cycle length, a non-negative int.

    Example:
        >>> from schedalg import triangle
        >>> s = triangle(0.0, 1.0, 4)
        >>> [s(t) for t in range(5)]
        [0.0, 0.5, 1.0, 0.5, 0.0]

    Reference: Smith, Cyclical Learning Rates for Training Neural Networks (2017).
    """
    fn = "triangle"
    return Triangle._make(
        low=K.value(fn, "low", low),
        high=K.value(fn, "high", high),
        steps=K.steps(fn, "steps", steps),
    )


# -- tanh ----------------------------------------------------------------------------------------


class Tanh(Segment, name="tanh"):
    _kind = TANH
    start: Any = F.leaf(doc="the value approached at t = 0")
    end: Any = F.leaf(doc="the value approached at t = steps")
    steps: int = F.static(doc="the length")
    lower: float = F.static(-7.0, doc="the tanh argument at t = 0")
    upper: float = F.static(3.0, doc="the tanh argument at t = steps")

    def _shape(self) -> tuple[float, float]:
        return (float(self.lower), float(self.upper))

    def _weight(self, u: float) -> float:
        return 0.5 * (1.0 - math.tanh(self.lower + (self.upper - self.lower) * u))

    def _py(self, t: int | float) -> Any:
        n = self.steps
        x = self._weight(1.0 if t >= n else t / n)
        return self.start * x + self.end * (1.0 - x)

    def _compute_range(self) -> tuple[float, float]:
        return value_span(self._py(0), self._py(self.steps))

    def _repr_args(self) -> list[str]:
        return [
            fmt_number(self.start),
            fmt_number(self.end),
            str(self.steps),
            f"lower={fmt_number(self.lower)}",
            f"upper={fmt_number(self.upper)}",
        ]


@F.constructs(Tanh)
def tanh(start: Any, end: Any, steps: int, lower: float = -7.0, upper: float = 3.0) -> Schedule:
    """A hyperbolic-tangent decay from about ``start`` to about ``end``.

    Formula: ``s(t) = end + (start - end) * (1 - tanh(lower + (upper - lower) * u)) / 2``,
    ``u = t / steps``; the value at ``u = 1`` after. The endpoints are reached only
    approximately (``tanh(-7) = -0.9999983``); this is timm's ``TanhLRScheduler`` shape.

    Args:
        start, end: the asymptotic values.
        steps: the length, a non-negative int.
        lower, upper: the tanh argument at ``u = 0`` and ``u = 1``.

    Example:
        >>> from schedalg import tanh
        >>> round(tanh(1.0, 0.0, 10, lower=-3.0, upper=3.0)(5), 12)
        0.5

    Reference: Hsueh et al., Stochastic Gradient Descent with Hyperbolic-Tangent Decay (2019).
    """
    fn = "tanh"
    span = _span(fn, start, end, steps)
    lo, hi = K.number(fn, "lower", lower), K.number(fn, "upper", upper)
    # d s / d u = (start - end) * (upper - lower) / 2 * sech^2(...); JAX carries each of
    # start and end times (upper - lower) / 2 on the way.
    _slope_check(fn, span, abs(hi - lo) / 2, f"lower={lower!r}, upper={upper!r}")
    return Tanh._make(**span, lower=lo, upper=hi)


# -- inverse -------------------------------------------------------------------------------------


class Inverse(Segment, name="inverse"):
    _kind = INVERSE
    start: Any = F.leaf(doc="the value at t = 0")
    scale: float = F.static(doc="the time constant")
    power: float = F.static(1.0, doc="the decay exponent")
    steps: int | None = F.static(None, doc="the length; None: forever")

    def _shape(self) -> tuple[float, float]:
        return (float(self.scale), float(self.power))

    def _py(self, t: int | float) -> Any:
        n = self.steps
        if n is not None and t > n:
            t = n
        return self.start * (1.0 + t / self.scale) ** (-self.power)

    def _compute_range(self) -> tuple[float, float]:
        far = 0.0 if self.steps is None else self._py(self.steps)
        return value_span(self.start, far)

    def _repr_args(self) -> list[str]:
        args = [fmt_number(self.start), f"scale={fmt_number(self.scale)}"]
        if self.power != 1:
            args.append(f"power={fmt_number(self.power)}")
        if self.steps is not None:
            args.append(f"steps={self.steps}")
        return args


@F.constructs(Inverse)
def inverse(start: Any, scale: float, power: float = 1.0, steps: int | None = None) -> Schedule:
    """Inverse-power decay: the "inverse time" and "inverse square root" family.

    Formula: ``s(t) = start * (1 + t / scale) ** (-power)``; infinite when ``steps`` is None,
    else the value at ``t = steps`` after.

    Args:
        start: the value at t = 0.
        scale: the time constant (steps until the base doubles), > 0.
        power: the decay exponent, > 0 (1: inverse time, 0.5: inverse square root).
        steps: the length, or None.

    Example:
        >>> from schedalg import inverse
        >>> inverse(1.0, scale=10.0)(10)
        0.5
        >>> inverse(1.0, scale=1.0, power=0.5)(3)
        0.5

    References: Keras ``InverseTimeDecay``; Vaswani et al. (2017) for the rsqrt decay.
    """
    fn = "inverse"
    v = K.value(fn, "start", start)
    a, p = K.positive(fn, "scale", scale), K.positive(fn, "power", power)
    # d s / d t at t = 0 is -start * power / scale; JAX forms start * power on the way.
    _slope_check(fn, {"start": v}, p * max(1.0, 1.0 / a), f"scale={scale!r}, power={power!r}")
    return Inverse._make(
        start=v, scale=a, power=p, steps=K.steps(fn, "steps", steps, allow_none=True)
    )


# -- piecewise -----------------------------------------------------------------------------------


class Piecewise(Tabular, name="piecewise"):
    """Values between boundaries. ``values`` is a tuple of leaves, or one packed vector."""

    boundaries: tuple[int | float, ...] = F.static(many=True, doc="the step numbers")
    values: Any = F.leaf(many=True, doc="one more value than boundaries")

    def _args(self) -> dict[str, Any]:
        return {"boundaries": list(self.boundaries), "values": self._value_list()}

    def _leaves(self) -> tuple[Any, ...]:
        v = self.values
        return tuple(v) if isinstance(v, tuple) else (v,)

    def _value_list(self) -> list[Any]:
        v = self.values
        if isinstance(v, tuple):
            return list(v)
        return [v[..., i] for i in range(len(self.boundaries) + 1)]

    def _duration(self) -> int | float:
        return self.boundaries[-1] if self.boundaries else 0

    def _end_value(self) -> Any:
        return self._value_list()[-1]

    def _table(self) -> tuple[tuple[Row, ...], Any, tuple[Schedule, ...]]:
        # Cached: the NumPy path evaluates long arrays block by block.
        return self._cached("table", self._compute_table)

    def _compute_table(self) -> tuple[tuple[Row, ...], Any, tuple[Schedule, ...]]:
        rows = []
        edges = (0, *self.boundaries)
        for i in range(len(self.boundaries)):
            lo, hi = edges[i], edges[i + 1]
            if hi > lo:
                rows.append(Row(HOLD, lo, hi - lo, i, i))
        last = len(self.boundaries)
        rows.append(Row(HOLD, edges[-1], None, last, last))
        return tuple(rows), self.values, ()

    def _py(self, t: int | float) -> Any:
        return self.values[bisect.bisect_right(self.boundaries, t)]

    def _compute_range(self) -> tuple[float, float]:
        return value_span(*self._leaves())

    def _key(self) -> tuple[Any, ...]:
        def make() -> tuple[Any, ...]:
            import numpy as np

            from ._schedule import _leaf_key

            v = self.values
            vals = v if isinstance(v, tuple) else (v,)
            flat = tuple(_leaf_key(x) for x in vals)
            if not isinstance(v, tuple):
                arr = np.asarray(v, dtype=float)
                flat = tuple(float(x) for x in arr.ravel()) if arr.ndim == 1 else flat
            return ("Piecewise", flat, self.boundaries)

        return self._cached("key", make)

    def _tree_flatten(self) -> tuple[list[Any], Any]:
        v = self.values
        if isinstance(v, tuple):
            from ._lower import leaf_vector

            xp = N.jnp() if any(N.is_jax(x) for x in v) else None
            import numpy as np

            v = leaf_vector(v, xp if xp is not None else np)
        return [v], (self.boundaries,)

    @classmethod
    def _tree_unflatten(cls, static: Any, children: Any) -> Piecewise:
        v = children[0]
        if isinstance(v, np.ndarray) and v.ndim == 1 and v.dtype.kind == "f":
            v = tuple(float(x) for x in v)  # concrete host values: back to the Python path
        return cls._make(values=v, boundaries=static[0])


@F.constructs(Piecewise)
def piecewise(boundaries: Any, values: Any) -> Schedule:
    """Piecewise constant: ``values[i]`` from ``boundaries[i-1]`` up to ``boundaries[i]``.

    Formula: ``values[0]`` for ``t < boundaries[0]``, ``values[i]`` for
    ``boundaries[i-1] <= t < boundaries[i]``, ``values[-1]`` from ``boundaries[-1]`` on.
    The duration is the last boundary.

    Args:
        boundaries: non-decreasing, non-negative step numbers.
        values: one more value than boundaries.

    Example:
        >>> from schedalg import piecewise
        >>> s = piecewise([10, 20], [1.0, 0.1, 0.01])
        >>> s(9), s(10), s(25)
        (1.0, 0.1, 0.01)
    """
    fn = "piecewise"
    for name, arg in (("boundaries", boundaries), ("values", values)):
        if isinstance(arg, (Mapping, Set, str, bytes)):
            raise K.ArgumentTypeError(
                fn,
                name,
                arg,
                f"{fn}(): {name} must be a sequence (a list or a tuple), got a "
                f"{type(arg).__name__}: {name}={arg!r}",
            )
    try:
        bs = list(boundaries)
        vs = list(values)
    except TypeError:
        bad = "boundaries" if not isinstance(boundaries, Iterable) else "values"
        raise K.ArgumentTypeError(
            fn,
            bad,
            boundaries if bad == "boundaries" else values,
            f"{fn}(): boundaries and values must be sequences, got "
            f"boundaries={boundaries!r}, values={values!r}",
        ) from None
    if len(vs) != len(bs) + 1:
        raise K.ArgumentValueError(
            fn,
            "values",
            values,
            f"{fn}(): values must have one more entry than boundaries, got "
            f"len(boundaries)={len(bs)}, len(values)={len(vs)}",
        )
    checked_b: list[int | float] = []
    for i, b in enumerate(bs):
        x = K.length(fn, "boundaries", b, index=i)
        if x < 0:
            raise K.ArgumentValueError(
                fn,
                "boundaries",
                b,
                f"{fn}(): boundaries must be >= 0, got boundaries[{i}]={b!r}",
                index=i,
            )
        if checked_b and x < checked_b[-1]:
            raise K.ArgumentValueError(
                fn,
                "boundaries",
                b,
                f"{fn}(): boundaries must be sorted, got boundaries[{i - 1}]={checked_b[-1]!r} "
                f"> boundaries[{i}]={b!r}",
                index=i,
            )
        checked_b.append(x)
    checked_v = tuple(K.value(fn, "values", v, index=i) for i, v in enumerate(vs))
    return Piecewise._make(values=checked_v, boundaries=tuple(checked_b))
