"""The public board on the results page in real Chromium: one readable, translated row per
event (what happened, in words), the payload only on demand, pages of 25 events with Previous
and Next (the API's ?after= paging), a type filter with translated names; English and Simplified
Chinese, desktop and phone (no sideways scrolling, a page of events far shorter than the raw
JSON made it). Screenshots in test-artifacts/."""

from __future__ import annotations

import httpx
import pytest

from tests.browser.test_booth_integrity import server  # noqa: F401 - the live server fixture
from tests.service.helpers import open_election, voter

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api").expect
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
WORDS = {
    "en": {
        "joined": "Trustee 1 joined the key ceremony.",
        "cast": "An encrypted ballot was cast",
        "type": "Ballot cast",
        "closed": "Voting closed (by the committee). Reason: end",
        "data": "Show the data",
    },
    "zh-hans": {
        "joined": "受托人 1 加入了密钥仪式。",
        "cast": "投出了一张加密选票",
        "type": "已投票",
        "closed": "投票已结束（由选举委员会）。 理由：end",
        "data": "显示数据",
    },
}


@pytest.mark.parametrize("kind", ["desktop", "phone"])
@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_board_reads_as_sentences_in_pages(
    chromium,
    server,
    tmp_path,
    artifacts,  # noqa: F811
    lang,
    kind,
) -> None:
    names = [f"V{i}" for i in range(12)]
    with httpx.Client(base_url=server, timeout=120) as http:
        admin, eid, _ = open_election(http, tmp_path, names, trustees=1, threshold=1)
        trackers = [voter(http, eid, n).cast([[1, 0, -1]])["tracker"] for n in names]
        admin.post(f"/api/v1/elections/{eid}/close", {"reason": "end"})
        board = http.get(f"/api/v1/elections/{eid}/board?limit=1000").json()
    total = len(board["events"])
    assert total > 25  # the ceremony, 12 credentials and 12 ballots, opening, closing, the roll
    words = WORDS[lang]
    context = chromium.new_context(base_url=server, viewport=VIEWPORTS[kind])
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"/elections/{eid}/results?lang={lang}")
    rows = page.locator("#board-rows tr")
    expect(rows).to_have_count(25)
    assert rows.first.get_attribute("id") == "event-1"
    text = page.locator("#board-rows").inner_text()
    assert words["joined"] in text and words["cast"] in text
    assert '{"' not in text  # no raw JSON until asked for
    # the payload on demand
    cast = page.locator("#board-rows tr[data-type='ballot_cast']").first
    details = cast.locator("details.payload")
    assert not details.locator("pre").is_visible()
    details.locator("summary").click()
    assert cast.get_attribute("data-tracker") in details.locator("pre").inner_text()
    assert details.locator("summary").inner_text() == words["data"]
    page.screenshot(path=str(artifacts / f"board-{lang}-{kind}.png"), full_page=True)
    if kind == "phone":
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # the next page, and back
    page.click("#board-next")
    expect(rows.first).to_have_attribute("id", "event-26")
    expect(rows).to_have_count(total - 25)
    assert words["closed"] in page.locator("#board-rows").inner_text()
    assert page.locator("#board-next").is_disabled()
    assert f"26–{total}" in page.locator("#board-page").inner_text()
    page.click("#board-prev")
    expect(rows.first).to_have_attribute("id", "event-1")
    assert page.locator("#board-prev").is_disabled()
    # the filter: ballots only, its option named in the page's language
    page.select_option("#board-filter", label=words["type"])
    expect(rows).to_have_count(len(trackers))
    shown = rows.evaluate_all("rows => rows.map(r => r.dataset.tracker)")
    assert shown == [e["payload"]["tracker"] for e in board["events"] if e["type"] == "ballot_cast"]
    assert set(shown) == set(trackers)
    assert not errors, errors
    context.close()
