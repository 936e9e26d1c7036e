"""Confirmation dialogs in real Chromium before the actions that cannot (all) be undone: freeze,
candidate change, close, strike, unstrike, the tally and freezing the roll. Each dialog is a
modal <dialog> that says what cannot be undone, opens with the focus on Cancel, and Cancel (a
click, a tap on a phone, or Escape) sends nothing and changes nothing — checked against the API. Confirming by
keyboard (Tab, Enter) does the action. English and Simplified Chinese, desktop and phone;
screenshots in test-artifacts/."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.browser.test_booth_integrity import server  # noqa: F401 - the live server fixture
from tests.browser.test_eligibility_and_outbox import wiki_server  # noqa: F401 - with the fake wiki
from tests.fakes.pytest_fixtures import fake_wiki, fake_wiki_server  # noqa: F401
from tests.fakes.wiki_data import STANDARD_RULES
from tests.service.helpers import (
    ADMIN,
    ballot_states,
    election_config,
    login,
    open_election,
    voter,
)

pytestmark = pytest.mark.browser
TIMEOUT = 30_000
VIEWPORTS = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}
TITLES = {
    "en": {
        "freeze": "Freeze the election",
        "change": "Change candidate 2 of question 1?",
        "close": "Close voting now?",
        "strike": "Strike these ballots?",
        "unstrike": "Unstrike these ballots?",
        "tally": "Start the tally?",
        "undone": "cannot be reopened or extended",
    },
    "zh-hans": {
        "freeze": "冻结选举",
        "change": "更改问题 1 的候选人 2？",
        "close": "现在结束投票？",
        "strike": "作废这些选票？",
        "unstrike": "恢复这些选票？",
        "tally": "开始计票？",
        "undone": "不能重新开放或延期",
    },
}


class Browser:
    def __init__(self, chromium, base: str, name: str, lang: str, kind: str) -> None:
        self.context = chromium.new_context(base_url=base, **VIEWPORTS[kind])
        self.context.set_default_timeout(TIMEOUT)
        self.page = self.context.new_page()
        self.kind, self.lang = kind, lang
        self.posts: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", lambda r: self.posts.append(r.url) if r.method == "POST" else None)
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.goto(f"/login?lang={lang}")
        self.page.fill("#username", name)
        self.page.click("#login-form button[type=submit]")
        self.page.wait_for_url(re.compile(r"/$"))

    def press(self, selector: str) -> None:
        (self.page.tap if self.kind == "phone" else self.page.click)(selector)

    def ask(self, selector: str, title: str) -> None:
        """Press the action's button: the dialog opens, modal, with its title and the focus on
        Cancel; nothing is sent yet."""
        sent = len(self.posts)
        self.press(selector)
        dialog = self.page.locator("#confirm-dialog[open]")
        dialog.wait_for()
        assert title in dialog.locator("#confirm-title").inner_text()
        assert self.page.evaluate("document.activeElement.id") == "confirm-cancel"
        assert self.page.evaluate("document.querySelector('#confirm-dialog').matches(':modal')")
        assert self.posts[sent:] == [], self.posts[sent:]

    def cancel(self, how: str = "button") -> None:
        sent = len(self.posts)
        if how == "escape":
            self.page.keyboard.press("Escape")
        else:
            self.press("#confirm-cancel")
        self.page.locator("#confirm-dialog[open]").wait_for(state="detached")
        self.page.wait_for_timeout(300)  # a request, if one were sent, would start by now
        assert self.posts[sent:] == [], self.posts[sent:]

    def confirm_by_keyboard(self) -> None:
        self.page.keyboard.press("Tab")  # Cancel → the confirm button
        assert self.page.evaluate("document.activeElement.id") == "confirm-ok"
        self.page.keyboard.press("Enter")
        self.page.locator("#confirm-dialog[open]").wait_for(state="detached")


def _shot(page, artifacts, name: str) -> None:
    page.screenshot(path=str(artifacts / f"{name}.png"), full_page=False)


@pytest.mark.parametrize("kind", ["desktop", "phone"])
@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_irreversible_actions_ask_first_and_cancel_changes_nothing(  # noqa: PLR0915
    chromium, server, tmp_path, artifacts, lang, kind
) -> None:  # noqa: F811
    words = TITLES[lang]
    tag = f"{lang}-{kind}"
    with httpx.Client(base_url=server, timeout=120) as http:
        admin, eid, trustees = open_election(http, tmp_path, ["V1", "V2"], trustees=1, threshold=1)
        tracker = voter(http, eid, "V1").cast([[1, 0, -1]])["tracker"]
        draft = admin.post("/api/v1/elections", election_config(trustees=1, threshold=1))["id"]
        admin.post(f"/api/v1/elections/{draft}/roles", {"username": "Trustee1", "role": "trustee"})
        admin.post(f"/api/v1/elections/{draft}/roll", {"usernames": ["V1"]})
        phase = lambda e: admin.get(f"/api/v1/elections/{e}")["phase"]  # noqa: E731
        version = lambda: admin.get(f"/api/v1/elections/{eid}")["definition_version"]  # noqa: E731

        b = Browser(chromium, server, "Admin", lang, kind)
        page = b.page
        # --- freeze a draft -------------------------------------------------------------------
        page.goto(f"/admin?election={draft}&lang={lang}")
        page.wait_for_selector("#freeze-button:not([hidden])")
        b.ask("#freeze-button", words["freeze"])
        _shot(page, artifacts, f"confirm-freeze-{tag}")
        b.cancel()
        assert phase(draft) == "draft"
        b.ask("#freeze-button", words["freeze"])
        b.confirm_by_keyboard()
        page.wait_for_selector("#freeze-button[hidden]", state="attached")
        assert phase(draft) == "key_ceremony"

        # --- change a candidate, then close voting ----------------------------------------------
        page.goto(f"/admin?election={eid}&lang={lang}")
        page.wait_for_selector("#close-button:not([hidden])")
        before = version()
        page.fill("#change-position", "2")
        page.fill("#change-reason", "withdrew")
        b.ask("#change-form button[type=submit]", words["change"])
        assert page.locator("#confirm-body li").count() == 3  # candidate, withdrawn, old ballots
        _shot(page, artifacts, f"confirm-change-{tag}")
        b.cancel("escape")
        assert version() == before
        page.fill("#action-reason", "end of the test")
        b.ask("#close-button", words["close"])
        assert words["undone"] in page.locator("#confirm-body").inner_text()
        assert "end of the test" in page.locator("#confirm-body").inner_text()
        _shot(page, artifacts, f"confirm-close-{tag}")
        b.cancel()
        assert phase(eid) == "open"
        b.ask("#close-button", words["close"])
        b.confirm_by_keyboard()
        page.wait_for_selector("#tally-button:not([hidden])")
        assert phase(eid) == "closed"

        # --- strike and unstrike on the scrutiny page ------------------------------------------
        page.goto(f"/scrutiny/{eid}?lang={lang}")
        page.wait_for_selector("body[data-scrutiny-ready='1']")
        page.fill("#strike-values", tracker)
        page.select_option("#strike-code", "other")
        page.fill("#strike-text", "a test strike")
        b.ask("#strike-button", words["strike"])
        assert tracker in page.locator("#confirm-body li").first.inner_text()
        _shot(page, artifacts, f"confirm-strike-{tag}")
        b.cancel()
        assert ballot_states(admin, eid)[tracker] == "current"
        b.ask("#strike-button", words["strike"])
        b.confirm_by_keyboard()
        page.wait_for_selector(f"#cast-rows tr[data-tracker='{tracker}'][data-state='struck']")
        assert ballot_states(admin, eid)[tracker] == "struck"
        b.ask("#unstrike-button", words["unstrike"])
        b.cancel("escape")
        assert ballot_states(admin, eid)[tracker] == "struck"
        b.ask("#unstrike-button", words["unstrike"])
        b.confirm_by_keyboard()
        page.wait_for_selector(f"#cast-rows tr[data-tracker='{tracker}'][data-state='current']")
        assert ballot_states(admin, eid)[tracker] == "current"

        # --- start the tally -----------------------------------------------------------------
        page.goto(f"/admin?election={eid}&lang={lang}")
        page.wait_for_selector("#tally-button:not([hidden])")
        b.ask("#tally-button", words["tally"])
        _shot(page, artifacts, f"confirm-tally-{tag}")
        b.cancel()
        assert phase(eid) == "closed"
        b.ask("#tally-button", words["tally"])
        b.confirm_by_keyboard()
        page.wait_for_selector("#tally-button[hidden]", state="attached")
        assert phase(eid) == "tallying"
        if kind == "phone":  # the dialog fits the screen
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert not b.errors, b.errors
        b.context.close()


ROLL_FREEZE = {
    "en": ("Freeze the roll for these 3 users?", "cannot be taken back"),
    "zh-hans": ("为这 3 名用户冻结选民名册？", "不能撤回"),
}


@pytest.mark.parametrize("kind", ["desktop", "phone"])
@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_freezing_the_roll_asks_first(chromium, wiki_server, lang, kind, artifacts) -> None:  # noqa: F811
    """*Freeze the roll for these users* (frozen roll mode, rules against the fake wiki) opens
    the dialog naming the users and saying what cannot be taken back; Cancel or Escape sends
    nothing and the roll stays empty; confirming stores the three decisions."""
    title, undone = ROLL_FREEZE[lang]
    users = ["Alice", "Newbie", "Blocked User"]
    with httpx.Client(base_url=wiki_server, timeout=60) as http:
        admin = login(http, ADMIN, wiki_server)
        eid = admin.post("/api/v1/elections", election_config(trustees=1, threshold=1))["id"]
        admin.request(
            "PUT", f"/api/v1/elections/{eid}/eligibility", {"roll_mode": "frozen", "rules": STANDARD_RULES}
        )
        roll = lambda: admin.get(f"/api/v1/elections/{eid}/roll")  # noqa: E731

        b = Browser(chromium, wiki_server, ADMIN, lang, kind)
        page = b.page
        page.goto(f"/admin?election={eid}&lang={lang}")
        page.wait_for_selector("body[data-admin-ready]")
        page.fill("#preview-users", "\n".join(users))
        b.ask("#freeze-roll", title)
        body = page.locator("#confirm-body")
        assert undone in body.inner_text()
        assert [li.inner_text() for li in body.locator("li").all()] == users
        _shot(page, artifacts, f"confirm-roll-freeze-{lang}-{kind}")
        b.cancel()
        b.ask("#freeze-roll", title)
        b.cancel("escape")
        assert roll()["total"] == 0
        assert not any(
            e["action"] == "roll.freeze" for e in admin.get(f"/api/v1/elections/{eid}/audit")["entries"]
        )

        b.ask("#freeze-roll", title)
        b.confirm_by_keyboard()
        page.wait_for_selector("#roll-rows tr >> nth=2")
        stored = roll()
        assert (stored["total"], stored["eligible"]) == (3, 1)
        assert {v["username"]: v["eligible"] for v in stored["voters"]} == {
            "Alice": True,
            "Newbie": False,
            "Blocked User": False,
        }
        if kind == "phone":
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert not b.errors, b.errors
        b.context.close()
