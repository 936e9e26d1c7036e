"""Invitation links: a committee lets one roll member vote in one election.

An invitation is never a login (DESIGN §3.10). Opening the link creates a session scoped to
voting in that election only (``vote:<election>``; app.api.deps treats it as anonymous on every
other route), for that username only, and never for anyone who holds a privileged position:
an instance administrator, or a committee member, scrutineer, trustee or credential authority
of any election is refused when the link is made and again when it is used.

A link is single-use: the first browser that opens it gets the scoped session (opening it
again from that browser is fine), any other use is refused. It expires with the voting period
and at most 30 days after it was made; the committee can revoke it (which ends its session),
and making a new link for the same voter revokes the earlier ones. Only the token's SHA-256 is
stored. Every creation (with the recipients), refusal, use and revocation is in the election's
audit log; a use is attributed to ``invitation:<id> for <username>``.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound, Unauthenticated
from app.models import Election, Invitation, LoginSession, RoleAssignment, Trustee, Voter
from app.models.base import utcnow
from app.services import audit, elections, identity, lifecycle, phases
from app.services.actor import Actor

INVITATION_MAX_AGE = timedelta(days=30)
# Phases in which a voter may still come to vote (or to see why they cannot, before opening).
INVITABLE_PHASES = (phases.DRAFT, phases.KEY_CEREMONY, phases.READY, phases.OPEN, phases.PAUSED)
BATCH = 500  # names per IN (...) query


@dataclass(frozen=True)
class Refusal:
    """What to write to the audit log when a request is refused (in its own transaction,
    since the refused request's transaction is rolled back)."""

    scope: str
    actor: Actor
    action: str
    detail: dict[str, Any]


def _refuse(error: DomainError, refusal: Refusal) -> DomainError:
    error.audit_refusal = refusal  # type: ignore[attr-defined]
    return error


def privileged_positions(session: Session, username: str, admins: Collection[str]) -> list[str]:
    """Why a username may not be invited: its instance and election roles (empty if none)."""
    return _privileged(session, [username], admins).get(username, [])


def _privileged(session: Session, names: Sequence[str], admins: Collection[str]) -> dict[str, list[str]]:
    """The privileged positions of each of ``names`` that holds any (a few queries in all)."""
    found: dict[str, list[str]] = {name: ["instance administrator"] for name in names if name in admins}
    for start in range(0, len(names), BATCH):
        batch = names[start : start + BATCH]
        rows = [
            (name, election_id, role)
            for name, election_id, role in session.execute(
                select(RoleAssignment.username, RoleAssignment.election_id, RoleAssignment.role).where(
                    RoleAssignment.username.in_(batch)
                )
            )
        ]
        rows += [
            (name, election_id, "trustee")
            for name, election_id in session.execute(
                select(Trustee.username, Trustee.election_id).where(Trustee.username.in_(batch))
            )
        ]
        for name, election_id, role in sorted(rows):
            position = f"{role} of {election_id}"
            if position not in found.setdefault(name, []):
                found[name].append(position)
    return found


def _on_roll(session: Session, election: Election, username: str) -> bool:
    return not _off_roll(session, election, [username])


def _off_roll(session: Session, election: Election, names: Sequence[str]) -> list[str]:
    """The names not on the roll. On the roll: listed and eligible. In live mode the roll is
    the rules, evaluated at the voter's first visit: a voter not decided yet may be invited (the
    booth then shows the decision and its reasons); one decided ineligible may not."""
    eligible: dict[str, bool] = {}
    for start in range(0, len(names), BATCH):
        eligible.update(
            (name, flag)
            for name, flag in session.execute(
                select(Voter.username, Voter.eligible).where(
                    Voter.election_id == election.id, Voter.username.in_(names[start : start + BATCH])
                )
            )
        )
    return [name for name in names if not eligible.get(name, election.roll_mode == "live")]


def effective_expiry(invitation: Invitation, election: Election) -> datetime:
    if election.ends_at is not None and election.ends_at < invitation.expires_at:
        return election.ends_at
    return invitation.expires_at


def _require_voting_ahead(election: Election, now: datetime) -> None:
    if election.phase not in INVITABLE_PHASES or (election.ends_at is not None and now >= election.ends_at):
        raise Conflict("wrong_phase", "invitations can only be made while voting has not ended")


def create(
    session: Session, actor: Actor, election_id: str, usernames: Sequence[str], admins: Collection[str]
) -> list[tuple[Invitation, str]]:
    """One invitation per username; all or nothing. Returns (invitation, token) pairs."""
    election = lifecycle.load_current(session, election_id)
    elections.require_role(session, actor, election, "committee")
    now = utcnow()
    _require_voting_ahead(election, now)
    names = list(dict.fromkeys(usernames))
    refusal = Refusal(election.id, actor, "invitations.refused", {"recipients": names})
    privileged = _privileged(session, names, admins)
    if privileged:
        refusal.detail.update(reason="invitation_privileged", refused=sorted(privileged))
        raise _refuse(
            Forbidden(
                "invitation_privileged",
                "invitation links are only for voters; these hold a privileged position and must "
                "log in themselves: "
                + "; ".join(f"{name} ({', '.join(found)})" for name, found in privileged.items()),
            ),
            refusal,
        )
    off_roll = _off_roll(session, election, names)
    if off_roll:
        refusal.detail.update(reason="invitation_not_on_roll", refused=off_roll)
        raise _refuse(
            InvalidInput(
                "invitation_not_on_roll", f"not on the voter roll of {election.id}: {', '.join(off_roll)}"
            ),
            refusal,
        )
    superseded = _revoke_earlier(session, election, names, actor, now)
    created = []
    for name in names:
        token, token_hash = identity.new_token()
        invitation = Invitation(
            id=secrets.token_hex(8),
            election_id=election.id,
            username=name,
            token_hash=token_hash,
            created_at=now,
            created_by=actor.label,
            expires_at=now + INVITATION_MAX_AGE,
        )
        session.add(invitation)
        created.append((invitation, token))
    session.flush()
    audit.record(
        session,
        election.id,
        actor,
        "invitations.create",
        {
            "recipients": names,
            "invitations": {inv.username: inv.id for inv, _ in created},
            "expires_at": effective_expiry(created[0][0], election).isoformat(),
            "superseded": superseded,
        },
    )
    return created


def _revoke_earlier(
    session: Session, election: Election, names: list[str], actor: Actor, now: datetime
) -> list[str]:
    earlier = session.scalars(
        select(Invitation).where(
            Invitation.election_id == election.id,
            Invitation.username.in_(names),
            Invitation.revoked_at.is_(None),
        )
    ).all()
    for invitation in earlier:
        _revoke(session, invitation, actor, now)
    return sorted(invitation.id for invitation in earlier)


def _revoke(session: Session, invitation: Invitation, actor: Actor, now: datetime) -> bool:
    invitation.revoked_at = now
    invitation.revoked_by = actor.label
    if invitation.session_id is not None:
        return identity.end(session, invitation.session_id, actor.label)
    return False


def state(invitation: Invitation, election: Election, now: datetime) -> str:
    if invitation.revoked_at is not None:
        return "revoked"
    if now >= effective_expiry(invitation, election) or election.phase not in INVITABLE_PHASES:
        return "expired"
    return "used" if invitation.used_at is not None else "unused"


def to_json(invitation: Invitation, election: Election, now: datetime) -> dict[str, Any]:
    return {
        "id": invitation.id,
        "username": invitation.username,
        "created_at": invitation.created_at.isoformat(),
        "created_by": invitation.created_by,
        "expires_at": effective_expiry(invitation, election).isoformat(),
        "used_at": invitation.used_at.isoformat() if invitation.used_at else None,
        "revoked_at": invitation.revoked_at.isoformat() if invitation.revoked_at else None,
        "revoked_by": invitation.revoked_by,
        "state": state(invitation, election, now),
    }


def list_for(session: Session, actor: Actor, election_id: str) -> list[dict[str, Any]]:
    election = elections.load(session, election_id)
    elections.require_role(session, actor, election, "committee")
    now = utcnow()
    rows = session.scalars(
        select(Invitation)
        .where(Invitation.election_id == election.id)
        .order_by(Invitation.created_at, Invitation.username)
    ).all()
    return [to_json(row, election, now) for row in rows]


def revoke(session: Session, actor: Actor, election_id: str, invitation_id: str) -> dict[str, Any]:
    election = lifecycle.load_current(session, election_id)
    elections.require_role(session, actor, election, "committee")
    invitation = session.scalars(
        select(Invitation).where(Invitation.election_id == election.id, Invitation.id == invitation_id)
    ).first()
    if invitation is None:
        raise NotFound("invitation_not_found", f"no invitation {invitation_id!r} in {election.id}")
    now = utcnow()
    if invitation.revoked_at is not None:
        raise Conflict("invitation_revoked", "this invitation was revoked already")
    ended = _revoke(session, invitation, actor, now)
    audit.record(
        session,
        election.id,
        actor,
        "invitation.revoke",
        {"invitation": invitation.id, "username": invitation.username, "session_ended": ended},
    )
    return to_json(invitation, election, now)


@dataclass(frozen=True)
class Accepted:
    election_id: str
    token: str | None  # None: the browser that opened the link first, opening it again
    expires_at: datetime


def accept(session: Session, token: str, admins: Collection[str], current_session_id: str | None) -> Accepted:
    """Open an invitation link: check everything again, then make the scoped session.

    ``current_session_id`` is the session the browser already holds, if any: the browser the
    link is bound to may open it again. Refusals carry an audit entry (``audit_refusal``) for
    the caller to record, since this transaction is rolled back."""
    if not token or len(token) > identity.MAX_TOKEN_LENGTH:
        raise Unauthenticated("invalid_invitation", "this invitation link is not valid")
    invitation = session.scalars(
        select(Invitation).where(Invitation.token_hash == identity.hash_token(token)).with_for_update()
    ).first()
    if invitation is None:
        raise Unauthenticated("invalid_invitation", "this invitation link is not valid")
    election = lifecycle.load_current(session, invitation.election_id)
    holder = Actor(username=invitation.username, invitation_id=invitation.id, election_scope=election.id)
    now = utcnow()

    def refused(error: DomainError) -> DomainError:
        return _refuse(
            error,
            Refusal(
                election.id,
                holder,
                "invitation.use_refused",
                {"invitation": invitation.id, "reason": error.code},
            ),
        )

    if invitation.revoked_at is not None:
        raise refused(
            Unauthenticated("invitation_revoked", "this invitation link was withdrawn by the committee")
        )
    expiry = effective_expiry(invitation, election)
    if now >= expiry or election.phase not in INVITABLE_PHASES:
        raise refused(Unauthenticated("invitation_expired", "this invitation link has expired"))
    if privileged_positions(session, invitation.username, admins):
        raise refused(
            Forbidden(
                "invitation_privileged",
                "this account holds a privileged position; it must log in "
                "itself, not through an invitation link",
            )
        )
    if not _on_roll(session, election, invitation.username):
        raise refused(
            Forbidden(
                "invitation_not_on_roll", f"{invitation.username} is not on the voter roll of {election.id}"
            )
        )
    if invitation.used_at is not None:
        if current_session_id is not None and current_session_id == invitation.session_id:
            row = session.get(LoginSession, current_session_id)
            if row is not None and row.revoked_at is None and now < row.expires_at:
                audit.record(
                    session,
                    election.id,
                    holder,
                    "invitation.use",
                    {"invitation": invitation.id, "result": "same_browser"},
                )
                return Accepted(election.id, None, row.expires_at)
        raise refused(
            Conflict(
                "invitation_used",
                "this invitation link was already opened in another browser; "
                "ask the election committee for a new one",
            )
        )
    new_token, row = identity.open_session(
        session,
        invitation.username,
        method="invitation",
        scope=identity.vote_scope(election.id),
        invitation_id=invitation.id,
        expires_at=expiry,
    )
    invitation.used_at = now
    invitation.session_id = row.id
    audit.record(
        session,
        election.id,
        holder,
        "invitation.use",
        {"invitation": invitation.id, "result": "session_created", "session_expires_at": expiry.isoformat()},
    )
    return Accepted(election.id, new_token, expiry)
