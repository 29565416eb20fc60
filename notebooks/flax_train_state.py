"""A Flax ``TrainState`` driven by a schedalg schedule, with the lr logged from the state.

Run: ``python notebooks/flax_train_state.py``. The schedule is a warmup then cosine decay;
``schedalg.optax.scheduled`` injects it into AdamW so the lr used by each update sits in the
optimizer state, readable inside ``jit`` with ``schedalg.optax.hyperparams``.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import optax
from flax import linen as nn
from flax.training import train_state

from schedalg import cosine, linear_ramp
from schedalg.optax import hyperparams, scheduled

WARMUP, TOTAL, PEAK = 10, 50, 3e-3
SCHEDULE = linear_ramp(0.0, PEAK, WARMUP) >> cosine(PEAK, PEAK / 100, TOTAL - WARMUP)


class MLP(nn.Module):
    """A two-layer perceptron."""

    hidden: int = 16
    classes: int = 3

    @nn.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        return nn.Dense(self.classes)(nn.relu(nn.Dense(self.hidden)(x)))


def create_state(rng: jax.Array, features: int = 4) -> train_state.TrainState:
    """A TrainState whose optimizer is AdamW with the schedule injected as its lr."""
    model = MLP()
    params = model.init(rng, jnp.zeros((1, features)))["params"]
    tx = scheduled(optax.adamw, learning_rate=SCHEDULE, weight_decay=1e-4)
    return train_state.TrainState.create(apply_fn=model.apply, params=params, tx=tx)


@jax.jit
def train_step(
    state: train_state.TrainState, x: jax.Array, y: jax.Array
) -> tuple[train_state.TrainState, jax.Array, jax.Array]:
    """One update; returns the new state, the loss and the lr this update used."""

    def loss_fn(params: dict) -> jax.Array:
        logits = state.apply_fn({"params": params}, x)
        return optax.softmax_cross_entropy_with_integer_labels(logits, y).mean()

    loss, grads = jax.value_and_grad(loss_fn)(state.params)
    new_state = state.apply_gradients(grads=grads)
    # After an update the injected state holds the values that update used.
    return new_state, loss, hyperparams(new_state.opt_state)["learning_rate"]


def main() -> list[tuple[int, float, float]]:
    """Train on random data for TOTAL steps; return (step, lr used, schedule(step)) rows."""
    key_init, key_x = jax.random.split(jax.random.PRNGKey(0))
    state = create_state(key_init)
    x = jax.random.normal(key_x, (32, 4))
    y = (x[:, 0] > 0).astype(jnp.int32) + (x[:, 1] > 0).astype(jnp.int32)
    rows = []
    for _ in range(TOTAL):
        step = int(state.step)
        state, _, lr = train_step(state, x, y)
        rows.append((step, float(lr), SCHEDULE(step)))
    return rows


if __name__ == "__main__":
    for step, lr, want in main()[::5]:
        print(f"step {step:3d}  lr used {lr:.6g}  schedule {want:.6g}")
