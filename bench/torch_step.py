"""3. Per-step overhead in torch, and the pure-Python ``s(t)`` call."""

from __future__ import annotations

import math
import statistics
import time
import warnings
from collections.abc import Callable
from typing import Any

from bench.harness import table, x

PEAK = 0.1


def _optimizer(groups: int) -> Any:
    import torch

    params = [{"params": [torch.zeros(1, requires_grad=True)]} for _ in range(groups)]
    opt = torch.optim.SGD(params, lr=PEAK)
    opt.step()  # torch warns when a scheduler steps before its optimizer ever has
    return opt


def _pairs(total: int) -> list[tuple[str, Callable[[Any], Any], Callable[[Any], Any]]]:
    """(schedule, torch's native scheduler factory, schedalg adapter factory) for one optimizer."""
    import torch.optim.lr_scheduler as tl

    import schedalg as sa
    from schedalg.torch import ParamScheduler, to_lambda_lr

    w = total // 10
    t0 = 1000
    pct = int(0.3 * total)
    wc = sa.linear_ramp(PEAK * 1e-3, PEAK, w) >> sa.cosine(PEAK, 0.0, total - w)
    sgdr = sa.repeat(sa.cosine(PEAK, 0.0, t0), stretch=2.0)
    one = sa.cosine(PEAK / 25, PEAK, pct) >> sa.cosine(PEAK, PEAK / 25 / 1e4, total - pct)

    def lambda_wc(opt: Any) -> Any:
        def f(k: int) -> float:
            if k < w:
                return 1e-3 + (1 - 1e-3) * k / w
            return 0.5 * (1 + math.cos(math.pi * min(k - w, total - w) / (total - w)))

        return tl.LambdaLR(opt, f)

    def seq(opt: Any) -> Any:
        a = tl.LinearLR(opt, start_factor=1e-3, total_iters=w)
        b = tl.CosineAnnealingLR(opt, T_max=total - w)
        return tl.SequentialLR(opt, [a, b], milestones=[w])

    return [
        (
            "1cycle: OneCycleLR",
            lambda opt: tl.OneCycleLR(
                opt, max_lr=PEAK, total_steps=total, pct_start=0.3, cycle_momentum=False
            ),
            lambda opt: to_lambda_lr(opt, one),
        ),
        (
            "SGDR: CosineAnnealingWarmRestarts",
            lambda opt: tl.CosineAnnealingWarmRestarts(opt, T_0=t0, T_mult=2),
            lambda opt: to_lambda_lr(opt, sgdr),
        ),
        (
            "warmup+cosine: SequentialLR(LinearLR, CosineAnnealingLR)",
            seq,
            lambda opt: to_lambda_lr(opt, wc),
        ),
        ("warmup+cosine: LambdaLR(math.cos lambda)", lambda_wc, lambda opt: to_lambda_lr(opt, wc)),
        (
            "warmup+cosine: schedalg ParamScheduler vs SequentialLR",
            seq,
            lambda opt: ParamScheduler(opt, {"lr": wc}),
        ),
    ]


def _step_cost(factory: Callable[[Any], Any], groups: int, steps: int) -> float:
    """Seconds per ``scheduler.step()`` over ``steps`` steps of a fresh scheduler."""
    opt = _optimizer(groups)
    sched = factory(opt)
    start = time.process_time()
    for _ in range(steps):
        sched.step()
    return (time.process_time() - start) / steps


def run_torch(steps: int, rounds: int, total: int = 1_000_000) -> tuple[str, list[dict]]:
    records, rows = [], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SequentialLR's own deprecation notices
        for name, native, ours in _pairs(total):
            for groups in (1, 10):
                a, b = [], []
                for r in range(rounds):  # interleaved, alternating which goes first
                    first, second = (native, ours) if r % 2 == 0 else (ours, native)
                    c1 = _step_cost(first, groups, steps)
                    c2 = _step_cost(second, groups, steps)
                    (a if first is native else b).append(c1)
                    (b if first is native else a).append(c2)
                rec = {
                    "name": name,
                    "groups": groups,
                    "native_s": statistics.median(a),
                    "schedalg_s": statistics.median(b),
                    "ratio": statistics.median([y / z for y, z in zip(b, a, strict=True)]),
                }
                records.append(rec)
                rows.append(
                    [
                        name,
                        groups,
                        f"{rec['native_s'] * 1e6:.2f}",
                        f"{rec['schedalg_s'] * 1e6:.2f}",
                        x(rec["ratio"]),
                    ]
                )
    header = ["schedule: torch scheduler", "groups", "torch us/step", "schedalg us/step", "ratio"]
    return table(header, rows), records


def _plateau_costs(groups: int, steps: int, total: int) -> dict[str, float]:
    """Seconds per call: the combined scheduler's step() and report(m), torch's plateau step(m).

    Fresh objects for each measurement, the same metric stream for both plateaus (it stalls,
    so reductions happen, as in training).
    """
    import torch.optim.lr_scheduler as tl

    import schedalg as sa
    from schedalg.plateau import reduce_on_plateau
    from schedalg.torch import ParamScheduler

    w = total // 10
    wc = sa.linear_ramp(PEAK * 1e-3, PEAK, w) >> sa.cosine(PEAK, 0.0, total - w)
    metrics = [1.0 / (1 + (i % 50)) for i in range(steps)]

    def ours() -> Any:
        return ParamScheduler(_optimizer(groups), {"lr": wc}, plateau=reduce_on_plateau())

    out = {}
    sched = tl.ReduceLROnPlateau(_optimizer(groups))
    start = time.process_time()
    for m in metrics:
        sched.step(m)
    out["torch"] = (time.process_time() - start) / steps
    sched = ours()
    start = time.process_time()
    for _ in range(steps):
        sched.step()
    out["step"] = (time.process_time() - start) / steps
    sched = ours()
    start = time.process_time()
    for m in metrics:
        sched.report(m)
    out["report"] = (time.process_time() - start) / steps
    return out


def run_plateau(steps: int, rounds: int, total: int = 1_000_000) -> tuple[str, list[dict]]:
    """Schedule + plateau in one scheduler beside torch's ``ReduceLROnPlateau.step(metric)``."""
    records, rows = [], []
    for groups in (1, 10):
        runs = [_plateau_costs(groups, steps, total) for _ in range(rounds)]
        torch_s = statistics.median(r["torch"] for r in runs)
        for what, label in (
            ("step", "ParamScheduler(lr=warmup+cosine, plateau=...).step()"),
            ("report", "ParamScheduler(lr=warmup+cosine, plateau=...).report(metric)"),
        ):
            rec = {
                "name": label,
                "groups": groups,
                "native_s": torch_s,
                "schedalg_s": statistics.median(r[what] for r in runs),
                "ratio": statistics.median(r[what] / r["torch"] for r in runs),
            }
            records.append(rec)
            rows.append(
                [
                    label,
                    groups,
                    f"{torch_s * 1e6:.2f}",
                    f"{rec['schedalg_s'] * 1e6:.2f}",
                    x(rec["ratio"]),
                ]
            )
    header = [
        "schedalg call (torch: ReduceLROnPlateau.step(metric))",
        "groups",
        "torch us/call",
        "schedalg us/call",
        "ratio",
    ]
    return table(header, rows), records


def run_python_call(calls: int, rounds: int) -> tuple[str, list[dict]]:
    """Pure-Python ``s(t)`` per call against a hand-written warmup+cosine function."""
    import schedalg as sa

    w, total = 1000, 100_000

    def hand(k: int) -> float:
        if k < w:
            return PEAK * k / w
        return 0.5 * PEAK * (1 + math.cos(math.pi * min(k - w, total - w) / (total - w)))

    three = (
        sa.linear_ramp(0.0, PEAK, w)
        >> sa.cosine(PEAK, PEAK / 10, total - 2 * w)
        >> sa.hold(PEAK / 10, w)
    )
    cands = {
        "hand-written warmup+cosine (def with math.cos)": hand,
        "schedalg 3 pieces: linear_ramp >> cosine >> hold": three,
        "schedalg cosine (1 piece)": sa.cosine(PEAK, 0.0, total),
        "schedalg SGDR repeat(cosine, stretch=2)": sa.repeat(
            sa.cosine(PEAK, 0.0, 1000), stretch=2.0
        ),
        "schedalg concat of 4096 mixed pieces": None,
    }
    from bench import cases

    cands["schedalg concat of 4096 mixed pieces"] = cases.concat(total, 4096)[0]
    ts = list(range(0, total, total // calls))[:calls]
    costs: dict[str, list[float]] = {k: [] for k in cands}
    for f in cands.values():
        for t in ts[:10]:
            f(t)
    for _ in range(rounds):
        for name, f in cands.items():
            start = time.process_time()
            for t in ts:
                f(t)
            costs[name].append((time.process_time() - start) / len(ts))
    ref = "hand-written warmup+cosine (def with math.cos)"
    records, rows = [], []
    for name, c in costs.items():
        ratio = statistics.median([y / z for y, z in zip(c, costs[ref], strict=True)])
        rec = {"name": name, "call_s": statistics.median(c), "vs_hand": ratio}
        records.append(rec)
        rows.append([name, f"{rec['call_s'] * 1e6:.3f}", x(ratio)])
    return table(["s(t) with a Python int", "us/call", "vs hand-written"], rows), records
