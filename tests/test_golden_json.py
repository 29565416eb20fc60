"""The committed JSON documents under tests/golden/: the file format, frozen.

One document per node type (``<name>.json``), written by hand with every defaulted field left
out and a bare number in each schedule slot whose constructor takes a number (concat's last
piece, both operands of the arithmetic nodes, ``neg``, ``clip``). Each one must load, give the
values its formula (written here) gives, and dump to the canonical text committed beside it
(``<name>.canonical.json``: ``to_json``'s one line, every field written). A renamed node type
or field, a changed default, or a slot that stops taking numbers breaks old files: these
tests fail on any of them.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

import schedalg as sa
import schedalg._fields

GOLDEN = Path(__file__).resolve().parent / "golden"
TS = np.arange(0, 40)


def ramp(t, n=8):
    """linear_ramp(0, 1, n)."""
    return min(t, n) / n


def cos01(start, end, n):
    return lambda t: end + (start - end) * (1 + math.cos(math.pi * min(t, n) / n)) / 2


def logistic(x):
    return 1 / (1 + math.exp(-x))


def tri(t, n):
    u = min(t, n) / n
    return 1 - abs(2 * u - 1)


FORMULAS = {
    "hold": lambda t: 0.25,
    "linear_ramp": ramp,
    "cosine": cos01(1.0, 0.1, 10),
    "exp": lambda t: 0.01 ** (min(t, 10) / 10),
    "exp_rate": lambda t: 2 * 0.9**t,
    "poly": lambda t: 1 - min(t, 10) / 10,  # power 1 (the default)
    # tanh's default range is lower=-7, upper=3
    "tanh": lambda t: (1 - math.tanh(-7 + 10 * min(t, 10) / 10)) / 2,
    "inverse": lambda t: 1 / (1 + t / 10),  # power 1, infinite (the defaults)
    "triangle": lambda t: tri(t, 8),
    "piecewise": lambda t: 1.0 if t < 3 else 0.5 if t < 7 else 0.25,
    "concat": lambda t: ramp(t) if t < 8 else 0.5,
    "repeat": lambda t: tri(t % 4, 4) if t < 12 else tri(4, 4),  # stretch 1 (the default)
    # floor 0 (the default); cycles of linear_ramp(1, 0, 4), the k-th scaled by 0.5**k
    "scale_by_cycle": lambda t: (1 - (t % 4) / 4) * 0.5 ** (t // 4),
    "add": lambda t: 0.5 + ramp(t),
    "sub": lambda t: ramp(t) - 0.25,
    "mul": lambda t: 2 * ramp(t),
    "div": lambda t: ramp(t) / 4,
    "minimum": lambda t: min(ramp(t), 0.5),
    "maximum": lambda t: max(0.5, ramp(t)),
    "neg": lambda t: -0.5,
    "clip": lambda t: max(ramp(t), 0.25),  # no high bound (the default)
    "clip_number": lambda t: 0.5,
    "staircase": lambda t: ramp(3 * (t // 3)),
    "shift": lambda t: cos01(1.0, 0.0, 6)(max(t - 3, 0)),
    "scale_time": lambda t: ramp(t / 2, 4),
    "take": lambda t: 0.5 ** min(t, 3),
    "warp": lambda t: 16 * (min(t, 16) / 16) ** 2 / 16,
    # steepness 10 (the default): the logistic curve through (0, 0) and (1, 1)
    "sigmoid": lambda t: (
        (logistic(10 * (min(t, 10) / 10 - 0.5)) - logistic(-5)) / (logistic(5) - logistic(-5))
    ),
    # issue 12: switch, continuation, powers, clocks, recipes
    "switch": lambda t: 0.5 if t < 3 else ramp(t),
    "value_at": lambda t: 0.25,
    "power": lambda t: ramp(t) ** 2,
    "power_number": lambda t: 0.5 ** ramp(t),
    "exp_of": lambda t: math.exp(ramp(t)),
    "tokens": lambda t: 2 * t if t <= 3 else 6 + 4 * (t - 3),  # seq_len 1 (the default)
    "compose": lambda t: ramp(2 * t),  # the clock: 2 samples a step
    "warmup_cosine": lambda t: t / 4 if t < 4 else cos01(1.0, 0.0, 10)(t - 4),
    "warmup_linear": lambda t: t / 4 if t < 4 else 1 - min(t - 4, 8) / 8,
    "wsd": lambda t: t / 4 if t < 4 else 1.0 if t < 12 else 1 - math.sqrt(min(t - 12, 8) / 8),
    # w = round(0.3 * 20) = 6 steps up from 1 / 25, then down to 1 / 25 / 1e4 (the defaults)
    "one_cycle": lambda t: cos01(0.04, 1.0, 6)(t) if t < 6 else cos01(1.0, 4e-6, 14)(t - 6),
    "sgdr": lambda t: sgdr(t),
    "cooldown": lambda t: cos01(1.0, 0.0, 20)(t) if t < 10 else 0.5 * (1 - min(t - 10, 8) / 8),
    "rewarm": lambda t: cos01(1.0, 0.0, 20)(t) if t < 10 else 1 - 0.5 * (1 - min(t - 10, 8) / 8),
    "inverse_sqrt": lambda t: t / 4 if t < 4 else math.sqrt(4 / t),
    "rex": lambda t: (1 - min(t, 10) / 10) / (0.5 + 0.5 * (1 - min(t, 10) / 10)),
    "step_decay": lambda t: 0.5 ** (t // 4),
    "multistep": lambda t: 0.1 ** sum(m <= t for m in (3, 7, 7)),
    "exp_every": lambda t: 0.5 ** (t // 4),
    # torch's StepLR: base_lr * gamma ** (t // step_size)
    "compat": lambda t: 0.5 ** (t // 4),
}


def sgdr(t):
    """Cosine cycles of 4, 8, 16, ... steps from 1 to 0, the k-th scaled by 0.5**k."""
    start, length, k = 0, 4, 0
    while t >= start + length:
        start, length, k = start + length, 2 * length, k + 1
    return 0.5**k * cos01(1.0, 0.0, length)(t - start)


# The built-in node types (a test or an example may register a primitive of its own).
NODE_TYPES = {
    name
    for name in sa.io.SPECS
    if all(c.__module__.startswith("schedalg.") for c in sa._fields.node_classes(name))
}


def names():
    return sorted(
        p.name[: -len(".json")] for p in GOLDEN.glob("*.json") if ".canonical" not in p.name
    )


def test_every_node_type_has_a_golden_document():
    covered = {json.loads((GOLDEN / f"{n}.json").read_text())["type"] for n in names()}
    assert covered == NODE_TYPES
    assert set(names()) == set(FORMULAS)


@pytest.mark.parametrize("name", names())
def test_golden_document_loads_to_its_formula(name):
    s = sa.from_json((GOLDEN / f"{name}.json").read_text())
    want = np.array([FORMULAS[name](int(t)) for t in TS])
    np.testing.assert_allclose(s(TS), want, rtol=1e-14, atol=1e-16)
    np.testing.assert_allclose([s(int(t)) for t in TS], want, rtol=1e-14, atol=1e-16)


@pytest.mark.parametrize("name", names())
def test_golden_document_dumps_to_the_canonical_text(name):
    s = sa.from_json((GOLDEN / f"{name}.json").read_text())
    canonical = (GOLDEN / f"{name}.canonical.json").read_text()
    assert canonical.endswith("\n") and canonical.count("\n") == 1
    assert sa.to_json(s) == canonical[:-1]
    assert sa.from_json(canonical) == s


BARE_NUMBER_SLOTS = {
    "concat": ("pieces", -1),
    "add": ("a", None),
    "sub": ("b", None),
    "mul": ("a", None),
    "div": ("b", None),
    "minimum": ("b", None),
    "maximum": ("a", None),
    "neg": ("a", None),
    "clip_number": ("schedule", None),
    "switch": ("a", None),
    "power_number": ("a", None),
}


@pytest.mark.parametrize("name", names())
def test_golden_document_omits_defaults_and_uses_bare_numbers(name):
    """The hand-written documents really are minimal: no field is written at its default."""
    doc = json.loads((GOLDEN / f"{name}.json").read_text())
    spec = sa.io.SPECS[doc["type"]]
    for field, _kind, default in spec.fields:
        if default is not sa.io._REQUIRED:
            assert field not in doc or doc[field] != default, (name, field)
    if name in BARE_NUMBER_SLOTS:
        field, index = BARE_NUMBER_SLOTS[name]
        slot = doc[field] if index is None else doc[field][index]
        assert isinstance(slot, (int, float)), (name, field)
