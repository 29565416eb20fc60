"""Shared data for the end-to-end tests: scikit-learn's bundled digits (no download)."""

from __future__ import annotations

import numpy as np
import pytest


@pytest.fixture(scope="session")
def digits():
    """8x8 digit images scaled to [0, 1]: 1437 training and 360 test examples, fixed split."""
    datasets = pytest.importorskip("sklearn.datasets")
    x, y = datasets.load_digits(return_X_y=True)
    x = (x / 16.0).astype(np.float32)
    perm = np.random.default_rng(0).permutation(len(x))
    tr, te = perm[:1437], perm[1437:]
    return x[tr], y[tr].astype(np.int64), x[te], y[te].astype(np.int64)


@pytest.fixture(scope="session")
def epoch_batches():
    """``epoch_batches(n, batch_size, seed)``: one epoch of shuffled minibatch indices."""

    def make(n: int, batch_size: int, seed: int) -> list[np.ndarray]:
        idx = np.random.default_rng(seed).permutation(n)
        return [idx[i : i + batch_size] for i in range(0, n, batch_size)]

    return make
