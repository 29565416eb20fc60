"""Parity of schedalg.compat.transformers with the real transformers schedules.

Each case builds a torch optimizer and the ``LambdaLR`` that ``transformers`` returns, reads the
learning rate before every update over the schedule's length plus 20% (and at least 25 steps
past its end), and compares with the schedalg twin on the float64 paths (Python floats and
NumPy). Error measure: ``|ours - peer| / max(|peer|, 1e-12 * base_lr)`` (values below
``1e-12 * base_lr`` count as zero) must stay <= 1e-10 at every step, beyond ``TROUGH_ATOL``
where a cosine passes through 0.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

torch = pytest.importorskip("torch")
tfo = pytest.importorskip("transformers.optimization")

from _parity import assert_both_paths, other_path  # noqa: E402

from schedalg.compat import transformers as ct  # noqa: E402


def peer_lrs(make, base_lr: float, steps: int) -> np.ndarray:
    """The lr torch's optimizer holds before each of ``steps`` updates."""
    param = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([param], lr=base_lr)
    sched = make(opt)
    out = []
    for _ in range(steps):
        out.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return np.asarray(out, dtype=np.float64)


def horizon(length: int) -> int:
    return max(math.ceil(1.2 * length), length + 25)


assert_parity = assert_both_paths

# -- fixed cases with odd arguments --------------------------------------------------------------

CASES = [
    # (name, kwargs, length)
    ("constant", {}, 40),
    ("constant_with_warmup", {"num_warmup_steps": 13}, 40),
    ("constant_with_warmup", {"num_warmup_steps": 0}, 10),
    ("linear", {"num_warmup_steps": 7, "num_training_steps": 93}, 93),
    ("linear", {"num_warmup_steps": 0, "num_training_steps": 1}, 1),
    ("linear", {"num_warmup_steps": 5, "num_training_steps": 5}, 5),
    ("cosine", {"num_warmup_steps": 11, "num_training_steps": 157}, 157),
    ("cosine", {"num_warmup_steps": 3, "num_training_steps": 101, "num_cycles": 1.75}, 101),
    ("cosine", {"num_warmup_steps": 0, "num_training_steps": 64, "num_cycles": 0.3}, 64),
    ("cosine", {"num_warmup_steps": 9, "num_training_steps": 9}, 9),
    ("hard_restarts", {"num_warmup_steps": 6, "num_training_steps": 126, "num_cycles": 3}, 126),
    ("hard_restarts", {"num_warmup_steps": 4, "num_training_steps": 104, "num_cycles": 7}, 104),
    ("hard_restarts", {"num_warmup_steps": 0, "num_training_steps": 50, "num_cycles": 2.5}, 50),
    ("hard_restarts", {"num_warmup_steps": 5, "num_training_steps": 90}, 90),
    (
        "polynomial",
        {"num_warmup_steps": 9, "num_training_steps": 131, "lr_end": 2e-5, "power": 2.7},
        131,
    ),
    ("polynomial", {"num_warmup_steps": 0, "num_training_steps": 17, "power": 0.4}, 17),
    ("inverse_sqrt", {"num_warmup_steps": 17}, 200),
    ("inverse_sqrt", {"num_warmup_steps": 8, "timescale": 37}, 150),
    ("inverse_sqrt", {"num_warmup_steps": 0}, 60),
    (
        "cosine_min_lr",
        {"num_warmup_steps": 12, "num_training_steps": 140, "min_lr": 3e-5},
        140,
    ),
    (
        "cosine_min_lr",
        {"num_warmup_steps": 3, "num_training_steps": 77, "num_cycles": 1.3, "min_lr_rate": 0.17},
        77,
    ),
    (
        "cosine_min_lr_rate",
        {"num_warmup_steps": 10, "num_training_steps": 120, "min_lr_rate": 0.05},
        120,
    ),
    (
        "cosine_min_lr_rate",
        {
            "num_warmup_steps": 7,
            "num_training_steps": 99,
            "min_lr": 1e-5,
            "warmup_lr_rate": 0.13,
            "num_cycles": 0.8,
        },
        99,
    ),
    (
        "cosine_min_lr_rate",
        {
            "num_warmup_steps": 1,
            "num_training_steps": 30,
            "min_lr_rate": 0.2,
            "warmup_lr_rate": 0.3,
        },
        30,
    ),
    ("cosine_min_lr_rate", {"num_warmup_steps": 0, "num_training_steps": 30, "min_lr_rate": 0}, 30),
    (
        "cosine_min_lr_rate",
        {"num_warmup_steps": 1, "num_training_steps": 30, "min_lr_rate": 0.1},
        30,
    ),
]

PEER = {
    "constant": tfo.get_constant_schedule,
    "constant_with_warmup": tfo.get_constant_schedule_with_warmup,
    "linear": tfo.get_linear_schedule_with_warmup,
    "cosine": tfo.get_cosine_schedule_with_warmup,
    "hard_restarts": tfo.get_cosine_with_hard_restarts_schedule_with_warmup,
    "polynomial": tfo.get_polynomial_decay_schedule_with_warmup,
    "inverse_sqrt": tfo.get_inverse_sqrt_schedule,
    "cosine_min_lr": tfo.get_cosine_with_min_lr_schedule_with_warmup,
    "cosine_min_lr_rate": tfo.get_cosine_with_min_lr_schedule_with_warmup_lr_rate,
    "wsd": tfo.get_wsd_schedule,
}
OURS = {
    "constant": ct.get_constant_schedule,
    "constant_with_warmup": ct.get_constant_schedule_with_warmup,
    "linear": ct.get_linear_schedule_with_warmup,
    "cosine": ct.get_cosine_schedule_with_warmup,
    "hard_restarts": ct.get_cosine_with_hard_restarts_schedule_with_warmup,
    "polynomial": ct.get_polynomial_decay_schedule_with_warmup,
    "inverse_sqrt": ct.get_inverse_sqrt_schedule,
    "cosine_min_lr": ct.get_cosine_with_min_lr_schedule_with_warmup,
    "cosine_min_lr_rate": ct.get_cosine_with_min_lr_schedule_with_warmup_lr_rate,
    "wsd": ct.get_wsd_schedule,
}


# transformers' cosines are ``0.5 * (1 + cos(pi * 2 * num_cycles * progress))``: with more than
# half a cycle the value passes through a trough where ``1 + cos`` cancels, and either side
# is then known only to float64 rounding of the terms (about 2**-52 of base_lr, a few
# operations deep), not relative to the tiny value: such a value may differ by this much.
TROUGH_ATOL = 2.0**-50


def check(name: str, kwargs: dict, length: int, base_lr: float = 3.7e-4) -> None:
    peer = peer_lrs(lambda opt: PEER[name](opt, **kwargs), base_lr, horizon(length))
    trough = "cosine" in name or name == "hard_restarts"
    atol = TROUGH_ATOL * base_lr if trough else 0.0
    assert_parity(OURS[name](base_lr, **kwargs), peer, base_lr, atol=atol)


@pytest.mark.parametrize(("name", "kwargs", "length"), CASES)
def test_matches_transformers(name, kwargs, length):
    check(name, kwargs, length)


WSD_CASES = [
    {"num_warmup_steps": 9, "num_decay_steps": 31, "num_training_steps": 117},
    {"num_warmup_steps": 0, "num_decay_steps": 20, "num_stable_steps": 13, "decay_type": "linear"},
    {
        "num_warmup_steps": 12,
        "num_decay_steps": 25,
        "num_stable_steps": 40,
        "warmup_type": "cosine",
        "decay_type": "1-sqrt",
        "min_lr_ratio": 0.07,
    },
    {
        "num_warmup_steps": 15,
        "num_decay_steps": 44,
        "num_training_steps": 80,
        "warmup_type": "1-sqrt",
        "decay_type": "cosine",
        "num_cycles": 1.5,
        "min_lr_ratio": 0.2,
    },
    {
        "num_warmup_steps": 5,
        "num_decay_steps": 33,
        "num_training_steps": 60,
        "decay_type": "cosine",
        "num_cycles": 0.85,
        "min_lr_ratio": 0.1,
    },
    {"num_warmup_steps": 6, "num_decay_steps": 0, "num_training_steps": 20},
    {"num_warmup_steps": 6, "num_decay_steps": 14, "num_stable_steps": 0, "warmup_type": "cosine"},
]


@pytest.mark.parametrize("kwargs", WSD_CASES)
def test_wsd_matches_transformers(kwargs):
    s = kwargs.get("num_stable_steps")
    length = (
        kwargs["num_training_steps"]
        if s is None
        else kwargs["num_warmup_steps"] + s + kwargs["num_decay_steps"]
    )
    check("wsd", kwargs, length)


# -- hypothesis ----------------------------------------------------------------------------------

lrs = st.floats(1e-5, 2.0)


@given(
    base_lr=lrs,
    warmup=st.integers(0, 40),
    decay=st.integers(0, 160),
    num_cycles=st.sampled_from([0.5, 0.25, 1.0, 1.5, 2.0]) | st.floats(0.05, 3.0),
)
def test_cosine_with_warmup_hypothesis(base_lr, warmup, decay, num_cycles):
    kwargs = {
        "num_warmup_steps": warmup,
        "num_training_steps": warmup + decay,
        "num_cycles": num_cycles,
    }
    check("cosine", kwargs, warmup + decay, base_lr)


@given(
    base_lr=lrs,
    warmup=st.integers(0, 30),
    stable=st.integers(0, 30),
    decay=st.integers(0, 90),
    warmup_type=st.sampled_from(["linear", "cosine", "1-sqrt"]),
    decay_type=st.sampled_from(["linear", "cosine", "1-sqrt"]),
    min_lr_ratio=st.sampled_from([0.0, 0.1]) | st.floats(0.0, 0.9),
    num_cycles=st.sampled_from([0.5, 1.0, 1.5]) | st.floats(0.1, 2.0),
)
def test_wsd_hypothesis(
    base_lr, warmup, stable, decay, warmup_type, decay_type, min_lr_ratio, num_cycles
):
    kwargs = {
        "num_warmup_steps": warmup,
        "num_decay_steps": decay,
        "num_stable_steps": stable,
        "warmup_type": warmup_type,
        "decay_type": decay_type,
        "min_lr_ratio": min_lr_ratio,
        "num_cycles": num_cycles,
    }
    check("wsd", kwargs, warmup + stable + decay, base_lr)


# -- get_scheduler, argument errors --------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("linear", {}),
        ("cosine", {"num_cycles": 0.7}),
        ("cosine_with_restarts", {"num_cycles": 2}),
        ("polynomial", {"power": 1.5, "lr_end": 1e-6}),
        ("constant", {}),
        ("constant_with_warmup", {}),
        ("inverse_sqrt", {"timescale": 23}),
        ("cosine_with_min_lr", {"min_lr_rate": 0.1}),
        ("cosine_warmup_with_min_lr", {"min_lr_rate": 0.1}),
        ("warmup_stable_decay", {"num_decay_steps": 30, "decay_type": "1-sqrt"}),
    ],
)
def test_get_scheduler_matches(name, kwargs):
    base_lr, w, n = 2e-3, 8, 90
    peer = peer_lrs(
        lambda opt: tfo.get_scheduler(
            name, opt, num_warmup_steps=w, num_training_steps=n, scheduler_specific_kwargs=kwargs
        ),
        base_lr,
        horizon(n),
    )
    ours = ct.get_scheduler(
        name, base_lr, num_warmup_steps=w, num_training_steps=n, scheduler_specific_kwargs=kwargs
    )
    assert_parity(ours, peer, base_lr)


@pytest.mark.parametrize("decay_type", ["linear", "cosine", "1-sqrt"])
@pytest.mark.parametrize("training", [8, 5, 3])
def test_wsd_training_shorter_than_warmup_plus_decay(decay_type, training):
    # transformers: stable length N - W - D < 0, so the decay is entered part-way
    kw = dict(num_warmup_steps=4, num_decay_steps=5, decay_type=decay_type, min_lr_ratio=0.1)
    check("wsd", dict(kw, num_training_steps=training), 15)


def test_wsd_stable_steps_win_over_a_disagreeing_total_with_a_warning():
    kw = dict(num_warmup_steps=3, num_decay_steps=5, num_stable_steps=2, num_training_steps=40)
    with pytest.warns(UserWarning):  # transformers warns, and uses num_stable_steps
        peer = peer_lrs(lambda opt: tfo.get_wsd_schedule(opt, **kw), 1e-3, 20)
    with pytest.warns(UserWarning, match="num_stable_steps is used"):
        ours = ct.get_wsd_schedule(1e-3, **kw)
    assert_parity(ours, peer, 1e-3)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: ct.get_linear_schedule_with_warmup(1.0, 10, 5), "num_training_steps"),
        (lambda: ct.get_linear_schedule_with_warmup(1.0, -1, 5), "num_warmup_steps"),
        (lambda: ct.get_linear_schedule_with_warmup(-1.0, 1, 5), "base_lr"),
        (lambda: ct.get_cosine_schedule_with_warmup(1.0, 1, 5, num_cycles=0), "num_cycles"),
        (lambda: ct.get_polynomial_decay_schedule_with_warmup(1.0, 5, 5), "num_training_steps"),
        (
            lambda: ct.get_polynomial_decay_schedule_with_warmup(1e-8, 1, 5, lr_end=1e-7),
            "lr_end",
        ),
        (lambda: ct.get_polynomial_decay_schedule_with_warmup(1.0, 1, 5, power=0), "power"),
        (lambda: ct.get_inverse_sqrt_schedule(1.0, 3, timescale=0), "timescale"),
        (lambda: ct.get_cosine_with_min_lr_schedule_with_warmup(1.0, 1, 5), "min_lr"),
        (
            lambda: ct.get_cosine_with_min_lr_schedule_with_warmup(
                1.0, 1, 5, min_lr=0.1, min_lr_rate=0.1
            ),
            "min_lr",
        ),
        (lambda: ct.get_wsd_schedule(1.0, 1, 5), "num_training_steps or num_stable_steps"),
        (
            lambda: ct.get_wsd_schedule(1.0, 1, 5, num_stable_steps=2, decay_type="exp"),
            "decay_type",
        ),
        (
            lambda: ct.get_wsd_schedule(1.0, 1, 5, num_stable_steps=2, warmup_type="step"),
            "warmup_type",
        ),
        (lambda: ct.get_wsd_schedule(1.0, 1, 5, num_stable_steps=2, min_lr_ratio=-1), "min_lr"),
        (lambda: ct.get_scheduler("reduce_lr_on_plateau", 1.0), "metric"),
        (lambda: ct.get_scheduler("nope", 1.0), "name"),
        (lambda: ct.get_scheduler("linear", 1.0, num_warmup_steps=2), "num_training_steps"),
    ],
)
def test_bad_arguments_raise(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()


def test_built_from_algebra():
    """The schedule is an ordinary algebra value: its repr rebuilds it from public names."""
    import schedalg

    s = ct.get_wsd_schedule(1e-3, 10, 30, num_stable_steps=20, decay_type="1-sqrt")
    assert isinstance(s, schedalg.Schedule)
    assert eval(repr(s), vars(schedalg)) == s


BACKEND_CASES = [
    ct.get_cosine_schedule_with_warmup(2e-3, 10, 110, num_cycles=1.3),
    ct.get_cosine_with_hard_restarts_schedule_with_warmup(2e-3, 5, 95, num_cycles=2.5),
    ct.get_cosine_with_min_lr_schedule_with_warmup_lr_rate(2e-3, 6, 80, min_lr_rate=0.1),
    ct.get_wsd_schedule(2e-3, 8, 40, num_stable_steps=30, decay_type="cosine", num_cycles=0.7),
]


@pytest.mark.parametrize("index", range(len(BACKEND_CASES)))
def test_backends_agree(index, ev, backend):
    """Every backend of the conftest fixture gives another path's values (JAX in float32)."""
    s = BACKEND_CASES[index]
    ts = np.arange(150)
    tol = (
        {"rtol": 1e-12} if backend in ("python", "numpy", "torch") else {"rtol": 2e-6, "atol": 2e-9}
    )
    np.testing.assert_allclose(ev(s, ts), other_path(s, ts, backend), **tol)
