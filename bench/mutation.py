"""Run mutmut on one module with only the tests that matter for it.

mutmut (3.x) reads its configuration from ``[tool.mutmut]`` in ``pyproject.toml`` in the
current directory and has no option to point at another file. To mutate one module against a
few test files, this script copies the project (``schedalg/``, ``tests/``, ``pyproject.toml``)
into a work directory, replaces the ``[tool.mutmut]`` table there with one that mutates only
MODULE and selects only TESTS (the ``-k`` filter of the project's table is kept), and runs
mutmut in that directory. The work directory keeps mutmut's ``mutants/`` folder between
calls, so a second call only runs what changed (give the same TESTS every time: another
list invalidates the collected test durations)::

    T="tests/test_plateau.py tests/test_torch_adapter.py"
    python -m bench.mutation schedalg/plateau.py $T                 # run (see below)
    python -m bench.mutation schedalg/plateau.py $T -- results      # the survivors
    python -m bench.mutation schedalg/plateau.py $T -- show NAME    # one mutant's diff
    python -m bench.mutation schedalg/plateau.py $T -- run --max-children 1 NAME...  # again

Everything after ``--`` goes to mutmut (default: ``run --max-children 1``). Set
``HYPOTHESIS_PROFILE=ci`` for CI's bounded example counts.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _narrowed(pyproject: str, module: str, tests: list[str]) -> str:
    """``pyproject`` with its ``[tool.mutmut]`` table narrowed to one module and its tests.

    The arrays ``only_mutate`` and ``pytest_add_cli_args_test_selection`` are replaced; the
    rest of the table (``source_paths``, the ``-k`` filter) is kept as written.
    """
    table = re.search(r"(?ms)^\[tool\.mutmut\]\n.*?(?=^\[|\Z)", pyproject)
    if table is None:
        raise SystemExit("bench.mutation: pyproject.toml has no [tool.mutmut] table")
    body = table.group(0)
    for key, value in (("only_mutate", [module]), ("pytest_add_cli_args_test_selection", tests)):
        body, n = re.subn(rf"(?ms)^{key} = \[.*?^\]\n", f"{key} = {json.dumps(value)}\n", body)
        if n != 1:
            raise SystemExit(f"bench.mutation: [tool.mutmut] has no multi-line {key} array")
    return pyproject[: table.start()] + body + pyproject[table.end() :]


def prepare(module: str, tests: list[str], workdir: Path) -> None:
    """Copy the project into ``workdir`` with a one-module ``[tool.mutmut]`` table."""
    for path in [module, *tests]:
        if not (ROOT / path).is_file():
            raise SystemExit(f"bench.mutation: no such file {path!r} under {ROOT}")
    workdir.mkdir(parents=True, exist_ok=True)
    for name in ("schedalg", "tests"):
        shutil.rmtree(workdir / name, ignore_errors=True)
        shutil.copytree(ROOT / name, workdir / name, ignore=shutil.ignore_patterns("__pycache__"))
    text = (ROOT / "pyproject.toml").read_text("utf-8")
    (workdir / "pyproject.toml").write_text(_narrowed(text, module, tests), "utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.mutation", description=__doc__.split("\n")[0]
    )
    parser.add_argument("module", help="the one file to mutate, e.g. schedalg/plateau.py")
    parser.add_argument("tests", nargs="+", help="the test files run against its mutants")
    parser.add_argument(
        "--workdir",
        type=Path,
        help="where to copy the project (default: a fixed folder per module under the temp dir)",
    )
    argv = sys.argv[1:] if argv is None else argv
    ours, mutmut_args = (
        (argv[: argv.index("--")], argv[argv.index("--") + 1 :]) if "--" in argv else (argv, [])
    )
    args = parser.parse_args(ours)
    mutmut_args = mutmut_args or ["run", "--max-children", "1"]
    workdir = args.workdir or Path(tempfile.gettempdir()) / (
        "schedalg-mutmut-" + Path(args.module).stem.lstrip("_")
    )
    prepare(args.module, args.tests, workdir)
    print(f"bench.mutation: mutmut {' '.join(mutmut_args)} in {workdir}", flush=True)
    return subprocess.call(
        ["nice", "-n", "19", sys.executable, "-m", "mutmut", *mutmut_args], cwd=workdir
    )


if __name__ == "__main__":
    raise SystemExit(main())
