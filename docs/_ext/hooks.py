"""MkDocs hooks of the schedalg site (mkdocs.yml, ``hooks:``).

- A fenced block ```` ```schedalg-plot ```` becomes the expressions it holds, shown as code,
  and an explorable plot of them (``schedalg._plot_html.fragment``), computed at build time.
  One schedule expression a line, read by ``schedalg.parse``, optionally after a label and a
  colon (``cosine: warmup >> ...``); options after the fence name: ``steps=N``, ``log``,
  ``title="..."``. A bad block fails the build, naming the page and the line.
- The comment ``<!-- schedalg-migration: PEER -->`` becomes PEER's migration table, from
  docs/_ext/migration.py, the one source of those tables.
- The plots' script and style are added to the site as ``assets/schedalg-plot.js`` and
  ``assets/schedalg-plot.css`` (mkdocs.yml loads them on every page), from the package itself.
"""

from __future__ import annotations

import html
import importlib
import importlib.util
import re
import shlex
import sys
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

import schedalg
from schedalg import _plot_html

HERE = Path(__file__).resolve().parent

FENCE = re.compile(
    r"^```schedalg-plot(?P<opts>[^\n]*)\n(?P<body>.*?)^```[ \t]*$", flags=re.M | re.S
)
MIGRATION = re.compile(r"^<!-- schedalg-migration: (?P<peer>\w+) -->[ \t]*$", flags=re.M)
LABELLED = re.compile(r"^(?P<label>[^\"']+?):\s+(?P<expr>.+)$")
SLOT = "SCHEDALGPLOTSLOT{}X"

ASSETS = {
    "assets/schedalg-plot.js": _plot_html.script,
    "assets/schedalg-plot.css": _plot_html.style,
}


def _migration() -> Any:
    spec = importlib.util.spec_from_file_location("schedalg_docs_migration", HERE / "migration.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def compat_namespace() -> dict[str, Any]:
    """The names a compat call in the migration table may use (``compat.<peer>.<Name>``)."""
    for peer in _migration().PEERS:
        importlib.import_module(f"schedalg.compat.{peer}")
    return {"compat": sys.modules["schedalg.compat"]}


def migration_table(peer: str) -> str:
    """PEER's migration table as Markdown: the peer's call, the compat call, the algebra."""
    module = _migration()
    if peer not in module.ROWS:
        raise PluginError(f"schedalg-migration: no peer {peer!r} in docs/_ext/migration.py")
    ns = compat_namespace()
    lines = [
        f"| {module.PEERS[peer][1]} | `schedalg.compat` | the algebra it builds (`.expand()`) |",
        "|---|---|---|",
    ]
    for call, twin in module.ROWS[peer]:
        try:
            s = eval(twin, dict(ns))
            # (a compat schedule prints as its call; the column shows what it is made of)
            algebra = repr(s.expand() if hasattr(s, "expand") else s)
        except Exception as e:  # the build names the row that fails
            raise PluginError(f"schedalg-migration: {peer}: {twin}: {e}") from e
        cells = [call, twin.replace("compat.", ""), algebra]
        lines.append("| " + " | ".join(_code(c) for c in cells) + " |")
    return "\n".join(lines)


def _code(text: str) -> str:
    """Inline code in a table cell: HTML, so that ``|`` and backticks cannot break it."""
    if "`" in text and not text.startswith("`"):  # prose with inline code: keep as is
        return text.replace("|", "\\|")
    return "<code>" + html.escape(text.strip("`")).replace("|", "&#124;") + "</code>"


def _options(page: str, text: str) -> dict[str, Any]:
    opts: dict[str, Any] = {}
    for word in shlex.split(text):
        key, eq, value = word.partition("=")
        if key == "log" and not eq:
            opts["log"] = True
        elif key == "steps" and eq:
            try:
                opts["steps"] = int(value) if value.isdigit() else float(value)
            except ValueError as e:
                msg = f"{page}: schedalg-plot: steps must be a number, got {word!r}"
                raise PluginError(msg) from e
        elif key == "title" and eq:
            opts["title"] = value
        else:
            raise PluginError(f"{page}: schedalg-plot: unknown option {word!r}")
    return opts


def plot_block(page: str, opts_text: str, body: str) -> tuple[str, str]:
    """One ``schedalg-plot`` block: (Markdown of its expressions, the plot's HTML fragment)."""
    labels: list[str | None] = []
    schedules, exprs = [], []
    for line in filter(None, map(str.strip, body.splitlines())):
        m = LABELLED.match(line)
        label, expr = (m["label"].strip(), m["expr"]) if m else (None, line)
        try:
            schedules.append(schedalg.parse(expr))
        except ValueError as e:
            raise PluginError(f"{page}: schedalg-plot: {e}") from e
        labels.append(label)
        exprs.append(expr)
    if not schedules:
        raise PluginError(f"{page}: schedalg-plot: an empty block")
    names = None
    if any(label is not None for label in labels):
        names = [label or expr for label, expr in zip(labels, exprs, strict=True)]
    try:
        fragment = _plot_html.fragment(*schedules, labels=names, **_options(page, opts_text))
    except (TypeError, ValueError) as e:
        raise PluginError(f"{page}: schedalg-plot: {e}") from e
    shown = [e if x is None else f"{x}: {e}" for x, e in zip(labels, exprs, strict=True)]
    code = "```text\n" + "\n".join(shown) + "\n```"
    return code, fragment


def on_files(files: Files, config: Any) -> Files:
    for path, content in ASSETS.items():
        files.append(File.generated(config, path, content=content()))
    return files


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    name = page.file.src_uri
    plots: list[str] = page.meta.setdefault("schedalg_plots", [])

    def plot(m: re.Match[str]) -> str:
        code, fragment = plot_block(name, m["opts"], m["body"])
        plots.append(fragment)
        return f"{code}\n\n{SLOT.format(len(plots) - 1)}\n"

    markdown = FENCE.sub(plot, markdown)
    return MIGRATION.sub(lambda m: migration_table(m["peer"]), markdown)


def on_page_content(html_text: str, page: Any, config: Any, files: Any) -> str:
    for i, fragment in enumerate(page.meta.get("schedalg_plots", ())):
        slot = f"<p>{SLOT.format(i)}</p>"
        if slot not in html_text:
            raise PluginError(f"{page.file.src_uri}: schedalg-plot {i} was not rendered")
        html_text = html_text.replace(slot, fragment)
    return html_text
