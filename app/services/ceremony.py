"""The trustees' distributed key generation, relayed by a server that cannot read the shares.

Order (each step checked): every trustee joins with an X25519 key → every trustee publishes
Feldman commitments with proofs of knowledge (on the board) → only then may shares be posted,
sealed to their recipients → every trustee checks the shares it received against the public
commitments and either confirms or complains → when all confirm, the election key is the
product of the constant-term commitments, the manifest is fingerprinted and the election is
ready. A complaint stops the ceremony; the committee restarts it (a new round).
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.errors import Conflict, Forbidden, InvalidInput
from app.models import BallotDefinition, Complaint, Election, SealedShare, Trustee
from app.models.base import utcnow
from app.schemas.ceremony import CommitmentsIn, SharesIn, VerifyIn
from app.services import audit, board, elections, manifest, phases
from app.services.actor import Actor
from crypto.errors import CryptoError
from crypto.group import Point
from crypto.threshold import (
    combine_public_key,
    round_context,
    trustee_round_context,
    verify_commitments,
)

MAX_SEALED_SHARE_BYTES = 1024


def context(election: Election) -> bytes:
    """Names this election and ceremony attempt (round)."""
    return round_context(election.id, election.ceremony_round)


def trustee_context(election: Election, index: int) -> bytes:
    """Binds a trustee's commitment proofs to the election, the round and the trustee, so a
    proof cannot be replayed by another trustee or in another attempt (protocol.md §8.1)."""
    return trustee_round_context(election.id, election.ceremony_round, index)


def _trustees(session: Session, election_id: str) -> list[Trustee]:
    return list(session.scalars(select(Trustee).where(Trustee.election_id == election_id)
                                .order_by(Trustee.trustee_index)))


def _me(session: Session, actor: Actor, election: Election) -> Trustee:
    trustee = session.scalars(select(Trustee).where(Trustee.election_id == election.id,
                                                    Trustee.username == actor.username)).first()
    if trustee is None:
        raise Forbidden("forbidden", f"{actor.username} is not a trustee of {election.id}")
    return trustee


def _locked(session: Session, election_id: str) -> Election:
    election = elections.load(session, election_id, for_update=True)
    phases.require_phase(election.phase, {phases.KEY_CEREMONY}, "take part in the key ceremony")
    return election


def status(session: Session, actor: Actor, election_id: str) -> dict[str, Any]:
    election = elections.load(session, election_id)
    if not (actor.is_admin or elections.roles_of(session, election.id, actor.username)
            & {"committee", "trustee"}):
        raise Forbidden("forbidden", "the ceremony is visible to the committee and the trustees")
    trustees = _trustees(session, election.id)
    complaints = session.scalars(select(Complaint).where(Complaint.election_id == election.id))
    return {
        "election_id": election.id,
        "phase": election.phase,
        "round": election.ceremony_round,
        "threshold": election.threshold,
        "context": context(election).decode(),
        "trustees": [
            {"index": t.trustee_index, "username": t.username, "status": t.status,
             "encryption_key": t.encryption_key, "commitments": t.commitments,
             "commitment_proofs": t.commitment_proofs}
            for t in trustees
        ],
        "complaints": [{"complainant_index": c.complainant_index,
                        "accused_index": c.accused_index, "reason": c.reason}
                       for c in complaints],
        "public_key": election.public_key,
    }


def join(session: Session, actor: Actor, election_id: str, encryption_key: str) -> dict[str, Any]:
    election = _locked(session, election_id)
    me = _me(session, actor, election)
    if me.status != "invited":
        raise Conflict("already_joined", "this trustee has already joined the ceremony")
    me.encryption_key = encryption_key
    me.status = "joined"
    me.updated_at = utcnow()
    audit.record(session, election.id, actor, "ceremony.join", {"index": me.trustee_index})
    return {"index": me.trustee_index,
            "context": trustee_context(election, me.trustee_index).decode()}


def publish_commitments(session: Session, actor: Actor, election_id: str,
                        data: CommitmentsIn) -> None:
    election = _locked(session, election_id)
    me = _me(session, actor, election)
    if me.status != "joined":
        raise Conflict("wrong_ceremony_step", f"commitments are published after joining "
                       f"(this trustee is {me.status})")
    if len(data.commitments) != election.threshold or len(data.proofs) != election.threshold:
        raise InvalidInput("invalid_commitments",
                           f"expected {election.threshold} commitments and proofs")
    try:
        points = [Point.from_hex(c) for c in data.commitments]
        verify_commitments(points, data.proofs, me.trustee_index,
                           trustee_context(election, me.trustee_index))
    except CryptoError as exc:
        raise InvalidInput("invalid_commitments", str(exc)) from exc
    me.commitments = list(data.commitments)
    me.commitment_proofs = list(data.proofs)
    me.status = "committed"
    me.updated_at = utcnow()
    session.flush()
    board.append(session, election.id, "trustee_commitments", {
        "round": election.ceremony_round, "index": me.trustee_index,
        "encryption_key": me.encryption_key, "commitments": me.commitments,
        "proofs": me.commitment_proofs})
    audit.record(session, election.id, actor, "ceremony.commit", {"index": me.trustee_index})


def post_shares(session: Session, actor: Actor, election_id: str, data: SharesIn) -> None:
    election = _locked(session, election_id)
    me = _me(session, actor, election)
    trustees = _trustees(session, election.id)
    if any(t.status in ("invited", "joined") for t in trustees):
        raise Conflict("commitments_pending",
                       "shares are revealed only after every trustee has published commitments")
    if me.status != "committed":
        raise Conflict("wrong_ceremony_step", f"this trustee is {me.status}")
    expected = {t.trustee_index for t in trustees if t.trustee_index != me.trustee_index}
    if set(data.shares) != expected:
        raise InvalidInput("invalid_shares",
                           f"send exactly one sealed share to each other trustee: {sorted(expected)}")
    now = utcnow()
    digests = {}
    for recipient, sealed in sorted(data.shares.items()):
        try:
            raw = base64.b64decode(sealed, validate=True)
        except ValueError as exc:
            raise InvalidInput("invalid_shares", f"share for {recipient} is not base64") from exc
        if not 48 <= len(raw) <= MAX_SEALED_SHARE_BYTES:
            raise InvalidInput("invalid_shares", f"share for {recipient} has the wrong size")
        session.add(SealedShare(election_id=election.id, sender_index=me.trustee_index,
                                recipient_index=recipient, sealed=sealed, created_at=now))
        digests[str(recipient)] = hashlib.sha256(raw).hexdigest()
    me.status = "shared"
    me.updated_at = now
    session.flush()
    # The digests let a trustee later prove which sealed share it received (complaints).
    board.append(session, election.id, "trustee_shares_sent", {
        "round": election.ceremony_round, "index": me.trustee_index, "sealed_sha256": digests})
    audit.record(session, election.id, actor, "ceremony.shares", {"index": me.trustee_index})


def my_shares(session: Session, actor: Actor, election_id: str) -> dict[str, Any]:
    election = elections.load(session, election_id)
    phases.require_phase(election.phase, {phases.KEY_CEREMONY}, "fetch ceremony shares")
    me = _me(session, actor, election)
    rows = session.scalars(select(SealedShare).where(
        SealedShare.election_id == election.id, SealedShare.recipient_index == me.trustee_index))
    return {"index": me.trustee_index,
            "shares": {str(r.sender_index): r.sealed for r in rows}}


def verify(session: Session, actor: Actor, election_id: str, data: VerifyIn) -> dict[str, Any]:
    election = _locked(session, election_id)
    me = _me(session, actor, election)
    trustees = _trustees(session, election.id)
    if any(t.status in ("invited", "joined", "committed") for t in trustees):
        raise Conflict("shares_pending", "every trustee must send its shares first")
    if me.status != "shared":
        raise Conflict("wrong_ceremony_step", f"this trustee is {me.status}")
    indices = {t.trustee_index for t in trustees}
    if data.complaints:
        for complaint in data.complaints:
            if complaint.accused_index not in indices or complaint.accused_index == me.trustee_index:
                raise InvalidInput("invalid_complaint",
                                   f"no other trustee with index {complaint.accused_index}")
            session.add(Complaint(election_id=election.id, complainant_index=me.trustee_index,
                                  accused_index=complaint.accused_index, reason=complaint.reason,
                                  created_at=utcnow()))
            board.append(session, election.id, "ceremony_complaint", {
                "round": election.ceremony_round, "complainant_index": me.trustee_index,
                "accused_index": complaint.accused_index, "reason": complaint.reason})
        me.status = "complained"
        audit.record(session, election.id, actor, "ceremony.complain",
                     {"index": me.trustee_index,
                      "accused": [c.accused_index for c in data.complaints]})
        return {"status": "complained"}
    me.status = "verified"
    me.updated_at = utcnow()
    session.flush()
    audit.record(session, election.id, actor, "ceremony.verified", {"index": me.trustee_index})
    if all(t.status == "verified" for t in trustees):
        _complete(session, election, trustees)
    return {"status": me.status, "phase": election.phase}


def _complete(session: Session, election: Election, trustees: list[Trustee]) -> None:
    all_commitments = [[Point.from_hex(c) for c in t.commitments or []] for t in trustees]
    election.public_key = combine_public_key(all_commitments).hex()
    doc = manifest.build(election, trustees, definition_version=1)
    fp = manifest.fingerprint(doc)
    session.add(BallotDefinition(election_id=election.id, version=1, manifest=doc,
                                 fingerprint=fp, created_at=utcnow()))
    election.phase = phases.READY
    session.flush()
    board.append(session, election.id, "election_setup", {"manifest": doc, "fingerprint": fp,
                                                          "public_key": election.public_key})


def restart(session: Session, actor: Actor, election_id: str, reason: str) -> None:
    """Start a new ceremony round (after a complaint or a trustee who cannot continue)."""
    election = elections.load(session, election_id, for_update=True)
    elections.require_role(session, actor, election, "committee")
    phases.require_phase(election.phase, {phases.KEY_CEREMONY}, "restart the key ceremony")
    if not reason.strip():
        raise InvalidInput("reason_required", "say why the ceremony restarts")
    session.execute(delete(SealedShare).where(SealedShare.election_id == election.id))
    session.execute(delete(Complaint).where(Complaint.election_id == election.id))
    for t in _trustees(session, election.id):
        t.status, t.encryption_key, t.commitments, t.commitment_proofs = "invited", None, None, None
        t.updated_at = utcnow()
    election.ceremony_round += 1
    session.flush()
    board.append(session, election.id, "ceremony_restarted",
                 {"round": election.ceremony_round, "reason": reason})
    audit.record(session, election.id, actor, "ceremony.restart", {"reason": reason})


def back_to_draft(session: Session, actor: Actor, election_id: str, reason: str) -> None:
    """Reopen the configuration (e.g. to replace a trustee); a new ceremony round follows."""
    restart(session, actor, election_id, reason)
    election = elections.load(session, election_id, for_update=True)
    election.phase = phases.DRAFT
    session.flush()
    board.append(session, election.id, "returned_to_draft", {"reason": reason})
    audit.record(session, election.id, actor, "election.unfreeze", {"reason": reason})
