"""Key ceremony API: trustees join, commit, exchange sealed shares, verify or complain."""

from __future__ import annotations

from fastapi import APIRouter, Request

from app.api.deps import require_actor, unit_of_work
from app.schemas.ceremony import CommitmentsIn, JoinIn, SharesIn, VerifyIn
from app.schemas.voting import ReasonIn
from app.services import ceremony

router = APIRouter(prefix="/api/v1/elections/{election_id}/ceremony", tags=["ceremony"])


@router.get("")
def status(request: Request, election_id: str) -> dict:
    actor = require_actor(request)
    with unit_of_work(request, readonly=True, election_id=election_id) as session:
        return ceremony.status(session, actor, election_id)


@router.post("/join")
def join(request: Request, election_id: str, body: JoinIn) -> dict:
    actor = require_actor(request)
    with unit_of_work(request) as session:
        return ceremony.join(session, actor, election_id, body.encryption_key)


@router.post("/commitments")
def commitments(request: Request, election_id: str, body: CommitmentsIn) -> dict:
    actor = require_actor(request)
    with unit_of_work(request) as session:
        ceremony.publish_commitments(session, actor, election_id, body)
    return {"status": "committed"}


@router.post("/shares")
def post_shares(request: Request, election_id: str, body: SharesIn) -> dict:
    actor = require_actor(request)
    with unit_of_work(request) as session:
        ceremony.post_shares(session, actor, election_id, body)
    return {"status": "shared"}


@router.get("/shares")
def my_shares(request: Request, election_id: str) -> dict:
    actor = require_actor(request)
    with unit_of_work(request, readonly=True, election_id=election_id) as session:
        return ceremony.my_shares(session, actor, election_id)


@router.post("/verify")
def verify(request: Request, election_id: str, body: VerifyIn) -> dict:
    actor = require_actor(request)
    with unit_of_work(request) as session:
        return ceremony.verify(session, actor, election_id, body)


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
