"""The committee page's wiki buttons in headless Chromium, against the fake wiki: announce an
open election to its roll (preview, then send with progress), then publish the results of a
finished one on a wiki page (preview, refusal of a page someone changed, forced publish).
Screenshots go to test-artifacts/."""

from __future__ import annotations

import pytest

from app.local_server import free_port, live_server
from tests.fakes.pytest_fixtures import fake_wiki, fake_wiki_server  # noqa: F401
from tests.service.helpers import voter
from tests.wiki.helpers import BOT, wiki_settings

pytestmark = pytest.mark.browser
pytest.importorskip("playwright.sync_api")

PAGE = "Wikipedia:Election/Results"


def test_announce_and_publish_from_the_committee_page(
    database_url,
    tmp_path,
    fake_wiki,  # noqa: F811
    committee_page,
    artifacts,
) -> None:
    farm = fake_wiki.farm
    port = free_port()
    settings = wiki_settings(database_url, tmp_path, fake_wiki, base_url=f"http://127.0.0.1:{port}")
    with live_server(settings, port=port) as url:
        cp = committee_page(url, ["Alice@enwiki", "Multi"])
        page, http, admin, eid = cp.page, cp.http, cp.admin, cp.election_id
        page.wait_for_selector("#wiki-announce-box:not([hidden])")
        assert page.is_hidden("#wiki-results-box")  # no results yet
        page.fill("#wiki-announce-subject", "Vote in the test election")
        page.fill("#wiki-announce-body", "Voting is open until the end of the month.")
        page.click("#wiki-announce-preview")
        page.wait_for_selector("#wiki-announce-status:has-text('2 voters would get it')")
        assert not farm.edits_by(BOT)
        page.click("#wiki-announce-send")
        page.wait_for_selector("#wiki-announce-status:has-text('2 sent')")
        page.screenshot(path=str(artifacts / "wiki-announce.png"))
        for name in ("Alice", "Multi"):
            assert "== Vote in the test election ==" in farm.page_text("enwiki", f"User talk:{name}")
        page.wait_for_selector("#outbox-rows >> text=wiki-talk")

        voter(http, eid, "Alice").cast([[1, -1, 0]])
        admin.post(f"/api/v1/elections/{eid}/close", {"reason": "end"})
        admin.post(f"/api/v1/elections/{eid}/tally/start")
        cp.trustees[0].decrypt()
        page.goto(f"/admin?election={eid}")
        page.wait_for_selector("#wiki-results-box:not([hidden])")
        page.fill("#wiki-results-page", PAGE)
        page.click("#wiki-results-preview")
        page.wait_for_selector("#wiki-results-status:has-text('the page would be created')")
        assert "wikitable" in page.inner_text("#wiki-results-text")
        page.click("#wiki-results-publish")
        page.wait_for_selector("#wiki-results-status:has-text('Published on')")
        farm.put_page("enwiki", PAGE, "someone else's text", user="Other")
        page.click("#wiki-results-publish")
        page.wait_for_selector("#wiki-results-status.error")
        assert "changed since the last publish" in page.inner_text("#wiki-results-status")
        page.check("#wiki-results-force")
        page.click("#wiki-results-publish")
        page.wait_for_selector("#wiki-results-status:has-text('Published on')")
        page.screenshot(path=str(artifacts / "wiki-results.png"))
        assert "wikitable" in farm.page_text("enwiki", PAGE)
        assert cp.errors == []
