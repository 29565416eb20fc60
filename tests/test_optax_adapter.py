"""schedalg.optax: schedules as optax schedules, injected hyperparameters, Flax TrainState."""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path

import numpy as np
import pytest

from schedalg import cosine, exp, hold, linear_ramp

jax = pytest.importorskip("jax")
optax = pytest.importorskip("optax")
jnp = jax.numpy

from schedalg.optax import hyperparams, scheduled  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def test_schedule_inside_optax_sgd_under_jit_with_int32_count():
    # d loss / d w = 1 for loss = sum(w): each SGD update moves w by exactly -lr(k).
    s = linear_ramp(0.0, 0.5, 5) >> cosine(0.5, 0.01, 20)
    tx = optax.sgd(learning_rate=s)
    w = jnp.zeros(3)
    state = tx.init(w)

    @jax.jit
    def step(w, state):
        g = jax.grad(lambda w: jnp.sum(w))(w)
        updates, state = tx.update(g, state, w)
        return optax.apply_updates(w, updates), state, updates

    for k in range(30):
        w, state, updates = step(w, state)
        np.testing.assert_allclose(np.asarray(-updates), s(k), rtol=1e-6, atol=1e-9)
    # optax's own counter: scale_by_schedule keeps an int32 count in the state.
    counts = [x for x in jax.tree_util.tree_leaves(state) if x.dtype == jnp.int32]
    assert [int(c) for c in counts] == [30]


def test_schedule_equals_optax_warmup_cosine_decay():
    # Peer parity: optax.warmup_cosine_decay_schedule(0, peak, w, total, end) is a linear
    # warmup over w steps then a cosine over total - w steps.
    peak, warm, total, end = 1e-3, 100, 1000, 1e-5
    ours = linear_ramp(0.0, peak, warm) >> cosine(peak, end, total - warm)
    ref = optax.warmup_cosine_decay_schedule(0.0, peak, warm, total, end)
    counts = jnp.arange(0, total + 20, dtype=jnp.int32)
    np.testing.assert_allclose(
        np.asarray(jax.jit(ours)(counts)), np.asarray(ref(counts)), rtol=2e-5, atol=1e-10
    )


def _adamw_reference(grads_fn, w0, lrs, b1s, wds, b2=0.999, eps=1e-8):
    """AdamW written out (optax's form: bias correction with the current b1, decoupled decay)."""
    w, m, v = np.array(w0, dtype=np.float64), 0.0, 0.0
    out = []
    for k, (lr, b1, wd) in enumerate(zip(lrs, b1s, wds, strict=True)):
        g = grads_fn(w)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        t = k + 1
        mhat = m / (1 - b1**t)
        vhat = v / (1 - b2**t)
        w = w - lr * (mhat / (np.sqrt(vhat) + eps) + wd * w)
        out.append(w.copy())
    return np.stack(out)


def test_optax_adamw_takes_the_schedule_directly():
    # optax.adamw(learning_rate=s) against AdamW written out with lr = s(k) at update k.
    n, s = 25, exp(1e-2, 1e-4, 20)
    tx = optax.adamw(learning_rate=s, weight_decay=1e-2)
    w = jnp.linspace(-1.0, 1.0, 5)
    state = tx.init(w)
    step = jax.jit(lambda w, st: tx.update(jnp.cos(w), st, w))  # grad of sum(sin(w))
    traj = []
    for _ in range(n):
        u, state = step(w, state)
        w = optax.apply_updates(w, u)
        traj.append(np.asarray(w))
    want = _adamw_reference(
        np.cos, np.linspace(-1.0, 1.0, 5), [s(k) for k in range(n)], [0.9] * n, [1e-2] * n
    )
    np.testing.assert_allclose(np.stack(traj), want, rtol=1e-5, atol=1e-6)


def test_scheduled_lr_b1_weight_decay_together():
    n = 30
    lr = linear_ramp(0.0, 0.05, 5) >> cosine(0.05, 0.0, n - 5)
    b1 = cosine(0.85, 0.95, n)
    wd = linear_ramp(0.0, 0.1, n)
    tx = scheduled(optax.adamw, learning_rate=lr, b1=b1, weight_decay=wd, b2=0.999)
    w = jnp.asarray([1.5, -0.5, 0.25])
    state = tx.init(w)
    hp0 = hyperparams(state)  # right after init: the values for update 0
    assert float(hp0["learning_rate"]) == 0.0 and float(hp0["b1"]) == pytest.approx(0.85)

    @jax.jit
    def step(w, state):
        g = jax.grad(lambda w: jnp.sum(w**2))(w)
        u, state = tx.update(g, state, w)
        return optax.apply_updates(w, u), state, hyperparams(state)

    traj, logged = [], []
    for _ in range(n):
        w, state, hp = step(w, state)
        traj.append(np.asarray(w))
        logged.append({k: float(v) for k, v in hp.items()})
    ks = range(n)
    for k, row in zip(ks, logged, strict=True):
        assert row["learning_rate"] == pytest.approx(lr(k), rel=1e-6, abs=1e-9)
        assert row["b1"] == pytest.approx(b1(k), rel=1e-6)
        assert row["weight_decay"] == pytest.approx(wd(k), rel=1e-6, abs=1e-9)
        assert row["b2"] == pytest.approx(0.999)
    want = _adamw_reference(
        lambda w: 2 * w,
        [1.5, -0.5, 0.25],
        [lr(k) for k in ks],
        [b1(k) for k in ks],
        [wd(k) for k in ks],
    )
    np.testing.assert_allclose(np.stack(traj), want, rtol=1e-4, atol=1e-6)


def test_hyperparams_found_inside_chain_and_errors():
    tx = optax.chain(optax.clip_by_global_norm(1.0), scheduled(optax.sgd, learning_rate=hold(0.1)))
    assert float(hyperparams(tx.init(jnp.zeros(2)))["learning_rate"]) == pytest.approx(0.1)
    with pytest.raises(ValueError, match="holds no injected hyperparameters"):
        hyperparams(optax.sgd(0.1).init(jnp.zeros(2)))
    both = optax.chain(
        scheduled(optax.sgd, learning_rate=0.1), scheduled(optax.sgd, learning_rate=0.2)
    )
    with pytest.raises(ValueError, match="both hold 'learning_rate'"):
        hyperparams(both.init(jnp.zeros(2)))
    with pytest.raises(
        TypeError, match=r"scheduled\(\): adamw has no hyperparameter\(s\) \['lr'\]"
    ):
        scheduled(optax.adamw, lr=hold(0.1))


def _load_example():
    spec = importlib.util.spec_from_file_location(
        "flax_train_state", ROOT / "notebooks" / "flax_train_state.py"
    )
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # flax's dataclasses look their module up
    spec.loader.exec_module(mod)
    return mod


def test_flax_train_state_example_lr_equals_schedule_inside_jit():
    pytest.importorskip("flax")
    ex = _load_example()
    rows = ex.main()
    assert [r[0] for r in rows] == list(range(ex.TOTAL))
    for k, used, want in rows:
        # The example's schedule written out: linear warmup to PEAK, cosine to PEAK / 100.
        if k < ex.WARMUP:
            formula = ex.PEAK * k / ex.WARMUP
        else:
            u = (k - ex.WARMUP) / (ex.TOTAL - ex.WARMUP)
            formula = ex.PEAK / 100 + (ex.PEAK - ex.PEAK / 100) * (1 + math.cos(math.pi * u)) / 2
        assert want == pytest.approx(formula, rel=1e-12, abs=1e-18)
        assert used == pytest.approx(want, rel=1e-6, abs=1e-10)


def test_flax_train_state_sgd_moves_params_by_the_schedule():
    pytest.importorskip("flax")
    from flax.training import train_state

    s = cosine(0.2, 0.0, 12)
    state = train_state.TrainState.create(
        apply_fn=None, params={"w": jnp.zeros(2)}, tx=optax.sgd(s)
    )

    @jax.jit
    def step(state):
        g = jax.grad(lambda p: jnp.sum(p["w"]))(state.params)  # gradient 1 everywhere
        return state.apply_gradients(grads=g)

    for k in range(15):
        # |params| <= 1.3: their float32 difference carries up to ~1.2e-7 of rounding.
        new = step(state)
        assert int(new.step) == k + 1
        np.testing.assert_allclose(
            np.asarray(state.params["w"] - new.params["w"]), s(k), rtol=1e-6, atol=2.5e-7
        )
        state = new
