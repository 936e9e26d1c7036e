"""The key ceremony (protocol 2): identities, commit before reveal, signed messages only in
order, complaints judged from the board, culprits excluded, bounded restarts, key files."""

import base64
import json
import os
import stat

import pytest

from app.client.http import ApiError
from app.client.keyfile import KeyFileError
from app.client.trustee import TrusteeClient, TrusteeRefusal, run_ceremony
from crypto import ceremony as protocol
from crypto.board import verify_chain
from crypto.group import Point, Scalar
from crypto.record import verify_record
from crypto.threshold import combine_public_key, seal_share_revealable
from tests.service.helpers import ADMIN, PASSPHRASE, election_config, login, trustee_client


def frozen_election(client, trustees=3, threshold=2) -> str:
    admin = login(client, ADMIN)
    eid = admin.post("/api/v1/elections", election_config(trustees=trustees, threshold=threshold))["id"]
    for i in range(1, trustees + 1):
        admin.post(f"/api/v1/elections/{eid}/roles", {"username": f"T{i}", "role": "trustee"})
    admin.post(f"/api/v1/elections/{eid}/roll", {"usernames": ["V1", "V2"]})
    admin.post(f"/api/v1/elections/{eid}/freeze")
    return eid


def trustees_of(client, eid, tmp_path, n=3, prefix="") -> list[TrusteeClient]:
    return [trustee_client(client, eid, f"T{i}", tmp_path / prefix) for i in range(1, n + 1)]


def record_of(client, eid) -> dict:
    return login(client, ADMIN).get(f"/api/v1/elections/{eid}/record")


def test_full_ceremony_publishes_key_and_fingerprint(client, tmp_path) -> None:
    eid = frozen_election(client)
    ts = trustees_of(client, eid, tmp_path)
    run_ceremony(ts)
    admin = login(client, ADMIN)
    election = admin.get(f"/api/v1/elections/{eid}")
    assert election["phase"] == "open"  # the schedule had started already
    events = admin.board(eid)
    verify_chain(events)
    types = [e["type"] for e in events]
    assert types[0] == "ceremony_started"
    assert events[0]["payload"]["protocol"] == protocol.PROTOCOL

    def span(kind):
        positions = [i for i, t in enumerate(types) if t == kind]
        assert len(positions) == 3, kind
        return min(positions), max(positions)

    # Commit before reveal; every commitment before any share; every confirmation before setup.
    assert span("trustee_joined")[1] < span("trustee_commitment_hash")[0]
    assert span("trustee_commitment_hash")[1] < span("trustee_commitments")[0]
    assert span("trustee_commitments")[1] < span("trustee_shares_sent")[0]
    assert span("trustee_shares_sent")[1] < span("trustee_confirmed")[0]
    setup = next(e for e in events if e["type"] == "election_setup")
    assert span("trustee_confirmed")[1] < types.index("election_setup")
    fingerprint = setup["payload"]["fingerprint"]
    assert fingerprint == election["fingerprint"]
    assert {e["payload"]["fingerprint"] for e in events if e["type"] == "trustee_confirmed"} == {fingerprint}
    manifest = setup["payload"]["manifest"]
    assert manifest["manifest_version"] == 2
    assert [t["signing_key"] for t in manifest["trustees"]] == [t.signing_key for t in ts]
    commitments = [[Point.from_hex(c) for c in t["commitments"]] for t in manifest["trustees"]]
    assert combine_public_key(commitments).hex() == election["public_key"]
    status = admin.get(f"/api/v1/elections/{eid}/ceremony")
    assert [t["fingerprint"] for t in status["trustees"]] == [t.fingerprint for t in ts]
    report = verify_record(record_of(client, eid), workers=1)
    assert report.fingerprint == fingerprint
    setup_check = next(c for c in report.checks if c.name == "setup")
    assert setup_check.counts["signatures"] == 15  # 5 signed messages × 3 trustees
    for t in ts:
        # Once the board shows the setup, the key file keeps the share and the confirmed
        # fingerprint, not the polynomial (kept until then to answer a late complaint), and
        # none of it in the clear.
        assert t.next_step() == "nothing to do: this trustee has confirmed"
        assert "secret_share" in t.state and t.state["fingerprint"] == fingerprint
        assert all("coefficients" not in r for r in t.state["rounds"].values())
        raw = t.key_file.read_text()
        assert t.state["secret_share"] not in raw and "identity_seed" not in raw
        assert stat.S_IMODE(os.stat(t.key_file).st_mode) == 0o600


def test_reveal_waits_for_every_commitment_hash(client, tmp_path) -> None:
    eid = frozen_election(client)
    ts = trustees_of(client, eid, tmp_path)
    for t in ts:
        t.join()
    ts[0].commit()
    with pytest.raises(TrusteeRefusal, match="not every trustee has committed"):
        ts[0].reveal()
    # The server refuses it too, even from a client that does not wait.
    mine = ts[0].state["rounds"]["1"]
    with pytest.raises(ApiError) as err:
        ts[0]._post(
            "commitments",
            protocol.COMMITMENTS,
            1,
            1,
            {"commitments": mine["commitments"], "proofs": mine["proofs"]},
        )
    assert err.value.status == 409 and err.value.code == "ceremony_rejected"
    assert "commit before reveal" in err.value.detail


def test_shares_wait_for_all_commitments(client, tmp_path) -> None:
    eid = frozen_election(client)
    ts = trustees_of(client, eid, tmp_path)
    for step in ("join", "commit"):
        for t in ts:
            getattr(t, step)()
    ts[0].reveal()
    with pytest.raises(TrusteeRefusal, match="not every trustee has revealed"):
        ts[0].send_shares()


def test_invalid_or_unsigned_messages_are_refused(client, tmp_path) -> None:
    eid = frozen_election(client)
    ts = trustees_of(client, eid, tmp_path)
    for t in ts:
        t.join()
    # A signature by another identity (the server cannot forge a trustee's message).
    forger = protocol.generate_identity()
    body = {"digest": "11" * 32}
    signature = protocol.sign_message(forger, protocol.COMMITMENT_HASH, eid, 1, 1, body)
    with pytest.raises(ApiError) as err:
        ts[0].session.post(
            f"/api/v1/elections/{eid}/ceremony/commitment-hash", {"round": 1, **body, "signature": signature}
        )
    assert err.value.code == "ceremony_rejected" and "signature does not verify" in err.value.detail
    # Invalid commitment proofs, properly signed and committed to.
    for t in ts:
        t.commit()
    mine = ts[0].state["rounds"]["1"]
    mine["proofs"][0]["response"] = "00" * 32
    with pytest.raises(ApiError) as err:
        ts[0].reveal()  # the hash no longer matches
    assert err.value.code == "ceremony_rejected"
    # A message for another round (a replay).
    with pytest.raises(ApiError) as err:
        ts[1]._post("commitment-hash", protocol.COMMITMENT_HASH, 2, 2, {"digest": "22" * 32})
    assert err.value.code == "stale_round"
    status = login(client, ADMIN).get(f"/api/v1/elections/{eid}/ceremony")
    assert [t["status"] for t in status["trustees"]] == ["hashed"] * 3


def _cheat_with_shares(ts, eid) -> None:
    """Trustee 3 seals garbage (a share that does not match its commitments) to the others."""
    cheat = ts[2]
    state = cheat.ceremony()
    seed = bytes.fromhex(cheat.state["rounds"]["1"]["share_seed"])
    sealed = {}
    for j, t in state.round.trustees.items():
        if j == 3:
            continue
        raw = seal_share_revealable(
            bytes.fromhex(t.encryption_key),
            Scalar.from_int(12345),
            protocol.share_context(eid, 1, 3, j),
            protocol.share_ephemeral_key(seed, 1, j),
        )
        sealed[str(j)] = base64.b64encode(raw).decode()
    cheat._post("shares", protocol.SHARES_SENT, 1, 3, {"sealed": sealed})


def _until_shares(ts) -> None:
    for step in ("join", "commit", "reveal"):
        for t in ts:
            getattr(t, step)()


def test_bad_share_is_judged_and_the_culprit_replaced(client, tmp_path) -> None:
    eid = frozen_election(client)
    ts = trustees_of(client, eid, tmp_path)
    _until_shares(ts)
    _cheat_with_shares(ts, eid)
    ts[0].send_shares()
    ts[1].send_shares()
    assert ts[0].verify_and_confirm()["status"] == "complained"
    # The accused reveals the disputed share; anyone (here the server) re-seals and checks it.
    assert ts[2].answer_complaints() == 1
    admin = login(client, ADMIN)
    status = admin.get(f"/api/v1/elections/{eid}/ceremony")
    [complaint] = status["complaints"]
    assert (complaint["accused_index"], complaint["finding"], complaint["culprit_index"]) == (
        3,
        "share_invalid",
        3,
    )
    assert status["excluded"] == ["T3"]
    # A restart with the culprit still on board is refused; replace it in draft.
    with pytest.raises(ApiError) as err:
        admin.post(f"/api/v1/elections/{eid}/ceremony/restart", {"reason": "bad share"})
    assert err.value.code == "trustee_excluded"
    admin.post(f"/api/v1/elections/{eid}/ceremony/back-to-draft", {"reason": "replace T3"})
    admin.delete(f"/api/v1/elections/{eid}/roles/trustee/T3")
    with pytest.raises(ApiError) as err:
        admin.post(f"/api/v1/elections/{eid}/roles", {"username": "T3", "role": "trustee"})
    assert err.value.code == "trustee_excluded"
    admin.post(f"/api/v1/elections/{eid}/roles", {"username": "T4", "role": "trustee"})
    admin.post(f"/api/v1/elections/{eid}/freeze")
    fresh = [trustee_client(client, eid, name, tmp_path / "r2") for name in ("T1", "T2", "T4")]
    run_ceremony(fresh)
    assert admin.get(f"/api/v1/elections/{eid}")["phase"] == "open"
    report = verify_record(record_of(client, eid), workers=1)
    assert report.ok


def test_false_complaint_makes_the_complainant_the_culprit(client, tmp_path) -> None:
    eid = frozen_election(client)
    ts = trustees_of(client, eid, tmp_path)
    _until_shares(ts)
    for t in ts:
        t.send_shares()
    # Trustee 1 falsely claims trustee 2's (good) share is wrong.
    ts[0]._post(
        "complaints", protocol.COMPLAINT, 1, 1, {"complainant_index": 1, "accused_index": 2, "reason": "lies"}
    )
    ts[1].answer_complaints()
    status = login(client, ADMIN).get(f"/api/v1/elections/{eid}/ceremony")
    assert status["complaints"][0]["finding"] == "share_valid"
    assert status["complaints"][0]["culprit_index"] == 1
    assert status["excluded"] == ["T1"]
    verify_record(record_of(client, eid), workers=1)  # the judged complaint is on the record


def test_a_trustee_that_confirmed_can_still_answer_a_late_complaint(client, tmp_path) -> None:
    # Trustee 2 confirms first; trustee 1 then complains about trustee 2's share. Trustee 2 must
    # still hold its polynomial to reveal the share, or it would be judged for not answering.
    eid = frozen_election(client)
    ts = trustees_of(client, eid, tmp_path)
    _until_shares(ts)
    for t in ts:
        t.send_shares()
    assert ts[1].verify_and_confirm()["status"] == "confirmed"
    ts[0]._post(
        "complaints",
        protocol.COMPLAINT,
        1,
        1,
        {"complainant_index": 1, "accused_index": 2, "reason": "late and false"},
    )
    assert ts[1].next_step() == "answered 1 complaint(s)"
    status = login(client, ADMIN).get(f"/api/v1/elections/{eid}/ceremony")
    assert status["complaints"][0]["finding"] == "share_valid"
    assert status["complaints"][0]["culprit_index"] == 1


def test_unanswered_complaint_is_settled_by_the_committee(client, tmp_path) -> None:
    eid = frozen_election(client)
    ts = trustees_of(client, eid, tmp_path)
    _until_shares(ts)
    _cheat_with_shares(ts, eid)
    ts[0].send_shares()
    ts[1].send_shares()
    ts[1].verify_and_confirm()
    admin = login(client, ADMIN)
    with pytest.raises(ApiError) as err:  # no restart while the complaint is open
        admin.post(f"/api/v1/elections/{eid}/ceremony/back-to-draft", {"reason": "stuck"})
    assert err.value.code == "ceremony_rejected" and "unresolved" in err.value.detail
    admin.post(f"/api/v1/elections/{eid}/ceremony/no-answer", {"complainant_index": 2, "accused_index": 3})
    status = admin.get(f"/api/v1/elections/{eid}/ceremony")
    assert status["complaints"][0]["finding"] == "no_answer" and status["excluded"] == ["T3"]
    # The committee cannot pretend an answered complaint went unanswered.
    with pytest.raises(ApiError):
        admin.post(
            f"/api/v1/elections/{eid}/ceremony/no-answer", {"complainant_index": 2, "accused_index": 3}
        )


def test_restarts_are_bounded(client, tmp_path) -> None:
    eid = frozen_election(client)
    admin = login(client, ADMIN)
    for _ in range(protocol.MAX_ROUNDS - 1):
        admin.post(f"/api/v1/elections/{eid}/ceremony/restart", {"reason": "lost a laptop"})
    with pytest.raises(ApiError) as err:
        admin.post(f"/api/v1/elections/{eid}/ceremony/restart", {"reason": "once more"})
    assert err.value.code == "ceremony_rejected" and f"at most {protocol.MAX_ROUNDS}" in err.value.detail


def test_only_trustees_take_part(client, tmp_path) -> None:
    eid = frozen_election(client)
    outsider = login(client, "Mallory")
    seed = protocol.generate_identity()
    body = {"signing_key": protocol.identity_public(seed), "encryption_key": "11" * 32}
    with pytest.raises(ApiError) as err:
        outsider.post(
            f"/api/v1/elections/{eid}/ceremony/join",
            {"round": 1, **body, "signature": protocol.sign_message(seed, protocol.JOINED, eid, 1, 1, body)},
        )
    assert err.value.status == 403
    with pytest.raises(ApiError) as err:
        outsider.get(f"/api/v1/elections/{eid}/ceremony")
    assert err.value.status == 403


def test_key_file_needs_its_passphrase(client, tmp_path) -> None:
    eid = frozen_election(client)
    t1 = trustee_client(client, eid, "T1", tmp_path)
    t1.join()
    before = t1.key_file.read_bytes()
    with pytest.raises(KeyFileError, match="wrong passphrase"):
        trustee_client(client, eid, "T1", tmp_path, passphrase="not it")
    assert t1.key_file.read_bytes() == before  # nothing changed
    again = trustee_client(client, eid, "T1", tmp_path, passphrase=PASSPHRASE)
    assert again.fingerprint == t1.fingerprint
    doc = json.loads(before)
    assert doc["format"] == "scrutin-trustee-key" and doc["kdf"]["alg"] == "argon2id13"
    with pytest.raises(KeyFileError, match="a passphrase is required"):
        trustee_client(client, eid, "T1", tmp_path, passphrase="")
