"""Parity of schedalg.compat.classics with the published formulas (and torch where it has one).

References written out below, from their sources:
* Noam: Vaswani et al. (2017), eq. (3); the Annotated Transformer's ``rate`` (harvardnlp).
* CLR: the code listing in Smith (2017), section 3.1, and torch's ``CyclicLR`` run for real.
* yolov5: ``one_cycle`` in ``utils/general.py``, the ``lf`` lambdas and the ``# Warmup`` block
  of ``train.py`` (ultralytics/yolov5).
* darknet: ``get_current_rate`` in ``src/network.c`` (burn-in branch; darknet computes it in
  float32, the reference here in float64).
* GradualWarmupScheduler: ``warmup_scheduler/scheduler.py`` of ildoonet/pytorch-gradual-warmup-lr,
  whose ``get_lr``/``step`` logic is transcribed below and driven with a real torch scheduler
  as ``after_scheduler``.

Every schedule is compared over its length plus 20% (or a fixed horizon for endless ones);
error measure ``|ours - ref| / max(|ref|, 1e-12 * scale)`` <= 1e-10 on the float64 paths.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from _parity import assert_both_paths, other_path
from hypothesis import given
from hypothesis import strategies as st

from schedalg import cosine, hold, repeat, shift, staircase
from schedalg import exp as sexp
from schedalg.compat import classics as cc

assert_parity = assert_both_paths

# -- Noam ----------------------------------------------------------------------------------------


def noam_paper(step_num, d_model, warmup, factor=1.0):
    return factor * d_model**-0.5 * min(step_num**-0.5, step_num * warmup**-1.5)


@pytest.mark.parametrize(
    ("d_model", "warmup", "factor"), [(512, 4000, 1.0), (768, 137, 2.0), (64, 1, 0.5)]
)
def test_noam_matches_paper(d_model, warmup, factor):
    n = max(math.ceil(1.2 * 5 * warmup), 60)
    ref = [noam_paper(k + 1, d_model, warmup, factor) for k in range(n)]
    assert_parity(cc.noam(d_model, warmup, factor), ref, 1.0)


def test_noam_shifted_is_annotated_transformer():
    def rate(step, model_size, factor, warmup):
        if step == 0:
            step = 1
        return factor * (model_size**-0.5 * min(step**-0.5, step * warmup**-1.5))

    ref = [rate(k, 512, 1.0, 400) for k in range(2500)]
    assert_parity(shift(cc.noam(512, 400), 1), ref, 1.0)


# -- CLR -----------------------------------------------------------------------------------------


def clr_smith(it, base_lr, max_lr, stepsize, mode, gamma=1.0):
    cycle = math.floor(1 + it / (2 * stepsize))
    x = abs(it / stepsize - 2 * cycle + 1)
    height = (max_lr - base_lr) * max(0.0, 1 - x)
    if mode == "triangular2":
        height = height / float(2 ** (cycle - 1))
    elif mode == "exp_range":
        height = height * gamma**it
    return base_lr + height


CLR_CASES = [
    (1e-4, 6e-3, 37, "triangular", 1.0),
    (2e-3, 1e-2, 11, "triangular2", 1.0),
    (1e-3, 4e-2, 23, "exp_range", 0.9993),
    (0.0, 1.0, 1, "triangular", 1.0),
]


@pytest.mark.parametrize(("base", "top", "step_size", "mode", "gamma"), CLR_CASES)
def test_clr_matches_smith(base, top, step_size, mode, gamma):
    n = 12 * step_size + 7
    ref = [clr_smith(k, base, top, step_size, mode, gamma) for k in range(n)]
    assert_parity(cc.cyclical_lr(base, top, step_size, mode, gamma), ref, top)


@pytest.mark.parametrize(("base", "top", "step_size", "mode", "gamma"), CLR_CASES)
def test_clr_matches_torch_cycliclr(base, top, step_size, mode, gamma):
    torch = pytest.importorskip("torch")
    param = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([param], lr=base)
    sched = torch.optim.lr_scheduler.CyclicLR(
        opt, base, top, step_size_up=step_size, mode=mode, gamma=gamma, cycle_momentum=False
    )
    ref = []
    for _ in range(10 * step_size + 5):
        ref.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    assert_parity(cc.cyclical_lr(base, top, step_size, mode, gamma), ref, top)


@given(
    base=st.floats(0.0, 1e-2),
    span=st.floats(1e-4, 1.0),
    step_size=st.integers(1, 30),
    mode=st.sampled_from(["triangular", "triangular2", "exp_range"]),
    gamma=st.floats(0.99, 1.0),
)
def test_clr_hypothesis(base, span, step_size, mode, gamma):
    n = 8 * step_size + 3
    ref = [clr_smith(k, base, base + span, step_size, mode, gamma) for k in range(n)]
    assert_parity(cc.cyclical_lr(base, base + span, step_size, mode, gamma), ref, base + span)


# -- yolov5 --------------------------------------------------------------------------------------


def one_cycle_ref(y1, y2, steps):
    return lambda x: ((1 - math.cos(x * math.pi / steps)) / 2) * (y2 - y1) + y1


def lf_ref(lrf, epochs, cos_lr):
    if cos_lr:
        return one_cycle_ref(1, lrf, epochs)
    return lambda x: (1 - x / epochs) * (1.0 - lrf) + lrf


def yolo_lr_ref(k, lr0, lrf, epochs, nb, warmup_epochs, warmup_bias_lr, cos_lr, bias):
    lf = lf_ref(lrf, epochs, cos_lr)
    nw = max(round(warmup_epochs * nb), 100)
    epoch = min(k // nb, epochs)  # training stops after `epochs`; lf(epochs) = lrf is held
    target = lr0 * lf(epoch)
    if k <= nw:
        return float(np.interp(k, [0, nw], [warmup_bias_lr if bias else 0.0, target]))
    return target


def yolo_mom_ref(k, momentum, warmup_momentum, warmup_epochs, nb):
    nw = max(round(warmup_epochs * nb), 100)
    if k <= nw:
        return float(np.interp(k, [0, nw], [warmup_momentum, momentum]))
    return momentum


@pytest.mark.parametrize(("lrf", "epochs"), [(0.01, 30), (0.2, 7)])
@pytest.mark.parametrize("cos_lr", [False, True])
def test_yolov5_lf(lrf, epochs, cos_lr):
    f = lf_ref(lrf, epochs, cos_lr)
    ref = [f(min(e, epochs)) for e in range(math.ceil(1.2 * epochs) + 2)]
    assert_parity(cc.yolov5_lf(lrf, epochs, cos_lr), ref, 1.0)


def test_one_cycle():
    f = one_cycle_ref(0.3, 1.7, 45)
    assert_parity(cc.one_cycle(0.3, 1.7, 45), [f(min(x, 45)) for x in range(60)], 1.7)


@pytest.mark.parametrize(
    "kw",
    [
        {"lr0": 0.01, "lrf": 0.01, "epochs": 6, "nb": 40, "warmup_epochs": 3.0},
        {"lr0": 0.01, "lrf": 0.1, "epochs": 5, "nb": 17, "warmup_epochs": 3.0, "cos_lr": True},
        {"lr0": 3e-3, "lrf": 0.05, "epochs": 9, "nb": 23, "warmup_epochs": 5.5, "cos_lr": True},
        {"lr0": 0.02, "lrf": 0.2, "epochs": 4, "nb": 120, "warmup_epochs": 0.5},
    ],
)
@pytest.mark.parametrize(("bias", "warmup_bias_lr"), [(False, 0.1), (True, 0.1), (True, 0.05)])
def test_yolov5_lr(kw, bias, warmup_bias_lr):
    kw = {"cos_lr": False, **kw}
    n = math.ceil(1.2 * kw["epochs"] * kw["nb"]) + 1
    ref = [yolo_lr_ref(k, **kw, warmup_bias_lr=warmup_bias_lr, bias=bias) for k in range(n)]
    ours = cc.yolov5_lr(**kw, warmup_bias_lr=warmup_bias_lr, bias=bias)
    assert_parity(ours, ref, max(kw["lr0"], warmup_bias_lr))


@pytest.mark.parametrize(("warmup_epochs", "nb"), [(3.0, 50), (2.5, 13), (0.0, 9)])
def test_yolov5_momentum(warmup_epochs, nb):
    ref = [yolo_mom_ref(k, 0.937, 0.8, warmup_epochs, nb) for k in range(400)]
    assert_parity(cc.yolov5_momentum(0.937, 0.8, warmup_epochs, nb=nb), ref, 1.0)


# -- darknet -------------------------------------------------------------------------------------


def test_darknet_burn_in_then_steps():
    lr, burn_in, power = 1e-3, 100, 4.0
    steps, scales = [400, 450], [0.1, 0.1]

    def ref(k):
        if k < burn_in:
            return lr * (k / burn_in) ** power
        rate = lr
        for s, sc in zip(steps, scales, strict=True):
            if s > k:
                break
            rate *= sc
        return rate

    from schedalg import piecewise

    policy = piecewise(steps, [lr, lr * 0.1, lr * 0.1 * 0.1])
    assert_parity(
        cc.darknet_burn_in(lr, burn_in, power, after=policy), [ref(k) for k in range(600)], lr
    )
    plain = cc.darknet_burn_in(lr, burn_in, 2.0)
    assert_parity(plain, [lr * min(k / burn_in, 1.0) ** 2.0 for k in range(150)], lr)


# -- GradualWarmupScheduler ----------------------------------------------------------------------


def gradual_warmup_lrs(base_lr, multiplier, total_epoch, make_after, steps):
    """The package's algorithm (get_lr / step), driving a real torch ``after_scheduler``."""
    torch = pytest.importorskip("torch")
    from torch.optim.lr_scheduler import LRScheduler

    class Warmup(LRScheduler):
        def __init__(self, optimizer, multiplier, total_epoch, after_scheduler=None):
            self.multiplier = multiplier
            self.total_epoch = total_epoch
            self.after_scheduler = after_scheduler
            self.finished = False
            super().__init__(optimizer)

        def get_lr(self):
            if self.last_epoch > self.total_epoch:
                if self.after_scheduler:
                    if not self.finished:
                        self.after_scheduler.base_lrs = [b * self.multiplier for b in self.base_lrs]
                        self.finished = True
                    return self.after_scheduler.get_last_lr()
                return [b * self.multiplier for b in self.base_lrs]
            if self.multiplier == 1.0:
                return [b * (float(self.last_epoch) / self.total_epoch) for b in self.base_lrs]
            return [
                b * ((self.multiplier - 1.0) * self.last_epoch / self.total_epoch + 1.0)
                for b in self.base_lrs
            ]

        def step(self, epoch=None):
            if self.finished and self.after_scheduler:
                self.after_scheduler.step()
                self._last_lr = self.after_scheduler.get_last_lr()
            else:
                super().step()

    param = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([param], lr=base_lr)
    after = make_after(opt) if make_after else None
    sched = Warmup(opt, multiplier, total_epoch, after)
    out = []
    for _ in range(steps):
        out.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return out


@pytest.mark.parametrize(("multiplier", "total_epoch"), [(1.0, 7), (4.0, 9), (1.5, 1)])
def test_gradual_warmup_alone(multiplier, total_epoch):
    base = 0.03
    ref = gradual_warmup_lrs(base, multiplier, total_epoch, None, 30)
    assert_parity(cc.GradualWarmupScheduler(base, multiplier, total_epoch), ref, base * multiplier)


def test_gradual_warmup_then_steplr_multiplier_one():
    """multiplier == 1: the after_scheduler continues from its own step 0 at total_epoch + 1."""
    torch = pytest.importorskip("torch")
    base, t, step_size, gamma = 0.05, 6, 4, 0.5
    ref = gradual_warmup_lrs(
        base, 1.0, t, lambda o: torch.optim.lr_scheduler.StepLR(o, step_size, gamma), 40
    )
    after = staircase(sexp(base, rate=gamma ** (1 / step_size)), step_size)
    assert_parity(cc.GradualWarmupScheduler(base, 1.0, t, after), ref, base)


def test_gradual_warmup_then_cosine_multiplier_one():
    torch = pytest.importorskip("torch")
    base, t, t_max = 0.05, 5, 20
    ref = gradual_warmup_lrs(
        base, 1.0, t, lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, t_max), 60
    )
    assert_parity(
        # torch's CosineAnnealingLR keeps waving past T_max (period 2 T_max)
        cc.GradualWarmupScheduler(
            base, 1.0, t, repeat(cosine(base, 0.0, t_max) >> cosine(0.0, base, t_max))
        ),
        ref,
        base,
    )


def test_gradual_warmup_package_drops_multiplier_at_handover():
    """The package's quirk (documented in the README's difference table): with multiplier > 1
    and an after_scheduler, the first step after warmup takes the after_scheduler's lr from
    before it was re-based, i.e. base_lr, not base_lr * multiplier; schedalg follows the
    documented intent (after_scheduler built for base_lr * multiplier)."""
    torch = pytest.importorskip("torch")
    base, m, t = 0.05, 4.0, 5
    ref = gradual_warmup_lrs(base, m, t, lambda o: torch.optim.lr_scheduler.StepLR(o, 100, 0.5), 10)
    assert ref[t] == pytest.approx(base * m)
    assert ref[t + 1] == pytest.approx(base)  # the package: back to the unmultiplied lr
    ours = cc.GradualWarmupScheduler(base, m, t, hold(base * m))
    assert ours(t + 1) == pytest.approx(base * m)


# -- argument errors -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: cc.noam(0, 4000), "d_model"),
        (lambda: cc.noam(512, 0), "warmup_steps"),
        (lambda: cc.cyclical_lr(0.1, 1.0, 0), "step_size"),
        (lambda: cc.cyclical_lr(0.1, 1.0, 5, mode="sine"), "mode"),
        (lambda: cc.cyclical_lr(0.1, 1.0, 5, mode="exp_range", gamma=1.2), "gamma"),
        (lambda: cc.yolov5_lf(0.01, 0), "epochs"),
        (lambda: cc.yolov5_lr(0.01, 0.01, 10, 0), "nb"),
        (lambda: cc.yolov5_lr(0.01, 0.01, 10, 5, warmup_epochs=-1), "warmup_epochs"),
        (lambda: cc.darknet_burn_in(1e-3, -1), "burn_in"),
        (lambda: cc.darknet_burn_in(1e-3, 10, after=0.5), "after"),
        (lambda: cc.GradualWarmupScheduler(0.1, 0.5, 5), "multiplier"),
        (lambda: cc.GradualWarmupScheduler(0.1, 2.0, 0), "total_epoch"),
        (lambda: cc.GradualWarmupScheduler(0.1, 2.0, 3, after_scheduler=lambda e: 1), "after"),
    ],
)
def test_bad_arguments_raise(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()


BACKEND_CASES = [
    cc.noam(512, 40),
    cc.cyclical_lr(1e-3, 1e-2, 7, "exp_range", 0.99),
    cc.yolov5_lr(0.01, 0.1, 5, 30, cos_lr=True, bias=True),
    cc.GradualWarmupScheduler(0.01, 3.0, 10, cosine(0.03, 0.0, 50)),
]


@pytest.mark.parametrize("index", range(len(BACKEND_CASES)))
def test_backends_agree(index, ev, backend):
    """Every backend of the conftest fixture gives another path's values (JAX in float32)."""
    s = BACKEND_CASES[index]
    ts = np.arange(200)
    tol = (
        {"rtol": 1e-12} if backend in ("python", "numpy", "torch") else {"rtol": 2e-6, "atol": 1e-9}
    )
    np.testing.assert_allclose(ev(s, ts), other_path(s, ts, backend), **tol)
