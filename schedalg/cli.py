"""The ``schedalg`` command (also ``python -m schedalg``): look at schedules from a shell.

Commands: ``show`` (terminal plot and summary; the default), ``plot`` (PNG/SVG/PDF with
matplotlib, or an explorable HTML page), ``table``, ``export`` (CSV or JSON), ``compare`` and
``list`` (every function an expression may call). Bad input gets exit code 2 and one line on
stderr, with a hint where one helps (a misspelt name, an expression the shell split into
several arguments, two schedules given to ``show``); a missing optional package or an
unwritable output file, exit code 1.

A schedule that never ends is shown over a default range, said in the output: steps
``0 .. max(2 * b, 100)`` where ``b`` is the last of its first five breakpoints (for a
schedule that starts with a finite warmup, twice the warmup; for cycles, eight of them).
"""

from __future__ import annotations

import argparse
import itertools
import math
import os
import re
import sys
import textwrap
from pathlib import Path
from typing import NoReturn, TextIO

import numpy as np

from ._concat import concat
from ._parse import ParseError, parse
from ._primitives import cosine, linear_ramp
from ._sampling import horizon, sample, sample_times, short_form
from ._schedule import Schedule
from ._termplot import fmt_step, fmt_value, termplot

EXAMPLE = concat(linear_ramp(0.0, 3e-4, 1000), cosine(3e-4, 3e-5, 9000))

DESCRIPTION = """\
Look at learning-rate schedules from the command line.

A SCHEDULE is an expression in schedalg's language, exactly as schedalg prints schedules:
  "linear_ramp(0.0, 3e-4, 1000) >> cosine(3e-4, 3e-5, 9000)"
or the path of a JSON file written by schedalg.to_json (or `schedalg export --format json`),
or a file holding an expression, or - for standard input.

With no command, `schedalg` shows an example warmup + cosine schedule."""

EPILOG = """\
examples:
  schedalg show "linear_ramp(0.0, 3e-4, 1000) >> cosine(3e-4, 3e-5, 9000)"
  schedalg show "repeat(cosine(0.1, 0.0, 1000), stretch=2.0)" --steps 15000
  schedalg plot "cosine(1.0, 0.0, 100)" "poly(1.0, 0.0, 100, power=2.0)" --out decays.png
  schedalg plot "cosine(1.0, 0.0, 100)" "poly(1.0, 0.0, 100, power=2.0)" --out decays.html
  schedalg table "piecewise([30, 60], [0.1, 0.01, 0.001])" --every 10
  schedalg export "cosine(1.0, 0.0, 100)" --format json > cosine.json
  schedalg compare "cosine(1e-3, 0.0, 10000)" \\
      "hold(1e-3, 8000) >> linear_ramp(1e-3, 0.0, 2000)"
  schedalg list cosine

Quote each expression: the shell splits it at spaces and reads ( ) and >> itself.

exit status: 0 on success, 2 on bad input (one line on stderr), 1 when an optional
package is missing or the output cannot be written."""


class CliError(Exception):
    """A failure reported as one line on stderr with an exit code."""

    def __init__(self, message: str, code: int = 2, prog: str = "schedalg") -> None:
        super().__init__(message)
        self.code = code
        self.prog = prog


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors raised as CliError instead of usage dumps."""

    def error(self, message: str) -> NoReturn:
        raise CliError(f"{message} (see {self.prog} --help)", prog=self.prog)


# -- reading schedules ---------------------------------------------------------------------------


def _one_line(text: str, limit: int = 200) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def load_schedule(arg: str, stdin: TextIO | None = None) -> Schedule:
    """A schedule from an expression, a JSON or expression file, or ``-`` (standard input)."""
    return load_named(arg, stdin)[0]


def load_named(arg: str, stdin: TextIO | None = None) -> tuple[Schedule, str | None]:
    """``load_schedule`` and the schedule's own name: the compat or recipe call that built
    it, when ``repr`` shows something else (None: ``repr`` is its name)."""
    from . import _names
    from . import io as sio

    if arg == "-":
        text = (stdin or sys.stdin).read()
        source = "standard input"
    elif os.path.isfile(arg):
        try:
            text = Path(arg).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise CliError(f"cannot read {arg}: {_one_line(str(e))}") from None
        source = arg
    elif arg.endswith((".json", ".txt")) or (os.sep in arg and "(" not in arg):
        raise CliError(f"no such file: {arg}")
    else:
        text, source = arg, None
    what = source if source is not None else repr(_one_line(text, 60))
    try:
        if text.lstrip().startswith("{"):
            s = sio.from_json(text)
        else:
            s = parse(text.strip())
    except ParseError as e:
        where = ""
        if e.column is not None:
            where = (
                f" at column {e.column}" if e.line == 1 else f" at line {e.line}, column {e.column}"
            )
        more = " (schedalg list shows every function)" if _names.unknown_names(text) else ""
        raise CliError(f"cannot parse {what}{where}: {_one_line(e.reason)}{more}") from None
    except sio.FormatError as e:
        raise CliError(f"{what} is not a schedalg JSON schedule: at {e.path}: {e.reason}") from None
    except (ValueError, TypeError, RecursionError) as e:
        raise CliError(f"cannot read a schedule from {what}: {_one_line(str(e))}") from None
    own = None if text.lstrip().startswith("{") else _names.own_name(text)
    return s, (own if own != repr(s) else None)


def _header(s: Schedule, own: str | None, prefix: str = "") -> str:
    """The schedule's name line: its own name, then ``= repr`` when they differ."""
    if own is None:
        return prefix + repr(s)
    return f"{prefix}{own}\n{' ' * len(prefix)}= {s!r}"


#: A schedule that never ends is shown over steps 0 .. max(2 * b, DEFAULT_MIN_STEPS), where
#: b is the last of its first DEFAULT_BREAKPOINTS breakpoints (0 when it has none).
DEFAULT_MIN_STEPS = 100
DEFAULT_BREAKPOINTS = 5


def default_steps(s: Schedule) -> tuple[int, int | float]:
    """The default range of an infinite schedule, and the breakpoint it comes from."""
    b = s.breakpoints(limit=DEFAULT_BREAKPOINTS)[-1]
    return max(math.ceil(2 * b), DEFAULT_MIN_STEPS), b


def _horizon(schedules: list[Schedule], steps: int | None) -> tuple[int | float, str | None]:
    """The last step to show, and a note saying how it was chosen when nothing ends."""
    if steps is not None or any(s.duration is not None for s in schedules):
        return horizon("schedalg", schedules, steps), None
    end, b = max(default_steps(s) for s in schedules)
    if 2 * b > DEFAULT_MIN_STEPS:
        rule = f"twice its breakpoint at step {fmt_step(b)}"
    else:
        rule = f"the shortest default range, as it has no breakpoint past step {fmt_step(b)}"
    what = "the schedule never ends" if len(schedules) == 1 else "no schedule ends"
    return end, f"{what}: showing steps 0 .. {end}, {rule}; choose the range with --steps N"


# -- argument types ------------------------------------------------------------------------------


#: Most rows ``table`` prints, and ``export --format csv`` writes.
MAX_TABLE_ROWS = 1_000_000
MAX_CSV_ROWS = 10_000_000


def _positive_int(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        try:  # 1e12: a whole number written as a float
            x = float(text)
        except ValueError:
            x = math.nan
        if not (math.isfinite(x) and x.is_integer()):
            raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
        n = int(x)
    if n <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return n


def _use_color(choice: str, stream: TextIO) -> bool:
    if choice == "always":
        return True
    if choice == "never":
        return False
    return (
        hasattr(stream, "isatty")
        and stream.isatty()
        and "NO_COLOR" not in os.environ
        and os.environ.get("TERM") != "dumb"
    )


def _plot_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--steps", type=_positive_int, metavar="N", help="show steps 0 .. N")
    p.add_argument("--log", action="store_true", help="logarithmic value axis")
    p.add_argument("--width", type=_positive_int, default=72, help="plot width in characters")
    p.add_argument("--height", type=_positive_int, default=16, help="plot height in lines")
    p.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="ANSI colors (auto: when writing to a terminal and NO_COLOR is unset)",
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``schedalg`` command."""
    from . import __version__

    fmt = argparse.RawDescriptionHelpFormatter
    parser = _Parser(prog="schedalg", description=DESCRIPTION, epilog=EPILOG, formatter_class=fmt)
    parser.add_argument("--version", action="version", version=f"schedalg {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser(
        "show",
        help="terminal plot and summary of a schedule (no schedule: an example)",
        description="Plot a schedule in the terminal and print its summary: duration, start, "
        "peak, end, warmup length and budget (the sum of the values over the steps).",
    )
    p.add_argument("schedule", nargs="?", metavar="SCHEDULE", help="expression, file or -")
    _plot_options(p)

    p = sub.add_parser(
        "plot",
        help="plot schedules to a PNG, SVG or PDF file (matplotlib) or an HTML page",
        description="Plot one or more schedules, overlaid, to an image file (needs matplotlib: "
        "pip install 'schedalg[plot]') or to one self-contained HTML page with a hover "
        "read-out, zoom, log scale and curve toggles (needs nothing).",
    )
    p.add_argument("schedules", nargs="+", metavar="SCHEDULE", help="expression, file or -")
    p.add_argument(
        "--out", "-o", required=True, metavar="FILE", help="*.png, *.svg, *.pdf or *.html"
    )
    p.add_argument("--steps", type=_positive_int, metavar="N", help="show steps 0 .. N")
    p.add_argument(
        "--log",
        action="store_true",
        help="logarithmic value axis (an image's axis starts no lower than the peak x 1e-4)",
    )
    p.add_argument(
        "--label",
        action="append",
        metavar="TEXT",
        help="legend entry; repeat once per schedule (default: the expressions)",
    )
    p.add_argument("--title", help="figure title")
    p.add_argument(
        "--ylabel",
        metavar="TEXT",
        help="value axis label of an image (default: 'learning rate' when a name says so, "
        "else 'value'; "
        "the names are the --title, the --label texts, the --out file name and the compat "
        "or recipe calls given, and one says so when it has the word lr, LR or 'learning "
        "rate', e.g. lr.png or compat.torch.OneCycleLR)",
    )
    p.add_argument("--no-breakpoints", action="store_true", help="don't mark breakpoints")

    p = sub.add_parser(
        "table",
        help="values at every K-th step",
        description="Print the schedule's value at steps 0, K, 2K, ... up to the end.",
    )
    p.add_argument("schedule", metavar="SCHEDULE", help="expression, file or -")
    p.add_argument(
        "--every", type=_positive_int, metavar="K", help="step interval (default: ~20 rows)"
    )
    p.add_argument("--steps", type=_positive_int, metavar="N", help="last step (default: the end)")

    p = sub.add_parser(
        "export",
        help="write a schedule as CSV values or as JSON",
        description="csv: step,value for steps 0 .. N (every K-th), values at full precision. "
        "json: the schedule itself (schedalg.to_json), which schedalg.from_json and every "
        "command here read back.",
    )
    p.add_argument("schedule", metavar="SCHEDULE", help="expression, file or -")
    p.add_argument("--format", choices=("csv", "json"), required=True)
    p.add_argument("--steps", type=_positive_int, metavar="N", help="csv: last step")
    p.add_argument("--every", type=_positive_int, metavar="K", default=1, help="csv: interval")
    p.add_argument("--out", "-o", metavar="FILE", help="write to FILE instead of stdout")

    p = sub.add_parser(
        "compare",
        help="two schedules: overlaid plot, largest difference, budgets",
        description="Plot two schedules together and report the step where they differ most "
        "and their budgets (sums of the values over steps 0 .. N-1).",
    )
    p.add_argument("a", metavar="A", help="expression, file or -")
    p.add_argument("b", metavar="B", help="expression, file or -")
    _plot_options(p)

    p = sub.add_parser(
        "list",
        help="every function an expression may call, with its signature",
        description="List the functions a schedule expression may call: the core "
        "constructors and combinators (and names added with schedalg.parse.register), then "
        "the compat constructors peer by peer, written compat.<peer>.<Name>(...). Each with "
        "its signature and the first line of its documentation.",
    )
    p.add_argument(
        "filter",
        nargs="?",
        metavar="TEXT",
        help="only names containing TEXT (any case), e.g. cosine or compat.torch",
    )
    return parser


# -- commands ------------------------------------------------------------------------------------


def _table(rows: list[tuple[str, str]]) -> str:
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"  {k:<{width}}  {v}" for k, v in rows)


def _steps_summarized(end: int | float) -> int:
    """Summaries and budgets cover the whole steps ``0 .. ceil(end) - 1``."""
    return max(math.ceil(end), 1)


def cmd_show(args: argparse.Namespace, out: TextIO) -> int:
    example = args.schedule is None
    s, own = (EXAMPLE, None) if example else load_named(args.schedule)
    end, note = _horizon([s], args.steps)
    color = _use_color(args.color, out)
    print(_header(s, own), file=out)
    if note:
        print(f"note: {note}", file=out)
    print(file=out)
    print(
        termplot(s, steps=end, width=args.width, height=args.height, log=args.log, color=color),
        file=out,
    )
    print(file=out)
    print(textwrap.indent(str(s.summary(_steps_summarized(end))), "  "), file=out)
    if example:
        print(file=out)
        print("This is an example. Show your own schedule:", file=out)
        print('  schedalg show "linear_ramp(0.0, 1e-3, 500) >> cosine(1e-3, 0.0, 9500)"', file=out)
        print("More: schedalg --help", file=out)
    return 0


#: Legend entries by default: the schedule's own name or expression, in this many characters.
LABEL_WIDTH = 60
#: With --log, the value axis starts no lower than the largest value times this.
LOG_FLOOR = 1e-4

_WORD_RE = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")


def says_learning_rate(*names: str) -> bool:
    """Whether a name calls its values learning rates: the word ``lr`` (``lr.png``,
    ``OneCycleLR``, ``--label "lr, run 3"``) or ``learning rate`` / ``learning_rate``."""
    for name in names:
        words = [w.lower() for w in _WORD_RE.findall(name)]
        if "lr" in words or any(
            a == "learning" and b == "rate" for a, b in itertools.pairwise(words)
        ):
            return True
    return False


def log_floor(values: list[np.ndarray]) -> tuple[float | None, float]:
    """The lower end of a log value axis: None when the smallest positive value is within
    ``LOG_FLOOR`` of the peak (the axis takes it as it is), else ``peak * LOG_FLOOR``; and
    the smallest positive value."""
    finite = [v[np.isfinite(v)] for v in values]
    positive = np.concatenate([v[v > 0] for v in finite]) if finite else np.zeros(0)
    if positive.size == 0:
        return None, math.nan
    peak, low = float(positive.max()), float(positive.min())
    return (peak * LOG_FLOOR if low < peak * LOG_FLOOR else None), low


def cmd_plot(args: argparse.Namespace, out: TextIO) -> int:
    loaded = [load_named(x) for x in args.schedules]
    schedules = [s for s, _ in loaded]
    suffix = Path(args.out).suffix.lower()
    if suffix not in (".png", ".svg", ".pdf", ".html"):
        raise CliError(f"--out must end in .png, .svg, .pdf or .html, got {args.out!r}")
    labels = args.label
    if labels is not None and len(labels) != len(schedules):
        raise CliError(
            f"give one --label per schedule: {len(labels)} labels for {len(schedules)} schedules"
        )
    if labels is None and len(schedules) > 1:
        labels = [short_form(own or repr(s), LABEL_WIDTH) for s, own in loaded]
    end, note = _horizon(schedules, args.steps)
    notes = [note] if note else []
    if suffix == ".html":
        args.label = labels
        return _plot_html(args, schedules, end, out, notes)
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise CliError(
            "schedalg plot needs matplotlib, which is not installed: pip install 'schedalg[plot]'",
            code=1,
        ) from None
    from ._plot import MAX_POINTS, plot

    ylabel = args.ylabel
    if ylabel is None:
        names = [args.title or "", *(labels or []), Path(args.out).stem]
        names += [own for _, own in loaded if own]
        ylabel = "learning rate" if says_learning_rate(*names) else "value"
    rows = 0 if labels is None else len(labels)
    fig = Figure(figsize=(7.0, 3.5 + 0.2 * rows), layout="constrained")
    ax = fig.add_subplot()
    plot(
        *schedules,
        steps=end,
        labels=labels,
        ax=ax,
        log=args.log,
        breakpoints=not args.no_breakpoints,
    )
    ax.set_ylabel(ylabel)
    legend = ax.get_legend()
    if legend is not None:  # below the plot, off the curves
        legend.remove()
        handles, texts = ax.get_legend_handles_labels()
        fig.legend(handles, texts, loc="outside lower center", fontsize="small", frameon=False)
    if args.log:
        floor, low = log_floor([sample(s, end, MAX_POINTS)[1] for s in schedules])
        if floor is not None:
            ax.set_ylim(bottom=floor)
            notes.append(
                f"log axis from {fmt_value(floor)} (the peak x {LOG_FLOOR:g}); smaller values, "
                f"down to {fmt_value(low)}, run off the bottom"
            )
    if args.title:
        ax.set_title(args.title)
    try:
        fig.savefig(args.out, dpi=150)
    except OSError as e:
        raise CliError(f"cannot write {args.out}: {_one_line(str(e))}", code=1) from None
    print(f"wrote {args.out}", file=out)
    for text in notes:
        print(f"note: {text}", file=out)
    return 0


def _plot_html(
    args: argparse.Namespace,
    schedules: list[Schedule],
    end: int | float,
    out: TextIO,
    notes: list[str],
) -> int:
    """``plot --out FILE.html``: the explorable page of schedalg.plot_html (no matplotlib)."""
    from ._plot_html import plot_html

    try:
        plot_html(
            *schedules,
            steps=end,
            labels=args.label,
            log=args.log,
            breakpoints=not args.no_breakpoints,
            title=args.title,
            out=args.out,
        )
    except OSError as e:
        raise CliError(f"cannot write {args.out}: {_one_line(str(e))}", code=1) from None
    print(f"wrote {args.out}", file=out)
    for text in notes:
        print(f"note: {text}", file=out)
    return 0


def _nice_every(end: int | float, rows: int = 20) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50, ... that gives at most ``rows`` intervals."""
    target = max(end / rows, 1)
    k = 10 ** math.floor(math.log10(target))
    for m in (1, 2, 5, 10):
        if m * k >= target:
            return int(m * k)
    return int(10 * k)


def _row_steps(end: int | float, every: int, most: int, what: str) -> np.ndarray:
    """Steps 0, every, 2 every, ... up to ``end``; refused beyond ``most`` rows."""
    last = math.floor(end)
    rows = last // every + 1
    if rows > most:
        raise CliError(
            f"{what}: steps 0 .. {last} every {every} would be {rows} rows, more than {most}; "
            "choose a larger --every or a smaller --steps"
        )
    return np.arange(0, last + 1, every, dtype=np.int64)


def cmd_table(args: argparse.Namespace, out: TextIO) -> int:
    s = load_schedule(args.schedule)
    end, note = _horizon([s], args.steps)
    if note:
        print(f"schedalg table: {note}", file=sys.stderr)
    every = args.every or _nice_every(end)
    ts = _row_steps(end, every, MAX_TABLE_ROWS, "table")
    values = np.asarray(s(ts), dtype=np.float64)
    width = max(len("step"), len(str(int(ts[-1]))))
    print(f"{'step':>{width}}  value", file=out)
    for t, v in zip(ts.tolist(), values.tolist(), strict=True):
        print(f"{t:>{width}}  {v:.6g}", file=out)
    return 0


def cmd_export(args: argparse.Namespace, out: TextIO) -> int:
    s = load_schedule(args.schedule)
    if args.format == "json":
        if args.steps is not None or args.every != 1:
            raise CliError("--steps and --every apply to --format csv, not json")
        from . import io as sio

        text = sio.to_json(s) + "\n"
    else:
        end, note = _horizon([s], args.steps)
        if note:
            print(f"schedalg export: {note}", file=sys.stderr)
        ts = _row_steps(end, args.every, MAX_CSV_ROWS, "export")
        values = np.asarray(s(ts), dtype=np.float64)
        lines = ["step,value"]
        lines += [f"{t},{v!r}" for t, v in zip(ts.tolist(), values.tolist(), strict=True)]
        text = "\n".join(lines) + "\n"
    if args.out is None:
        out.write(text)
        return 0
    try:
        Path(args.out).write_text(text, encoding="utf-8")
    except OSError as e:
        raise CliError(f"cannot write {args.out}: {_one_line(str(e))}", code=1) from None
    print(f"wrote {args.out}", file=out)
    return 0


def largest_difference(a: Schedule, b: Schedule, end: int | float) -> tuple[float, float]:
    """(step, |a - b|) where the two differ most over the whole steps 0 .. end (beyond 10^6
    steps: at 10^6 evenly spaced steps and the breakpoints)."""
    if end < 1_000_000:
        ts = np.arange(0, math.floor(end) + 1, dtype=np.float64)
    else:
        ts = np.union1d(sample_times(a, end, 1_000_001), sample_times(b, end, 1_000_001))
    diff = np.abs(np.asarray(a(ts), dtype=np.float64) - np.asarray(b(ts), dtype=np.float64))
    i = int(np.argmax(diff))
    return float(ts[i]), float(diff[i])


def cmd_compare(args: argparse.Namespace, out: TextIO) -> int:
    (a, own_a), (b, own_b) = load_named(args.a), load_named(args.b)
    end, note = _horizon([a, b], args.steps)
    color = _use_color(args.color, out)
    print(_header(a, own_a, "A: "), file=out)
    print(_header(b, own_b, "B: "), file=out)
    if note:
        print(f"note: {note}", file=out)
    print(file=out)
    plot = termplot(
        a,
        b,
        steps=end,
        width=args.width,
        height=args.height,
        log=args.log,
        color=color,
        labels=["A", "B"],
    )
    print(plot, file=out)
    print(file=out)
    t, d = largest_difference(a, b, end)
    n = _steps_summarized(end)
    ia, ib = a.integral(0, n), b.integral(0, n)
    ratio = f"B/A = {ib / ia:.4g}" if ia != 0 else "A's budget is 0"
    rows = [
        (
            "largest difference",
            f"|A - B| = {fmt_value(d)} at step {fmt_step(t)} "
            f"(A {fmt_value(a(t))}, B {fmt_value(b(t))})",
        ),
        ("budget A", fmt_value(ia)),
        ("budget B", f"{fmt_value(ib)} ({ratio})"),
        ("budget", f"the sum of the values at steps 0 .. {n - 1}"),
    ]
    print(_table(rows), file=out)
    return 0


def cmd_list(args: argparse.Namespace, out: TextIO) -> int:
    from . import _names

    wanted = (args.filter or "").lower()
    entries = [e for e in _names.catalog() if wanted in e.name.lower()]
    if not entries:
        raise CliError(f"no function name contains {args.filter!r}{_names.hint(args.filter)}")
    group = None
    for e in entries:
        if e.group != group:
            if group is not None:
                print(file=out)
            group = e.group
            title = {"core": "core", "registered": "registered with schedalg.parse.register"}
            print(f"{title.get(group, group)}:", file=out)
        print(f"  {_names.signature(e)}", file=out)
        line = _names.summary_line(e)
        if line:
            print(
                textwrap.fill(line, 96, initial_indent="      ", subsequent_indent="      "),
                file=out,
            )
    return 0


COMMANDS = {
    "show": cmd_show,
    "plot": cmd_plot,
    "table": cmd_table,
    "export": cmd_export,
    "compare": cmd_compare,
    "list": cmd_list,
}
#: How many schedules each command takes (None: any number).
_SCHEDULES = {"show": 1, "table": 1, "export": 1, "compare": 2, "plot": None}
#: Options followed by a value (they and the value are not schedules).
VALUE_OPTIONS = frozenset(
    "--steps --width --height --color --out -o --label --title --ylabel --every --format".split()
)
_NUMBER_RE = re.compile(r"-[\d.]")
_OPERATOR_END = (",", ">>", "+", "-", "*", "/", "(", "[", "=")
_OPERATOR_START = (",", ">>", "+", "-", "*", "/", ")", "]")


def _positionals(argv: list[str]) -> list[str]:
    """The arguments after the command that are not options or option values."""
    out, skip = [], False
    for tok in argv[1:]:
        if skip:
            skip = False
        elif tok == "-" or _NUMBER_RE.match(tok) or not tok.startswith("-"):
            out.append(tok)
        elif tok in VALUE_OPTIONS:
            skip = True
    return out


def _complete(text: str) -> bool:
    depth = sum(text.count(c) for c in "([") - sum(text.count(c) for c in ")]")
    return depth <= 0 and not text.rstrip().endswith(_OPERATOR_END)


def expressions(tokens: list[str]) -> list[str]:
    """Shell words joined back into the expressions they were split from: a word joins the
    previous one while brackets are open, or when one ends or the next begins with an operator
    or a comma (``cosine(1.0,`` ``0.0,`` ``100)`` is one expression)."""
    groups: list[list[str]] = []
    for tok in tokens:
        if groups and (
            not _complete(" ".join(groups[-1])) or tok.lstrip().startswith(_OPERATOR_START)
        ):
            groups[-1].append(tok)
        else:
            groups.append([tok])
    return [" ".join(g) for g in groups]


def _usage_hint(argv: list[str]) -> str:
    """A hint for a failed command line: an expression split by the shell, two schedules for
    ``show``, three for ``compare``, an expression given without a command."""
    if not argv:
        return ""
    command = argv[0]
    if command not in COMMANDS:
        if "(" in command or command.endswith(".json"):
            return f'; to show a schedule: schedalg show "{_one_line(command, 60)}"'
        return ""
    tokens = _positionals(argv)
    if command not in _SCHEDULES or not tokens:
        return ""
    want = _SCHEDULES[command]
    exprs = expressions(tokens)
    hints = []
    if len(exprs) < len(tokens):
        quoted = " ".join(f'"{_one_line(e, 500)}"' for e in exprs)
        hints.append(
            f"the shell split an expression into several arguments; quote each one: "
            f"schedalg {command} {quoted}"
        )
    if want is not None and len(exprs) > want:
        if want == 1:
            hints.append(
                f"{command} takes one schedule, got {len(exprs)}: see two together with "
                "schedalg compare A B, or several with schedalg plot A B ... --out fig.png"
            )
        else:
            hints.append(
                f"compare takes two schedules, got {len(exprs)}: plot several with "
                "schedalg plot A B C ... --out fig.png (or fig.html)"
            )
    return "".join(f"; {h}" for h in hints)


def main(argv: list[str] | None = None) -> int:
    """Run the ``schedalg`` command with ``argv`` (default ``sys.argv[1:]``); the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    out = sys.stdout
    if hasattr(out, "reconfigure") and out.encoding and out.encoding.lower() != "utf-8":
        # Braille and box-drawing characters must not crash a terminal with a legacy codec.
        out.reconfigure(errors="replace")
    parser = build_parser()
    try:
        args = parser.parse_args(argv or ["show"])
        return COMMANDS[args.command](args, out)
    except CliError as e:
        hint = _usage_hint(argv) if e.code == 2 else ""
        print(f"{e.prog}: error: {e}{hint}", file=sys.stderr)
        return e.code
    except SystemExit as e:  # --help and --version
        return e.code if isinstance(e.code, int) else 0
    except BrokenPipeError:  # `schedalg table ... | head`
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, out.fileno())
        return 0
    except (ValueError, TypeError) as e:
        print(f"schedalg: error: {_one_line(str(e))}", file=sys.stderr)
        return 2
    except MemoryError:
        print("schedalg: error: out of memory; choose fewer --steps", file=sys.stderr)
        return 2
