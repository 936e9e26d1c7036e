"""The anonymity guard (DESIGN §3.9) on a real record: after a candidate swap that kept the
old ballots, the new candidate is on one ballot only — its slots are the identity in the
encrypted tally (never decrypted), its row says "too few ballots", and the verifier refuses a
record that decrypts or publishes it."""

from __future__ import annotations

import pytest

from crypto.errors import InvalidRecord, InvalidResult, InvalidTally
from crypto.fingerprint import election_fingerprint
from crypto.record import verify_record
from crypto.tally import ZERO, guarded_slots
from tests.service.helpers import ADMIN, login, open_election, voter
from tests.verify.records import (
    Built,
    fetch_record,
    first,
    rehash,
)

K = 3
OLD = {"V1": [1, 1, -1], "V2": [-1, 1, 0], "V3": [1, -1, 1]}
LATE = [1, 0, -1, 1]  # V4, on version 2: positions 0, 1, 2 (withdrawn), 3 (new)


@pytest.fixture(scope="module")
def built(service) -> Built:
    client, tmp = service
    admin, eid, trustees = open_election(client, tmp / "guard", [*OLD, "V4"], min_contributors=K)
    clients = {name: voter(client, eid, name) for name in [*OLD, "V4"]}
    for name, choice in OLD.items():
        clients[name].cast([choice])
    change = {
        "question": 0,
        "position": 2,
        "replacement": {"en": "Newcomer"},
        "reason": "candidate 2 withdrew",
        "old_ballots": "keep",
    }
    admin.post(f"/api/v1/elections/{eid}/candidates/change", change | {"acknowledge_small_slots": True})
    clients["V4"].cast([LATE])
    admin.post(f"/api/v1/elections/{eid}/close", {"reason": "end"})
    admin.post(f"/api/v1/elections/{eid}/tally/start")
    for t in trustees[:2]:
        t.decrypt()
    return Built(fetch_record(client, eid), eid, clients, trustees)


@pytest.fixture
def rec(built: Built) -> dict:
    return built.copy()


def test_honest_record_withholds_the_small_slot(built: Built) -> None:
    report = verify_record(built.record, workers=1)
    aggregate = next(c for c in report.checks if c.name == "aggregate")
    assert aggregate.counts["withheld"] == 2 and "withheld" in aggregate.summary
    tally = first(built.record, "encrypted_tally")["payload"]
    manifest = first(built.record, "ballot_definition")["payload"]["manifest"]
    assert manifest["min_contributors"] == K
    assert tally["contributors"] == [[4, 4, 4, 1]]
    assert guarded_slots(manifest, tally["contributors"]) == [False] * 6 + [True] * 2
    assert [c for c in tally["ciphertexts"][6:]] == [ZERO.to_json()] * 2
    result = first(built.record, "result")["payload"]["result"]
    assert result["min_contributors"] == K
    rows = result["questions"][0]["candidates"]
    newcomer = rows[3]
    assert newcomer["too_few_ballots"] is True and newcomer["support"] is None
    assert newcomer["oppose"] is None and newcomer["neutral"] is None and not newcomer["passed"]
    assert result["questions"][0]["withheld"] == [3]
    # The others are published from all four ballots (V4 listed them too).
    assert [(r["support"], r["oppose"], r["neutral"]) for r in rows[:2]] == [(3, 1, 0), (2, 1, 1)]
    assert not any(r["too_few_ballots"] for r in rows[:3])


def test_decrypting_a_guarded_slot_is_refused(rec: dict, built: Built) -> None:
    tally = first(rec, "encrypted_tally")
    late = next(
        b
        for b in rec["ballots"].values()
        if b["fingerprint"] != first(rec, "election_setup")["payload"]["fingerprint"]
    )
    # What a lying server would put there: V4's own ciphertext for the new candidate (the sum
    # of one ballot), which the trustees would then decrypt into her choice.
    tally["payload"]["ciphertexts"][6] = late["answers"][0]["ciphertexts"][6]
    rehash(rec)
    with pytest.raises(
        InvalidTally,
        match=r"question 0, candidate 3 \(Newcomer\) support: fewer "
        r"than min_contributors = 3 counted ballots listed this candidate",
    ):
        verify_record(rec, workers=1)


def test_publishing_a_withheld_figure_is_refused(rec: dict) -> None:
    row = first(rec, "result")["payload"]["result"]["questions"][0]["candidates"][3]
    row.update(support=0, oppose=0, neutral=1, too_few_ballots=False)
    rehash(rec)
    with pytest.raises(InvalidResult, match="candidates\\[3\\]"):
        verify_record(rec, workers=1)


def test_a_later_version_cannot_change_the_guard(rec: dict) -> None:
    event = first(rec, "ballot_definition")
    event["payload"]["manifest"]["min_contributors"] = 1
    event["payload"]["fingerprint"] = election_fingerprint(event["payload"]["manifest"])
    rehash(rec)
    with pytest.raises(InvalidRecord, match="version 2 changes min_contributors"):
        verify_record(rec, workers=1)


def test_the_swap_was_refused_until_acknowledged(built: Built, service) -> None:
    client, _ = service
    admin = login(client, ADMIN)
    log = admin.get(f"/api/v1/elections/{built.election_id}/audit")["entries"]
    change = next(e for e in log if e["action"] == "candidates.change")
    assert change["detail"]["acknowledge_small_slots"] is True
