"""Parity of schedalg.compat.timm with the real timm schedulers.

timm is installed with ``pip install --no-deps timm``: its ``timm.scheduler`` package needs
only torch, but ``import timm`` runs ``timm/__init__.py``, which imports torchvision (not
installed here: PyPI's torchvision does not match this torch). ``load_timm_scheduler`` imports
the real ``timm.scheduler`` modules under an empty ``timm`` package object, then puts
``sys.modules`` back as it was, so nothing else sees the stand-in.

Each case drives the real scheduler the way timm's train loop does (``step_update(k)`` after
update ``k``, or ``step(e)`` after epoch ``e - 1``), reads the lr the optimizer holds before
each update or epoch over the schedule's length plus 20% (at least 25 steps past its end), and
compares with the schedalg twin on the float64 paths. Error measure:
``|ours - timm| / max(|timm|, 1e-12 * base_lr)`` <= 1e-10 at every step.
"""

from __future__ import annotations

import importlib
import importlib.util
import math
import sys
import types

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

torch = pytest.importorskip("torch")

from _parity import assert_both_paths, other_path  # noqa: E402

from schedalg.compat import timm as ct  # noqa: E402


def load_timm_scheduler():
    """The real ``timm.scheduler`` module, imported without running ``timm/__init__``."""
    try:
        import timm.scheduler as ts

        return ts
    except ImportError:
        pass
    spec = importlib.util.find_spec("timm")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("timm is not installed (pip install --no-deps timm)")
    saved = {k: v for k, v in sys.modules.items() if k == "timm" or k.startswith("timm.")}
    for k in saved:
        del sys.modules[k]
    pkg = types.ModuleType("timm")
    pkg.__path__ = list(spec.submodule_search_locations)
    sys.modules["timm"] = pkg
    try:
        return importlib.import_module("timm.scheduler")
    finally:
        for k in [k for k in sys.modules if k == "timm" or k.startswith("timm.")]:
            del sys.modules[k]
        sys.modules.update(saved)


TS = load_timm_scheduler()


def timm_lrs(cls_name, base_lr, kwargs, steps, mode="update", updates_per_epoch=1):
    """The lr before each update (mode "update"/"epoch_updates") or epoch (mode "epoch")."""
    param = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([param], lr=base_lr)
    sched = getattr(TS, cls_name)(opt, t_in_epochs=(mode != "update"), **kwargs)
    lr = lambda: opt.param_groups[0]["lr"]  # noqa: E731
    out = []
    if mode == "epoch_updates":
        epochs = math.ceil(steps / updates_per_epoch)
        for e in range(epochs):
            for b in range(updates_per_epoch):
                out.append(lr())
                sched.step_update(e * updates_per_epoch + b + 1)
            sched.step(e + 1)
        return np.asarray(out[:steps], dtype=np.float64)
    for k in range(steps):
        out.append(lr())
        if mode == "update":
            sched.step_update(k + 1)
        else:
            sched.step(k + 1)
    return np.asarray(out, dtype=np.float64)


def horizon(length: float) -> int:
    return max(math.ceil(1.2 * length), math.ceil(length) + 25)


assert_parity = assert_both_paths


def cycles_length(kw) -> float:
    t0, mul, limit = kw["t_initial"], kw.get("cycle_mul", 1.0), kw.get("cycle_limit", 1)
    total = t0 * limit if mul == 1 else t0 * (mul**limit - 1) / (mul - 1)
    w = kw.get("warmup_t", 0)
    return total + w if kw.get("warmup_prefix", False) else max(total, w)


def misplaced_restarts(kw, steps):
    """Steps where timm's float ``math.log`` puts ``t`` in the cycle before the one it starts.

    timm finds the cycle of ``t`` as ``floor(log(1 - t / t_initial * (1 - cycle_mul),
    cycle_mul))``; at a restart the log can round just below the integer (``math.log(1000, 10)
    = 2.9999999999999996``) and timm then gives the old cycle's end value for that one step.
    These are the only steps skipped, and only where the exact cycle index differs.
    """
    mul = kw.get("cycle_mul", 1.0)
    if mul == 1:
        return []
    t0, w = kw["t_initial"], kw.get("warmup_t", 0)
    out = []
    for k in range(w, steps):
        t = k - w if kw.get("warmup_prefix", False) else k
        x = 1 - t / t0 * (1 - mul)
        i_timm = math.floor(math.log(x, mul))
        if mul**i_timm * t0 - (t - (1 - mul**i_timm) / (1 - mul) * t0) < 1e-6 * t0:
            out.append(k)
    return out


def check(cls_name, kwargs, length, base_lr=0.037, skip=()):
    make = getattr(ct, cls_name)
    n = horizon(length)
    # per update
    peer = timm_lrs(cls_name, base_lr, kwargs, n, "update")
    assert_parity(make(base_lr, t_in_epochs=False, **kwargs), peer, base_lr, skip)
    # per epoch
    peer = timm_lrs(cls_name, base_lr, kwargs, n, "epoch")
    assert_parity(make(base_lr, **kwargs), peer, base_lr, skip)
    # per epoch, counted in updates (3 per epoch)
    m = min(n, 60)
    peer = timm_lrs(cls_name, base_lr, kwargs, 3 * m, "epoch_updates", 3)
    assert_parity(
        make(base_lr, updates_per_epoch=3, **kwargs),
        peer,
        base_lr,
        [3 * k + j for k in skip if k < m for j in range(3)],
    )


COSINE = [
    {"t_initial": 50, "lr_min": 1e-5, "warmup_t": 7, "warmup_lr_init": 1e-6},
    {
        "t_initial": 20,
        "lr_min": 2e-5,
        "cycle_mul": 1.5,
        "cycle_decay": 0.7,
        "cycle_limit": 4,
        "k_decay": 1.7,
        "warmup_t": 5,
        "warmup_lr_init": 1e-4,
        "warmup_prefix": True,
    },
    {"t_initial": 9, "cycle_mul": 2.0, "cycle_decay": 0.5, "cycle_limit": 3},
    {"t_initial": 17, "cycle_decay": 0.8, "cycle_limit": 5, "warmup_t": 13, "lr_min": 3e-4},
    {"t_initial": 40, "k_decay": 0.6, "lr_min": 1e-3},
    {"t_initial": 10, "warmup_t": 15, "warmup_lr_init": 1e-3, "lr_min": 1e-4},
]


@pytest.mark.parametrize("kwargs", COSINE)
def test_cosine_matches_timm(kwargs):
    check("CosineLRScheduler", kwargs, cycles_length(kwargs))


TANH = [
    {"t_initial": 40},
    {"t_initial": 30, "lb": -5.0, "ub": 4.0, "lr_min": 1e-4, "warmup_t": 6},
    {
        "t_initial": 12,
        "lr_min": 2e-4,
        "cycle_mul": 1.5,
        "cycle_decay": 0.6,
        "cycle_limit": 3,
        "warmup_t": 4,
        "warmup_lr_init": 1e-5,
        "warmup_prefix": True,
    },
    {"t_initial": 15, "cycle_limit": 3, "cycle_decay": 0.9, "lb": -2.0, "ub": 2.5},
]


@pytest.mark.parametrize("kwargs", TANH)
def test_tanh_matches_timm(kwargs):
    check("TanhLRScheduler", kwargs, cycles_length(kwargs))


POLY = [
    {"t_initial": 45, "power": 1.7, "lr_min": 1e-4, "warmup_t": 5},
    {
        "t_initial": 16,
        "power": 0.8,
        "k_decay": 1.4,
        "cycle_mul": 2.0,
        "cycle_decay": 0.5,
        "cycle_limit": 3,
        "warmup_t": 3,
        "warmup_prefix": True,
    },
    {"t_initial": 30, "k_decay": 0.7},
]


@pytest.mark.parametrize("kwargs", POLY)
def test_poly_matches_timm(kwargs):
    check("PolyLRScheduler", kwargs, cycles_length(kwargs))


STEP = [
    ({"decay_t": 7, "decay_rate": 0.6, "warmup_t": 4, "warmup_lr_init": 1e-4}, 60),
    ({"decay_t": 7, "decay_rate": 0.6, "warmup_t": 4, "warmup_prefix": False}, 60),
    ({"decay_t": 2.5, "decay_rate": 0.9}, 40),
    ({"decay_t": 1, "decay_rate": 0.97}, 40),
]


@pytest.mark.parametrize(("kwargs", "length"), STEP)
def test_step_matches_timm(kwargs, length):
    check("StepLRScheduler", kwargs, length)


MULTISTEP = [
    ({"decay_t": [1, 9, 20, 33], "decay_rate": 0.3, "warmup_t": 3, "warmup_prefix": False}, 40),
    ({"decay_t": [0, 5], "decay_rate": 0.5}, 20),
    ({"decay_t": [6, 6, 15], "decay_rate": 0.2, "warmup_t": 5, "warmup_lr_init": 1e-3}, 30),
    ({"decay_t": [2], "decay_rate": 0.1, "warmup_t": 10, "warmup_prefix": False}, 20),
]


@pytest.mark.parametrize(("kwargs", "length"), MULTISTEP)
def test_multistep_matches_timm(kwargs, length):
    check("MultiStepLRScheduler", kwargs, length)


WSD = [
    {"t_initial": 50, "decay_t": 20},
    {"t_initial": 50, "decay_t": 50, "decay_fn": "linear", "lr_min": 1e-4, "warmup_t": 6},
    {"t_initial": 41, "decay_t": 13, "decay_fn": "cosine", "lr_min": 3e-4, "warmup_t": 3},
    {"t_initial": 41, "decay_t": 13, "decay_fn": "power", "decay_power": 2.3, "warmup_t": 3},
    {"t_initial": 37, "decay_t": 11, "decay_fn": "exp", "decay_ratio": 0.05, "lr_min": 1e-4},
    {
        "t_initial": 60,
        "decay_t": 15,
        "stable_fn": "rsqrt",
        "decay_fn": "linear",
        "warmup_t": 8,
        "warmup_lr_init": 1e-4,
    },
    {
        "t_initial": 60,
        "decay_t": 25,
        "stable_fn": "power",
        "stable_power": 0.8,
        "stable_timescale": 5.5,
        "decay_fn": "exp",
        "lr_min": 4e-3,
    },
    {
        "t_initial": 70,
        "decay_t": 21,
        "stable_fn": "rsqrt",
        "stable_timescale": 3,
        "decay_fn": "1-sqrt",
        "lr_min": 1e-2,
        "warmup_t": 2,
    },
]


@pytest.mark.parametrize("kwargs", WSD)
def test_wsd_matches_timm(kwargs):
    check("WSDLRScheduler", kwargs, kwargs["t_initial"] + kwargs.get("warmup_t", 0))


# -- hypothesis ----------------------------------------------------------------------------------


@given(
    base_lr=st.floats(1e-4, 1.0),
    t_initial=st.integers(1, 40),
    lr_min_frac=st.sampled_from([0.0, 0.01]) | st.floats(0.0, 0.5),
    # timm's closed form divides by log(cycle_mul) and loses precision near 1 (relative error
    # 6e-5 at 1 + 1e-6, none left at 1 + 1e-9, a complex power at 1 + 2e-16): start at 1.01
    cycle_mul=st.sampled_from([1.0, 2.0, 1.5]) | st.floats(1.01, 2.5),
    cycle_decay=st.sampled_from([1.0, 0.5]) | st.floats(0.2, 1.0),
    cycle_limit=st.integers(1, 4),
    warmup_t=st.integers(0, 15),
    warmup_frac=st.floats(0.0, 1.0),
    warmup_prefix=st.booleans(),
    k_decay=st.sampled_from([1.0]) | st.floats(0.5, 2.0),
)
def test_cosine_hypothesis(
    base_lr,
    t_initial,
    lr_min_frac,
    cycle_mul,
    cycle_decay,
    cycle_limit,
    warmup_t,
    warmup_frac,
    warmup_prefix,
    k_decay,
):
    kw = {
        "t_initial": t_initial,
        "lr_min": base_lr * lr_min_frac,
        "cycle_mul": cycle_mul,
        "cycle_decay": cycle_decay,
        "cycle_limit": cycle_limit,
        "warmup_t": warmup_t,
        "warmup_lr_init": base_lr * warmup_frac,
        "warmup_prefix": warmup_prefix,
        "k_decay": k_decay,
    }
    length = cycles_length(kw)
    assume(length < 400)
    n = horizon(length)
    skip = misplaced_restarts(kw, n)
    peer = timm_lrs("CosineLRScheduler", base_lr, kw, n, "update")
    assert_parity(ct.CosineLRScheduler(base_lr, t_in_epochs=False, **kw), peer, base_lr, skip)


@given(
    base_lr=st.floats(1e-4, 1.0),
    t_initial=st.integers(1, 80),
    decay_frac=st.floats(0.0, 1.0),
    lr_min_frac=st.sampled_from([0.0]) | st.floats(0.0, 0.9),
    stable_fn=st.sampled_from(["constant", "rsqrt", "power"]),
    stable_timescale=st.floats(0.5, 30.0),
    stable_power=st.floats(0.1, 2.0),
    decay_fn=st.sampled_from(["linear", "1-sqrt", "cosine", "power", "exp"]),
    decay_power=st.floats(0.2, 3.0),
    decay_ratio=st.floats(0.01, 0.9),
    warmup_t=st.integers(0, 12),
)
def test_wsd_hypothesis(
    base_lr,
    t_initial,
    decay_frac,
    lr_min_frac,
    stable_fn,
    stable_timescale,
    stable_power,
    decay_fn,
    decay_power,
    decay_ratio,
    warmup_t,
):
    kw = {
        "t_initial": t_initial,
        "decay_t": max(1, round(decay_frac * t_initial)),
        "lr_min": base_lr * lr_min_frac,
        "stable_fn": stable_fn,
        "stable_timescale": stable_timescale,
        "stable_power": stable_power,
        "decay_fn": decay_fn,
        "decay_power": decay_power,
        "decay_ratio": decay_ratio,
        "warmup_t": warmup_t,
    }
    n = horizon(t_initial + warmup_t)
    peer = timm_lrs("WSDLRScheduler", base_lr, kw, n, "update")
    assert_parity(ct.WSDLRScheduler(base_lr, t_in_epochs=False, **kw), peer, base_lr)


# -- argument errors ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cls_name", "kw"),
    [
        # cycle_limit=0: timm gives lr_min from the first step after the warmup
        ("CosineLRScheduler", {"t_initial": 10, "cycle_limit": 0, "lr_min": 1e-3}),
        ("CosineLRScheduler", {"t_initial": 10, "cycle_limit": 0, "warmup_t": 3}),
        ("TanhLRScheduler", {"t_initial": 10, "cycle_limit": 0, "lr_min": 1e-3}),
        ("PolyLRScheduler", {"t_initial": 10, "cycle_limit": 0, "warmup_t": 2, "lr_min": 1e-3}),
        # cycle_decay 0: 0 ** 0 == 1, later cycles rise from lr_min towards 0
        (
            "CosineLRScheduler",
            {
                "t_initial": 4,
                "cycle_decay": 0.0,
                "cycle_limit": 4,
                "cycle_mul": 2.0,
                "lr_min": 1e-3,
            },
        ),
        ("TanhLRScheduler", {"t_initial": 5, "cycle_decay": 0.0, "cycle_limit": 3, "lr_min": 1e-3}),
        # power 0: (1 - f) ** 0 == 1, the cycle's peak throughout it
        ("PolyLRScheduler", {"t_initial": 6, "power": 0.0, "cycle_limit": 3, "cycle_decay": 0.5}),
        # decay_rate 0: 0 ** 0 == 1, the lr for the first interval, then 0
        ("MultiStepLRScheduler", {"decay_t": [2, 2, 5], "decay_rate": 0.0}),
        ("MultiStepLRScheduler", {"decay_t": [4], "decay_rate": 0.0, "warmup_t": 2}),
        ("StepLRScheduler", {"decay_t": 3, "decay_rate": 0.0}),
        (
            "StepLRScheduler",
            {"decay_t": 1, "decay_rate": 0.0, "warmup_t": 2, "warmup_prefix": False},
        ),
    ],
)
def test_zero_limit_power_and_rate_follow_timm(cls_name, kw):
    check(cls_name, kw, 30)


@pytest.mark.parametrize("stable_fn", ["constant", "rsqrt"])
def test_wsd_base_lr_below_lr_min_follows_timm(stable_fn):
    # timm leaves the optimizer's lr at step 0 (no warmup) and floors at lr_min from step 1
    kw = {"t_initial": 12, "decay_t": 4, "lr_min": 0.05, "stable_fn": stable_fn}
    kw.update({"stable_timescale": 2.0} if stable_fn == "rsqrt" else {})
    check("WSDLRScheduler", kw, 12, base_lr=0.02)


def test_zero_base_lr_step_scheduler_follows_timm():
    kw = {"decay_t": 2.5, "decay_rate": 0.5, "warmup_t": 2, "warmup_lr_init": 1e-3}
    peer = timm_lrs("StepLRScheduler", 0.0, kw, 20, "update")
    ours = ct.StepLRScheduler(0.0, t_in_epochs=False, **kw)
    np.testing.assert_array_equal([ours(t) for t in range(20)], peer)
    np.testing.assert_array_equal(ours(np.arange(20)), peer)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: ct.CosineLRScheduler(0.1, t_initial=0), "t_initial"),
        (lambda: ct.CosineLRScheduler(0.1, 10, lr_min=-1.0), "lr_min"),
        (lambda: ct.CosineLRScheduler(0.1, 10, cycle_mul=0), "cycle_mul"),
        (lambda: ct.CosineLRScheduler(0.1, 10, cycle_decay=-0.5, cycle_limit=2), "cycle_decay"),
        (lambda: ct.CosineLRScheduler(0.1, 10, cycle_limit=-1), "cycle_limit"),
        (lambda: ct.CosineLRScheduler(0.1, 10, k_decay=0), "k_decay"),
        (lambda: ct.CosineLRScheduler(0.1, 10, warmup_t=-2), "warmup_t"),
        (
            lambda: ct.CosineLRScheduler(0.1, 10, t_in_epochs=False, updates_per_epoch=5),
            "updates_per_epoch",
        ),
        (lambda: ct.TanhLRScheduler(0.1, 10, lb=3.0, ub=-7.0), "lb must be < ub"),
        (lambda: ct.PolyLRScheduler(0.1, 10, power=-1), "power"),
        (lambda: ct.StepLRScheduler(0.1, decay_t=0), "decay_t"),
        (lambda: ct.StepLRScheduler(0.1, decay_t=3, decay_rate=1.5), "decay_rate"),
        (lambda: ct.MultiStepLRScheduler(0.1, decay_t=[5, 3]), "sorted"),
        (lambda: ct.MultiStepLRScheduler(0.1, decay_t=[2, -1]), r"decay_t\[1\]"),
        (lambda: ct.WSDLRScheduler(0.1, 10, decay_t=11), "decay_t"),
        (lambda: ct.WSDLRScheduler(0.1, 10, 5, decay_fn="step"), "decay_fn"),
        (lambda: ct.WSDLRScheduler(0.1, 10, 5, decay_fn=lambda f: 1 - f), "callable"),
        (lambda: ct.WSDLRScheduler(0.1, 10, 5, stable_fn="rsqrt"), "stable_timescale"),
        (lambda: ct.WSDLRScheduler(0.1, 10, 5, decay_ratio=1.0), "decay_ratio"),
    ],
)
def test_bad_arguments_raise(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()


BACKEND_CASES = [
    ct.CosineLRScheduler(
        0.05,
        20,
        lr_min=1e-4,
        cycle_mul=1.5,
        cycle_decay=0.6,
        cycle_limit=3,
        warmup_t=4,
        k_decay=1.3,
        t_in_epochs=False,
    ),
    ct.TanhLRScheduler(0.05, 30, lr_min=1e-4, cycle_limit=2, cycle_decay=0.5, warmup_t=5),
    ct.PolyLRScheduler(0.05, 25, power=1.5, cycle_mul=2.0, cycle_limit=2, updates_per_epoch=3),
    ct.WSDLRScheduler(0.05, 60, 20, lr_min=1e-3, stable_fn="rsqrt", decay_fn="exp", warmup_t=5),
]


@pytest.mark.parametrize("index", range(len(BACKEND_CASES)))
def test_backends_agree(index, ev, backend):
    """Every backend of the conftest fixture gives another path's values (JAX in float32)."""
    s = BACKEND_CASES[index]
    ts = np.arange(150)
    tol = (
        {"rtol": 1e-12} if backend in ("python", "numpy", "torch") else {"rtol": 2e-6, "atol": 5e-8}
    )
    np.testing.assert_allclose(ev(s, ts), other_path(s, ts, backend), **tol)
