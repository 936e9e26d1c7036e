"""The verifier reads the board through the event catalogue (``crypto.events``): an event type
it does not list, a missing required key or a key of the wrong type is an ``InvalidRecord``
naming the event's position — before any check could trip over the payload."""

from __future__ import annotations

import pytest

from crypto.errors import InvalidRecord
from crypto.record import verify_record
from tests.verify.records import first, index_of, new_event, rehash


def test_an_unknown_event_type_is_refused_with_its_position(rec) -> None:
    at = index_of(rec, "closed")
    rec["board"].insert(at, new_event("open", {"from": "closed", "to": "open"}))
    rehash(rec)
    with pytest.raises(InvalidRecord) as caught:
        verify_record(rec, workers=1)
    assert str(caught.value) == (
        f"board event {at + 1} (open): malformed (catalogue): unknown "
        "event type 'open' (docs/protocol.md §16)"
    )


def test_a_missing_required_key_is_refused_with_its_position(rec) -> None:
    event = first(rec, "ballot_cast")
    del event["payload"]["definition_version"]
    rehash(rec)
    with pytest.raises(InvalidRecord) as caught:
        verify_record(rec, workers=1)
    assert str(caught.value) == (
        f"board event {event['seq']} (ballot_cast): malformed "
        "(catalogue): its payload lacks the required key "
        "'definition_version' (docs/protocol.md §16)"
    )


def test_a_key_of_the_wrong_type_is_refused(rec) -> None:
    event = first(rec, "tally_started")
    event["payload"]["struck_by_reason"] = ["not", "an", "object"]
    rehash(rec)
    with pytest.raises(
        InvalidRecord,
        match=rf"^board event {event['seq']} \(tally_started\): "
        r"malformed \(catalogue\): its payload's "
        "'struck_by_reason' is list, not dict",
    ):
        verify_record(rec, workers=1)
