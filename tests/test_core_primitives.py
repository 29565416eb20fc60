"""Each primitive against its docstring formula, at the boundaries and between them, on every
backend (python, numpy, jax, jit, vmap, torch)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import schedalg as sa
import schedalg._arithmetic
from conftest import rtol_for
from schedalg import cosine, exp, hold, inverse, linear_ramp, piecewise, poly, tanh, triangle


def golden_steps(n: int) -> list[int]:
    return sorted({0, 1, n // 3, n - 1, n, n + 1, 3 * n + 7})


def check(ev, backend, schedule, formula, ts, atol=0.0):
    got = ev(schedule, np.asarray(ts))
    want = np.array([formula(t) for t in ts], dtype=np.float64)
    np.testing.assert_allclose(got, want, rtol=rtol_for(backend), atol=atol)


def test_hold(ev, backend):
    check(ev, backend, hold(0.3, 5), lambda t: 0.3, golden_steps(5))
    check(ev, backend, hold(-2.5), lambda t: -2.5, [0, 1, 10**6])


@pytest.mark.parametrize("start,end,n", [(0.0, 1.0, 10), (3e-4, 0.0, 997), (-1.0, 2.0, 3)])
def test_linear_ramp(ev, backend, start, end, n):
    def f(t):
        u = min(t, n) / n
        return start + (end - start) * u

    check(ev, backend, linear_ramp(start, end, n), f, golden_steps(n))


@pytest.mark.parametrize("power", [1.0, 0.5, 2.0, 3.7])
@pytest.mark.parametrize("start,end,n", [(1.0, 0.0, 100), (0.1, 1e-3, 37), (0.0, 2.0, 10)])
def test_cosine(ev, backend, start, end, n, power):
    def f(t):
        u = min(t, n) / n
        return end + (start - end) * ((1 + math.cos(math.pi * u)) / 2) ** power

    check(ev, backend, cosine(start, end, n, power=power), f, golden_steps(n), atol=1e-15)


@pytest.mark.parametrize("start,end,n", [(1.0, 0.01, 50), (1e-5, 1e-1, 7)])
def test_exp_geometric(ev, backend, start, end, n):
    def f(t):
        u = min(t, n) / n
        return start * (end / start) ** u

    check(ev, backend, exp(start, end, n), f, golden_steps(n))


@pytest.mark.parametrize("rate,steps", [(0.9, None), (0.999, None), (1.05, 40), (0.5, 6)])
def test_exp_rate(ev, backend, rate, steps):
    def f(t):
        tau = t if steps is None else min(t, steps)
        return 2.0 * rate**tau

    ts = golden_steps(steps or 30) + [500]
    got = ev(exp(2.0, rate=rate, steps=steps), np.asarray(ts))
    want = np.array([f(t) for t in ts])
    # float32 holds the exponent tau * log(rate) to eps relative: the value's relative error
    # grows with |tau * log(rate)|, as for any float32 power. Under jit the schedule is an
    # argument, so the rate itself is a float32 leaf: its rounding adds tau * eps.
    taus = np.array([t if steps is None else min(t, steps) for t in ts], dtype=np.float64)
    growth = 1 + taus * abs(math.log(rate)) + (taus if backend == "jit" else 0)
    np.testing.assert_array_less(np.abs(got - want), rtol_for(backend) * growth * want + 1e-300)


@pytest.mark.parametrize("power", [1.0, 2.0, 0.5])
def test_poly(ev, backend, power):
    start, end, n = 0.5, 0.01, 21

    def f(t):
        u = min(t, n) / n
        return end + (start - end) * (1 - u) ** power

    check(ev, backend, poly(start, end, n, power=power), f, golden_steps(n))


@pytest.mark.parametrize("n", [4, 7, 2000])
def test_triangle(ev, backend, n):
    low, high = 0.1, 1.3

    def f(t):
        u = min(t, n) / n
        return low + (high - low) * (1 - abs(2 * u - 1))

    check(ev, backend, triangle(low, high, n), f, golden_steps(n) + [n // 2])


def test_tanh(ev, backend):
    start, end, n, lo, hi = 1.0, 0.1, 30, -6.0, 4.0

    def f(t):
        u = min(t, n) / n
        return end + (start - end) * (1 - math.tanh(lo + (hi - lo) * u)) / 2

    check(ev, backend, tanh(start, end, n, lower=lo, upper=hi), f, golden_steps(n))


@pytest.mark.parametrize("power,steps", [(1.0, None), (0.5, None), (2.0, 50)])
def test_inverse(ev, backend, power, steps):
    def f(t):
        tau = t if steps is None else min(t, steps)
        return 0.7 * (1 + tau / 12.5) ** (-power)

    check(ev, backend, inverse(0.7, 12.5, power, steps), f, golden_steps(50) + [10**6])


def test_piecewise(ev, backend):
    bounds, values = [3, 3, 10, 25], [1.0, 0.5, 0.25, 0.125, 0.0625]

    def f(t):
        i = sum(1 for b in bounds if t >= b)
        return values[i]

    check(ev, backend, piecewise(bounds, values), f, list(range(0, 30)))
    assert piecewise(bounds, values).duration == 25


def test_zero_step_primitives_are_their_end_value(ev, backend):
    for s, end in [
        (linear_ramp(1.0, 2.0, 0), 2.0),
        (cosine(1.0, 0.5, 0), 0.5),
        (exp(1.0, rate=0.5, steps=0), 1.0),
        (triangle(0.1, 1.0, 0), 0.1),
        (piecewise([], [0.3]), 0.3),
    ]:
        check(ev, backend, s, lambda t, e=end: e, [0, 1, 5])
        assert s.duration == 0


def test_negative_and_fractional_time(ev, backend):
    s = linear_ramp(0.0, 1.0, 10)
    if backend == "python":
        assert s(-5) == 0.0 and s(-0.5) == 0.0
        assert s(2.5) == pytest.approx(0.25)
    else:
        got = ev(s, np.array([-5.0, -0.5, 2.5, 12.25]))
        np.testing.assert_allclose(got, [0.0, 0.0, 0.25, 1.0], rtol=rtol_for(backend))


def test_huge_steps_no_nan(ev, backend):
    """steps = 10**10 and t = 10**9: progress is exact; nothing overflows."""
    s = cosine(1.0, 0.0, 10**10)
    ts = np.array([0, 10**9, 5 * 10**9], dtype=np.int64)
    if backend in ("jax", "jit", "vmap"):
        ts = np.array([0, 10**9, 2 * 10**9], dtype=np.int32)
    got = ev(s, ts)
    want = [(1 + math.cos(math.pi * t / 10**10)) / 2 for t in ts.tolist()]
    np.testing.assert_allclose(got, want, rtol=rtol_for(backend))


def test_python_path_returns_float():
    s = linear_ramp(0, 1, 10) >> cosine(1, 0, 5)
    for t in (0, 3, 12, 100, 3.5):
        assert type(s(t)) is float


def test_numpy_path_shape_and_dtype():
    s = linear_ramp(0.0, 1.0, 10)
    for ts in (np.arange(6).reshape(2, 3), np.array(3), np.arange(4, dtype=np.int32)):
        out = s(ts)
        assert np.shape(out) == ts.shape
        assert np.asarray(out).dtype == np.float64


def test_float32_relative_precision_near_zero_endpoints():
    """A cosine decaying to 0 and a warmup from 0 keep float32 relative precision."""
    import jax.numpy as jnp

    n = 1_000_000
    ts = np.array([1, 2, 10, n - 10, n - 2, n - 1])
    for s, f in [
        (cosine(1.0, 0.0, n), lambda t: math.cos(math.pi * t / n / 2) ** 2),
        (cosine(0.0, 1.0, n), lambda t: math.sin(math.pi * t / n / 2) ** 2),
        (linear_ramp(0.0, 1.0, n), lambda t: t / n),
        (linear_ramp(1.0, 0.0, n), lambda t: (n - t) / n),
        (triangle(0.0, 1.0, n), lambda t: 1 - abs(2 * t / n - 1)),
    ]:
        got = np.asarray(s(jnp.asarray(ts, dtype=jnp.int32)), dtype=np.float64)
        want = np.array([f(t) for t in ts.tolist()])
        np.testing.assert_allclose(got, want, rtol=4e-7)


def test_int32_time_at_two_billion():
    """Local time is integer arithmetic: unit resolution at t = 2e9 in float32 JAX."""
    import jax.numpy as jnp

    n = 2_100_000_000
    s = linear_ramp(0.0, 1.0, n)
    ts = np.array([2_000_000_000, 2_000_000_001, 2_000_000_017], dtype=np.int32)
    got = np.asarray(s(jnp.asarray(ts)), dtype=np.float64)
    np.testing.assert_allclose(got, ts / n, rtol=2e-7)
    # the step difference survives: consecutive steps differ by 1/n to float32 precision
    s2 = hold(0.0, 2_000_000_000) >> linear_ramp(0.0, 1.0, 1000)
    got2 = np.asarray(s2(jnp.asarray(ts)), dtype=np.float64)
    np.testing.assert_allclose(got2, [0.0, 0.001, 0.017], rtol=1e-6, atol=1e-12)


@given(
    st.floats(-1e6, 1e6),
    st.floats(-1e6, 1e6),
    st.one_of(st.integers(1, 64), st.integers(1, 2**52)),
    st.data(),
)
def test_cosine_scalar_form_is_the_array_form(start, end, n, data):
    """The Python path's hand-written cosine (``_primitives._cosine_fn``: the fast closure
    and the ``_py`` that combinators call) gives the same floats, bit for bit, as the
    segment table's weights (``_lower._cos_weights``) on NumPy: one formula, two spellings."""
    s = cosine(start, end, n)
    ts = sorted(
        {0, 1, n // 2, n // 2 + 1, n - 1, n, n + 1}
        | set(data.draw(st.lists(st.integers(0, n + 1), max_size=8)))
    )
    table = s(np.asarray(ts, dtype=np.int64)).tolist()
    assert [s(t) for t in ts] == table
    assert [s._py(t) for t in ts] == table
    assert [s._py(float(t)) for t in ts] == table


# -- evaluation: integer powers on the array path -----------------------------------------------


@pytest.mark.parametrize("power", [2.0, 3.0, 4.0, 0.5])
def test_integer_and_fractional_powers_on_numpy(power):
    n = 12
    ts = np.arange(0, 16)
    u = np.minimum(ts, n) / n
    poly = sa.poly(2.0, 0.5, n, power=power)
    np.testing.assert_allclose(poly(ts), 0.5 + 1.5 * (1 - u) ** power, rtol=1e-13)
    cos = sa.cosine(2.0, 0.5, n, power=power)
    c = (1 + np.cos(np.pi * u)) / 2
    np.testing.assert_allclose(cos(ts), 0.5 + 1.5 * c**power, rtol=1e-13, atol=1e-15)
    # inside a concat, where the table's rows are evaluated together
    both = sa.linear_ramp(0.0, 2.0, 4) >> poly
    np.testing.assert_allclose(both(ts + 4), poly(ts), rtol=1e-13)
    assert math.isclose(both(4 + 3), 0.5 + 1.5 * (1 - 3 / n) ** power, rel_tol=1e-13)
