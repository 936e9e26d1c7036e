"""The committee's roll view in real Chromium: who is on the roll (eligible, why, when added),
50 at a time, searched by a part of the name; English and Simplified Chinese, desktop and
phone; screenshots in test-artifacts/."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.browser.test_booth_integrity import server  # noqa: F401 - the live server fixture
from tests.service.helpers import ADMIN, election_config, login

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api").expect
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
SUMMARY = {"en": "61 on the roll, 61 of them eligible.", "zh-hans": "名册上共 61 人，其中 61 人合资格。"}


@pytest.mark.parametrize("kind", ["desktop", "phone"])
@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_roll_view_pages_and_search(chromium, server, artifacts, lang, kind) -> None:  # noqa: F811
    names = [f"Voter{i:02d}" for i in range(60)] + ["Zhang San"]
    with httpx.Client(base_url=server, timeout=60) as http:
        admin = login(http, ADMIN, server)
        eid = admin.post("/api/v1/elections", election_config())["id"]
        admin.post(f"/api/v1/elections/{eid}/roll", {"usernames": names})
    context = chromium.new_context(base_url=server, viewport=VIEWPORTS[kind])
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"/login?lang={lang}")
    page.fill("#username", "Admin")
    page.click("#login-form button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))
    page.goto(f"/admin?election={eid}&lang={lang}")
    rows = page.locator("#roll-rows tr")
    expect(rows).to_have_count(50)
    expect(page.locator("#roll-summary")).to_contain_text(SUMMARY[lang])
    assert rows.first.get_attribute("data-user") == "Voter00"
    page.click("#roll-next")
    expect(rows).to_have_count(11)
    assert rows.last.get_attribute("data-user") == "Zhang San"
    assert page.locator("#roll-next").is_disabled()
    page.fill("#roll-query", "zhang")
    page.press("#roll-query", "Enter")
    expect(rows).to_have_count(1)
    assert rows.first.get_attribute("data-user") == "Zhang San"
    page.locator("#roll-view-h").scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / f"roll-view-{lang}-{kind}.png"))
    page.fill("#roll-query", "voter1")
    page.click("#roll-search button[type=submit]")
    expect(rows).to_have_count(10)
    if kind == "phone":
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert not errors, errors
    context.close()
