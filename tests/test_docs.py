"""The docs run: every docstring example (doctest) and the README's Python blocks."""

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


# The Lightning section: Lightning 2.6 calls a torch pytree API that torch 2.13 deprecates (not
# ours), and its resume writes checkpoints next to the one it resumes from (on purpose).
@pytest.mark.filterwarnings(r"ignore:.*isinstance\(treespec, LeafSpec\).*:FutureWarning")
@pytest.mark.filterwarnings(r"ignore:Checkpoint directory .* exists and is not empty:UserWarning")
def test_readme_python_blocks_run():
    text = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert blocks
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {})
