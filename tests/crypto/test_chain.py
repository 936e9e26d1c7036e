"""One hash chain (``crypto.chain``) under the board and the audit log, with the exact bytes the
records and logs already written use (the digests below were computed by the two separate
implementations this replaced)."""

from __future__ import annotations

import pytest

from crypto import chain
from crypto.auditlog import check_log, entry_hash
from crypto.board import GENESIS_HASH, event_hash, verify_chain
from crypto.errors import InvalidChain

OLD_AUDIT = "9ca587561965fb0423568aefe23f4de3a8c7a8b1e16747012530822b4c8c0edb"
OLD_BOARD = "31891e9a51a2f9cdaa0e5d416680040cc6e6ff6224018b6b498ba237f5c6e95c"


def test_the_digests_of_existing_logs_and_boards_are_unchanged() -> None:
    assert (
        entry_hash(
            GENESIS_HASH,
            "e-1",
            1,
            "2026-01-01T00:00:00+00:00",
            "Admin",
            "roles.view",
            {"rows": 3, "who": ["Zoë", "李"], "n": None, "ok": True},
        )
        == OLD_AUDIT
    )
    assert (
        event_hash(
            GENESIS_HASH,
            1,
            "2026-01-01T00:00:00.000000Z",
            "opened",
            {"from": "ready", "to": "open", "reason": "é"},
        )
        == OLD_BOARD
    )


def _board(n: int) -> list[dict]:
    events, prev = [], GENESIS_HASH
    for seq in range(1, n + 1):
        at = f"2026-01-01T00:00:0{seq}.000000Z"
        digest = event_hash(prev, seq, at, "revote_invited", {"count": seq})
        events.append(
            {
                "seq": seq,
                "at": at,
                "type": "revote_invited",
                "payload": {"count": seq},
                "prev_hash": prev,
                "hash": digest,
            }
        )
        prev = digest
    return events


def _log(n: int) -> list[dict]:
    entries, prev = [], GENESIS_HASH
    for seq in range(1, n + 1):
        at = f"2026-01-01T00:00:0{seq}+00:00"
        digest = entry_hash(prev, "e-1", seq, at, "Admin", "x", {"i": seq})
        entries.append(
            {
                "seq": seq,
                "at": at,
                "actor": "Admin",
                "action": "x",
                "detail": {"i": seq},
                "prev": prev,
                "hash": digest,
            }
        )
        prev = digest
    return entries


def test_both_chains_are_links_of_one_construction() -> None:
    board, log = _board(3), _log(3)
    assert verify_chain(board) == board[-1]["hash"]
    assert check_log("e-1", log).valid == {1, 2, 3}
    problems = [
        p
        for _, _, p in chain.walk(
            board,
            prev_key="prev_hash",
            hash_key="hash",
            recompute=lambda prev, n, e: event_hash(prev, n, e["at"], e["type"], e["payload"]),
        )
    ]
    assert problems == [None, None, None]


@pytest.mark.parametrize(
    "tamper, problem",
    [
        (lambda items: items.pop(1), "seq"),
        (lambda items: items[1].update(prev="f" * 64, prev_hash="f" * 64), "prev"),
        (lambda items: items[1].update(payload={"count": 99}, detail={"i": 99}), "hash"),
    ],
)
def test_each_chain_names_the_same_break(tamper, problem) -> None:
    board, log = _board(3), _log(3)
    tamper(board)
    tamper(log)
    message = {"seq": "found sequence number 3", "prev": "prev_hash does not link", "hash": "hash mismatch"}[
        problem
    ]
    with pytest.raises(InvalidChain, match=f"board event 2.*{message}"):
        verify_chain(board)
    report = check_log("e-1", log)
    assert report.problems and report.problems[0][0] == 2
    assert {"seq": "missing", "prev": "does not link", "hash": "altered"}[problem] in report.problems[0][1]


def test_a_link_cannot_smuggle_its_own_prev() -> None:
    with pytest.raises(ValueError):
        chain.link(b"t\x00", GENESIS_HASH, {"prev": "x"})
