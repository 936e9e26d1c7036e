"""Phase changes that affect voting: scheduled open/close, and the committee's pause/resume/close.

Every change lands on the public board and, when a person made it, in the audit log.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.db import transaction
from app.errors import Conflict, InvalidInput
from app.models import Election
from app.models.base import utcnow
from app.services import audit, board, elections, phases, roll, schedule
from app.services.actor import SYSTEM, Actor
from crypto import events, lifecycle


def load_current(session: Session, election_id: str, *, for_update: bool = True) -> Election:
    """The election as a write path needs it: under its row lock (re-read), which serialises
    the election's writers — casts, strikes, phase changes, anything that appends to its board
    (the next sequence number is read from the board, so two unlocked writers would both take
    it) — plus every transition its schedule has made due. ``for_update=False`` only for a
    write that appends nothing unless a transition is due (then the lock is taken anyway).
    In a read-only unit it only reads, unlocked: a transition that just fell due shows once a
    writer (``catch_up``, a write, the scheduler) applied it."""
    readonly = bool(session.info.get("readonly"))
    election = elections.load(session, election_id, for_update=for_update and not readonly)
    if readonly:
        return election
    if not for_update and due_steps(session, election):
        election = elections.load(session, election_id, for_update=True)
    apply_schedule(session, election)
    return election


def due_steps(session: Session, election: Election, now: datetime | None = None) -> list[str]:
    """The transitions the schedule makes due, except that an election which may not open
    (``roll.open_blocked``: independent mode without its credential list) stays ready."""
    steps = phases.scheduled_phase(election.phase, election.starts_at, election.ends_at, now or utcnow())
    if (
        steps
        and steps[0] == phases.OPEN
        and election.phase == phases.READY
        and roll.open_blocked(session, election)
    ):
        return []
    return steps


def apply_schedule(session: Session, election: Election, now: datetime | None = None) -> None:
    """Open or close the election if its schedule says so (checked on every request and by the
    background scheduler). The end is exclusive."""
    for target in due_steps(session, election, now):
        _move(session, election, target, SYSTEM, reason="schedule")


def _move(session: Session, election: Election, target: str, actor: Actor, reason: str) -> None:
    previous = election.phase
    try:
        event = lifecycle.move_event(previous, target)
    except ValueError as exc:
        raise Conflict("wrong_phase", str(exc)) from None
    election.phase = phases.advance(previous, event)
    if target == phases.CLOSED:
        election.closed_at = utcnow()
    if target != phases.PAUSED:
        election.pause_reason = None
    session.flush()
    board.append(
        session,
        election.id,
        event,
        {
            "from": previous,
            "to": target,
            "reason": reason,
            "by": "schedule" if actor is SYSTEM else "committee",
        },
    )
    if event in ("opened", "closed"):
        roll.publish(session, election, event)
    if actor is not SYSTEM:
        audit.record(session, election.id, actor, f"election.{event}", {"reason": reason})


def _committee_election(session: Session, actor: Actor, election_id: str) -> Election:
    """The election a committee member moves: current (under its row lock), the actor's role
    checked."""
    election = load_current(session, election_id)
    elections.require_role(session, actor, election, "committee")
    return election


def pause(session: Session, actor: Actor, election_id: str, reason: str) -> Election:
    election = _committee_election(session, actor, election_id)
    if not reason.strip():
        raise InvalidInput("reason_required", "say why voting is paused; voters will see it")
    _move(session, election, phases.PAUSED, actor, reason)
    election.pause_reason = reason
    return election


def resume(session: Session, actor: Actor, election_id: str, reason: str) -> Election:
    election = _committee_election(session, actor, election_id)
    _move(session, election, phases.OPEN, actor, reason or "resumed")
    return election


def close_early(session: Session, actor: Actor, election_id: str, reason: str) -> Election:
    election = _committee_election(session, actor, election_id)
    if not reason.strip():
        raise InvalidInput("reason_required", "say why voting closes before its scheduled end")
    _move(session, election, phases.CLOSED, actor, reason)
    return election


def extend(
    session: Session, actor: Actor, election_id: str, end: datetime, timezone: str | None, reason: str
) -> Election:
    """Move the scheduled end later: ``end`` is a local time in ``timezone`` (default: the
    election's time zone) or carries its own offset (``schedule.to_utc``)."""
    election = _committee_election(session, actor, election_id)
    phases.require_phase(election.phase, {phases.READY, phases.OPEN, phases.PAUSED}, "extend the deadline")
    new_end = schedule.to_utc(end, timezone or election.timezone, "end")
    if election.ends_at is not None and new_end <= election.ends_at:
        raise InvalidInput("invalid_schedule", "a new end must be later than the current one")
    if not reason.strip():
        raise InvalidInput("reason_required", "say why the deadline moves")
    old = election.ends_at
    election.ends_at = new_end
    session.flush()
    board.append(
        session,
        election.id,
        events.EXTENDED,
        {
            "old_end_utc": old.isoformat() if old else None,
            "reason": reason,
            **schedule.describe(election.starts_at, election.ends_at, election.timezone),
        },
    )
    audit.record(
        session, election.id, actor, "election.extend", {"old_end": old, "new_end": new_end, "reason": reason}
    )
    return election


def due_elections(session: Session, now: datetime | None = None) -> list[str]:
    """Ids of elections whose schedule has a transition due (for the background scheduler)."""
    now = now or utcnow()
    rows = session.scalars(
        select(Election).where(Election.phase.in_([phases.READY, phases.OPEN, phases.PAUSED]))
    )
    return [e.id for e in rows if due_steps(session, e, now)]


def catch_up(sessions: sessionmaker[Session], election_id: str) -> None:
    """Apply a due scheduled transition of one election in its own write transaction (used
    before read-only work, which never writes). Cheap when nothing is due."""
    with transaction(sessions, readonly=True) as session:
        election = session.get(Election, election_id)
        due = election is not None and bool(due_steps(session, election))
    if due:
        with transaction(sessions) as session:
            load_current(session, election_id, for_update=True)
