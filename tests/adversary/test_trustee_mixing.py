"""Honest trustee clients mixing and decrypting ranked ballots in front of a lying server
(protocol.md §14): the server may offer rows that are not the verified chain's end, hide a
mix, or present a mix in another trustee's name — the client refuses, and the honest server
receives no mix or share it did not earn."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from app.client.trustee import TrusteeRefusal
from crypto import mixnet
from crypto.group import G, Point
from tests.adversary.test_trustee_client import RECORD, forge_board, honest_board, via
from tests.service.helpers import open_election, voter
from tests.verify.records import rehash

MIX_STATE = r"/api/v1/elections/[^/]+/tally/mix"


def ranked_tallying(honest: httpx.Client, key_dir: Path) -> str:
    """A ranked election (3 trustees) whose tally has started, three rankings cast."""
    admin, eid, _ = open_election(
        honest, key_dir, ["V1", "V2", "V3"], candidates=3, kind="ranked", method="meek", seats=1
    )
    for name, ranking in (("V1", [0, 1]), ("V2", [2]), ("V3", [1, 2, 0])):
        voter(honest, eid, name).cast([ranking])
    admin.post(f"/api/v1/elections/{eid}/close", {"reason": "end"})
    admin.post(f"/api/v1/elections/{eid}/tally/start")
    return eid


def mixes_on(honest: httpx.Client, eid: str) -> list[dict[str, Any]]:
    return [e for e in honest_board(honest, eid) if e["type"] == mixnet.MIX]


def test_mixer_refuses_rows_that_are_not_the_verified_chain(proxy, honest, tmp_path) -> None:
    # The server offers trustee 2 the counted set itself (skipping trustee 1's mix, so that the
    # server's own permutation knowledge survives), or trustee 1's output with one row replaced.
    eid = ranked_tallying(honest, tmp_path)
    via(honest.base_url.__str__(), eid, "Trustee1", tmp_path).mix()
    t2 = via(proxy.url, eid, "Trustee2", tmp_path)

    def skip_first(data: dict[str, Any], request: Any) -> dict[str, Any]:
        q = dict(data["questions"][0])
        q["current_hash"] = q["input_hash"]
        return {**data, "questions": [q]}

    rule = proxy.rewrite("GET", MIX_STATE, skip_first)
    with pytest.raises(TrusteeRefusal, match="question 0: the server offers rows"):
        t2.mix()
    assert rule.hits == 1 and len(mixes_on(honest, eid)) == 1
    rule.remove()
    assert t2.mix() == [0]  # with the honest answer, trustee 2 mixes the verified output
    assert [m["payload"]["index"] for m in mixes_on(honest, eid)] == [1, 2]


def test_decryption_refused_when_the_record_hides_a_mix(proxy, honest, tmp_path) -> None:
    # Both mixes are on the honest board; the record shown to the decrypting trustee omits the
    # second, so its chain has one mix only: the client must not decrypt a once-mixed chain.
    eid = ranked_tallying(honest, tmp_path)
    for name in ("Trustee1", "Trustee2"):
        via(str(honest.base_url), eid, name, tmp_path).mix()
    t3 = via(proxy.url, eid, "Trustee3", tmp_path)

    def hide_second(data: dict[str, Any], request: Any) -> None:
        mixes = [e for e in data["board"] if e["type"] == mixnet.MIX]
        data["board"] = [e for e in data["board"] if e is not mixes[1]]
        rehash(data)

    rule = proxy.rewrite("GET", RECORD, hide_second)
    with pytest.raises(TrusteeRefusal):
        t3.decrypt()
    assert rule.hits == 1
    assert not any(e["type"] == "decryption_share" for e in honest_board(honest, eid))
    assert "decrypted_tally" not in t3.state


def _relabel(events: list[dict[str, Any]]) -> None:
    [e for e in events if e["type"] == mixnet.MIX][1]["payload"]["index"] = 3


def _alter(events: list[dict[str, Any]]) -> None:
    ct = [e for e in events if e["type"] == mixnet.MIX][1]["payload"]["ciphertexts"][0][0]
    ct["beta"] = (Point.from_hex(ct["beta"]) + G).hex()


@pytest.mark.parametrize(
    "forge,message", [(_relabel, "signature does not verify"), (_alter, "output_hash is not the hash")]
)
def test_decryption_refused_for_a_forged_mix(proxy, honest, tmp_path, forge, message) -> None:
    # The board and record (alike, re-hashed) attribute trustee 2's mix to trustee 3 — one
    # party's mix counted as two parties' — or carry a mix whose output the server altered:
    # the client's verifier rejects both before any share is made.
    eid = ranked_tallying(honest, tmp_path)
    for name in ("Trustee1", "Trustee2"):
        via(str(honest.base_url), eid, name, tmp_path).mix()
    t3 = via(proxy.url, eid, "Trustee3", tmp_path)

    def record(data: dict[str, Any], request: Any) -> None:
        forge(data["board"])
        rehash(data)

    rules = [forge_board(proxy, forge), proxy.rewrite("GET", RECORD, record)]
    with pytest.raises(TrusteeRefusal, match=message):
        t3.decrypt()
    assert rules[1].hits == 1
    assert not any(e["type"] == "decryption_share" for e in honest_board(honest, eid))
    assert "decrypted_tally" not in t3.state
