"""End to end with JAX/optax: a digits MLP trained by warmup + cosine through
schedalg.optax, and by the lr a range test suggests."""

from __future__ import annotations

import numpy as np
import pytest
from _digits import digits, epoch_batches

from schedalg import cosine, linear_ramp
from schedalg.range_test import range_test_optax, suggest_lr

jax = pytest.importorskip("jax")
optax = pytest.importorskip("optax")
pytest.importorskip("sklearn")
jnp = jax.numpy

from schedalg.optax import hyperparams, scheduled  # noqa: E402

BATCH = 32


def _init(seed: int = 0) -> dict:
    k1, k2 = jax.random.split(jax.random.PRNGKey(seed))
    return {
        "w1": jax.random.normal(k1, (64, 32)) * (1 / 8),
        "b1": jnp.zeros(32),
        "w2": jax.random.normal(k2, (32, 10)) * (1 / 32**0.5),
        "b2": jnp.zeros(10),
    }


def _logits(p, x):
    return jax.nn.relu(x @ p["w1"] + p["b1"]) @ p["w2"] + p["b2"]


def _loss(p, batch):
    x, y = batch
    return optax.softmax_cross_entropy_with_integer_labels(_logits(p, x), y).mean()


def _accuracy(p, x, y) -> float:
    return float((np.asarray(_logits(p, jnp.asarray(x))).argmax(1) == y).mean())


def _epoch(x, y, seed):
    return [(jnp.asarray(x[i]), jnp.asarray(y[i])) for i in epoch_batches(len(x), BATCH, seed)]


def _train(tx, params, batches_per_epoch, log_hyperparams: bool):
    state = tx.init(params)

    @jax.jit
    def step(p, st, batch):
        grads = jax.grad(_loss)(p, batch)
        u, st = tx.update(grads, st, p)
        lr = hyperparams(st)["learning_rate"] if log_hyperparams else jnp.zeros(())
        return optax.apply_updates(p, u), st, lr

    trace = []
    for batches in batches_per_epoch:
        for batch in batches:
            params, state, lr = step(params, state, batch)
            trace.append(lr)
    return params, [float(v) for v in trace]


def test_warmup_cosine_through_optax():
    xtr, ytr, xte, yte = digits()
    epochs = 4
    per_epoch = len(epoch_batches(len(xtr), BATCH, 0))
    total, warm, peak = epochs * per_epoch, per_epoch // 2, 2e-2
    s = linear_ramp(0.0, peak, warm) >> cosine(peak, 0.0, total - warm)
    tx = scheduled(optax.adam, learning_rate=s)
    epochs_data = [_epoch(xtr, ytr, e) for e in range(epochs)]
    params, trace = _train(tx, _init(), epochs_data, log_hyperparams=True)
    assert len(trace) == total
    want = [s(k) for k in range(total)]
    np.testing.assert_allclose(trace, want, rtol=1e-6, atol=1e-12)
    assert trace[0] == 0.0 and max(trace) == pytest.approx(peak, rel=1e-6)
    assert _accuracy(params, xte, yte) >= 0.95


def test_range_test_suggestion_trains_the_mlp():
    xtr, ytr, xte, yte = digits()
    params = _init()
    copy = jax.tree_util.tree_map(np.array, params)
    batches = _epoch(xtr, ytr, 100) + _epoch(xtr, ytr, 101)
    lrs, losses = range_test_optax(
        _loss, params, optax.adam, batches, start=1e-5, end=10.0, steps=100
    )
    assert 20 < len(lrs) <= 100  # Adam here may plateau near ln(10) instead of diverging
    for a, b in zip(
        jax.tree_util.tree_leaves(copy), jax.tree_util.tree_leaves(params), strict=True
    ):
        np.testing.assert_array_equal(a, np.asarray(b))
    lr = suggest_lr(lrs, losses, method="steepest")
    assert 1e-4 < lr < 1.0
    epochs_data = [_epoch(xtr, ytr, e) for e in range(3)]
    trained, _ = _train(optax.adam(lr), params, epochs_data, log_hyperparams=False)
    assert _accuracy(trained, xte, yte) >= 0.90
