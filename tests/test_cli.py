"""The schedalg command: run in-process through main([...]), and a few times as
``python -m schedalg`` in a subprocess. Numbers in the output are checked against formulas."""

from __future__ import annotations

import io
import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import schedalg
from schedalg import cosine, hold, linear_ramp
from schedalg.cli import EXAMPLE, main

ROOT = Path(__file__).resolve().parents[1]


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def summary(out: str) -> dict[str, str]:
    """The summary table's rows: name -> text."""
    rows = {}
    for line in out.splitlines():
        m = re.match(r"  (\w[\w ]*?)\s{2,}(.*)$", line)
        if m:
            rows[m.group(1)] = m.group(2)
    return rows


def test_no_arguments_shows_the_example(capsys):
    code, out, err = run(capsys)
    assert code == 0 and err == ""
    assert out.splitlines()[0] == repr(EXAMPLE)
    assert any(0x2800 < ord(ch) < 0x2900 for ch in out)  # braille
    rows = summary(out)
    assert rows["duration"] == "10_000 steps"
    assert rows["peak"] == "0.0003 at step 1000"
    assert rows["warmup"] == "1000 steps"
    # warmup sum 3e-4 * (0 + ... + 999) / 1000, then the cosine's 9000 values
    t = np.arange(9000)
    budget = 3e-4 * 999 * 1000 / 2 / 1000 + np.sum(
        3e-5 + 2.7e-4 * (1 + np.cos(np.pi * t / 9000)) / 2
    )
    value, rest = rows["budget"].split(" ", 1)
    assert float(value) == pytest.approx(budget, rel=1e-5)  # printed to 6 digits
    assert rest == "(sum over steps 0..9999)"
    assert rows["end"] == "3e-05 at step 10_000"
    assert "schedalg show" in out  # tells the reader how to show their own
    code2, out2, _ = run(capsys, "show")
    assert code2 == 0 and out2 == out


def test_show_summary_by_formula(capsys):
    code, out, _ = run(capsys, "show", "linear_ramp(0.0, 2.0, 10) >> hold(2.0, 10)")
    assert code == 0
    rows = summary(out)
    assert rows["duration"] == "20 steps"
    assert rows["start"] == "0"
    assert rows["peak"] == "2 at step 10"
    assert rows["end"] == "2 at step 20"
    assert rows["warmup"] == "10 steps"
    assert rows["budget"].startswith("29 ")  # 0.2 * (0 + ... + 9) + 10 * 2


def test_show_reads_json_files_expression_files_and_stdin(capsys, tmp_path, monkeypatch):
    s = cosine(1.0, 0.0, 100) >> hold(0.5, 20)
    (tmp_path / "s.json").write_text(schedalg.to_json(s))
    (tmp_path / "s.txt").write_text(repr(s) + "\n")
    outs = []
    for arg in (str(tmp_path / "s.json"), str(tmp_path / "s.txt"), repr(s)):
        code, out, _ = run(capsys, "show", arg)
        assert code == 0
        outs.append(out)
    monkeypatch.setattr(sys, "stdin", io.StringIO(schedalg.to_json(s)))
    code, out, _ = run(capsys, "show", "-")
    assert code == 0
    outs.append(out)
    assert outs[0].splitlines()[0] == repr(s)
    assert all(o == outs[0] for o in outs)


def test_show_options(capsys):
    code, out, _ = run(
        capsys,
        "show",
        "inverse(1.0, 100.0)",
        "--steps",
        "500",
        "--width",
        "30",
        "--height",
        "6",
        "--log",
    )
    assert code == 0
    lines = out.splitlines()
    plot = lines[2:10]
    assert lines[9].split() == ["0", "250", "500"]
    assert plot[0].split()[0] == "1" and plot[5].split()[0] == f"{1 / (1 + 500 / 100):.3g}"
    code, out, _ = run(capsys, "show", "hold(1.0, 10)", "--color", "always")
    assert "\x1b[" not in out  # one schedule: no color needed
    code, out, _ = run(capsys, "compare", "hold(1.0, 10)", "hold(0.0, 10)", "--color", "always")
    assert "\x1b[34m" in out and "\x1b[31m" in out


def test_table_every_k(capsys):
    code, out, _ = run(capsys, "table", "piecewise([30, 60], [0.1, 0.01, 0.001])", "--every", "10")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["step", "value"]
    rows = [line.split() for line in lines[1:]]
    assert [int(r[0]) for r in rows] == list(range(0, 61, 10))
    want = [0.1 if t < 30 else 0.01 if t < 60 else 0.001 for t in range(0, 61, 10)]
    assert [float(r[1]) for r in rows] == want


def test_table_default_interval(capsys):
    code, out, _ = run(capsys, "table", "cosine(1.0, 0.0, 1000)")
    steps = [int(line.split()[0]) for line in out.splitlines()[1:]]
    assert code == 0 and steps == list(range(0, 1001, 50))  # about 20 rows, a round interval


def test_export_csv_is_exact(capsys):
    code, out, _ = run(capsys, "export", "cosine(1.0, 0.0, 8)", "--format", "csv")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "step,value"
    got = {int(a): float(b) for a, b in (line.split(",") for line in lines[1:])}
    assert sorted(got) == list(range(9))
    for t, v in got.items():
        assert v == pytest.approx((1 + math.cos(math.pi * t / 8)) / 2, rel=1e-15, abs=1e-16)
        assert v == cosine(1.0, 0.0, 8)(t)  # full precision: repr round trip


def test_export_csv_every_and_out(capsys, tmp_path):
    target = tmp_path / "v.csv"
    code, out, _ = run(
        capsys,
        "export",
        "linear_ramp(0.0, 1.0, 100)",
        "--format",
        "csv",
        "--every",
        "25",
        "--out",
        str(target),
    )
    assert code == 0 and out == f"wrote {target}\n"
    assert target.read_text().splitlines() == [
        "step,value",
        "0,0.0",
        "25,0.25",
        "50,0.5",
        "75,0.75",
        "100,1.0",
    ]


def test_export_json_round_trips(capsys):
    s = linear_ramp(0.0, 3e-4, 1000) >> cosine(3e-4, 3e-5, 9000)
    code, out, _ = run(capsys, "export", repr(s), "--format", "json")
    assert code == 0
    assert json.loads(out)["schedalg"] == 1
    assert schedalg.from_json(out) == s


def test_compare_difference_and_budgets(capsys):
    a, b = "hold(1.0, 100)", "linear_ramp(1.0, 0.0, 100)"
    code, out, _ = run(capsys, "compare", a, b, "--width", "40", "--height", "8")
    assert code == 0
    assert out.splitlines()[:2] == [f"A: {a}", f"B: {b}"]
    rows = summary(out)
    # |1 - (1 - t/100)| grows to 1 at t = 100, where b has reached 0
    assert rows["largest difference"] == "|A - B| = 1 at step 100 (A 1, B 0)"
    assert rows["budget A"] == "100"  # 100 steps of 1
    assert rows["budget B"] == "50.5 (B/A = 0.505)"  # sum of 1 - t/100, t < 100
    assert "* A" in out and "o B" in out


def test_plot_writes_png_and_svg(capsys, tmp_path):
    pytest.importorskip("matplotlib")
    png, svg = tmp_path / "f.png", tmp_path / "f.svg"
    code, out, _ = run(
        capsys,
        "plot",
        "cosine(1.0, 0.0, 100)",
        "poly(1.0, 0.0, 100, power=2.0)",
        "--out",
        str(png),
        "--label",
        "cos",
        "--label",
        "poly",
        "--title",
        "t",
    )
    assert code == 0 and out == f"wrote {png}\n"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    code, _, _ = run(capsys, "plot", "exp(1e-7, 10.0, 100)", "--out", str(svg), "--log")
    assert code == 0 and "<svg" in svg.read_text()


def test_plot_without_matplotlib(capsys, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    code, out, err = run(capsys, "plot", "hold(1.0, 5)", "--out", str(tmp_path / "f.png"))
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and "pip install 'schedalg[plot]'" in err


BAD = [
    (["show", "cosine(1.0, 0.0"], "cannot parse 'cosine(1.0, 0.0' at column 7"),
    (["show", "cosine(1.0, 0.0, -5)"], "steps must be a non-negative int"),
    (["show", "__import__('os').system('true')"], "cannot parse"),
    (["show", "missing.json"], "no such file: missing.json"),
    (["show", "inverse(1.0, 10.0)"], "never ends"),
    (["show", "hold(1.0, 5)", "--steps", "0"], "argument --steps: expected a positive integer"),
    (["show", "hold(1.0, 5)", "--frobnicate"], "unrecognized arguments: --frobnicate"),
    (["frobnicate"], "invalid choice: 'frobnicate'"),
    (["table", "hold(1.0, 5)", "--every", "two"], "argument --every"),
    (["export", "hold(1.0, 5)"], "the following arguments are required: --format"),
    (["export", "hold(1.0, 5)", "--format", "xml"], "invalid choice: 'xml'"),
    (["export", "hold(1.0, 5)", "--format", "json", "--steps", "3"], "apply to --format csv"),
    (["plot", "hold(1.0, 5)", "--out", "f.gif"], "--out must end in .png, .svg, .pdf or .html"),
    (["plot", "hold(1.0, 5)", "--out", "f.png", "--label", "a", "--label", "b"], "one --label"),
    (["compare", "hold(1.0, 5)"], "required: B"),
]


@pytest.mark.parametrize(("argv", "message"), BAD, ids=[" ".join(a)[:40] for a, _ in BAD])
def test_bad_input_is_one_line_and_exit_code_2(capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("schedalg")
    assert message in err
    assert "Traceback" not in err


def test_bad_json_file(capsys, tmp_path):
    f = tmp_path / "bad.json"
    f.write_text('{"schedalg": 1, "type": "cosine", "start": 1.0}')
    code, _, err = run(capsys, "show", str(f))
    assert code == 2 and err.count("\n") == 1
    assert f"{f} is not a schedalg JSON schedule: at $" in err


def test_help(capsys):
    assert run(capsys, "--help")[:2] == (0, run(capsys, "-h")[1])
    code, out, _ = run(capsys, "--help")
    assert "examples:" in out and "exit status" in out
    for command in ("show", "plot", "table", "export", "compare"):
        code, out, _ = run(capsys, command, "--help")
        assert code == 0 and out.startswith(f"usage: schedalg {command}")


def _python(*args, env_extra=None, stdin=None):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env.pop("NO_COLOR", None)
    env.update(env_extra or {})
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, env=env, input=stdin, timeout=60
    )


def test_python_dash_m_schedalg():
    r = _python("-m", "schedalg")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[0] == repr(EXAMPLE)
    assert "\x1b[" not in r.stdout  # not a terminal: no colors
    r = _python("-m", "schedalg", "show", "cosine(1.0, 0.0")
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and "Traceback" not in r.stderr


def test_works_with_only_numpy():
    """The README's first command on a machine without matplotlib, jax or torch."""
    code = (
        "import sys\n"
        "class Missing:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.partition('.')[0] in {'matplotlib', 'jax', 'jaxlib', 'torch', 'optax'}:\n"
        "            raise ModuleNotFoundError(f'No module named {name!r}', name=name)\n"
        "sys.meta_path.insert(0, Missing())\n"
        "from schedalg.cli import main\n"
        "assert main([]) == 0\n"
        "assert main(['show', 'linear_ramp(0.0, 1e-3, 500) >> cosine(1e-3, 0.0, 9500)']) == 0\n"
        "assert main(['compare', 'hold(1.0, 10)', 'hold(2.0, 10)']) == 0\n"
        "assert main(['plot', 'hold(1.0, 5)', '--out', 'x.png']) == 1\n"
        "assert not {'matplotlib', 'jax', 'torch'} & set(sys.modules)\n"
    )
    r = _python("-c", code)
    assert r.returncode == 0, r.stderr
    assert "pip install 'schedalg[plot]'" in r.stderr
