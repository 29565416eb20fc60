"""Absolute time and continuation: ``switch`` and ``value_at``.

``a >> b`` runs ``b`` in its own local time (step 0 when ``a`` ends). Two nodes here read
schedules in the caller's time instead:

* ``switch(a, b, at=k)``: ``a`` before step ``k``, then ``b`` read at the same, absolute ``t``
  (``tf.cond(step < k, a, b)`` with ``b`` reading the global step);
* ``value_at(s, k)``: the constant ``s(k)``, the value a schedule has at step ``k``. A piece
  built on it starts from "the value the schedule had when this piece begins" without the
  number being copied by hand, and stays exact when JAX rebuilds ``s`` from traced leaves
  (the value is read from the leaves at every evaluation, in closed form).
"""

from __future__ import annotations

from typing import Any

from . import _checks as K
from . import _fields as F
from ._arithmetic import _known
from ._node_checks import _checked, _fits, _with_const
from ._primitives import as_schedule
from ._schedule import Schedule, fmt_number, short_repr

__all__ = ["switch", "value_at"]


def _time(fn: str, name: str, x: Any) -> int | float:
    """A non-negative step (an int; a fractional float stays a float)."""
    v = K.length(fn, name, x)
    if v < 0:
        raise K.bad_value(fn, name, x, "must be >= 0")
    return v


class Switch(Schedule, name="switch"):
    """``a(t)`` for ``t < at``, ``b(t)`` (absolute time) from ``at`` on."""

    a: Schedule = F.child(doc="the schedule before the switch")
    b: Schedule = F.child(doc="the schedule from the switch on, in absolute time")
    # (held as ``at_step``: ``Schedule.at`` is the clock method)
    at = F.static(doc="the step where b takes over", attr="at_step")
    at_step: int | float

    def _duration(self) -> int | float | None:
        d = self.b.duration
        if d is None:
            return None
        return d if d > self.at_step else self.at_step

    def _end_value(self) -> Any:
        return self.b.end_value

    def _compute_range(self) -> tuple[float, float]:
        (a0, a1), (b0, b1) = _known(self.a), _known(self.b)
        return min(a0, b0), max(a1, b1)

    def _py(self, t: int | float) -> float:
        return self.a._py(t) if t < self.at_step else self.b._py(t)  # type: ignore[no-any-return]

    def _pyfn(self) -> Any:
        fa, fb, k = self.a._pyfn(), self.b._pyfn(), self.at_step
        return lambda t: fa(t) if t < k else fb(t)

    def _xp(self, t: Any, xp: Any) -> Any:
        if t.dtype.kind in "iu" and type(self.at_step) is int and not _fits(t, self.at_step):
            return self.a._xp(t, xp)  # every integer of t's dtype is before the switch
        tt, k = _with_const(t, self.at_step, xp)
        return xp.where(tt < k, self.a._xp(t, xp), self.b._xp(t, xp))

    def _repr_args(self) -> list[str]:
        return [repr(self.a), repr(self.b), f"at={fmt_number(self.at_step)}"]


@F.constructs(Switch)
def switch(a: Any, b: Any, at: int | float) -> Schedule:
    """``a`` before step ``at``, then ``b`` read at the same absolute step.

    Formula: ``s(t) = a(t)`` for ``t < at``, ``b(t)`` for ``t >= at``. Unlike ``a >> b``
    (where ``b`` starts at its own step 0 when ``a`` ends), ``b`` is not moved in time: this is
    ``tf.cond(step < at, a, b)`` with ``b`` reading the global step, or torch's
    ``SequentialLR`` with a scheduler that was stepped all along. The duration is
    ``max(at, duration of b)`` (None if ``b`` is infinite); ``b``'s end value is held after.

    Args:
        a: the schedule (or number) before the switch.
        b: the schedule (or number) from ``at`` on, in absolute time.
        at: the step where ``b`` takes over, >= 0.

    Example:
        >>> from schedalg import linear_ramp, piecewise, switch
        >>> warm, steps = linear_ramp(0.001, 0.1, 500), piecewise([1000, 2000], [0.1, 0.05, 0.01])
        >>> s = switch(warm, steps, at=500)
        >>> s(499) < 0.1, s(500), s(1001), s(2000)
        (True, 0.1, 0.05, 0.01)
        >>> (warm >> steps)(1001)   # >> restarts steps at its own step 0
        0.1
    """
    fn = "switch"
    sa = as_schedule(fn, "a", a)
    sb = as_schedule(fn, "b", b)
    k = _time(fn, "at", at)
    if k == 0:
        return sb
    node = Switch._make(a=sa, b=sb, at_step=k)
    return _checked(fn, node, lambda: f"a={short_repr(sa)}, b={short_repr(sb)}, at={at!r}")


class ValueAt(Schedule, name="value_at"):
    """The constant ``schedule(step)``, read from the schedule's leaves at each evaluation."""

    schedule: Schedule = F.child(doc="the schedule read")
    step: int | float = F.static(doc="the step it is read at")
    #: A constant: in pointwise arithmetic it does not prolong the other operands.
    _constant_node = True

    def _duration(self) -> None:
        return None

    def _compute_range(self) -> tuple[float, float]:
        if self._py_ok:
            v = self.schedule._pyfn()(self.step)
            return v, v
        return _known(self.schedule)

    def _py(self, t: int | float) -> float:
        return self.schedule._py(self.step)  # type: ignore[no-any-return]

    def _pyfn(self) -> Any:
        v = self.schedule._pyfn()(self.step)
        return lambda t: v

    def _xp(self, t: Any, xp: Any) -> Any:
        zero = xp.zeros((), dtype=t.dtype)
        z, k = _with_const(zero, self.step, xp)
        return self.schedule._xp(z + k, xp)

    def _repr_args(self) -> list[str]:
        return [repr(self.schedule), fmt_number(self.step)]


@F.constructs(ValueAt)
def value_at(schedule: Schedule, step: int | float) -> Schedule:
    """The constant ``schedule(step)``: a schedule's value at a step, kept as an expression.

    Formula: ``s(t) = schedule(step)`` for every ``t`` (a constant: in ``+ - * /`` it does not
    prolong the other operands). Build pieces that start where a run is, e.g. a cooldown from
    a checkpoint ``take(s, k) >> value_at(s, k) * linear_ramp(1.0, 0.0, n)``, instead of
    pasting the number ``s(k)``. The value is computed from ``schedule``'s leaves at every
    evaluation (one scalar evaluation), so it follows them under ``jit``, ``vmap`` and
    ``grad``. ``cooldown`` and ``rewarm`` are built on it.

    Args:
        schedule: any schedule.
        step: the step to read, >= 0.

    Example:
        >>> from schedalg import cosine, value_at
        >>> s = cosine(1.0, 0.0, 100)
        >>> v = value_at(s, 50)
        >>> v(0) == v(10**9) == s(50)
        True
    """
    fn = "value_at"
    if not isinstance(schedule, Schedule):
        raise K.bad_type(fn, "schedule", schedule, "must be a schedule")
    k = _time(fn, "step", step)
    return ValueAt._make(schedule=schedule, step=k)
