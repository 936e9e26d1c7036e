"""Which ballots count, their homomorphic sum, and the tally's decryption context
(protocol.md, "Tally"). Pure functions over the public board, shared by the server and the
record verifier, so both derive the counted set by the same rule.

Counted set: for each credential, the last ballot (in board order) that is not struck. Strikes
and unstrikes are board events (``ballot_struck`` / ``ballot_unstruck`` with ``trackers``);
re-casting supersedes, striking removes: if a voter's last ballot is struck, their previous
unstruck ballot counts again, exactly as if the struck one had never been cast.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .elgamal import Ciphertext, aggregate
from .errors import InvalidBallot

CAST, STRUCK, UNSTRUCK = "ballot_cast", "ballot_struck", "ballot_unstruck"


@dataclass(frozen=True)
class CastRecord:
    seq: int
    tracker: str
    credential: str
    definition_version: int


def counted_ballots(events: Iterable[Mapping[str, Any]]) -> list[CastRecord]:
    """Replay cast/strike/unstrike events; returns the counted ballots in board order."""
    by_credential: dict[str, list[CastRecord]] = {}
    struck: set[str] = set()
    for event in events:
        kind, payload = event["type"], event["payload"]
        if kind == CAST:
            record = CastRecord(int(event["seq"]), str(payload["tracker"]),
                                str(payload["credential"]), int(payload["definition_version"]))
            by_credential.setdefault(record.credential, []).append(record)
        elif kind == STRUCK:
            struck.update(payload["trackers"])
        elif kind == UNSTRUCK:
            struck.difference_update(payload["trackers"])
    counted = []
    for records in by_credential.values():
        live = [r for r in records if r.tracker not in struck]
        if live:
            counted.append(live[-1])
    return sorted(counted, key=lambda r: r.seq)


def ballot_ciphertexts(ballot: Mapping[str, Any]) -> list[list[Ciphertext]]:
    """The tally slots of a ballot (already verified), question by question."""
    try:
        return [[Ciphertext.from_json(c) for c in answer["ciphertexts"]]
                for answer in ballot["answers"]]
    except (KeyError, TypeError) as exc:
        raise InvalidBallot(f"ballot without ciphertexts: {exc}") from None


def sum_ballots(ballots: Sequence[Sequence[Sequence[Ciphertext]]],
                layout: Sequence[int]) -> list[Ciphertext]:
    """Slot-wise homomorphic sums, flattened question by question."""
    flat: list[Ciphertext] = []
    for q, width in enumerate(layout):
        for slot in range(width):
            flat.append(aggregate(b[q][slot] for b in ballots))
    return flat


def decryption_context(election_id: str, fingerprint: str) -> bytes:
    """Binds decryption shares to this election's one tally."""
    return f"scrutin/tally/v1/{election_id}/{fingerprint}".encode()


def split_totals(flat: Sequence[int], layout: Sequence[int]) -> list[list[int]]:
    out, i = [], 0
    for width in layout:
        out.append(list(flat[i:i + width]))
        i += width
    return out
