"""What every compat schedule (torch, optax, keras, tf modules) shares.

* importing the compat modules imports no framework;
* each schedule is a plain value: repr round-trips, equal construction gives equal hashes;
* the Python, NumPy, JAX (jit) and torch backends agree on it.
"""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest

import schedalg
from schedalg import *  # noqa: F403  (repr round trip needs every name)
from schedalg.compat import keras as K
from schedalg.compat import optax as O
from schedalg.compat import tf as T
from schedalg.compat import torch as P
from tests.compat._parity import other_path
from tests.conftest import evaluate

SAMPLES = {
    "StepLR": lambda: P.StepLR(base_lr=0.3, step_size=7, gamma=0.5),
    "CosineAnnealingLR": lambda: P.CosineAnnealingLR(base_lr=0.3, T_max=17, eta_min=0.01),
    "CosineAnnealingWarmRestarts": lambda: P.CosineAnnealingWarmRestarts(
        base_lr=0.3, T_0=5, T_mult=2
    ),
    "CyclicLR": lambda: P.CyclicLR(
        base_lr=0.01,
        max_lr=0.2,
        step_size_up=3,
        step_size_down=5.5,
        mode="exp_range",
        gamma=0.99,
    ),
    "OneCycleLR": lambda: P.OneCycleLR(max_lr=0.4, total_steps=50, pct_start=0.33),
    "SequentialLR": lambda: P.SequentialLR(
        [P.LinearLR(base_lr=0.2, total_iters=4), P.ExponentialLR(base_lr=0.2, gamma=0.9)], [6]
    ),
    "exponential_decay": lambda: O.exponential_decay(0.5, 7, 0.6, 3, True, 0.05),
    "piecewise_interpolate_schedule": lambda: O.piecewise_interpolate_schedule(
        "cosine", 0.1, {5: 3.0, 20: 0.1}
    ),
    "sgdr_schedule": lambda: O.sgdr_schedule(
        [dict(init_value=0.0, peak_value=0.3, warmup_steps=3, decay_steps=20)] * 2
    ),
    "PolynomialDecay(cycle)": lambda: K.PolynomialDecay(0.4, 9, 0.01, power=1.7, cycle=True),
    "CosineDecayRestarts": lambda: K.CosineDecayRestarts(0.4, 6, t_mul=1.5, m_mul=0.8),
    "PiecewiseConstantDecay": lambda: K.PiecewiseConstantDecay([4, 9], [0.3, 0.2, 0.1]),
    "linear_cosine_decay": lambda: T.linear_cosine_decay(0.3, 40, num_periods=1.5),
    "manual_stepping": lambda: T.manual_stepping([5, 12], [0.0, 0.2, 0.02], warmup=True),
    "cosine_decay_with_warmup": lambda: T.cosine_decay_with_warmup(0.3, 40, 0.01, 5, 4),
}


def test_importing_compat_imports_no_framework():
    code = (
        "import sys\n"
        "import schedalg.compat, schedalg.compat.torch, schedalg.compat.optax\n"
        "import schedalg.compat.keras, schedalg.compat.tf\n"
        "bad = [m for m in ('torch', 'jax', 'optax', 'keras', 'tensorflow') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


HAS_A_MAPPING_ARGUMENT = {"piecewise_interpolate_schedule", "piecewise_constant_schedule"}


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_compat_schedules_are_values(name):
    s, again = SAMPLES[name](), SAMPLES[name]()
    assert isinstance(s, schedalg.Schedule)
    assert s == again and hash(s) == hash(again)
    # it prints as the peer's call (issue 12), which reads back as Python and through parse
    text = repr(s)
    # (a call with an argument that has no plain form, a mapping, prints as its algebra)
    assert text.startswith("compat.") or name in HAS_A_MAPPING_ARGUMENT, text
    assert eval(text, {**vars(schedalg), "compat": schedalg.compat}) == s
    assert schedalg.parse(text) == s and repr(schedalg.parse(text)) == text
    assert schedalg.from_json(schedalg.to_json(s)) == s


@pytest.mark.parametrize("backend", ["python", "numpy", "jit", "torch"])
@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_compat_schedules_agree_across_backends(name, backend):
    # jit stands for the JAX paths (the core's own tests cover jax/vmap against it).
    s = SAMPLES[name]()
    ts = np.arange(80)
    want = other_path(s, ts, backend)  # pure Python; NumPy for the Python backend
    got = evaluate(s, ts, backend)
    # JAX computes in float32: relative to the schedule's own scale.
    tol = 1e-12 if backend in ("python", "numpy", "torch") else 4e-6
    scale = float(np.max(np.abs(want)))
    assert np.all(np.abs(got - want) <= tol * np.maximum(np.abs(want), scale * 1e-3)), name
    assert all(math.isfinite(x) for x in got)
