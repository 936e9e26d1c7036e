"""The durable notification outbox: requests only queue; a worker sends with retries and
exponential backoff, one SMTP connection per batch, gives up after N attempts (shown to the
committee), and delivers each notice exactly once — against a local SMTP server that fails
first (tests/fakes/smtp.py)."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from app import db
from app.cli import cli
from app.config import Settings
from app.db import transaction
from app.main import create_app
from app.models import OutboxMessage
from app.models.base import utcnow
from app.services import notify
from tests.conftest import TEST_RATE_LIMITS, TEST_SECRET
from tests.fakes.smtp import FakeSmtpServer
from tests.service.helpers import ADMIN, open_election, voter

SMTP = {
    "notify_channels": "outbox,smtp",
    "smtp_host": "127.0.0.1",
    "smtp_starttls": False,
    "smtp_from": "elections@example.org",
    "smtp_address_template": "{username}@example.org",
}


@pytest.fixture(autouse=True)
def _keep_logging(keep_logging):
    """`scrutin outbox work` configures the process's logging (tests/service/conftest.py)."""


@pytest.fixture
def database_url(fresh_database_url):
    """A database of these tests' own: the worker takes every due notice in it."""
    db.upgrade(fresh_database_url)
    return fresh_database_url


def make_app(database_url, tmp_path, smtp, run_scheduler=False, **extra):
    settings = Settings(
        environment="test",
        dev_login=True,
        secret_key=TEST_SECRET,
        **TEST_RATE_LIMITS,
        database_url=database_url,
        data_dir=tmp_path,
        admins=ADMIN,
        demo=False,
        **{**SMTP, "smtp_port": smtp.port, **extra},
    )
    return create_app(settings, run_scheduler=run_scheduler)


def strike_and_invite(client, tmp_path, names):
    admin, eid, _ = open_election(client, tmp_path, names, trustees=1, threshold=1)
    for name in names:
        voter(client, eid, name).cast([[1, 0, -1]])
    admin.post(
        f"/api/v1/elections/{eid}/scrutiny/strike",
        {
            "voters": names,
            "reason_code": "technical",
            "reason_text": "private words",
            "invite_to_revote": True,
        },
    )
    return admin, eid


def smtp_rows(app) -> dict[str, OutboxMessage]:
    with transaction(app.state.sessions) as session:
        rows = session.scalars(select(OutboxMessage).where(OutboxMessage.channel == "smtp"))
        return {row.recipient: row for row in rows}


def work(app, now):
    return notify.work_all_due(
        app.state.sessions, app.state.notify_channels, notify.policy_from(app.state.settings), now=now
    )


def test_failures_are_retried_with_backoff_and_delivered_exactly_once(database_url, tmp_path):
    with FakeSmtpServer(fail_first=3) as smtp:
        app = make_app(database_url, tmp_path, smtp, notify_retry_seconds=10, notify_max_attempts=5)
        with TestClient(app) as client:
            admin, eid = strike_and_invite(client, tmp_path, ["Alice", "Bob"])
            # The request only queued: nobody connected to the SMTP server.
            assert smtp.connections == 0
            assert {r.status for r in smtp_rows(app).values()} == {"pending"}
            t0 = utcnow()
            first = work(app, t0)  # Alice: 451, Bob: 451
            assert (first.sent, first.retry, first.failed) == (0, 2, 0)
            assert smtp.connections == 1  # one connection for the batch
            rows = smtp_rows(app)
            assert rows["Alice"].attempts == 1 and "451" in rows["Alice"].error
            assert rows["Alice"].next_attempt_at == t0 + timedelta(seconds=10)
            assert work(app, t0 + timedelta(seconds=9)).attempted == 0  # not due yet
            second = work(app, t0 + timedelta(seconds=10))  # Alice: 451 again, Bob: sent
            assert (second.sent, second.retry) == (1, 1)
            rows = smtp_rows(app)
            assert rows["Bob"].status == "sent" and rows["Bob"].error is None
            # Backoff doubles: 10 s, then 20 s.
            assert rows["Alice"].attempts == 2
            assert rows["Alice"].next_attempt_at == t0 + timedelta(seconds=30)
            assert work(app, t0 + timedelta(seconds=29)).attempted == 0
            assert work(app, t0 + timedelta(seconds=30)).sent == 1
            assert work(app, t0 + timedelta(days=1)).attempted == 0  # nothing sent twice
            messages = admin.get(f"/api/v1/elections/{eid}/outbox")["messages"]
        app.state.engine.dispose()
    assert sorted(m["to"][0] for m in smtp.messages) == ["Alice@example.org", "Bob@example.org"]
    alice = next(m for m in messages if m["channel"] == "smtp" and m["recipient"] == "Alice")
    assert alice["status"] == "sent" and alice["attempts"] == 3 and alice["error"] is None
    # The on-site outbox copy was never a delivery to retry.
    assert all(m["status"] == "sent" and m["attempts"] == 0 for m in messages if m["channel"] == "outbox")


def test_gives_up_after_max_attempts_and_shows_it(database_url, tmp_path):
    with FakeSmtpServer(defer={"Alice@example.org"}, refuse={"Bob@example.org"}) as smtp:
        app = make_app(database_url, tmp_path, smtp, notify_retry_seconds=1, notify_max_attempts=3)
        with TestClient(app) as client:
            admin, eid = strike_and_invite(client, tmp_path, ["Alice", "Bob"])
            now = utcnow()
            for _ in range(3):
                admin_view = admin.get(f"/api/v1/elections/{eid}/outbox")["messages"]
                work(app, now)
                now += timedelta(hours=1)
            retrying = next(m for m in admin_view if m["channel"] == "smtp" and m["recipient"] == "Alice")
            # Before giving up the committee sees a pending notice with its last error.
            assert retrying["status"] == "pending" and retrying["error"] is None
            assert "451" in retrying["last_error"] and retrying["attempts"] == 2
            assert work(app, now + timedelta(days=1)).attempted == 0
            messages = admin.get(f"/api/v1/elections/{eid}/outbox")["messages"]
            metrics = client.get("/metrics").text
        app.state.engine.dispose()
    by_name = {m["recipient"]: m for m in messages if m["channel"] == "smtp"}
    assert by_name["Alice"]["status"] == "failed" and by_name["Alice"]["attempts"] == 3
    assert "451" in by_name["Alice"]["error"] and by_name["Alice"]["next_attempt_at"] is None
    # A permanent refusal (550) is given up at once.
    assert by_name["Bob"]["status"] == "failed" and by_name["Bob"]["attempts"] == 1
    assert "550" in by_name["Bob"]["error"]
    assert smtp.messages == []
    assert 'scrutin_outbox_messages{kind="notice",status="failed"}' in metrics


def test_the_request_does_not_wait_for_smtp(database_url, tmp_path):
    gate = threading.Event()  # the SMTP server answers nobody until this is set
    with FakeSmtpServer(gate=gate) as smtp:
        app = make_app(database_url, tmp_path, smtp, run_scheduler=True)
        with TestClient(app) as client:
            started = time.monotonic()
            strike_and_invite(client, tmp_path, ["Alice"])
            assert not gate.is_set()
            # The request came back while the server has not even greeted anyone.
            assert smtp.messages == [] and smtp_rows(app)["Alice"].status in ("pending", "sending")
            elapsed = time.monotonic() - started
            gate.set()
            deadline = time.monotonic() + 20
            while smtp_rows(app)["Alice"].status != "sent" and time.monotonic() < deadline:
                time.sleep(0.05)
        app.state.engine.dispose()
    assert elapsed < 15  # the SMTP timeout is 20 s: a blocked request would take longer
    assert [m["to"][0] for m in smtp.messages] == ["Alice@example.org"]


def test_concurrent_workers_send_each_notice_once(database_url, tmp_path):
    with FakeSmtpServer() as smtp:
        app = make_app(database_url, tmp_path, smtp, notify_batch_size=1)
        with TestClient(app) as client:
            names = [f"Voter{i}" for i in range(6)]
            strike_and_invite(client, tmp_path, names)
            now = utcnow()
            threads = [threading.Thread(target=work, args=(app, now)) for _ in range(3)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        app.state.engine.dispose()
    assert sorted(m["to"][0] for m in smtp.messages) == sorted(f"{n}@example.org" for n in names)


def test_an_abandoned_claim_is_taken_again(database_url, tmp_path):
    with FakeSmtpServer() as smtp:
        app = make_app(database_url, tmp_path, smtp)
        with TestClient(app) as client:
            strike_and_invite(client, tmp_path, ["Alice"])
            now = utcnow()
            with transaction(app.state.sessions) as session:  # a worker claimed, then died
                assert len(notify.claim_due(session, now, 10)) == 1
            assert work(app, now + timedelta(seconds=60)).attempted == 0  # still its claim
            later = now + timedelta(seconds=notify.CLAIM_SECONDS + 1)
            assert work(app, later).sent == 1
        app.state.engine.dispose()
    assert len(smtp.messages) == 1


@pytest.mark.parametrize("once", [True])
def test_outbox_work_command(database_url, tmp_path, monkeypatch, once):
    with FakeSmtpServer() as smtp:
        app = make_app(database_url, tmp_path, smtp)
        with TestClient(app) as client:
            strike_and_invite(client, tmp_path, ["Alice", "Bob"])
        app.state.engine.dispose()
        env = {
            "SCRUTIN_DATABASE_URL": database_url,
            "SCRUTIN_NOTIFY_CHANNELS": "smtp",
            "SCRUTIN_SMTP_HOST": "127.0.0.1",
            "SCRUTIN_SMTP_PORT": str(smtp.port),
            "SCRUTIN_SMTP_STARTTLS": "false",
            "SCRUTIN_SMTP_FROM": "e@example.org",
            "SCRUTIN_SMTP_ADDRESS_TEMPLATE": "{username}@example.org",
        }
        result = CliRunner().invoke(cli, ["outbox", "work", "--once"], env=env)
        assert result.exit_code == 0, result.output
        assert "sent 2, to retry 0, given up 0" in result.output
        again = CliRunner().invoke(cli, ["outbox", "work", "--once"], env=env)
        assert "sent 0" in again.output
    assert len(smtp.messages) == 2
    bad = CliRunner().invoke(
        cli, ["outbox", "work", "--once"], env={**env, "SCRUTIN_NOTIFY_CHANNELS": "pigeon"}
    )
    assert bad.exit_code == 2 and "unknown notify channel" in bad.output
