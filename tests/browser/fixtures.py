"""Headless Debian Chromium driven by Playwright (never a downloaded browser).

A pytest plugin registered once in tests/conftest.py (``pytest_plugins``), so every directory
(tests/browser, tests/adversary) shares the one session-wide browser: two definitions of a
session fixture would start a second sync Playwright inside the first one's event loop.

Also the set-up the page tests share: ``log_in`` (the development login form) and
``committee_page`` (the committee page of an open election, on a desktop or a phone).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
VIEWPORTS = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}
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
            executable_path=CHROMIUM,
            headless=True,
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


VIEWPORTS = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}
"""The two screens the page tests use: a desktop, and a phone (touch, mobile emulation)."""


def log_in(context: Any, name: str, lang: str = "en") -> Any:
    """A new page of ``context`` logged in as ``name`` with the development login form."""
    page = context.new_page()
    page.goto(f"/login?lang={lang}")
    page.fill("#username", name)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))
    return page


@dataclass
class CommitteePage:
    """The committee page of an open election, in a browser context of its own. ``admin`` is
    the committee's API session (open until the test ends); ``errors`` collects every page
    error (a test ends with ``assert not cp.errors``)."""

    base_url: str
    election_id: str
    admin: Any
    trustees: list[Any]
    http: Any
    context: Any
    page: Any
    lang: str
    kind: str
    errors: list[str] = field(default_factory=list)

    def open(self) -> Any:
        """(Re)load the page and wait until it has loaded the election."""
        self.page.goto(f"/admin?election={self.election_id}&lang={self.lang}")
        self.page.wait_for_selector("body[data-admin-ready]")
        return self.page

    def fits_the_screen(self) -> bool:
        """On a phone, nothing widens the page past the screen (a desktop always fits)."""
        width = VIEWPORTS[self.kind]["viewport"]["width"]
        return bool(self.page.evaluate("document.documentElement.scrollWidth") <= width)


@pytest.fixture
def committee_page(chromium: Any, tmp_path: Path) -> Iterator[Callable[..., CommitteePage]]:
    """``committee_page(base_url, voters, lang=, kind=, prepare=, **election)``: an open
    election (created, roll, frozen, key ceremony through the API: ``open_election``, one
    trustee unless ``trustees=`` says otherwise) with ``voters`` on its roll; ``prepare(http,
    admin, election_id)`` runs before the browser opens (votes, strikes…); then the committee
    (Admin) logged in on a ``kind`` screen ("desktop" or "phone") in ``lang``, on the
    election's committee page. Contexts and HTTP clients are closed when the test ends."""
    from tests.service.helpers import open_election

    opened: list[CommitteePage] = []

    def make(
        base_url: str,
        voters: list[str],
        *,
        lang: str = "en",
        kind: str = "desktop",
        prepare: Callable[[Any, Any, str], None] | None = None,
        **election: Any,
    ) -> CommitteePage:
        election.setdefault("trustees", 1)
        election.setdefault("threshold", 1)
        http = httpx.Client(base_url=base_url, timeout=120)
        try:
            admin, eid, trustees = open_election(http, tmp_path / f"keys-{len(opened)}", voters, **election)
            if prepare is not None:
                prepare(http, admin, eid)
        except BaseException:
            http.close()
            raise
        context = chromium.new_context(base_url=base_url, **VIEWPORTS[kind])  # type: ignore[attr-defined]
        context.set_default_timeout(20_000)
        page = log_in(context, "Admin", lang)
        cp = CommitteePage(base_url, eid, admin, trustees, http, context, page, lang, kind)
        page.on("pageerror", lambda exc: cp.errors.append(str(exc)))
        opened.append(cp)
        cp.open()
        return cp

    yield make
    for cp in opened:
        cp.context.close()
        cp.http.close()
