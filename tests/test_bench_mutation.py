"""bench.mutation: the per-module mutmut configuration it writes."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.mutation import _narrowed

tomllib = pytest.importorskip("tomllib")

ROOT = Path(__file__).resolve().parent.parent


def test_the_mutmut_table_is_narrowed_to_one_module_and_its_tests():
    text = (ROOT / "pyproject.toml").read_text("utf-8")
    tests = ["tests/test_plateau.py", "tests/test_torch_adapter.py"]
    before = tomllib.loads(text)
    after = tomllib.loads(_narrowed(text, "schedalg/plateau.py", tests))
    mine, theirs = after["tool"].pop("mutmut"), before["tool"].pop("mutmut")
    assert mine["only_mutate"] == ["schedalg/plateau.py"]
    assert mine["pytest_add_cli_args_test_selection"] == tests
    for key in ("source_paths", "pytest_add_cli_args"):  # the -k filter is kept
        assert mine[key] == theirs[key]
    assert after == before  # nothing else changed


def test_a_project_without_the_table_is_refused():
    with pytest.raises(SystemExit, match=r"no \[tool\.mutmut\] table"):
        _narrowed("[project]\nname = 'x'\n", "schedalg/plateau.py", [])
