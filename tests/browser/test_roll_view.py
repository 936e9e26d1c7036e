"""The committee's roll view of an open election in real Chromium: who is on the roll
(eligible, why, when added), 50 at a time, searched by a part of the name; English and
Simplified Chinese, desktop and phone (the shared ``committee_page`` set-up,
tests/browser/fixtures.py); screenshots in test-artifacts/."""

from __future__ import annotations

import pytest

from tests.browser.test_booth_integrity import server  # noqa: F401 - the live server fixture

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api").expect
SUMMARY = {"en": "61 on the roll, 61 of them eligible.", "zh-hans": "名册上共 61 人，其中 61 人合资格。"}


@pytest.mark.parametrize("kind", ["desktop", "phone"])
@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_roll_view_pages_and_search(committee_page, server, artifacts, lang, kind) -> None:  # noqa: F811
    names = [f"Voter{i:02d}" for i in range(60)] + ["Zhang San"]
    cp = committee_page(server, names, lang=lang, kind=kind)
    page = cp.page
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
    assert cp.fits_the_screen()
    assert not cp.errors, cp.errors
