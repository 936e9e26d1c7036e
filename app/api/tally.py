"""Tally and results API."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import PlainTextResponse, Response

from app.api.deps import optional_actor, require_actor, unit_of_work
from app.schemas.voting import MixIn, ShareIn
from app.services import audit, elections, exports, mixing, tally

router = APIRouter(prefix="/api/v1/elections/{election_id}", tags=["tally"])


@router.post("/tally/start")
def start(request: Request, election_id: str) -> dict:
    actor = require_actor(request)
    with unit_of_work(request) as session:
        return tally.start(session, actor, election_id)


@router.get("/tally")
def get_tally(request: Request, election_id: str) -> dict:
    with unit_of_work(request, readonly=True, election_id=election_id) as session:
        elections.load_visible(session, optional_actor(request), election_id)
        return tally.get(session, election_id)


@router.get("/tally/mix")
def get_mix(request: Request, election_id: str) -> dict:
    """The ranked questions' mix chains: who mixed, and the rows the next mixer takes."""
    with unit_of_work(request, readonly=True, election_id=election_id) as session:
        elections.load_visible(session, optional_actor(request), election_id)
        return mixing.view(session, election_id)


@router.post("/tally/mixes")
def submit_mix(request: Request, election_id: str, body: MixIn) -> dict:
    actor = require_actor(request)
    with unit_of_work(request) as session:
        return mixing.submit(session, actor, election_id, body.model_dump())


@router.post("/tally/shares")
def submit_share(request: Request, election_id: str, body: ShareIn) -> dict:
    actor = require_actor(request)
    with unit_of_work(request) as session:
        return tally.submit_share(session, actor, election_id, body.share, body.tally_hash,
                                  body.signature)


@router.get("/results")
def results(request: Request, election_id: str) -> dict:
    with unit_of_work(request, readonly=True, election_id=election_id) as session:
        elections.load_visible(session, optional_actor(request), election_id)
        return tally.results(session, election_id)


@router.get("/results.csv")
def results_csv(request: Request, election_id: str) -> Response:
    with unit_of_work(request, readonly=True, election_id=election_id) as session:
        elections.load_visible(session, optional_actor(request), election_id)
        text = exports.results_csv(tally.results(session, election_id))
    return Response(text, media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="{election_id}-results.csv"'})


@router.get("/results.wikitext")
def results_wikitext(request: Request, election_id: str) -> PlainTextResponse:
    with unit_of_work(request, readonly=True, election_id=election_id) as session:
        elections.load_visible(session, optional_actor(request), election_id)
        return PlainTextResponse(exports.results_wikitext(tally.results(session, election_id)))


@router.get("/results/{question}.blt")
def results_blt(request: Request, election_id: str,
                question: Annotated[int, Path(ge=0, le=100)]) -> PlainTextResponse:
    """A ranked question's decrypted anonymous rankings as BLT, for a recount anywhere."""
    with unit_of_work(request, readonly=True, election_id=election_id) as session:
        elections.load_visible(session, optional_actor(request), election_id)
        text = exports.results_blt(tally.results(session, election_id), question)
    return PlainTextResponse(text, headers={
        "Content-Disposition": f'attachment; filename="{election_id}-question-{question + 1}.blt"'})


@router.get("/record")
def record(request: Request, election_id: str) -> Response:
    """The whole public election record: the board plus every ballot it refers to."""
    actor = optional_actor(request)
    # Read-only: a large export must not hold the database's write lock.
    with unit_of_work(request, readonly=True, election_id=election_id) as session:
        elections.load_visible(session, actor, election_id)
        body = exports.record_json(session, election_id, request.app.state.receipt_signer)
    if actor is not None:
        with unit_of_work(request) as session:
            audit.record(session, election_id, actor, "record.export", {"bytes": len(body)})
    return Response(body, media_type="application/json", headers={
        "Content-Disposition": f'attachment; filename="{election_id}-record.json"'})
