"""Voter API: status, credentials, casting, tracker look-up; and the public board.

The voter routes (status, credential, casting) also accept the vote-only session an invitation
link opens for this election (``voter_actor``); every other route treats it as anonymous."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request

from app.api.deps import CurrentActor, MaybeActor, MaybeVoterActor, VoterActor, Work
from app.observability import BALLOT_VERIFY, BALLOTS_CAST
from app.schemas.common import DB_INT_MAX
from app.schemas.responses import (
    BoardHead,
    BoardPage,
    CastReceipt,
    CredentialRegistered,
    CredentialsPublished,
    DefinitionView,
    StoredBallot,
    TrackerFound,
    VoterStatus,
    WhoVoted,
)
from app.schemas.voting import CastIn, CredentialIn, CredentialListIn
from app.services import board, casting, elections, eligibility, manifest
from app.services.actor import Actor
from app.services.casting import CastSignals

router = APIRouter(prefix="/api/v1/elections/{election_id}", tags=["voting"])
COOKIE_ID = "scrutin_browser"


def _live_decision(request: Request, actor: Actor, election_id: str) -> None:
    eligibility.ensure_live_decision(
        request.app.state.sessions, request.app.state.facts_provider, election_id, actor.username
    )


@router.get("/me", response_model=VoterStatus)
def my_status(request: Request, election_id: str, actor: VoterActor, work: Work) -> dict[str, Any]:
    _live_decision(request, actor, election_id)
    with work.read(election_id) as session:
        return casting.my_status(session, actor, election_id)


@router.get("/definition", response_model=DefinitionView)
def definition(election_id: str, actor: MaybeVoterActor, work: Work) -> dict[str, Any]:
    """What a voting client needs: the manifest, its fingerprint and the election key."""
    with work.read(election_id) as session:
        election = elections.load_visible(session, actor, election_id)
        current = manifest.current_definition(session, election.id)
        if current is None:
            return {"election": elections.view(session, election), "definition": None}
        return {
            "election": elections.view(session, election),
            "definition": {
                "version": current.version,
                "fingerprint": current.fingerprint,
                "manifest": current.manifest,
            },
        }


@router.post("/credential", response_model=CredentialRegistered, response_model_exclude_unset=True)
def register_credential(
    request: Request, election_id: str, body: CredentialIn, actor: VoterActor, work: Work
) -> dict[str, Any]:
    _live_decision(request, actor, election_id)
    with work() as session:
        return casting.register_credential(session, actor, election_id, body.public_key)


@router.post("/credentials", response_model=CredentialsPublished)
def publish_credentials(
    election_id: str, body: CredentialListIn, actor: CurrentActor, work: Work
) -> dict[str, Any]:
    with work() as session:
        return casting.publish_credentials(
            session, actor, election_id, body.public_keys, body.authority_key, body.signature
        )


@router.post("/ballots", status_code=201, response_model=CastReceipt)
def cast(request: Request, election_id: str, body: CastIn, actor: VoterActor, work: Work) -> dict[str, Any]:
    _live_decision(request, actor, election_id)
    signals = CastSignals.observed(
        ip=request.client.host if request.client else None,
        forwarded_for=request.headers.get("x-forwarded-for"),
        user_agent=request.headers.get("user-agent"),
        browser_cookie=request.cookies.get(COOKIE_ID),
    )
    # The cheap checks only read: no write lock (SQLite) while other casts store theirs; a
    # transition that fell due is applied first (catch_up), and store() re-checks everything.
    with work.read(election_id) as session:
        plan = casting.prepare_cast(session, actor, election_id, body.ballot)
    with BALLOT_VERIFY.time():
        verified = casting.verify(plan, body.ballot)  # slow: outside any transaction
    with work() as session:
        receipt = casting.store(
            session, plan, body.ballot, verified, request.app.state.receipt_signer, signals
        )
    BALLOTS_CAST.inc()  # after the commit: a refused or rolled-back cast is not counted
    return receipt


@router.get("/trackers/{tracker}", response_model=TrackerFound)
def tracker(election_id: str, tracker: str, actor: MaybeActor, work: Work) -> dict[str, Any]:
    with work.read(election_id) as session:
        return casting.lookup_tracker(session, election_id, tracker, actor)


@router.get("/ballots/{tracker}", response_model=StoredBallot)
def ballot(election_id: str, tracker: str, actor: MaybeActor, work: Work) -> dict[str, Any]:
    with work.read(election_id) as session:
        elections.load_visible(session, actor, election_id)
        return casting.ballot_payload(session, election_id, tracker)


@router.get("/board", response_model=BoardPage)
def board_page(
    election_id: str,
    actor: MaybeActor,
    work: Work,
    after: int = Query(0, ge=0, le=DB_INT_MAX),
    limit: int = Query(100, ge=1, le=1000),
    type: str | None = Query(None, max_length=48, pattern=r"^[a-z0-9_]+$"),
) -> dict[str, Any]:
    with work.read(election_id) as session:
        election = elections.load_visible(session, actor, election_id)
        events = board.page(session, election.id, after=after, limit=limit, event_type=type)
        return {"events": [board.to_json(e) for e in events], "head": board.head(session, election.id)}


@router.get("/board/head", response_model=BoardHead)
def board_head(election_id: str, actor: MaybeActor, work: Work) -> dict[str, Any]:
    with work.read(election_id) as session:
        election = elections.load_visible(session, actor, election_id)
        return board.head(session, election.id)


@router.get("/voted", response_model=WhoVoted)
def who_voted(election_id: str, actor: MaybeActor, work: Work) -> dict[str, Any]:
    with work.read(election_id) as session:
        return casting.who_voted(session, actor, election_id)
