"""Committee API: elections, roles, roll, phase actions, audit log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from app.api.deps import CurrentActor, MaybeActor, RequestSettings, Work
from app.schemas.common import DbInt
from app.schemas.elections import (
    ElectionCreate,
    ElectionPatch,
    EligibilityIn,
    RoleIn,
    RolePolicyIn,
    RollIn,
    UsernamesIn,
)
from app.schemas.responses import (
    AuditAnchored,
    AuditLog,
    ElectionView,
    EligibilitySet,
    RoleAdded,
    RolePolicy,
    RolePolicySet,
    RoleRemoved,
    RoleView,
    RollChecks,
    RollCheckView,
    RollPage,
    RollPreviewEntry,
    RollUpdated,
)
from app.schemas.voting import ExtendIn, ReasonIn
from app.services import audit, elections, eligibility, lifecycle, roll_checks, wiki

router = APIRouter(prefix="/api/v1/elections", tags=["elections"])


@router.get("", response_model=list[ElectionView])
def list_elections(actor: MaybeActor, work: Work) -> list[dict]:
    with work() as session:
        return [elections.view(session, e) for e in elections.list_visible(session, actor)]


@router.post("", status_code=201, response_model=ElectionView)
def create_election(
    body: ElectionCreate,
    actor: CurrentActor,
    work: Work,
    settings: RequestSettings,
) -> dict:
    with work() as session:
        return elections.view(
            session, elections.create(session, actor, body, max_ballot=settings.max_request_bytes)
        )


@router.get("/{election_id}", response_model=ElectionView)
def get_election(election_id: str, actor: MaybeActor, work: Work) -> dict:
    with work.read(election_id) as session:
        election = elections.load_visible(session, actor, election_id)
        return elections.view(session, election)


@router.patch("/{election_id}", response_model=ElectionView)
def edit_election(
    election_id: str,
    body: ElectionPatch,
    actor: CurrentActor,
    work: Work,
    settings: RequestSettings,
) -> dict:
    with work() as session:
        return elections.view(
            session,
            elections.update(session, actor, election_id, body, max_ballot=settings.max_request_bytes),
        )


@router.post("/{election_id}/freeze", response_model=ElectionView)
def freeze(election_id: str, actor: CurrentActor, work: Work) -> dict:
    with work() as session:
        return elections.view(session, elections.freeze(session, actor, election_id))


@router.get("/{election_id}/roles", response_model=list[RoleView])
def roles(election_id: str, actor: CurrentActor, work: Work) -> list[dict]:
    with work.read(election_id) as session:
        rows = elections.list_roles(session, actor, election_id)
    with work() as session:  # who holds which role (and its flags) is sensitive
        audit.record(session, election_id, actor, "roles.view", {"rows": len(rows)})
    return rows


@router.post("/{election_id}/roles", status_code=201, response_model=RoleAdded)
def add_role(election_id: str, body: RoleIn, actor: CurrentActor, work: Work) -> dict:
    with work() as session:
        elections.assign_role(
            session, actor, election_id, body.username, body.role, body.jurisdiction, body.flags
        )
    return {"username": body.username, "role": body.role}


@router.get("/{election_id}/role-policy", response_model=RolePolicy)
def get_role_policy(election_id: str, actor: CurrentActor, work: Work) -> dict:
    with work.read(election_id) as session:
        return elections.role_policy_view(session, actor, election_id)


@router.put("/{election_id}/role-policy", response_model=RolePolicySet)
def set_role_policy(election_id: str, body: RolePolicyIn, actor: CurrentActor, work: Work) -> dict:
    with work() as session:
        return elections.set_role_policy(session, actor, election_id, body.policy)


@router.get("/{election_id}/eligibility", response_model=EligibilitySet)
def get_eligibility(election_id: str, actor: CurrentActor, work: Work) -> dict:
    """The rules document and the roll mode as stored (committee only)."""
    with work.read(election_id) as session:
        return eligibility.rules_view(session, actor, election_id)


@router.put("/{election_id}/eligibility", response_model=EligibilitySet)
def set_eligibility(
    election_id: str,
    body: EligibilityIn,
    actor: CurrentActor,
    work: Work,
) -> dict:
    """The rules document and the roll mode (list, frozen or live)."""
    with work() as session:
        return eligibility.set_rules(session, actor, election_id, body.rules, body.roll_mode)


@router.post("/{election_id}/roll/preview", response_model=list[RollPreviewEntry])
def preview_roll(
    request: Request,
    election_id: str,
    body: UsernamesIn,
    actor: CurrentActor,
    work: Work,
) -> list[dict]:
    """Who among these users would be eligible, and why (nothing is stored)."""
    with work() as session:
        rules = eligibility.preview(session, actor, election_id)
    provider = eligibility.require_provider(request.app.state.facts_provider)
    # ``decision`` carries the machine-readable per-rule results, for pages that translate them.
    return [
        {
            **e.to_json(),
            "decision": e.decision.to_json() if e.decision else None,
            "error": e.error.code if e.error else None,
        }
        for e in eligibility.evaluate_roll(rules, provider, body.usernames)
    ]


@router.post("/{election_id}/roll/freeze", response_model=RollCheckView, status_code=202)
def freeze_roll(
    request: Request,
    election_id: str,
    body: UsernamesIn,
    actor: CurrentActor,
    work: Work,
) -> dict:
    """Frozen mode: check these users against the wiki and store every decision — queued,
    done by a worker off the request path (202; follow it at ``roll/checks/{id}``)."""
    with work() as session:
        queued = roll_checks.request(
            session, actor, election_id, body.usernames, request.app.state.facts_provider
        )
    request.app.state.scheduler.wake_roll_checks()
    return queued


@router.get("/{election_id}/roll/checks", response_model=RollChecks)
def roll_check_list(
    election_id: str, actor: CurrentActor, work: Work, limit: Annotated[int, Query(ge=1, le=100)] = 10
) -> dict:
    """The election's roll checks, the most recent first."""
    with work.read(election_id) as session:
        return {"checks": roll_checks.recent(session, actor, election_id, limit)}


@router.get("/{election_id}/roll/checks/{check_id}", response_model=RollCheckView)
def roll_check(election_id: str, check_id: DbInt, actor: CurrentActor, work: Work) -> dict:
    with work.read(election_id) as session:
        return roll_checks.get(session, actor, election_id, check_id)


@router.delete("/{election_id}/roles/{role}/{username}", response_model=RoleRemoved)
def delete_role(
    election_id: str,
    role: str,
    username: str,
    actor: CurrentActor,
    work: Work,
) -> dict:
    with work() as session:
        elections.remove_role(session, actor, election_id, username, role)
    return {"removed": {"username": username, "role": role}}


@router.get("/{election_id}/roll", response_model=RollPage)
def list_roll(
    election_id: str,
    actor: CurrentActor,
    work: Work,
    q: Annotated[str, Query(max_length=255)] = "",
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> dict:
    """The committee's roll view: who is on the roll and why, searched by name, paged."""
    with work.read(election_id) as session:
        page = elections.list_roll(session, actor, election_id, q, offset, limit)
    with work() as session:  # who is on the roll, and who is not, is sensitive
        audit.record(
            session, election_id, actor, "roll.view", {"query": page["query"], "rows": len(page["voters"])}
        )
    return page


@router.post("/{election_id}/roll", response_model=RollUpdated)
def update_roll(
    request: Request,
    election_id: str,
    body: RollIn,
    actor: CurrentActor,
    work: Work,
) -> dict:
    """Add, replace or remove voters: ``Name`` or ``Name@wiki`` entries, or a wiki page of
    them. Entries that cannot be resolved are listed in ``rejected`` (a replace with any of
    them, or a request with nothing resolvable, is refused and changes nothing)."""
    bot = request.app.state.wiki_bot
    with work.read(election_id) as session:
        rules_wiki = wiki.election_wiki(wiki.require_committee(session, actor, election_id))
    if body.page is not None:
        raw, source = wiki.read_roll_page(wiki.require_bot(bot, write=False), body.page)
    else:
        raw, source = list(body.usernames or ()), {}
    plan = wiki.plan_roll(raw, rules_wiki, bot, source, canonical_plain=body.page is not None)
    with work() as session:
        return wiki.apply_roll(session, actor, election_id, plan, body.mode)


@router.post("/{election_id}/pause", response_model=ElectionView)
def pause(election_id: str, body: ReasonIn, actor: CurrentActor, work: Work) -> dict:
    with work() as session:
        return elections.view(session, lifecycle.pause(session, actor, election_id, body.reason))


@router.post("/{election_id}/resume", response_model=ElectionView)
def resume(election_id: str, body: ReasonIn, actor: CurrentActor, work: Work) -> dict:
    with work() as session:
        return elections.view(session, lifecycle.resume(session, actor, election_id, body.reason))


@router.post("/{election_id}/close", response_model=ElectionView)
def close(election_id: str, body: ReasonIn, actor: CurrentActor, work: Work) -> dict:
    with work() as session:
        return elections.view(session, lifecycle.close_early(session, actor, election_id, body.reason))


@router.post("/{election_id}/extend", response_model=ElectionView)
def extend(election_id: str, body: ExtendIn, actor: CurrentActor, work: Work) -> dict:
    with work() as session:
        return elections.view(
            session, lifecycle.extend(session, actor, election_id, body.end, body.timezone, body.reason)
        )


@router.get("/{election_id}/audit", response_model=AuditLog)
def audit_log(election_id: str, actor: CurrentActor, work: Work) -> dict:
    with work() as session:
        return audit.committee_view(session, actor, election_id)


@router.post("/{election_id}/audit/anchor", response_model=AuditAnchored)
def anchor_audit_log(request: Request, election_id: str, actor: CurrentActor, work: Work) -> dict:
    """Publish the audit head on the public board now (the scheduler also does it)."""
    with work() as session:
        return audit.anchor_now(session, actor, election_id, request.app.state.audit_signer)
