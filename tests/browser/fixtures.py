"""Headless Debian Chromium driven by Playwright (never a downloaded browser).

A pytest plugin registered once in tests/conftest.py (``pytest_plugins``), so every directory
(tests/browser, tests/adversary) shares the one session-wide browser: two definitions of a
session fixture would start a second sync Playwright inside the first one's event loop.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
VIEWPORTS = {"desktop": {"viewport": {"width": 1280, "height": 800}},
             "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True,
                       "has_touch": True}}
"""The two screens page tests run on (``browser.new_context(**VIEWPORTS[kind])``)."""


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    sync_api = pytest.importorskip("playwright.sync_api")
    if not os.path.exists(CHROMIUM):
        # CI sets SCRUTIN_REQUIRE_BROWSER=1: there a missing browser is a failure, not a skip.
        if os.environ.get("SCRUTIN_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is missing but SCRUTIN_REQUIRE_BROWSER=1")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    # A fresh, throw-away profile directory for every run (Playwright's launch() would make one
    # too; making it here keeps it explicit and lets us remove it).
    profile = tempfile.mkdtemp(prefix="scrutin-chromium-")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=[*CHROMIUM_ARGS, f"--disk-cache-dir={profile}/cache"],
            env={**os.environ, "HOME": profile},
        )
        try:
            yield browser
        finally:
            browser.close()
            shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
