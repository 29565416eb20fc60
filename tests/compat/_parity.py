"""Comparison helper for the parity tests."""

from __future__ import annotations

import numpy as np


def assert_parity(ours, theirs, rtol: float = 1e-10, what: str = "", atol: float = 0.0) -> None:
    """Max relative error <= rtol at every step (beyond an absolute ``atol``, where given).

    Values smaller than 1e-12 of the largest magnitude (a decay to exactly 0) are compared
    absolutely against that floor, where a relative error means nothing. ``atol`` is for
    peers with a documented float32 step inside: the error allowed is ``atol + rtol * |peer|``.
    """
    a = np.asarray(ours, dtype=np.float64)
    b = np.asarray(theirs, dtype=np.float64)
    assert a.shape == b.shape, (a.shape, b.shape)
    floor = 1e-12 * max(float(np.max(np.abs(b))), 1e-300)
    err = np.maximum(np.abs(a - b) - atol, 0.0) / np.maximum(np.abs(b), floor)
    worst = int(np.argmax(err))
    assert err[worst] <= rtol, (
        f"{what}: max relative error {err[worst]:.3g} at step {worst}: "
        f"ours={a[worst]!r}, peer={b[worst]!r}"
    )


def assert_both_paths(schedule, ref, scale: float, skip=(), atol: float = 0.0) -> None:
    """``schedule`` on the NumPy and the pure-Python path, against reference values per step.

    Relative error <= 1e-10 at every step but those in ``skip``; values below 1e-12 of
    ``scale`` (the schedule's lr) are compared against that floor. ``atol`` is for a peer
    whose formula cancels somewhere (it is subtracted from the error before dividing).
    """
    ref = np.asarray(ref, dtype=np.float64)
    ts = np.arange(len(ref))
    keep = np.ones(len(ref), dtype=bool)
    keep[list(skip)] = False
    floor = 1e-12 * scale
    for name, vals in (
        ("numpy", schedule(ts)),
        ("python", np.array([schedule(int(t)) for t in ts], dtype=np.float64)),
    ):
        diff = np.maximum(np.abs(vals - ref) - atol, 0.0)
        err = np.where(keep, diff / np.maximum(np.abs(ref), floor), 0.0)
        worst = int(np.argmax(err))
        assert err[worst] <= 1e-10, (
            f"{name}: step {worst}: ours {vals[worst]!r} vs reference {ref[worst]!r}"
        )


def other_path(schedule, ts, backend: str) -> np.ndarray:
    """The values an independent path gives, to compare ``backend``'s values with.

    The pure-Python path (``schedule(int(t))`` per step, plain ``math``) for every backend but
    ``python`` itself, which is compared with NumPy. (NumPy against ``schedule(ts)`` would be
    the same call twice, and the torch backend evaluates through NumPy.)
    """
    if backend == "python":
        return np.asarray(schedule(np.asarray(ts)), dtype=np.float64)
    return np.array([schedule(int(t)) for t in ts], dtype=np.float64)
