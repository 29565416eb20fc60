"""Hypothesis strategies for random schedule trees, shared by the test modules.

``schedules()`` draws trees over every node type the algebra has (each primitive, both forms
of ``exp``, ``piecewise``, ``concat``, ``repeat`` with and without stretch, ``scale_by_cycle``,
the arithmetic operators, ``minimum``/``maximum``/``clip``, and the time transforms), built
through the public constructors with parameters in their valid ranges. ``finite_schedules()``
keeps those of finite duration; ``positive_schedules()`` draws schedules whose values are all
> 0 (divisors).
"""

from __future__ import annotations

from hypothesis import strategies as st

import schedalg as sa

# Values: mostly moderate floats, with the usual learning-rate magnitudes mixed in.
values = st.one_of(
    st.floats(-10.0, 10.0, allow_nan=False, allow_infinity=False),
    st.sampled_from([0.0, 1e-4, 3e-4, 0.1, 1.0]),
)
positive_values = st.one_of(
    st.floats(1e-3, 10.0, allow_nan=False, allow_infinity=False),
    st.sampled_from([1e-4, 0.1, 1.0]),
)
steps = st.integers(0, 60)
positive_steps = st.integers(1, 60)
powers = st.one_of(st.floats(0.25, 4.0), st.sampled_from([1, 2, 0.5, 1.0]))


@st.composite
def _piecewise(draw):
    bounds = sorted(
        draw(
            st.lists(
                st.one_of(st.integers(0, 80), st.integers(0, 320).map(lambda q: q / 4)),
                min_size=0,
                max_size=4,
            )
        )
    )
    vals = draw(st.lists(values, min_size=len(bounds) + 1, max_size=len(bounds) + 1))
    return sa.piecewise(bounds, vals)


@st.composite
def _exp_rate(draw):
    start = draw(positive_values)
    n = draw(st.one_of(st.none(), steps))
    if n is None:
        return sa.exp(start, rate=draw(st.floats(0.5, 1.0)))
    return sa.exp(start, rate=draw(st.floats(0.5, 1.5)), steps=n)


primitives = st.one_of(
    st.builds(sa.hold, values, st.one_of(st.none(), steps)),
    st.builds(sa.linear_ramp, values, values, steps),
    st.builds(sa.cosine, values, values, steps, powers),
    st.builds(sa.exp, positive_values, positive_values, steps),
    _exp_rate(),
    st.builds(sa.poly, values, values, steps, powers),
    st.builds(sa.triangle, values, values, steps),
    st.builds(
        sa.tanh,
        values,
        values,
        steps,
        st.one_of(st.just(-7.0), st.floats(-8.0, 0.0)),
        st.one_of(st.just(3.0), st.floats(0.0, 8.0)),
    ),
    st.builds(
        sa.inverse,
        values,
        st.one_of(st.floats(0.5, 1000.0), st.integers(1, 1000)),
        powers,
        st.one_of(st.none(), steps),
    ),
    _piecewise(),
)

positive_schedules = st.one_of(
    positive_values.map(sa.hold),
    st.builds(sa.exp, positive_values, positive_values, steps),
    st.builds(sa.linear_ramp, positive_values, positive_values, steps),
    st.builds(sa.cosine, positive_values, positive_values, steps),
)


def _finite(s):
    return s.duration is not None


def _extend(children):
    finite = children.filter(_finite)
    cyclable = children.filter(lambda s: s.duration is not None and s.duration > 0)
    operand = st.one_of(children, values)
    return st.one_of(
        st.builds(
            lambda fs, last: sa.concat(*fs, last),
            st.lists(finite, min_size=1, max_size=3),
            children,
        ),
        st.builds(sa.repeat, cyclable, st.one_of(st.none(), st.integers(2, 5))),
        st.builds(sa.repeat, cyclable, st.integers(2, 5), st.sampled_from([0.5, 1.5, 2.0, 2, 3.0])),
        st.builds(
            lambda s, f, fl: sa.scale_by_cycle(sa.repeat(s), f, floor=fl),
            cyclable,
            st.floats(0.1, 1.0),
            values,
        ),
        st.builds(
            lambda s, n, r, f: sa.scale_by_cycle(sa.repeat(s, times=n, stretch=r), f),
            cyclable,
            st.integers(2, 4),
            st.sampled_from([1.0, 2.0]),
            st.floats(0.1, 2.0),
        ),
        st.builds(sa.add, operand, operand),
        st.builds(sa.sub, operand, operand),
        st.builds(sa.mul, operand, operand),
        st.builds(sa.div, operand, positive_schedules),
        st.builds(sa.neg, children),
        st.builds(sa.minimum, operand, operand),
        st.builds(sa.maximum, operand, operand),
        st.builds(
            lambda s, lo, width, which: sa.clip(
                s, low=lo if which != 1 else None, high=lo + width if which != 0 else None
            ),
            children,
            values,
            st.floats(0.0, 5.0),
            st.integers(0, 2),
        ),
        st.builds(sa.staircase, children, st.one_of(st.integers(1, 20), st.floats(0.5, 20.0))),
        st.builds(sa.shift, children, st.one_of(st.integers(-30, 30), st.floats(-30.0, 30.0))),
        st.builds(sa.scale_time, children, st.one_of(st.integers(2, 10), st.floats(0.25, 8.0))),
        st.builds(sa.fit, cyclable, st.integers(1, 200)),
        st.builds(sa.warp, cyclable, st.floats(0.25, 4.0)),
    )


def schedules(max_leaves: int = 6):
    """Random schedule trees over every node type (a hypothesis strategy)."""
    return st.recursive(primitives, _extend, max_leaves=max_leaves)


def finite_schedules(max_leaves: int = 6):
    """Random schedule trees of finite duration."""
    return schedules(max_leaves).filter(_finite)
