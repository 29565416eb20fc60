"""torch adapters: schedules as ``LambdaLR``, a scheduler for any hyperparameter, plateau.

Time convention: the value a schedule gives at ``k`` is the value the optimizer uses for its
``k``-th update (0-based). As with every torch scheduler, call ``scheduler.step()`` right after
``optimizer.step()``; the scheduler sets the value for update 0 when it is built.

This module imports torch and never JAX.
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Mapping
from typing import Any

import torch
from torch.optim.lr_scheduler import LambdaLR, LRScheduler, ReduceLROnPlateau

from ._primitives import hold
from ._schedule import Schedule
from .plateau import Plateau, PlateauState

__all__ = ["ParamScheduler", "PlateauLR", "to_lambda_lr"]

_NEGATIVE = ("error", "allow")


def _as_schedule(fn: str, name: str, x: Any) -> Schedule:
    if isinstance(x, Schedule):
        return x
    if isinstance(x, numbers.Real) and not isinstance(x, bool):
        return hold(x)
    raise TypeError(f"{fn}(): {name} must be a schedalg schedule or a number, got {name}={x!r}")


def _per_group(fn: str, name: str, x: Any, n_groups: int, allow_none: bool) -> list[Any]:
    """One schedule per param group: a single schedule is shared; a list must match in length."""
    if isinstance(x, (list, tuple)):
        if len(x) != n_groups:
            raise ValueError(
                f"{fn}(): {name} has {len(x)} schedules but the optimizer has {n_groups} "
                f"param groups; give one schedule per group or a single schedule for all"
            )
        return [
            None if (allow_none and s is None) else _as_schedule(fn, f"{name}[{i}]", s)
            for i, s in enumerate(x)
        ]
    return [_as_schedule(fn, name, x)] * n_groups


def _check_negative(fn: str, negative: str) -> str:
    if negative not in _NEGATIVE:
        raise ValueError(f"{fn}(): negative must be one of {_NEGATIVE}, got negative={negative!r}")
    return negative


def _negative_raiser(fn: str, key: str, groups: list[int]) -> Any:
    def fail(k: int, v: float) -> None:
        where = f"param group {groups[0]}" if len(groups) == 1 else f"param groups {groups}"
        raise ValueError(
            f"{fn}: the schedule for {key!r} of {where} is negative at step {k} "
            f"(value {v!r}); fix the schedule or pass negative='allow'"
        )

    return fail


def _step_fn(schedule: Schedule, on_negative: Any = None, memo: bool = False) -> Any:
    """``k -> schedule(k)`` for int ``k >= 0``, the same float, with little per-call work.

    A schedule whose leaves are all Python floats hands out the closure its own ``__call__``
    uses for Python numbers (``_pyfn``), so the type dispatch is skipped; other schedules
    keep the general path. With ``memo``, the last ``(k, value)`` is remembered, so groups
    sharing a schedule evaluate it once per step. ``on_negative(k, v)`` is called for a
    negative value.

    The result is a plain function, not a callable object: ``LambdaLR.state_dict`` then
    stores None for it, so checkpoints hold no schedule and load with ``weights_only=True``.
    """
    if schedule._py_ok:
        f = schedule._pyfn()
    else:

        def f(k: int) -> float:
            return float(schedule(k))

    if on_negative is None:
        at = f
    else:

        def at(k: int) -> float:
            v = f(k)
            if v < 0:
                on_negative(k, v)
            return v  # type: ignore[no-any-return]

    if not memo:
        return at
    last: list[Any] = [None, 0.0]

    def at_memo(k: int) -> float:
        if k == last[0]:
            return last[1]  # type: ignore[no-any-return]
        v = at(k)
        last[0] = k
        last[1] = v
        return v  # type: ignore[no-any-return]

    return at_memo


def to_lambda_lr(
    optimizer: torch.optim.Optimizer, schedule: Any, *, negative: str = "error"
) -> LambdaLR:
    """A ``torch.optim.lr_scheduler.LambdaLR`` that sets each group's lr to its schedule.

    ``param_groups[i]['lr'] == schedule_i(k)`` exactly (same float) during the ``k``-th
    update, whatever lr the optimizer was built with. LambdaLR computes
    ``initial_lr * lambda(k)``; this sets each group's ``initial_lr`` to 1.0 and uses the
    schedule as the lambda, and ``1.0 * x == x`` for every float.

    Checkpointing: the scheduler's ``state_dict()`` holds the step count, not the schedules.
    To resume, build the optimizer and ``to_lambda_lr(optimizer, same_schedules)`` again, then
    load both state dicts.

    Args:
        optimizer: a torch optimizer.
        schedule: a schedule (or number) for every group, or a list with one per group.
        negative: 'error' (raise ValueError at the first step whose lr is negative) or 'allow'.

    Returns:
        The ``LambdaLR``; the groups' lr already hold ``schedule_i(0)``.

    Example:
        >>> import torch
        >>> from schedalg import linear_ramp
        >>> opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=123.0)
        >>> sched = to_lambda_lr(opt, linear_ramp(0.0, 0.1, 10))
        >>> opt.param_groups[0]["lr"]
        0.0
    """
    fn = "to_lambda_lr"
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise TypeError(f"{fn}(): optimizer must be a torch.optim.Optimizer, got {optimizer!r}")
    negative = _check_negative(fn, negative)
    groups = optimizer.param_groups
    schedules = _per_group(fn, "schedule", schedule, len(groups), allow_none=False)
    users: dict[int, list[int]] = {}  # id(schedule) -> the groups it drives
    for i, sched in enumerate(schedules):
        users.setdefault(id(sched), []).append(i)
    fns: dict[int, Any] = {}
    for sched in schedules:
        if id(sched) not in fns:
            check = _negative_raiser(f"{fn}()", "lr", users[id(sched)])
            # a schedule whose static range is >= 0 needs no check at each step
            rng = sched._range()
            if negative != "error" or (rng is not None and rng[0] >= 0):
                check = None
            shared = len(users[id(sched)]) > 1
            fns[id(sched)] = _step_fn(sched, check, shared)
    for group in groups:
        group["initial_lr"] = 1.0
    return LambdaLR(optimizer, [fns[id(sched)] for sched in schedules])


_KEY_RE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)(?:\[(\d+)\])?$")


def _parse_key(fn: str, key: Any) -> tuple[str, int | None]:
    """'lr' -> ('lr', None); 'betas[0]' or ('betas', 0) -> ('betas', 0)."""
    if isinstance(key, tuple) and len(key) == 2:
        name, idx = key
        if isinstance(name, str) and isinstance(idx, int) and not isinstance(idx, bool):
            if idx >= 0:
                return name, idx
    elif isinstance(key, str):
        m = _KEY_RE.match(key)
        if m:
            return m.group(1), None if m.group(2) is None else int(m.group(2))
    raise ValueError(
        f"{fn}(): a hyperparameter key must be a name like 'momentum', an element like "
        f"'betas[0]' or ('betas', 0), got {key!r}"
    )


def _key_str(name: str, idx: int | None) -> str:
    return name if idx is None else f"{name}[{idx}]"


class ParamScheduler(LRScheduler):
    """A torch scheduler that drives any optimizer hyperparameters by schedalg schedules.

    For the ``k``-th update, ``param_groups[i][key] == schedule(k)`` for every scheduled key:
    ``'lr'``, ``'momentum'``, ``'weight_decay'``, an element of a tuple such as ``'betas[0]'``
    (or ``('betas', 0)``), or any key you put in the param groups yourself. It is a
    ``torch.optim.lr_scheduler.LRScheduler``: ``step()``, ``get_last_lr()``, ``state_dict()``
    and ``load_state_dict()`` behave as torch's, so it fits Lightning's
    ``{"scheduler": s, "interval": "step"}``. ``step()`` evaluates each schedule on the pure
    Python path (a few hundred nanoseconds each) and assigns; nothing else.

    Args:
        optimizer: a torch optimizer.
        schedules: mapping from key to a schedule (or number) for all groups, or to a list
            with one entry per group (``None`` leaves that group's value alone).
        negative: 'error' (raise ValueError when a scheduled value is negative) or 'allow'.
        last_epoch: as in torch: -1 starts fresh; use ``load_state_dict`` to resume instead.

    Example:
        >>> import torch
        >>> from schedalg import cosine
        >>> opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1, momentum=0.9)
        >>> sched = ParamScheduler(opt, {"lr": cosine(0.1, 0.0, 100),
        ...                              "momentum": cosine(0.85, 0.95, 100)})
        >>> opt.param_groups[0]["momentum"]
        0.85
    """

    def __init__(
        self,
        optimizer: torch.optim.Optimizer,
        schedules: Mapping[Any, Any],
        *,
        negative: str = "error",
        last_epoch: int = -1,
    ) -> None:
        fn = "ParamScheduler"
        if not isinstance(optimizer, torch.optim.Optimizer):
            raise TypeError(f"{fn}(): optimizer must be a torch.optim.Optimizer, got {optimizer!r}")
        if not isinstance(schedules, Mapping) or not schedules:
            raise TypeError(
                f"{fn}(): schedules must be a non-empty mapping from hyperparameter key to "
                f"schedule, got schedules={schedules!r}"
            )
        self.negative = _check_negative(fn, negative)
        groups = optimizer.param_groups
        # (group index, key, element index, index into the distinct schedules); groups are
        # looked up by index at each step because optimizer.load_state_dict() replaces them.
        targets: list[tuple[int, str, int | None, int]] = []
        distinct: dict[int, int] = {}  # id(schedule) -> position in self._fns
        fns: list[Any] = []
        names: list[Schedule] = []
        user_groups: dict[tuple[str, int], list[int]] = {}
        keys: list[str] = []
        for key, value in schedules.items():
            name, idx = _parse_key(fn, key)
            ks = _key_str(name, idx)
            if ks in keys:
                raise ValueError(f"{fn}(): key {ks!r} is given twice")
            keys.append(ks)
            per_group = _per_group(fn, f"schedules[{key!r}]", value, len(groups), True)
            for gi, (group, sched) in enumerate(zip(groups, per_group, strict=True)):
                if sched is None:
                    continue
                if name not in group:
                    raise ValueError(
                        f"{fn}(): param group {gi} has no key {name!r} (it has "
                        f"{sorted(k for k in group if k != 'params')}); add it to the group "
                        f"before scheduling it"
                    )
                if idx is not None:
                    cur = group[name]
                    if not isinstance(cur, (tuple, list)) or idx >= len(cur):
                        raise ValueError(
                            f"{fn}(): key {ks!r}: param group {gi} holds {name}={cur!r}, "
                            f"which has no element {idx}"
                        )
                if id(sched) not in distinct:
                    distinct[id(sched)] = len(fns)
                    fns.append(_step_fn(sched))
                    names.append(sched)
                targets.append((gi, name, idx, distinct[id(sched)]))
                user_groups.setdefault((ks, id(sched)), []).append(gi)
        self.keys = tuple(keys)
        self._targets = targets
        self._fns = tuple(fns)
        self._schedules = tuple(names)  # keeps each schedule alive while its id is in use
        self._user_groups = user_groups
        super().__init__(optimizer, last_epoch)

    def _apply(self, k: int) -> None:
        check = self.negative == "error"
        groups = self.optimizer.param_groups
        values = [f(k) for f in self._fns]  # each distinct schedule once per step
        for gi, name, idx, j in self._targets:
            group = groups[gi]
            v = values[j]
            if check and v < 0:
                ks = _key_str(name, idx)
                users = self._user_groups[(ks, id(self._schedules[j]))]
                _negative_raiser("ParamScheduler.step()", ks, users)(k, v)
            if idx is None:
                cur = group[name]
                if isinstance(cur, torch.Tensor):
                    cur.fill_(v)
                else:
                    group[name] = v
            else:
                cur = group[name]
                if isinstance(cur[idx], torch.Tensor):
                    cur[idx].fill_(v)
                else:
                    group[name] = (*cur[:idx], v, *cur[idx + 1 :])
        self._last_lr = [group["lr"] for group in groups]

    def step(self, epoch: int | None = None) -> None:
        """Advance one update and set every scheduled value for it.

        Args:
            epoch: not supported (torch deprecated it); must be None.
        """
        if epoch is not None:
            raise TypeError("ParamScheduler.step(): epoch is not supported; call step()")
        self._step_count += 1
        self.last_epoch += 1
        self._apply(self.last_epoch)

    def get_lr(self) -> list[Any]:
        """The lr of each group at the current step (scheduled or left as is)."""
        return [group["lr"] for group in self.optimizer.param_groups]

    def last_values(self) -> dict[str, list[Any]]:
        """Current value of every scheduled key in every group, for logging.

        Returns:
            ``{key: [value for group 0, value for group 1, ...]}`` (``None`` for a group the
            key is not scheduled in).
        """
        out: dict[str, list[Any]] = {
            k: [None] * len(self.optimizer.param_groups) for k in self.keys
        }
        groups = self.optimizer.param_groups
        for gi, name, idx, _ in self._targets:
            v = groups[gi][name]
            out[_key_str(name, idx)][gi] = v if idx is None else v[idx]
        return out

    def state_dict(self) -> dict[str, Any]:
        """The step count and the scheduled keys (the schedules themselves are code)."""
        return {
            "last_epoch": self.last_epoch,
            "_step_count": self._step_count,
            "keys": list(self.keys),
        }

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Resume at a saved step: restore the count and set the values for that step.

        Args:
            state_dict: a dict from :meth:`state_dict` of a scheduler with the same keys.
        """
        if list(state_dict.get("keys", [])) != list(self.keys):
            raise ValueError(
                f"ParamScheduler.load_state_dict(): saved keys {state_dict.get('keys')!r} do "
                f"not match this scheduler's keys {list(self.keys)!r}"
            )
        self.last_epoch = int(state_dict["last_epoch"])
        self._step_count = int(state_dict["_step_count"])
        self._apply(self.last_epoch)


class PlateauLR(ReduceLROnPlateau):
    """torch adapter for :func:`schedalg.plateau.reduce_on_plateau`.

    A ``torch.optim.lr_scheduler.ReduceLROnPlateau`` (so Lightning passes it the monitored
    metric) whose decisions come from the pure state machine: after ``step(metric)`` each
    group's lr is ``base_lr_i * plateau.scale(state)``, ``base_lr_i`` being the group's lr when
    the adapter was built. The state is ``self.state``, a :class:`PlateauState`.

    Args:
        optimizer: a torch optimizer.
        plateau: the rule, from ``reduce_on_plateau(...)``.

    Example:
        >>> import torch
        >>> from schedalg.plateau import reduce_on_plateau
        >>> opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
        >>> sched = PlateauLR(opt, reduce_on_plateau(factor=0.5, patience=0))
        >>> for loss in [1.0, 2.0]:
        ...     sched.step(loss)
        >>> opt.param_groups[0]["lr"]
        0.05
    """

    def __init__(self, optimizer: torch.optim.Optimizer, plateau: Plateau) -> None:
        if not isinstance(plateau, Plateau):
            raise TypeError(
                f"PlateauLR(): plateau must come from reduce_on_plateau(), got {plateau!r}"
            )
        self.plateau = plateau
        base = [float(group["lr"]) for group in optimizer.param_groups]
        self.base_lrs = list(base)
        super().__init__(
            optimizer,
            mode=plateau.mode,  # type: ignore[arg-type]
            factor=plateau.factor,
            patience=plateau.patience,
            threshold=plateau.threshold,
            threshold_mode=plateau.threshold_mode,  # type: ignore[arg-type]
            cooldown=plateau.cooldown,
            min_lr=[b * plateau.min_scale for b in base],
            eps=plateau.eps,
        )
        self.state = plateau.init()

    def step(self, metrics: Any, epoch: Any = None) -> None:  # type: ignore[override]
        """Observe one metric value and set the lrs to ``base_lr * scale``.

        Args:
            metrics: the monitored quantity (a number or a 0-d tensor).
            epoch: not supported; must be None.
        """
        if epoch is not None:
            raise TypeError("PlateauLR.step(): epoch is not supported; call step(metric)")
        self.last_epoch += 1
        self.state = self.plateau.update(self.state, float(metrics))
        scale = self.state.scale
        for group, base in zip(self.optimizer.param_groups, self.base_lrs, strict=True):
            group["lr"] = base * scale
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def state_dict(self) -> dict[str, Any]:
        """The plateau state, the base lrs and the update count (plain Python numbers)."""
        return {
            "last_epoch": self.last_epoch,
            "base_lrs": list(self.base_lrs),
            "state": tuple(self.state),
        }

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore a saved state and set the lrs it implies.

        Args:
            state_dict: a dict from :meth:`state_dict`.
        """
        self.last_epoch = int(state_dict["last_epoch"])
        self.base_lrs = [float(b) for b in state_dict["base_lrs"]]
        self.state = PlateauState(*state_dict["state"])
        for group, base in zip(self.optimizer.param_groups, self.base_lrs, strict=True):
            group["lr"] = base * self.state.scale
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]
