"""Tally and results API."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import PlainTextResponse, Response

from app.api.deps import CurrentActor, MaybeActor, Work
from app.schemas.responses import MixSubmitted, MixView, Results, TallyView
from app.schemas.voting import MixIn, ShareIn
from app.services import audit, elections, exports, mixing, tally


class CSVResponse(PlainTextResponse):
    media_type = "text/csv"


router = APIRouter(prefix="/api/v1/elections/{election_id}", tags=["tally"])


@router.post("/tally/start", response_model=TallyView, response_model_exclude_unset=True)
def start(election_id: str, actor: CurrentActor, work: Work) -> dict:
    with work() as session:
        return tally.start(session, actor, election_id)


@router.get("/tally", response_model=TallyView, response_model_exclude_unset=True)
def get_tally(election_id: str, actor: MaybeActor, work: Work) -> dict:
    with work.read(election_id) as session:
        elections.load_visible(session, actor, election_id)
        return tally.get(session, election_id)


@router.get("/tally/mix", response_model=MixView)
def get_mix(election_id: str, actor: MaybeActor, work: Work) -> dict:
    """The ranked questions' mix chains: who mixed, and the rows the next mixer takes."""
    with work.read(election_id) as session:
        elections.load_visible(session, actor, election_id)
        return mixing.view(session, election_id)


@router.post("/tally/mixes", response_model=MixSubmitted)
def submit_mix(election_id: str, body: MixIn, actor: CurrentActor, work: Work) -> dict:
    with work() as session:
        return mixing.submit(session, actor, election_id, body.model_dump())


@router.post("/tally/shares", response_model=TallyView, response_model_exclude_unset=True)
def submit_share(election_id: str, body: ShareIn, actor: CurrentActor, work: Work) -> dict:
    with work() as session:
        return tally.submit_share(session, actor, election_id, body.share, body.tally_hash, body.signature)


@router.get("/results", response_model=Results)
def results(election_id: str, actor: MaybeActor, work: Work) -> dict:
    with work.read(election_id) as session:
        elections.load_visible(session, actor, election_id)
        return tally.results(session, election_id)


@router.get("/results.csv", response_class=CSVResponse)
def results_csv(election_id: str, actor: MaybeActor, work: Work) -> Response:
    with work.read(election_id) as session:
        elections.load_visible(session, actor, election_id)
        text = exports.results_csv(tally.results(session, election_id))
    return CSVResponse(
        text, headers={"Content-Disposition": f'attachment; filename="{election_id}-results.csv"'}
    )


@router.get("/results.wikitext", response_class=PlainTextResponse)
def results_wikitext(election_id: str, actor: MaybeActor, work: Work) -> PlainTextResponse:
    with work.read(election_id) as session:
        elections.load_visible(session, actor, election_id)
        return PlainTextResponse(exports.results_wikitext(tally.results(session, election_id)))


@router.get("/results/{question}.blt", response_class=PlainTextResponse)
def results_blt(
    election_id: str,
    actor: MaybeActor,
    work: Work,
    question: Annotated[int, Path(ge=0, le=100)],
) -> PlainTextResponse:
    """A ranked question's decrypted anonymous rankings as BLT, for a recount anywhere."""
    with work.read(election_id) as session:
        elections.load_visible(session, actor, election_id)
        text = exports.results_blt(tally.results(session, election_id), question)
    return PlainTextResponse(
        text,
        headers={"Content-Disposition": f'attachment; filename="{election_id}-question-{question + 1}.blt"'},
    )


@router.get(
    "/record",
    response_class=Response,
    responses={
        200: {
            "description": "the election record (docs/record.md): the board and every ballot it names",
            "content": {"application/json": {"schema": {"type": "object", "required": ["board"]}}},
        }
    },
)
def record(request: Request, election_id: str, actor: MaybeActor, work: Work) -> Response:
    """The whole public election record: the board plus every ballot it refers to."""
    # Read-only: a large export must not hold the database's write lock.
    with work.read(election_id) as session:
        elections.load_visible(session, actor, election_id)
        body = exports.record_json(session, election_id, request.app.state.receipt_signer)
    if actor is not None:
        with work() as session:
            audit.record(session, election_id, actor, "record.export", {"bytes": len(body)})
    return Response(
        body,
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{election_id}-record.json"'},
    )
