"""Casting: verified, receipted, re-votes supersede; bad input changes nothing."""

import copy
import threading

import pytest
from sqlalchemy import func, select

from app.client.http import ApiError
from app.db import make_engine
from app.models import Ballot, BoardEvent, Voter, VoterSignal
from app.services.receipts import verify_receipt
from crypto.board import verify_chain
from crypto.credentials import CredentialKey
from tests.service.helpers import login, my_states, open_election, voter


@pytest.fixture
def election(client, tmp_path):
    admin, eid, trustees = open_election(client, tmp_path, ["Alice", "Bob", "Carol"])
    return admin, eid


def counts(settings, eid):
    engine = make_engine(settings.effective_database_url)
    with engine.connect() as c:
        ballots = c.scalar(select(func.count()).select_from(Ballot).where(Ballot.election_id == eid))
        events = c.scalar(select(func.count()).select_from(BoardEvent).where(BoardEvent.election_id == eid))
        pii = c.scalar(select(func.count()).select_from(VoterSignal).where(VoterSignal.election_id == eid))
    engine.dispose()
    return ballots, events, pii


def test_cast_is_receipted_and_on_the_board(client, election) -> None:
    admin, eid = election
    alice = voter(client, eid, "Alice")
    assert alice.status()["eligible"] is True
    receipt = alice.cast([[1, -1, 0]])
    verify_receipt(receipt)
    assert receipt["revote"] is False
    status = alice.status()
    assert status["has_voted"] and status["current_tracker"] == receipt["tracker"]
    found = alice.session.get(f"/api/v1/elections/{eid}/trackers/{receipt['tracker']}")
    assert found == {
        "tracker": receipt["tracker"],
        "on_board": True,
        "board_seq": receipt["board_seq"],
        "at": found["at"],
    }
    assert my_states(alice) == {receipt["tracker"]: "current"}
    assert [b["counted"] for b in status["ballots"]] == [True]
    events = admin.board(eid)
    verify_chain(events)
    cast_event = next(e for e in events if e["type"] == "ballot_cast")
    assert cast_event["payload"]["tracker"] == receipt["tracker"]
    assert cast_event["hash"] == receipt["board_hash"]
    # Who voted: names only. While voting goes on the public sees the voters of earlier days
    # (tests/service/test_unlinkable.py); the committee sees everyone at once.
    assert login(client, "Anyone").get(f"/api/v1/elections/{eid}/voted")["voters"] == []
    assert admin.get(f"/api/v1/elections/{eid}/voted")["voters"] == [{"username": "Alice"}]


def test_revote_supersedes(client, election) -> None:
    _, eid = election
    alice = voter(client, eid, "Alice")
    first = alice.cast([[1, 1, 1]])
    second = alice.cast([[-1, -1, -1]])
    assert second["revote"] is True
    assert my_states(alice) == {first["tracker"]: "superseded", second["tracker"]: "current"}
    get = alice.session.get  # the public look-up does not say which one counts
    assert get(f"/api/v1/elections/{eid}/trackers/{first['tracker']}")["on_board"] is True
    assert "state" not in get(f"/api/v1/elections/{eid}/trackers/{first['tracker']}")
    assert alice.status()["current_tracker"] == second["tracker"]


def test_receipt_tampering_is_detected(client, election) -> None:
    _, eid = election
    receipt = voter(client, eid, "Alice").cast([[0, 0, 0]])
    forged = {**receipt, "board_seq": receipt["board_seq"] + 1}
    with pytest.raises(ValueError):
        verify_receipt(forged)


def test_ineligible_voter_is_refused(client, election, settings) -> None:
    _, eid = election
    mallory = voter(client, eid, "Mallory")
    assert mallory.status()["eligible"] is False
    with pytest.raises(ApiError) as err:
        mallory.ensure_credential()
    assert err.value.code == "not_eligible"


def _refused(client, settings, eid, ballot, code, username="Alice"):
    before = counts(settings, eid)
    session = login(client, username)
    with pytest.raises(ApiError) as err:
        session.post(f"/api/v1/elections/{eid}/ballots", {"ballot": ballot})
    assert err.value.code == code, err.value
    assert 400 <= err.value.status < 500
    assert counts(settings, eid) == before


def test_bad_ballots_change_nothing(client, election, settings) -> None:
    _, eid = election
    alice = voter(client, eid, "Alice")
    alice.ensure_credential()
    good = alice.make_ballot([[1, 0, -1]])

    tampered = copy.deepcopy(good)
    ct = tampered["answers"][0]["ciphertexts"][0]
    ct["beta"], ct["alpha"] = ct["alpha"], ct["beta"]
    _refused(client, settings, eid, tampered, "invalid_ballot")

    bad_signature = copy.deepcopy(good)
    bad_signature["signature"]["response"] = "00" * 32
    _refused(client, settings, eid, bad_signature, "invalid_ballot")

    wrong_election = {**copy.deepcopy(good), "election_id": "another-election"}
    _refused(client, settings, eid, wrong_election, "wrong_election")

    wrong_fp = {**copy.deepcopy(good), "fingerprint": "ab" * 32}
    _refused(client, settings, eid, wrong_fp, "wrong_fingerprint")

    too_few = copy.deepcopy(good)
    too_few["answers"][0]["ciphertexts"] = too_few["answers"][0]["ciphertexts"][:2]
    _refused(client, settings, eid, too_few, "invalid_ballot")

    bad_point = copy.deepcopy(good)
    bad_point["answers"][0]["ciphertexts"][0]["alpha"] = "01" + "00" * 31  # identity
    _refused(client, settings, eid, bad_point, "invalid_ballot")

    _refused(client, settings, eid, {"not": "a ballot"}, "wrong_election")
    _refused(client, settings, eid, [], "invalid_request")

    # A valid ballot copied by another voter is refused: it is bound to Alice's credential.
    voter(client, eid, "Bob").ensure_credential()
    _refused(client, settings, eid, good, "wrong_credential", username="Bob")

    alice.cast_ballot(good)
    _refused(client, settings, eid, good, "ballot_replayed")


def test_ballot_signed_with_unregistered_credential(client, election, settings) -> None:
    _, eid = election
    alice = voter(client, eid, "Alice")
    alice.ensure_credential()
    alice.credential = CredentialKey.generate()
    _refused(client, settings, eid, alice.make_ballot([[0, 0, 0]]), "wrong_credential")


def test_malformed_json_and_oversized_body(client, election, settings) -> None:
    _, eid = election
    token = login(client, "Alice").token
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    response = client.post(f"/api/v1/elections/{eid}/ballots", content=b"{not json", headers=headers)
    assert response.status_code == 422
    assert response.json()["error"] == "invalid_request"
    response = client.post(
        f"/api/v1/elections/{eid}/ballots",
        content=b'{"ballot": "' + b"x" * 2_000_000 + b'"}',
        headers=headers,
    )
    assert response.status_code == 413


def test_casting_outside_the_open_phase(client, election, settings) -> None:
    admin, eid = election
    alice = voter(client, eid, "Alice")
    alice.ensure_credential()
    ballot = alice.make_ballot([[1, 1, 1]])
    admin.post(f"/api/v1/elections/{eid}/pause", {"reason": "checking a report"})
    assert alice.status()["pause_reason"] == "checking a report"
    _refused(client, settings, eid, ballot, "wrong_phase")
    admin.post(f"/api/v1/elections/{eid}/resume", {"reason": "all clear"})
    alice.cast_ballot(ballot)
    admin.post(f"/api/v1/elections/{eid}/close", {"reason": "end of test"})
    _refused(client, settings, eid, alice.make_ballot([[0, 0, 0]]), "wrong_phase")
    types = [e["type"] for e in admin.board(eid)]
    assert {"paused", "resumed", "closed"} <= set(types)


def test_concurrent_casts_by_one_voter(client, election, settings) -> None:
    _, eid = election
    alice = voter(client, eid, "Alice")
    alice.ensure_credential()
    ballots = [alice.make_ballot([[1, 0, 0]]), alice.make_ballot([[0, 1, 0]])]
    results: list = []

    def cast(b):
        try:
            results.append(alice.cast_ballot(b))
        except ApiError as exc:  # pragma: no cover - would fail the assertion below
            results.append(exc)

    threads = [threading.Thread(target=cast, args=(b,)) for b in ballots]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(isinstance(r, dict) for r in results), results
    engine = make_engine(settings.effective_database_url)
    with engine.connect() as c:
        voter_id = c.scalar(select(Voter.id).where(Voter.election_id == eid, Voter.username == "Alice"))
        trackers = c.scalars(select(Ballot.tracker).where(Ballot.voter_id == voter_id)).all()
    engine.dispose()
    assert len(trackers) == 2
    states = [my_states(alice)[t] for t in trackers]
    assert sorted(states) == ["current", "superseded"]
    # The board says the same: one of the two counts.
    from crypto.tally import counted_ballots

    assert len({c.tracker for c in counted_ballots(alice.session.board(eid))} & set(trackers)) == 1


def test_database_holds_no_plaintext_vote(client, election, settings) -> None:
    """Ballots are stored exactly as the client encrypted them: points, proofs, signature."""
    _, eid = election
    voter(client, eid, "Alice").cast([[1, -1, 0]])
    engine = make_engine(settings.effective_database_url)
    with engine.connect() as c:
        payloads = [row[0] for row in c.execute(select(Ballot.payload).where(Ballot.election_id == eid))]
    engine.dispose()

    def leaves(value):
        if isinstance(value, dict):
            for v in value.values():
                yield from leaves(v)
        elif isinstance(value, list):
            for v in value:
                yield from leaves(v)
        else:
            yield value

    for payload in payloads:
        assert set(payload) == {"version", "election_id", "fingerprint", "credential", "answers", "signature"}
        for leaf in leaves(payload["answers"]):
            assert isinstance(leaf, str) and len(leaf) == 64 and int(leaf, 16) >= 0


def test_voter_list_can_be_hidden(client, tmp_path) -> None:
    admin, eid, _ = open_election(client, tmp_path, ["Alice"], voter_list_public=False)
    voter(client, eid, "Alice").cast([[0, 0, 0]])
    with pytest.raises(ApiError) as err:
        login(client, "Anyone").get(f"/api/v1/elections/{eid}/voted")
    assert err.value.status == 403
    assert len(admin.get(f"/api/v1/elections/{eid}/voted")["voters"]) == 1


def test_ballot_stamped_at_the_scheduled_end_is_refused(client, election, settings, monkeypatch) -> None:
    # The phase is checked when the request starts; the board stamp comes a moment later. A
    # ballot whose stamp reaches the (exclusive) end would make the honest record fail
    # verification, so it is refused and nothing is written.
    from app.models import Election
    from app.services import board

    admin, eid = election
    alice = voter(client, eid, "Alice")
    alice.ensure_credential()
    ballot = alice.make_ballot([[1, 0, -1]])
    engine = make_engine(settings.effective_database_url)
    with engine.connect() as c:
        ends_at = c.scalar(select(Election.ends_at).where(Election.id == eid))
    engine.dispose()
    assert ends_at is not None
    before = counts(settings, eid)
    monkeypatch.setattr(board, "utcnow", lambda: ends_at)
    with pytest.raises(ApiError) as refused:
        alice.cast_ballot(ballot)
    assert (refused.value.status, refused.value.code) == (409, "voting_closed")
    assert counts(settings, eid) == before
    monkeypatch.undo()
    alice.cast_ballot(ballot)  # a moment earlier it would have counted


def test_board_times_never_go_backwards(client, election, monkeypatch) -> None:
    # A clock stepped back (NTP) must not give the board a time earlier than its last event:
    # the verifier requires monotonic times, and the record must stay verifiable.
    from datetime import UTC, datetime

    from app.services import board

    admin, eid = election
    last = admin.board(eid)[-1]["at"]
    monkeypatch.setattr(board, "utcnow", lambda: datetime(2000, 1, 1, tzinfo=UTC))
    voter(client, eid, "Alice").cast([[1, 1, 1]])
    events = admin.board(eid)
    assert [e["at"] for e in events] == sorted(e["at"] for e in events)
    assert events[-1]["at"] == last and events[-1]["type"] == "ballot_cast"
    verify_chain(events)
