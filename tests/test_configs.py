"""Schedules in hand-written configs (YAML through PyYAML, dicts without the version key) and
in an experiment tracker's config (Summary.as_dict, tracker_dict)."""

from __future__ import annotations

import json
import math

import pytest

import schedalg as sa
from schedalg import FormatError, from_dict

yaml = pytest.importorskip("yaml")

# A config as a user writes it: no "schedalg" version key, exponents written as YAML 1.1
# wants them (a dot in the mantissa), a constant schedule given as a number.
GOOD_YAML = """\
model: gpt-small
lr:
  type: concat
  pieces:
    - {type: linear_ramp, start: 0.0, end: 3.0e-4, steps: 2000}
    - type: cosine
      start: 3.0e-4
      end: 0.00003
      steps: 98000
    - 3.0e-5
"""


def test_yaml_config_without_version_key(tmp_path):
    path = tmp_path / "run.yaml"
    path.write_text(GOOD_YAML)
    config = yaml.safe_load(path.read_text())
    s = from_dict(config["lr"])
    want = sa.linear_ramp(0.0, 3e-4, 2000) >> sa.cosine(3e-4, 3e-5, 98000) >> sa.hold(3e-5)
    assert s == want
    assert s(2000) == 3e-4 and s(10**6) == 3e-5
    # to_dict keeps writing the version, and reads back without it too
    d = sa.to_dict(s)
    assert d["schedalg"] == 1
    del d["schedalg"]
    assert from_dict(d) == s


@pytest.mark.parametrize(
    "written, path, fix",
    [
        ("3e-4", "$.pieces[0].end", "3.0e-4 or 0.0003"),
        ("3E-4", "$.pieces[0].end", "3.0e-4 or 0.0003"),
        ("1e5", "$.pieces[0].steps", "100000"),
    ],
)
def test_yaml_number_read_as_a_string_names_the_path_and_the_fix(tmp_path, written, path, fix):
    field = "steps" if path.endswith("steps") else "end"
    values = {"start": "0.0", "end": "3.0e-4", "steps": "2000"}
    values[field] = written
    text = (
        "type: concat\npieces:\n"
        f"  - {{type: linear_ramp, start: {values['start']}, end: {values['end']}, "
        f"steps: {values['steps']}}}\n"
        "  - {type: hold, value: 0.0001}\n"
    )
    f = tmp_path / "lr.yaml"
    f.write_text(text)
    config = yaml.safe_load(f.read_text())
    assert isinstance(config["pieces"][0][field], str)  # what PyYAML does with it
    with pytest.raises(FormatError) as info:
        from_dict(config)
    e = info.value
    assert e.path == path
    assert f"the string {written!r}" in e.reason
    assert f"write it as a number, {fix}" in e.reason
    assert "PyYAML" in e.reason


@pytest.mark.parametrize(
    "doc, path",
    [
        ({"type": "hold", "value": "0.1"}, "$.value"),
        (
            {"type": "piecewise", "boundaries": [10, "2e1"], "values": [1.0, 0.5, 0.1]},
            "$.boundaries[1]",
        ),
        ({"type": "concat", "pieces": ["1e-3", {"type": "hold", "value": 1.0}]}, "$.pieces[0]"),
        (
            {
                "type": "repeat",
                "schedule": {"type": "hold", "value": 1, "steps": 3},
                "times": " 4 ",
            },
            "$.times",
        ),
        ({"type": "mul", "a": "5e-1", "b": {"type": "hold", "value": 1.0}}, "$.a"),
    ],
)
def test_numeric_strings_are_refused_everywhere(doc, path):
    with pytest.raises(FormatError) as info:
        from_dict(doc)
    assert info.value.path == path
    assert "got the string" in info.value.reason and "write it as a number" in info.value.reason


def test_other_strings_keep_the_plain_message():
    with pytest.raises(FormatError) as info:
        from_dict({"type": "hold", "value": "fast"})
    assert info.value.path == "$.value"
    assert "write it as a number" not in info.value.reason
    assert "got a string ('fast')" in info.value.reason


def test_unsupported_version_is_still_refused():
    with pytest.raises(FormatError, match="unsupported format version 2"):
        from_dict({"schedalg": 2, "type": "hold", "value": 1.0})


# -- trackers --------------------------------------------------------------------------------------


def test_summary_is_public_and_as_dict_is_plain():
    s = sa.cosine(1.0, 0.1, 100)
    sm = s.summary()
    assert isinstance(sm, sa.Summary)
    d = sm.as_dict()
    assert json.loads(json.dumps(d)) == d
    # cos: 0.1 + 0.9 * (1 + cos(pi t / 100)) / 2
    low = 0.1 + 0.45 * (1 + math.cos(math.pi * 99 / 100))
    assert d == {
        "duration": 100,
        "steps": 100,
        "start": 1.0,
        "peak": 1.0,
        "peak_step": 0,
        "low": pytest.approx(low, rel=1e-15),
        "end": 0.1,
        "warmup": 0,
        # 100 * (0.1 + 0.45) + 0.45 * sum(cos(pi t / 100)); the cosines cancel in pairs
        # t, 100 - t, leaving cos(0) = 1
        "budget": pytest.approx(100 * 0.55 + 0.45, rel=1e-14),
        "breakpoints": [0, 100],
    }
    assert d["low"] > d["end"]  # end is after the steps summarized


def test_tracker_dict_by_formula():
    s = sa.linear_ramp(0.0, 2e-3, 100) >> sa.hold(2e-3, 400) >> sa.linear_ramp(2e-3, 0.0, 500)
    d = sa.tracker_dict(s, prefix="lr")
    assert json.loads(json.dumps(d)) == d
    assert all(type(v) in (str, int, float) for v in d.values())
    assert all(k.startswith("lr.") for k in d)
    # ramp sum 2e-5 * (0 + ... + 99); hold 400 * 2e-3; cooldown 2e-3 * (1 - t/500), t < 500
    budget = 2e-5 * 99 * 100 / 2 + 400 * 2e-3 + 2e-3 * (500 - 499 * 500 / 2 / 500)
    assert d == {
        "lr.expr": repr(s),
        "lr.duration": 1000,
        "lr.steps": 1000,
        "lr.start": 0.0,
        "lr.peak": 2e-3,
        "lr.peak_step": 100,
        "lr.low": 0.0,
        "lr.end": 0.0,
        "lr.warmup": 100,
        "lr.budget": pytest.approx(budget, rel=1e-12),
        "lr.segments": 3,
    }
    assert sa.parse(d["lr.expr"]) == s


def test_tracker_dict_infinite_and_prefixes():
    s = sa.inverse(1.0, 10.0)
    with pytest.raises(TypeError, match="infinite"):
        sa.tracker_dict(s)
    d = sa.tracker_dict(s, prefix="", steps=50)
    assert "duration" not in d and d["steps"] == 50
    assert d["end"] == pytest.approx(1 / (1 + 50 / 10), rel=1e-15)
    assert d["low"] == pytest.approx(1 / (1 + 49 / 10), rel=1e-15)
    assert set(sa.tracker_dict(s, prefix="opt.wd", steps=5)) == {f"opt.wd.{k}" for k in d}
    with pytest.raises(TypeError, match="tracker_dict\\(\\): prefix must be a str"):
        sa.tracker_dict(s, prefix=1, steps=5)
    with pytest.raises(TypeError, match="tracker_dict\\(\\): expected a schedule"):
        sa.tracker_dict(0.1)


def test_tracker_dict_of_a_jax_packed_schedule_is_plain():
    jax = pytest.importorskip("jax")
    jnp = pytest.importorskip("jax.numpy")
    s = sa.linear_ramp(0.0, 1.0, 10) >> sa.cosine(1.0, 0.0, 90)
    packed = jax.tree.map(jnp.asarray, s)
    d = sa.tracker_dict(packed)
    assert d == sa.tracker_dict(s)
    assert all(type(v) in (str, int, float) for v in d.values())
