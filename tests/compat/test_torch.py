"""Parity with torch.optim.lr_scheduler: the real schedulers, stepped as a training loop does.

Value k is the lr in ``param_groups`` before the k-th ``optimizer.step()`` (the scheduler
steps after it). Every run covers the schedule's length plus at least 20%.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from _parity import assert_parity
from hypothesis import given
from hypothesis import strategies as st

torch = pytest.importorskip("torch")
from torch.optim import lr_scheduler as L  # noqa: E402

from schedalg import take  # noqa: E402
from schedalg.compat import torch as C  # noqa: E402


def run_torch(make, n, lr=1.0, *, momentum=False, adam=False, raises_after=None):
    """(lrs, momenta) torch's optimizer holds for updates 0..n-1."""
    p = torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))
    if adam:
        opt = torch.optim.Adam([p], lr=lr)
    else:
        opt = torch.optim.SGD([p], lr=lr, momentum=0.9)
    sched = make(opt)
    lrs, moms = [], []
    for k in range(n):
        g = opt.param_groups[0]
        lrs.append(g["lr"])
        moms.append(g["betas"][0] if adam else g["momentum"])
        opt.step()
        if raises_after is not None and k == raises_after:
            with pytest.raises(ValueError, match="Tried to step"):
                sched.step()
            break
        sched.step()
    return np.array(lrs), np.array(moms)


def check(schedule, torch_values, what=""):
    k = np.arange(len(torch_values))
    assert_parity(schedule(k), torch_values, what=f"{what} numpy")
    assert_parity([schedule(int(i)) for i in k], torch_values, what=f"{what} python")


def horizon(n):
    return math.ceil(n * 1.2) + 1


# -- the simple schedulers ------------------------------------------------------------------


def test_step_lr():
    want, _ = run_torch(lambda o: L.StepLR(o, step_size=7, gamma=0.63), 120, lr=0.37)
    check(C.StepLR(base_lr=0.37, step_size=7, gamma=0.63), want)


def test_multistep_lr_unsorted_repeated_and_zero_milestones():
    ms = [30, 0, 11, 30, 57]
    want, _ = run_torch(lambda o: L.MultiStepLR(o, milestones=ms, gamma=0.3), horizon(57), 0.9)
    check(C.MultiStepLR(base_lr=0.9, milestones=ms, gamma=0.3), want)


@pytest.mark.parametrize(
    ("lr", "make", "ours"),
    [
        (0.4, lambda o: L.StepLR(o, step_size=3, gamma=0.0), lambda b: C.StepLR(b, 3, gamma=0.0)),
        (0.0, lambda o: L.StepLR(o, step_size=3, gamma=0.5), lambda b: C.StepLR(b, 3, gamma=0.5)),
        (0.4, lambda o: L.StepLR(o, step_size=1, gamma=0.5), lambda b: C.StepLR(b, 1, gamma=0.5)),
        (0.4, lambda o: L.ExponentialLR(o, gamma=0.0), lambda b: C.ExponentialLR(b, gamma=0.0)),
        (0.0, lambda o: L.ExponentialLR(o, gamma=0.7), lambda b: C.ExponentialLR(b, gamma=0.7)),
        (
            0.4,
            lambda o: L.PolynomialLR(o, total_iters=4, power=0.0),
            lambda b: C.PolynomialLR(b, total_iters=4, power=0.0),
        ),
        (
            0.4,
            lambda o: L.PolynomialLR(o, total_iters=0, power=-1.0),
            lambda b: C.PolynomialLR(b, total_iters=0, power=-1.0),
        ),
        (
            0.4,
            lambda o: L.ConstantLR(o, factor=0.0, total_iters=0),
            lambda b: C.ConstantLR(b, factor=0.0, total_iters=0),
        ),
    ],
)
def test_zero_lr_zero_gamma_and_zero_power_follow_torch(lr, make, ours):
    # torch takes 0 ** 0 == 1: gamma 0 keeps the lr for one period, power 0 keeps it throughout
    want, _ = run_torch(make, 20, lr)
    check(ours(lr), want)


@pytest.mark.parametrize("total_iters", [0, 1, 13])
def test_constant_lr(total_iters):
    mk = lambda o: L.ConstantLR(o, factor=0.27, total_iters=total_iters)  # noqa: E731
    want, _ = run_torch(mk, horizon(total_iters) + 5, 0.11)
    check(C.ConstantLR(base_lr=0.11, factor=0.27, total_iters=total_iters), want)


@pytest.mark.parametrize("total_iters", [0, 1, 37])
def test_linear_lr(total_iters):
    kw = dict(start_factor=0.13, end_factor=0.71, total_iters=total_iters)
    want, _ = run_torch(lambda o: L.LinearLR(o, **kw), horizon(total_iters) + 5, 0.5)
    check(C.LinearLR(base_lr=0.5, **kw), want)


def test_exponential_lr():
    want, _ = run_torch(lambda o: L.ExponentialLR(o, gamma=0.983), 400, 2.5)
    check(C.ExponentialLR(base_lr=2.5, gamma=0.983), want)


@pytest.mark.parametrize(("total_iters", "power"), [(0, 1.0), (1, 2.0), (53, 0.7), (40, 3.3)])
def test_polynomial_lr(total_iters, power):
    mk = lambda o: L.PolynomialLR(o, total_iters=total_iters, power=power)  # noqa: E731
    want, _ = run_torch(mk, horizon(total_iters) + 5, 0.3)
    check(C.PolynomialLR(base_lr=0.3, total_iters=total_iters, power=power), want)


@pytest.mark.parametrize(("T_max", "eta_min"), [(1, 0.0), (17, 0.0), (50, 0.013), (9, 0.2)])
def test_cosine_annealing_lr_follows_the_recursive_form_past_T_max(T_max, eta_min):
    # Three and a half half-periods: torch's cosine turns back up after T_max.
    n = int(3.5 * T_max) + 3
    want, _ = run_torch(lambda o: L.CosineAnnealingLR(o, T_max=T_max, eta_min=eta_min), n, 0.4)
    check(C.CosineAnnealingLR(base_lr=0.4, T_max=T_max, eta_min=eta_min), want)
    if T_max > 1:
        assert want[2 * T_max] == pytest.approx(0.4)  # back at base_lr: not held at eta_min


@given(
    T_0=st.integers(1, 40),
    T_mult=st.integers(1, 3),
    eta_min=st.floats(0.0, 0.05),
    base_lr=st.floats(0.06, 2.0),
)
def test_cosine_annealing_warm_restarts(T_0, T_mult, eta_min, base_lr):
    # Three cycles plus 20% of the next.
    n = sum(T_0 * T_mult**i for i in range(3)) + max(1, T_0 * T_mult**3 // 5)
    mk = lambda o: L.CosineAnnealingWarmRestarts(o, T_0=T_0, T_mult=T_mult, eta_min=eta_min)  # noqa: E731
    want, _ = run_torch(mk, n, base_lr)
    check(
        C.CosineAnnealingWarmRestarts(base_lr=base_lr, T_0=T_0, T_mult=T_mult, eta_min=eta_min),
        want,
    )


# -- CyclicLR -------------------------------------------------------------------------------


def cyclic_pair(kw, n, adam=False):
    lrs, moms = run_torch(lambda o: L.CyclicLR(o, **kw), n, 123.0, adam=adam)
    return lrs, moms


@pytest.mark.parametrize("mode", ["triangular", "triangular2", "exp_range"])
def test_cyclic_lr_modes_with_momentum(mode):
    kw = dict(
        base_lr=0.013,
        max_lr=0.29,
        step_size_up=7,
        step_size_down=12,
        mode=mode,
        gamma=0.991,
        base_momentum=0.71,
        max_momentum=0.93,
    )
    n = horizon(4 * 19)
    lrs, moms = cyclic_pair(kw, n)
    check(C.CyclicLR(**kw), lrs, f"{mode} lr")
    check(C.CyclicLR(**kw, which="momentum"), moms, f"{mode} momentum")


def test_cyclic_lr_fractional_steps_and_adam_beta1():
    kw = dict(base_lr=0.1, max_lr=1.1, step_size_up=2.5, step_size_down=4.25, mode="triangular2")
    lrs, moms = cyclic_pair(kw, 60, adam=True)
    check(C.CyclicLR(**kw), lrs, "lr")
    check(C.CyclicLR(**kw, which="momentum"), moms, "beta1")


@given(
    up=st.integers(1, 30),
    down=st.one_of(st.none(), st.integers(0, 30)),
    mode=st.sampled_from(["triangular", "triangular2", "exp_range"]),
    gamma=st.floats(0.9, 1.0),
    lo=st.floats(1e-4, 0.1),
    span=st.floats(0.0, 2.0),
    m_lo=st.floats(0.5, 0.85),
)
def test_cyclic_lr_hypothesis(up, down, mode, gamma, lo, span, m_lo):
    kw = dict(
        base_lr=lo,
        max_lr=lo + span,
        step_size_up=up,
        step_size_down=down,
        mode=mode,
        gamma=gamma,
        base_momentum=m_lo,
        max_momentum=0.95,
    )
    cycle = up + (up if down is None else down)
    lrs, moms = cyclic_pair(kw, horizon(3 * cycle))
    check(C.CyclicLR(**kw), lrs, "lr")
    check(C.CyclicLR(**kw, which="momentum"), moms, "momentum")


# -- OneCycleLR -----------------------------------------------------------------------------


def onecycle_check(kw, total):
    mk = lambda o: L.OneCycleLR(o, **kw)  # noqa: E731
    lrs, moms = run_torch(mk, total + 2, raises_after=total)
    assert len(lrs) == total + 1
    s_lr = C.OneCycleLR(**kw)
    s_m = C.OneCycleLR(**kw, which="momentum")
    check(s_lr, lrs, "lr")
    check(s_m, moms, "momentum")
    # torch raises from step total_steps + 1 on; the schedule holds its value at total_steps.
    past = np.arange(total, total + total // 5 + 2)
    assert np.all(s_lr(past) == s_lr(total))
    assert np.all(s_m(past) == s_m(total))


@pytest.mark.parametrize("anneal_strategy", ["cos", "linear"])
@pytest.mark.parametrize("three_phase", [False, True])
def test_one_cycle_lr(anneal_strategy, three_phase):
    kw = dict(
        max_lr=0.71,
        total_steps=137,
        pct_start=0.37,
        anneal_strategy=anneal_strategy,
        base_momentum=0.77,
        max_momentum=0.91,
        div_factor=13.0,
        final_div_factor=310.0,
        three_phase=three_phase,
    )
    onecycle_check(kw, 137)


def test_one_cycle_lr_epochs_and_steps_per_epoch():
    kw = dict(max_lr=0.2, epochs=7, steps_per_epoch=9, pct_start=0.25)
    onecycle_check(kw, 63)


@given(
    total=st.integers(1, 300),
    pct=st.floats(0.0, 1.0),
    anneal=st.sampled_from(["cos", "linear"]),
    three=st.booleans(),
    div=st.floats(2.0, 100.0),
    fdiv=st.floats(1.0, 1e4),
    max_lr=st.floats(1e-3, 3.0),
)
def test_one_cycle_lr_hypothesis(total, pct, anneal, three, div, fdiv, max_lr):
    kw = dict(
        max_lr=max_lr,
        total_steps=total,
        pct_start=pct,
        anneal_strategy=anneal,
        div_factor=div,
        final_div_factor=fdiv,
        three_phase=three,
    )
    try:
        run_torch(lambda o: L.OneCycleLR(o, **kw), total)
    except ZeroDivisionError:
        # a phase of 0 steps owns a step (at most step total_steps): refused when built
        with pytest.raises(ValueError, match=r"phase \d of \d spans 0 steps"):
            C.OneCycleLR(**kw)
        return
    onecycle_check(kw, total)


@pytest.mark.parametrize(
    "kw",
    [
        dict(total_steps=10, pct_start=0.05),  # phase 1 ends at step -0.5: never used
        dict(total_steps=1, pct_start=0.3),  # one step
        dict(total_steps=10, pct_start=0.6, three_phase=True),  # phase 3 ends before phase 2
        dict(total_steps=3, pct_start=0.7, three_phase=True, anneal_strategy="linear"),
        dict(total_steps=5, pct_start=0.99, anneal_strategy="linear"),  # last phase 0.05 steps
        dict(total_steps=7, pct_start=0.9),  # last phase 0.7 steps: cosine past p = 2
        dict(total_steps=4, pct_start=0.0, three_phase=True),
    ],
)
def test_one_cycle_lr_odd_phases_follow_torch(kw):
    onecycle_check(dict(max_lr=0.5, base_momentum=0.8, max_momentum=0.9, **kw), kw["total_steps"])


def test_one_cycle_lr_zero_length_phase_raises_as_torch_does():
    with pytest.raises(ZeroDivisionError):
        run_torch(lambda o: L.OneCycleLR(o, 0.5, total_steps=10, pct_start=0.1), 3)
    with pytest.raises(ValueError, match=r"OneCycleLR\(\): phase 1 of 2 spans 0 steps"):
        C.OneCycleLR(max_lr=0.5, total_steps=10, pct_start=0.1)


# -- SequentialLR and ChainedScheduler ------------------------------------------------------


def test_sequential_lr():
    base = 0.3

    def mk(o):
        s1 = L.LinearLR(o, start_factor=0.1, total_iters=8)
        s2 = L.CosineAnnealingLR(o, T_max=40, eta_min=0.001)
        s3 = L.ExponentialLR(o, gamma=0.97)
        s4 = L.StepLR(o, step_size=5, gamma=0.5)
        return L.SequentialLR(o, schedulers=[s1, s2, s3, s4], milestones=[5, 50, 50])

    want, _ = run_torch(mk, 100, base)
    ours = C.SequentialLR(
        [
            C.LinearLR(base_lr=base, start_factor=0.1, total_iters=8),
            C.CosineAnnealingLR(base_lr=base, T_max=40, eta_min=0.001),
            C.ExponentialLR(base_lr=base, gamma=0.97),
            C.StepLR(base_lr=base, step_size=5, gamma=0.5),
        ],
        milestones=[5, 50, 50],
    )
    check(ours, want)


def test_sequential_lr_restarts_warm_restarts_and_cyclic_at_their_milestones():
    base = 0.25

    def mk(o):
        s1 = L.ConstantLR(o, factor=0.2, total_iters=3)
        s2 = L.CosineAnnealingWarmRestarts(o, T_0=6, T_mult=2, eta_min=0.01)
        s3 = L.CyclicLR(o, base_lr=0.002, max_lr=0.05, step_size_up=4, mode="triangular2")
        return L.SequentialLR(o, schedulers=[s1, s2, s3], milestones=[7, 30])

    want, _ = run_torch(mk, 70, base)
    ours = C.SequentialLR(
        [
            C.ConstantLR(base_lr=base, factor=0.2, total_iters=3),
            C.CosineAnnealingWarmRestarts(base_lr=base, T_0=6, T_mult=2, eta_min=0.01),
            C.CyclicLR(base_lr=0.002, max_lr=0.05, step_size_up=4, mode="triangular2"),
        ],
        milestones=[7, 30],
    )
    check(ours, want)


def test_chained_scheduler():
    base = 0.7

    def mk(o):
        return L.ChainedScheduler(
            [
                L.ConstantLR(o, factor=0.4, total_iters=9),
                L.ExponentialLR(o, gamma=0.98),
                L.MultiStepLR(o, milestones=[20, 31], gamma=0.6),
                L.LinearLR(o, start_factor=0.3, end_factor=0.9, total_iters=15),
                L.PolynomialLR(o, total_iters=70, power=1.5),
                L.CosineAnnealingLR(o, T_max=100),
            ]
        )

    want, _ = run_torch(mk, horizon(70), base)
    ours = C.ChainedScheduler(
        [
            C.ConstantLR(base_lr=base, factor=0.4, total_iters=9),
            C.ExponentialLR(base_lr=base, gamma=0.98),
            C.MultiStepLR(base_lr=base, milestones=[20, 31], gamma=0.6),
            C.LinearLR(base_lr=base, start_factor=0.3, end_factor=0.9, total_iters=15),
            C.PolynomialLR(base_lr=base, total_iters=70, power=1.5),
            C.CosineAnnealingLR(base_lr=base, T_max=100),
        ],
        base_lr=base,
    )
    check(ours, want)


# -- built from the algebra, evaluated on every backend ------------------------------------


def test_onecycle_is_a_take_of_public_pieces_and_runs_under_jit():
    import jax

    s = C.OneCycleLR(max_lr=0.5, total_steps=100, three_phase=True)
    assert repr(s).startswith("compat.torch.OneCycleLR(0.5, ")  # it keeps torch's name
    assert type(s.expand()) is type(take(s, 1))
    ts = np.arange(120)
    got = np.asarray(jax.jit(lambda s, t: s(t))(s, ts), dtype=np.float64)
    np.testing.assert_allclose(got, s(ts), rtol=2e-6)


# -- argument errors ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (
            lambda: C.StepLR(base_lr=0.1, step_size=0),
            r"StepLR\(\): step_size must be an int >= 1, got step_size=0",
        ),
        (
            lambda: C.StepLR(base_lr=0.1, step_size=3, gamma=1.5),
            r"StepLR\(\): gamma must be in \[0, 1\]",
        ),
        (lambda: C.StepLR(base_lr=-0.1, step_size=3), r"StepLR\(\): base_lr must be >= 0"),
        (lambda: C.PolynomialLR(base_lr=0.1, power=-1.0), r"PolynomialLR\(\): power must be >= 0"),
        (
            lambda: C.MultiStepLR(base_lr=0.1, milestones=[3, -1]),
            r"milestones\[1\] must be an int >= 0",
        ),
        (
            lambda: C.ConstantLR(base_lr=0.1, factor=1.5),
            r"ConstantLR\(\): factor must be in \[0, 1\]",
        ),
        (
            lambda: C.ConstantLR(base_lr=0.1, factor=0.0),  # torch: 1 / 0 at total_iters
            r"ConstantLR\(\): factor=0 needs total_iters=0",
        ),
        (lambda: C.LinearLR(base_lr=0.1, total_iters=-2), r"total_iters must be an int >= 0"),
        (
            lambda: C.CosineAnnealingLR(base_lr=0.1, T_max=0),
            r"T_max must be an int >= 1, got T_max=0",
        ),
        (
            lambda: C.CosineAnnealingWarmRestarts(base_lr=0.1, T_0=0),
            r"T_0 must be an int >= 1, got T_0=0",
        ),
        (
            lambda: C.CosineAnnealingWarmRestarts(base_lr=0.1, T_0=5, T_mult=0),
            r"T_mult must be an int >= 1",
        ),
        (
            lambda: C.CyclicLR(base_lr=0.1, max_lr=1.0, step_size_up=-3),
            r"CyclicLR\(\): step_size_up must be > 0, got step_size_up=-3",
        ),
        (lambda: C.CyclicLR(base_lr=0.1, max_lr=1.0, mode="tri"), r"mode must be one of"),
        (lambda: C.CyclicLR(base_lr=0.1, max_lr=1.0, scale_fn=abs), r"scale_fn must be None"),
        (
            lambda: C.CyclicLR(base_lr=0.1, max_lr=1.0, cycle_momentum=False, which="momentum"),
            r"needs cycle_momentum=True",
        ),
        (lambda: C.OneCycleLR(max_lr=0.1), r"give total_steps, or epochs and steps_per_epoch"),
        (
            lambda: C.SequentialLR([C.ExponentialLR(base_lr=1.0, gamma=0.9)], [3]),
            r"milestones must have one entry fewer",
        ),
        (
            lambda: C.ChainedScheduler([C.ExponentialLR(base_lr=1.0, gamma=0.9)], base_lr=0.0),
            r"base_lr must be != 0",
        ),
    ],
)
def test_bad_arguments(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()


def test_wrong_types_are_type_errors():
    with pytest.raises(
        TypeError, match=r"StepLR\(\): base_lr must be a real number, got base_lr='0.1'"
    ):
        C.StepLR(base_lr="0.1", step_size=3)
    with pytest.raises(
        TypeError, match=r"StepLR\(\): step_size must be an int >= 1, got step_size=None"
    ):
        C.StepLR(base_lr=0.1, step_size=None)
    with pytest.raises(TypeError, match=r"step_size must be an int >= 1, got step_size=2.5"):
        C.StepLR(base_lr=0.1, step_size=2.5)
    with pytest.raises(TypeError, match=r"SequentialLR\(\): schedulers\[1\] must be a schedule"):
        C.SequentialLR([C.ExponentialLR(base_lr=1.0, gamma=0.9), 0.5], [3])
