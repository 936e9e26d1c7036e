"""The private audit log's hash chain and its public anchors (docs/service.md, "Audit log").

One definition for the service (which appends and signs), the ``scrutin audit verify`` client
(which re-checks a log exported by the committee against the public board) and the record
verifier (which checks the anchors on the board).

Each scope (an election id, or ``instance``) is a chain: entry *n* hashes the previous entry's
hash with its own fields. The chain alone cannot show that its last entries were deleted, nor
that it was re-hashed from an edited entry on: so the server signs the head with its audit key
and publishes ``audit_head`` events (``{count, head, key, signature}``: never contents) on the
election's public board. A log whose entry ``count`` no longer hashes to an anchored head was
truncated or rewritten, whoever holds the database.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from nacl.exceptions import BadSignatureError
from nacl.exceptions import CryptoError as NaclCryptoError
from nacl.signing import SigningKey, VerifyKey

from . import chain
from .errors import InvalidRecord
from .hashing import canonical_json

GENESIS = chain.GENESIS
ENTRY_TAG = b"scrutin/audit/v1\x00"
HEAD_TAG = b"scrutin/audit-head/v1\x00"
AUDIT_HEAD = "audit_head"


def entry_hash(
    prev: str, scope: str, seq: int, at: str, actor: str, action: str, detail: Mapping[str, Any]
) -> str:
    """SHA-256 of one entry and its predecessor's hash (``at`` as ISO 8601 text): a link of
    the hash chain the board uses too (``crypto.chain``). ``detail`` is plain JSON (the
    service stores it so)."""
    return chain.link(
        ENTRY_TAG,
        prev,
        {"scope": scope, "seq": seq, "at": at, "actor": actor, "action": action, "detail": dict(detail)},
    )


def head_statement(scope: str, count: int, head: str) -> bytes:
    """What the audit key signs: the scope's entry count and the hash of its last entry."""
    return HEAD_TAG + canonical_json({"scope": scope, "count": count, "head": head})


def sign_head(seed: bytes, scope: str, count: int, head: str) -> dict[str, Any]:
    """An ``audit_head`` payload."""
    key = SigningKey(bytes(seed))
    return {
        "count": count,
        "head": head,
        "key": bytes(key.verify_key).hex(),
        "signature": bytes(key.sign(head_statement(scope, count, head)).signature).hex(),
    }


def verify_head(scope: str, payload: Mapping[str, Any]) -> None:
    """Raises ``InvalidRecord`` unless the payload is a well-formed head signed by its key."""
    count, head = payload.get("count"), payload.get("head")
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise InvalidRecord(f"audit head: count {count!r} is not a non-negative integer")
    if not isinstance(head, str) or len(head) != 64:
        raise InvalidRecord("audit head: head is not 64 hex digits")
    try:
        VerifyKey(bytes.fromhex(str(payload.get("key")))).verify(
            head_statement(scope, count, head), bytes.fromhex(str(payload.get("signature")))
        )
    except (ValueError, TypeError, BadSignatureError, NaclCryptoError):
        raise InvalidRecord("audit head: the signature does not verify under its audit key") from None


def check_anchors(scope: str, events: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The ``audit_head`` events of a board, checked: signed, one key, counts growing (a log
    only grows). Returns their payloads in board order; raises ``InvalidRecord``."""
    anchors: list[Mapping[str, Any]] = []
    for event in events:
        if event.get("type") != AUDIT_HEAD:
            continue
        where = f"board event {event.get('seq')} (audit_head)"
        p = event["payload"]
        try:
            verify_head(scope, p)
        except InvalidRecord as exc:
            raise InvalidRecord(f"{where}: {exc}") from None
        if anchors:
            last = anchors[-1]
            if p["key"] != last["key"]:
                raise InvalidRecord(f"{where}: signed by another audit key than the earlier heads")
            if p["count"] <= last["count"]:
                raise InvalidRecord(
                    f"{where}: count {p['count']} after {last['count']}: an audit log only grows"
                )
        anchors.append(p)
    return anchors


@dataclass
class LogReport:
    """What ``check_log`` found. ``problems``: (entry seq or 0, what is wrong), in log order;
    the entries that do check are still listed as valid."""

    scope: str
    entries: int = 0
    head: str = GENESIS
    valid: set[int] = field(default_factory=set)
    problems: list[tuple[int, str]] = field(default_factory=list)
    anchors_checked: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        return {
            "scope": self.scope,
            "ok": self.ok,
            "entries": self.entries,
            "head": self.head,
            "anchors_checked": self.anchors_checked,
            "problems": [{"seq": seq, "problem": text} for seq, text in self.problems],
        }


def check_log(
    scope: str, entries: Sequence[Mapping[str, Any]], anchors: Sequence[Mapping[str, Any]] = ()
) -> LogReport:
    """Check a scope's entries (``seq, at, actor, action, detail, prev, hash``) link by link,
    reporting each broken entry without giving up on the rest, then against the anchored
    heads (``count, head``, already signature-checked by ``check_anchors``)."""
    report = LogReport(scope, entries=len(entries))
    prev = GENESIS
    by_seq: dict[int, str] = {}
    for expected, entry, problem in chain.walk(
        entries,
        prev_key="prev",
        hash_key="hash",
        recompute=lambda before, n, e: entry_hash(
            before,
            scope,
            n,
            str(e.get("at")),
            str(e.get("actor")),
            str(e.get("action")),
            e.get("detail") or {},
        ),
    ):
        stored = str(entry.get("hash"))
        if problem == "seq":
            report.problems.append(
                (
                    expected,
                    f"entry {expected} is missing (found entry "
                    f"{entry.get('seq')} in its place): entries were deleted "
                    "or reordered",
                )
            )
        elif problem == "prev":
            report.problems.append(
                (
                    expected,
                    f"entry {expected} does not link to entry "
                    f"{expected - 1}: an entry before it was removed or "
                    "altered",
                )
            )
        elif problem == "hash":
            report.problems.append(
                (expected, f"entry {expected} was altered (its contents no longer match its hash)")
            )
        else:
            report.valid.add(expected)
        by_seq[expected] = stored
        prev = stored
    report.head = prev
    for anchor in anchors:
        count, head = int(anchor["count"]), str(anchor["head"])
        report.anchors_checked += 1
        if count > len(entries):
            report.problems.append(
                (
                    0,
                    f"the board anchored {count} entries with head "
                    f"{head[:16]}…; the log has {len(entries)}: entries were "
                    "deleted",
                )
            )
        elif count and by_seq.get(count) != head:
            report.problems.append(
                (count, f"entry {count} is not the one anchored on the board: the log was rewritten")
            )
    return report
