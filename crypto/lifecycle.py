"""The election lifecycle, once: the phases, the board events that move an election from one
phase to the next, and the phases in which each other event may be appended.

The service (``app.services.phases`` and the services that append to the board) and the record
verifier (``crypto.record``, check ``phases``) both read these tables, so what the service lets
happen and what the verifier accepts cannot drift apart (docs/protocol.md, "Lifecycle")::

    draft → key_ceremony → ready → open ⇄ paused → closed → scrutiny → tallying → published
             ↘ draft (returned_to_draft)               closed → tallying (no scrutiny)

Pure: no I/O, no clock, no service import.
"""

from __future__ import annotations

from collections.abc import Mapping

from . import ceremony, events

DRAFT = "draft"
KEY_CEREMONY = "key_ceremony"
READY = "ready"
OPEN = "open"
PAUSED = "paused"
CLOSED = "closed"
SCRUTINY = "scrutiny"
TALLYING = "tallying"
PUBLISHED = "published"

PHASES: tuple[str, ...] = (DRAFT, KEY_CEREMONY, READY, OPEN, PAUSED, CLOSED, SCRUTINY, TALLYING, PUBLISHED)
"""Every phase, in lifecycle order; an election starts in ``draft``."""

START = DRAFT

MOVES: Mapping[str, tuple[frozenset[str], str]] = {
    events.CEREMONY_STARTED: (frozenset({DRAFT}), KEY_CEREMONY),
    events.RETURNED_TO_DRAFT: (frozenset({KEY_CEREMONY}), DRAFT),
    events.ELECTION_SETUP: (frozenset({KEY_CEREMONY}), READY),
    events.OPENED: (frozenset({READY}), OPEN),
    events.PAUSED: (frozenset({OPEN}), PAUSED),
    events.RESUMED: (frozenset({PAUSED}), OPEN),
    events.CLOSED: (frozenset({OPEN, PAUSED}), CLOSED),
    events.SCRUTINY_STARTED: (frozenset({CLOSED}), SCRUTINY),
    events.TALLY_STARTED: (frozenset({CLOSED, SCRUTINY}), TALLYING),
    events.RESULT: (frozenset({TALLYING}), PUBLISHED),
}
"""event type → (the phases it may follow, the phase it moves to). These events, and only
these, change the phase."""

FROM_TO_EVENTS = frozenset(
    {
        events.OPENED,
        events.PAUSED,
        events.RESUMED,
        events.CLOSED,
        events.SCRUTINY_STARTED,
        events.TALLY_STARTED,
    }
)
"""Moves whose payload names them: ``{"from": <phase before>, "to": <phase after>, …}``."""

CEREMONY_PHASES = frozenset({DRAFT, KEY_CEREMONY})
STRIKE_PHASES = frozenset({OPEN, PAUSED, CLOSED, SCRUTINY})

PERMITTED: Mapping[str, frozenset[str]] = {
    events.BALLOT_CAST: frozenset({OPEN}),
    events.BALLOT_STRUCK: STRIKE_PHASES,
    events.BALLOT_UNSTRUCK: STRIKE_PHASES,
    **{
        kind: CEREMONY_PHASES
        for kind in sorted(ceremony.CEREMONY_EVENTS)
        if kind not in (events.CEREMONY_STARTED, events.RETURNED_TO_DRAFT, events.ELECTION_SETUP)
    },
    events.ENCRYPTED_TALLY: frozenset({TALLYING}),
    events.MIX: frozenset({TALLYING}),
    events.DECRYPTION_SHARE: frozenset({TALLYING}),
}
"""event type → the phases in which it may be appended, for events that do not move the
phase. An event in neither table may be appended in any phase."""

TRANSITIONS: Mapping[str, frozenset[str]] = {
    phase: frozenset(to for froms, to in MOVES.values() if phase in froms) for phase in PHASES
}
"""phase → the phases one event can move it to (derived from ``MOVES``)."""


def move_event(current: str, target: str) -> str:
    """The event that moves an election from ``current`` to ``target`` (``ValueError`` if none
    does)."""
    for event, (froms, to) in MOVES.items():
        if to == target and current in froms:
            return event
    raise ValueError(f"an election cannot go from {current} to {target}")


def refusal(phase: str, event_type: str) -> str | None:
    """Why ``event_type`` may not be appended while the election is ``phase``, or None if it
    may."""
    if event_type in MOVES:
        froms, to = MOVES[event_type]
        if phase not in froms:
            return (
                f"a {event_type} event while the election was {phase} (it moves an election "
                f"from {' or '.join(sorted(froms))} to {to})"
            )
        return None
    allowed = PERMITTED.get(event_type)
    if allowed is not None and phase not in allowed:
        return (
            f"{event_type} while the election was {phase} (allowed only while {' or '.join(sorted(allowed))})"
        )
    return None


def after(phase: str, event_type: str) -> str:
    """The phase once ``event_type`` is appended while the election is ``phase`` (``ValueError``
    with :func:`refusal`'s reason if the lifecycle does not permit it)."""
    reason = refusal(phase, event_type)
    if reason is not None:
        raise ValueError(reason)
    return MOVES[event_type][1] if event_type in MOVES else phase


def replay(event_types: list[str] | tuple[str, ...]) -> str:
    """The phase a board with these event types (in order) leaves the election in."""
    phase = START
    for event_type in event_types:
        phase = after(phase, event_type)
    return phase
