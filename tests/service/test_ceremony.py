"""The key ceremony: ordering, verification of commitments and shares, complaints, restart."""

import base64

import pytest

from app.client.http import ApiError
from app.client.trustee import TrusteeClient
from crypto.board import verify_chain
from crypto.group import Point
from crypto.threshold import combine_public_key
from tests.service.helpers import ADMIN, election_config, login


def frozen_election(client, trustees=3, threshold=2) -> str:
    admin = login(client, ADMIN)
    eid = admin.post("/api/v1/elections",
                     election_config(trustees=trustees, threshold=threshold))["id"]
    for i in range(1, trustees + 1):
        admin.post(f"/api/v1/elections/{eid}/roles", {"username": f"T{i}", "role": "trustee"})
    admin.post(f"/api/v1/elections/{eid}/roll", {"usernames": ["V1", "V2"]})
    admin.post(f"/api/v1/elections/{eid}/freeze")
    return eid


def trustees_of(client, eid, tmp_path, n=3):
    return [TrusteeClient(login(client, f"T{i}"), eid, tmp_path / f"T{i}.json")
            for i in range(1, n + 1)]


def test_full_ceremony_publishes_key_and_fingerprint(client, tmp_path) -> None:
    eid = frozen_election(client)
    ts = trustees_of(client, eid, tmp_path)
    assert [t.join() for t in ts] == [1, 2, 3]
    for t in ts:
        t.commit()
    for t in ts:
        t.send_shares()
    for t in ts:
        t.verify_and_confirm()
    admin = login(client, ADMIN)
    election = admin.get(f"/api/v1/elections/{eid}")
    assert election["phase"] == "open"  # the schedule had started already
    status = admin.get(f"/api/v1/elections/{eid}/ceremony")
    commitments = [[Point.from_hex(c) for c in t["commitments"]] for t in status["trustees"]]
    assert combine_public_key(commitments).hex() == election["public_key"]
    events = admin.board(eid)
    verify_chain(events)
    types = [e["type"] for e in events]
    assert types[:1] == ["ceremony_started"]
    # Every commitment is on the board before any share is sent.
    assert max(i for i, t in enumerate(types) if t == "trustee_commitments") < \
        min(i for i, t in enumerate(types) if t == "trustee_shares_sent")
    setup = next(e for e in events if e["type"] == "election_setup")
    assert setup["payload"]["fingerprint"] == election["fingerprint"]
    # Key files keep only the secret share after the ceremony.
    for t in ts:
        assert "secret_share" in t.state and "coefficients" not in t.state


def test_shares_wait_for_all_commitments(client, tmp_path) -> None:
    eid = frozen_election(client)
    ts = trustees_of(client, eid, tmp_path)
    for t in ts:
        t.join()
    ts[0].commit()
    with pytest.raises(ApiError) as err:
        ts[0].send_shares()
    assert err.value.code == "commitments_pending"


def test_invalid_commitment_proof_is_refused(client, tmp_path) -> None:
    eid = frozen_election(client)
    ts = trustees_of(client, eid, tmp_path)
    for t in ts:
        t.join()
    other = login(client, "T1")
    with pytest.raises(ApiError) as err:
        other.post(f"/api/v1/elections/{eid}/ceremony/commitments", {
            "commitments": [Point.from_hex("58" + "66" * 31).hex()] * 2,
            "proofs": [{"challenge": "00" * 32, "response": "00" * 32}] * 2})
    assert err.value.code == "invalid_commitments"
    assert other.get(f"/api/v1/elections/{eid}/ceremony")["trustees"][0]["status"] == "joined"


def test_bad_share_leads_to_complaint_and_restart(client, tmp_path) -> None:
    eid = frozen_election(client)
    ts = trustees_of(client, eid, tmp_path)
    for t in ts:
        t.join()
    for t in ts:
        t.commit()
    # Trustee 3 sends garbage sealed to the right keys: the recipients must complain.
    status = ts[2].status()
    from crypto.group import Scalar
    from crypto.threshold import seal_share
    bad = {tr["index"]: base64.b64encode(seal_share(bytes.fromhex(tr["encryption_key"]),
                                                    Scalar.from_int(12345))).decode()
           for tr in status["trustees"] if tr["index"] != 3}
    ts[2].session.post(f"/api/v1/elections/{eid}/ceremony/shares", {"shares": bad})
    ts[0].send_shares()
    ts[1].send_shares()
    result = ts[0].verify_and_confirm()
    assert result["status"] == "complained"
    admin = login(client, ADMIN)
    status = admin.get(f"/api/v1/elections/{eid}/ceremony")
    assert status["complaints"][0]["accused_index"] == 3
    assert admin.get(f"/api/v1/elections/{eid}")["phase"] == "key_ceremony"
    admin.post(f"/api/v1/elections/{eid}/ceremony/restart", {"reason": "trustee 3 share invalid"})
    fresh = [TrusteeClient(login(client, f"T{i}"), eid, tmp_path / f"r2-T{i}.json")
             for i in range(1, 4)]
    for step in ("join", "commit", "send_shares", "verify_and_confirm"):
        for t in fresh:
            getattr(t, step)()
    assert admin.get(f"/api/v1/elections/{eid}")["phase"] == "open"
    verify_chain(admin.board(eid))


def test_only_trustees_take_part(client, tmp_path) -> None:
    eid = frozen_election(client)
    outsider = login(client, "Mallory")
    with pytest.raises(ApiError) as err:
        outsider.post(f"/api/v1/elections/{eid}/ceremony/join", {"encryption_key": "11" * 32})
    assert err.value.status == 403
    with pytest.raises(ApiError) as err:
        outsider.get(f"/api/v1/elections/{eid}/ceremony")
    assert err.value.status == 403
