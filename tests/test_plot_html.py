"""schedalg.plot_html: one self-contained page that holds the schedules' own values, with
labels that cannot break it; and a real headless browser (Debian's chromium) that loads it,
hovers, zooms and toggles without a console error, and saves a screenshot to look at."""

from __future__ import annotations

import base64
import json
import math
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from _browser import load, readout, started

import schedalg
from schedalg import cosine, hold, linear_ramp, piecewise, repeat, triangle
from schedalg._plot_html import _number

ROOT = Path(__file__).resolve().parent.parent

WARMUP_COSINE = linear_ramp(0.0, 1e-3, 100) >> cosine(1e-3, 0.0, 900)
WSD = linear_ramp(0.0, 1e-3, 100) >> hold(1e-3, 700) >> linear_ramp(1e-3, 0.0, 200)
NASTY = '</script><script>alert(1)</script><b>bold</b> & "quotes" \u2028'


def warmup_cosine(k: float) -> float:
    """WARMUP_COSINE by hand: 1e-3 k/100 for k < 100, then a half cosine from 1e-3 to 0."""
    if k < 100:
        return 1e-3 * k / 100
    u = min(k - 100, 900) / 900
    return 1e-3 * (1 + math.cos(math.pi * u)) / 2


def wsd(k: float) -> float:
    if k < 100:
        return 1e-3 * k / 100
    if k < 800:
        return 1e-3
    return 1e-3 * (1 - min(k - 800, 200) / 200)


class Page(HTMLParser):
    """The elements of a page that could load anything, its scripts and its title."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.title = ""
        self._open: str | None = None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._open = tag
        if tag == "script":
            self.scripts.append((dict(attrs), ""))

    def handle_endtag(self, tag):
        self._open = None

    def handle_data(self, data):
        if self._open == "script":
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)
        elif self._open == "title":
            self.title += data


def embedded(page: str) -> dict:
    """The plot's data, read back as the page's script reads it (JSON.parse)."""
    (data,) = [
        text for attrs, text in Page(page).scripts if attrs.get("type") == "application/json"
    ]
    return json.loads(data)


def curve_points(curve: dict) -> tuple[np.ndarray, np.ndarray]:
    v = np.asarray([float(x) for x in curve["v"]])
    t = np.arange(v.size, dtype=float) if curve["t"] is None else np.asarray(curve["t"], float)
    return t, v


# -- the document --------------------------------------------------------------------------------


def test_page_is_self_contained():
    page = schedalg.plot_html(WARMUP_COSINE, WSD, labels=["cosine", "wsd"], title="two")
    assert page.startswith("<!DOCTYPE html>")
    parsed = Page(page)
    for tag, attrs in parsed.tags:
        assert "src" not in attrs and "href" not in attrs, (tag, attrs)
        assert tag not in ("link", "iframe", "img", "object", "embed"), tag
    assert not re.search(r"https?://(?!www\.w3\.org/2000/svg\")", page)  # the SVG namespace name
    assert "@import" not in page and "url(" not in page and "@font-face" not in page
    csp = [a for t, a in parsed.tags if t == "meta" and a.get("http-equiv")]
    assert csp[0]["content"].startswith("default-src 'none'")  # the browser refuses any load
    kinds = [attrs.get("type") for attrs, _ in parsed.scripts]
    assert kinds == ["application/json", None]  # the data, then the inline drawing script
    assert len(parsed.scripts[1][1]) > 1000


def test_embedded_values_are_the_formula_at_every_step():
    data = embedded(schedalg.plot_html(WARMUP_COSINE, WSD, labels=["cosine", "wsd"]))
    assert data["end"] == 1000 and data["log"] is False
    (c, w) = data["curves"]
    for curve, formula in ((c, warmup_cosine), (w, wsd)):
        t, v = curve_points(curve)
        assert t.tolist() == list(range(1001))  # every whole step
        want = np.asarray([formula(k) for k in range(1001)])
        np.testing.assert_allclose(v, want, rtol=1e-11, atol=1e-18)
    assert c["marks"] == [100] and w["marks"] == [100, 800]
    assert [c["label"], w["label"]] == ["cosine", "wsd"]
    assert c["color"] != w["color"]


def test_default_labels_are_the_expressions_and_breakpoints_can_be_left_out():
    s = piecewise([30, 60], [0.1, 0.01, 0.001])
    (curve,) = embedded(schedalg.plot_html(s, breakpoints=False, log=True))["curves"]
    assert curve["label"] == repr(s) and curve["expr"] == repr(s)
    assert curve["marks"] == []
    t, v = curve_points(curve)
    assert v[29] == 0.1 and v[30] == 0.01 and v[60] == 0.001 and t[-1] == 60


def test_labels_and_title_cannot_break_the_page():
    page = schedalg.plot_html(WARMUP_COSINE, WSD, labels=[NASTY, "<b>x</b>"], title=NASTY)
    assert page.lower().count("</script") == 2  # the data's end and the drawing script's end
    assert "<b>" not in page and "<script>alert" not in page
    parsed = Page(page)
    assert parsed.title == NASTY  # escaped in <title>, read back as the same text
    data = embedded(page)
    assert data["title"] == NASTY
    assert [c["label"] for c in data["curves"]] == [NASTY, "<b>x</b>"]


def test_long_range_keeps_jumps_and_each_embedded_value_is_exact():
    jump = 123_457
    s = piecewise([jump], [1.0, 0.5]) >> cosine(0.5, 0.0, 876_543)
    (curve,) = embedded(schedalg.plot_html(s))["curves"]
    t, v = curve_points(curve)
    assert t[0] == 0 and t[-1] == 1_000_000 and np.all(np.diff(t) > 0)
    assert np.all(t == np.round(t))  # whole steps only
    assert 20_000 <= t.size <= 20_003 and np.diff(t).max() <= 51
    i = int(np.searchsorted(t, jump))
    assert t[i - 1] == jump - 1 and t[i] == jump  # both sides of the jump are there
    u = np.clip(t - jump, 0, 876_543) / 876_543
    want = np.where(t < jump, 1.0, 0.25 * (1 + np.cos(np.pi * u)))
    np.testing.assert_allclose(v, want, rtol=1e-11, atol=1e-15)


def test_long_range_of_an_endless_stretched_repeat():
    # Regression: breakpoints(limit=...) of an endless SGDR raised OverflowError once
    # stretch**k left the float range, so plot_html over more than 20000 steps failed.
    s = repeat(cosine(1.0, 0.0, 10), stretch=2.0)
    starts = s.breakpoints(limit=2_002)
    assert 1_000 < len(starts) < 2_002  # every cycle start a float can hold, and no more
    for k, x in enumerate(starts):  # cycle k starts at 10 (1 + 2 + ... + 2**(k-1))
        assert math.isclose(x, 10 * (2**k - 1), rel_tol=1e-15)
    (curve,) = embedded(schedalg.plot_html(s, steps=100_000))["curves"]
    t, v = curve_points(curve)
    for start in (10, 30, 70, 150, 310, 630, 1270, 2550, 5110, 10230, 20470, 40950, 81910):
        assert start in t and v[np.searchsorted(t, start)] == 1.0  # each restart is there

def test_fractional_end_and_infinite_schedule_with_steps():
    (curve,) = embedded(schedalg.plot_html(repeat(triangle(0.0, 1.0, 4)), steps=10.5))["curves"]
    t, v = curve_points(curve)
    assert t.tolist() == [*range(11), 10.5]
    assert v[:5].tolist() == [0.0, 0.5, 1.0, 0.5, 0.0]  # up and down over 4 steps, repeated
    assert v[-1] == 0.75  # local time 2.5 of a cycle, going down: (4 - 2.5) / 2


def test_fragment_is_the_page_plot_without_script_or_style():
    from schedalg._plot_html import fragment, script, style

    div = fragment(WARMUP_COSINE, WSD, labels=["cosine", "wsd"], title="two", log=True)
    page = schedalg.plot_html(WARMUP_COSINE, WSD, labels=["cosine", "wsd"], title="two", log=True)
    assert div.startswith('<div class="schedalg-plot">') and div.endswith("</div>")
    assert div in page  # the page is this fragment plus the script and the style
    assert embedded(div) == embedded(page)
    assert "<style" not in div and div.count("<script") == 1  # the data only
    assert script() in page and style() in page
    with pytest.raises(TypeError, match=re.escape("fragment(): log must be True or False")):
        fragment(WSD, log="no")

def test_out_writes_the_same_page(tmp_path):
    path = tmp_path / "fig.html"
    page = schedalg.plot_html(WARMUP_COSINE, out=path)
    assert path.read_text(encoding="utf-8") == page


def test_non_finite_values_are_json_strings_that_javascript_reads():
    assert [_number(x) for x in (math.inf, -math.inf, math.nan)] == [
        '"Infinity"',
        '"-Infinity"',
        '"NaN"',
    ]
    assert [_number(x) for x in (0.0, -3.0, 2.5e-7, 1 / 3)] == [
        "0",
        "-3",
        "2.5e-07",
        "0.333333333333",
    ]


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: schedalg.plot_html(), TypeError, "plot_html(): give at least one schedule"),
        (lambda: schedalg.plot_html(1.0), TypeError, "schedules[0]=1.0"),
        (
            lambda: schedalg.plot_html(WSD, labels=["a", "b"]),
            ValueError,
            "2 labels for 1 schedules",
        ),
        (
            lambda: schedalg.plot_html(repeat(triangle(0.0, 1.0, 4))),
            TypeError,
            "pass steps=N",
        ),
        (lambda: schedalg.plot_html(WSD, steps=-1), ValueError, "got steps=-1"),
        (lambda: schedalg.plot_html(WSD, log="yes"), TypeError, "got log='yes'"),
        (lambda: schedalg.plot_html(WSD, breakpoints=1), TypeError, "got breakpoints=1"),
        (lambda: schedalg.plot_html(WSD, title=3), TypeError, "got title=3"),
        (lambda: schedalg.plot_html(WSD, out=3), TypeError, "got out=3"),
    ],
)
def test_bad_arguments(call, error, message):
    with pytest.raises(error, match=re.escape(message)):
        call()


def test_script_asset_cannot_end_its_element():
    js = (ROOT / "schedalg" / "_plot_html.js").read_text(encoding="utf-8")
    css = (ROOT / "schedalg" / "_plot_html.css").read_text(encoding="utf-8")
    assert "</script" not in js.lower() and "</style" not in css.lower()


def test_cli_writes_html_without_matplotlib(tmp_path):
    path = tmp_path / "fig.html"
    code = (
        "import sys; sys.modules['matplotlib'] = None\n"  # as if it were not installed
        "from schedalg.cli import main\n"
        f"sys.exit(main(['plot', {repr(WARMUP_COSINE)!r}, 'hold(5e-4, 1000)', '--out', "
        f"{str(path)!r}, '--label', 'a', '--label', 'b', '--title', 'T', '--log']))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    r = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == f"wrote {path}"
    data = embedded(path.read_text(encoding="utf-8"))
    assert data["title"] == "T" and data["log"] is True
    assert [c["label"] for c in data["curves"]] == ["a", "b"]
    t, v = curve_points(data["curves"][0])
    np.testing.assert_allclose(v, [warmup_cosine(k) for k in t], rtol=1e-11, atol=1e-18)


# -- a real browser ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    with started() as b:
        yield b


def shown(v: float) -> float:
    """``v`` to the read-out's display precision (6 significant digits)."""
    return float(f"{v:.6g}")


def test_browser_hover_zoom_log_and_toggles(browser, screenshots, tmp_path):
    path = tmp_path / "plot.html"
    schedalg.plot_html(WARMUP_COSINE, WSD, labels=[NASTY, "wsd"], title="warmup + cosine", out=path)
    k = 437
    load(browser, path, f"?hover={k}")

    lines = browser.js(
        "Array.from(document.querySelectorAll('.schedalg-box path')).map(p => p.getAttribute('d'))"
    )
    assert len(lines) == 2 and all(d.count("L") > 900 for d in lines)  # every step drawn
    box = browser.js(
        "(() => { const r = document.querySelector('.schedalg-box svg')"
        ".getBoundingClientRect(); return [r.width, r.height]; })()"
    )
    assert box[0] > 500 and box[1] > 200
    legend = browser.js(
        "Array.from(document.querySelectorAll('.schedalg-item')).map(b => b.textContent)"
    )
    assert legend == [NASTY, "wsd"]  # the label is text, not markup

    # ?hover=K: the read-out at step K shows s(K) to display precision, for every curve.
    r = readout(browser)
    assert r["step"] == f"step {k}"
    assert [row[0] for row in r["rows"]] == [NASTY, "wsd"]
    assert [float(row[1]) for row in r["rows"]] == [shown(warmup_cosine(k)), shown(wsd(k))]
    assert all(row[2] == "" for row in r["rows"])  # the step itself is embedded
    shot = screenshots / "plot_html_hover.png"
    png = base64.b64decode(browser.page("Page.captureScreenshot", format="png")["data"])
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    shot.write_bytes(png)
    print(f"screenshot of the HTML plot with a hover read-out: {shot}")

    # A real mouse: hover near step 600, then the read-out's step and value agree.
    at = browser.js("window.schedalgPlots[0].clientPoint(600)")
    browser.mouse("mouseMoved", at["x"], at["y"])
    r = readout(browser)
    step = int(r["step"].removeprefix("step "))
    assert abs(step - 600) <= 2
    assert [float(row[1]) for row in r["rows"]] == [shown(warmup_cosine(step)), shown(wsd(step))]

    # Drag from step 200 to 300: the view is that range; a double-click resets it.
    a = browser.js("window.schedalgPlots[0].clientPoint(200)")
    b = browser.js("window.schedalgPlots[0].clientPoint(300)")
    browser.mouse("mousePressed", a["x"], a["y"], 1)
    browser.mouse("mouseMoved", b["x"], b["y"])
    browser.mouse("mouseReleased", b["x"], b["y"], 1)
    x0, x1 = browser.js("window.schedalgPlots[0].view()")
    assert abs(x0 - 200) < 2 and abs(x1 - 300) < 2
    ticks = browser.js(
        "Array.from(document.querySelectorAll('.axes text[text-anchor=middle]'))"
        ".map(t => t.textContent)"
    )
    assert ticks[:-1] and all(200 <= float(t) <= 300 for t in ticks[:-1])  # last: "step"
    c = browser.js("window.schedalgPlots[0].clientPoint(250)")
    for clicks in (1, 2):
        browser.mouse("mousePressed", c["x"], c["y"], clicks)
        browser.mouse("mouseReleased", c["x"], c["y"], clicks)
    assert browser.js("window.schedalgPlots[0].view()") == [0, 1000]

    # The log toggle: value ticks become powers of ten.
    browser.js("document.querySelector('.schedalg-tools input').click()")
    ticks = browser.js(
        "Array.from(document.querySelectorAll('.axes text[text-anchor=end]'))"
        ".map(t => Number(t.textContent))"
    )
    assert ticks and all(math.log10(t).is_integer() for t in ticks)

    # Legend toggle: the first curve is hidden and leaves the read-out.
    browser.js("document.querySelector('.schedalg-item').click()")
    browser.js(f"window.schedalgPlots[0].hover({k})")
    r = readout(browser)
    assert [row[0] for row in r["rows"]] == ["wsd"]
    hidden = browser.js("document.querySelector('.schedalg-box path').getAttribute('visibility')")
    assert hidden == "hidden"
    assert browser.problems() == []


def test_browser_long_range_read_out_names_the_sampled_step(browser, tmp_path):
    s = cosine(1.0, 0.0, 1_000_000)
    path = tmp_path / "long.html"
    steps, _ = curve_points(embedded(schedalg.plot_html(s, out=path))["curves"][0])
    load(browser, path, "?hover=499990")
    for k in (499_990, 500_010):  # nearer the embedded step below, then the one above
        assert k not in steps
        i = int(np.searchsorted(steps, k))
        near = steps[i - 1] if k - steps[i - 1] < steps[i] - k else steps[i]
        browser.js(f"window.schedalgPlots[0].hover({k})")
        r = readout(browser)
        assert r["step"] == f"step {k}"
        ((_label, value, at),) = r["rows"]
        t = int(at.removeprefix("at step "))
        assert t == near
        assert float(value) == shown((1 + math.cos(math.pi * t / 1_000_000)) / 2)
    assert browser.problems() == []
