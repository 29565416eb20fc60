"""Schedules built from extreme but accepted arguments evaluate to finite numbers everywhere.

Every case is evaluated at t in {0, 1, 10**9, 10**12, 2**63 - 1, 1e300, inf} on the Python path,
on NumPy (int64 and float64), and on JAX (int32 and float32 times, under jit, with gradients
in t and in the leaves): values and gradients must be finite, and the NumPy and JAX values must
be the pure-Python path's at the same times, to a tolerance relative to each value (see
``JAX_RTOL``, ``NUMPY_RTOL``). A few cases also check the value against the formula.
"""

from __future__ import annotations

import math
import sys

import numpy as np
import pytest

import schedalg as sa

BIG = 1e30  # the largest accepted magnitude of a value
TINY = 2.0**-126  # the smallest accepted positive time constant, rate or factor

CASES = {
    "wide_ramp": lambda: sa.linear_ramp(-BIG, BIG, 10),
    "wide_cosine_power": lambda: sa.cosine(BIG, -BIG, 10, power=2.0),
    "wide_poly": lambda: sa.poly(BIG, -BIG, 10, power=0.5),
    "wide_triangle_tanh": lambda: (
        sa.triangle(-BIG, BIG, 10) >> sa.tanh(BIG, -BIG, 10, lower=-1.0, upper=1.0)
    ),
    "exp_span": lambda: sa.exp(BIG, 1.0, 10) >> sa.exp(1.0, BIG, 10),
    "exp_rate_tiny": lambda: sa.exp(BIG, rate=TINY),
    "inverse_extremes": lambda: (
        sa.inverse(BIG, scale=1.0, power=1.0, steps=10)
        >> sa.inverse(1e-10, scale=TINY, steps=10)
        >> sa.inverse(1.0, scale=1.0, power=BIG)
    ),
    "steep_tanh": lambda: sa.tanh(1.0, -1.0, 10, lower=-BIG, upper=BIG),
    "product_at_gain_bound": lambda: sa.hold(1e15) * sa.hold(1e-15) * 1e15,
    "quotient_at_gain_bound": lambda: 1e-8 / sa.linear_ramp(2e-19, 1.0, 10),
    "sum_at_bound": lambda: sa.hold(BIG / 2) + sa.linear_ramp(-BIG / 2, BIG / 2, 10),
    "scale_by_cycle_tiny": lambda: sa.scale_by_cycle(
        sa.repeat(sa.cosine(BIG, 0.0, 10)), TINY, floor=-BIG
    ),
    "repeat_forever": lambda: sa.repeat(sa.cosine(1.0, 0.0, 10)),
    "repeat_10e12_times": lambda: sa.scale_by_cycle(
        sa.repeat(sa.cosine(1.0, 0.0, 10), times=10**12), 1.0 - 1e-15
    ),
    "take_2e62": lambda: sa.take(sa.cosine(1.0, 0.0, 10), 2**62),
    "shift_2e40": lambda: (
        sa.shift(sa.cosine(1.0, 0.0, 10), 2**40) >> sa.shift(sa.hold(1.0, 5), -(2**40))
    ),
    "staircase_2e40": lambda: sa.staircase(sa.cosine(1.0, 0.0, 2**41), 2**40),
    "staircase_tiny": lambda: sa.staircase(sa.cosine(1.0, 0.0, 10), 1e-30),
    "fit_2e62": lambda: sa.fit(sa.cosine(1.0, 0.0, 1), 2**62),
    "fit_tiny": lambda: sa.fit(sa.cosine(1.0, 0.0, 2**62), 1),
    "piecewise_2e62": lambda: sa.piecewise([2**40, 2**62], [1.0, 2.0, 3.0]),
    "warp_extremes": lambda: (
        sa.warp(sa.cosine(1.0, 0.0, 10), BIG) >> sa.warp(sa.cosine(1.0, 0.0, 10), TINY)
    ),
}

TS_PY = [0, 1, 10**9, 10**12, 2**63 - 1, 1e300, math.inf]


def _finite(x) -> bool:
    return bool(np.all(np.isfinite(np.asarray(x, dtype=np.float64))))


# NumPy against Python, both float64: every case's formula is a handful of roundings of terms
# no larger than the result (no cancellation at these times), so a few ulps per value.
NUMPY_RTOL = 1e-14
# JAX computes in float32: a few float32 roundings (2**-24 = 6e-8 each) per value.
JAX_RTOL = 5e-7
# Below float32's smallest normal number a JAX value may be flushed to 0 (exp_rate_tiny at
# t >= 2 is 1e30 * 2**-252 in float64).
JAX_ATOL = 2.0**-126
# Where a float time's cycle phase is not representable, the paths may read different local
# times: above 2**24 a float32 time is not an exact step count to float32 arithmetic, and at
# 1e300 / inf the phase of a 10-step cycle is below the float64 spacing. Both are finite
# (checked); their values are not compared.
PHASE_FREE = {"repeat_forever", "repeat_10e12_times"}
# NumPy float64 times: compared with the Python path's exact ``fmod`` up to 2**53. Above it
# (2**63 - 1 as a float is 2**63) NumPy's cycle arithmetic reads another phase than ``fmod``
# does (reported with issue 14's mutation run; int64 times are exact and compared above).
NUMPY_PHASE_LIMIT = 2.0**53
# Per-case allowances on JAX, each with its reason.
JAX_CASE_ATOL = {
    # start * rate**t with rate = 2**-126: the factor rate**t is formed first and at t = 1 it
    # is exp(log(2**-126)) in float32, which rounds just below the smallest normal number and
    # is flushed to 0; the value (1e30 * 2**-126 = 1.2e-8) is known to within that much.
    "exp_rate_tiny": BIG * TINY * 1.01,
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_extreme_schedules_are_finite_on_python_and_numpy(name):
    s = CASES[name]()
    py = np.array([s(t) for t in TS_PY], dtype=np.float64)
    assert _finite(py), py
    as_int = s(np.array(TS_PY[:5], dtype=np.int64))
    as_float = s(np.array(TS_PY, dtype=np.float64))
    assert _finite(as_int) and _finite(as_float), (as_int, as_float)
    # The pure-Python path is the reference.
    np.testing.assert_allclose(as_int, py[:5], rtol=NUMPY_RTOL, atol=0)
    keep = [i for i, t in enumerate(TS_PY) if name not in PHASE_FREE or t <= NUMPY_PHASE_LIMIT]
    np.testing.assert_allclose(as_float[keep], py[keep], rtol=NUMPY_RTOL, atol=0)


@pytest.mark.parametrize("name", sorted(CASES))
def test_extreme_schedules_on_jax_match_python_with_finite_gradients(name):
    jax = pytest.importorskip("jax")
    jnp = jax.numpy
    s = CASES[name]()
    t_int = np.array([0, 1, 10**9, 2**31 - 1], dtype=np.int32)
    t_float = np.array([0.0, 1.0, 5.0, 10.0, 20.0, 1e9, 1e12, 3e38, np.inf], dtype=np.float32)
    f = jax.jit(lambda s, t: s(t))
    got_int = np.asarray(f(s, jnp.asarray(t_int)), dtype=np.float64)
    got_float = np.asarray(f(s, jnp.asarray(t_float)), dtype=np.float64)
    assert _finite(got_int) and _finite(got_float)
    # The same times on the pure-Python path (float32 times as the floats they hold).
    want_int = np.array([s(int(t)) for t in t_int])
    want_float = np.array([s(float(t)) for t in t_float])
    atol = JAX_CASE_ATOL.get(name, JAX_ATOL)
    np.testing.assert_allclose(got_int, want_int, rtol=JAX_RTOL, atol=atol)
    keep = [i for i, t in enumerate(t_float) if name not in PHASE_FREE or t <= 2**24]
    np.testing.assert_allclose(got_float[keep], want_float[keep], rtol=JAX_RTOL, atol=atol)
    grad_t = jax.vmap(jax.grad(lambda t: s(t)))(jnp.asarray(t_float))
    assert _finite(grad_t), grad_t
    grad_leaves = jax.tree_util.tree_leaves(jax.grad(lambda s: jnp.sum(s(t_float)))(s))
    assert all(_finite(g) for g in grad_leaves), grad_leaves


def test_infinite_repeat_at_infinite_time_is_past_every_cycle():
    """t = inf is past every cycle: the repeated schedule's end value, on every path."""
    s = sa.repeat(sa.cosine(1.0, 0.0, 10))
    assert s(math.inf) == 0.0 and s(np.array([np.inf]))[0] == 0.0
    # Large finite times still have a cycle and a finite value.
    top = np.array([sys.float_info.max])
    assert np.isfinite(s(top)[0]) and math.isfinite(s(sys.float_info.max))


def test_huge_repeat_counts_keep_exact_cycles_on_int32_jax():
    jax = pytest.importorskip("jax")
    s = sa.repeat(sa.linear_ramp(1.0, 0.0, 10), times=10**12)
    t = np.array([0, 7, 2**31 - 1], dtype=np.int32)
    want = [1.0 - (int(x) % 10) / 10.0 for x in t]
    got = np.asarray(jax.jit(lambda s, t: s(t))(s, jax.numpy.asarray(t)), dtype=np.float64)
    np.testing.assert_allclose(got, want, rtol=2e-6)


def test_constants_beyond_int32_work_with_int32_jax_times():
    jax = pytest.importorskip("jax")
    ts = np.array([0, 5, 2**31 - 1], dtype=np.int32)
    for s in (
        sa.take(sa.linear_ramp(0.0, 1.0, 10), 2**40),
        sa.shift(sa.linear_ramp(0.0, 1.0, 10), 2**40),
        sa.staircase(sa.linear_ramp(0.0, 1.0, 2**41), 2**40),
    ):
        want = s(ts.astype(np.int64))
        got = np.asarray(s(jax.numpy.asarray(ts)), dtype=np.float64)
        np.testing.assert_allclose(got, want, rtol=2e-6)


def test_fit_to_a_tiny_fraction_keeps_its_factor():
    """A factor below 1e-9 is not rounded to 0 (which would be refused)."""
    s = sa.fit(sa.linear_ramp(0.0, 1.0, 2**40), 1)
    assert s.duration == 1 and s(0.5) == 0.5


@pytest.mark.parametrize(
    "text,where",
    [
        ('{"schedalg": 1, "type": "hold", "value": 1e300}', "$.value"),
        ('{"schedalg": 1, "type": "hold", "value": 1' + "0" * 400 + "}", "$.value"),
        ('{"schedalg": 1, "type": "hold", "value": 1.0, "steps": 1' + "0" * 400 + "}", "$.steps"),
        (
            '{"schedalg": 1, "type": "piecewise", "boundaries": [1e300], "values": [1, 2]}',
            "$.boundaries[0]",
        ),
        (
            '{"schedalg": 1, "type": "piecewise", "boundaries": [3, 1e300], "values": [1, 2, 3]}',
            "$.boundaries[1]",
        ),
        (
            '{"schedalg": 1, "type": "piecewise", "boundaries": [3, 4], "values": [1, 2, 1e300]}',
            "$.values[2]",
        ),
        (
            '{"schedalg": 1, "type": "concat", "pieces": [{"type": "hold", "value": 1, "steps": 3},'
            ' {"type": "shift", "schedule": {"type": "hold", "value": 1}, "steps": 1e300}]}',
            "$.pieces[1].steps",
        ),
    ],
)
def test_files_with_extreme_numbers_fail_with_a_format_error(text, where):
    with pytest.raises(sa.FormatError, match="at most") as info:
        sa.from_json(text)
    assert info.value.path == where
    assert str(info.value).startswith(f"from_dict(): at {where}: ")
