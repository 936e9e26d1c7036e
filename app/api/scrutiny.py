"""Scrutineer and remediation API: voter list, PII (audited), signals, strikes, re-vote
invitations, candidate changes, scrutiny phase."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request

from admin_ui import i18n
from app.api.deps import require_actor, settings_of, unit_of_work
from app.schemas.scrutiny import CandidateChangeIn, RevoteIn, StrikeIn
from app.services import definitions, elections, notify, scrutiny, tally

router = APIRouter(prefix="/api/v1/elections/{election_id}", tags=["scrutiny"])


def _signal_params(request: Request) -> tuple[timedelta, int]:
    settings = settings_of(request)
    return timedelta(seconds=settings.burst_window_seconds), settings.burst_min_voters


def _notify(request: Request, election_id: str, usernames: list[str], *,
            reason_code: str | None = None, reason: str | None = None) -> None:
    """Queue the re-vote notice on every configured channel, then deliver after commit.
    ``reason_code``: a strike's code (the ballot could not be counted); ``reason``: the
    committee's words of a plain invitation. Never a strike's private text."""
    if not usernames:
        return
    channels = request.app.state.notify_channels
    base = settings_of(request).base_url.rstrip("/")
    with unit_of_work(request) as session:
        election = elections.load(session, election_id)
        titles = election.title or {election.default_language: election.id}
        versions = [(i18n.localized(titles, lang, election.default_language),
                     i18n.translations(lang).gettext)
                    for lang in notify.notice_languages(titles, election.default_language,
                                                        i18n.LANGUAGES)]
        subject, body = notify.revote_notice(versions, f"{base}/elections/{election_id}",
                                             reason_code=reason_code, reason=reason)
        scrutiny.queue_notices(session, election_id, usernames, [c.name for c in channels],
                               subject, body)
    notify.deliver_pending(request.app.state.sessions, channels, election_id)


@router.get("/scrutiny/voters")
def voters(request: Request, election_id: str, pii: bool = False) -> dict:
    actor = require_actor(request)
    with unit_of_work(request) as session:
        return scrutiny.voter_list(session, actor, election_id, with_pii=pii)


@router.get("/scrutiny/signals")
def signals(request: Request, election_id: str) -> dict:
    actor = require_actor(request)
    window, min_voters = _signal_params(request)
    with unit_of_work(request) as session:
        return scrutiny.signal_report(session, actor, election_id, window, min_voters)


def _strike(request: Request, election_id: str, body: StrikeIn, unstrike: bool) -> dict:
    actor = require_actor(request)
    window, min_voters = _signal_params(request)
    with unit_of_work(request) as session:
        result = scrutiny.strike(session, actor, election_id, body.selector(), body.reason_code,
                                 body.reason_text, unstrike=unstrike,
                                 invite_to_revote=body.invite_to_revote, window=window,
                                 min_voters=min_voters)
    _notify(request, election_id, result["invited"], reason_code=body.reason_code)
    return result


@router.post("/scrutiny/strike")
def strike(request: Request, election_id: str, body: StrikeIn) -> dict:
    return _strike(request, election_id, body, unstrike=False)


@router.post("/scrutiny/unstrike")
def unstrike(request: Request, election_id: str, body: StrikeIn) -> dict:
    return _strike(request, election_id, body, unstrike=True)


@router.post("/scrutiny/start")
def start_scrutiny(request: Request, election_id: str) -> dict:
    actor = require_actor(request)
    with unit_of_work(request) as session:
        return elections.view(session, scrutiny.start_scrutiny(session, actor, election_id))


@router.post("/scrutiny/seal")
def seal(request: Request, election_id: str) -> dict:
    """End scrutiny: no strike is possible any more and the tally starts."""
    actor = require_actor(request)
    with unit_of_work(request) as session:
        return tally.start(session, actor, election_id)


@router.post("/revote-invitations")
def invite(request: Request, election_id: str, body: RevoteIn) -> dict:
    actor = require_actor(request)
    with unit_of_work(request) as session:
        result = scrutiny.invite(session, actor, election_id, body.usernames, body.reason)
    _notify(request, election_id, result["invited"], reason=body.reason)  # for the voters
    return result


@router.get("/outbox")
def outbox(request: Request, election_id: str) -> dict:
    actor = require_actor(request)
    with unit_of_work(request) as session:
        return {"messages": scrutiny.outbox(session, actor, election_id)}


@router.post("/candidates/change")
def change_candidates(request: Request, election_id: str, body: CandidateChangeIn) -> dict:
    """Withdraw a candidate (``replacement`` empty) or swap in a new one: a new ballot version."""
    actor = require_actor(request)
    with unit_of_work(request) as session:
        result = definitions.change_candidates(
            session, actor, election_id, question=body.question, position=body.position,
            replacement=body.replacement, reason=body.reason, old_ballots=body.old_ballots,
            acknowledge_small_slots=body.acknowledge_small_slots)
    _notify(request, election_id, result["invited"], reason_code="candidate_change")
    return result
