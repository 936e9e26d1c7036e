"""Eligibility in the election: the rules document, roll modes, recorded decisions, and the
role policy. The rules engine and wiki access are in ``app.eligibility``; this module stores
what they decide.

Roll modes (``Election.roll_mode``):

* ``list`` — the explicit voter list is the roll.
* ``frozen`` — before voting opens, the committee evaluates the rules for a list of candidate
  voters; every decision (with the facts it used) is stored; nobody else can vote.
* ``live`` — a voter's first visit evaluates the rules; the decision and its facts are stored
  and reused, so the voter and the audit see the same reasons.

Wiki calls never run inside a database transaction: callers fetch first (``check``) and store
afterwards (``record_decision``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.db import transaction
from app.eligibility import (
    EligibilityUnavailable,
    FactsProvider,
    Rules,
    check_voter,
    compute_roll,
    parse_rules,
)
from app.errors import Conflict, InvalidInput, Unavailable
from app.models import Election, Voter
from app.models.base import utcnow
from app.services import audit, elections, lifecycle, phases, roll
from app.services.actor import Actor

ROLL_MODES = ("list", "frozen", "live")
RULE_PHASES = frozenset({phases.DRAFT, phases.KEY_CEREMONY, phases.READY})


def set_rules(
    session: Session, actor: Actor, election_id: str, rules: dict[str, Any] | None, roll_mode: str
) -> dict[str, Any]:
    election = lifecycle.load_current(session, election_id)
    elections.require_role(session, actor, election, "committee")
    phases.require_phase(election.phase, RULE_PHASES, "change the eligibility rules")
    if roll_mode not in ROLL_MODES:
        raise InvalidInput("invalid_roll_mode", f"roll_mode must be one of {ROLL_MODES}")
    if roll_mode != "list" and rules is None:
        raise InvalidInput("rules_required", f"roll mode {roll_mode!r} needs a rules document")
    parsed = parse_rules(rules) if rules is not None else None  # RulesError names the field
    election.eligibility_rules = parsed.to_json() if parsed else None
    election.roll_mode = roll_mode
    session.flush()
    audit.record(
        session,
        election.id,
        actor,
        "eligibility.rules",
        {
            "roll_mode": roll_mode,
            "rules": election.eligibility_rules,
            "fingerprint": parsed.fingerprint() if parsed else None,
        },
    )
    return {
        "roll_mode": roll_mode,
        "rules": election.eligibility_rules,
        "fingerprint": parsed.fingerprint() if parsed else None,
    }


def rules_view(session: Session, actor: Actor, election_id: str) -> dict[str, Any]:
    """The rules document and roll mode as stored, for the committee (the same answer as
    ``set_rules``)."""
    election = elections.load(session, election_id)
    elections.require_role(session, actor, election, "committee")
    parsed = rules_of(election)
    return {
        "roll_mode": election.roll_mode,
        "rules": election.eligibility_rules,
        "fingerprint": parsed.fingerprint() if parsed else None,
    }


def rules_of(election: Election) -> Rules | None:
    return parse_rules(election.eligibility_rules) if election.eligibility_rules else None


def require_provider(provider: FactsProvider | None) -> FactsProvider:
    if provider is None:
        raise Conflict(
            "no_wiki_configured", "this instance has no wiki API configured (SCRUTIN_WIKI_API_URL)"
        )
    return provider


def preview(session: Session, actor: Actor, election_id: str) -> Rules:
    """Checks the caller may preview the roll; returns the rules to evaluate (outside any
    transaction)."""
    election = elections.load(session, election_id)
    elections.require_role(session, actor, election, "committee")
    rules = rules_of(election)
    if rules is None:
        raise Conflict("no_rules", "this election has no eligibility rules")
    return rules


def evaluate_roll(rules: Rules, provider: FactsProvider, usernames: list[str]) -> list[Any]:
    return compute_roll(rules, provider, usernames)


def frozen_roll_target(session: Session, actor: Actor, election_id: str) -> tuple[Election, Rules]:
    """The election whose roll ``actor`` freezes, under its row lock, and its rules: refused
    unless the actor is on the committee, the phase allows it, the roll mode is ``frozen`` and
    there are rules (checked when a roll check is asked for and again when it is stored)."""
    election = lifecycle.load_current(session, election_id)
    elections.require_role(session, actor, election, "committee")
    phases.require_phase(election.phase, RULE_PHASES, "freeze the roll")
    if election.roll_mode != "frozen":
        raise Conflict("wrong_roll_mode", "this election's roll is not computed in advance")
    rules = rules_of(election)
    if rules is None:
        raise Conflict("no_rules", "this election has no eligibility rules")
    return election, rules


def freeze_roll(
    session: Session, actor: Actor, election_id: str, entries: list[Any], rules_fingerprint: str
) -> dict[str, Any]:
    """Store a computed roll (frozen mode). Refused if any user could not be checked: a roll
    with holes would silently exclude people."""
    election, rules = frozen_roll_target(session, actor, election_id)
    if rules.fingerprint() != rules_fingerprint:
        raise Conflict("rules_changed", "the rules changed while the roll was computed; retry")
    unchecked = [e.user for e in entries if e.error is not None]
    if unchecked:
        raise Unavailable(
            "eligibility_unavailable",
            f"{len(unchecked)} users could not be checked (e.g. {unchecked[0]}); "
            "retry before freezing the roll",
        )
    existing = {v.username: v for v in session.scalars(select(Voter).where(Voter.election_id == election.id))}
    now = utcnow()
    for entry in entries:
        snapshot = {
            "source": "frozen_roll",
            "decision": entry.decision.to_json(),
            "facts": entry.facts,
            "reasons": entry.reasons,
        }
        voter = existing.get(entry.decision.user)
        if voter is None:
            session.add(
                Voter(
                    election_id=election.id,
                    username=entry.decision.user,
                    eligible=bool(entry.eligible),
                    decision=snapshot,
                    added_at=now,
                )
            )
        else:
            voter.eligible, voter.decision = bool(entry.eligible), snapshot
    session.flush()
    eligible = sum(1 for e in entries if e.eligible)
    audit.record(
        session,
        election.id,
        actor,
        "roll.freeze",
        {"checked": len(entries), "eligible": eligible, "rules_fingerprint": rules_fingerprint},
    )
    roll.publish(session, election, "roll_changed")
    return {"checked": len(entries), "eligible": eligible}


def live_check_needed(session: Session, election_id: str, username: str) -> Rules | None:
    """The rules to evaluate for this voter now, or None (decided already, or not live)."""
    election = elections.load(session, election_id)
    if election.roll_mode != "live":
        return None
    if session.scalars(
        select(Voter).where(Voter.election_id == election.id, Voter.username == username)
    ).first():
        return None
    return rules_of(election)


def check(rules: Rules, provider: FactsProvider | None, username: str) -> tuple[Any, dict]:
    """Evaluate one voter against the wiki. Unavailable data is never a decision."""
    try:
        return check_voter(rules, require_provider(provider), username)
    except EligibilityUnavailable as exc:
        raise Unavailable(
            exc.code,
            f"eligibility could not be checked right now ({exc.detail}); please try again in a few minutes",
        ) from exc


def ensure_live_decision(
    sessions: sessionmaker[Session], provider: FactsProvider | None, election_id: str, username: str
) -> None:
    """Live roll mode: decide the voter's eligibility at the first visit and record it; later
    visits reuse the recorded decision. The wiki is asked outside any transaction (a slow wiki
    must not hold a database lock)."""
    with transaction(sessions, readonly=True) as session:
        rules = live_check_needed(session, election_id, username)
    if rules is None:
        return
    decision, facts = check(rules, provider, username)
    with transaction(sessions) as session:
        record_decision(session, election_id, username, decision, facts)


def record_decision(
    session: Session, election_id: str, username: str, decision: Any, facts: dict[str, Any]
) -> None:
    """Store a live decision once (a concurrent first visit may have stored it already)."""
    election = lifecycle.load_current(session, election_id)
    if session.scalars(
        select(Voter).where(Voter.election_id == election.id, Voter.username == username)
    ).first():
        return
    session.add(
        Voter(
            election_id=election.id,
            username=username,
            eligible=decision.eligible,
            decision={
                "source": "live_check",
                "decision": decision.to_json(),
                "facts": facts,
                "reasons": decision.reasons,
            },
            added_at=utcnow(),
        )
    )
    session.flush()
    audit.record(
        session,
        election.id,
        Actor(username=username),
        "eligibility.live_check",
        {"eligible": decision.eligible, "basis": decision.basis},
    )
