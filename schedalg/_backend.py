"""Input dispatch and validation helpers shared by every node.

Three evaluation paths, chosen by the input:

* Python ``int``/``float``: pure Python (``math``), returns ``float``;
* NumPy arrays and scalars, lists: NumPy, returns float64 of the same shape;
* JAX arrays and tracers: ``jax.numpy``, returns a JAX array.

Nothing here imports JAX: a value is a JAX value only if ``jax`` is already in
``sys.modules`` and the value is an instance of ``jax.Array``.
"""

from __future__ import annotations

import math
import numbers
import sys
from typing import Any, Literal, overload

import numpy as np


def jax_module() -> Any:
    return sys.modules.get("jax")


def is_jax(x: Any) -> bool:
    jax = sys.modules.get("jax")
    return jax is not None and isinstance(x, jax.Array)


def is_tracer(x: Any) -> bool:
    jax = sys.modules.get("jax")
    return jax is not None and isinstance(x, jax.core.Tracer)


def jnp() -> Any:
    import jax.numpy

    return jax.numpy


# -- leaf classification -------------------------------------------------------------------------

PY, NUMPY, JAX = 0, 1, 2


def leaf_kind(x: Any) -> int:
    """PY for a Python float, NUMPY for a NumPy array, JAX for a JAX array or tracer."""
    if type(x) is float:
        return PY
    if is_jax(x):
        return JAX
    return NUMPY


def concrete_floats(xs: Any) -> bool:
    return all(type(x) is float for x in xs)


# -- validation ----------------------------------------------------------------------------------

#: Largest magnitude of a value or of a static number (a power, a time constant): well inside
#: float32's range (JAX computes in float32, max 3.4e38), leaving room for the factors
#: (pi / 2, a power, 1 / steps) that a gradient multiplies in.
MAX_VALUE = 1e30
#: Smallest positive static number, divisor, exp endpoint or per-cycle factor: float32's
#: smallest normal number (a smaller one is 0, or a subnormal flushed to 0, on JAX).
MIN_NORMAL = 2.0**-126
#: Largest step count, time-like argument and duration: int64 time with room for a sum.
MAX_STEPS = 2**62


def _real(fn: str, name: str, x: Any) -> float:
    try:
        return float(x)
    except OverflowError:  # an int beyond float64
        raise ValueError(
            f"{fn}(): {name} must be at most {MAX_VALUE:g} in magnitude, got {name}={x!r}"
        ) from None


def value(fn: str, name: str, x: Any) -> Any:
    """A value-like argument: a finite real number, a finite array, or a JAX tracer.

    Python numbers become Python floats. Tracers pass through unchecked (JAX may rebuild a
    schedule from traced leaves; such values can't be inspected).
    """
    if isinstance(x, bool) or isinstance(x, np.bool_):
        raise TypeError(f"{fn}(): {name} must be a real number, got {name}={x!r} (a bool)")
    if isinstance(x, numbers.Real):
        f = _real(fn, name, x)
        if not math.isfinite(f):
            raise ValueError(f"{fn}(): {name} must be finite, got {name}={x!r}")
        if abs(f) > MAX_VALUE:
            raise ValueError(
                f"{fn}(): {name} must be at most {MAX_VALUE:g} in magnitude (values and "
                f"gradients stay in float32's range, in which JAX computes), got {name}={x!r}"
            )
        return f
    if is_tracer(x):
        return x
    if isinstance(x, np.ndarray) or is_jax(x):
        arr = np.asarray(x)
        if arr.dtype.kind not in "iuf":
            raise TypeError(f"{fn}(): {name} must hold real numbers, got dtype {arr.dtype}")
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{fn}(): {name} must be finite, got {name}={x!r}")
        if arr.size and np.max(np.abs(arr.astype(np.float64))) > MAX_VALUE:
            raise ValueError(
                f"{fn}(): {name} must be at most {MAX_VALUE:g} in magnitude, got {name}={x!r}"
            )
        return x
    raise TypeError(f"{fn}(): {name} must be a real number, got {name}={x!r}")


@overload
def steps(fn: str, name: str, x: Any, *, allow_none: Literal[False] = False) -> int: ...
@overload
def steps(fn: str, name: str, x: Any, *, allow_none: bool) -> int | None: ...
def steps(fn: str, name: str, x: Any, *, allow_none: bool = False) -> int | None:
    """A step count: a non-negative int (an integral float is accepted), or None if allowed."""
    if x is None:
        if allow_none:
            return None
        raise TypeError(f"{fn}(): {name} must be a non-negative int, got {name}=None")
    if isinstance(x, (bool, np.bool_)):
        raise TypeError(f"{fn}(): {name} must be a non-negative int, got {name}={x!r} (a bool)")
    if isinstance(x, numbers.Integral):
        n = int(x)
    elif isinstance(x, numbers.Real) and math.isfinite(float(x)) and float(x).is_integer():
        n = int(float(x))
    else:
        raise TypeError(f"{fn}(): {name} must be a non-negative int, got {name}={x!r}")
    if n < 0:
        raise ValueError(f"{fn}(): {name} must be a non-negative int, got {name}={x!r}")
    if n > MAX_STEPS:
        raise ValueError(f"{fn}(): {name} must be at most 2**62, got {name}={x!r}")
    return n


def number(fn: str, name: str, x: Any) -> float | int:
    """A static real number (a power, a time constant): a finite int or float."""
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, numbers.Real):
        raise TypeError(f"{fn}(): {name} must be a real number, got {name}={x!r}")
    f = _real(fn, name, x)
    if not math.isfinite(f):
        raise ValueError(f"{fn}(): {name} must be finite, got {name}={x!r}")
    if abs(f) > MAX_VALUE:
        raise ValueError(
            f"{fn}(): {name} must be at most {MAX_VALUE:g} in magnitude, got {name}={x!r}"
        )
    if isinstance(x, numbers.Integral):
        return int(x)
    return f


def positive(fn: str, name: str, x: Any) -> float | int:
    """A static number > 0, at least float32's smallest normal number (it is not 0 on JAX)."""
    v = number(fn, name, x)
    if not v > 0:
        raise ValueError(f"{fn}(): {name} must be > 0, got {name}={x!r}")
    if v < MIN_NORMAL:
        raise ValueError(
            f"{fn}(): {name} must be at least {MIN_NORMAL!r} (float32's smallest normal "
            f"number), got {name}={x!r}"
        )
    return v


def time(fn: str, name: str, x: Any) -> float | int:
    """A time-like static number (a boundary, a shift): at most 2**62 in magnitude."""
    if isinstance(x, numbers.Real) and not isinstance(x, (bool, np.bool_)):
        try:
            f = float(x)
        except OverflowError:  # an int beyond float64
            f = 2.0 * MAX_STEPS
        if math.isfinite(f) and abs(f) > MAX_STEPS:
            raise ValueError(f"{fn}(): {name} must be at most 2**62 in magnitude, got {name}={x!r}")
    return number(fn, name, x)


def length(fn: str, name: str, x: Any) -> float | int:
    """A time-like static number (a boundary, a shift, a block length): an integral float
    becomes an int, so integer times stay exact integers on every backend (``5.0`` is ``5``);
    a fractional one stays a float."""
    v = time(fn, name, x)
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


# -- input normalisation --------------------------------------------------------------------------


#: Floating dtypes of ml_dtypes (JAX's bfloat16 and friends): NumPy sees them as kind "V".
_EXTRA_FLOATS = frozenset(
    {
        "bfloat16",
        "float8_e4m3fn",
        "float8_e5m2",
        "float8_e4m3b11fnuz",
        "float8_e4m3fnuz",
        "float8_e5m2fnuz",
        "float8_e3m4",
        "float8_e4m3",
        "float8_e8m0fnu",
        "float4_e2m1fn",
        "float6_e2m3fn",
        "float6_e3m2fn",
    }
)
_INT64_MAX = 2**63 - 1


def _time_kind(dtype: Any) -> str:
    """ "i", "u" or "f" for a real time dtype; TypeError for anything else (bool included)."""
    kind = dtype.kind
    if kind in "iuf":
        return str(kind)
    if kind == "V" and dtype.name in _EXTRA_FLOATS:
        return "f"
    raise TypeError(f"schedule(t): t must hold real numbers, got dtype {dtype}")


def as_numpy_time(t: Any) -> np.ndarray:
    """``t`` as int64 (every integer dtype; uint64 beyond 2**63 - 1 as float64) or float64.

    Integer times keep exact integer arithmetic in a type wide enough for every boundary,
    shift and duration (at most 2**62); narrow floats are widened before any arithmetic.
    """
    arr = np.asarray(t)
    kind = _time_kind(arr.dtype)
    if kind == "i":
        if arr.dtype != np.int64:
            arr = arr.astype(np.int64)
    elif kind == "u":
        if arr.dtype.itemsize < 8 or not (arr.size and int(arr.max()) > _INT64_MAX):
            arr = arr.astype(np.int64)
        else:
            arr = arr.astype(np.float64)
    elif arr.dtype != np.float64:
        arr = arr.astype(np.float64)
    if arr.dtype.kind == "f" and np.isnan(arr).any():
        raise ValueError("schedule(t): t must not hold NaN")
    return arr


def as_jax_time(t: Any) -> tuple[Any, Any]:
    """``(t, beyond)`` for the JAX path.

    Integer times become JAX's default int (int32, or int64 under x64) and float times at
    least its default float, so no arithmetic overflows or rounds in a narrow type. An
    unsigned dtype as wide as the default int (uint32, or uint64 under x64) can hold values
    the default int can't: then ``t`` is clipped to the int's maximum and ``beyond`` is
    ``t`` in the default float, for the caller to use above that maximum; else None.
    """
    xp = jnp()
    arr = xp.asarray(t)
    kind = _time_kind(np.dtype(arr.dtype))
    if kind == "f":
        fdt = xp.result_type(float)
        if arr.dtype.itemsize < np.dtype(fdt).itemsize or arr.dtype.kind != "f":
            arr = arr.astype(fdt)
        return arr, None
    idt = np.dtype(xp.result_type(int))
    if kind == "i" or arr.dtype.itemsize < idt.itemsize:
        return (arr if arr.dtype == idt else arr.astype(idt)), None
    top = np.iinfo(idt).max
    clipped = xp.minimum(arr, np.asarray(top, dtype=arr.dtype)).astype(idt)
    return clipped, arr.astype(xp.result_type(float))
