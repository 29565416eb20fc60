"""schedalg.torch: exact LambdaLR export, any-hyperparameter scheduler, checkpoints, errors."""

from __future__ import annotations

import copy
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


# -- param groups: relative values, or a refusal ------------------------------------------------


def _groups(lrs, momentum: float = 0.9, **extra):
    """An SGD optimizer with one 3-vector parameter per group, group i built at lrs[i]."""
    ps = [torch.zeros(3, requires_grad=True) for _ in lrs]
    groups = [{"params": [p], "lr": lr, **extra} for p, lr in zip(ps, lrs, strict=True)]
    return torch.optim.SGD(groups, lr=1.0, momentum=momentum), ps


def _record_lrs(opt, seen: list):
    """Append the groups' lrs to ``seen`` at the moment each optimizer.step() runs."""

    def hook(o, args, kwargs):
        seen.append([float(g["lr"]) for g in o.param_groups])

    opt.register_step_pre_hook(hook)


@pytest.mark.parametrize("adapter", ["to_lambda_lr", "ParamScheduler"])
def test_one_absolute_schedule_for_groups_with_different_lrs_is_refused(adapter):
    # Regression: both groups silently ended at s(k), dropping the 1:10 ratio the user set.
    opt, _ = _groups([1e-4, 1e-3])
    s = cosine(1.0, 0.0, 10)
    with pytest.raises(
        ValueError,
        match=rf"{adapter}\(\): one schedule for 'lr', but the param groups start at different "
        r"values \[0.0001, 0.001\].*list with one schedule per group, or relative=True",
    ):
        if adapter == "to_lambda_lr":
            to_lambda_lr(opt, s)
        else:
            ParamScheduler(opt, {"lr": s})
    # a list, or relative values, are accepted; so is one schedule for equal groups
    to_lambda_lr(opt, [s, s])
    ParamScheduler(opt, {"lr": s}, relative=True)
    to_lambda_lr(_groups([0.1, 0.1])[0], s)


def test_one_absolute_schedule_for_other_keys_with_different_values_is_refused():
    # weight decay 5e-4 on weights and 0 on biases: one schedule would decay the biases too.
    w, b = torch.zeros(2, requires_grad=True), torch.zeros(2, requires_grad=True)
    opt = torch.optim.AdamW(
        [{"params": [w], "weight_decay": 5e-4}, {"params": [b], "weight_decay": 0.0}], lr=1e-3
    )
    with pytest.raises(ValueError, match=r"one schedule for 'weight_decay'.*\[0.0005, 0.0\]"):
        ParamScheduler(opt, {"weight_decay": cosine(5e-4, 5e-5, 10)})
    sched = ParamScheduler(opt, {"weight_decay": cosine(1.0, 0.1, 10)}, relative=True)
    assert [g["weight_decay"] for g in opt.param_groups] == [5e-4, 0.0]
    w.grad, b.grad = torch.ones(2), torch.ones(2)
    opt.step()
    sched.step()
    want = (1.0 + 0.1 + (1.0 - 0.1) * math.cos(math.pi / 10)) / 2  # the cosine at k=1, by hand
    assert opt.param_groups[0]["weight_decay"] == pytest.approx(5e-4 * want, rel=1e-12)
    assert opt.param_groups[1]["weight_decay"] == 0.0


def _warmup_cosine(k: int, warm: int, total: int, peak: float = 1.0, end: float = 0.0) -> float:
    """A linear warmup from 0 to ``peak`` over ``warm`` updates, then a cosine to ``end``."""
    if k < warm:
        return peak * k / warm
    u = min(k - warm, total - warm) / (total - warm)
    return end + (peak - end) * (1 + math.cos(math.pi * u)) / 2


@pytest.mark.parametrize("adapter", ["to_lambda_lr", "ParamScheduler"])
def test_relative_multiplies_each_group_initial_lr(adapter):
    warm, total = 10, 50
    s = linear_ramp(0.0, 1.0, warm) >> cosine(1.0, 0.0, total - warm)
    opt, ps = _groups([1e-4, 1e-3])
    seen: list = []
    _record_lrs(opt, seen)
    if adapter == "to_lambda_lr":
        sched = to_lambda_lr(opt, s, relative=True)
    else:
        sched = ParamScheduler(opt, {"lr": s}, relative=True)
    for _ in range(total + 3):
        for p in ps:
            p.grad = torch.ones(3)
        opt.step()
        sched.step()
    for k, lrs in enumerate(seen):
        assert lrs == [1e-4 * s(k), 1e-3 * s(k)]  # the same floats as initial_lr * s(k)
        hand = _warmup_cosine(k, warm, total)
        assert lrs == pytest.approx([1e-4 * hand, 1e-3 * hand], rel=1e-12, abs=1e-20)


def test_relative_keys_can_be_chosen():
    opt, _ = _groups([1e-4, 1e-3], momentum=0.9)
    s, mom = cosine(1.0, 0.5, 10), cosine(0.85, 0.95, 10)
    sched = ParamScheduler(opt, {"lr": s, "momentum": mom}, relative="lr")
    assert sched.relative == ("lr",)
    for k in range(12):
        assert [g["lr"] for g in opt.param_groups] == [1e-4 * s(k), 1e-3 * s(k)]
        assert [g["momentum"] for g in opt.param_groups] == [mom(k), mom(k)]  # absolute
        opt.step()
        sched.step()
    opt2, _ = _groups([1e-4, 1e-3])
    sched = ParamScheduler(opt2, {"lr": s, "momentum": mom}, relative=("lr", "momentum"))
    assert sched.relative == ("lr", "momentum")
    assert opt2.param_groups[1]["momentum"] == 0.9 * mom(0)
    with pytest.raises(ValueError, match=r"relative names key 'betas\[0\]', which is not sched"):
        ParamScheduler(opt, {"lr": s}, relative={"betas[0]"})
    with pytest.raises(TypeError, match=r"to_lambda_lr\(\): relative must be True or False"):
        to_lambda_lr(opt, [s, s], relative="yes")


# -- resume: every adapter, every load order, several stop steps ----------------------------------

_W, _T, _EVERY = 8, 24, 4  # warmup, updates, one metric report every _EVERY updates
_S = linear_ramp(0.0, 0.1, _W) >> cosine(0.1, 0.001, _T - _W)
_S2 = linear_ramp(0.0, 0.05, _W) >> hold(0.05)
_MOM = cosine(0.95, 0.85, _T)
# one per report; a plateau at 2.5, 2.6, 2.7 (the 3rd report leaves num_bad = 1 at update 12)
_METRICS = [3.0, 2.0, 2.5, 2.6, 2.7, 1.0]


def _plateau():
    from schedalg.plateau import reduce_on_plateau

    return reduce_on_plateau(factor=0.5, patience=1)


def _make_plateau_lr(o):
    from schedalg.torch import PlateauLR

    return PlateauLR(o, _plateau())


# name -> (group lrs, factory, steps every update?, reports metrics?, lr of update k or None)
_CASES = {
    "to_lambda_lr": ((0.1, 0.1), lambda o: to_lambda_lr(o, _S), True, False, lambda k: [_S(k)] * 2),
    "to_lambda_lr list": (
        (0.1, 0.1),
        lambda o: to_lambda_lr(o, [_S, _S2]),
        True,
        False,
        lambda k: [_S(k), _S2(k)],
    ),
    "to_lambda_lr relative": (
        (1e-4, 1e-3),
        lambda o: to_lambda_lr(o, _S, relative=True),
        True,
        False,
        lambda k: [1e-4 * _S(k), 1e-3 * _S(k)],
    ),
    "ParamScheduler": (
        (0.1, 0.1),
        lambda o: ParamScheduler(o, {"lr": _S, "momentum": _MOM}),
        True,
        False,
        lambda k: [_S(k)] * 2,
    ),
    "ParamScheduler relative": (
        (1e-4, 1e-3),
        lambda o: ParamScheduler(o, {"lr": _S}, relative=True),
        True,
        False,
        lambda k: [1e-4 * _S(k), 1e-3 * _S(k)],
    ),
    "ParamScheduler plateau": (
        (0.1, 0.1),
        lambda o: ParamScheduler(o, {"lr": _S}, plateau=_plateau()),
        True,
        True,
        None,
    ),
    "PlateauLR": ((0.1, 0.02), _make_plateau_lr, False, True, None),
}
_ORDERS = ["optimizer, scheduler", "scheduler, optimizer", "scheduler only", "optimizer, build"]


def _drive(case: str, opt, ps, sched, start: int, stop: int) -> None:
    _, _, steps, reports, _ = _CASES[case]
    for k in range(start, stop):
        for p in ps:
            p.grad = torch.ones(3)
        opt.step()
        if steps:
            sched.step()
        if reports and (k + 1) % _EVERY == 0:
            m = _METRICS[(k + 1) // _EVERY - 1]
            if steps:
                sched.report(m)
            else:
                sched.step(m)


def _checkpoint(*objs) -> list:
    buf = io.BytesIO()
    torch.save([o.state_dict() for o in objs], buf)
    buf.seek(0)
    return torch.load(buf, weights_only=True)


@pytest.mark.parametrize("order", _ORDERS)
@pytest.mark.parametrize("case", list(_CASES))
def test_resume_in_any_load_order_uses_the_saved_step(case, order):
    # Regression (to_lambda_lr): loading the scheduler's state alone, or building it after the
    # optimizer's state was loaded, gave S(0) (0.0 in a warmup) for the first resumed update.
    lrs, make, _, _, want = _CASES[case]
    opt, ps = _groups(lrs)
    full: list = []
    _record_lrs(opt, full)
    _drive(case, opt, ps, make(opt), 0, _T)
    if want is not None:
        assert full == [want(k) for k in range(_T)]
    for stop in (0, 1, _EVERY, _W, 3 * _EVERY, 13, _T):  # _W: the warmup/cosine boundary
        opt, ps = _groups(lrs)
        seen: list = []
        _record_lrs(opt, seen)
        sched = make(opt)
        _drive(case, opt, ps, sched, 0, stop)
        ck_opt, ck_sched = _checkpoint(opt, sched)
        if case.endswith("plateau") and stop == 3 * _EVERY:
            assert ck_sched["plateau"]["state"][1] == 1  # saved in the middle of a plateau
        # built with other lrs on purpose: what the next update uses must come from the state
        opt, ps = _groups([3 * lr for lr in lrs])
        _record_lrs(opt, seen)
        if order == "optimizer, build":
            opt.load_state_dict(ck_opt)
            sched = make(opt)
            sched.load_state_dict(ck_sched)
        else:
            sched = make(opt)
            if order == "optimizer, scheduler":
                opt.load_state_dict(ck_opt)
            sched.load_state_dict(ck_sched)
            if order == "scheduler, optimizer":
                opt.load_state_dict(ck_opt)
        _drive(case, opt, ps, sched, stop, _T)
        assert seen == full, f"stop={stop}"


# -- schedule and reduce-on-plateau in one scheduler ----------------------------------------------


@pytest.mark.parametrize("factor", [0.5, 0.1])
def test_schedule_with_plateau_is_schedule_times_factor_power(factor):
    # Regression: ParamScheduler/to_lambda_lr beside PlateauLR set the lr to 0.0 at each
    # plateau step, and the next step() dropped the reduction.
    from schedalg.plateau import reduce_on_plateau

    warm, total, per_epoch = 10, 60, 6
    s = linear_ramp(0.0, 0.2, warm) >> cosine(0.2, 0.0, total - warm)
    val = [5.0, 4.0, 4.0, 4.1, 3.0, 3.0, 3.0, 3.0, 2.0, 2.5]  # one per epoch
    # patience 1: the 2nd consecutive report that does not beat the best (by 1e-4 relative)
    # reduces. By hand: 5 best, 4 best, 4 bad, 4.1 bad -> 1; 3 best, 3 bad, 3 bad -> 2;
    # 3 bad, 2 best, 2.5 bad. Reductions in force after each report:
    n_after = [0, 0, 0, 1, 1, 1, 2, 2, 2, 2]
    opt, ps = _groups([0.1])
    seen: list = []
    _record_lrs(opt, seen)
    sched = ParamScheduler(opt, {"lr": s}, plateau=reduce_on_plateau(factor, patience=1))
    for k in range(total):
        ps[0].grad = torch.ones(3)
        opt.step()
        sched.step()
        if (k + 1) % per_epoch == 0:
            sched.report(torch.tensor(val[(k + 1) // per_epoch - 1]))
    for k, (lr,) in enumerate(seen):
        epoch = k // per_epoch
        n = n_after[epoch - 1] if epoch else 0
        assert lr == pytest.approx(_warmup_cosine(k, warm, total, 0.2) * factor**n, rel=1e-12)
        if factor == 0.5:
            assert lr == s(k) * 0.5**n  # exact: powers of 0.5
    assert sched.plateau_state.scale == pytest.approx(factor**2, rel=1e-15)


def test_schedule_with_plateau_relative_groups():
    from schedalg.plateau import reduce_on_plateau

    s = linear_ramp(0.0, 1.0, 4) >> hold(1.0)
    opt, _ = _groups([1e-4, 1e-3])
    sched = ParamScheduler(
        opt, {"lr": s}, relative=True, plateau=reduce_on_plateau(0.5, patience=0)
    )
    for m in [1.0, 2.0, 2.0, 0.5, 0.7]:
        opt.step()
        sched.step()
        sched.report(m)
    # reports: 1 best, 2 bad -> 0.5, 2 bad -> 0.25, 0.5 best, 0.7 bad -> 0.125; k = 5
    assert [g["lr"] for g in opt.param_groups] == [1e-4 * s(5) * 0.125, 1e-3 * s(5) * 0.125]


def test_schedule_with_plateau_lightning_protocol():
    # Lightning: [{"scheduler": s, "interval": "step"}, {"scheduler": s, "interval": "epoch",
    # "monitor": ..., "reduce_on_plateau": True}] calls s.step() after each update and
    # s.step(metric) after each validation: the same lrs as step() + report().
    from schedalg.plateau import reduce_on_plateau

    def run(report_with_step: bool):
        opt, _ = _groups([0.1])
        sched = ParamScheduler(opt, {"lr": _S}, plateau=reduce_on_plateau(0.5, patience=0))
        assert isinstance(sched, LRScheduler)
        out = []
        for k in range(_T):
            out.append(opt.param_groups[0]["lr"])
            opt.step()
            sched.step()
            if (k + 1) % _EVERY == 0:
                m = _METRICS[(k + 1) // _EVERY - 1]
                (sched.step if report_with_step else sched.report)(m)
        return out, sched.get_last_lr()

    a, b = run(True), run(False)
    assert a == b and min(a[0][_W:]) < _S(_T)  # a reduction did happen


def test_schedule_with_plateau_errors():
    from schedalg.plateau import reduce_on_plateau

    opt, _ = _groups([0.1])
    with pytest.raises(ValueError, match=r"plateau= scales the 'lr' schedule.*hold\(lr\)"):
        ParamScheduler(opt, {"momentum": _MOM}, plateau=reduce_on_plateau())
    with pytest.raises(TypeError, match=r"plateau must come from reduce_on_plateau\(\)"):
        ParamScheduler(opt, {"lr": _S}, plateau={"factor": 0.5})
    sched = ParamScheduler(opt, {"lr": _S})
    with pytest.raises(TypeError, match=r"report\(\): this scheduler has no plateau"):
        sched.report(1.0)
    with pytest.raises(TypeError, match=r"report\(\): this scheduler has no plateau"):
        sched.step(1.0)
    with pytest.raises(TypeError, match="epoch is not supported"):
        sched.step(epoch=3)


# -- state dicts and pickles -----------------------------------------------------------------------


def _plain(x) -> bool:
    if isinstance(x, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in x.items())
    if isinstance(x, (list, tuple)):
        return all(_plain(v) for v in x)
    return x is None or type(x) in (bool, int, float, str)


@pytest.mark.parametrize("case", list(_CASES))
def test_state_dict_is_plain_and_records_the_schedules(case):
    lrs, make, *_ = _CASES[case]
    opt, ps = _groups(lrs)
    sched = make(opt)
    _drive(case, opt, ps, sched, 0, 13)
    state = sched.state_dict()
    assert _plain(state)
    (loaded,) = _checkpoint(sched)  # torch.load(weights_only=True)
    assert loaded == state
    if case == "PlateauLR":
        assert state["plateau"] == {**_plateau().__dict__}
        return
    lr_json = state["schedules"]["lr"] if case.startswith("Param") else state["schedules"]
    assert schedalg.from_json(lr_json[0]) == _S
    if case == "to_lambda_lr list":
        assert schedalg.from_json(state["schedules"][1]) == _S2
    if case == "ParamScheduler":
        assert schedalg.from_json(state["schedules"]["momentum"][1]) == _MOM


_OTHER = linear_ramp(0.0, 0.2, _W) >> cosine(0.2, 0.0, _T - _W)


@pytest.mark.parametrize(
    "adapter",
    ["to_lambda_lr", "ParamScheduler", "ParamScheduler relative", "ParamScheduler plateau"],
)
def test_loading_a_state_from_other_schedules_is_refused_unless_replace(adapter):
    from schedalg.plateau import reduce_on_plateau

    def make(o, s, p=None):
        if adapter == "to_lambda_lr":
            return to_lambda_lr(o, s)
        if adapter == "ParamScheduler relative":
            return ParamScheduler(o, {"lr": s}, relative=True)
        return ParamScheduler(o, {"lr": s}, plateau=p)

    opt, _ = _groups([0.1])
    p = reduce_on_plateau(0.5, patience=0) if adapter.endswith("plateau") else None
    sched = make(opt, _S, p)
    for _ in range(5):
        opt.step()
        sched.step()
    state = sched.state_dict()
    opt2, _ = _groups([0.1])
    other = make(opt2, _OTHER, p)
    with pytest.raises(ValueError, match=r"saved from different schedules.*replace=True"):
        other.load_state_dict(state)
    other.load_state_dict(state, replace=True)  # keeps its own schedule, resumes the count
    want = 0.1 * _OTHER(5) if adapter.endswith("relative") else _OTHER(5)
    assert opt2.param_groups[0]["lr"] == want
    if adapter.endswith("plateau"):  # another plateau rule is a change too
        other = make(_groups([0.1])[0], _S, reduce_on_plateau(0.3, patience=0))
        with pytest.raises(ValueError, match=r"saved plateau .*'factor': 0.5"):
            other.load_state_dict(state)
    if adapter == "ParamScheduler relative":  # so is a switch between relative and absolute
        other = ParamScheduler(_groups([0.1])[0], {"lr": _S})
        with pytest.raises(ValueError, match=r"saved relative keys \['lr'\], now \[\]"):
            other.load_state_dict(state)


def test_plateau_lr_refuses_a_state_from_another_rule():
    from schedalg.plateau import reduce_on_plateau
    from schedalg.torch import PlateauLR

    opt, _ = _groups([0.1])
    state = PlateauLR(opt, reduce_on_plateau(0.5)).state_dict()
    other = PlateauLR(_groups([0.1])[0], reduce_on_plateau(0.2))
    with pytest.raises(ValueError, match=r"another plateau rule .*replace=True"):
        other.load_state_dict(state)
    other.load_state_dict(state, replace=True)


@pytest.mark.parametrize("case", list(_CASES))
def test_whole_scheduler_pickles(case):
    # Regression (issue 9 item 16): torch.save(scheduler) failed with "Can't pickle local
    # object 'Concat._pyfn.<locals>.<lambda>'" for to_lambda_lr and ParamScheduler.
    lrs, make, *_ = _CASES[case]
    opt, ps = _groups(lrs)
    sched = make(opt)
    _drive(case, opt, ps, sched, 0, 13)
    buf = io.BytesIO()
    torch.save(sched, buf)
    buf.seek(0)
    copies = [torch.load(buf, weights_only=False), copy.deepcopy(sched)]
    a: list = []
    _record_lrs(opt, a)
    _drive(case, opt, ps, sched, 13, _T)
    for twin in copies:
        b: list = []
        _record_lrs(twin.optimizer, b)
        params = [p for g in twin.optimizer.param_groups for p in g["params"]]
        _drive(case, twin.optimizer, params, twin, 13, _T)
        assert b == a and len(a) == _T - 13


# -- end to end: a real training loop --------------------------------------------------------------


def test_training_loop_lr_at_every_update_is_the_schedule():
    # A tiny regression model trained by AdamW, weights and biases in two groups at a 10:1
    # lr ratio, warmup + cosine relative to each group's lr, and reduce-on-plateau on a
    # validation loss each epoch; resumed from a checkpoint in the middle. The lr seen by
    # every optimizer.step() must be initial_i * s(k) * scale, the scale recomputed by
    # torch's own ReduceLROnPlateau (at lr 1.0 its lr is the scale) from the same losses.
    from schedalg.plateau import reduce_on_plateau

    torch.manual_seed(0)
    x, w_true = torch.randn(64, 4), torch.randn(4, 1)
    y = x @ w_true + 0.3 * torch.randn(64, 1)
    xv, yv = x[:16], y[:16]
    epochs, per_epoch, warm = 8, 6, 10
    total = epochs * per_epoch
    s = linear_ramp(0.0, 1.0, warm) >> cosine(1.0, 0.01, total - warm)
    rule = dict(factor=0.5, patience=0, threshold=0.05)

    def build():
        torch.manual_seed(1)
        model = torch.nn.Linear(4, 1)
        opt = torch.optim.AdamW(
            [
                {"params": [model.weight], "lr": 3e-2},
                {"params": [model.bias], "lr": 3e-3, "weight_decay": 0.0},
            ]
        )
        sched = ParamScheduler(opt, {"lr": s}, relative=True, plateau=reduce_on_plateau(**rule))
        return model, opt, sched

    def epoch(model, opt, sched, e):
        for i in range(per_epoch):
            batch = slice(16 + 8 * i, 24 + 8 * i)
            opt.zero_grad()
            torch.nn.functional.mse_loss(model(x[batch]), y[batch]).backward()
            opt.step()
            sched.step()
        with torch.no_grad():
            val = torch.nn.functional.mse_loss(model(xv), yv)
        sched.report(val)
        return float(val)

    model, opt, sched = build()
    seen: list = []
    _record_lrs(opt, seen)
    losses = [epoch(model, opt, sched, e) for e in range(epochs // 2)]
    ckpt = _checkpoint(model, opt, sched)
    model, opt, sched = build()
    _record_lrs(opt, seen)
    for obj, st_ in zip((model, opt, sched), ckpt, strict=True):
        obj.load_state_dict(st_)
    losses += [epoch(model, opt, sched, e) for e in range(epochs // 2, epochs)]

    ref_opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1.0)
    ref = torch.optim.lr_scheduler.ReduceLROnPlateau(ref_opt, **rule)
    scales = [1.0]
    for v in losses:
        ref.step(v)
        scales.append(ref_opt.param_groups[0]["lr"])
    assert len(seen) == total and min(scales) < 1.0  # the plateau did reduce
    for k, lrs in enumerate(seen):
        scale = scales[k // per_epoch]
        assert lrs == [3e-2 * s(k) * scale, 3e-3 * s(k) * scale], k


def test_a_schedule_and_plateau_lr_on_one_optimizer_are_refused():
    # Regression: to_lambda_lr or ParamScheduler beside PlateauLR: each step() set the lr
    # back to s(k), so every reduction was lost (and PlateauLR, built on the warmup's lr 0.0,
    # set the lr to 0.0). ParamScheduler(..., plateau=...) does both.
    from schedalg.torch import PlateauLR

    opt, _ = _groups([0.1])
    sched = to_lambda_lr(opt, _S)
    with pytest.raises(ValueError, match=r"PlateauLR\(\): .*set at every step by .*\(to_lambda_lr"):
        PlateauLR(opt, _plateau())
    del sched  # once the other scheduler is gone, a PlateauLR is fine
    plateau = PlateauLR(opt, _plateau())
    with pytest.raises(ValueError, match=r"ParamScheduler\(\): .*reduced on plateaus by a Plat"):
        ParamScheduler(opt, {"lr": _S})
    with pytest.raises(ValueError, match=r"to_lambda_lr\(\): .*plateau=reduce_on_plateau"):
        to_lambda_lr(opt, _S)
    ParamScheduler(opt, {"momentum": _MOM})  # not the lr: no conflict
    assert isinstance(plateau, PlateauLR)


# -- messages, legacy states and counters (found by mutation testing, bench/MUTATION.md) --------


def _refusal(saved_schedule, now_schedule) -> str:
    """The message of loading a to_lambda_lr state saved from ``saved_schedule`` (a schedule,
    or a raw value put in the state) into a scheduler of ``now_schedule``."""
    opt, _ = _groups([0.1])
    state = to_lambda_lr(opt, _S).state_dict()
    if isinstance(saved_schedule, schedalg.Schedule):
        state["schedules"] = [schedalg.to_json(saved_schedule)]
    else:
        state["schedules"] = [saved_schedule]
    with pytest.raises(ValueError) as info:
        to_lambda_lr(_groups([0.1])[0], now_schedule).load_state_dict(state)
    return str(info.value)


def _short_form(s) -> str:
    # The documented form: the schedule's expression, cut to 97 characters and "..." when
    # it is longer than 100.
    r = repr(s)
    return r if len(r) <= 100 else r[:97] + "..."


def test_a_refused_state_shows_both_schedules_as_short_expressions():
    msg = _refusal(_S, _OTHER)
    assert msg.startswith("to_lambda_lr(...).load_state_dict(): the state was saved from")
    assert f"(group 0: saved {_S!r}, now {_OTHER!r})" in msg
    # expressions of 100 and 101 characters: the first is shown whole, the second is cut
    by_length = {}
    for digits in range(1, 19):
        s = _S >> hold(0.001, 10**digits) >> hold(0.0005)
        by_length.setdefault(len(repr(s)), s)
    for n in (99, 100, 101, 102):
        long = by_length[n]
        shown = _short_form(long)
        assert len(shown) == min(n, 100) and shown.endswith("..." if n > 100 else ")")
        assert f"saved {shown}, now {_OTHER!r}" in _refusal(long, _OTHER)
    # a saved entry that is not schedalg JSON is shown as it is
    assert f"saved not json, now {_OTHER!r}" in _refusal("not json", _OTHER)
    assert f"saved 5, now {_OTHER!r}" in _refusal(5, _OTHER)


def test_param_scheduler_get_lr_is_each_group_lr():
    opt, _ = _groups([0.1, 0.01])
    sched = ParamScheduler(opt, {"lr": [_S, _S2]})
    opt.step()
    sched.step()
    assert sched.get_lr() == [_S(1), _S2(1)] == [g["lr"] for g in opt.param_groups]


def test_plateau_lr_counts_steps_as_torch():
    from torch.optim.lr_scheduler import ReduceLROnPlateau

    from schedalg.torch import PlateauLR

    opt, ref_opt = _groups([0.1])[0], _groups([0.1])[0]
    ours, ref = PlateauLR(opt, _plateau()), ReduceLROnPlateau(ref_opt, factor=0.5, patience=1)
    for m in [3.0, 2.0, 2.5, 2.6]:
        assert ours.last_epoch == ref.last_epoch
        ours.step(m)
        ref.step(m)
    assert ours.last_epoch == ref.last_epoch == 4
    with pytest.raises(TypeError, match=r"^PlateauLR\.step\(\): epoch is not supported"):
        ours.step(1.0, epoch=3)


def test_plateau_lr_state_keeps_its_min_lr_unless_replace():
    from schedalg.torch import PlateauLR

    opt, _ = _groups([0.1])
    saved = PlateauLR(opt, _plateau(), min_lr=0.05)
    state = saved.state_dict()
    assert state["min_lrs"] == [0.05]
    for replace, floor in [(False, 0.05), (True, 0.0)]:
        opt2, _ = _groups([0.1])
        sched = PlateauLR(opt2, _plateau())  # min_lr 0 (min_scale 0)
        sched.load_state_dict(state, replace=replace)
        for _ in range(9):
            sched.step(1.0)
        # by hand (patience 1, factor 0.5): the 1st metric is the best, then every 2nd bad
        # one reduces: 0.1 -> 0.05 -> 0.025 -> 0.0125 -> 0.00625, or stops at the floor 0.05
        assert opt2.param_groups[0]["lr"] == max(0.1 * 0.5**4, floor)


def test_plateau_lr_loads_a_state_saved_with_base_lrs():
    # schedalg <= 0.1 saved the base lrs and the scale: the lr is their product.
    from schedalg.torch import PlateauLR

    opt, _ = _groups([0.1, 0.2])
    sched = PlateauLR(opt, _plateau())
    sched.load_state_dict({"last_epoch": 7, "state": [1.5, 1, 0, 0.25], "base_lrs": [0.4, 2.0]})
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.5]
    assert (sched.last_epoch, sched.best, sched.num_bad_epochs) == (7, 1.5, 1)
    state = sched.state_dict()
    state["lrs"] = [0.1]
    with pytest.raises(
        ValueError,
        match=r"^PlateauLR\.load_state_dict\(\): the state holds 1 param groups, the "
        r"optimizer has 2$",
    ):
        PlateauLR(_groups([0.1, 0.2])[0], _plateau()).load_state_dict(state)


def test_plateau_lr_refuses_to_skip_a_group_added_later():
    # torch's ReduceLROnPlateau with a list min_lr raises (RuntimeError) when a group was
    # added after it was built; PlateauLR must not reduce some groups and skip the new one.
    from schedalg.torch import PlateauLR

    opt, _ = _groups([0.1])
    sched = PlateauLR(opt, _plateau(), min_lr=[0.0])
    opt.add_param_group({"params": [torch.zeros(3, requires_grad=True)], "lr": 0.2})
    sched.step(1.0)  # the best
    sched.step(1.0)  # bad update 1 (patience 1)
    with pytest.raises((ValueError, RuntimeError)):
        sched.step(1.0)  # bad update 2: the reduction


def test_plateau_lr_applies_a_change_only_above_eps_as_torch():
    # torch: a reduction applies if old - new > eps, strictly. From lr 1.0, factor 0.5
    # changes it by exactly 0.5: with eps 0.5 nothing happens; just below, it halves.
    from torch.optim.lr_scheduler import ReduceLROnPlateau

    from schedalg.plateau import reduce_on_plateau
    from schedalg.torch import PlateauLR

    for eps, want in [(0.5, 1.0), (0.4999, 0.5)]:
        opt, ref_opt = _groups([1.0])[0], _groups([1.0])[0]
        ours = PlateauLR(opt, reduce_on_plateau(0.5, patience=0, eps=eps))
        ref = ReduceLROnPlateau(ref_opt, factor=0.5, patience=0, eps=eps)
        for m in [1.0, 1.0]:
            ours.step(m)
            ref.step(m)
        assert opt.param_groups[0]["lr"] == ref_opt.param_groups[0]["lr"] == want


@pytest.mark.parametrize("min_lr", [True, "0.1", [0.1, None], -1e-9, math.nan])
def test_plateau_lr_refuses_a_min_lr_that_is_not_a_number_at_least_0(min_lr):
    from schedalg.torch import PlateauLR

    opt, _ = _groups([0.1, 0.2])
    # a value of the wrong kind is a TypeError, a number below 0 or nan a ValueError (the rule)
    kind = ValueError if isinstance(min_lr, float) else TypeError
    with pytest.raises(kind, match=r"^PlateauLR\(\): min_lr must be a number >= 0") as info:
        PlateauLR(opt, _plateau(), min_lr=min_lr)
    assert (info.value.function, info.value.argument) == ("PlateauLR", "min_lr")
    assert info.value.value is min_lr


def test_each_scheduler_names_itself_when_the_optimizer_is_not_one():
    from schedalg.torch import PlateauLR

    for fn, build in [
        ("to_lambda_lr", lambda o: to_lambda_lr(o, _S)),
        ("ParamScheduler", lambda o: ParamScheduler(o, {"lr": _S})),
        ("PlateauLR", lambda o: PlateauLR(o, _plateau())),
    ]:
        not_one = [torch.zeros(1)]
        with pytest.raises(TypeError, match=rf"^{fn}\(\): optimizer must be a torch\.optim") as e:
            build(not_one)
        assert (e.value.function, e.value.argument, e.value.value) == (fn, "optimizer", not_one)


def test_plateau_lr_holds_the_rule_in_torchs_attributes():
    # It is a ReduceLROnPlateau: code that reads the torch attributes (mode, patience, ...)
    # sees the rule it was built with, as torch's own would hold it.
    from torch.optim.lr_scheduler import ReduceLROnPlateau

    from schedalg.plateau import reduce_on_plateau
    from schedalg.torch import PlateauLR

    kw = dict(
        mode="max",
        factor=0.3,
        patience=4,
        threshold=0.2,
        threshold_mode="abs",
        cooldown=2,
        eps=1e-3,
    )
    opt, ref_opt = _groups([0.1])[0], _groups([0.1])[0]
    ours = PlateauLR(opt, reduce_on_plateau(**kw), min_lr=0.01)
    ref = ReduceLROnPlateau(ref_opt, **kw, min_lr=0.01)
    for name in [*kw, "min_lrs", "mode_worse", "best", "num_bad_epochs", "cooldown_counter"]:
        assert getattr(ours, name) == getattr(ref, name), name


def test_to_lambda_lr_after_a_load_reports_the_loaded_lrs_and_skips_no_group():
    opt, _ = _groups([0.1])
    sched = to_lambda_lr(opt, _S)
    for _ in range(5):
        opt.step()
        sched.step()
    state = sched.state_dict()
    opt2, _ = _groups([0.1])
    sched2 = to_lambda_lr(opt2, _S)
    sched2.load_state_dict(state)
    assert sched2.get_last_lr() == [_S(5)] == [opt2.param_groups[0]["lr"]]
    # a group added after it was built has no schedule: refused, not left at its own lr
    opt2.add_param_group({"params": [torch.zeros(3, requires_grad=True)], "lr": 0.2})
    with pytest.raises(ValueError):
        sched2.load_state_dict(state)


def test_a_refused_metric_or_epoch_names_the_method_and_argument():
    from schedalg.plateau import reduce_on_plateau
    from schedalg.torch import PlateauLR

    sched = ParamScheduler(_groups([0.1])[0], {"lr": _S})
    with pytest.raises(TypeError) as info:
        sched.report(0.5)
    assert (info.value.function, info.value.argument, info.value.value) == (
        "ParamScheduler.report",
        "metric",
        0.5,
    )
    plateau = PlateauLR(_groups([0.1])[0], reduce_on_plateau(0.5))
    with pytest.raises(TypeError) as info:
        plateau.step(1.0, epoch=3)
    assert (info.value.function, info.value.argument, info.value.value) == (
        "PlateauLR.step",
        "epoch",
        3,
    )
    assert str(info.value) == "PlateauLR.step(): epoch is not supported; call step(metric)"


def test_to_lambda_lr_refuses_a_state_for_another_number_of_groups():
    opt, _ = _groups([0.1, 0.1])
    state = to_lambda_lr(opt, [_S, _S2]).state_dict()
    one = to_lambda_lr(_groups([0.1])[0], _S)
    with pytest.raises(ValueError) as info:
        one.load_state_dict(state)
    assert str(info.value) == (
        "to_lambda_lr(...).load_state_dict(): the state holds schedules for 2 param groups, "
        "this scheduler drives 1"
    )


def test_to_lambda_lr_refuses_a_state_saved_relative_into_an_absolute_one_and_back():
    relative = to_lambda_lr(_groups([0.1])[0], _S, relative=True)
    absolute = to_lambda_lr(_groups([0.1])[0], _S)
    prefix = "to_lambda_lr(...).load_state_dict(): the state was saved from different schedules"
    with pytest.raises(ValueError) as info:
        absolute.load_state_dict(relative.state_dict())
    assert str(info.value).startswith(f"{prefix} (saved relative=True, now relative=False). ")
    with pytest.raises(ValueError) as info:
        relative.load_state_dict(absolute.state_dict())
    assert str(info.value).startswith(f"{prefix} (saved relative=False, now relative=True). ")


def test_to_lambda_lr_loads_torchs_own_lambda_lr_state():
    # torch's LambdaLR saves no 'relative' and no 'schedules': the step count is resumed,
    # relative or not, and a relative scheduler keeps its own base lrs
    opt, _ = _groups([0.1])
    torch_sched = LambdaLR(opt, lambda k: 1.0)
    for _ in range(3):
        opt.step()
        torch_sched.step()
    state = torch_sched.state_dict()
    for relative, want in ((False, _S(3)), (True, 0.2 * _S(3))):
        opt2, _ = _groups([0.2])
        sched = to_lambda_lr(opt2, _S, relative=relative)
        sched.load_state_dict(state)
        assert sched.last_epoch == 3
        assert opt2.param_groups[0]["lr"] == want


def test_an_absolute_to_lambda_lr_keeps_its_base_lrs_when_it_replaces_a_relative_state():
    opt, _ = _groups([0.1])
    relative = to_lambda_lr(opt, _S, relative=True)
    for _ in range(4):
        opt.step()
        relative.step()
    opt2, _ = _groups([0.3])
    absolute = to_lambda_lr(opt2, _S)
    absolute.load_state_dict(relative.state_dict(), replace=True)
    assert opt2.param_groups[0]["lr"] == _S(4)
    assert absolute.base_lrs == [0.3] == absolute.state_dict()["base_lrs"]


def test_plateau_lr_argument_errors_name_the_argument():
    from schedalg.plateau import reduce_on_plateau
    from schedalg.torch import PlateauLR

    opt, _ = _groups([0.1, 0.2])
    with pytest.raises(ValueError) as info:
        PlateauLR(opt, _plateau(), min_lr=[0.0, 0.0, 0.0])
    assert (info.value.function, info.value.argument, info.value.value) == (
        "PlateauLR",
        "min_lr",
        [0.0, 0.0, 0.0],
    )
    with pytest.raises(TypeError) as info:  # min_lr and min_scale both given
        PlateauLR(opt, reduce_on_plateau(0.5, min_scale=0.1), min_lr=0.01)
    assert (info.value.function, info.value.argument) == ("PlateauLR", None)
    with pytest.raises(TypeError) as info:
        PlateauLR(opt, "reduce")
    assert (info.value.function, info.value.argument, info.value.value) == (
        "PlateauLR",
        "plateau",
        "reduce",
    )


def test_param_scheduler_refuses_a_state_with_other_keys_or_none():
    sched = ParamScheduler(_groups([0.1])[0], {"lr": _S})
    other = ParamScheduler(_groups([0.1])[0], {"momentum": _MOM}).state_dict()
    with pytest.raises(ValueError) as info:
        sched.load_state_dict(other)
    assert str(info.value) == (
        "ParamScheduler.load_state_dict(): saved keys ['momentum'] do not match this "
        "scheduler's keys ['lr']"
    )
    # a torch scheduler's state has no keys at all
    opt, _ = _groups([0.1])
    torch_state = LambdaLR(opt, lambda k: 1.0).state_dict()
    with pytest.raises(ValueError) as info:
        sched.load_state_dict(torch_state)
    assert str(info.value) == (
        "ParamScheduler.load_state_dict(): saved keys None do not match this "
        "scheduler's keys ['lr']"
    )


def test_param_scheduler_keeps_its_own_base_where_the_state_has_none():
    # an absolute state loaded (replace=True) into a relative scheduler has no bases; a
    # group the state did not schedule has none either: both keep the scheduler's own base
    opt, _ = _groups([0.1, 0.2])
    absolute = ParamScheduler(opt, {"lr": [_S, _S]})
    for _ in range(3):
        opt.step()
        absolute.step()
    opt2, _ = _groups([0.3, 0.4])
    relative = ParamScheduler(opt2, {"lr": [_S, _S]}, relative=True)
    relative.load_state_dict(absolute.state_dict(), replace=True)
    assert [g["lr"] for g in opt2.param_groups] == [0.3 * _S(3), 0.4 * _S(3)]

    opt, _ = _groups([0.1, 0.2])
    partial = ParamScheduler(opt, {"lr": [_S, None]}, relative=True)
    for _ in range(3):
        opt.step()
        partial.step()
    opt2, _ = _groups([0.3, 0.4])
    both = ParamScheduler(opt2, {"lr": [_S, _S]}, relative=True)
    both.load_state_dict(partial.state_dict())
    assert [g["lr"] for g in opt2.param_groups] == [0.1 * _S(3), 0.4 * _S(3)]


def test_relative_lr_multiplies_torchs_initial_lr_not_the_current_lr():
    # a torch scheduler ran first: the group's lr is 0.05, its initial_lr still 0.1
    opt, _ = _groups([0.1])
    LambdaLR(opt, lambda k: 0.5)
    assert (opt.param_groups[0]["lr"], opt.param_groups[0]["initial_lr"]) == (0.05, 0.1)
    s = cosine(1.0, 0.5, 10)
    ParamScheduler(opt, {"lr": s}, relative=True)
    assert opt.param_groups[0]["lr"] == 0.1 * s(0)


def test_hyperparameter_keys_of_the_wrong_form():
    opt = torch.optim.Adam([torch.zeros(3, requires_grad=True)], lr=0.1)
    s = cosine(0.9, 0.8, 10)

    def refused(key):
        with pytest.raises((TypeError, ValueError)) as info:
            ParamScheduler(opt, {key: s})
        return info.value

    def message(key):
        return (
            "ParamScheduler(): a hyperparameter key must be a name like 'momentum', an element "
            f"like 'betas[0]' or ('betas', 0), got {key!r}"
        )

    for key in (3, None, 1.5):  # not a str or tuple: a TypeError
        err = refused(key)
        assert isinstance(err, TypeError) and not isinstance(err, ValueError)
        assert (err.function, err.argument, err.value, str(err)) == (
            "ParamScheduler",
            "schedules",
            key,
            message(key),
        )
    for key in ((3, 0), ("betas", True), ("betas", -1), "betas[-1]", "2lr"):
        err = refused(key)
        assert isinstance(err, ValueError)
        assert (err.function, err.argument, err.value, str(err)) == (
            "ParamScheduler",
            "schedules",
            key,
            message(key),
        )


def test_relative_as_one_key_pair_or_a_single_name():
    opt = torch.optim.Adam([torch.zeros(3, requires_grad=True)], lr=0.1, betas=(0.9, 0.99))
    s = cosine(1.0, 0.5, 10)
    sched = ParamScheduler(opt, {"lr": s, "betas[0]": s}, relative=("betas", 0))
    assert sched.relative == ("betas[0]",)
    assert opt.param_groups[0]["betas"][0] == 0.9 * s(0) and opt.param_groups[0]["lr"] == s(0)
    for bad, kind in ((5, TypeError), ("momentum", ValueError), (("betas", 1), ValueError)):
        with pytest.raises(kind) as info:
            ParamScheduler(opt, {"lr": s, "betas[0]": s}, relative=bad)
        assert (info.value.function, info.value.argument, info.value.value) == (
            "ParamScheduler",
            "relative",
            bad,
        )


def test_param_scheduler_load_refuses_another_group_count_and_names_the_change():
    opt, _ = _groups([0.1, 0.1])
    two = ParamScheduler(opt, {"lr": _S}).state_dict()
    one = ParamScheduler(_groups([0.1])[0], {"lr": _S})
    with pytest.raises(ValueError) as info:
        one.load_state_dict(two)
    assert str(info.value) == (
        "ParamScheduler.load_state_dict(): the state was saved for another number of param "
        "groups than this optimizer's 1"
    )
    other = ParamScheduler(_groups([0.1])[0], {"lr": _OTHER})
    with pytest.raises(ValueError) as info:
        other.load_state_dict(ParamScheduler(_groups([0.1])[0], {"lr": _S}).state_dict())
    assert str(info.value).startswith(
        "ParamScheduler.load_state_dict(): the state was saved from different schedules "
        f"('lr' group 0: saved {_S!r}, now {_OTHER!r}). "
    )


def test_a_state_without_a_plateau_starts_the_plateau_fresh():
    from schedalg.plateau import reduce_on_plateau

    opt, _ = _groups([0.1])
    plain = ParamScheduler(opt, {"lr": _S})
    for _ in range(5):
        opt.step()
        plain.step()
    plateau = reduce_on_plateau(0.5, patience=0)
    opt2, _ = _groups([0.1])
    sched = ParamScheduler(opt2, {"lr": _S}, plateau=plateau)
    sched.report(1.0)
    sched.report(2.0)  # one reduction: scale 0.5
    sched.load_state_dict(plain.state_dict(), replace=True)
    assert sched.plateau_state == plateau.init()
    assert opt2.param_groups[0]["lr"] == _S(5)


def test_param_scheduler_names_a_negative_value_and_its_groups():
    s = linear_ramp(1.0, -1.0, 4)  # 1.0, 0.5, 0.0, -0.5 at steps 0..3
    for lrs, where in (([0.1], "param group 0"), ([0.1, 0.1], "param groups [0, 1]")):
        opt, _ = _groups(lrs)
        sched = ParamScheduler(opt, {"lr": s})
        for _ in range(2):
            opt.step()
            sched.step()
        with pytest.raises(ValueError) as info:
            sched.step()
        assert str(info.value) == (
            f"ParamScheduler.step(): the schedule for 'lr' of {where} is negative at step 3 "
            "(value -0.5); fix the schedule or pass negative='allow'"
        )
    with pytest.raises(TypeError) as info:
        sched.step(epoch=3)
    assert (info.value.function, info.value.argument, info.value.value) == (
        "ParamScheduler.step",
        "epoch",
        3,
    )
    assert str(info.value) == "ParamScheduler.step(): epoch is not supported; call step()"


def test_param_scheduler_sets_int_values_and_fills_tensor_elements():
    s = cosine(0.9, 0.8, 10)
    # a value given as a Python int is replaced by the schedule's float
    opt = torch.optim.SGD([torch.zeros(3, requires_grad=True)], lr=1)
    ParamScheduler(opt, {"lr": s})
    assert opt.param_groups[0]["lr"] == s(0)
    # a tensor element of a tuple is filled in place, as torch's schedulers fill tensor lrs
    beta1, beta2 = torch.tensor(0.95), torch.tensor(0.999)  # torch: both tensors or neither
    opt = torch.optim.Adam([torch.zeros(3, requires_grad=True)], lr=0.1, betas=(beta1, beta2))
    sched = ParamScheduler(opt, {"betas[0]": s})
    opt.step()
    sched.step()
    assert opt.param_groups[0]["betas"][0] is beta1
    assert beta1.item() == torch.tensor(s(1), dtype=beta1.dtype).item()


def test_param_scheduler_counts_steps_as_torch():
    opt, _ = _groups([0.1])
    ours = ParamScheduler(opt, {"lr": _S})
    opt2, _ = _groups([0.1])
    theirs = LambdaLR(opt2, lambda k: 1.0)
    for _ in range(5):
        opt.step()
        ours.step()
        opt2.step()
        theirs.step()
        assert (ours._step_count, ours.last_epoch) == (theirs._step_count, theirs.last_epoch)
    assert ours.state_dict()["_step_count"] == theirs.state_dict()["_step_count"]


def test_param_scheduler_argument_errors_name_the_argument():
    from schedalg.plateau import reduce_on_plateau

    opt, _ = _groups([0.1])
    cases = [
        (lambda: ParamScheduler(opt, ["lr"]), TypeError, "schedules", ["lr"]),
        (lambda: ParamScheduler(opt, {}), TypeError, "schedules", {}),
        (lambda: ParamScheduler(opt, {"lr": _S}, negative="clip"), ValueError, "negative", "clip"),
        (lambda: ParamScheduler(opt, {"lr": _S}, plateau=0.5), TypeError, "plateau", 0.5),
        (
            lambda: ParamScheduler(opt, {"momentum": _MOM}, plateau=reduce_on_plateau(0.5)),
            ValueError,
            "plateau",
            reduce_on_plateau(0.5),
        ),
    ]
    for build, kind, argument, value in cases:
        with pytest.raises(kind) as info:
            build()
        assert (info.value.function, info.value.argument, info.value.value) == (
            "ParamScheduler",
            argument,
            value,
        )
        assert str(info.value).startswith(f"ParamScheduler(): {argument}")


def test_param_scheduler_schedule_errors_carry_the_key_as_index():
    opt, _ = _groups([0.1, 0.1])
    twice = {"betas[0]": _S, ("betas", 0): _S}
    cases = [
        (twice, ValueError, twice, "betas[0]", "ParamScheduler(): key 'betas[0]' is given twice"),
        (
            {"lr": [_S]},
            ValueError,
            [_S],
            "lr",
            "ParamScheduler(): schedules['lr'] has 1 schedules but the optimizer has 2 param "
            "groups; give one schedule per group or a single schedule for all",
        ),
        (
            {"lr": ["x", _S]},
            TypeError,
            "x",
            "lr",
            "ParamScheduler(): schedules['lr'][0] must be a schedalg schedule or a number, got "
            "schedules['lr'][0]='x'",
        ),
        (
            {"lr": "x"},
            TypeError,
            "x",
            "lr",
            "ParamScheduler(): schedules['lr'] must be a schedalg schedule or a number, got "
            "schedules['lr']='x'",
        ),
    ]
    for schedules, kind, value, index, message in cases:
        with pytest.raises(kind) as info:
            ParamScheduler(opt, schedules)
        err = info.value
        assert (err.function, err.argument, err.index, str(err)) == (
            "ParamScheduler",
            "schedules",
            index,
            message,
        )
        assert err.value is value or err.value == value


def test_schedulers_of_one_kind_may_follow_each_other_on_one_optimizer():
    # only a schedule beside a plateau is refused: a schedule scheduler rebuilt on the same
    # optimizer (a notebook cell run twice), or a PlateauLR beside a scheduler that leaves
    # the lr alone, is fine
    from schedalg.torch import PlateauLR

    opt, _ = _groups([0.1])
    first = to_lambda_lr(opt, _S)
    second = to_lambda_lr(opt, _S)
    third = ParamScheduler(opt, {"lr": _S})
    fourth = ParamScheduler(opt, {"lr": _S})
    assert first is not second and third is not fourth
    with pytest.raises(ValueError, match=r"PlateauLR\(\): .*set at every step"):
        PlateauLR(opt, _plateau())
    opt2, _ = _groups([0.1])
    momentum_only = ParamScheduler(opt2, {"momentum": _MOM})
    plateau = PlateauLR(opt2, _plateau())
    assert PlateauLR(opt2, _plateau()) is not plateau and momentum_only.keys == ("momentum",)


def test_to_lambda_lr_names_a_negative_value_and_its_groups():
    s = linear_ramp(1.0, -1.0, 4)  # 1.0, 0.5, 0.0, -0.5 at steps 0..3
    for lrs, where in (([0.1], "param group 0"), ([0.1, 0.1], "param groups [0, 1]")):
        opt, _ = _groups(lrs)
        sched = to_lambda_lr(opt, [s] * len(lrs) if len(lrs) > 1 else s)
        for _ in range(2):
            opt.step()
            sched.step()
        with pytest.raises(ValueError) as info:
            sched.step()
        assert str(info.value) == (
            f"to_lambda_lr(): the schedule for 'lr' of {where} is negative at step 3 "
            "(value -0.5); fix the schedule or pass negative='allow'"
        )


def test_tensor_lrs_are_filled_in_place_by_to_lambda_lr_and_plateau_lr():
    from schedalg.plateau import reduce_on_plateau
    from schedalg.torch import PlateauLR

    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.Adam([p], lr=torch.tensor(0.1))
    lr_tensor = opt.param_groups[0]["lr"]
    sched = to_lambda_lr(opt, _S)
    state = sched.state_dict()
    state["last_epoch"], state["_step_count"] = 5, 6
    sched.load_state_dict(state)
    assert opt.param_groups[0]["lr"] is lr_tensor
    assert float(lr_tensor) == np.float32(_S(5))
    del sched
    p2 = torch.zeros(1, requires_grad=True)
    opt2 = torch.optim.Adam([p2], lr=torch.tensor(0.1))
    lr2 = opt2.param_groups[0]["lr"]
    plateau = PlateauLR(opt2, reduce_on_plateau(0.5, patience=0))
    plateau.step(1.0)
    plateau.step(2.0)  # a reduction: 0.1 -> 0.05
    assert opt2.param_groups[0]["lr"] is lr2
    assert float(lr2) == np.float32(np.float32(0.1) * 0.5)


def test_param_scheduler_group_key_errors():
    opt = torch.optim.Adam(
        [{"params": [torch.zeros(3, requires_grad=True)]}, {"params": [torch.zeros(3)]}],
        lr=0.1,
    )
    opt.param_groups[0]["foo"] = 1.0  # group 1 has no 'foo'
    s = cosine(0.9, 0.8, 10)
    entry = [None, s]
    cases = [
        (
            {"foo": entry},
            "foo",
            entry,
            "ParamScheduler(): param group 1 has no key 'foo' (it has "
            f"{sorted(k for k in opt.param_groups[1] if k != 'params')}); add it to the group "
            "before scheduling it",
        ),
        (
            {"betas[2]": s},
            "betas[2]",
            s,
            "ParamScheduler(): key 'betas[2]': param group 0 holds betas=(0.9, 0.999), which "
            "has no element 2",
        ),
    ]
    for schedules, index, value, message in cases:
        with pytest.raises(ValueError) as info:
            ParamScheduler(opt, schedules)
        err = info.value
        assert (err.function, err.argument, err.index, str(err)) == (
            "ParamScheduler",
            "schedules",
            index,
            message,
        )
        assert err.value is value


def test_param_scheduler_a_none_entry_leaves_that_group_alone():
    opt, _ = _groups([0.1, 0.2])
    ParamScheduler(opt, {"lr": [None, _S2]})
    assert [g["lr"] for g in opt.param_groups] == [0.1, _S2(0)]


def test_one_schedule_for_groups_with_different_starts_names_the_key():
    opt, _ = _groups([0.1, 0.2])
    with pytest.raises(ValueError) as info:
        ParamScheduler(opt, {"lr": _S})
    err = info.value
    assert (err.function, err.argument, err.index) == ("ParamScheduler", "schedules", "lr")
    assert err.value is _S


def test_a_plateau_scales_the_lr_only():
    from schedalg.plateau import reduce_on_plateau

    opt, _ = _groups([0.1])
    sched = ParamScheduler(
        opt, {"lr": _S, "momentum": _MOM}, plateau=reduce_on_plateau(0.5, patience=0)
    )
    for _ in range(3):
        opt.step()
        sched.step()
    sched.report(1.0)
    sched.report(2.0)  # a reduction
    assert opt.param_groups[0]["lr"] == _S(3) * 0.5
    assert opt.param_groups[0]["momentum"] == _MOM(3)


def test_param_scheduler_last_epoch_is_torchs():
    s = cosine(1.0, 0.5, 10)
    opt, _ = _groups([0.1])
    with pytest.raises(KeyError):  # torch: resuming needs 'initial_lr' in every group
        LambdaLR(opt, lambda k: 1.0, last_epoch=5)
    with pytest.raises(KeyError):
        ParamScheduler(opt, {"lr": s}, last_epoch=5)
    opt.param_groups[0]["initial_lr"] = 0.1
    theirs = LambdaLR(opt, lambda k: 1.0, last_epoch=5)
    opt2, _ = _groups([0.1])
    opt2.param_groups[0]["initial_lr"] = 0.1
    ours = ParamScheduler(opt2, {"lr": s}, last_epoch=5)
    assert ours.last_epoch == theirs.last_epoch == 6
    assert opt2.param_groups[0]["lr"] == s(6)


_PAIR = [_S, _S2]


def test_to_lambda_lr_argument_errors_name_the_argument():
    opt, _ = _groups([0.1])
    two, _ = _groups([0.1, 0.2])
    cases = [
        (lambda: to_lambda_lr(opt, _S, negative="clip"), ValueError, "negative", "clip", None),
        (lambda: to_lambda_lr(opt, _S, relative="yes"), TypeError, "relative", "yes", None),
        (lambda: to_lambda_lr(two, _S), ValueError, "schedule", _S, None),
        (lambda: to_lambda_lr(opt, [None]), TypeError, "schedule", None, 0),
        (lambda: to_lambda_lr(opt, "x"), TypeError, "schedule", "x", None),
        (lambda: to_lambda_lr(opt, _PAIR), ValueError, "schedule", _PAIR, None),
    ]
    for build, kind, argument, value, index in cases:
        with pytest.raises(kind) as info:
            build()
        err = info.value
        assert (err.function, err.argument, err.index) == ("to_lambda_lr", argument, index)
        assert err.value is value
    with pytest.raises(TypeError) as info:
        to_lambda_lr(opt, [None])
    assert str(info.value) == (
        "to_lambda_lr(): schedule[0] must be a schedalg schedule or a number, got schedule[0]=None"
    )


def test_a_plateau_lr_after_a_param_scheduler_of_the_lr_is_refused():
    from schedalg.torch import PlateauLR

    opt, _ = _groups([0.1])
    sched = ParamScheduler(opt, {"lr": _S})
    with pytest.raises(
        ValueError, match=r"PlateauLR\(\): .*set at every step by .*\(ParamSched"
    ) as e:
        PlateauLR(opt, _plateau())
    assert (e.value.function, e.value.argument, e.value.value) == ("PlateauLR", "optimizer", opt)
    assert sched.keys == ("lr",)


def test_a_refused_state_lists_three_changes_then_an_ellipsis():
    mom2 = cosine(0.9, 0.8, _T)
    opt, _ = _groups([0.1, 0.1])
    state = ParamScheduler(opt, {"lr": [_S, _S2], "momentum": [_MOM, _MOM]}).state_dict()

    def shown(momentum):
        sched = ParamScheduler(_groups([0.1, 0.1])[0], {"lr": [_OTHER] * 2, "momentum": momentum})
        with pytest.raises(ValueError) as info:
            sched.load_state_dict(state)
        message = str(info.value)
        head = "ParamScheduler.load_state_dict(): the state was saved from different schedules ("
        assert message.startswith(head)
        return message[len(head) : message.index("). To resume")]

    lr = f"'lr' group 0: saved {_S!r}, now {_OTHER!r}; 'lr' group 1: saved {_S2!r}, now {_OTHER!r}"
    mom = f"'momentum' group 0: saved {_MOM!r}, now {mom2!r}"
    assert shown([mom2, _MOM]) == f"{lr}; {mom}"  # three changes: all shown
    assert shown([mom2, mom2]) == f"{lr}; {mom}; ..."  # four: the first three, then "..."
