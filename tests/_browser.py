"""Debian's chromium, driven headless by Playwright, with no browser download and no network.

Where chromium is missing the browser tests fail in CI (``CI=true``: a skipped check would hide
a missing install step) and are skipped elsewhere, saying how to install it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("SIM_CHROMIUM", "/usr/bin/chromium"))
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
LOCAL = ("http://127.0.0.1", "ws://127.0.0.1", "file:", "data:", "blob:", "about:")
ARTEFACTS = Path(__file__).resolve().parents[1] / "reports" / "test-artefacts"


def require_chromium() -> None:
    if CHROMIUM.is_file():
        return
    message = f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium), as .ci/run does"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@contextlib.contextmanager
def offline_page(viewport: tuple[int, int] = (1300, 1000)):
    """A fresh chromium profile and page; every request that leaves this machine is refused and
    listed in ``page.refused``, and JavaScript errors are collected in ``page.js_errors``."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="sim-chromium-")
    try:
        with sync_playwright() as playwright:
            context = playwright.chromium.launch_persistent_context(
                profile, executable_path=str(CHROMIUM), headless=True, args=ARGS,
                viewport={"width": viewport[0], "height": viewport[1]})
            try:
                refused: list[str] = []

                def local_only(route):
                    if route.request.url.startswith(LOCAL):
                        route.continue_()
                    else:
                        refused.append(route.request.url)
                        route.abort()

                context.route("**/*", local_only)
                page = context.new_page()
                page.refused = refused
                page.js_errors = []
                page.on("pageerror", lambda error: page.js_errors.append(str(error)))
                yield page
            finally:
                context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)
