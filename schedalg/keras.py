"""Keras 3 adapter: a schedalg schedule as the ``learning_rate`` of any Keras optimizer.

Time convention: the value a schedule gives at ``k`` is the value the optimizer uses for its
``k``-th update (0-based). Keras calls a ``LearningRateSchedule`` with the optimizer's update
counter before incrementing it, so update ``k`` runs at ``schedule(k)``::

    opt = keras.optimizers.AdamW(learning_rate=to_keras(warmup >> decay))

Not to be confused with :mod:`schedalg.compat.keras`, which rebuilds Keras' own named
schedules (``CosineDecay``, ...) as schedalg schedules; this module goes the other way and
feeds any schedalg schedule to Keras.

The schedule runs on the backend's own arrays: ``jax.numpy`` under ``jit`` on the JAX backend,
torch tensors (through NumPy, in float64) on the torch backend, NumPy on the NumPy backend.
The TensorFlow backend traces the train step into a TF graph, which schedalg cannot
evaluate in; it is refused.

Saving: :class:`KerasSchedule` is registered with Keras as ``"schedalg>KerasSchedule"`` and
its config holds the schedule as schedalg JSON, so ``model.save("m.keras")`` and
``keras.models.load_model("m.keras")`` restore the exact schedule, provided this module is
imported before loading.

Reduce on plateau: Keras' ``ReduceLROnPlateau`` callback cannot change a schedule. Use
:class:`PlateauCallback`, which makes the learning rate ``schedule(k) * scale``, with
``scale`` from :func:`schedalg.plateau.reduce_on_plateau` updated at each epoch's end.

This module imports Keras (and so its backend) and nothing else of the frameworks.
"""

from __future__ import annotations

import numbers
from typing import Any

import keras

from . import _checks as K
from ._schedule import Schedule
from .io import from_json, to_json
from .plateau import Plateau, PlateauState

__all__ = ["KerasSchedule", "PlateauCallback", "to_keras"]

_SUPPORTED_BACKENDS = ("jax", "torch", "numpy")


def _check_backend(fn: str) -> None:
    name = keras.backend.backend()
    if name not in _SUPPORTED_BACKENDS:
        raise RuntimeError(
            f"{fn}(): the Keras backend is {name!r}, which schedalg cannot evaluate in (it "
            f"traces the train step into a TF graph); set KERAS_BACKEND to one of "
            f"{_SUPPORTED_BACKENDS} before importing keras"
        )


def _accumulation(fn: str, n: Any) -> int:
    """Keras's own ``gradient_accumulation_steps``: an int (a float, even 2.0, is refused)."""
    name, need = "gradient_accumulation_steps", "must be an int >= 1"
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        raise K.bad_type(fn, name, n, need)
    if n < 1:
        raise K.bad_value(fn, name, n, need)
    return int(n)


# keras 3 ships no type information, so its classes are Any to mypy (the ignore below and on
# PlateauCallback: subclassing Any)
@keras.saving.register_keras_serializable(package="schedalg", name="KerasSchedule")
class KerasSchedule(keras.optimizers.schedules.LearningRateSchedule):  # type: ignore[misc]
    """A schedalg schedule as a Keras ``LearningRateSchedule``; build it with :func:`to_keras`.

    Attributes:
        schedule: the schedalg schedule (a value: compare it, print it, plot it).
        gradient_accumulation_steps: the optimizer's ``gradient_accumulation_steps`` (1 if
            none); the schedule is evaluated at ``iteration // gradient_accumulation_steps``.
    """

    def __init__(self, schedule: Schedule, gradient_accumulation_steps: int = 1) -> None:
        fn = "KerasSchedule"
        if not isinstance(schedule, Schedule):
            raise K.ArgumentTypeError(
                fn,
                "schedule",
                schedule,
                f"{fn}(): schedule must be a schedalg schedule, got schedule={schedule!r}",
            )
        _check_backend(fn)
        self.schedule = schedule
        self.gradient_accumulation_steps = _accumulation(fn, gradient_accumulation_steps)

    def __call__(self, step: Any) -> Any:
        """The learning rate for the update whose 0-based counter is ``step``.

        ``step`` is the optimizer's ``iterations`` variable (a ``keras.Variable`` of an int
        dtype) or any backend tensor or number; the result is a backend scalar of Keras'
        float dtype (``keras.backend.floatx()``).
        """
        t = keras.ops.convert_to_tensor(step)
        n = self.gradient_accumulation_steps
        if n != 1:
            t = keras.ops.floor_divide(t, n)
        return keras.ops.cast(self.schedule(t), keras.backend.floatx())

    def get_config(self) -> dict[str, Any]:
        """``{"schedule": <schedalg JSON>, "gradient_accumulation_steps": n}``: plain types."""
        return {
            "schedule": to_json(self.schedule),
            "gradient_accumulation_steps": self.gradient_accumulation_steps,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> KerasSchedule:
        """Rebuild from :meth:`get_config`'s output (the schedule is read with ``from_json``)."""
        return cls(
            from_json(config["schedule"]),
            config.get("gradient_accumulation_steps", 1),
        )

    def __repr__(self) -> str:
        n = self.gradient_accumulation_steps
        extra = "" if n == 1 else f", gradient_accumulation_steps={n}"
        return f"to_keras({self.schedule!r}{extra})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, KerasSchedule):
            return NotImplemented
        return (self.schedule, self.gradient_accumulation_steps) == (
            other.schedule,
            other.gradient_accumulation_steps,
        )

    def __hash__(self) -> int:
        return hash((KerasSchedule, self.schedule, self.gradient_accumulation_steps))


def to_keras(schedule: Schedule, gradient_accumulation_steps: int = 1) -> KerasSchedule:
    """A schedalg schedule as a ``keras.optimizers.schedules.LearningRateSchedule``.

    ``optimizer.learning_rate`` is ``schedule(k)`` (in ``keras.backend.floatx()``) while the
    optimizer makes its ``k``-th update, counted from 0. Keras counts batches, not updates,
    when the optimizer has ``gradient_accumulation_steps=n``: pass the same ``n`` here and the
    update ``k`` (batches ``n*k .. n*k + n-1``) runs at ``schedule(k)``.

    Args:
        schedule: a schedalg schedule.
        gradient_accumulation_steps: the optimizer's ``gradient_accumulation_steps``, or 1.

    Returns:
        A :class:`KerasSchedule`, serializable with Keras (``get_config`` / ``from_config``).

    Example:
        >>> import keras
        >>> from schedalg import cosine, linear_ramp
        >>> from schedalg.keras import to_keras
        >>> lr = to_keras(linear_ramp(0.0, 1e-3, 10) >> cosine(1e-3, 0.0, 90))
        >>> round(float(lr(5)), 9)
        0.0005
        >>> opt = keras.optimizers.SGD(learning_rate=lr)
    """
    return KerasSchedule(schedule, gradient_accumulation_steps)


class PlateauCallback(keras.callbacks.Callback):  # type: ignore[misc]  # keras: Any, see above
    """Reduce on plateau for a scheduled learning rate: ``lr = schedule(k) * scale``.

    Keras' own ``ReduceLROnPlateau`` callback can only change a constant learning rate. This
    callback keeps the schedule and multiplies it by the scale of a
    :func:`schedalg.plateau.reduce_on_plateau` rule, updated with ``logs[monitor]`` at the end
    of every epoch (torch's ``ReduceLROnPlateau`` decisions, the scale starting at 1). The
    step ``k`` keeps counting updates across reductions.

    The optimizer must have been built with ``learning_rate=to_keras(schedule)``; at the start
    of ``fit`` the callback checks that it holds ``schedule`` times the current scale (so a
    model reloaded after reductions needs the saved ``state``), and after each reduction it
    sets the optimizer's learning rate to ``to_keras(schedule * scale)``: a model saved then
    holds the reduced schedule. ``gradient_accumulation_steps`` is taken from the optimizer's
    schedule.

    Attributes:
        state: the :class:`~schedalg.plateau.PlateauState` (plain Python numbers). To resume
            a run, pass it back as ``state=``.
        scale: the current multiplier, ``plateau.scale(state)``.

    Args:
        schedule: the schedalg schedule (the one given to ``to_keras``).
        plateau: a :class:`~schedalg.plateau.Plateau` from ``reduce_on_plateau(...)``.
        monitor: the key of the epoch logs to watch, e.g. ``"val_loss"``; it must be in the
            logs of every epoch (a missing key raises, it is not skipped).
        state: the plateau state to start from (default ``plateau.init()``).
    """

    def __init__(
        self,
        schedule: Schedule,
        plateau: Plateau,
        monitor: str = "val_loss",
        state: PlateauState | None = None,
    ) -> None:
        super().__init__()
        fn = "PlateauCallback"
        if not isinstance(schedule, Schedule):
            raise K.ArgumentTypeError(
                fn,
                "schedule",
                schedule,
                f"{fn}(): schedule must be a schedalg schedule, got schedule={schedule!r}",
            )
        if not isinstance(plateau, Plateau):
            raise K.ArgumentTypeError(
                fn,
                "plateau",
                plateau,
                f"{fn}(): plateau must be a schedalg.plateau.Plateau (from reduce_on_plateau()), "
                f"got plateau={plateau!r}",
            )
        if not isinstance(monitor, str):
            raise K.ArgumentTypeError(
                fn, "monitor", monitor, f"{fn}(): monitor must be a str, got monitor={monitor!r}"
            )
        _check_backend(fn)
        self.schedule = schedule
        self.plateau = plateau
        self.monitor = monitor
        if state is None:
            state = plateau.init()
        elif not (isinstance(state, (tuple, list)) and len(state) == 4):
            raise K.ArgumentTypeError(
                fn,
                "state",
                state,
                f"{fn}(): state must be a PlateauState (or a list of its 4 numbers), "
                f"got state={state!r}",
            )
        self.state = PlateauState(*(_plain(x) for x in state))

    @property
    def scale(self) -> float:
        return float(self.plateau.scale(self.state))

    def _scaled(self) -> Schedule:
        scale = self.scale
        return self.schedule if scale == 1.0 else self.schedule * scale

    def _current(self) -> KerasSchedule:
        current = getattr(self.model.optimizer, "_learning_rate", None)
        if not isinstance(current, KerasSchedule):
            raise TypeError(
                "PlateauCallback: the optimizer's learning rate is not a schedalg schedule; "
                "build the optimizer with learning_rate=schedalg.keras.to_keras(schedule), "
                f"got {current!r}"
            )
        return current

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        current, want = self._current(), self._scaled()
        if current.schedule != want:
            raise ValueError(
                f"PlateauCallback: the optimizer runs {current.schedule!r}, but this callback "
                f"would run {want!r} (its schedule times the plateau scale {self.scale!r}); "
                f"give the optimizer to_keras(schedule), or, to resume from a saved model, "
                f"pass the saved state=callback.state"
            )

    def _install(self) -> None:
        self.model.optimizer.learning_rate = KerasSchedule(
            self._scaled(), self._current().gradient_accumulation_steps
        )
        # A compiled train step (JAX's jit) holds the schedule it was traced with: rebuild it.
        self.model.make_train_function(force=True)

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        logs = logs or {}
        if self.monitor not in logs:
            raise KeyError(
                f"PlateauCallback: monitor={self.monitor!r} is not in the logs of epoch "
                f"{epoch} (keys: {sorted(logs)}); pass validation data (validation_freq=1) "
                f"or monitor one of these keys"
            )
        metric = float(logs[self.monitor])  # NaN counts as no improvement, as in torch
        before = self.scale
        self.state = PlateauState(*(_plain(x) for x in self.plateau.update(self.state, metric)))
        if self.scale != before:
            self._install()


def _plain(x: Any) -> float | int:
    return x if isinstance(x, (int, float)) else float(x)
