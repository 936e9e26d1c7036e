"""The trustees' distributed key generation, relayed by a server that is never believed.

Every step is a message the trustee signs with its long-term identity key; the server appends it
to the public board only if the board *with* that message still replays as an honest ceremony
(``crypto.ceremony.replay``: the one definition shared with the trustee clients and the record
verifier). Order (protocol 2, docs/protocol.md §8): join (identity + encryption key) → hash of
commitments → commitments, once every hash is in → sealed shares, once every commitment is
revealed → each trustee confirms the election fingerprint it checked, or complains. An answered
complaint is judged from the board at once; an unanswered one by the committee. When every
trustee confirmed the same fingerprint the election is set up and ready.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.errors import Conflict, Forbidden, InvalidInput
from app.models import BallotDefinition, Complaint, Election, SealedShare, Trustee
from app.models.base import utcnow
from app.services import audit, board, elections, lifecycle, manifest, phases
from app.services.actor import Actor
from crypto import ceremony as protocol
from crypto import events
from crypto.errors import InvalidCeremony
from crypto.fingerprint import election_fingerprint


def _trustees(session: Session, election_id: str) -> list[Trustee]:
    return list(
        session.scalars(
            select(Trustee).where(Trustee.election_id == election_id).order_by(Trustee.trustee_index)
        )
    )


def _me(session: Session, actor: Actor, election: Election) -> Trustee:
    trustee = session.scalars(
        select(Trustee).where(Trustee.election_id == election.id, Trustee.username == actor.username)
    ).first()
    if trustee is None:
        raise Forbidden("forbidden", f"{actor.username} is not a trustee of {election.id}")
    return trustee


def _events(session: Session, election_id: str) -> list[dict[str, Any]]:
    return [board.to_json(e) for e in board.all_events(session, election_id)]


def replay(
    session: Session, election_id: str, extra: list[dict[str, Any]] | None = None
) -> protocol.Ceremony:
    """The ceremony as the board (plus ``extra`` candidate events) shows it."""
    board_events = _events(session, election_id)
    seq = len(board_events)
    for kind, payload in [(e["type"], e["payload"]) for e in extra or []]:
        seq += 1
        board_events.append({"seq": seq, "type": kind, "payload": payload})
    return protocol.replay(election_id, board_events)


def _append_checked(
    session: Session, election: Election, kind: str, payload: dict[str, Any]
) -> protocol.Ceremony:
    """Append ``kind`` only if the board with it still replays; else 409 with the reason. A
    trustee's message the event catalogue does not accept is a 422 (nothing written)."""
    malformed = events.problem(kind, payload)
    if malformed is not None:
        raise InvalidInput("invalid_message", f"a {kind} message: {malformed}")
    try:
        state = replay(session, election.id, [{"type": kind, "payload": payload}])
    except InvalidCeremony as exc:
        raise Conflict("ceremony_rejected", str(exc).split(": ", 1)[-1]) from exc
    board.append(session, election.id, kind, payload)
    return state


def proposed_manifest(
    session: Session, election: Election, state: protocol.Ceremony, receipt_key: str | None = None
) -> dict[str, Any] | None:
    """The manifest the trustees are asked to confirm, once every commitment is revealed;
    ``receipt_key`` is the server's receipt-signing key (voters check receipts against it)."""
    rnd = state.round
    if not rnd.all_have("commitments"):
        return None
    return manifest.build(
        election,
        rnd.expected_manifest_trustees(),
        definition_version=1,
        public_key=rnd.public_key.hex(),
        receipt_key=receipt_key,
    )


def status(
    session: Session, actor: Actor, election_id: str, receipt_key: str | None = None
) -> dict[str, Any]:
    election = elections.load_visible(session, actor, election_id)
    if not (
        actor.is_admin or elections.roles_of(session, election.id, actor.username) & {"committee", "trustee"}
    ):
        raise Forbidden("forbidden", "the ceremony is visible to the committee and the trustees")
    trustees = _trustees(session, election.id)
    state: protocol.Ceremony | None = None
    if election.phase != phases.DRAFT or election.ceremony_round > 1:
        try:
            state = replay(session, election.id)
        except InvalidCeremony:  # pragma: no cover - the board only ever holds replayable events
            state = None
    rnd = state.rounds.get(election.ceremony_round) if state else None
    out_trustees = []
    for t in trustees:
        record = rnd.trustees.get(t.trustee_index) if rnd else None
        out_trustees.append(
            {
                "index": t.trustee_index,
                "username": t.username,
                "status": t.status,
                "signing_key": record.signing_key if record else None,
                "fingerprint": record.fingerprint if record else None,
                "encryption_key": record.encryption_key if record else None,
                "commitments": record.commitments if record else None,
                "confirmed": record.confirmed if record else None,
            }
        )
    proposed = None
    if state is not None and rnd is not None and election.phase == phases.KEY_CEREMONY:
        doc = proposed_manifest(session, election, state, receipt_key)
        if doc is not None:
            proposed = {"manifest": doc, "fingerprint": election_fingerprint(doc)}
    return {
        "election_id": election.id,
        "protocol": protocol.PROTOCOL,
        "phase": election.phase,
        "round": election.ceremony_round,
        "max_rounds": protocol.MAX_ROUNDS,
        "threshold": election.threshold,
        "trustees": out_trustees,
        "complaints": [
            {
                "complainant_index": c.complainant,
                "accused_index": c.accused,
                "reason": c.reason,
                "answered": c.answer is not None,
                "finding": c.finding,
                "culprit_index": c.culprit,
            }
            for c in (rnd.complaints if rnd else [])
        ],
        "excluded": list(election.excluded_trustees or []),
        "you": next(
            (
                {"index": t.trustee_index, "status": t.status}
                for t in trustees
                if t.username == actor.username
            ),
            None,
        ),
        "proposed": proposed,
        "public_key": election.public_key,
    }


STEP_OF = {
    protocol.JOINED: ("invited", "joined"),
    protocol.COMMITMENT_HASH: ("joined", "hashed"),
    protocol.COMMITMENTS: ("hashed", "committed"),
    protocol.SHARES_SENT: ("committed", "shared"),
    protocol.CONFIRMED: ("shared", "confirmed"),
    protocol.COMPLAINT: ("shared", "complained"),
}


def post_message(
    session: Session,
    actor: Actor,
    election_id: str,
    kind: str,
    body: dict[str, Any],
    receipt_key: str | None = None,
) -> dict[str, Any]:
    """A trustee's signed ceremony message (``body`` = the signed fields, ``round`` and
    ``signature``). The server adds the trustee's index and appends it if the board replays.
    ``receipt_key`` goes into the manifest (as in ``status``) when the last confirmation sets
    the election up."""
    election = lifecycle.load_current(session, election_id)
    phases.require_phase(election.phase, {phases.KEY_CEREMONY}, "take part in the key ceremony")
    me = _me(session, actor, election)
    if body.get("round") != election.ceremony_round:
        raise Conflict(
            "stale_round",
            f"the ceremony is in round {election.ceremony_round}, "
            f"the message is for round {body.get('round')}",
        )
    payload = {
        "round": election.ceremony_round,
        "index": me.trustee_index,
        **{k: v for k, v in body.items() if k not in ("round", "index")},
    }
    state = _append_checked(session, election, kind, payload)
    rnd = state.round
    if kind in STEP_OF:
        me.status = STEP_OF[kind][1]
    me.updated_at = utcnow()
    record = rnd.trustees.get(me.trustee_index)
    if kind == protocol.JOINED:
        me.encryption_key = payload["encryption_key"]
    elif kind == protocol.COMMITMENTS and record is not None:
        me.commitments, me.commitment_proofs = record.commitments, record.proofs
    elif kind == protocol.COMPLAINT:
        session.add(
            Complaint(
                election_id=election.id,
                complainant_index=me.trustee_index,
                accused_index=payload["accused_index"],
                reason=payload["reason"],
                created_at=utcnow(),
            )
        )
    elif kind == protocol.ANSWER:
        _judge(session, actor, election, state, payload)
    session.flush()
    audit.record(session, election.id, actor, f"ceremony.{kind}", {"index": me.trustee_index})
    if kind == protocol.CONFIRMED and rnd.all_have("confirmed"):
        _complete(session, election, state, receipt_key)
    return {"index": me.trustee_index, "status": me.status, "phase": election.phase}


def _judge(
    session: Session, actor: Actor, election: Election, state: protocol.Ceremony, answer: dict[str, Any]
) -> None:
    """An answered complaint is decided by arithmetic anyone can redo (``judge_complaint``)."""
    rnd = state.round
    complaint = next(
        c
        for c in rnd.complaints
        if c.accused == answer["index"] and c.complainant == answer["complainant_index"] and c.finding is None
    )
    accused, complainant = rnd.trustees[complaint.accused], rnd.trustees[complaint.complainant]
    assert accused.sealed is not None
    finding = protocol.judge_complaint(
        election.id,
        rnd.number,
        complaint.accused,
        complaint.complainant,
        accused.points or [],
        complainant.encryption_key,
        accused.sealed[complaint.complainant],
        answer["share"],
        answer["ephemeral_secret"],
    )
    _verdict(session, actor, election, complaint.complainant, complaint.accused, finding)


def _verdict(
    session: Session, actor: Actor, election: Election, complainant: int, accused: int, finding: str
) -> None:
    culprit = complainant if finding == protocol.FINDING_SHARE_VALID else accused
    _append_checked(
        session,
        election,
        protocol.VERDICT,
        {
            "round": election.ceremony_round,
            "complainant_index": complainant,
            "accused_index": accused,
            "finding": finding,
            "culprit_index": culprit,
        },
    )
    culprit_row = next(t for t in _trustees(session, election.id) if t.trustee_index == culprit)
    culprit_row.status = "excluded"
    election.excluded_trustees = sorted({*(election.excluded_trustees or []), culprit_row.username})
    audit.record(
        session,
        election.id,
        actor,
        "ceremony.verdict",
        {"finding": finding, "culprit": culprit_row.username, "index": culprit},
    )


def declare_no_answer(
    session: Session, actor: Actor, election_id: str, complainant: int, accused: int
) -> dict[str, Any]:
    """The committee settles a complaint the accused never answered: the accused is at fault."""
    election = lifecycle.load_current(session, election_id)
    elections.require_role(session, actor, election, "committee")
    phases.require_phase(election.phase, {phases.KEY_CEREMONY}, "settle a complaint")
    _verdict(session, actor, election, complainant, accused, protocol.FINDING_NO_ANSWER)
    session.flush()
    return status(session, actor, election_id)


def my_shares(session: Session, actor: Actor, election_id: str) -> dict[str, Any]:
    """Convenience view of the sealed shares addressed to the caller. Clients that do not trust
    the server read them from the board (``trustee_shares_sent``) instead."""
    election = elections.load_visible(session, actor, election_id)
    phases.require_phase(election.phase, {phases.KEY_CEREMONY}, "fetch ceremony shares")
    me = _me(session, actor, election)
    rnd = replay(session, election.id).round
    return {
        "index": me.trustee_index,
        "shares": {str(j): t.sealed_b64[me.trustee_index] for j, t in rnd.trustees.items() if t.sealed_b64},
    }


def _complete(
    session: Session, election: Election, state: protocol.Ceremony, receipt_key: str | None
) -> None:
    doc = proposed_manifest(session, election, state, receipt_key)
    assert doc is not None
    fp = manifest.fingerprint(doc)
    election.public_key = doc["public_key"]
    payload = {"manifest": doc, "fingerprint": fp, "public_key": election.public_key}
    # The replay refuses the setup unless every trustee confirmed exactly this fingerprint.
    _append_checked(session, election, protocol.SETUP, payload)
    session.add(
        BallotDefinition(
            election_id=election.id, version=1, manifest=doc, fingerprint=fp, created_at=utcnow()
        )
    )
    election.phase = phases.advance(election.phase, protocol.SETUP)
    session.flush()


def restart(session: Session, actor: Actor, election_id: str, reason: str) -> None:
    """Start a new ceremony round (after a settled complaint, or a trustee who cannot go on).
    Bounded (``crypto.ceremony.MAX_ROUNDS``) and refused while a complaint is open."""
    election = lifecycle.load_current(session, election_id)
    elections.require_role(session, actor, election, "committee")
    phases.require_phase(election.phase, {phases.KEY_CEREMONY}, "restart the key ceremony")
    if not reason.strip():
        raise InvalidInput("reason_required", "say why the ceremony restarts")
    excluded = [
        t.username
        for t in _trustees(session, election.id)
        if t.username in (election.excluded_trustees or [])
    ]
    if excluded:
        raise Conflict(
            "trustee_excluded",
            f"{', '.join(excluded)} was found at fault: return "
            "to draft and replace it before the ceremony restarts",
        )
    _restart(session, actor, election, reason)


def _restart(session: Session, actor: Actor, election: Election, reason: str) -> None:
    _append_checked(
        session, election, protocol.RESTARTED, {"round": election.ceremony_round + 1, "reason": reason}
    )
    session.execute(delete(SealedShare).where(SealedShare.election_id == election.id))
    session.execute(delete(Complaint).where(Complaint.election_id == election.id))
    for t in _trustees(session, election.id):
        t.status, t.encryption_key, t.commitments, t.commitment_proofs = "invited", None, None, None
        t.updated_at = utcnow()
    election.ceremony_round += 1
    session.flush()
    audit.record(session, election.id, actor, "ceremony.restart", {"reason": reason})


def back_to_draft(session: Session, actor: Actor, election_id: str, reason: str) -> None:
    """Reopen the configuration (e.g. to replace a trustee); a new ceremony round follows."""
    election = lifecycle.load_current(session, election_id)
    elections.require_role(session, actor, election, "committee")
    phases.require_phase(election.phase, {phases.KEY_CEREMONY}, "return to draft")
    if not reason.strip():
        raise InvalidInput("reason_required", "say why the election returns to draft")
    _restart(session, actor, election, reason)
    election.phase = phases.advance(election.phase, events.RETURNED_TO_DRAFT)
    session.flush()
    board.append(session, election.id, events.RETURNED_TO_DRAFT, {"reason": reason})
    audit.record(session, election.id, actor, "election.unfreeze", {"reason": reason})
