"""2. Compile time (trace + XLA compile) and jaxpr size against K; jit-argument cost."""

from __future__ import annotations

import statistics
import time
from typing import Any

from bench import cases
from bench.harness import ms, per_call, table


def _count_eqns(jaxpr: Any) -> int:
    """Equations in a jaxpr, counting those of nested jaxprs (pjit, custom_jvp, ...)."""
    from jax.extend import core as jcore

    n = 0
    for eqn in jaxpr.eqns:
        n += 1
        for v in eqn.params.values():
            subs = v if isinstance(v, (list, tuple)) else [v]
            for sub in subs:
                if isinstance(sub, jcore.ClosedJaxpr):
                    n += _count_eqns(sub.jaxpr)
                elif isinstance(sub, jcore.Jaxpr):
                    n += _count_eqns(sub)
    return n


def _clear_caches() -> None:
    """Forget schedalg's per-table lowering cache, so every compile below is cold."""
    from schedalg import _lower

    _lower._plan.cache_clear()


def _compile_s(fn: Any, *args: Any) -> float:
    import jax

    _clear_caches()
    start = time.perf_counter()
    jax.jit(fn).lower(*args).compile()
    return time.perf_counter() - start


def run(ks: list[int], n: int, repeats: int) -> tuple[str, list[dict]]:
    import jax
    import jax.numpy as jnp

    spec = jax.ShapeDtypeStruct((n,), jnp.int32)
    tiny = jnp.arange(4)
    by_arg = jax.jit(lambda s, t: s(t))
    records, rows = [], []
    for k in ks:
        s, o = cases.concat(n, k)
        closed = [_compile_s(lambda t, s=s: s(t), spec) for _ in range(repeats)]
        arg = [_compile_s(lambda s, t: s(t), s, spec) for _ in range(repeats)]
        eqns = _count_eqns(jax.make_jaxpr(lambda t, s=s: s(t))(spec).jaxpr)
        by_arg(s, tiny).block_until_ready()
        call = per_call(lambda s=s: by_arg(s, tiny).block_until_ready(), 200, 5)
        rec = {
            "K": k,
            "closed_s": statistics.median(closed),
            "arg_s": statistics.median(arg),
            "eqns": eqns,
            "arg_call_s": call,
            "leaves": len(jax.tree_util.tree_leaves(s)),
        }
        if o is not None:
            rec["optax_s"] = statistics.median(
                [_compile_s(lambda t, o=o: o(t), spec) for _ in range(repeats)]
            )
            rec["optax_eqns"] = _count_eqns(jax.make_jaxpr(lambda t, o=o: o(t))(spec).jaxpr)
        records.append(rec)
        rows.append(
            [
                k,
                ms(rec["closed_s"]),
                ms(rec["arg_s"]),
                eqns,
                rec["leaves"],
                f"{call * 1e6:.0f}",
                ms(rec.get("optax_s")),
                rec.get("optax_eqns", "-"),
            ]
        )
    header = [
        "K (mixed concat)",
        "schedalg closed over: trace+compile ms",
        "schedalg as jit argument: trace+compile ms",
        "schedalg jaxpr eqns",
        "pytree leaves",
        "jit call with schedule argument, us (4 steps)",
        "optax join_schedules: trace+compile ms",
        "optax jaxpr eqns",
    ]
    return table(header, rows), records
