"""Pointwise arithmetic of schedules: how long a combination lasts (constants are infinite)."""

from __future__ import annotations

import pytest

import schedalg as sa

# -- constants made by arithmetic are infinite (issue 9, item 1) ---------------------------------

CONSTANT_EXPRESSIONS = {
    "mul": lambda: sa.hold(0.2) * 0.5,
    "sub": lambda: sa.hold(0.2) - 0.1,
    "rsub": lambda: 0.3 - sa.hold(0.2),
    "div": lambda: sa.hold(0.2) / 2.0,
    "neg": lambda: -sa.hold(-0.1),
    "clip": lambda: sa.clip(sa.hold(0.2), 0.0, 0.1),
    "minimum": lambda: sa.minimum(sa.hold(0.2), 0.1),
    "maximum": lambda: sa.maximum(0.1, sa.hold(-0.2)),
    "nested": lambda: sa.neg(-(sa.hold(0.4) * 0.5 - 0.1)),
    "parsed": lambda: sa.parse("hold(0.2) * 0.5"),
    "parsed_neg": lambda: sa.parse("-hold(-0.1)"),
}


@pytest.mark.parametrize("name", sorted(CONSTANT_EXPRESSIONS))
def test_a_constant_made_by_arithmetic_is_infinite(name):
    c = CONSTANT_EXPRESSIONS[name]()
    assert c.duration is None and c.end_value is None
    # As the last piece it runs forever; it does not vanish.
    s = sa.linear_ramp(0.0, 1.0, 10) >> c
    assert s.duration is None
    assert s(5) == 0.5 and s(10) == pytest.approx(0.1, abs=1e-15)
    assert s(20) == pytest.approx(0.1, abs=1e-15) and s(10**9) == pytest.approx(0.1, abs=1e-15)
    assert repr(s).endswith(repr(c)) and sa.parse(repr(s)) == s
    # Before another piece it is refused, exactly as hold(0.1) is.
    with pytest.raises(ValueError, match="every piece but the last must be finite"):
        sa.concat(c, sa.cosine(1.0, 0.0, 10))
    with pytest.raises(ValueError, match="every piece but the last must be finite"):
        c >> sa.cosine(1.0, 0.0, 10)


def test_a_constant_does_not_prolong_a_finite_operand():
    c = sa.hold(0.2) * 0.5  # the constant 0.1
    assert (sa.cosine(1.0, 0.0, 10) * c).duration == 10
    assert (c + sa.linear_ramp(0.0, 1.0, 10)).duration == 10
    assert sa.clip(-c + sa.cosine(1.0, 0.0, 7), high=0.5).duration == 7
    assert (sa.cosine(1.0, 0.0, 10) * c).end_value == pytest.approx(0.0, abs=1e-15)
    assert (c + sa.linear_ramp(0.0, 1.0, 10)).end_value == pytest.approx(1.1)
    # A finite operand with an infinite non-constant one is infinite.
    assert (sa.cosine(1.0, 0.0, 10) * sa.exp(1.0, rate=0.5)).duration is None
    # A 0-step operand still makes a 0-step piece (the identity of concat).
    assert (sa.hold(0.2, 0) * 0.5).duration == 0
