"""Write the example notebooks from the cell sources below, executed, with their outputs.

Run from the repository root: ``python notebooks/make_notebooks.py`` (or name some notebooks:
``python notebooks/make_notebooks.py gallery.ipynb``). The notebooks are generated so that they
are reviewed as code and stay reproducible, and committed with their outputs so that a code
host shows the plots. tests/test_notebooks.py executes them the same way and checks that the
committed files are current: the same cells, the same text outputs, the same figures.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent

GALLERY = [
    (
        "md",
        """
# Gallery: the classic learning-rate schedules, built from the algebra

Every schedule below is an expression in schedalg's primitives (`hold`, `linear_ramp`,
`cosine`, `exp`, `poly`, `triangle`, `piecewise`, `inverse`) and combinators (`>>` for
`concat`, `repeat`, `scale_by_cycle`, `staircase`, `scale_time`, `warp`, arithmetic). The
printed line above each figure is the schedule's `repr`: the same expression, which
`schedalg.parse` and `schedalg show` read back. Where a peer library or paper defines the
schedule by a formula, a cell checks the expression against that formula.

Time `t` is the 0-based index of the optimizer update.
""",
    ),
    (
        "code",
        """
import math

import matplotlib.pyplot as plt
import numpy as np

import schedalg
from schedalg import (
    concat, cosine, exp, hold, inverse, linear_ramp, piecewise, poly, repeat,
    scale_by_cycle, scale_time, staircase, triangle, warp,
)


def grid(named, cols=3, steps=None, log=False, labels=None):
    \"\"\"One panel per entry of ``named`` (title -> schedule or tuple of schedules).\"\"\"
    n = len(named)
    rows = -(-n // cols)
    fig, axes = plt.subplots(
        rows, cols, figsize=(4.4 * cols, 2.7 * rows), layout="constrained", squeeze=False
    )
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    for ax, (title, s) in zip(axes.flat, named.items()):
        group = s if isinstance(s, tuple) else (s,)
        schedalg.plot(*group, ax=ax, steps=steps, log=log,
                      labels=labels.get(title) if labels else None)
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("")
        ax.set_ylabel("")
        print(f"{title}:")
        for x in group:
            print(f"    {x!r}")
    plt.show()
""",
    ),
    (
        "md",
        """
## Warmup

A warmup raises the learning rate at the start of training. The constant warmup holds a
small rate first (He et al. 2016, ResNet-110); the linear one ramps from zero (Goyal et al.
2017); "gradual" warmup ramps from the base rate to a multiple of it (Goyal et al.'s
`k * lr` for `k` GPUs; `GradualWarmupScheduler(multiplier=8)`); the cosine one follows half a
cosine wave up.
""",
    ),
    (
        "code",
        """
lr, w = 0.1, 500
warmups = {
    "constant warmup": hold(lr / 10, w) >> hold(lr),
    "linear warmup": linear_ramp(0.0, lr, w) >> hold(lr),
    "cosine warmup": cosine(0.0, lr, w) >> hold(lr),
    "gradual warmup (x8)": linear_ramp(lr, 8 * lr, w) >> hold(8 * lr),
}
grid(warmups, cols=4, steps=2000)
""",
    ),
    (
        "md",
        """
### YOLOv5: per-group warmup

YOLOv5 warms the bias parameters *down* from `warmup_bias_lr = 0.1` and the other groups
*up* from 0, both towards the epoch's main rate `lr0 * lf(epoch)`, over
`nw = max(round(warmup_epochs * nb), 100)` iterations, and the momentum from 0.8 to 0.937.
The interpolation towards a moving target is a product of schedules: `a * (1 - u) + main * u`
with `u` a ramp from 0 to 1.
""",
    ),
    (
        "code",
        """
lr0, lrf, epochs, nb = 0.01, 0.01, 30, 100     # nb: batches per epoch
nw = max(round(3 * nb), 100)
lf = linear_ramp(1.0, lrf, epochs)              # YOLOv5's linear lf(epoch)
main = lr0 * staircase(scale_time(lf, nb), nb)  # set once per epoch
u = linear_ramp(0.0, 1.0, nw)                   # 0 -> 1 over the warmup, then 1
bias = linear_ramp(0.1, 0.0, nw) + u * main
weights = u * main
momentum = linear_ramp(0.8, 0.937, nw) >> hold(0.937)

# YOLOv5's own arithmetic, for every iteration of the first epochs
for ni in range(0, 6 * nb):
    epoch = ni // nb
    target = lr0 * ((1 - epoch / epochs) * (1.0 - lrf) + lrf)
    if ni <= nw:
        want = (np.interp(ni, [0, nw], [0.1, target]), np.interp(ni, [0, nw], [0.0, target]),
                np.interp(ni, [0, nw], [0.8, 0.937]))
    else:
        want = (target, target, 0.937)
    assert np.allclose((bias(ni), weights(ni), momentum(ni)), want, rtol=1e-12, atol=1e-15), ni

grid({"YOLOv5 learning rates": (bias, weights), "YOLOv5 momentum": momentum},
     cols=2, steps=epochs * nb,
     labels={"YOLOv5 learning rates": ["bias group", "other groups"]})
""",
    ),
    (
        "md",
        """
## Decays

Step decay (torch `StepLR`), multi-step (`MultiStepLR`, TF `piecewise_constant`),
exponential (TF `exponential_decay`, continuous and staircase), natural-exponential
(TF `natural_exp_decay`), polynomial (TF `polynomial_decay`), cosine (Loshchilov & Hutter
2017) and inverse-time (TF `inverse_time_decay`).
""",
    ),
    (
        "code",
        """
lr, total = 0.1, 10_000
decays = {
    "step (x0.1 every 3000)": staircase(scale_time(exp(lr, rate=0.1), 3000), 3000),
    "multi-step": piecewise([3000, 6000, 8000], [lr, lr / 10, lr / 100, lr / 1000]),
    "exponential (0.5 per 1000)": (
        scale_time(exp(lr, rate=0.5), 1000),
        staircase(scale_time(exp(lr, rate=0.5), 1000), 1000),
    ),
    "natural exp (rate 0.5)": scale_time(exp(lr, rate=math.exp(-0.5)), 1000),
    "polynomial (power 2)": poly(lr, 1e-3, total, power=2.0),
    "cosine": cosine(lr, 0.0, total),
    "inverse time": inverse(lr, scale=1000.0),
}
grid(decays, cols=4, steps=total,
     labels={"exponential (0.5 per 1000)": ["continuous", "staircase"]})

# TensorFlow's formulas (decay_steps=1000, decay_rate=0.5 or 1.0)
t = np.arange(total + 1)
checks = {
    "exponential (0.5 per 1000)": lr * 0.5 ** (t / 1000),
    "natural exp (rate 0.5)": lr * np.exp(-0.5 * t / 1000),
    "polynomial (power 2)": (lr - 1e-3) * (1 - t / total) ** 2 + 1e-3,
    "inverse time": lr / (1 + t / 1000),
}
for name, want in checks.items():
    s = decays[name][0] if isinstance(decays[name], tuple) else decays[name]
    np.testing.assert_allclose(s(t), want, rtol=1e-9, err_msg=name)
np.testing.assert_allclose(decays["step (x0.1 every 3000)"](t), lr * 0.1 ** (t // 3000), rtol=1e-9)
""",
    ),
    (
        "md",
        """
### TensorFlow Object Detection: `manual_stepping` with warmup

Rates `r` change at `boundaries`; with `warmup=True` the first interval is a linear
interpolation from `r[0]` to `r[1]` instead of a constant `r[0]`.
""",
    ),
    (
        "code",
        """
boundaries, rates = [500, 4000, 7000], [0.0, 0.1, 0.01, 0.001]
manual = linear_ramp(rates[0], rates[1], boundaries[0]) >> piecewise(
    [b - boundaries[0] for b in boundaries[1:]], rates[1:]
)
grid({"manual_stepping(warmup=True)": manual}, cols=1, steps=9000)
""",
    ),
    (
        "md",
        """
## Cyclical learning rates (Smith 2017)

`triangular` repeats a triangle between `base_lr` and `max_lr` (half-cycle `step_size`);
`triangular2` halves the amplitude every cycle (`scale_by_cycle` with the base as the
floor); `exp_range` multiplies the amplitude by `gamma ** t`.
""",
    ),
    (
        "code",
        """
base, top, step_size, gamma = 1e-3, 6e-3, 500, 0.9996
tri = triangle(base, top, 2 * step_size)
clr = {
    "triangular": repeat(tri),
    "triangular2": scale_by_cycle(repeat(tri), 0.5, floor=base),
    "exp_range": base + repeat(triangle(0.0, top - base, 2 * step_size)) * exp(1.0, rate=gamma),
}
grid(clr, steps=6000)

# Smith's formulas (and torch.optim.lr_scheduler.CyclicLR's)
t = np.arange(6001)
cycle = np.floor(1 + t / (2 * step_size))
x = np.abs(t / step_size - 2 * cycle + 1)
height = (top - base) * np.maximum(0, 1 - x)
np.testing.assert_allclose(clr["triangular"](t), base + height, rtol=1e-9)
np.testing.assert_allclose(clr["triangular2"](t), base + height / 2 ** (cycle - 1), rtol=1e-9)
np.testing.assert_allclose(clr["exp_range"](t), base + height * gamma**t, rtol=1e-9)
""",
    ),
    (
        "md",
        """
## 1cycle (Smith & Topin 2018) with its momentum

PyTorch `OneCycleLR` defaults: cosine annealing from `max_lr / 25` up to `max_lr` over the
first 30 % of the steps, then down to `max_lr / 25 / 1e4`; the momentum moves the opposite
way between 0.95 and 0.85. PyTorch ends the first phase at step `0.3 * total - 1` and the
second at `total - 1`, so the phases last `0.3 * total - 1` and `0.7 * total` steps.
""",
    ),
    (
        "code",
        """
top, total = 0.1, 10_000
up = int(0.3 * total) - 1
one_cycle = cosine(top / 25, top, up) >> cosine(top, top / 25 / 1e4, total - 1 - up)
one_cycle_momentum = cosine(0.95, 0.85, up) >> cosine(0.85, 0.95, total - 1 - up)
grid({"1cycle learning rate": one_cycle, "1cycle momentum": one_cycle_momentum}, cols=2)


def annealing_cos(start, end, pct):  # OneCycleLR's anneal_strategy="cos"
    return end + (start - end) / 2.0 * (np.cos(np.pi * pct) + 1)


t = np.arange(total)
first = t <= up
pct = np.where(first, t / up, (t - up) / (total - 1 - up))
np.testing.assert_allclose(one_cycle(t), np.where(
    first, annealing_cos(top / 25, top, pct), annealing_cos(top, top / 25 / 1e4, pct)), rtol=1e-9)
np.testing.assert_allclose(one_cycle_momentum(t), np.where(
    first, annealing_cos(0.95, 0.85, pct), annealing_cos(0.85, 0.95, pct)), rtol=1e-12)
""",
    ),
    (
        "md",
        """
## SGDR: warm restarts with `T_mult` (Loshchilov & Hutter 2017)

Cycle `k` lasts `T_0 * T_mult ** k` steps: `repeat(..., stretch=T_mult)`. timm's
`cycle_decay` shrinks each restart's peak: `scale_by_cycle`.
""",
    ),
    (
        "code",
        """
sgdr = repeat(cosine(0.1, 0.0, 1000), stretch=2.0)
sgdr_decay = scale_by_cycle(sgdr, 0.5)
grid({"SGDR, T_0=1000, T_mult=2": (sgdr, sgdr_decay)}, cols=1, steps=15_000,
     labels={"SGDR, T_0=1000, T_mult=2": ["SGDR", "with cycle decay 0.5"]})
starts = [0, 1000, 3000, 7000]
assert [sgdr(s) for s in starts] == [0.1] * 4
assert [sgdr_decay(s) for s in starts] == [0.1, 0.05, 0.025, 0.0125]
""",
    ),
    (
        "md",
        """
## Warmup-stable-decay (WSD)

Warm up, hold, then cool down in the last 20 %: linearly or with the `1 - sqrt` shape of
Hägele et al. 2024 (`warp` with power 1/2). MiniCPM (Hu et al. 2024) uses the same plan.
""",
    ),
    (
        "code",
        """
peak = 1e-3
stable = linear_ramp(0.0, peak, 500) >> hold(peak, 7500)
wsd_linear = stable >> linear_ramp(peak, 0.0, 2000)
wsd_sqrt = stable >> warp(linear_ramp(peak, 0.0, 2000), 0.5)
grid({"WSD": (wsd_linear, wsd_sqrt)}, cols=1,
     labels={"WSD": ["linear cooldown", "1 - sqrt cooldown"]})
t = np.arange(8000, 10_001)
np.testing.assert_allclose(wsd_sqrt(t), peak * (1 - np.sqrt((t - 8000) / 2000)), atol=1e-15)
""",
    ),
    (
        "md",
        """
## Noam (Vaswani et al. 2017)

`d_model ** -0.5 * min(t ** -0.5, t * warmup ** -1.5)`: a linear warmup to
`(d_model * warmup) ** -0.5`, then an inverse square root.
""",
    ),
    (
        "code",
        """
d_model, warmup = 512, 4000
peak = (d_model * warmup) ** -0.5
noam = linear_ramp(0.0, peak, warmup) >> inverse(peak, scale=warmup, power=0.5)
grid({"Noam": noam}, cols=1, steps=40_000)
t = np.arange(1, 40_001)
np.testing.assert_allclose(
    noam(t), d_model**-0.5 * np.minimum(t**-0.5, t * warmup**-1.5), rtol=1e-12
)
""",
    ),
    (
        "md",
        """
## Learning-rate range test

Raise the learning rate every step and watch the loss (Smith 2017): linearly, or
exponentially as fastai's `lr_find` does (1e-7 to 10 in 100 steps).
""",
    ),
    (
        "code",
        """
range_test = {
    "exponential range test": exp(1e-7, 10.0, 100),
    "linear range test": linear_ramp(1e-5, 1.0, 100),
}
grid(range_test, cols=2, log=True)
np.testing.assert_allclose(
    range_test["exponential range test"](np.arange(101)),
    1e-7 * (10.0 / 1e-7) ** (np.arange(101) / 100), rtol=1e-12,
)
""",
    ),
]

SWEEP = [
    (
        "md",
        """
# Sweep: many schedules in one `jax.vmap`

A schedule is a JAX pytree whose leaves are its values (start, peak, end, ...) and whose
structure holds the step counts. Schedules with the same structure stack into one batched
schedule with `jax.tree.map(lambda *x: jnp.stack(x), *schedules)`; `jax.vmap` then evaluates,
or trains with, all of them at once. Step counts are structure, so a sweep over the warmup
length is a loop (or one stacked batch per length), not a `vmap`.
""",
    ),
    (
        "code",
        """
import jax
import jax.numpy as jnp
import matplotlib.pyplot as plt
import numpy as np

import schedalg
from schedalg import cosine, linear_ramp

peaks = [0.05, 0.15, 0.4, 0.8, 1.2]
schedules = [linear_ramp(0.0, p, 50) >> cosine(p, p / 100, 450) for p in peaks]
batch = jax.tree.map(lambda *x: jnp.stack(x), *schedules)
print(batch)
print("leaves:", [leaf.shape for leaf in jax.tree.leaves(batch)])

steps = jnp.arange(500)
values = jax.jit(jax.vmap(lambda s: s(steps)))(batch)   # (schedules, steps)
print(values.shape)
for s, row in zip(schedules, values):                   # the batch agrees with each schedule
    np.testing.assert_allclose(row, s(np.arange(500)), rtol=1e-5)
""",
    ),
    (
        "md",
        """
## A toy training run per schedule, all in one compiled call

Gradient descent on an ill-conditioned least-squares problem, 500 steps under each
schedule: `lax.scan` over steps inside `vmap` over schedules. A higher peak makes faster
progress along the flat directions, up to the stability limit `2 / largest curvature`.
""",
    ),
    (
        "code",
        """
key_a, key_b = jax.random.split(jax.random.PRNGKey(0))
A = jax.random.normal(key_a, (64, 16)) * jnp.logspace(0, -1, 16)   # ill-conditioned
b = A @ jax.random.normal(key_b, (16,))                              # loss 0 is reachable


def loss(w):
    return 0.5 * jnp.mean((A @ w - b) ** 2)


def train(schedule):
    def step(w, t):
        w = w - schedule(t) * jax.grad(loss)(w)
        return w, loss(w)

    _, losses = jax.lax.scan(step, jnp.zeros(16), jnp.arange(500))
    return losses


losses = jax.jit(jax.vmap(train))(batch)   # (schedules, steps)
print(losses.shape, "final losses:", np.asarray(losses[:, -1]))
assert bool(jnp.all(jnp.isfinite(losses)))

fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.4), layout="constrained")
labels = [f"peak {p}" for p in peaks]
schedalg.plot(*schedules, ax=left, labels=labels, breakpoints=False)
left.set_title("schedules")
for label, row in zip(labels, losses):
    right.plot(np.asarray(row), label=label)
right.set_yscale("log")
right.set_xlabel("step")
right.set_title("training loss")
right.legend(fontsize="small", frameon=False)
plt.show()
""",
    ),
    (
        "md",
        """
## Gradients with respect to the schedule

Schedules can also be built from traced values: here the final loss as a function of the
peak, and its derivative for every peak at once.
""",
    ),
    (
        "code",
        """
def final_loss(peak):
    return train(linear_ramp(0.0, peak, 50) >> cosine(peak, peak / 100, 450))[-1]


grads = jax.jit(jax.vmap(jax.grad(final_loss)))(jnp.asarray(peaks))
for p, g in zip(peaks, np.asarray(grads)):
    print(f"peak {p}: d(final loss)/d(peak) = {g:.3g}")
eps = 1e-3
fd = (final_loss(peaks[0] + eps) - final_loss(peaks[0] - eps)) / (2 * eps)
np.testing.assert_allclose(grads[0], fd, rtol=2e-2)
""",
    ),
]

PEERS = [
    (
        "md",
        """
# Peers side by side: each library's schedule beside its schedalg twin

Each panel runs the real peer library (torch's schedulers stepped as a training loop steps
them, optax's and Keras' schedule functions, transformers' `LambdaLR`) and draws its values
as a thick pale line, with the `schedalg.compat` twin dashed on top, 20% past the nominal end.
Each cell also asserts that the two agree to 1e-6 relative at every step (Keras' cosine runs
in float32 on the JAX backend, so its check allows float32 rounding).
""",
    ),
    (
        "code",
        """
import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import matplotlib.pyplot as plt
import numpy as np
import torch

from schedalg.compat import keras as keras_lr
from schedalg.compat import optax as optax_lr
from schedalg.compat import torch as torch_lr
from schedalg.compat import transformers as hf_lr


def torch_lrs(make_scheduler, steps, lr=1.0):
    \"\"\"The lr a real torch optimizer holds for each of ``steps`` updates.\"\"\"
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=lr, momentum=0.9)
    sched = make_scheduler(opt)
    out = []
    for _ in range(steps):
        out.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return np.array(out)


panels = []


def compare(title, peer_values, twin, rtol=1e-6, atol=0.0):
    \"\"\"Check the twin against the peer's values, and queue a panel for show().\"\"\"
    steps = np.arange(len(peer_values))
    ours = twin(steps)
    scale = np.max(np.abs(peer_values))
    np.testing.assert_allclose(ours, peer_values, rtol=rtol, atol=atol + 1e-12 * scale)
    # the twin prints as the peer's call; what it is made of is its expansion
    panels.append((title, steps, peer_values, ours, f"{twin!r}\\n      = {twin.expand()!r}"))


def show(cols=2):
    rows = -(-len(panels) // cols)
    fig, axes = plt.subplots(
        rows, cols, figsize=(6 * cols, 2.8 * rows), layout="constrained", squeeze=False
    )
    for ax in axes.flat[len(panels):]:
        ax.set_visible(False)
    for ax, (title, steps, peer, ours, text) in zip(axes.flat, panels):
        ax.plot(steps, peer, lw=5, alpha=0.35, label="peer")
        ax.plot(steps, ours, "--", lw=1.2, label="schedalg")
        ax.set_title(title, fontsize=10)
        ax.legend(fontsize="small", frameon=False)
        print(f"{title}:")
        print(f"    {text}")
    panels.clear()
    plt.show()
""",
    ),
    ("md", "## torch"),
    (
        "code",
        """
sched = torch.optim.lr_scheduler
compare(
    "torch OneCycleLR (cos, pct_start=0.25)",
    torch_lrs(lambda o: sched.OneCycleLR(o, max_lr=0.1, total_steps=1000, pct_start=0.25), 1000),
    torch_lr.OneCycleLR(max_lr=0.1, total_steps=1000, pct_start=0.25),
)
compare(
    "torch CosineAnnealingWarmRestarts (T_0=100, T_mult=2)",
    torch_lrs(
        lambda o: sched.CosineAnnealingWarmRestarts(o, T_0=100, T_mult=2, eta_min=0.01),
        840,
        lr=0.5,
    ),
    torch_lr.CosineAnnealingWarmRestarts(0.5, T_0=100, T_mult=2, eta_min=0.01),
)
compare(
    "torch CyclicLR (triangular2)",
    torch_lrs(
        lambda o: sched.CyclicLR(
            o, base_lr=0.01, max_lr=0.1, step_size_up=60, step_size_down=90, mode="triangular2"
        ),
        600,
    ),
    torch_lr.CyclicLR(0.01, 0.1, step_size_up=60, step_size_down=90, mode="triangular2"),
)
compare(
    "torch CosineAnnealingLR, past T_max",
    torch_lrs(lambda o: sched.CosineAnnealingLR(o, T_max=200, eta_min=0.1), 500),
    torch_lr.CosineAnnealingLR(1.0, T_max=200, eta_min=0.1),
)
show()
""",
    ),
    ("md", "## optax and Keras"),
    (
        "code",
        """
import jax
import keras
import optax

with jax.enable_x64(True):
    peer = optax.warmup_cosine_decay_schedule(
        0.0, 3e-4, warmup_steps=100, decay_steps=1000, end_value=3e-5, exponent=1.5
    )
    compare(
        "optax warmup_cosine_decay_schedule (exponent=1.5)",
        np.asarray(peer(np.arange(1200))),
        optax_lr.warmup_cosine_decay_schedule(
            0.0, 3e-4, warmup_steps=100, decay_steps=1000, end_value=3e-5, exponent=1.5
        ),
    )
    kwargs = dict(transition_steps=50, decay_rate=0.7, transition_begin=100, staircase=True,
                  end_value=0.05)
    compare(
        "optax exponential_decay (staircase, transition_begin, end_value)",
        np.asarray(optax.exponential_decay(1.0, **kwargs)(np.arange(800))),
        optax_lr.exponential_decay(1.0, **kwargs),
    )

kwargs = dict(first_decay_steps=100, t_mul=1.5, m_mul=0.8, alpha=0.05)
peer = keras.optimizers.schedules.CosineDecayRestarts(0.1, **kwargs)
compare(
    "keras CosineDecayRestarts (t_mul=1.5, m_mul=0.8)",
    np.asarray(peer(np.arange(950)), dtype=np.float64),
    keras_lr.CosineDecayRestarts(0.1, **kwargs),
    atol=1e-7,  # Keras' cosine is float32 on the JAX backend
)
show()
""",
    ),
    ("md", "## transformers"),
    (
        "code",
        """
import transformers

compare(
    "transformers cosine with hard restarts (3 cycles)",
    torch_lrs(
        lambda o: transformers.get_cosine_with_hard_restarts_schedule_with_warmup(
            o, num_warmup_steps=100, num_training_steps=1000, num_cycles=3
        ),
        1200,
        lr=1e-3,
    ),
    hf_lr.get_cosine_with_hard_restarts_schedule_with_warmup(
        1e-3, num_warmup_steps=100, num_training_steps=1000, num_cycles=3
    ),
)
wsd = dict(num_warmup_steps=100, num_decay_steps=300, num_training_steps=1000,
           decay_type="1-sqrt", min_lr_ratio=0.1)
compare(
    "transformers WSD (1-sqrt decay)",
    torch_lrs(lambda o: transformers.get_wsd_schedule(o, **wsd), 1200, lr=1e-3),
    hf_lr.get_wsd_schedule(1e-3, **wsd),
)
show()
""",
    ),
]

TORCH_TRAIN = [
    (
        "md",
        """
# Training in torch: warmup, cosine, reduce-on-plateau and a resume

A small regression MLP trained with AdamW. The learning rate of update `k` is
`s(k) * scale`: `s` is a linear warmup then a cosine decay, and `scale` starts at 1 and
halves at each plateau of the validation loss (`reduce_on_plateau`, torch's rule). One
`schedalg.torch.ParamScheduler` does both: `sched.step()` after every `optimizer.step()`,
`sched.report(val_loss)` after each epoch's evaluation.

Half-way through, the run is checkpointed (plain state dicts, read back with
`torch.load(weights_only=True)`), and everything is rebuilt from scratch and resumed. A hook
on the optimizer records the lr that each `optimizer.step()` actually used; the last cell
checks it against `s(k)` times the scale that torch's own `ReduceLROnPlateau` computes from
the same validation losses, and plots both.
""",
    ),
    (
        "code",
        """
import io

import matplotlib.pyplot as plt
import numpy as np
import torch

from schedalg import cosine, linear_ramp
from schedalg.plateau import reduce_on_plateau
from schedalg.torch import ParamScheduler

torch.manual_seed(0)
torch.set_num_threads(1)
x = torch.randn(512, 8)
y = torch.sin(x @ torch.randn(8, 1)) + 0.1 * torch.randn(512, 1)
x_train, y_train, x_val, y_val = x[:384], y[:384], x[384:], y[384:]

EPOCHS, PER_EPOCH, WARMUP = 24, 12, 30
TOTAL = EPOCHS * PER_EPOCH
schedule = linear_ramp(0.0, 3e-2, WARMUP) >> cosine(3e-2, 1e-3, TOTAL - WARMUP)
RULE = dict(factor=0.5, patience=2, threshold=1e-3)


def build():
    \"\"\"A fresh model, optimizer and scheduler (the same code at start and at resume).\"\"\"
    torch.manual_seed(1)
    model = torch.nn.Sequential(torch.nn.Linear(8, 32), torch.nn.Tanh(), torch.nn.Linear(32, 1))
    opt = torch.optim.AdamW(model.parameters(), lr=1.0)  # the schedule sets the lr
    sched = ParamScheduler(opt, {"lr": schedule}, plateau=reduce_on_plateau(**RULE))
    return model, opt, sched


used = []  # the lr each optimizer.step() ran with


def record(opt):
    opt.register_step_pre_hook(lambda o, args, kwargs: used.append(o.param_groups[0]["lr"]))


def train_epoch(model, opt, sched, epoch):
    g = torch.Generator().manual_seed(epoch)
    order = torch.randperm(len(x_train), generator=g)
    for batch in order.split(len(x_train) // PER_EPOCH):
        opt.zero_grad()
        torch.nn.functional.mse_loss(model(x_train[batch]), y_train[batch]).backward()
        opt.step()
        sched.step()
    with torch.no_grad():
        val = torch.nn.functional.mse_loss(model(x_val), y_val).item()
    sched.report(val)
    return val
""",
    ),
    (
        "md",
        """
## First half, then a checkpoint
""",
    ),
    (
        "code",
        """
model, opt, sched = build()
record(opt)
val_losses = [train_epoch(model, opt, sched, e) for e in range(EPOCHS // 2)]

buf = io.BytesIO()
torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "sched": sched.state_dict()}, buf)
print(f"saved at update {sched.last_epoch}, plateau state {sched.state_dict()['plateau']['state']}")
print("schedule recorded in the checkpoint:", sched.state_dict()["schedules"]["lr"][0])
""",
    ),
    (
        "md",
        """
## Resume from scratch

A new process would do exactly this: build the same objects, load the three state dicts (the
scheduler's before or after the optimizer's: the next update uses `s(k) * scale` either way).
""",
    ),
    (
        "code",
        """
buf.seek(0)
ckpt = torch.load(buf, weights_only=True)
model, opt, sched = build()
record(opt)
model.load_state_dict(ckpt["model"])
sched.load_state_dict(ckpt["sched"])
opt.load_state_dict(ckpt["opt"])
RESUMED_AT = sched.last_epoch
val_losses += [train_epoch(model, opt, sched, e) for e in range(EPOCHS // 2, EPOCHS)]
print(f"resumed at update {RESUMED_AT}; final validation loss {val_losses[-1]:.4f}")
""",
    ),
    (
        "md",
        """
## The lr actually used against the schedule

The reference scale comes from torch's `ReduceLROnPlateau` fed the same validation losses, on
an optimizer at lr 1.0 (its lr is then the scale itself).
""",
    ),
    (
        "code",
        """
ref_opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
ref = torch.optim.lr_scheduler.ReduceLROnPlateau(ref_opt, **RULE)
scale_after = []
for v in val_losses:
    ref.step(v)
    scale_after.append(ref_opt.param_groups[0]["lr"])
ks = np.arange(TOTAL)
scale = np.array([1.0] + scale_after[:-1])[ks // PER_EPOCH]  # in force during update k
s_k = np.array([schedule(int(k)) for k in ks])
want = s_k * scale
assert len(used) == TOTAL
np.testing.assert_array_equal(np.array(used), want)  # the same floats at every update
assert scale.min() < 1.0, "no plateau in this run"
print(f"{TOTAL} updates, every lr exact; scale went down to {scale.min()}")

fig, (ax, ax2) = plt.subplots(2, 1, figsize=(9, 6), sharex=True, layout="constrained")
ax.plot(ks, s_k, lw=1, color="0.6", label="schedule s(k)")
ax.plot(ks, want, "--", lw=1.5, label="s(k) * plateau scale (torch's ReduceLROnPlateau)")
ax.plot(ks, used, ".", ms=3, label="lr used by optimizer.step()")
ax.axvline(RESUMED_AT, color="k", lw=0.8, ls=":", label="checkpoint / resume")
ax.set_ylabel("learning rate")
ax.legend(fontsize=8)
ax2.plot((np.arange(EPOCHS) + 1) * PER_EPOCH, val_losses, "o-", ms=3)
ax2.axvline(RESUMED_AT, color="k", lw=0.8, ls=":")
ax2.set_ylabel("validation loss")
ax2.set_xlabel("update k")
plt.show()
""",
    ),
]

NOTEBOOKS = {
    "gallery.ipynb": GALLERY,
    "peers.ipynb": PEERS,
    "sweep.ipynb": SWEEP,
    "torch_train.ipynb": TORCH_TRAIN,
}


def build(cells: list[tuple[str, str]], name: str) -> nbformat.NotebookNode:
    """A notebook with the given (kind, source) cells, no outputs and stable cell ids."""
    nb = new_notebook()
    stem = name.removesuffix(".ipynb")
    for i, (kind, source) in enumerate(cells):
        text = source.strip("\n")
        cell = new_markdown_cell(text) if kind == "md" else new_code_cell(text)
        cell["id"] = f"{stem}-{i}"
        nb.cells.append(cell)
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    return nb


def execute(nb: nbformat.NotebookNode, workdir: Path) -> nbformat.NotebookNode:
    """Run every cell of ``nb`` in place, with this interpreter as the kernel, headless (the
    inline backend draws PNG outputs), warnings as errors and JAX on the CPU, in ``workdir``.
    Records no timings, so that the same code gives the same file."""
    import nbclient
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager

    spec_dir = workdir / "kernels" / "schedalg-notebooks"
    spec_dir.mkdir(parents=True)
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "schedalg notebooks",
        "language": "python",
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec))
    ksm = KernelSpecManager(kernel_dirs=[str(workdir / "kernels")], ensure_native_kernel=False)
    km = KernelManager(kernel_name="schedalg-notebooks", kernel_spec_manager=ksm)
    env = dict(os.environ)
    env["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    root = str(HERE.parent)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [root, env.get("PYTHONPATH")]))
    env["PYTHONWARNINGS"] = "error"
    env.setdefault("JAX_PLATFORMS", "cpu")
    client = nbclient.NotebookClient(
        nb,
        km=km,
        timeout=300,
        record_timing=False,
        resources={"metadata": {"path": str(workdir)}},
    )
    try:
        client.execute(env=env)
    finally:
        # nbclient leaves a kernel it did not create running: stop it and close its sockets.
        if client.kc is not None:
            client.kc.stop_channels()
        if km.has_kernel:
            km.shutdown_kernel(now=True)
        km.cleanup_resources()
    nb.metadata = build([], "x.ipynb").metadata  # the kernel's own metadata varies by machine
    nb.metadata["schedalg"] = {"matplotlib": _matplotlib_version()}
    return nb


def _matplotlib_version() -> str:
    import matplotlib

    return matplotlib.__version__


def render(nb: nbformat.NotebookNode) -> str:
    """The notebook file's text."""
    return nbformat.writes(nb) + "\n"


def main(argv: list[str]) -> int:
    for name in argv or NOTEBOOKS:
        with tempfile.TemporaryDirectory(prefix="schedalg-notebook-") as tmp:
            nb = execute(build(NOTEBOOKS[name], name), Path(tmp))
        (HERE / name).write_text(render(nb), encoding="utf-8")
        print(f"wrote {HERE / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
