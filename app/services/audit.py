"""The private, hash-chained audit log: every privileged action with actor and time."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.errors import Conflict
from app.models import AuditEntry
from app.models.base import utcnow
from app.services.actor import Actor

GENESIS = "0" * 64
INSTANCE_SCOPE = "instance"


def _entry_hash(prev: str, scope: str, seq: int, at: str, actor: str, action: str,
                detail: dict[str, Any]) -> str:
    body = json.dumps(
        {"prev": prev, "scope": scope, "seq": seq, "at": at, "actor": actor,
         "action": action, "detail": detail},
        sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str,
    )
    return hashlib.sha256(b"scrutin/audit/v1\x00" + body.encode()).hexdigest()


MAX_APPEND_ATTEMPTS = 20


def record(session: Session, scope: str, actor: Actor, action: str,
           detail: dict[str, Any] | None = None) -> AuditEntry:
    """Append an entry to the scope's chain.

    Most callers hold the election's row lock, but some privileged reads (a PII view, an
    export) do not; two of those racing would pick the same sequence number. The unique
    (scope, seq) constraint catches it: the losing insert is rolled back to a savepoint and
    retried on top of the winner, so the chain stays linear and no request fails.
    """
    detail = json.loads(json.dumps(detail or {}, default=str))
    for _ in range(MAX_APPEND_ATTEMPTS):
        last = session.scalars(
            select(AuditEntry).where(AuditEntry.scope == scope)
            .order_by(AuditEntry.seq.desc()).limit(1)
        ).first()
        seq = (last.seq + 1) if last else 1
        prev = last.entry_hash if last else GENESIS
        at = utcnow()
        entry = AuditEntry(
            scope=scope, seq=seq, at=at, actor=actor.label, action=action, detail=detail,
            prev_hash=prev,
            entry_hash=_entry_hash(prev, scope, seq, at.isoformat(), actor.label, action, detail),
        )
        try:
            with session.begin_nested():
                session.add(entry)
        except IntegrityError:
            continue
        return entry
    raise Conflict("audit_busy", "the audit log is busy; please retry")


def entries(session: Session, scope: str) -> Sequence[AuditEntry]:
    return session.scalars(
        select(AuditEntry).where(AuditEntry.scope == scope).order_by(AuditEntry.seq)
    ).all()


def verify(session: Session, scope: str) -> str:
    """Recompute the chain of a scope; raise Conflict on the first broken link. Returns the head."""
    prev = GENESIS
    for expected, entry in enumerate(entries(session, scope), start=1):
        recomputed = _entry_hash(prev, scope, entry.seq, entry.at.isoformat(), entry.actor,
                                 entry.action, entry.detail)
        if entry.seq != expected or entry.prev_hash != prev or entry.entry_hash != recomputed:
            raise Conflict("audit_chain_broken", f"audit entry {entry.seq} of {scope} is altered")
        prev = entry.entry_hash
    return prev


def to_json(entry: AuditEntry) -> dict[str, Any]:
    return {
        "seq": entry.seq, "at": entry.at.isoformat(), "actor": entry.actor,
        "action": entry.action, "detail": entry.detail, "hash": entry.entry_hash,
    }
