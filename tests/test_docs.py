"""The docs run: every docstring example (doctest) and the README's Python block; the README's
links resolve and its set-up command is the one CI runs. (The site's pages, docs/*.md, are run
by tests/test_docs_site.py.)"""

from __future__ import annotations

import doctest
import importlib
import pkgutil
import re
from pathlib import Path

import pytest

import schedalg

ROOT = Path(__file__).resolve().parent.parent


def _modules() -> list[str]:
    names = ["schedalg"]
    for info in pkgutil.walk_packages(schedalg.__path__, "schedalg."):
        names.append(info.name)
    return sorted(names)


# Modules with public names but no examples, and why.
NO_EXAMPLES = {
    # the command-line entry point: tests/test_cli.py runs every command
    "schedalg.cli",
}


def _public_names(module) -> list[str]:
    """The names a module defines for users: its ``__all__``, or what ``schedalg`` exports
    from it (the private modules holding the core), counting only objects defined there."""
    exported = [k for k in schedalg.__all__ if _defined_in(getattr(schedalg, k), module)]
    own = [k for k in getattr(module, "__all__", ()) if _defined_in(getattr(module, k), module)]
    return sorted(set(exported) | set(own))


def _defined_in(obj, module) -> bool:
    return getattr(obj, "__module__", None) == module.__name__


@pytest.mark.parametrize("name", _modules())
def test_docstring_examples(name):
    # As a user pastes them: in an empty namespace, not the module's (where the example could
    # lean on the module's own imports), so each example imports what it uses. CI also runs
    # them the plain way, `python -m pytest --doctest-modules schedalg` (ELLIPSIS is pytest's
    # default flag there too).
    module = importlib.import_module(name)
    result = doctest.testmod(module, globs={}, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
    # A module whose examples all vanished (a docstring reformatted, a finder change) would
    # pass the line above with nothing run.
    if _public_names(module) and name not in NO_EXAMPLES:
        assert result.attempted > 0, f"{name}: public {_public_names(module)} but no examples ran"


def test_readme_python_blocks_run():
    text = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert blocks
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {})


def relative_links(text: str) -> list[str]:
    """The targets of a Markdown text's links and images that are paths in the repository: not
    a URL, not a mail address, not an anchor of the same page (a path's own anchor is cut)."""
    targets = re.findall(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)", text)
    paths = [t.split("#", 1)[0] for t in targets if not re.match(r"[a-z][a-z0-9+.-]*:|#", t)]
    return [p for p in paths if p]


def test_relative_links_are_found():
    text = "[a](docs/a.md) ![i](img/x.png) [u](https://x.org/y.md) [s](#set-up) [b](b.md#part)"
    assert relative_links(text) == ["docs/a.md", "img/x.png", "b.md"]


def test_every_relative_link_of_the_readme_points_at_a_file():
    links = relative_links((ROOT / "README.md").read_text())
    # the landing page links each page of the site, and the notebooks
    assert {"docs/getting-started.md", "docs/migration.md", "notebooks/gallery.ipynb"} <= set(links)
    missing = [link for link in links if not (ROOT / link).is_file()]
    assert missing == []


def test_the_readme_test_command_is_the_one_ci_runs():
    # .ci/run says "keep the two in step": its pip installs, then its test run, are the README's
    # command.
    readme = (ROOT / "README.md").read_text()
    command = next(line for line in readme.splitlines() if "python -m pytest" in line)
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    installs = [line for line in ci if line.startswith("pip install")]
    assert installs
    pytest_line = next(line for line in ci if "python -m pytest -n" in line)
    assert command == " && ".join([*installs, pytest_line.removesuffix(" -q")])


def test_the_strict_site_build_in_ci_is_not_quiet():
    """``mkdocs build --strict -q`` passes whatever the warnings: quiet mode drops them before
    strict mode counts them (a docstring warning went unnoticed that way)."""
    lines = [x for x in (ROOT / ".ci" / "run").read_text().splitlines() if "mkdocs build" in x]
    assert lines and all("--strict" in x for x in lines), lines
    assert not any(re.search(r"\s(-q|--quiet)\b", x) for x in lines), lines
