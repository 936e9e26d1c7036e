"""Key ceremony API (protocol 2): trustees post signed messages; the server appends each to the
board only if the board still replays as an honest ceremony (app.services.ceremony)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from app.api.deps import require_actor, unit_of_work
from app.schemas.ceremony import (
    AnswerIn,
    CommitmentHashIn,
    CommitmentsIn,
    ComplaintIn,
    ConfirmIn,
    JoinIn,
    NoAnswerIn,
    SharesIn,
    Signed,
)
from app.schemas.voting import ReasonIn
from app.services import ceremony
from crypto import ceremony as protocol

router = APIRouter(prefix="/api/v1/elections/{election_id}/ceremony", tags=["ceremony"])


def _receipt_key(request: Request) -> str:
    """The receipt-signing key, which the manifest carries (voters check receipts against it)."""
    return request.app.state.receipt_signer.public_key  # type: ignore[no-any-return]


@router.get("")
def status(request: Request, election_id: str) -> dict:
    actor = require_actor(request)
    with unit_of_work(request, readonly=True, election_id=election_id) as session:
        return ceremony.status(session, actor, election_id, _receipt_key(request))


def _post(request: Request, election_id: str, kind: str, body: Signed) -> dict:
    actor = require_actor(request)
    with unit_of_work(request) as session:
        return ceremony.post_message(session, actor, election_id, kind, body.body(),
                                     _receipt_key(request))


@router.post("/join")
def join(request: Request, election_id: str, body: JoinIn) -> dict:
    return _post(request, election_id, protocol.JOINED, body)


@router.post("/commitment-hash")
def commitment_hash(request: Request, election_id: str, body: CommitmentHashIn) -> dict:
    return _post(request, election_id, protocol.COMMITMENT_HASH, body)


@router.post("/commitments")
def commitments(request: Request, election_id: str, body: CommitmentsIn) -> dict:
    return _post(request, election_id, protocol.COMMITMENTS, body)


@router.post("/shares")
def post_shares(request: Request, election_id: str, body: SharesIn) -> dict:
    return _post(request, election_id, protocol.SHARES_SENT, body)


@router.post("/confirm")
def confirm(request: Request, election_id: str, body: ConfirmIn) -> dict:
    return _post(request, election_id, protocol.CONFIRMED, body)


@router.post("/complaints")
def complain(request: Request, election_id: str, body: ComplaintIn) -> dict:
    return _post(request, election_id, protocol.COMPLAINT, body)


@router.post("/answer")
def answer(request: Request, election_id: str, body: AnswerIn) -> dict:
    return _post(request, election_id, protocol.ANSWER, body)


@router.post("/no-answer")
def no_answer(request: Request, election_id: str, body: NoAnswerIn) -> dict:
    actor = require_actor(request)
    with unit_of_work(request) as session:
        return ceremony.declare_no_answer(session, actor, election_id, body.complainant_index,
                                          body.accused_index)


@router.get("/shares")
def my_shares(request: Request, election_id: str) -> dict:
    actor = require_actor(request)
    with unit_of_work(request, readonly=True, election_id=election_id) as session:
        return ceremony.my_shares(session, actor, election_id)


@router.post("/restart")
def restart(request: Request, election_id: str, body: ReasonIn) -> dict:
    actor = require_actor(request)
    with unit_of_work(request) as session:
        ceremony.restart(session, actor, election_id, body.reason)
    return {"status": "restarted"}


@router.post("/back-to-draft")
def back_to_draft(request: Request, election_id: str, body: ReasonIn) -> dict:
    actor = require_actor(request)
    with unit_of_work(request) as session:
        ceremony.back_to_draft(session, actor, election_id, body.reason)
    return {"status": "draft"}
