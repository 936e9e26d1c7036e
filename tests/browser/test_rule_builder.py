"""The eligibility rule builder in real Chromium: SecurePoll's terms as form fields write the
rules JSON that app/eligibility/rules.py reads (checked by parsing it, and by what the server
stored); the JSON, edited by hand, fills the builder back; an error — the builder's own or the
server's, which names the field — is shown next to the field. English and Simplified Chinese,
desktop and phone; screenshots in test-artifacts/."""

from __future__ import annotations

import json
import re

import httpx
import pytest

from app.eligibility.rules import parse_rules
from tests.browser.test_booth_integrity import server  # noqa: F401 - the live server fixture
from tests.fakes.wiki_data import STANDARD_RULES
from tests.service.helpers import ADMIN, election_config, login

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api").expect
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
FILL = {
    "wiki": "enwiki",
    "rules-min_edits": "100",
    "rules-edits_before-count": "10",
    "rules-edits_before-date": "2025-01-01",
    "rules-edits_between-count": "2",
    "rules-edits_between-start": "2024-01-01",
    "rules-edits_between-end": "2025-01-01",
    "rules-edits_between-namespaces": "4",
    "rules-registered_before": "2024-11-01",
    "rules-not_blocked-global_threshold": "3",
    "rules-need_groups": "extendedconfirmed, autoconfirmed",
    "rules-include": "Alice@dewiki\nBob",
    "message": "See the election page.",
}
EXPECTED = {
    "wiki": "enwiki",
    "message": "See the election page.",
    "rules": {
        "min_edits": 100,
        "edits_before": {"count": 10, "date": "2025-01-01"},
        "edits_between": {"count": 2, "start": "2024-01-01", "end": "2025-01-01", "namespaces": [4]},
        "registered_before": "2024-11-01",
        "not_blocked": {"scope": "sitewide", "global_threshold": 3},
        "not_locked": True,
        "not_bot": True,
        "need_groups": ["extendedconfirmed", "autoconfirmed"],
        "include": ["Alice@dewiki", "Bob"],
    },
}
NEED_DATE = {"en": "Give the date.", "zh-hans": "请填写日期。"}
INVALID_RULES = {"en": "rules.need_groups[0]:", "zh-hans": "投票资格规则无效。"}
NO_PATH = {"en": "A group name is not valid.", "zh-hans": "组名无效。"}


@pytest.mark.parametrize("kind", ["desktop", "phone"])
@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_builder_writes_the_rules_json(chromium, server, artifacts, lang, kind) -> None:  # noqa: F811
    with httpx.Client(base_url=server, timeout=60) as http:
        eid = login(http, ADMIN, server).post("/api/v1/elections", election_config())["id"]
    context = chromium.new_context(base_url=server, viewport=VIEWPORTS[kind])
    context.set_default_timeout(20_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"/login?lang={lang}")
    page.fill("#username", "Admin")
    page.click("#login-form button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))
    page.goto(f"/admin?election={eid}&lang={lang}")
    page.wait_for_selector("#rule-builder-fields [data-path]")

    # a window without its date: the builder says so next to the date
    page.fill("#rb-rules-edits_before-count", "10")
    expect(page.locator("#rb-rules-edits_before-date-error")).to_have_text(NEED_DATE[lang])
    for suffix, value in FILL.items():
        page.fill(f"#rb-{suffix}", value)
    page.select_option("#rb-rules-not_blocked-scope", "sitewide")
    page.check("#rb-rules-not_locked")
    page.check("#rb-rules-not_bot")
    assert page.locator("#elig-form .field-error").count() == 0
    written = json.loads(page.input_value("#elig-rules"))
    assert written == EXPECTED
    assert parse_rules(written).to_json() == parse_rules(EXPECTED).to_json()
    page.locator("#rule-builder").scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / f"rule-builder-{lang}-{kind}.png"), full_page=True)
    page.select_option("#elig-mode", "frozen")
    page.click("#elig-form button[type=submit]")
    expect(page.locator("#elig-result")).not_to_be_empty()
    log = page.evaluate(f"fetch('/api/v1/elections/{eid}/audit').then(r => r.json())")
    stored = [e for e in log["entries"] if e["action"] == "eligibility.rules"][-1]["detail"]
    assert stored["roll_mode"] == "frozen"
    assert stored["rules"] == parse_rules(EXPECTED).to_json()

    # reloaded, the page fills the builder and the roll mode from the saved rules
    # (GET /eligibility); one field changed and saved reaches the server
    page.reload()
    page.wait_for_selector("body[data-admin-ready]")
    expect(page.locator("#rb-rules-min_edits")).to_have_value("100")
    for suffix, value in FILL.items():
        assert page.input_value(f"#rb-{suffix}") == value, suffix
    assert page.input_value("#rb-rules-not_blocked-scope") == "sitewide"
    assert page.is_checked("#rb-rules-not_locked") and page.is_checked("#rb-rules-not_bot")
    assert page.input_value("#elig-mode") == "frozen"
    assert json.loads(page.input_value("#elig-rules")) == parse_rules(EXPECTED).to_json()
    page.fill("#rb-rules-min_edits", "120")
    page.click("#elig-form button[type=submit]")
    expect(page.locator("#elig-result")).not_to_be_empty()
    saved = page.evaluate(f"fetch('/api/v1/elections/{eid}/eligibility').then(r => r.json())")
    assert saved["roll_mode"] == "frozen" and saved["rules"]["rules"]["min_edits"] == 120
    assert saved["rules"]["rules"]["need_groups"] == ["extendedconfirmed", "autoconfirmed"]

    # the server's refusal names the field in its machine-readable `field`: shown next to
    # that field, focused, with the detail in the page's language
    page.fill("#rb-rules-need_groups", "extended confirmed")
    with page.expect_response(
        lambda r: r.url.endswith(f"/{eid}/eligibility") and r.request.method == "PUT"
    ) as refused:
        page.click("#elig-form button[type=submit]")
    body = refused.value.json()
    assert (refused.value.status, body["error"]) == (422, "invalid_rules")
    assert body["field"] == "rules.need_groups[0]"
    note = page.locator("#rb-rules-need_groups-error")
    expect(note).to_contain_text(INVALID_RULES[lang])
    assert page.evaluate("document.activeElement.id") == "rb-rules-need_groups"
    assert page.locator("#elig-form .field-error").count() == 1

    # the page finds the field from `field` alone, not from the text: the same refusal with
    # a detail that names no path (the server's answer, its detail replaced) still lands there
    def without_path(route) -> None:  # type: ignore[no-untyped-def]
        answer = route.fetch()
        route.fulfill(response=answer, json={**answer.json(), "detail": NO_PATH[lang]})

    page.route(f"**/api/v1/elections/{eid}/eligibility", without_path)
    page.fill("#rb-rules-edits_before-date", "2025-01-01")
    page.fill("#rb-rules-need_groups", "sysop, extended confirmed")
    page.click("#elig-form button[type=submit]")
    expect(note).to_contain_text(NO_PATH[lang])
    assert page.evaluate("document.activeElement.id") == "rb-rules-need_groups"
    page.unroute(f"**/api/v1/elections/{eid}/eligibility")

    # the expert's JSON fills the builder (unknown keys are kept)
    page.fill("#elig-rules", json.dumps({**STANDARD_RULES, "version": 1}))
    page.dispatch_event("#elig-rules", "change")
    assert page.input_value("#rb-rules-min_edits") == "100"
    assert page.input_value("#rb-rules-edits_between-namespaces") == "4"
    assert page.is_checked("#rb-rules-not_bot")
    assert page.input_value("#rb-rules-need_groups") == ""
    page.fill("#rb-rules-min_edits", "150")
    rewritten = json.loads(page.input_value("#elig-rules"))
    assert rewritten["version"] == 1 and rewritten["rules"]["min_edits"] == 150
    assert (
        parse_rules(rewritten).to_json()
        == parse_rules({**STANDARD_RULES, "rules": {**STANDARD_RULES["rules"], "min_edits": 150}}).to_json()
    )
    if kind == "phone":
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert not errors, errors
    context.close()
