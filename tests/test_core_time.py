"""Time values of every dtype, at the top of their range, and schedules longer than 2**31 steps.

The documented rule (docs/concepts.md, the "Limits" table): an integer time is computed in an
integer type wide enough for it (int64 on NumPy and torch, JAX's default int), a narrow float
time in at least the default float; the only times read in floating point are unsigned ones
above the default int's maximum (uint64 above 2**63 - 1, uint32 above 2**31 - 1 on JAX without
x64), and only where the schedule has not ended by then. Expected values come from the
formulas, by hand.
"""

from __future__ import annotations

import math
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import schedalg as sa
import schedalg._arithmetic
from conftest import evaluate, rtol_for
from schedalg import concat, cosine, exp, hold, linear_ramp, repeat, shift, take

INT64_MAX = 2**63 - 1
INT32_MAX = 2**31 - 1
BY_ARG = jax.jit(lambda s, t: s(t))  # one jitted function: compiled once per structure


def at_top(t: int) -> dict[str, tuple[sa.Schedule, float]]:
    """Schedules whose value at the integer step ``t`` is known exactly, with that value."""
    return {
        "zero-step ramp": (linear_ramp(0.0, 1.0, 0), 1.0),
        # a negative shift resumes the ramp 100 steps in: min(t + 100, 300) / 300
        "shift -100": (shift(linear_ramp(0.0, 1.0, 300), -100), min(t + 100, 300) / 300),
        "shift +100": (shift(linear_ramp(0.0, 1.0, 300), 100), min(max(t - 100, 0), 300) / 300),
        "repeat": (repeat(linear_ramp(0.0, 1.0, 10)), (t % 10) / 10),
        "ramp then hold": (linear_ramp(0.0, 1.0, 50) >> hold(2.0, 50) >> hold(3.0), 3.0),
        "infinite exp": (hold(1.0, 100) >> exp(1.0, rate=0.5), 0.5 ** max(t - 100, 0)),
    }


def values(schedule, t, maker) -> float:
    return float(np.asarray(schedule(maker(t))).reshape(-1)[0])


NUMPY_INTS = [np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64]


@pytest.mark.parametrize("dtype", NUMPY_INTS, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("below", [0, 1, 3])
def test_numpy_integer_times_at_the_top_of_their_dtype(dtype, below):
    t = int(np.iinfo(dtype).max) - below
    if t > INT64_MAX:  # uint64 above int64: read as float64 (documented); see the next test
        t = INT64_MAX - below
    for name, (s, want) in at_top(t).items():
        for maker in (lambda v: np.asarray(v, dtype=dtype), lambda v: np.full(3, v, dtype=dtype)):
            assert values(s, t, maker) == pytest.approx(want, rel=1e-12, abs=1e-300), name
        assert s(t) == pytest.approx(want, rel=1e-12, abs=1e-300), name  # Python int


def test_uint64_above_int64_does_not_wrap():
    top = np.uint64(2**64 - 1)
    assert linear_ramp(0.0, 1.0, 300)(top) == 1.0  # was 0.0 (wrapped to step 0)
    assert linear_ramp(0.0, 1.0, 0)(np.array([top, 5], dtype=np.uint64)).tolist() == [1.0, 1.0]
    assert (hold(1.0, 100) >> exp(1.0, rate=0.5))(top) == 0.0
    assert shift(linear_ramp(0.0, 1.0, 300), -100)(top) == 1.0
    # Python ints of any size are exact
    assert repeat(linear_ramp(0.0, 1.0, 10))(2**64 + 3) == ((2**64 + 3) % 10) / 10


JAX_INTS = [jnp.int8, jnp.int16, jnp.int32, jnp.uint8, jnp.uint16]


@pytest.mark.parametrize("dtype", JAX_INTS, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("below", [0, 3])
def test_jax_integer_times_at_the_top_of_their_dtype(dtype, below):
    t = int(jnp.iinfo(dtype).max) - below
    for name, (s, want) in at_top(t).items():
        arr = jnp.asarray(t, dtype=dtype)
        for got in (s(arr), BY_ARG(s, arr), s(jnp.full(3, t, dtype=dtype))[1]):
            assert float(got) == pytest.approx(want, rel=2e-6, abs=1e-38), (name, dtype)


def test_jax_int32_shift_near_the_top_gives_the_end_value():
    # shift by -100 at 2**31 - 3: local step 2**31 + 97, past the 300-step ramp
    s = shift(linear_ramp(0.0, 1.0, 300), -100)
    t = jnp.asarray(INT32_MAX - 2, dtype=jnp.int32)
    assert float(s(t)) == 1.0  # was 0.0: t + 100 wrapped to a negative step
    assert float(BY_ARG(s, t)) == 1.0


def test_jax_uint32_above_int32_does_not_wrap():
    t = jnp.asarray(3_000_000_000, dtype=jnp.uint32)
    assert float(linear_ramp(0.0, 1.0, 300)(t)) == 1.0  # was 0.0
    # a schedule that has not ended by 2**31 - 1 is read there in float32
    s = hold(1.0, 2_500_000_000) >> hold(2.0)
    ts = jnp.asarray([5, 2**31 + 5, 2_400_000_000, 2_600_000_000], dtype=jnp.uint32)
    assert np.asarray(s(ts)).tolist() == [1.0, 1.0, 1.0, 2.0]
    assert float(exp(1.0, rate=0.5)(jnp.asarray(2**32 - 1, dtype=jnp.uint32))) == 0.0


TORCH_INTS = [torch.int8, torch.int16, torch.int32, torch.int64, torch.uint8]


@pytest.mark.parametrize("dtype", TORCH_INTS, ids=str)
def test_torch_integer_times_at_the_top_of_their_dtype(dtype):
    t = int(torch.iinfo(dtype).max)
    for name, (s, want) in at_top(t).items():
        got = s(torch.tensor([t, t], dtype=dtype))
        assert got.dtype == torch.float64
        assert float(got[0]) == pytest.approx(want, rel=1e-12, abs=1e-300), name


# -- float times -----------------------------------------------------------------------------------

LONG_COSINE = cosine(1.0, 0.0, 10**6)


def cos_value(t: float) -> float:
    """cosine(1.0, 0.0, 10**6) at t, by hand: (1 + cos(pi u)) / 2 with u = t / 10**6."""
    return (1 + math.cos(math.pi * min(t, 10**6) / 10**6)) / 2


FLOAT_TIMES = [0.0, 0.5, 2048.0, 65504.0, math.inf, -3.0]


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64], ids=lambda d: d.__name__)
def test_numpy_float_times_are_computed_in_float64(dtype):
    ts = np.asarray(FLOAT_TIMES, dtype=dtype)
    want = [cos_value(max(float(t), 0.0)) for t in ts]
    np.testing.assert_allclose(LONG_COSINE(ts), want, rtol=1e-12, atol=0)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32"])
def test_jax_narrow_float_times_are_computed_in_the_default_float(dtype):
    ts = jnp.asarray(FLOAT_TIMES, dtype=dtype)
    want = [cos_value(max(float(t), 0.0)) for t in np.asarray(ts, dtype=np.float64)]
    for got in (LONG_COSINE(ts), BY_ARG(LONG_COSINE, ts)):
        assert got.dtype == jnp.result_type(float)  # not float16: 1e-8 would underflow
        # at 65504 (float16's largest) float16 arithmetic gave 1.0; at inf, NaN
        np.testing.assert_allclose(np.asarray(got), want, rtol=2e-6, atol=1e-7)
    assert float(hold(1e-8)(jnp.asarray(3.0, dtype=dtype))) == pytest.approx(1e-8, rel=1e-6)


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16, torch.float32, torch.float64])
def test_torch_float_times(dtype):
    ts = torch.tensor(FLOAT_TIMES, dtype=dtype)
    want = [cos_value(max(float(t), 0.0)) for t in ts.double()]
    np.testing.assert_allclose(LONG_COSINE(ts).numpy(), want, rtol=1e-12, atol=0)


def test_python_numbers_of_any_size():
    r = repeat(linear_ramp(0.0, 1.0, 10))
    for t in (INT32_MAX, INT64_MAX, 2**64 - 1, 10**30 + 7):
        assert r(t) == (t % 10) / 10
        assert linear_ramp(0.0, 1.0, 0)(t) == 1.0
        assert shift(linear_ramp(0.0, 1.0, 300), -100)(t) == 1.0
    assert LONG_COSINE(65504.0) == pytest.approx(cos_value(65504.0), rel=1e-15)


# -- schedules longer than 2**31 steps, with int32 JAX time ----------------------------------------


def jax_paths(s: sa.Schedule, ts: list[int]) -> list[np.ndarray]:
    t = jnp.asarray(ts, dtype=jnp.int32)
    return [
        np.asarray(s(t), dtype=np.float64),
        np.asarray(BY_ARG(s, t), dtype=np.float64),
        np.asarray(jax.vmap(s)(t), dtype=np.float64),
    ]


def test_a_piece_starting_after_2_31_does_not_crash():
    s = hold(1.0, 3_000_000_000) >> repeat(cosine(1.0, 0.0, 10))
    for got in jax_paths(s, [0, 1, 2, INT32_MAX]):
        assert got.tolist() == [1.0, 1.0, 1.0, 1.0]  # was OverflowError


def test_a_piece_starting_after_2_31_as_an_optax_learning_rate():
    optax = pytest.importorskip("optax")
    s = hold(1.0, 3_000_000_000) >> repeat(cosine(1.0, 0.0, 10))
    tx = optax.sgd(learning_rate=s)
    params = {"w": jnp.zeros(2)}
    state = tx.init(params)
    updates, _ = jax.jit(tx.update)({"w": jnp.ones(2)}, state)
    assert np.asarray(updates["w"]).tolist() == [-1.0, -1.0]  # -lr * grad, lr = s(0) = 1


def test_boundaries_beyond_float32_precision_are_exact_in_int32():
    # float32 has a spacing of 128 near 2e9: int32 time read as float32 moved this boundary
    s = hold(1.0, 2_000_000_007) >> hold(2.0, 10**10) >> hold(3.0)
    for got in jax_paths(s, [2_000_000_006, 2_000_000_007, INT32_MAX]):
        assert got.tolist() == [1.0, 2.0, 2.0]


def test_progress_of_a_segment_longer_than_int32_is_exact():
    # linear_ramp(1, 0, n) at t: (n - t) / n; n = 2**31 + 4, t = 2**31 - 1: 5 / n
    n = 2**31 + 4
    ramp = linear_ramp(1.0, 0.0, n)
    late = hold(0.0, 2**31 - 11) >> linear_ramp(0.0, 1.0, 3 * 2**31)  # t - start = 10
    for got in jax_paths(ramp, [0, INT32_MAX]):
        np.testing.assert_allclose(got, [1.0, 5 / n], rtol=1e-6)  # was [1, 0]
    for got in jax_paths(late, [INT32_MAX]):
        np.testing.assert_allclose(got, [10 / (3 * 2**31)], rtol=1e-6)


def test_a_cycle_longer_than_int32_is_located_exactly():
    s = repeat(hold(1.0, 2_000_000_003) >> hold(2.0, 10**9))
    for got in jax_paths(s, [2_000_000_002, 2_000_000_003]):
        assert got.tolist() == [1.0, 2.0]


def test_a_stretched_cycle_starting_beyond_int32_is_not_reached():
    # cycles start at 0, 2**30, 3 * 2**30 (> 2**31 - 1); at 2**31 - 1 cycle 1 runs the ramp
    # at half speed: local step (2**31 - 1 - 2**30) / 2 of 2**30, value 1/2 - 2**-31
    s = repeat(linear_ramp(0.0, 1.0, 2**30), stretch=2.0)
    want = 0.5 - 2.0**-31
    assert s(INT32_MAX) == pytest.approx(want, rel=1e-15)
    for got in jax_paths(s, [INT32_MAX]):
        np.testing.assert_allclose(got, [want], rtol=1e-6)  # was 0 (cycle 2)
    short = repeat(linear_ramp(0.0, 1.0, 2**30), times=3, stretch=2.0)  # 3 cycles: a select
    for got in jax_paths(short, [INT32_MAX]):
        np.testing.assert_allclose(got, [want], rtol=1e-6)


# -- a schedule as a jit argument ------------------------------------------------------------------


def test_an_exp_rate_as_a_jit_argument_keeps_its_precision_at_large_t():
    by_arg = BY_ARG
    t = 10**6
    want = 0.999999**t  # 0.36788, by hand: exp(t * log(0.999999))
    single = exp(1.0, rate=0.999999)
    in_concat = linear_ramp(0.0, 1.0, 10) >> exp(1.0, rate=0.999999)
    assert float(by_arg(single, jnp.asarray(t))) == pytest.approx(want, rel=2e-6)  # was 1.3% off
    assert float(by_arg(in_concat, jnp.asarray(t + 10))) == pytest.approx(want, rel=2e-6)
    stacked = jax.tree.map(lambda *x: jnp.stack(x), single, exp(2.0, rate=0.999998))
    got = jax.vmap(lambda s: s(jnp.asarray(t)))(stacked)
    np.testing.assert_allclose(np.asarray(got), [want, 2 * 0.999998**t], rtol=2e-6)


def test_a_rebuilt_exp_prints_and_saves_the_rate_it_was_given():
    # a rate whose log does not map back to it in float64
    rate = next(r for r in (0.1 + k * 1e-3 for k in range(1000)) if math.exp(math.log(r)) != r)
    s = linear_ramp(0.0, 1.0, 10) >> exp(1.0, rate=rate, steps=50)
    rebuilt = jax.tree.map(lambda x: x, s)
    assert (
        repr(rebuilt)
        == repr(s)
        == f"linear_ramp(0.0, 1.0, 10) >> exp(1.0, rate={rate!r}, steps=50)"
    )
    assert rebuilt == s and sa.parse(repr(rebuilt)) == s
    assert sa.to_json(rebuilt) == sa.to_json(s)
    assert sa.to_dict(exp(1.0, rate=rate))["rate"] == rate


# -- x64 -------------------------------------------------------------------------------------------


def test_under_x64_int64_uint64_float16_and_jit_arguments():
    code = """
        import math
        import jax
        jax.config.update("jax_enable_x64", True)
        import jax.numpy as jnp
        from schedalg import exp, hold, linear_ramp, repeat, shift, cosine
        top = 2**63 - 1
        t = jnp.asarray(top, dtype=jnp.int64)
        resumed = shift(linear_ramp(0.0, 1.0, 300), -100)
        print(float(linear_ramp(0.0, 1.0, 0)(t)), float(resumed(t)))
        print(float(repeat(linear_ramp(0.0, 1.0, 10))(t)))
        u = jnp.asarray(2**64 - 1, dtype=jnp.uint64)
        late = hold(1.0, 100) >> exp(1.0, rate=0.5)
        print(float(linear_ramp(0.0, 1.0, 300)(u)), float(late(u)))
        print(float(cosine(1.0, 0.0, 10**6)(jnp.asarray(65504, dtype=jnp.float16))))
        got = jax.jit(lambda s, t: s(t))(exp(1.0, rate=0.999999), jnp.asarray(10**6))
        print(got.dtype, float(got))
        """
    out = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    lines = out.stdout.split("\n")
    assert lines[0].split() == ["1.0", "1.0"]
    assert float(lines[1]) == pytest.approx(0.7, rel=1e-12)  # (2**63 - 1) % 10 = 7
    assert lines[2].split() == ["1.0", "0.0"]
    assert float(lines[3]) == pytest.approx(cos_value(65504.0), rel=1e-12)
    dtype, value = lines[4].split()
    assert dtype == "float64" and float(value) == pytest.approx(0.999999**10**6, rel=1e-12)


# -- the limits table (docs/concepts.md) -----------------------------------------------------------


def limits_table() -> dict[str, str]:
    concepts = (Path(__file__).resolve().parents[1] / "docs" / "concepts.md").read_text()
    section = concepts.split("\n## Limits\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ")]
    return {cells[0]: cells[1] for cells in (re.split(r"\s*\|\s*", r.strip("| ")) for r in rows)}


def test_the_limits_table_states_the_edges_tested_here():
    table = limits_table()
    time_rows = {k: v for k, v in table.items() if k.startswith("Integer time")}
    joined = " ".join(time_rows.values())
    for edge in ("2**63 - 1", "2**31 - 1", "uint64", "uint32"):
        assert edge in joined, edge
    assert "float32" in table["Leaves of a `jit` argument"]
    assert "log" in table["Leaves of a `jit` argument"]


def test_a_per_cycle_factor_near_one_keeps_its_precision_over_many_cycles():
    # cycle k of a 1-step repeat is factor**k; at k = 10**5, 0.9999**k = 4.5377e-5
    s = sa.scale_by_cycle(repeat(hold(1.0, 1)), 0.9999)
    want = 0.9999**100_000
    assert s(100_000) == pytest.approx(want, rel=1e-12)
    got = float(s(jnp.asarray(100_000)))  # was 0.5% off: log of the float32-rounded factor
    assert got == pytest.approx(want, rel=2e-6)


def test_past_the_integer_maximum_a_schedule_ending_in_a_hold_holds_it():
    resumed = shift(linear_ramp(0.0, 1.0, 300) >> hold(2.0), -100)
    assert float(resumed(jnp.asarray(INT32_MAX - 2, dtype=jnp.int32))) == 2.0
    assert float(resumed(np.int64(INT64_MAX - 2))) == 2.0
    warm = linear_ramp(0.0, 1.0, 10) >> hold(3.0)
    assert float(warm(jnp.asarray(2**32 - 1, dtype=jnp.uint32))) == 3.0


def test_past_the_integer_maximum_a_changing_schedule_saturates_on_jax():
    # the documented limit: int32 time is at most 2**31 - 1, and so is a shifted time on JAX
    s = shift(repeat(linear_ramp(0.0, 1.0, 10)), -100)
    got = float(s(jnp.asarray(INT32_MAX - 2, dtype=jnp.int32)))
    assert got == pytest.approx((INT32_MAX % 10) / 10, rel=1e-6)
    # NumPy reads the few int64 elements beyond 2**63 - 1 as float64: a value in range
    out = s(np.asarray([5, INT64_MAX - 2], dtype=np.int64))
    assert out[0] == 0.5 and 0.0 <= out[1] <= 1.0


# -- integral float lengths are ints (issue 9, item 3) --------------------------------------------


def test_an_integral_float_block_length_keeps_exact_integer_time(ev):
    s = sa.staircase(sa.linear_ramp(1, 0, 10), 5.0) >> sa.hold(1.0, 10**9) >> sa.hold(2.0)
    assert repr(s).startswith("staircase(linear_ramp(1.0, 0.0, 10), 5) >> ")
    # The staircase lasts 10 steps, the hold 10**9: 1.0 up to step 10**9 + 9, then 2.0.
    ts = np.arange(10**9, 10**9 + 12)
    np.testing.assert_array_equal(ev(s, ts), [1.0] * 10 + [2.0] * 2)


def test_integral_float_lengths_become_ints_and_fractional_ones_stay_floats():
    c = sa.linear_ramp(1.0, 0.0, 10)
    assert type(sa.staircase(c, 5.0).every) is int
    assert type(sa.shift(c, 5.0).steps) is int and sa.shift(c, -3.0).duration == 7
    assert type(sa.take(c, 4.0).steps) is int
    assert sa.piecewise([10.0, 20.0], [1.0, 2.0, 3.0]).boundaries == (10, 20)
    assert all(type(b) is int for b in sa.piecewise([10.0, 20.0], [1.0, 2.0, 3.0]).boundaries)
    assert type(sa.fit(c, 20.0).duration) is int
    # Genuinely fractional lengths keep their float meaning.
    assert sa.staircase(c, 2.5).every == 2.5 and sa.staircase(c, 2.5)(4.9) == 0.75
    assert sa.shift(c, 2.5).duration == 12.5 and sa.shift(c, 2.5)(3.5) == 0.9
    # A sum of fractional lengths that is a whole number is an int again (4 * 2.5 = 10).
    assert type(sa.staircase(c, 2.5).duration) is int and sa.staircase(c, 2.5).duration == 10
    s = sa.shift(c, 2.5) >> sa.take(sa.hold(5.0), 2.5) >> sa.hold(7.0)
    assert s._starts() == [0, 12.5, 15] and type(s._starts()[2]) is int
    assert (s(14.9), s(15)) == (5.0, 7.0)


# -- take(schedule, steps): s(min(t, steps)), duration steps -------------------------------------

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


# -- the JAX time conversion ---------------------------------------------------------------------


@pytest.mark.parametrize("dtype", ["uint8", "uint16", "uint32", "int8", "int16"])
def test_narrow_and_unsigned_times_on_the_traced_path(dtype):
    """Unsigned JAX times are read as the signed steps they hold; bools are refused."""
    jnp = pytest.importorskip("jax.numpy")
    s = sa.linear_ramp(0.0, 1.0, 100) >> sa.cosine(1.0, 0.0, 100)
    ts = np.arange(0, 120, 7)
    got = np.asarray(s(jnp.asarray(ts.astype(dtype))), dtype=np.float64)
    want = np.array([s(int(t)) for t in ts])
    np.testing.assert_allclose(got, want, rtol=2e-6, atol=1e-7)


def test_bool_times_are_refused_on_the_traced_path():
    jnp = pytest.importorskip("jax.numpy")
    with pytest.raises(TypeError, match="t must hold real numbers, got dtype bool"):
        sa.hold(1.0)(jnp.asarray([True, False]))
