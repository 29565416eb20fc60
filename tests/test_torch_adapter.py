"""schedalg.torch: exact LambdaLR export, any-hyperparameter scheduler, checkpoints, errors."""

from __future__ import annotations

import io
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import schedalg
from schedalg import clip, concat, cosine, exp, hold, linear_ramp, poly, repeat, triangle

torch = pytest.importorskip("torch")

from torch.optim.lr_scheduler import LambdaLR, LRScheduler, OneCycleLR  # noqa: E402

from schedalg.torch import ParamScheduler, to_lambda_lr  # noqa: E402

# -- schedules for property tests ---------------------------------------------------------------

_v = st.floats(0.0, 2.0, allow_nan=False, width=64)
_n = st.integers(1, 12)
_piece = st.one_of(
    st.builds(linear_ramp, _v, _v, _n),
    st.builds(cosine, _v, _v, _n),
    st.builds(poly, _v, _v, _n, st.sampled_from([0.5, 1.0, 2.0])),
    st.builds(triangle, _v, _v, _n),
    st.builds(exp, st.floats(1e-4, 2.0), st.floats(1e-4, 2.0), _n),
    st.builds(hold, _v, _n),
)
_concat = st.lists(_piece, min_size=1, max_size=4).map(lambda ps: concat(*ps))
# Top-level nodes of other kinds too: products, clips, repeats (finite), and a schedule
# with a NumPy leaf (which takes the general evaluation path).
schedules = st.one_of(
    _concat,
    st.builds(lambda a, b: a * b, _concat, _piece),
    st.builds(lambda a: clip(a, 0.1, 1.5), _concat),
    st.builds(lambda a, n: repeat(a, times=n), _concat, st.integers(1, 3)),
    st.builds(lambda v, n: linear_ramp(np.array(v), 0.5, n), _v, _n),
)


def _model(seed: int = 0):
    torch.manual_seed(seed)
    return torch.nn.Linear(3, 2)


def _train_step(model, opt, k: int) -> None:
    g = torch.Generator().manual_seed(1000 + k)
    x = torch.randn(4, 3, generator=g)
    opt.zero_grad()
    model(x).pow(2).mean().backward()
    opt.step()


# -- to_lambda_lr ---------------------------------------------------------------------------


@given(s=schedules, built_lr=st.floats(1e-6, 10.0), momentum=st.sampled_from([0.0, 0.9]))
def test_lambda_lr_lr_is_exactly_the_schedule(s, built_lr, momentum):
    model = _model()
    opt = torch.optim.SGD(model.parameters(), lr=built_lr, momentum=momentum)
    sched = to_lambda_lr(opt, s)
    assert isinstance(sched, LambdaLR)
    for k in range(s.duration + 3):
        assert opt.param_groups[0]["lr"] == s(k)  # exact: the same float
        assert sched.get_last_lr() == [s(k)]
        _train_step(model, opt, k)
        sched.step()


def test_lambda_lr_yolo_bias_warmup_per_group():
    # YOLOv5-style warmup over 30 updates: the bias group falls from 0.1 to lr0 while the
    # weight groups rise from 0 to lr0; then all follow a cosine to lr0 * 0.01.
    lr0, warm, total = 0.01, 30, 100
    after = cosine(lr0, lr0 * 0.01, total - warm)
    bias = linear_ramp(0.1, lr0, warm) >> after
    other = linear_ramp(0.0, lr0, warm) >> after
    w1, w2, b = (torch.zeros(2, requires_grad=True) for _ in range(3))
    opt = torch.optim.SGD(
        [{"params": [b]}, {"params": [w1], "weight_decay": 5e-4}, {"params": [w2]}],
        lr=0.5,
        momentum=0.9,
    )
    sched = to_lambda_lr(opt, [bias, other, other])
    for k in range(total + 2):
        lrs = [g["lr"] for g in opt.param_groups]
        assert lrs == [bias(k), other(k), other(k)]
        if k <= warm:
            frac = k / warm  # np.interp over [0, warm], as YOLOv5's warmup
            assert lrs[0] == pytest.approx(0.1 + (lr0 - 0.1) * frac, rel=1e-12)
            assert lrs[1] == pytest.approx(lr0 * frac, rel=1e-12, abs=1e-18)
        else:
            u = (k - warm) / (total - warm)
            want = lr0 * 0.01 + (lr0 - lr0 * 0.01) * (1 + math.cos(math.pi * min(u, 1))) / 2
            assert lrs[0] == lrs[1] == pytest.approx(want, rel=1e-12)
        opt.step()
        sched.step()


def _round_trip(make_sched, s_total: int, stop: int):
    """lr sequence and final weights of an uninterrupted run vs one checkpointed at ``stop``."""

    def fresh(built_lr):
        model = _model()
        opt = torch.optim.SGD(model.parameters(), lr=built_lr, momentum=0.9, weight_decay=1e-3)
        return model, opt, make_sched(opt)

    model, opt, sched = fresh(0.1)
    full = []
    for k in range(s_total):
        full.append(opt.param_groups[0]["lr"])
        _train_step(model, opt, k)
        sched.step()
    final = [p.detach().clone() for p in model.parameters()]

    model, opt, sched = fresh(0.1)
    got = []
    for k in range(stop):
        got.append(opt.param_groups[0]["lr"])
        _train_step(model, opt, k)
        sched.step()
    buf = io.BytesIO()
    torch.save(
        {"model": model.state_dict(), "opt": opt.state_dict(), "sched": sched.state_dict()}, buf
    )
    buf.seek(0)
    ckpt = torch.load(buf, weights_only=True)  # no schedule objects inside: safe loading works
    model, opt, sched = fresh(7.0)  # built with another lr on purpose
    model.load_state_dict(ckpt["model"])
    opt.load_state_dict(ckpt["opt"])
    sched.load_state_dict(ckpt["sched"])
    for k in range(stop, s_total):
        got.append(opt.param_groups[0]["lr"])
        _train_step(model, opt, k)
        sched.step()
    return full, got, final, list(model.parameters())


@given(s=schedules, data=st.data())
def test_lambda_lr_checkpoint_round_trip(s, data):
    total = s.duration + 2
    stop = data.draw(st.integers(0, total), label="stop")
    full, got, final, params = _round_trip(lambda o: to_lambda_lr(o, s), total, stop)
    assert got == full == [s(k) for k in range(total)]
    for a, b in zip(final, params, strict=True):
        assert torch.equal(a, b.detach())


def test_lambda_lr_errors():
    opt = torch.optim.SGD(
        [{"params": [torch.zeros(1, requires_grad=True)]}, {"params": [torch.zeros(1)]}], lr=0.1
    )
    with pytest.raises(ValueError, match=r"to_lambda_lr\(\): schedule has 3 schedules .* 2 param"):
        to_lambda_lr(opt, [hold(0.1)] * 3)
    with pytest.raises(TypeError, match=r"to_lambda_lr\(\): schedule must be a schedalg"):
        to_lambda_lr(opt, lambda k: 0.1)
    with pytest.raises(TypeError, match=r"to_lambda_lr\(\): optimizer"):
        to_lambda_lr(object(), hold(0.1))
    with pytest.raises(ValueError, match="negative must be one of"):
        to_lambda_lr(opt, hold(0.1), negative="warn")
    dips = linear_ramp(0.1, -0.1, 4)  # negative from step 3 on
    sched = to_lambda_lr(opt, dips)
    opt.step()
    sched.step()
    opt.step()
    sched.step()
    opt.step()
    with pytest.raises(ValueError, match=r"negative at step 3 .*negative='allow'"):
        sched.step()
    opt2 = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    sched = to_lambda_lr(opt2, dips, negative="allow")
    for _ in range(4):
        opt2.step()
        sched.step()
    assert opt2.param_groups[0]["lr"] == dips(4) < 0


# -- ParamScheduler -----------------------------------------------------------------------


def _one_cycle(total: int, max_lr: float, pct: float = 0.3):
    """torch OneCycleLR's default cos schedule (lr and momentum) written as schedalg values."""
    up = round(pct * total) - 1  # torch: phase 1 ends at float(pct * total) - 1
    down = total - 1 - up
    initial, final = max_lr / 25, max_lr / 25 / 1e4
    lr = cosine(initial, max_lr, up) >> cosine(max_lr, final, down)
    mom = cosine(0.95, 0.85, up) >> cosine(0.85, 0.95, down)
    return lr, mom


@pytest.mark.parametrize("opt_name", ["sgd", "adam"])
def test_param_scheduler_matches_torch_one_cycle(opt_name):
    total, max_lr = 100, 0.5
    lr, mom = _one_cycle(total, max_lr)
    m_ref, m = _model(), _model()
    if opt_name == "sgd":
        ref_opt = torch.optim.SGD(m_ref.parameters(), lr=0.1, momentum=0.9)
        opt = torch.optim.SGD(m.parameters(), lr=0.1, momentum=0.9)
        keys = {"lr": lr, "momentum": mom}
    else:
        ref_opt = torch.optim.Adam(m_ref.parameters(), lr=0.1)
        opt = torch.optim.Adam(m.parameters(), lr=0.1)
        keys = {"lr": lr, ("betas", 0): mom}
    ref = OneCycleLR(ref_opt, max_lr=max_lr, total_steps=total)
    ours = ParamScheduler(opt, keys)
    assert isinstance(ours, LRScheduler)
    for k in range(total):
        g_ref, g = ref_opt.param_groups[0], opt.param_groups[0]
        assert g["lr"] == pytest.approx(g_ref["lr"], rel=1e-12)
        assert ours.get_last_lr() == [g["lr"]] == [lr(k)]
        if opt_name == "sgd":
            assert g["momentum"] == pytest.approx(g_ref["momentum"], rel=1e-12)
        else:
            assert g["betas"][0] == pytest.approx(g_ref["betas"][0], rel=1e-12)
            assert g["betas"][1] == g_ref["betas"][1] == 0.999
        _train_step(m_ref, ref_opt, k)
        _train_step(m, opt, k)
        if k < total - 1:  # OneCycleLR refuses to step past total_steps
            ref.step()
        ours.step()


def test_param_scheduler_any_key_and_per_group():
    w, b = torch.zeros(2, requires_grad=True), torch.zeros(2, requires_grad=True)
    opt = torch.optim.AdamW(
        [{"params": [w], "ema_decay": 0.9}, {"params": [b], "ema_decay": 0.9}], lr=1e-3
    )
    wd = cosine(0.04, 0.4, 20)  # DINO-style rising weight decay
    b2 = linear_ramp(0.95, 0.999, 10)
    ema = cosine(0.996, 1.0, 20)
    sched = ParamScheduler(
        opt,
        {
            "weight_decay": [wd, 0.0],  # no decay on the bias group
            "betas[1]": b2,
            "ema_decay": [ema, None],  # group 1 keeps its own value
        },
    )
    for k in range(25):
        g0, g1 = opt.param_groups
        assert g0["weight_decay"] == wd(k) and g1["weight_decay"] == 0.0
        assert g0["betas"] == (0.9, b2(k)) == g1["betas"]
        assert g0["ema_decay"] == ema(k) and g1["ema_decay"] == 0.9
        assert g0["lr"] == 1e-3  # lr is not scheduled: left alone
        assert sched.last_values() == {
            "weight_decay": [wd(k), 0.0],
            "betas[1]": [b2(k), b2(k)],
            "ema_decay": [ema(k), None],
        }
        w.grad = torch.ones(2)
        b.grad = torch.ones(2)
        opt.step()
        sched.step()


@given(data=st.data())
def test_param_scheduler_checkpoint_round_trip(data):
    total = 40
    lr, mom = _one_cycle(total, 0.3)
    stop = data.draw(st.integers(0, total), label="stop")

    def make(o):
        return ParamScheduler(o, {"lr": lr, "momentum": mom})

    full, got, final, params = _round_trip(make, total, stop)
    assert got == full == [lr(k) for k in range(total)]
    for a, b in zip(final, params, strict=True):
        assert torch.equal(a, b.detach())


def test_param_scheduler_lightning_style_loop():
    # Lightning accepts {"scheduler": s, "interval": "step"} when s is an LRScheduler and calls
    # s.step() after every optimizer step; replay that protocol.
    model = _model()
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    lr, mom = _one_cycle(30, 0.2)
    config = {"scheduler": ParamScheduler(opt, {"lr": lr, "momentum": mom}), "interval": "step"}
    s = config["scheduler"]
    assert isinstance(s, LRScheduler) and callable(s.state_dict) and callable(s.load_state_dict)
    seen = []
    for k in range(30):
        _train_step(model, opt, k)
        seen.append(s.get_last_lr()[0])
        s.step()
    assert seen == [lr(k) for k in range(30)]


def test_param_scheduler_errors():
    opt = torch.optim.Adam([torch.zeros(1, requires_grad=True)], lr=0.1)
    with pytest.raises(ValueError, match=r"ParamScheduler\(\): param group 0 has no key 'mom"):
        ParamScheduler(opt, {"momentum": hold(0.9)})
    with pytest.raises(ValueError, match=r"'betas\[2\]'.* no element 2"):
        ParamScheduler(opt, {"betas[2]": hold(0.9)})
    with pytest.raises(ValueError, match=r"'lr\[0\]'.* no element 0"):
        ParamScheduler(opt, {"lr[0]": hold(0.9)})
    with pytest.raises(ValueError, match="a hyperparameter key must be"):
        ParamScheduler(opt, {"betas 0": hold(0.9)})
    with pytest.raises(ValueError, match="given twice"):
        ParamScheduler(opt, {"betas[0]": hold(0.9), ("betas", 0): hold(0.8)})
    with pytest.raises(ValueError, match=r"has 2 schedules but the optimizer has 1"):
        ParamScheduler(opt, {"lr": [hold(0.1), hold(0.2)]})
    with pytest.raises(TypeError, match="non-empty mapping"):
        ParamScheduler(opt, {})
    with pytest.raises(ValueError, match=r"'betas\[0\]' of param group 0 is negative at step 0"):
        ParamScheduler(opt, {"betas[0]": linear_ramp(-0.1, 0.9, 5)})
    sched = ParamScheduler(opt, {"lr": hold(0.1)})
    with pytest.raises(ValueError, match="do not match"):
        sched.load_state_dict({"last_epoch": 3, "_step_count": 4, "keys": ["momentum"]})


def test_tensor_lr_is_filled_in_place():
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.Adam([p], lr=torch.tensor(0.1))
    lr_tensor = opt.param_groups[0]["lr"]
    s = linear_ramp(0.0, 1.0, 4)
    sched = ParamScheduler(opt, {"lr": s})
    for k in range(5):
        assert opt.param_groups[0]["lr"] is lr_tensor
        assert float(lr_tensor) == np.float32(s(k))
        p.grad = torch.ones(1)
        opt.step()
        sched.step()


def test_importing_schedalg_torch_does_not_import_jax():
    code = (
        "import sys, schedalg.torch, schedalg.plateau, schedalg.range_test\n"
        "assert 'jax' not in sys.modules, 'jax imported'\n"
        "import schedalg.plateau as p\n"
        "s = p.reduce_on_plateau(patience=0)\n"
        "s.update(s.init(), 1.0)\n"
        "assert 'jax' not in sys.modules\n"
    )
    root = str(Path(schedalg.__file__).resolve().parent.parent)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([root, os.environ.get("PYTHONPATH", "")])}
    subprocess.run([sys.executable, "-c", code], check=True, env=env)
