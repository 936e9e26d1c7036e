"""The board's event catalogue (``crypto.events``) is the one list of event types and payload
schemas: every event full elections append — ranked questions and their mixes, pauses, strikes
and unstrikes, re-vote invitations, a deadline extension, candidate changes (remediation), a new
device's credential, the independent credential list, audit anchors, a judged complaint — is in
it; the service refuses to append anything else (a programming error), and a trustee's message
that does not fit is a 422 with nothing written."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from app.client.http import ApiError
from app.db import transaction
from app.errors import InvalidInput
from app.services import board, ceremony
from app.services.actor import Actor
from crypto import ceremony as protocol
from crypto import events
from crypto.record import verify_record
from tests.service.helpers import login, open_election, voter
from tests.service.test_ceremony import _until_shares, frozen_election, record_of, trustees_of
from tests.verify.records import fetch_record, run_election

VOTERS = ["Ann", "Ben", "Cat"]


def _check(record: dict) -> set[str]:
    for event in record["board"]:
        assert events.problem(event["type"], event["payload"]) is None, event
    return {e["type"] for e in record["board"]}


def _remediation(client, tmp_path) -> dict:
    admin, eid, _ = open_election(client, tmp_path / "r", VOTERS, trustees=2, threshold=2)
    admin.post(f"/api/v1/elections/{eid}/roles", {"username": "Scrut", "role": "scrutineer"})
    scrut = login(client, "Scrut")
    clients = {name: voter(client, eid, name) for name in VOTERS}
    trackers = [clients[n].cast([[1, 0, -1]])["tracker"] for n in VOTERS]
    admin.post(f"/api/v1/elections/{eid}/pause", {"reason": "a wrong ballot was shown"})
    scrut.post(
        f"/api/v1/elections/{eid}/scrutiny/strike",
        {
            "trackers": trackers[:2],
            "reason_code": "ballot_error",
            "reason_text": "wrong ballot",
            "invite_to_revote": True,
        },
    )
    scrut.post(
        f"/api/v1/elections/{eid}/scrutiny/unstrike",
        {"trackers": trackers[1:2], "reason_code": "other", "reason_text": "it was fine"},
    )
    end = datetime.fromisoformat(admin.get(f"/api/v1/elections/{eid}")["schedule"]["end_utc"])
    admin.post(
        f"/api/v1/elections/{eid}/extend",
        {"end": (end + timedelta(days=1)).isoformat(), "reason": "time to re-vote"},
    )
    admin.post(f"/api/v1/elections/{eid}/resume", {"reason": "ballot fixed"})
    admin.post(
        f"/api/v1/elections/{eid}/candidates/change",
        {"position": 0, "replacement": {"en": "Candidate 0b"}, "reason": "swap", "old_ballots": "strike"},
    )
    ann = voter(client, eid, "Ann")  # a new device: its credential replaces the struck one's
    ann.cast([[0, 1, 0, 1]])
    admin.post(f"/api/v1/elections/{eid}/roll", {"usernames": ["Dan"]})  # roll_published
    admin.post(f"/api/v1/elections/{eid}/audit/anchor")
    admin.post(f"/api/v1/elections/{eid}/close", {"reason": "end"})
    admin.post(f"/api/v1/elections/{eid}/scrutiny/start")
    return fetch_record(client, eid)


def test_every_event_of_full_elections_is_catalogued(client, tmp_path) -> None:
    seen = _check(_remediation(client, tmp_path))
    ranked = run_election(
        client,
        tmp_path / "ranked",
        {"V1": [[[0, 1, 2, 3]]], "V2": [[[1, 0, 3, 2]], [[2, 1, 0, 3]]]},
        kind="ranked",
        candidates=4,
        method="meek",
        seats=2,
        mixers=(0, 1),
        pause_between=True,
    )
    seen |= _check(ranked.record)
    independent = run_election(
        client, tmp_path / "indep", {"I1": [[[1, 0, 0]]]}, credential_mode="independent", tally=False
    )
    seen |= _check(independent.record)
    eid = frozen_election(client)
    ts = trustees_of(client, eid, tmp_path / "complaint")
    _until_shares(ts)
    for t in ts:
        t.send_shares()
    ts[0]._post(
        "complaints", protocol.COMPLAINT, 1, 1, {"complainant_index": 1, "accused_index": 2, "reason": "lies"}
    )
    ts[1].answer_complaints()
    seen |= _check(record_of(client, eid))
    # The scenarios above reach every catalogued type except a ceremony restart, a return to
    # draft and a schedule change (tests/service/test_ceremony.py, test_election_config.py
    # append those through the same checked ``board.append``).
    assert set(events.CATALOGUE) - seen <= {
        protocol.RESTARTED,
        events.RETURNED_TO_DRAFT,
        events.SCHEDULE_CHANGED,
    }, set(events.CATALOGUE) - seen


def test_the_service_appends_nothing_uncatalogued(client, tmp_path, app) -> None:
    admin, eid, _ = open_election(client, tmp_path, ["Ann"], trustees=2, threshold=2)
    voter(client, eid, "Ann").cast([[1, 0, -1]])
    before = admin.board(eid)
    with transaction(app.state.sessions) as session:
        with pytest.raises(events.UncataloguedEvent, match="unknown event type 'reopened'"):
            board.append(session, eid, "reopened", {"from": "closed", "to": "open"})
        with pytest.raises(events.UncataloguedEvent, match="lacks the required key 'tracker'"):
            board.append(
                session,
                eid,
                events.BALLOT_CAST,
                {"credential": "00", "definition_version": 1, "supersedes": []},
            )
        with pytest.raises(events.UncataloguedEvent, match="'count' is str, not int"):
            board.append(session, eid, events.REVOTE_INVITED, {"count": "3"})
        with pytest.raises(RuntimeError, match="encrypted_tally while the election was open"):
            board.append(
                session,
                eid,
                events.ENCRYPTED_TALLY,
                {"definition_version": 1, "counted": [], "layout": [], "contributors": [], "ciphertexts": []},
            )
    assert admin.board(eid) == before


def test_a_trustee_message_outside_the_catalogue_is_refused(client, tmp_path, app) -> None:
    """The routes' schemas refuse malformed messages first (422 ``invalid_request``); the
    service checks the catalogue again for any other caller: 422, nothing written."""
    eid = frozen_election(client)
    ts = trustees_of(client, eid, tmp_path)
    with pytest.raises(ApiError) as refused:
        ts[0]._post("complaints", protocol.COMPLAINT, 1, 1, {"reason": "no indices"})
    assert refused.value.status == 422
    before = record_of(client, eid)["board"]
    with transaction(app.state.sessions) as session:
        with pytest.raises(InvalidInput) as caught:
            ceremony.post_message(
                session,
                Actor("T1"),
                eid,
                protocol.COMPLAINT,
                {"round": 1, "reason": "no indices", "signature": "00"},
            )
    assert caught.value.code == "invalid_message"
    assert "lacks the required key 'complainant_index'" in caught.value.detail
    assert record_of(client, eid)["board"] == before
    assert verify_record(record_of(client, eid), workers=1)
