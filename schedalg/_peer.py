"""Compat constructors that keep their peer's name.

``compat.torch.OneCycleLR(0.1, 1000)`` builds the algebra that reproduces torch's scheduler
(a ``take`` of two cosines, and so on), but prints, saves to JSON and parses back as the call
that made it. The node, ``PeerCall``, holds the call's name (``"torch.OneCycleLR"``), its
arguments as given, and the expansion it evaluates as. It is the same schedule as that
expansion: equal to it, with the same hash, the same values on every backend, the same cost.

The arguments are a description, not leaves: when JAX rebuilds the node from other values
(under ``jit``, ``vmap`` or ``grad``, or a batch stacked from several calls), the rebuilt node
no longer knows which arguments made it, so it prints and saves as its expansion (never as a
call with arguments it does not hold).
"""

from __future__ import annotations

from typing import Any

from . import _checks as K
from . import _fields as F
from ._recipes import Recipe
from ._schedule import Schedule, _source

__all__ = ["PeerCall"]

#: The JSON kind of the ``args`` field: an object of argument name -> value.
ARGS = "an object of arguments"


class _Label:
    """The arguments, carried through JAX's flattening beside the structure. Every label
    compares equal (the arguments do not shape the computation: two calls with different
    numbers share one trace and stack into one batch); the rebuilt node keeps the arguments
    only if its expansion is the one they built."""

    __slots__ = ("args", "expansion")

    def __init__(self, args: Any, expansion: Schedule) -> None:
        self.args = args
        self.expansion = expansion

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Label)

    def __hash__(self) -> int:
        return 0


class PeerCall(Recipe, name="compat"):
    """A compat constructor's call (``compat.<peer>.<Name>(...)``) and what it built.

    Example:
        >>> from schedalg.compat import torch as lr
        >>> s = lr.StepLR(0.1, 30)
        >>> s
        compat.torch.StepLR(0.1, 30)
        >>> s.expand()
        staircase(scale_time(exp(0.1, rate=0.1), 30), 30)
        >>> s == s.expand(), s(30) == s.expand()(30)
        (True, True)
    """

    call: str = F.static(kind="a string", doc="the constructor: '<peer>.<Name>'")
    args: Any = F.static(kind=ARGS, doc="its arguments as given, by name")
    expansion: Schedule = F.child(arg=False, doc="the algebra it builds")

    def expand(self) -> Schedule:
        """The expression the peer's constructor builds (what this evaluates as)."""
        return self.expansion

    def _depth_subs(self) -> tuple[Any, ...]:
        return (self.expansion,)

    def _key(self) -> tuple[Any, ...]:
        return self.expansion._key()

    def __hash__(self) -> int:
        return hash(self.expansion)

    def _stand_in(self) -> Schedule:
        """What prints and saves: the call, or the expansion when the arguments are unknown."""
        return self if self.args is not None else self.expansion._stand_in()

    @property
    def _prec(self) -> int:  # type: ignore[override]
        return self.expansion._prec if self.args is None else super()._prec

    def _repr(self) -> str:
        if self.args is None:
            return self.expansion._repr()
        return f"compat.{self.call}({', '.join(self._repr_args())})"

    def _args(self) -> dict[str, Any]:
        return {"call": self.call, "args": dict(self.args)}

    def _repr_args(self) -> list[str]:
        params = _parameters(self.call)
        out, by_position = [], True
        given = dict(self.args)
        for name, required in params:
            if name not in given:
                by_position = False
                continue
            text = _source(given[name])
            by_position = by_position and required
            out.append(text if by_position else f"{name}={text}")
        return out

    def _tree_flatten(self) -> tuple[list[Any], Any]:
        return [self.expansion], (self.call, _Label(self.args, self.expansion))

    def _tree_keys(self) -> tuple[str, ...]:
        return ("expansion",)

    @classmethod
    def _tree_unflatten(cls, static: Any, children: Any) -> Schedule:
        call, label = static
        (expansion,) = children
        args = label.args
        if expansion is not label.expansion:
            try:
                same = expansion == label.expansion
            except Exception:  # traced or batched leaves: not comparable, so not the same
                same = False
            if not same:
                args = None
        return cls._make(call=call, args=args, expansion=expansion)


def _function(call: str) -> Any:
    peer, _, name = call.partition(".")
    from ._parse import _compat_function

    fn, why = _compat_function(peer, name)
    if fn is None:
        raise K.ArgumentValueError("compat", "call", call, f"compat(): {why}")
    return fn


def _parameters(call: str) -> list[tuple[str, bool]]:
    """(name, required) of the constructor's parameters, in order."""
    import inspect

    fn = _function(call)
    sig = inspect.signature(fn)
    return [(p.name, p.default is inspect.Parameter.empty) for p in sig.parameters.values()]


def _frozen(v: Any) -> Any:
    """A hashable, JSON-ready copy of an argument, or raise TypeError if it has none."""
    if isinstance(v, (Schedule, str, bool)) or v is None:
        return v
    if type(v) in (int, float):
        return v
    if isinstance(v, (list, tuple)):
        return tuple(_frozen(x) for x in v)
    raise TypeError(type(v).__name__)


def named_call(call: str, arguments: dict[str, Any], expansion: Any) -> Any:
    """``expansion`` named as the call that built it; ``expansion`` itself where an argument
    has no plain form (an array, a traced value): such a call prints as its algebra."""
    if not isinstance(expansion, Schedule):
        return expansion
    try:
        args = tuple((k, _frozen(v)) for k, v in arguments.items())
    except TypeError:
        return expansion
    node = PeerCall._make(call=call, args=args, expansion=expansion)
    node._cache.update(expansion=expansion)
    return node


def _load(call: str, args: Any) -> Schedule:
    """Rebuild from JSON: call the constructor again with the saved arguments."""
    if not isinstance(call, str) or "." not in call:
        raise K.bad_value("compat", "call", call, "must name a constructor as '<peer>.<Name>'")
    fn = _function(call)
    out = fn(**dict(args))
    if not isinstance(out, Schedule):
        raise K.bad_value("compat", "call", call, "must name a constructor of a schedule")
    return out


F.set_builder("compat", None, _load)
