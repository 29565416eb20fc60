"""Schedules as JAX values: jit (closed over, as argument, as static argument), vmap over a
batch of schedules, grad with respect to parameters and to t, import order, repeat cycles."""

from __future__ import annotations

import math
import subprocess
import sys
import textwrap

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import schedalg as sa


def warmup_cosine(peak, warmup=10, total=100, end=0.0):
    return sa.linear_ramp(0.0, peak, warmup) >> sa.cosine(peak, end, total - warmup)


def test_jit_closed_over_argument_and_static_agree():
    s = warmup_cosine(3e-4)
    t = jnp.arange(120)
    closed = jax.jit(lambda t: s(t))(t)
    as_arg = jax.jit(lambda s, t: s(t))(s, t)
    static = jax.jit(lambda s, t: s(t), static_argnums=0)(s, t)
    want = s(np.arange(120))
    for got in (closed, as_arg, static):
        np.testing.assert_allclose(np.asarray(got), want, rtol=2e-6, atol=1e-12)


def test_static_argument_hits_the_cache_for_an_equal_schedule():
    traces = []

    @jax.jit
    def f(t):
        return t

    def g(s, t):
        traces.append(1)
        return s(t)

    gj = jax.jit(g, static_argnums=0)
    gj(warmup_cosine(0.1), jnp.arange(3))
    gj(warmup_cosine(0.1), jnp.arange(3))  # equal, rebuilt: no new trace
    assert len(traces) == 1
    gj(warmup_cosine(0.2), jnp.arange(3))
    assert len(traces) == 2


def test_schedule_as_argument_does_not_retrace_for_new_values():
    traces = []

    def g(s, t):
        traces.append(1)
        return s(t)

    gj = jax.jit(g)
    for peak in (0.1, 0.2, 0.3):
        gj(warmup_cosine(peak), jnp.arange(3))
    assert len(traces) == 1


def test_vmap_over_a_batch_of_schedules():
    peaks = [1e-4, 3e-4, 1e-3, 3e-3]
    batch = jax.tree.map(lambda *xs: jnp.stack(xs), *[warmup_cosine(p) for p in peaks])
    t = jnp.arange(0, 100, 7)
    out = jax.jit(jax.vmap(lambda s: s(t)))(batch)
    for i, p in enumerate(peaks):
        np.testing.assert_allclose(
            np.asarray(out[i]), warmup_cosine(p)(np.arange(0, 100, 7)), rtol=2e-6, atol=1e-12
        )


def test_vmap_over_peaks_and_floors_of_a_cycle():
    def sched(peak, floor):
        return sa.scale_by_cycle(sa.repeat(sa.cosine(peak, floor, 10), stretch=2.0), 0.5, floor)

    peaks = jnp.array([1.0, 2.0])
    floors = jnp.array([0.0, 0.1])
    t = jnp.arange(0, 80)
    out = jax.vmap(lambda p, f: sched(p, f)(t))(peaks, floors)
    for i in range(2):
        want = sched(float(peaks[i]), float(floors[i]))(np.arange(0, 80))
        np.testing.assert_allclose(np.asarray(out[i]), want, rtol=3e-6, atol=1e-7)


def test_grad_with_respect_to_a_peak():
    t = jnp.arange(100.0)

    def loss(peak):
        return jnp.sum(warmup_cosine(peak)(t))

    # the schedule is linear in its peak: d/dpeak sum s(t) = sum s(t) at peak 1
    g = jax.grad(loss)(2.0)
    np.testing.assert_allclose(float(g), warmup_cosine(1.0)(np.arange(100)).sum(), rtol=1e-5)


def test_grad_with_respect_to_t_is_finite_everywhere():
    s = (
        sa.linear_ramp(0.0, 1.0, 10)
        >> sa.poly(1.0, 0.0, 20, power=0.5)
        >> sa.repeat(sa.cosine(1.0, 0.0, 10, power=0.7), stretch=2.0)
    )
    ds = jax.vmap(jax.grad(lambda t: s(t)))
    t = jnp.concatenate([jnp.arange(-3.0, 200.0, 0.5), jnp.array([1e6, 1e12])])
    g = np.asarray(ds(t))
    assert np.all(np.isfinite(g))
    # inside the ramp the derivative is its slope
    np.testing.assert_allclose(g[(np.asarray(t) > 0.5) & (np.asarray(t) < 9.5)], 0.1, rtol=1e-5)


def test_grad_of_exp_and_piecewise_leaves_is_the_analytic_one():
    def loss(v):
        s = sa.piecewise([5, 10], [v, 2 * v, 0.0]) >> sa.exp(1.0, rate=0.9) * v
        return jnp.sum(s(jnp.arange(30.0)))

    g = jax.grad(loss)(0.5)
    # d/dv: 5 steps of v, 5 of 2v, then sum_{k<20} 0.9**k times v
    want = 5 * 1 + 5 * 2 + (1 - 0.9**20) / (1 - 0.9)
    np.testing.assert_allclose(float(g), want, rtol=1e-6)


# -- gradients against the derivatives of the docstring formulas --------------------------------

# (schedule, d/dt of its formula) at interior, non-breakpoint times 0 < t < steps.
_N = 40
T_GRAD_CASES = {
    "linear_ramp": (sa.linear_ramp(0.5, 2.0, _N), lambda t: 1.5 / _N),
    "cosine": (
        sa.cosine(2.0, 0.5, _N),
        lambda t: -(2.0 - 0.5) * math.pi / (2 * _N) * math.sin(math.pi * t / _N),
    ),
    "cosine_power": (
        sa.cosine(2.0, 0.5, _N, power=3.0),
        # d/dt c**3 with c = (1 + cos(pi t / n)) / 2, c' = -pi / (2n) sin(pi t / n)
        lambda t: (
            1.5
            * 3
            * ((1 + math.cos(math.pi * t / _N)) / 2) ** 2
            * (-math.pi / (2 * _N) * math.sin(math.pi * t / _N))
        ),
    ),
    "poly": (sa.poly(2.0, 0.5, _N, power=2.5), lambda t: -1.5 * 2.5 * (1 - t / _N) ** 1.5 / _N),
    "exp": (
        sa.exp(2.0, 0.1, _N),
        lambda t: 2.0 * (0.05 ** (t / _N)) * math.log(0.05) / _N,
    ),
    "exp_rate": (sa.exp(2.0, rate=0.95), lambda t: 2.0 * 0.95**t * math.log(0.95)),
    "triangle": (
        sa.triangle(0.5, 2.0, _N),
        lambda t: 2 * 1.5 / _N if t < _N / 2 else -2 * 1.5 / _N,
    ),
    "tanh": (
        sa.tanh(2.0, 0.5, _N, lower=-3.0, upper=2.0),
        lambda t: -1.5 / 2 * (5.0 / _N) / math.cosh(-3.0 + 5.0 * t / _N) ** 2,
    ),
    "inverse": (
        sa.inverse(2.0, scale=7.0, power=0.5),
        lambda t: 2.0 * -0.5 * (1 + t / 7.0) ** -1.5 / 7.0,
    ),
    "scale_time": (
        sa.scale_time(sa.cosine(2.0, 0.5, 10), 4),
        lambda t: -1.5 * math.pi / 20 * math.sin(math.pi * (t / 4) / 10) / 4,
    ),
    "warp": (
        sa.warp(sa.linear_ramp(0.0, 1.0, _N), 0.5),
        # s(t) = (t / n) ** 0.5
        lambda t: 0.5 * (t / _N) ** -0.5 / _N,
    ),
    "shift_neg_scaled": (
        -2.0 * sa.shift(sa.linear_ramp(0.0, 1.0, 20), 5),
        lambda t: -2.0 / 20 if 5 < t < 25 else 0.0,
    ),
}


@pytest.mark.parametrize("name", sorted(T_GRAD_CASES))
def test_grad_in_t_is_the_derivative_of_the_formula(name):
    s, deriv = T_GRAD_CASES[name]
    ts = [1.5, 7.25, 13.0, 19.5, 26.75, 33.0, 38.5]
    got = np.asarray(jax.vmap(jax.grad(lambda t: s(t)))(jnp.asarray(ts, dtype=jnp.float32)))
    want = np.array([deriv(t) for t in np.asarray(ts, dtype=np.float32).astype(float)])
    # float32: the time and the formula each round at 2**-24 relative; derivatives of order
    # 1e-2 of a value of order 1 lose about log2(t) more bits through t / n.
    np.testing.assert_allclose(got, want, rtol=2e-4, atol=1e-6)


def test_grad_in_the_leaves_is_the_derivative_of_the_formula():
    n, t = 20, np.arange(0.0, 30.0)
    u = np.minimum(t, n) / n

    def total(start, end):
        return jnp.sum(sa.cosine(start, end, n)(jnp.asarray(t)))

    g_start, g_end = jax.grad(total, argnums=(0, 1))(2.0, 0.5)
    c = (1 + np.cos(np.pi * u)) / 2  # d/dstart; d/dend = 1 - c
    np.testing.assert_allclose([float(g_start), float(g_end)], [c.sum(), (1 - c).sum()], rtol=1e-5)

    def geo(start, end):
        return jnp.sum(sa.exp(start, end, n)(jnp.asarray(t)))

    g_start, g_end = jax.grad(geo, argnums=(0, 1))(2.0, 0.1)
    r = (0.1 / 2.0) ** u  # s = start**(1 - u) * end**u
    np.testing.assert_allclose(
        [float(g_start), float(g_end)],
        [np.sum((1 - u) * r), np.sum(u * 2.0 * r / 0.1)],
        rtol=1e-5,
    )


def test_grad_in_scale_by_cycle_factor_and_floor():
    ts = jnp.arange(0.0, 24.0)
    n = 6

    def total(factor, floor):
        rep = sa.repeat(sa.linear_ramp(1.0, 0.0, n), times=4)
        return jnp.sum(sa.scale_by_cycle(rep, factor, floor=floor)(ts))

    g_f, g_fl = jax.grad(total, argnums=(0, 1))(0.7, 0.1)
    k = np.arange(24) // n
    v = 1.0 - (np.arange(24) % n) / n
    # s = floor + (v - floor) f**k: ds/df = (v - floor) k f**(k - 1), ds/dfloor = 1 - f**k
    want_f = np.sum((v - 0.1) * k * 0.7 ** np.maximum(k - 1, 0))
    want_fl = np.sum(1 - 0.7**k)
    np.testing.assert_allclose([float(g_f), float(g_fl)], [want_f, want_fl], rtol=1e-5)


def test_large_concat_is_a_cheap_jit_argument():
    k = 4096
    pieces = [
        sa.cosine(1.0 + i, 0.5, 3) if i % 2 else sa.linear_ramp(0.0, 1.0 + i, 2) for i in range(k)
    ]
    s = sa.concat(*pieces)
    leaves = jax.tree.leaves(s)
    assert len(leaves) == 1 and np.shape(leaves[0]) == (2 * k,)
    t = np.arange(0, s.duration + 5)
    jaxpr = jax.make_jaxpr(lambda s, t: s(t))(s, jnp.asarray(t))
    assert len(jaxpr.eqns) < 200  # flat in K: no per-piece equations
    got = np.asarray(jax.jit(lambda s, t: s(t))(s, jnp.asarray(t)))
    np.testing.assert_allclose(got, s(t), rtol=3e-6, atol=1e-6)


@pytest.mark.parametrize("stretch", [2.0, 1.5, 3.0])
def test_repeat_cycle_boundaries_are_exact(stretch):
    d = 8
    s = sa.repeat(sa.linear_ramp(1.0, 0.0, d), stretch=stretch)
    starts = [0]
    length = d
    while starts[-1] < 10**8:
        starts.append(starts[-1] + length)
        length *= stretch
    whole = np.array([x for x in starts if float(x).is_integer()], dtype=np.int64)
    whole = whole[whole < 2**31 - 1]
    for at_restart, ts in ((True, whole), (False, whole - 1)):
        ts = ts[ts >= 0]
        py = np.array([s(int(t)) for t in ts])
        npv = s(ts)
        jv = np.asarray(s(jnp.asarray(ts, dtype=jnp.int32)))
        jf = np.asarray(jax.jit(lambda t: s(t))(jnp.asarray(ts, dtype=jnp.int32)))
        if at_restart:  # each restart is exactly the start value
            assert np.all(py == 1.0) and np.all(npv == 1.0) and np.all(jv == 1.0)
            assert np.all(jf == 1.0)
        else:  # the step before a restart is the cycle's last step, not the next start
            assert np.all(py[1:] < 1.0) and np.all(npv[1:] < 1.0) and np.all(jv[1:] < 1.0)


def test_a_billion_step_sgdr_is_as_cheap_as_a_short_one():
    s = sa.repeat(sa.cosine(1.0, 0.0, 10), stretch=2.0)
    t = 10 * (2**26 - 1) + 5  # cycle 26, local step 5
    want = (1 + math.cos(math.pi * 5 / (10 * 2**26))) / 2
    assert s(t) == pytest.approx(want, rel=1e-12)
    assert float(s(np.array([t]))[0]) == pytest.approx(want, rel=1e-12)


def run_python(code: str) -> str:
    out = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_schedule_built_before_jax_is_imported_is_a_pytree():
    out = run_python(
        """
        import sys, schedalg as sa
        s = sa.linear_ramp(0.0, 1.0, 10) >> sa.cosine(1.0, 0.0, 10)
        assert "jax" not in sys.modules
        import jax, jax.numpy as jnp
        print(len(jax.tree.leaves(s)), float(jax.jit(lambda s, t: s(t))(s, jnp.asarray(5))))
        """
    )
    assert out.split() == ["1", "0.5"]


def test_jax_imported_first_then_schedalg():
    out = run_python(
        """
        import jax, jax.numpy as jnp
        import schedalg as sa
        s = sa.hold(2.0, 3) >> sa.hold(1.0)
        print(len(jax.tree.leaves(s)), float(jax.jit(lambda s, t: s(t))(s, jnp.asarray(4))))
        """
    )
    assert out.split() == ["1", "1.0"]


def test_import_schedalg_imports_no_framework():
    out = run_python(
        """
        import sys, schedalg
        s = schedalg.cosine(1.0, 0.0, 10)
        s(3); s.duration; repr(s); hash(s)
        import numpy as np
        s(np.arange(5))
        print(sorted(m for m in ("jax", "torch", "optax", "flax", "keras", "matplotlib")
                     if m in sys.modules))
        """
    )
    assert out.strip() == "[]"
