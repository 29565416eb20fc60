"""optax.schedules as schedalg schedules: same names, same arguments, same values.

``s(count)`` equals the optax schedule at ``count`` (computed in float64). Where optax quietly
falls back on an odd argument (``transition_steps <= 0`` makes ``polynomial_schedule`` and
``exponential_decay`` constant; a negative ``transition_begin`` counts as 0), the schedule
does the same, since that is the behaviour code written for optax relies on. Arguments optax
gives no meaning to (negative boundaries, a growth without bound) raise ``ValueError``.

Nothing here imports optax or JAX.

Reference: https://optax.readthedocs.io/en/latest/api/optimizer_schedules.html
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .. import _checks as K
from .._arithmetic import maximum, minimum
from .._concat import concat
from .._primitives import cosine, exp, hold, linear_ramp, piecewise, poly
from .._schedule import Schedule
from .._time_maps import scale_time, shift, take
from .._time_maps import staircase as _staircase
from . import _named
from ._segments import segment

__all__ = [
    "constant_schedule",
    "cosine_decay_schedule",
    "cosine_onecycle_schedule",
    "exponential_decay",
    "join_schedules",
    "linear_onecycle_schedule",
    "linear_schedule",
    "piecewise_constant_schedule",
    "piecewise_interpolate_schedule",
    "polynomial_schedule",
    "sgdr_schedule",
    "warmup_constant_schedule",
    "warmup_cosine_decay_schedule",
    "warmup_exponential_decay_schedule",
]


def constant_schedule(value: float) -> Schedule:
    """optax's ``constant_schedule``: ``value`` at every count.

    Example:
        >>> from schedalg.compat.optax import constant_schedule
        >>> constant_schedule(0.1)(10**9)
        0.1
    """
    return hold(K.real("constant_schedule", "value", value))


def polynomial_schedule(
    init_value: float,
    end_value: float,
    power: float,
    transition_steps: int,
    transition_begin: int = 0,
) -> Schedule:
    """optax's ``polynomial_schedule``: polynomial change after ``transition_begin`` steps.

    Formula: with ``c = clip(count - transition_begin, 0, transition_steps)``,
    ``value = (init_value - end_value) * (1 - c / transition_steps) ** power + end_value``.
    ``transition_steps <= 0`` gives the constant ``init_value`` and a negative
    ``transition_begin`` counts as 0, as in optax.

    Args:
        init_value, end_value: the values before and after the transition.
        power: the exponent, >= 0.
        transition_steps: the transition length.
        transition_begin: steps at ``init_value`` before it.

    Returns:
        ``hold(init_value, transition_begin) >> poly(init_value, end_value,
        transition_steps, power)``.

    Example:
        >>> from schedalg.compat.optax import polynomial_schedule
        >>> polynomial_schedule(1.0, 0.0, power=2, transition_steps=10, transition_begin=5)(10)
        0.25

    Reference: ``optax.schedules.polynomial_schedule``.
    """
    fn = "polynomial_schedule"
    a = K.real(fn, "init_value", init_value)
    b = K.real(fn, "end_value", end_value)
    p = K.real(fn, "power", power)
    if p < 0:
        raise K.ArgumentValueError(
            fn, "power", power, f"{fn}(): power must be >= 0, got power={power!r}"
        )
    n = K.count(fn, "transition_steps", transition_steps, minimum=None)
    begin = max(K.count(fn, "transition_begin", transition_begin, minimum=None), 0)
    if n <= 0 or p == 0:
        return hold(a)
    return hold(a, begin) >> poly(a, b, n, power=p)


def linear_schedule(
    init_value: float, end_value: float, transition_steps: int, transition_begin: int = 0
) -> Schedule:
    """optax's ``linear_schedule``: a straight line after ``transition_begin`` steps.

    Formula: ``polynomial_schedule`` with ``power=1``; ``transition_steps <= 0`` gives the
    constant ``init_value``, as in optax.

    Example:
        >>> from schedalg.compat.optax import linear_schedule
        >>> linear_schedule(0.0, 1.0, transition_steps=4, transition_begin=2)(4)
        0.5

    Reference: ``optax.schedules.linear_schedule``.
    """
    fn = "linear_schedule"
    a = K.real(fn, "init_value", init_value)
    b = K.real(fn, "end_value", end_value)
    n = K.count(fn, "transition_steps", transition_steps, minimum=None)
    begin = max(K.count(fn, "transition_begin", transition_begin, minimum=None), 0)
    if n <= 0:
        return hold(a)
    return hold(a, begin) >> linear_ramp(a, b, n)


def _sorted_scales(
    fn: str, boundaries_and_scales: Mapping[Any, float] | None
) -> list[tuple[int | float, float]]:
    if boundaries_and_scales is None:
        return []
    if not isinstance(boundaries_and_scales, Mapping):
        raise K.ArgumentTypeError(
            fn,
            "boundaries_and_scales",
            boundaries_and_scales,
            f"{fn}(): boundaries_and_scales must be a mapping {{step: scale}} or None, got "
            f"boundaries_and_scales={boundaries_and_scales!r}",
        )
    items: list[tuple[int | float, float]] = []
    for k, v in boundaries_and_scales.items():
        try:
            b = K.real(fn, "boundaries_and_scales key", k)
        except K.ArgumentError as e:  # a key of the mapping argument
            raise type(e)(fn, "boundaries_and_scales", k, str(e)) from None
        s = K.real(fn, "boundaries_and_scales", v, index=k)
        if s < 0:
            raise K.ArgumentValueError(
                fn,
                "boundaries_and_scales",
                v,
                f"{fn}(): scales must be >= 0, got boundaries_and_scales[{k!r}]={v!r}",
                index=k,
            )
        items.append((int(b) if b.is_integer() else b, s))
    return sorted(items)


def piecewise_constant_schedule(
    init_value: float, boundaries_and_scales: Mapping[int, float] | None = None
) -> Schedule:
    """optax's ``piecewise_constant_schedule``: multiply by a scale at each boundary.

    Formula: ``value = init_value * prod(scale for boundary, scale in boundaries_and_scales
    if count >= boundary)``; a boundary at or below 0 applies from the start.

    Args:
        init_value: the value before the first boundary.
        boundaries_and_scales: ``{step: scale}``, scales >= 0.

    Returns:
        A ``piecewise`` of the running products.

    Example:
        >>> from schedalg.compat.optax import piecewise_constant_schedule
        >>> s = piecewise_constant_schedule(1.0, {10: 0.5, 20: 0.5})
        >>> s(9), s(10), s(20)
        (1.0, 0.5, 0.25)

    Reference: ``optax.schedules.piecewise_constant_schedule``.
    """
    fn = "piecewise_constant_schedule"
    v = K.real(fn, "init_value", init_value)
    bounds, values = [], [v]
    for b, s in _sorted_scales(fn, boundaries_and_scales):
        v = v * s
        if b < 0:
            values[0] = v
            continue
        bounds.append(b)
        values.append(v)
    return piecewise(bounds, values)


def exponential_decay(
    init_value: float,
    transition_steps: int,
    decay_rate: float,
    transition_begin: int = 0,
    staircase: bool = False,
    end_value: float | None = None,
) -> Schedule:
    """optax's ``exponential_decay``.

    Formula: with ``c = count - transition_begin``: ``init_value`` for ``c <= 0``, else
    ``init_value * decay_rate ** (c / transition_steps)`` (the exponent floored if
    ``staircase``), then bounded below by ``end_value`` (above, if ``decay_rate > 1``).
    ``transition_steps <= 0`` or ``decay_rate == 0`` give the constant ``init_value`` and a
    negative ``transition_begin`` counts as 0, as in optax.

    Args:
        init_value: the starting value, >= 0.
        transition_steps: the steps over which the value is multiplied by ``decay_rate``.
        decay_rate: the factor, >= 0; above 1 (growth) it needs ``end_value``.
        transition_begin: steps at ``init_value`` first.
        staircase: decay in whole ``transition_steps`` blocks.
        end_value: the bound, or None.

    Returns:
        ``hold(init, begin) >> [staircase](scale_time(exp(init, rate=decay_rate), steps))``,
        through ``maximum``/``minimum`` with ``end_value``.

    Example:
        >>> from schedalg.compat.optax import exponential_decay
        >>> s = exponential_decay(1.0, transition_steps=10, decay_rate=0.5, staircase=True)
        >>> s(9), s(10), s(25)
        (1.0, 0.5, 0.25)

    Reference: ``optax.schedules.exponential_decay``.
    """
    fn = "exponential_decay"
    a = K.real(fn, "init_value", init_value)
    n = K.count(fn, "transition_steps", transition_steps, minimum=None)
    r = K.real(fn, "decay_rate", decay_rate)
    begin = max(K.count(fn, "transition_begin", transition_begin, minimum=None), 0)
    end = None if end_value is None else K.real(fn, "end_value", end_value)
    if r < 0:
        raise K.ArgumentValueError(
            fn,
            "decay_rate",
            decay_rate,
            f"{fn}(): decay_rate must be >= 0, got decay_rate={decay_rate!r}",
        )
    if a < 0:
        raise K.ArgumentValueError(
            fn,
            "init_value",
            init_value,
            f"{fn}(): init_value must be >= 0, got init_value={init_value!r}",
        )
    if n <= 0 or r == 0:
        return hold(a)
    if a == 0:
        return hold(a if end is None else (max(a, end) if r < 1 else min(a, end)))
    if r > 1:
        if end is None:
            raise K.ArgumentValueError(
                fn,
                "decay_rate",
                decay_rate,
                f"{fn}(): decay_rate > 1 grows without bound; give end_value, "
                f"got decay_rate={decay_rate!r}, end_value=None",
            )
        if end <= a:
            return hold(end)
        # Grow for as many transitions as it takes to pass end_value; minimum() caps it.
        periods = max(math.ceil(math.log(end / a) / math.log(r)) + 1, 1)
        curve: Schedule = exp(a, rate=r, steps=periods)
    else:
        curve = exp(a, rate=r)
    curve = scale_time(curve, n)
    if staircase:
        curve = _staircase(curve, n)
    out = hold(a, begin) >> curve
    if end is None:
        return out
    return maximum(out, end) if r < 1 else minimum(out, end)


def cosine_decay_schedule(
    init_value: float, decay_steps: int, alpha: float = 0.0, exponent: float = 1.0
) -> Schedule:
    """optax's ``cosine_decay_schedule``.

    Formula: with ``c = min(count, decay_steps)``,
    ``value = init_value * ((1 - alpha) * ((1 + cos(pi * c / decay_steps)) / 2) ** exponent
    + alpha)``.

    Args:
        init_value: the starting value.
        decay_steps: the decay length, an int >= 1.
        alpha: the final value as a fraction of ``init_value``.
        exponent: the power of the cosine factor, >= 0 (0: ``init_value`` throughout, as optax).

    Returns:
        ``cosine(init_value, init_value * alpha, decay_steps, power=exponent)``.

    Example:
        >>> from schedalg.compat.optax import cosine_decay_schedule
        >>> cosine_decay_schedule(1.0, decay_steps=10, alpha=0.1)(10)
        0.1

    Reference: ``optax.schedules.cosine_decay_schedule``.
    """
    fn = "cosine_decay_schedule"
    a = K.real(fn, "init_value", init_value)
    n = K.count(fn, "decay_steps", decay_steps, 1)
    al = K.real(fn, "alpha", alpha)
    p = K.real(fn, "exponent", exponent)
    if p < 0:
        raise K.ArgumentValueError(
            fn,
            "exponent",
            exponent,
            f"{fn}(): exponent must be >= 0 (optax reaches 0 ** exponent = inf at decay_steps), "
            f"got exponent={exponent!r}",
        )
    if p == 0:  # optax: cos_term ** 0 == 1 at every step (0 ** 0 == 1): init_value throughout
        return hold(a)
    return cosine(a, a * al, n, power=p)


def piecewise_interpolate_schedule(
    interpolate_type: str,
    init_value: float,
    boundaries_and_scales: Mapping[int, float] | None = None,
) -> Schedule:
    """optax's ``piecewise_interpolate_schedule``: interpolate between scaled values.

    Formula: with boundaries ``b_0 = 0 < b_1 < ...`` and values ``v_0 = init_value``,
    ``v_i = v_{i-1} * scale_i``, the value goes from ``v_i`` to ``v_{i+1}`` over
    ``[b_i, b_{i+1})`` linearly (``"linear"``) or along a half cosine (``"cosine"``), and is
    ``v_last`` from the last boundary on. A negative ``b_1`` is followed as optax follows it:
    the interval from 0 is empty and step 0 lies part-way between ``b_1`` and ``b_2``.

    Args:
        interpolate_type: ``"linear"`` or ``"cosine"``.
        init_value: the value at 0.
        boundaries_and_scales: ``{step: scale}``, scales >= 0.

    Returns:
        A ``concat`` of ``linear_ramp`` or ``cosine`` pieces, then a ``hold``.

    Example:
        >>> from schedalg.compat.optax import piecewise_interpolate_schedule
        >>> s = piecewise_interpolate_schedule("linear", 1.0, {4: 0.5, 8: 0.5})
        >>> s(2), s(4), s(6), s(9)
        (0.75, 0.5, 0.375, 0.25)

    Reference: ``optax.schedules.piecewise_interpolate_schedule``.
    """
    fn = "piecewise_interpolate_schedule"
    kind = K.choice(fn, "interpolate_type", interpolate_type, ("linear", "cosine"))
    v = K.real(fn, "init_value", init_value)
    items = _sorted_scales(fn, boundaries_and_scales)
    # optax interpolates over [b_i, b_{i+1}) from the first boundary on, even a negative one
    # (its interval from 0 is then empty): time starts at min(0, b_1), entered part-way.
    begin: int | float = min(0, items[0][0]) if items else 0
    pieces: list[Schedule] = []
    at = begin
    for b, s in items:
        nv = v * s
        if b > at:
            pieces.append(segment("linear" if kind == "linear" else "cos", v, nv, b - at))
        at, v = b, nv
    pieces.append(hold(v))
    out = concat(*pieces)
    return shift(out, begin) if begin < 0 else out


def _onecycle_args(
    fn: str,
    transition_steps: Any,
    peak_value: Any,
    div_factor: Any,
    final_div_factor: Any,
    pct_start: Any,
) -> tuple[int, float, float, float, float]:
    """The checked arguments the two one-cycle schedules share, in optax's order."""
    return (
        K.count(fn, "transition_steps", transition_steps, 1),
        K.real(fn, "peak_value", peak_value),
        K.positive(fn, "div_factor", div_factor),
        K.positive(fn, "final_div_factor", final_div_factor),
        K.real(fn, "pct_start", pct_start),
    )


def linear_onecycle_schedule(
    transition_steps: int,
    peak_value: float,
    pct_start: float = 0.3,
    pct_final: float = 0.85,
    div_factor: float = 25.0,
    final_div_factor: float = 1e4,
) -> Schedule:
    """optax's ``linear_onecycle_schedule``: linear up, down, then down to the floor.

    Formula: ``piecewise_interpolate_schedule("linear", peak_value / div_factor,
    {int(pct_start * T): div_factor, int(pct_final * T): 1 / div_factor,
    T: 1 / final_div_factor})`` with ``T = transition_steps`` (colliding keys overwrite, as
    in optax's dict).

    Example:
        >>> from schedalg.compat.optax import linear_onecycle_schedule
        >>> s = linear_onecycle_schedule(100, 1.0, div_factor=10.0)
        >>> s(0), s(30), s(85)
        (0.1, 1.0, 0.1)

    Reference: ``optax.schedules.linear_onecycle_schedule``; Smith & Topin (2018).
    """
    fn = "linear_onecycle_schedule"
    n, peak, div, fdiv, ps = _onecycle_args(
        fn, transition_steps, peak_value, div_factor, final_div_factor, pct_start
    )
    pf = K.real(fn, "pct_final", pct_final)
    return piecewise_interpolate_schedule(
        "linear",
        peak / div,
        {int(ps * n): div, int(pf * n): 1.0 / div, n: 1.0 / fdiv},
    )


def cosine_onecycle_schedule(
    transition_steps: int,
    peak_value: float,
    pct_start: float = 0.3,
    div_factor: float = 25.0,
    final_div_factor: float = 1e4,
) -> Schedule:
    """optax's ``cosine_onecycle_schedule``: cosine up to the peak, cosine down to the floor.

    Formula: ``piecewise_interpolate_schedule("cosine", peak_value / div_factor,
    {int(pct_start * T): div_factor, T: 1 / (div_factor * final_div_factor)})``.

    Example:
        >>> from schedalg.compat.optax import cosine_onecycle_schedule
        >>> s = cosine_onecycle_schedule(100, 1.0, div_factor=10.0, final_div_factor=10.0)
        >>> s(0), s(30), s(100)
        (0.1, 1.0, 0.01)

    Reference: ``optax.schedules.cosine_onecycle_schedule``; Smith & Topin (2018).
    """
    fn = "cosine_onecycle_schedule"
    n, peak, div, fdiv, ps = _onecycle_args(
        fn, transition_steps, peak_value, div_factor, final_div_factor, pct_start
    )
    return piecewise_interpolate_schedule(
        "cosine", peak / div, {int(ps * n): div, n: 1.0 / (div * fdiv)}
    )


def warmup_constant_schedule(init_value: float, peak_value: float, warmup_steps: int) -> Schedule:
    """optax's ``warmup_constant_schedule``: linear warm-up, then the peak.

    Formula: ``linear_schedule(init_value, peak_value, warmup_steps)``. With
    ``warmup_steps <= 0`` optax's value is ``init_value`` forever (not ``peak_value``), and so
    is this one's.

    Example:
        >>> from schedalg.compat.optax import warmup_constant_schedule
        >>> s = warmup_constant_schedule(0.0, 1.0, 4)
        >>> s(2), s(100)
        (0.5, 1.0)

    Reference: ``optax.schedules.warmup_constant_schedule``.
    """
    fn = "warmup_constant_schedule"
    a = K.real(fn, "init_value", init_value)
    b = K.real(fn, "peak_value", peak_value)
    n = K.count(fn, "warmup_steps", warmup_steps, minimum=None)
    if n <= 0:
        return hold(a)
    return linear_ramp(a, b, n)


def warmup_cosine_decay_schedule(
    init_value: float,
    peak_value: float,
    warmup_steps: int,
    decay_steps: int,
    end_value: float = 0.0,
    exponent: float = 1.0,
) -> Schedule:
    """optax's ``warmup_cosine_decay_schedule``: linear warm-up, then cosine decay.

    Formula: linear from ``init_value`` to ``peak_value`` over ``warmup_steps``, then
    ``cosine_decay_schedule(peak_value, decay_steps - warmup_steps, alpha=end_value /
    peak_value, exponent)``; ``decay_steps`` counts the warm-up.

    Args:
        init_value: the value at 0.
        peak_value: the value after warm-up.
        warmup_steps: the warm-up length, an int >= 0.
        decay_steps: the total length, > ``warmup_steps``.
        end_value: the final value.
        exponent: the power of the cosine factor, >= 0 (0: ``peak_value`` after the warm-up).

    Returns:
        ``linear_ramp(init, peak, warmup) >> cosine(peak, end, decay - warmup, exponent)``.

    Example:
        >>> from schedalg.compat.optax import warmup_cosine_decay_schedule
        >>> s = warmup_cosine_decay_schedule(0.0, 1.0, warmup_steps=10, decay_steps=110)
        >>> [round(s(k), 12) for k in (5, 10, 60, 110)]
        [0.5, 1.0, 0.5, 0.0]

    Reference: ``optax.schedules.warmup_cosine_decay_schedule``.
    """
    fn = "warmup_cosine_decay_schedule"
    a = K.real(fn, "init_value", init_value)
    peak = K.real(fn, "peak_value", peak_value)
    w = K.count(fn, "warmup_steps", warmup_steps)
    d = K.count(fn, "decay_steps", decay_steps)
    if d <= w:
        raise K.ArgumentValueError(
            fn,
            "decay_steps",
            decay_steps,
            f"{fn}(): decay_steps must be > warmup_steps (it counts the warm-up), got "
            f"decay_steps={decay_steps!r}, warmup_steps={warmup_steps!r}",
        )
    end = K.real(fn, "end_value", end_value)
    alpha = 0.0 if peak == 0.0 else end / peak
    return linear_ramp(a, peak, w) >> cosine_decay_schedule(peak, d - w, alpha, exponent)


def warmup_exponential_decay_schedule(
    init_value: float,
    peak_value: float,
    warmup_steps: int,
    transition_steps: int,
    decay_rate: float,
    transition_begin: int = 0,
    staircase: bool = False,
    end_value: float | None = None,
) -> Schedule:
    """optax's ``warmup_exponential_decay_schedule``: linear warm-up, then exponential decay.

    Formula: linear from ``init_value`` to ``peak_value`` over ``warmup_steps``, then
    ``exponential_decay(peak_value, transition_steps, decay_rate, transition_begin,
    staircase, end_value)`` counted from the end of the warm-up.

    Example:
        >>> from schedalg.compat.optax import warmup_exponential_decay_schedule
        >>> s = warmup_exponential_decay_schedule(0.0, 1.0, 4, 10, 0.5)
        >>> s(2), s(4), s(14)
        (0.5, 1.0, 0.5)

    Reference: ``optax.schedules.warmup_exponential_decay_schedule``.
    """
    fn = "warmup_exponential_decay_schedule"
    a = K.real(fn, "init_value", init_value)
    peak = K.real(fn, "peak_value", peak_value)
    w = K.count(fn, "warmup_steps", warmup_steps)
    decay = exponential_decay(
        peak, transition_steps, decay_rate, transition_begin, staircase, end_value
    )
    return linear_ramp(a, peak, w) >> decay


def sgdr_schedule(cosine_kwargs: Iterable[Mapping[str, Any]]) -> Schedule:
    """optax's ``sgdr_schedule``: warm-up-cosine cycles one after another.

    Formula: ``join_schedules([warmup_cosine_decay_schedule(**kw) for kw in cosine_kwargs],
    boundaries = running sums of decay_steps)``.

    Example:
        >>> from schedalg.compat.optax import sgdr_schedule
        >>> kw = dict(init_value=0.0, peak_value=1.0, warmup_steps=2, decay_steps=10)
        >>> s = sgdr_schedule([kw, kw])
        >>> s(1), s(10), s(11)
        (0.5, 0.0, 0.5)

    Reference: ``optax.schedules.sgdr_schedule``; Loshchilov & Hutter, SGDR (2017).
    """
    fn = "sgdr_schedule"
    scheds, bounds, at = [], [], 0
    for i, kw in enumerate(cosine_kwargs):
        if "decay_steps" not in kw:
            raise K.ArgumentTypeError(
                fn,
                "cosine_kwargs",
                kw,
                f"{fn}(): cosine_kwargs[{i}] needs decay_steps, got {kw!r}",
                index=i,
            )
        scheds.append(warmup_cosine_decay_schedule(**kw))
        try:
            at += K.count(fn, f"cosine_kwargs[{i}]['decay_steps']", kw["decay_steps"])
        except K.ArgumentError as e:  # the argument is cosine_kwargs, its item i is wrong
            raise type(e)(fn, "cosine_kwargs", kw, str(e), index=i) from None
        bounds.append(at)
    if not scheds:
        raise K.ArgumentValueError(
            fn, "cosine_kwargs", cosine_kwargs, f"{fn}(): cosine_kwargs must not be empty"
        )
    return join_schedules(scheds, bounds[:-1])


def join_schedules(schedules: Sequence[Schedule], boundaries: Sequence[int]) -> Schedule:
    """optax's ``join_schedules``: switch schedule at each boundary, restarting its count.

    Formula: ``schedules[i](count - boundaries[i-1])`` for
    ``boundaries[i-1] <= count < boundaries[i]`` (``boundaries[-1] = 0``).

    Args:
        schedules: schedalg schedules (e.g. from this module).
        boundaries: ``len(schedules) - 1`` non-decreasing steps (optax's ``zip`` would
            silently drop extras; here a length mismatch raises). A negative boundary is
            followed as in optax: the schedule after it starts part-way at step 0.

    Returns:
        ``take(schedules[0], b_0) >> take(schedules[1], b_1 - b_0) >> ... >> schedules[-1]``.

    Example:
        >>> from schedalg.compat.optax import constant_schedule, join_schedules, linear_schedule
        >>> s = join_schedules([constant_schedule(1.0), linear_schedule(1.0, 0.0, 4)], [3])
        >>> s(2), s(3), s(5)
        (1.0, 1.0, 0.5)

    Reference: ``optax.schedules.join_schedules``.
    """
    fn = "join_schedules"
    scheds = K.schedule_list(fn, "schedules", schedules, show_empty=False)
    bs = K.switch_steps(fn, "boundaries", boundaries, None, "schedules", len(scheds))
    # schedules[i] counts from edges[i]; a negative edge (optax: step - boundary) starts it
    # part-way at step 0, and the schedules before it never run
    edges = [0, *bs]
    pieces = []
    for i, s in enumerate(scheds):
        if edges[i] < 0:
            s = shift(s, edges[i])
        if i == len(bs):
            pieces.append(s)
            break
        n = max(edges[i + 1], 0) - max(edges[i], 0)
        pieces.append(s if s.duration == n else take(s, n))
    return concat(*pieces)


_named.keep_names(globals(), "optax")
