"""``fit``: a shape written in proportions, stretched to a run length known at run time.

The adapters (``schedalg.hf``, ``schedalg.lightning``) fit shapes to the run's number of
optimizer updates, so the pieces' boundaries and the end must land on the exact step: a piece
that starts at proportion ``b / d`` of a run of ``D`` updates starts at update ``b * D / d``
when that is a whole number, and update ``D`` reads the shape's end value, on every backend.
(Time read as ``t / (D / d)`` missed both by one rounding: ``fit(shape, 18)`` of a 14-step
shape switched pieces one update late, and a cosine to 0 ended at 1.6e-31.)
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import schedalg as sa
from tests.conftest import evaluate, rtol_for


def _expected(k: int, a: int, b: int, c: int, total: int) -> float:
    """hold(1.0, a) >> hold(2.0, b) >> cosine(3.0, 0.0, c), fitted to ``total``, by hand."""
    d = a + b + c
    if k * d < a * total:
        return 1.0
    if k * d < (a + b) * total:
        return 2.0
    if k >= total:
        return 0.0
    # 3 (1 + cos(pi u)) / 2 = 3 sin(pi (1 - u) / 2)^2, with 1 - u from integers: precise near 0
    rest = d * (total - k) / (c * total)
    return 3.0 * math.sin(math.pi * rest / 2) ** 2


def _check(backend: str, a: int, b: int, c: int, total: int) -> None:
    shape = sa.hold(1.0, a) >> sa.hold(2.0, b) >> sa.cosine(3.0, 0.0, c)
    s = sa.fit(shape, total)
    d = a + b + c
    assert s.duration == total
    # every update where a piece begins (when it is a whole update), its neighbours, the end
    ks = {0, total - 1, total, total + 1}
    for start in (a, a + b):
        if start * total % d == 0:
            k = start * total // d
            ks |= {k - 1, k, k + 1}
    ks = {k for k in ks if k >= 0}
    got = evaluate(s, np.array(sorted(ks)), backend)
    # the cosine's values agree to the rounding of the time as they near 0 (relative 1e-9 in
    # float64; on JAX, float32 time: 1e-6 of the peak); a missed step would be off by more
    f64 = rtol_for(backend) < 1e-6
    rtol, atol = (1e-9, 0.0) if f64 else (1e-5, 3e-6)
    for k, g in zip(sorted(ks), got, strict=True):
        w = _expected(k, a, b, c, total)
        if w in (1.0, 2.0) or k >= total:  # holds and the end: exactly
            assert g == w, (k, g, w)
        else:
            assert math.isclose(g, w, rel_tol=rtol, abs_tol=atol), (k, g, w)


@pytest.mark.parametrize("backend", ["python", "numpy"])
@given(
    a=st.integers(1, 40),
    b=st.integers(1, 40),
    c=st.integers(1, 40),
    total=st.integers(1, 20_000),
)
def test_fit_pieces_start_and_end_on_the_exact_update(backend, a, b, c, total):
    _check(backend, a, b, c, total)


# JAX compiles once per shape: a fixed set of cases, each of which missed a boundary or the
# end on JAX when time was read as ``t / factor``.
@pytest.mark.parametrize("backend", ["jit", "torch"])
@pytest.mark.parametrize("case", [(7, 7, 1, 18), (1, 19, 80, 12_345)])
def test_fit_exact_on_jax(backend, case):
    _check(backend, *case)


def test_fit_regression_examples():
    s = sa.fit(sa.piecewise([7], [1.0, 0.1]) >> sa.hold(0.1, 7), 18)
    assert [s(k) for k in (8, 9)] == [1.0, 0.1]  # 9 * 14 / 18 == 7: the second piece
    warm = sa.fit(sa.linear_ramp(0.0, 1.0, 7) >> sa.cosine(1.0, 0.0, 7), 18)
    assert warm(9) == 1.0 and warm(18) == 0.0 and warm(17) > 0.0


def test_fit_every_run_length_up_to_3000():
    """Shapes of 14 and 20 steps fitted to every total: no boundary or end is missed."""
    for total in range(1, 3001):
        _check("python", 1, 6, 7, total)
        _check("python", 1, 9, 10, total)


def test_a_fit_factor_read_back_from_its_repr_keeps_the_whole_duration():
    # fit(shape, 29) stores the factor 29/14 rounded to a float; printed and parsed back (or
    # written as scale_time by hand) it must still last exactly 29 steps, while a factor one
    # ulp away is a genuinely fractional duration.
    shape = sa.hold(1.0, 1) >> sa.hold(2.0, 6) >> sa.cosine(3.0, 0.0, 7)
    s = sa.fit(shape, 29)
    assert s.duration == 29 and type(s.duration) is int
    back = sa.parse(repr(s))
    assert back == s and back.duration == 29
    assert sa.scale_time(shape, 29 / 14).duration == 29
    off = math.nextafter(29 / 14, 3.0)
    assert sa.scale_time(shape, off).duration == float(Fraction(14) * Fraction(off))
    assert sa.scale_time(sa.hold(1.0, 10**9 + 1), 0.5).duration == 500_000_000.5
