"""The voter roll on the public board, so that stuffing is bounded from the record: its size
and fingerprint (``crypto.roll.roll_fingerprint``) go in ``ceremony_started`` at freeze and in a
``roll_published`` event whenever the eligible roll changed since (committee edits, and at
opening and closing — a live roll, which grows as voters come, is published then only, so that
no event follows one voter's first visit)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import BoardEvent, Credential, Election, Voter
from app.services import board, phases
from crypto import events
from crypto.roll import roll_fingerprint

EVENT = events.ROLL_PUBLISHED


def current(session: Session, election: Election) -> dict[str, Any]:
    names = list(
        session.scalars(
            select(Voter.username).where(Voter.election_id == election.id, Voter.eligible.is_(True))
        )
    )
    return {
        "size": len(names),
        "fingerprint": roll_fingerprint(election.id, names),
        "mode": election.roll_mode,
    }


def _last(session: Session, election: Election) -> dict[str, Any] | None:
    event = session.scalars(
        select(BoardEvent)
        .where(BoardEvent.election_id == election.id, BoardEvent.type.in_([EVENT, "ceremony_started"]))
        .order_by(BoardEvent.seq.desc())
        .limit(1)
    ).first()
    if event is None:
        return None
    payload = event.payload.get("roll") if event.type == "ceremony_started" else event.payload
    return payload if isinstance(payload, dict) else None


def publish(session: Session, election: Election, reason: str) -> None:
    """Append ``roll_published`` if the roll differs from the last one on the board (nothing
    before freeze: a draft's roll is not public)."""
    if election.phase == phases.DRAFT:
        return
    session.flush()
    now = current(session, election)
    last = _last(session, election)
    if last is not None and last.get("size") == now["size"] and last.get("fingerprint") == now["fingerprint"]:
        return
    board.append(session, election.id, EVENT, {**now, "reason": reason})


def open_blocked(session: Session, election: Election) -> str | None:
    """Why a ready election may not open yet (``None``: it may). Independent mode: without its
    credential list nobody could vote, so the election stays ready until it is uploaded."""
    if election.credential_mode != "independent":
        return None
    published = (
        session.scalar(
            select(func.count()).select_from(Credential).where(Credential.election_id == election.id)
        )
        or 0
    )
    if published:
        return None
    return (
        "the credential authority has not published the credential list: the election "
        "stays ready (and does not open) until it does"
    )
