"""The verifier accepts honest records of real elections run through the service, whatever
the ballot kind and stage, and reports what it checked."""

from __future__ import annotations

import pytest

from crypto.record import CHECKS, verify_record
from tests.verify.records import Built, events_of, run_election

SONC: dict = {  # S/O/N per candidate (1 support, -1 oppose, 0 neutral); later entries re-vote
    "A1": [[[1, 1, -1]]],
    "A2": [[[-1, -1, -1]], [[1, -1, -1]]],
    "A3": [[[1, 0, 1]]],
    "A4": [[[1, 1, 1]], [[0, 0, 0]], [[-1, 1, 1]]],
    "A5": [[[0, 0, 0]]],
}
APPROVAL: dict = {
    "B1": [[[1, 1, 0, 0]]],
    "B2": [[[0, 1, 0, 0]], [[0, 1, 1, 0]]],
    "B3": [[[1, 0, 0, 0]]],
    "B4": [[[0, 1, 0, 1]]],
}
PLURALITY: dict = {"C1": [[[0, 0, 1]]], "C2": [[[0, 0, 1]]], "C3": [[[1, 0, 0]], [[0, 1, 0]]]}


def sonc_totals(votes: dict) -> list[int]:
    last = [ballots[-1][0] for ballots in votes.values()]
    out = []
    for c in range(len(last[0])):
        out += [sum(v[c] == 1 for v in last), sum(v[c] == -1 for v in last)]
    return out


def selection_totals(votes: dict) -> list[int]:
    last = [ballots[-1][0] for ballots in votes.values()]
    return [sum(v[c] for v in last) for c in range(len(last[0]))]


@pytest.fixture(scope="module")
def records(service) -> dict[str, Built]:
    client, tmp = service
    return {
        "sonc": run_election(
            client, tmp / "sonc", SONC, extra_voters=("Silent",), decrypting=(1, 2), pause_between=True
        ),
        "approval": run_election(
            client,
            tmp / "approval",
            APPROVAL,
            kind="approval",
            candidates=4,
            min_selections=1,
            max_selections=2,
            seats=2,
        ),
        "plurality": run_election(
            client, tmp / "plurality", PLURALITY, kind="plurality", trustees=2, threshold=1
        ),
        "empty": run_election(client, tmp / "empty", {}, extra_voters=("Nobody",), trustees=2, threshold=2),
        "independent": run_election(
            client,
            tmp / "indep",
            {"D1": [[[1, 0]]], "D2": [[[0, -1]], [[1, 1]]]},
            candidates=2,
            credential_mode="independent",
            extra_voters=("D3",),
        ),
        "open": run_election(client, tmp / "open", {"E1": [[[1, 0, 0]]]}, close=False),
        "closed": run_election(client, tmp / "closed", {"F1": [[[1, 0, 0]], [[0, 1, 0]]]}, tally=False),
        "tallying": run_election(client, tmp / "tallying", {"G1": [[[1, 0, 0]]]}, decrypting=(0,)),
    }


def published_result(record: dict) -> dict:
    return events_of(record, "result")[0]["payload"]["result"]


def test_sonc_with_revotes_and_a_pause(records) -> None:
    built = records["sonc"]
    report = verify_record(built.copy(), workers=1)
    assert [c.name for c in report.checks] == [name for name, _ in CHECKS]
    assert all(c.status == "passed" for c in report.checks)
    assert report.stage == "published" and report.tally_present
    assert report.totals == tuple(sonc_totals(SONC))
    assert report.result == published_result(built.record)
    assert report.result["ballots_counted"] == 5
    counts = {c.name: c.counts for c in report.checks}
    assert counts["ballots"]["ballots"] == 8
    assert counts["counted"] == {"cast": 8, "counted": 5, "credentials": 5, "not_counted": 3}
    assert counts["decryption_shares"]["shares"] == 2
    assert events_of(built.record, "result")[0]["payload"]["shares_used"] == [2, 3]
    assert report.head == built.record["board"][-1]["hash"]
    assert report.credential_mode == "convenient"
    # the counted set is the last ballot of each voter
    last = {
        e["payload"]["credential"]: e["payload"]["tracker"] for e in events_of(built.record, "ballot_cast")
    }
    assert set(report.counted) == set(last.values())


def test_parallel_and_serial_agree(records) -> None:
    record = records["sonc"].copy()
    seen: list[tuple[str, int, int]] = []
    parallel = verify_record(record, workers=2, progress=lambda *a: seen.append(a))
    serial = verify_record(record, workers=1)
    assert parallel.result == serial.result and parallel.counted == serial.counted
    assert ("ballots", 8, 8) in seen
    assert {c.name: c.counts for c in parallel.checks}["ballots"]["workers"] == 2


def test_approval_with_min_max_and_seats(records) -> None:
    report = verify_record(records["approval"].copy(), workers=1)
    assert report.totals == tuple(selection_totals(APPROVAL))  # [2, 3, 1, 1]
    question = report.result["questions"][0]
    assert question["kind"] == "approval" and question["elected"] == [1, 0]
    assert report.result == published_result(records["approval"].record)


def test_plurality(records) -> None:
    report = verify_record(records["plurality"].copy(), workers=1)
    assert report.totals == (0, 1, 2)
    assert report.result["questions"][0]["elected"] == [2]


def test_empty_election(records) -> None:
    report = verify_record(records["empty"].copy())
    assert report.result["ballots_counted"] == 0 and report.totals == (0,) * 6
    assert report.counted == ()


def test_independent_credentials(records) -> None:
    report = verify_record(records["independent"].copy(), workers=1)
    assert report.credential_mode == "independent"
    assert report.totals == (2, 0, 1, 0)
    assert {c.name: c.counts for c in report.checks}["credentials"]["credentials"] == 3


@pytest.mark.parametrize("stage,expected", [("open", "open"), ("closed", "closed")])
def test_records_before_the_tally(records, stage, expected) -> None:
    report = verify_record(records[stage].copy(), workers=1)
    assert report.stage == expected and not report.tally_present and report.result is None
    statuses = {c.name: c.status for c in report.checks}
    assert statuses["ballots"] == statuses["counted"] == "passed"
    for name in ("aggregate", "decryption_shares", "totals", "result"):
        assert statuses[name] == "skipped"
    assert len(report.counted) == 1
    assert any("no tally yet" in note for note in report.notes)


def test_tally_started_without_result(records) -> None:
    report = verify_record(records["tallying"].copy(), workers=1)
    statuses = {c.name: c.status for c in report.checks}
    assert report.stage == "tallying" and report.tally_present
    assert statuses["aggregate"] == statuses["decryption_shares"] == "passed"
    assert statuses["totals"] == statuses["result"] == "skipped"
    assert report.result is None


def test_report_json_is_serialisable(records) -> None:
    import json

    data = json.loads(json.dumps(verify_record(records["sonc"].copy(), workers=1).to_json()))
    assert data["verified"] is True and data["stage"] == "published"
    assert [c["name"] for c in data["checks"]][:3] == ["record", "chain", "setup"]
