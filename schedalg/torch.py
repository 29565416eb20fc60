"""torch adapters: schedules as ``LambdaLR``, a scheduler for any hyperparameter, plateau.

Time convention: the value a schedule gives at ``k`` is the value the optimizer uses for its
``k``-th update (0-based). As with every torch scheduler, call ``scheduler.step()`` right after
``optimizer.step()``; the scheduler sets the value for update 0 when it is built.

Values are absolute by default (``param_groups[i]['lr'] == s(k)``); with ``relative=True`` a
schedule multiplies each group's initial value, as a ``LambdaLR`` lambda does. A single
absolute schedule for groups that start at different values is refused: the per-group ratio
would be lost without a word.

Checkpoints: every scheduler's ``state_dict()`` holds plain Python values only (it loads with
``torch.load(..., weights_only=True)``) and records the schedules as schedalg JSON. After
``load_state_dict`` (before or after the optimizer's, or without it) the next
``optimizer.step()`` uses the value for the saved step. Loading a state saved from different
schedules raises ``ValueError`` unless ``load_state_dict(state, replace=True)``: then this
scheduler's schedules replace the saved ones and the saved step count (and plateau state) carry
on. ``torch.save(scheduler)`` of the whole object also works.

This module imports torch and never JAX.
"""

from __future__ import annotations

import dataclasses
import numbers
import re
import weakref
from collections.abc import Callable, Mapping
from typing import Any

import torch
from torch.optim.lr_scheduler import LambdaLR, LRScheduler, ReduceLROnPlateau

from . import _checks as K
from ._primitives import hold
from ._schedule import Schedule
from .io import from_json, to_json
from .plateau import Plateau, PlateauState

__all__ = ["ParamScheduler", "PlateauLR", "to_lambda_lr"]

_NEGATIVE = ("error", "allow")


_NO_KEY = object()


def _as_schedule(fn: str, name: str, label: str, x: Any, index: Any) -> Schedule:
    """A schedule argument ``name`` (``label`` in the message, ``index`` in the error)."""
    if isinstance(x, Schedule):
        return x
    if isinstance(x, numbers.Real) and not isinstance(x, bool):
        return hold(x)
    raise K.ArgumentTypeError(
        fn,
        name,
        x,
        f"{fn}(): {label} must be a schedalg schedule or a number, got {label}={x!r}",
        index=index,
    )


def _per_group(
    fn: str, name: str, x: Any, n_groups: int, allow_none: bool, key: Any = _NO_KEY
) -> list[Any]:
    """One schedule per param group: a single schedule is shared; a list must match in length.

    ``key``: the key of ``x`` in the mapping argument ``name`` (the errors' index).
    """
    label = name if key is _NO_KEY else f"{name}[{key!r}]"
    if isinstance(x, (list, tuple)):
        if len(x) != n_groups:
            raise K.ArgumentValueError(
                fn,
                name,
                x,
                f"{fn}(): {label} has {len(x)} schedules but the optimizer has {n_groups} "
                f"param groups; give one schedule per group or a single schedule for all",
                index=None if key is _NO_KEY else key,
            )
        return [
            None
            if (allow_none and s is None)
            else _as_schedule(fn, name, f"{label}[{i}]", s, i if key is _NO_KEY else key)
            for i, s in enumerate(x)
        ]
    return [_as_schedule(fn, name, label, x, None if key is _NO_KEY else key)] * n_groups


def _refuse_mixed_starts(fn: str, name: str, key: str, starts: list[float], x: Any) -> None:
    """A single absolute schedule would erase the groups' different values: say what to do
    (``x``: the schedule given as argument ``name``, for key ``key``)."""
    if len(set(starts)) > 1:
        raise K.ArgumentValueError(
            fn,
            name,
            x,
            f"{fn}(): one schedule for {key!r}, but the param groups start at different values "
            f"{starts}; an absolute schedule would set every group to the same value. Pass a "
            f"list with one schedule per group, or relative=True to multiply each group's "
            f"initial value by the schedule",
            index=key if name == "schedules" else None,
        )


def _check_negative(fn: str, negative: str) -> str:
    return K.choice(fn, "negative", negative, _NEGATIVE)


def _negative_raiser(fn: str, key: str, groups: list[int]) -> Callable[[int, float], None]:
    def fail(k: int, v: float) -> None:
        where = f"param group {groups[0]}" if len(groups) == 1 else f"param groups {groups}"
        raise ValueError(
            f"{fn}: the schedule for {key!r} of {where} is negative at step {k} "
            f"(value {v!r}); fix the schedule or pass negative='allow'"
        )

    return fail


def _step_fn(
    schedule: Schedule,
    on_negative: Callable[[int, float], None] | None = None,
    memo: bool = False,
) -> Callable[[int], float]:
    """``k -> schedule(k)`` for int ``k >= 0``, the same float, with little per-call work.

    A schedule whose leaves are all Python floats hands out the closure its own ``__call__``
    uses for Python numbers (``_pyfn``), so the type dispatch is skipped; other schedules
    keep the general path. With ``memo``, the last ``(k, value)`` is remembered, so groups
    sharing a schedule evaluate it once per step. ``on_negative(k, v)`` is called for a
    negative value.

    The result is a closure: schedulers keep it out of their pickles and state dicts and
    rebuild it from the schedule.
    """
    f: Callable[[int], float]
    if schedule._py_ok:
        f = schedule._pyfn()
    else:

        def f(k: int) -> float:
            return float(schedule(k))

    at: Callable[[int], float]
    if on_negative is None:
        at = f
    else:

        def at(k: int) -> float:
            v = f(k)
            if v < 0:
                on_negative(k, v)
            return v

    if not memo:
        return at
    last_k: int | None = None
    last_v = 0.0

    def at_memo(k: int) -> float:
        nonlocal last_k, last_v
        if k == last_k:
            return last_v
        v = at(k)
        last_k = k
        last_v = v
        return v

    return at_memo


def _assign(group: dict[str, Any], key: str, v: Any) -> None:
    """``group[key] = v``, filling a tensor value in place (as torch's schedulers do)."""
    cur = group[key]
    if isinstance(cur, torch.Tensor):
        cur.fill_(v)
    else:
        group[key] = v


def _json_or_none(schedule: Schedule) -> str | None:
    """The schedule as schedalg JSON; None for one that JSON cannot hold (not checked then)."""
    try:
        return to_json(schedule)
    except (TypeError, ValueError):
        return None


def _short(text: Any) -> str:
    """A saved JSON schedule as a short expression, for error messages."""
    if not isinstance(text, str):
        return "(no schedule)" if text is None else repr(text)
    try:
        r = repr(from_json(text))
    except (TypeError, ValueError):
        r = text
    return r if len(r) <= 100 else r[:97] + "..."


def _refuse_changes(where: str, diffs: list[str]) -> None:
    if diffs:
        shown = "; ".join(diffs[:3]) + ("; ..." if len(diffs) > 3 else "")
        raise ValueError(
            f"{where}: the state was saved from different schedules ({shown}). To resume the "
            f"saved step with this scheduler's schedules, call load_state_dict(state, "
            f"replace=True); to get the saved ones back, rebuild the scheduler from "
            f"schedalg.from_json(state['schedules'][...])"
        )


def _plateau_dict(plateau: Plateau) -> dict[str, Any]:
    return dataclasses.asdict(plateau)


def _plain_state(state: PlateauState) -> list[Any]:
    best, bad, cd, scale = state
    return [float(best), int(bad), int(cd), float(scale)]


def _state_from(saved: Any) -> PlateauState:
    best, bad, cd, scale = saved
    return PlateauState(float(best), int(bad), int(cd), float(scale))


def _check_optimizer(fn: str, optimizer: Any) -> None:
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise K.ArgumentTypeError(
            fn,
            "optimizer",
            optimizer,
            f"{fn}(): optimizer must be a torch.optim.Optimizer, got {optimizer!r}",
        )


def _initial_lr(group: dict[str, Any]) -> float:
    """The lr a group was built with: torch keeps it as 'initial_lr' once a scheduler ran."""
    return float(group.get("initial_lr", group["lr"]))


# optimizer -> [(kind, weak reference to a live scheduler)], kind 'schedule' (sets the lr at
# every step) or 'plateau' (PlateauLR, reduces the lr it finds): the two on one optimizer
# would undo each other's work without a word.
_LR_DRIVERS: weakref.WeakKeyDictionary[Any, list[tuple[str, Any]]] = weakref.WeakKeyDictionary()


def _refuse_conflict(fn: str, optimizer: Any, kind: str) -> None:
    live = [(k, r) for k, r in _LR_DRIVERS.get(optimizer, []) if r() is not None]
    _LR_DRIVERS[optimizer] = live
    for k, r in live:
        if k == kind:
            continue
        other = getattr(r(), "_display", type(r()).__name__)
        if kind == "plateau":
            what = (
                f"this optimizer's lr is already set at every step by a schedalg scheduler "
                f"({other}); its next step() would undo every reduction"
            )
        else:
            what = (
                f"this optimizer's lr is already reduced on plateaus by a {other}; this "
                f"scheduler would overwrite the reductions at every step"
            )
        raise K.ArgumentValueError(
            fn,
            "optimizer",
            optimizer,
            f"{fn}(): {what}. Use ParamScheduler(optimizer, {{'lr': schedule}}, "
            f"plateau=reduce_on_plateau(...)) for both, or delete the other scheduler first",
        )


def _register(optimizer: Any, kind: str, sched: Any) -> None:
    _LR_DRIVERS.setdefault(optimizer, []).append((kind, weakref.ref(sched)))


class _ScheduleLambdaLR(LambdaLR):
    """The ``LambdaLR`` that :func:`to_lambda_lr` returns (see there)."""

    _display = "to_lambda_lr(...)"

    def __init__(
        self,
        optimizer: torch.optim.Optimizer,
        schedules: list[Schedule],
        relative: bool,
        negative: str,
    ) -> None:
        _refuse_conflict("to_lambda_lr", optimizer, "schedule")
        self._schedules = schedules
        self.relative = relative
        self.negative = negative
        super().__init__(optimizer, self._lambdas())
        _register(optimizer, "schedule", self)

    def _lambdas(self) -> list[Any]:
        """One ``k -> value`` closure per group; groups sharing a schedule share a memo."""
        users: dict[int, list[int]] = {}  # id(schedule) -> the groups it drives
        for i, sched in enumerate(self._schedules):
            users.setdefault(id(sched), []).append(i)
        fns: dict[int, Callable[[int], float]] = {}
        for sched in self._schedules:
            if id(sched) not in fns:
                # a schedule whose static range is >= 0 needs no check at each step
                rng = sched._range()
                check = (
                    None
                    if self.negative != "error" or (rng is not None and rng[0] >= 0)
                    else _negative_raiser("to_lambda_lr()", "lr", users[id(sched)])
                )
                shared = len(users[id(sched)]) > 1
                fns[id(sched)] = _step_fn(sched, check, shared)
        return [fns[id(sched)] for sched in self._schedules]

    def get_lr(self) -> list[Any]:
        """The lr of each group for update ``last_epoch``: ``s_i(k)``, or ``base_i * s_i(k)``."""
        k = self.last_epoch
        if self.relative:
            return [b * f(k) for f, b in zip(self.lr_lambdas, self.base_lrs, strict=True)]
        return [f(k) for f in self.lr_lambdas]

    def _set_lrs(self) -> None:
        groups = self.optimizer.param_groups
        for group, v in zip(groups, self.get_lr(), strict=True):
            _assign(group, "lr", v)
        self._last_lr = [group["lr"] for group in groups]

    def state_dict(self) -> dict[str, Any]:
        """The step count, the base lrs and the schedules as JSON (plain Python values)."""
        memo: dict[int, str | None] = {}
        for s in self._schedules:
            if id(s) not in memo:
                memo[id(s)] = _json_or_none(s)
        return {
            "last_epoch": self.last_epoch,
            "_step_count": self._step_count,
            "relative": self.relative,
            "base_lrs": [float(b) for b in self.base_lrs],
            "schedules": [memo[id(s)] for s in self._schedules],
        }

    def load_state_dict(self, state_dict: dict[str, Any], *, replace: bool = False) -> None:
        """Resume at a saved step: restore the count and set each group's lr for that step.

        Args:
            state_dict: a dict from :meth:`state_dict` (or from torch's ``LambdaLR``).
            replace: with a state saved from different schedules, False raises ValueError;
                True keeps this scheduler's schedules and resumes the saved step count.
        """
        where = "to_lambda_lr(...).load_state_dict()"
        saved = state_dict.get("schedules")
        n = len(self._schedules)
        if saved is not None and len(saved) != n:
            raise ValueError(
                f"{where}: the state holds schedules for {len(saved)} param groups, this "
                f"scheduler drives {n}"
            )
        if not replace:
            diffs = []
            if saved is not None:
                for i, (a, s) in enumerate(zip(saved, self._schedules, strict=True)):
                    b = _json_or_none(s)
                    if a is not None and b is not None and a != b:
                        diffs.append(f"group {i}: saved {_short(a)}, now {_short(b)}")
            was = state_dict.get("relative")
            if was is not None and bool(was) != self.relative:
                diffs.append(f"saved relative={bool(was)}, now relative={self.relative}")
            _refuse_changes(where, diffs)
        self.last_epoch = int(state_dict["last_epoch"])
        self._step_count = int(state_dict["_step_count"])
        if self.relative and state_dict.get("relative"):
            self.base_lrs = [float(b) for b in state_dict["base_lrs"]]
        self._set_lrs()

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        del state["lr_lambdas"]  # closures; rebuilt from the schedules
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.lr_lambdas = self._lambdas()


def to_lambda_lr(
    optimizer: torch.optim.Optimizer,
    schedule: Any,
    *,
    relative: bool = False,
    negative: str = "error",
) -> LambdaLR:
    """A ``torch.optim.lr_scheduler.LambdaLR`` that sets each group's lr from its schedule.

    Absolute (default): ``param_groups[i]['lr'] == schedule_i(k)`` exactly (same float) during
    the ``k``-th update, whatever lr the optimizer was built with. A single schedule for
    groups built with different lrs is refused (it would erase their ratio): give a list, or
    ``relative=True``.

    Relative: ``param_groups[i]['lr'] == initial_lr_i * schedule_i(k)``, the group's initial
    lr (torch's ``initial_lr``, the lr it was built with) times the schedule, as with a
    ``LambdaLR`` lambda.

    Checkpointing: ``state_dict()`` holds the step count, the base lrs and the schedules as
    schedalg JSON (plain values: ``torch.load(weights_only=True)`` works). To resume, build the
    optimizer and ``to_lambda_lr(optimizer, same_schedules)`` again and load both state dicts,
    in either order (or the scheduler's alone): the next update uses ``schedule(k)`` for the
    saved ``k``. A state saved from other schedules raises ValueError unless
    ``load_state_dict(state, replace=True)``.

    Args:
        optimizer: a torch optimizer.
        schedule: a schedule (or number) for every group, or a list with one per group.
        relative: False (the schedule is the lr) or True (it multiplies each group's
            initial lr).
        negative: 'error' (raise ValueError at the first step whose lr is negative) or 'allow'.

    Returns:
        A ``LambdaLR`` (a subclass); the groups' lr already hold the values for update 0.

    Example:
        >>> import torch
        >>> from schedalg import linear_ramp
        >>> from schedalg.torch import to_lambda_lr
        >>> opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=123.0)
        >>> sched = to_lambda_lr(opt, linear_ramp(0.0, 0.1, 10))
        >>> opt.param_groups[0]["lr"]
        0.0
        >>> opt = torch.optim.SGD([{"params": [torch.zeros(1)], "lr": 1e-3},
        ...                        {"params": [torch.zeros(1)], "lr": 1e-2}], lr=1.0)
        >>> sched = to_lambda_lr(opt, linear_ramp(0.5, 1.0, 10), relative=True)
        >>> [g["lr"] for g in opt.param_groups]
        [0.0005, 0.005]
    """
    fn = "to_lambda_lr"
    _check_optimizer(fn, optimizer)
    negative = _check_negative(fn, negative)
    if not isinstance(relative, bool):
        raise K.bad_type(fn, "relative", relative, "must be True or False")
    groups = optimizer.param_groups
    schedules = _per_group(fn, "schedule", schedule, len(groups), allow_none=False)
    if not relative and not isinstance(schedule, (list, tuple)):
        _refuse_mixed_starts(fn, "schedule", "lr", [_initial_lr(g) for g in groups], schedule)
    return _ScheduleLambdaLR(optimizer, schedules, relative, negative)


_KEY_RE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)(?:\[(\d+)\])?$")


def _parse_key(fn: str, arg: str, key: Any) -> tuple[str, int | None]:
    """'lr' -> ('lr', None); 'betas[0]' or ('betas', 0) -> ('betas', 0) (a key of argument
    ``arg``)."""
    if isinstance(key, tuple) and len(key) == 2:
        name, idx = key
        if isinstance(name, str) and isinstance(idx, int) and not isinstance(idx, bool):
            if idx >= 0:
                return name, idx
    elif isinstance(key, str):
        m = _KEY_RE.match(key)
        if m:
            return m.group(1), None if m.group(2) is None else int(m.group(2))
    cls = K.ArgumentValueError if isinstance(key, (str, tuple)) else K.ArgumentTypeError
    raise cls(
        fn,
        arg,
        key,
        f"{fn}(): a hyperparameter key must be a name like 'momentum', an element like "
        f"'betas[0]' or ('betas', 0), got {key!r}",
    )


def _key_str(name: str, idx: int | None) -> str:
    return name if idx is None else f"{name}[{idx}]"


def _group_value(group: dict[str, Any], name: str, idx: int | None) -> float:
    """A group's current value of a key (the initial lr for 'lr'), as a float."""
    if name == "lr" and idx is None:
        return _initial_lr(group)
    v = group[name]
    return float(v if idx is None else v[idx])


class ParamScheduler(LRScheduler):
    """A torch scheduler that drives any optimizer hyperparameters by schedalg schedules.

    For the ``k``-th update, ``param_groups[i][key] == schedule(k)`` for every scheduled key:
    ``'lr'``, ``'momentum'``, ``'weight_decay'``, an element of a tuple such as ``'betas[0]'``
    (or ``('betas', 0)``), or any key you put in the param groups yourself. With ``relative``
    the value is ``initial_i * schedule(k)``, the group's value when the scheduler was built
    (for 'lr': torch's ``initial_lr``). It is a ``torch.optim.lr_scheduler.LRScheduler``:
    ``step()``, ``get_last_lr()``, ``state_dict()`` and ``load_state_dict()`` behave as
    torch's, so it fits Lightning's ``{"scheduler": s, "interval": "step"}``. ``step()``
    evaluates each schedule on the pure Python path (a few hundred nanoseconds each) and
    assigns; nothing else.

    Schedule and reduce-on-plateau in one scheduler: with ``plateau=reduce_on_plateau(...)``
    the lr of update ``k`` is ``s(k) * scale`` (``initial_i * s(k) * scale`` if relative),
    where ``scale`` starts at 1 and is multiplied by ``factor`` at each plateau of the metric
    you report (the pure rule of :func:`schedalg.plateau.reduce_on_plateau`: ``min_scale``
    and ``eps`` apply to the scale; other keys are not scaled). Two calls, at two rates::

        for epoch in range(epochs):
            for batch in loader:
                ...; optimizer.step(); sched.step()   # every update: k -> k + 1
            sched.report(val_loss)                      # every evaluation: may reduce

    ``report`` is a separate name because the two run at different rates and only ``step()``
    moves the schedule; ``step(metric)`` is the same as ``report(metric)`` (it does not
    advance ``k``), the call torch's ``ReduceLROnPlateau`` convention and Lightning make for
    a scheduler config with ``monitor``. In Lightning, use :mod:`schedalg.lightning`
    (``optimizer_config(..., plateau=...)`` with its ``ReportPlateau`` callback): a second
    scheduler entry with ``"monitor"`` would report after the epoch-end checkpoint is
    written, so a run resumed from that checkpoint would lose the last reduction.

    Args:
        optimizer: a torch optimizer.
        schedules: mapping from key to a schedule (or number) for all groups, or to a list
            with one entry per group (``None`` leaves that group's value alone). A single
            absolute schedule for a key whose groups start at different values is refused.
        relative: False (values are the schedules), True (every key's schedule multiplies
            the group's initial value) or a collection of keys that are relative.
        plateau: None, or a rule from ``reduce_on_plateau(...)`` that scales the 'lr'
            schedule (which must be given; ``hold(lr)`` for a constant one).
        negative: 'error' (raise ValueError when a scheduled value is negative) or 'allow'.
        last_epoch: as in torch: -1 starts fresh; use ``load_state_dict`` to resume instead.

    Example:
        >>> import torch
        >>> from schedalg import cosine, linear_ramp
        >>> from schedalg.plateau import reduce_on_plateau
        >>> from schedalg.torch import ParamScheduler
        >>> opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1, momentum=0.9)
        >>> sched = ParamScheduler(opt, {"lr": cosine(0.1, 0.0, 100),
        ...                              "momentum": cosine(0.85, 0.95, 100)})
        >>> opt.param_groups[0]["momentum"]
        0.85
        >>> s = linear_ramp(0.0, 0.1, 2) >> cosine(0.1, 0.0, 100)
        >>> sched = ParamScheduler(opt, {"lr": s}, plateau=reduce_on_plateau(0.5, patience=0))
        >>> for loss in [1.0, 2.0]:  # one step and one evaluation each
        ...     opt.step(); sched.step(); sched.report(loss)
        >>> opt.param_groups[0]["lr"] == s(2) * 0.5
        True
    """

    def __init__(
        self,
        optimizer: torch.optim.Optimizer,
        schedules: Mapping[Any, Any],
        *,
        relative: Any = False,
        plateau: Plateau | None = None,
        negative: str = "error",
        last_epoch: int = -1,
    ) -> None:
        fn = "ParamScheduler"
        _check_optimizer(fn, optimizer)
        if not isinstance(schedules, Mapping) or not schedules:
            raise K.ArgumentTypeError(
                fn,
                "schedules",
                schedules,
                f"{fn}(): schedules must be a non-empty mapping from hyperparameter key to "
                f"schedule, got schedules={schedules!r}",
            )
        self.negative = _check_negative(fn, negative)
        if plateau is not None and not isinstance(plateau, Plateau):
            raise K.ArgumentTypeError(
                fn,
                "plateau",
                plateau,
                f"{fn}(): plateau must come from reduce_on_plateau() or be None, got "
                f"plateau={plateau!r}",
            )
        groups = optimizer.param_groups
        parsed = []
        for key, value in schedules.items():
            name, idx = _parse_key(fn, "schedules", key)
            parsed.append((key, name, idx, _key_str(name, idx), value))
        keys = [ks for *_, ks, _ in parsed]
        for i, ks in enumerate(keys):
            if ks in keys[:i]:
                raise K.ArgumentValueError(
                    fn, "schedules", schedules, f"{fn}(): key {ks!r} is given twice", index=ks
                )
        rel_keys = self._relative_keys(fn, relative, keys)
        if plateau is not None and "lr" not in keys:
            raise K.ArgumentValueError(
                fn,
                "plateau",
                plateau,
                f"{fn}(): plateau= scales the 'lr' schedule, and schedules has no 'lr' (keys "
                f"{keys}); add one (hold(lr) for a constant lr), or use PlateauLR for a "
                f"plateau alone",
            )
        # (group index, key name, element index, key string, index into the distinct
        # schedules, base value or None, scaled by the plateau); groups are looked up by
        # index at each step because optimizer.load_state_dict() replaces them.
        targets: list[tuple[int, str, int | None, str, int, float | None, bool]] = []
        distinct: dict[int, int] = {}  # id(schedule) -> position in self._schedules
        names: list[Schedule] = []
        user_groups: dict[tuple[str, int], list[int]] = {}
        for key, name, idx, ks, value in parsed:
            per_group = _per_group(fn, "schedules", value, len(groups), True, key)
            for gi, (group, sched) in enumerate(zip(groups, per_group, strict=True)):
                if sched is None:
                    continue
                if name not in group:
                    raise K.ArgumentValueError(
                        fn,
                        "schedules",
                        value,
                        f"{fn}(): param group {gi} has no key {name!r} (it has "
                        f"{sorted(k for k in group if k != 'params')}); add it to the group "
                        f"before scheduling it",
                        index=key,
                    )
                if idx is not None:
                    cur = group[name]
                    if not isinstance(cur, (tuple, list)) or idx >= len(cur):
                        raise K.ArgumentValueError(
                            fn,
                            "schedules",
                            value,
                            f"{fn}(): key {ks!r}: param group {gi} holds {name}={cur!r}, "
                            f"which has no element {idx}",
                            index=key,
                        )
            if ks not in rel_keys and not isinstance(value, (list, tuple)):
                _refuse_mixed_starts(
                    fn, "schedules", ks, [_group_value(g, name, idx) for g in groups], value
                )
            for gi, (group, sched) in enumerate(zip(groups, per_group, strict=True)):
                if sched is None:
                    continue
                if id(sched) not in distinct:
                    distinct[id(sched)] = len(names)
                    names.append(sched)
                base = _group_value(group, name, idx) if ks in rel_keys else None
                scaled = plateau is not None and ks == "lr"
                targets.append((gi, name, idx, ks, distinct[id(sched)], base, scaled))
                user_groups.setdefault((ks, id(sched)), []).append(gi)
        self.keys = tuple(keys)
        self.relative = tuple(k for k in keys if k in rel_keys)
        self.plateau = plateau
        self.plateau_state: PlateauState | None = None if plateau is None else plateau.init()
        self._scale = 1.0
        self._targets = targets
        self._schedules = tuple(names)  # keeps each schedule alive while its id is in use
        self._fns = tuple(_step_fn(s) for s in names)
        self._user_groups = user_groups
        if "lr" in keys:
            _refuse_conflict(fn, optimizer, "schedule")
        super().__init__(optimizer, last_epoch)
        if "lr" in keys:
            _register(optimizer, "schedule", self)

    @staticmethod
    def _relative_keys(fn: str, relative: Any, keys: list[str]) -> set[str]:
        if relative is True or relative is False:
            return set(keys) if relative else set()
        one_pair = isinstance(relative, tuple) and len(relative) == 2 and type(relative[1]) is int
        if isinstance(relative, str) or one_pair or not hasattr(relative, "__iter__"):
            relative = [relative]  # a single key: 'lr', 'betas[0]' or ('betas', 0)
        out = set()
        for key in relative:
            ks = _key_str(*_parse_key(fn, "relative", key))
            if ks not in keys:
                raise K.ArgumentValueError(
                    fn,
                    "relative",
                    key,
                    f"{fn}(): relative names key {ks!r}, which is not scheduled (keys {keys})",
                )
            out.add(ks)
        return out

    def _apply(self, k: int) -> None:
        check = self.negative == "error"
        scale = self._scale
        groups = self.optimizer.param_groups
        values = [f(k) for f in self._fns]  # each distinct schedule once per step
        for gi, name, idx, ks, j, base, scaled in self._targets:
            group = groups[gi]
            v = values[j]
            if check and v < 0:
                users = self._user_groups[(ks, id(self._schedules[j]))]
                _negative_raiser("ParamScheduler.step()", ks, users)(k, v)
            if base is not None:
                v = base * v
            if scaled:
                v = v * scale
            if idx is None:
                cur = group[name]
                # float first: isinstance(x, torch.Tensor) alone costs a metaclass check
                if isinstance(cur, float) or not isinstance(cur, torch.Tensor):
                    group[name] = v
                else:
                    cur.fill_(v)
            else:
                cur = group[name]
                if isinstance(cur[idx], torch.Tensor):
                    cur[idx].fill_(v)
                else:
                    group[name] = (*cur[:idx], v, *cur[idx + 1 :])
        self._last_lr = [group["lr"] for group in groups]

    # step(metric) also reports an evaluation, as ReduceLROnPlateau.step(metrics) does: not
    # LRScheduler.step(epoch)'s signature
    def step(self, metric: Any = None, epoch: int | None = None) -> None:  # type: ignore[override]
        """Advance one update and set every scheduled value for it; or report a metric.

        Args:
            metric: None to advance (call after ``optimizer.step()``); a number to report an
                evaluation instead, exactly as :meth:`report` (``k`` does not move).
            epoch: not supported (torch deprecated it); must be None.
        """
        if epoch is not None:
            raise K.ArgumentTypeError(
                "ParamScheduler.step",
                "epoch",
                epoch,
                "ParamScheduler.step(): epoch is not supported; call step()",
            )
        if metric is not None:
            self.report(metric)
            return
        self._step_count += 1
        self.last_epoch += 1
        self._apply(self.last_epoch)

    def report(self, metric: Any) -> None:
        """Observe one evaluation of the monitored metric (a number or a 0-d tensor).

        Updates the plateau state; a plateau multiplies the scale by ``factor``, and the lr of
        the next update is already the reduced one. The update count ``k`` does not move.

        Args:
            metric: the monitored quantity (lower is better in mode 'min').
        """
        if self.plateau is None or self.plateau_state is None:
            raise K.ArgumentTypeError(
                "ParamScheduler.report",
                "metric",
                metric,
                f"ParamScheduler.report(): this scheduler has no plateau, got metric={metric!r}; "
                f"build it with plateau=reduce_on_plateau(...) to reduce on a metric",
            )
        self.plateau_state = self.plateau._update_py(self.plateau_state, float(metric))
        if self.plateau_state.scale != self._scale:  # a reduction: the lrs change now
            self._scale = self.plateau_state.scale
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
        for gi, name, idx, ks, *_ in self._targets:
            v = groups[gi][name]
            out[ks][gi] = v if idx is None else v[idx]
        return out

    def state_dict(self) -> dict[str, Any]:
        """The step count, the scheduled keys, the schedules as JSON, bases and plateau state.

        Plain Python values only (``torch.load(..., weights_only=True)`` reads it back).
        """
        n = len(self.optimizer.param_groups)
        texts = [_json_or_none(s) for s in self._schedules]
        schedules: dict[str, list[Any]] = {k: [None] * n for k in self.keys}
        bases: dict[str, list[Any]] = {k: [None] * n for k in self.relative}
        for gi, _, _, ks, j, base, _ in self._targets:
            schedules[ks][gi] = texts[j]
            if base is not None:
                bases[ks][gi] = base
        plateau = None
        if self.plateau is not None and self.plateau_state is not None:
            plateau = {
                "rule": _plateau_dict(self.plateau),
                "state": _plain_state(self.plateau_state),
            }
        return {
            "last_epoch": self.last_epoch,
            "_step_count": self._step_count,
            "keys": list(self.keys),
            "relative": list(self.relative),
            "base_values": bases,
            "schedules": schedules,
            "plateau": plateau,
        }

    def load_state_dict(self, state_dict: dict[str, Any], *, replace: bool = False) -> None:
        """Resume at a saved step: restore the count and set the values for that step.

        Args:
            state_dict: a dict from :meth:`state_dict` of a scheduler with the same keys.
            replace: with a state saved from different schedules (or plateau rule, or
                relative keys), False raises ValueError; True keeps this scheduler's and
                resumes the saved step count and plateau state.
        """
        where = "ParamScheduler.load_state_dict()"
        if list(state_dict.get("keys", [])) != list(self.keys):
            raise ValueError(
                f"{where}: saved keys {state_dict.get('keys')!r} do not match this "
                f"scheduler's keys {list(self.keys)!r}"
            )
        n = len(self.optimizer.param_groups)
        saved = state_dict.get("schedules")
        if saved is not None and any(len(v) != n for v in saved.values()):
            raise ValueError(
                f"{where}: the state was saved for another number of param groups than this "
                f"optimizer's {n}"
            )
        saved_plateau = state_dict.get("plateau")
        if not replace:
            diffs = []
            if saved is not None:
                for gi, _, _, ks, j, _, _ in self._targets:
                    a, b = saved[ks][gi], _json_or_none(self._schedules[j])
                    if a is not None and b is not None and a != b:
                        diffs.append(f"{ks!r} group {gi}: saved {_short(a)}, now {_short(b)}")
            was = state_dict.get("relative")
            if was is not None and list(was) != list(self.relative):
                diffs.append(f"saved relative keys {list(was)}, now {list(self.relative)}")
            if "plateau" in state_dict:
                mine = None if self.plateau is None else _plateau_dict(self.plateau)
                theirs = None if saved_plateau is None else saved_plateau["rule"]
                if mine != theirs:
                    diffs.append(f"saved plateau {theirs}, now {mine}")
            _refuse_changes(where, diffs)
        self.last_epoch = int(state_dict["last_epoch"])
        self._step_count = int(state_dict["_step_count"])
        bases = state_dict.get("base_values") or {}
        self._targets = [
            (gi, name, idx, ks, j, self._saved_base(bases, ks, gi, base), scaled)
            for gi, name, idx, ks, j, base, scaled in self._targets
        ]
        if self.plateau is not None:
            if saved_plateau is not None:
                self.plateau_state = _state_from(saved_plateau["state"])
            else:
                self.plateau_state = self.plateau.init()
            self._scale = self.plateau_state.scale
        self._apply(self.last_epoch)

    @staticmethod
    def _saved_base(bases: dict[str, Any], ks: str, gi: int, base: float | None) -> float | None:
        if base is None:
            return None
        saved = bases.get(ks)
        return base if saved is None or saved[gi] is None else float(saved[gi])

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        del state["_fns"]  # closures; rebuilt from the schedules
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._fns = tuple(_step_fn(s) for s in self._schedules)


def _min_lrs(plateau: Plateau, min_lr: Any, base: list[float]) -> list[float]:
    fn = "PlateauLR"
    if min_lr is None:
        return [b * plateau.min_scale for b in base]
    if plateau.min_scale != 0:
        raise K.ArgumentTypeError(
            fn,
            None,
            None,
            f"{fn}(): give min_lr or the plateau's min_scale, not both (min_lr={min_lr!r}, "
            f"min_scale={plateau.min_scale!r})",
        )
    values = list(min_lr) if isinstance(min_lr, (list, tuple)) else [min_lr] * len(base)
    if len(values) != len(base):
        raise K.ArgumentValueError(
            fn,
            "min_lr",
            min_lr,
            f"{fn}(): min_lr has {len(values)} values but the optimizer has {len(base)} param "
            f"groups, got min_lr={min_lr!r}",
        )
    for v in values:
        if not isinstance(v, numbers.Real) or isinstance(v, bool):
            raise K.bad_type(fn, "min_lr", min_lr, "must be a number >= 0 or a list of them")
        if not float(v) >= 0:
            raise K.bad_value(fn, "min_lr", min_lr, "must be a number >= 0 or a list of them")
    return [float(v) for v in values]


class PlateauLR(ReduceLROnPlateau):
    """torch's ``ReduceLROnPlateau``, decision for decision, driven by ``reduce_on_plateau``.

    A ``torch.optim.lr_scheduler.ReduceLROnPlateau`` (so Lightning passes it the monitored
    metric). The detector (best, bad updates, cooldown) is the pure rule of
    :func:`schedalg.plateau.reduce_on_plateau`; a reduction acts as torch's does, on each
    group's actual lr: ``new = max(lr * factor, min_lr_i)``, applied if ``lr - new > eps``.
    So ``eps`` and ``min_lr`` are in lr units here, exactly as in torch, and the lrs equal
    torch's bit for bit at any base lr. ``self.state`` is the detector's
    :class:`PlateauState` (its ``scale`` follows the pure rule); ``best``,
    ``num_bad_epochs`` and ``cooldown_counter`` mirror it as in torch.

    For a schedule combined with a plateau, use ``ParamScheduler(..., plateau=...)``: this
    class reduces whatever lr the groups hold, and a scheduler that sets the lr at every
    step would overwrite its reductions, so a ``PlateauLR`` and a schedalg lr scheduler on
    one optimizer are refused (ValueError, whichever is built second).

    Args:
        optimizer: a torch optimizer.
        plateau: the rule, from ``reduce_on_plateau(...)``.
        min_lr: None (each group's lr at construction times ``plateau.min_scale``), a number
            for every group, or a list with one per group (as torch's ``min_lr``; then
            ``min_scale`` must be 0).

    Example:
        >>> import torch
        >>> from schedalg.plateau import reduce_on_plateau
        >>> from schedalg.torch import PlateauLR
        >>> opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
        >>> sched = PlateauLR(opt, reduce_on_plateau(factor=0.5, patience=0))
        >>> for loss in [1.0, 2.0]:
        ...     sched.step(loss)
        >>> opt.param_groups[0]["lr"]
        0.05
    """

    def __init__(
        self, optimizer: torch.optim.Optimizer, plateau: Plateau, *, min_lr: Any = None
    ) -> None:
        if not isinstance(plateau, Plateau):
            raise K.ArgumentTypeError(
                "PlateauLR",
                "plateau",
                plateau,
                f"PlateauLR(): plateau must come from reduce_on_plateau(), got {plateau!r}",
            )
        _check_optimizer("PlateauLR", optimizer)
        _refuse_conflict("PlateauLR", optimizer, "plateau")
        self.plateau = plateau
        base = [float(group["lr"]) for group in optimizer.param_groups]
        super().__init__(
            optimizer,
            mode=plateau.mode,
            factor=plateau.factor,
            patience=plateau.patience,
            threshold=plateau.threshold,
            threshold_mode=plateau.threshold_mode,
            cooldown=plateau.cooldown,
            min_lr=_min_lrs(plateau, min_lr, base),
            eps=plateau.eps,
        )
        self.state = plateau.init()
        self._sync()
        _register(optimizer, "plateau", self)

    def _sync(self) -> None:
        self.best = self.state.best
        self.num_bad_epochs = self.state.num_bad
        self.cooldown_counter = self.state.cooldown_left
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    # ReduceLROnPlateau.step(metrics), which torch itself declares against LRScheduler.step(epoch)
    def step(self, metrics: Any, epoch: Any = None) -> None:  # type: ignore[override]
        """Observe one metric value; at a plateau, reduce each group's lr as torch does.

        Args:
            metrics: the monitored quantity (a number or a 0-d tensor).
            epoch: not supported; must be None.
        """
        if epoch is not None:
            raise K.ArgumentTypeError(
                "PlateauLR.step",
                "epoch",
                epoch,
                "PlateauLR.step(): epoch is not supported; call step(metric)",
            )
        current = float(metrics)
        self.last_epoch += 1
        self.state, reduce = self.plateau._observe_py(self.state, current)
        if reduce:
            self.state = self.plateau._reduced(self.state)
            for group, floor in zip(self.optimizer.param_groups, self.min_lrs, strict=True):
                old = float(group["lr"])
                new = max(old * self.factor, floor)
                if old - new > self.eps:
                    _assign(group, "lr", new)
        self._sync()

    def state_dict(self) -> dict[str, Any]:
        """The detector state, the lrs, the floors and the rule (plain Python values)."""
        return {
            "last_epoch": self.last_epoch,
            "state": _plain_state(self.state),
            "lrs": [float(group["lr"]) for group in self.optimizer.param_groups],
            "min_lrs": [float(m) for m in self.min_lrs],
            "plateau": _plateau_dict(self.plateau),
        }

    def load_state_dict(self, state_dict: dict[str, Any], *, replace: bool = False) -> None:
        """Restore a saved state and set the lrs it holds.

        Args:
            state_dict: a dict from :meth:`state_dict`.
            replace: with a state saved from another plateau rule, False raises ValueError;
                True keeps this rule (and its ``min_lr``) and resumes the saved state.
        """
        where = "PlateauLR.load_state_dict()"
        rule = state_dict.get("plateau")
        if not replace and rule is not None and rule != _plateau_dict(self.plateau):
            raise ValueError(
                f"{where}: the state was saved from another plateau rule (saved {rule}, now "
                f"{_plateau_dict(self.plateau)}); call load_state_dict(state, replace=True) to "
                f"resume with this one"
            )
        groups = self.optimizer.param_groups
        self.last_epoch = int(state_dict["last_epoch"])
        self.state = _state_from(state_dict["state"])
        if "lrs" in state_dict:
            lrs = [float(v) for v in state_dict["lrs"]]
        else:  # saved by schedalg <= 0.1: lr = base lr * scale
            lrs = [float(b) * self.state.scale for b in state_dict["base_lrs"]]
        if len(lrs) != len(groups):
            raise ValueError(
                f"{where}: the state holds {len(lrs)} param groups, the optimizer has {len(groups)}"
            )
        if not replace and "min_lrs" in state_dict:
            self.min_lrs = [float(m) for m in state_dict["min_lrs"]]
        for group, lr in zip(groups, lrs, strict=True):
            _assign(group, "lr", lr)
        self._sync()
