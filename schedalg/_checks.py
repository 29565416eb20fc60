"""Argument checks for every public constructor: the core, the adapters and ``compat``.

One rule decides the exception type, the same everywhere:

* ``ArgumentTypeError`` (a ``TypeError``): the value is not of the kind the argument takes:
  a string, ``None`` or a list where a number is needed, a bool, a fractional number where
  a count is needed (``steps=1.5``), an array of non-real numbers, a number where a
  schedule is needed, a value that is not one of the strings an option takes.
* ``ArgumentValueError`` (a ``ValueError``): the value is of the right kind but outside
  what the argument allows: negative or zero where it must be positive, NaN or infinite,
  too large for float32 or for 2**62 steps, out of order, of the wrong length, or a string
  that is not one of the option's choices.

Both carry the argument as data: ``function`` (the public function's name), ``argument``
(the argument's name, or None when the error concerns the arguments together), ``index``
(the position within a list argument, or None) and ``value`` (what was given). The message
names all of them: ``cosine(): steps must be a non-negative int, got steps=-5``.
"""

from __future__ import annotations

import math
import numbers
from typing import Any, Literal, TypeVar, overload

import numpy as np

from ._namespaces import MAX_STEPS, MAX_VALUE, MIN_NORMAL, is_jax, is_tracer

__all__ = [
    "ArgumentError",
    "ArgumentTypeError",
    "ArgumentValueError",
    "bad_type",
    "bad_value",
    "choice",
    "count",
    "length",
    "nonnegative",
    "nonnegative_value",
    "number",
    "positive",
    "positive_value",
    "real",
    "schedule_list",
    "steps",
    "switch_steps",
    "time",
    "value",
]


_E = TypeVar("_E", bound="ArgumentError")


class ArgumentError(Exception):
    """A public function refused an argument; base of the two kinds below.

    Attributes:
        function: the public function's name (``"cosine"``).
        argument: the argument's name (``"steps"``); None when the arguments are refused
            together (``exp(1.0)`` gives neither ``end`` nor ``rate``).
        index: the position in a list argument (``boundaries[2]``) or the key in a mapping
            argument, else None.
        value: the value given (the element, for a list argument).

    Example:
        >>> from schedalg import cosine
        >>> try:
        ...     cosine(1.0, 0.0, -5)
        ... except ValueError as e:
        ...     print(e.function, e.argument, e.index, e.value)
        cosine steps None -5
    """

    def __init__(
        self,
        function: str,
        argument: str | None,
        value: Any,
        message: str,
        *,
        index: Any = None,
    ) -> None:
        super().__init__(message)
        self.function = function
        self.argument = argument
        self.index = index
        self.value = value

    @classmethod
    def about(
        cls: type[_E],
        fn: str,
        name: str,
        x: Any,
        requirement: str,
        *,
        index: Any = None,
        note: str = "",
    ) -> _E:
        """``fn(): name <requirement>, got name=x<note>`` (``name[index]`` for a list element)."""
        label = _label(name, index)
        return cls(
            fn, name, x, f"{fn}(): {label} {requirement}, got {label}={x!r}{note}", index=index
        )

    @property
    def label(self) -> str | None:
        """The argument as the message names it: ``steps``, ``boundaries[2]``."""
        if self.argument is None or self.index is None:
            return self.argument
        return _label(self.argument, self.index)

    def __reduce__(self) -> Any:
        return (
            _rebuild,
            (type(self), self.function, self.argument, self.value, str(self), self.index),
        )


def _rebuild(
    cls: type[ArgumentError],
    function: str,
    argument: str | None,
    value: Any,
    message: str,
    index: Any,
) -> ArgumentError:
    return cls(function, argument, value, message, index=index)


class ArgumentTypeError(ArgumentError, TypeError):
    """An argument of the wrong kind (see the module's rule)."""


class ArgumentValueError(ArgumentError, ValueError):
    """An argument of the right kind outside its allowed range (see the module's rule)."""


def _label(name: str, index: Any) -> str:
    return name if index is None else f"{name}[{index!r}]"


#: The two kinds of the rule above, named by what went wrong; both build
#: ``fn(): name <requirement>, got name=x<note>`` (``ArgumentError.about``), carrying the argument:
#: ``raise bad_value(fn, "steps", x, "must be a non-negative int")``.
bad_type = ArgumentTypeError.about
bad_value = ArgumentValueError.about


def _is_bool(x: Any) -> bool:
    return isinstance(x, (bool, np.bool_))


def _float(fn: str, name: str, x: Any, index: Any) -> float:
    try:
        return float(x)
    except OverflowError:  # an int beyond float64
        raise bad_value(
            fn, name, x, f"must be at most {MAX_VALUE:g} in magnitude", index=index
        ) from None
    except (TypeError, ValueError):  # a numbers.Real that float() refuses
        raise bad_type(fn, name, x, "must be a real number", index=index) from None


def value(fn: str, name: str, x: Any, *, index: Any = None) -> Any:
    """A value-like argument: a finite real number, a finite array, or a JAX tracer.

    Python numbers become Python floats. Tracers pass through unchecked (JAX may rebuild a
    schedule from traced leaves; such values can't be inspected).
    """
    if _is_bool(x):
        raise bad_type(fn, name, x, "must be a real number", index=index, note=" (a bool)")
    if isinstance(x, numbers.Real):
        f = _float(fn, name, x, index)
        if not math.isfinite(f):
            raise bad_value(fn, name, x, "must be finite", index=index)
        if abs(f) > MAX_VALUE:
            raise bad_value(
                fn,
                name,
                x,
                f"must be at most {MAX_VALUE:g} in magnitude (values and gradients stay in "
                "float32's range, in which JAX computes)",
                index=index,
            )
        return f
    if is_tracer(x):
        return x
    if isinstance(x, np.ndarray) or is_jax(x):
        arr = np.asarray(x)
        if arr.dtype.kind not in "iuf":
            raise ArgumentTypeError(
                fn,
                name,
                x,
                f"{fn}(): {_label(name, index)} must hold real numbers, got dtype {arr.dtype}",
                index=index,
            )
        if not np.all(np.isfinite(arr)):
            raise bad_value(fn, name, x, "must be finite", index=index)
        if arr.size and np.max(np.abs(arr.astype(np.float64))) > MAX_VALUE:
            raise bad_value(
                fn, name, x, f"must be at most {MAX_VALUE:g} in magnitude", index=index
            ) from None
        return x
    raise bad_type(fn, name, x, "must be a real number", index=index)


def count(
    fn: str,
    name: str,
    x: Any,
    minimum: int | None = 0,
    *,
    index: Any = None,
    requirement: str | None = None,
    bounded: bool = True,
) -> int:
    """An int (an integral float is accepted) >= ``minimum`` (None: any int), at most 2**62 in
    magnitude unless not ``bounded``; ``requirement`` words the message (default: "must be an
    int >= minimum")."""
    if requirement is None:
        requirement = "must be an int" if minimum is None else f"must be an int >= {minimum}"
    return _count(fn, name, x, minimum, requirement, index, bounded)


@overload
def steps(
    fn: str,
    name: str,
    x: Any,
    *,
    allow_none: Literal[False] = ...,
    minimum: int = ...,
    index: Any = ...,
) -> int: ...


@overload
def steps(
    fn: str, name: str, x: Any, *, allow_none: bool, minimum: int = ..., index: Any = ...
) -> int | None: ...


def steps(
    fn: str,
    name: str,
    x: Any,
    *,
    allow_none: bool = False,
    minimum: int = 0,
    index: Any = None,
) -> int | None:
    """A step count: a non-negative int (an integral float is accepted), or None if allowed;
    at least ``minimum`` ("must be an int >= 1" for ``minimum=1``)."""
    need = "must be a non-negative int" if minimum == 0 else f"must be an int >= {minimum}"
    if x is None:
        if allow_none:
            return None
        raise bad_type(fn, name, x, need, index=index)
    return _count(fn, name, x, minimum, need, index, True)


def _count(
    fn: str, name: str, x: Any, minimum: int | None, need: str, index: Any, bounded: bool
) -> int:
    if _is_bool(x):
        raise bad_type(fn, name, x, need, index=index, note=" (a bool)")
    if isinstance(x, numbers.Integral):
        n = int(x)
    elif isinstance(x, numbers.Real):
        f = _float(fn, name, x, index)
        if not math.isfinite(f):
            raise bad_value(fn, name, x, need, index=index)
        if not f.is_integer():
            raise bad_type(fn, name, x, need, index=index)
        n = int(f)
    else:
        raise bad_type(fn, name, x, need, index=index)
    if minimum is not None and n < minimum:
        raise bad_value(fn, name, x, need, index=index)
    if bounded and abs(n) > MAX_STEPS:
        raise bad_value(fn, name, x, "must be at most 2**62", index=index)
    return n


def number(fn: str, name: str, x: Any, *, index: Any = None) -> float | int:
    """A static real number (a power, a time constant): a finite int or float."""
    if _is_bool(x) or not isinstance(x, numbers.Real):
        raise bad_type(fn, name, x, "must be a real number", index=index)
    f = _float(fn, name, x, index)
    if not math.isfinite(f):
        raise bad_value(fn, name, x, "must be finite", index=index)
    if abs(f) > MAX_VALUE:
        raise bad_value(
            fn, name, x, f"must be at most {MAX_VALUE:g} in magnitude", index=index
        ) from None
    if isinstance(x, numbers.Integral):
        return int(x)
    return f


def nonnegative_value(fn: str, name: str, x: Any, *, index: Any = None) -> Any:
    """A value-like argument (see ``value``) that is >= 0 when it is a Python number."""
    v = value(fn, name, x, index=index)
    if type(v) is float and v < 0:
        raise bad_value(fn, name, x, "must be >= 0", index=index)
    return v


def positive_value(fn: str, name: str, x: Any, *, index: Any = None) -> Any:
    """A value-like argument (see ``value``) that is > 0 when it is a Python number."""
    v = value(fn, name, x, index=index)
    if type(v) is float and not v > 0:
        raise bad_value(fn, name, x, "must be > 0", index=index)
    return v


def nonnegative(fn: str, name: str, x: Any, *, index: Any = None) -> float | int:
    """A static number >= 0."""
    v = number(fn, name, x, index=index)
    if v < 0:
        raise bad_value(fn, name, x, "must be >= 0", index=index)
    return v


def real(fn: str, name: str, x: Any, *, index: Any = None) -> float:
    """A static real number as a float (see ``number``)."""
    return float(number(fn, name, x, index=index))


def positive(fn: str, name: str, x: Any, *, index: Any = None) -> float | int:
    """A static number > 0, at least float32's smallest normal number (it is not 0 on JAX)."""
    v = number(fn, name, x, index=index)
    if not v > 0:
        raise bad_value(fn, name, x, "must be > 0", index=index)
    if v < MIN_NORMAL:
        raise bad_value(
            fn,
            name,
            x,
            f"must be at least {MIN_NORMAL!r} (float32's smallest normal number)",
            index=index,
        )
    return v


def time(fn: str, name: str, x: Any, *, index: Any = None) -> float | int:
    """A time-like static number (a boundary, a shift): at most 2**62 in magnitude."""
    if isinstance(x, numbers.Real) and not _is_bool(x):
        try:
            f = float(x)
        except OverflowError:  # an int beyond float64
            f = 2.0 * MAX_STEPS
        if math.isfinite(f) and abs(f) > MAX_STEPS:
            raise bad_value(fn, name, x, "must be at most 2**62 in magnitude", index=index)
    return number(fn, name, x, index=index)


def length(fn: str, name: str, x: Any, *, index: Any = None) -> float | int:
    """A time-like static number (a boundary, a shift, a block length): an integral float
    becomes an int, so integer times stay exact integers on every backend (``5.0`` is ``5``);
    a fractional one stays a float."""
    v = time(fn, name, x, index=index)
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


_S = TypeVar("_S", bound=str)


def choice(fn: str, name: str, x: Any, options: tuple[_S, ...]) -> _S:
    """One of the strings ``options`` (returned as the option itself, typed as the options)."""
    need = f"must be one of {', '.join(map(repr, options))}"
    if not isinstance(x, str):
        raise bad_type(fn, name, x, need)
    if x not in options:
        raise bad_value(fn, name, x, need)
    return options[options.index(x)]


def schedule_list(fn: str, name: str, xs: Any, show_empty: bool = True) -> list[Any]:
    """A non-empty sequence of schedules (``show_empty``: the empty error repeats the value)."""
    from ._schedule import Schedule

    try:
        xs_list = list(xs)
    except TypeError:
        raise bad_type(fn, name, xs, "must be a list of schedules") from None
    if not xs_list:
        got = f", got {name}={xs!r}" if show_empty else ""
        raise ArgumentValueError(fn, name, xs, f"{fn}(): {name} must not be empty{got}")
    for i, s in enumerate(xs_list):
        if not isinstance(s, Schedule):
            raise ArgumentTypeError(
                fn, name, s, f"{fn}(): {name}[{i}] must be a schedule, got {s!r}", index=i
            )
    return xs_list


def switch_steps(
    fn: str, name: str, xs: Any, minimum: int | None, scheds_name: str, n_scheds: int
) -> list[int]:
    """The non-decreasing steps at which ``n_scheds`` schedules hand over, one per handover."""
    try:
        items = list(xs)
    except TypeError:
        raise bad_type(fn, name, xs, "must be a list of ints") from None
    out = [count(fn, name, x, minimum, index=i) for i, x in enumerate(items)]
    if len(out) != n_scheds - 1:
        raise ArgumentValueError(
            fn,
            name,
            xs,
            f"{fn}(): {name} must have one entry fewer than {scheds_name}, got "
            f"len({name})={len(out)}, len({scheds_name})={n_scheds}",
        )
    for i in range(1, len(out)):
        if out[i] < out[i - 1]:
            raise ArgumentValueError(
                fn,
                name,
                items[i],
                f"{fn}(): {name} must be non-decreasing, got {name}={out}",
                index=i,
            )
    return out
