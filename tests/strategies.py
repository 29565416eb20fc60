"""hypothesis strategies for random schedule trees covering every node type.

``finite_schedules()`` builds only finite schedules of positive duration (usable as any piece
of a concat or as the body of a repeat); ``schedules()`` adds infinite ones.
``wide_schedules()`` adds the edge cases (0-step pieces, constants as operands, int powers,
``fit``, fractional boundaries and step counts); ``all_schedules()`` draws from both.
"""

from __future__ import annotations

import numpy as np
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
    st.builds(
        sa.sigmoid,
        _w_values,
        _w_values,
        _w_steps,
        st.one_of(st.just(10.0), st.floats(0.1, 40.0), st.integers(1, 30)),
    ),
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
    # (not merely > 0: take(s, 1e-301) is a valid piece, but too short to repeat, fit or warp)
    return s.duration is not None and s.duration >= 1e-3


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


def compat_schedules() -> st.SearchStrategy:
    """Compat constructors' schedules (nodes that keep the peer's name), alone or inside
    the algebra."""
    from schedalg.compat import optax as O
    from schedalg.compat import torch as T
    from schedalg.compat import transformers as H

    calls = st.one_of(
        st.builds(T.StepLR, positive, st.integers(1, 10), st.floats(0.1, 0.9)),
        st.builds(lambda lr, n, p: T.OneCycleLR(lr, total_steps=n, pct_start=p), positive,
                  st.integers(20, 60), st.floats(0.2, 0.8)),
        st.builds(lambda lr, n: T.CosineAnnealingLR(lr, T_max=n), positive, st.integers(1, 40)),
        st.builds(lambda lr, w, n: H.get_linear_schedule_with_warmup(lr, w, w + n), positive,
                  st.integers(0, 10), st.integers(1, 30)),
        st.builds(lambda v, n: O.cosine_decay_schedule(v, n), positive, st.integers(1, 40)),
        st.builds(lambda lr, g: T.SequentialLR([T.ExponentialLR(lr, g), T.StepLR(lr, 3)], [4]),
                  positive, st.floats(0.5, 0.99)),
    )
    return st.one_of(calls, st.builds(lambda s, c: s >> c, finite_schedules(3), calls))


def all_schedules(max_leaves: int = 6) -> st.SearchStrategy:
    """``schedules()``, ``wide_schedules()``, ``issue12_schedules()`` (switch, continuation,
    powers, clocks, recipes) or ``compat_schedules()``: what io, parse, analysis and the
    registry are tested on."""
    return st.one_of(
        schedules(max_leaves),
        wide_schedules(max_leaves),
        issue12_schedules(),
        compat_schedules(),
    )


def all_finite_schedules(max_leaves: int = 6) -> st.SearchStrategy:
    """Finite ones of ``all_schedules()`` (duration 0 included)."""
    return _w_such_that(all_schedules(max_leaves), _w_finite)


# -- broad trees: what the evaluation laws run over -----------------------------------------------
#
# ``broad_schedules()`` is ``wide_schedules()`` with the blind spots of issue 14 filled: leaves
# outside +-10 and of other types (int, NumPy scalars), durations far beyond 132 steps,
# repeat(times=1), repeated piecewise boundaries, constants as concat pieces, infinite repeats
# under scale_by_cycle with a stretch, and targeted sub-strategies that put each rare feature
# (take, fit, one-sided clip, division by a schedule, 0-step pieces, float shift and staircase
# steps, a factor > 1, infinite operands) at the root of a broad subtree. About half its roots
# are finite. It is kept apart from ``all_schedules()`` because io, parse and analysis scan
# windows as long as a schedule (issue 9 item 14), which 10**9-step pieces would make slow.

_b_floats = st.one_of(
    _w_values,
    st.floats(-1e4, 1e4, allow_nan=False, allow_infinity=False),
    st.sampled_from([1e-6, -1e-6, 123.0, -2500.0, 1e4]),
)
# the same numbers as Python ints and NumPy scalars (leaves need not be Python floats)
_b_values = st.one_of(
    _b_floats,
    st.integers(-1000, 1000),
    _b_floats.map(np.float64),
    st.floats(-10.0, 10.0, width=32).map(np.float32),
    st.integers(-50, 50).map(np.int64),
)
_b_positive = st.one_of(
    _w_positive_values,
    st.floats(1e-3, 1e4, allow_nan=False, allow_infinity=False),
    st.integers(1, 1000),
    _w_positive_values.map(np.float32),
)
# mostly short, sometimes long: 1000 .. 10**9 steps
_b_steps = st.one_of(_w_steps, _w_steps, st.sampled_from([133, 1000, 4096, 10**6, 10**9]))
_b_positive_steps = st.one_of(_w_positive_steps, st.sampled_from([133, 1000, 10**6, 10**9]))


@st.composite
def _b_piecewise(draw):
    """Boundaries with repeats (an empty interval) and quarter steps; sometimes large."""
    bounds = draw(
        st.lists(
            st.one_of(
                st.integers(0, 80),
                st.integers(0, 320).map(lambda q: q / 4),
                st.sampled_from([1000, 10**6, 10**9]),
            ),
            min_size=0,
            max_size=5,
        )
    )
    if bounds and draw(st.booleans()):
        bounds.append(draw(st.sampled_from(bounds)))  # a repeated boundary
    bounds.sort()
    vals = draw(st.lists(_b_values, min_size=len(bounds) + 1, max_size=len(bounds) + 1))
    return sa.piecewise(bounds, vals)


_b_primitives = st.one_of(
    _w_primitives,
    st.builds(sa.hold, _b_values, st.one_of(st.none(), _b_steps)),
    st.builds(sa.linear_ramp, _b_values, _b_values, _b_steps),
    st.builds(sa.cosine, _b_values, _b_values, _b_steps, _w_powers),
    st.builds(sa.exp, _b_positive, _b_positive, _b_steps),
    st.builds(sa.poly, _b_values, _b_values, _b_steps, _w_powers),
    st.builds(sa.triangle, _b_values, _b_values, _b_steps),
    st.builds(sa.tanh, _b_values, _b_values, _b_steps),
    st.builds(
        lambda s, r: sa.exp(s, rate=r),
        _b_positive,
        st.one_of(st.floats(0.9, 1.0), st.sampled_from([0.5, 0.999999, 1.0])),
    ),
    st.builds(
        sa.inverse, _b_values, st.one_of(st.floats(0.5, 1e6), st.integers(1, 10**6)), _w_powers
    ),
    _b_piecewise(),
)


def _b_safe(build):
    """``build(*args)``, or its first argument where the combination is out of range.

    Products and quotients of random leaves can pass the README's 1e30 limits; the
    constructors refuse them (a ValueError), and the tree then keeps its first operand.
    """

    def make(*args):
        try:
            return build(*args)
        except ValueError:
            first = args[0]
            return first if isinstance(first, sa.Schedule) else sa.hold(first)

    return make


# Issue 12's nodes in the broad trees: the recipes among the primitives, switch, continuation,
# powers and clocks among the combinators (each group also has a targeted sub-strategy with
# it at the root). Each group enters as one branch: ``one_of`` flattens its arguments, so ten
# recipes as ten branches would crowd out every other primitive.


def _one_branch(*strategies: st.SearchStrategy) -> st.SearchStrategy:
    """``one_of(*strategies)`` drawn as a single branch of an enclosing ``one_of``."""
    return st.one_of(*strategies).map(lambda s: s)


_b12_shapes = st.sampled_from(["linear", "1-sqrt", "cosine"])
_b12_short = st.integers(0, 40)
_b12_long = st.one_of(_b12_short, _b12_short, st.sampled_from([133, 1000, 10**6, 10**9]))
# an absolute step: whole, quarter or far
_b12_at = st.one_of(
    st.integers(0, 60),
    st.integers(0, 240).map(lambda q: q / 4),
    st.sampled_from([1000, 10**6]),
)
# (a switch at 0 is b itself: switch() returns it)
_b12_switch_at = st.one_of(
    st.integers(1, 60),
    st.integers(1, 240).map(lambda q: q / 4),
    st.sampled_from([1000, 10**6]),
)
_b12_rates = st.one_of(st.floats(0.5, 1.0), st.sampled_from([0.1, 0.5, 0.96, 1.0]))


@st.composite
def _b12_wsd(draw):
    peak, w, d = draw(_b_values), draw(_b12_short), draw(_b12_short)
    total = w + d + draw(_b12_long)
    shape, start, end = draw(_b12_shapes), draw(_b_values), draw(_b_values)
    if draw(st.booleans()):
        return sa.wsd(peak, w, total, decay=d, shape=shape, start=start, end=end)
    # a fraction that rounds to at most total - w steps (ties included)
    f = draw(st.one_of(st.floats(0.0, 1.0), st.sampled_from([0.1, 0.2, 0.25, 0.5, 1.0])))
    f = f * (total - w) / total if total else 0.0
    return _b_safe(sa.wsd)(peak, w, total, None, f, shape, start, end)


def _b12_inverse_sqrt(peak, w, scale, extra, c, shape):
    if w == 0 and scale is None:
        scale = 1.0
    total = None if extra is None else w + c + extra
    return sa.inverse_sqrt(peak, w, scale, total, c if total is not None else 0, shape)


@st.composite
def _b12_exp_every(draw):
    start = draw(_b_positive)
    every = draw(
        st.one_of(st.integers(1, 20), st.floats(0.5, 20.0), st.sampled_from([1000, 10**6]))
    )
    n = draw(st.one_of(st.none(), _b12_long))
    rate = draw(_b12_rates if n is None else st.one_of(_b12_rates, st.floats(1.0, 1.5)))
    stairs = draw(st.booleans())
    if draw(st.booleans()):
        make = _b_safe(lambda a: sa.exp(a, rate=rate, steps=n, every=every, staircase=stairs))
        return make(start)
    return _b_safe(sa.step_decay)(start, rate, every, n)


@st.composite
def _b12_milestones(draw):
    ms = draw(
        st.lists(
            st.one_of(
                st.integers(0, 60),
                st.integers(0, 120).map(lambda q: q / 2),
                st.sampled_from([1000, 10**6]),
            ),
            max_size=4,
        )
    )
    if ms and draw(st.booleans()):
        ms.append(draw(st.sampled_from(ms)))  # a milestone listed twice applies twice
    return sorted(ms)


_b12_recipes = _one_branch(
    st.builds(
        _b_safe(
            lambda p, w, x, lin, s, e: (sa.warmup_linear if lin else sa.warmup_cosine)(
                p, w, w + x, s, e
            )
        ),
        _b_values,
        _b12_short,
        _b12_long,
        st.booleans(),
        _b_values,
        _b_values,
    ),
    _b12_wsd(),
    st.builds(
        _b_safe(sa.one_cycle),
        _b_values,
        _b12_long,
        st.one_of(st.floats(0.0, 1.0), st.sampled_from([0.3, 0.25, 0.5, 0.1, 1.0])),
        st.sampled_from([25.0, 10.0, 1.0, 0.5]),
        st.sampled_from([1e4, 1.0, 100.0]),
    ),
    st.builds(
        _b_safe(sa.sgdr),
        _b_values,
        st.one_of(st.integers(1, 20), st.sampled_from([133, 10**6])),
        _b_values,
        st.sampled_from([1.0, 2.0, 1.5, 3.0]),
        st.sampled_from([1.0, 0.5, 0.9, 1.5]),
        st.one_of(st.none(), st.integers(1, 5)),
    ),
    st.builds(
        _b_safe(_b12_inverse_sqrt),
        _b_values,
        st.integers(0, 40),
        st.one_of(st.none(), st.floats(0.5, 1e4), st.integers(1, 1000)),
        st.one_of(st.none(), _b12_long),
        _b12_short,
        _b12_shapes,
    ),
    st.builds(_b_safe(lambda p, x, w: sa.rex(p, w + 1 + x, w)), _b_values, _b12_long, _b12_short),
    _b12_exp_every(),
    st.builds(_b_safe(sa.multistep), _b_values, _b12_milestones(), _b_values),
)


def _b12_batch_sizes() -> st.SearchStrategy:
    """A non-negative batch-size schedule of holds, ramps and piecewise steps (whole steps)."""
    size = st.one_of(_b_positive, st.just(0.0))
    n = st.one_of(st.integers(0, 40), st.sampled_from([1000, 10**6]))
    piece = st.one_of(
        st.builds(sa.hold, size, n),
        st.builds(sa.linear_ramp, size, size, n),
        st.builds(lambda a, b, k: sa.piecewise([k], [a, b]), size, size, n),
    )
    last = st.one_of(piece, st.builds(sa.hold, size))
    return st.builds(lambda xs, z: sa.concat(*xs, z), st.lists(piece, max_size=2), last)


def _b12_power(s, k, c):
    """A power of ``s`` (clipped into a range where it is allowed) or of a number."""
    return [
        lambda: sa.clip(s, -10.0, 10.0) ** 2.0,
        lambda: sa.clip(s, -5.0, 5.0) ** 3,
        lambda: sa.clip(s, 0.01, 100.0) ** 0.5,
        lambda: sa.clip(s, 0.5, 10.0) ** -1.0,
        lambda: c ** sa.clip(s, -5.0, 5.0),
        lambda: sa.exp_of(sa.clip(s, -5.0, 5.0)),
    ][k]()


def _b12_switches(children):
    return st.builds(_b_safe(sa.switch), children, st.one_of(children, _b_values), _b12_switch_at)


def _b12_continuations(children):
    return st.one_of(
        st.builds(
            _b_safe(lambda s, k, n, sh, to: sa.cooldown(s, at=k, steps=n, shape=sh, to=to)),
            children,
            _b12_at,
            _b12_long,
            _b12_shapes,
            _b_values,
        ),
        st.builds(
            _b_safe(lambda s, k, n, to, sh: sa.rewarm(s, at=k, steps=n, to=to, shape=sh)),
            children,
            _b12_at,
            _b12_short,
            _b_values,
            _b12_shapes,
        ),
        st.builds(
            _b_safe(lambda s, k, o, j: [sa.add, sa.mul, sa.sub][j](sa.value_at(s, k), o)),
            children,
            _b12_at,
            st.one_of(children, _b_values),
            st.integers(0, 2),
        ),
        # by hand: s until k, then s(k) times a piece read in absolute time
        st.builds(
            _b_safe(lambda s, k, w: sa.switch(s, sa.value_at(s, k) * w, at=k)),
            children,
            _b12_switch_at,
            children,
        ),
    )


def _b12_powers(children):
    # (one branch per form: a drawn index of six came out badly skewed in CI's 60 draws)
    numbers = st.floats(0.1, 10.0)
    return st.one_of(
        *(st.builds(_b_safe(_b12_power), children, st.just(k), numbers) for k in range(6))
    )


def _b12_clocks(children, bare: bool = False):
    """A schedule read through a token clock (or through another non-negative clock); with
    ``bare``, the token clock alone too (only at the root: its values, up to 1e23, would
    overflow the arithmetic above it)."""
    tokens = st.builds(sa.tokens, _b12_batch_sizes(), st.integers(1, 4))
    other = st.one_of(
        st.builds(lambda c: sa.clip(c, low=0.0), children),
        st.builds(lambda x, n: sa.linear_ramp(0.0, x, n) >> sa.hold(x), _b_positive, _b12_long),
    )
    return st.one_of(
        *([tokens] if bare else []),
        st.builds(_b_safe(lambda s, c: s.at(c)), children, tokens),
        st.builds(_b_safe(lambda s, c: s.at(c)), children, other),
    )


def _b12_extend(children):
    return _one_branch(
        _b12_switches(children),
        _b12_continuations(children),
        _b12_powers(children),
        _b12_clocks(children),
    )


def _b_extend(children):
    finite = _w_such_that(children, _w_finite)
    cyclable = _w_such_that(children, _w_cyclable)
    operand = st.one_of(children, _b_values)
    return st.one_of(
        _w_extend(children),
        # a constant (a number) as the last piece
        st.builds(
            _b_safe(lambda fs, c: sa.concat(*fs, c)),
            st.lists(finite, min_size=1, max_size=3),
            _b_values,
        ),
        st.builds(
            _b_safe(sa.repeat),
            cyclable,
            st.one_of(st.just(1), st.integers(2, 4)),
            st.sampled_from([1.0, 0.5, 1.5, 2.0, 3]),
        ),
        # infinite stretched repeats under scale_by_cycle (the factor at most 1)
        st.builds(
            _b_safe(lambda s, r, f, fl: sa.scale_by_cycle(sa.repeat(s, stretch=r), f, floor=fl)),
            cyclable,
            st.sampled_from([1.5, 2.0, 3]),
            st.one_of(st.floats(0.1, 1.0), st.just(1)),
            _b_values,
        ),
        # finite repeats, stretched or not, scaled by a factor up to 3
        st.builds(
            _b_safe(lambda s, n, r, f: sa.scale_by_cycle(sa.repeat(s, times=n, stretch=r), f)),
            cyclable,
            st.integers(2, 4),
            st.sampled_from([1.0, 0.5, 1.5, 2.0]),
            st.floats(0.1, 3.0),
        ),
        st.builds(_b_safe(sa.add), operand, operand),
        st.builds(_b_safe(sa.mul), operand, operand),
        st.builds(_b_safe(sa.div), operand, _w_positive_schedules),
        st.builds(_b_safe(sa.minimum), operand, operand),
        st.builds(_b_safe(sa.maximum), operand, operand),
    )


def broad_wide_schedules(max_leaves: int = 6) -> st.SearchStrategy:
    """Recursive trees over every node type with the broad leaves and lengths."""
    return st.recursive(st.one_of(_w_primitives, _b_primitives), _b_extend, max_leaves=max_leaves)


def broad_issue12_schedules(max_leaves: int = 4) -> st.SearchStrategy:
    """Broad trees with issue 12's nodes anywhere: recipes among the primitives, switch,
    continuation, powers and clocks among the combinators (each group one branch)."""
    return st.recursive(
        st.one_of(_w_primitives, _b_primitives, _b12_recipes),
        lambda c: st.one_of(_b_extend(c), _b12_extend(c)),
        max_leaves=max_leaves,
    )


def targeted_schedules(max_leaves: int = 4) -> dict[str, st.SearchStrategy]:
    """One strategy per blind spot of issue 14, each with the feature at its root."""
    child = broad_wide_schedules(max_leaves)
    finite = _w_such_that(child, _w_finite)
    cyclable = _w_such_that(child, _w_cyclable)
    infinite = _w_such_that(child, lambda s: s.duration is None)
    zero = st.builds(
        lambda v, w, k: [sa.hold(v, 0), sa.linear_ramp(v, w, 0), sa.piecewise([], [v])][k],
        _b_values,
        _b_values,
        st.integers(0, 2),
    )
    return {
        "take": st.builds(sa.take, child, st.one_of(_b_steps, st.floats(0.0, 200.0))),
        "fit": st.builds(sa.fit, cyclable, st.one_of(st.integers(1, 10**6), st.floats(0.5, 500.0))),
        "one-sided clip": st.builds(
            lambda s, b, low: sa.clip(s, low=b) if low else sa.clip(s, high=b),
            child,
            _b_values,
            st.booleans(),
        ),
        "division by a schedule": st.builds(_b_safe(sa.div), child, _w_positive_schedules),
        "0-step pieces": st.one_of(
            zero,
            st.builds(lambda z, s: sa.concat(z, s), zero, child),
            st.builds(lambda f, z: sa.concat(f, z), finite, zero),
            st.builds(_b_safe(sa.add), zero, child),
            st.builds(sa.take, child, st.just(0)),
        ),
        "piecewise boundaries": _b_piecewise(),
        "float shift": st.builds(sa.shift, child, st.floats(-200.0, 200.0)),
        "float staircase": st.builds(sa.staircase, child, st.floats(0.3, 50.0)),
        "scale_by_cycle": st.builds(
            _b_safe(lambda s, n, r, f: sa.scale_by_cycle(sa.repeat(s, times=n, stretch=r), f)),
            cyclable,
            st.one_of(st.none(), st.integers(2, 5)),
            st.sampled_from([1.0, 1.5, 2.0]),
            st.floats(0.2, 1.0),
        ),
        "constants in arithmetic": st.builds(
            _b_safe(lambda s, c, k: [sa.add, sa.minimum, sa.maximum, sa.mul, sa.sub][k](s, c)),
            child,
            _b_values,
            st.integers(0, 4),
        ),
        "repeat(times=1)": st.builds(
            sa.repeat, cyclable, st.just(1), st.sampled_from([1.0, 2.0, 0.5])
        ),
        "infinite operands": st.builds(
            lambda s, k, f: [
                lambda: sa.neg(s),
                lambda: sa.staircase(s, 3),
                lambda: sa.shift(s, 7),
                lambda: sa.scale_time(s, 2.5),
                lambda: sa.take(s, 50),
                lambda: sa.clip(s, low=-1.0),
                lambda: _b_safe(sa.add)(s, f),
                lambda: _b_safe(sa.minimum)(f, s),
            ][k](),
            infinite,
            st.integers(0, 7),
            finite,
        ),
        "long durations": st.builds(
            lambda s, n, k: [sa.fit(s, n), sa.shift(s, n), sa.take(s, n)][k],
            cyclable,
            st.sampled_from([133, 10**4, 10**6, 10**9, 2**40]),
            st.integers(0, 2),
        ),
        # issue 12's nodes at the root over broad subtrees, and anywhere in a tree (each one
        # branch of broad_schedules' one_of, which flattens its arguments: the groups as
        # branches of their own would crowd out the blind spots above)
        "issue 12 nested": broad_issue12_schedules(),
        "issue 12": _one_branch(
            _b12_switches(child),
            _b12_continuations(child),
            _b12_powers(child),
            _b12_clocks(child, bare=True),
            _b12_recipes,
            st.builds(_b_safe(lambda r, s: r >> s), _b12_recipes, child),
            st.builds(
                _b_safe(lambda r, s, k: [sa.add, sa.mul][k](r, s)),
                _b12_recipes,
                child,
                st.integers(0, 1),
            ),
        ),
    }


def broad_schedules(max_leaves: int = 6) -> st.SearchStrategy:
    """Broad trees, half of them finite, with every targeted blind spot among them."""
    tree = broad_wide_schedules(max_leaves)
    return st.one_of(
        tree,
        _w_such_that(tree, _w_finite),
        st.one_of(*targeted_schedules().values()),
    )


# -- issue 12's nodes: switch, continuation, powers, clocks, recipes --------------------------
# Kept apart from the strategies above (tests/reference.py does not read these nodes yet);
# tests/test_core_switch_clocks_recipes.py checks that this strategy reaches every one of them.

shapes = st.sampled_from(["linear", "1-sqrt", "cosine"])
small = st.floats(-3, 3, allow_nan=False, allow_infinity=False, width=64)


def _batch_sizes() -> st.SearchStrategy:
    piece = st.one_of(
        st.builds(sa.hold, positive, steps),
        st.builds(sa.linear_ramp, positive, positive, steps),
        st.builds(lambda a, b, n: sa.piecewise([n], [a, b]), positive, positive, steps),
    )
    return st.lists(piece, min_size=1, max_size=3).map(lambda xs: sa.concat(*xs))


def issue12_schedules() -> st.SearchStrategy:
    base = finite_schedules(max_leaves=3)
    rates = st.floats(0.5, 0.99)
    recipes = st.one_of(
        st.builds(sa.warmup_cosine, positive, st.integers(0, 10), st.integers(10, 40)),
        st.builds(sa.warmup_linear, positive, st.integers(0, 10), st.integers(10, 40), values),
        st.builds(
            lambda p, w, n, f, sh: sa.wsd(p, w, n, decay_fraction=f, shape=sh),
            positive,
            st.integers(0, 10),
            st.integers(20, 40),
            st.floats(0, 0.5),
            shapes,
        ),
        st.builds(
            lambda p, n, d, sh: sa.wsd(p, 5, n, decay=d, shape=sh),
            positive,
            st.integers(20, 40),
            st.integers(0, 10),
            shapes,
        ),
        st.builds(sa.one_cycle, positive, st.integers(2, 40), st.floats(0.1, 0.9)),
        st.builds(
            lambda p, n, m, d, k: sa.sgdr(p, n, mult=m, decay=d, times=k),
            positive,
            st.integers(1, 10),
            st.sampled_from([1.0, 2.0]),
            st.sampled_from([1.0, 0.5]),
            st.integers(1, 4),
        ),
        st.builds(
            lambda p, w, c: sa.inverse_sqrt(p, w, total=40, cooldown=c),
            positive,
            st.integers(1, 10),
            st.integers(0, 10),
        ),
        st.builds(sa.rex, positive, st.integers(11, 40), st.integers(0, 10)),
        st.builds(
            lambda a, r, e, sc: sa.exp(a, rate=r, every=e, staircase=sc),
            positive,
            rates,
            st.integers(1, 10),
            st.booleans(),
        ),
        st.builds(sa.step_decay, positive, rates, st.integers(1, 10)),
        st.builds(
            lambda a, ms, f: sa.multistep(a, sorted(ms), f),
            positive,
            st.lists(st.integers(0, 30), max_size=3),
            rates,
        ),
    )
    return st.one_of(
        st.builds(sa.switch, base, base, st.integers(0, 40)),
        st.builds(lambda s, k, w: sa.value_at(s, k) * w, base, st.integers(0, 40), base),
        st.builds(
            lambda s, k, n, sh, to: sa.cooldown(s, at=k, steps=n, shape=sh, to=to),
            base,
            st.integers(0, 40),
            st.integers(0, 20),
            shapes,
            values,
        ),
        st.builds(
            lambda s, k, n, to: sa.rewarm(s, at=k, steps=n, to=to),
            base,
            st.integers(0, 40),
            st.integers(0, 20),
            values,
        ),
        st.builds(lambda s, p: sa.clip(s, -10.0, 10.0) ** p, base, st.sampled_from([2.0, 3.0])),
        st.builds(lambda c, s: c ** sa.clip(s, -5.0, 5.0), st.floats(0.5, 2.0), base),
        st.builds(lambda s: sa.exp_of(sa.clip(s, -5.0, 5.0)), base),
        st.builds(sa.tokens, _batch_sizes(), st.integers(1, 4)),
        st.builds(lambda s, b: s.at(sa.tokens(b)), base, _batch_sizes()),
        recipes,
        st.builds(lambda r, s: sa.cooldown(r, at=5, steps=5) >> s, recipes, base),
    )
