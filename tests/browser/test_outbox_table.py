"""The committee's notification outbox in real Chromium: each message with its attempts, its
last error and its next try. Re-vote notices go by e-mail to a local SMTP server
(tests/fakes/smtp.py) that defers one address (451: tried again later), refuses another
(550: given up at once) and takes the third; the server's own outbox worker sends them.
English and Simplified Chinese, desktop and phone; screenshots in test-artifacts/."""

from __future__ import annotations

import time

import pytest

from app.config import Settings
from app.local_server import free_port, live_server
from tests.fakes.smtp import FakeSmtpServer
from tests.service.helpers import voter

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api").expect
WORDS = {
    "en": {
        "retrying": "failed; will be tried again",
        "given_up": "not delivered: given up",
        "sent": "sent",
        "head": ["Attempts", "Last error", "Next try"],
    },
    "zh-hans": {
        "retrying": "发送失败，将再次尝试",
        "given_up": "未送达：已放弃",
        "sent": "发送",
        "head": ["尝试次数", "最近一次错误", "下次尝试"],
    },
}
NAMES = ["Alice", "Bob", "Carol"]


@pytest.fixture
def smtp_server(database_url, tmp_path):
    from tests.conftest import TEST_RATE_LIMITS, TEST_SECRET

    with FakeSmtpServer(defer={"Alice@example.org"}, refuse={"Bob@example.org"}) as smtp:
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
            notify_channels="outbox,smtp",
            smtp_host="127.0.0.1",
            smtp_port=smtp.port,
            smtp_starttls=False,
            smtp_from="elections@example.org",
            smtp_address_template="{username}@example.org",
            notify_retry_seconds=3600,
            notify_max_attempts=5,
        )
        with live_server(settings, port=port) as url:
            yield url


def _tried_once(admin, eid: str) -> list[dict]:
    """The outbox once the worker has tried every e-mail (it runs in the server)."""
    deadline = time.monotonic() + 30
    while True:
        messages = admin.get(f"/api/v1/elections/{eid}/outbox")["messages"]
        mails = [m for m in messages if m["channel"] == "smtp"]
        if len(mails) == 3 and all(m["attempts"] for m in mails):
            return messages
        assert time.monotonic() < deadline, mails
        time.sleep(0.3)


@pytest.mark.parametrize("kind", ["desktop", "phone"])
@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_outbox_shows_attempts_last_error_and_next_try(
    committee_page, smtp_server, artifacts, lang, kind
) -> None:
    words = WORDS[lang]
    mails: dict[str, dict] = {}

    def strike_and_invite(http, admin, eid) -> None:  # type: ignore[no-untyped-def]
        for name in NAMES:
            voter(http, eid, name).cast([[1, 0, -1]])
        admin.post(
            f"/api/v1/elections/{eid}/scrutiny/strike",
            {"voters": NAMES, "reason_code": "technical", "reason_text": "a test", "invite_to_revote": True},
        )
        mails.update({m["recipient"]: m for m in _tried_once(admin, eid) if m["channel"] == "smtp"})

    cp = committee_page(smtp_server, NAMES, lang=lang, kind=kind, prepare=strike_and_invite)
    page = cp.page
    # what the API says (the page shows exactly this)
    assert (mails["Alice"]["status"], mails["Alice"]["attempts"]) == ("pending", 1)
    assert "451" in mails["Alice"]["last_error"] and mails["Alice"]["next_attempt_at"]
    assert (mails["Bob"]["status"], mails["Bob"]["attempts"]) == ("failed", 1)
    assert "550" in mails["Bob"]["last_error"] and mails["Bob"]["next_attempt_at"] is None
    assert (mails["Carol"]["status"], mails["Carol"]["last_error"]) == ("sent", None)

    heads = page.locator("#outbox-section thead th").all_inner_texts()
    assert heads[-3:] == words["head"]

    def row(name: str):  # type: ignore[no-untyped-def]
        return page.locator(f"#outbox-rows tr[data-recipient='{name}'][data-channel='smtp']")

    alice, bob, carol = row("Alice"), row("Bob"), row("Carol")
    expect(alice).to_have_attribute("data-state", "pending")
    expect(alice.locator(".outbox-delivery")).to_have_text(words["retrying"])
    expect(alice.locator(".outbox-attempts")).to_have_text("1")
    expect(alice.locator(".outbox-error")).to_contain_text("451")
    # the next try in the browser's time: its minutes and seconds (in 12 or 24 h, any zone
    # whose offset is whole hours, as the test machines' are)
    expect(alice.locator(".outbox-next")).to_contain_text(mails["Alice"]["next_attempt_at"][14:19])
    expect(bob).to_have_attribute("data-state", "failed")
    expect(bob.locator(".outbox-delivery")).to_have_text(words["given_up"])
    expect(bob.locator(".outbox-attempts")).to_have_text("1")
    expect(bob.locator(".outbox-error")).to_contain_text("550")
    expect(bob.locator(".outbox-next")).to_have_text("—")
    expect(carol).to_have_attribute("data-state", "sent")
    expect(carol.locator(".outbox-delivery")).to_contain_text(words["sent"])
    expect(carol.locator(".outbox-error")).to_have_text("—")
    # the on-site copies were never deliveries to retry
    onsite = page.locator("#outbox-rows tr[data-channel='outbox']")
    assert onsite.count() == 3
    assert set(onsite.locator(".outbox-attempts").all_inner_texts()) == {"0"}
    page.locator("#outbox-section").scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / f"outbox-{lang}-{kind}.png"), full_page=False)
    assert cp.fits_the_screen()  # the table scrolls inside its box on a phone
    assert not cp.errors, cp.errors
