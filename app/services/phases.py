"""What each phase allows the service to do (DESIGN §6).

The lifecycle — phases, moves, which board events each phase permits — is ``crypto.lifecycle``
(shared with the record verifier); this module adds the service's own rules on top of it (what
the committee may edit) and turns a refusal into a 409. Only the committee moves an election,
except open/close, which follow the schedule.
"""

from __future__ import annotations

from datetime import datetime

from app.errors import Conflict
from crypto import lifecycle
from crypto.lifecycle import (  # noqa: F401 - the phase names, re-exported for the services
    CLOSED,
    DRAFT,
    KEY_CEREMONY,
    OPEN,
    PAUSED,
    PUBLISHED,
    READY,
    SCRUTINY,
    TALLYING,
)

ALL_PHASES = lifecycle.PHASES
TRANSITIONS = lifecycle.TRANSITIONS
"""The lifecycle itself is defined once, in ``crypto.lifecycle`` (the verifier's side)."""

# What the committee may edit in each phase. Questions and candidates are bound into the
# election fingerprint when the ceremony completes, so they freeze with the ceremony.
EDITABLE: dict[str, frozenset[str]] = {
    DRAFT: frozenset(
        {
            "title",
            "description",
            "default_language",
            "questions",
            "schedule",
            "credential_mode",
            "threshold",
            "trustee_count",
            "voter_list_public",
            "min_contributors",
            "roles",
            "roll",
        }
    ),
    KEY_CEREMONY: frozenset({"title", "description", "schedule", "voter_list_public", "roles", "roll"}),
    READY: frozenset({"title", "description", "schedule", "voter_list_public", "roles", "roll"}),
    OPEN: frozenset({"title", "description", "roles", "roll"}),
    PAUSED: frozenset({"title", "description", "roles", "roll"}),
}

CASTING_PHASES = lifecycle.PERMITTED["ballot_cast"]
STRIKE_PHASES = lifecycle.STRIKE_PHASES
TALLY_START_PHASES = lifecycle.MOVES["tally_started"][0]


def require_phase(current: str, allowed: frozenset[str] | set[str] | tuple[str, ...], action: str) -> None:
    if current not in allowed:
        raise Conflict(
            "wrong_phase",
            f"cannot {action} while the election is {current} (allowed in: {', '.join(sorted(allowed))})",
        )


def require_transition(current: str, target: str) -> None:
    if target not in TRANSITIONS[current]:
        raise Conflict("wrong_phase", f"an election cannot go from {current} to {target}")


def advance(current: str, event_type: str) -> str:
    """The phase after appending ``event_type`` while ``current`` (``crypto.lifecycle.after``);
    a refused event is a 409 and nothing changes."""
    reason = lifecycle.refusal(current, event_type)
    if reason is not None:
        raise Conflict("wrong_phase", f"cannot append {reason}")
    return lifecycle.after(current, event_type)


def require_editable(phase: str, field: str) -> None:
    if field not in EDITABLE.get(phase, frozenset()):
        raise Conflict("not_editable", f"{field} cannot be changed while the election is {phase}")


def scheduled_phase(
    phase: str, starts_at: datetime | None, ends_at: datetime | None, now: datetime
) -> list[str]:
    """The transitions the schedule makes due at ``now`` (the end is exclusive)."""
    steps: list[str] = []
    if phase == READY and starts_at is not None and now >= starts_at:
        steps.append(OPEN)
        phase = OPEN
    if phase in (OPEN, PAUSED) and ends_at is not None and now >= ends_at:
        steps.append(CLOSED)
    return steps
