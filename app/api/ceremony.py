"""Key ceremony API (protocol 2): trustees post signed messages; the server appends each to the
board only if the board still replays as an honest ceremony (app.services.ceremony)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from app.api.deps import CurrentActor, UnitOfWork, Work
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
from app.schemas.responses import (
    CeremonyMoved,
    CeremonyNoAnswer,
    CeremonyPosted,
    CeremonyStatus,
    SealedShares,
)
from app.schemas.voting import ReasonIn
from app.services import ceremony
from app.services.actor import Actor
from crypto import ceremony as protocol

router = APIRouter(prefix="/api/v1/elections/{election_id}/ceremony", tags=["ceremony"])


def _receipt_key(request: Request) -> str:
    """The receipt-signing key, which the manifest carries (voters check receipts against it)."""
    return request.app.state.receipt_signer.public_key  # type: ignore[no-any-return]


@router.get("", response_model=CeremonyStatus)
def status(request: Request, election_id: str, actor: CurrentActor, work: Work) -> dict:
    with work.read(election_id) as session:
        return ceremony.status(session, actor, election_id, _receipt_key(request))


def _post(
    request: Request, work: UnitOfWork, actor: Actor, election_id: str, kind: str, body: Signed
) -> dict:
    with work() as session:
        return ceremony.post_message(session, actor, election_id, kind, body.body(), _receipt_key(request))


@router.post("/join", response_model=CeremonyPosted)
def join(request: Request, election_id: str, body: JoinIn, actor: CurrentActor, work: Work) -> dict:
    return _post(request, work, actor, election_id, protocol.JOINED, body)


@router.post("/commitment-hash", response_model=CeremonyPosted)
def commitment_hash(
    request: Request, election_id: str, body: CommitmentHashIn, actor: CurrentActor, work: Work
) -> dict:
    return _post(request, work, actor, election_id, protocol.COMMITMENT_HASH, body)


@router.post("/commitments", response_model=CeremonyPosted)
def commitments(
    request: Request, election_id: str, body: CommitmentsIn, actor: CurrentActor, work: Work
) -> dict:
    return _post(request, work, actor, election_id, protocol.COMMITMENTS, body)


@router.post("/shares", response_model=CeremonyPosted)
def post_shares(request: Request, election_id: str, body: SharesIn, actor: CurrentActor, work: Work) -> dict:
    return _post(request, work, actor, election_id, protocol.SHARES_SENT, body)


@router.post("/confirm", response_model=CeremonyPosted)
def confirm(request: Request, election_id: str, body: ConfirmIn, actor: CurrentActor, work: Work) -> dict:
    return _post(request, work, actor, election_id, protocol.CONFIRMED, body)


@router.post("/complaints", response_model=CeremonyPosted)
def complain(request: Request, election_id: str, body: ComplaintIn, actor: CurrentActor, work: Work) -> dict:
    return _post(request, work, actor, election_id, protocol.COMPLAINT, body)


@router.post("/answer", response_model=CeremonyPosted)
def answer(request: Request, election_id: str, body: AnswerIn, actor: CurrentActor, work: Work) -> dict:
    return _post(request, work, actor, election_id, protocol.ANSWER, body)


@router.post("/no-answer", response_model=CeremonyNoAnswer)
def no_answer(election_id: str, body: NoAnswerIn, actor: CurrentActor, work: Work) -> dict:
    with work() as session:
        return ceremony.declare_no_answer(
            session, actor, election_id, body.complainant_index, body.accused_index
        )


@router.get("/shares", response_model=SealedShares)
def my_shares(election_id: str, actor: CurrentActor, work: Work) -> dict:
    with work.read(election_id) as session:
        return ceremony.my_shares(session, actor, election_id)


@router.post("/restart", response_model=CeremonyMoved)
def restart(election_id: str, body: ReasonIn, actor: CurrentActor, work: Work) -> dict:
    with work() as session:
        ceremony.restart(session, actor, election_id, body.reason)
    return {"status": "restarted"}


@router.post("/back-to-draft", response_model=CeremonyMoved)
def back_to_draft(election_id: str, body: ReasonIn, actor: CurrentActor, work: Work) -> dict:
    with work() as session:
        ceremony.back_to_draft(session, actor, election_id, body.reason)
    return {"status": "draft"}
