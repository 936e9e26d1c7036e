"""The ranked booth (issue 15): a voter ranks 3 of 4 candidates with the keyboard only (Add to
my ranking, Move up, Move down, Remove), sees the ranking in words, encrypts (the ranking
locks), audits (the audit record, checked again here by crypto.audit.verify_audit, holds the
ranking), and casts the re-encryption; the ballot on the board, verified with
crypto.ballots.verify_ballot and decrypted with two trustees' key shares, unpacks to exactly the
ranking on the screen. On a desktop and on a phone (390×844), in English and Simplified
Chinese. A blank ranking is allowed with a notice."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import pytest

from crypto import ranked
from crypto.audit import verify_audit
from crypto.ballots import verify_ballot
from crypto.elgamal import Ciphertext, decrypt_to_point
from crypto.group import G, Point, Scalar
from crypto.manifest import ballot_context
from crypto.threshold import lagrange_coefficient
from tests.browser.test_booth_integrity import server  # noqa: F401 - the live server fixture
from tests.service.helpers import open_election

pytestmark = pytest.mark.browser
TIMEOUT = 30_000
WANTED = [2, 0, 3]
"""The ranking the voter makes: Candidate 2, then Candidate 0, then Candidate 3."""

VIEWS = {
    "desktop": {"viewport": {"width": 1280, "height": 900}},
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "is_mobile": True,
        "has_touch": True,
        "device_scale_factor": 2,
    },
}
WORDS = {
    "en": ("Your ranking: ", "; not ranked: ", "no candidate ranked"),
    "zh-hans": ("你的排名：", "；未排名：", "没有排名任何候选人"),
}


def _secret_key(trustees: list[Any], public_key: str) -> Scalar:
    x = Scalar(0)
    for j, client in ((1, trustees[0]), (2, trustees[1])):
        x = x + lagrange_coefficient(j, [1, 2]) * Scalar.from_hex(client.state["secret_share"])
    assert (G * x) == Point.from_hex(public_key)
    return x


def _focused(page: Any) -> str:
    """What has the keyboard focus: "<button class> <candidate index>"."""
    return page.evaluate("""() => { const b = document.activeElement;
        const li = b.closest('li.rank-candidate');
        return `${b.className} ${li ? li.dataset.candidate : ''}`; }""")


def _rank_with_the_keyboard(page: Any) -> None:
    """From "Add Candidate 0", keys only: rank 2, 0, 3; add 1, move it up and down, remove it."""
    page.locator("li[data-candidate='0'] .rank-add").focus()
    press = page.keyboard.press
    press("Tab")
    press("Tab")
    assert _focused(page) == "rank-add 2"
    press("Enter")  # 1. Candidate 2; the focus goes on down the list
    assert _focused(page) == "rank-add 3"
    press("Shift+Tab")
    press("Shift+Tab")
    assert _focused(page) == "rank-add 0"
    press("Enter")  # 2. Candidate 0
    assert _focused(page) == "rank-add 1"
    press("Tab")
    press("Enter")  # 3. Candidate 3
    assert _focused(page) == "rank-add 1"
    press("Enter")  # 4. Candidate 1: nothing left to add, focus on Move up
    assert _focused(page) == "rank-up 1"
    press("Enter")  # Candidate 1 up to 3rd
    assert _ranking(page) == [2, 0, 1, 3]
    press("Tab")
    assert _focused(page) == "rank-down 1"
    press("Enter")  # and back down to 4th
    assert _ranking(page) == [2, 0, 3, 1]
    press("Tab")
    assert _focused(page) == "rank-remove 1"
    press("Enter")  # removed again
    assert _ranking(page) == WANTED
    assert _focused(page) == "rank-remove 3"


def _ranking(page: Any) -> list[int]:
    return page.locator("ol.ranking > li").evaluate_all(
        "items => items.map(i => Number(i.dataset.candidate))"
    )


def _summary(page: Any, box: str) -> list[Any]:
    return page.locator(f"{box} li").evaluate_all("items => items.map(i => JSON.parse(i.dataset.ranking))")


def test_rank_encrypt_audit_cast_on_desktop_and_phone(
    chromium,
    server,
    tmp_path,  # noqa: F811
    artifacts,
) -> None:
    voters = {
        (view, lang): f"V{n}"
        for n, (view, lang) in enumerate(((v, lang) for v in VIEWS for lang in WORDS), 1)
    }
    with httpx.Client(base_url=server, timeout=60) as http:
        _, eid, trustees = open_election(
            http, tmp_path, sorted(voters.values()), candidates=4, kind="ranked", method="meek", seats=2
        )
        definition = http.get(
            f"/api/v1/elections/{eid}/definition",
            headers={"Authorization": f"Bearer {trustees[0].session.token}"},
        ).json()["definition"]
    manifest = definition["manifest"]
    ctx = ballot_context(manifest, definition["fingerprint"])
    x = _secret_key(trustees, manifest["public_key"])
    trackers = {}

    for (view, lang), username in voters.items():
        yours, not_ranked, blank = WORDS[lang]
        context = chromium.new_context(base_url=server, locale="en-US", **VIEWS[view])
        context.set_default_timeout(TIMEOUT)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc, errors=errors: errors.append(str(exc)))
        page.goto(f"/login?lang={lang}")
        page.fill("#username", username)
        page.click("#login-form button[type=submit]")
        page.wait_for_url(re.compile(r"/$"))
        page.goto(f"/elections/{eid}")
        page.wait_for_selector("body[data-booth-ready='1']")

        # Nothing ranked yet: the blank notice, and the words say so.
        assert page.locator(".ranking-blank").is_visible()
        words = page.locator(".ranking-words").inner_text()
        assert words.startswith(yours) and blank in words, words
        if view == "desktop":
            # A blank ranking can be encrypted: the summary says it is blank. Then change it.
            page.locator("#encrypt-button").focus()
            page.keyboard.press("Enter")
            page.wait_for_selector("#encrypted-box:not([hidden])")
            assert _summary(page, "#ballot-summary") == [[]]
            assert blank in page.locator("#ballot-summary li").inner_text()
            page.locator("#change-button").focus()
            page.keyboard.press("Enter")
            page.wait_for_selector("#encrypted-box", state="hidden")

        _rank_with_the_keyboard(page)
        assert page.locator(".ranking-blank").is_hidden()
        shown = f"1. Candidate 2, 2. Candidate 0, 3. Candidate 3{not_ranked}Candidate 1"
        if lang == "zh-hans":
            shown = shown.replace(", ", "、")
        assert page.locator(".ranking-words").inner_text() == yours + shown
        # Each control says what it does to whom (the visible text is short).
        assert (
            page.locator("li[data-candidate='0'] .rank-up").get_attribute("aria-label").count("Candidate 0")
            == 1
        )
        if view == "phone":
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
            sizes = page.locator("ol.ranking li.rank-candidate button:visible").evaluate_all(
                "bs => bs.map(b => b.getBoundingClientRect().height)"
            )
            assert sizes and min(sizes) >= 44, sizes
        page.screenshot(path=str(artifacts / f"ranked-booth-{view}-{lang}.png"), full_page=True)

        page.locator("#encrypt-button").focus()
        page.keyboard.press("Enter")
        page.wait_for_selector("#encrypted-box:not([hidden])")
        # Locked: the ranking buttons are disabled while the ballot is encrypted.
        assert page.is_disabled("li[data-candidate='1'] .rank-add")
        assert page.is_disabled("li[data-candidate='2'] .rank-down")
        assert _summary(page, "#ballot-summary") == [WANTED]
        assert page.locator("#ballot-summary li").inner_text().endswith(shown)
        audited = page.locator("#tracker").inner_text()

        page.locator("#audit-button").focus()
        page.keyboard.press("Enter")
        page.wait_for_selector("#audit-result.ok")
        assert _summary(page, "#audit-summary") == [WANTED]
        assert page.locator("#audit-summary li").inner_text().endswith(shown)
        with page.expect_download() as download:
            page.locator("#audit-download").focus()
            page.keyboard.press("Enter")
        record = json.loads(download.value.path().read_text(encoding="utf-8"))
        assert verify_audit(ctx, record) == [WANTED]
        page.wait_for_function(f"document.querySelector('#tracker').textContent !== '{audited}'")
        page.wait_for_selector("#cast-button:enabled")
        assert _summary(page, "#ballot-summary") == [WANTED]
        tracker = page.locator("#tracker").inner_text()
        page.locator("#cast-button").focus()
        page.keyboard.press("Enter")
        page.wait_for_selector("#receipt-box:not([hidden])")
        page.wait_for_selector("#receipt-check.ok")
        assert page.locator("#receipt-tracker").inner_text() == tracker
        page.screenshot(path=str(artifacts / f"ranked-booth-{view}-{lang}-cast.png"), full_page=True)
        assert not errors, errors
        context.close()
        trackers[username] = (tracker, audited)

    with httpx.Client(base_url=server, timeout=60) as http:
        board = http.get(f"/api/v1/elections/{eid}/board", params={"limit": 1000}).json()
        cast = [e["payload"]["tracker"] for e in board["events"] if e["type"] == "ballot_cast"]
        for tracker, audited in trackers.values():
            assert tracker in cast and audited not in cast
            ballot = http.get(f"/api/v1/elections/{eid}/ballots/{tracker}").json()
            ballot = ballot.get("ballot", ballot)
            verify_ballot(ctx, ballot)
            points = [
                decrypt_to_point(x, Ciphertext.from_json(c)) for c in ballot["answers"][0]["ciphertexts"]
            ]
            positions = ctx.questions[0].positions
            assert positions is not None
            assert ranked.unpack(points) == [positions[i] for i in WANTED]


def test_committee_form_makes_a_ranked_question(chromium, server) -> None:  # noqa: F811
    """/admin: the ranked kind shows the counting method (default Meek STV, SecurePoll) and the
    2-trustee rule; one trustee is refused before anything is sent; the JSON body carries kind,
    method and seats; the saved election reopens with its method."""
    context = chromium.new_context(base_url=server, locale="en-US", viewport={"width": 1100, "height": 900})
    context.set_default_timeout(TIMEOUT)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sent: list[dict[str, Any]] = []
    page.on(
        "request",
        lambda r: (
            sent.append(json.loads(r.post_data or "null"))
            if r.method == "POST" and r.url.endswith("/api/v1/elections")
            else None
        ),
    )
    page.goto("/login?lang=en")
    page.fill("#username", "Admin")
    page.click("#login-form button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))
    page.goto("/admin")
    page.wait_for_selector("body[data-admin-ready='1']")
    page.click("#new-election")
    page.fill("#f-id", "board-ranked")
    page.fill("#f-title-en", "Board election")
    question = page.locator(".question-editor").first
    assert question.locator(".ranked-only").is_hidden()
    question.locator(".q-kind").select_option("ranked")
    assert question.locator(".ranked-only").is_visible()
    assert question.locator(".sonc-only").is_hidden()
    assert question.locator(".q-method").input_value() == "meek"
    assert question.locator(".q-method option:checked").inner_text() == "Meek STV (SecurePoll)"
    assert "at least 2 trustees" in question.locator(".ranked-only .note").inner_text()
    question.locator(".q-title[data-lang='en']").fill("Board of Trustees")
    question.locator(".q-candidates[data-lang='en']").fill("Ann\nBen\nCy\nDee")
    question.locator(".q-seats").fill("2")

    page.fill("#f-trustee-count", "1")
    page.fill("#f-threshold", "1")
    page.click("#save-election")
    # the error is shown next to the trustee count, which has the focus
    page.wait_for_selector("#f-trustee-count-error:has-text('2 trustees')")
    assert page.evaluate("document.activeElement.id") == "f-trustee-count"
    assert sent == []

    page.fill("#f-trustee-count", "3")
    page.fill("#f-threshold", "2")
    question.locator(".q-method").select_option("scottish-stv")
    page.click("#save-election")
    page.wait_for_selector("#manage-sections:not([hidden])")
    assert len(sent) == 1
    body = sent[0]["questions"][0]
    assert {k: body[k] for k in ("kind", "method", "seats")} == {
        "kind": "ranked",
        "method": "scottish-stv",
        "seats": 2,
    }
    assert [c["name"]["en"] for c in body["candidates"]] == ["Ann", "Ben", "Cy", "Dee"]
    assert "pass_rule" not in body and "min_selections" not in body
    saved = page.evaluate("async () => (await fetch('/api/v1/elections/board-ranked')).json()")
    assert {k: saved["questions"][0][k] for k in ("kind", "method", "seats")} == {
        "kind": "ranked",
        "method": "scottish-stv",
        "seats": 2,
    }
    # Reopened, the form shows the ranked question with its method.
    page.goto("/admin?election=board-ranked")
    page.wait_for_selector("body[data-admin-ready='1']")
    page.wait_for_selector(".question-editor .q-kind")
    question = page.locator(".question-editor").first
    assert question.locator(".q-kind").input_value() == "ranked"
    assert question.locator(".q-method").input_value() == "scottish-stv"
    assert question.locator(".ranked-only").is_visible()
    assert not errors, errors
    context.close()
