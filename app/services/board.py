"""Appending to and reading the public hash-chained board of an election."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import BoardEvent
from app.models.base import utcnow
from crypto.board import GENESIS_HASH, event_hash


def append(session: Session, election_id: str, event_type: str,
           payload: dict[str, Any]) -> BoardEvent:
    """Add the next event. Callers hold the election's row lock, so sequence numbers are dense;
    the (election_id, seq) unique constraint is the backstop."""
    last = session.scalars(
        select(BoardEvent).where(BoardEvent.election_id == election_id)
        .order_by(BoardEvent.seq.desc()).limit(1)
    ).first()
    seq = (last.seq + 1) if last else 1
    prev = last.hash if last else GENESIS_HASH
    at = utcnow().isoformat(timespec="microseconds").replace("+00:00", "Z")
    event = BoardEvent(
        election_id=election_id, seq=seq, at=at, type=event_type, payload=payload,
        prev_hash=prev, hash=event_hash(prev, seq, at, event_type, payload),
    )
    session.add(event)
    session.flush()
    return event


def page(session: Session, election_id: str, after: int = 0, limit: int = 100,
         event_type: str | None = None) -> Sequence[BoardEvent]:
    query = select(BoardEvent).where(BoardEvent.election_id == election_id,
                                     BoardEvent.seq > after)
    if event_type:
        query = query.where(BoardEvent.type == event_type)
    return session.scalars(query.order_by(BoardEvent.seq).limit(limit)).all()


def all_events(session: Session, election_id: str) -> Sequence[BoardEvent]:
    return session.scalars(
        select(BoardEvent).where(BoardEvent.election_id == election_id).order_by(BoardEvent.seq)
    ).all()


def head(session: Session, election_id: str) -> dict[str, Any]:
    last = session.scalars(
        select(BoardEvent).where(BoardEvent.election_id == election_id)
        .order_by(BoardEvent.seq.desc()).limit(1)
    ).first()
    count = session.scalar(
        select(func.count()).select_from(BoardEvent).where(BoardEvent.election_id == election_id)
    )
    return {"seq": last.seq if last else 0, "hash": last.hash if last else GENESIS_HASH,
            "events": count}


def to_json(event: BoardEvent) -> dict[str, Any]:
    return {"seq": event.seq, "at": event.at, "type": event.type, "payload": event.payload,
            "prev_hash": event.prev_hash, "hash": event.hash}
