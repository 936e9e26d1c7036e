"""What every check of the record verifier shares: the check catalogue, the report's
``CheckResult``, the error for a bug in the verifier itself, and the typed readers that turn a
JSON value into an ``int``/``str``/list/object or raise ``InvalidRecord`` naming its path.

Pure: no state. A check never catches ``KeyError``/``TypeError``/``ValueError`` to turn it into
a verdict: the record's shape is validated first (``crypto.verifier.shape``), so such an
exception inside a check is a bug and surfaces as :class:`VerifierBug`."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..errors import CryptoError, InvalidRecord

RECORD_FORMAT = "scrutin-record"
RECORD_VERSIONS = (1,)

Progress = Callable[[str, int, int], None]
"""``progress(check, done, total)``: called as checks run (ballots: after every chunk)."""

CHECKS: tuple[tuple[str, str], ...] = (
    ("record", "record format and version"),
    ("chain", "hash chain of the public board; every event catalogued (crypto.events)"),
    ("setup", "key ceremony commitments, election key and fingerprint"),
    ("phases", "lifecycle: ballots only while open, tally after closing"),
    ("audit_anchors", "audit-log heads on the board: signed by one audit key, only growing"),
    (
        "credentials",
        "every ballot's credential registered or published before it; no more "
        "credentials used than the roll has voters; the authority's signed list",
    ),
    ("ballots", "every ballot's tracker, credential, proofs and signature"),
    ("counted", "counted set from the re-vote and strike rules"),
    ("aggregate", "encrypted tally = homomorphic sum of the counted ballots"),
    (
        "mixes",
        "ranked answers: each mix's input is the counted set or the previous output, "
        "signed by a different trustee, with a valid shuffle proof",
    ),
    ("decryption_shares", "every trustee's decryption share and its proofs"),
    ("totals", "published totals are the threshold decryption of the tally"),
    ("result", "result arithmetic and pass rules"),
)

CAST, STRUCK, UNSTRUCK = "ballot_cast", "ballot_struck", "ballot_unstruck"


class VerifierBug(RuntimeError):
    """An exception other than a ``CryptoError`` escaped a check: a bug in the verifier (or in
    a library it calls), never a verdict on the record. Not a ``CryptoError``, so that nothing
    reports it as a rejected or malformed record; the original exception is its ``__cause__``.
    ``check`` names the check that was running."""

    def __init__(self, check: str, cause: BaseException) -> None:
        self.check = check
        super().__init__(
            f"internal error in the verifier's {check!r} check: {cause!r} "
            "(a bug in the verifier, not a verdict on the record)"
        )


@dataclass(frozen=True)
class CheckResult:
    """One check of the report: ``status`` is ``passed`` or ``skipped`` (with the reason in
    ``summary``); ``counts`` says what it covered."""

    name: str
    description: str
    status: str
    summary: str
    counts: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "status": self.status,
            "summary": self.summary,
            "counts": dict(self.counts),
        }


def passed(name: str, summary: str, **counts: int) -> CheckResult:
    return CheckResult(name, dict(CHECKS)[name], "passed", summary, counts)


def skipped(name: str, reason: str) -> CheckResult:
    return CheckResult(name, dict(CHECKS)[name], "skipped", reason, {})


# --- typed readers ---------------------------------------------------------------------------


def where(event: Mapping[str, Any]) -> str:
    return f"board event {event.get('seq')} ({event.get('type')})"


def rewrap(exc: CryptoError, prefix: str) -> CryptoError:
    """The same error class with the location in front of the message."""
    try:
        return type(exc)(f"{prefix}: {exc}")
    except TypeError:  # pragma: no cover - every crypto error takes one message
        return InvalidRecord(f"{prefix}: {exc}")


def as_int(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidRecord(f"{what}: expected an integer, got {value!r}")
    return value


def as_str(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise InvalidRecord(f"{what}: expected a string, got {type(value).__name__}")
    return value


def as_list(value: object, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise InvalidRecord(f"{what}: expected a list, got {type(value).__name__}")
    return value


def as_dict(value: object, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InvalidRecord(f"{what}: expected an object, got {type(value).__name__}")
    return value


def as_time(value: object, what: str) -> datetime:
    if not isinstance(value, str):
        raise InvalidRecord(f"{what}: expected an ISO 8601 time")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidRecord(f"{what}: {value!r} is not an ISO 8601 time") from None
    if parsed.tzinfo is None:
        raise InvalidRecord(f"{what}: {value!r} has no time zone")
    return parsed


# --- messages --------------------------------------------------------------------------------


def slot_name(manifest: Mapping[str, Any], layout: Sequence[int], flat: int) -> str:
    """'question q, candidate c (name) support' for a flat tally slot index."""
    q = 0
    i = flat
    while q < len(layout) and i >= layout[q]:
        i -= layout[q]
        q += 1
    if q >= len(layout):
        return f"slot {flat}"
    question = manifest["questions"][q]
    if question["kind"] == "sonc":
        c, half = divmod(i, 2)
        cand = question["candidates"][c]
        return f"question {q}, candidate {c} ({cand.get('name')!s}) {'support' if half == 0 else 'oppose'}"
    cand = question["candidates"][i]
    return f"question {q}, option {i} ({cand.get('name')!s})"


def first_difference(published: object, expected: object, path: str = "") -> str | None:
    """The path of the first value that differs (None when equal)."""
    if isinstance(published, dict) and isinstance(expected, dict):
        for key in list(expected) + [k for k in published if k not in expected]:
            if key not in published:
                return f"{path}.{key} (missing)"
            if key not in expected:
                return f"{path}.{key} (unexpected)"
            found = first_difference(published[key], expected[key], f"{path}.{key}")
            if found is not None:
                return found
        return None
    if isinstance(published, list) and isinstance(expected, list):
        if len(published) != len(expected):
            return f"{path} (length {len(published)}, expected {len(expected)})"
        for i, (a, b) in enumerate(zip(published, expected, strict=True)):
            found = first_difference(a, b, f"{path}[{i}]")
            if found is not None:
                return found
        return None
    if type(published) is not type(expected) or published != expected:
        return path
    return None


def lookup(data: object, path: str) -> object:
    """Follow a path made by ``first_difference`` (None where the data has no such value)."""
    node = data
    for key, index in re.findall(r"\.([A-Za-z_0-9]+)|\[(\d+)\]", path.split(" ")[0]):
        if index:
            if not isinstance(node, list) or int(index) >= len(node):
                return None
            node = node[int(index)]
        else:
            if not isinstance(node, dict) or key not in node:
                return None
            node = node[key]
    return node
