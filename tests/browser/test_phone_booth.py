"""The booth on a phone (390×844, mobile emulation with touch) in every state, en and zh-Hans:
long trackers wrap and the page never gets wider than the screen; Cast is tapped; nothing stale
stays after casting; the receipt's board link looks the tracker up on the results page. A
logged-in non-trustee on the trustee page reads "You are not a trustee of this election"."""

from __future__ import annotations

import re

import httpx
import pytest

from admin_ui import i18n
from tests.browser.test_booth_integrity import server  # noqa: F401 - the live server fixture
from tests.service.helpers import open_election

pytestmark = pytest.mark.browser
TIMEOUT = 30_000
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 3,
}


def _fits(page, label: str) -> None:
    # Under mobile emulation a page wider than the screen is zoomed out, and innerWidth grows
    # with it: so the screen's own width bounds both.
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1] <= PHONE["viewport"]["width"], (
        f"{label}: the page is {width[0]}px wide, the viewport {width[1]}px, on a 390px screen"
    )


def _phone(chromium, server: str, lang: str, user: str):  # noqa: F811
    context = chromium.new_context(base_url=server, locale="en-US", **PHONE)
    context.set_default_timeout(TIMEOUT)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"/login?lang={lang}")
    page.fill("#username", user)
    page.locator("#login-form button[type=submit]").tap()
    page.wait_for_url(re.compile(r"/$"))
    return context, page, errors


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_every_booth_state_fits_a_phone(chromium, server, tmp_path, artifacts, lang):  # noqa: F811
    gettext = i18n.translations(lang).gettext
    with httpx.Client(base_url=server, timeout=120) as http:
        _, eid, _ = open_election(http, tmp_path, ["V1", "V2"])
    context, page, errors = _phone(chromium, server, lang, "V1")
    page.goto(f"/elections/{eid}")
    page.wait_for_selector("body[data-booth-ready='1']")
    _fits(page, "booth")
    # the election's time zone says what it is for
    zone = page.locator("#election-zone").inner_text()
    assert (
        "UTC" in zone
        and gettext(
            "The committee set the schedule in this time zone: there, voting opens %(start)s and ends "
            "%(end)s."
        )
        .split("%(start)s")[0]
        .strip()
        in zone
    )
    page.locator("input[name='q0-c0'][value='1']").tap()
    page.locator("#encrypt-button").tap()
    page.wait_for_selector("#encrypted-box:not([hidden])")
    _fits(page, "encrypted")
    page.screenshot(path=str(artifacts / f"phone-{lang}-encrypted.png"), full_page=True)
    # a change of choices discards the ballot, with a message; encrypt again
    page.locator("#change-button").tap()
    page.locator("input[name='q0-c1'][value='-1']").tap()
    page.locator("#encrypt-button").tap()
    page.wait_for_selector("#encrypted-box:not([hidden])")
    audited = page.locator("#tracker").inner_text()
    page.locator("#audit-button").tap()
    page.wait_for_selector("#audit-result.ok")
    page.wait_for_selector("#cast-button:enabled")
    assert audited in page.locator("#audit-result").inner_text()  # the long tracker, wrapped
    _fits(page, "audited")
    page.screenshot(path=str(artifacts / f"phone-{lang}-audited.png"), full_page=True)
    tracker = page.locator("#tracker").inner_text()
    page.locator("#cast-button").tap()
    page.wait_for_selector("#receipt-box:not([hidden])")
    page.wait_for_selector("#receipt-check.ok")
    _fits(page, "cast")
    assert page.locator("#receipt-tracker").inner_text() == tracker
    # nothing stale: no error, the audit gone, no progress line
    assert not page.locator("#ballot-error").inner_text().strip()
    assert not page.locator("#audit-result").inner_text().strip()
    assert page.locator("#audit-box").is_hidden()
    assert page.locator("#progress-box").is_hidden()
    page.screenshot(path=str(artifacts / f"phone-{lang}-cast.png"), full_page=True)
    first_check = page.locator("#receipt-check").inner_text()

    # a re-vote: the previous receipt's check does not linger while the new one is checked
    page.locator("input[name='q0-c0'][value='-1']").tap()
    page.locator("#encrypt-button").tap()
    page.wait_for_selector("#encrypted-box:not([hidden])")
    second = page.locator("#tracker").inner_text()
    page.locator("#cast-button").tap()
    page.wait_for_selector("#receipt-box:not([hidden])")
    page.wait_for_selector("#receipt-check.ok")
    assert page.locator("#receipt-tracker").inner_text() == second
    assert page.locator("#receipt-check").inner_text() != first_check  # the new board position
    _fits(page, "re-vote")

    # the receipt's board link fills in the tracker and looks it up
    link = page.locator("#receipt-board")
    assert second in link.get_attribute("href")
    link.tap()
    page.wait_for_selector("#tracker-result.ok")
    assert page.input_value("#tracker-input") == second
    _fits(page, "board")
    page.screenshot(path=str(artifacts / f"phone-{lang}-board.png"), full_page=True)
    assert not errors, errors
    context.close()

    # a logged-in non-trustee on the trustee page: the page's sentence, not the API's refusal
    context, page, errors = _phone(chromium, server, lang, "V2")
    page.goto(f"/elections/{eid}/trustee")
    page.wait_for_selector("body[data-trustee-ready='1']")
    assert page.locator("#not-trustee").inner_text() == gettext("You are not a trustee of this election.")
    assert "forbidden" not in page.locator("main").inner_text()
    _fits(page, "trustee")
    assert not errors, errors
    context.close()
