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


@pytest.mark.parametrize("name", _modules())
def test_docstring_examples(name):
    module = importlib.import_module(name)
    globs = {k: getattr(schedalg, k) for k in schedalg.__all__}
    result = doctest.testmod(module, extraglobs=globs, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


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
