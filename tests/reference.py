"""An independent evaluator of schedules, written from the documented formulas (docs/concepts.md).

It reads the plain-dict form of a schedule (``schedalg.io.to_dict``) and shares no code with
schedalg's nodes, lowering or backends: time is exact rational arithmetic (``fractions``), every
primitive's formula is written out from the primitives table with ``math``, and the boundary rule
(half-open intervals, local time in each piece, a 0-step piece dropped from a concat, a finite
schedule holding its end value) is applied as written there.

``value(node, t)`` returns ``(v, m)``: ``v`` the exact value at time ``t`` (an ``int``, a
``Fraction`` or a ``float``, ``math.inf`` included), or ``None`` where the docs leave the
value unspecified (a repeat that never settles, at ``t = inf``: the value must then only be
finite); ``m`` an error scale: a backward-stable evaluation in a float type of unit roundoff
``eps`` (every parameter, local time and intermediate rounded relatively by a few ``eps``) stays
within a small multiple of ``eps * m`` of ``v``. ``m`` is the first-order sum of
``|dv/dx| * |x|`` over those inputs, propagated through the tree by the chain rule.

``duration(node)``, ``is_constant(node)``, ``breakpoints(node)`` (where the value may jump or
bend: the times worth probing) and ``has_float_time(node)`` (whether a backend must compute
time in floating point) complete the picture.

Issue 12's nodes are read the same way, each from its docstring and the README's tables (a
recipe by its formula, never through ``.expand()``): ``switch`` (absolute time), ``value_at``
(a constant), ``power`` / ``exp_of`` (pointwise), ``tokens`` (the exact cumulative sum of the
batch size, in Fractions), ``compose`` (the schedule read at the clock's value: a time
computed in floats, whose rounding ``time_spread`` allows for), the step decays and the
recipes (``warmup_cosine`` ... ``multistep``).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from fractions import Fraction
from typing import Any

Time = Fraction | float  # a Fraction, or math.inf
Node = dict[str, Any]

INF = math.inf


def frac(x: Any) -> Fraction:
    """An exact Fraction of an int or float."""
    return Fraction(x)


# -- structure ---------------------------------------------------------------------------------

_BINOPS = ("add", "sub", "mul", "div", "minimum", "maximum")
_UNARY_POINTWISE = ("neg", "clip", "power", "exp_of")
#: Issue 12's named schedules, each read by its formula (``exp`` with ``every`` is one too).
_RECIPES = (
    "warmup_cosine",
    "warmup_linear",
    "wsd",
    "one_cycle",
    "sgdr",
    "cooldown",
    "rewarm",
    "inverse_sqrt",
    "rex",
    "exp_every",
    "step_decay",
    "multistep",
)
#: The clock stops at the last step there is (the README's limit on steps).
HORIZON = 2**62


def kind_of(node: Node) -> str:
    """The node's type; ``exp`` with an ``every`` argument (TF's decay steps) is ``exp_every``."""
    kind: str = node["type"]
    if kind == "exp" and "every" in node:
        return "exp_every"
    return kind


def children(node: Node) -> list[Node]:
    """The schedule-valued fields of a node, in order."""
    kind = node["type"]
    if kind == "concat":
        return list(node["pieces"])
    if kind in _BINOPS or kind == "switch":
        return [node["a"], node["b"]]
    if kind == "neg":
        return [node["a"]]
    if kind == "power":  # s ** p or c ** s: the operand that is a schedule
        return [x for x in (node["a"], node["b"]) if isinstance(x, dict)]
    if kind == "compose":
        return [node["schedule"], node["clock"]]
    if kind == "tokens":
        return [node["batch_size"]]
    if "schedule" in node:
        return [node["schedule"]]
    return []


def walk(node: Node) -> Iterator[Node]:
    """Every node of the tree, root first (iteratively: trees may be deep)."""
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(reversed(children(n)))


def is_constant(node: Node) -> bool:
    """An infinite hold, or pointwise arithmetic of constants only (itself a constant)."""
    kind = node["type"]
    if kind == "hold":
        return node["steps"] is None
    if kind in _BINOPS:
        return is_constant(node["a"]) and is_constant(node["b"])
    if kind == "neg":
        return is_constant(node["a"])
    if kind in ("clip", "power", "exp_of"):
        return all(is_constant(c) for c in children(node))
    return kind == "value_at"  # the constant schedule(step)


def _settle(node: Node) -> Fraction | None:
    """How long an operand of pointwise arithmetic takes to settle (a constant: at once)."""
    return Fraction(0) if is_constant(node) else duration(node)


def _memo(node: Node, key: str, make: Any) -> Any:
    """A derived quantity of a node, computed once (kept in the node's dict under ``key``)."""
    try:
        return node[key]
    except KeyError:
        node[key] = out = make()
        return out


def duration(node: Node) -> Fraction | None:
    """Length in steps (exact), None if infinite."""
    return _memo(node, "_duration", lambda: _duration(node))  # type: ignore[no-any-return]


def _duration(node: Node) -> Fraction | None:
    kind = node["type"]
    if kind in (
        "hold",
        "linear_ramp",
        "cosine",
        "poly",
        "triangle",
        "tanh",
        "exp",
        "inverse",
        "sigmoid",
    ):
        n = node["steps"]
        return None if n is None else frac(n)
    if kind == "piecewise":
        b = node["boundaries"]
        return frac(b[-1]) if b else Fraction(0)
    if kind == "concat":
        total = Fraction(0)
        pieces = node["pieces"]
        for p in pieces[:-1]:
            d = duration(p)
            if d is None:
                raise ValueError("concat: an infinite piece before the last")
            total += d
        last = duration(pieces[-1])
        return None if last is None else total + last
    if kind == "repeat":
        if node["times"] is None:
            return None
        return cycle_start(node, node["times"])
    if kind == "scale_by_cycle":
        return duration(node["schedule"])
    if kind == "switch":  # max(at, duration of b), None if b is infinite
        db = duration(node["b"])
        return None if db is None else max(db, frac(node["at"]))
    if kind in ("value_at", "tokens"):
        return None
    if kind == "compose":
        return _compose_duration(node)
    if kind_of(node) in _RECIPES:
        return _recipe_duration(node)
    if kind in _BINOPS or kind in _UNARY_POINTWISE:
        if is_constant(node):
            return None
        ds = [_settle(c) for c in children(node)]
        return None if any(d is None for d in ds) else max(ds)  # type: ignore[type-var]
    inner = duration(node["schedule"])
    if kind == "take":
        return frac(node["steps"])
    if inner is None:
        return None
    if kind == "staircase":
        e = frac(node["every"])
        return math.ceil(inner / e) * e
    if kind == "shift":
        return max(inner + frac(node["steps"]), Fraction(0))
    if kind == "scale_time":
        return inner * frac(node["factor"])
    if kind == "warp":
        return inner
    raise ValueError(f"unknown node type {kind!r}")


# -- repeat: cycle k starts at d * (r**k - 1) / (r - 1) -----------------------------------------


def cycle_start(node: Node, k: int) -> Fraction:
    """Where cycle ``k`` of a repeat node starts (exact)."""
    starts: dict[int, Fraction] = _memo(node, "_starts", dict)
    if k not in starts:
        starts[k] = _cycle_start(node, k)
    return starts[k]


def _cycle_start(node: Node, k: int) -> Fraction:
    d = duration(node["schedule"])
    assert d is not None and d > 0
    r = frac(node["stretch"])
    if r == 1:
        return d * k
    return d * (r**k - 1) / (r - 1)


def _cycle_of(node: Node, t: Fraction) -> int:
    """The cycle ``k`` that time ``t`` (finite, >= 0) falls in (the last one after the end)."""
    d = duration(node["schedule"])
    assert d is not None
    r = frac(node["stretch"])
    times = node["times"]
    if r == 1:
        k = math.floor(t / d)
    else:
        # estimate from the closed form, then correct with exact comparisons
        x = 1 + float(t / d) * float(r - 1)
        k = int(math.log(x) / math.log(float(r))) if x > 0 else (times or 1) - 1
        k = max(k - 2, 0)
        if times is not None:
            k = min(k, times - 1)
        while k > 0 and cycle_start(node, k) > t:
            k -= 1
        while (times is None or k + 1 < times) and cycle_start(node, k + 1) <= t:
            k += 1
    if times is not None:
        k = min(k, times - 1)
    return k


# -- values --------------------------------------------------------------------------------------

Value = tuple[Fraction | None, float]


def _f(x: float) -> Fraction:
    return Fraction(x)


def _progress(tau: Time, n: Any) -> Fraction:
    """u = tau / steps, 1 from the end on (and for a 0-step segment)."""
    if n == 0 or tau == INF or tau >= n:
        return Fraction(1)
    return tau / frac(n)  # type: ignore[operator]


def _cos_factor(u: Fraction) -> tuple[float, float]:
    """((1 + cos(pi u)) / 2, |d/du| of it), accurate relative to the value near both ends."""
    if u <= Fraction(1, 2):
        c = math.cos(math.pi * float(u) / 2) ** 2
    else:
        c = math.sin(math.pi * float(1 - u) / 2) ** 2
    return c, math.pi / 2 * abs(math.sin(math.pi * float(u)))


def _primitive(node: Node, tau: Time) -> Value:
    kind = node["type"]
    if kind == "hold":
        v = frac(node["value"])
        return v, abs(float(v))
    if kind == "piecewise":
        bounds, vals = node["boundaries"], node["values"]
        i = sum(1 for b in bounds if tau >= b)
        return frac(vals[i]), abs(vals[i])
    n = node["steps"]
    if kind == "exp" and node.get("rate") is not None:
        start, r = frac(node["start"]), node["rate"]
        if n is not None and (tau == INF or tau > n):
            tau = frac(n)
        if tau == INF:  # infinite, so rate <= 1
            return (start if r == 1 else Fraction(0)), abs(float(start))
        # start * r ** tau: exact for integer tau and a rate that is an exact float power
        lg = math.log(r)
        v = start * _f(r ** float(tau))
        return v, abs(float(v)) * (2 + abs(lg) * float(tau))
    if kind == "inverse":
        start, scale, p = frac(node["start"]), frac(node["scale"]), node["power"]
        if n is not None and (tau == INF or tau > n):
            tau = frac(n)
        if tau == INF:  # the limit 0, which a large finite time approaches to float precision
            return Fraction(0), abs(float(start))
        x = 1 + tau / scale  # type: ignore[operator]
        v = start * _f(float(x) ** -p)
        return v, abs(float(v)) * (2 + p * (math.log(float(x)) + 1))
    u = _progress(tau, n)
    if kind == "triangle":
        low, high = frac(node["low"]), frac(node["high"])
        v = low + (high - low) * (1 - abs(2 * u - 1))
        return v, abs(float(low)) + abs(float(high))
    start, end = frac(node["start"]), frac(node["end"])
    ends = abs(node["start"]) + abs(node["end"])
    delta = abs(node["start"] - node["end"])
    if kind == "linear_ramp":
        return start + (end - start) * u, ends
    if kind == "exp":
        ratio = math.log(node["end"]) - math.log(node["start"])
        v = start * _f(math.exp(float(u) * ratio))
        return v, abs(float(v)) * (2 + abs(ratio) * float(u))
    if kind == "cosine":
        p = node["power"]
        c, dc = _cos_factor(u)
        cp = c**p
        # d(c**p)/du * u, and the exponent p * ln c rounded relatively
        sens = p * c ** (p - 1) * dc * float(u) if c > 0 else 0.0
        sens += cp * abs(p * math.log(c)) if c > 0 else 0.0
        return end + (start - end) * _f(cp), ends + delta * (cp + sens)
    if kind == "poly":
        p = node["power"]
        w = float(1 - u)
        wp = w**p
        sens = p * w ** (p - 1) * float(u) + wp * abs(p * math.log(w)) if w > 0 else 0.0
        return end + (start - end) * _f(wp), ends + delta * (wp + sens)
    if kind == "tanh":
        lower, upper = node["lower"], node["upper"]
        x = lower + (upper - lower) * float(u)
        # (1 - tanh(x)) / 2 = 1 / (1 + e^(2x)), without cancellation
        if x > 0:
            e = math.exp(-2 * x)
            w = e / (1 + e)
        else:
            w = 1 / (1 + math.exp(2 * x))
        dw = 2 * w * (1 - w)  # |dw/dx|
        sens = dw * (abs(lower) + abs(upper) + abs(upper - lower) * float(u))
        return end + (start - end) * _f(w), ends + delta * (w + sens)
    if kind == "sigmoid":
        # the logistic curve sig(k (u - 1/2)), rescaled to run from 0 at u = 0 to 1 at u = 1
        k = node["steepness"]

        def sig(x: float) -> float:
            return 1 / (1 + math.exp(-x)) if x >= 0 else math.exp(x) / (1 + math.exp(x))

        lo, hi = sig(-k / 2), sig(k / 2)
        w = (sig(k * (float(u) - 0.5)) - lo) / (hi - lo)
        return start + (end - start) * _f(w), ends + delta * (1 + k)
    raise ValueError(f"unknown node type {kind!r}")


def _binop(kind: str, a: Value, b: Value) -> Value:
    (x, mx), (y, my) = a, b
    if x is None or y is None:
        return None, 0.0
    if kind == "add":
        return x + y, mx + my
    if kind == "sub":
        return x - y, mx + my
    if kind == "mul":
        return x * y, mx * abs(float(y)) + my * abs(float(x))
    if kind == "div":
        q = x / y
        return q, (mx + my * abs(float(q))) / abs(float(y))
    if kind == "minimum":
        return min(x, y), max(mx, my)
    if kind == "maximum":
        return max(x, y), max(mx, my)
    raise ValueError(kind)


def value(node: Node, t: Time) -> Value:
    """The schedule's value at ``t`` (exact time; negative t is t = 0) and its error scale."""
    if t != INF and t < 0:
        t = Fraction(0)
    elif t != INF:
        t = frac(t)
    return _value(node, t)


def _value(node: Node, t: Time) -> Value:
    kind = kind_of(node)
    if kind in _ISSUE12:
        return _value12(node, kind, t)
    if kind == "concat":
        return _value(*_concat_locate(node, t))
    if kind == "repeat":
        k, local = _repeat_local(node, t)
        if k is None:
            return None, 0.0
        return _value(node["schedule"], local)
    if kind == "scale_by_cycle":
        rep = node["schedule"]
        factor, floor = frac(node["factor"]), frac(node["floor"])
        k, local = _repeat_local(rep, t)
        if k is None:  # t = inf in a repeat that never ends
            if factor < 1:
                return floor, abs(float(floor))
            return None, 0.0
        v, m = _value(rep["schedule"], local)
        if v is None:
            return None, 0.0
        fk = factor**k if k < 4096 else _f(float(factor) ** k)
        scaled = floor + (v - floor) * fk
        lg = abs(math.log(node["factor"]))
        fkf = float(fk)
        return scaled, (
            abs(float(floor)) * (1 + fkf) + m * fkf + abs(float(v - floor)) * fkf * (1 + k * lg)
        )
    if kind in _BINOPS:
        return _binop(kind, _value(node["a"], t), _value(node["b"], t))
    if kind == "neg":
        v, m = _value(node["a"], t)
        return (None if v is None else -v), m
    if kind == "clip":
        v, m = _value(node["schedule"], t)
        lo, hi = node["low"], node["high"]
        if v is None:
            if lo is not None and lo == hi:
                return frac(lo), abs(lo)
            return None, 0.0
        if lo is not None and v <= lo:
            return frac(lo), max(abs(lo), m)
        if hi is not None and v >= hi:
            return frac(hi), max(abs(hi), m)
        return v, m
    if kind == "staircase":
        e = frac(node["every"])
        local = t if t == INF else math.floor(t / e) * e  # type: ignore[operator]
        return _value(node["schedule"], local)
    if kind == "shift":
        local = t if t == INF else max(t - frac(node["steps"]), Fraction(0))
        return _value(node["schedule"], local)
    if kind == "scale_time":
        return _value(node["schedule"], t if t == INF else t / frac(node["factor"]))
    if kind == "take":
        n = frac(node["steps"])
        return _value(node["schedule"], n if t >= n else t)
    if kind == "warp":
        d = duration(node["schedule"])
        assert d is not None
        if t >= d:
            return _value(node["schedule"], d)
        return _value(node["schedule"], _value_warp_local(node, t, d))  # type: ignore[arg-type]
    return _primitive(node, t)


def _value_warp_local(node: Node, t: Fraction, d: Fraction) -> Fraction:
    """d * (t / d) ** power, exact for an integer power."""
    p = node["power"]
    x = t / d
    if p == int(p) and p > 0:
        return d * x ** int(p)
    return d * _f(float(x) ** p) if x > 0 else Fraction(0)


def _concat_locate(node: Node, t: Time) -> tuple[Node, Time]:
    """The piece that runs at ``t`` and its local time (0-step pieces dropped)."""
    pieces = [p for p in node["pieces"] if duration(p) != 0] or [node["pieces"][-1]]
    start = Fraction(0)
    for p in pieces[:-1]:
        d = duration(p)
        assert d is not None
        if t < start + d:
            return p, t - start
        start += d
    return pieces[-1], (t - start if t != INF else INF)


def _repeat_local(node: Node, t: Time) -> tuple[int | None, Time]:
    """(cycle k, local time in the body); (None, inf) at t = inf in a repeat that never ends."""
    times = node["times"]
    r = frac(node["stretch"])
    if t == INF:
        if times is None:
            return None, INF
        k = times - 1
        return k, INF
    k = _cycle_of(node, t)  # type: ignore[arg-type]
    return k, (t - cycle_start(node, k)) / r**k


# -- float time -----------------------------------------------------------------------------------


def time_spread(node: Node, t: Time, rel: float) -> float:
    """How far the value can move when every time a backend computes inside the tree (a
    local time, an offset, a cycle start) is off by ``rel`` relative to the times involved.

    The first-order sum over the tree's time computations of the change of the value when
    that time moves by its error (each measured with exact arithmetic elsewhere), so a jump
    within the error of a computed time counts in full. 0 where ``rel`` is 0 or t = inf;
    inf where a time read through a clock is a step or more uncertain (then only the
    schedule's range is known).
    """
    if rel == 0:
        return 0.0
    if t == INF:
        # past every step; but a clock's value there is a finite float, rounded: where one is
        # read, only the schedule's range is sure
        return INF if any(n["type"] == "compose" for n in walk(node)) else 0.0
    return _spread(node, max(frac(t), Fraction(0)), Fraction(rel))


def _h(rel: Fraction, *xs: Any) -> Fraction:
    return rel * max(max(abs(frac(x)) for x in xs), Fraction(1))


def _moves(node: Node, t: Fraction, h: Fraction) -> float:
    """max |value(t') - value(t)| over t' within h of t (sampled; finer for wide windows)."""
    v0 = _value(node, t)[0]
    if v0 is None or h <= 0:
        return 0.0
    n = 1 if h < 1 else 8
    out = 0.0
    for k in range(-n, n + 1):
        x = max(t + h * Fraction(k, n), Fraction(0))
        v = _value(node, x)[0] if k else v0
        if v is not None:
            out = max(out, abs(float(v - v0)))
    return out


def _spread(node: Node, t: Fraction, rel: Fraction) -> float:
    kind = kind_of(node)
    if kind in _ISSUE12:
        return _spread12(node, kind, t, rel)
    if kind == "concat":
        piece, local = _concat_locate(node, t)
        return _moves(node, t, _h(rel, t)) + _spread(piece, local, rel)  # type: ignore[arg-type]
    if kind in ("repeat", "scale_by_cycle"):
        rep = node if kind == "repeat" else node["schedule"]
        k, local = _repeat_local(rep, t)
        assert k is not None
        inner = _spread(rep["schedule"], local, rel)  # type: ignore[arg-type]
        inner += _moves(rep["schedule"], local, _h(rel, local))  # type: ignore[arg-type]
        if kind == "scale_by_cycle":
            inner *= node["factor"] ** k
        return _moves(node, t, _h(rel, t)) + inner
    if kind in _BINOPS:
        a, b = node["a"], node["b"]
        sa, sb = _spread(a, t, rel), _spread(b, t, rel)
        if not math.isfinite(sa + sb):
            return INF
        va, vb = (abs(float(_value(c, t)[0] or 0)) for c in (a, b))
        if kind == "mul":
            return sa * vb + sb * va + sa * sb
        if kind == "div":
            return (sa + sb * va / vb) / vb if vb else 0.0
        return sa + sb if kind in ("add", "sub") else max(sa, sb)
    if kind == "neg":
        return _spread(node["a"], t, rel)
    if kind == "clip":
        return _spread(node["schedule"], t, rel)
    child = node.get("schedule")
    if child is None:
        return 0.0  # a primitive: its progress error is in the value's error scale
    if kind == "take":
        n = frac(node["steps"])
        return _spread(child, min(t, n), rel)
    if kind == "staircase":
        e = frac(node["every"])
        local = math.floor(t / e) * e
        own = _moves(node, t, _h(rel, t)) + _moves(child, local, _h(rel, local))
    elif kind == "shift":
        st = frac(node["steps"])
        local = max(t - st, Fraction(0))
        own = _moves(child, local, _h(rel, t, st))
    elif kind == "scale_time":
        local = t / frac(node["factor"])
        own = _moves(child, local, _h(rel, local))
    else:  # warp
        d = duration(child)
        assert d is not None
        if t >= d:
            return _spread(child, d, rel)
        local = _value_warp_local(node, t, d)
        own = _moves(child, local, 4 * _h(rel, local, d))
    return own + _spread(child, local, rel)


# -- where to look ------------------------------------------------------------------------------


def breakpoints(node: Node, horizon: Fraction, limit: int = 64) -> list[Fraction]:
    """Times (in ``node``'s time, up to ``horizon``) where its value may jump or bend."""
    out = _breaks(node, horizon, limit)
    return sorted(b for b in out if 0 <= b <= horizon)[:limit]


def _breaks(node: Node, horizon: Fraction, limit: int) -> set[Fraction]:
    kind = kind_of(node)
    d = duration(node)
    out: set[Fraction] = {Fraction(0)}
    if d is not None:
        out.add(d)
    if kind in _ISSUE12 and kind not in _UNARY_POINTWISE:
        out.update(_breaks12(node, kind, horizon, limit))
    elif kind == "piecewise":
        out.update(frac(b) for b in node["boundaries"])
    elif kind == "triangle":
        out.add(frac(node["steps"]) / 2)
    elif kind == "concat":
        start = Fraction(0)
        for p in node["pieces"]:
            if start > horizon:
                break
            out.update(start + b for b in _breaks(p, horizon - start, limit))
            pd = duration(p)
            if pd is None:
                break
            start += pd
    elif kind in ("repeat", "scale_by_cycle"):
        rep = node if kind == "repeat" else node["schedule"]
        r = frac(rep["stretch"])
        inner = _breaks(rep["schedule"], duration(rep["schedule"]) or Fraction(0), limit)
        k = 0
        while (rep["times"] is None or k <= rep["times"]) and k < limit:
            s = cycle_start(rep, k)
            if s > horizon:
                break
            out.add(s)
            if k < 4:
                out.update(s + b * r**k for b in inner)
            k += 1
    elif kind in _BINOPS or kind in _UNARY_POINTWISE:
        for c in children(node):
            out.update(_breaks(c, horizon, limit))
    elif kind == "staircase":
        e = frac(node["every"])
        for b in _breaks(node["schedule"], horizon, limit):
            out.add(math.ceil(b / e) * e)
            out.add(math.floor(b / e) * e)
        out.update(e * i for i in range(1, 4))
    elif kind == "shift":
        st = frac(node["steps"])
        out.update(b + st for b in _breaks(node["schedule"], horizon - st, limit))
        out.add(max(st, Fraction(0)))
    elif kind == "scale_time":
        f = frac(node["factor"])
        out.update(b * f for b in _breaks(node["schedule"], horizon / f, limit))
    elif kind == "take":
        out.update(_breaks(node["schedule"], min(horizon, frac(node["steps"])), limit))
    elif kind == "warp":
        inner = duration(node["schedule"])
        assert inner is not None
        for b in _breaks(node["schedule"], inner, limit):
            if 0 < b < inner:
                x = float(b / inner) ** (1 / node["power"])
                out.add(inner * _f(x))
    return out


def _step_nodes(node: Node) -> Iterator[Node]:
    """The nodes whose times are steps of the root (not a compose's schedule: it reads the
    clock's units, tokens, which may be far larger)."""
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(reversed([n["clock"]] if n["type"] == "compose" else children(n)))


def extent(node: Node) -> Fraction:
    """The largest time-like magnitude in the tree (durations, shifts, boundaries), in steps."""
    big = Fraction(0)
    for n in _step_nodes(node):
        d = duration(n)
        if d is not None:
            big = max(big, abs(d))
        kind = kind_of(n)
        for key in ("steps", "every"):
            if kind in ("shift", "staircase", "take", "exp_every", "step_decay") and key in n:
                if n[key] is not None:
                    big = max(big, abs(frac(n[key])))
        for key in ("at", "step", "period", "total"):
            if kind in _ISSUE12 and n.get(key) is not None:
                big = max(big, frac(n[key]))
        if kind == "piecewise" and n["boundaries"]:
            big = max(big, frac(n["boundaries"][-1]))
        if kind == "multistep" and n["milestones"]:
            big = max(big, frac(n["milestones"][-1]))
    return big


def has_float_time(node: Node) -> bool:
    """Whether a backend must compute some time in floating point for this tree.

    True where a length, boundary or cycle start is not a whole number of steps, or where the
    docs define time through a division or a power (``scale_time``, ``warp``) or a stretch
    that is not an integer (cycle starts then come from a closed form in floats).
    """
    for n in walk(node):
        kind = kind_of(n)
        if kind in ("scale_time", "warp", "compose"):  # (compose: the clock's value is a float)
            return True
        if kind == "sgdr" and has_float_time(_sgdr_tree(n)):
            return True
        for key in ("at", "step", "every"):
            if kind in _ISSUE12 and key in n and frac(n[key]).denominator != 1:
                return True
        if kind == "multistep" and any(frac(m).denominator != 1 for m in n["milestones"]):
            return True
        if kind == "repeat" and frac(n["stretch"]).denominator != 1:
            return True
        if kind in ("shift", "take") and frac(n["steps"]).denominator != 1:
            return True
        if kind == "staircase" and frac(n["every"]).denominator != 1:
            return True
        if kind == "piecewise" and any(frac(b).denominator != 1 for b in n["boundaries"]):
            return True
        d = duration(n)
        if d is not None and d.denominator != 1:
            return True
    return False


# -- issue 12: switch, value_at, powers, clocks, recipes ------------------------------------------

#: Issue 12's node kinds (``kind_of``).
ISSUE12 = _ISSUE12 = ("switch", "value_at", "power", "exp_of", "tokens", "compose", *_RECIPES)


def repeats(node: Node) -> Iterator[Node]:
    """Every repeat in the tree, sgdr's cycles included (they are a repeat's)."""
    for n in walk(node):
        if n["type"] == "repeat":
            yield n
        elif kind_of(n) == "sgdr":
            yield from (x for x in walk(_sgdr_tree(n)) if x["type"] == "repeat")


def _value12(node: Node, kind: str, t: Time) -> Value:
    if kind == "switch":  # a before ``at``, then b read at the same, absolute t
        return _value(node["a"] if t < frac(node["at"]) else node["b"], t)
    if kind == "value_at":  # the constant schedule(step)
        return _value(node["schedule"], frac(node["step"]))
    if kind == "power":
        return _power(node, t)
    if kind == "exp_of":
        v, m = _value(node["schedule"], t)
        if v is None:
            return None, 0.0
        e = math.exp(float(v))
        return _f(e), e * (m + 2)
    if kind == "tokens":
        return _tokens(node, t)
    if kind == "compose":  # the schedule read at the clock's value
        c = _value(node["clock"], t)[0]
        if c is None:
            return None, 0.0
        return _value(node["schedule"], max(frac(c), Fraction(0)))
    return _recipe(node, kind, t)


def _power(node: Node, t: Time) -> Value:
    """``s(t) ** p`` (an integral p exactly) or ``c ** s(t)``."""
    a, b = node["a"], node["b"]
    if isinstance(a, dict):
        v, m = _value(a, t)
        if v is None:
            return None, 0.0
        p = b
        if float(p).is_integer():
            k = int(p)
            out = v**k
            slope = abs(k) * abs(float(v)) ** (k - 1) if k else 0.0
            return out, slope * m + (abs(k) + 1) * abs(float(out))
        out = _f(float(v) ** p)
        return out, abs(p) * float(v) ** (p - 1) * m + 2 * abs(float(out))
    v, m = _value(b, t)
    if v is None:
        return None, 0.0
    x, lg = float(v), abs(math.log(a))
    out = _f(a**x)
    # the exponent's error (times log c), the base as a rounded leaf (|x|), the exp itself
    return out, abs(float(out)) * (lg * (m + abs(x)) + abs(x) + 2)


def _pointwise_fn(node: Node) -> tuple[Any, Any]:
    """The scalar function of a power / exp_of node and its domain (for time_spread)."""
    if node["type"] == "exp_of":
        return math.exp, lambda x: True
    a, b = node["a"], node["b"]
    if not isinstance(a, dict):
        return (lambda x: a**x), lambda x: True
    if float(b).is_integer():
        return (lambda x: x**b), lambda x: b > 0 or x != 0
    return (lambda x: x**b), lambda x: x > 0


def _image_spread(node: Node, v: float, s: float) -> float:
    """max |f(x) - f(v)| over |x - v| <= s, f the node's pointwise function (monotone on
    each side of 0, so the ends and 0 are enough); inf where that leaves f's domain."""
    f, ok = _pointwise_fn(node)
    xs = [v - s, v + s] + ([0.0] if v - s < 0 < v + s else [])
    if not all(ok(x) for x in xs):
        return INF
    try:
        f0 = f(v)
        return max(abs(f(x) - f0) for x in xs)  # type: ignore[no-any-return]
    except (OverflowError, ZeroDivisionError):
        return INF


# tokens: seq_len * sum(batch_size(i) for i < t), exact


def _tokens_table(node: Node) -> list[tuple[Fraction, Fraction, Fraction, Fraction]]:
    """Per stretch of the batch size between its breakpoints (where it is linear): its start
    ``e``, the exact sum of the batch sizes before it, the batch size at ``e`` and the slope
    per step (from the batch size at ``e`` and ``e + 1/2``: the reference's own values)."""

    def make() -> list[tuple[Fraction, Fraction, Fraction, Fraction]]:
        bs = node["batch_size"]
        edges = sorted(b for b in _breaks(bs, extent(bs) + 1, 10**6) if b >= 0)
        assert all(e.denominator == 1 for e in edges), edges
        rows = []
        acc = Fraction(0)
        for j, e in enumerate(edges):
            a = frac(_value(bs, e)[0])
            slope = 2 * (frac(_value(bs, e + Fraction(1, 2))[0]) - a)
            rows.append((e, acc, a, slope))
            if j + 1 < len(edges):
                n = edges[j + 1] - e
                acc += a * n + slope * n * (n - 1) / 2  # an arithmetic series
        return rows

    return _memo(node, "_table", make)  # type: ignore[no-any-return]


def _tokens(node: Node, t: Time) -> Value:
    """``seq_len * (before + a k + slope k (k - 1) / 2)``, ``k`` the steps into the stretch
    (the docstring's formula), linear between whole steps (the current step's batch in
    proportion); the clock stops at 2**62."""
    big = Fraction(HORIZON)
    time = big if t == INF or t > big else t
    rows = _tokens_table(node)
    e, before, a, slope = rows[0]
    for row in rows[1:]:
        if row[0] > time:
            break
        e, before, a, slope = row
    k = time - e  # type: ignore[operator]
    n = node["seq_len"]
    whole = math.floor(k)
    inside = (k - whole) * (a + slope * whole)  # (the step under way, in proportion)
    v = n * (before + a * whole + slope * whole * (whole - 1) / 2 + inside)
    fa, fs, fk, fe = abs(float(a)), abs(float(slope)), float(k), float(e)
    # the sum before, and the rounding of k (relative to the stretch's start as well)
    m = n * (float(before) + (fa + fs * fk) * (fk + fe) + fs * fk * fk)
    return v, m + abs(float(v))


def _first_reaching(clock: Node, x: Fraction) -> Fraction | None:
    """The first integer step at which a tokens clock reaches ``x`` (None if not by 2**62)."""
    if _tokens(clock, Fraction(HORIZON))[0] < x:  # type: ignore[operator]
        return None
    lo, hi = 0, HORIZON
    while lo < hi:
        mid = (lo + hi) // 2
        if _tokens(clock, Fraction(mid))[0] >= x:  # type: ignore[operator]
            hi = mid
        else:
            lo = mid + 1
    return Fraction(lo)


def _compose_duration(node: Node) -> Fraction | None:
    """With a tokens clock, the first step at which it reaches the schedule's duration; with
    another clock (or an infinite schedule), the clock's duration."""
    d = duration(node["schedule"])
    clock = node["clock"]
    if d is not None and clock["type"] == "tokens":
        return _first_reaching(clock, d)
    return duration(clock)


# recipes, each by its formula


Phase = tuple[Any, Any, Value]  # (length or None, value at local time, value held after)


def _phases(t: Time, phases: list[Phase]) -> Value:
    """Phases one after the other by the README's boundary rule: a 0-step phase contributes
    nothing (all of them: the last one's end value), the last one's end value is held."""
    live = [p for p in phases if p[0] != 0] or [phases[-1]]
    start = Fraction(0)
    for n, f, _ in live[:-1]:
        if t < start + n:
            return f(t - start)  # type: ignore[no-any-return]
        start += n
    n, f, end = live[-1]
    if t == INF or (n is not None and t - start >= n):
        return end
    return f(t - start)  # type: ignore[no-any-return]


def _hold_phase(v: Fraction, n: Any) -> Phase:
    m = abs(float(v))
    return n, lambda tau: (v, m), (v, m)


def _weight(shape: str, u: Fraction) -> tuple[Fraction, float]:
    """The weight of the start value, 1 at u = 0 to 0 at u = 1, and ``u |dW/du|``."""
    if shape == "linear":
        return 1 - u, float(u)
    if shape == "1-sqrt":  # 1 - sqrt(u), as (1 - u) / (1 + sqrt(u)): no cancellation near 1
        r = math.sqrt(float(u))
        return (1 - u) / (1 + _f(r)), r / 2
    assert shape == "cosine", shape
    c, dc = _cos_factor(u)
    return _f(c), dc * float(u)


def _shape_phase(shape: str, a: Fraction, b: Fraction, n: Any) -> Phase:
    """From ``a`` to ``b`` over ``n`` steps: linear, 1 - sqrt(u) or half a cosine."""
    ends, delta = abs(float(a)) + abs(float(b)), abs(float(a - b))

    def f(tau: Fraction) -> Value:
        w, sens = _weight(shape, tau / n)
        return b + (a - b) * w, ends + delta * (float(w) + sens)

    return n, f, (b, ends)


def _round_half_up(x: float) -> int:
    """A float (the product as Python computes it) rounded to the nearest int, ties up."""
    return math.floor(Fraction(x) + Fraction(1, 2))


def _wsd_decay(node: Node) -> int:
    d = node["decay"]
    return d if d is not None else _round_half_up(node["decay_fraction"] * node["total"])


def _one_cycle_rise(node: Node) -> int:
    return _round_half_up(node["pct_start"] * node["total"])


def _recipe_phases(node: Node, kind: str) -> list[Phase]:
    peak = frac(node["peak"])
    n = node["total"]
    if kind in ("warmup_cosine", "warmup_linear", "wsd"):
        w, start, end = node["warmup"], frac(node["start"]), frac(node["end"])
        rise = _shape_phase("linear", start, peak, w)
        if kind != "wsd":
            shape = "linear" if kind == "warmup_linear" else "cosine"
            return [rise, _shape_phase(shape, peak, end, n - w)]
        d = _wsd_decay(node)
        return [rise, _hold_phase(peak, n - w - d), _shape_phase(node["shape"], peak, end, d)]
    if kind == "one_cycle":  # cosine from peak / div up to peak, down to peak / div / final_div
        w = _one_cycle_rise(node)
        low = peak / frac(node["div"])
        return [
            _shape_phase("cosine", low, peak, w),
            _shape_phase("cosine", peak, low / frac(node["final_div"]), n - w),
        ]
    assert kind == "rex", kind
    w = node["warmup"]
    d = n - w
    mp = abs(float(peak))

    def body(tau: Fraction) -> Value:  # peak (1 - z) / (1/2 + (1 - z) / 2)
        z = tau / d
        num, den = 1 - z, (2 - z) / 2
        v = peak * num / den
        fz, fd = float(z), float(den)
        return v, mp * ((1 + fz) / fd + float(num) * (1 + fz) / fd**2) + 3 * abs(float(v))

    return [_shape_phase("linear", Fraction(0), peak, w), (d, body, (Fraction(0), mp))]


def _inverse_sqrt_base(node: Node, x: Time) -> Value:
    """The warmup from 0 to peak, then ``peak * (1 + tau / timescale) ** -0.5``."""
    peak, w = frac(node["peak"]), node["warmup"]
    scale = frac(node["timescale"] if node["timescale"] is not None else w)
    if x < w:
        return peak * x / w, abs(float(peak))  # type: ignore[operator]
    if x == INF:
        return Fraction(0), abs(float(peak))
    y = 1 + (x - w) / scale  # type: ignore[operator]
    v = peak * _f(float(y) ** -0.5)
    return v, abs(float(v)) * (2 + 0.5 * (math.log(float(y)) + 1))


def _continued(before: Any, at: Fraction, n: int, shape: str, to: Fraction, t: Time) -> Value:
    """``before(t)`` until ``at``; then ``to + (v - to) * W(u)`` with ``v = before(at)`` over
    ``n`` steps, ``to`` after (a 0-step cooldown after ``at > 0`` contributes nothing: ``v``
    is held, as by ``take``)."""
    if t < at:
        return before(t)  # type: ignore[no-any-return]
    v, mv = before(at)
    if n == 0 and at > 0:
        return v, mv
    tau = t - at  # type: ignore[operator]
    if tau == INF or tau >= n:
        return to, abs(float(to))
    w, sens = _weight(shape, tau / n)
    return to + (v - to) * w, abs(float(to)) + mv + abs(float(v - to)) * (1 + sens)


def _exp_every(node: Node, kind: str, t: Time) -> Value:
    """``start * r ** (t / every)``, the exponent floored with staircase; with ``steps``, the
    value at ``steps`` held after."""
    start, every, n = frac(node["start"]), frac(node["every"]), node["steps"]
    r = node["rate"] if kind == "exp_every" else node["factor"]
    stairs = kind == "step_decay" or node["staircase"]
    if n is not None and (t == INF or t > n):
        t = frac(n)
    if t == INF:  # infinite, so r <= 1
        return (start if r == 1 else Fraction(0)), abs(float(start))
    x = t / every
    if stairs:
        x = Fraction(math.floor(x))
    v = start * _f(r ** float(x))
    return v, abs(float(v)) * (2 + abs(math.log(r)) * float(x))


def _sgdr_tree(node: Node) -> Node:
    """sgdr as its docstring defines it: ``repeat(cosine(peak, end, period), times,
    stretch=mult)``, in ``scale_by_cycle(..., decay, floor=end)`` when ``decay != 1``."""

    def make() -> Node:
        body = {
            "type": "cosine",
            "start": node["peak"],
            "end": node["end"],
            "steps": node["period"],
            "power": 1.0,
        }
        rep = {"type": "repeat", "schedule": body, "times": node["times"], "stretch": node["mult"]}
        if node["decay"] == 1:
            return rep
        factor, floor = node["decay"], node["end"]
        return {"type": "scale_by_cycle", "schedule": rep, "factor": factor, "floor": floor}

    return _memo(node, "_tree", make)  # type: ignore[no-any-return]


def _recipe(node: Node, kind: str, t: Time) -> Value:
    if kind == "sgdr":
        return _value(_sgdr_tree(node), t)
    if kind in ("cooldown", "rewarm"):
        s, at, to = node["schedule"], frac(node["at"]), frac(node["to"])
        return _continued(lambda x: _value(s, x), at, node["steps"], node["shape"], to, t)
    if kind == "inverse_sqrt":
        n, c = node["total"], node["cooldown"]
        if n is None:
            return _inverse_sqrt_base(node, t)
        if c == 0:  # cut at total: its value there held
            return _inverse_sqrt_base(node, t if t != INF and t < n else frac(n))
        return _continued(
            lambda x: _inverse_sqrt_base(node, x), frac(n - c), c, node["shape"], Fraction(0), t
        )
    if kind in ("exp_every", "step_decay"):
        return _exp_every(node, kind, t)
    if kind == "multistep":  # start * factor ** (milestones reached), each one counted
        start, factor = frac(node["start"]), frac(node["factor"])
        k = sum(1 for m in node["milestones"] if t >= m)
        v = start * factor**k
        return v, abs(float(v)) * (2 + 2 * k)
    return _phases(t, _recipe_phases(node, kind))


def _recipe_duration(node: Node) -> Fraction | None:
    kind = kind_of(node)
    if kind == "sgdr":
        return duration(_sgdr_tree(node))
    if kind in ("cooldown", "rewarm"):
        return frac(node["at"]) + node["steps"]
    if kind == "multistep":
        ms = node["milestones"]
        return frac(ms[-1]) if ms else Fraction(0)
    n = node["steps"] if kind in ("exp_every", "step_decay") else node["total"]
    return None if n is None else frac(n)


def _spread12(node: Node, kind: str, t: Fraction, rel: Fraction) -> float:
    if kind == "switch":
        at = frac(node["at"])
        own = _moves(node, t, _h(rel, t, at))
        return own + _spread(node["a"] if t < at else node["b"], t, rel)
    if kind == "value_at":  # the step, computed in the time's type
        k, s = frac(node["step"]), node["schedule"]
        return _moves(s, k, _h(rel, k)) + _spread(s, k, rel)
    if kind in ("power", "exp_of"):
        child = children(node)[0]
        sc = _spread(child, t, rel)
        v = _value(child, t)[0]
        if sc == 0 or v is None:
            return 0.0
        return _image_spread(node, float(v), sc)
    if kind == "tokens":
        return 0.0  # its time's rounding is in the value's error scale
    if kind == "compose":
        # the schedule is read at the clock's value, a float off by the clock's own rounding
        # (its error scale) and by the clock's time spread
        clock, s = node["clock"], node["schedule"]
        c, mc = _value(clock, t)
        sc = _spread(clock, t, rel)
        if c is None or not math.isfinite(sc):
            return INF
        h = rel * _f(mc) + _f(sc)
        if h >= 1:
            return INF  # a step or more uncertain: only the schedule's range is known
        c = max(frac(c), Fraction(0))
        return _moves(s, c, h) + _spread(s, c, rel)
    if kind in ("cooldown", "rewarm"):
        at, s = frac(node["at"]), node["schedule"]
        own = _moves(node, t, _h(rel, t, at))
        if t < at:
            return own + _spread(s, t, rel)
        return own + _moves(s, at, _h(rel, at)) + _spread(s, at, rel)
    if kind == "sgdr":
        return _spread(_sgdr_tree(node), t, rel)
    # a recipe of whole-step phases: the offsets, computed in the time's type
    return _moves(node, t, _h(rel, t))


def _recipe_edges(node: Node, kind: str) -> set[Fraction]:
    n = node["total"]
    if kind == "inverse_sqrt":
        out = {frac(node["warmup"])}
        if n is not None:
            out.update((frac(n), frac(n - node["cooldown"])))
        return out
    if kind == "one_cycle":
        return {frac(_one_cycle_rise(node)), frac(n)}
    out = {frac(node["warmup"]), frac(n)}
    if kind == "wsd":
        out.add(frac(n - _wsd_decay(node)))
    return out


def _breaks12(node: Node, kind: str, horizon: Fraction, limit: int) -> set[Fraction]:
    out: set[Fraction] = set()
    if kind == "switch":
        at = frac(node["at"])
        out.add(at)
        out.update(b for b in _breaks(node["a"], min(horizon, at), limit) if b < at)
        out.update(b for b in _breaks(node["b"], horizon, limit) if b >= at)
    elif kind == "tokens":
        out.update(_breaks(node["batch_size"], horizon, limit))
    elif kind == "compose":
        clock = node["clock"]
        out.update(_breaks(clock, horizon, limit))
        if clock["type"] == "tokens":  # the steps where the clock crosses the schedule's
            top = frac(_tokens(clock, horizon)[0])
            for b in sorted(_breaks(node["schedule"], top, limit))[:limit]:
                step = _first_reaching(clock, b)
                if step is not None:
                    out.update((step - 1, step))
    elif kind in ("cooldown", "rewarm"):
        at = frac(node["at"])
        out.update(b for b in _breaks(node["schedule"], min(horizon, at), limit) if b < at)
        out.update((at, at + node["steps"]))
    elif kind == "sgdr":
        out.update(_breaks(_sgdr_tree(node), horizon, limit))
    elif kind in ("exp_every", "step_decay"):
        e = frac(node["every"])
        if kind == "step_decay" or node["staircase"]:
            out.update(e * i for i in range(1, 4))
        if node["steps"] is not None:
            n = frac(node["steps"])
            out.update((n, math.floor(n / e) * e))
    elif kind == "multistep":
        out.update(frac(m) for m in node["milestones"])
    elif kind in _RECIPES:
        out.update(_recipe_edges(node, kind))
    return out
