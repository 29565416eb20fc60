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
_UNARY_POINTWISE = ("neg", "clip")


def children(node: Node) -> list[Node]:
    """The schedule-valued fields of a node, in order."""
    kind = node["type"]
    if kind == "concat":
        return list(node["pieces"])
    if kind in _BINOPS:
        return [node["a"], node["b"]]
    if kind == "neg":
        return [node["a"]]
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
    if kind == "clip":
        return is_constant(node["schedule"])
    return False


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
    kind = node["type"]
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
    within the error of a computed time counts in full. 0 where ``rel`` is 0 or t = inf.
    """
    if rel == 0 or t == INF:
        return 0.0
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
    kind = node["type"]
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
    kind = node["type"]
    d = duration(node)
    out: set[Fraction] = {Fraction(0)}
    if d is not None:
        out.add(d)
    if kind == "piecewise":
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


def extent(node: Node) -> Fraction:
    """The largest time-like magnitude in the tree (durations, shifts, boundaries)."""
    big = Fraction(0)
    for n in walk(node):
        d = duration(n)
        if d is not None:
            big = max(big, abs(d))
        for key in ("steps", "every"):
            if n["type"] in ("shift", "staircase", "take") and key in n:
                big = max(big, abs(frac(n[key])))
        if n["type"] == "piecewise" and n["boundaries"]:
            big = max(big, frac(n["boundaries"][-1]))
    return big


def has_float_time(node: Node) -> bool:
    """Whether a backend must compute some time in floating point for this tree.

    True where a length, boundary or cycle start is not a whole number of steps, or where the
    docs define time through a division or a power (``scale_time``, ``warp``) or a stretch
    that is not an integer (cycle starts then come from a closed form in floats).
    """
    for n in walk(node):
        kind = n["type"]
        if kind in ("scale_time", "warp"):
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
