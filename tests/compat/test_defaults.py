"""Every compat default equals the peer's own default.

The parity tests pass their arguments explicitly, so a changed default (``OneCycleLR``'s
``pct_start`` 0.3 -> 0.25) would pass them all. Here each compat function's signature is
compared, parameter by parameter, with the real peer's (``inspect.signature`` of the torch,
optax, transformers, Keras and timm callables, imported live). TensorFlow and fastai are not
installed in the test environment: their defaults are transcribed from their published source
(cited per table) and compared the same way.
"""

from __future__ import annotations

import importlib
import inspect

import pytest

EMPTY = inspect.Parameter.empty


def defaults(fn) -> dict:
    return {
        k: p.default for k, p in inspect.signature(fn).parameters.items() if p.default is not EMPTY
    }


# Parameters whose default differs from the peer's on purpose, with the reason.
ALLOWED = {
    # Keras' ``name`` is the schedule's label in Keras' own config; it changes no value, and
    # schedalg's compat functions keep it only so a Keras call reads back unchanged.
    ("keras", "*", "name"),
}


def same(a, b) -> bool:
    """Equal defaults: numbers by value (0 == 0.0), but a bool is not a number here."""
    return a == b and isinstance(a, bool) == isinstance(b, bool)


def _allowed(module: str, fn: str, param: str) -> bool:
    return (module, fn, param) in ALLOWED or (module, "*", param) in ALLOWED


def compare(module: str, peer_defaults: dict[str, dict]) -> int:
    """Check every function of schedalg.compat.<module> against its peer's defaults."""
    mod = importlib.import_module(f"schedalg.compat.{module}")
    compared = 0
    for name in mod.__all__:
        assert name in peer_defaults, f"{module}.{name}: no peer to compare with"
        ours, theirs = defaults(getattr(mod, name)), peer_defaults[name]
        for param in ours.keys() & theirs.keys():
            if _allowed(module, name, param):
                continue
            assert same(ours[param], theirs[param]), (
                f"{module}.{name}({param}=...): ours {ours[param]!r}, peer {theirs[param]!r}"
            )
            compared += 1
        # A parameter the peer defaults must not be required here (a call with the peer's
        # required arguments must work), unless it is not ours at all.
        required = {
            k
            for k, p in inspect.signature(getattr(mod, name)).parameters.items()
            if p.default is EMPTY and p.kind is not p.VAR_POSITIONAL
        }
        assert not (required & theirs.keys()), f"{module}.{name}: {required & theirs.keys()}"
    return compared


def live(peer_module, names) -> dict[str, dict]:
    return {n: defaults(getattr(peer_module, n)) for n in names}


def test_torch_defaults_match_torch():
    torch = pytest.importorskip("torch")
    from schedalg.compat import torch as ours

    assert compare("torch", live(torch.optim.lr_scheduler, ours.__all__)) >= 30


def test_optax_defaults_match_optax():
    optax = pytest.importorskip("optax")
    from schedalg.compat import optax as ours

    assert compare("optax", live(optax, ours.__all__)) >= 15


def test_transformers_defaults_match_transformers():
    tr = pytest.importorskip("transformers.optimization")
    from schedalg.compat import transformers as ours

    assert compare("transformers", live(tr, ours.__all__)) >= 15


def test_keras_defaults_match_keras():
    keras = pytest.importorskip("keras")
    from schedalg.compat import keras as ours

    assert compare("keras", live(keras.optimizers.schedules, ours.__all__)) >= 8


def test_timm_defaults_match_timm():
    pytest.importorskip("torch")
    from test_timm import load_timm_scheduler

    from schedalg.compat import timm as ours

    assert compare("timm", live(load_timm_scheduler(), ours.__all__)) >= 40


# TF1 ``tf.compat.v1.train.*`` (tensorflow/python/training/learning_rate_decay.py, TF 2.x) and
# tensorflow/models research/object_detection/utils/learning_schedules.py.
TF_DEFAULTS = {
    "exponential_decay": {"staircase": False, "name": None},
    "inverse_time_decay": {"staircase": False, "name": None},
    "natural_exp_decay": {"staircase": False, "name": None},
    "cosine_decay": {"alpha": 0.0, "name": None},
    "cosine_decay_restarts": {"t_mul": 2.0, "m_mul": 1.0, "alpha": 0.0, "name": None},
    "linear_cosine_decay": {"num_periods": 0.5, "alpha": 0.0, "beta": 0.001, "name": None},
    "polynomial_decay": {"end_learning_rate": 0.0001, "power": 1.0, "cycle": False, "name": None},
    "piecewise_constant": {"name": None},
    "exponential_decay_with_burnin": {
        "burnin_learning_rate": 0.0,
        "burnin_steps": 0,
        "min_learning_rate": 0.0,
        "staircase": True,
    },
    "cosine_decay_with_warmup": {
        "warmup_learning_rate": 0.0,
        "warmup_steps": 0,
        "hold_base_rate_steps": 0,
    },
    "manual_stepping": {"warmup": False},
}

# fastai/callback/schedule.py (fastai 2.7): ``Learner.fit_one_cycle(n_epoch, lr_max=None,
# div=25., div_final=1e5, pct_start=0.25, ..., moms=None)`` with ``moms=None`` meaning the
# Learner's ``moms=(0.95, 0.85, 0.95)``; ``fit_flat_cos(n_epoch, lr=None, div_final=1e5,
# pct_start=0.75)``; ``fit_sgdr(n_cycles, cycle_len, lr_max=None, cycle_mult=2)``. The
# annealers (``SchedLin`` ...) and ``combine_scheds``/``combined_cos`` have no defaults there.
FASTAI_DEFAULTS = {
    "fit_one_cycle": {
        "lr_max": None,
        "div": 25.0,
        "div_final": 1e5,
        "pct_start": 0.25,
        "moms": (0.95, 0.85, 0.95),
    },
    "fit_flat_cos": {"lr": None, "div_final": 1e5, "pct_start": 0.75},
    "fit_sgdr": {"lr_max": None, "cycle_mult": 2},
    **{
        n: {}
        for n in (
            "SchedLin",
            "SchedCos",
            "SchedNo",
            "SchedExp",
            "SchedPoly",
            "combine_scheds",
            "combined_cos",
        )
    },
}


def test_tf_defaults_match_tensorflow_source():
    assert compare("tf", TF_DEFAULTS) >= 25


def test_fastai_defaults_match_fastai_source():
    assert compare("fastai", FASTAI_DEFAULTS) >= 10
