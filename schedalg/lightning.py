"""PyTorch Lightning adapter: ``configure_optimizers`` with a schedalg schedule.

This is an adapter (it feeds a schedule to a framework); ``schedalg.compat.torch`` is
something else: it rebuilds torch's named schedulers as schedalg schedules.

Lightning knows the run's number of optimizer updates as ``trainer.estimated_stepping_batches``
(epochs, ``limit_train_batches``, ``max_steps`` and ``accumulate_grad_batches`` counted).
:func:`optimizer_config` fits a schedule shape to it with :func:`schedalg.fit` and returns
what ``configure_optimizers`` returns, with the scheduler stepped after every optimizer update
(``"interval": "step"``)::

    def configure_optimizers(self):
        opt = torch.optim.AdamW(self.parameters(), lr=1e-3)
        shape = linear_ramp(0.0, 1e-3, 1) >> cosine(1e-3, 0.0, 19)   # 5% warmup, then cosine
        return optimizer_config(opt, shape, self.trainer)

Update ``k`` (0-based) runs at exactly ``fit(shape, trainer.estimated_stepping_batches)(k)``,
the value ``LearningRateMonitor`` logs for it. A function ``total -> schedule`` may replace
the shape. The scheduler is :class:`schedalg.torch.ParamScheduler`; Lightning saves its
state (the update count) in each checkpoint, and ``trainer.fit(model, ckpt_path=...)``
continues at exactly the saved update.

Reduce-on-plateau composes with the schedule: with ``plateau=reduce_on_plateau(...)`` the lr
of update ``k`` is ``s(k) * scale``, the scale multiplied by the rule's factor at each plateau
of the monitored validation metric. The metric reaches the scheduler through the callback
:class:`ReportPlateau` (``Trainer(callbacks=[ReportPlateau("val_loss")])``), at the end of
every validation, before any ``ModelCheckpoint`` saves (Lightning runs checkpoint callbacks
last), so a checkpoint holds the plateau state that includes its own validation and a resume
is exact. (Lightning's own route, a scheduler entry with ``"monitor"`` and
``"reduce_on_plateau": True``, reports after the epoch-end checkpoint is written: resuming
from that checkpoint silently drops the last report.)

This module imports torch and lightning.
"""

from __future__ import annotations

from typing import Any

import torch
from lightning.pytorch.callbacks import Callback

from . import _checks as K
from ._run import RunSchedule, check_spec, for_run
from .plateau import Plateau
from .torch import ParamScheduler

__all__ = ["ReportPlateau", "optimizer_config"]


def optimizer_config(
    optimizer: torch.optim.Optimizer,
    schedule: RunSchedule,
    trainer: Any,
    *,
    relative: bool = False,
    plateau: Plateau | None = None,
    name: str | None = None,
) -> dict[str, Any]:
    """What ``configure_optimizers`` returns for an lr that follows ``schedule``.

    The schedule of the run is ``fit(schedule, trainer.estimated_stepping_batches)`` for a
    shape (a finite schedule whose durations are proportions), or
    ``schedule(trainer.estimated_stepping_batches)`` for a function.

    Args:
        optimizer: the torch optimizer, built in ``configure_optimizers``.
        schedule: a finite schedalg schedule (fitted to the run) or a function
            ``total -> schedule``.
        trainer: the Lightning trainer (``self.trainer`` in the LightningModule).
        relative: if True, the schedule multiplies each group's initial lr (the lr the
            optimizer was built with) instead of being the lr.
        plateau: None, or a rule from ``reduce_on_plateau(...)`` that scales the scheduled
            lr when the monitored metric stops improving; the trainer must have a
            :class:`ReportPlateau` callback, which delivers the metric.
        name: the scheduler's name in ``LearningRateMonitor`` (default ``"lr-<Optimizer>"``).

    Returns:
        ``{"optimizer": optimizer, "lr_scheduler": {"scheduler": sched, "interval": "step",
        "frequency": 1}}``, ``sched`` a :class:`schedalg.torch.ParamScheduler`.

    Example:
        >>> import torch
        >>> from types import SimpleNamespace
        >>> from schedalg import cosine, linear_ramp
        >>> from schedalg.lightning import optimizer_config
        >>> trainer = SimpleNamespace(estimated_stepping_batches=1000)  # Lightning's, in a run
        >>> opt = torch.optim.AdamW([torch.zeros(1, requires_grad=True)], lr=1e-3)
        >>> shape = linear_ramp(0.0, 1e-3, 1) >> cosine(1e-3, 0.0, 19)  # 5% warmup
        >>> conf = optimizer_config(opt, shape, trainer)
        >>> conf["lr_scheduler"]["interval"], opt.param_groups[0]["lr"]
        ('step', 0.0)
    """
    fn = "optimizer_config"
    check_spec(fn, schedule)
    if not isinstance(relative, bool):
        raise K.ArgumentTypeError(
            fn,
            "relative",
            relative,
            f"{fn}(): relative must be True or False, got relative={relative!r}",
        )
    if plateau is not None and not isinstance(plateau, Plateau):
        raise K.ArgumentTypeError(
            fn,
            "plateau",
            plateau,
            f"{fn}(): plateau must come from reduce_on_plateau() or be None, "
            f"got plateau={plateau!r}",
        )
    total = getattr(trainer, "estimated_stepping_batches", None)
    if total is None:
        raise K.ArgumentTypeError(
            fn,
            "trainer",
            trainer,
            f"{fn}(): trainer must be a Lightning Trainer (self.trainer in configure_optimizers), "
            f"got trainer={trainer!r}",
        )
    reporters = [c for c in getattr(trainer, "callbacks", []) if isinstance(c, ReportPlateau)]
    if plateau is not None and len(reporters) != 1:
        raise K.ArgumentValueError(
            fn,
            "plateau",
            plateau,
            f"{fn}(): plateau= needs exactly one ReportPlateau(monitor) callback in the Trainer, "
            f"which reports the monitored metric after each validation, found "
            f"{len(reporters)}: Trainer(callbacks=[schedalg.lightning.ReportPlateau('val_loss')])",
        )
    s = for_run(fn, schedule, total)
    sched = ParamScheduler(optimizer, {"lr": s}, relative=relative, plateau=plateau)
    if plateau is not None:
        reporters[0].scheduler = sched
    step: dict[str, Any] = {"scheduler": sched, "interval": "step", "frequency": 1}
    if name is not None:
        step["name"] = name
    return {"optimizer": optimizer, "lr_scheduler": step}


class ReportPlateau(Callback):
    """Reports a validation metric to the plateau rule of :func:`optimizer_config`'s scheduler.

    At the end of every validation (not the sanity check), ``scheduler.report(metric)`` with
    the logged value of ``monitor``. Lightning runs it before any ``ModelCheckpoint``, so the
    checkpoint written at that validation holds the plateau state after its report.

    Args:
        monitor: the name of the logged validation metric, e.g. ``"val_loss"``.

    Example:
        >>> from schedalg.lightning import ReportPlateau
        >>> ReportPlateau("val_loss").monitor
        'val_loss'
    """

    def __init__(self, monitor: str) -> None:
        if not isinstance(monitor, str) or not monitor:
            raise K.ArgumentTypeError(
                "ReportPlateau",
                "monitor",
                monitor,
                f"ReportPlateau(): monitor must be a metric name, got {monitor!r}",
            )
        self.monitor = monitor
        self.scheduler: ParamScheduler | None = None

    def on_validation_end(self, trainer: Any, pl_module: Any) -> None:
        """Report the monitored metric of this validation to the scheduler."""
        if trainer.sanity_checking:
            return
        if self.scheduler is None:
            raise RuntimeError(
                "ReportPlateau: no scheduler to report to; return optimizer_config(..., "
                "plateau=reduce_on_plateau(...)) from configure_optimizers"
            )
        value = trainer.callback_metrics.get(self.monitor)
        if value is None:
            raise KeyError(
                f"ReportPlateau: the monitored metric {self.monitor!r} was not logged in this "
                f"validation; logged: {sorted(trainer.callback_metrics)}"
            )
        self.scheduler.report(float(value))
