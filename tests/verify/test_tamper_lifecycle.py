"""The lifecycle (``crypto.lifecycle``) is one definition read by the service and the verifier:
a forged move the service would refuse — a reopen after the close — the verifier refuses too,
with the event at fault; and for random sequences of moves the two agree on what is allowed."""

from __future__ import annotations

import copy

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.errors import Conflict
from app.services import phases
from crypto.errors import InvalidRecord
from crypto.record import verify_record
from tests.verify.records import index_of, new_event, rehash


def _move(kind: str, frm: str, to: str) -> dict:
    return new_event(kind, {"from": frm, "to": to, "reason": "forged", "by": "committee"})


def test_the_verifier_refuses_a_reopen_after_the_close(rec) -> None:
    at = index_of(rec, "closed")
    rec["board"].insert(at + 1, _move("opened", "closed", "open"))
    rehash(rec)
    seq = at + 2
    with pytest.raises(InvalidRecord) as caught:
        verify_record(rec, workers=1)
    assert str(caught.value) == (
        f"board event {seq} (opened): a opened event while the election was closed (it moves "
        "an election from ready to open)"
    )


def test_the_verifier_refuses_a_resume_after_the_close(rec) -> None:
    at = index_of(rec, "closed")
    rec["board"].insert(at + 1, _move("resumed", "closed", "open"))
    rehash(rec)
    with pytest.raises(
        InvalidRecord,
        match=rf"board event {at + 2} \(resumed\): a resumed event "
        "while the election was closed",
    ):
        verify_record(rec, workers=1)


MOVES = ["paused", "resumed", "closed", "opened", "scrutiny_started", "tally_started"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(MOVES), min_size=1, max_size=6))
def test_service_and_verifier_agree_on_random_moves(built, kinds) -> None:
    """From an honest open election (its board cut before ``closed``), forge the moves; the
    service's rule (``phases.advance``, what the services call before appending) and the
    verifier agree on the first one refused, and accept the same sequences."""
    record = copy.deepcopy(built.record)
    cut = index_of(record, "closed")
    record["board"] = record["board"][:cut]
    record.pop("tally", None)
    phase, refused_at = "open", None
    for i, kind in enumerate(kinds):
        try:
            after = phases.advance(phase, kind)
        except Conflict:
            refused_at = i
            after = phase
        target = phases.lifecycle.MOVES[kind][1]
        record["board"].append(_move(kind, phase, target))
        if refused_at is not None:
            break
        phase = after
    rehash(record)
    if refused_at is None:
        assert verify_record(record, workers=1).stage == phase
    else:
        seq = cut + refused_at + 1
        with pytest.raises(InvalidRecord, match=rf"^board event {seq} \({kinds[refused_at]}\): "):
            verify_record(record, workers=1)
