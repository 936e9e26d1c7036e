"""The catalogue of public-board event types, once: every name, and each payload's required and
optional keys with their JSON types (docs/protocol.md §16).

The service appends only catalogued events with well-formed payloads
(``app.services.board.append`` raises :class:`UncataloguedEvent` otherwise: a programming
error); the verifier refuses a record with any other (``InvalidRecord`` naming the event).
Keys beyond the catalogue's are allowed (a later protocol may add some); a key the catalogue
lists must have its type. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from . import auditlog, ceremony, mixnet

# Names of the events the service writes itself (the ceremony's, the mix's and the audit
# anchor's are named in crypto.ceremony, crypto.mixnet and crypto.auditlog).
CEREMONY_STARTED = ceremony.STARTED
RETURNED_TO_DRAFT = ceremony.RETURNED_TO_DRAFT
ELECTION_SETUP = ceremony.SETUP
SCHEDULE_CHANGED = "schedule_changed"
EXTENDED = "extended"
ROLL_PUBLISHED = "roll_published"
BALLOT_DEFINITION = "ballot_definition"
CREDENTIAL_REGISTERED = "credential_registered"
CREDENTIAL_REPLACED = "credential_replaced"
CREDENTIALS_PUBLISHED = "credentials_published"
OPENED = "opened"
PAUSED = "paused"
RESUMED = "resumed"
CLOSED = "closed"
BALLOT_CAST = "ballot_cast"
BALLOT_STRUCK = "ballot_struck"
BALLOT_UNSTRUCK = "ballot_unstruck"
REVOTE_INVITED = "revote_invited"
SCRUTINY_STARTED = "scrutiny_started"
TALLY_STARTED = "tally_started"
ENCRYPTED_TALLY = "encrypted_tally"
MIX = mixnet.MIX
DECRYPTION_SHARE = ceremony.DECRYPTION_SHARE
RESULT = "result"
AUDIT_HEAD = auditlog.AUDIT_HEAD

_JSON_TYPES: Mapping[str, tuple[type, ...]] = {
    "str": (str,),
    "int": (int,),
    "bool": (bool,),
    "list": (list,),
    "dict": (dict,),
}


@dataclass(frozen=True)
class EventType:
    """``required``/``optional``: key → JSON type (``str``, ``int``, ``bool``, ``list``,
    ``dict``; ``…|null`` allows null too)."""

    name: str
    required: Mapping[str, str]
    optional: Mapping[str, str] = field(default_factory=dict)


def _type_problem(value: Any, spec: str) -> str | None:
    names = spec.split("|")
    if value is None:
        return None if "null" in names else "null"
    for name in names:
        if name == "null":
            continue
        if name == "int" and isinstance(value, bool):
            continue
        if isinstance(value, _JSON_TYPES[name]):
            return None
    return type(value).__name__


_MOVE = {"from": "str", "to": "str"}
_BY = {"reason": "str", "by": "str"}
_SCHEDULE = {
    "timezone": "str",
    "start_utc": "str|null",
    "end_utc": "str|null",
    "start_local": "str|null",
    "end_local": "str|null",
    "end_exclusive": "bool",
    "aoe": "bool",
}
_SIGNED = {"index": "int", "round": "int", "signature": "str"}
_STRIKE = {"trackers": "list"}

_TYPES = (
    # the key ceremony (crypto.ceremony; protocol 1 records lack the trustees' signatures)
    EventType(
        CEREMONY_STARTED,
        {"election_id": "str", "round": "int", "threshold": "int", "trustees": "int"},
        {"protocol": "int", "schedule": "dict", "roll": "dict"},
    ),
    EventType(ceremony.JOINED, {**_SIGNED, "encryption_key": "str", "signing_key": "str"}),
    EventType(ceremony.COMMITMENT_HASH, {**_SIGNED, "digest": "str"}),
    EventType(
        ceremony.COMMITMENTS,
        {"index": "int", "round": "int", "commitments": "list", "proofs": "list"},
        {"signature": "str", "encryption_key": "str"},
    ),
    EventType(
        ceremony.SHARES_SENT,
        {"index": "int", "round": "int"},
        {"signature": "str", "sealed": "dict", "sealed_sha256": "dict"},
    ),
    EventType(ceremony.CONFIRMED, {**_SIGNED, "fingerprint": "str"}),
    EventType(
        ceremony.COMPLAINT, {**_SIGNED, "complainant_index": "int", "accused_index": "int", "reason": "str"}
    ),
    EventType(
        ceremony.ANSWER, {**_SIGNED, "complainant_index": "int", "share": "str", "ephemeral_secret": "str"}
    ),
    EventType(
        ceremony.VERDICT,
        {
            "round": "int",
            "complainant_index": "int",
            "accused_index": "int",
            "finding": "str",
            "culprit_index": "int",
        },
    ),
    EventType(ceremony.RESTARTED, {"round": "int", "reason": "str"}),
    EventType(RETURNED_TO_DRAFT, {"reason": "str"}),
    EventType(ELECTION_SETUP, {"manifest": "dict", "fingerprint": "str", "public_key": "str"}),
    # configuration that stays public
    EventType(SCHEDULE_CHANGED, _SCHEDULE),
    EventType(EXTENDED, {**_SCHEDULE, "old_end_utc": "str|null", "reason": "str"}),
    EventType(ROLL_PUBLISHED, {"size": "int", "fingerprint": "str", "mode": "str", "reason": "str"}),
    EventType(
        BALLOT_DEFINITION,
        {
            "version": "int",
            "manifest": "dict",
            "fingerprint": "str",
            "change": "dict",
            "old_ballots": "str",
            "reason": "str",
        },
    ),
    # credentials
    EventType(CREDENTIAL_REGISTERED, {"credential": "str"}),
    EventType(CREDENTIAL_REPLACED, {"old_credential": "str", "credential": "str"}),
    EventType(
        CREDENTIALS_PUBLISHED,
        {"credentials": "list", "count": "int"},
        {"authority_key": "str", "signature": "str"},
    ),
    # voting
    EventType(OPENED, {**_MOVE, **_BY}),
    EventType(PAUSED, {**_MOVE, **_BY}),
    EventType(RESUMED, {**_MOVE, **_BY}),
    EventType(CLOSED, {**_MOVE, **_BY}),
    EventType(
        BALLOT_CAST,
        {"tracker": "str", "credential": "str", "definition_version": "int", "supersedes": "list"},
    ),
    EventType(BALLOT_STRUCK, _STRIKE, {"count": "int"}),
    EventType(BALLOT_UNSTRUCK, _STRIKE, {"count": "int"}),
    EventType(REVOTE_INVITED, {"count": "int"}),
    # scrutiny and the tally
    EventType(SCRUTINY_STARTED, _MOVE),
    EventType(TALLY_STARTED, _MOVE, {"struck_by_reason": "dict"}),
    EventType(
        ENCRYPTED_TALLY,
        {
            "definition_version": "int",
            "counted": "list",
            "layout": "list",
            "contributors": "list",
            "ciphertexts": "list",
        },
        {"mix_inputs": "list"},
    ),
    EventType(
        MIX,
        {
            **_SIGNED,
            "question": "int",
            "position": "int",
            "input_hash": "str",
            "output_hash": "str",
            "proof": "dict",
            "ciphertexts": "list",
        },
    ),
    EventType(DECRYPTION_SHARE, {"index": "int", "share": "dict"}, {"signature": "str", "tally_hash": "str"}),
    EventType(RESULT, {"totals": "list", "shares_used": "list", "result": "dict"}),
    # the private audit log's signed head (crypto.auditlog)
    EventType(AUDIT_HEAD, {"head": "str", "count": "int", "key": "str", "signature": "str"}),
)

CATALOGUE: Mapping[str, EventType] = {t.name: t for t in _TYPES}
"""event type → its schema: every event type a board may hold."""


class UncataloguedEvent(TypeError):
    """The service tried to append an event the catalogue does not describe (a bug)."""


def problem(event_type: object, payload: object) -> str | None:
    """What is wrong with an event of this type and payload, or None if the catalogue
    accepts it."""
    if not isinstance(event_type, str) or event_type not in CATALOGUE:
        return f"unknown event type {event_type!r}"
    if not isinstance(payload, Mapping):
        return f"its payload is {type(payload).__name__}, not an object"
    schema = CATALOGUE[event_type]
    for key in schema.required:
        if key not in payload:
            return f"its payload lacks the required key {key!r}"
    for key, spec in (*schema.required.items(), *schema.optional.items()):
        if key in payload:
            found = _type_problem(payload[key], spec)
            if found is not None:
                return f"its payload's {key!r} is {found}, not {spec}"
    return None


def require(event_type: str, payload: Mapping[str, Any]) -> None:
    """Raise :class:`UncataloguedEvent` unless the catalogue accepts the event."""
    found = problem(event_type, payload)
    if found is not None:
        raise UncataloguedEvent(f"cannot append {event_type!r}: {found}")
