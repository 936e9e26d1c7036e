"""The committee form's validation in real Chromium: a time that the election's zone skips
(DST gap) is refused next to its field; a time it shows twice (DST overlap) is asked about
explicitly and saved as the instant chosen; a schedule in the past is warned about and saved
only when confirmed; missing candidates are shown next to the candidates. Each error is next
to its field, scrolled into view and focused, and nothing is sent. English and Simplified
Chinese, desktop and phone; screenshots in test-artifacts/."""

from __future__ import annotations

import json
import re

import pytest

from tests.browser.test_booth_integrity import server  # noqa: F401 - the live server fixture

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api").expect
VIEWPORTS = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}
WORDS = {
    "en": {
        "gap": "does not exist in Europe/Berlin",
        "twice": "happens twice",
        "past": "in the past",
        "candidates": "needs at least one candidate",
    },
    "zh-hans": {
        "gap": "在 Europe/Berlin 不存在",
        "twice": "会出现两次",
        "past": "已经过去",
        "candidates": "问题 1",
    },
}


def _in_view(page, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    height = page.viewport_size["height"]
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height


@pytest.mark.parametrize("kind", ["desktop", "phone"])
@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_schedule_and_field_errors(chromium, server, artifacts, lang, kind) -> None:  # noqa: F811
    words = WORDS[lang]
    tag = f"{lang}-{kind}"
    context = chromium.new_context(base_url=server, **VIEWPORTS[kind])
    context.set_default_timeout(30_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sent: list[dict] = []
    page.on(
        "request",
        lambda r: (
            sent.append(json.loads(r.post_data))
            if r.method == "POST" and r.url.endswith("/api/v1/elections")
            else None
        ),
    )
    page.goto(f"/login?lang={lang}")
    page.fill("#username", "Admin")
    page.click("#login-form button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))
    page.goto(f"/admin?lang={lang}")
    page.wait_for_selector("body[data-admin-ready='1']")
    page.click("#new-election")
    page.fill("#f-id", f"forms-{tag}")
    page.fill("#f-title-en", "Form checks")
    question = page.locator(".question-editor").first
    question.locator(".q-title[data-lang='en']").fill("Stewards")
    page.select_option("#f-timezone", "Europe/Berlin")

    # no candidates: the error is next to the candidates, in view, focused
    page.fill("#f-start", "2031-07-01T12:00")
    page.fill("#f-end", "2031-07-08T12:00")
    page.click("#save-election")
    note = page.locator(".question-editor .field-error.error").first
    expect(note).to_contain_text(words["candidates"])
    assert page.evaluate("document.activeElement.classList.contains('q-candidates')")
    assert page.evaluate("document.activeElement.getAttribute('aria-invalid')") == "true"
    assert sent == []
    question.locator(".q-candidates[data-lang='en']").fill("Ann\nBen")

    # a skipped time (30 March 2031, 02:00 → 03:00 in Berlin)
    page.fill("#f-start", "2031-03-30T02:30")
    page.click("#save-election")
    expect(page.locator("#f-start-error")).to_contain_text(words["gap"])
    assert page.evaluate("document.activeElement.id") == "f-start"
    assert _in_view(page, "#f-start-error")
    page.screenshot(path=str(artifacts / f"form-gap-{tag}.png"))
    assert sent == []

    # a time shown twice (26 October 2031, 03:00 → 02:00): asked, then saved as chosen
    page.fill("#f-start", "2031-10-26T02:30")
    page.fill("#f-end", "2031-11-02T12:00")
    page.click("#save-election")
    choice = page.locator("#f-start-fold")
    expect(choice.locator("legend")).to_contain_text(words["twice"])
    expect(choice.locator("input[type=radio]")).to_have_count(2)
    assert page.locator("#f-start-error").is_visible()
    page.screenshot(path=str(artifacts / f"form-overlap-{tag}.png"))
    assert sent == []
    (choice.locator("label").nth(1).tap if kind == "phone" else choice.locator("label").nth(1).click)()
    page.click("#save-election")
    page.wait_for_selector("#manage-sections:not([hidden])")
    assert sent[-1]["schedule"] == {
        "start": "2031-10-26T02:30+01:00",
        "end": "2031-11-02T12:00",
        "timezone": "Europe/Berlin",
    }
    saved = page.evaluate(f"fetch('/api/v1/elections/forms-{tag}').then(r => r.json())")
    assert saved["schedule"]["start_utc"] == "2031-10-26T01:30:00+00:00"

    # a start in the past (2020): warned next to the field, saved only when confirmed
    page.fill("#f-start", "2020-01-01T12:00")
    page.click("#save-election")
    page.locator("#confirm-dialog[open]").wait_for()
    expect(page.locator("#f-start-warn")).to_contain_text(words["past"])
    page.screenshot(path=str(artifacts / f"form-past-{tag}.png"))
    page.click("#confirm-cancel")
    page.wait_for_timeout(300)
    saved = page.evaluate(f"fetch('/api/v1/elections/forms-{tag}').then(r => r.json())")
    assert saved["schedule"]["start_utc"] == "2031-10-26T01:30:00+00:00"  # unchanged
    page.click("#save-election")
    # the message still names the election from the previous save: wait for this save itself
    with page.expect_response(
        lambda r: r.request.method == "PATCH" and r.url.endswith(f"/api/v1/elections/forms-{tag}")
    ) as answer:
        page.click("#confirm-ok")
    assert answer.value.ok, answer.value.status
    expect(page.locator("#admin-message")).to_contain_text(f"forms-{tag}")
    saved = page.evaluate(f"fetch('/api/v1/elections/forms-{tag}').then(r => r.json())")
    assert saved["schedule"]["start_utc"] == "2020-01-01T11:00:00+00:00"
    if kind == "phone":
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert not errors, errors
    context.close()
