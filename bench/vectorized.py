"""1. Vectorized evaluation on JAX CPU (jitted) and 4. the NumPy path, against optax and floors."""

from __future__ import annotations

from typing import Any

import numpy as np

from bench import cases
from bench.harness import interleaved, ms, ratio, table, x


def _agree(a: Any, b: Any) -> float:
    """Largest difference relative to the largest value."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b)) / np.max(np.abs(b)))


def _candidates(
    t: Any, s: Any, closed: Any, by_arg: Any, cos_floor: Any, fill_floor: Any, peer: Any
) -> dict[str, Any]:
    """The zero-argument callables timed for one case (each blocks until its result is ready)."""
    cands = {
        "cos": lambda: cos_floor(t).block_until_ready(),
        "fill": lambda: fill_floor(t).block_until_ready(),
        "schedalg": lambda: closed(t).block_until_ready(),
        "schedalg_arg": lambda: by_arg(s, t).block_until_ready(),
    }
    if peer is not None:
        cands["optax"] = lambda: peer(t).block_until_ready()
    return cands


def run_jax(ns: list[int], ks: list[int], rounds: int) -> tuple[str, list[dict]]:
    """Time every case at every N; returns (markdown, result records)."""
    import jax
    import jax.numpy as jnp

    records: list[dict] = []
    rows: list[list[Any]] = []
    cos_floor = jax.jit(lambda t: jnp.cos(t.astype(jnp.float32)))
    fill_floor = jax.jit(lambda t: jnp.full(t.shape, 0.5, jnp.float32))
    by_arg = jax.jit(lambda s, t: s(t))
    for n in ns:
        t = jnp.arange(n)
        for name, k, build in cases.vectorized_cases(ks):
            s, o = build(n)
            closed = jax.jit(lambda t, s=s: s(t))
            peer = jax.jit(o) if o is not None else None
            cands = _candidates(t, s, closed, by_arg, cos_floor, fill_floor, peer)
            agree = None if peer is None else _agree(closed(t), peer(t))
            tm = interleaved(cands, rounds)
            rec = {
                "name": name,
                "K": k,
                "N": n,
                "schedalg_s": tm["schedalg"].median,
                "vs_cos": ratio(tm["schedalg"], tm["cos"]),
                "arg_vs_cos": ratio(tm["schedalg_arg"], tm["cos"]),
                "fill_vs_cos": ratio(tm["fill"], tm["cos"]),
                "cos_s": tm["cos"].median,
                "optax_s": tm["optax"].median if o is not None else None,
                "optax_vs_cos": ratio(tm["optax"], tm["cos"]) if o is not None else None,
                "vs_optax": ratio(tm["schedalg"], tm["optax"]) if o is not None else None,
                "optax_rounds": len(tm["optax"].done) if o is not None else 0,
                "agree": agree,
            }
            records.append(rec)
            rows.append(
                [
                    name,
                    "-" if k is None else k,
                    f"{n:.0e}",
                    ms(rec["cos_s"]),
                    x(rec["fill_vs_cos"]),
                    ms(rec["schedalg_s"]),
                    x(rec["vs_cos"]),
                    x(rec["arg_vs_cos"]),
                    ms(rec["optax_s"]) + ("" if rec["optax_rounds"] != 1 else " (1 run)"),
                    x(rec["optax_vs_cos"]),
                    x(rec["vs_optax"]),
                    "-" if agree is None else f"{agree:.1e}",
                ]
            )
    header = [
        "schedule",
        "K",
        "N",
        "cos floor ms",
        "fill / cos",
        "schedalg ms",
        "schedalg / cos",
        "schedalg (jit arg) / cos",
        "optax ms",
        "optax / cos",
        "schedalg / optax",
        "max rel diff",
    ]
    return table(header, rows), records


def run_numpy(n: int, ks: list[int], rounds: int) -> tuple[str, list[dict]]:
    """schedalg's NumPy path over arange(n) against np.cos over the same array."""
    t = np.arange(n)
    builds = [
        ("warmup+cosine", None, cases.warmup_cosine),
        ("SGDR T_mult=2 (10 cycles)", None, cases.sgdr),
        ("1cycle", None, cases.onecycle),
    ]
    builds += [("piecewise", k, lambda n, k=k: cases.piecewise(n, k)) for k in ks[-1:]]
    builds += [("concat (mixed kinds)", k, lambda n, k=k: cases.concat(n, k)) for k in ks[-1:]]
    records, rows = [], []
    for name, k, build in builds:
        s, _ = build(n)
        tm = interleaved({"cos": lambda: np.cos(t), "schedalg": lambda s=s: s(t)}, rounds)
        rec = {"name": name, "K": k, "N": n, "vs_cos": ratio(tm["schedalg"], tm["cos"])}
        rec["schedalg_s"], rec["cos_s"] = tm["schedalg"].median, tm["cos"].median
        records.append(rec)
        rows.append(
            [
                name,
                "-" if k is None else k,
                f"{n:.0e}",
                ms(rec["cos_s"]),
                ms(rec["schedalg_s"]),
                x(rec["vs_cos"]),
            ]
        )
    header = ["schedule", "K", "N", "np.cos ms", "schedalg ms", "schedalg / np.cos"]
    return table(header, rows), records
