"""The example notebooks: generated and executed by notebooks/make_notebooks.py, committed with
their outputs (so that a code host shows the plots), and executed here the same way to check
that the committed files are current, so that they never rot.

The notebooks check their schedules against the peers' formulas in their own cells, so
executing them tests those expressions as well.
"""

from __future__ import annotations

import base64
import importlib.util
import struct
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
matplotlib = pytest.importorskip("matplotlib")

ROOT = Path(__file__).resolve().parents[1]
NB_DIR = ROOT / "notebooks"
REGENERATE = "run `python notebooks/make_notebooks.py` and commit the notebooks"


def _generator():
    spec = importlib.util.spec_from_file_location("make_notebooks", NB_DIR / "make_notebooks.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("make_notebooks", mod)
    spec.loader.exec_module(mod)
    return mod


NAMES = sorted(_generator().NOTEBOOKS)


def _cells(nb) -> list[tuple[str, str, str]]:
    return [(c["id"], c.cell_type, c.source) for c in nb.cells]


def _png_size(data: str) -> tuple[int, int]:
    png = base64.b64decode(data)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and png[12:16] == b"IHDR"
    return struct.unpack(">II", png[16:24])


def _outputs(nb, exact_images: bool) -> list[list[tuple]]:
    """Each code cell's outputs, comparable: text as is (consecutive pieces of one stream
    joined); a figure as its PNG (exactly, when both sides come from the same matplotlib) or
    its pixel size (otherwise)."""
    cells = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        outs = []
        for out in cell.outputs:
            if out.output_type == "stream":
                # a kernel may flush one stream in one piece or several (timing): join them
                if outs and outs[-1][0] == "stream" and outs[-1][1] == out.name:
                    outs[-1] = ("stream", out.name, outs[-1][2] + out.text)
                else:
                    outs.append(("stream", out.name, out.text))
                continue
            data = dict(out.get("data", {}))
            png = data.pop("image/png", None)
            if png is not None:
                data.pop("text/plain", None)  # "<Figure size ... with N Axes>"
                outs.append(("image", png if exact_images else _png_size(png)))
            outs.append((out.output_type, sorted(data.items())))
        cells.append(outs)
    return cells


@pytest.mark.parametrize("name", NAMES)
def test_committed_notebook_has_the_generated_cells_and_outputs(name):
    gen = _generator()
    committed = nbformat.read(NB_DIR / name, as_version=4)
    assert _cells(committed) == _cells(gen.build(gen.NOTEBOOKS[name], name)), (
        f"notebooks/{name}: its cells differ from notebooks/make_notebooks.py's: {REGENERATE}"
    )
    code = [c for c in committed.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in code), f"{name} is not executed"
    assert any("image/png" in o.get("data", {}) for c in code for o in c.outputs)


@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs_and_its_committed_outputs_are_current(name, tmp_path):
    gen = _generator()
    nb = gen.execute(gen.build(gen.NOTEBOOKS[name], name), tmp_path)
    errors = [
        out
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.outputs
        if out.output_type == "error" or (out.output_type == "stream" and out.name == "stderr")
    ]
    assert not errors, errors
    committed = nbformat.read(NB_DIR / name, as_version=4)
    # Figures are compared byte for byte when the committed ones come from this matplotlib
    # (its PNGs are reproducible); another version may anti-alias text differently.
    same = committed.metadata.get("schedalg", {}).get("matplotlib") == matplotlib.__version__
    fresh, saved = _outputs(nb, same), _outputs(committed, same)
    assert len(fresh) == len(saved)
    for i, (a, b) in enumerate(zip(fresh, saved, strict=True)):
        assert a == b, f"notebooks/{name}, code cell {i}: the outputs changed: {REGENERATE}"


def test_outputs_compare_figures_by_size_across_matplotlib_versions():
    png = base64.b64encode(
        b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\x0dIHDR" + struct.pack(">II", 640, 480) + b"rest"
    ).decode()
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="hi\n"),
        nbformat.v4.new_output("display_data", data={"image/png": png, "text/plain": "<Fig>"}),
    ]
    nb.cells.append(cell)
    assert _outputs(nb, exact_images=False) == [
        [("stream", "stdout", "hi\n"), ("image", (640, 480)), ("display_data", [])]
    ]
    assert _outputs(nb, exact_images=True)[0][1] == ("image", png)
