"""Bad input fails at construction with ValueError/TypeError naming the argument and value."""

from __future__ import annotations

import math

import numpy as np
import pytest

import schedalg as sa

finite = sa.cosine(1.0, 0.0, 10)
forever = sa.hold(1.0)

# (call, exception type, text the message must contain)
BAD = [
    (lambda: sa.cosine(1.0, 0.0, -5), ValueError, "steps=-5"),
    (lambda: sa.cosine(1.0, 0.0, 2.5), TypeError, "steps=2.5"),
    (lambda: sa.cosine(1.0, 0.0, "10"), TypeError, "steps='10'"),
    (lambda: sa.cosine(1.0, 0.0, True), TypeError, "steps=True"),
    (lambda: sa.cosine(math.nan, 0.0, 10), ValueError, "start=nan"),
    (lambda: sa.cosine(1.0, math.inf, 10), ValueError, "end=inf"),
    (lambda: sa.cosine(1.0, 0.0, 10, power=0), ValueError, "power=0"),
    (lambda: sa.cosine(1.0, 0.0, 10, power=-1.0), ValueError, "power=-1.0"),
    (lambda: sa.linear_ramp(False, 1.0, 10), TypeError, "start=False"),
    (lambda: sa.linear_ramp("a", 1.0, 10), TypeError, "start='a'"),
    (lambda: sa.linear_ramp(0.0, None, 10), TypeError, "end=None"),
    (lambda: sa.hold(1.0, -1), ValueError, "steps=-1"),
    (lambda: sa.hold(np.array([1.0, np.nan])), ValueError, "value="),
    (lambda: sa.exp(0.0, 1.0, 10), ValueError, "start=0.0"),
    (lambda: sa.exp(1.0, -1.0, 10), ValueError, "end=-1.0"),
    (lambda: sa.exp(1.0, 0.1), TypeError, "steps=None"),
    (lambda: sa.exp(1.0), TypeError, "rate"),
    (lambda: sa.exp(1.0, 0.5, 10, rate=0.9), TypeError, "rate=0.9"),
    (lambda: sa.exp(1.0, rate=1.01), ValueError, "rate=1.01"),
    (lambda: sa.exp(1.0, rate=0.0), ValueError, "rate=0.0"),
    (lambda: sa.exp(1.0, rate=10.0, steps=10**6), ValueError, "overflows"),
    (lambda: sa.poly(1.0, 0.0, 10, power=0.0), ValueError, "power=0.0"),
    (lambda: sa.triangle(0.0, 1.0, -2), ValueError, "steps=-2"),
    (lambda: sa.inverse(1.0, scale=0.0), ValueError, "scale=0.0"),
    (lambda: sa.inverse(1.0, scale=1.0, power=-0.5), ValueError, "power=-0.5"),
    (lambda: sa.tanh(1.0, 0.0, 10, lower=math.inf), ValueError, "lower=inf"),
    (lambda: sa.piecewise([10, 5], [1.0, 2.0, 3.0]), ValueError, "boundaries[1]=5"),
    (lambda: sa.piecewise([10], [1.0]), ValueError, "len(values)=1"),
    (lambda: sa.piecewise([-1], [1.0, 2.0]), ValueError, "boundaries[0]=-1"),
    (lambda: sa.piecewise([1], [1.0, math.nan]), ValueError, "values[1]=nan"),
    (lambda: sa.piecewise(5, [1.0]), TypeError, "boundaries=5"),
    (lambda: sa.piecewise([1], {1: 2, 3: 4}), TypeError, "values must be a sequence"),
    (lambda: sa.piecewise({1: 2}, [1.0, 2.0]), TypeError, "boundaries={1: 2}"),
    (lambda: sa.piecewise({5, 1}, [1.0, 2.0, 3.0]), TypeError, "boundaries must be a sequence"),
    (lambda: sa.concat(forever, finite), ValueError, "position 0"),
    (lambda: sa.concat(), TypeError, "at least one"),
    (lambda: sa.concat(finite, "x"), TypeError, "schedules[1]='x'"),
    (lambda: forever >> finite, ValueError, "infinite piece"),
    (lambda: sa.repeat(forever), ValueError, "must be finite"),
    (lambda: sa.repeat(sa.hold(1.0, 0)), ValueError, "positive duration"),
    (lambda: sa.repeat(finite, times=0), ValueError, "times=0"),
    (lambda: sa.repeat(finite, times=2.5), TypeError, "times=2.5"),
    (lambda: sa.repeat(finite, stretch=0.0), ValueError, "stretch=0.0"),
    (lambda: sa.repeat(finite, stretch=-2.0), ValueError, "stretch=-2.0"),
    (lambda: sa.repeat(finite, stretch=0.5), ValueError, "stretch=0.5"),
    (lambda: sa.repeat(finite, stretch=True), TypeError, "stretch=True"),
    (lambda: sa.repeat(1.0), TypeError, "schedule=1.0"),
    (lambda: sa.scale_by_cycle(finite, 0.5), TypeError, "repeat"),
    (lambda: sa.scale_by_cycle(sa.repeat(finite), 0.0), ValueError, "factor=0.0"),
    (lambda: sa.scale_by_cycle(sa.repeat(finite), 1.5), ValueError, "factor=1.5"),
    (lambda: sa.scale_by_cycle(sa.repeat(finite), 0.5, math.nan), ValueError, "floor=nan"),
    (lambda: finite / finite, ValueError, "includes 0"),
    (lambda: 1.0 / sa.linear_ramp(-1.0, 1.0, 5), ValueError, "includes 0"),
    (lambda: finite / 0.0, ValueError, "includes 0"),
    (lambda: finite + "x", TypeError, "b='x'"),
    (lambda: sa.clip(finite, 1.0, 0.0), ValueError, "low=1.0"),
    (lambda: sa.staircase(finite, 0), ValueError, "every=0"),
    (lambda: sa.staircase(finite, -3), ValueError, "every=-3"),
    (lambda: sa.shift(finite, math.nan), ValueError, "steps=nan"),
    (lambda: sa.scale_time(finite, 0), ValueError, "factor=0"),
    (lambda: sa.fit(forever, 100), ValueError, "finite"),
    (lambda: sa.fit(finite, -100), ValueError, "total=-100"),
    (lambda: sa.warp(finite, 0.0), ValueError, "power=0.0"),
    (lambda: sa.warp(forever, 2.0), ValueError, "finite"),
]

# Schedules whose values, durations or static numbers would leave float32 (JAX) or int64 range:
# refused when built, never an OverflowError, ZeroDivisionError or NaN later.
EXTREME = [
    (lambda: sa.hold(1e308), ValueError, "hold(): value must be at most 1e+30"),
    (lambda: sa.hold(10**400), ValueError, "value=1000"),
    (lambda: sa.hold(1e30) * 10, ValueError, "mul(): the values could reach 1e+31"),
    (lambda: sa.hold(1e30) + sa.hold(1e30), ValueError, "add(): the values could reach 2e+30"),
    (lambda: sa.linear_ramp(-1e308, 1e308, 10), ValueError, "start=-1e+308"),
    (lambda: sa.cosine(1e308, -1e308, 10), ValueError, "start=1e+308"),
    (lambda: sa.cosine(1.0, 0.0, 10, power=1e300), ValueError, "power=1e+300"),
    (lambda: sa.cosine(1.0, 0.0, 10**30), ValueError, "steps=10000"),
    (lambda: sa.exp(1e30, 1e-308, 10), ValueError, "end=1e-308"),
    (lambda: sa.exp(1e-300, rate=0.5), ValueError, "start=1e-300"),
    (lambda: sa.exp(1.0, rate=1e-300), ValueError, "rate=1e-300"),
    (lambda: sa.exp(1.0, rate=2.0, steps=200), ValueError, "overflows"),
    (lambda: sa.inverse(1.0, scale=1e-300), ValueError, "scale=1e-300"),
    (lambda: sa.tanh(1.0, 0.0, 10, lower=-1e308, upper=1e308), ValueError, "lower=-1e+308"),
    (lambda: sa.piecewise([1e300], [1.0, 2.0]), ValueError, "boundaries[0]=1e+300"),
    (lambda: sa.piecewise([10**400], [1.0, 2.0]), ValueError, "boundaries[0]=1000"),
    (lambda: sa.clip(finite, low=-1e308), ValueError, "low=-1e+308"),
    (lambda: 1.0 / sa.hold(1e-300), ValueError, "smallest normal"),
    (lambda: sa.div(1.0, sa.linear_ramp(1e-310, 1.0, 10)), ValueError, "b=linear_ramp"),
    (lambda: sa.repeat(finite, times=10**12, stretch=1.5), ValueError, "times=1000000000000"),
    (lambda: sa.repeat(finite, times=10**18), ValueError, "exceed 2**62"),
    (lambda: sa.repeat(finite, times=1000, stretch=1e10), ValueError, "stretch=10000000000.0"),
    (lambda: sa.repeat(finite, times=1000, stretch=1e-10), ValueError, "too short"),
    (lambda: sa.repeat(sa.piecewise([5e-324], [1.0, 2.0])), ValueError, "too short"),
    (lambda: sa.scale_by_cycle(sa.repeat(finite), 1e-300), ValueError, "factor=1e-300"),
    (lambda: sa.scale_by_cycle(sa.repeat(finite, times=10), 1e10), ValueError, "could reach"),
    (lambda: sa.fit(sa.piecewise([5e-324], [1.0, 2.0]), 100), ValueError, "fit(): total"),
    (lambda: sa.fit(finite, 1e300), ValueError, "total=1e+300"),
    (lambda: sa.shift(finite, 1e300), ValueError, "steps=1e+300"),
    (lambda: sa.shift(finite, 2**62), ValueError, "shift(): the duration"),
    (lambda: sa.take(finite, 10**400), ValueError, "steps=1000"),
    (lambda: sa.scale_time(finite, 1e-300), ValueError, "factor=1e-300"),
    (lambda: sa.scale_time(finite, 1e30), ValueError, "scale_time(): the duration"),
    (lambda: sa.staircase(finite, 1e-300), ValueError, "every=1e-300"),
    (lambda: sa.staircase(finite, 1e300), ValueError, "every=1e+300"),
    (lambda: sa.warp(finite, 1e-300), ValueError, "power=1e-300"),
    (lambda: sa.warp(finite, 1e300), ValueError, "power=1e+300"),
    (lambda: sa.cosine(1.0, 0.0, 2**62) >> finite, ValueError, "concat(): the duration"),
    (lambda: 1.0 / sa.linear_ramp(1e-18, 1.0, 10), ValueError, "|a| / b**2"),
    (lambda: 1e-20 / sa.hold(1e-25), ValueError, "below 2**-63"),
    (lambda: sa.inverse(1e30, scale=1e30, power=1e30), ValueError, "gradients could reach 1e+60"),
    (lambda: sa.inverse(1.0, scale=2.0**-126), ValueError, "gradients could reach 8.5"),
    (lambda: sa.tanh(1e30, 0.0, 10, lower=-1e30, upper=1e30), ValueError, "gradients could"),
    (lambda: sa.cosine(1e30, 0.0, 10, power=1e10), ValueError, "cosine(): gradients could"),
    (lambda: sa.poly(1.0, 1e30, 10, power=1e10), ValueError, "poly(): gradients could"),
    (lambda: sa.hold(1e30) * sa.hold(1e-30) * 1e30, ValueError, "could reach 1e+60"),
    (lambda: sa.hold(1e20) * (sa.hold(1e-20) * 1e20), ValueError, "mul(): gradients"),
    (lambda: (sa.hold(1e17) * 1e-17 * 1e17) / sa.hold(1e-3), ValueError, "div(): gradients"),
    (lambda: sa.exp(1e30, 1.2e-38, 10), ValueError, "end / start"),
]


@pytest.mark.parametrize("call,exc,text", EXTREME, ids=[b[2] for b in EXTREME])
def test_extreme_input_is_rejected_with_a_named_argument(call, exc, text):
    with pytest.raises(exc) as info:
        call()
    assert text in str(info.value)


@pytest.mark.parametrize("call,exc,text", BAD, ids=[b[2] for b in BAD])
def test_bad_input_is_rejected_with_a_named_argument(call, exc, text):
    with pytest.raises(exc) as info:
        call()
    assert text in str(info.value)


@pytest.mark.parametrize("bad", [True, "3", None, 3 + 1j])
def test_bad_time_input_is_rejected(bad):
    with pytest.raises(TypeError):
        finite(bad)


def test_bool_arrays_are_rejected_as_times():
    with pytest.raises(TypeError, match="real numbers"):
        finite(np.array([True, False]))


def test_schedules_are_immutable():
    with pytest.raises(AttributeError):
        finite.start = 2.0  # type: ignore[misc]


def test_nan_times_are_refused_on_python_and_numpy():
    s = sa.linear_ramp(0.0, 1.0, 10) >> sa.repeat(sa.cosine(1.0, 0.0, 10), stretch=2.0)
    with pytest.raises(ValueError, match="nan"):
        s(math.nan)
    with pytest.raises(ValueError, match="NaN"):
        s(np.array([1.0, np.nan]))


def test_infinite_and_huge_times_give_the_limit_of_a_finite_schedule():
    s = sa.linear_ramp(0.0, 1.0, 10) >> sa.cosine(1.0, 0.25, 10)
    assert s(math.inf) == 0.25 and s(10**30) == 0.25 and s(-math.inf) == 0.0
    np.testing.assert_array_equal(s(np.array([np.inf, 1e300, -np.inf])), [0.25, 0.25, 0.0])


# -- concrete arrays get the float checks, element by element (issue 9, item 9) ----------------

_REP = sa.repeat(sa.cosine(1.0, 0.0, 10))

# (constructor of one value-like argument x, a good value, a bad value, text of the message)
ARRAY_CHECKS = [
    (lambda x: sa.exp(x, 1.0, 10), 1.0, -1.0, "start must be > 0"),
    (lambda x: sa.exp(1.0, x, 10), 0.5, 0.0, "end must be > 0"),
    (lambda x: sa.exp(x, 1.0, 10), 1.0, 1e-300, "start must be at least"),
    (lambda x: sa.exp(1.0, x, 10), 0.5, 1e-35, "end / start must be within"),
    (lambda x: sa.exp(1.0, rate=x), 0.5, 2.0, "grows without bound"),
    (lambda x: sa.exp(1.0, rate=x), 0.5, -0.5, "rate must be > 0"),
    (lambda x: sa.exp(x, rate=2.0, steps=90), 1.0, 1e10, "overflows"),
    (lambda x: 1.0 / sa.hold(x), 2.0, 0.0, "includes 0"),
    (lambda x: 1.0 / sa.linear_ramp(x, 1.0, 10), 0.5, -1.0, "includes 0"),
    (lambda x: 1.0 / sa.linear_ramp(x, 1.0, 10), 1e-10, 1e-18, "|a| / b**2"),
    (lambda x: sa.hold(x) * 10, 1.0, 1e30, "could reach"),
    (lambda x: sa.hold(x) + sa.cosine(1e30, 0.0, 10), 0.0, 1e30, "could reach"),
    (lambda x: sa.scale_by_cycle(_REP, x), 0.5, -0.5, "factor must be > 0"),
    (lambda x: sa.scale_by_cycle(_REP, x), 0.5, 1.5, "grows without"),
    (lambda x: sa.scale_by_cycle(_REP, x), 0.5, 1e-40, "at least"),
    (
        lambda x: sa.scale_by_cycle(sa.repeat(sa.cosine(1, 0, 10), times=1000), x),
        0.5,
        1e10,
        "overflows",
    ),
    (lambda x: sa.scale_by_cycle(sa.repeat(sa.cosine(1, 0, 10)), 0.5, floor=x), 0.0, 1e31, "floor"),
    (lambda x: sa.clip(sa.hold(1.0), x, 0.0), -1.0, 2.0, "low must be <= high"),
    (lambda x: sa.clip(sa.hold(1.0), 0.0, x), 2.0, -1.0, "low must be <= high"),
    (lambda x: sa.cosine(x, 0.0, 10), 1.0, math.nan, "start must be finite"),
    (lambda x: sa.piecewise([5], [1.0, x]), 1.0, math.inf, "values[1] must be finite"),
]


def _array_forms(good, bad):
    yield bad  # the float itself: the reference behaviour
    yield np.array(bad)
    yield np.array([good, bad])
    yield np.array([[good], [bad]])
    try:
        import jax.numpy as jnp
    except ImportError:
        return
    if not math.isfinite(bad) or float(np.float32(bad)) == bad:  # exact in float32
        yield jnp.array([good, bad], dtype=jnp.float32)


@pytest.mark.parametrize("case", range(len(ARRAY_CHECKS)), ids=[c[3] for c in ARRAY_CHECKS])
def test_concrete_arrays_get_the_float_checks_element_by_element(case):
    make, good, bad, text = ARRAY_CHECKS[case]
    make(good)  # the good value is accepted, as a float and as arrays
    make(np.array([good, good]))
    for x in _array_forms(good, bad):
        with pytest.raises(ValueError) as info:
            make(x)
        assert text in str(info.value), (x, str(info.value))


def test_traced_parameters_are_not_inspected():
    jax = pytest.importorskip("jax")
    # Inside jit a leaf is a tracer: it builds (unchecked), as the README says.
    out = jax.jit(lambda v: sa.exp(v, 1.0, 10)(5))(2.0)
    assert float(out) == pytest.approx(2.0 * 0.5**0.5, rel=1e-6)


# -- batched leaves at a mis-shaped t (issue 9, item 19) ------------------------------------------


@pytest.mark.parametrize("t", [5, np.array(5), np.arange(4), np.zeros((3, 1))])
def test_batched_leaves_at_a_mis_shaped_time_say_what_t_needs(t):
    s = sa.cosine(np.array([1.0, 2.0, 3.0]), 0.0, 10)
    with pytest.raises(ValueError, match=r"batched") as info:
        s(t)
    msg = str(info.value)
    assert "batch shape (3,)" in msg and f"t has shape {np.shape(t)}" in msg and "vmap" in msg
    # The shapes that fit: one time per schedule, or a larger shape the batch broadcasts to.
    np.testing.assert_allclose(s(np.array([0, 5, 10])), [1.0, 1.0, 0.0], atol=1e-15)
    np.testing.assert_allclose(s(np.zeros((2, 3))), [[1.0, 2.0, 3.0]] * 2)


def test_a_stacked_jax_schedule_at_a_scalar_time_says_it_is_batched():
    jax = pytest.importorskip("jax")
    jnp = jax.numpy
    a = sa.cosine(1.0, 0.0, 10) >> sa.hold(1.0)
    b = sa.cosine(2.0, 0.0, 10) >> sa.hold(2.0)
    batch = jax.tree.map(lambda *x: jnp.stack(x), a, b)
    for t in (3, jnp.int32(3), jnp.arange(5)):
        with pytest.raises(ValueError, match=r"batched \(its leaves have the batch shape \(2,\)\)"):
            batch(t)
    with pytest.raises(ValueError, match="vmap"):
        jax.jit(lambda s, t: s(t))(batch, jnp.arange(5))
    # cos(pi * 3 / 10) terms by hand: (1 + cos(0.3 pi)) / 2 times the start values 1 and 2.
    want = 0.5 * (1.0 + np.cos(0.3 * np.pi)) * np.array([1.0, 2.0])
    np.testing.assert_allclose(jax.vmap(lambda s: s(3))(batch), want, rtol=1e-6)
