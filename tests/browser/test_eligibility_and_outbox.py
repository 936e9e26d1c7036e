"""Live eligibility rules and the committee's remediation tools, in Simplified Chinese.

A live-rules election (STANDARD_RULES against the fake wiki) is set up through the API, one
voter casts and the committee strikes that ballot with a re-vote invitation. In the browser the
committee reads the outbox, invites another voter to vote again, makes an invitation link and
edits a draft election's role policy (bad JSON, a refused document with the server's error,
then a policy that a scrutineer assignment must satisfy with declared flags and jurisdiction).
"Newbie" logs in with the invitation link and sees why they cannot vote, translated from the
decision's machine fields; the invited voter sees the translated re-vote notice. Screenshots go
to test-artifacts/.
"""

from __future__ import annotations

import re
import time
from urllib.parse import urlsplit

import httpx
import pytest

from app.client.http import ScrutinSession
from app.client.trustee import TrusteeClient, run_ceremony
from app.client.voter import VoterClient
from app.config import Settings
from app.local_server import free_port, live_server
from tests.fakes.pytest_fixtures import fake_wiki, fake_wiki_server  # noqa: F401
from tests.fakes.wiki_data import STANDARD_RULES
from tests.service.helpers import PASSPHRASE, election_config

pytestmark = pytest.mark.browser
pytest.importorskip("playwright.sync_api")

TIMEOUT = 20_000
CJK = re.compile(r"[\u4e00-\u9fff]")
STRIKE_REASON = "The ballot was cast on a wrong ballot version."
REVOTE_REASON = "选票显示有误，请重新投票。"
# For a failure message: what sticks out of a 375 px screen (scrolling tables excepted).
WIDER_THAN_THE_SCREEN = """[...document.querySelectorAll('body *')]
  .filter((e) => e.getBoundingClientRect().right > 376 && !e.closest('.scroll')).slice(0, 8)
  .map((e) => `${e.tagName}#${e.id}.${e.className} ${e.getBoundingClientRect().right}`)"""


@pytest.fixture
def wiki_server(database_url, tmp_path, fake_wiki):  # noqa: F811
    from tests.conftest import TEST_RATE_LIMITS, TEST_SECRET

    port = free_port()
    settings = Settings(
        environment="test",
        dev_login=True,
        secret_key=TEST_SECRET,
        **TEST_RATE_LIMITS,
        database_url=database_url,
        data_dir=tmp_path,
        demo=False,
        admins="Admin",
        base_url=f"http://127.0.0.1:{port}",
        scheduler_interval_seconds=1.0,
        wiki_api_url=fake_wiki.api_url("enwiki"),
        wiki_timeout=2.0,
        wiki_cache_ttl=0,
    )
    with live_server(settings, port=port) as url:
        yield url


class Person:
    """An isolated browser context; every HTTP error or page error is recorded."""

    def __init__(self, browser, base_url: str, name: str | None, shots) -> None:
        self.context = browser.new_context(
            base_url=base_url,
            locale="zh-CN",
            viewport={"width": 1100, "height": 900},
            timezone_id="Asia/Shanghai",
        )
        self.context.set_default_timeout(TIMEOUT)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on(
            "response", lambda r: self.errors.append(f"{r.status} {r.url}") if r.status >= 400 else None
        )
        self.name, self.shots = name, shots
        if name:
            self.page.goto("/login?lang=zh-hans")
            self.page.fill("#username", name)
            self.page.click("#login-form button[type=submit]")
            self.page.wait_for_url(re.compile(r"/$"))

    def shot(self, label: str) -> None:
        self.page.screenshot(path=str(self.shots / f"eligibility-zh-hans-{label}.png"), full_page=True)


def _api(url: str, name: str) -> ScrutinSession:
    return ScrutinSession(url).dev_login(name)


def _setup(url: str, key_dir) -> tuple[str, str]:
    """A live-rules election, open, where Alice voted and her ballot was struck (with a
    re-vote invitation); Oldtimer has visited once. And a draft for the role policy."""
    admin = _api(url, "Admin")
    live = admin.post(
        "/api/v1/elections", election_config(election_id="live-rules", trustees=1, threshold=1, candidates=2)
    )["id"]
    admin.post(f"/api/v1/elections/{live}/roles", {"username": "T1", "role": "trustee"})
    admin.request(
        "PUT", f"/api/v1/elections/{live}/eligibility", {"roll_mode": "live", "rules": STANDARD_RULES}
    )
    admin.post(f"/api/v1/elections/{live}/freeze")
    run_ceremony([TrusteeClient(_api(url, "T1"), live, key_dir / "T1.json", PASSPHRASE)])
    alice = VoterClient(_api(url, "Alice"), live)
    assert alice.status()["can_cast"] is True
    alice.cast([[1, -1]])
    struck = admin.post(
        f"/api/v1/elections/{live}/scrutiny/strike",
        {
            "voters": ["Alice"],
            "reason_code": "ballot_error",
            "reason_text": STRIKE_REASON,
            "invite_to_revote": True,
        },
    )
    assert struck["invited"] == ["Alice"]
    assert _api(url, "Oldtimer").get(f"/api/v1/elections/{live}/me")["eligible"] is True
    draft = admin.post(
        "/api/v1/elections",
        election_config(election_id="policy-draft", trustees=1, threshold=1, candidates=1),
    )["id"]
    return live, draft


def test_translated_reasons_outbox_links_and_role_policy(chromium, wiki_server, artifacts, tmp_path):
    started = time.monotonic()
    live, draft = _setup(wiki_server, tmp_path)
    setup_seconds = time.monotonic() - started

    # --- the committee: outbox, a re-vote invitation, an invitation link --------------------
    admin = Person(chromium, wiki_server, "Admin", artifacts)
    page = admin.page
    page.goto(f"/admin?election={live}")
    page.wait_for_selector("body[data-admin-ready='1']")
    page.wait_for_selector("#outbox-rows tr[data-recipient='Alice']")
    alice_row = page.locator("#outbox-rows tr[data-recipient='Alice']")
    assert alice_row.get_attribute("data-state") == "sent"
    assert "Please vote again" in alice_row.inner_text() and "outbox" in alice_row.inner_text()
    assert "已于" in alice_row.inner_text()  # "sent <time>", in Chinese
    page.fill("#admin-revote-users", "Oldtimer")
    page.fill("#admin-revote-reason", REVOTE_REASON)
    page.click("#admin-revote-form button[type=submit]")
    page.wait_for_selector("#admin-revote-result.ok")
    page.wait_for_selector("#outbox-rows tr[data-recipient='Oldtimer'][data-state='sent']")
    assert page.locator("#outbox-rows tr").count() == 2
    assert page.locator("#outbox-count").inner_text() == "共 2 条消息。"

    page.fill("#invite-users", "Newbie")
    page.click("#invite-form button[type=submit]")
    page.wait_for_selector("#invite-rows tr[data-user='Newbie']")
    link = page.locator("#invite-rows tr[data-user='Newbie'] input").input_value()
    assert link.startswith(f"{wiki_server}/auth/invite/")
    admin.shot("admin-outbox-links")
    # A link made by mistake is withdrawn: it stops working at once (Newbie's stays valid).
    page.fill("#invite-users", "Mistaken")
    page.click("#invite-form button[type=submit]")
    page.wait_for_selector("#invite-rows tr[data-user='Mistaken']")
    mistaken = page.locator("#invite-rows tr[data-user='Mistaken'] input").input_value()
    page.click("#invite-rows tr[data-user='Mistaken'] button.invite-revoke")
    page.wait_for_selector("#invite-rows tr[data-user='Mistaken']", state="detached")
    expect_text(page, "#invite-result.ok", "Mistaken")
    withdrawn = httpx.get(mistaken, follow_redirects=False)
    assert withdrawn.status_code == 401 and withdrawn.json()["error"] == "invitation_revoked"

    # --- the committee: the role policy of a draft, and roles with jurisdiction and flags ----
    page.goto(f"/admin?election={draft}")
    page.wait_for_selector("body[data-admin-ready='1']")
    page.wait_for_selector("#policy-form:not([hidden])")
    page.fill("#policy-json", "{")
    page.click("#policy-save")
    page.wait_for_selector("#policy-result.error")
    assert "JSON" in page.locator("#policy-result").inner_text()
    page.fill("#policy-json", '{"bogus": 1}')
    page.click("#policy-save")
    expect_text(page, "#policy-result.error", "role_policy.bogus")
    page.click("#policy-use-example")
    page.fill("#policy-json", '{"roles": {"scrutineer": {"required_flags": ["confidentiality_agreement"]}}}')
    page.click("#policy-save")
    page.wait_for_selector("#policy-result.ok")
    page.fill("#role-user", "S1")
    page.select_option("#role-kind", "scrutineer")
    page.click("#role-form button[type=submit]")
    expect_text(page, "#admin-message.error", "confidentiality_agreement")
    page.fill("#role-user", "S1")
    page.select_option("#role-kind", "scrutineer")
    page.fill("#role-jurisdiction", "FR")
    page.fill("#role-flags", "confidentiality_agreement")
    page.check("#role-pii")
    page.click("#role-form button[type=submit]")
    page.wait_for_selector("#role-rows tr[data-user='S1']")
    row = page.locator("#role-rows tr[data-user='S1']")
    assert row.locator(".role-jurisdiction").inner_text() == "FR"
    assert row.locator(".role-flags").inner_text() == "pii, confidentiality_agreement"
    page.reload()  # the saved policy comes back (from the audit log)
    page.wait_for_selector("body[data-admin-ready='1']")
    expect_value(page, "#policy-json", "confidentiality_agreement")
    admin.shot("admin-role-policy")

    # --- Newbie logs in with the link: the reasons in Simplified Chinese ---------------------
    newbie = Person(chromium, wiki_server, None, artifacts)
    newbie.page.goto(urlsplit(link).path)
    newbie.page.wait_for_url(re.compile(rf"/elections/{live}$"))
    newbie.page.wait_for_selector("body[data-status-ready='1']")
    assert newbie.page.locator("html").get_attribute("lang") == "zh-Hans"
    status = newbie.page.locator("#status").inner_text()
    assert "Newbie" in status and "不能" in status
    reasons = newbie.page.locator("#eligibility-reasons li").all_inner_texts()
    assert len(reasons) == 4, reasons
    assert all(CJK.search(r) and "edits" not in r and "registered" not in r for r in reasons)
    joined = "\n".join(reasons)
    for expected in (
        "在 enwiki 上只有 3 次编辑；至少需要 100 次",
        "在 enwiki 上，2025-01-01 之前只有 3 次编辑；需要 10 次",
        "仅计名字空间 4，只有 0 次编辑；需要 2 次",
        "于 2024-12-01 在 enwiki 注册，不早于 2024-11-01",
    ):
        assert expected in joined, (expected, joined)
    message = newbie.page.locator("#eligibility-message").inner_text()
    assert message == ("选举委员会的留言：See the election page for the voting requirements.")
    assert newbie.page.locator("#vote-section").is_hidden()
    newbie.shot("booth-not-eligible")
    # The new texts and tables fit a phone screen (the committee page with its outbox).
    page.goto(f"/admin?election={live}")
    page.wait_for_selector("body[data-admin-ready='1']")
    page.wait_for_selector("#outbox-rows tr[data-recipient='Oldtimer']")
    for person in (newbie, admin):
        person.page.set_viewport_size({"width": 375, "height": 740})
        width = person.page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375 + 1, f"{person.name}: {width}px wide on a 375px screen: " + str(
            person.page.evaluate(WIDER_THAN_THE_SCREEN)
        )
    admin.shot("admin-phone")

    # --- Oldtimer: eligible, invited to vote again, in Simplified Chinese -------------------
    oldtimer = Person(chromium, wiki_server, "Oldtimer", artifacts)
    oldtimer.page.goto(f"/elections/{live}")
    oldtimer.page.wait_for_selector("body[data-booth-ready='1']")
    notice = oldtimer.page.locator(".notice[data-kind='revote']").inner_text()
    assert notice.startswith("选举委员会邀请您重新投票") and REVOTE_REASON in notice
    passes = oldtimer.page.locator("#eligibility-reasons li").all_inner_texts()
    assert len(passes) == 7 and all(CJK.search(p) for p in passes), passes
    assert any("开始记录注册日期" in p for p in passes)  # registered before dates were kept
    oldtimer.shot("booth-revote-notice")

    # The refusals the committee provoked on purpose; nothing else may fail.
    expected = re.compile(r"^(422 .*/role-policy|409 .*/roles)$")
    for person in (admin, newbie, oldtimer):
        problems = [e for e in person.errors if "favicon" not in e and not expected.match(e)]
        assert not problems, f"{person.name}: {problems}"
        person.context.close()
    assert len([e for e in admin.errors if expected.match(e)]) == 2
    print(
        f"eligibility and outbox in the browser: {time.monotonic() - started:.1f} s "
        f"(setup through the API {setup_seconds:.1f} s)"
    )


def expect_text(page, selector: str, text: str) -> None:
    page.wait_for_selector(selector)
    pytest.importorskip("playwright.sync_api").expect(page.locator(selector)).to_contain_text(
        text, timeout=TIMEOUT
    )


def expect_value(page, selector: str, text: str) -> None:
    pytest.importorskip("playwright.sync_api").expect(page.locator(selector)).to_have_value(
        re.compile(re.escape(text)), timeout=TIMEOUT
    )
