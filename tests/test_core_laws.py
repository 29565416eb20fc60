"""The algebra's laws, over random schedule trees (hypothesis)."""

from __future__ import annotations

import math
import pickle

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from strategies import finite_schedules, schedules, values

import schedalg as sa
from schedalg import *  # noqa: F403  (repr must eval in this namespace)


def probe_steps(s: sa.Schedule) -> np.ndarray:
    d = s.duration if s.duration is not None else 200
    hi = math.ceil(d) + 5
    return np.unique(np.concatenate([np.arange(0, min(hi, 400)), [hi, 2 * hi, 10 * hi]]))


def values_of(s: sa.Schedule, ts: np.ndarray) -> np.ndarray:
    return np.array([s(t.item()) for t in np.asarray(ts)])


def close(a: np.ndarray, b: np.ndarray, rtol: float = 1e-9, atol: float = 1e-9) -> None:
    np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)


@given(finite_schedules(), finite_schedules(), schedules())
def test_concat_is_associative(a, b, c):
    left = sa.concat(sa.concat(a, b), c)
    right = sa.concat(a, sa.concat(b, c))
    assert left == right
    assert hash(left) == hash(right)
    ts = probe_steps(left)
    close(values_of(left, ts), values_of(right, ts))


@given(schedules(), finite_schedules(), values)
def test_zero_step_hold_is_the_identity_of_concat(s, f, v):
    assert sa.concat(sa.hold(v, 0), s) == s
    assert sa.concat(f, sa.hold(v, 0)) == f
    assert sa.concat(s) is s


@given(finite_schedules(), schedules())
def test_concat_places_the_second_piece_after_the_first(a, b):
    s = a >> b
    d = a.duration
    ts = probe_steps(s)
    want = np.where(ts < d, values_of(a, ts), values_of(b, np.maximum(ts - d, 0)))
    # the first piece is evaluated only before its end
    close(values_of(s, ts), want)


@given(schedules())
def test_times_one_is_a_no_op(s):
    assert (s * 1.0)(3) == s(3)
    ts = probe_steps(s)
    close(values_of(s * 1, ts), values_of(s, ts), rtol=0, atol=0)
    close(values_of(s + 0.0, ts), values_of(s, ts), rtol=0, atol=0)


@given(finite_schedules())
def test_repeat_once_runs_the_schedule(s):
    ts = probe_steps(s)
    for once in (sa.repeat(s, times=1), sa.repeat(s, times=1, stretch=3.0)):
        # A repeat node of one cycle (scale_by_cycle applies to it) with the values of s.
        assert type(once).__name__ == "Repeat" and once.duration == s.duration
        close(values_of(once, ts), values_of(s, ts), rtol=0, atol=0)
        close(once(ts), s(ts), rtol=0, atol=0)


@given(finite_schedules(), st.integers(2, 5), st.sampled_from([1.0, 2.0, 1.5]))
def test_scale_by_cycle_by_one_is_a_no_op(s, n, r):
    rep = sa.repeat(s, times=n, stretch=r)
    scaled = sa.scale_by_cycle(rep, 1.0, floor=0.3)
    ts = probe_steps(rep)
    close(values_of(scaled, ts), values_of(rep, ts), rtol=1e-12, atol=1e-12)


@given(finite_schedules(), st.integers(2, 4))
def test_repeat_runs_the_schedule_each_cycle(s, n):
    rep = sa.repeat(s, times=n)
    d = s.duration
    ts = probe_steps(rep)
    k = np.minimum(np.floor(ts / d), n - 1)
    close(values_of(rep, ts), values_of(s, ts - k * d))


@given(schedules())
def test_backends_agree(s):
    import jax.numpy as jnp

    ts = probe_steps(s)
    py = values_of(s, ts)
    npv = s(ts)
    close(npv, py, rtol=1e-9, atol=1e-9)
    jv = np.asarray(s(jnp.asarray(ts, dtype=jnp.int32)), dtype=np.float64)
    scale = max(1.0, float(np.max(np.abs(py))))
    # float32: relative to the schedule's magnitude (differences of large terms cancel)
    np.testing.assert_allclose(jv, py, rtol=2e-5, atol=2e-5 * scale)


@given(schedules())
def test_values_stay_in_the_static_range(s):
    lo, hi = s._range()
    ts = probe_steps(s)
    v = values_of(s, ts)
    slack = 1e-9 * max(1.0, abs(lo), abs(hi))
    assert np.all(v >= lo - slack) and np.all(v <= hi + slack)


@given(
    st.sampled_from(["linear_ramp", "cosine", "exp", "poly"]),
    st.floats(0.01, 10),
    st.floats(0.01, 10),
    st.integers(1, 100),
)
def test_monotone_primitives_stay_between_their_endpoints(kind, a, b, n):
    s = getattr(sa, kind)(a, b, n)
    v = values_of(s, np.arange(0, n + 3))
    lo, hi = min(a, b), max(a, b)
    assert np.all(v >= lo * (1 - 1e-12)) and np.all(v <= hi * (1 + 1e-12))
    assert np.all(np.diff(v) * np.sign(b - a) >= -1e-12 * hi)


@given(finite_schedules(), finite_schedules())
def test_joins_are_continuous_where_values_match(a, b):
    # shift b so that it starts where a ends: the join is then continuous in fractional time
    b = b - b(0) + a.end_value
    s = a >> b
    d = a.duration
    left = s(d - 1e-7) if d >= 1 else s(d)
    # the formulas are continuous in t, so just before the join the value is a's end value
    # up to the slope times 1e-7 (bounded for these parameter ranges)
    assert abs(s(d) - a.end_value) <= 1e-9 * max(1.0, abs(a.end_value))
    scale = max(1.0, abs(a.end_value), *(abs(x) for x in a._range()))
    if not isinstance(a, (sa._time_maps.Staircase, sa._cycles.Repeat)) and not any(
        isinstance(n, (sa._time_maps.Staircase, sa._primitives.Piecewise, sa._cycles.Repeat))
        for n in _nodes(a)
    ):
        assert abs(left - s(d)) <= 1e-3 * scale


def _nodes(s):
    yield s
    kids = s.pieces if isinstance(s, sa._concat.Concat) else s._children()
    for c in kids:
        yield from _nodes(c)


@given(schedules())
def test_repr_round_trips(s):
    again = eval(repr(s))
    assert again == s
    assert repr(again) == repr(s)


@given(schedules())
def test_pytree_round_trip(s):
    import jax

    leaves, treedef = jax.tree.flatten(s)
    back = jax.tree.unflatten(treedef, leaves)
    assert back == s
    ts = probe_steps(s)
    close(values_of(back, ts), values_of(s, ts), rtol=0, atol=0)
    # same structure, same treedef: a jit cache hit
    assert jax.tree.structure(back) == treedef


@given(schedules())
def test_hash_eq_and_pickle(s):
    twin = eval(repr(s))
    assert hash(twin) == hash(s)
    assert {s: 1}[twin] == 1
    assert pickle.loads(pickle.dumps(s)) == s
    assert s != s + 1.0


@given(schedules())
def test_no_nan_or_inf_anywhere(s):
    ts = np.array([0, 1, 10**6, 10**9, 10**12], dtype=np.int64)
    assert np.all(np.isfinite(s(ts)))
    assert np.all(np.isfinite(s(ts.astype(np.float64) + 0.5)))
    assert all(math.isfinite(s(int(t))) for t in ts)
    import jax.numpy as jnp

    assert np.all(np.isfinite(np.asarray(s(jnp.asarray([0.0, 1e6, 1e9, 1e12], jnp.float32)))))


@given(schedules(), st.integers(0, 2**32 - 1), st.booleans())
def test_sorted_and_shuffled_times_agree(s, seed, integer):
    """NumPy evaluates sorted times slice by slice; any order must give the same values."""
    d = s.duration if s.duration is not None else 300
    ts = np.linspace(0, 2 * d + 10, 1500)
    if integer:
        ts = np.round(ts).astype(np.int64)
    perm = np.random.default_rng(seed).permutation(ts.size)
    close(s(ts[perm]), s(ts)[perm], rtol=1e-12, atol=1e-12)
    close(s(np.sort(ts)), values_of(s, np.sort(ts)))
