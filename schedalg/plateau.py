"""Reduce-on-plateau as a pure state machine: no hidden state, a pytree you carry yourself.

A ``step -> lr`` schedule cannot see the loss. ``reduce_on_plateau`` gives the missing piece as
three pure functions over an explicit state::

    plateau = reduce_on_plateau(factor=0.5, patience=3)
    state = plateau.init()
    state = plateau.update(state, val_loss)      # once per evaluation
    lr = schedule(step) * plateau.scale(state)   # or (schedule * plateau.scale(state))(step)

The state is a ``NamedTuple`` of four numbers, so it is a JAX pytree: ``update`` works inside
``jax.jit`` and as the body of ``jax.lax.scan``. With Python numbers (or NumPy arrays) it runs
without importing JAX. The decision rule is the one of
``torch.optim.lr_scheduler.ReduceLROnPlateau`` applied to a multiplier that starts at 1::

    better(m, best) = m < best * (1 - threshold)   mode='min', threshold_mode='rel'
                      m < best - threshold         mode='min', threshold_mode='abs'
                      m > best * (1 + threshold)   mode='max', threshold_mode='rel'
                      m > best + threshold         mode='max', threshold_mode='abs'
    if better: best = m; bad = 0  else: bad += 1
    if cooldown_left > 0: cooldown_left -= 1; bad = 0
    if bad > patience:
        new = max(scale * factor, min_scale)
        if scale - new > eps: scale = new
        cooldown_left = cooldown; bad = 0

With an optimizer built at lr 1.0, torch's lr after each ``step(metric)`` is ``scale``, the
same float. At another base lr ``b`` two things differ, because torch applies ``min_lr`` and
``eps`` to the actual lr ``b * scale`` while this rule applies ``min_scale`` and ``eps`` to the
scale: torch's ``min_lr`` is ``b * min_scale``, and torch's ``eps`` is ``b * eps`` (so at a
base lr below 1, torch with ``eps=1e-8`` stops reducing sooner than this rule with the same
``eps``). ``schedalg.torch.PlateauLR`` takes ``eps`` and ``min_lr`` in lr units, as torch does,
and matches ``ReduceLROnPlateau`` decision for decision at any base lr.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

import numpy as np

from . import _checks as K
from . import _namespaces as N

__all__ = ["Plateau", "PlateauState", "reduce_on_plateau"]

_Mode = Literal["min", "max"]
_ThresholdMode = Literal["rel", "abs"]
_MODES: tuple[_Mode, ...] = ("min", "max")
_THRESHOLD_MODES: tuple[_ThresholdMode, ...] = ("rel", "abs")


class PlateauState(NamedTuple):
    """The whole state of a plateau detector (a pytree of four scalars).

    Attributes:
        best: best metric seen so far (``inf`` for mode 'min', ``-inf`` for 'max' before any).
        num_bad: updates since the last improvement (reset by a reduction and during cooldown).
        cooldown_left: updates left during which bad updates are not counted.
        scale: the multiplier to apply to the learning rate (starts at 1).
    """

    best: Any
    num_bad: Any
    cooldown_left: Any
    scale: Any


@dataclass(frozen=True)
class Plateau:
    """A reduce-on-plateau rule; build it with :func:`reduce_on_plateau`."""

    factor: float
    patience: int
    threshold: float
    threshold_mode: _ThresholdMode
    cooldown: int
    min_scale: float
    mode: _Mode
    eps: float

    def init(self) -> PlateauState:
        """The state before any metric: best = worst possible, scale = 1.

        Returns:
            A :class:`PlateauState` of Python numbers (JAX converts them when traced).

        Example:
            >>> from schedalg.plateau import reduce_on_plateau
            >>> reduce_on_plateau().init()
            PlateauState(best=inf, num_bad=0, cooldown_left=0, scale=1.0)
        """
        worst = math.inf if self.mode == "min" else -math.inf
        return PlateauState(best=worst, num_bad=0, cooldown_left=0, scale=1.0)

    def _better_py(self, m: float, best: float) -> bool:
        if self.mode == "min":
            if self.threshold_mode == "rel":
                return m < best * (1.0 - self.threshold)
            return m < best - self.threshold
        if self.threshold_mode == "rel":
            return m > best * (self.threshold + 1.0)
        return m > best + self.threshold

    def update(self, state: PlateauState, metric: Any) -> PlateauState:
        """The state after observing one metric value (see the module docstring for the rule).

        Pure: the input state is not modified. Python numbers take a plain-Python path; NumPy
        arrays a NumPy path; JAX arrays or tracers (in ``state`` or ``metric``) a ``jax.numpy``
        path with no Python branching, usable inside ``jit``, ``vmap`` and ``lax.scan``.

        Args:
            state: the current :class:`PlateauState`.
            metric: the monitored quantity (a number, a 0-d array or a tracer).

        Returns:
            The next :class:`PlateauState`.

        Example:
            >>> from schedalg.plateau import reduce_on_plateau
            >>> p = reduce_on_plateau(factor=0.5, patience=1)
            >>> s = p.init()
            >>> for loss in [1.0, 1.0, 1.0]:
            ...     s = p.update(s, loss)
            >>> p.scale(s)
            0.5
        """
        leaves = (*state, metric)
        if any(N.is_jax(x) for x in leaves):
            return self._update_xp(state, metric, N.jnp())
        if all(isinstance(x, numbers.Real) for x in leaves):
            return self._update_py(state, float(metric))
        return self._update_xp(state, metric, np)

    def _observe_py(self, state: PlateauState, m: float) -> tuple[PlateauState, bool]:
        """The detector alone: the state with best/num_bad/cooldown updated (scale untouched),
        and whether this metric triggers a reduction. Adapters that reduce something other
        than the scale (``PlateauLR`` reduces each group's actual lr, as torch) use it."""
        best, bad, cd, scale = state
        if self._better_py(m, best):
            best, bad = m, 0
        else:
            bad += 1
        if cd > 0:
            cd -= 1
            bad = 0
        reduce = bad > self.patience
        if reduce:
            cd = self.cooldown
            bad = 0
        return PlateauState(best, bad, cd, scale), reduce

    def _reduced(self, state: PlateauState) -> PlateauState:
        """The state after a triggered reduction of its scale (Python numbers)."""
        scale = state.scale
        new = max(scale * self.factor, self.min_scale)
        return state._replace(scale=new) if scale - new > self.eps else state

    def _update_py(self, state: PlateauState, m: float) -> PlateauState:
        state, reduce = self._observe_py(state, m)
        return self._reduced(state) if reduce else state

    def _update_xp(self, state: PlateauState, metric: Any, xp: Any) -> PlateauState:
        best, bad, cd, scale = (xp.asarray(x) for x in state)
        m = xp.asarray(metric, dtype=best.dtype)
        if self.mode == "min":
            bound = (
                best * (1.0 - self.threshold)
                if self.threshold_mode == "rel"
                else (best - self.threshold)
            )
            better = m < bound
        else:
            bound = (
                best * (self.threshold + 1.0)
                if self.threshold_mode == "rel"
                else (best + self.threshold)
            )
            better = m > bound
        best = xp.where(better, m, best)
        bad = xp.where(better, 0, bad + 1)
        in_cd = cd > 0
        cd = xp.where(in_cd, cd - 1, cd)
        bad = xp.where(in_cd, 0, bad)
        reduce = bad > self.patience
        new = xp.maximum(scale * self.factor, self.min_scale)
        scale = xp.where(reduce & (scale - new > self.eps), new, scale)
        cd = xp.where(reduce, self.cooldown, cd)
        bad = xp.where(reduce, 0, bad)
        return PlateauState(best, bad, cd, scale)

    def scale(self, state: PlateauState) -> Any:
        """The learning-rate multiplier held in ``state`` (1 until the first reduction).

        Compose it with a schedule pointwise: ``schedule(t) * plateau.scale(state)``, or as a
        schedule ``schedule * plateau.scale(state)`` (a number, or a traced value inside jit,
        acts as a constant schedule).

        Args:
            state: a :class:`PlateauState`.

        Returns:
            The ``scale`` field of the state.

        Example:
            >>> from schedalg.plateau import reduce_on_plateau
            >>> reduce_on_plateau().scale(reduce_on_plateau().init())
            1.0
        """
        return state.scale

    def lr(self, schedule: Any, state: PlateauState, step: Any) -> Any:
        """``schedule(step) * scale(state)``: the scheduled lr reduced by the plateaus so far.

        Args:
            schedule: a schedalg schedule (or any ``step -> value`` callable).
            state: a :class:`PlateauState`.
            step: the optimizer update index.

        Returns:
            The product, of the type the schedule returns for ``step``.

        Example:
            >>> from schedalg import cosine
            >>> from schedalg.plateau import reduce_on_plateau
            >>> p = reduce_on_plateau(factor=0.5, patience=0)
            >>> s = p.update(p.update(p.init(), 1.0), 2.0)
            >>> p.lr(cosine(1.0, 0.0, 10), s, 0)
            0.5
        """
        return schedule(step) * state.scale


def reduce_on_plateau(
    factor: float = 0.1,
    patience: int = 10,
    threshold: float = 1e-4,
    threshold_mode: str = "rel",
    cooldown: int = 0,
    min_scale: float = 0.0,
    mode: str = "min",
    eps: float = 1e-8,
) -> Plateau:
    """A reduce-on-plateau rule: multiply the lr by ``factor`` when the metric stops improving.

    After ``patience + 1`` consecutive updates without improvement (improvement: the metric
    beats the best so far by ``threshold``, relative or absolute), the scale becomes
    ``max(scale * factor, min_scale)`` (skipped if that changes it by ``eps`` or less), and the
    next ``cooldown`` updates do not count as bad. The parameters mean what they mean in
    ``torch.optim.lr_scheduler.ReduceLROnPlateau``, except that ``min_scale`` and ``eps``
    apply to the scale, where torch's ``min_lr`` and ``eps`` apply to the lr: at base lr
    ``b``, torch's ``min_lr = b * min_scale`` and torch's ``eps = b * eps``. (In torch,
    ``schedalg.torch.PlateauLR`` reads ``eps`` in lr units, as torch does.)

    Args:
        factor: multiplier applied at a plateau, in (0, 1).
        patience: number of non-improving updates tolerated, an int >= 0.
        threshold: required improvement, >= 0.
        threshold_mode: 'rel' (relative to the best) or 'abs'.
        cooldown: updates after a reduction during which bad updates are ignored, int >= 0.
        min_scale: lower bound of the scale, in [0, 1].
        mode: 'min' (lower metric is better) or 'max'.
        eps: minimal change of the scale for a reduction to apply, >= 0 (torch's default
            1e-8 is an lr change; at base lr ``b`` the same rule is ``1e-8 / b`` here, up to
            rounding).

    Returns:
        A :class:`Plateau` with ``init``, ``update``, ``scale`` and ``lr``.

    Example:
        >>> from schedalg.plateau import reduce_on_plateau
        >>> p = reduce_on_plateau(factor=0.5, patience=0)
        >>> s = p.init()
        >>> for loss in [3.0, 2.0, 2.5, 2.6]:
        ...     s = p.update(s, loss)
        >>> p.scale(s)
        0.25

    Reference:
        torch.optim.lr_scheduler.ReduceLROnPlateau (same decision rule).
    """
    fn = "reduce_on_plateau"
    f = float(K.positive(fn, "factor", factor))
    if not f < 1:
        raise K.bad_value(fn, "factor", factor, "must be < 1")
    pat = K.steps(fn, "patience", patience)
    cd = K.steps(fn, "cooldown", cooldown)
    thr = float(K.nonnegative(fn, "threshold", threshold))
    ms = float(K.number(fn, "min_scale", min_scale))
    if not 0 <= ms <= 1:
        raise K.bad_value(fn, "min_scale", min_scale, "must be in [0, 1]")
    e = float(K.nonnegative(fn, "eps", eps))
    return Plateau(
        factor=f,
        patience=pat,
        threshold=thr,
        threshold_mode=K.choice(fn, "threshold_mode", threshold_mode, _THRESHOLD_MODES),
        cooldown=cd,
        min_scale=ms,
        mode=K.choice(fn, "mode", mode, _MODES),
        eps=e,
    )
