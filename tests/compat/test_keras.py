"""Parity with keras.optimizers.schedules (Keras 3 on the JAX backend), in float64.

Keras computes in the dtype of ``initial_learning_rate`` (``values[0]`` for
``PiecewiseConstantDecay``); a NumPy float64 there, inside ``jax.enable_x64(True)``, makes the
computation float64, with one exception: ``keras.ops.cos`` (and ``ops.log``) on the JAX backend
cast their argument to ``result_type(x.dtype, float)``, which Keras resolves to float32 for
Python ``float`` (keras/src/backend/jax/numpy.py, ``cos``). The argument ``pi * f`` is rounded
to float32 (absolute error <= pi * 2**-24) and the cosine returned in float32 (<= 2**-24), so
``CosineDecay``/``CosineDecayRestarts`` carry an absolute error of at most
``0.5 * (pi + 1) * 2**-24 * initial_learning_rate`` (1.24e-7 of it) on top of float64 rounding:
those tests allow ``COS32 * initial_learning_rate`` absolutely (``warmup_target`` where it is
larger: the cosine after a warm-up is scaled by it) plus 1e-10 relatively. Every run
covers the schedule's length plus at least 20%.
"""

from __future__ import annotations

import math
import os

import numpy as np
import pytest
from _parity import assert_parity
from hypothesis import given
from hypothesis import strategies as st

# Keras reads its backend once, at first import. (Set here rather than in a
# tests/compat/conftest.py: a second module named ``conftest`` shadows tests/conftest.py for
# the core tests' ``from conftest import ...``.)
os.environ.setdefault("KERAS_BACKEND", "jax")
jax = pytest.importorskip("jax")
keras = pytest.importorskip("keras")
if keras.backend.backend() != "jax":
    pytest.skip(
        f"keras was imported with the {keras.backend.backend()!r} backend before this module",
        allow_module_level=True,
    )
from keras.optimizers import schedules as K  # noqa: E402

from schedalg.compat import keras as C  # noqa: E402

f64 = np.float64
COS32 = 0.5 * (math.pi + 1) * 2.0**-24


def peer_values(sched, n, vectorized=True):
    """The Keras schedule at steps 0..n-1 (padded to a power of two: shared op compilations)."""
    size = 1 << max(n - 1, 1).bit_length()
    with jax.enable_x64(True):
        steps = jax.numpy.arange(size, dtype=jax.numpy.int64)
        out = sched(steps) if vectorized else jax.vmap(sched.__call__)(steps)
        assert out.dtype == jax.numpy.float64, out.dtype
        return np.asarray(out)[:n]


def check(ours, peer, n, what="", atol=0.0, vectorized=True):
    want = peer_values(peer, n, vectorized)
    k = np.arange(n)
    assert_parity(ours(k), want, what=f"{what} numpy", atol=atol)
    assert_parity([ours(int(i)) for i in k], want, what=f"{what} python", atol=atol)


def horizon(n):
    return math.ceil(n * 1.2) + 2


@pytest.mark.parametrize("staircase", [False, True])
@pytest.mark.parametrize("decay_steps", [1, 13, 7.5])
def test_exponential_decay(staircase, decay_steps):
    kw = dict(decay_steps=decay_steps, decay_rate=0.83, staircase=staircase)
    check(C.ExponentialDecay(0.37, **kw), K.ExponentialDecay(f64(0.37), **kw), 200)


@pytest.mark.parametrize("staircase", [False, True])
@pytest.mark.parametrize(("lr", "decay_rate"), [(0.0, 0.5), (0.37, 0.0), (0.0, 0.0)])
def test_exponential_decay_zero_lr_or_rate(staircase, lr, decay_rate):
    # Keras takes 0 ** 0 == 1: rate 0 keeps the lr at step 0 (the first interval, staircased)
    kw = dict(decay_steps=2.5, decay_rate=decay_rate, staircase=staircase)
    check(C.ExponentialDecay(lr, **kw), K.ExponentialDecay(f64(lr), **kw), 20)


def test_piecewise_constant_decay():
    bs, vs = [0, 9, 10, 31, 31, 58], [0.5, 0.3, 0.9, 0.01, 7.0, 0.2, 0.04]
    check(
        C.PiecewiseConstantDecay(bs, vs),
        K.PiecewiseConstantDecay(bs, [f64(v) for v in vs]),
        horizon(58),
    )


@pytest.mark.parametrize("bs", [[-1, 3], [-2.5, -1], [-3, 0, 0, 4.5]])
def test_piecewise_constant_decay_negative_boundaries(bs):
    # Keras switches when step > b: a negative boundary is passed before step 0
    vs = [0.9, 0.5, 0.1, 0.07, 0.03][: len(bs) + 1]
    check(C.PiecewiseConstantDecay(bs, vs), K.PiecewiseConstantDecay(bs, [f64(v) for v in vs]), 8)


@pytest.mark.parametrize("cycle", [False, True])
@pytest.mark.parametrize(("decay_steps", "power"), [(1, 1.0), (2, 0.5), (17, 1.0), (23, 2.6)])
def test_polynomial_decay(cycle, decay_steps, power):
    kw = dict(decay_steps=decay_steps, end_learning_rate=0.013, power=power, cycle=cycle)
    n = horizon(4 * decay_steps) if cycle else horizon(decay_steps)
    check(C.PolynomialDecay(0.61, **kw), K.PolynomialDecay(f64(0.61), **kw), n)


@pytest.mark.parametrize("cycle", [False, True])
def test_polynomial_decay_power_zero(cycle):
    # (1 - p) ** 0 == 1 at every step, the end included: the initial lr throughout
    kw = dict(decay_steps=4, end_learning_rate=0.013, power=0.0, cycle=cycle)
    check(C.PolynomialDecay(0.61, **kw), K.PolynomialDecay(f64(0.61), **kw), 20)


@pytest.mark.parametrize("staircase", [False, True])
@pytest.mark.parametrize(("decay_steps", "decay_rate"), [(1.0, 0.5), (11, 2.3), (6.5, 0.0)])
def test_inverse_time_decay(staircase, decay_steps, decay_rate):
    kw = dict(decay_steps=decay_steps, decay_rate=decay_rate, staircase=staircase)
    check(C.InverseTimeDecay(0.29, **kw), K.InverseTimeDecay(f64(0.29), **kw), 150)


@pytest.mark.parametrize(
    "kw",
    [
        dict(decay_steps=57),
        dict(decay_steps=57, alpha=0.13),
        dict(decay_steps=41, alpha=0.2, warmup_target=0.9, warmup_steps=19),
        dict(decay_steps=41, warmup_target=0.9, warmup_steps=0),
        dict(decay_steps=1, alpha=0.5, warmup_target=0.3, warmup_steps=1),
    ],
)
def test_cosine_decay(kw):
    n = horizon(kw["decay_steps"] + kw.get("warmup_steps", 0))
    peer = K.CosineDecay(f64(0.07), **kw)
    vec = "warmup_target" not in kw  # the warm-up branch is an ops.cond on the step
    # After a warm-up, Keras' cosine is scaled by warmup_target instead of the initial lr:
    # its float32 cosine's error scales with the larger of the two.
    scale = max(0.07, kw.get("warmup_target") or 0.0)
    check(C.CosineDecay(0.07, **kw), peer, n, atol=COS32 * scale, vectorized=vec)


def restarts_length(first, t_mul, cycles=3):
    return math.ceil(sum(first * t_mul**i for i in range(cycles)) * 1.2) + 2


@pytest.mark.parametrize(
    ("first", "t_mul", "m_mul", "alpha"),
    [(10, 2.0, 1.0, 0.0), (7, 1.0, 0.6, 0.1), (5, 1.5, 0.8, 0.05), (1, 3.0, 0.9, 0.0)],
)
def test_cosine_decay_restarts(first, t_mul, m_mul, alpha):
    kw = dict(first_decay_steps=first, t_mul=t_mul, m_mul=m_mul, alpha=alpha)
    n = restarts_length(first, t_mul)
    peer = K.CosineDecayRestarts(f64(0.8), **kw)
    check(C.CosineDecayRestarts(0.8, **kw), peer, n, atol=COS32 * 0.8)


@jax.jit
def _restarts_traced(lr, first, t_mul, m_mul, alpha, steps):
    """Keras's CosineDecayRestarts.__call__ with its hyperparameters traced.

    The hypothesis examples differ only in numbers; tracing them (instead of closing over
    them) lets one compilation serve every example. The constructor is given a placeholder
    ``first_decay_steps`` (it checks ``> 0`` in Python) and the traced one is set before the
    call, which is where Keras reads it.
    """
    sched = K.CosineDecayRestarts(lr, 1, t_mul=t_mul, m_mul=m_mul, alpha=alpha)
    sched.first_decay_steps = first
    return sched(steps)


@given(
    first=st.integers(1, 40),
    t_mul=st.sampled_from([1.0, 2.0, 3.0]) | st.floats(1.0, 3.0),
    m_mul=st.floats(0.1, 1.0),
    alpha=st.floats(0.0, 0.5),
    lr=st.floats(1e-3, 2.0),
)
def test_cosine_decay_restarts_hypothesis(first, t_mul, m_mul, alpha, lr):
    kw = dict(first_decay_steps=first, t_mul=t_mul, m_mul=m_mul, alpha=alpha)
    n = min(restarts_length(first, t_mul), 1000)
    with jax.enable_x64(True):
        steps = jax.numpy.arange(1024, dtype=jax.numpy.int64)
        args = [jax.numpy.asarray(x, dtype=jax.numpy.float64) for x in (lr, first, t_mul)]
        args += [jax.numpy.asarray(x, dtype=jax.numpy.float64) for x in (m_mul, alpha)]
        want = np.asarray(_restarts_traced(*args, steps))[:n]
    assert want.dtype == np.float64
    ours = C.CosineDecayRestarts(lr, **kw)
    assert_parity(ours(np.arange(n)), want, atol=COS32 * lr)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: C.ExponentialDecay(0.1, 0, 0.5), r"ExponentialDecay\(\): decay_steps must be > 0"),
        (lambda: C.ExponentialDecay(0.1, 10, 1.5), r"decay_rate must give a factor in \[0, 1\]"),
        (
            lambda: C.PiecewiseConstantDecay([5, 3], [1.0, 0.5, 0.1]),
            r"boundaries must be increasing",
        ),
        (lambda: C.PiecewiseConstantDecay([5], [1.0]), r"one more entry than boundaries"),
        (lambda: C.PolynomialDecay(0.1, 0), r"decay_steps must be an int >= 1, got decay_steps=0"),
        (lambda: C.InverseTimeDecay(0.1, 10, -1.0), r"decay_rate must be >= 0"),
        (
            lambda: C.CosineDecay(0.1, 10, warmup_target=1.0, warmup_steps=-5),
            r"warmup_steps must be an int >= 0",
        ),
        (lambda: C.CosineDecayRestarts(0.1, 0), r"first_decay_steps must be an int >= 1"),
        (lambda: C.CosineDecayRestarts(0.1, 10, t_mul=0.5), r"t_mul must be >= 1"),
        (lambda: C.CosineDecayRestarts(0.1, 10, m_mul=1.5), r"m_mul must be in \(0, 1\]"),
    ],
)
def test_bad_arguments(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()
