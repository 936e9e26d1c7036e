"""Re-vote notices over each channel: outbox, SMTP (a local SMTP server) and the wiki's
Special:EmailUser (the fake MediaWiki API), all over real sockets."""

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from app.services.notify import channels_from
from tests.conftest import TEST_RATE_LIMITS, TEST_SECRET
from tests.fakes.pytest_fixtures import fake_wiki, fake_wiki_server  # noqa: F401
from tests.fakes.smtp import FakeSmtpServer, body_of
from tests.service.helpers import ADMIN, login, open_election, voter


@pytest.fixture
def smtp():
    with FakeSmtpServer() as server:
        yield server


def notify_client(database_url, tmp_path, **extra):
    settings = Settings(
        environment="test",
        dev_login=True,
        secret_key=TEST_SECRET,
        **TEST_RATE_LIMITS,
        database_url=database_url,
        data_dir=tmp_path,
        admins=ADMIN,
        **extra,
    )
    return create_app(settings, run_scheduler=False)


def test_invitations_go_out_on_every_channel(database_url, tmp_path, smtp, fake_wiki) -> None:  # noqa: F811
    fake_wiki.farm.email_bot_tokens["bot-token"] = "ElectionBot"
    app = notify_client(
        database_url,
        tmp_path,
        notify_channels="outbox,smtp,mediawiki",
        smtp_host="127.0.0.1",
        smtp_port=smtp.port,
        smtp_starttls=False,
        smtp_from="elections@example.org",
        smtp_address_template="{username}@example.org",
        wiki_email_api_url=fake_wiki.api_url("enwiki"),
        wiki_email_token="bot-token",
    )
    with TestClient(app) as client:
        admin, eid, _ = open_election(client, tmp_path, ["Alice", "Ghost"], trustees=1, threshold=1)
        voter(client, eid, "Alice").cast([[1, 1, 1]])
        voter(client, eid, "Ghost").cast([[0, 0, 0]])
        login(client, ADMIN).post(
            f"/api/v1/elections/{eid}/scrutiny/strike",
            {
                "voters": ["Alice", "Ghost"],
                "reason_code": "ballot_error",
                "reason_text": "the ballot was wrong",
                "invite_to_revote": True,
            },
        )
        app.state.scheduler.work_outbox()  # the worker sends (the request only queued)
        messages = admin.get(f"/api/v1/elections/{eid}/outbox")["messages"]
    app.state.engine.dispose()
    by_channel = {(m["channel"], m["recipient"]): m for m in messages}
    assert by_channel[("outbox", "Alice")]["sent_at"]
    assert by_channel[("smtp", "Alice")]["sent_at"] and by_channel[("smtp", "Ghost")]["sent_at"]
    assert by_channel[("mediawiki", "Alice")]["sent_at"]
    # "Ghost" has no account on the wiki: the failure is recorded, not hidden, not fatal, and
    # not retried (the wiki's answer will not change).
    assert "nosuchuser" in by_channel[("mediawiki", "Ghost")]["error"]
    assert by_channel[("mediawiki", "Ghost")]["status"] == "failed"
    assert by_channel[("mediawiki", "Ghost")]["attempts"] == 1
    assert sorted(m["to"][0] for m in smtp.messages) == ["Alice@example.org", "Ghost@example.org"]
    # The private reason text never leaves the audit log; the reason code's message does.
    assert "the ballot was wrong" not in body_of(smtp.messages[0]["message"])
    assert "the ballot shown to voters was wrong" in body_of(smtp.messages[0]["message"])
    assert all("the ballot was wrong" not in m["body"] for m in messages)
    assert "the ballot was wrong" not in str(fake_wiki.farm.sent_emails)
    assert fake_wiki.farm.sent_emails[0]["to"] == "Alice"
    assert fake_wiki.farm.sent_emails[0]["subject"].startswith("Please vote again")


def test_misconfigured_channels_are_refused_at_start() -> None:
    with pytest.raises(ValueError, match="SCRUTIN_SMTP_HOST"):
        channels_from(Settings(notify_channels="smtp"))
    with pytest.raises(ValueError, match="unknown notify channel"):
        channels_from(Settings(notify_channels="pigeon"))
