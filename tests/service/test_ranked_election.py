"""Secret ranked elections end to end through the real service: encrypted rankings, two mixes
by different trustees, threshold decryption of the last mix, the count — and the verifier and
the server refusing each forged or premature step (protocol.md §14)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from app.client.http import ApiError
from app.client.trustee import TrusteeRefusal
from app.counting import count_rankings
from crypto import ceremony, mixnet
from crypto.elgamal import Ciphertext
from crypto.errors import InvalidResult, InvalidTally
from crypto.group import G, Point
from crypto.record import verify_record
from crypto.shuffle import rows_hash
from tests.service.helpers import ADMIN, election_config, login
from tests.verify.records import Built, events_of, rehash, run_election

NAMES = [f"Candidate {i}" for i in range(4)]
RANKINGS = {
    "Alice": [0, 2, 1],
    "Bob": [2, 0],
    "Carol": [1],
    "Dave": [2, 1, 0, 3],
    "Erin": [0],
    "Frank": [3, 2],
    "Grace": [],
}


def _votes() -> dict[str, list[list[list[int]]]]:
    return {name: [[r]] for name, r in RANKINGS.items()}


def _ranked(client: Any, tmp_path: Path, **kw: Any) -> Built:
    kw.setdefault("mixers", (0, 1))
    return run_election(
        client, tmp_path / "keys", _votes(), kind="ranked", candidates=4, method="meek", seats=2, **kw
    )


def _seed(built: Built, index: int) -> bytes:
    return next(t for t in built.trustees if t.state["index"] == index).seed


def test_ranked_election_mixed_twice_decrypted_and_counted(client: Any, tmp_path: Path) -> None:
    built = _ranked(client, tmp_path)
    report = verify_record(built.record, workers=1, counter=count_rankings)
    mixes = events_of(built.record, mixnet.MIX)
    assert [m["payload"]["index"] for m in mixes] == [1, 2]  # two different trustees
    question = report.result["questions"][0]  # type: ignore[index]
    expected = count_rankings(NAMES, list(RANKINGS.values()), "meek", 2)
    assert question["count"] == expected
    assert question["ballots_counted"] == len(RANKINGS) and question["invalid"] == 0
    names = {c["position"]: c["name"] for c in question["candidates"]}
    assert [names[p] for p in question["elected"]] == expected["elected"]
    mixes_check = next(c for c in report.checks if c.name == "mixes")
    assert mixes_check.status == "passed" and mixes_check.counts["mixes"] == 2
    # the published result is the server's own count, shown on the results API
    published = client.get(f"/api/v1/elections/{built.election_id}/results").json()
    assert published["questions"][0]["count"] == expected
    # exports: the BLT of the decrypted rankings recounts to the same result; wikitext, CSV
    blt = client.get(f"/api/v1/elections/{built.election_id}/results/0.blt")
    assert blt.status_code == 200
    from app.counting import count, parse_text

    recount = count("meek", parse_text(blt.text, fmt="blt"), 2)
    assert recount["elected"] == expected["elected"] and recount["rounds"] == expected["rounds"]
    assert sorted(map(tuple, question["ballots"])) == sorted(map(tuple, RANKINGS.values()))
    wikitext = client.get(f"/api/v1/elections/{built.election_id}/results.wikitext").text
    assert "Candidate" in wikitext and "{|" in wikitext
    csv = client.get(f"/api/v1/elections/{built.election_id}/results.csv").text
    assert csv.count(",ranked,") == 4
    assert client.get(f"/api/v1/elections/{built.election_id}/results/3.blt").status_code == 404


def test_nothing_is_decrypted_before_every_mix(client: Any, tmp_path: Path) -> None:
    built = _ranked(client, tmp_path, mixers=(0,), decrypting=())
    trustee = built.trustees[1]
    with pytest.raises(TrusteeRefusal, match="not yet mixed by 2"):
        trustee.decrypt()
    # a share posted anyway (the server is asked directly) is refused before any check
    with pytest.raises(ApiError) as refused:
        login(client, "Trustee2").post(f"/api/v1/elections/{built.election_id}/tally/shares", {"share": {}})
    assert (refused.value.status, refused.value.code) == (409, "mixing_incomplete")
    # the same trustee cannot mix twice; another can, and then decryption goes on
    assert built.trustees[0].mix() == []
    assert built.trustees[1].mix() == [0]
    built.trustees[1].decrypt()
    built.trustees[2].decrypt()


def test_the_server_refuses_a_mix_whose_proof_fails(client: Any, tmp_path: Path) -> None:
    built = _ranked(client, tmp_path, mixers=(), decrypting=())
    trustee = built.trustees[0]
    posted: list[dict[str, Any]] = []
    real_post = trustee.session.post

    def capture(path: str, body: Any) -> Any:
        posted.append(copy.deepcopy(body))
        raise RuntimeError("captured")

    trustee.session.post = capture  # type: ignore[method-assign]
    with pytest.raises(RuntimeError):
        trustee.mix()
    trustee.session.post = real_post  # type: ignore[method-assign]
    mix = posted[0]
    # the mixer replaces one ballot by its own choice and re-signs: the proof no longer holds
    row = mix["ciphertexts"][0][0]
    row["beta"] = (Point.from_hex(row["beta"]) + G).hex()
    rows = [[Ciphertext.from_json(c) for c in r] for r in mix["ciphertexts"]]
    mix["output_hash"] = rows_hash(rows, 1)
    mix["signature"] = ceremony.sign_message(
        trustee.seed,
        mixnet.MIX,
        built.election_id,
        mix["round"],
        mix["index"],
        mixnet.mix_body(0, 0, mix["input_hash"], mix["output_hash"], mix["proof"]),
    )
    with pytest.raises(ApiError) as refused:
        real_post(f"/api/v1/elections/{built.election_id}/tally/mixes", mix)
    assert refused.value.status == 422 and "shuffle proof" in refused.value.detail
    state = client.get(f"/api/v1/elections/{built.election_id}/tally/mix").json()
    assert state["questions"][0]["mixers"] == []  # nothing stored: the next mixer starts over
    assert built.trustees[1].mix() == [0]


def _remix(built: Built, record: dict[str, Any], event: dict[str, Any]) -> None:
    p = event["payload"]
    p["signature"] = ceremony.sign_message(
        _seed(built, p["index"]),
        mixnet.MIX,
        built.election_id,
        p["round"],
        p["index"],
        mixnet.mix_body(p["question"], p["position"], p["input_hash"], p["output_hash"], p["proof"]),
    )
    rehash(record)


def test_verifier_rejects_forged_mixes(client: Any, tmp_path: Path) -> None:
    built = _ranked(client, tmp_path)
    verify_record(built.record, workers=1, counter=count_rankings)

    # a mixer that swapped one ballot for another (re-signed, output hash recomputed)
    record = built.copy()
    mix = events_of(record, mixnet.MIX)[0]
    ct = mix["payload"]["ciphertexts"][1][0]
    ct["alpha"] = (Point.from_hex(ct["alpha"]) + G).hex()
    mix["payload"]["output_hash"] = rows_hash(
        [[Ciphertext.from_json(c) for c in r] for r in mix["payload"]["ciphertexts"]], 1
    )
    _remix(built, record, mix)
    with pytest.raises(InvalidTally, match="output_hash|previous output|shuffle proof"):
        verify_record(record, workers=1, counter=count_rankings)

    # the second mix signed as the first mixer (one party mixing twice)
    record = built.copy()
    second = events_of(record, mixnet.MIX)[1]
    second["payload"]["index"] = events_of(record, mixnet.MIX)[0]["payload"]["index"]
    _remix(built, record, second)
    with pytest.raises(InvalidTally, match="already mixed this question"):
        verify_record(record, workers=1, counter=count_rankings)

    # a mix whose signature is not its mixer's
    record = built.copy()
    first = events_of(record, mixnet.MIX)[0]
    first["payload"]["signature"] = "00" * 64
    rehash(record)
    with pytest.raises(InvalidTally, match="signature"):
        verify_record(record, workers=1, counter=count_rankings)

    # the second mix removed: shares decrypt a chain with one mix only
    record = built.copy()
    record["board"] = [e for e in record["board"] if e is not events_of(record, mixnet.MIX)[1]]
    rehash(record)
    with pytest.raises(InvalidTally, match="before every ranked question had its 2 mixes"):
        verify_record(record, workers=1, counter=count_rankings)

    # the encrypted tally's mix input summary names other rows
    record = built.copy()
    tally = events_of(record, "encrypted_tally")[0]
    tally["payload"]["mix_inputs"][0]["rows"] += 1
    rehash(record)
    with pytest.raises(InvalidTally, match="mix_inputs"):
        verify_record(record, workers=1, counter=count_rankings)


def test_verifier_recounts_the_published_ranked_result(client: Any, tmp_path: Path) -> None:
    built = _ranked(client, tmp_path)
    record = built.copy()
    result = events_of(record, "result")[0]["payload"]["result"]["questions"][0]
    result["count"]["elected"] = list(reversed(result["count"]["elected"]))
    rehash(record)
    with pytest.raises(InvalidResult, match="elected"):
        verify_record(record, workers=1, counter=count_rankings)


def test_ranked_needs_two_trustees_and_a_known_method(client: Any) -> None:
    admin = login(client, ADMIN)

    def refused(**config: Any) -> tuple[int, str]:
        with pytest.raises(ApiError) as error:
            admin.post("/api/v1/elections", election_config(kind="ranked", **config))
        return error.value.status, error.value.code

    assert refused(trustees=1, threshold=1) == (422, "too_few_mixers")
    assert refused(method="borda")[0] == 422
    assert refused(method="schulze", seats=2)[0] == 422
    assert refused(method="meek", min_selections=1)[0] == 422
    created = admin.post("/api/v1/elections", election_config(kind="ranked", method="irv"))
    assert created["questions"][0]["method"] == "irv" and created["questions"][0]["seats"] == 1


def test_a_ballot_mixing_sonc_and_ranked_questions(client: Any, tmp_path: Path) -> None:
    # One ballot: an S/O/N question (summed homomorphically) and a ranked one (mixed): both
    # are decrypted in one share per trustee, and both results are right.
    questions = [
        {
            "kind": "sonc",
            "title": {"en": "Admins"},
            "candidates": [{"name": {"en": "Ann"}}, {"name": {"en": "Ben"}}],
        },
        {
            "kind": "ranked",
            "title": {"en": "Board"},
            "method": "irv",
            "seats": 1,
            "candidates": [{"name": {"en": n}} for n in ("Cy", "Di", "Ed")],
        },
    ]
    votes = {"V1": [[[1, -1], [2, 0]]], "V2": [[[1, 0], [0, 2, 1]]], "V3": [[[-1, 1], [2]]]}
    built = run_election(
        client, tmp_path / "keys", votes, mixers=(1, 2), decrypting=(0, 2), questions=questions
    )
    report = verify_record(built.record, workers=1, counter=count_rankings)
    sonc, ranked = report.result["questions"]  # type: ignore[index]
    assert [(c["support"], c["oppose"]) for c in sonc["candidates"]] == [(2, 1), (1, 1)]
    expected = count_rankings(["Cy", "Di", "Ed"], [[2, 0], [0, 2, 1], [2]], "irv", 1)
    assert ranked["count"] == expected and ranked["elected"] == [2]
