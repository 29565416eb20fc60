"""notebooks/make_readme_images.py draws the README's images; it runs, and the committed
image is there (and small)."""

from __future__ import annotations

import importlib.util
import struct
from pathlib import Path

import pytest

pytest.importorskip("matplotlib")

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "notebooks" / "make_readme_images.py"


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path
    return struct.unpack(">II", data[16:24])


def test_script_draws_the_images(tmp_path):
    spec = importlib.util.spec_from_file_location("make_readme_images", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    assert mod.main([str(tmp_path)]) == 0
    drawn = sorted(p.name for p in tmp_path.iterdir())
    committed = sorted(p.name for p in (ROOT / "notebooks" / "img").glob("*.png"))
    assert drawn == committed == ["schedules.png"]
    for name in drawn:
        assert png_size(tmp_path / name) == png_size(ROOT / "notebooks" / "img" / name)
        assert (ROOT / "notebooks" / "img" / name).stat().st_size < 200_000
