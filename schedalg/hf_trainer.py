"""Hugging Face ``transformers.Trainer`` adapter: a schedalg schedule as the Trainer's lr.

This is an adapter (it feeds a schedule to a framework); ``schedalg.compat.transformers``
is something else: it rebuilds transformers' own named schedules as schedalg schedules.

The Trainer knows the run's number of optimizer updates only when training starts (it
depends on the dataset, the batch size, the number of devices, ``gradient_accumulation_steps``
and ``num_train_epochs`` or ``max_steps``). :class:`ScheduledTrainer` takes a schedule *shape*
and fits it to that number with :func:`schedalg.fit` when the Trainer creates its scheduler::

    shape = linear_ramp(0.0, 3e-4, 1) >> cosine(3e-4, 0.0, 19)   # 5% warmup, then cosine
    trainer = ScheduledTrainer(model=model, args=args, train_dataset=ds, schedule=shape)

Update ``k`` (0-based, counting optimizer updates, not batches) runs at exactly
``fit(shape, num_training_steps)(k)``: that is the ``learning_rate`` the Trainer logs for
step ``k + 1``. A function ``total -> schedule`` may replace the shape (a fixed-length
warmup: ``lambda n: linear_ramp(0, 3e-4, 500) >> cosine(3e-4, 0, n - 500)``).

Why a Trainer subclass: ``Trainer.create_scheduler(num_training_steps, optimizer)`` is the
one place where the Trainer hands over the run's length together with the optimizer it will
step, on every path (``train()`` again, ``resume_from_checkpoint``, a ``model_init`` search);
``optimizers=(opt, scheduler)`` would need the length before the Trainer computes it, and a
callback cannot replace the Trainer's scheduler. To combine with another Trainer subclass,
list both: ``class MyTrainer(ScheduledTrainer, SFTTrainer): pass``.

The scheduler is :class:`schedalg.torch.ParamScheduler`: its state (the update count) is
saved in each checkpoint, and ``train(resume_from_checkpoint=...)`` continues at exactly the
saved update. Reduce-on-plateau is not offered here: the Trainer steps a scheduler either at
every update or, for a ``ReduceLROnPlateau``, only after evaluations, never both.

This module imports torch and transformers.
"""

from __future__ import annotations

from typing import Any

import torch
from transformers import Trainer
from transformers.trainer_utils import SchedulerType

from . import _checks as K
from ._run import RunSchedule, check_spec, for_run
from .torch import ParamScheduler

__all__ = ["ScheduledTrainer", "make_scheduler"]


def make_scheduler(
    optimizer: torch.optim.Optimizer,
    schedule: RunSchedule,
    num_training_steps: int,
    *,
    relative: bool = False,
) -> ParamScheduler:
    """The lr scheduler of a run of ``num_training_steps`` optimizer updates.

    ``param_groups[i]["lr"]`` is ``s(k)`` during update ``k``, where ``s`` is
    ``fit(schedule, num_training_steps)`` for a shape, or ``schedule(num_training_steps)`` for
    a function; with ``relative=True`` it is ``s(k)`` times the group's initial lr (the
    Trainer's ``learning_rate``), so the shape is a multiplier that peaks at 1.

    Args:
        optimizer: the torch optimizer the Trainer steps.
        schedule: a finite schedalg schedule (the shape) or a function ``total -> schedule``.
        num_training_steps: the number of optimizer updates of the run.
        relative: the schedule multiplies each group's initial lr instead of being the lr.

    Returns:
        A :class:`schedalg.torch.ParamScheduler` (a torch ``LRScheduler``).

    Example:
        >>> import torch
        >>> from schedalg import cosine, linear_ramp
        >>> from schedalg.hf_trainer import make_scheduler
        >>> opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
        >>> shape = linear_ramp(0.0, 1.0, 1) >> cosine(1.0, 0.0, 3)  # warmup: the first 25%
        >>> sched = make_scheduler(opt, shape, 8)  # 8 updates: warmup over 2, cosine over 6
        >>> lrs = []
        >>> for k in range(4):
        ...     lrs.append(round(opt.param_groups[0]["lr"], 3))  # the lr of update k
        ...     opt.step()
        ...     sched.step()
        >>> lrs
        [0.0, 0.5, 1.0, 0.933]
    """
    fn = "make_scheduler"
    s = for_run(fn, check_spec(fn, schedule), num_training_steps)
    return ParamScheduler(optimizer, {"lr": s}, relative=_flag(fn, relative))


def _flag(fn: str, x: Any) -> bool:
    if not isinstance(x, bool):
        raise K.ArgumentTypeError(
            fn, None, None, f"{fn}(): relative must be True or False, got relative={x!r}"
        )
    return x


class ScheduledTrainer(Trainer):
    """A ``transformers.Trainer`` whose learning rate follows a schedalg schedule.

    All arguments are the Trainer's, plus ``schedule`` (and ``relative``), as in
    :func:`make_scheduler`: the shape is fitted to the number of optimizer updates the Trainer
    computes (``max_steps``, or the epochs' updates with gradient accumulation counted). The
    TrainingArguments that would choose another schedule (``lr_scheduler_type``,
    ``lr_scheduler_kwargs``, ``warmup_steps``, ``warmup_ratio``) must stay at their defaults
    (other values are refused: they would be ignored without a word); ``learning_rate``
    is only used with ``relative=True`` (the schedule then multiplies it).

    Args:
        *args: passed to ``transformers.Trainer``.
        schedule: a finite schedalg schedule (fitted to the run) or a function
            ``total -> schedule``.
        relative: if True, the lr is ``args.learning_rate * s(k)`` (each group's initial lr).
        **kwargs: passed to ``transformers.Trainer``.
    """

    def __init__(
        self, *args: Any, schedule: RunSchedule, relative: bool = False, **kwargs: Any
    ) -> None:
        fn = "ScheduledTrainer"
        self.schedule = check_spec(fn, schedule)
        self.relative = _flag(fn, relative)
        super().__init__(*args, **kwargs)
        a = self.args
        if SchedulerType(a.lr_scheduler_type) != SchedulerType.LINEAR or a.lr_scheduler_kwargs:
            raise K.ArgumentValueError(
                fn,
                None,
                None,
                f"{fn}(): the schedule replaces TrainingArguments' lr_scheduler_type and "
                f"lr_scheduler_kwargs; leave them at their defaults, got "
                f"lr_scheduler_type={a.lr_scheduler_type!r}, "
                f"lr_scheduler_kwargs={a.lr_scheduler_kwargs!r}",
            )
        for field in ("warmup_steps", "warmup_ratio"):  # warmup_ratio: transformers 4
            if getattr(a, field, 0):
                raise K.ArgumentValueError(
                    fn,
                    None,
                    None,
                    f"{fn}(): the schedule decides the warmup; leave TrainingArguments' {field} "
                    f"at 0, got {field}={getattr(a, field)!r}",
                )
        if self.lr_scheduler is not None:
            raise K.ArgumentTypeError(
                fn,
                None,
                None,
                f"{fn}(): give either schedule or a scheduler in optimizers=(optimizer, "
                f"scheduler), not both; got scheduler {self.lr_scheduler!r}",
            )

    def create_scheduler(
        self, num_training_steps: int, optimizer: torch.optim.Optimizer | None = None
    ) -> torch.optim.lr_scheduler.LRScheduler:
        """Build the :class:`ParamScheduler` for a run of ``num_training_steps`` updates.

        Called by the Trainer when training starts; a later ``train()`` builds a new one.

        Args:
            num_training_steps: the number of optimizer updates, from the Trainer.
            optimizer: the optimizer to schedule (default: the Trainer's).

        Returns:
            The scheduler, also stored as ``self.lr_scheduler``.
        """
        if self.lr_scheduler is None:
            opt = self.optimizer if optimizer is None else optimizer
            if opt is None:
                raise RuntimeError(
                    "ScheduledTrainer.create_scheduler(): no optimizer; the Trainer creates it "
                    "first (create_optimizer) or passes it in"
                )
            sched = make_scheduler(opt, self.schedule, num_training_steps, relative=self.relative)
            # transformers annotates lr_scheduler as LambdaLR; any LRScheduler works at runtime
            self.lr_scheduler = sched  # type: ignore[assignment]
            # as for the Trainer's own schedulers: rebuilt at the next train()
            self._created_lr_scheduler = True
            return sched
        return self.lr_scheduler
