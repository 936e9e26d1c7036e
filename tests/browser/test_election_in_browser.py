"""A whole election from the browser alone: a committee member creates it in /admin, three
trustees run the key ceremony on the trustee page, three voters vote in the booth (one audits
then casts, one re-votes), the committee closes it and starts the tally, the trustees decrypt
in their browsers and the results page shows the expected numbers. Once in English, once in
Simplified Chinese. Screenshots of every page go to test-artifacts/."""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, datetime, timedelta

import pytest

from app.client.keyfile import KeyFile
from app.config import Settings
from app.local_server import live_server

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api").expect

TIMEOUT = 30_000
TEXTS = {
    "en": {
        "title": "Browser election",
        "question": "Administrator candidates",
        "candidates": "Ann\nBen",
        "result_word": "Ballots counted",
        "support": "Support",
    },
    "zh-hans": {
        "title": "浏览器选举",
        "question": "管理员候选人",
        "candidates": "安\n本",
        "result_word": "计票数",
        "support": "支持",
    },
}


@pytest.fixture
def server(database_url, tmp_path):
    from tests.conftest import TEST_RATE_LIMITS, TEST_SECRET

    settings = Settings(
        environment="test",
        dev_login=True,
        secret_key=TEST_SECRET,
        **TEST_RATE_LIMITS,
        database_url=database_url,
        data_dir=tmp_path,
        demo=False,
        admins="Admin",
        scheduler_interval_seconds=1.0,
    )
    with live_server(settings) as url:
        yield url


class Actor:
    """One person: an isolated browser context (own cookies and localStorage)."""

    def __init__(self, browser, base_url: str, name: str, lang: str, shots, tag: str) -> None:
        self.context = browser.new_context(
            base_url=base_url,
            locale="en-US",
            viewport={"width": 1100, "height": 900},
            timezone_id="Asia/Taipei",
        )
        self.context.set_default_timeout(TIMEOUT)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on(
            "response", lambda r: self.errors.append(f"{r.status} {r.url}") if r.status >= 400 else None
        )
        self.name, self.lang, self.shots, self.tag = name, lang, shots, tag
        self.page.goto(f"/login?lang={lang}")
        self.page.fill("#username", name)
        self.page.click("#login-form button[type=submit]")
        self.page.wait_for_url(re.compile(r"/$"))

    def goto(self, path: str) -> None:
        self.page.goto(path)

    def shot(self, label: str) -> None:
        self.page.screenshot(path=str(self.shots / f"{self.tag}-{label}.png"), full_page=True)


def run_election(chromium, server: str, artifacts, lang: str) -> float:
    started = time.monotonic()
    texts = TEXTS[lang]
    election_id = f"browser-{lang}"
    tag = lang
    admin = Actor(chromium, server, "Admin", lang, artifacts, tag)
    page = admin.page

    # --- the committee creates the election ---------------------------------------------------
    admin.goto("/admin")
    page.wait_for_selector("body[data-admin-ready='1']")
    page.click("#new-election")
    page.fill("#f-id", election_id)
    page.select_option("#f-default-language", lang)
    page.fill(f"#f-title-{lang}", texts["title"])
    page.fill(
        "#f-title-en" if lang != "en" else "#f-title-zh-hans",
        "Browser election" if lang != "en" else "浏览器选举",
    )
    aoe_now = datetime.now(UTC) - timedelta(hours=12)
    page.fill("#f-start", (aoe_now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("#f-end", (aoe_now + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"))
    page.select_option("#f-timezone", "AoE")
    page.fill("#f-trustee-count", "3")
    page.fill("#f-threshold", "2")
    # Three voters: the anonymity guard (default 5) would withhold every figure.
    assert page.input_value("#f-min-contributors") == "5"
    page.fill("#f-min-contributors", "1")
    question = page.locator(".question-editor").first
    question.locator(f".q-title[data-lang='{lang}']").fill(texts["question"])
    question.locator(f".q-candidates[data-lang='{lang}']").fill(texts["candidates"])
    question.locator(".q-threshold").fill("66.6")
    admin.shot("admin-create")
    page.click("#save-election")
    # the start is an hour ago: the page warns and asks before saving it
    page.wait_for_selector("#f-start-warn")
    page.click("#confirm-ok")
    page.wait_for_selector("#manage-sections:not([hidden])")
    for name in ("T1", "T2", "T3"):
        page.fill("#role-user", name)
        page.select_option("#role-kind", "trustee")
        page.click("#role-form button[type=submit]")
        page.wait_for_selector(f"#role-rows td:text-is('{name}')")
    page.fill("#role-user", "S1")
    page.select_option("#role-kind", "scrutineer")
    page.check("#role-pii")
    page.click("#role-form button[type=submit]")
    page.wait_for_selector("#role-rows td:text-is('S1')")
    page.fill("#roll-users", "V1\nV2\nV3")
    page.click("#roll-form button[type=submit]")
    page.wait_for_selector("#roll-result.ok")
    page.click("#freeze-button")
    page.click("#confirm-ok")  # the dialog says what cannot be undone
    page.wait_for_selector("#ceremony-summary")
    admin.shot("admin-manage")

    # --- three trustees run the key ceremony in their browsers ---------------------------------
    trustees = [Actor(chromium, server, f"T{i}", lang, artifacts, tag) for i in (1, 2, 3)]
    for trustee in trustees:
        trustee.goto(f"/elections/{election_id}/trustee")
        trustee.page.wait_for_selector("body[data-trustee-ready='1']")
        trustee.page.fill("#keyfile-passphrase", f"passphrase of {trustee.name}")
    for step in ("join", "commit", "reveal", "send", "confirm"):
        if step == "commit":
            # Every trustee's identity is on the board now: each compares the fingerprints it
            # sees with the ones the others show for themselves (out of band), and from here on
            # the page enforces the published list.
            mine = [t.page.locator("#my-fingerprint-value").inner_text() for t in trustees]
            assert len(set(mine)) == 3
            for trustee in trustees:
                trustee.page.wait_for_selector("#ceremony-status tbody tr:nth-child(3) code")
                shown = trustee.page.locator("#ceremony-status code.fingerprint").all_inner_texts()
                assert shown == mine
                trustee.page.fill("#trustee-keys", "\n".join(mine))
        for trustee in trustees:
            trustee.page.wait_for_selector(f"#step-button[data-step='{step}']:not([hidden])")
            trustee.page.click("#step-button")
            trustee.page.wait_for_selector(
                f"#step-button:not([data-step='{step}']):enabled", state="attached"
            )
            assert not trustee.page.locator("#trustee-error").inner_text().strip()
    key_files = {}
    for trustee in trustees:
        trustee.page.wait_for_selector("#ceremony-status code.mono")  # the election key
        # The secrets are only in the page's memory and in this download (encrypted).
        with trustee.page.expect_download() as download:
            trustee.page.click("#keyfile-download")
        key_files[trustee.name] = artifacts / f"{tag}-{trustee.name}-key.json"
        download.value.save_as(key_files[trustee.name])
    trustees[0].shot("trustee-ceremony-done")

    # --- three voters vote -------------------------------------------------------------------
    def open_booth(name: str) -> Actor:
        voter = Actor(chromium, server, name, lang, artifacts, tag)
        voter.goto(f"/elections/{election_id}")
        voter.page.wait_for_selector("body[data-booth-ready='1']")
        return voter

    def choose(voter: Actor, ann: int, ben: int) -> None:
        voter.page.check(f"input[name='q0-c0'][value='{ann}']")
        voter.page.check(f"input[name='q0-c1'][value='{ben}']")
        voter.page.click("#encrypt-button")
        voter.page.wait_for_selector("#encrypted-box:not([hidden])")

    def cast(voter: Actor) -> str:
        tracker = voter.page.locator("#tracker").inner_text()
        voter.page.click("#cast-button")
        voter.page.wait_for_selector("#receipt-box:not([hidden])")
        assert voter.page.locator("#receipt-tracker").inner_text() == tracker
        assert voter.page.locator("#receipt-download").get_attribute("href").startswith("blob:")
        return tracker

    v1 = open_booth("V1")
    v1.shot("booth")
    choose(v1, 1, -1)
    v1.shot("booth-encrypted")
    tracker1 = cast(v1)
    v1.shot("booth-receipt")

    v2 = open_booth("V2")
    choose(v2, 1, 1)
    audited = v2.page.locator("#tracker").inner_text()
    v2.page.click("#audit-button")
    v2.page.wait_for_selector("#audit-result.ok")
    expect(v2.page.locator("#tracker")).not_to_have_text(audited, timeout=TIMEOUT)
    v2.page.wait_for_selector("#cast-button:enabled")
    v2.shot("booth-audited")
    tracker2 = cast(v2)
    assert tracker2 != audited

    v3 = open_booth("V3")
    choose(v3, -1, -1)
    first3 = cast(v3)
    v3.page.check("input[name='q0-c0'][value='1']")
    v3.page.check("input[name='q0-c1'][value='0']")
    v3.page.click("#encrypt-button")
    v3.page.wait_for_selector("#encrypted-box:not([hidden])")
    tracker3 = cast(v3)
    assert tracker3 != first3

    # --- close and tally ---------------------------------------------------------------------
    admin.goto(f"/admin?election={election_id}")
    page.wait_for_selector("#close-button:not([hidden])")
    page.fill("#action-reason", "end of the browser test")
    page.click("#close-button")
    page.click("#confirm-ok")  # the dialog says what cannot be undone
    page.wait_for_selector("#scrutiny-button:not([hidden])")
    page.click("#scrutiny-button")
    page.wait_for_selector("#seal-button:not([hidden])")

    # --- a scrutineer strikes the re-voter's replaced ballot (the result does not change) ------
    scrutineer = Actor(chromium, server, "S1", lang, artifacts, tag)
    scrutineer.goto(f"/scrutiny/{election_id}")
    spage = scrutineer.page
    spage.wait_for_selector("body[data-scrutiny-ready='1']")
    assert spage.locator("#cast-rows tr").count() == 4
    assert spage.locator("#voted-rows tr").count() == 3
    spage.check("#show-pii")
    spage.wait_for_selector(".pii-col:not([hidden])")
    spage.wait_for_selector("#cast-rows td.mono >> text=127.0.0.1")
    spage.click(f"#cast-rows tr[data-tracker='{first3}'] button")
    spage.select_option("#strike-code", "other")
    spage.fill("#strike-text", "browser test: striking a replaced ballot")
    spage.click("#strike-button")
    spage.click("#confirm-ok")  # the dialog says what cannot be undone
    spage.wait_for_selector(f"#cast-rows tr[data-tracker='{first3}'][data-state='struck']")
    scrutineer.shot("scrutiny")

    page.click("#seal-button")
    page.click("#confirm-ok")  # the dialog says what cannot be undone
    page.wait_for_selector("#seal-button[hidden]", state="attached")
    admin.shot("admin-tallying")

    # T1 and T3 decrypt, each from a fresh page that knows nothing until the key file is loaded
    # (T3 from another browser altogether).
    key_file = key_files["T3"]
    saved = json.loads(key_file.read_text())
    assert saved["format"] == "scrutin-trustee-key" and "secret_share" not in key_file.read_text()
    # The page's key file opens with the CLI's code and passphrase (one format for both).
    state = KeyFile(key_file, "passphrase of T3").load()
    assert state["secret_share"] and state["election_id"] == election_id
    assert "coefficients" not in json.dumps(state["rounds"])
    trustees[2].context.close()
    trustees[2] = Actor(chromium, server, "T3", lang, artifacts, tag)
    trustees[2].goto(f"/elections/{election_id}/trustee")
    trustees[2].page.wait_for_selector("body[data-trustee-ready='1']")
    trustees[2].page.fill("#keyfile-passphrase", "not the passphrase")
    trustees[2].page.set_input_files("#keyfile-load", str(key_file))
    trustees[2].page.wait_for_selector("#trustee-error:has-text('passphrase')")
    for trustee in (trustees[0], trustees[2]):
        trustee.goto(f"/elections/{election_id}/trustee")
        trustee.page.wait_for_selector("body[data-trustee-ready='1']")
        trustee.page.fill("#keyfile-passphrase", f"passphrase of {trustee.name}")
        trustee.page.set_input_files("#keyfile-load", str(key_files[trustee.name]))
        trustee.page.wait_for_selector("#keyfile-download:not([hidden])")
    for path in key_files.values():
        path.unlink()

    for trustee in (trustees[0], trustees[2]):
        trustee.page.wait_for_selector("#decrypt-button:not([hidden])")
        trustee.page.click("#decrypt-button")
        trustee.page.wait_for_selector("#decrypt-button[hidden]", state="attached")
        assert not trustee.page.locator("#trustee-error").inner_text().strip()
    trustees[2].shot("trustee-decrypted")

    # --- the results page --------------------------------------------------------------------
    results = v1.page
    v1.goto(f"/elections/{election_id}/results")
    results.wait_for_selector("#ballots-counted")
    assert re.search(r"\b3\b", results.locator("#ballots-counted").inner_text())
    assert texts["result_word"] in results.locator("#ballots-counted").inner_text()
    rows = results.locator(".candidate-result")
    assert rows.count() == 2
    ann, ben = rows.nth(0).inner_text(), rows.nth(1).inner_text()
    assert "100.0%" in ann and "50.0%" in ben
    # full names, not their first letter (a plain-string name read as a per-language dict)
    first, second = texts["candidates"].split("\n")
    assert rows.nth(0).locator(".bar-label").inner_text() == first
    assert rows.nth(1).locator(".bar-label").inner_text() == second
    assert rows.nth(0).locator(".verdict-pass").count() == 1
    assert rows.nth(1).locator(".verdict-fail").count() == 1
    assert results.locator(".threshold-line").count() == 2
    # the board explorer finds the re-voter's ballots, both simply "on the board": which one
    # counts is not said to whoever holds a tracker
    results.fill("#tracker-input", tracker3)
    results.click("#tracker-form button[type=submit]")
    results.wait_for_selector("#tracker-result.ok")
    found3 = results.locator("#tracker-result").inner_text()
    results.fill("#tracker-input", first3)
    results.click("#tracker-form button[type=submit]")
    expect(results.locator("#tracker-result")).not_to_have_text(found3, timeout=TIMEOUT)
    assert results.locator("#tracker-result.ok").count() == 1
    assert re.fullmatch(r"[0-9a-f]{64}", results.locator("#board-head").inner_text())
    assert tracker1 and tracker2
    v1.shot("results")

    v1.goto("/")
    v1.shot("home")

    for actor in (admin, *trustees, scrutineer, v1, v2, v3):
        problems = [e for e in actor.errors if "favicon" not in e]
        assert not problems, f"{actor.name}: {problems}"
        actor.context.close()
    return time.monotonic() - started


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_whole_election_in_the_browser(chromium, server, artifacts, lang):
    seconds = run_election(chromium, server, artifacts, lang)
    print(f"browser election ({lang}): {seconds:.1f} s")


def test_booth_fits_a_phone_screen(chromium, server, artifacts):
    context = chromium.new_context(
        base_url=server, viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.goto("/login?lang=zh-hant")
    page.fill("#username", "Admin")
    page.click("#login-form button[type=submit]")
    page.goto("/admin")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375 + 1, f"the page is {width}px wide on a 375px screen"
    page.screenshot(path=str(artifacts / "phone-admin-zh-hant.png"), full_page=True)
    context.close()
