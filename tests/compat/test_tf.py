"""Parity with TensorFlow's decays, from the formulas of TF's published source.

TensorFlow is not installed here, so each peer is transcribed below in NumPy float64 from its
source: ``tensorflow/python/keras/optimizer_v2/learning_rate_schedule.py`` and
``legacy_learning_rate_decay.py`` (TF1 ``tf.compat.v1.train.*``), and tensorflow/models
``research/object_detection/utils/learning_schedules.py``. Every run covers the schedule's
length plus at least 20%.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from _parity import assert_parity

from schedalg.compat import tf as C


def check(ours, want, what=""):
    k = np.arange(len(want))
    assert_parity(ours(k), want, what=f"{what} numpy")
    assert_parity([ours(int(i)) for i in k], want, what=f"{what} python")


def steps(n):
    return np.arange(math.ceil(n * 1.2) + 2, dtype=np.float64)


# -- TF1 formulas (learning_rate_schedule.py, as the legacy functions call them) -------------


def tf_exponential_decay(lr, step, decay_steps, decay_rate, staircase):
    p = step / decay_steps
    if staircase:
        p = np.floor(p)
    return lr * np.power(decay_rate, p)


def tf_inverse_time_decay(lr, step, decay_steps, decay_rate, staircase):
    p = step / decay_steps
    if staircase:
        p = np.floor(p)
    return lr / (1.0 + decay_rate * p)


def tf_piecewise_constant(step, boundaries, values):
    out = (step <= boundaries[0]) * values[0] + (step > boundaries[-1]) * values[-1]
    for low, high, v in zip(boundaries[:-1], boundaries[1:], values[1:-1], strict=True):
        out = out + ((step > low) & (step <= high)) * v
    return out


def tf_polynomial_decay(lr, step, decay_steps, end, power, cycle):
    if cycle:
        mult = np.where(step == 0, 1.0, np.ceil(step / decay_steps))
        d = decay_steps * mult
    else:
        step = np.minimum(step, decay_steps)
        d = decay_steps
    p = step / d
    return (lr - end) * np.power(1 - p, power) + end


def tf_cosine_decay(lr, step, decay_steps, alpha):
    step = np.minimum(step, decay_steps)
    c = 0.5 * (1.0 + np.cos(math.pi * step / decay_steps))
    return lr * ((1 - alpha) * c + alpha)


def tf_cosine_decay_restarts(lr, step, first, t_mul, m_mul, alpha):
    frac = step / first
    if t_mul == 1.0:
        i = np.floor(frac)
        frac = frac - i
    else:
        i = np.floor(np.log(1.0 - frac * (1.0 - t_mul)) / np.log(t_mul))
        sum_r = (1.0 - t_mul**i) / (1.0 - t_mul)
        frac = (frac - sum_r) / t_mul**i
    c = 0.5 * m_mul**i * (1.0 + np.cos(math.pi * frac))
    return lr * ((1 - alpha) * c + alpha)


def tf_linear_cosine_decay(lr, step, decay_steps, num_periods, alpha, beta):
    step = np.minimum(step, decay_steps)
    linear = (decay_steps - step) / decay_steps
    fraction = 2.0 * num_periods * step / decay_steps
    c = 0.5 * (1.0 + np.cos(math.pi * fraction))
    return lr * ((alpha + linear) * c + beta)


# -- TF Object Detection API formulas --------------------------------------------------------


def od_manual_stepping(step, boundaries, rates, warmup):
    boundaries, rates = list(boundaries), list(rates)
    if warmup and boundaries:
        slope = (rates[1] - rates[0]) * 1.0 / boundaries[0]
        warm = list(range(boundaries[0]))
        warm_rates = [rates[0] + slope * s for s in warm]
        boundaries = warm + boundaries
        rates = warm_rates + rates[1:]
    else:
        boundaries = [0, *boundaries]
    b = np.asarray(boundaries)
    index = np.max(np.where(step[:, None] >= b[None, :], np.arange(len(b))[None, :], 0), axis=1)
    return np.asarray(rates)[index]


def od_exponential_decay_with_burnin(
    step, base, decay_steps, factor, burnin_lr, burnin_steps, min_lr, staircase
):
    if burnin_lr == 0:
        burnin_lr = base
    post = tf_exponential_decay(base, step - burnin_steps, decay_steps, factor, staircase)
    return np.maximum(np.where(step < burnin_steps, burnin_lr, post), min_lr)


def od_cosine_decay_with_warmup(step, base, total, warmup_lr, warmup_steps, hold):
    lr = (
        0.5
        * base
        * (1 + np.cos(np.pi * (step - warmup_steps - hold) / float(total - warmup_steps - hold)))
    )
    if hold > 0:
        lr = np.where(step > warmup_steps + hold, lr, base)
    if warmup_steps > 0:
        slope = (base - warmup_lr) / warmup_steps
        lr = np.where(step < warmup_steps, slope * step + warmup_lr, lr)
    return np.where(step > total, 0.0, lr)


# -- tests ------------------------------------------------------------------------------------


@pytest.mark.parametrize("staircase", [False, True])
@pytest.mark.parametrize(("decay_steps", "rate"), [(1, 0.9), (17, 0.41), (6.5, 0.77)])
def test_exponential_decay(staircase, decay_steps, rate):
    t = steps(200)
    want = tf_exponential_decay(0.33, t, decay_steps, rate, staircase)
    check(C.exponential_decay(0.33, decay_steps, rate, staircase=staircase), want)


@pytest.mark.parametrize("staircase", [False, True])
@pytest.mark.parametrize(("decay_steps", "rate"), [(1, 0.05), (13, 0.7), (4.5, 2.2)])
def test_natural_exp_decay(staircase, decay_steps, rate):
    t = steps(150)
    # TF1: ExponentialDecay with the factor exp(-decay_rate).
    want = tf_exponential_decay(0.81, t, decay_steps, math.exp(-rate), staircase)
    check(C.natural_exp_decay(0.81, decay_steps, rate, staircase=staircase), want)


@pytest.mark.parametrize("staircase", [False, True])
def test_inverse_time_decay(staircase):
    t = steps(300)
    want = tf_inverse_time_decay(0.6, t, 7.0, 0.37, staircase)
    check(C.inverse_time_decay(0.6, 7.0, 0.37, staircase=staircase), want)


def test_piecewise_constant():
    bs, vs = [3, 17, 18, 40], [0.9, 0.3, 0.77, 0.05, 0.002]
    check(C.piecewise_constant(bs, vs), tf_piecewise_constant(steps(40), bs, vs))


@pytest.mark.parametrize("cycle", [False, True])
@pytest.mark.parametrize(("decay_steps", "power"), [(1, 1.0), (19, 0.5), (12, 2.7)])
def test_polynomial_decay(cycle, decay_steps, power):
    t = steps(4 * decay_steps if cycle else decay_steps)
    want = tf_polynomial_decay(0.44, t, decay_steps, 0.006, power, cycle)
    check(C.polynomial_decay(0.44, decay_steps, 0.006, power=power, cycle=cycle), want)


@pytest.mark.parametrize("alpha", [0.0, 0.17])
def test_cosine_decay(alpha):
    t = steps(83)
    check(C.cosine_decay(0.5, 83, alpha=alpha), tf_cosine_decay(0.5, t, 83, alpha))


@pytest.mark.parametrize(
    ("first", "t_mul", "m_mul", "alpha"),
    [(9, 2.0, 1.0, 0.0), (10, 1.0, 0.7, 0.1), (6, 1.5, 0.85, 0.02), (4, 3.0, 0.5, 0.0)],
)
def test_cosine_decay_restarts(first, t_mul, m_mul, alpha):
    t = steps(sum(first * t_mul**i for i in range(3)))
    want = tf_cosine_decay_restarts(0.9, t, first, t_mul, m_mul, alpha)
    ours = C.cosine_decay_restarts(0.9, first, t_mul=t_mul, m_mul=m_mul, alpha=alpha)
    check(ours, want)


@pytest.mark.parametrize(
    ("num_periods", "alpha", "beta"),
    [(0.5, 0.0, 0.001), (2.0, 0.1, 0.01), (1.3, 0.0, 0.0), (0.0, 0.2, 0.003)],
)
def test_linear_cosine_decay(num_periods, alpha, beta):
    t = steps(97)
    want = tf_linear_cosine_decay(0.3, t, 97, num_periods, alpha, beta)
    check(C.linear_cosine_decay(0.3, 97, num_periods=num_periods, alpha=alpha, beta=beta), want)


@pytest.mark.parametrize("warmup", [False, True])
def test_manual_stepping(warmup):
    bs, rs = [7, 20, 21, 45], [0.001, 0.5, 0.25, 0.6, 0.01]
    t = steps(45)
    check(C.manual_stepping(bs, rs, warmup=warmup), od_manual_stepping(t, bs, rs, warmup))


@pytest.mark.parametrize(
    "kw",
    [
        dict(burnin_learning_rate=0.0, burnin_steps=0, min_learning_rate=0.0, staircase=True),
        dict(burnin_learning_rate=0.02, burnin_steps=11, min_learning_rate=0.05, staircase=True),
        dict(burnin_learning_rate=0.0, burnin_steps=6, min_learning_rate=0.0, staircase=False),
    ],
)
def test_exponential_decay_with_burnin(kw):
    t = steps(160)
    want = od_exponential_decay_with_burnin(
        t,
        0.4,
        13,
        0.7,
        kw["burnin_learning_rate"],
        kw["burnin_steps"],
        kw["min_learning_rate"],
        kw["staircase"],
    )
    check(C.exponential_decay_with_burnin(0.4, 13, 0.7, **kw), want)


@pytest.mark.parametrize(("warmup_steps", "hold"), [(0, 0), (13, 0), (0, 9), (13, 9), (1, 1)])
def test_cosine_decay_with_warmup(warmup_steps, hold):
    t = steps(71)
    want = od_cosine_decay_with_warmup(t, 0.6, 71, 0.004, warmup_steps, hold)
    ours = C.cosine_decay_with_warmup(
        0.6,
        71,
        warmup_learning_rate=0.004,
        warmup_steps=warmup_steps,
        hold_base_rate_steps=hold,
    )
    check(ours, want)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (
            lambda: C.exponential_decay(0.1, 10, 1.2),
            r"exponential_decay\(\): decay_rate must give a factor",
        ),
        (
            lambda: C.exponential_decay(-0.1, 10, 0.5),
            r"learning_rate must be >= 0, got learning_rate=-0.1",
        ),
        (lambda: C.natural_exp_decay(0.1, 10, -1.0), r"decay_rate must be >= 0"),
        (
            lambda: C.polynomial_decay(0.1, 0),
            r"polynomial_decay\(\): decay_steps must be an int >= 1",
        ),
        (lambda: C.linear_cosine_decay(0.1, 10, num_periods=-1.0), r"num_periods must be >= 0"),
        (lambda: C.manual_stepping([5, 5], [0.1, 0.2, 0.3]), r"strictly increasing"),
        (
            lambda: C.manual_stepping([0, 5], [0.1, 0.2, 0.3]),
            r"boundaries\[0\] must be an int >= 1",
        ),
        (lambda: C.manual_stepping([5], [0.1]), r"one more entry than boundaries"),
        (
            lambda: C.exponential_decay_with_burnin(0.1, 10, 1.5),
            r"learning_rate_decay_factor must give",
        ),
        (
            lambda: C.cosine_decay_with_warmup(0.1, 10, warmup_learning_rate=0.2),
            r"learning_rate_base must be >= warmup_learning_rate",
        ),
        (
            lambda: C.cosine_decay_with_warmup(0.1, 10, warmup_steps=6, hold_base_rate_steps=4),
            r"total_steps must be > warmup_steps \+ hold_base_rate_steps",
        ),
    ],
)
def test_bad_arguments(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()
