"""Run the benchmark suite and write bench/RESULTS.md.

    python -m bench            # the full suite (a few minutes on 2 cores)
    python -m bench --quick    # a smoke run on tiny sizes (seconds; numbers mean nothing)

Every section times schedalg and its peer in one process (interleaved rounds, warm-up,
medians); see bench/harness.py. JAX runs on CPU.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)
os.environ.setdefault("JAX_PLATFORMS", "cpu")

from bench import compile as compile_bench  # noqa: E402
from bench import startup, torch_step, vectorized  # noqa: E402
from bench.harness import environment, table, x  # noqa: E402

FULL = dict(
    ns=[100_000, 1_000_000, 10_000_000],
    ks=[1, 16, 256, 4096],
    rounds=7,
    compile_n=1_000_000,
    compile_repeats=3,
    numpy_n=10_000_000,
    torch_steps=20_000,
    torch_rounds=5,
    py_calls=20_000,
    py_rounds=7,
    import_repeats=3,
    memory_n=10_000_000,
    memory_k=4096,
)
QUICK = dict(
    ns=[1000],
    ks=[1, 16, 256],
    rounds=3,
    compile_n=1000,
    compile_repeats=1,
    numpy_n=1000,
    torch_steps=200,
    torch_rounds=2,
    py_calls=500,
    py_rounds=2,
    import_repeats=1,
    memory_n=1000,
    memory_k=256,
)


def _section(title: str, fn: Callable[[], tuple[str, Any]]) -> tuple[str, Any]:
    start = time.perf_counter()
    print(f"== {title} ...", flush=True)
    md, rec = fn()
    print(md, flush=True)
    print(f"   ({time.perf_counter() - start:.0f} s)", flush=True)
    return md, rec


def _targets(res: dict[str, Any], cfg: dict[str, Any]) -> list[list[str]]:
    """(target, measured, met?) lines from the records."""
    out = []
    vec = res["vectorized"]
    nmax = max(cfg["ns"])
    big = [r for r in vec if r["N"] == nmax]

    def line(target: str, measured: str, ok: bool) -> None:
        out.append([target, measured, "met" if ok else "**missed**"])

    worst = max((r for r in vec if r["vs_optax"] is not None), key=lambda r: r["vs_optax"])
    line(
        "schedalg / optax <= 1.05 on every schedule, every N",
        f"worst {x(worst['vs_optax'])} ({worst['name']}, K={worst['K']}, N={worst['N']:.0e})",
        worst["vs_optax"] <= 1.05,
    )
    for name in ("warmup+cosine", "SGDR T_mult=2 (10 cycles)", "1cycle"):
        r = next(r for r in big if r["name"] == name)
        line(f"{name} <= 1.5x the cos floor (N={nmax:.0e})", x(r["vs_cos"]), r["vs_cos"] <= 1.5)
    for name in (  # issue 12: continuation pieces and the token clock, also as a jit argument
        "cooldown from the run's value (continuation)",
        "warmup+cosine in tokens (token clock)",
    ):
        r = next(r for r in big if r["name"] == name)
        w = max(r["vs_cos"], r["arg_vs_cos"])
        line(
            f"{name} <= 1.5x the cos floor, closed over and as argument (N={nmax:.0e})",
            f"{x(r['vs_cos'])} / {x(r['arg_vs_cos'])}",
            w <= 1.5,
        )
    for name in ("piecewise", "concat (mixed kinds)"):
        rs = {r["K"]: r for r in big if r["name"] == name}
        kmax = max(rs)
        worst_k = max(rs.values(), key=lambda r: max(r["vs_cos"], r["arg_vs_cos"]))
        w = max(worst_k["vs_cos"], worst_k["arg_vs_cos"])
        line(
            f"{name}: <= 3x the cos floor at every K, closed over and as argument (N={nmax:.0e})",
            f"worst {x(w)} (K={worst_k['K']})",
            w <= 3,
        )
        if 256 in rs and kmax > 256:
            flat = rs[kmax]["schedalg_s"] / rs[256]["schedalg_s"]
            line(f"{name}: K={kmax} <= 1.5x K=256 (N={nmax:.0e})", x(flat), flat <= 1.5)
    comp = res["compile"]
    c = max(comp, key=lambda r: r["K"])
    worst_c = max(c["closed_s"], c["arg_s"])
    line(
        f"compile (trace + XLA) <= 0.3 s at K={c['K']}, closed over and as argument",
        f"{c['closed_s']:.2f} s / {c['arg_s']:.2f} s",
        worst_c <= 0.3,
    )
    eq = {r["eqns"] for r in comp if r["K"] > 8}
    line("jaxpr equations flat in K (K > 8)", ", ".join(str(e) for e in sorted(eq)), len(eq) == 1)
    tr = [r for r in res["torch"] if "ParamScheduler" not in r["name"]]
    worst_t = max(tr, key=lambda r: r["ratio"])
    line(
        "torch: to_lambda_lr step <= 1.0x the native scheduler",
        f"worst {x(worst_t['ratio'])} ({worst_t['name']}, {worst_t['groups']} groups)",
        worst_t["ratio"] <= 1.0,
    )
    worst_p = max(res["plateau"], key=lambda r: r["ratio"])
    line(
        "torch: schedule + plateau step()/report() <= 1.5x ReduceLROnPlateau.step(metric)",
        f"worst {x(worst_p['ratio'])} ({worst_p['name']}, {worst_p['groups']} groups)",
        worst_p["ratio"] <= 1.5,
    )
    three = next(r for r in res["python"] if r["name"].startswith("schedalg 3 pieces"))
    line(
        "pure-Python s(t), 3 pieces <= 1 us",
        f"{three['call_s'] * 1e6:.2f} us",
        three["call_s"] <= 1e-6,
    )
    wc = next(r for r in res["numpy"] if r["name"] == "warmup+cosine")
    worst_np = max(res["numpy"], key=lambda r: r["vs_cos"])
    line(
        f"NumPy path <= 2x np.cos (N={cfg['numpy_n']:.0e})",
        f"warmup+cosine {x(wc['vs_cos'])}; worst {x(worst_np['vs_cos'])} ({worst_np['name']})",
        worst_np["vs_cos"] <= 2,
    )
    imp = {r["module"]: r for r in res["imports"]}
    delta = imp["schedalg"]["wall_s"] - imp["numpy"]["wall_s"]
    line("import schedalg < 50 ms above numpy", f"{delta * 1e3:+.0f} ms", delta < 0.05)
    mem = res["memory"]
    worst_m = max(mem, key=lambda r: r["peak_growth_b"] / r["output_b"])
    line(
        f"no O(N*K) memory (N={cfg['memory_n']:.0e}, K={cfg['memory_k']})",
        f"peak growth {worst_m['peak_growth_b'] / worst_m['output_b']:.1f}x the output "
        f"({worst_m['backend']})",
        worst_m["peak_growth_b"] < 0.01 * worst_m["n_times_k_b"],
    )
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="tiny sizes: a smoke run")
    ap.add_argument("--out", default=os.path.join(HERE, "RESULTS.md"), help="markdown output")
    args = ap.parse_args(argv)
    cfg = QUICK if args.quick else FULL
    started = time.perf_counter()
    env = environment()
    res: dict[str, Any] = {}
    md: dict[str, str] = {}
    md["vectorized"], res["vectorized"] = _section(
        "1. vectorized evaluation (JAX CPU, jit)",
        lambda: vectorized.run_jax(cfg["ns"], cfg["ks"], cfg["rounds"]),
    )
    md["compile"], res["compile"] = _section(
        "2. compile time vs K",
        lambda: compile_bench.run(
            cfg["ks"] + [4096] if 4096 not in cfg["ks"] else cfg["ks"],
            cfg["compile_n"],
            cfg["compile_repeats"],
        ),
    )
    md["torch"], res["torch"] = _section(
        "3. torch scheduler.step()",
        lambda: torch_step.run_torch(cfg["torch_steps"], cfg["torch_rounds"]),
    )
    md["python"], res["python"] = _section(
        "3b. pure-Python s(t)",
        lambda: torch_step.run_python_call(cfg["py_calls"], cfg["py_rounds"]),
    )
    md["plateau"], res["plateau"] = _section(
        "3c. torch schedule + plateau",
        lambda: torch_step.run_plateau(cfg["torch_steps"], cfg["torch_rounds"]),
    )
    md["numpy"], res["numpy"] = _section(
        "4. NumPy path", lambda: vectorized.run_numpy(cfg["numpy_n"], cfg["ks"], cfg["rounds"])
    )
    md["imports"], res["imports"] = _section(
        "5. import time",
        lambda: startup.run_imports(cfg["import_repeats"], ["numpy", "schedalg", "optax", "torch"]),
    )
    md["memory"], res["memory"] = _section(
        "6. peak memory", lambda: startup.run_memory(cfg["memory_n"], cfg["memory_k"])
    )
    targets = _targets(res, cfg)
    elapsed = time.perf_counter() - started
    write(args.out, env, md, targets, args.quick, elapsed)
    print(table(["target", "measured", ""], targets))
    print(f"wrote {args.out} ({elapsed:.0f} s)")


def write(
    path: str,
    env: dict[str, str],
    md: dict[str, str],
    targets: list[list[str]],
    quick: bool,
    elapsed: float,
) -> None:
    cmd = "python -m bench" + (" --quick" if quick else "")
    parts = [
        "# schedalg benchmark results",
        "",
        f"Made by `{cmd}` in {elapsed:.0f} s"
        + (" (a smoke run on tiny sizes: these numbers mean nothing)." if quick else "."),
        "",
        "Ratios are medians over interleaved rounds of per-round ratios (each round runs every",
        "candidate once, in a rotated order), after a warm-up call. JAX runs on CPU; its",
        "floors are a jitted `jnp.cos` over the same `int32` array of steps (the *cos floor*)",
        "and a jitted `jnp.full` of the same shape (the *fill*). Times are wall-clock.",
        "Python and torch per-call costs are process CPU time (`time.process_time`), which",
        "a shared machine's load does not inflate.",
        "",
        "## Environment",
        "",
        table(["", ""], [[k, v] for k, v in env.items()]),
        "",
        "## Targets",
        "",
        table(["target", "measured", ""], targets),
        "",
        "## 1. Vectorized evaluation over arange(N), jitted on JAX CPU",
        "",
        "Peers: `optax.warmup_cosine_decay_schedule`, `optax.sgdr_schedule`,",
        "`optax.cosine_onecycle_schedule` (under `jax.vmap`: it takes a scalar count),",
        "`optax.piecewise_constant_schedule`, `optax.join_schedules` of `linear_schedule`,",
        "`cosine_decay_schedule`, `constant_schedule`, `exponential_decay` pieces. optax's",
        "piecewise and join are built up to K = 256 only (join_schedules evaluates every piece",
        "on every step and takes minutes to compile at K = 4096). A peer whose first call takes",
        "over a second is timed once (`1 run`). `max rel diff`: largest difference between",
        "schedalg's and optax's values over the array, relative to the largest value (both in",
        "float32): they compute the same schedule.",
        "",
        md["vectorized"],
        "",
        "## 2. Compile time and program size against K",
        "",
        "A concat of K mixed pieces over N steps; each compile is cold (schedalg's lowering",
        "cache cleared, a new `jax.jit`). Median of repeats.",
        "",
        md["compile"],
        "",
        "## 3. torch: `scheduler.step()` cost",
        "",
        "schedalg's side is `schedalg.torch.to_lambda_lr(optimizer, schedule)` (a `LambdaLR`",
        "whose lambda is the schedule), except the last row (`ParamScheduler`). SGD with 1 or",
        "10 param groups. Per step, over a run of steps on a fresh scheduler.",
        "",
        md["torch"],
        "",
        "### Schedule and reduce-on-plateau in one scheduler",
        "",
        '`ParamScheduler(optimizer, {"lr": warmup_cosine}, plateau=reduce_on_plateau())`:',
        "`step()` after every update and `report(metric)` after each evaluation, each beside",
        "torch's `ReduceLROnPlateau.step(metric)` on the same metric stream (which stalls, so",
        "reductions happen). Per call, over a run on a fresh scheduler; median of rounds.",
        "",
        md["plateau"],
        "",
        "### Pure-Python `s(t)`",
        "",
        md["python"],
        "",
        "## 4. NumPy path",
        "",
        md["numpy"],
        "",
        "## 5. Import time (fresh subprocesses)",
        "",
        md["imports"],
        "",
        "## 6. Peak memory (fresh subprocesses, peak RSS from `/proc/self/status` VmHWM)",
        "",
        "Growth of the peak RSS while evaluating a K-piece mixed concat over arange(N) (NumPy:",
        "float64 output, plus the clamped copy of the int64 input; JAX: float32, jitted,",
        "compiled beforehand).",
        "",
        md["memory"],
        "",
    ]
    with open(path, "w") as f:
        f.write("\n".join(parts))


if __name__ == "__main__":
    main()
