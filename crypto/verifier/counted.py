"""Check 7 (``counted``): the re-vote and strike rules (``crypto.tally.counted_ballots``, the
one definition the service uses too) give exactly the ``encrypted_tally``'s ``counted`` list;
every strike names a ballot cast before it. Without a tally the report says what would count.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..errors import InvalidTally
from ..tally import CastRecord, counted_ballots
from .common import STRUCK, UNSTRUCK, CheckResult, passed
from .phases import Phases
from .setup import Setups
from .shape import Board, Event


def counted_set(board: Board) -> tuple[CastRecord, ...]:
    return tuple(counted_ballots(board.raw))


@dataclass(frozen=True)
class Counted:
    ballots: tuple[CastRecord, ...]
    notes: tuple[str, ...] = ()


def check_counted(
    board: Board, phases: Phases, setups: Setups, counted: Sequence[CastRecord]
) -> tuple[Counted, CheckResult]:
    casts = {e.payload["tracker"]: e for e in phases.casts}
    for event in board.of_type(STRUCK, UNSTRUCK):
        for t in event.payload["trackers"]:
            if t not in casts or casts[t].seq > event.seq:
                raise InvalidTally(f"{event.where}: names ballot {t}, which was not cast before it")
    expected = [c.tracker for c in counted]
    credentials = {c.credential for c in counted}
    counts = {
        "cast": len(phases.casts),
        "counted": len(expected),
        "credentials": len(credentials),
        "not_counted": len(phases.casts) - len(counted),
    }
    if phases.tally is None:
        return (
            Counted(tuple(counted), (f"no tally yet: the board implies {len(expected)} counted ballots",)),
            passed(
                "counted",
                f"{len(expected)} ballots would count (last unstruck ballot "
                f"of each of {len(credentials)} credentials); no tally yet",
                **counts,
            ),
        )
    where, p = phases.tally.where, phases.tally.payload
    published: list[str] = p["counted"]
    if published != expected:
        _explain(board, where, published, expected, counted, casts)
    version = p["definition_version"]
    if version not in setups.by_version:
        raise InvalidTally(f"{where}: ballot definition version {version} was never set up")
    for c in counted:
        if c.definition_version not in setups.by_version or c.definition_version > version:
            raise InvalidTally(
                f"{where}: counts ballot {c.tracker} of definition version "
                f"{c.definition_version}, the tally is of version {version}"
            )
    return Counted(tuple(counted)), passed(
        "counted",
        f"{len(expected)} counted ballots (last unstruck ballot of each "
        "credential) = the encrypted tally's list",
        **counts,
    )


def _explain(
    board: Board,
    where: str,
    published: list[str],
    expected: list[str],
    counted: Sequence[CastRecord],
    casts: Mapping[str, Event],
) -> None:
    struck: dict[str, int] = {}
    for e in board.of_type(STRUCK, UNSTRUCK):
        for t in e.payload["trackers"]:
            if e.type == STRUCK:
                struck[t] = e.seq
            else:
                struck.pop(t, None)
    latest: dict[str, str] = {c.credential: c.tracker for c in counted}
    if len(set(published)) != len(published):
        dup = next(t for t in published if published.count(t) > 1)
        raise InvalidTally(f"{where}: counts ballot {dup} more than once")
    for t in published:
        if t in expected:
            continue
        if t not in casts:
            raise InvalidTally(f"{where}: counts ballot {t}, which was never cast")
        if t in struck:
            raise InvalidTally(
                f"{where}: counts ballot {t} (board event {casts[t].seq}), struck in board event {struck[t]}"
            )
        cred = casts[t].payload["credential"]
        later = latest.get(cred)
        later_seq = casts[later].seq if later is not None and later in casts else "?"
        raise InvalidTally(
            f"{where}: counts ballot {t} (board event {casts[t].seq}), "
            f"superseded by ballot {later} (board event {later_seq}) of the "
            "same credential"
        )
    for t in expected:
        if t not in published:
            raise InvalidTally(
                f"{where}: does not count ballot {t} (board event "
                f"{casts[t].seq}), the last unstruck ballot of its "
                "credential"
            )
    raise InvalidTally(f"{where}: the counted ballots are not in board order")
