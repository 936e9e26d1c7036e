"""Freezing a roll from the committee page, in real Chromium: the request only queues the check,
the server's worker asks the (fake, real HTTP) wiki, and the page follows the check until the
roll is stored — then shows it again after a reload. English and Simplified Chinese, desktop
and phone. Screenshots go to test-artifacts/."""

from __future__ import annotations

import re

import pytest

from app.client.http import ScrutinSession
from tests.browser.fixtures import VIEWPORTS
from tests.browser.test_eligibility_and_outbox import wiki_server  # noqa: F401
from tests.fakes.pytest_fixtures import fake_wiki, fake_wiki_server  # noqa: F401
from tests.fakes.wiki_data import STANDARD_RULES
from tests.service.helpers import election_config

pytestmark = pytest.mark.browser
pytest.importorskip("playwright.sync_api")

DONE = {
    "en": "The roll is frozen: 1 of 3 users are eligible.",
    "zh-hans": "选民名册已冻结：3 名用户中有 1 名具有投票资格。",
}


@pytest.mark.parametrize("kind", ["desktop", "phone"])
@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_the_page_follows_the_roll_check_to_the_end(
    chromium,
    wiki_server,
    artifacts,
    lang,  # noqa: F811
    kind,
) -> None:
    admin = ScrutinSession(wiki_server).dev_login("Admin")
    eid = admin.post(
        "/api/v1/elections",
        election_config(election_id=f"frozen-{lang}-{kind}", trustees=1, threshold=1, candidates=2),
    )["id"]
    admin.request(
        "PUT", f"/api/v1/elections/{eid}/eligibility", {"roll_mode": "frozen", "rules": STANDARD_RULES}
    )
    context = chromium.new_context(base_url=wiki_server, **VIEWPORTS[kind])
    context.set_default_timeout(20_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.goto(f"/login?lang={lang}")
    page.fill("#username", "Admin")
    page.click("#login-form button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))
    page.goto(f"/admin?election={eid}&lang={lang}")
    page.wait_for_selector("body[data-admin-ready='1']")
    page.fill("#preview-users", "Alice\nNewbie\nBlocked User")
    page.click("#freeze-roll")
    page.locator("#confirm-dialog[open]").wait_for()
    with page.expect_response(
        lambda r: r.request.method == "POST" and r.url.endswith(f"/{eid}/roll/freeze")
    ) as queued:
        page.click("#confirm-ok")
    assert queued.value.status == 202 and queued.value.json()["status"] == "queued"
    status = page.locator("#roll-check-status")
    status.filter(has_text=DONE[lang]).wait_for()
    page.screenshot(path=str(artifacts / f"roll-check-{lang}-{kind}.png"), full_page=True)
    assert admin.get(f"/api/v1/elections/{eid}/roll?limit=10")["total"] == 3
    page.reload()  # the last check is shown again when the election is opened
    page.wait_for_selector("body[data-admin-ready='1']")
    status.filter(has_text=DONE[lang]).wait_for()
    if kind == "phone":
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert not errors, errors
    context.close()
