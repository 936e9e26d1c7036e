"""Check 4 (``phases``): the lifecycle (``crypto.lifecycle``) and board time.

The lifecycle events follow each other (``from`` is the phase the board was in); board times
never go backwards; ballots are cast only while open and before the scheduled end, naming a
definition set up before them; no strike after the tally started; one encrypted tally, mixes
and decryption shares after it, at most one result. Returns where each tally-side event is
(``Phases``), which the later checks read."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from .. import ceremony, lifecycle, mixnet
from ..errors import InvalidRecord, InvalidTally
from .common import CAST, STRUCK, UNSTRUCK, CheckResult, as_time, passed
from .setup import Setups
from .shape import Board, Event

TALLY_EVENTS = frozenset({"encrypted_tally", mixnet.MIX, "decryption_share", "result"})
"""Their lifecycle refusals are ``InvalidTally`` (checked with their tally-order rules below)."""


@dataclass(frozen=True)
class Phases:
    stage: str
    """The last phase the board reached."""
    casts: tuple[Event, ...]
    tally: Event | None
    mixes: tuple[Event, ...]
    shares: tuple[Event, ...]
    result: Event | None


def check_phases(board: Board, setups: Setups) -> tuple[Phases, CheckResult]:
    phase = lifecycle.START
    strikes = 0
    casts: list[Event] = []
    mixes: list[Event] = []
    shares: list[Event] = []
    tally: Event | None = None
    result: Event | None = None
    previous_at: datetime | None = None
    end: datetime | None = None  # the scheduled end (exclusive), as the board says it
    for event in board.events:
        where, kind, p, at = event.where, event.type, event.payload, event.at
        if previous_at is not None and at < previous_at:
            raise InvalidRecord(
                f"{where}: its time {event.at_text} is before the previous "
                "event's: board times never go backwards"
            )
        previous_at = at
        refused = lifecycle.refusal(phase, kind)
        if refused is not None and kind in (STRUCK, UNSTRUCK):
            raise InvalidRecord(
                f"{where}: {refused}: strikes are allowed only while "
                "voting or scrutiny may still change the counted set"
            )
        if (
            refused is not None
            and kind in ceremony.CEREMONY_EVENTS
            and phase not in lifecycle.CEREMONY_PHASES
        ):
            raise InvalidRecord(
                f"{where}: a key-ceremony event while the election was "
                f"{phase}: an election has exactly one key"
            )
        if refused is not None and kind not in TALLY_EVENTS and kind != CAST:
            raise InvalidRecord(f"{where}: {refused}")
        schedule = (
            p.get("schedule")
            if kind == "ceremony_started"
            else (p if kind in ("schedule_changed", "extended") else None)
        )
        if isinstance(schedule, Mapping) and schedule.get("end_utc") is not None:
            end = as_time(schedule["end_utc"], f"{where}: end_utc")
        if kind in lifecycle.FROM_TO_EVENTS:
            expected = lifecycle.MOVES[kind][1]
            if p.get("from") != phase:
                raise InvalidRecord(
                    f"{where}: says the election went from "
                    f"{p.get('from')!r} to {p.get('to')!r}, but it was "
                    f"{phase}"
                )
            if p.get("to") != expected:
                raise InvalidRecord(f"{where}: a {kind} event cannot move to {p.get('to')!r}")
        if kind == "opened" and not setups.by_version:
            raise InvalidRecord(f"{where}: opened without an election_setup")
        if kind in lifecycle.MOVES and kind != "result":
            phase = lifecycle.after(phase, kind)
        elif kind == CAST:
            if refused is not None:
                raise InvalidRecord(
                    f"{where}: ballot {p['tracker']} cast while the "
                    f"election was {phase} (casting is allowed only while "
                    "open)"
                )
            if end is not None and at >= end:
                raise InvalidRecord(
                    f"{where}: ballot {p['tracker']} cast at "
                    f"{event.at_text}, not before the scheduled end "
                    f"{end.isoformat()} (the end is exclusive)"
                )
            definition = p["definition_version"]
            setup = setups.by_version.get(definition)
            if setup is None or setup.seq > event.seq:
                raise InvalidRecord(
                    f"{where}: ballot {p['tracker']} names ballot "
                    f"definition version {definition}, not set up before it"
                )
            casts.append(event)
        elif kind in (STRUCK, UNSTRUCK):
            strikes += 1
        elif kind == "encrypted_tally":
            if refused is not None or tally is not None:
                raise InvalidTally(
                    f"{where}: an encrypted tally while {phase}"
                    + (" (a second one)" if tally is not None else "")
                )
            tally = event
        elif kind == mixnet.MIX:
            if tally is None or refused is not None or shares:
                raise InvalidTally(
                    f"{where}: a mix "
                    + (
                        "before the encrypted tally"
                        if tally is None
                        else "after decryption began"
                        if shares
                        else f"while {phase}"
                    )
                )
            mixes.append(event)
        elif kind == "decryption_share":
            if tally is None or refused is not None:
                raise InvalidTally(
                    f"{where}: a decryption share "
                    + ("before the encrypted tally" if tally is None else f"while {phase}")
                )
            shares.append(event)
        elif kind == "result":
            if tally is None or refused is not None:
                raise InvalidTally(
                    f"{where}: a result "
                    + (
                        "before the encrypted tally"
                        if tally is None
                        else f"while {phase} (the tally is decrypted once)"
                    )
                )
            phase = lifecycle.after(phase, kind)
            result = event
    facts = Phases(phase, tuple(casts), tally, tuple(mixes), tuple(shares), result)
    return facts, passed("phases", f"stage reached: {phase}", ballots_cast=len(casts), strike_events=strikes)
