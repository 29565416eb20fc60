"""Parity with optax.schedules: the real optax schedules, evaluated in float64.

optax computes in the dtype of its inputs; inside ``jax.enable_x64(True)`` Python
floats and int counts are 64-bit, so the comparison is float64 against float64. Every run
covers the schedule's length plus at least 20%.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from _parity import assert_parity
from hypothesis import given
from hypothesis import strategies as st

jax = pytest.importorskip("jax")
optax = pytest.importorskip("optax")

from schedalg.compat import optax as C  # noqa: E402


def peer_values(sched, n, vectorized=True):
    """The optax schedule at counts 0..n-1, as float64.

    Counts are padded to a power of two so that JAX's per-op compilations are shared between
    runs of different lengths; schedules that take a scalar count only go through vmap.
    """
    size = 1 << max(n - 1, 1).bit_length()
    with jax.enable_x64(True):
        counts = jax.numpy.arange(size, dtype=jax.numpy.int64)
        out = sched(counts) if vectorized else jax.jit(jax.vmap(sched))(counts)
        out = jax.numpy.broadcast_to(jax.numpy.asarray(out), counts.shape)
        assert out.dtype == jax.numpy.float64, out.dtype
        return np.asarray(out)[:n]


#: optax writes its ramps as ``end + (init - end) * frac``, which cancels where the result is
#: much smaller than ``end``: ``linear_schedule(1e-9, 1.0, 1)(0)`` is 9.9999997e-10 in float64
#: (the rounding error of ``1e-9 - 1.0``, about 2**-53, survives the addition of 1.0). So a few
#: ulps of the largest value are allowed absolutely, beside the 1e-10 relative tolerance.
CANCELLATION_ULPS = 2.0**-50


def check(ours, peer, n, what="", vectorized=True):
    want = peer_values(peer, n, vectorized)
    k = np.arange(n)
    atol = CANCELLATION_ULPS * float(np.max(np.abs(want)))
    assert_parity(ours(k), want, what=f"{what} numpy", atol=atol)
    assert_parity([ours(int(i)) for i in k], want, what=f"{what} python", atol=atol)


def test_the_cancellation_allowance_is_what_optax_needs():
    # the case hypothesis found: optax's float64 value at step 0 is off by 2.8e-8 relative
    with jax.enable_x64(True):
        got = float(optax.linear_schedule(1e-9, 1.0, 1)(0))
    assert abs(got - 1e-9) > 1e-10 * 1e-9  # beyond the relative tolerance...
    assert abs(got - 1e-9) <= CANCELLATION_ULPS * 1.0  # ...within the allowance
    check(C.linear_schedule(1e-9, 1.0, 1), optax.linear_schedule(1e-9, 1.0, 1), 3)


def horizon(n):
    return math.ceil(n * 1.2) + 2


def test_constant_schedule():
    check(C.constant_schedule(0.37), optax.constant_schedule(0.37), 20)


@pytest.mark.parametrize(
    "kw",
    [
        dict(init_value=0.9, end_value=0.013, power=2.7, transition_steps=47, transition_begin=13),
        dict(init_value=0.1, end_value=0.5, power=0.5, transition_steps=31),
        dict(init_value=0.2, end_value=0.01, power=1.0, transition_steps=0, transition_begin=5),
        dict(init_value=0.2, end_value=0.01, power=1.3, transition_steps=9, transition_begin=-4),
    ],
)
def test_polynomial_schedule(kw):
    n = horizon(max(kw["transition_steps"], 0) + max(kw.get("transition_begin", 0), 0)) + 3
    check(C.polynomial_schedule(**kw), optax.polynomial_schedule(**kw), n)


@pytest.mark.parametrize(
    "kw",
    [
        dict(init_value=0.0, end_value=0.77, transition_steps=23, transition_begin=6),
        dict(init_value=1.0, end_value=0.25, transition_steps=-3),
    ],
)
def test_linear_schedule(kw):
    check(C.linear_schedule(**kw), optax.linear_schedule(**kw), 40)


def test_piecewise_constant_schedule():
    bs = {40: 0.3, 7: 2.5, 0: 0.9, 19: 0.0001, 55: 1.7}
    check(C.piecewise_constant_schedule(0.31, bs), optax.piecewise_constant_schedule(0.31, bs), 70)
    check(C.piecewise_constant_schedule(0.31), optax.piecewise_constant_schedule(0.31), 5)


@pytest.mark.parametrize(
    "kw",
    [
        dict(init_value=0.7, transition_steps=13, decay_rate=0.61),
        dict(init_value=0.7, transition_steps=13, decay_rate=0.61, staircase=True),
        dict(
            init_value=0.7, transition_steps=9, decay_rate=0.5, transition_begin=17, end_value=0.03
        ),
        dict(
            init_value=0.7,
            transition_steps=9,
            decay_rate=0.5,
            transition_begin=17,
            staircase=True,
            end_value=0.03,
        ),
        dict(init_value=0.01, transition_steps=7, decay_rate=1.9, end_value=0.37),
        dict(
            init_value=0.01,
            transition_steps=7,
            decay_rate=1.9,
            staircase=True,
            transition_begin=3,
            end_value=0.37,
        ),
        dict(init_value=0.5, transition_steps=0, decay_rate=0.5),
        dict(init_value=0.5, transition_steps=5, decay_rate=0.0),
        dict(init_value=0.5, transition_steps=5, decay_rate=0.8, transition_begin=-6),
    ],
)
def test_exponential_decay(kw):
    check(C.exponential_decay(**kw), optax.exponential_decay(**kw), 120)


@pytest.mark.parametrize(
    "kw",
    [
        dict(init_value=0.73, decay_steps=61),
        dict(init_value=0.73, decay_steps=61, alpha=0.07, exponent=2.3),
        dict(init_value=0.73, decay_steps=1, alpha=0.5, exponent=0.6),
    ],
)
def test_cosine_decay_schedule(kw):
    check(C.cosine_decay_schedule(**kw), optax.cosine_decay_schedule(**kw), horizon(61))


@pytest.mark.parametrize("kind", ["linear", "cosine"])
def test_piecewise_interpolate_schedule(kind):
    bs = {13: 4.0, 0: 0.5, 41: 0.25, 41.0 + 9: 0.1, 60: 1.0, 77: 0.3}
    bs = {int(k): v for k, v in bs.items()}
    ours = C.piecewise_interpolate_schedule(kind, 0.21, bs)
    peer = optax.piecewise_interpolate_schedule(kind, 0.21, bs)
    check(ours, peer, horizon(77), vectorized=False)
    check(
        C.piecewise_interpolate_schedule(kind, 0.21),
        optax.piecewise_interpolate_schedule(kind, 0.21),
        5,
        vectorized=False,
    )


@pytest.mark.parametrize("kind", ["linear", "cosine"])
@pytest.mark.parametrize("bs", [{-3: 0.5, 4: 0.2}, {-2: 0.5}, {-7: 2.0, -1: 0.5, 3: 0.1}])
def test_piecewise_interpolate_schedule_negative_boundaries(kind, bs):
    # optax's interval from 0 is then empty: step 0 lies part-way between b_1 and b_2
    ours = C.piecewise_interpolate_schedule(kind, 0.21, bs)
    peer = optax.piecewise_interpolate_schedule(kind, 0.21, bs)
    check(ours, peer, 12, vectorized=False)


@pytest.mark.parametrize("bs", [[-2, 4], [-3, -1], [0, 0], [-1, 0]])
def test_join_schedules_negative_boundaries(bs):
    # optax evaluates the schedule after boundary b at step - b: part-way in when b < 0
    make = lambda m: [  # noqa: E731
        m.linear_schedule(1.0, 0.2, 5),
        m.cosine_decay_schedule(0.8, 6, alpha=0.1),
        m.linear_schedule(0.5, 0.0, 3, transition_begin=2),
    ]
    check(C.join_schedules(make(C), bs), optax.join_schedules(make(optax), bs), 14)


def test_cosine_exponent_zero_holds_the_start():
    # optax: cos_term ** 0 == 1 at every step (0 ** 0 == 1 at the end)
    kw = dict(init_value=0.73, decay_steps=6, alpha=0.1, exponent=0.0)
    check(C.cosine_decay_schedule(**kw), optax.cosine_decay_schedule(**kw), 10)
    kw = dict(init_value=0.1, peak_value=0.73, warmup_steps=3, decay_steps=9, exponent=0.0)
    check(C.warmup_cosine_decay_schedule(**kw), optax.warmup_cosine_decay_schedule(**kw), 14)


@pytest.mark.parametrize("steps", [1, 7, 100, 337])
def test_onecycle_schedules(steps):
    kw = dict(
        transition_steps=steps,
        peak_value=0.83,
        pct_start=0.27,
        div_factor=17.0,
        final_div_factor=900.0,
    )
    check(
        C.cosine_onecycle_schedule(**kw),
        optax.cosine_onecycle_schedule(**kw),
        horizon(steps),
        "cosine",
        vectorized=False,
    )
    kw["pct_final"] = 0.71
    check(
        C.linear_onecycle_schedule(**kw),
        optax.linear_onecycle_schedule(**kw),
        horizon(steps),
        "linear",
        vectorized=False,
    )


@pytest.mark.parametrize("warmup", [0, 1, 29])
def test_warmup_constant_schedule(warmup):
    check(
        C.warmup_constant_schedule(0.01, 0.6, warmup),
        optax.warmup_constant_schedule(0.01, 0.6, warmup),
        horizon(warmup) + 3,
    )


@given(
    init=st.floats(0.0, 0.5),
    peak=st.floats(0.01, 3.0),
    warmup=st.integers(0, 60),
    decay=st.integers(1, 200),
    end_frac=st.floats(0.0, 1.2),
    exponent=st.floats(0.3, 3.0),
)
def test_warmup_cosine_decay_schedule_hypothesis(init, peak, warmup, decay, end_frac, exponent):
    kw = dict(
        init_value=init,
        peak_value=peak,
        warmup_steps=warmup,
        decay_steps=warmup + decay,
        end_value=peak * end_frac,
        exponent=exponent,
    )
    check(
        C.warmup_cosine_decay_schedule(**kw),
        optax.warmup_cosine_decay_schedule(**kw),
        horizon(warmup + decay),
    )


def test_warmup_exponential_decay_schedule():
    kw = dict(
        init_value=0.002,
        peak_value=0.4,
        warmup_steps=17,
        transition_steps=11,
        decay_rate=0.7,
        transition_begin=9,
        staircase=True,
        end_value=0.02,
    )
    check(
        C.warmup_exponential_decay_schedule(**kw),
        optax.warmup_exponential_decay_schedule(**kw),
        150,
    )
    kw.update(staircase=False, end_value=None, warmup_steps=0)
    check(
        C.warmup_exponential_decay_schedule(**kw),
        optax.warmup_exponential_decay_schedule(**kw),
        150,
    )


def test_sgdr_schedule():
    kws = [
        dict(init_value=0.0, peak_value=0.5, warmup_steps=5, decay_steps=40),
        dict(init_value=0.01, peak_value=0.3, warmup_steps=0, decay_steps=23, end_value=0.02),
        dict(init_value=0.1, peak_value=0.2, warmup_steps=7, decay_steps=61, exponent=1.7),
    ]
    check(C.sgdr_schedule(kws), optax.sgdr_schedule(kws), horizon(124))


def test_join_schedules():
    ours = C.join_schedules(
        [
            C.exponential_decay(0.5, 3, 0.9),
            C.linear_schedule(0.1, 0.4, 25),
            C.constant_schedule(0.2),
            C.cosine_decay_schedule(0.4, 30, 0.1),
        ],
        [20, 33, 33],
    )
    peer = optax.join_schedules(
        [
            optax.exponential_decay(0.5, 3, 0.9),
            optax.linear_schedule(0.1, 0.4, 25),
            optax.constant_schedule(0.2),
            optax.cosine_decay_schedule(0.4, 30, 0.1),
        ],
        [20, 33, 33],
    )
    check(ours, peer, horizon(63))


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (
            lambda: C.cosine_decay_schedule(1.0, 0),
            r"cosine_decay_schedule\(\): decay_steps must be an int >= 1",
        ),
        (
            lambda: C.exponential_decay(1.0, 10, 1.5),
            r"decay_rate > 1 grows without bound; give end_value",
        ),
        (lambda: C.exponential_decay(1.0, 10, -0.5), r"decay_rate must be >= 0"),
        (lambda: C.piecewise_constant_schedule(1.0, {5: -0.1}), r"scales must be >= 0"),
        (
            lambda: C.piecewise_interpolate_schedule("cubic", 1.0),
            r"interpolate_type must be one of",
        ),
        (
            lambda: C.piecewise_interpolate_schedule("linear", 1.0, {3: -0.5}),
            r"scales must be >= 0",
        ),
        (
            lambda: C.cosine_decay_schedule(1.0, 10, exponent=-1.0),
            r"cosine_decay_schedule\(\): exponent must be >= 0",
        ),
        (
            lambda: C.warmup_cosine_decay_schedule(0.0, 1.0, 10, 10),
            r"decay_steps must be > warmup_steps",
        ),
        (
            lambda: C.warmup_cosine_decay_schedule(0.0, 1.0, -1, 10),
            r"warmup_steps must be an int >= 0",
        ),
        (
            lambda: C.join_schedules([C.constant_schedule(1.0)], [4]),
            r"one entry fewer than schedules",
        ),
        (lambda: C.join_schedules([C.constant_schedule(1.0)] * 3, [4, 2]), r"non-decreasing"),
        (lambda: C.linear_onecycle_schedule(0, 1.0), r"transition_steps must be an int >= 1"),
    ],
)
def test_bad_arguments(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()


@pytest.mark.parametrize("bad", [1.0, [(10, 0.5)], "10"])
def test_boundaries_and_scales_must_be_a_mapping(bad):
    for fn in (C.piecewise_constant_schedule, C.piecewise_interpolate_schedule):
        args = ("linear", 0.1, bad) if fn is C.piecewise_interpolate_schedule else (0.1, bad)
        with pytest.raises(TypeError, match=r"boundaries_and_scales must be a mapping") as info:
            fn(*args)
        assert f"boundaries_and_scales={bad!r}" in str(info.value)
