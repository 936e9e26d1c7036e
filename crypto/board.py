"""The public bulletin board's hash chain (protocol.md, "Board").

Each event is hashed over its sequence number, timestamp, type, payload and the previous
event's hash, so that removing, reordering or editing any event changes every later hash.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from crypto import chain
from crypto.errors import InvalidChain

GENESIS_HASH = chain.GENESIS
BOARD_TAG = b"scrutin/board/v1\x00"


def event_hash(prev_hash: str, seq: int, at: str, event_type: str, payload: Mapping[str, Any]) -> str:
    """H_event = SHA-256(tag ‖ canonical_json({prev, seq, at, type, payload})), lowercase hex."""
    return chain.link(
        BOARD_TAG, prev_hash, {"seq": seq, "at": at, "type": event_type, "payload": dict(payload)}
    )


def verify_chain(events: Iterable[Mapping[str, Any]]) -> str:
    """Check sequence numbers, links and hashes of a whole board; return the head hash.

    Raises InvalidChain naming the first event that does not fit.
    """
    head = GENESIS_HASH
    for seq, event, problem in chain.walk(
        events,
        prev_key="prev_hash",
        hash_key="hash",
        recompute=lambda prev, n, e: event_hash(prev, n, e["at"], e["type"], e["payload"]),
    ):
        if problem == "seq":
            raise InvalidChain(f"board event {seq}: found sequence number {event.get('seq')!r}")
        if problem == "prev":
            raise InvalidChain(f"board event {seq}: prev_hash does not link to event {seq - 1}")
        if problem == "hash":
            raise InvalidChain(f"board event {seq} ({event.get('type')}): hash mismatch")
        head = str(event["hash"])
    return head
