"""hypothesis strategies for random schedule trees covering every node type.

``finite_schedules()`` builds only finite schedules of positive duration (usable as any piece
of a concat or as the body of a repeat); ``schedules()`` adds infinite ones.
``wide_schedules()`` adds the edge cases (0-step pieces, constants as operands, int powers,
``fit``, fractional boundaries and step counts); ``all_schedules()`` draws from both.
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


def _shift_keeping_duration(s, steps):
    """shift(s, steps), or s itself where that shift would leave nothing (duration 0)."""
    shifted = sa.shift(s, steps)
    return shifted if shifted.duration else s


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
        # (No .filter here: a retried filter builds this strategy's repr, tens of kB, and
        # hypothesis warns about that, an error under the suite's warning filter.)
        st.builds(_shift_keeping_duration, children, st.integers(-5, 15)),
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


# -- wide trees: every node type with its edge cases ---------------------------------------------
#
# ``wide_schedules()`` also draws what the strategies above leave out: 0-step pieces (and so
# schedules of duration 0), constants as operands, int powers and shifts, float step counts
# for staircase / shift / scale_time, ``fit``, float piecewise boundaries and infinite pieces
# anywhere they are allowed. Used by the io, parse and analysis tests.

# Values: mostly moderate floats, with the usual learning-rate magnitudes mixed in.
_w_values = st.one_of(
    st.floats(-10.0, 10.0, allow_nan=False, allow_infinity=False),
    st.sampled_from([0.0, 1e-4, 3e-4, 0.1, 1.0]),
)
_w_positive_values = st.one_of(
    st.floats(1e-3, 10.0, allow_nan=False, allow_infinity=False),
    st.sampled_from([1e-4, 0.1, 1.0]),
)
_w_steps = st.integers(0, 60)
_w_positive_steps = st.integers(1, 60)
_w_powers = st.one_of(st.floats(0.25, 4.0), st.sampled_from([1, 2, 0.5, 1.0]))


@st.composite
def _w_piecewise(draw):
    bounds = sorted(
        draw(
            st.lists(
                st.one_of(st.integers(0, 80), st.integers(0, 320).map(lambda q: q / 4)),
                min_size=0,
                max_size=4,
            )
        )
    )
    vals = draw(st.lists(_w_values, min_size=len(bounds) + 1, max_size=len(bounds) + 1))
    return sa.piecewise(bounds, vals)


@st.composite
def _w_exp_rate(draw):
    start = draw(_w_positive_values)
    n = draw(st.one_of(st.none(), _w_steps))
    if n is None:
        return sa.exp(start, rate=draw(st.floats(0.5, 1.0)))
    return sa.exp(start, rate=draw(st.floats(0.5, 1.5)), steps=n)


_w_primitives = st.one_of(
    st.builds(sa.hold, _w_values, st.one_of(st.none(), _w_steps)),
    st.builds(sa.linear_ramp, _w_values, _w_values, _w_steps),
    st.builds(sa.cosine, _w_values, _w_values, _w_steps, _w_powers),
    st.builds(sa.exp, _w_positive_values, _w_positive_values, _w_steps),
    _w_exp_rate(),
    st.builds(sa.poly, _w_values, _w_values, _w_steps, _w_powers),
    st.builds(sa.triangle, _w_values, _w_values, _w_steps),
    st.builds(
        sa.tanh,
        _w_values,
        _w_values,
        _w_steps,
        st.one_of(st.just(-7.0), st.floats(-8.0, 0.0)),
        st.one_of(st.just(3.0), st.floats(0.0, 8.0)),
    ),
    st.builds(
        sa.inverse,
        _w_values,
        st.one_of(st.floats(0.5, 1000.0), st.integers(1, 1000)),
        _w_powers,
        st.one_of(st.none(), _w_steps),
    ),
    _w_piecewise(),
)

_w_positive_schedules = st.one_of(
    _w_positive_values.map(sa.hold),
    st.builds(sa.exp, _w_positive_values, _w_positive_values, _w_steps),
    st.builds(sa.linear_ramp, _w_positive_values, _w_positive_values, _w_steps),
    st.builds(sa.cosine, _w_positive_values, _w_positive_values, _w_steps),
)


def _w_finite(s):
    return s.duration is not None


def _w_cyclable(s):
    return s.duration is not None and s.duration > 0


@st.composite
def _w_such_that(draw, children, predicate):
    """A draw of ``children`` satisfying ``predicate`` (after 3 misses: a short ramp).

    Not ``.filter``: a retried filter asks hypothesis for the strategy's repr, and the repr of
    a recursive tree strategy is large enough to raise a HypothesisWarning.
    """
    for _ in range(3):
        s = draw(children)
        if predicate(s):
            return s
    return sa.linear_ramp(draw(_w_values), draw(_w_values), draw(_w_positive_steps))


def _w_extend(children):
    finite = _w_such_that(children, _w_finite)
    cyclable = _w_such_that(children, _w_cyclable)
    operand = st.one_of(children, _w_values)
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
            _w_values,
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
        st.builds(sa.div, operand, _w_positive_schedules),
        st.builds(sa.neg, children),
        st.builds(sa.minimum, operand, operand),
        st.builds(sa.maximum, operand, operand),
        st.builds(
            lambda s, lo, width, which: sa.clip(
                s, low=lo if which != 1 else None, high=lo + width if which != 0 else None
            ),
            children,
            _w_values,
            st.floats(0.0, 5.0),
            st.integers(0, 2),
        ),
        st.builds(sa.staircase, children, st.one_of(st.integers(1, 20), st.floats(0.5, 20.0))),
        st.builds(sa.shift, children, st.one_of(st.integers(-30, 30), st.floats(-30.0, 30.0))),
        st.builds(sa.scale_time, children, st.one_of(st.integers(2, 10), st.floats(0.25, 8.0))),
        st.builds(sa.fit, cyclable, st.integers(1, 200)),
        st.builds(sa.take, children, st.one_of(st.integers(0, 80), st.floats(0.0, 80.0))),
        st.builds(sa.warp, cyclable, st.floats(0.25, 4.0)),
    )


def wide_schedules(max_leaves: int = 6) -> st.SearchStrategy:
    """Trees over every node type, edge cases included (0-step pieces, constants, int powers)."""
    return st.recursive(_w_primitives, _w_extend, max_leaves=max_leaves)


def all_schedules(max_leaves: int = 6) -> st.SearchStrategy:
    """``schedules()`` or ``wide_schedules()``: what io, parse and analysis are tested on."""
    return st.one_of(schedules(max_leaves), wide_schedules(max_leaves))


def all_finite_schedules(max_leaves: int = 6) -> st.SearchStrategy:
    """Finite ones of ``all_schedules()`` (duration 0 included)."""
    return _w_such_that(all_schedules(max_leaves), _w_finite)
