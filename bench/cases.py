"""The schedules benchmarked, each built in schedalg and, where it exists, as its optax peer.

Every builder returns ``(schedalg_schedule, optax_schedule_or_None)`` for the same values
step by step; the benchmarks check that they agree before timing them.
"""

from __future__ import annotations

from typing import Any

import schedalg as sa

PEAK = 1e-3
# optax's peers whose cost grows with K (join_schedules evaluates every piece everywhere and
# takes minutes to compile at K = 4096; piecewise_constant_schedule is a K-step Python loop
# of array ops) are built up to this K.
OPTAX_MAX_K = 256


def warmup_cosine(n: int) -> tuple[Any, Any]:
    """Linear warmup over the first 10% of n steps, then a cosine decay to 0."""
    import optax

    w = n // 10
    s = sa.linear_ramp(0.0, PEAK, w) >> sa.cosine(PEAK, 0.0, n - w)
    o = optax.warmup_cosine_decay_schedule(0.0, PEAK, w, n, 0.0)
    return s, o


def sgdr(n: int, cycles: int = 10) -> tuple[Any, Any]:
    """SGDR with T_mult = 2: ``cycles`` cosine cycles filling n steps."""
    import optax

    t0 = max(1, n // (2**cycles - 1))
    s = sa.repeat(sa.cosine(PEAK, 0.0, t0), times=cycles, stretch=2.0)
    kwargs = [
        dict(init_value=PEAK, peak_value=PEAK, decay_steps=t0 * 2**k, warmup_steps=0, end_value=0.0)
        for k in range(cycles)
    ]
    return s, optax.sgdr_schedule(kwargs)


def onecycle(n: int) -> tuple[Any, Any]:
    """1cycle (cosine phases): peak/25 -> peak over 30% of n, then -> peak/25/1e4."""
    import jax
    import optax

    w = int(0.3 * n)
    s = sa.cosine(PEAK / 25, PEAK, w) >> sa.cosine(PEAK, PEAK / 25 / 1e4, n - w)
    o = optax.cosine_onecycle_schedule(n, PEAK, pct_start=0.3, div_factor=25.0)
    # optax's piecewise_interpolate_schedule takes a scalar count: over an array it needs vmap.
    return s, jax.vmap(o)


def piecewise(n: int, k: int) -> tuple[Any, Any]:
    """Piecewise constant with k pieces of equal length over n steps, values PEAK, PEAK/2, ..."""
    import optax

    length = max(1, n // k)
    bounds = [length * i for i in range(1, k)]
    values = [PEAK if i % 2 == 0 else PEAK / 2 for i in range(k)]
    s = sa.piecewise(bounds, values) if k > 1 else sa.hold(PEAK)
    o = None
    if k <= OPTAX_MAX_K:
        scales = {b: (0.5 if i % 2 == 0 else 2.0) for i, b in enumerate(bounds)}
        o = optax.piecewise_constant_schedule(PEAK, scales)
    if k == 1:  # optax returns the bare constant: broadcast it, so both fill the array
        o = _broadcast(o)
    return s, o


def _broadcast(schedule: Any) -> Any:
    import jax.numpy as jnp

    return lambda t: jnp.broadcast_to(schedule(t), jnp.shape(t))


def _piece(i: int, length: int) -> tuple[Any, Any]:
    """Piece i of a mixed concat: linear, cosine, constant, exponential in turn."""
    import optax

    hi = PEAK * (1.0 + 0.01 * (i % 7))
    lo = hi / 10
    kind = i % 4
    if kind == 0:
        return sa.linear_ramp(lo, hi, length), optax.linear_schedule(lo, hi, length)
    if kind == 1:
        return sa.cosine(hi, lo, length), optax.cosine_decay_schedule(hi, length, alpha=0.1)
    if kind == 2:
        return sa.hold(hi, length), optax.constant_schedule(hi)
    return sa.exp(hi, lo, length), optax.exponential_decay(hi, length, 0.1, end_value=lo)


def concat(n: int, k: int) -> tuple[Any, Any]:
    """A concat of k pieces of equal length over n steps, kinds mixed (see ``_piece``)."""
    import optax

    length = max(1, n // k)
    pairs = [_piece(i, length) for i in range(k)]
    s = sa.concat(*[p[0] for p in pairs])
    o = None
    if k <= OPTAX_MAX_K:
        o = optax.join_schedules([p[1] for p in pairs], [length * i for i in range(1, k)])
    return s, o


def continuation(n: int) -> tuple[Any, Any]:
    """A warmup + cosine run cooled down linearly over its last 20% from the value it has there
    (``cooldown``, the start value read from the leaves). The optax peer pastes that value."""
    import optax

    w, k = n // 10, int(0.8 * n)
    run = sa.warmup_cosine(PEAK, w, n)
    s = sa.cooldown(run, at=k, steps=n - k)
    o = optax.join_schedules(
        [
            optax.warmup_cosine_decay_schedule(0.0, PEAK, w, n, 0.0),
            optax.linear_schedule(run(k), 0.0, n - k),
        ],
        [k],
    )
    return s, o


def token_clock(n: int) -> tuple[Any, Any]:
    """Warmup + cosine written in tokens, read through a token clock whose batch size ramps
    from 64 to 512 sequences (of 1024 tokens) over the first 10% of n updates. The peer is
    optax's schedule of the same token count, written by hand in jnp."""
    import jax.numpy as jnp
    import optax

    r, a, b, seq = max(1, n // 10), 64.0, 512.0, 1024
    clock = sa.tokens(sa.linear_ramp(a, b, r) >> b, seq)
    total = int(clock(n))
    s = sa.warmup_cosine(PEAK, total // 10, total).at(clock)
    # (float lengths: optax clips the count with them, and int32 cannot hold them)
    peer = optax.warmup_cosine_decay_schedule(0.0, PEAK, float(total // 10), float(total), 0.0)
    slope = (b - a) / r
    ramp_sum = a * r + slope * (r * (r - 1) / 2)

    def o(t: Any) -> Any:
        tf = t.astype(jnp.float32)
        tok = jnp.where(tf < r, a * tf + slope * tf * (tf - 1) / 2, ramp_sum + b * (tf - r))
        return peer(tok * seq)

    return s, o


def vectorized_cases(ks: list[int]) -> list[tuple[str, int | None, Any]]:
    """(name, K, builder(n)) for the vectorized-evaluation benchmark."""
    out: list[tuple[str, int | None, Any]] = [
        ("warmup+cosine", None, warmup_cosine),
        ("SGDR T_mult=2 (10 cycles)", None, sgdr),
        ("1cycle", None, onecycle),
        ("cooldown from the run's value (continuation)", None, continuation),
        ("warmup+cosine in tokens (token clock)", None, token_clock),
    ]
    out += [("piecewise", k, lambda n, k=k: piecewise(n, k)) for k in ks]
    out += [("concat (mixed kinds)", k, lambda n, k=k: concat(n, k)) for k in ks]
    return out
