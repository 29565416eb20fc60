"""Recipes: named schedules that evaluate as the algebra they build and keep their names.

``warmup_cosine(3e-4, 2000, 100_000)`` evaluates exactly as
``linear_ramp(0.0, 3e-4, 2000) >> cosine(3e-4, 0.0, 98_000)`` (evaluation is delegated to that
expansion, so it costs the same), but it prints, saves to JSON and parses back as the call
that made it. ``.expand()`` gives the expression underneath. Its pytree leaves are the
recipe's value arguments (peak, start, end, ...), so ``jit``, ``vmap`` and ``grad`` work through
it; step counts, shapes and ratios are static.

The continuation recipes ``cooldown`` and ``rewarm`` start from the value a schedule has at a
step (``value_at``); ``exp(..., every=n)``, ``step_decay`` and ``multistep`` give the step
decays of TF and torch.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any, ClassVar

from . import _checks as K
from . import _fields as F
from . import _primitives as P
from ._cycles import repeat, scale_by_cycle
from ._node_checks import _checked
from ._schedule import Schedule, fmt_number
from ._switch import value_at
from ._time_maps import scale_time, staircase, take, warp

__all__ = [
    "cooldown",
    "inverse_sqrt",
    "multistep",
    "one_cycle",
    "rewarm",
    "rex",
    "sgdr",
    "step_decay",
    "warmup_cosine",
    "warmup_linear",
    "wsd",
]

SHAPES = ("linear", "1-sqrt", "cosine")


class Recipe(Schedule):
    """A named schedule: evaluates as ``expand()``, prints and saves as its call.

    A subclass declares its arguments as fields, like every node (``schedalg._fields``):
    value arguments as leaves, schedule arguments as children, the rest static. It builds
    its expansion in ``_build`` from the fields (keyed by the attribute holding each), which
    may be traced: ``_build`` does arithmetic on leaves but never branches on them.
    """

    #: Levels the expansion adds below the recipe's own schedule arguments.
    _extra_depth: ClassVar[int] = 4

    @classmethod
    def _build(cls, **fields: Any) -> Schedule:
        raise NotImplementedError(cls.__name__)

    def expand(self) -> Schedule:
        """The expression this recipe builds (what it evaluates as)."""
        c = self._cache
        e = c.get("expansion")
        if e is None:
            fields = {f: getattr(self, f) for f in self._all_fields()}
            e = c["expansion"] = type(self)._build(**fields)
        return e

    def _depth_subs(self) -> tuple[Any, ...]:
        kids = self._children()
        return (*kids, max((k._depth for k in kids), default=0) + self._extra_depth)

    def _duration(self) -> int | float | None:
        return self.expand().duration

    def _end_value(self) -> Any:
        return self.expand().end_value

    def _compute_range(self) -> tuple[float, float]:
        return self.expand()._range()  # type: ignore[return-value]

    def _py(self, t: int | float) -> Any:
        return self.expand()._py(t)

    def _pyfn(self) -> Any:
        return self.expand()._pyfn()

    def _xp(self, t: Any, xp: Any) -> Any:
        return self.expand()._xp(t, xp)


def _finish(cls: type[Recipe], fn: str, fields: dict[str, Any]) -> Schedule:
    """The recipe node, with its expansion built (and so checked) now."""
    node = cls._make(**fields)
    try:
        node.expand()
    except (TypeError, ValueError) as e:
        msg = str(e)
        msg = msg if msg.startswith(f"{fn}()") else f"{fn}(): {msg}"
        if isinstance(e, K.ArgumentError):  # (the expansion's arguments are refused together)
            raise type(e)(fn, None, None, msg) from None
        raise type(e)(msg) from None
    return _checked(fn, node, lambda: repr(node))


def _shape(fn: str, shape: Any) -> str:
    if shape not in SHAPES:
        raise K.ArgumentValueError(
            fn,
            None,
            None,
            f"{fn}(): shape must be one of {', '.join(map(repr, SHAPES))}, got shape={shape!r}"
        )
    return str(shape)


def _unit_decay(shape: str, steps: int) -> Schedule:
    """1 down to 0 over ``steps`` steps in the given shape (the weight of the start value)."""
    if shape == "linear":
        return P.linear_ramp(1.0, 0.0, steps)
    if shape == "1-sqrt" and steps > 0:  # (warp needs a positive duration)
        return warp(P.linear_ramp(1.0, 0.0, steps), 0.5)
    if shape == "1-sqrt":
        return P.linear_ramp(1.0, 0.0, steps)
    return P.cosine(1.0, 0.0, steps)


def _decay(shape: str, start: Any, end: Any, steps: int) -> Schedule:
    """``start`` to ``end`` over ``steps`` steps: linear, 1 - sqrt, or half a cosine."""
    if shape == "linear":
        return P.linear_ramp(start, end, steps)
    if shape == "1-sqrt" and steps > 0:
        # end + (start - end) * (1 - sqrt(u)); warp needs a positive duration
        return warp(P.linear_ramp(start, end, steps), 0.5)
    if shape == "1-sqrt":
        return P.linear_ramp(start, end, steps)
    return P.cosine(start, end, steps)


def _continue(s: Schedule, at: int | float, steps: int, shape: str, to: Any) -> Schedule:
    """``s`` until ``at``, then from ``s(at)`` to ``to`` over ``steps`` steps, ``to`` after."""
    v = value_at(s, at)
    out: Schedule = take(s, at) >> (to + (v - to) * _unit_decay(shape, steps))
    return out


def _nearest_step(x: float) -> int:
    """``x`` (a product as Python computes it) rounded to the nearest int, ties up, exactly
    (``floor(x + 0.5)`` rounds 0.49999999999999994 up: the sum rounds to 1.0)."""
    whole = math.floor(x)
    return whole + (x - whole >= 0.5)


def _steps(fn: str, name: str, x: Any) -> int:
    n = K.steps(fn, name, x)
    assert n is not None
    return n


# -- warmup_cosine, warmup_linear ----------------------------------------------------------------


class WarmupCosine(Recipe, name="warmup_cosine"):
    peak: Any = F.leaf()
    warmup: Any = F.static()
    total: Any = F.static()
    start: Any = F.leaf(0.0)
    end: Any = F.leaf(0.0)

    @classmethod
    def _build(cls, **f: Any) -> Schedule:
        w, n = f["warmup"], f["total"]
        return P.linear_ramp(f["start"], f["peak"], w) >> P.cosine(f["peak"], f["end"], n - w)


def _warmup_fields(
    fn: str, peak: Any, warmup: Any, total: Any, start: Any, end: Any
) -> dict[str, Any]:
    w, n = _steps(fn, "warmup", warmup), _steps(fn, "total", total)
    if n < w:
        raise K.ArgumentValueError(
            fn,
            None,
            None,
            f"{fn}(): total must include the warmup (total >= warmup), got warmup={warmup!r}, "
            f"total={total!r}"
        )
    return {
        "peak": K.value(fn, "peak", peak),
        "warmup": w,
        "total": n,
        "start": K.value(fn, "start", start),
        "end": K.value(fn, "end", end),
    }


@F.constructs(WarmupCosine)
def warmup_cosine(peak: Any, warmup: int, total: int, start: Any = 0.0, end: Any = 0.0) -> Schedule:
    """Linear warmup from ``start`` to ``peak``, then a cosine decay to ``end``.

    Expands to ``linear_ramp(start, peak, warmup) >> cosine(peak, end, total - warmup)``:
    ``total`` counts every step, the warmup included (as optax's
    ``warmup_cosine_decay_schedule``); ``end`` is held after ``total``.

    Example:
        >>> from schedalg import warmup_cosine
        >>> s = warmup_cosine(0.0003, 2000, 100_000)
        >>> s
        warmup_cosine(0.0003, 2000, 100000)
        >>> s(1000), s(2000), s(100_000)
        (0.00015, 0.0003, 0.0)
        >>> s.expand()
        linear_ramp(0.0, 0.0003, 2000) >> cosine(0.0003, 0.0, 98000)
    """
    fn = "warmup_cosine"
    return _finish(WarmupCosine, fn, _warmup_fields(fn, peak, warmup, total, start, end))


class WarmupLinear(WarmupCosine, name="warmup_linear"):

    @classmethod
    def _build(cls, **f: Any) -> Schedule:
        w, n = f["warmup"], f["total"]
        return P.linear_ramp(f["start"], f["peak"], w) >> P.linear_ramp(f["peak"], f["end"], n - w)


@F.constructs(WarmupLinear)
def warmup_linear(peak: Any, warmup: int, total: int, start: Any = 0.0, end: Any = 0.0) -> Schedule:
    """Linear warmup from ``start`` to ``peak``, then a linear decay to ``end`` at ``total``.

    Expands to ``linear_ramp(start, peak, warmup) >> linear_ramp(peak, end, total - warmup)``
    (transformers' ``get_linear_schedule_with_warmup``).

    Example:
        >>> from schedalg import warmup_linear
        >>> s = warmup_linear(1.0, 10, 110)
        >>> s(5), s(10), s(60), s(110)
        (0.5, 1.0, 0.5, 0.0)
    """
    fn = "warmup_linear"
    return _finish(WarmupLinear, fn, _warmup_fields(fn, peak, warmup, total, start, end))


# -- wsd -----------------------------------------------------------------------------------------


class Wsd(Recipe, name="wsd"):
    peak: Any = F.leaf()
    warmup: Any = F.static()
    total: Any = F.static()
    decay: Any = F.static(None)
    decay_fraction: Any = F.static(None)
    shape: str = F.static("linear", kind="a string")
    start: Any = F.leaf(0.0)
    end: Any = F.leaf(0.0)

    @staticmethod
    def _decay_steps(total: int, decay: int | None, fraction: float | None) -> int:
        if decay is not None:
            return decay
        assert fraction is not None
        return _nearest_step(fraction * total)

    @classmethod
    def _build(cls, **f: Any) -> Schedule:
        w, n = f["warmup"], f["total"]
        d = cls._decay_steps(n, f["decay"], f["decay_fraction"])
        peak = f["peak"]
        return (
            P.linear_ramp(f["start"], peak, w)
            >> P.hold(peak, n - w - d)
            >> _decay(f["shape"], peak, f["end"], d)
        )


@F.constructs(Wsd)
def wsd(
    peak: Any,
    warmup: int,
    total: int,
    decay: int | None = None,
    decay_fraction: float | None = None,
    shape: str = "linear",
    start: Any = 0.0,
    end: Any = 0.0,
) -> Schedule:
    """Warmup, stable, decay: a linear warmup to ``peak``, ``peak`` held, then a cooldown.

    Expands to ``linear_ramp(start, peak, warmup) >> hold(peak, total - warmup - d) >>``
    the decay from ``peak`` to ``end`` over the last ``d`` steps, in the given shape:
    ``"linear"``, ``"1-sqrt"`` (``end + (peak - end) * (1 - sqrt(u))``, Hägele et al. 2024)
    or ``"cosine"``. Give the decay in steps (``decay=2000``) or as a fraction of ``total``
    (``decay_fraction=0.2``; ``decay_fraction * total`` rounded to the nearest step, ties up).
    ``end`` is held after ``total`` (a 0-step decay contributes nothing, as in any concat: then
    ``peak`` is).

    Example:
        >>> from schedalg import wsd
        >>> s = wsd(1.0, 10, 100, decay_fraction=0.2, shape="1-sqrt")
        >>> s(10), s(79), s(80), s(85), s(100)
        (1.0, 1.0, 1.0, 0.5, 0.0)

    References: Hu et al., MiniCPM (2024); Hägele et al., Scaling Laws and Compute-Optimal
    Training Beyond Fixed Training Durations (2024).
    """
    fn = "wsd"
    fields = _warmup_fields(fn, peak, warmup, total, start, end)
    if (decay is None) == (decay_fraction is None):
        raise K.ArgumentTypeError(
            fn,
            None,
            None,
            f"{fn}(): give exactly one of decay (steps) and decay_fraction (of total), got "
            f"decay={decay!r}, decay_fraction={decay_fraction!r}"
        )
    d = None if decay is None else _steps(fn, "decay", decay)
    frac = None
    if decay_fraction is not None:
        frac = float(K.number(fn, "decay_fraction", decay_fraction))
        if not 0 <= frac <= 1:
            raise K.ArgumentValueError(
                fn,
                None,
                None,
                f"{fn}(): decay_fraction must be in [0, 1], got decay_fraction={decay_fraction!r}"
            )
    steps = Wsd._decay_steps(fields["total"], d, frac)
    if steps > fields["total"] - fields["warmup"]:
        raise K.ArgumentValueError(
            fn,
            None,
            None,
            f"{fn}(): warmup and decay ({fields['warmup']} + {steps} steps) exceed total={total!r}"
        )
    fields.update(decay=d, decay_fraction=frac, shape=_shape(fn, shape))
    return _finish(Wsd, fn, fields)


# -- one_cycle -----------------------------------------------------------------------------------


class OneCycle(Recipe, name="one_cycle"):
    peak: Any = F.leaf()
    total: Any = F.static()
    pct_start: Any = F.static(0.3)
    div: Any = F.static(25.0)
    final_div: Any = F.static(10000.0)

    @classmethod
    def _build(cls, **f: Any) -> Schedule:
        n, peak = f["total"], f["peak"]
        w = _nearest_step(f["pct_start"] * n)
        low = peak / f["div"]
        return P.cosine(low, peak, w) >> P.cosine(peak, low / f["final_div"], n - w)


@F.constructs(OneCycle)
def one_cycle(
    peak: Any, total: int, pct_start: float = 0.3, div: float = 25.0, final_div: float = 1e4
) -> Schedule:
    """1cycle: a cosine rise from ``peak / div`` to ``peak``, then a cosine fall.

    Expands to ``cosine(peak / div, peak, w) >> cosine(peak, peak / div / final_div,
    total - w)`` with ``w = pct_start * total`` rounded to the nearest step (ties up); the
    defaults are torch's
    ``OneCycleLR`` (whose phases end one step earlier: ``schedalg.compat.torch.OneCycleLR``
    reproduces it exactly).

    Example:
        >>> from schedalg import one_cycle
        >>> s = one_cycle(1.0, 100)
        >>> s(0), s(30), s(100)
        (0.04, 1.0, 4e-06)

    Reference: Smith & Topin, Super-Convergence (2019).
    """
    fn = "one_cycle"
    pct = float(K.number(fn, "pct_start", pct_start))
    if not 0 <= pct <= 1:
        raise K.bad_value(fn, "pct_start", pct_start, "must be in [0, 1]")
    fields = {
        "peak": K.value(fn, "peak", peak),
        "total": _steps(fn, "total", total),
        "pct_start": pct,
        "div": float(K.positive(fn, "div", div)),
        "final_div": float(K.positive(fn, "final_div", final_div)),
    }
    return _finish(OneCycle, fn, fields)


# -- sgdr ----------------------------------------------------------------------------------------


class Sgdr(Recipe, name="sgdr"):
    peak: Any = F.leaf()
    period: Any = F.static()
    end: Any = F.leaf(0.0)
    mult: Any = F.static(1.0)
    decay: Any = F.static(1.0)
    times: Any = F.static(None)

    @classmethod
    def _build(cls, **f: Any) -> Schedule:
        rep = repeat(P.cosine(f["peak"], f["end"], f["period"]), f["times"], f["mult"])
        if f["decay"] == 1:
            return rep
        return scale_by_cycle(rep, f["decay"], f["end"])


@F.constructs(Sgdr)
def sgdr(
    peak: Any,
    period: int,
    end: Any = 0.0,
    mult: float = 1.0,
    decay: float = 1.0,
    times: int | None = None,
) -> Schedule:
    """SGDR: cosine cycles from ``peak`` to ``end``, restarting (warm restarts).

    Expands to ``repeat(cosine(peak, end, period), times, stretch=mult)``, wrapped in
    ``scale_by_cycle(..., decay, floor=end)`` when ``decay != 1`` (each restart's height
    above ``end`` times ``decay``: Keras' ``m_mul``). ``mult`` is ``T_mult``.

    Example:
        >>> from schedalg import sgdr
        >>> s = sgdr(1.0, 10, mult=2.0, decay=0.5)
        >>> s(0), s(10), s(30)
        (1.0, 0.5, 0.25)

    Reference: Loshchilov & Hutter, SGDR (2017).
    """
    fn = "sgdr"
    fields = {
        "peak": K.value(fn, "peak", peak),
        "period": _steps(fn, "period", period),
        "end": K.value(fn, "end", end),
        "mult": float(K.positive(fn, "mult", mult)),
        "decay": float(K.positive(fn, "decay", decay)),
        "times": K.steps(fn, "times", times, allow_none=True),
    }
    return _finish(Sgdr, fn, fields)


# -- cooldown and rewarm: continuation from the value a schedule has -----------------------------


class _Continuation(Recipe):
    """``schedule`` until ``at``, then from its value there to ``to`` over ``steps`` steps."""

    _keywords = frozenset({"at", "steps", "to"})

    @classmethod
    def _build(cls, **f: Any) -> Schedule:
        return _continue(f["schedule"], f["at_step"], f["steps"], f["shape"], f["to"])


class Cooldown(_Continuation, name="cooldown"):
    schedule: Schedule = F.child()
    at = F.static(attr="at_step")  # (``Schedule.at`` is the clock method)
    at_step: Any
    steps: int = F.static()
    shape: str = F.static("linear", kind="a string")
    to: Any = F.leaf(0.0)


def _continue_fields(
    fn: str, schedule: Any, at: Any, steps: Any, shape: Any, to: Any
) -> dict[str, Any]:
    if not isinstance(schedule, Schedule):
        raise K.bad_type(fn, "schedule", schedule, "must be a schedule")
    k = K.length(fn, "at", at)
    if k < 0:
        raise K.bad_value(fn, "at", at, "must be >= 0")
    return {
        "schedule": schedule,
        "at_step": k,
        "steps": _steps(fn, "steps", steps),
        "shape": _shape(fn, shape),
        "to": K.value(fn, "to", to),
    }


@F.constructs(Cooldown)
def cooldown(
    schedule: Schedule, at: int, steps: int, shape: str = "linear", to: Any = 0.0
) -> Schedule:
    """``schedule`` until step ``at``, then a cooldown from its value there to ``to``.

    Formula: ``s(t) = schedule(t)`` for ``t < at``; then, with ``v = schedule(at)`` and
    ``W`` going from 1 to 0 over ``steps`` steps (``"linear"``: ``1 - u``; ``"1-sqrt"``:
    ``1 - sqrt(u)``; ``"cosine"``: ``(1 + cos(pi u)) / 2``), ``s(at + tau) = to + (v - to) *
    W(tau)``; ``to`` after ``at + steps`` (with ``steps=0`` the cooldown contributes nothing,
    as a 0-step piece of a concat: ``v`` is held from ``at > 0``). ``v`` is read from
    ``schedule``'s leaves at every
    evaluation (``value_at``): no number to paste, exact under ``jit`` with traced leaves.
    A cooldown from a checkpoint of a constant, cosine or inverse-sqrt run.

    Example:
        >>> from schedalg import cooldown, cosine
        >>> run = cosine(1.0, 0.0, 1000)
        >>> s = cooldown(run, at=500, steps=100)
        >>> s(499) == run(499), s(500) == run(500), round(s(550), 12), s(600)
        (True, True, 0.25, 0.0)
    """
    fn = "cooldown"
    return _finish(Cooldown, fn, _continue_fields(fn, schedule, at, steps, shape, to))


class Rewarm(_Continuation, name="rewarm"):
    schedule: Schedule = F.child()
    at = F.static(attr="at_step")
    at_step: Any
    steps: int = F.static()
    to: Any = F.leaf()
    shape: str = F.static("linear", kind="a string")


@F.constructs(Rewarm)
def rewarm(schedule: Schedule, at: int, steps: int, to: Any, shape: str = "linear") -> Schedule:
    """``schedule`` until step ``at``, then a ramp from its value there up to ``to``.

    The same formula as ``cooldown`` (``to + (v - to) * W``, ``v = schedule(at)``), named for
    re-warming in continued pre-training: follow it with the new run's schedule,
    ``rewarm(old, at=k, steps=1000, to=3e-4) >> cosine(3e-4, 3e-5, 50_000)``.

    Example:
        >>> from schedalg import cosine, hold, rewarm
        >>> old = cosine(1.0, 0.1, 100)
        >>> s = rewarm(old, at=100, steps=10, to=0.5) >> hold(0.5)
        >>> round(s(100), 12), round(s(105), 12), s(110)
        (0.1, 0.3, 0.5)
    """
    fn = "rewarm"
    return _finish(Rewarm, fn, _continue_fields(fn, schedule, at, steps, shape, to))


# -- inverse_sqrt --------------------------------------------------------------------------------


class InverseSqrt(Recipe, name="inverse_sqrt"):
    peak: Any = F.leaf()
    warmup: Any = F.static()
    timescale: Any = F.static(None)
    total: Any = F.static(None)
    cooldown: Any = F.static(0)
    shape: str = F.static("linear", kind="a string")

    @classmethod
    def _build(cls, **f: Any) -> Schedule:
        peak, w = f["peak"], f["warmup"]
        scale = f["timescale"] if f["timescale"] is not None else w
        base = P.linear_ramp(0.0, peak, w) >> P.inverse(peak, scale, 0.5)
        n, c = f["total"], f["cooldown"]
        if n is None:
            return base
        if c == 0:
            return take(base, n)
        return _continue(base, n - c, c, f["shape"], 0.0)


@F.constructs(InverseSqrt)
def inverse_sqrt(
    peak: Any,
    warmup: int,
    timescale: float | None = None,
    total: int | None = None,
    cooldown: int = 0,
    shape: str = "linear",
) -> Schedule:
    """Linear warmup to ``peak``, then inverse-square-root decay, optionally cooled down.

    Expands to ``linear_ramp(0.0, peak, warmup) >> inverse(peak, timescale, 0.5)``: after the
    warmup, ``peak * (1 + tau / timescale) ** -0.5`` (``timescale`` defaults to ``warmup``:
    then ``peak * sqrt(warmup / t)``, transformers' ``get_inverse_sqrt_schedule``). With
    ``total`` and ``cooldown = c``, the last ``c`` steps before ``total`` decay from the value
    reached at ``total - c`` to 0 in the given shape (see ``cooldown``).

    Example:
        >>> from schedalg import inverse_sqrt
        >>> s = inverse_sqrt(1.0, 100)
        >>> s(50), s(100), s(400)
        (0.5, 1.0, 0.5)
        >>> c = inverse_sqrt(1.0, 100, total=1000, cooldown=200)
        >>> c(800) == s(800), c(900) == s(800) / 2, c(1000)
        (True, True, 0.0)
    """
    fn = "inverse_sqrt"
    w = _steps(fn, "warmup", warmup)
    ts = None if timescale is None else K.positive(fn, "timescale", timescale)
    if ts is None and w == 0:
        raise K.bad_type(fn, "timescale", None, "must be given when warmup=0")
    n = K.steps(fn, "total", total, allow_none=True)
    c = _steps(fn, "cooldown", cooldown)
    if c and n is None:
        raise K.ArgumentTypeError(
            fn,
            "total",
            None,
            f"{fn}(): a cooldown needs total, got cooldown={cooldown!r}, total=None",
        )
    if n is not None and n < w + c:
        raise K.ArgumentValueError(
            fn,
            "total",
            total,
            f"{fn}(): warmup and cooldown ({w} + {c} steps) exceed total={total!r}",
        )
    fields = {
        "peak": K.value(fn, "peak", peak),
        "warmup": w,
        "timescale": ts,
        "total": n,
        "cooldown": c,
        "shape": _shape(fn, shape),
    }
    return _finish(InverseSqrt, fn, fields)


# -- rex -----------------------------------------------------------------------------------------


class Rex(Recipe, name="rex"):
    peak: Any = F.leaf()
    total: Any = F.static()
    warmup: Any = F.static(0)

    @classmethod
    def _build(cls, **f: Any) -> Schedule:
        peak, w, n = f["peak"], f["warmup"], f["total"]
        d = n - w
        # (1 - z) / (1/2 + (1 - z) / 2) with z = tau / d: the numerator and denominator ramps
        body = peak * P.linear_ramp(1.0, 0.0, d) / P.linear_ramp(1.0, 0.5, d)
        out: Schedule = P.linear_ramp(0.0, peak, w) >> body
        return out


@F.constructs(Rex)
def rex(peak: Any, total: int, warmup: int = 0) -> Schedule:
    """REX: ``peak * (1 - z) / (1/2 + (1 - z) / 2)``, ``z`` the progress after the warmup.

    Expands to ``linear_ramp(0.0, peak, warmup) >> peak * linear_ramp(1.0, 0.0, d) /
    linear_ramp(1.0, 0.5, d)`` with ``d = total - warmup``: the reflected-exponential profile,
    flatter than linear early and steeper at the end; 0 after ``total``.

    Example:
        >>> from schedalg import rex
        >>> s = rex(1.0, 100)
        >>> s(0), round(s(50), 12), s(100)
        (1.0, 0.666666666667, 0.0)

    Reference: Chen, Wolfe & Kyrillidis, REX: Revisiting Budgeted Training with an Improved
    Schedule (2022).
    """
    fn = "rex"
    w, n = _steps(fn, "warmup", warmup), _steps(fn, "total", total)
    if n <= w:
        raise K.ArgumentValueError(
            fn,
            None,
            None,
            f"{fn}(): total must exceed the warmup, got warmup={warmup!r}, total={total!r}"
        )
    return _finish(Rex, fn, {"peak": K.value(fn, "peak", peak), "total": n, "warmup": w})


# -- step decays: exp(..., every=), step_decay, multistep ----------------------------------------


class ExpEvery(Recipe, name="exp"):
    """``exp(start, rate=r, every=n, staircase=...)``: TF's ``exponential_decay``."""

    start: Any = F.leaf()
    rate: Any = F.static()
    steps: Any = F.static(None)
    every: Any = F.static()
    staircase: bool = F.static(False, kind="a boolean")

    @classmethod
    def _build(cls, **f: Any) -> Schedule:
        n, total = f["every"], f["steps"]
        # (with steps, the inner exp lasts the blocks they reach: a rate > 1 needs an end)
        inner = None if total is None else math.ceil(Fraction(total) / Fraction(n))
        s = scale_time(P.exp(f["start"], rate=f["rate"], steps=inner), n)
        if f["staircase"]:
            s = staircase(s, n)
        return s if total is None else take(s, total)

    def _repr_args(self) -> list[str]:
        args = [fmt_number(self.start), f"rate={fmt_number(self.rate)}"]
        if self.steps is not None:
            args.append(f"steps={self.steps}")
        args.append(f"every={fmt_number(self.every)}")
        if self.staircase:
            args.append("staircase=True")
        return args


def exp_every(start: Any, rate: Any, steps: int | None, every: Any, staircase: bool) -> Schedule:
    """``exp(start, rate=rate, steps=steps, every=every, staircase=staircase)`` (see ``exp``)."""
    fn = "exp"
    e = K.length(fn, "every", K.positive(fn, "every", every))
    if not isinstance(staircase, (bool,)):
        raise K.bad_type(fn, "staircase", staircase, "must be True or False")
    r = float(K.positive(fn, "rate", rate))
    n = K.steps(fn, "steps", steps, allow_none=True)
    if n is None and r > 1:
        raise K.ArgumentValueError(
            fn,
            None,
            None,
            f"{fn}(): an infinite exp with rate > 1 grows without bound, got rate={rate!r}; "
            "give steps"
        )
    fields = {
        "start": K.value(fn, "start", start),
        "rate": r,
        "steps": n,
        "every": e,
        "staircase": staircase,
    }
    return _finish(ExpEvery, fn, fields)


class StepDecay(Recipe, name="step_decay"):
    start: Any = F.leaf()
    factor: Any = F.static()
    every: Any = F.static()
    steps: Any = F.static(None)

    @classmethod
    def _build(cls, **f: Any) -> Schedule:
        return ExpEvery._build(
            start=f["start"], rate=f["factor"], steps=f["steps"], every=f["every"], staircase=True
        )


@F.constructs(StepDecay)
def step_decay(start: Any, factor: float, every: int, steps: int | None = None) -> Schedule:
    """Step decay: ``start * factor ** floor(t / every)``.

    torch's ``StepLR(step_size=every, gamma=factor)`` (its closed form,
    ``base_lr * gamma ** (epoch // step_size)``) and TF's ``exponential_decay(start, every,
    factor, staircase=True)``. Expands to ``exp(start, rate=factor, every=every,
    staircase=True)``'s algebra. With ``steps``, the value at ``steps`` is held after.

    Example:
        >>> from schedalg import step_decay
        >>> s = step_decay(0.1, 0.5, 30)
        >>> s(29), s(30), s(65)
        (0.1, 0.05, 0.025)
    """
    fn = "step_decay"
    f = float(K.positive(fn, "factor", factor))
    n = K.steps(fn, "steps", steps, allow_none=True)
    if n is None and f > 1:
        raise K.ArgumentValueError(
            fn,
            None,
            None,
            f"{fn}(): factor > 1 grows without bound, got factor={factor!r}; give steps"
        )
    fields = {
        "start": K.value(fn, "start", start),
        "factor": f,
        "every": K.length(fn, "every", K.positive(fn, "every", every)),
        "steps": n,
    }
    return _finish(StepDecay, fn, fields)


class MultiStep(Recipe, name="multistep"):
    start: Any = F.leaf()
    milestones: tuple[Any, ...] = F.static(many=True)
    factor: Any = F.leaf(0.1)

    @classmethod
    def _build(cls, **f: Any) -> Schedule:
        m, start, factor = f["milestones"], f["start"], f["factor"]
        values = [start]
        for _ in m:
            values.append(values[-1] * factor)
        return P.piecewise(list(m), values)


@F.constructs(MultiStep)
def multistep(start: Any, milestones: Any, factor: Any = 0.1) -> Schedule:
    """Multi-step decay: ``start * factor ** (number of milestones <= t)``.

    torch's ``MultiStepLR(milestones, gamma=factor)``: the new value applies *at* each
    milestone, and a milestone listed twice applies twice. Expands to
    ``piecewise(milestones, [start, start * factor, start * factor ** 2, ...])`` (each value
    the previous one times ``factor``, as torch's steps compute it).

    Example:
        >>> from schedalg import multistep
        >>> s = multistep(0.1, [30, 80], 0.1)
        >>> s(29), s(30), round(s(80), 15)
        (0.1, 0.010000000000000002, 0.001)
    """
    fn = "multistep"
    try:
        ms = [K.length(fn, f"milestones[{i}]", m) for i, m in enumerate(milestones)]
    except TypeError:
        raise K.ArgumentTypeError(
            fn,
            None,
            None,
            f"{fn}(): milestones must be a list of steps, got milestones={milestones!r}"
        ) from None
    for i in range(len(ms)):
        if ms[i] < 0 or (i and ms[i] < ms[i - 1]):
            raise K.ArgumentValueError(
                fn,
                None,
                None,
                f"{fn}(): milestones must be sorted and >= 0, got milestones={milestones!r}"
            )
    fields = {
        "start": K.value(fn, "start", start),
        "milestones": tuple(ms),
        "factor": K.value(fn, "factor", factor),
    }
    return _finish(MultiStep, fn, fields)


#: Every recipe class and its public constructor (for schedalg.io and schedalg.parse).
