"""``Primitive``: the base class of a primitive of your own (and of some built-in ones).

One class declares the fields and writes the formula once, against an array namespace
``xp`` (NumPy or ``jax.numpy``); the rest comes from the base class: Python numbers, NumPy,
JAX (jit, vmap, grad with respect to the leaves), torch tensors, ``>>`` and every
combinator, ``to_json`` / ``from_json`` and ``parse`` under the registered name, ``repr``,
equality and hashing, pickling, ``summary`` and ``plot``. See the documentation's
Concepts page (docs/concepts.md), "Your own primitive".
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from . import _checks as K
from . import _fields as F
from ._primitives import as_schedule
from ._schedule import Schedule

# The named checks a field may ask for with ``check="..."``: (function name, argument name,
# value) -> the accepted value, or a TypeError / ValueError naming all three.
CHECKS: dict[str, Any] = {
    "value": K.value,
    "number": K.number,
    "positive": K.positive,
    "steps": K.steps,
    "optional_steps": lambda fn, name, x: K.steps(fn, name, x, allow_none=True),
    "length": K.length,
}

# Times at which a primitive without a closed-form range is sampled for its (min, max): a
# grid over a finite duration, or steps spread geometrically up to 2**40 for an infinite one.
_RANGE_SAMPLES = 4097


def _resolve_check(field: F.Field) -> Any:
    c = field.check
    if c is None:
        if field.role == F.LEAF:
            return CHECKS["value"]
        return CHECKS["number"]
    if isinstance(c, str):
        try:
            return CHECKS[c]
        except KeyError:
            raise ValueError(
                f"field {field.name!r}: unknown check {c!r} (known: {', '.join(CHECKS)})"
            ) from None
    return c


def _signature(cls: type) -> Any:
    """The constructor's signature, from the declared fields (for ``help``, IDEs, the docs)."""
    import inspect

    annotations = getattr(cls, "__annotations__", {})
    fields = cls._arg_fields()  # type: ignore[attr-defined]
    # A required field may follow one with a default (the constructor takes both by
    # position); a Python signature cannot say so, so from the first default on the fields
    # are shown as keyword arguments.
    required = [f.default is F.REQUIRED for f in fields]
    first_default = required.index(False) if False in required else len(fields)
    keywords = any(required[first_default:])
    params = [
        inspect.Parameter(
            f.name,
            inspect.Parameter.KEYWORD_ONLY
            if keywords and i >= first_default
            else inspect.Parameter.POSITIONAL_OR_KEYWORD,
            default=inspect.Parameter.empty if f.default is F.REQUIRED else f.default,
            annotation=annotations.get(f.name, inspect.Parameter.empty),
        )
        for i, f in enumerate(fields)
    ]
    return inspect.Signature(params, return_annotation=cls.__name__)


class _Signature:
    """``cls.__signature__``, computed when asked (``inspect`` is not loaded at import)."""

    def __get__(self, obj: Any, cls: type) -> Any:
        return _signature(cls)


class Primitive(Schedule):
    """A primitive schedule of your own: declare its fields, write its formula once.

    Subclass it with a registered name, declare the fields with ``leaf``/``static`` (and
    ``child`` for a sub-schedule), and write ``formula(self, t, xp)``: the value at the
    local times ``t`` (a float array, ``0 <= t <= duration``) with ``xp`` the array namespace
    (NumPy or ``jax.numpy``). The class is its own constructor: it takes the fields as
    arguments (in declaration order), checks each one (``check=``: ``"value"``,
    ``"number"``, ``"positive"``, ``"steps"``, ``"optional_steps"``, ``"length"`` or a
    function ``(function, argument, value) -> value``), then calls ``validate`` for checks
    across fields.

    Optional:
        duration: the length; the default is the field ``steps`` if there is one, else None
            (infinite). After the end the schedule holds the value at ``t = duration``.
        scalar(self, t): the value at one Python float ``t`` (the torch-loop path); the
            default evaluates ``formula`` on a NumPy scalar.
        validate(self): raise ``ValueError`` naming the arguments for a bad combination.

    Example:
        >>> import schedalg as sa
        >>> class Step2(sa.Primitive, name="step2_doc"):
        ...     high: float = sa.leaf()
        ...     low: float = sa.leaf()
        ...     steps: int = sa.static(check="steps")
        ...     def formula(self, t, xp):
        ...         return xp.where(t < self.steps / 2, self.high, self.low)
        >>> s = Step2(1.0, 0.5, 10)
        >>> s(2), s(7), s.duration, s
        (1.0, 0.5, 10, step2_doc(1.0, 0.5, 10))
    """

    #: the constructor's signature: the declared fields (``help``, IDEs, the docs)
    __signature__ = _Signature()

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        fn = cls._fname or cls.__name__
        fields = cls._arg_fields()
        if len(args) > len(fields):
            raise K.ArgumentTypeError(
                fn,
                None,
                args,
                f"{fn}(): takes {len(fields)} arguments ({', '.join(f.name for f in fields)}), "
                f"got {len(args)}",
            )
        given = dict(zip([f.name for f in fields][: len(args)], args, strict=True))
        for k, v in kwargs.items():
            if k in given:
                raise K.ArgumentTypeError(fn, k, v, f"{fn}(): got two values for argument {k!r}")
            if not any(f.name == k for f in fields):
                raise K.ArgumentTypeError(
                    fn,
                    k,
                    v,
                    f"{fn}(): unexpected argument {k!r} (arguments: "
                    f"{', '.join(f.name for f in fields)})",
                )
            given[k] = v
        values: dict[str, Any] = {}
        for f in fields:
            if f.name in given:
                v = given[f.name]
            elif f.default is F.REQUIRED:
                raise K.ArgumentTypeError(fn, f.name, None, f"{fn}(): missing argument {f.name!r}")
            else:
                v = f.default
            if v is None and f.optional:
                values[f.name] = None
            elif f.role == F.CHILD:
                values[f.name] = as_schedule(fn, f.name, v)
            else:
                values[f.name] = _resolve_check(f)(fn, f.name, v)
        node = cls._make(**values)
        node.validate()
        return node

    def __init_subclass__(cls, name: str | None = None, **kwargs: Any) -> None:
        # Refused before the base class registers the name: a class that fails is not left
        # behind in the registry (or taken by parse and from_json).
        inherited = [f for base in cls.__mro__[1:] for f in getattr(base, "_fields", ())]
        own = [(k, v) for k, v in cls.__dict__.items() if isinstance(v, F.Field)]
        for k, f in [(f.name, f) for f in inherited] + own:
            if f.many or not f.arg:
                raise TypeError(
                    f"{cls.__qualname__}: field {k!r}: a Primitive's fields are its arguments "
                    "and hold one value each (many=True and arg=False are for built-in nodes)"
                )
        if name is not None and "formula" not in {
            k for c in cls.__mro__ if c is not Primitive for k in c.__dict__
        }:
            raise TypeError(f"{cls.__qualname__}: a Primitive must define formula(self, t, xp)")
        super().__init_subclass__(name=name, **kwargs)

    # -- what a subclass writes ------------------------------------------------------------------

    def formula(self, t: Any, xp: Any) -> Any:
        """The value at local times ``t`` (a float array), with ``xp`` NumPy or jax.numpy."""
        raise NotImplementedError(type(self).__name__)

    def scalar(self, t: float) -> float:
        """The value at one Python float ``t``; override with plain ``math`` for speed."""
        return float(self.formula(np.float64(t), np))

    def validate(self) -> None:
        """Checks across fields, after each field passed its own check."""

    # -- the schedule protocol, derived ----------------------------------------------------------

    def _duration(self) -> int | float | None:
        return (
            getattr(self, "steps", None) if any(f.name == "steps" for f in self._fields) else None
        )

    def _py(self, t: int | float) -> Any:
        d = self.duration
        if d is not None and t > d:
            t = d
        return self.scalar(float(t))

    def _xp(self, t: Any, xp: Any) -> Any:
        d = self.duration
        tf = t * 1.0  # float times, whatever the integer dtype
        if d is not None:
            tf = xp.minimum(tf, float(d))
        return self.formula(tf, xp)

    def _compute_range(self) -> tuple[float, float]:
        """(min, max) from samples: a closed form is unknown here. Leaves that are arrays
        (a batch) are sampled element by element through broadcasting."""
        d = self.duration
        if d is None:
            ts = np.concatenate([[0.0], np.geomspace(1.0, 2.0**40, _RANGE_SAMPLES)])
        else:
            ts = np.linspace(0.0, float(d), _RANGE_SAMPLES)
        nd = max((np.ndim(x) for x in self._leaves()), default=0)
        ts = ts.reshape(-1, *([1] * nd))  # (leaves with a batch shape broadcast after it)
        with np.errstate(all="ignore"):
            v = np.asarray(self.formula(ts, np), dtype=np.float64)
        finite = v[np.isfinite(v)]
        if finite.size == 0:
            return (math.nan, math.nan)
        return float(finite.min()), float(finite.max())

