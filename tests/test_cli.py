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
    assert rows["peak"] == "0.0003 at step 1000 (largest over steps 0..9999)"
    assert rows["warmup"] == "1000 steps"
    # warmup sum 3e-4 * (0 + ... + 999) / 1000, then the cosine's 9000 values
    t = np.arange(9000)
    budget = 3e-4 * 999 * 1000 / 2 / 1000 + np.sum(
        3e-5 + 2.7e-4 * (1 + np.cos(np.pi * t / 9000)) / 2
    )
    value, rest = rows["budget"].split(" ", 1)
    assert float(value) == pytest.approx(budget, rel=1e-5)  # printed to 6 digits
    assert rest == "(sum over steps 0..9999)"
    assert rows["end"] == "3e-05 at step 10_000 (the end value, held from there on)"
    assert "schedalg show" in out  # tells the reader how to show their own
    code2, out2, _ = run(capsys, "show")
    assert code2 == 0 and out2 == out


def test_show_summary_by_formula(capsys):
    code, out, _ = run(capsys, "show", "linear_ramp(0.0, 2.0, 10) >> hold(2.0, 10)")
    assert code == 0
    rows = summary(out)
    assert rows["duration"] == "20 steps"
    assert rows["start"] == "0"
    assert rows["peak"] == "2 at step 10 (largest over steps 0..19)"
    assert rows["end"] == "2 at step 20 (the end value, held from there on)"
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


# -- names: did you mean, list, own names --------------------------------------------------------


@pytest.mark.parametrize(
    ("expr", "want"),
    [
        ("cosin(1.0, 0.0, 10)", "unknown function 'cosin'; did you mean cosine?"),
        ("Cosine(1.0, 0.0, 10)", "unknown function 'Cosine'; did you mean cosine?"),
        ("lin_ramp(0.0, 1.0, 10)", "did you mean linear_ramp?"),
        (
            "warmup_cosin(3e-4, 2000, 100000)",
            "unknown function 'warmup_cosin'; did you mean warmup_cosine",
        ),
        (
            "warmup_cosine_decay_schedule(0.0, 3e-4, 2000, 100000)",
            "did you mean compat.optax.warmup_cosine_decay_schedule",
        ),
        ("OneCycleLR(max_lr=0.1, total_steps=10)", "did you mean compat.torch.OneCycleLR?"),
        ("compat.torch.OneCycleLr(max_lr=0.1)", "did you mean compat.torch.OneCycleLR?"),
        ("compat.pytorch.OneCycleLR(max_lr=0.1)", "did you mean compat.torch?"),
        ("hold(1.0, 10) >> cosinus", "unknown name 'cosinus'; did you mean cosine?"),
    ],
)
def test_did_you_mean(capsys, expr, want):
    code, out, err = run(capsys, "show", expr)
    assert code == 2 and out == "" and err.count("\n") == 1
    assert want in err
    with pytest.raises(schedalg.ParseError) as info:  # parse() itself says it too
        schedalg.parse(expr)
    assert want in info.value.reason


def test_no_suggestion_when_nothing_is_close(capsys):
    code, _, err = run(capsys, "show", "qqqzx(1.0)")
    assert code == 2 and "unknown function 'qqqzx'" in err and "did you mean" not in err
    assert "schedalg list shows every function" in err


def _listing(out: str) -> dict[str, list[tuple[str, str]]]:
    """group -> [(signature, first doc line)] of `schedalg list`."""
    groups: dict[str, list[tuple[str, str]]] = {}
    group = None
    for line in out.splitlines():
        if line and not line.startswith(" "):
            group = line.rstrip(":")
            groups[group] = []
        elif line.startswith("      "):
            sig, doc = groups[group][-1]
            groups[group][-1] = (sig, (doc + " " + line.strip()).strip())
        elif line.startswith("  "):
            groups[group].append((line.strip(), ""))
    return groups


def test_list_every_function(capsys):
    from schedalg import _parse

    code, out, _ = run(capsys, "list")
    assert code == 0
    groups = _listing(out)
    # (a test in the same process may have registered names of its own: their group is optional)
    registered = [n for n in groups if n.startswith("registered")]
    names = [n for n in groups if n not in registered]
    assert names[0] == "core"
    peers = sorted(m.name for m in __import__("pkgutil").iter_modules(schedalg.compat.__path__))
    assert names[1:] == [f"compat.{p}" for p in peers if not p.startswith("_")]
    core = dict(groups["core"])
    listed = {sig.split("(")[0] for sig in core}
    for g in registered:
        listed |= {sig.split("(")[0] for sig, _ in groups[g]}
    assert listed == set(_parse._core_functions())
    # signatures and first doc lines, written out by hand for a few
    assert core["cosine(start, end, steps, power=1.0)"] == (
        "Half a cosine wave from start down (or up) to end over steps steps."
    )
    assert "hold(value, steps=None)" in core
    assert "concat(*schedules)" in core
    assert "exp(start, end=None, steps=None, *, rate=None, every=None, staircase=False)" in core
    torch_sigs = [sig for sig, _ in groups["compat.torch"]]
    import schedalg.compat.torch as ct

    assert [sig.split("(")[0] for sig in torch_sigs] == [
        f"compat.torch.{n}" for n in sorted(ct.__all__)
    ]
    assert "compat.torch.CosineAnnealingLR(base_lr, T_max, eta_min=0.0)" in torch_sigs
    # every name listed is one an expression may call
    for group in groups.values():
        for sig, doc in group:
            name = sig.split("(")[0]
            assert doc, name
            with pytest.raises(schedalg.ParseError) as info:
                schedalg.parse(f"{name}(object_not_allowed=[[[]]], x=1, y=2, z=3)")
            assert "unknown" not in info.value.reason, name


def test_list_filter_and_registered_names(capsys, monkeypatch):
    from schedalg import _parse

    code, out, _ = run(capsys, "list", "COSINE")
    assert code == 0
    assert all("cosine" in sig.lower() for g in _listing(out).values() for sig, _ in g)
    assert "compat.optax.warmup_cosine_decay_schedule(" in out
    assert "linear_ramp" not in out

    def warm_cos(peak, warmup, steps):
        """Warmup then cosine (a recipe registered by the user)."""
        return linear_ramp(0.0, peak, warmup) >> cosine(peak, 0.0, steps)

    _parse._core_functions()
    monkeypatch.setitem(_parse._FUNCTIONS, "warm_cos", warm_cos)
    code, out, _ = run(capsys, "list", "warm_cos")
    assert _listing(out) == {
        "registered with schedalg.parse.register": [
            (
                "warm_cos(peak, warmup, steps)",
                "Warmup then cosine (a recipe registered by the user).",
            )
        ]
    }
    # a registered function's schedule shows under its own name, then what it builds
    code, out, _ = run(capsys, "show", "warm_cos(1.0, 10, 90)")
    assert code == 0
    want = linear_ramp(0.0, 1.0, 10) >> cosine(1.0, 0.0, 90)
    assert out.splitlines()[:2] == ["warm_cos(1.0, 10, 90)", f"= {want!r}"]
    code, _, err = run(capsys, "list", "zzqq")
    assert code == 2 and "no function name contains 'zzqq'" in err


def test_compat_schedules_show_under_their_own_names(capsys):
    from schedalg.compat import torch as ct

    call = "compat.torch.OneCycleLR(max_lr=0.1,   total_steps=1000)"
    s = ct.OneCycleLR(max_lr=0.1, total_steps=1000)
    code, out, _ = run(capsys, "show", call)
    assert code == 0
    assert out.splitlines()[:2] == [
        "compat.torch.OneCycleLR(max_lr=0.1, total_steps=1000)",
        f"= {s!r}",
    ]
    code, out, _ = run(capsys, "compare", call, "cosine(0.1, 0.0, 1000)")
    assert out.splitlines()[:3] == [
        "A: compat.torch.OneCycleLR(max_lr=0.1, total_steps=1000)",
        f"   = {s!r}",
        "B: cosine(0.1, 0.0, 1000)",
    ]
    # core expressions keep one line: their repr is their name
    code, out, _ = run(capsys, "show", "hold(1.0, 10) >> cosine(1.0, 0.0, 10)")
    assert out.splitlines()[1] == ""


# -- command lines the shell split ---------------------------------------------------------------


def test_expressions_rejoins_shell_words():
    from schedalg.cli import expressions

    assert expressions(["cosine(1.0,", "0.0,", "100)"]) == ["cosine(1.0, 0.0, 100)"]
    assert expressions(["hold(1.0,", "10)", ">>", "cosine(1.0,", "0.0,", "10)"]) == [
        "hold(1.0, 10) >> cosine(1.0, 0.0, 10)"
    ]
    assert expressions(["hold(1.0)", "hold(2.0)"]) == ["hold(1.0)", "hold(2.0)"]
    assert expressions(["piecewise([10,", "20],", "[1,", "2,", "3])", "x.json"]) == [
        "piecewise([10, 20], [1, 2, 3])",
        "x.json",
    ]
    assert expressions(["hold(1.0)", "*", "2"]) == ["hold(1.0) * 2"]


@pytest.mark.parametrize(
    ("argv", "quoted"),
    [
        (["show", "cosine(1.0,", "0.0,", "100)"], 'schedalg show "cosine(1.0, 0.0, 100)"'),
        (
            ["show", "hold(1.0,", "10)", ">>", "cosine(1.0,", "0.0,", "10)", "--width", "30"],
            'schedalg show "hold(1.0, 10) >> cosine(1.0, 0.0, 10)"',
        ),
        (
            ["table", "--every", "5", "cosine(1.0,", "0.0,", "10)"],
            'schedalg table "cosine(1.0, 0.0, 10)"',
        ),
        (
            ["plot", "cosine(1.0,", "0.0,", "10)", "hold(1.0, 5)", "--out", "f.png"],
            'schedalg plot "cosine(1.0, 0.0, 10)" "hold(1.0, 5)"',
        ),
    ],
)
def test_hint_to_quote_a_split_expression(capsys, argv, quoted):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == "" and err.count("\n") == 1
    assert f"the shell split an expression into several arguments; quote each one: {quoted}" in err


def test_no_quote_hint_for_other_errors(capsys):
    for argv in (["show", "cosine(1.0, 0.0, -5)"], ["show", "hold(1.0, 5)", "--steps", "0"]):
        code, _, err = run(capsys, *argv)
        assert code == 2 and "shell split" not in err and "takes one schedule" not in err


def test_value_options_are_the_parsers(capsys):
    import argparse

    from schedalg.cli import VALUE_OPTIONS, build_parser

    found = set()
    for action in build_parser()._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                for a in sub._actions:
                    if a.option_strings and a.nargs != 0:
                        found.update(a.option_strings)
    assert found == VALUE_OPTIONS


def test_show_two_schedules_suggests_compare_and_plot(capsys):
    code, out, err = run(capsys, "show", "hold(1.0, 10)", "hold(2.0, 10)")
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "show takes one schedule, got 2" in err
    assert "schedalg compare A B" in err and "schedalg plot A B" in err
    code, _, err = run(capsys, "compare", "hold(1.0, 10)", "hold(2.0, 10)", "hold(3.0, 10)")
    assert code == 2 and "compare takes two schedules, got 3" in err and "schedalg plot" in err
    code, _, err = run(capsys, "cosine(1.0, 0.0, 10)")
    assert code == 2 and 'to show a schedule: schedalg show "cosine(1.0, 0.0, 10)"' in err


# -- infinite schedules, summary wording ---------------------------------------------------------


@pytest.mark.parametrize(
    ("expr", "end", "rule"),
    [
        ("inverse(1.0, 10.0)", 100, "the shortest default range"),
        (
            "linear_ramp(0.0, 1.0, 300) >> inverse(1.0, 10.0)",
            600,
            "twice its breakpoint at step 300",
        ),
        # cycles start at 0, 40, 80, 120, 160 (the first five breakpoints): 2 * 160
        ("repeat(triangle(0.0, 1.0, 40))", 320, "twice its breakpoint at step 160"),
    ],
)
def test_infinite_schedules_get_a_default_range(capsys, expr, end, rule):
    code, out, err = run(capsys, "show", expr, "--width", "40")
    assert code == 0 and err == ""
    note = f"note: the schedule never ends: showing steps 0 .. {end}, {rule}"
    assert note in out and "--steps N" in out
    axis = [line for line in out.splitlines() if line.strip().startswith("0 ")][-1]
    assert axis.split()[-1] == str(end)
    rows = summary(out)
    assert rows["end"].endswith(f"at step {end} (the step after those summarized)")
    # --steps wins, and no note
    code, out, _ = run(capsys, "show", expr, "--steps", "50")
    assert "note:" not in out and summary(out)["end"].startswith(f"{fmt(expr, 50)} at step 50")


def fmt(expr: str, t: int) -> str:
    return f"{float(schedalg.parse(expr)(t)):.6g}"


def test_infinite_schedule_in_table_export_and_compare(capsys):
    code, out, err = run(capsys, "table", "inverse(1.0, 10.0)", "--every", "25")
    assert code == 0
    assert [int(line.split()[0]) for line in out.splitlines()[1:]] == [0, 25, 50, 75, 100]
    assert float(out.splitlines()[-1].split()[1]) == pytest.approx(1 / 11, rel=1e-6)
    assert err.startswith("schedalg table: the schedule never ends: showing steps 0 .. 100")
    code, out, err = run(capsys, "export", "exp(1.0, rate=0.5)", "--format", "csv")
    last = out.splitlines()[-1].split(",")
    assert code == 0 and last[0] == "100" and float(last[1]) == pytest.approx(0.5**100, rel=1e-13)
    assert "showing steps 0 .. 100" in err
    # one schedule ends: the range is its duration, no note
    code, out, _ = run(capsys, "compare", "inverse(1.0, 10.0)", "hold(1.0, 30)")
    assert code == 0 and "note" not in out
    assert summary(out)["budget"].endswith("the sum of the values at steps 0 .. 29")


def test_summary_min_and_end_say_their_steps(capsys):
    # cosine from 1 to 0.1 over 100 steps: the smallest value over steps 0..99 is at 99,
    # 0.1 + 0.45 * (1 + cos(0.99 pi)), above the end value 0.1 at step 100
    code, out, _ = run(capsys, "show", "cosine(1.0, 0.1, 100)")
    assert code == 0
    rows = summary(out)
    low = 0.1 + 0.45 * (1 + math.cos(math.pi * 0.99))
    assert rows["min"] == f"{low:.6g} (smallest over steps 0..99)"
    assert rows["end"] == "0.1 at step 100 (the end value, held from there on)"
    assert rows["peak"] == "1 at step 0 (largest over steps 0..99)"
    _, out, _ = run(capsys, "show", "cosine(1.0, 0.1, 100)", "--steps", "50")
    rows = summary(out)
    mid = 0.1 + 0.45 * (1 + math.cos(math.pi * 0.5))
    assert rows["end"] == f"{mid:.6g} at step 50 (the step after those summarized)"
    assert rows["min"].endswith("(smallest over steps 0..49)")


# -- plot: labels, legend, y label, log axis -----------------------------------------------------


@pytest.fixture
def figures(monkeypatch):
    """The figures `schedalg plot` saves (drawn, not written)."""
    pytest.importorskip("matplotlib")
    from matplotlib.figure import Figure

    saved = []

    def savefig(self, *args, **kwargs):
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        FigureCanvasAgg(self).draw()
        saved.append(self)

    monkeypatch.setattr(Figure, "savefig", savefig)
    return saved


def test_plot_ylabel(capsys, figures):
    cases = [
        (["cosine(1.0, 0.0, 10)", "--out", "f.png"], "value"),
        (["cosine(1.0, 0.0, 10)", "--out", "out/lr.png"], "learning rate"),
        (
            ["cosine(1.0, 0.0, 10)", "--out", "f.png", "--title", "Learning rate, run 3"],
            "learning rate",
        ),
        (
            ["compat.torch.OneCycleLR(max_lr=0.1, total_steps=100)", "--out", "f.svg"],
            "learning rate",
        ),
        (["cosine(1.0, 0.0, 10)", "--out", "f.png", "--label", "LR"], "learning rate"),
        (["cosine(1.0, 0.0, 10)", "--out", "lr.png", "--ylabel", "momentum"], "momentum"),
        (["cosine(1.0, 0.0, 10)", "--out", "color.png"], "value"),  # not the word lr
    ]
    for argv, want in cases:
        code, _, _ = run(capsys, "plot", *argv)
        assert code == 0
        assert figures[-1].axes[0].get_ylabel() == want, argv


def test_says_learning_rate():
    from schedalg.cli import says_learning_rate

    for yes in (
        "lr.png",
        "OneCycleLR",
        "CosineLRScheduler",
        "learning_rate",
        "LearningRate",
        "lr-warmup",
    ):
        assert says_learning_rate(yes), yes
    for no in ("value", "clr", "color", "blr2", "learning", "rate", "momentum"):
        assert not says_learning_rate(no), no


def test_plot_legend_off_the_curves_with_whole_word_labels(capsys, figures):
    long = (
        "linear_ramp(0.0, 0.00031622776601683794, 1000) >> "
        "cosine(0.00031622776601683794, 3.1622776601683795e-05, 9000)"
    )
    code, _, _ = run(
        capsys,
        "plot",
        long,
        "compat.torch.OneCycleLR(max_lr=0.00031622776601683794, total_steps=10000)",
        "--out",
        "f.png",
    )
    assert code == 0
    fig = figures[-1]
    ax = fig.axes[0]
    assert ax.get_legend() is None and len(fig.legends) == 1
    renderer = fig.canvas.get_renderer()
    box, plot_area = fig.legends[0].get_window_extent(renderer), ax.get_window_extent(renderer)
    assert not box.overlaps(plot_area)
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert labels[1].startswith("compat.torch.OneCycleLR(")
    for label, source in zip(
        labels,
        [long, "compat.torch.OneCycleLR(max_lr=0.00031622776601683794, total_steps=10000)"],
        strict=True,
    ):
        assert len(label) <= 60
        # every word and number of the label is a whole one of the expression
        assert set(re.findall(r"[\w.]+", label)) <= set(re.findall(r"[\w.]+", source)), label


def test_short_form_never_cuts_a_word():
    from schedalg._sampling import short_form

    text = (
        "take(cosine(0.004, 0.1, 299) >> cosine(0.1, 4e-07, 700) >> cosine(4e-07, 0.1, 700), 1000)"
    )
    assert short_form(text, 200) == text
    assert short_form(text, 60) == "take(cosine(…) >> cosine(…) >> cosine(…), 1000)"
    assert short_form(text, 20) == "take(…)"
    chain = " >> ".join(f"hold({i}.5, 10)" for i in range(30))
    assert short_form(chain, 40) == "hold(…) >> hold(…) >> hold(…) >> …"
    for width in range(8, 120, 7):
        for t in (text, chain):
            got = short_form(t, width)
            assert set(re.findall(r"[\w.]+", got)) <= set(re.findall(r"[\w.]+", t)), (width, got)


def test_plot_log_axis_is_clipped_near_zero(capsys, figures):
    # cosine from 1 to 1e-12: the last values go down to 1e-12, twelve decades below the peak
    code, out, _ = run(capsys, "plot", "cosine(1.0, 1e-12, 100)", "--out", "f.png", "--log")
    assert code == 0
    bottom, top = figures[-1].axes[0].get_ylim()
    assert bottom == 1e-4 and top >= 1.0
    assert (
        "note: log axis from 0.0001 (the peak x 0.0001); smaller values, down to 1e-12, run off"
        in out
    )
    # three decades: nothing to clip, the axis takes the values as they are
    code, out, _ = run(capsys, "plot", "exp(1.0, 1e-3, 100)", "--out", "f.png", "--log")
    bottom, _ = figures[-1].axes[0].get_ylim()
    assert bottom <= 1e-3 and "note" not in out
    # without --log, no clipping
    code, out, _ = run(capsys, "plot", "cosine(1.0, 1e-12, 100)", "--out", "f.png")
    assert figures[-1].axes[0].get_ylim()[0] < 0.0 and "note" not in out
