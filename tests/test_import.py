"""What ``import schedalg`` loads: nothing heavy beyond NumPy, and every public name still
reachable (the analysis layer loads on first use; see ``schedalg/__init__.py``)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import schedalg

ROOT = Path(__file__).resolve().parent.parent

#: Modules that ``import schedalg`` must neither load nor import itself. The frameworks load
#: only when a user's value or call needs them; the rest were measured (python -X importtime)
#: as the cost that had crept into ``import schedalg``: the analysis layer with
#: ``numpy.polynomial`` and ``dataclasses``; ``importlib.resources`` (through
#: ``importlib.abc``), which loads tempfile, shutil, bz2, lzma and random; ``inspect``, which
#: NumPy 2 happens to load but NumPy 1.x does not; ``json`` and ``html``, which only saving
#: and plotting need.
DENY = (
    "jax",
    "torch",
    "optax",
    "flax",
    "keras",
    "tensorflow",
    "matplotlib",
    "schedalg._analysis",
    "schedalg._names",
    "numpy.polynomial",
    "dataclasses",
    "importlib.abc",
    "importlib.resources",
    "tempfile",
    "inspect",
    "json",
    "html",
)

_PROBE = r"""
import builtins, sys
import numpy
before = set(sys.modules)
direct = set()
real = builtins.__import__

def spy(name, globals=None, locals=None, fromlist=(), level=0):
    importer = (globals or {}).get("__name__") or ""
    if level == 0 and importer.partition(".")[0] == "schedalg":
        direct.add(name)
        direct.update(name + "." + x for x in fromlist or ())
    return real(name, globals, locals, fromlist, level)

builtins.__import__ = spy
import schedalg
builtins.__import__ = real
print(sorted(set(sys.modules) - before))
print(sorted(direct))
"""


def _import_schedalg() -> tuple[list[str], list[str]]:
    """(modules that ``import schedalg`` added after ``import numpy``, the absolute imports
    that schedalg's own modules ran), from a fresh interpreter."""
    out = subprocess.run(
        [sys.executable, "-c", _PROBE], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    loaded, direct = out.stdout.splitlines()
    return ast.literal_eval(loaded), ast.literal_eval(direct)


def _denied(names: list[str]) -> list[str]:
    return [n for n in names if any(n == d or n.startswith(d + ".") for d in DENY)]


def test_import_schedalg_loads_nothing_on_the_deny_list():
    loaded, direct = _import_schedalg()
    # The probe sees what it must (else the test below could not fail).
    assert "schedalg._schedule" in loaded and "numpy" in direct
    assert _denied(loaded) == [], "import schedalg loads these modules"
    assert _denied(direct) == [], "schedalg's modules import these at import time"


def test_deny_list_matches_modules_and_their_submodules():
    assert _denied(["numpy.polynomial.legendre", "jaxlib", "json", "importlib.util"]) == [
        "numpy.polynomial.legendre",
        "json",
    ]


def test_lazy_public_names_are_reachable():
    from schedalg import Summary, _analysis, tracker_dict

    assert Summary is _analysis.Summary and tracker_dict is _analysis.tracker_dict
    assert {"Summary", "tracker_dict"} <= set(dir(schedalg))
    for name in schedalg.__all__:
        assert getattr(schedalg, name) is not None, name
    with pytest.raises(AttributeError, match="module 'schedalg' has no attribute 'Summry'"):
        schedalg.Summry  # noqa: B018


def test_every_public_name_is_visible_to_static_readers():
    """griffe (the API reference) reads the package without running it: every name in
    ``__all__`` must resolve to its documented object."""
    griffe = pytest.importorskip("griffe")
    package = griffe.load("schedalg", search_paths=[str(ROOT)], resolve_aliases=True)
    for name in schedalg.__all__:
        member = package[name]
        assert member.docstring is not None and member.docstring.value, name
