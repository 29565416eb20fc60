"""5. Import time and 6. peak memory, each measured in fresh subprocesses (Linux: VmHWM)."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time

from bench.harness import table

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
    # Import times are measured as a user sees them: with bytecode caches (installed
    # packages have theirs; a checkout writes its own on the first, untimed, import).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def _wall(code: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, env=_env(), cwd=ROOT)
    return time.perf_counter() - start


def _importtime_us(module: str) -> int:
    """Cumulative import time of ``module`` as ``python -X importtime`` reports it."""
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {module}"],
        check=True,
        env=_env(),
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stderr
    for line in reversed(out.splitlines()):
        parts = [p.strip() for p in line.split("|")]
        if len(parts) == 3 and parts[2] == module:
            return int(parts[1])
    raise RuntimeError(f"no importtime line for {module}")


def run_imports(repeats: int, modules: list[str]) -> tuple[str, list[dict]]:
    """Wall time of ``python -c 'import X'`` minus the bare interpreter, interleaved."""
    codes = {"(bare python)": "pass", **{m: f"import {m}" for m in modules}}
    for code in codes.values():  # warm-up: bytecode caches and the OS file cache
        _wall(code)
    walls: dict[str, list[float]] = {k: [] for k in codes}
    cum: dict[str, list[int]] = {m: [] for m in modules}
    for _ in range(repeats):
        for name, code in codes.items():
            walls[name].append(_wall(code))
        for m in modules:
            cum[m].append(_importtime_us(m))
    bare = statistics.median(walls["(bare python)"])
    records, rows = [], []
    for m in modules:
        rec = {
            "module": m,
            "wall_s": statistics.median(walls[m]) - bare,
            "importtime_s": statistics.median(cum[m]) / 1e6,
        }
        records.append(rec)
        rows.append([m, f"{rec['wall_s'] * 1e3:.0f}", f"{rec['importtime_s'] * 1e3:.0f}"])
    header = ["module", "import wall ms (minus bare python)", "-X importtime cumulative ms"]
    return table(header, rows), records


_MEMORY = r"""
import resource, sys
import numpy as np
import schedalg as sa


def peak_rss():
    # VmHWM: the peak of this process image. (ru_maxrss also counts the parent's size at
    # fork, which Linux carries across exec: a benchmark parent holding torch and JAX.)
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


backend, n, k = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
length = max(1, n // k)
kinds = [
    lambda i: sa.linear_ramp(0.1, 1.0 + i % 7, length),
    lambda i: sa.cosine(1.0 + i % 7, 0.1, length),
    lambda i: sa.hold(0.5 + i % 7, length),
    lambda i: sa.exp(1.0 + i % 7, 0.1, length),
]
s = sa.concat(*[kinds[i % 4](i) for i in range(k)])
if backend == "jax":
    import jax, jax.numpy as jnp
    f = jax.jit(lambda t: s(t))
    f(jnp.arange(8)).block_until_ready()
    t = jnp.arange(n)
    t.block_until_ready()
    before = peak_rss()
    out = f(t)
    out.block_until_ready()
else:
    s(np.arange(8))  # warm the lowering caches
    t = np.arange(n)
    before = peak_rss()
    out = s(t)
after = peak_rss()
print(before, after, out.nbytes, t.nbytes)
"""


def run_memory(n: int, k: int) -> tuple[str, list[dict]]:
    """Peak RSS growth while evaluating a K-piece concat over arange(n)."""
    records, rows = [], []
    for backend in ("numpy", "jax"):
        res = subprocess.run(
            [sys.executable, "-c", _MEMORY, backend, str(n), str(k)],
            check=True,
            env=_env(),
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        before, after, out_b, in_b = (int(v) for v in res.stdout.split()[-4:])
        growth = max(after - before, 0)
        rec = {
            "backend": backend,
            "N": n,
            "K": k,
            "peak_growth_b": growth,
            "output_b": out_b,
            "input_b": in_b,
            "n_times_k_b": n * k * out_b // n,
        }
        records.append(rec)
        rows.append(
            [
                backend,
                f"{n:.0e}",
                k,
                f"{growth / 2**20:.0f}",
                f"{out_b / 2**20:.0f}",
                f"{growth / out_b:.1f}",
                f"{rec['n_times_k_b'] / 2**30:,.0f}",
            ]
        )
    header = [
        "backend",
        "N",
        "K",
        "peak RSS growth MiB",
        "output MiB",
        "growth / output",
        "an N*K array would be, GiB",
    ]
    return table(header, rows), records
