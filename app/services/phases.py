"""The election lifecycle (DESIGN §6) and what each phase allows.

draft → key_ceremony → ready → open ⇄ paused → closed → scrutiny → tallying → published → archived
Only the committee moves an election, except open/close, which follow the schedule.
"""

from __future__ import annotations

from datetime import datetime

from app.errors import Conflict

DRAFT = "draft"
KEY_CEREMONY = "key_ceremony"
READY = "ready"
OPEN = "open"
PAUSED = "paused"
CLOSED = "closed"
SCRUTINY = "scrutiny"
TALLYING = "tallying"
PUBLISHED = "published"
ARCHIVED = "archived"

ALL_PHASES = (DRAFT, KEY_CEREMONY, READY, OPEN, PAUSED, CLOSED, SCRUTINY, TALLYING, PUBLISHED,
              ARCHIVED)

TRANSITIONS: dict[str, frozenset[str]] = {
    DRAFT: frozenset({KEY_CEREMONY}),
    KEY_CEREMONY: frozenset({READY, DRAFT}),
    READY: frozenset({OPEN}),
    OPEN: frozenset({PAUSED, CLOSED}),
    PAUSED: frozenset({OPEN, CLOSED}),
    CLOSED: frozenset({SCRUTINY, TALLYING}),
    SCRUTINY: frozenset({TALLYING}),
    TALLYING: frozenset({PUBLISHED}),
    PUBLISHED: frozenset({ARCHIVED}),
    ARCHIVED: frozenset(),
}

# What the committee may edit in each phase. Questions and candidates are bound into the
# election fingerprint when the ceremony completes, so they freeze with the ceremony.
EDITABLE: dict[str, frozenset[str]] = {
    DRAFT: frozenset({"title", "description", "default_language", "questions", "schedule",
                      "credential_mode", "threshold", "trustee_count", "voter_list_public",
                      "min_contributors", "roles", "roll"}),
    KEY_CEREMONY: frozenset({"title", "description", "schedule", "voter_list_public", "roles",
                             "roll"}),
    READY: frozenset({"title", "description", "schedule", "voter_list_public", "roles", "roll"}),
    OPEN: frozenset({"title", "description", "roles", "roll"}),
    PAUSED: frozenset({"title", "description", "roles", "roll"}),
}

CASTING_PHASES = frozenset({OPEN})


def require_phase(current: str, allowed: frozenset[str] | set[str] | tuple[str, ...],
                  action: str) -> None:
    if current not in allowed:
        raise Conflict(
            "wrong_phase",
            f"cannot {action} while the election is {current} "
            f"(allowed in: {', '.join(sorted(allowed))})",
        )


def require_transition(current: str, target: str) -> None:
    if target not in TRANSITIONS[current]:
        raise Conflict("wrong_phase", f"an election cannot go from {current} to {target}")


def require_editable(phase: str, field: str) -> None:
    if field not in EDITABLE.get(phase, frozenset()):
        raise Conflict("not_editable", f"{field} cannot be changed while the election is {phase}")


def scheduled_phase(phase: str, starts_at: datetime | None, ends_at: datetime | None,
                    now: datetime) -> list[str]:
    """The transitions the schedule makes due at ``now`` (the end is exclusive)."""
    steps: list[str] = []
    if phase == READY and starts_at is not None and now >= starts_at:
        steps.append(OPEN)
        phase = OPEN
    if phase in (OPEN, PAUSED) and ends_at is not None and now >= ends_at:
        steps.append(CLOSED)
    return steps
