"""The public bulletin board's hash chain (protocol.md, "Board").

Each event is hashed over its sequence number, timestamp, type, payload and the previous
event's hash, so that removing, reordering or editing any event changes every later hash.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import Any

from crypto.errors import InvalidChain
from crypto.hashing import canonical_json

GENESIS_HASH = "0" * 64
BOARD_TAG = b"scrutin/board/v1\x00"


def event_hash(prev_hash: str, seq: int, at: str, event_type: str, payload: Mapping[str, Any]) -> str:
    """H_event = SHA-256(tag ‖ canonical_json({prev, seq, at, type, payload})), lowercase hex."""
    body = canonical_json(
        {"prev": prev_hash, "seq": seq, "at": at, "type": event_type, "payload": dict(payload)}
    )
    return hashlib.sha256(BOARD_TAG + body).hexdigest()


def verify_chain(events: Iterable[Mapping[str, Any]]) -> str:
    """Check sequence numbers, links and hashes of a whole board; return the head hash.

    Raises InvalidChain naming the first event that does not fit.
    """
    prev = GENESIS_HASH
    expected_seq = 1
    for event in events:
        seq = event.get("seq")
        if seq != expected_seq:
            raise InvalidChain(f"board event {expected_seq}: found sequence number {seq!r}")
        if event.get("prev_hash") != prev:
            raise InvalidChain(f"board event {seq}: prev_hash does not link to event {seq - 1}")
        recomputed = event_hash(prev, seq, event["at"], event["type"], event["payload"])
        if event.get("hash") != recomputed:
            raise InvalidChain(f"board event {seq} ({event.get('type')}): hash mismatch")
        prev = recomputed
        expected_seq += 1
    return prev
