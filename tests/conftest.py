"""Shared test set-up: hypothesis profiles, the backend fixture, the screenshots folder.

Profiles: ``dev`` (default, thorough) and ``ci`` (bounded, for the 2-core CI machine):
``HYPOTHESIS_PROFILE=ci pytest``.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "dev", max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "ci",
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

BACKENDS = ("python", "numpy", "jax", "jit", "vmap", "torch")


def evaluate(schedule, ts, backend: str) -> np.ndarray:
    """``schedule`` at the steps ``ts`` (a 1-D int or float array) through one backend."""
    ts = np.asarray(ts)
    if backend == "python":
        return np.array([schedule(t.item()) for t in ts], dtype=np.float64)
    if backend == "numpy":
        out = schedule(ts)
        assert isinstance(out, np.ndarray) and out.dtype == np.float64
        return out
    if backend == "torch":
        import torch

        out = schedule(torch.as_tensor(ts))
        assert isinstance(out, torch.Tensor)
        return out.numpy()
    import jax
    import jax.numpy as jnp

    jt = jnp.asarray(ts)
    if backend == "jax":
        out = schedule(jt)
    elif backend == "jit":
        out = jax.jit(lambda s, t: s(t))(schedule, jt)
    elif backend == "vmap":
        out = jax.vmap(lambda t: schedule(t))(jt)
    else:
        raise ValueError(backend)
    assert isinstance(out, jax.Array)
    return np.asarray(out, dtype=np.float64)


@pytest.fixture(params=BACKENDS)
def backend(request):
    return request.param


@pytest.fixture
def ev(backend):
    """``ev(schedule, ts)``: the schedule's values at ``ts`` through the parametrised backend."""
    return lambda schedule, ts: evaluate(schedule, ts, backend)


def rtol_for(backend: str) -> float:
    """Float64 backends agree to 1e-12; JAX computes in float32."""
    return 1e-12 if backend in ("python", "numpy", "torch") else 2e-6


# -- screenshots from the browser tests ------------------------------------------------------------

SCREENSHOTS = Path(os.environ.get("SCHEDALG_SCREENSHOTS") or tempfile.gettempdir()) / (
    "schedalg-screenshots"
)
_STARTED = time.time()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """Where browser tests leave screenshots for a reviewer (never committed); the run's
    summary lists the ones written in this run."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


def pytest_terminal_summary(terminalreporter):
    shots = sorted(SCREENSHOTS.glob("*.png")) if SCREENSHOTS.is_dir() else []
    shots = [p for p in shots if p.stat().st_mtime >= _STARTED]
    if shots:
        terminalreporter.write_line(f"browser screenshots (for a reviewer) in {SCREENSHOTS}:")
        for p in shots:
            terminalreporter.write_line(f"  {p.name}")
