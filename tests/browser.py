"""Headless Chromium for the browser tests: a local web server for a directory, a page
driven through selenium with Debian's chromedriver, and calls into the page's functions.

Chromium runs WebGPU on SwiftShader with the flags in DESIGN §4; the tests skip (with the
reason) only where Debian's ``chromium`` or ``chromium-driver`` is missing.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")

needs_chromium = pytest.mark.skipif(
    CHROMIUM is None or CHROMEDRIVER is None,
    reason="needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)",
)

FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--enable-unsafe-webgpu",
    "--enable-features=Vulkan",
    "--use-vulkan=swiftshader",
    "--use-webgpu-adapter=swiftshader",
    "--disable-background-networking",
    "--no-first-run",
    "--disable-dev-shm-usage",
)


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves a directory quietly, remembering every path asked for."""

    requested: list[str]

    def log_message(self, *args) -> None:
        self.requested.append(self.path)


@contextlib.contextmanager
def serve(root: Path, requested: list[str] | None = None) -> Iterator[str]:
    """Serve ``root`` on localhost for the duration; yields its base URL. Paths asked for
    are appended to ``requested``."""
    handler = functools.partial(
        type("Handler", (_Handler,), {"requested": [] if requested is None else requested}),
        directory=str(root),
    )
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


@contextlib.contextmanager
def open_page(url: str, ready: str = "window.attnccReady === true", wait: float = 10.0):
    """A headless Chromium on ``url``, once the page's script says it is ready."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_script_timeout(120)
    try:
        driver.get(url)
        deadline = time.monotonic() + wait
        while not driver.execute_script(f"return {ready}") and time.monotonic() < deadline:
            time.sleep(0.1)
        yield driver
    finally:
        driver.quit()


def call(driver, fn: str, *args):
    """``await window.fn(...args)`` in the page; a rejection fails the test with its stack."""
    script = (
        "const done = arguments[arguments.length - 1];"
        f"window.{fn}(...Array.from(arguments).slice(0, -1))"
        ".then((r) => done({ok: r}), (e) => done({error: String(e && e.stack || e)}));"
    )
    reply = driver.execute_async_script(script, *args)
    assert "error" not in reply, reply.get("error")
    return reply["ok"]
