"""The role policy of an election (who may hold which role), applied when roles are assigned
and again when the election freezes. The rules themselves are in app.eligibility.role_policy.

Document: ``{"roles": {role: {"required_flags": [...], "restricted_jurisdictions": [...],
"require_jurisdiction": bool}}, "trustees": {"max_per_jurisdiction": n, "undeclared":
"pool"|"refuse"|"ignore"}}``. Without a ``trustees`` entry the trustee-set check is off.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.eligibility.role_policy import (
    Person,
    RolePolicy,
    TrusteePolicy,
    check_assignment,
    check_trustee_set,
)
from app.errors import InvalidInput
from app.models import Election, RoleAssignment


def validate(policy: dict[str, Any]) -> None:
    """Raise InvalidInput naming the field for a malformed policy document."""
    for role, cfg in (policy.get("roles") or {}).items():
        RolePolicy.from_json(cfg, f"role_policy.roles.{role}")
    if policy.get("trustees") is not None:
        TrusteePolicy.from_json(policy["trustees"], "role_policy.trustees")
    unknown = set(policy) - {"roles", "trustees"}
    if unknown:
        raise InvalidInput("invalid_role_policy", f"role_policy.{sorted(unknown)[0]}: unknown field")


def trustee_set_allowed(session: Session, election: Election) -> None:
    """The final trustee set against the policy (checked again when the election freezes)."""
    policy = election.role_policy or {}
    if policy.get("trustees") is None:
        return
    trustees = [
        Person(r.username, r.jurisdiction, frozenset(r.flags or []))
        for r in session.scalars(
            select(RoleAssignment).where(
                RoleAssignment.election_id == election.id, RoleAssignment.role == "trustee"
            )
        )
    ]
    check_trustee_set(trustees, election.threshold, TrusteePolicy.from_json(policy["trustees"]))


def check_role(
    session: Session, election: Election, username: str, role: str, jurisdiction: str | None, flags: list[str]
) -> None:
    """Apply the election's role policy to a proposed assignment. A refusal raises
    ``RolePolicyViolation`` (409, naming each problem) and stores nothing; accepted
    assignments are audited by the caller with the declared jurisdiction and flags."""
    policy = election.role_policy or {}
    person = Person(username, jurisdiction, frozenset(flags))
    cfg = (policy.get("roles") or {}).get(role)
    if cfg is not None:
        check_assignment(person, role, RolePolicy.from_json(cfg))
    if role == "trustee" and policy.get("trustees") is not None:
        current = [
            Person(r.username, r.jurisdiction, frozenset(r.flags or []))
            for r in session.scalars(
                select(RoleAssignment).where(
                    RoleAssignment.election_id == election.id, RoleAssignment.role == "trustee"
                )
            )
        ]
        # The set is still growing: check the per-jurisdiction limit the final set will have
        # (explicit, so that a partial set below the threshold can be checked at all).
        trustee_policy = TrusteePolicy.from_json(policy["trustees"])
        limit = trustee_policy.max_per_jurisdiction or election.threshold - 1
        candidates = [*current, person]
        check_trustee_set(
            candidates,
            min(election.threshold, len(candidates)),
            replace(trustee_policy, max_per_jurisdiction=max(limit, 1)),
        )
