"""take(schedule, steps): s(min(t, steps)), duration steps."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import evaluate, rtol_for
from schedalg import concat, cosine, exp, hold, linear_ramp, repeat, take


def test_take_golden_values(ev, backend):
    s = take(exp(2.0, rate=0.5), 3)
    ts = np.array([0, 1, 2, 3, 4, 100])
    want = 2.0 * 0.5 ** np.minimum(ts, 3)
    np.testing.assert_allclose(ev(s, ts), want, rtol=rtol_for(backend))
    assert s.duration == 3
    assert s.end_value == 0.25


def test_take_cuts_an_infinite_piece_of_a_concat(ev, backend):
    s = concat(take(exp(1.0, rate=0.9), 4), linear_ramp(1.0, 0.0, 4))
    ts = np.arange(10)
    want = [0.9**t for t in range(4)] + [1.0 - 0.25 * k for k in range(4)] + [0.0, 0.0]
    np.testing.assert_allclose(ev(s, ts), want, rtol=rtol_for(backend), atol=1e-12)
    assert s.duration == 8


def test_take_extends_a_shorter_schedule_with_its_value_at_steps():
    s = take(linear_ramp(0.0, 1.0, 4), 6) >> hold(7.0)
    assert [s(t) for t in range(8)] == [0.0, 0.25, 0.5, 0.75, 1.0, 1.0, 7.0, 7.0]


def test_take_fractional_steps():
    s = take(linear_ramp(0.0, 1.0, 10), 2.5)
    assert s(1) == pytest.approx(0.1)
    assert s(9) == pytest.approx(0.25)
    assert s.duration == 2.5


def test_take_repr_round_trips():
    from schedalg import take as _take  # noqa: F401  (eval needs the name)

    s = take(repeat(cosine(1.0, 0.1, 5)), 12)
    assert eval(repr(s)) == s


def test_take_bad_input():
    with pytest.raises(ValueError, match=r"take\(\): steps must be >= 0, got steps=-1"):
        take(hold(1.0), -1)
    with pytest.raises(TypeError, match=r"take\(\): schedule must be a schedule"):
        take(1.0, 3)


@given(
    n=st.integers(0, 50),
    ts=st.lists(st.integers(0, 200), min_size=1, max_size=20),
    rate=st.floats(0.5, 1.0),
)
def test_take_law_is_time_clamp(n, ts, rate):
    base = repeat(cosine(1.0, 0.1, 7)) * exp(1.0, rate=rate)
    s = take(base, n)
    t = np.asarray(ts)
    got = evaluate(s, t, "numpy")
    want = evaluate(base, np.minimum(t, n), "numpy")
    np.testing.assert_allclose(got, want, rtol=1e-12)
    assert [s(int(x)) for x in t] == pytest.approx(list(want), rel=1e-12)
