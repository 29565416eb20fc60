"""Per-step cost of schedalg's torch schedulers next to torch's own OneCycleLR.

Each pair drives the same optimizer shape with the same 1cycle schedule; only
``scheduler.step()`` is timed (no training). Pairs are timed in alternation, best of
``--repeat`` rounds, so background load hits both sides alike. A ratio below 1 means the
schedalg scheduler is cheaper per step.

    PYTHONPATH=. python bench/bench_torch_step.py [--steps 2000] [--repeat 40] [--out FILE]

Writes a JSON summary (ratios and ns per step) to ``--out`` (default: print only).
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from collections.abc import Callable

import torch
from torch.optim.lr_scheduler import OneCycleLR

from schedalg import cosine
from schedalg.torch import ParamScheduler, to_lambda_lr

MAX_LR, PCT = 0.1, 0.3


def _optimizer(groups: int) -> torch.optim.Optimizer:
    params = [{"params": [torch.zeros(1, requires_grad=True)]} for _ in range(groups)]
    opt = torch.optim.SGD(params, lr=0.01, momentum=0.9)
    opt.step()  # so torch's "step() before optimizer.step()" check stays quiet
    return opt


def _one_cycle(total: int):
    up = round(PCT * total) - 1
    down = total - 1 - up
    lr = cosine(MAX_LR / 25, MAX_LR, up) >> cosine(MAX_LR, MAX_LR / 25 / 1e4, down)
    mom = cosine(0.95, 0.85, up) >> cosine(0.85, 0.95, down)
    return lr, mom


def _time_steps(make: Callable[[], object], steps: int) -> float:
    sched = make()
    step = sched.step  # type: ignore[attr-defined]
    t0 = time.perf_counter_ns()
    for _ in range(steps):
        step()
    return (time.perf_counter_ns() - t0) / steps


def main() -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=40)
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    total = args.steps + 10
    lr, mom = _one_cycle(total)
    torch.set_num_threads(1)

    cases: dict[str, tuple[Callable[[], object], Callable[[], object]]] = {}
    for groups in (1, 4):
        cases[f"lr+momentum, {groups} group(s): ParamScheduler vs OneCycleLR"] = (
            lambda g=groups: ParamScheduler(_optimizer(g), {"lr": lr, "momentum": mom}),
            lambda g=groups: OneCycleLR(_optimizer(g), max_lr=MAX_LR, total_steps=total),
        )
        cases[f"lr only, {groups} group(s): to_lambda_lr vs OneCycleLR(cycle_momentum=False)"] = (
            lambda g=groups: to_lambda_lr(_optimizer(g), lr),
            lambda g=groups: OneCycleLR(
                _optimizer(g), max_lr=MAX_LR, total_steps=total, cycle_momentum=False
            ),
        )
        cases[f"lr only, {groups} group(s): ParamScheduler vs OneCycleLR(cycle_momentum=False)"] = (
            lambda g=groups: ParamScheduler(_optimizer(g), {"lr": lr}),
            lambda g=groups: OneCycleLR(
                _optimizer(g), max_lr=MAX_LR, total_steps=total, cycle_momentum=False
            ),
        )

    results = {}
    for name, (ours, theirs) in cases.items():
        a, b = [], []
        for _ in range(args.repeat):
            a.append(_time_steps(ours, args.steps))
            b.append(_time_steps(theirs, args.steps))
        results[name] = {
            "schedalg_ns_per_step": round(min(a), 1),
            "torch_ns_per_step": round(min(b), 1),
            "ratio": round(min(a) / min(b), 3),
        }
        print(f"{name}: {min(a):8.0f} ns vs {min(b):8.0f} ns  ratio {min(a) / min(b):.3f}")
    summary = {
        "torch": torch.__version__,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "steps": args.steps,
        "repeat": args.repeat,
        "results": results,
    }
    if args.out:
        with open(args.out, "w") as f:
            json.dump(summary, f, indent=2)
    return summary


if __name__ == "__main__":
    main()
