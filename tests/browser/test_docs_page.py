"""``/docs`` renders the API reference in a real browser that can reach nothing but 127.0.0.1.

Starts the real server, then headless Debian Chromium (``python3 tools/system_deps.py test``)
with every host name unresolvable and a dead proxy for anything that is not 127.0.0.1, and
drives it over the DevTools protocol: the Swagger UI operation blocks must render, every
request the page makes must go to the server, and nothing may fail to load, throw, log an
error or violate the Content-Security-Policy. A screenshot is saved as ``docs.png`` in the
test's ``tmp_path``.
"""

import base64
import json
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.sync.client import ClientConnection, connect

from tests.support.server import ServerProcess, running_server

pytestmark = [pytest.mark.browser, pytest.mark.server]

CHROMIUM = "/usr/bin/chromium"
INSTALL_HINT = "install it with `python3 tools/system_deps.py test` (Debian package chromium)"

# Network isolation: no host name resolves except 127.0.0.1, and anything that still tries
# to leave goes to a proxy on the discard port (nothing listens there). Background services
# that would phone home are switched off.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--disable-domain-reliability",
    "--disable-client-side-phishing-detection",
    "--metrics-recording-only",
    "--mute-audio",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
    "--proxy-server=http://127.0.0.1:9",
    "--proxy-bypass-list=127.0.0.1",
    "--window-size=1280,1600",
    "--remote-debugging-address=127.0.0.1",
    "--remote-debugging-port=0",
]

# Runs in the page before its own scripts: records Content-Security-Policy violations.
RECORD_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"}`);
});
"""

# What Swagger UI rendered: one entry per visible operation block.
RENDERED_OPERATIONS = """
[...document.querySelectorAll("#swagger-ui .opblock")]
  .filter((block) => block.getBoundingClientRect().height > 0)
  .map((block) => {
    const path = block.querySelector(".opblock-summary-path");
    const method = block.querySelector(".opblock-summary-method");
    return {
      path: path ? path.getAttribute("data-path") : null,
      method: method ? method.textContent.trim() : null,
    };
  })
"""

# Swagger UI's "Failed to load API definition" box: no point waiting for operations then.
SWAGGER_ERROR_SHOWN = "document.querySelector('#swagger-ui .errors-wrapper') !== null"

RENDER_TIMEOUT = 20.0
QUIET_PERIOD = 0.5


class DevTools:
    """A minimal synchronous Chrome DevTools Protocol client for one page target."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.events: list[dict[str, Any]] = []
        self._next_id = 0

    def call(self, method: str, timeout: float = 10, **params: Any) -> dict[str, Any]:
        self._next_id += 1
        message_id = self._next_id
        self.ws.send(json.dumps({"id": message_id, "method": method, "params": params}))
        deadline = time.monotonic() + timeout
        while True:
            message = self._receive(deadline - time.monotonic())
            if message is None:
                raise TimeoutError(f"DevTools {method} did not answer within {timeout}s")
            if message.get("id") == message_id:
                if "error" in message:
                    raise RuntimeError(f"DevTools {method} failed: {message['error']}")
                result: dict[str, Any] = message.get("result", {})
                return result

    def evaluate(self, expression: str, timeout: float = 10) -> Any:
        reply = self.call(
            "Runtime.evaluate",
            timeout=timeout,
            expression=expression,
            returnByValue=True,
            awaitPromise=True,
        )
        if "exceptionDetails" in reply:
            raise RuntimeError(f"page script failed: {reply['exceptionDetails']}")
        return reply["result"].get("value")

    def pump(self, seconds: float) -> None:
        """Collect events for ``seconds``."""
        deadline = time.monotonic() + seconds
        while self._receive(deadline - time.monotonic()) is not None:
            pass

    def _receive(self, timeout: float) -> dict[str, Any] | None:
        if timeout <= 0:
            return None
        try:
            raw = self.ws.recv(timeout=timeout)
        except TimeoutError:
            return None
        message: dict[str, Any] = json.loads(raw)
        if "method" in message:
            self.events.append(message)
        return message

    def params(self, method: str) -> list[dict[str, Any]]:
        return [event["params"] for event in self.events if event["method"] == method]


@contextmanager
def chromium(tmp_path: Path) -> Iterator[DevTools]:
    """Start headless Chromium with the network blocked; yield a client for its blank page."""
    if not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)):
        found = shutil.which("chromium")
        pytest.fail(
            f"Chromium is missing: {CHROMIUM} does not exist (`which chromium`: {found}); "
            + INSTALL_HINT,
            pytrace=False,
        )
    profile = tmp_path / "chromium-profile"
    profile.mkdir()
    log_path = tmp_path / "chromium.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        port = _devtools_port(process, profile / "DevToolsActivePort", log_path)
        with httpx.Client(trust_env=False, timeout=5) as client:
            targets = client.get(f"http://127.0.0.1:{port}/json/list").json()
        page = next(target for target in targets if target["type"] == "page")
        with connect(
            page["webSocketDebuggerUrl"], proxy=None, max_size=None, open_timeout=10
        ) as ws:
            yield DevTools(ws)
    finally:
        _stop(process)


def _devtools_port(process: subprocess.Popen[bytes], port_file: Path, log_path: Path) -> int:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log = log_path.read_text(errors="replace")
            pytest.fail(f"Chromium exited with {process.returncode}:\n{log}", pytrace=False)
        lines = port_file.read_text().splitlines() if port_file.exists() else []
        if lines and lines[0].isdigit():
            return int(lines[0])
        time.sleep(0.05)
    log = log_path.read_text(errors="replace")
    pytest.fail(f"Chromium did not open its DevTools port in 20s:\n{log}", pytrace=False)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop the browser and its helper processes (its own process group)."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


def _wait_until_rendered(browser: DevTools) -> list[dict[str, str | None]]:
    """Poll until Swagger UI shows operations or its error box, a script throws, or time is up."""
    deadline = time.monotonic() + RENDER_TIMEOUT
    while time.monotonic() < deadline:
        operations: list[dict[str, str | None]] = browser.evaluate(RENDERED_OPERATIONS)
        gave_up = browser.evaluate(SWAGGER_ERROR_SHOWN)
        if operations or gave_up or browser.params("Runtime.exceptionThrown"):
            return operations
        browser.pump(0.1)
    return []


def _wait_until_network_quiet(browser: DevTools, timeout: float = 10) -> None:
    """Let late requests (fonts, images, favicon) start and finish before judging them."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        seen = len(browser.events)
        browser.pump(QUIET_PERIOD)
        started = {p["requestId"] for p in browser.params("Network.requestWillBeSent")}
        done = {p["requestId"] for p in browser.params("Network.loadingFinished")}
        done |= {p["requestId"] for p in browser.params("Network.loadingFailed")}
        if len(browser.events) == seen and started <= done:
            return


def _problems(browser: DevTools, server: ServerProcess) -> list[str]:
    """Everything that went wrong while the page loaded, one line each."""
    problems: list[str] = []
    urls = {}
    for request in browser.params("Network.requestWillBeSent"):
        url = request["request"]["url"]
        urls[request["requestId"]] = url
        if not url.startswith((server.url + "/", "data:")):
            problems.append(f"request left the server: {url}")
    for response in browser.params("Network.responseReceived"):
        if response["response"]["status"] >= 400:
            problems.append(f"HTTP {response['response']['status']}: {response['response']['url']}")
    for failure in browser.params("Network.loadingFailed"):
        url = urls.get(failure["requestId"], failure["requestId"])
        reason = failure.get("blockedReason") or failure["errorText"]
        problems.append(f"failed to load {url}: {reason}")
    for call in browser.params("Runtime.consoleAPICalled"):
        if call["type"] in ("error", "assert"):
            text = " ".join(str(arg.get("value", arg.get("description"))) for arg in call["args"])
            problems.append(f"console.{call['type']}: {text}")
    for thrown in browser.params("Runtime.exceptionThrown"):
        details = thrown["exceptionDetails"]
        problems.append(
            f"uncaught: {details.get('exception', {}).get('description', details['text'])}"
        )
    for entry in browser.params("Log.entryAdded"):
        if entry["entry"]["level"] == "error":
            problems.append(f"browser log ({entry['entry']['source']}): {entry['entry']['text']}")
    for violation in browser.evaluate("window.__cspViolations || []"):
        problems.append(f"Content-Security-Policy violation: {violation}")
    return problems


def test_docs_page_renders_the_operations_offline(tmp_path: Path) -> None:
    with running_server(tmp_path) as server, chromium(tmp_path) as browser:
        browser.call("Page.enable")
        browser.call("Runtime.enable")
        browser.call("Log.enable")
        browser.call("Network.enable")
        browser.call("Network.setCacheDisabled", cacheDisabled=True)
        browser.call("Page.addScriptToEvaluateOnNewDocument", source=RECORD_CSP_VIOLATIONS)

        # The sandbox itself: the outside world must be unreachable, or this test proves nothing.
        escaped = browser.evaluate(
            "fetch('http://example.com/', {mode: 'no-cors'}).then(() => true, () => false)"
        )
        assert escaped is False, "the browser reached example.com: the network is not blocked"
        browser.events.clear()

        browser.call("Page.navigate", url=server.url + "/docs")
        operations = _wait_until_rendered(browser)
        _wait_until_network_quiet(browser)

        screenshot = tmp_path / "docs.png"
        shot = browser.call("Page.captureScreenshot", format="png", captureBeyondViewport=True)
        screenshot.write_bytes(base64.b64decode(shot["data"]))

        title = browser.evaluate(
            "document.querySelector('#swagger-ui .info .title')?.textContent ?? null"
        )
        problems = _problems(browser, server)
        requested = [p["request"]["url"] for p in browser.params("Network.requestWillBeSent")]
        page_text = browser.evaluate("document.body ? document.body.innerText : ''")

    context = (
        f"\nscreenshot: {screenshot}\nproblems: {problems}\nrequests: {requested}\n"
        f"page text: {str(page_text)[:500]!r}\nserver log:\n" + "\n".join(server.log_lines()[-20:])
    )
    assert operations, "Swagger UI rendered no operation blocks (.opblock) on /docs" + context
    rendered = {(op["method"], op["path"]) for op in operations}
    assert {("GET", "/health"), ("GET", "/ready")} <= rendered, f"rendered: {rendered}" + context
    assert title is not None, "the API title was not rendered" + context
    assert title.startswith("Studio Bridge"), f"title: {title!r}" + context
    # The recording works (so "no request left the server" is not vacuous) and saw the page.
    for path in ("/docs", "/docs/assets/init.js", "/openapi.json"):
        assert server.url + path in requested, f"no request for {path} was seen" + context
    assert problems == [], "the /docs page did not load cleanly" + context
