"""A real headless browser for the tests: Debian's chromium driven over the DevTools
protocol (websocket-client), shared by the plot and the documentation-site tests."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "chrome")


class Chromium:
    """A headless chromium driven over the DevTools protocol (one page, flat sessions)."""

    def __init__(self, exe: str, profile: Path) -> None:
        websocket = pytest.importorskip(
            "websocket", reason="the browser test needs websocket-client"
        )
        self.log = open(profile / "chromium.log", "w+")  # closed in close()
        self.proc = subprocess.Popen(
            [
                exe,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-extensions",
                "--hide-scrollbars",
                "--window-size=1000,640",
                f"--user-data-dir={profile}",
                "--remote-debugging-port=0",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=self.log,
            stderr=self.log,
        )
        self.ws = websocket.create_connection(
            self._devtools_url(profile), timeout=30, suppress_origin=True
        )
        self.next_id = 0
        self.events: list[dict] = []
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)[
            "sessionId"
        ]

    def _devtools_url(self, profile: Path) -> str:
        """The browser's DevTools address, from the file chromium writes when it listens."""
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and self.proc.poll() is None:
            lines = port_file.read_text().split() if port_file.exists() else []
            if len(lines) == 2:
                return f"ws://127.0.0.1:{lines[0]}{lines[1]}"
            time.sleep(0.05)
        self.proc.kill()
        self.log.seek(0)
        raise RuntimeError("chromium did not start its DevTools server:\n" + self.log.read())

    def call(self, method: str, session: bool = False, **params) -> dict:
        self.next_id += 1
        msg: dict = {"id": self.next_id, "method": method, "params": params}
        if session:
            msg["sessionId"] = self.session
        self.ws.send(json.dumps(msg))
        while True:
            reply = json.loads(self.ws.recv())
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply["result"]
            self.events.append(reply)

    def page(self, method: str, **params) -> dict:
        return self.call(method, session=True, **params)

    def wait_for(self, event: str, timeout: float = 30) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for e in self.events:
                if e.get("method") == event:
                    self.events.remove(e)
                    return e
            self.ws.settimeout(max(deadline - time.monotonic(), 0.01))
            self.events.append(json.loads(self.ws.recv()))
        raise TimeoutError(event)

    def js(self, expression: str):
        r = self.page("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in r:
            raise RuntimeError(f"{expression}: {r['exceptionDetails']}")
        return r["result"].get("value")

    def mouse(self, kind: str, x: float, y: float, clicks: int = 0) -> None:
        button = "none" if kind == "mouseMoved" else "left"
        self.page("Input.dispatchMouseEvent", type=kind, x=x, y=y, button=button, clickCount=clicks)

    def problems(self) -> list[dict]:
        """Console errors and warnings, uncaught exceptions and log errors seen so far."""
        bad = []
        for e in self.events:
            m, p = e.get("method"), e.get("params", {})
            if m == "Runtime.exceptionThrown":
                bad.append(p)
            elif m == "Runtime.consoleAPICalled" and p.get("type") in (
                "error",
                "warning",
                "assert",
            ):
                bad.append(p)
            elif m == "Log.entryAdded" and p["entry"]["level"] in ("error", "warning"):
                bad.append(p["entry"])
        return bad

    def close(self) -> None:
        try:
            self.ws.send(json.dumps({"id": self.next_id + 1, "method": "Browser.close"}))
            self.ws.close()
            self.proc.wait(timeout=10)
        except Exception:
            self.proc.kill()
            self.proc.wait(timeout=10)
        finally:
            self.log.close()


@contextmanager
def started() -> Iterator[Chromium]:
    """A running browser for a test module's fixture; skips the test when there is none."""
    exe = os.environ.get("SCHEDALG_BROWSER") or next(
        filter(None, map(shutil.which, BROWSERS)), None
    )
    if exe is None:
        pytest.skip(
            "no headless browser: install Debian's chromium (apt-get install chromium; "
            ".ci/run does) or set SCHEDALG_BROWSER to a chromium executable"
        )
    with tempfile.TemporaryDirectory(
        prefix="schedalg-chromium-", ignore_cleanup_errors=True
    ) as profile:
        b = Chromium(exe, Path(profile))
        try:
            yield b
        finally:
            b.close()


def load(browser: Chromium, where: Path | str, query: str = "") -> None:
    """Open a file (a path) or an address, and wait until the page has loaded."""
    browser.events.clear()
    for domain in ("Page", "Runtime", "Log"):
        browser.page(f"{domain}.enable")
    url = where.as_uri() if isinstance(where, Path) else where
    browser.page("Page.navigate", url=url + query)
    browser.wait_for("Page.loadEventFired")


def screenshot(browser: Chromium, path: Path, full_page: bool = False) -> None:
    """Save what the browser shows as a PNG (the whole page with ``full_page``)."""
    params: dict = {"format": "png"}
    if full_page:
        size = browser.page("Page.getLayoutMetrics")["cssContentSize"]
        params["clip"] = {"x": 0, "y": 0, "width": size["width"], "height": size["height"],
                          "scale": 1}
        params["captureBeyondViewport"] = True
    png = base64.b64decode(browser.page("Page.captureScreenshot", **params)["data"])
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    path.write_bytes(png)


def readout(browser: Chromium) -> dict:
    """The hover read-out as shown: its step line and (label, value text) per row."""
    return browser.js(
        """(() => {
        const r = document.querySelector('.schedalg-readout');
        if (r.hidden) return null;
        return {step: r.querySelector('.step').textContent,
                rows: Array.from(r.querySelectorAll('.row')).map((row) => [
                    row.querySelector('.label').textContent,
                    row.querySelector('.value').textContent,
                    row.querySelector('.at').textContent])};
        })()"""
    )
