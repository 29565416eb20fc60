"""Shared data for the end-to-end tests: scikit-learn's bundled digits (no download).

A plain module, not a conftest: ``tests/conftest.py`` is imported by name elsewhere.
"""

from __future__ import annotations

import functools

import numpy as np


@functools.cache
def digits() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """8x8 digit images scaled to [0, 1]: 1437 training and 360 test examples, fixed split."""
    from sklearn.datasets import load_digits

    x, y = load_digits(return_X_y=True)
    x = (x / 16.0).astype(np.float32)
    perm = np.random.default_rng(0).permutation(len(x))
    tr, te = perm[:1437], perm[1437:]
    return x[tr], y[tr].astype(np.int64), x[te], y[te].astype(np.int64)


def epoch_batches(n: int, batch_size: int, seed: int) -> list[np.ndarray]:
    """One epoch of shuffled minibatch indices."""
    idx = np.random.default_rng(seed).permutation(n)
    return [idx[i : i + batch_size] for i in range(0, n, batch_size)]
