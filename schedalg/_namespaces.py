"""The array namespaces: which one evaluates an input, the time arrays for each, and the
numeric limits their number types set for every node (the checks are in ``_checks``).

Three evaluation paths, chosen by the input:

* Python ``int``/``float``: pure Python (``math``), returns ``float``;
* NumPy arrays and scalars, lists: NumPy, returns float64 of the same shape;
* JAX arrays and tracers: ``jax.numpy``, returns a JAX array.

Nothing here imports JAX: a value is a JAX value only if ``jax`` is already in
``sys.modules`` and the value is an instance of ``jax.Array``.
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np


def is_jax(x: Any) -> bool:
    jax = sys.modules.get("jax")
    return jax is not None and isinstance(x, jax.Array)


def is_tracer(x: Any) -> bool:
    jax = sys.modules.get("jax")
    return jax is not None and isinstance(x, jax.core.Tracer)


def jnp() -> Any:
    import jax.numpy

    return jax.numpy


# -- limits --------------------------------------------------------------------------------------

#: Largest magnitude of a value or of a static number (a power, a time constant): well inside
#: float32's range (JAX computes in float32, max 3.4e38), leaving room for the factors
#: (pi / 2, a power, 1 / steps) that a gradient multiplies in.
MAX_VALUE = 1e30
#: Smallest positive static number, divisor, exp endpoint or per-cycle factor: float32's
#: smallest normal number (a smaller one is 0, or a subnormal flushed to 0, on JAX).
MIN_NORMAL = 2.0**-126
#: Largest step count, time-like argument and duration: int64 time with room for a sum.
MAX_STEPS = 2**62


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
    from ._checks import ArgumentTypeError

    raise ArgumentTypeError(
        "schedule", "t", dtype, f"schedule(t): t must hold real numbers, got dtype {dtype}"
    )


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
        from ._checks import ArgumentValueError

        raise ArgumentValueError("schedule", "t", t, "schedule(t): t must not hold NaN")
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
