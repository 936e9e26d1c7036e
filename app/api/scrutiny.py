"""Scrutineer and remediation API: voter list, PII (audited), signals, strikes, re-vote
invitations, candidate changes, scrutiny phase."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request

from app.api.deps import CurrentActor, Notices, UnitOfWork, Work, settings_of
from app.schemas.responses import (
    CandidatesChanged,
    ElectionView,
    Outbox,
    RevoteInvited,
    SignalReport,
    StrikeDone,
    TallyView,
    VoterList,
)
from app.schemas.scrutiny import CandidateChangeIn, RevoteIn, StrikeIn
from app.services import definitions, elections, scrutiny, tally
from app.services.actor import Actor
from app.services.notify import RevoteNotices

router = APIRouter(prefix="/api/v1/elections/{election_id}", tags=["scrutiny"])


def _signal_params(request: Request) -> tuple[timedelta, int]:
    settings = settings_of(request)
    return timedelta(seconds=settings.burst_window_seconds), settings.burst_min_voters


@router.get("/scrutiny/voters", response_model=VoterList)
def voters(election_id: str, actor: CurrentActor, work: Work, pii: bool = False) -> dict:
    with work() as session:
        return scrutiny.voter_list(session, actor, election_id, with_pii=pii)


@router.get("/scrutiny/signals", response_model=SignalReport)
def signals(request: Request, election_id: str, actor: CurrentActor, work: Work) -> dict:
    window, min_voters = _signal_params(request)
    with work() as session:
        return scrutiny.signal_report(session, actor, election_id, window, min_voters)


def _strike(
    request: Request,
    work: UnitOfWork,
    notices: RevoteNotices,
    actor: Actor,
    election_id: str,
    body: StrikeIn,
    unstrike: bool,
) -> dict:
    window, min_voters = _signal_params(request)
    with work() as session:
        result = scrutiny.strike(
            session,
            actor,
            election_id,
            body.selector(),
            body.reason_code,
            body.reason_text,
            unstrike=unstrike,
            invite_to_revote=body.invite_to_revote,
            window=window,
            min_voters=min_voters,
        )
        notices.queue(session, election_id, result["invited"], reason_code=body.reason_code)
    notices.wake()
    return result


@router.post("/scrutiny/strike", response_model=StrikeDone)
def strike(
    request: Request, election_id: str, body: StrikeIn, actor: CurrentActor, work: Work, notices: Notices
) -> dict:
    return _strike(request, work, notices, actor, election_id, body, unstrike=False)


@router.post("/scrutiny/unstrike", response_model=StrikeDone)
def unstrike(
    request: Request, election_id: str, body: StrikeIn, actor: CurrentActor, work: Work, notices: Notices
) -> dict:
    return _strike(request, work, notices, actor, election_id, body, unstrike=True)


@router.post("/scrutiny/start", response_model=ElectionView)
def start_scrutiny(election_id: str, actor: CurrentActor, work: Work) -> dict:
    with work() as session:
        return elections.view(session, scrutiny.start_scrutiny(session, actor, election_id))


@router.post("/scrutiny/seal", response_model=TallyView, response_model_exclude_unset=True)
def seal(election_id: str, actor: CurrentActor, work: Work) -> dict:
    """End scrutiny: no strike is possible any more and the tally starts."""
    with work() as session:
        return tally.start(session, actor, election_id)


@router.post("/revote-invitations", response_model=RevoteInvited)
def invite(
    election_id: str,
    body: RevoteIn,
    actor: CurrentActor,
    work: Work,
    notices: Notices,
) -> dict:
    with work() as session:
        result = scrutiny.invite(session, actor, election_id, body.usernames, body.reason)
        notices.queue(session, election_id, result["invited"], reason=body.reason)
    notices.wake()
    return result


@router.get("/outbox", response_model=Outbox)
def outbox(election_id: str, actor: CurrentActor, work: Work) -> dict:
    with work() as session:
        return {"messages": scrutiny.outbox(session, actor, election_id)}


@router.post("/candidates/change", response_model=CandidatesChanged)
def change_candidates(
    election_id: str,
    body: CandidateChangeIn,
    actor: CurrentActor,
    work: Work,
    notices: Notices,
) -> dict:
    """Withdraw a candidate (``replacement`` empty) or swap in a new one: a new ballot version."""
    with work() as session:
        result = definitions.change_candidates(
            session,
            actor,
            election_id,
            question=body.question,
            position=body.position,
            replacement=body.replacement,
            reason=body.reason,
            old_ballots=body.old_ballots,
            acknowledge_small_slots=body.acknowledge_small_slots,
        )
        notices.queue(session, election_id, result["invited"], reason_code="candidate_change")
    notices.wake()
    return result
