"""The package's metadata: the version is written once, the project links point somewhere real."""

from __future__ import annotations

import ast
import fnmatch
import io
import re
from contextlib import redirect_stdout
from pathlib import Path

import pytest

import schedalg
from schedalg.cli import main

ROOT = Path(__file__).resolve().parent.parent


def _pyproject() -> dict:
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_version_is_written_once_in_the_package():
    """pyproject.toml names no version of its own: setuptools reads ``schedalg.__version__``
    (statically, from the assignment in ``__init__.py``)."""
    project = _pyproject()["project"]
    assert "version" not in project
    assert "version" in project["dynamic"]
    spec = _pyproject()["tool"]["setuptools"]["dynamic"]["version"]
    assert spec == {"attr": "schedalg.__version__"}
    # setuptools' static read needs a plain string assignment
    tree = ast.parse((ROOT / "schedalg" / "__init__.py").read_text())
    written = [
        node.value.value
        for node in tree.body
        if isinstance(node, ast.Assign)
        and [getattr(t, "id", None) for t in node.targets] == ["__version__"]
        and isinstance(node.value, ast.Constant)
    ]
    assert written == [schedalg.__version__]


def test_setuptools_reads_the_package_version():
    pyprojecttoml = pytest.importorskip("setuptools.config.pyprojecttoml")
    config = pyprojecttoml.read_configuration(ROOT / "pyproject.toml", expand=True)
    assert config["project"]["version"] == schedalg.__version__


def test_cli_version_is_the_package_version():
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["--version"]) == 0
    assert out.getvalue() == f"schedalg {schedalg.__version__}\n"


def test_project_urls():
    urls = _pyproject()["project"]["urls"]
    assert set(urls) == {"Homepage", "Documentation", "Changelog", "Issues"}
    home = urls["Homepage"]
    assert home.startswith("https://github.com/")
    assert urls["Issues"] == f"{home}/issues"
    assert urls["Changelog"] == f"{home}/blob/main/CHANGELOG.md"
    assert (ROOT / "CHANGELOG.md").is_file()


def _layout_modules() -> set[str]:
    """The module files CONTRIBUTING.md's layout table names."""
    text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    section = text.split("## The layout", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"`(\w+\.py)`", section))


def test_contributing_layout_names_every_module_and_only_real_ones():
    """The layout table is the map a contributor reads first: it must follow renames
    (``_backend.py`` became ``_namespaces.py``) and place every new module in a layer."""
    modules = {p.name for p in (ROOT / "schedalg").glob("*.py")} - {"__init__.py", "__main__.py"}
    named = _layout_modules()
    assert named - modules == set(), "named in CONTRIBUTING.md's layout but not in schedalg/"
    assert modules - named == set(), "in schedalg/ but missing from CONTRIBUTING.md's layout"


def test_mutation_testing_paths_exist():
    only = _pyproject()["tool"]["mutmut"]["only_mutate"]
    assert only and all((ROOT / p).is_file() for p in only), only


def test_test_files_are_named_by_topic():
    """Tests are grouped by what they test (CONTRIBUTING.md, "The tests"): no file named after
    an issue, a fix or a tool run, and every test file is listed in that table."""
    tests = Path(__file__).parent
    names = sorted(p.name for p in tests.glob("test_*.py"))
    history = [n for n in names if re.search(r"regression|issue\d|mutation_kill|_fixes", n)]
    assert history == []
    table = (tests.parent / "CONTRIBUTING.md").read_text().split("## The tests", 1)[1]
    table = table.split("\n## ", 1)[0]
    listed = set(re.findall(r"`(test_[\w*]+\.py)`", table))
    missing = [
        n for n in names if n not in listed and not any(fnmatch.fnmatch(n, g) for g in listed)
    ]
    assert missing == [], missing
