"""Checks 1 (``record``) and 2 (``chain``): the record's shape, validated up front.

``check_record`` reads the envelope (format, version, election id, the board's events, the
ballots); ``check_chain`` verifies the hash chain, then every event against the catalogue
(``crypto.events``: its type, its payload's keys and their JSON types) and the nested parts of
the payloads the later checks read (a manifest's trustees and questions, a decryption share's
factors, a tally's lists…) against the schemas below, and parses each event's time. Every
refusal is an ``InvalidRecord`` naming the event and the path of the value, e.g.
``board event 12 (election_setup): payload.manifest.trustees[0].index: expected an integer,
got '1'``. What the later checks receive is a ``Board`` of typed ``Event`` values: they index
what these schemas guarantee and never catch ``KeyError``/``TypeError`` to call it malformed.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from .. import ceremony, events
from ..board import verify_chain
from ..errors import InvalidRecord, UnsupportedRecord
from ..hashing import canonical_problem
from .common import (
    RECORD_FORMAT,
    RECORD_VERSIONS,
    CheckResult,
    as_dict,
    as_list,
    as_str,
    as_time,
    passed,
    where,
)


class BallotSource(Protocol):
    """The record's ``ballots`` object when it is not held in memory (a streamed file,
    ``app.record_file``): its trackers in record order (membership and size, held), and its
    entries, read once, in record order."""

    def trackers(self) -> Collection[str]: ...

    def entries(self) -> Iterator[tuple[str, Any]]: ...


@dataclass(frozen=True)
class Envelope:
    """The record as check 1 read it: the board still raw (its chain is check 2's)."""

    election_id: str
    version: int
    raw_board: list[dict[str, Any]]
    ballots: Collection[str]
    """The ballots' trackers (a dict in memory, or the streamed source's trackers)."""


@dataclass(frozen=True)
class Event:
    """One board event whose chain link, catalogue entry and nested shape were verified."""

    seq: int
    type: str
    at: datetime
    at_text: str
    payload: dict[str, Any]
    raw: dict[str, Any]
    where: str
    """``board event {seq} ({type})``: the prefix of every message about it."""


@dataclass(frozen=True)
class Board:
    election_id: str
    events: tuple[Event, ...]
    raw: list[dict[str, Any]]
    """The same events as the record holds them (for ``crypto.ceremony``, ``crypto.tally``…)."""
    head: str

    def of_type(self, *kinds: str) -> list[Event]:
        return [e for e in self.events if e.type in kinds]


# --- 1. record -------------------------------------------------------------------------------


def check_record(record: object, source: BallotSource | None) -> tuple[Envelope, CheckResult]:
    if not isinstance(record, Mapping):
        raise UnsupportedRecord("not an election record: expected a JSON object")
    if record.get("format") != RECORD_FORMAT:
        raise UnsupportedRecord(
            f"not an election record: format is {record.get('format')!r}, expected {RECORD_FORMAT!r}"
        )
    version = record.get("version")
    if version not in RECORD_VERSIONS or isinstance(version, bool) or not isinstance(version, int):
        raise UnsupportedRecord(
            f"unsupported record version {version!r} (this verifier reads {list(RECORD_VERSIONS)})"
        )
    election_id = as_str(record.get("election_id"), "record.election_id")
    board = as_list(record.get("board"), "record.board")
    for i, event in enumerate(board):
        e = as_dict(event, f"record.board[{i}]")
        for key in ("seq", "at", "type", "payload", "prev_hash", "hash"):
            if key not in e:
                raise InvalidRecord(f"record.board[{i}]: event without {key!r}")
        as_dict(e["payload"], f"{where(e)}: payload")
        as_str(e["type"], f"record.board[{i}].type")
        as_str(e["at"], f"record.board[{i}].at")
    ballots: Collection[str] = (
        source.trackers() if source is not None else as_dict(record.get("ballots"), "record.ballots")
    )
    envelope = Envelope(election_id, version, board, ballots)
    return envelope, passed(
        "record",
        f"{RECORD_FORMAT} v{version}, election {election_id}",
        events=len(board),
        ballots=len(ballots),
    )


# --- 2. chain, catalogue and nested shapes ---------------------------------------------------

Spec = Any
"""A shape: a type name (``str``, ``int``, ``bool``, ``list``, ``dict``, ``any``, ``decimal``;
``a|b`` for either, ``null`` allowed), ``[item]`` for a list of items, or ``{key: spec}`` for an
object (``key?``: optional; other keys are allowed)."""

_NAMES = {
    "str": "a string",
    "int": "an integer",
    "bool": "true or false",
    "list": "a list",
    "dict": "an object",
    "null": "null",
    "decimal": "a decimal number",
}


def _is(value: object, name: str) -> bool:
    if name == "any":
        return True
    if name == "null":
        return value is None
    if name == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if name == "decimal":
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            return False
        try:
            return Decimal(str(value)).is_finite()
        except InvalidOperation:
            return False
    return isinstance(value, {"str": str, "bool": bool, "list": list, "dict": dict}[name])


def conform(value: object, spec: Spec, path: str) -> None:
    """Raise ``InvalidRecord`` naming ``path`` where ``value`` does not have the shape."""
    if isinstance(spec, str):
        names = spec.split("|")
        if not any(_is(value, n) for n in names):
            got = (
                repr(value)
                if isinstance(value, (bool, int, float)) or value is None
                else type(value).__name__
            )
            raise InvalidRecord(f"{path}: expected {' or '.join(_NAMES[n] for n in names)}, got {got}")
    elif isinstance(spec, list):
        for i, item in enumerate(as_list(value, path)):
            conform(item, spec[0], f"{path}[{i}]")
    else:
        obj = as_dict(value, path)
        for key, inner in spec.items():
            name = key.rstrip("?")
            if name not in obj:
                if key.endswith("?"):
                    continue
                raise InvalidRecord(f"{path}: lacks the required key {name!r}")
            conform(obj[name], inner, f"{path}.{name}")


_TRUSTEE = {"index": "int", "commitments": ["str"], "encryption_key?": "str", "signing_key?": "str"}
_CANDIDATE = {"position": "int", "name": "str", "withdrawn?": "bool"}
_QUESTION = {
    "kind": "str",
    "candidates": [_CANDIDATE],
    "min_selections?": "int|null",
    "max_selections?": "int|null",
    "seats?": "int|null",
}
_QUESTION_BY_KIND: Mapping[str, Spec] = {
    "sonc": {
        "pass_rule": {
            "threshold_percent": "decimal",
            "comparison?": "str",
            "min_support?": "int",
            "display?": "str",
            "decimals?": "int",
        }
    },
    "ranked": {"method": "str"},
    "approval": {"min_selections": "int"},
}
_MANIFEST = {
    "election_id": "str",
    "definition_version": "int",
    "ceremony_round": "int",
    "threshold": "int",
    "public_key": "str",
    "trustees": [_TRUSTEE],
    "questions": [_QUESTION],
    "manifest_version?": "int",
    "receipt_key?": "str|null",
}


def conform_manifest(manifest: object, path: str) -> None:
    """A manifest's shape: the keys the verifier and the result arithmetic read."""
    conform(manifest, _MANIFEST, path)
    assert isinstance(manifest, dict)
    for q, question in enumerate(manifest["questions"]):
        extra = _QUESTION_BY_KIND.get(question["kind"])
        if extra is not None:
            conform(question, extra, f"{path}.questions[{q}]")


PAYLOADS: Mapping[str, Spec] = {
    ceremony.COMMITMENTS: {"commitments": ["str"], "proofs": "list"},
    events.CREDENTIALS_PUBLISHED: {"credentials": ["str"]},
    events.BALLOT_CAST: {"supersedes": ["str"]},
    events.BALLOT_STRUCK: {"trackers": ["str"]},
    events.BALLOT_UNSTRUCK: {"trackers": ["str"]},
    events.ENCRYPTED_TALLY: {"counted": ["str"], "layout": ["int"], "ciphertexts": "list"},
    events.DECRYPTION_SHARE: {"share": {"factors": ["str"], "proofs": "list"}},
    events.RESULT: {"totals": ["int"], "shares_used": ["int"], "result": "dict"},
}
"""Nested shapes beyond the catalogue's top-level types, per event type."""


def check_chain(envelope: Envelope) -> tuple[Board, CheckResult]:
    raw = envelope.raw_board
    try:
        head = verify_chain(raw)
    except ValueError:
        # canonical_json refuses a value JSON allows (a float, a huge integer): name the event;
        # a ValueError no event explains is a bug and propagates.
        for event in raw:
            problem = canonical_problem({k: event[k] for k in ("seq", "at", "type", "payload")})
            if problem is not None:
                raise InvalidRecord(f"{where(event)}: {problem}") from None
        raise
    parsed = []
    for event in raw:
        at = where(event)
        found = events.problem(event["type"], event["payload"])
        if found is not None:
            raise InvalidRecord(f"{at}: malformed (catalogue): {found} (docs/protocol.md §16)")
        kind, payload = event["type"], event["payload"]
        spec = PAYLOADS.get(kind)
        if spec is not None:
            conform(payload, spec, f"{at}: payload")
        if kind in (events.ELECTION_SETUP, events.BALLOT_DEFINITION):
            conform_manifest(payload["manifest"], f"{at}: payload.manifest")
        parsed.append(
            Event(
                seq=int(event["seq"]),
                type=kind,
                at=as_time(event["at"], f"{at}: at"),
                at_text=event["at"],
                payload=payload,
                raw=event,
                where=at,
            )
        )
    board = Board(envelope.election_id, tuple(parsed), raw, head)
    return board, passed("chain", f"{len(raw)} events, head {head}", events=len(raw))
