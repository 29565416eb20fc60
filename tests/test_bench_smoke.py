"""Smoke test of the benchmark harness (bench/): it runs, and what it times agrees with optax.

No timing is asserted (timings belong in bench/RESULTS.md, not in tests); the agreement of
schedalg's values with the optax peer's on every benchmarked schedule is.
"""

from __future__ import annotations

import math

import pytest

pytest.importorskip("optax")

from bench import harness, vectorized


def test_interleaved_runs_every_candidate_every_round():
    calls = {"a": 0, "b": 0}

    def bump(name):
        calls[name] += 1

    out = harness.interleaved({"a": lambda: bump("a"), "b": lambda: bump("b")}, rounds=3)
    assert calls == {"a": 4, "b": 4}  # one warm-up call each, then one per round
    assert len(out["a"].done) == 3
    assert harness.ratio(out["a"], out["a"]) == 1.0


def test_vectorized_benchmark_runs_and_schedalg_matches_optax():
    md, records = vectorized.run_jax([1000], [1, 16], rounds=1)
    names = {r["name"] for r in records}
    assert {"warmup+cosine", "SGDR T_mult=2 (10 cycles)", "1cycle"} <= names
    for r in records:
        assert r["schedalg_s"] > 0 and math.isfinite(r["vs_cos"])
        # Same schedule as the peer: float32 values agree to a few ulp.
        assert r["agree"] is not None and r["agree"] < 1e-5, r
    assert md.count("\n") == len(records) + 1


def test_numpy_benchmark_runs():
    _, records = vectorized.run_numpy(1000, [16], rounds=1)
    assert all(r["schedalg_s"] > 0 for r in records)


def test_torch_plateau_benchmark_runs():
    pytest.importorskip("torch")
    from bench import torch_step

    md, records = torch_step.run_plateau(50, 1, total=1000)
    assert {r["groups"] for r in records} == {1, 10} and len(records) == 4
    assert all(r["ratio"] > 0 and r["native_s"] > 0 for r in records)
    assert md.count("\n") == len(records) + 1
