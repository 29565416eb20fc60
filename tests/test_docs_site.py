"""The documentation site (mkdocs.yml, docs/): its code examples run, its migration tables'
one source agrees with schedalg.compat and the peer libraries, its plot blocks turn into
plots, and the built site works in a real headless browser (Debian's chromium)."""

from __future__ import annotations

import contextlib
import functools
import http.server
import importlib
import importlib.util
import json
import math
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from _browser import load, readout, screenshot, started

import schedalg

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = sorted(p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md"))

NO_RUN = re.compile(r"<!-- no-run: (?P<reason>[^>]+?) -->\s*$")


def python_blocks(text: str) -> list[tuple[str, str | None]]:
    """Each ```python block of a page, with the reason it must not run (a ``<!-- no-run:
    REASON -->`` comment on the line before it), or None."""
    blocks = []
    for m in re.finditer(r"```python\n(.*?)^```", text, flags=re.M | re.S):
        line_before = text[: m.start()].rstrip("\n").rsplit("\n", 1)[-1]
        skip = NO_RUN.match(line_before)
        blocks.append((m.group(1), skip["reason"] if skip else None))
    return blocks


def _module(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@functools.cache
def migration():
    return _module("schedalg_docs_migration", DOCS / "_ext" / "migration.py")


# -- the pages' examples ---------------------------------------------------------------------------


def test_blocks_are_found_and_no_run_needs_a_reason():
    text = "a\n<!-- no-run: needs the network -->\n```python\nx = 1\n```\n\n```python\ny = 2\n```\n"
    assert python_blocks(text) == [("x = 1\n", "needs the network"), ("y = 2\n", None)]
    assert sum(len(python_blocks((DOCS / p).read_text())) for p in PAGES) >= 10


def test_each_text_has_one_source():
    """The pages are the source of the documentation; the README is a landing page. A page takes
    a README piece only by including it (``--8<-- "README.md:NAME"``), from a section the README
    marks, and no example is written out both in the README and on a page."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    marked = set(re.findall(r"<!-- --8<-- \[start:(\w+)\] -->", readme))
    included = set()
    for page in PAGES:
        text = (DOCS / page).read_text(encoding="utf-8")
        included |= set(re.findall(r'^--8<-- "README\.md:(\w+)"$', text, flags=re.M))
        assert "README.md" not in re.sub(r'^--8<-- "README\.md:\w+"$', "", text, flags=re.M), page
        for code, _ in python_blocks(text):
            assert code not in readme, (page, code[:60])
    assert included == marked == {"intro", "setup"}


def _page_param(page: str):
    if page != "integrations.md":
        return page
    # Lightning 2.6 calls a torch pytree API that torch 2.13 deprecates (not ours), and the
    # Lightning example's resume writes checkpoints next to the one it resumes from (on purpose).
    return pytest.param(
        page,
        marks=[
            pytest.mark.filterwarnings(
                r"ignore:.*isinstance\(treespec, LeafSpec\).*:FutureWarning"
            ),
            pytest.mark.filterwarnings(
                r"ignore:Checkpoint directory .* exists and is not empty:UserWarning"
            ),
        ],
    )


@pytest.mark.parametrize("page", [_page_param(p) for p in PAGES])
def test_page_python_blocks_run(page, tmp_path, monkeypatch):
    """Every ```python block of a page, in order, in one namespace (a page reads like a
    notebook), in a scratch directory. The pages are the one source of their examples; the
    README's own block (which docs/index.md includes) is run by tests/test_docs.py."""
    monkeypatch.chdir(tmp_path)
    namespace: dict = {"__name__": f"docs_{page}"}
    for code, skip in python_blocks((DOCS / page).read_text(encoding="utf-8")):
        if skip is None:
            exec(compile(code, f"docs/{page}", "exec"), namespace)


# -- the migration tables' one source --------------------------------------------------------------


def _compat_ns() -> dict:
    for peer in migration().PEERS:
        importlib.import_module(f"schedalg.compat.{peer}")
    return {"compat": sys.modules["schedalg.compat"]}


def _compat_name(call: str) -> str:
    """``compat.torch.StepLR(...)`` -> ``StepLR``."""
    return re.match(r"compat\.\w+\.(\w+)\(", call)[1]


def test_every_compat_name_has_a_row_and_every_row_builds():
    rows = migration().ROWS
    assert set(rows) == set(migration().PEERS)
    for peer, entries in rows.items():
        public = set(importlib.import_module(f"schedalg.compat.{peer}").__all__)
        named = {_compat_name(twin) for _, twin in entries}
        assert named == public, (peer, public ^ named)
        for _, twin in entries:
            assert twin.startswith(f"compat.{peer}."), twin
            s = eval(twin, _compat_ns())
            assert isinstance(s, schedalg.Schedule), twin
            assert schedalg.parse(repr(s)) == s  # the table's last column reads back


def _peer_names(peer: str) -> set[str] | None:
    """The names the peer library defines where its schedules live; None when the library is
    not installed. timm's scheduler package is read as source: ``import timm`` needs
    torchvision (see tests/compat/test_timm.py)."""
    where = migration().PEERS[peer][0]
    if peer == "timm":
        spec = importlib.util.find_spec("timm")
        if spec is None or not spec.submodule_search_locations:
            return None
        init = Path(spec.submodule_search_locations[0]) / "scheduler" / "__init__.py"
        return set(re.findall(r"\b(\w+)\b", init.read_text()))
    try:
        module = importlib.import_module(where)
    except ImportError:
        return None
    return set(dir(module))


@pytest.mark.parametrize("peer", ["torch", "optax", "keras", "transformers", "timm"])
def test_every_peer_name_exists_in_the_peer_library(peer):
    names = _peer_names(peer)
    if names is None:
        pytest.skip(f"{peer} is not installed")
    for call, twin in migration().ROWS[peer]:
        name = re.match(r"(?:learn\.)?(\w+)\(", call)[1]
        assert name == _compat_name(twin), (call, twin)  # the same name on both sides
        assert name in names, f"{migration().PEERS[peer][0]} has no {name}"


def test_fastai_and_tf_rows_name_their_compat_function():
    # fastai and TensorFlow are not installed in CI: the names are checked against compat only.
    for peer in ("fastai", "tf"):
        for call, twin in migration().ROWS[peer]:
            name = re.match(r"(?:learn\.)?(\w+)\(", call)[1]
            assert name == _compat_name(twin), (call, twin)


# -- the build-time hooks --------------------------------------------------------------------------

needs_mkdocs = pytest.mark.skipif(
    importlib.util.find_spec("mkdocs") is None,
    reason="the site needs the docs extra: pip install '.[docs]'",
)


@functools.cache
def hooks():
    return _module("schedalg_docs_hooks", DOCS / "_ext" / "hooks.py")


@needs_mkdocs
def test_plot_block_parses_labels_options_and_expressions():
    code, fragment = hooks().plot_block(
        "p.md", ' steps=300 log title="a title"', "a (one): cosine(1.0, 0.1, 200)\nhold(0.5)\n"
    )
    assert code == "```text\na (one): cosine(1.0, 0.1, 200)\nhold(0.5)\n```"
    assert fragment.startswith('<div class="schedalg-plot"><script type="application/json">')
    data = re.search(r"<script type=\"application/json\">(.*)</script>", fragment)[1]
    d = json.loads(data)
    assert d["end"] == 300 and d["log"] is True and d["title"] == "a title"
    assert [c["label"] for c in d["curves"]] == ["a (one)", "hold(0.5)"]
    v = d["curves"][0]["v"]
    assert v[100] == pytest.approx(0.1 + 0.9 * (1 + math.cos(math.pi / 2)) / 2, rel=1e-11)


@needs_mkdocs
@pytest.mark.parametrize(
    ("opts", "body", "message"),
    [
        ("", "cosine(1.0, 0.0, -5)", "p.md: schedalg-plot: parse(): cosine(): steps"),
        ("", "\n\n", "p.md: schedalg-plot: an empty block"),
        (" color=red", "hold(1.0, 5)", "p.md: schedalg-plot: unknown option 'color=red'"),
        (" steps=ten", "hold(1.0, 5)", "steps must be a number, got 'steps=ten'"),
        ("", "hold(1.0)", "never ends"),
    ],
)
def test_plot_block_errors_fail_the_build_with_the_page(opts, body, message):
    from mkdocs.exceptions import PluginError

    with pytest.raises(PluginError, match=re.escape(message)):
        hooks().plot_block("p.md", opts, body)


@needs_mkdocs
def test_migration_table_markdown():
    table = hooks().migration_table("torch").splitlines()
    assert table[0].startswith("| PyTorch") and table[1] == "|---|---|---|"
    assert len(table) == 2 + len(migration().ROWS["torch"])
    step = next(row for row in table if "StepLR(opt, step_size=30" in row)
    assert "<code>torch.StepLR(0.1, step_size=30, gamma=0.1)</code>" in step
    assert "staircase(" in step  # the algebra, printed by schedalg


# -- the built site in a browser -------------------------------------------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The site, built strictly into a temporary folder (once for this module)."""
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    r = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    return out


@contextlib.contextmanager
def served(folder: Path):
    """The folder over HTTP on a free local port (the site's search runs in a web worker,
    which browsers refuse to start from file:// pages)."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(folder))
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as httpd:
        thread = threading.Thread(target=httpd.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{httpd.server_address[1]}"
        finally:
            httpd.shutdown()


@pytest.fixture(scope="module")
def browser():
    with started() as b:
        yield b


@needs_mkdocs
@pytest.mark.slow
def test_built_site_has_every_page_and_loads_nothing_from_the_network(site):
    for page in PAGES:
        name = page.removesuffix(".md")
        html = site / ("index.html" if name == "index" else f"{name}/index.html")
        assert html.is_file(), page
    text = (site / "cookbook" / "index.html").read_text(encoding="utf-8")
    fences = (DOCS / "cookbook.md").read_text(encoding="utf-8").count("```schedalg-plot")
    assert text.count('<div class="schedalg-plot">') == fences >= 10
    for tag in re.findall(r"<(?:script|link|img)\b[^>]*>", text):
        assert not re.search(r"(?:src|href)=\"(?:https?:)?//", tag), tag
    from schedalg._plot_html import script, style

    assets = site / "assets"
    assert (assets / "schedalg-plot.js").read_text(encoding="utf-8") == script()
    assert (assets / "schedalg-plot.css").read_text(encoding="utf-8") == style()
    assert '<script src="../assets/schedalg-plot.js"></script>' in text
    api = (site / "api" / "schedalg" / "index.html").read_text(encoding="utf-8")
    for name in schedalg.__all__:
        assert f'id="schedalg.{name}"' in api, name  # every public name has its entry


@needs_mkdocs
@pytest.mark.slow
def test_cookbook_page_in_a_browser(site, browser, screenshots):
    with served(site) as url:
        load(browser, f"{url}/cookbook/", "?hover=250")
        n = browser.js("document.querySelectorAll('.schedalg-plot').length")
        assert n == (DOCS / "cookbook.md").read_text(encoding="utf-8").count("```schedalg-plot")
        drawn = browser.js(
            """Array.from(document.querySelectorAll('.schedalg-plot')).map((p) => {
                const svg = p.querySelector('svg');
                if (!svg) return 0;
                const r = svg.getBoundingClientRect();
                const d = Array.from(svg.querySelectorAll('path')).map(x => x.getAttribute('d'));
                return r.width > 300 && r.height > 100 && d.every(x => x && x.length > 20)
                    ? d.length : 0;
            })"""
        )
        assert all(k > 0 for k in drawn), drawn  # every plot drew its curves
        # The first plot (warmups into a constant) at step 250: the read-out shows s(250).
        r = readout(browser)
        assert r["step"] == "step 250"
        want = [1e-3 * 250 / 1000, 1e-3 * (1 - math.cos(math.pi * 0.25)) / 2]
        want.append(1e-5 * 100 ** (250 / 1000))
        assert [float(row[1]) for row in r["rows"]] == [float(f"{w:.6g}") for w in want]
        browser.js("document.querySelector('#warmups').scrollIntoView()")
        shot = screenshots / "site_cookbook.png"
        screenshot(browser, shot)
        print(f"screenshot of the site's cookbook page: {shot}")
        assert browser.problems() == []


@needs_mkdocs
@pytest.mark.slow
def test_every_page_loads_without_errors_and_draws_its_plots(site, browser):
    with served(site) as url:
        for page in PAGES:
            name = page.removesuffix(".md").removesuffix("index")
            load(browser, f"{url}/{name}{'/' if name else ''}")
            expected = (DOCS / page).read_text(encoding="utf-8").count("```schedalg-plot")
            drawn = browser.js(
                "Array.from(document.querySelectorAll('.schedalg-plot svg path'))"
                ".filter(p => (p.getAttribute('d') || '').length > 20).length"
            )
            plots = browser.js("document.querySelectorAll('.schedalg-box > svg').length")
            assert plots == expected, page
            assert drawn >= expected, page  # at least one curve drawn per plot
            assert browser.problems() == [], page
