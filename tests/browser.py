"""Headless Chromium driven over the DevTools protocol, for tests of the pages as a person uses them: load a
page, wait for a condition, read the DOM, click or type, record every request the page made, run axe-core,
take a screenshot.

    with Browser(tmp_path) as browser:
        page = browser.open(f"{live_url}/map?at=1997-07-08")
        page.wait_for("document.querySelectorAll('path.country.ally').length > 0")
        assert page.evaluate("document.title") == "Map · natokg"
        assert page.foreign_requests(live_url) == []

Only Debian's `chromium` and the `websockets` package (a dependency of uvicorn[standard]) are needed; axe-core
comes from tests/clients/node_modules (npm ci --prefix tests/clients).
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
import time
from contextlib import ExitStack
from pathlib import Path
from types import TracebackType
from typing import Any

from websockets.sync.client import ClientConnection, connect

CHROMIUM = shutil.which("chromium")
AXE = Path(__file__).resolve().parent / "clients" / "node_modules" / "axe-core" / "axe.min.js"
SKIP_REASON = "headless Chromium is not installed (apt-get install -y chromium; .ci/run does it)"


class BrowserError(AssertionError):
    pass


class Page:
    """One tab: commands are sent and their answers awaited; events are kept (requests, console errors)."""

    def __init__(self, ws: ClientConnection) -> None:
        self._ws = ws
        self._next = 0
        self.requests: list[str] = []
        self.errors: list[str] = []
        self._loaded = False

    def send(self, method: str, params: dict[str, Any] | None = None, *, timeout: float = 60) -> dict[str, Any]:
        self._next += 1
        ident = self._next
        self._ws.send(json.dumps({"id": ident, "method": method, "params": params or {}}))
        deadline = time.monotonic() + timeout
        while True:
            message = json.loads(self._ws.recv(timeout=max(0.1, deadline - time.monotonic())))
            if message.get("id") == ident:
                if "error" in message:
                    raise BrowserError(f"{method}: {message['error']}")
                return dict(message.get("result", {}))
            self._event(message)

    def _event(self, message: dict[str, Any]) -> None:
        method, params = message.get("method"), message.get("params", {})
        if method == "Network.requestWillBeSent":
            self.requests.append(params["request"]["url"])
        elif method == "Runtime.exceptionThrown":
            self.errors.append(json.dumps(params["exceptionDetails"])[:2000])
        elif method == "Runtime.consoleAPICalled" and params.get("type") == "error":
            self.errors.append(" ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", [])))
        elif method == "Page.loadEventFired":
            self._loaded = True

    def goto(self, url: str, *, timeout: float = 60) -> Page:
        self._loaded = False
        self.send("Page.navigate", {"url": url})
        self.wait_for("document.readyState === 'complete'", timeout=timeout)
        return self

    def evaluate(self, expression: str, *, timeout: float = 60) -> Any:
        """The value of a JavaScript expression (awaited when it is a promise), as JSON."""
        answer = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True},
                           timeout=timeout)
        if "exceptionDetails" in answer:
            raise BrowserError(f"{expression[:200]}: {json.dumps(answer['exceptionDetails'])[:1500]}")
        return answer.get("result", {}).get("value")

    def wait_for(self, condition: str, *, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while not self.evaluate(f"Boolean({condition})"):
            if time.monotonic() > deadline:
                raise BrowserError(f"timed out after {timeout} s waiting for {condition}; errors: {self.errors}")
            time.sleep(0.1)

    def click(self, selector: str) -> None:
        self.evaluate(f"document.querySelector({json.dumps(selector)}).click()")

    def press(self, key: str) -> None:
        """A key pressed and released on the focused element (Tab, Enter, ArrowRight, a letter...)."""
        codes = {"Tab": 9, "Enter": 13, "Escape": 27, "ArrowLeft": 37, "ArrowUp": 38, "ArrowRight": 39, "ArrowDown": 40}
        params = {"key": key, "code": key, "windowsVirtualKeyCode": codes.get(key, ord(key.upper()[0]))}
        if len(key) == 1 or key == "Enter":  # a key that types: Enter's "\r" is what makes a focused button act
            params["text"] = "\r" if key == "Enter" else key
        self.send("Input.dispatchKeyEvent", {"type": "keyDown", **params})
        self.send("Input.dispatchKeyEvent", {"type": "keyUp", **params})

    def type(self, text: str) -> None:
        self.send("Input.insertText", {"text": text})

    def screenshot(self, path: Path) -> Path:
        data = self.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})["data"]
        path.write_bytes(base64.b64decode(data))
        return path

    def foreign_requests(self, base_url: str) -> list[str]:
        """The requests that left the page's own server (data: and blob: URLs are not requests)."""
        allowed = re.compile(rf"^({re.escape(base_url)}/|data:|blob:|about:)")
        return [url for url in self.requests if not allowed.match(url)]

    def axe(self, *, impacts: tuple[str, ...] = ("serious", "critical")) -> list[dict[str, Any]]:
        """axe-core's WCAG 2.1 A/AA violations of the page as it is now, of the given impacts."""
        if not AXE.exists():
            raise BrowserError(f"{AXE} is missing: run npm ci --prefix tests/clients")
        self.evaluate(AXE.read_text(encoding="utf-8") + "\n;true")
        found = self.evaluate("axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
                              ".then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
                              " nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))})))", timeout=120)
        return [v for v in found if v["impact"] in impacts]


class Browser:
    """A headless Chromium with its own profile; `open()` gives a fresh tab."""

    def __init__(self, profile: Path, *, width: int = 1280, height: int = 1000) -> None:
        self.profile = profile
        self.size = (width, height)
        self._process: subprocess.Popen[str] | None = None
        self._endpoint = ""
        self._pages = ExitStack()  # the tabs' DevTools connections, closed with the browser

    def __enter__(self) -> Browser:
        if CHROMIUM is None:
            raise BrowserError(SKIP_REASON)
        self.profile.mkdir(parents=True, exist_ok=True)
        log = self.profile / "chromium.log"
        with log.open("w") as out:  # a file, not a pipe: chromium's chatter must never fill a pipe and block it
            self._process = subprocess.Popen(
                [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions",
                 f"--user-data-dir={self.profile / 'data'}", f"--window-size={self.size[0]},{self.size[1]}",
                 "--remote-debugging-port=0", "--remote-allow-origins=*", "about:blank"],
                stdout=subprocess.DEVNULL, stderr=out, text=True)
        deadline = time.monotonic() + 60
        while not self._endpoint and time.monotonic() < deadline and self._process.poll() is None:
            found = re.search(r"DevTools listening on (ws://\S+)", log.read_text(errors="replace"))
            if found:
                self._endpoint = found.group(1)
            else:
                time.sleep(0.05)
        if not self._endpoint:
            self.__exit__(None, None, None)
            raise BrowserError("chromium did not print its DevTools endpoint")
        return self

    def open(self, url: str | None = None) -> Page:
        with connect(self._endpoint, max_size=None) as browser_ws:
            browser_ws.send(json.dumps({"id": 1, "method": "Target.createTarget", "params": {"url": "about:blank"}}))
            while True:
                message = json.loads(browser_ws.recv(timeout=30))
                if message.get("id") == 1:
                    target = message["result"]["targetId"]
                    break
        port = re.search(r":(\d+)/", self._endpoint)
        assert port is not None
        ws = self._pages.enter_context(connect(f"ws://127.0.0.1:{port.group(1)}/devtools/page/{target}", max_size=None))
        page = Page(ws)
        for domain in ("Page", "Runtime", "Network"):
            page.send(f"{domain}.enable")
        page.send("Emulation.setDeviceMetricsOverride",
                  {"width": self.size[0], "height": self.size[1], "deviceScaleFactor": 1, "mobile": False})
        if url is not None:
            page.goto(url)
        return page

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        self._pages.close()
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
