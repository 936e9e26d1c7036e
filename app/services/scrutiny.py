"""Scrutiny and strike-and-revote remediation (DESIGN §2, §6).

Scrutineers see who voted and when; with the PII right (a ``pii`` flag on their scrutineer
role) also IP, forwarded-for and user agent. Every PII view is in the audit log. Strikes and
unstrikes need a reason code and a reason text (private, in the audit log and the strike
history). The board event names the trackers only; reason codes are public in aggregate, on
``tally_started``. A voter invited to vote again after a strike is told the message of the
reason code (``notify.REVOTE_REASONS``, translated in the booth), never the text. Strikes are
allowed while the election is open, paused, closed or in scrutiny, and refused once the tally
starts. Nothing here ever reveals or needs the content of a ballot.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.models import (
    REASON_CODES,
    Ballot,
    Election,
    OutboxMessage,
    RevoteInvitation,
    RoleAssignment,
    StrikeAction,
    Voter,
    VoterSignal,
)
from app.models.base import utcnow
from app.services import audit, board, elections, lifecycle, phases
from app.services.actor import Actor
from app.services.signals import CastSignal, Cluster, clusters
from crypto import events

STRIKE_PHASES = phases.STRIKE_PHASES
PII_FLAG = "pii"


def _require_scrutiny_role(session: Session, actor: Actor, election: Election) -> None:
    elections.require_role(session, actor, election, "committee", "scrutineer")


def has_pii_right(session: Session, actor: Actor, election: Election) -> bool:
    rows = session.scalars(
        select(RoleAssignment).where(
            RoleAssignment.election_id == election.id,
            RoleAssignment.username == actor.username,
            RoleAssignment.role == "scrutineer",
        )
    )
    return any(PII_FLAG in (r.flags or []) for r in rows)


def _cast_rows(session: Session, election: Election) -> list[tuple[Voter, Ballot, VoterSignal | None]]:
    query = (
        select(Voter, Ballot, VoterSignal)
        .join(Ballot, Ballot.voter_id == Voter.id)
        .outerjoin(VoterSignal, VoterSignal.ballot_id == Ballot.id)
        .where(Ballot.election_id == election.id)
        .order_by(Ballot.board_seq)
    )
    return [(v, b, s) for v, b, s in session.execute(query).all()]


def voter_list(session: Session, actor: Actor, election_id: str, with_pii: bool = False) -> dict[str, Any]:
    election = elections.load(session, election_id)
    _require_scrutiny_role(session, actor, election)
    if with_pii and not has_pii_right(session, actor, election):
        raise Forbidden(
            "no_pii_right",
            "viewing IP addresses and user agents needs the PII "
            "right (a scrutineer role with the 'pii' flag)",
        )
    rows = []
    cast_rows = _cast_rows(session, election)
    counted = board.counted_trackers(session, election.id)
    for voter, ballot, signal in cast_rows:
        row = {
            "username": voter.username,
            "tracker": ballot.tracker,
            "cast_at": ballot.cast_at.isoformat(),
            "board_seq": ballot.board_seq,
            "definition_version": ballot.definition_version,
            "state": "struck" if ballot.struck else "current" if ballot.tracker in counted else "superseded",
        }
        if with_pii:
            row.update(
                ip=signal.ip if signal else None,
                forwarded_for=signal.forwarded_for if signal else None,
                user_agent=signal.user_agent if signal else None,
            )
        rows.append(row)
    if with_pii:
        audit.record(
            session,
            election.id,
            actor,
            "pii.view",
            {"what": "voter list with IP, forwarded-for and user agent", "rows": len(rows)},
        )
    else:  # names next to trackers: sensitive even without the private signals
        audit.record(session, election.id, actor, "voters.view", {"rows": len(rows)})
    return {
        "election_id": election.id,
        "pii": with_pii,
        "pii_purged": bool(election.pii_purged_at),
        "casts": rows,
    }


def _clusters(session: Session, election: Election, window: timedelta, min_voters: int) -> list[Cluster]:
    signals = [
        CastSignal(
            voter.username,
            ballot.tracker,
            ballot.cast_at,
            signal.ip if signal else None,
            signal.user_agent if signal else None,
            signal.cookie_id if signal else None,
        )
        for voter, ballot, signal in _cast_rows(session, election)
    ]
    return clusters(signals, window, min_voters)


def signal_report(
    session: Session, actor: Actor, election_id: str, window: timedelta, min_voters: int
) -> dict[str, Any]:
    """Clusters of voters sharing a network, device or browser, or casting in a burst. The
    shared values themselves are shown only with the PII right. Derived from private data,
    so every view is audited."""
    election = elections.load(session, election_id)
    _require_scrutiny_role(session, actor, election)
    pii = has_pii_right(session, actor, election)
    found = _clusters(session, election, window, min_voters)
    audit.record(session, election.id, actor, "pii.signals", {"clusters": len(found), "with_values": pii})
    return {"election_id": election.id, "clusters": [c.to_json(pii) for c in found]}


def _select_ballots(
    session: Session, election: Election, selector: dict[str, Any], window: timedelta, min_voters: int
) -> list[Ballot]:
    """Ballots chosen by one selector: trackers, voters, a cast-time window, a ballot
    definition version, or a signal cluster. Selecting voters takes all their ballots, so a
    struck voter's earlier ballot does not count in place of the struck one."""
    query = select(Ballot).where(Ballot.election_id == election.id)
    kinds = [
        k
        for k in ("trackers", "voters", "cast_between", "definition_version", "cluster")
        if selector.get(k) is not None
    ]
    if len(kinds) != 1:
        raise InvalidInput(
            "invalid_selector",
            "give exactly one of trackers, voters, cast_between, definition_version, cluster",
        )
    kind = kinds[0]
    if kind == "trackers":
        ballots = list(session.scalars(query.where(Ballot.tracker.in_(selector["trackers"]))))
        missing = set(selector["trackers"]) - {b.tracker for b in ballots}
        if missing:
            raise NotFound("tracker_not_found", f"no ballot with tracker {sorted(missing)[0]}")
        return ballots
    if kind == "voters":
        voter_ids = list(
            session.scalars(
                select(Voter.id).where(
                    Voter.election_id == election.id, Voter.username.in_(selector["voters"])
                )
            )
        )
        return list(session.scalars(query.where(Ballot.voter_id.in_(voter_ids))))
    if kind == "cast_between":
        start, end = selector["cast_between"]
        return list(session.scalars(query.where(Ballot.cast_at >= start, Ballot.cast_at < end)))
    if kind == "definition_version":
        return list(session.scalars(query.where(Ballot.definition_version == selector["definition_version"])))
    cluster = next(
        (c for c in _clusters(session, election, window, min_voters) if c.id == selector["cluster"]), None
    )
    if cluster is None:
        raise NotFound("cluster_not_found", f"no signal cluster {selector['cluster']!r}")
    voter_ids = list(
        session.scalars(
            select(Voter.id).where(Voter.election_id == election.id, Voter.username.in_(cluster.usernames))
        )
    )
    return list(session.scalars(query.where(Ballot.voter_id.in_(voter_ids))))


def _check_reason(reason_code: str, reason_text: str) -> None:
    if reason_code not in REASON_CODES:
        raise InvalidInput("invalid_reason_code", f"reason_code must be one of {', '.join(REASON_CODES)}")
    if not reason_text.strip():
        raise InvalidInput("reason_required", "a strike needs a reason text (kept private)")


def strike(
    session: Session,
    actor: Actor,
    election_id: str,
    selector: dict[str, Any],
    reason_code: str,
    reason_text: str,
    *,
    unstrike: bool = False,
    invite_to_revote: bool = False,
    window: timedelta = timedelta(seconds=60),
    min_voters: int = 5,
) -> dict[str, Any]:
    election = lifecycle.load_current(session, election_id)
    _require_scrutiny_role(session, actor, election)
    verb = "unstrike" if unstrike else "strike"
    phases.require_phase(election.phase, STRIKE_PHASES, f"{verb} ballots")
    _check_reason(reason_code, reason_text)
    chosen = _select_ballots(session, election, selector, window, min_voters)
    targets = [b for b in chosen if b.struck == unstrike]
    if not targets:
        raise Conflict("nothing_to_change", f"no ballot to {verb} matches the selector")
    targets.sort(key=lambda b: b.board_seq)
    trackers = [b.tracker for b in targets]
    # The public event names the trackers only, sorted as text (not in casting order), with no
    # reason: "sockpuppet" next to trackers, beside the public list of who voted, would point
    # at people. Reason codes are published in aggregate when the tally starts
    # (``struck_by_reason``); code and text stay in the audit log.
    event = board.append(
        session,
        election.id,
        events.BALLOT_UNSTRUCK if unstrike else events.BALLOT_STRUCK,
        {"trackers": sorted(trackers), "count": len(trackers)},
    )
    now = utcnow()
    session.execute(update(Ballot).where(Ballot.id.in_([b.id for b in targets])).values(struck=not unstrike))
    for ballot in targets:
        session.add(
            StrikeAction(
                election_id=election.id,
                ballot_id=ballot.id,
                action=verb,
                reason_code=reason_code,
                reason_text=reason_text,
                selector=_jsonable(selector),
                actor=actor.username,
                board_seq=event.seq,
                at=now,
            )
        )
    voter_ids = sorted({b.voter_id for b in targets})
    usernames = sorted(session.scalars(select(Voter.username).where(Voter.id.in_(voter_ids))))
    audit.record(
        session,
        election.id,
        actor,
        f"ballot.{verb}",
        {
            "selector": _jsonable(selector),
            "reason_code": reason_code,
            "reason_text": reason_text,
            "trackers": trackers,
            "voters": usernames,
            "board_seq": event.seq,
        },
    )
    invited: list[str] = []
    if invite_to_revote and not unstrike:
        # The reason text is private: the voter is told the message of the reason code.
        invited = _invite(session, actor, election, voter_ids, "", reason_code=reason_code)
    session.flush()
    return {
        "action": verb,
        "trackers": trackers,
        "voters": usernames,
        "board_seq": event.seq,
        "invited": invited,
    }


def _jsonable(selector: dict[str, Any]) -> dict[str, Any]:
    out = dict(selector)
    if out.get("cast_between"):
        out["cast_between"] = [t.isoformat() if isinstance(t, datetime) else t for t in out["cast_between"]]
    return {k: v for k, v in out.items() if v is not None}


def invite(
    session: Session, actor: Actor, election_id: str, usernames: list[str], reason: str
) -> dict[str, Any]:
    """Invite named voters to vote again (e.g. after their ballots were struck)."""
    election = lifecycle.load_current(session, election_id)
    elections.require_role(session, actor, election, "committee")
    phases.require_phase(election.phase, {phases.OPEN, phases.PAUSED}, "invite voters to re-vote")
    if not reason.strip():
        raise InvalidInput("reason_required", "say why the voters are asked to vote again")
    voters = list(
        session.scalars(select(Voter).where(Voter.election_id == election.id, Voter.username.in_(usernames)))
    )
    missing = set(usernames) - {v.username for v in voters}
    if missing:
        raise NotFound("voter_not_found", f"{sorted(missing)[0]} is not on the roll")
    return {"invited": _invite(session, actor, election, [v.id for v in voters], reason)}


def _invite(
    session: Session,
    actor: Actor,
    election: Election,
    voter_ids: list[int],
    reason: str,
    reason_code: str | None = None,
) -> list[str]:
    if election.phase not in (phases.OPEN, phases.PAUSED):
        raise Conflict("wrong_phase", "re-vote invitations need voting to be open or paused")
    now = utcnow()
    names = []
    for voter in session.scalars(select(Voter).where(Voter.id.in_(voter_ids), Voter.eligible.is_(True))):
        session.add(
            RevoteInvitation(
                election_id=election.id,
                voter_id=voter.id,
                reason=reason,
                reason_code=reason_code,
                created_at=now,
                created_by=actor.username,
            )
        )
        names.append(voter.username)
    session.flush()
    board.append(session, election.id, events.REVOTE_INVITED, {"count": len(names)})
    audit.record(
        session,
        election.id,
        actor,
        "revote.invite",
        {"voters": names, "reason": reason, "reason_code": reason_code},
    )
    return names


def struck_by_reason(session: Session, election_id: str) -> dict[str, int]:
    """Ballots struck now, counted by the reason code of the strike that struck them last:
    the only public form of the reason codes (on the ``tally_started`` event)."""
    latest: dict[int, StrikeAction] = {}
    for action in session.scalars(
        select(StrikeAction).where(StrikeAction.election_id == election_id).order_by(StrikeAction.id)
    ):
        latest[action.ballot_id] = action
    counts: dict[str, int] = {}
    for action in latest.values():
        if action.action == "strike":
            counts[action.reason_code] = counts.get(action.reason_code, 0) + 1
    return dict(sorted(counts.items()))


def outbox(session: Session, actor: Actor, election_id: str) -> list[dict[str, Any]]:
    election = elections.load(session, election_id)
    elections.require_role(session, actor, election, "committee")
    rows = list(
        session.scalars(
            select(OutboxMessage).where(OutboxMessage.election_id == election.id).order_by(OutboxMessage.id)
        )
    )
    audit.record(session, election.id, actor, "outbox.view", {"messages": len(rows)})
    return [
        {
            "recipient": m.recipient,
            "channel": m.channel,
            "subject": m.subject,
            "body": m.body,
            "created_at": m.created_at.isoformat(),
            "sent_at": m.sent_at.isoformat() if m.sent_at else None,
            # ``error``: why it was given up; a notice still being retried shows its
            # ``last_error``, ``attempts`` and ``next_attempt_at`` instead.
            "error": None if m.batch is None and m.status in ("pending", "sending") else m.error,
            "last_error": m.error,
            "attempts": m.attempts or 0,
            "next_attempt_at": m.next_attempt_at.isoformat() if m.next_attempt_at else None,
            "status": m.status or ("sent" if m.sent_at else "failed" if m.error else "pending"),
            "batch": m.batch,
        }
        for m in rows
    ]


def pending_notices(session: Session, election: Election, voter: Voter) -> list[dict[str, Any]]:
    """Invitations to show at the voter's next visit (marked seen)."""
    rows = list(
        session.scalars(
            select(RevoteInvitation).where(
                RevoteInvitation.election_id == election.id,
                RevoteInvitation.voter_id == voter.id,
                RevoteInvitation.revoted_at.is_(None),
            )
        )
    )
    now = utcnow()
    for row in rows:
        if row.seen_at is None:
            row.seen_at = now
    return [
        {
            "kind": "revote",
            "reason_code": r.reason_code,
            "reason": r.reason or None,
            "since": r.created_at.isoformat(),
        }
        for r in rows
    ]


def mark_revoted(session: Session, election_id: str, voter_id: int) -> None:
    session.execute(
        update(RevoteInvitation)
        .where(
            RevoteInvitation.election_id == election_id,
            RevoteInvitation.voter_id == voter_id,
            RevoteInvitation.revoted_at.is_(None),
        )
        .values(revoted_at=utcnow())
    )


def start_scrutiny(session: Session, actor: Actor, election_id: str) -> Election:
    """Closed → scrutiny: strikes remain possible; the tally waits for the committee's seal."""
    election = lifecycle.load_current(session, election_id)
    elections.require_role(session, actor, election, "committee")
    previous = election.phase
    election.phase = phases.advance(previous, events.SCRUTINY_STARTED)
    session.flush()
    board.append(session, election.id, events.SCRUTINY_STARTED, {"from": previous, "to": election.phase})
    audit.record(session, election.id, actor, "scrutiny.start", {})
    return election


def purge_due(session: Session, retention: timedelta, now: datetime | None = None) -> list[str]:
    """Delete the private signals of elections closed longer than ``retention`` ago."""
    now = now or utcnow()
    due = list(
        session.scalars(
            select(Election).where(Election.closed_at.is_not(None), Election.pii_purged_at.is_(None))
        )
    )
    purged = []
    for election in due:
        if election.closed_at and election.closed_at + retention <= now:
            count = session.query(VoterSignal).filter(VoterSignal.election_id == election.id).delete()
            election.pii_purged_at = now
            audit.record(
                session,
                election.id,
                Actor("scrutin:retention"),
                "pii.purge",
                {"rows": count, "retention_days": retention.days},
            )
            purged.append(election.id)
    session.flush()
    return purged
