"""The anonymity guard through the service: k in the manifest (default 5), small slots never
asked of the trustees and shown as "too few ballots to publish" in every result format, and a
candidate swap that would create one refused until the committee acknowledges it."""

from __future__ import annotations

import csv
import io

import pytest

from app.client.http import ApiError
from crypto.tally import ZERO
from tests.service.helpers import ADMIN, election_config, login, open_election, voter

SWAP = {
    "question": 0,
    "position": 1,
    "replacement": {"en": "Newcomer"},
    "reason": "candidate 1 withdrew",
    "old_ballots": "keep",
}


def test_default_k_is_five_and_stated_in_the_manifest(client, tmp_path) -> None:
    admin, eid, _ = open_election(client, tmp_path, ["Ann"], min_contributors=None)
    assert admin.get(f"/api/v1/elections/{eid}")["min_contributors"] == 5
    manifest = admin.get(f"/api/v1/elections/{eid}/definition")["definition"]["manifest"]
    assert manifest["min_contributors"] == 5
    # Bound into the fingerprint with the ceremony: not editable afterwards.
    with pytest.raises(ApiError) as err:
        admin.patch(f"/api/v1/elections/{eid}", {"min_contributors": 1})
    assert err.value.status == 409
    for bad in (0, -1, 1001, "many"):
        with pytest.raises(ApiError) as err:
            login(client, ADMIN).post("/api/v1/elections", election_config(min_contributors=bad))
        assert err.value.status == 422, bad


def test_small_election_is_never_decrypted_and_says_so(client, tmp_path) -> None:
    admin, eid, trustees = open_election(client, tmp_path, ["Ann", "Ben"], min_contributors=None)
    voter(client, eid, "Ann").cast([[1, -1, 0]])
    voter(client, eid, "Ben").cast([[1, 1, 0]])
    admin.post(f"/api/v1/elections/{eid}/close", {"reason": "end"})
    started = admin.post(f"/api/v1/elections/{eid}/tally/start")
    # Two ballots < k = 5: every slot is the identity, so the trustees are asked nothing.
    assert started["ciphertexts"] == [ZERO.to_json()] * 6
    for t in trustees[:2]:
        t.decrypt()
    result = admin.get(f"/api/v1/elections/{eid}/results")
    assert result["ballots_counted"] == 2 and result["min_contributors"] == 5
    rows = result["questions"][0]["candidates"]
    assert all(r["too_few_ballots"] and r["support"] is None and not r["passed"] for r in rows)
    table = list(csv.DictReader(io.StringIO(client.get(f"/api/v1/elections/{eid}/results.csv").text)))
    assert [r["withheld"] for r in table] == ["too few ballots to publish"] * 3
    assert all(r["support"] == "" for r in table)
    wikitext = client.get(f"/api/v1/elections/{eid}/results.wikitext").text
    assert wikitext.count("Too few ballots to publish") == 3
    assert "fewer than 5 counted ballots are not published" in wikitext


def test_a_swap_keeping_old_ballots_is_refused_until_acknowledged(client, tmp_path) -> None:
    admin, eid, _ = open_election(client, tmp_path, ["Ann", "Ben"], min_contributors=None)
    path = f"/api/v1/elections/{eid}/candidates/change"
    # Before any ballot nothing is kept, so there is nothing to warn about... (a new election)
    voter(client, eid, "Ann").cast([[1, 1, 1]])
    before = admin.board(eid)
    with pytest.raises(ApiError) as err:
        admin.post(path, SWAP)
    assert err.value.status == 409 and err.value.code == "small_slots"
    assert "too few ballots to publish" in err.value.detail and "5" in err.value.detail
    assert admin.board(eid) == before  # nothing changed
    assert admin.get(f"/api/v1/elections/{eid}")["definition_version"] == 1
    assert [c["withdrawn"] for c in admin.get(f"/api/v1/elections/{eid}")["questions"][0]["candidates"]] == [
        False,
        False,
        False,
    ]
    # A plain withdrawal, or a swap that strikes the old ballots, makes no small slot.
    admin.post(path, SWAP | {"replacement": None, "position": 2})
    changed = admin.post(path, SWAP | {"acknowledge_small_slots": True})
    assert changed["version"] == 3
    manifest = admin.get(f"/api/v1/elections/{eid}/definition")["definition"]["manifest"]
    assert manifest["min_contributors"] == 5


def test_a_swap_striking_old_ballots_needs_no_acknowledgement(client, tmp_path) -> None:
    admin, eid, _ = open_election(client, tmp_path, ["Ann"], min_contributors=None)
    voter(client, eid, "Ann").cast([[1, 1, 1]])
    changed = admin.post(f"/api/v1/elections/{eid}/candidates/change", SWAP | {"old_ballots": "strike"})
    assert changed["version"] == 2 and changed["invited"] == ["Ann"]


def test_withheld_options_of_a_plurality_question_in_every_format(client, tmp_path) -> None:
    admin, eid, trustees = open_election(
        client, tmp_path, ["Ann", "Ben"], min_contributors=None, kind="plurality"
    )
    voter(client, eid, "Ann").cast([[1, 0, 0]])
    voter(client, eid, "Ben").cast([[0, 1, 0]])
    admin.post(f"/api/v1/elections/{eid}/close", {"reason": "end"})
    admin.post(f"/api/v1/elections/{eid}/tally/start")
    for t in trustees[:2]:
        t.decrypt()
    question = admin.get(f"/api/v1/elections/{eid}/results")["questions"][0]
    assert question["withheld"] == [0, 1, 2] and question["elected"] == []
    assert all(c["votes"] is None and c["too_few_ballots"] for c in question["candidates"])
    wikitext = client.get(f"/api/v1/elections/{eid}/results.wikitext").text
    assert wikitext.count('colspan="2" | Too few ballots to publish') == 3
    assert "(anonymity guard)" in wikitext
    table = list(csv.DictReader(io.StringIO(client.get(f"/api/v1/elections/{eid}/results.csv").text)))
    assert [(r["votes"], r["withheld"]) for r in table] == [("", "too few ballots to publish")] * 3
