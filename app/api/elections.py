"""Committee API: elections, roles, roll, phase actions, audit log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from app.api.deps import optional_actor, require_actor, settings_of, unit_of_work
from app.schemas.elections import (
    ElectionCreate,
    ElectionPatch,
    EligibilityIn,
    RoleIn,
    RolePolicyIn,
    RollIn,
    UsernamesIn,
)
from app.schemas.voting import ExtendIn, ReasonIn
from app.services import audit, elections, eligibility, lifecycle, schedule, wiki

router = APIRouter(prefix="/api/v1/elections", tags=["elections"])


@router.get("")
def list_elections(request: Request) -> list[dict]:
    actor = optional_actor(request)
    with unit_of_work(request) as session:
        return [elections.view(session, e) for e in elections.list_visible(session, actor)]


@router.post("", status_code=201)
def create_election(request: Request, body: ElectionCreate) -> dict:
    actor = require_actor(request)
    with unit_of_work(request) as session:
        return elections.view(session, elections.create(
            session, actor, body, max_ballot=settings_of(request).max_request_bytes))


@router.get("/{election_id}")
def get_election(request: Request, election_id: str) -> dict:
    actor = optional_actor(request)
    with unit_of_work(request, readonly=True, election_id=election_id) as session:
        election = elections.load_visible(session, actor, election_id)
        return elections.view(session, election)


@router.patch("/{election_id}")
def edit_election(request: Request, election_id: str, body: ElectionPatch) -> dict:
    actor = require_actor(request)
    with unit_of_work(request) as session:
        return elections.view(session, elections.update(
            session, actor, election_id, body, max_ballot=settings_of(request).max_request_bytes))


@router.post("/{election_id}/freeze")
def freeze(request: Request, election_id: str) -> dict:
    actor = require_actor(request)
    with unit_of_work(request) as session:
        return elections.view(session, elections.freeze(session, actor, election_id))


@router.get("/{election_id}/roles")
def roles(request: Request, election_id: str) -> list[dict]:
    actor = require_actor(request)
    with unit_of_work(request, readonly=True, election_id=election_id) as session:
        rows = elections.list_roles(session, actor, election_id)
    with unit_of_work(request) as session:  # who holds which role (and its flags) is sensitive
        audit.record(session, election_id, actor, "roles.view", {"rows": len(rows)})
    return rows


@router.post("/{election_id}/roles", status_code=201)
def add_role(request: Request, election_id: str, body: RoleIn) -> dict:
    actor = require_actor(request)
    with unit_of_work(request) as session:
        elections.assign_role(session, actor, election_id, body.username, body.role,
                              body.jurisdiction, body.flags)
    return {"username": body.username, "role": body.role}


@router.get("/{election_id}/role-policy")
def get_role_policy(request: Request, election_id: str) -> dict:
    actor = require_actor(request)
    with unit_of_work(request, readonly=True, election_id=election_id) as session:
        election = elections.load(session, election_id)
        elections.require_role(session, actor, election, "committee")
        return {"policy": election.role_policy}


@router.put("/{election_id}/role-policy")
def set_role_policy(request: Request, election_id: str, body: RolePolicyIn) -> dict:
    actor = require_actor(request)
    with unit_of_work(request) as session:
        return elections.set_role_policy(session, actor, election_id, body.policy)


@router.put("/{election_id}/eligibility")
def set_eligibility(request: Request, election_id: str, body: EligibilityIn) -> dict:
    """The rules document and the roll mode (list, frozen or live)."""
    actor = require_actor(request)
    with unit_of_work(request) as session:
        return eligibility.set_rules(session, actor, election_id, body.rules, body.roll_mode)


@router.post("/{election_id}/roll/preview")
def preview_roll(request: Request, election_id: str, body: UsernamesIn) -> list[dict]:
    """Who among these users would be eligible, and why (nothing is stored)."""
    actor = require_actor(request)
    with unit_of_work(request) as session:
        rules = eligibility.preview(session, actor, election_id)
    provider = eligibility.require_provider(request.app.state.facts_provider)
    # ``decision`` carries the machine-readable per-rule results, for pages that translate them.
    return [{**e.to_json(), "decision": e.decision.to_json() if e.decision else None,
             "error": e.error.code if e.error else None}
            for e in eligibility.evaluate_roll(rules, provider, body.usernames)]


@router.post("/{election_id}/roll/freeze")
def freeze_roll(request: Request, election_id: str, body: UsernamesIn) -> dict:
    """Frozen mode: evaluate the rules for these users now and store every decision."""
    actor = require_actor(request)
    with unit_of_work(request) as session:
        rules = eligibility.preview(session, actor, election_id)
    provider = eligibility.require_provider(request.app.state.facts_provider)
    entries = eligibility.evaluate_roll(rules, provider, body.usernames)
    with unit_of_work(request) as session:
        return eligibility.freeze_roll(session, actor, election_id, entries, rules.fingerprint())


@router.delete("/{election_id}/roles/{role}/{username}")
def delete_role(request: Request, election_id: str, role: str, username: str) -> dict:
    actor = require_actor(request)
    with unit_of_work(request) as session:
        elections.remove_role(session, actor, election_id, username, role)
    return {"removed": {"username": username, "role": role}}


@router.get("/{election_id}/roll")
def list_roll(request: Request, election_id: str,
              q: Annotated[str, Query(max_length=255)] = "",
              offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
              limit: Annotated[int, Query(ge=1, le=500)] = 50) -> dict:
    """The committee's roll view: who is on the roll and why, searched by name, paged."""
    actor = require_actor(request)
    with unit_of_work(request, readonly=True, election_id=election_id) as session:
        page = elections.list_roll(session, actor, election_id, q, offset, limit)
    with unit_of_work(request) as session:  # who is on the roll, and who is not, is sensitive
        audit.record(session, election_id, actor, "roll.view",
                     {"query": page["query"], "rows": len(page["voters"])})
    return page


@router.post("/{election_id}/roll")
def update_roll(request: Request, election_id: str, body: RollIn) -> dict:
    """Add, replace or remove voters: ``Name`` or ``Name@wiki`` entries, or a wiki page of
    them. Entries that cannot be resolved are listed in ``rejected`` (a replace with any of
    them, or a request with nothing resolvable, is refused and changes nothing)."""
    actor = require_actor(request)
    bot = request.app.state.wiki_bot
    with unit_of_work(request, readonly=True, election_id=election_id) as session:
        election = elections.load(session, election_id)
        elections.require_role(session, actor, election, "committee")
        rules_wiki = wiki.election_wiki(election)
    if body.page is not None:
        raw, source = wiki.read_roll_page(wiki.require_bot(bot, write=False), body.page)
    else:
        raw, source = list(body.usernames or ()), {}
    plan = wiki.plan_roll(raw, rules_wiki, bot, source, canonical_plain=body.page is not None)
    with unit_of_work(request) as session:
        return wiki.apply_roll(session, actor, election_id, plan, body.mode)


@router.post("/{election_id}/pause")
def pause(request: Request, election_id: str, body: ReasonIn) -> dict:
    return _phase_action(request, election_id, lambda s, a, e: lifecycle.pause(s, a, e, body.reason))


@router.post("/{election_id}/resume")
def resume(request: Request, election_id: str, body: ReasonIn) -> dict:
    return _phase_action(request, election_id,
                         lambda s, a, e: lifecycle.resume(s, a, e, body.reason))


@router.post("/{election_id}/close")
def close(request: Request, election_id: str, body: ReasonIn) -> dict:
    return _phase_action(request, election_id,
                         lambda s, a, e: lifecycle.close_early(s, a, e, body.reason))


@router.post("/{election_id}/extend")
def extend(request: Request, election_id: str, body: ExtendIn) -> dict:
    def run(session, actor, election):  # type: ignore[no-untyped-def]
        new_end = schedule.to_utc(body.end, body.timezone or election.timezone, "end")
        lifecycle.extend(session, actor, election, new_end, body.reason)
    return _phase_action(request, election_id, run)


@router.get("/{election_id}/audit")
def audit_log(request: Request, election_id: str) -> dict:
    actor = require_actor(request)
    with unit_of_work(request) as session:
        election = elections.load(session, election_id)
        elections.require_role(session, actor, election, "committee")
        # Reading the private log is itself a sensitive act: it is logged first, so the
        # answer shows it.
        audit.record(session, election.id, actor, "audit.read", {})
        session.flush()
        report = audit.verify(session, election.id)
        rows = [{**audit.to_json(e), "valid": e.seq in report.valid}
                for e in audit.entries(session, election.id)]
        return {"head": report.head, "verification": report.to_json(), "entries": rows}


@router.post("/{election_id}/audit/anchor")
def anchor_audit_log(request: Request, election_id: str) -> dict:
    """Publish the audit head on the public board now (the scheduler also does it)."""
    actor = require_actor(request)
    with unit_of_work(request) as session:
        election = elections.load(session, election_id, for_update=True)
        elections.require_role(session, actor, election, "committee")
        event = audit.anchor(session, election.id, request.app.state.audit_signer)
        count, digest = audit.head(session, election.id)
        return {"anchored": event is not None, "count": count, "head": digest,
                "board_seq": event.seq if event is not None else None}


def _phase_action(request: Request, election_id: str, action) -> dict:  # type: ignore[no-untyped-def]
    actor = require_actor(request)
    with unit_of_work(request) as session:
        election = elections.load(session, election_id, for_update=True)
        elections.require_role(session, actor, election, "committee")
        action(session, actor, election)
        return elections.view(session, election)

