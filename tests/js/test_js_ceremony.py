"""The trustee page's protocol-2 code (admin_ui/static/js/crypto/ceremony.js, tally.js,
keyfile.js) against the Python definitions, on a real election record made by the service:

1. The page replays the board's ceremony exactly as ``crypto.ceremony.replay`` does, and
   rebuilds the encrypted tally (counted set, ballots verified, sums) to the same tally hash.
2. The page refuses what the Python client refuses: a swapped encryption key, a tally slot that
   is not the sum, a counted list short of a ballot, an edited ballot, an extra slot, and a
   trustee that is not among the published fingerprints.
3. Byte compatibility: signatures, commitment digests, revealable sealed shares, key files
   (both ways, wrong passphrase refused) and slot-bound, signed decryption shares.
"""

from __future__ import annotations

import base64
import copy
import json
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from nacl.public import PrivateKey

from app.client.keyfile import KeyFile
from app.config import Settings
from app.main import create_app
from crypto import ceremony as protocol
from crypto.elgamal import Ciphertext
from crypto.errors import InvalidShare
from crypto.group import Point, Scalar
from crypto.tally import decryption_context, encrypted_tally_hash
from crypto.threshold import public_key_share, seal_share_revealable, verify_decryption_share
from tests.conftest import TEST_RATE_LIMITS, TEST_SECRET
from tests.js.test_js_crypto import NODE, _node, _require_node_modules
from tests.verify.records import Built, rehash, run_election

pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed (CI installs Node.js)")

VOTES = {"V1": [[[1, 1, -1]]], "V2": [[[-1, -1, -1]], [[1, -1, 0]]], "V3": [[[1, 0, 1]]]}
PASSPHRASE = "cross-language passphrase"


@pytest.fixture(scope="module")
def built(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    tmp = tmp_path_factory.mktemp("js-ceremony")
    settings = Settings(
        environment="test",
        dev_login=True,
        secret_key=TEST_SECRET,
        **TEST_RATE_LIMITS,
        database_url=database_url,
        data_dir=tmp,
        demo=False,
        admins="Admin",
    )
    application = create_app(settings)
    with TestClient(application) as client:
        yield run_election(client, tmp / "keys", VOTES, decrypting=(0, 1))
    application.state.engine.dispose()


def _event(record: dict[str, Any], kind: str) -> dict[str, Any]:
    return next(e for e in record["board"] if e["type"] == kind)


def _tampered(built: Built) -> dict[str, dict[str, Any]]:
    out = {}
    rec = built.copy()
    joined = [e for e in rec["board"] if e["type"] == protocol.JOINED][1]
    joined["payload"]["encryption_key"] = bytes(PrivateKey.generate().public_key).hex()
    out["swapped encryption key"] = rehash(rec)

    rec = built.copy()
    tally = _event(rec, "encrypted_tally")["payload"]
    one_ballot = next(iter(rec["ballots"].values()))["answers"][0]["ciphertexts"][0]
    tally["ciphertexts"][0] = one_ballot  # "the tally" is now one voter's choice in slot 0
    out["slot replaced by one ballot"] = rehash(rec)

    rec = built.copy()
    _event(rec, "encrypted_tally")["payload"]["counted"].pop(0)
    out["counted list short of a ballot"] = rehash(rec)

    rec = built.copy()
    tally = _event(rec, "encrypted_tally")["payload"]
    tally["ciphertexts"].append(one_ballot)
    out["extra slot"] = rehash(rec)

    rec = built.copy()
    ballot = next(iter(rec["ballots"].values()))
    first = ballot["answers"][0]["ciphertexts"]
    first[0], first[1] = first[1], first[0]
    out["edited ballot"] = rec
    return out


EXPECTED_REFUSALS = {
    "swapped encryption key": ("replay", "InvalidCeremony", "signature does not verify"),
    "slot replaced by one ballot": ("tally", "TallyMismatch", "slot 0 is not the sum"),
    "counted list short of a ballot": ("tally", "TallyMismatch", "counted set has 3"),
    "extra slot": ("tally", "TallyMismatch", "slots"),
    "edited ballot": ("tally", "TallyMismatch", "does not hash to its tracker"),
}


@pytest.fixture(scope="module")
def js(built: Built, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    _require_node_modules()
    eid = built.election_id
    tampered = _tampered(built)
    seed = protocol.generate_identity()
    body = {"digest": "ab" * 32}
    commitments = _event(built.record, protocol.COMMITMENTS)["payload"]
    recipient = PrivateKey.generate()
    share_seed = secrets.token_bytes(32)
    share = Scalar.from_hex("07" + "00" * 31)
    key_path = tmp_path_factory.mktemp("keyfile") / "python.key"
    keyfile = KeyFile(key_path, PASSPHRASE)
    keyfile.save({"identity_seed": seed.hex(), "election_id": eid, "index": 2})
    trustee = built.trustees[0]
    tally_payload = _event(built.record, "encrypted_tally")["payload"]
    request = {
        "election_id": eid,
        "record": built.record,
        "tampered": list(tampered.values()),
        "published": [t.fingerprint for t in built.trustees[:2]],
        "message": {
            "seed_hex": seed.hex(),
            "kind": protocol.COMMITMENT_HASH,
            "round": 1,
            "index": 2,
            "body": body,
            "python_signature": protocol.sign_message(seed, protocol.COMMITMENT_HASH, eid, 1, 2, body),
            "commitments": commitments["commitments"],
            "proofs": commitments["proofs"],
        },
        "seal": {
            "recipient_hex": bytes(recipient.public_key).hex(),
            "share_hex": share.hex(),
            "round": 1,
            "sender": 1,
            "recipient": 2,
            "seed_hex": share_seed.hex(),
        },
        "keyfile": {
            "doc": json.loads(key_path.read_text()),
            "passphrase": PASSPHRASE,
            "state": {"identity_seed": seed.hex(), "election_id": eid, "index": 3},
        },
        "decrypt": {
            "ciphertexts": tally_payload["ciphertexts"],
            "fingerprint": trustee.state["fingerprint"],
            "tally_hash": encrypted_tally_hash(tally_payload),
            "secret_hex": trustee.state["secret_share"],
            "index": trustee.state["index"],
        },
    }
    proc = _node(["tests/js/ceremony_crosscheck.mjs"], json.dumps(request))
    assert proc.returncode == 0, proc.stderr
    out: dict[str, Any] = json.loads(proc.stdout)
    out["_request"] = request
    out["_tampered"] = list(tampered)
    out["_share_seed"] = share_seed
    out["_share"] = share
    out["_recipient"] = recipient
    out["_key_path"] = key_path
    return out


def test_the_page_replays_the_board_as_python_does(js: dict[str, Any], built: Built) -> None:
    state = protocol.replay(built.election_id, built.record["board"])
    assert "error" not in js["replay"], js["replay"]
    got = js["replay"]["ok"]
    assert got["protocol"] == 2 and got["setup_round"] == state.setup_round == 1
    assert got["fingerprints"] == [t.fingerprint for t in built.trustees]
    assert got["public_key"] == _event(built.record, "election_setup")["payload"]["manifest"]["public_key"]
    assert set(got["confirmed"]) == {_event(built.record, "election_setup")["payload"]["fingerprint"]}


def test_the_page_rebuilds_the_encrypted_tally_to_the_same_hash(js: dict[str, Any], built: Built) -> None:
    assert js["tally"] == {"ok": encrypted_tally_hash(_event(built.record, "encrypted_tally")["payload"])}


@pytest.mark.parametrize("name", list(EXPECTED_REFUSALS))
def test_the_page_refuses_a_lying_record(js: dict[str, Any], name: str) -> None:
    where, error, fragment = EXPECTED_REFUSALS[name]
    result = js["tampered"][js["_tampered"].index(name)][where]
    assert "error" in result, f"{name}: accepted"
    assert result["error"].startswith(error) and fragment in result["error"], result["error"]


def test_the_page_refuses_a_trustee_not_published(js: dict[str, Any], built: Built) -> None:
    assert js["fingerprint_required"]["error"].startswith("InvalidCeremony")
    assert built.trustees[2].fingerprint in js["fingerprint_required"]["error"]
    assert "not one of the published" in js["fingerprint_required"]["error"]


def test_signatures_and_digests_agree(js: dict[str, Any]) -> None:
    m = js["_request"]["message"]
    seed = bytes.fromhex(m["seed_hex"])
    assert js["identity"]["signing_key"] == protocol.identity_public(seed)
    assert js["identity"]["fingerprint"] == protocol.identity_fingerprint(protocol.identity_public(seed))
    assert js["normalised"] == js["identity"]["fingerprint"]
    protocol.verify_message(
        js["identity"]["signing_key"],
        js["signature"],
        m["kind"],
        js["_request"]["election_id"],
        m["round"],
        m["index"],
        m["body"],
    )
    with pytest.raises(protocol.InvalidCeremony):
        protocol.verify_message(
            js["identity"]["signing_key"],
            js["signature"],
            m["kind"],
            js["_request"]["election_id"],
            m["round"],
            m["index"] + 1,
            m["body"],
        )
    assert js["python_signature"] == {"ok": True}
    assert "does not verify" in js["forged_signature"]["error"]
    assert js["digest"] == protocol.commitments_digest(m["commitments"], m["proofs"])


def test_revealable_sealed_shares_are_byte_identical(js: dict[str, Any]) -> None:
    s = js["_request"]["seal"]
    eid = js["_request"]["election_id"]
    expected = seal_share_revealable(
        bytes.fromhex(s["recipient_hex"]),
        js["_share"],
        protocol.share_context(eid, 1, 1, 2),
        protocol.share_ephemeral_key(js["_share_seed"], 1, 2),
    )
    assert base64.b64decode(js["sealed"]) == expected


def test_key_files_open_in_both_languages(js: dict[str, Any], tmp_path: Path) -> None:
    assert js["python_keyfile"]["ok"]["index"] == 2
    assert "wrong passphrase" in js["wrong_passphrase"]["error"]
    path = tmp_path / "from-js.key"
    path.write_text(json.dumps(js["js_keyfile"]))
    assert KeyFile(path, PASSPHRASE).load() == js["_request"]["keyfile"]["state"]
    assert js["_request"]["keyfile"]["state"]["identity_seed"] not in path.read_text()


def test_javascript_decryption_shares_are_slot_bound_and_signed(js: dict[str, Any], built: Built) -> None:
    d = js["_request"]["decrypt"]
    eid = built.election_id
    ciphertexts = [Ciphertext.from_json(c, allow_identity=True) for c in d["ciphertexts"]]
    manifest = _event(built.record, "election_setup")["payload"]["manifest"]
    commitments = [[Point.from_hex(c) for c in t["commitments"]] for t in manifest["trustees"]]
    public_share = public_key_share(commitments, d["index"])
    context = decryption_context(eid, d["fingerprint"], d["tally_hash"])
    share = js["decryption_share"]
    verify_decryption_share(ciphertexts, share, public_share, d["index"], context, slot_bound=True)
    if len(ciphertexts) > 1:  # a proof moved to another slot no longer verifies
        swapped = copy.deepcopy(share)
        swapped["proofs"][0], swapped["proofs"][1] = swapped["proofs"][1], swapped["proofs"][0]
        swapped["factors"][0], swapped["factors"][1] = swapped["factors"][1], swapped["factors"][0]
        with pytest.raises(InvalidShare, match="proof 0"):
            verify_decryption_share(
                [ciphertexts[1], ciphertexts[0], *ciphertexts[2:]],
                swapped,
                public_share,
                d["index"],
                context,
                slot_bound=True,
            )
    signing_key = protocol.identity_public(bytes.fromhex(js["_request"]["message"]["seed_hex"]))
    protocol.verify_decryption_share_signature(
        signing_key, js["decryption_signature"], eid, 1, d["index"], d["tally_hash"], share
    )


# --- the anonymity guard: the page's tally rebuild applies the same rule (crypto/tally.js) ----


@pytest.fixture(scope="module")
def guarded(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    """Three ballots under the default k = 5: every slot is withheld (the identity)."""
    tmp = tmp_path_factory.mktemp("js-guard")
    settings = Settings(
        environment="test",
        dev_login=True,
        secret_key=TEST_SECRET,
        database_url=database_url,
        data_dir=tmp,
        demo=False,
        admins="Admin",
    )
    application = create_app(settings)
    with TestClient(application) as client:
        yield run_election(client, tmp / "keys", VOTES, decrypting=(0, 1), min_contributors=None)
    application.state.engine.dispose()


def _real_sum_in_slot_0(built: Built) -> dict[str, Any]:
    """What a lying server would ask the trustees to decrypt: the true sum of slot 0."""
    from crypto.elgamal import aggregate

    rec = built.copy()
    tally = _event(rec, "encrypted_tally")["payload"]
    tally["ciphertexts"][0] = aggregate(
        Ciphertext.from_json(rec["ballots"][t]["answers"][0]["ciphertexts"][0]) for t in tally["counted"]
    ).to_json()
    return rehash(rec)


def test_the_page_and_the_verifier_apply_the_same_guard(guarded: Built) -> None:
    from crypto.errors import InvalidTally
    from crypto.record import verify_record
    from crypto.tally import ZERO

    _require_node_modules()
    tally = _event(guarded.record, "encrypted_tally")["payload"]
    assert tally["ciphertexts"] == [ZERO.to_json()] * 6
    verify_record(guarded.record, workers=1)
    lying = _real_sum_in_slot_0(guarded)
    with pytest.raises(InvalidTally, match="min_contributors = 5"):
        verify_record(lying, workers=1)
    proc = _node(
        ["tests/js/guard_crosscheck.mjs"],
        json.dumps({"election_id": guarded.election_id, "record": guarded.record, "tampered": [lying]}),
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["tally"] == {"ok": encrypted_tally_hash(tally)}
    assert out["tampered"][0]["error"].startswith("TallyMismatch: tally slot 0: fewer than min_contributors")


# --- a ballot with a ranked question: no summed slots for it (crypto.tally.slot_width) --------


@pytest.fixture(scope="module")
def mixed(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    """An S/O/N and a ranked question on one ballot, both mixes made, nothing decrypted."""
    tmp = tmp_path_factory.mktemp("js-ranked")
    settings = Settings(
        environment="test",
        dev_login=True,
        secret_key=TEST_SECRET,
        database_url=database_url,
        data_dir=tmp,
        demo=False,
        admins="Admin",
    )
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
    votes = {"V1": [[[1, -1], [2, 0]]], "V2": [[[1, 0], [0, 2, 1]]], "V3": [[[-1, 1], []]]}
    application = create_app(settings)
    with TestClient(application) as client:
        yield run_election(client, tmp / "keys", votes, mixers=(1, 2), decrypting=(), questions=questions)
    application.state.engine.dispose()


def test_the_page_rebuilds_a_tally_with_a_ranked_question(mixed: Built) -> None:
    _require_node_modules()
    tally = _event(mixed.record, "encrypted_tally")["payload"]
    assert tally["layout"] == [4, 0]  # the ranked question is mixed, never summed
    proc = _node(
        ["tests/js/guard_crosscheck.mjs"],
        json.dumps({"election_id": mixed.election_id, "record": mixed.record, "tampered": []}),
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["tally"] == {"ok": encrypted_tally_hash(tally)}
