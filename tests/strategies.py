"""hypothesis strategies for random schedule trees covering every node type.

``finite_schedules()`` builds only finite schedules of positive duration (usable as any piece
of a concat or as the body of a repeat); ``schedules()`` adds infinite ones.
"""

from __future__ import annotations

from hypothesis import strategies as st

import schedalg as sa

values = st.floats(-10, 10, allow_nan=False, allow_infinity=False, width=64)
positive = st.floats(0.01, 10, allow_nan=False, allow_infinity=False)
steps = st.integers(1, 40)
powers = st.sampled_from([1.0, 0.5, 2.0, 1.5])


def _segments() -> st.SearchStrategy:
    return st.one_of(
        st.builds(sa.hold, values, steps),
        st.builds(sa.linear_ramp, values, values, steps),
        st.builds(sa.cosine, values, values, steps, powers),
        st.builds(sa.exp, positive, positive, steps),
        st.builds(
            lambda s, r, n: sa.exp(s, rate=r, steps=n),
            positive,
            st.floats(0.5, 1.5),
            st.integers(1, 30),
        ),
        st.builds(sa.poly, values, values, steps, powers),
        st.builds(sa.triangle, values, values, steps),
        st.builds(
            lambda s, e, n, lo, hi: sa.tanh(s, e, n, lower=lo, upper=hi),
            values,
            values,
            steps,
            st.floats(-8, 0),
            st.floats(0.5, 5),
        ),
        st.builds(
            lambda s, sc, p, n: sa.inverse(s, sc, p, n),
            values,
            st.floats(0.5, 50),
            powers,
            steps,
        ),
        st.builds(
            lambda gaps, vals: sa.piecewise(
                [sum(gaps[: i + 1]) for i in range(len(gaps))], vals[: len(gaps) + 1]
            ),
            st.lists(st.integers(1, 10), min_size=1, max_size=5),
            st.lists(values, min_size=6, max_size=6),
        ),
    )


def _combine(children: st.SearchStrategy) -> st.SearchStrategy:
    return st.one_of(
        st.lists(children, min_size=2, max_size=4).map(lambda xs: sa.concat(*xs)),
        st.builds(
            lambda s, n, r: sa.repeat(s, times=n, stretch=r),
            children,
            st.integers(2, 4),
            st.sampled_from([1.0, 2.0, 1.5, 0.5]),
        ),
        st.builds(
            lambda s, n, f, fl: sa.scale_by_cycle(sa.repeat(s, times=n), f, fl),
            children,
            st.integers(2, 4),
            st.floats(0.3, 1.0),
            values,
        ),
        st.builds(sa.add, children, children),
        st.builds(sa.sub, children, values),
        st.builds(sa.mul, children, st.one_of(children, values)),
        st.builds(sa.div, children, st.floats(0.5, 4)),
        st.builds(sa.minimum, children, children),
        st.builds(sa.maximum, children, children),
        st.builds(sa.neg, children),
        st.builds(lambda s, a, b: sa.clip(s, min(a, b), max(a, b)), children, values, values),
        st.builds(sa.staircase, children, st.integers(1, 7)),
        st.builds(sa.shift, children, st.integers(-5, 15)).filter(lambda s: s.duration),
        st.builds(sa.scale_time, children, st.sampled_from([2, 3, 0.5, 2.5])),
        st.builds(sa.warp, children, st.sampled_from([0.5, 2.0, 1.7])),
    )


def finite_schedules(max_leaves: int = 6) -> st.SearchStrategy:
    return st.recursive(_segments(), _combine, max_leaves=max_leaves)


def _infinite_tail() -> st.SearchStrategy:
    return st.one_of(
        st.builds(sa.hold, values),
        st.builds(lambda s, r: sa.exp(s, rate=r), positive, st.floats(0.5, 1.0)),
        st.builds(lambda s, sc, p: sa.inverse(s, sc, p), values, st.floats(0.5, 50), powers),
    )


def schedules(max_leaves: int = 6) -> st.SearchStrategy:
    """Finite or infinite schedules (infinite ones end in an infinite piece or cycle)."""
    fin = finite_schedules(max_leaves)
    return st.one_of(
        fin,
        st.builds(lambda a, b: sa.concat(a, b), fin, _infinite_tail()),
        st.builds(lambda s, r: sa.repeat(s, stretch=r), fin, st.sampled_from([1.0, 2.0, 1.5])),
        st.builds(lambda s, f: sa.scale_by_cycle(sa.repeat(s), f), fin, st.floats(0.3, 1.0)),
    )
