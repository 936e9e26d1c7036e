"""Voter API: status, credentials, casting, tracker look-up; and the public board.

The voter routes (status, credential, casting) also accept the vote-only session an invitation
link opens for this election (``voter_actor``); every other route treats it as anonymous."""

from __future__ import annotations

import hashlib

from fastapi import APIRouter, Query, Request

from app.api.deps import (
    optional_actor,
    optional_voter_actor,
    require_actor,
    unit_of_work,
    voter_actor,
)
from app.schemas.common import DB_INT_MAX
from app.schemas.voting import CastIn, CredentialIn, CredentialListIn
from app.services import board, casting, elections, eligibility, manifest
from app.services.casting import CastSignals

router = APIRouter(prefix="/api/v1/elections/{election_id}", tags=["voting"])
COOKIE_ID = "scrutin_browser"


def ensure_decision(request: Request, actor, election_id: str) -> None:  # type: ignore[no-untyped-def]
    """Live roll mode: evaluate the voter's eligibility at the first visit (wiki calls outside
    any transaction) and record it; later visits reuse the recorded decision."""
    with unit_of_work(request, readonly=True) as session:  # reads only: no write lock
        rules = eligibility.live_check_needed(session, election_id, actor.username)
    if rules is None:
        return
    decision, facts = eligibility.check(rules, request.app.state.facts_provider, actor.username)
    with unit_of_work(request) as session:
        eligibility.record_decision(session, election_id, actor.username, decision, facts)


@router.get("/me")
def my_status(request: Request, election_id: str) -> dict:
    actor = voter_actor(request, election_id)
    ensure_decision(request, actor, election_id)
    with unit_of_work(request) as session:
        return casting.my_status(session, actor, election_id)


@router.get("/definition")
def definition(request: Request, election_id: str) -> dict:
    """What a voting client needs: the manifest, its fingerprint and the election key."""
    with unit_of_work(request, readonly=True, election_id=election_id) as session:
        election = elections.load_visible(session, optional_voter_actor(request, election_id),
                                          election_id)
        current = manifest.current_definition(session, election.id)
        if current is None:
            return {"election": elections.view(session, election), "definition": None}
        return {"election": elections.view(session, election),
                "definition": {"version": current.version, "fingerprint": current.fingerprint,
                               "manifest": current.manifest}}


@router.post("/credential")
def register_credential(request: Request, election_id: str, body: CredentialIn) -> dict:
    actor = voter_actor(request, election_id)
    ensure_decision(request, actor, election_id)
    with unit_of_work(request) as session:
        return casting.register_credential(session, actor, election_id, body.public_key)


@router.post("/credentials")
def publish_credentials(request: Request, election_id: str, body: CredentialListIn) -> dict:
    actor = require_actor(request)
    with unit_of_work(request) as session:
        return casting.publish_credentials(session, actor, election_id, body.public_keys,
                                           body.authority_key, body.signature)


@router.post("/ballots", status_code=201)
def cast(request: Request, election_id: str, body: CastIn) -> dict:
    actor = voter_actor(request, election_id)
    ensure_decision(request, actor, election_id)
    cookie = request.cookies.get(COOKIE_ID)
    signals = CastSignals(
        ip=request.client.host if request.client else None,
        forwarded_for=request.headers.get("x-forwarded-for"),
        user_agent=request.headers.get("user-agent"),
        cookie_id=hashlib.sha256(cookie.encode()).hexdigest()[:32] if cookie else None,
    )
    # The cheap checks only read: no write lock (SQLite) while other casts store theirs; a
    # transition that fell due is applied first (catch_up), and store() re-checks everything.
    with unit_of_work(request, readonly=True, election_id=election_id) as session:
        plan = casting.prepare_cast(session, actor, election_id, body.ballot)
    verified = casting.verify(plan, body.ballot)
    with unit_of_work(request) as session:
        return casting.store(session, plan, body.ballot, verified,
                             request.app.state.receipt_signer, signals)


@router.get("/trackers/{tracker}")
def tracker(request: Request, election_id: str, tracker: str) -> dict:
    with unit_of_work(request, readonly=True, election_id=election_id) as session:
        return casting.lookup_tracker(session, election_id, tracker, optional_actor(request))


@router.get("/ballots/{tracker}")
def ballot(request: Request, election_id: str, tracker: str) -> dict:
    with unit_of_work(request, readonly=True, election_id=election_id) as session:
        elections.load_visible(session, optional_actor(request), election_id)
        return casting.ballot_payload(session, election_id, tracker)


@router.get("/board")
def board_page(request: Request, election_id: str,
               after: int = Query(0, ge=0, le=DB_INT_MAX),
               limit: int = Query(100, ge=1, le=1000),
               type: str | None = Query(None, max_length=48, pattern=r"^[a-z0-9_]+$")) -> dict:
    with unit_of_work(request, readonly=True, election_id=election_id) as session:
        election = elections.load_visible(session, optional_actor(request), election_id)
        events = board.page(session, election.id, after=after, limit=limit, event_type=type)
        return {"events": [board.to_json(e) for e in events],
                "head": board.head(session, election.id)}


@router.get("/board/head")
def board_head(request: Request, election_id: str) -> dict:
    with unit_of_work(request, readonly=True, election_id=election_id) as session:
        election = elections.load_visible(session, optional_actor(request), election_id)
        return board.head(session, election.id)


@router.get("/voted")
def who_voted(request: Request, election_id: str) -> dict:
    with unit_of_work(request, readonly=True, election_id=election_id) as session:
        return casting.who_voted(session, optional_actor(request), election_id)
