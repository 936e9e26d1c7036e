"""Voters: status, credentials, casting encrypted ballots (with re-vote), tracker look-up.

Casting runs in three steps so that the slow proof verification holds no database lock:
``prepare_cast`` (cheap checks, in a transaction) → ``verify`` (no transaction) → ``store``
(re-checks and writes, in a transaction under the election's row lock).

A ballot is either stored and receipted, or rejected with nothing stored (DESIGN §3.6). The
server never sees a plaintext vote: it checks the ballot's proofs and signature and stores the
ciphertexts. The last valid, unstruck ballot of a credential counts; earlier ones are kept
(their state — current, superseded or struck — is derived, never stored).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.models import Ballot, BoardEvent, Credential, Election, Voter, VoterSignal
from app.models.base import utcnow
from app.services import audit, board, elections, lifecycle, manifest, phases, schedule, scrutiny
from app.services.actor import Actor
from app.services.receipts import ReceiptSigner
from app.services.signals import MAX_FORWARDED_FOR, MAX_USER_AGENT, client_address
from crypto.ballots import BallotContext, VerifiedBallot, verify_ballot
from crypto.errors import CryptoError
from crypto.group import Point
from crypto.roll import authority_fingerprint, verify_credential_list


@dataclass(frozen=True)
class CastSignals:
    """Private signals recorded with a cast for scrutineers (never exported)."""

    ip: str | None = None
    forwarded_for: str | None = None
    user_agent: str | None = None
    cookie_id: str | None = None

    def __post_init__(self) -> None:
        # Whatever a client (or a trusted proxy passing on a client's header) sent must fit
        # the columns: the address is normalised (``signals.client_address``), the rest cut.
        object.__setattr__(self, "ip", client_address(self.ip))
        for name, limit in (("forwarded_for", MAX_FORWARDED_FOR), ("user_agent", MAX_USER_AGENT)):
            value = getattr(self, name)
            object.__setattr__(self, name, value[:limit] if value else None)

    @classmethod
    def observed(
        cls, ip: str | None, forwarded_for: str | None, user_agent: str | None, browser_cookie: str | None
    ) -> CastSignals:
        """The signals of one request. The browser cookie is kept only as a truncated hash:
        scrutineers need "same browser", never the cookie itself."""
        cookie_id = hashlib.sha256(browser_cookie.encode()).hexdigest()[:32] if browser_cookie else None
        return cls(ip=ip, forwarded_for=forwarded_for, user_agent=user_agent, cookie_id=cookie_id)


def _voter(session: Session, election: Election, username: str) -> Voter | None:
    return session.scalars(
        select(Voter).where(Voter.election_id == election.id, Voter.username == username)
    ).first()


def _eligible_voter(session: Session, election: Election, username: str) -> Voter:
    voter = _voter(session, election, username)
    if voter is None or not voter.eligible:
        raise Forbidden("not_eligible", f"{username} is not on the voter roll of {election.id}")
    return voter


def my_status(session: Session, actor: Actor, election_id: str) -> dict[str, Any]:
    election = elections.load_visible(session, actor, election_id)
    voter = _voter(session, election, actor.username)
    credential = None
    current = None
    mine: list[Ballot] = []
    if voter is not None:
        credential = session.scalars(
            select(Credential).where(Credential.election_id == election.id, Credential.voter_id == voter.id)
        ).first()
        mine = list(
            session.scalars(select(Ballot).where(Ballot.voter_id == voter.id).order_by(Ballot.board_seq))
        )
        # The ballot that counts, by the tally's own rule (``board.counted_trackers``).
        counted = board.counted_trackers(session, election.id) if mine else set()
        current = next((b for b in reversed(mine) if b.tracker in counted), None)
    eligible = bool(voter and voter.eligible)
    return {
        "election_id": election.id,
        "username": actor.username,
        "phase": election.phase,
        "pause_reason": election.pause_reason,
        "eligible": eligible,
        "reasons": (voter.decision or {}).get("reasons", [])
        if voter
        else ["not on the voter roll of this election"],
        "decision": (voter.decision or {}).get("decision") if voter else None,
        "credential_mode": election.credential_mode,
        "credential": credential.public_key if credential else None,
        "credential_replacements": _replacements(
            session, election, credential.public_key if credential else None
        ),
        "has_voted": current is not None,
        "current_tracker": current.tracker if current else None,
        "last_cast_at": current.cast_at.isoformat() if current else None,
        # The voter's own ballots, and which one counts: only here, for the voter logged in.
        "ballots": [
            {
                "tracker": b.tracker,
                "board_seq": b.board_seq,
                "state": "struck"
                if b.struck
                else "current"
                if current is not None and b.id == current.id
                else "superseded",
                "counted": current is not None and b.id == current.id,
            }
            for b in mine
        ],
        "can_cast": eligible and election.phase in phases.CASTING_PHASES,
        "notices": scrutiny.pending_notices(session, election, voter) if voter else [],
        "schedule": schedule.describe(election.starts_at, election.ends_at, election.timezone),
    }


def _replacements(session: Session, election: Election, credential: str | None) -> list[dict[str, Any]]:
    """The public ``credential_replaced`` events that led to the voter's credential, oldest
    first (the voter sees every replacement made in their name)."""
    if credential is None or election.credential_mode != "convenient":
        return []
    events = session.scalars(
        select(BoardEvent)
        .where(BoardEvent.election_id == election.id, BoardEvent.type == "credential_replaced")
        .order_by(BoardEvent.seq.desc())
    ).all()
    chain: list[dict[str, Any]] = []
    for event in events:
        if event.payload.get("credential") == credential:
            chain.append(
                {
                    "seq": event.seq,
                    "at": event.at,
                    "old_credential": event.payload.get("old_credential"),
                    "credential": credential,
                }
            )
            credential = event.payload.get("old_credential")
    return chain[::-1]


def register_credential(session: Session, actor: Actor, election_id: str, public_key: str) -> dict[str, Any]:
    """Convenient mode: the voter's client made a credential; the server registers its public
    half on the board (so the voter can see any ballot cast under it)."""
    election = lifecycle.load_current(session, election_id)
    if election.credential_mode != "convenient":
        raise Conflict(
            "independent_credentials", "this election's credentials come from its credential authority"
        )
    phases.require_phase(election.phase, {phases.READY, phases.OPEN, phases.PAUSED}, "register a credential")
    voter = _eligible_voter(session, election, actor.username)
    try:
        Point.from_hex(public_key)
    except CryptoError as exc:
        raise InvalidInput("invalid_credential", str(exc)) from exc
    existing = session.scalars(
        select(Credential).where(Credential.election_id == election.id, Credential.voter_id == voter.id)
    ).first()
    if existing is not None:
        if existing.public_key == public_key:
            return {"credential": public_key, "registered": False}
        # The old credential is revoked by the replacement (its ballots never count again,
        # ``crypto.tally.counted_ballots``): allowed only while none of them counts, e.g. after
        # a strike; a voter whose ballot counts re-votes with the code of their credential.
        counted = (
            session.scalar(
                select(func.count())
                .select_from(Ballot)
                .where(
                    Ballot.election_id == election.id,
                    Ballot.credential == existing.public_key,
                    Ballot.struck.is_(False),
                )
            )
            or 0
        )
        if counted:
            raise Conflict(
                "credential_in_use",
                "a ballot cast with this voter's credential counts: type the "
                "credential code to vote again from this device",
            )
        taken = session.scalars(
            select(Credential.id).where(
                Credential.election_id == election.id, Credential.public_key == public_key
            )
        ).first()
        if taken is not None:
            raise Conflict("credential_taken", "this credential is already registered")
        old = existing.public_key
        existing.public_key = public_key
        existing.registered_at = utcnow()
        try:
            session.flush()
        except IntegrityError as exc:  # a concurrent registration of the same key
            raise Conflict("credential_taken", "this credential is already registered") from exc
        board.append(
            session, election.id, "credential_replaced", {"old_credential": old, "credential": public_key}
        )
        audit.record(
            session,
            election.id,
            actor,
            "credential.replace",
            {"old_credential": old, "credential": public_key},
        )
        return {"credential": public_key, "registered": True, "replaced": old}
    session.add(
        Credential(election_id=election.id, public_key=public_key, voter_id=voter.id, registered_at=utcnow())
    )
    try:
        session.flush()
    except IntegrityError as exc:
        raise Conflict("credential_taken", "this credential is already registered") from exc
    board.append(session, election.id, "credential_registered", {"credential": public_key})
    return {"credential": public_key, "registered": True}


def publish_credentials(
    session: Session,
    actor: Actor,
    election_id: str,
    public_keys: list[str],
    authority_key: str,
    signature: str,
) -> dict[str, Any]:
    """Independent mode: the credential authority uploads the public credentials it generated
    offline for the frozen roll, signed with its own key (``crypto.roll``; the key and the
    signature go on the board, the committee compares the key's fingerprint with the one the
    authority gave it). The server never sees a secret code."""
    election = lifecycle.load_current(session, election_id)
    elections.require_role(session, actor, election, "credential_authority")
    if election.credential_mode != "independent":
        raise Conflict("convenient_credentials", "voters register their own credentials here")
    phases.require_phase(election.phase, {phases.KEY_CEREMONY, phases.READY}, "publish credentials")
    if session.scalar(
        select(func.count()).select_from(Credential).where(Credential.election_id == election.id)
    ):
        raise Conflict("credentials_published", "the credentials were already published")
    if len(set(public_keys)) != len(public_keys):
        raise InvalidInput("duplicate_credentials", "the credential list has duplicates")
    roll_size = (
        session.scalar(
            select(func.count())
            .select_from(Voter)
            .where(Voter.election_id == election.id, Voter.eligible.is_(True))
        )
        or 0
    )
    if len(public_keys) != roll_size:
        raise InvalidInput(
            "credential_count", f"{len(public_keys)} credentials for {roll_size} eligible voters"
        )
    for i, key in enumerate(public_keys):
        try:
            Point.from_hex(key)
        except CryptoError as exc:
            raise InvalidInput("invalid_credential", f"credential {i}: {exc}") from exc
    try:
        verify_credential_list(election.id, public_keys, authority_key, signature)
    except CryptoError as exc:
        raise InvalidInput("invalid_signature", str(exc)) from exc
    now = utcnow()
    for key in public_keys:
        session.add(Credential(election_id=election.id, public_key=key, voter_id=None, registered_at=now))
    session.flush()
    event = board.append(
        session,
        election.id,
        "credentials_published",
        {
            "credentials": sorted(public_keys),
            "count": len(public_keys),
            "authority_key": authority_key,
            "signature": signature,
        },
    )
    fingerprint = authority_fingerprint(authority_key)
    audit.record(
        session,
        election.id,
        actor,
        "credentials.publish",
        {"count": len(public_keys), "authority_fingerprint": fingerprint},
    )
    return {"count": len(public_keys), "board_seq": event.seq, "authority_fingerprint": fingerprint}


@dataclass(frozen=True)
class CastPlan:
    """What a cast is checked against, fixed before the (slow) proof verification runs."""

    election_id: str
    voter_id: int
    definition_version: int
    fingerprint: str
    context: BallotContext


def prepare_cast(session: Session, actor: Actor, election_id: str, ballot: dict[str, Any]) -> CastPlan:
    """Cheap checks first: phase, eligibility, election and fingerprint."""
    election = lifecycle.load_current(session, election_id)
    phases.require_phase(election.phase, phases.CASTING_PHASES, "cast a ballot")
    voter = _eligible_voter(session, election, actor.username)
    definition = manifest.current_definition(session, election.id)
    if definition is None:  # pragma: no cover - an open election always has one
        raise Conflict("no_definition", "the election has no ballot definition")
    if not isinstance(ballot, dict):
        raise InvalidInput("invalid_ballot", "a ballot is a JSON object")
    if ballot.get("election_id") != election.id:
        raise InvalidInput("wrong_election", "this ballot was made for another election")
    if ballot.get("fingerprint") != definition.fingerprint:
        stale = manifest.definition_by_fingerprint(session, election.id, str(ballot.get("fingerprint")))
        if stale is not None:
            raise InvalidInput(
                "stale_definition",
                "the ballot changed since this one was made; reload the booth and vote again",
            )
        raise InvalidInput("wrong_fingerprint", "the ballot's election fingerprint is unknown")
    return CastPlan(
        election.id, voter.id, definition.version, definition.fingerprint, manifest.ballot_context(definition)
    )


def verify(plan: CastPlan, ballot: dict[str, Any]) -> VerifiedBallot:
    """Every proof and the signature. CPU-bound: run it outside any database transaction."""
    try:
        return verify_ballot(plan.context, ballot)
    except CryptoError as exc:
        raise InvalidInput("invalid_ballot", str(exc)) from exc
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidInput("invalid_ballot", f"malformed ballot: {exc}") from exc


def store(
    session: Session,
    plan: CastPlan,
    ballot: dict[str, Any],
    verified: VerifiedBallot,
    signer: ReceiptSigner,
    signals: CastSignals,
) -> dict[str, Any]:
    """Store atomically and receipt, under the election's row lock (serialises casts, strikes
    and phase changes). Everything that could have changed since ``prepare_cast`` is
    re-checked here."""
    election = lifecycle.load_current(session, plan.election_id)
    phases.require_phase(election.phase, phases.CASTING_PHASES, "cast a ballot")
    voter = session.get(Voter, plan.voter_id)
    if voter is None or not voter.eligible:
        raise Forbidden("not_eligible", "this voter is no longer on the roll")
    definition = manifest.current_definition(session, election.id)
    if definition is None or definition.fingerprint != plan.fingerprint:
        raise InvalidInput(
            "stale_definition",
            "the ballot changed while this one was checked; reload the booth and vote again",
        )
    credential_hex = verified.credential.hex()
    tracker = verified.tracker
    _check_credential(session, election, voter, credential_hex)
    if session.scalar(select(func.count()).select_from(Ballot).where(Ballot.tracker == tracker)):
        raise Conflict("ballot_replayed", "this exact ballot was already cast")
    # The ballot that counted until now (the credential's last unstruck one) is superseded.
    previous = session.scalars(
        select(Ballot)
        .where(
            Ballot.election_id == election.id, Ballot.credential == credential_hex, Ballot.struck.is_(False)
        )
        .order_by(Ballot.board_seq.desc())
        .limit(1)
    ).all()
    now = utcnow()
    event = board.append(
        session,
        election.id,
        "ballot_cast",
        {
            "tracker": tracker,
            "credential": credential_hex,
            "definition_version": definition.version,
            "supersedes": [b.tracker for b in previous],
        },
        before=election.ends_at,
    )
    stored = Ballot(
        election_id=election.id,
        voter_id=voter.id,
        credential=credential_hex,
        definition_version=definition.version,
        payload=ballot,
        signature=ballot.get("signature", {}),
        tracker=tracker,
        cast_at=now,
        board_seq=event.seq,
        struck=False,
    )
    session.add(stored)
    try:
        session.flush()
    except IntegrityError as exc:
        raise Conflict("ballot_replayed", "this exact ballot was already cast") from exc
    scrutiny.mark_revoted(session, election.id, voter.id)
    session.add(
        VoterSignal(
            election_id=election.id,
            voter_id=voter.id,
            ballot_id=stored.id,
            ip=signals.ip,
            forwarded_for=signals.forwarded_for,
            user_agent=signals.user_agent,
            cookie_id=signals.cookie_id,
            at=now,
        )
    )
    session.flush()
    return signer.sign(
        {
            "election_id": election.id,
            "tracker": tracker,
            "credential": credential_hex,
            "cast_at": now.isoformat(),
            "board_seq": event.seq,
            "board_hash": event.hash,
            "fingerprint": definition.fingerprint,
            "revote": bool(previous),
        }
    )


def _check_credential(session: Session, election: Election, voter: Voter, credential_hex: str) -> None:
    row = session.scalars(
        select(Credential).where(
            Credential.election_id == election.id, Credential.public_key == credential_hex
        )
    ).first()
    if election.credential_mode == "convenient":
        if row is None or row.voter_id != voter.id:
            raise InvalidInput(
                "wrong_credential", "the ballot is not signed with this voter's registered credential"
            )
        return
    # Independent mode: the first ballot binds a published credential to the voter; afterwards
    # neither may be used with another (stops one login voting with several bought codes).
    if row is None:
        raise InvalidInput("unknown_credential", "the credential is not in the published list")
    if row.voter_id is None:
        bound = session.scalars(
            select(Credential).where(Credential.election_id == election.id, Credential.voter_id == voter.id)
        ).first()
        if bound is not None:
            raise InvalidInput("wrong_credential", "this voter already voted with another code")
        row.voter_id = voter.id
        session.flush()
    elif row.voter_id != voter.id:
        raise InvalidInput("wrong_credential", "this credential belongs to another voter")


def lookup_tracker(
    session: Session, election_id: str, tracker: str, actor: Actor | None = None
) -> dict[str, Any]:
    election = elections.load_visible(session, actor, election_id)
    ballot = session.scalars(
        select(Ballot).where(Ballot.election_id == election.id, Ballot.tracker == tracker)
    ).first()
    if ballot is None:
        raise NotFound("tracker_not_found", "no ballot with this tracker")
    # Only what the board itself shows: whether this ballot was superseded or struck is for
    # its voter's own status page (``my_status``), never for whoever holds the tracker — a
    # coercer holding a receipt must not be told that the voter voted again.
    at = session.scalar(
        select(BoardEvent.at).where(BoardEvent.election_id == election.id, BoardEvent.seq == ballot.board_seq)
    )
    return {"tracker": tracker, "on_board": True, "board_seq": ballot.board_seq, "at": at}


def ballot_payload(session: Session, election_id: str, tracker: str) -> dict[str, Any]:
    ballot = session.scalars(
        select(Ballot).where(Ballot.election_id == election_id, Ballot.tracker == tracker)
    ).first()
    if ballot is None:
        raise NotFound("tracker_not_found", "no ballot with this tracker")
    return ballot.payload


VOTING_PHASES = frozenset({phases.OPEN, phases.PAUSED})
"""While ballots can still be cast, the public voter list is published day by day."""


def who_voted(session: Session, actor: Actor | None, election_id: str) -> dict[str, Any]:
    """Who cast a ballot, sorted by name — never what, which ballot, or when (DESIGN §3.8).

    No times: a time next to a name would match the board's ``ballot_cast.at`` and name the
    ballot. And while voting goes on, the public sees only the voters whose first ballot came
    before today (UTC) began: someone polling this list and the board together can then tie a
    name only to the day's first ballots, all of them, not to one. Once voting has closed the
    list is complete. The committee and scrutineers always see everyone (they see names next to
    trackers anyway, audited, in ``scrutiny.voter_list``)."""
    election = elections.load_visible(session, actor, election_id)
    privileged = actor is not None and (
        actor.is_admin
        or bool(elections.roles_of(session, election.id, actor.username) & {"committee", "scrutineer"})
    )
    if not election.voter_list_public and not privileged:
        if actor is None:
            raise Forbidden("voter_list_hidden", "this election does not publish who voted")
        elections.require_role(session, actor, election, "committee", "scrutineer")
    query = (
        select(Voter.username, func.min(Ballot.cast_at))
        .join(Ballot, Ballot.voter_id == Voter.id)
        .where(Voter.election_id == election.id)
        .group_by(Voter.username)
        .order_by(Voter.username)
    )
    until = None
    if election.phase in VOTING_PHASES and not privileged:
        now = utcnow()
        until = now.replace(hour=0, minute=0, second=0, microsecond=0)
    names = sorted(
        name for name, first in session.execute(query).all() if until is None or _aware(first) < until
    )
    return {
        "voters": [{"username": name} for name in names],
        "complete": until is None,
        "first_voted_before": until.isoformat() if until is not None else None,
    }


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
