"""The private, hash-chained audit log: every privileged action with actor and time.

The chain rule and the anchors are defined in ``crypto.auditlog``. Each election's head is
signed with the server's audit key and published on its public board (``audit_head``: count and
hash, never contents) by the scheduler and at every phase change, so a log truncated or
rewritten by whoever holds the database no longer matches what the board anchored.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.errors import Conflict
from app.models import AuditEntry, BoardEvent
from app.models.base import utcnow
from app.services import board
from app.services.actor import Actor
from crypto import auditlog
from crypto.auditlog import GENESIS, LogReport

INSTANCE_SCOPE = "instance"


class AuditSigner:
    """The server's audit key (Ed25519, derived from the instance secret like the receipt key,
    with its own tag): it signs the heads published on the boards."""

    def __init__(self, secret_key: str) -> None:
        self.seed = hashlib.sha256(b"scrutin/audit-key/v1\x00" + secret_key.encode()).digest()


MAX_APPEND_ATTEMPTS = 20


def record(
    session: Session, scope: str, actor: Actor, action: str, detail: dict[str, Any] | None = None
) -> AuditEntry:
    """Append an entry to the scope's chain.

    Most callers hold the election's row lock, but some privileged reads (a PII view, an
    export) do not; two of those racing would pick the same sequence number. The unique
    (scope, seq) constraint catches it: the losing insert is rolled back to a savepoint and
    retried on top of the winner, so the chain stays linear and no request fails.
    """
    detail = json.loads(json.dumps(detail or {}, default=str))
    for _ in range(MAX_APPEND_ATTEMPTS):
        last = session.scalars(
            select(AuditEntry).where(AuditEntry.scope == scope).order_by(AuditEntry.seq.desc()).limit(1)
        ).first()
        seq = (last.seq + 1) if last else 1
        prev = last.entry_hash if last else GENESIS
        at = utcnow()
        entry = AuditEntry(
            scope=scope,
            seq=seq,
            at=at,
            actor=actor.label,
            action=action,
            detail=detail,
            prev_hash=prev,
            entry_hash=auditlog.entry_hash(prev, scope, seq, at.isoformat(), actor.label, action, detail),
        )
        try:
            with session.begin_nested():
                session.add(entry)
        except IntegrityError:
            continue
        return entry
    raise Conflict("audit_busy", "the audit log is busy; please retry")


def entries(session: Session, scope: str) -> Sequence[AuditEntry]:
    return session.scalars(select(AuditEntry).where(AuditEntry.scope == scope).order_by(AuditEntry.seq)).all()


def anchors(session: Session, scope: str) -> list[dict[str, Any]]:
    """The audit heads published on the scope's board (an election's), in board order."""
    return [
        dict(e.payload)
        for e in session.scalars(
            select(BoardEvent)
            .where(BoardEvent.election_id == scope, BoardEvent.type == auditlog.AUDIT_HEAD)
            .order_by(BoardEvent.seq)
        )
    ]


def verify(session: Session, scope: str) -> LogReport:
    """Check the scope's chain entry by entry and against the heads anchored on its board.
    A broken entry is reported (``problems``) without making the rest unreadable."""
    rows = entries(session, scope)
    return auditlog.check_log(scope, [to_json(e) for e in rows], anchors(session, scope))


def head(session: Session, scope: str) -> tuple[int, str]:
    last = session.scalars(
        select(AuditEntry).where(AuditEntry.scope == scope).order_by(AuditEntry.seq.desc()).limit(1)
    ).first()
    return (last.seq, last.entry_hash) if last else (0, GENESIS)


def anchor(session: Session, election_id: str, signer: AuditSigner) -> BoardEvent | None:
    """Publish the election's audit head on its board if it grew since the last anchor (the
    caller holds the election's row lock). Returns the new event, if any."""
    count, digest = head(session, election_id)
    if count == 0:
        return None
    last = session.scalars(
        select(BoardEvent)
        .where(BoardEvent.election_id == election_id, BoardEvent.type == auditlog.AUDIT_HEAD)
        .order_by(BoardEvent.seq.desc())
        .limit(1)
    ).first()
    if last is not None and last.payload.get("count") == count:
        return None
    return board.append(
        session, election_id, auditlog.AUDIT_HEAD, auditlog.sign_head(signer.seed, election_id, count, digest)
    )


def unanchored(session: Session, older_than: timedelta) -> list[str]:
    """Elections whose audit log grew since their last anchor, and whose last anchor (or first
    board event) is older than ``older_than``: the scheduler anchors them."""
    cutoff = board.stamp(utcnow() - older_than)
    counts = dict(
        session.execute(select(AuditEntry.scope, func.max(AuditEntry.seq)).group_by(AuditEntry.scope)).all()
    )
    due = []
    for election_id, count in counts.items():
        if election_id == INSTANCE_SCOPE:
            continue
        last = session.scalars(
            select(BoardEvent)
            .where(BoardEvent.election_id == election_id, BoardEvent.type == auditlog.AUDIT_HEAD)
            .order_by(BoardEvent.seq.desc())
            .limit(1)
        ).first()
        if last is not None and (last.payload.get("count") == count or last.at > cutoff):
            continue
        if last is None:
            first = session.scalar(
                select(func.min(BoardEvent.at)).where(BoardEvent.election_id == election_id)
            )
            if first is None or first > cutoff:  # no board yet, or too young to anchor
                continue
        due.append(election_id)
    return due


def to_json(entry: AuditEntry) -> dict[str, Any]:
    return {
        "seq": entry.seq,
        "at": entry.at.isoformat(),
        "actor": entry.actor,
        "action": entry.action,
        "detail": entry.detail,
        "prev": entry.prev_hash,
        "hash": entry.entry_hash,
    }


def committee_view(session: Session, actor: Actor, election_id: str) -> dict[str, Any]:
    """The election's private log for its committee, each entry marked valid or not. Reading
    it is itself a sensitive act: it is logged first, so the answer shows it."""
    from app.services import elections  # elections imports this module

    election = elections.load(session, election_id)
    elections.require_role(session, actor, election, "committee")
    record(session, election.id, actor, "audit.read", {})
    session.flush()
    report = verify(session, election.id)
    rows = [{**to_json(e), "valid": e.seq in report.valid} for e in entries(session, election.id)]
    return {"head": report.head, "verification": report.to_json(), "entries": rows}


def anchor_now(session: Session, actor: Actor, election_id: str, signer: AuditSigner) -> dict[str, Any]:
    """The committee publishes the log's head on the public board now (the scheduler also
    does, periodically)."""
    from app.services import elections, lifecycle  # both import this module

    election = lifecycle.load_current(session, election_id)
    elections.require_role(session, actor, election, "committee")
    event = anchor(session, election.id, signer)
    count, digest = head(session, election.id)
    return {
        "anchored": event is not None,
        "count": count,
        "head": digest,
        "board_seq": event.seq if event is not None else None,
    }
