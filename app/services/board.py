"""Appending to and reading the public hash-chained board of an election."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.errors import Conflict
from app.models import BoardEvent, Election
from app.models.base import utcnow
from crypto import events, lifecycle
from crypto.board import GENESIS_HASH, event_hash
from crypto.tally import counted_ballots


def stamp(moment: datetime) -> str:
    """A board time: UTC, microseconds, ``Z`` (so that times compare as strings)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def append(
    session: Session,
    election_id: str,
    event_type: str,
    payload: dict[str, Any],
    *,
    before: datetime | None = None,
) -> BoardEvent:
    """Add the next event, under the election's row lock: callers take it first (it orders
    their other checks too), and it is taken here again — free when already held — so that no
    path can read the same last event as a concurrent writer and collide on its sequence
    number (the (election_id, seq) unique constraint is only the backstop).

    Board times never go backwards (the verifier requires it; a clock stepped back by NTP must
    not make an honest record fail). ``before``: the event must be stamped before this instant
    (a ballot before the scheduled end, which is exclusive), else ``Conflict`` and nothing is
    written — the phase was checked a moment earlier, the stamp is what the record shows.

    The event must be in the catalogue with a well-formed payload (``crypto.events``) and, if
    it is not a phase move, permitted in the election's phase (``crypto.lifecycle``); else
    ``UncataloguedEvent`` / ``RuntimeError``: a bug in the caller, which checks first."""
    events.require(event_type, payload)
    if event_type not in lifecycle.MOVES:
        election = session.get(Election, election_id)
        refused = election and lifecycle.refusal(election.phase, event_type)
        if refused:
            raise RuntimeError(f"cannot append {refused}: the service must refuse it first")
    session.execute(select(Election.id).where(Election.id == election_id).with_for_update())
    last = session.scalars(
        select(BoardEvent)
        .where(BoardEvent.election_id == election_id)
        .order_by(BoardEvent.seq.desc())
        .limit(1)
    ).first()
    seq = (last.seq + 1) if last else 1
    prev = last.hash if last else GENESIS_HASH
    at = stamp(utcnow())
    if last is not None and at < last.at:
        at = last.at
    if before is not None and at >= stamp(before):
        raise Conflict("voting_closed", "voting closed at the scheduled end before this could be recorded")
    event = BoardEvent(
        election_id=election_id,
        seq=seq,
        at=at,
        type=event_type,
        payload=payload,
        prev_hash=prev,
        hash=event_hash(prev, seq, at, event_type, payload),
    )
    session.add(event)
    session.flush()
    return event


def page(
    session: Session, election_id: str, after: int = 0, limit: int = 100, event_type: str | None = None
) -> Sequence[BoardEvent]:
    query = select(BoardEvent).where(BoardEvent.election_id == election_id, BoardEvent.seq > after)
    if event_type:
        query = query.where(BoardEvent.type == event_type)
    return session.scalars(query.order_by(BoardEvent.seq).limit(limit)).all()


def all_events(session: Session, election_id: str) -> Sequence[BoardEvent]:
    return session.scalars(
        select(BoardEvent).where(BoardEvent.election_id == election_id).order_by(BoardEvent.seq)
    ).all()


def counted_trackers(session: Session, election_id: str) -> set[str]:
    """The trackers of the ballots that count now, by the verifier's own rule
    (``crypto.tally.counted_ballots``) replayed over this election's board: the one
    definition of the counted set, so the services cannot drift from the tally."""
    return {c.tracker for c in counted_ballots(to_json(e) for e in all_events(session, election_id))}


def head(session: Session, election_id: str) -> dict[str, Any]:
    last = session.scalars(
        select(BoardEvent)
        .where(BoardEvent.election_id == election_id)
        .order_by(BoardEvent.seq.desc())
        .limit(1)
    ).first()
    count = session.scalar(
        select(func.count()).select_from(BoardEvent).where(BoardEvent.election_id == election_id)
    )
    return {"seq": last.seq if last else 0, "hash": last.hash if last else GENESIS_HASH, "events": count}


def to_json(event: BoardEvent) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "at": event.at,
        "type": event.type,
        "payload": event.payload,
        "prev_hash": event.prev_hash,
        "hash": event.hash,
    }
