"""Clocks other than the update index: ``tokens`` and ``compose`` (``s.at(clock)``).

A clock is a non-decreasing schedule of cumulative units (tokens, samples) seen before
update ``t``; ``compose(s, clock)`` reads ``s`` at ``clock(t)``, so ``s`` is written in those
units. ``tokens(batch_size, seq_len)`` is the cumulative token count of a batch-size schedule,
``seq_len * sum(batch_size(i) for i < t)``, in closed form for piecewise-constant and linear
batch sizes: a quadratic per segment, so ``t = 1e9`` costs what ``t = 10`` does.
"""

from __future__ import annotations

import bisect
import math
from fractions import Fraction
from typing import Any

import numpy as np

from . import _checks as K
from . import _fields as F
from ._arithmetic import _known
from ._concat import Concat
from ._node_checks import _checked, _fits
from ._primitives import Hold, LinearRamp, Piecewise
from ._schedule import Schedule, short_repr

__all__ = ["compose", "tokens"]

_HORIZON = 2**62


def _pieces(bs: Schedule) -> list[tuple[int | float, int | None, Any, Any]]:
    """The batch-size schedule as segments ``(start, length, a, b)``: ``a`` at the start,
    ``b`` approached at the end, linear in between (``a is b`` for a constant); the last
    segment is infinite (the end value held)."""
    parts = list(bs.pieces) if isinstance(bs, Concat) else [bs]
    out: list[tuple[int | float, int | None, Any, Any]] = []
    at: int | float = 0
    last: Any = None
    for p in parts:
        if isinstance(p, Hold):
            out.append((at, p.steps, p.value, p.value))
            last = p.value
        elif isinstance(p, LinearRamp):
            out.append((at, p.steps, p.start, p.end))
            last = p.end
        else:  # Piecewise (checked by tokens())
            assert isinstance(p, Piecewise)
            values = p._value_list()
            edges = (0, *p.boundaries)
            for i, b in enumerate(p.boundaries):
                if b > edges[i]:  # (whole steps: tokens() refuses fractional boundaries)
                    out.append((at + edges[i], int(b - edges[i]), values[i], values[i]))
            last = values[-1]
        d = p.duration
        if d is None:
            return out
        at += d
    out.append((at, None, last, last))
    return [seg for seg in out if seg[1] != 0]


def _refuse_negative(fn: str, name: str, s: Schedule, what: str) -> None:
    """Refuse a schedule argument whose values may go below 0 (checked on its range)."""
    rng = s._range()
    if rng is not None and rng[0] < 0:
        raise K.ArgumentValueError(
            fn,
            name,
            s,
            f"{fn}(): {what}, got values down to {rng[0]!r} in {name}={short_repr(s)}",
        )


class Tokens(Schedule, name="tokens"):
    """``seq_len * sum(batch_size(i) for i < t)``, in closed form."""

    batch_size: Schedule = F.child(doc="samples per update (piecewise constant or linear)")
    seq_len: int = F.static(1, doc="tokens per sample")

    def _duration(self) -> None:
        return None

    def _compute_range(self) -> tuple[float, float]:
        hi = _known(self.batch_size)[1]
        return 0.0, float(hi) * self.seq_len * _HORIZON

    def _table(self) -> tuple[tuple[int | float, ...], list[Any], list[Any], list[Any]]:
        """Static starts; per segment the tokens before it (in batch units), the start value
        and the slope per step (from the leaves, traced or not)."""
        segs = _pieces(self.batch_size)
        starts = tuple(s for s, _, _, _ in segs)
        before: list[Any] = []
        firsts: list[Any] = []
        slopes: list[Any] = []
        acc: Any = 0.0
        for _start, n, a, b in segs:
            before.append(acc)
            firsts.append(a)
            slope = 0.0 if (n is None or a is b) else (b - a) / float(n)
            slopes.append(slope)
            if n is not None:
                # sum_{m < n} (a + slope m) = a n + slope n (n - 1) / 2
                # (as floats: a traced leaf times a Python int beyond int32 is an error)
                acc = acc + a * float(n) + slope * float(n * (n - 1) // 2)
        return starts, before, firsts, slopes

    def _py_table(self) -> Any:
        def make() -> Any:
            segs = _pieces(self.batch_size)
            starts = [s for s, _, _, _ in segs]
            rows = []
            acc = Fraction(0)
            for _start, n, a, b in segs:
                fa, fb = Fraction(a), Fraction(b)
                slope = Fraction(0) if n is None else (fb - fa) / n
                rows.append((float(acc), a, float(slope)))
                if n is not None:
                    acc += fa * n + slope * (n * (n - 1) // 2)
            return starts, rows

        return self._cached("py_table", make)

    def _py(self, t: int | float) -> float:
        starts, rows = self._py_table()
        if t > _HORIZON:  # (t = inf included: the clock stops at the last step there is)
            t = _HORIZON
        j = bisect.bisect_right(starts, t) - 1
        before, a, slope = rows[j]
        k = t - starts[j]
        if type(k) is int:
            return (before + a * k + slope * (k * (k - 1) // 2)) * self.seq_len  # type: ignore[no-any-return]
        # between whole steps: the current step's batch in proportion (linear, never backwards)
        whole = math.floor(k)
        part = a * whole + slope * (whole * (whole - 1) / 2) + (k - whole) * (a + slope * whole)
        return (before + part) * self.seq_len  # type: ignore[no-any-return]

    def _xp(self, t: Any, xp: Any) -> Any:
        if _fits(t, _HORIZON):
            t = xp.minimum(t, _HORIZON)
        elif t.dtype.kind == "f":
            t = xp.minimum(t, float(_HORIZON))
        starts, before, firsts, slopes = self._table()
        fdt = xp.result_type(float) if xp is not np else np.float64
        m = len(starts)
        int_time = t.dtype.kind in "iu" and all(_fits(t, s) for s in starts)
        if m <= 8:
            # A few segments: a chain of selects on masks shared by every parameter (cheaper
            # than gathers, which cost most when the parameters are traced).
            tt = t if int_time else t.astype(fdt)
            masks = [tt >= (s if int_time else float(s)) for s in starts[1:]]

            def pick(values: list[Any], dtype: Any = fdt) -> Any:
                out = xp.asarray(values[0], dtype=dtype)
                for mask, v in zip(masks, values[1:], strict=True):
                    out = xp.where(mask, xp.asarray(v, dtype=dtype), out)
                return out

        else:
            edges = xp.asarray(np.asarray(starts[1:], dtype=np.float64))
            j = xp.searchsorted(edges, t.astype(fdt), side="right")

            def pick(values: list[Any], dtype: Any = fdt) -> Any:
                vec = xp.stack([xp.asarray(v, dtype=dtype) for v in values])
                return xp.take(vec, j, axis=0)

        first, slope = pick(firsts), pick(slopes)
        if int_time:
            k = (t - pick(list(starts), t.dtype)).astype(fdt)
            part = first * k + slope * (k * (k - 1.0) * 0.5)
        else:
            k = t.astype(fdt) - pick([float(s) for s in starts])
            # between whole steps: the current step's batch in proportion (never backwards)
            whole = xp.floor(k)
            part = first * whole + slope * (whole * (whole - 1.0) * 0.5)
            part = part + (k - whole) * (first + slope * whole)
        return (pick(before) + part) * float(self.seq_len)

    def _first_reaching(self, x: float) -> int | None:
        """The first integer step ``t`` with ``self(t) >= x`` (None if not by 2**62)."""
        f = self._pyfn() if self._py_ok else None
        if f is None:
            return None
        if f(_HORIZON) < x:
            return None
        lo, hi = 0, _HORIZON
        while lo < hi:
            mid = (lo + hi) // 2
            if f(mid) >= x:
                hi = mid
            else:
                lo = mid + 1
        return lo


@F.constructs(Tokens)
def tokens(batch_size: Any, seq_len: int = 1) -> Schedule:
    """A token clock: tokens seen before update ``t`` under a batch-size schedule.

    Formula: ``s(t) = seq_len * sum(batch_size(i) for i in range(t))`` (0 at ``t = 0``),
    in closed form: per segment of the batch size, ``before + a k + slope k (k - 1) / 2``
    with ``k`` the steps into the segment. Between whole steps (a float ``t``) it is linear,
    the current step's batch counted in proportion, so the clock never runs backwards. Exact
    to float rounding at any ``t`` (1e9 included), no loop over steps, and traceable: the
    batch sizes are leaves, so ``jit``, ``vmap`` and ``grad`` work through it.

    Args:
        batch_size: a non-negative batch-size schedule made of constants and linear ramps: a
            number, ``hold``, ``linear_ramp``, ``piecewise`` or a ``concat`` of them, with
            whole-step lengths; its end value is held after its end.
        seq_len: tokens per sample, a positive int (1: count samples).

    Read a schedule written in tokens through it with ``s.at(clock)`` or ``compose``.

    Example:
        >>> from schedalg import piecewise, tokens
        >>> clock = tokens(piecewise([2], [8.0, 16.0]), seq_len=10)
        >>> [clock(t) for t in range(5)]
        [0.0, 80.0, 160.0, 320.0, 480.0]
    """
    fn = "tokens"
    if isinstance(batch_size, (int, float)) and not isinstance(batch_size, bool):
        from ._primitives import hold

        batch_size = hold(batch_size)
    if not isinstance(batch_size, Schedule):
        raise K.ArgumentTypeError(
            fn,
            None,
            None,
            f"{fn}(): batch_size must be a schedule or a number, got batch_size={batch_size!r}"
        )
    parts = list(batch_size.pieces) if isinstance(batch_size, Concat) else [batch_size]
    for p in parts:
        if not isinstance(p, (Hold, LinearRamp, Piecewise)):
            raise K.ArgumentTypeError(
                fn,
                None,
                None,
                f"{fn}(): batch_size must be made of hold, linear_ramp and piecewise pieces "
                f"(their sums have a closed form), got the piece {short_repr(p)}"
            )
        lengths = p.boundaries if isinstance(p, Piecewise) else (p.duration,)
        if any(n is not None and type(n) is not int for n in lengths):
            raise K.ArgumentValueError(
                fn,
                None,
                None,
                f"{fn}(): batch_size's pieces must last whole steps, got {short_repr(p)}"
            )
    n = K.steps(fn, "seq_len", seq_len)
    if n is None or n < 1:
        raise K.bad_value(fn, "seq_len", seq_len, "must be a positive int")
    _refuse_negative(
        fn, "batch_size", batch_size, "batch_size must be >= 0 (a clock never runs backwards)"
    )
    node = Tokens._make(batch_size=batch_size, seq_len=n)
    return _checked(fn, node, lambda: f"batch_size={short_repr(batch_size)}, seq_len={seq_len!r}")


class Compose(Schedule, name="compose"):
    """``schedule(clock(t))``."""

    schedule: Schedule = F.child(doc="the schedule, in the clock's units")
    clock: Schedule = F.child(doc="cumulative units before each update")
    # The duration, found once from concrete values when built (it depends on the clock's
    # values): static, so a node JAX rebuilds from traced leaves keeps it.
    ends: int | float | None = F.static(None, arg=False, doc="the duration, in updates")

    def _duration(self) -> int | float | None:
        return self.ends

    def _compute_range(self) -> tuple[float, float]:
        return _known(self.schedule)

    def _py(self, t: int | float) -> float:
        return self.schedule._py(self.clock._py(t))  # type: ignore[no-any-return]

    def _pyfn(self) -> Any:
        f, c = self.schedule._pyfn(), self.clock._pyfn()
        return lambda t: f(c(t))

    def _xp(self, t: Any, xp: Any) -> Any:
        c = self.clock._xp(t, xp)
        # (a constant clock gives a scalar: the schedule reads a float time of t's shape)
        fdt = xp.result_type(float) if xp is not np else np.float64
        c = xp.asarray(c, dtype=fdt)
        if c.shape != t.shape:
            c = c + xp.zeros(t.shape, dtype=fdt)
        return self.schedule._xp(c, xp)


@F.constructs(Compose)
def compose(schedule: Schedule, clock: Schedule) -> Schedule:
    """Read ``schedule`` through a clock: ``s(t) = schedule(clock(t))``. ``schedule.at(clock)``.

    The clock is a non-negative, non-decreasing schedule of cumulative units seen before
    update ``t`` (``tokens(...)`` for tokens), and ``schedule`` is written in those units:
    ``warmup_cosine(3e-4, 375e6, 300e9).at(tokens(batch_ramp, 2048))`` warms up over the
    first 375M tokens whatever the batch size does. With a ``tokens`` clock the duration is
    the first step at which the clock reaches the schedule's duration; with another finite
    clock, the clock's.

    Example:
        >>> from schedalg import hold, linear_ramp, tokens
        >>> clock = tokens(linear_ramp(1.0, 3.0, 2) >> hold(3.0), seq_len=1)
        >>> s = linear_ramp(0.0, 1.0, 10).at(clock)   # 10 samples long
        >>> [s(t) for t in range(5)], s.duration
        ([0.0, 0.1, 0.3, 0.6, 0.9], 5)
    """
    fn = "compose"
    for name, x in (("schedule", schedule), ("clock", clock)):
        if not isinstance(x, Schedule):
            raise K.ArgumentTypeError(
                fn, name, x, f"{fn}(): {name} must be a schedule, got {name}={short_repr(x)}"
            )
    _refuse_negative(fn, "clock", clock, "the clock must be non-negative (cumulative units)")
    d = schedule.duration
    ends: int | float | None
    if d is not None and isinstance(clock, Tokens):
        ends = clock._first_reaching(float(d))
    else:
        ends = clock.duration
    node = Compose._make(schedule=schedule, clock=clock, ends=ends)
    return _checked(fn, node, lambda: f"schedule={short_repr(schedule)}, clock={short_repr(clock)}")
