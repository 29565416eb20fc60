"""The same schedule inside a data-parallel shard_map train step on 8 simulated CPU devices.

XLA reads ``--xla_force_host_platform_device_count`` once, when JAX initialises its backend,
so the check runs in a fresh interpreter.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import schedalg

pytest.importorskip("jax")
pytest.importorskip("optax")

SCRIPT = textwrap.dedent(
    """
    import json
    import jax, jax.numpy as jnp, numpy as np, optax
    from jax.sharding import Mesh, PartitionSpec as P
    from schedalg import cosine, linear_ramp
    from schedalg.optax import hyperparams, scheduled

    assert jax.device_count() == 8, jax.devices()
    s = linear_ramp(0.0, 0.1, 4) >> cosine(0.1, 0.001, 12)
    mesh = Mesh(np.array(jax.devices()), ("data",))
    tx = scheduled(optax.sgd, learning_rate=s)
    w = jnp.ones(3)
    state = tx.init(w)

    def local_step(w, state, x):
        # Per-device gradient of mean((x @ w)^2), averaged across devices, then one update.
        g = jax.grad(lambda w: jnp.mean((x @ w) ** 2))(w)
        g = jax.lax.pmean(g, "data")
        u, state = tx.update(g, state, w)
        lr_here = hyperparams(state)["learning_rate"]  # this device's view of the lr
        return optax.apply_updates(w, u), state, lr_here[None], w[None]

    step = jax.jit(
        jax.shard_map(
            local_step,
            mesh=mesh,
            in_specs=(P(), P(), P("data")),
            out_specs=(P(), P(), P("data"), P("data")),
            check_vma=False,
        )
    )
    x = jax.random.normal(jax.random.PRNGKey(0), (64, 3))
    rows = []
    for k in range(20):
        w, state, lrs, ws = step(w, state, x)
        ws = np.asarray(ws)
        rows.append({"k": k, "lrs": np.asarray(lrs).tolist(),
                     "params_agree": bool((ws == ws[0]).all())})
    print(json.dumps(rows))
    """
)


def test_same_lr_on_all_8_devices():
    root = str(Path(schedalg.__file__).resolve().parent.parent)
    env = {
        **os.environ,
        "XLA_FLAGS": "--xla_force_host_platform_device_count=8",
        "JAX_PLATFORMS": "cpu",
        "PYTHONPATH": os.pathsep.join([root, os.environ.get("PYTHONPATH", "")]),
    }
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout.strip().splitlines()[-1])
    s = schedalg.linear_ramp(0.0, 0.1, 4) >> schedalg.cosine(0.1, 0.001, 12)
    assert len(rows) == 20
    for row in rows:
        lrs = row["lrs"]
        assert len(lrs) == 8
        assert len(set(lrs)) == 1  # bit-identical on every device
        assert lrs[0] == pytest.approx(s(row["k"]), rel=1e-6, abs=1e-9)
        assert row["params_agree"]
