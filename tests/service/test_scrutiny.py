"""Scrutiny and strike-and-revote remediation."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from app.client.http import ApiError
from app.db import make_engine, make_session_factory, transaction
from app.models import Election, VoterSignal
from app.services.scrutiny import purge_due
from crypto.board import verify_chain
from crypto.credentials import CredentialKey
from crypto.record import verify_record
from tests.service.helpers import ADMIN, ballot_states, login, my_states, open_election, voter

VOTERS = ["Ann", "Ben", "Cat", "Dan"]


@pytest.fixture
def election(client, tmp_path):
    admin, eid, trustees = open_election(client, tmp_path, VOTERS, trustees=2, threshold=2)
    admin.post(
        f"/api/v1/elections/{eid}/roles", {"username": "Scrut", "role": "scrutineer", "flags": ["pii"]}
    )
    admin.post(f"/api/v1/elections/{eid}/roles", {"username": "Plain", "role": "scrutineer"})
    clients = {name: voter(client, eid, name) for name in VOTERS}
    receipts = {name: clients[name].cast([[1, 0, -1]]) for name in VOTERS}
    receipts["clients"] = clients
    return admin, eid, trustees, receipts


def test_voter_list_and_audited_pii(client, election) -> None:
    admin, eid, _, receipts = election
    plain = login(client, "Plain")
    casts = plain.get(f"/api/v1/elections/{eid}/scrutiny/voters")["casts"]
    assert sorted(c["username"] for c in casts) == VOTERS
    assert "ip" not in casts[0]
    with pytest.raises(ApiError) as err:
        plain.get(f"/api/v1/elections/{eid}/scrutiny/voters", {"pii": "true"})
    assert err.value.code == "no_pii_right"
    with pytest.raises(ApiError) as err:
        login(client, "Ann").get(f"/api/v1/elections/{eid}/scrutiny/voters")
    assert err.value.status == 403
    scrut = login(client, "Scrut")
    rows = scrut.get(f"/api/v1/elections/{eid}/scrutiny/voters", {"pii": "true"})["casts"]
    assert rows[0]["ip"] == "testclient" and rows[0]["user_agent"]
    audit = [e for e in admin.get(f"/api/v1/elections/{eid}/audit")["entries"] if e["action"] == "pii.view"]
    assert audit and audit[-1]["actor"] == "Scrut"


def test_signals_find_shared_ip_and_bursts(client, election) -> None:
    _, eid, _, _ = election
    report = login(client, "Scrut").get(f"/api/v1/elections/{eid}/scrutiny/signals")
    kinds = {c["kind"] for c in report["clusters"]}
    assert "same_ip" in kinds and "same_ip_ua" in kinds
    same_ip = next(c for c in report["clusters"] if c["kind"] == "same_ip")
    assert same_ip["voters"] == VOTERS and same_ip["key"] == "testclient"
    plain = login(client, "Plain").get(f"/api/v1/elections/{eid}/scrutiny/signals")
    assert all("key" not in c for c in plain["clusters"])


def test_strike_needs_reason_and_right(client, election, settings) -> None:
    admin, eid, _, receipts = election
    scrut = login(client, "Scrut")
    path = f"/api/v1/elections/{eid}/scrutiny/strike"
    with pytest.raises(ApiError) as err:
        scrut.post(
            path, {"trackers": [receipts["Ann"]["tracker"]], "reason_code": "sockpuppet", "reason_text": " "}
        )
    assert err.value.code == "reason_required"
    with pytest.raises(ApiError) as err:
        scrut.post(
            path, {"trackers": [receipts["Ann"]["tracker"]], "reason_code": "because", "reason_text": "x"}
        )
    assert err.value.code == "invalid_reason_code"
    with pytest.raises(ApiError) as err:
        scrut.post(path, {"trackers": ["ab" * 32], "reason_code": "other", "reason_text": "x"})
    assert err.value.code == "tracker_not_found"
    with pytest.raises(ApiError) as err:
        login(client, "Ann").post(
            path, {"trackers": [receipts["Ben"]["tracker"]], "reason_code": "other", "reason_text": "x"}
        )
    assert err.value.status == 403
    with pytest.raises(ApiError) as err:
        scrut.post(path, {"reason_code": "other", "reason_text": "x"})
    assert err.value.status == 422
    assert all(e["type"] != "ballot_struck" for e in admin.board(eid))


def test_strike_and_revote_workflow(client, election) -> None:
    """Pause, strike a time window, extend, invite, the voters re-vote, resume."""
    admin, eid, trustees, receipts = election
    admin.post(f"/api/v1/elections/{eid}/pause", {"reason": "a wrong ballot was shown"})
    status = login(client, "Ann").get(f"/api/v1/elections/{eid}/me")
    assert status["phase"] == "paused" and status["pause_reason"] == "a wrong ballot was shown"
    window = [(datetime.now(UTC) - timedelta(hours=1)).isoformat(), datetime.now(UTC).isoformat()]
    result = login(client, "Scrut").post(
        f"/api/v1/elections/{eid}/scrutiny/strike",
        {
            "cast_between": window,
            "reason_code": "ballot_error",
            "reason_text": "ballot showed the wrong candidate names",
            "invite_to_revote": True,
        },
    )
    assert sorted(result["voters"]) == VOTERS and sorted(result["invited"]) == VOTERS
    old_end = admin.get(f"/api/v1/elections/{eid}")["schedule"]["end_utc"]
    new_end = (datetime.fromisoformat(old_end) + timedelta(hours=24)).isoformat()
    admin.post(f"/api/v1/elections/{eid}/extend", {"end": new_end, "reason": "time to re-vote"})
    admin.post(f"/api/v1/elections/{eid}/resume", {"reason": "ballot fixed"})
    outbox = admin.get(f"/api/v1/elections/{eid}/outbox")["messages"]
    assert sorted(m["recipient"] for m in outbox) == VOTERS
    # The private reason text goes only to the audit log: voters are told the reason code's
    # message (translated in the booth).
    assert "wrong candidate names" not in str(outbox)
    assert "the ballot shown to voters was wrong for a while" in outbox[0]["body"]
    ann = receipts["clients"]["Ann"]
    notices = ann.status()["notices"]
    assert notices and notices[0]["kind"] == "revote"
    assert notices[0]["reason_code"] == "ballot_error" and notices[0]["reason"] is None
    assert "wrong candidate names" not in str(ann.status())
    assert ann.status()["schedule"]["end_utc"] == new_end.replace("Z", "+00:00")
    again = ann.cast([[0, 1, 0]])
    assert ann.status()["notices"] == []
    known = ballot_states(admin, eid)
    states = {name: known[r["tracker"]] for name, r in receipts.items() if name != "clients"}
    assert set(states.values()) == {"struck"}
    assert known[again["tracker"]] == "current"
    assert my_states(ann) == {receipts["Ann"]["tracker"]: "struck", again["tracker"]: "current"}
    events = admin.board(eid)
    verify_chain(events)
    struck = next(e for e in events if e["type"] == "ballot_struck")
    # Public: the trackers, sorted as text; never the reason (code in aggregate only, at the
    # tally), the private text or who.
    assert set(struck["payload"]) == {"trackers", "count"}
    assert struck["payload"]["trackers"] == sorted(struck["payload"]["trackers"])
    assert "wrong candidate" not in str(events)
    # Close, scrutiny, seal, tally: only Ann's new ballot counts.
    admin.post(f"/api/v1/elections/{eid}/close", {"reason": "end"})
    admin.post(f"/api/v1/elections/{eid}/scrutiny/start")
    unstruck = login(client, "Scrut").post(
        f"/api/v1/elections/{eid}/scrutiny/unstrike",
        {
            "trackers": [receipts["Ben"]["tracker"]],
            "reason_code": "other",
            "reason_text": "Ben could not re-vote; his first ballot was unaffected after all",
        },
    )
    assert unstruck["trackers"] == [receipts["Ben"]["tracker"]]
    tally = admin.post(f"/api/v1/elections/{eid}/scrutiny/seal")
    assert sorted(tally["counted"]) == sorted([again["tracker"], receipts["Ben"]["tracker"]])
    with pytest.raises(ApiError) as err:  # no strike once the tally has started
        login(client, "Scrut").post(
            f"/api/v1/elections/{eid}/scrutiny/strike",
            {"trackers": [again["tracker"]], "reason_code": "other", "reason_text": "late"},
        )
    assert err.value.code == "wrong_phase"
    for t in trustees:
        t.decrypt()
    rows = admin.get(f"/api/v1/elections/{eid}/results")["questions"][0]["candidates"]
    assert [(r["support"], r["oppose"], r["neutral"]) for r in rows] == [(1, 0, 1), (1, 0, 1), (0, 1, 1)]
    report = verify_record(client.get(f"/api/v1/elections/{eid}/record").json(), workers=1)
    assert sorted(report.counted) == sorted([again["tracker"], receipts["Ben"]["tracker"]])


def test_strike_by_voter_takes_every_ballot_of_the_voter(client, election) -> None:
    admin, eid, _, receipts = election
    second = receipts["clients"]["Dan"].cast([[0, 0, 0]])
    result = login(client, "Scrut").post(
        f"/api/v1/elections/{eid}/scrutiny/strike",
        {"voters": ["Dan"], "reason_code": "sockpuppet", "reason_text": "same person as Cat"},
    )
    assert sorted(result["trackers"]) == sorted([receipts["Dan"]["tracker"], second["tracker"]])
    with pytest.raises(ApiError) as err:  # striking again changes nothing
        login(client, "Scrut").post(
            f"/api/v1/elections/{eid}/scrutiny/strike",
            {"voters": ["Dan"], "reason_code": "sockpuppet", "reason_text": "again"},
        )
    assert err.value.code == "nothing_to_change"


def test_candidate_withdrawal_keep_and_swap_strike(client, election) -> None:
    admin, eid, trustees, receipts = election
    ann = voter(client, eid, "Ann")
    ann.credential = CredentialKey.generate()
    prepared = ann.make_ballot([[1, 1, 0]])  # made on version 1, cast after the change
    kept = admin.post(
        f"/api/v1/elections/{eid}/candidates/change",
        {"position": 2, "reason": "Candidate 2 withdrew", "old_ballots": "keep"},
    )
    assert kept["version"] == 2 and kept["struck"] == []
    with pytest.raises(ApiError) as err:
        ann.cast_ballot(prepared)
    assert err.value.code == "stale_definition"
    swapped = admin.post(
        f"/api/v1/elections/{eid}/candidates/change",
        {"position": 0, "replacement": {"en": "Candidate 0b"}, "reason": "swap", "old_ballots": "strike"},
    )
    assert swapped["version"] == 3 and sorted(swapped["invited"]) == VOTERS
    definition = admin.get(f"/api/v1/elections/{eid}/definition")["definition"]
    names = [(c["name"], c["withdrawn"]) for c in definition["manifest"]["questions"][0]["candidates"]]
    assert names == [
        ("Candidate 0", True),
        ("Candidate 1", False),
        ("Candidate 2", True),
        ("Candidate 0b", False),
    ]
    cat = receipts["clients"]["Cat"]
    cat.context(refresh=True)
    cat.cast([[0, 1, 0, 1]])
    admin.post(f"/api/v1/elections/{eid}/close", {"reason": "end"})
    admin.post(f"/api/v1/elections/{eid}/tally/start")
    for t in trustees:
        t.decrypt()
    rows = admin.get(f"/api/v1/elections/{eid}/results")["questions"][0]["candidates"]
    assert [(r["name"], r["support"], r["withdrawn"], r["passed"]) for r in rows] == [
        ("Candidate 0", 0, True, False),
        ("Candidate 1", 1, False, True),
        ("Candidate 2", 0, True, False),
        ("Candidate 0b", 1, False, True),
    ]
    record = client.get(f"/api/v1/elections/{eid}/record").json()
    report = verify_record(record, workers=1)
    assert report.result["questions"][0]["candidates"][3]["support"] == 1
    # A later version may not rename an earlier candidate (or change the key, ...).
    import copy

    from crypto.errors import InvalidRecord
    from crypto.fingerprint import election_fingerprint
    from tests.verify.records import rehash

    forged = copy.deepcopy(record)
    event = next(e for e in forged["board"] if e["type"] == "ballot_definition")
    event["payload"]["manifest"]["questions"][0]["candidates"][1]["name"] = "Somebody else"
    event["payload"]["fingerprint"] = election_fingerprint(event["payload"]["manifest"])
    rehash(forged)
    with pytest.raises(InvalidRecord, match="changes candidate 1"):
        verify_record(forged, workers=1)


def test_purge_removes_private_signals_after_retention(client, election, settings) -> None:
    admin, eid, _, _ = election
    admin.post(f"/api/v1/elections/{eid}/close", {"reason": "end"})
    engine = make_engine(settings.effective_database_url)
    sessions = make_session_factory(engine)
    with transaction(sessions) as session:
        assert purge_due(session, timedelta(days=90)) == []
        session.execute(
            update(Election)
            .where(Election.id == eid)
            .values(closed_at=datetime.now(UTC) - timedelta(days=91))
        )
    with transaction(sessions) as session:
        assert eid in purge_due(session, timedelta(days=90))
        left = session.scalar(
            select(func.count()).select_from(VoterSignal).where(VoterSignal.election_id == eid)
        )
    engine.dispose()
    assert left == 0
    view = login(client, "Scrut").get(f"/api/v1/elections/{eid}/scrutiny/voters")
    assert view["pii_purged"] is True
    assert "pii.purge" in [e["action"] for e in admin.get(f"/api/v1/elections/{eid}/audit")["entries"]]


def test_no_interim_tally_ever(client, election) -> None:
    admin, eid, _, _ = election
    for phase_action in (None, "pause"):
        if phase_action:
            admin.post(f"/api/v1/elections/{eid}/pause", {"reason": "x"})
        with pytest.raises(ApiError) as err:
            admin.post(f"/api/v1/elections/{eid}/tally/start")
        assert err.value.code == "wrong_phase"
    with pytest.raises(ApiError):
        admin.get(f"/api/v1/elections/{eid}/tally")
    assert ADMIN


def test_strike_racing_a_cast_stays_consistent(settings, tmp_path) -> None:
    """A strike by voter and a cast by that voter at the same moment: both succeed or fail
    cleanly (no 5xx), and the board and the database agree on what is struck."""
    from concurrent.futures import ThreadPoolExecutor

    import httpx

    from app.client.http import ScrutinSession
    from app.client.voter import VoterClient
    from app.local_server import live_server
    from crypto.tally import counted_ballots
    from tests.service.helpers import election_config, run_ceremony

    with live_server(settings) as url:

        def session(name):
            return ScrutinSession(url, http=httpx.Client(base_url=url, timeout=60)).dev_login(name)

        admin = session(ADMIN)
        eid = admin.post("/api/v1/elections", election_config(trustees=1, threshold=1))["id"]
        admin.post(f"/api/v1/elections/{eid}/roles", {"username": "T1", "role": "trustee"})
        admin.post(f"/api/v1/elections/{eid}/roll", {"usernames": VOTERS})
        admin.post(f"/api/v1/elections/{eid}/freeze")
        run_ceremony(admin.http, eid, ["T1"], tmp_path)
        clients = {n: VoterClient(session(n), eid) for n in VOTERS}
        for c in clients.values():
            c.cast([[1, 0, 0]])
        ballots = {n: c.make_ballot([[0, 1, 0]]) for n, c in clients.items()}

        def cast(name):
            try:
                return clients[name].cast_ballot(ballots[name])
            except ApiError as exc:
                return exc

        def strike(name):
            try:
                return admin.post(
                    f"/api/v1/elections/{eid}/scrutiny/strike",
                    {"voters": [name], "reason_code": "sockpuppet", "reason_text": "race"},
                )
            except ApiError as exc:
                return exc

        with ThreadPoolExecutor(max_workers=8) as pool:
            futures = [pool.submit(f, n) for n in VOTERS for f in (cast, strike)]
            outcomes = [f.result() for f in futures]
        for outcome in outcomes:
            assert not isinstance(outcome, ApiError) or outcome.status < 500, outcome
        events = admin.board(eid)
        verify_chain(events)
        counted = {c.tracker for c in counted_ballots(events)}
        casts = admin.get(f"/api/v1/elections/{eid}/scrutiny/voters")["casts"]
        for row in casts:
            assert (row["state"] == "current") == (row["tracker"] in counted), row


def test_private_signals_never_reach_the_record(client, election) -> None:
    admin, eid, _, receipts = election
    scrut = login(client, "Scrut")
    rows = scrut.get(f"/api/v1/elections/{eid}/scrutiny/voters", {"pii": "true"})["casts"]
    private = {rows[0]["ip"], rows[0]["user_agent"]}
    record = client.get(f"/api/v1/elections/{eid}/record").text
    for value in private:
        assert value and value not in record
    for name in VOTERS:  # who voted is public on /voted, but not tied to ballots in the record
        assert f'"{name}"' not in record


def test_concurrent_audited_reads_do_not_collide(settings, tmp_path) -> None:
    """PII views are audited without the election lock: racing ones must all be recorded,
    in one unbroken chain, and none may fail."""
    from concurrent.futures import ThreadPoolExecutor

    import httpx

    from app.client.http import ScrutinSession
    from app.local_server import live_server
    from tests.service.helpers import election_config, run_ceremony

    with live_server(settings) as url:

        def session(name):
            return ScrutinSession(url, http=httpx.Client(base_url=url, timeout=60)).dev_login(name)

        admin = session(ADMIN)
        eid = admin.post("/api/v1/elections", election_config(trustees=1, threshold=1))["id"]
        admin.post(f"/api/v1/elections/{eid}/roles", {"username": "T1", "role": "trustee"})
        admin.post(
            f"/api/v1/elections/{eid}/roles", {"username": "Scrut", "role": "scrutineer", "flags": ["pii"]}
        )
        admin.post(f"/api/v1/elections/{eid}/freeze")
        run_ceremony(admin.http, eid, ["T1"], tmp_path)
        scrutineers = [session("Scrut") for _ in range(6)]

        def look(i):
            path = "voters?pii=true" if i % 2 else "signals"
            return scrutineers[i % 6].get(f"/api/v1/elections/{eid}/scrutiny/{path}")

        with ThreadPoolExecutor(max_workers=6) as pool:
            list(pool.map(look, range(24)))
        audit = admin.get(f"/api/v1/elections/{eid}/audit")
        views = [e for e in audit["entries"] if e["action"] in ("pii.view", "pii.signals")]
        assert len(views) == 24
        assert [e["seq"] for e in audit["entries"]] == list(range(1, len(audit["entries"]) + 1))
