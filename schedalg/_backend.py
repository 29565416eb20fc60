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
from typing import Any

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


def value(fn: str, name: str, x: Any) -> Any:
    """A value-like argument: a finite real number, a finite array, or a JAX tracer.

    Python numbers become Python floats. Tracers pass through unchecked (JAX may rebuild a
    schedule from traced leaves; such values can't be inspected).
    """
    if isinstance(x, bool) or isinstance(x, np.bool_):
        raise TypeError(f"{fn}(): {name} must be a real number, got {name}={x!r} (a bool)")
    if isinstance(x, numbers.Real):
        f = float(x)
        if not math.isfinite(f):
            raise ValueError(f"{fn}(): {name} must be finite, got {name}={x!r}")
        return f
    if is_tracer(x):
        return x
    if isinstance(x, np.ndarray) or is_jax(x):
        arr = np.asarray(x)
        if arr.dtype.kind not in "iuf":
            raise TypeError(f"{fn}(): {name} must hold real numbers, got dtype {arr.dtype}")
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{fn}(): {name} must be finite, got {name}={x!r}")
        return x
    raise TypeError(f"{fn}(): {name} must be a real number, got {name}={x!r}")


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
    return n


def number(fn: str, name: str, x: Any) -> float | int:
    """A static real number (a power, a time constant): a finite int or float."""
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, numbers.Real):
        raise TypeError(f"{fn}(): {name} must be a real number, got {name}={x!r}")
    if isinstance(x, numbers.Integral):
        return int(x)
    f = float(x)
    if not math.isfinite(f):
        raise ValueError(f"{fn}(): {name} must be finite, got {name}={x!r}")
    return f


def positive(fn: str, name: str, x: Any) -> float | int:
    v = number(fn, name, x)
    if not v > 0:
        raise ValueError(f"{fn}(): {name} must be > 0, got {name}={x!r}")
    return v


# -- input normalisation --------------------------------------------------------------------------


def as_numpy_time(t: Any) -> np.ndarray:
    arr = np.asarray(t)
    if arr.dtype.kind == "b" or arr.dtype.kind not in "iuf":
        raise TypeError(f"schedule(t): t must hold real numbers, got dtype {arr.dtype}")
    if arr.dtype.kind == "u":
        arr = arr.astype(np.int64)
    elif arr.dtype.kind == "f" and arr.dtype != np.float64:
        arr = arr.astype(np.float64)
    if arr.dtype.kind == "f" and np.isnan(arr).any():
        raise ValueError("schedule(t): t must not hold NaN")
    return arr


def as_jax_time(t: Any) -> Any:
    xp = jnp()
    arr = xp.asarray(t)
    kind = arr.dtype.kind
    if kind == "b" or kind not in "iuf":
        raise TypeError(f"schedule(t): t must hold real numbers, got dtype {arr.dtype}")
    if kind == "u":
        arr = arr.astype(xp.int32 if arr.dtype.itemsize < 8 else xp.int64)
    return arr
