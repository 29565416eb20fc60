"""``sigmoid``: an S-shaped ramp, written with the public ``Primitive`` API."""

from __future__ import annotations

import math
from typing import Any

from ._extension import Primitive
from ._fields import leaf, static
from ._primitives import _slope_check, value_span


class sigmoid(Primitive, name="sigmoid"):
    """An S-shaped ramp from ``start`` to ``end`` over ``steps`` steps.

    Formula: ``s(t) = start + (end - start) * w(u)``, ``u = t / steps``, with the logistic
    curve rescaled to pass through both ends exactly,
    ``w(u) = (tanh(k (2u - 1) / 4) + tanh(k / 4)) / (2 tanh(k / 4))`` for ``k = steepness``
    (that is ``(sigma(k (u - 1/2)) - sigma(-k/2)) / (sigma(k/2) - sigma(-k/2))``); ``end``
    after. A small steepness is close to ``linear_ramp``; a large one to a step at half time.

    Args:
        start: the value at t = 0.
        end: the value at t = steps and after.
        steps: the length, a non-negative int.
        steepness: the slope of the logistic curve at half time, in units of 1 / steps, > 0.

    Example:
        >>> from schedalg import sigmoid
        >>> s = sigmoid(0.0, 1.0, 100)
        >>> s(0), s(50), s(100), round(s(25), 6)
        (0.0, 0.5, 1.0, 0.070104)
    """

    start: Any = leaf(doc="the value at t = 0")
    end: Any = leaf(doc="the value at t = steps and after")
    steps: int = static(check="steps", doc="the length")
    steepness: float = static(10.0, check="positive", doc="the logistic slope at half time")

    def validate(self) -> None:
        # d s / d u peaks at half time: (end - start) * k / (4 tanh(k / 4)) <= |.| * (1 + k/4)
        _slope_check(
            "sigmoid",
            {"start": self.start, "end": self.end},
            1.0 + self.steepness / 4,
            f"steepness={self.steepness!r}",
        )

    def formula(self, t: Any, xp: Any) -> Any:
        n, k = self.steps, self.steepness
        u = t / n if n else t * 0.0 + 1.0
        h = math.tanh(k / 4)
        w = (xp.tanh(k * (2.0 * u - 1.0) / 4) + h) / (2.0 * h)
        return self.start * (1.0 - w) + self.end * w

    def scalar(self, t: float) -> float:
        n, k = self.steps, self.steepness
        u = t / n if n else 1.0
        h = math.tanh(k / 4)
        w = (math.tanh(k * (2.0 * u - 1.0) / 4) + h) / (2.0 * h)
        return self.start * (1.0 - w) + self.end * w  # type: ignore[no-any-return]

    def _compute_range(self) -> tuple[float, float]:
        return value_span(self.start, self.end)
