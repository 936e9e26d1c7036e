"""The audit log is anchored on the public board: truncation and rewriting are detected, a
broken entry is named while the rest stays readable, and anyone with the committee's export can
re-check it (``scrutin audit verify``)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, select, update
from typer.testing import CliRunner

from app.cli import cli
from app.db import make_engine
from app.local_server import live_server
from app.models import AuditEntry
from app.scheduler import Scheduler
from crypto import auditlog
from crypto.errors import InvalidRecord
from crypto.record import verify_record
from tests.service.helpers import ADMIN, election_config, login, open_election


def _edit(settings, statement) -> None:
    engine = make_engine(settings.effective_database_url)
    with engine.begin() as connection:
        connection.execute(statement)
    engine.dispose()


def _rehash_from(settings, eid: str, first: int) -> None:
    """An insider who edits entries and recomputes every hash after them (the chain alone
    cannot show it)."""
    engine = make_engine(settings.effective_database_url)
    with engine.begin() as connection:
        rows = connection.execute(
            select(AuditEntry).where(AuditEntry.scope == eid).order_by(AuditEntry.seq)
        ).all()
        prev = auditlog.GENESIS
        for seq, row in enumerate(rows, start=1):
            if seq >= first:
                digest = auditlog.entry_hash(
                    prev, eid, seq, row.at.isoformat(), row.actor, row.action, row.detail
                )
                connection.execute(
                    update(AuditEntry)
                    .where(AuditEntry.id == row.id)
                    .values(seq=seq, prev_hash=prev, entry_hash=digest)
                )
                prev = digest
            else:
                prev = row.entry_hash
    engine.dispose()


@pytest.fixture
def anchored(client, tmp_path):
    admin, eid, _ = open_election(client, tmp_path, ["V1", "V2"])
    result = admin.post(f"/api/v1/elections/{eid}/audit/anchor")
    assert result["anchored"] and result["count"] > 3
    heads = [e for e in admin.board(eid) if e["type"] == "audit_head"]
    assert [h["payload"]["count"] for h in heads] == [result["count"]]
    assert admin.post(f"/api/v1/elections/{eid}/audit/anchor")["anchored"] is False  # no growth
    return admin, eid, result["count"]


def test_anchors_are_signed_on_the_board_and_verified(client, anchored) -> None:
    admin, eid, count = anchored
    log = admin.get(f"/api/v1/elections/{eid}/audit")
    assert log["verification"]["ok"] and log["verification"]["anchors_checked"] == 1
    record = client.get(f"/api/v1/elections/{eid}/record").json()
    report = verify_record(record, workers=1)
    check = next(c for c in report.checks if c.name == "audit_anchors")
    assert check.counts == {"anchors": 1, "entries": count}


def test_deleting_the_last_entries_is_detected(client, settings, anchored) -> None:
    admin, eid, count = anchored
    _edit(settings, delete(AuditEntry).where(AuditEntry.scope == eid, AuditEntry.seq >= count - 1))
    log = admin.get(f"/api/v1/elections/{eid}/audit")
    problems = log["verification"]["problems"]
    assert not log["verification"]["ok"]
    assert any("were deleted" in p["problem"] for p in problems), problems


def test_rewriting_from_an_edited_entry_is_detected(client, settings, anchored) -> None:
    admin, eid, count = anchored
    _edit(
        settings,
        update(AuditEntry).where(AuditEntry.scope == eid, AuditEntry.seq == 2).values(actor="Someone else"),
    )
    _rehash_from(settings, eid, 2)
    log = admin.get(f"/api/v1/elections/{eid}/audit")
    assert [(p["seq"], "rewritten" in p["problem"]) for p in log["verification"]["problems"]] == [
        (count, True)
    ]
    assert all(e["valid"] for e in log["entries"])  # every link checks: only the anchor shows it


def test_deleting_a_middle_entry_and_rehashing_is_detected(client, settings, anchored) -> None:
    admin, eid, count = anchored
    _edit(settings, delete(AuditEntry).where(AuditEntry.scope == eid, AuditEntry.seq == 2))
    _rehash_from(settings, eid, 2)
    log = admin.get(f"/api/v1/elections/{eid}/audit")
    assert not log["verification"]["ok"]
    # The read itself refilled the log to the anchored count; its last entry is not the
    # anchored one.
    assert log["verification"]["entries"] == count
    assert [(p["seq"], "rewritten" in p["problem"]) for p in log["verification"]["problems"]] == [
        (count, True)
    ]


def test_the_scheduler_anchors_logs_that_grew(app, client) -> None:
    admin = login(client, ADMIN)
    eid = admin.post("/api/v1/elections", election_config())["id"]
    admin.post(f"/api/v1/elections/{eid}/roles", {"username": "T1", "role": "trustee"})
    scheduler = Scheduler(app.state.sessions, audit_signer=app.state.audit_signer, audit_anchor=timedelta(0))
    assert eid not in scheduler.anchor_audit_logs()  # a draft has no board to anchor on
    admin.post(f"/api/v1/elections/{eid}/roles", {"username": "T2", "role": "trustee"})
    admin.post(f"/api/v1/elections/{eid}/roles", {"username": "T3", "role": "trustee"})
    admin.post(f"/api/v1/elections/{eid}/freeze")
    assert eid in scheduler.anchor_audit_logs()
    assert eid not in scheduler.anchor_audit_logs()  # nothing new
    patient = Scheduler(
        app.state.sessions, audit_signer=app.state.audit_signer, audit_anchor=timedelta(hours=1)
    )
    admin.post(f"/api/v1/elections/{eid}/roles", {"username": "S1", "role": "scrutineer"})
    assert eid not in patient.anchor_audit_logs()  # anchored a moment ago: not yet due
    heads = [e for e in admin.board(eid) if e["type"] == "audit_head"]
    assert len(heads) == 1


def test_the_cli_reports_a_truncated_log(settings, tmp_path) -> None:
    runner = CliRunner()
    with live_server(settings) as url:
        from tests.service.test_e2e_http import session

        admin = session(url, ADMIN)
        eid = admin.post("/api/v1/elections", election_config())["id"]
        for name in ("T1", "T2", "T3"):
            admin.post(f"/api/v1/elections/{eid}/roles", {"username": name, "role": "trustee"})
        admin.post(f"/api/v1/elections/{eid}/freeze")
        count = admin.post(f"/api/v1/elections/{eid}/audit/anchor")["count"]
        args = ["audit", "verify", "--election", eid, "--url", url, "--dev-user", ADMIN]
        ok = runner.invoke(cli, args)
        assert ok.exit_code == 0 and "the audit log is intact" in ok.output, ok.output
        _edit(settings, delete(AuditEntry).where(AuditEntry.scope == eid, AuditEntry.seq == count))
        _edit(settings, delete(AuditEntry).where(AuditEntry.scope == eid, AuditEntry.seq > count))
        broken = runner.invoke(cli, args)
    # The CLI's own read refilled the log to the anchored count (reads are logged), so the
    # anchored entry is found replaced: the truncation cannot hide.
    assert broken.exit_code == 1, broken.output
    assert f"PROBLEM at entry {count}" in broken.output and "rewritten" in broken.output


def test_forged_anchors_are_rejected() -> None:
    seed, other = bytes(range(32)), bytes(range(1, 33))
    heads = [auditlog.sign_head(seed, "e", 3, "a" * 64), auditlog.sign_head(seed, "e", 5, "b" * 64)]
    events = [{"seq": i + 1, "type": "audit_head", "payload": p} for i, p in enumerate(heads)]
    assert [a["count"] for a in auditlog.check_anchors("e", events)] == [3, 5]
    shrunk = [events[1], {**events[0], "seq": 2}]
    with pytest.raises(InvalidRecord, match="only grows"):
        auditlog.check_anchors("e", shrunk)
    forged = [events[0], {"seq": 2, "type": "audit_head", "payload": {**heads[1], "count": 6}}]
    with pytest.raises(InvalidRecord, match="signature does not verify"):
        auditlog.check_anchors("e", forged)
    rekeyed = [
        events[0],
        {"seq": 2, "type": "audit_head", "payload": auditlog.sign_head(other, "e", 6, "c" * 64)},
    ]
    with pytest.raises(InvalidRecord, match="another audit key"):
        auditlog.check_anchors("e", rekeyed)
    with pytest.raises(InvalidRecord, match="signature"):  # another election's head
        auditlog.check_anchors("f", events[:1])


def test_refused_privileged_attempts_are_logged(client) -> None:
    admin = login(client, ADMIN)
    eid = admin.post("/api/v1/elections", election_config())["id"]
    admin.post(f"/api/v1/elections/{eid}/roles", {"username": "Carol", "role": "scrutineer"})
    carol = login(client, "Carol")
    from app.client.http import ApiError

    with pytest.raises(ApiError) as refused:  # a scrutineer is not the committee
        carol.post(f"/api/v1/elections/{eid}/roles", {"username": "Carol", "role": "committee"})
    assert refused.value.status == 403
    entries = admin.get(f"/api/v1/elections/{eid}/audit")["entries"]
    logged = [e for e in entries if e["action"] == "refused"]
    assert len(logged) == 1 and logged[0]["actor"] == "Carol"
    assert logged[0]["detail"]["path"] == f"/api/v1/elections/{eid}/roles"
    assert logged[0]["detail"]["method"] == "POST"
    roles = {(r["username"], r["role"]) for r in admin.get(f"/api/v1/elections/{eid}/roles")}
    assert ("Carol", "committee") not in roles
