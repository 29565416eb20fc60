"""LR range test: the sweep schedule, the suggestion rules, the plot and the runners."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from schedalg.range_test import (
    diverged_at,
    plot_range_test,
    range_test,
    range_test_optax,
    range_test_torch,
    smooth,
    suggest_lr,
)

# -- the sweep ---------------------------------------------------------------------------


@given(
    start=st.floats(1e-8, 1e-2),
    ratio=st.floats(1.5, 1e9),
    steps=st.integers(2, 500),
)
def test_exp_sweep_golden(start, ratio, steps):
    end = start * ratio
    s = range_test(start, end, steps)
    assert s.duration == steps
    for k in sorted({0, 1, steps // 2, steps - 2, steps - 1}):
        want = start * (end / start) ** (k / (steps - 1))
        assert s(k) == pytest.approx(want, rel=1e-9)
    assert s(0) == start
    assert s(steps - 1) == s(steps) == s(steps + 10) == end


def test_linear_sweep_golden():
    s = range_test(0.1, 1.0, 10, mode="linear")
    for k in range(10):
        assert s(k) == pytest.approx(0.1 + 0.9 * k / 9, rel=1e-12)
    assert s(9) == s(50) == 1.0


@pytest.mark.parametrize(
    "args, kw, match",
    [
        ((0.0, 1.0, 10), {}, "start must be > 0"),
        ((1.0, 0.5, 10), {}, "end must be > start"),
        ((1e-3, 1.0, 1), {}, "steps must be an int >= 2"),
        ((1e-3, 1.0, 10), {"mode": "log"}, "mode must be one of 'exp', 'linear'"),
    ],
)
def test_sweep_errors(args, kw, match):
    with pytest.raises(ValueError, match=match) as info:
        range_test(*args, **kw)
    assert "range_test()" in str(info.value)


# -- smoothing and divergence ------------------------------------------------------------


def test_smooth_is_the_bias_corrected_ema():
    y = [4.0, 2.0, 3.0, 1.0]
    b = 0.7
    avg, want = 0.0, []
    for i, v in enumerate(y):
        avg = b * avg + (1 - b) * v
        want.append(avg / (1 - b ** (i + 1)))
    np.testing.assert_allclose(smooth(y, b), want, rtol=1e-15)
    np.testing.assert_array_equal(smooth(y, 0.0), y)


def test_zero_phase_smoothing_has_no_lag():
    # On a straight line the causal EMA trails by beta / (1 - beta) points; the zero-phase
    # one sits on the line away from the edges.
    y = np.arange(200, dtype=float)
    b = 0.9
    lag = b / (1 - b)
    assert smooth(y, b)[100] == pytest.approx(100 - lag, abs=0.01)
    assert smooth(y, b, zero_phase=True)[100] == pytest.approx(100, abs=0.01)


def test_diverged_at():
    assert diverged_at([3.0, 2.0, 1.0, 2.0, 5.0]) == 4  # 5 > 4 * 1
    assert diverged_at([3.0, 2.0, 1.0, 2.0, 3.9]) == 5  # never
    assert diverged_at([1.0, 2.0, math.nan, 1.0]) == 2
    assert diverged_at([1.0, 1.5], factor=1.4) == 1
    with pytest.raises(ValueError, match="factor must be > 1"):
        diverged_at([1.0], factor=1.0)
    with pytest.raises(ValueError, match="beta must be in"):
        smooth([1.0], beta=1.0)


# -- suggestions -------------------------------------------------------------------------


def _sigmoid_curve(center_log10: float, n: int = 200):
    lrs = np.geomspace(1e-6, 10.0, n)
    losses = 0.1 + 2.0 / (1 + np.exp(2.5 * (np.log10(lrs) - center_log10)))
    return lrs, losses


@pytest.mark.parametrize("center", [-4.0, -2.5, -1.0])
def test_steepest_finds_the_inflection(center):
    # d loss / d log(lr) of a logistic in log lr is most negative at its centre.
    lrs, losses = _sigmoid_curve(center)
    got = suggest_lr(lrs, losses, beta=0.0)
    assert abs(math.log10(got) - center) <= 0.05  # grid spacing is 7 / 199 decades
    got = suggest_lr(lrs, losses)  # zero-phase smoothing keeps it in place
    assert abs(math.log10(got) - center) <= 0.05


def test_min10_is_a_tenth_of_the_minimum_then_divergence_is_cut():
    lrs = np.geomspace(1e-5, 1.0, 101)
    x = np.log10(lrs)
    losses = (x + 2.0) ** 2 + 1.0  # minimum at 1e-2
    got = suggest_lr(lrs, losses, method="min10", beta=0.0)
    assert got == pytest.approx(1e-3, rel=0.1)
    # Blow the tail up: past the divergence point nothing is considered.
    wild = losses.copy()
    wild[80:] = 1e6  # a spike far below the true curve's minimum lr would mislead otherwise
    wild[85] = 0.0
    assert suggest_lr(lrs, wild, method="min10", beta=0.0) == pytest.approx(1e-3, rel=0.1)
    nan = losses.copy()
    nan[70:] = np.nan
    assert suggest_lr(lrs, nan, method="min10", beta=0.0) == pytest.approx(1e-3, rel=0.1)


def test_steepest_with_noise_is_close():
    rng = np.random.default_rng(0)
    lrs, losses = _sigmoid_curve(-2.0, n=150)
    noisy = losses * (1 + 0.05 * rng.standard_normal(len(losses)))
    assert abs(math.log10(suggest_lr(lrs, noisy)) + 2.0) < 0.5


def test_suggest_errors():
    lrs = np.geomspace(1e-4, 1, 20)
    with pytest.raises(ValueError, match="method must be one of"):
        suggest_lr(lrs, lrs, method="valley")
    with pytest.raises(ValueError, match="same length"):
        suggest_lr(lrs, lrs[:-1])
    with pytest.raises(ValueError, match="lrs must be finite and > 0"):
        suggest_lr(np.linspace(0, 1, 20), lrs)
    with pytest.raises(ValueError, match="diverged after 2 points"):
        suggest_lr(lrs, [1.0, 1.0] + [100.0] * 18, beta=0.0)


def test_plot_marks_the_suggestion():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    lrs, losses = _sigmoid_curve(-3.0)
    ax = plot_range_test(lrs, losses)
    raw, smoothed, marker = ax.get_lines()
    np.testing.assert_array_equal(raw.get_xdata(), lrs)
    np.testing.assert_array_equal(raw.get_ydata(), losses)
    np.testing.assert_allclose(smoothed.get_ydata(), smooth(losses, 0.9, zero_phase=True))
    assert marker.get_xdata()[0] == suggest_lr(lrs, losses)
    assert ax.get_xscale() == "log"
    plt.close(ax.figure)


# -- runners -----------------------------------------------------------------------------


def test_torch_runner_restores_everything():
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Linear(4, 8), torch.nn.BatchNorm1d(8), torch.nn.Dropout(0.2), torch.nn.Linear(8, 1)
    )
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    x = torch.randn(64, 4)
    y = x.sum(1, keepdim=True)
    # Give the optimizer some state first (momentum buffers) so there is something to restore.
    torch.nn.functional.mse_loss(model(x), y).backward()
    opt.step()
    model.eval()
    saved_model = {k: v.clone() for k, v in model.state_dict().items()}
    saved_opt = opt.state_dict()
    saved_buf = [s["momentum_buffer"].clone() for s in opt.state.values()]
    rng = torch.get_rng_state()
    batches = [(x[i : i + 16], y[i : i + 16]) for i in range(0, 64, 16)]

    def loss_fn(m, b):
        return torch.nn.functional.mse_loss(m(b[0]), b[1])

    lrs, losses = range_test_torch(model, opt, loss_fn, batches, start=1e-4, end=100.0, steps=60)
    assert len(lrs) == len(losses) and 5 < len(lrs) < 60  # SGD at lr ~ 10 diverges
    np.testing.assert_allclose(lrs, [range_test(1e-4, 100.0, 60)(k) for k in range(len(lrs))])
    for k, v in model.state_dict().items():
        assert torch.equal(v, saved_model[k]), k
    assert not model.training
    assert opt.param_groups[0]["lr"] == 0.05
    assert opt.state_dict()["param_groups"] == saved_opt["param_groups"]
    for s, b in zip(opt.state.values(), saved_buf, strict=True):
        assert torch.equal(s["momentum_buffer"], b)
    assert torch.equal(torch.get_rng_state(), rng)


def test_optax_runner_leaves_params_and_follows_the_sweep():
    jax = pytest.importorskip("jax")
    optax = pytest.importorskip("optax")
    jnp = jax.numpy
    x = jnp.linspace(-1, 1, 32)
    params = {"a": jnp.asarray(0.5), "b": jnp.asarray(-0.25)}

    def loss_fn(p, batch):
        xb, yb = batch
        return jnp.mean((p["a"] * xb + p["b"] - yb) ** 2)

    batches = [(x, 3 * x + 1)]
    lrs, losses = range_test_optax(
        loss_fn, params, optax.sgd, batches, start=1e-3, end=1e3, steps=80
    )
    assert float(params["a"]) == 0.5 and float(params["b"]) == -0.25
    assert 10 < len(lrs) < 80  # plain SGD on this quadratic diverges for lr > ~2
    np.testing.assert_allclose(lrs, [range_test(1e-3, 1e3, 80)(k) for k in range(len(lrs))])
    assert losses[0] == pytest.approx(float(loss_fn(params, batches[0])), rel=1e-6)
