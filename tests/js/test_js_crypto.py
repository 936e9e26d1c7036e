"""The browser booth's JavaScript crypto (admin_ui/static/js/crypto/) against the Python library.

1. ``node --test tests/js/`` passes: every vector in tests/vectors/ reproduced byte for byte,
   tamper and binding tests, the vendored libsodium up to date.
2. Ballots of every kind made by the JavaScript library (fresh randomness, not the test DRBG)
   verify with ``crypto.ballots.verify_ballot``; Python ballots verify in JavaScript, and a
   tampered one is rejected by both.
3. Cast-or-audit records from JavaScript are re-checked in Python (every ciphertext re-derived);
   they hold the ballot without its signature, so ``verify_ballot`` refuses them (more in
   tests/crypto/test_audit.py).
4. Key ceremony and decryption in both directions: JavaScript commitments, proofs and sealed
   shares are checked by Python; Python sealed shares are opened by JavaScript; decryption
   shares cross-verify.

Skipped only when ``node`` is not installed (CI installs it); fails when node_modules is missing.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from nacl.bindings import crypto_core_ed25519_add
from nacl.public import PrivateKey

from crypto.audit import verify_audit
from crypto.ballots import (
    BallotContext,
    QuestionSpec,
    ballot_tracker,
    encrypt_ballot,
    signed_payload,
    verify_ballot,
)
from crypto.credentials import CredentialKey
from crypto.drbg import DeterministicRng
from crypto.elgamal import Ciphertext, encrypt, keygen
from crypto.errors import CryptoError, InvalidBallot, InvalidProof
from crypto.fingerprint import election_fingerprint
from crypto.group import Point, Scalar
from crypto.hashing import sha256_hex
from crypto.manifest import ballot_context
from crypto.threshold import (
    TrusteePolynomial,
    ceremony_context,
    combine_decryption,
    combine_public_key,
    decryption_share,
    open_share,
    public_key_share,
    seal_share,
    verify_commitments,
    verify_decryption_share,
    verify_share,
)
from tests.crypto.test_proofs_v2 import NON_CANONICAL, OFF_CURVE, TORSION

ROOT = Path(__file__).resolve().parents[2]
NODE = shutil.which("node")
if NODE is None and os.environ.get("SCRUTIN_REQUIRE_NODE") == "1":
    raise RuntimeError("node is missing but SCRUTIN_REQUIRE_NODE=1 (CI must run the JS tests)")
pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed (CI installs Node.js)")

ELECTION_ID = "crosscheck-2026"
CODE = "3kTMd8x2Q9ZbFhN"
STATUS_CONTEXT = "scrutin/v1/election/crosscheck-2026/round-1"

QUESTION_SETS: dict[str, tuple[list[dict[str, Any]], list[list[int]]]] = {
    "sonc": ([{"kind": "sonc", "n_options": 4}], [[1, -1, 0, 1]]),
    "approval-range": (
        [{"kind": "approval", "n_options": 4, "min_selections": 1, "max_selections": 2}],
        [[0, 1, 1, 0]],
    ),
    "approval-free": ([{"kind": "approval", "n_options": 3}], [[1, 0, 1]]),
    "plurality": ([{"kind": "plurality", "n_options": 3}], [[0, 1, 0]]),
    "mixed": (
        [
            {"kind": "sonc", "n_options": 2},
            {"kind": "approval", "n_options": 3, "min_selections": 0, "max_selections": 1},
            {"kind": "plurality", "n_options": 2},
        ],
        [[0, -1], [0, 0, 1], [1, 0]],
    ),
}


def _require_node_modules() -> None:
    if not (ROOT / "node_modules" / "libsodium-wrappers-sumo").is_dir():
        pytest.fail("node_modules/ is missing: run `npm ci` at the repository root (`make test` does it)")


def _node(args: list[str], stdin: str | None = None, timeout: int = 180) -> subprocess.CompletedProcess[str]:
    assert NODE is not None
    return subprocess.run(
        [NODE, *args], cwd=ROOT, input=stdin, capture_output=True, text=True, timeout=timeout, check=False
    )


def _code() -> str:
    from crypto.credentials import _checksum_char

    return CODE + _checksum_char(CODE)


def _context_json(questions: list[dict[str, Any]], public_key: Point, fingerprint: str) -> dict[str, Any]:
    return {
        "election_id": ELECTION_ID,
        "fingerprint": fingerprint,
        "public_key": public_key.hex(),
        "questions": questions,
    }


def _ballot_context(cj: dict[str, Any]) -> BallotContext:
    qs = tuple(QuestionSpec(**{"min_selections": 0, "max_selections": None, **q}) for q in cj["questions"])
    return BallotContext(cj["election_id"], cj["fingerprint"], Point.from_hex(cj["public_key"]), qs)


@pytest.fixture(scope="module")
def js() -> dict[str, Any]:
    """One node run that does every JavaScript half of the cross-checks."""
    _require_node_modules()
    x, y = keygen(DeterministicRng(b"crosscheck election key"))
    fingerprint = "c7" * 32
    code = _code()
    cred = CredentialKey.from_code(code, ELECTION_ID)
    contexts = {name: _context_json(qs, y, fingerprint) for name, (qs, _) in QUESTION_SETS.items()}

    python_ballots = {}
    for name, (_, choices) in QUESTION_SETS.items():
        python_ballots[name] = encrypt_ballot(_ballot_context(contexts[name]), choices, cred)
    tampered = json.loads(json.dumps(python_ballots["sonc"]))
    tampered["answers"][0]["ciphertexts"][0] = tampered["answers"][0]["ciphertexts"][1]
    del tampered["signature"]  # re-signed by the voter, so that only a proof can catch it
    tampered["signature"] = cred.sign(signed_payload(tampered), bytes.fromhex(fingerprint))
    # Ballot version 2 (protocol §4.5): forged commitments (re-signed), and a version-1 ballot.
    forged = []
    for change in ("torsion", "non-canonical", "off-curve", "response"):
        b = json.loads(json.dumps(python_ballots["sonc"]))
        proof = b["answers"][0]["bit_proofs"][1]
        old = bytes.fromhex(proof["commitments"][1][1])
        if change == "torsion":
            proof["commitments"][1][1] = crypto_core_ed25519_add(old, TORSION[2]).hex()
        elif change == "non-canonical":
            proof["commitments"][1][1] = NON_CANONICAL[1].hex()
        elif change == "off-curve":
            proof["commitments"][0][0] = OFF_CURVE.hex()
        else:
            proof["responses"][1] = (Scalar.from_hex(proof["responses"][1]) + 1).hex()
        del b["signature"]
        b["signature"] = cred.sign(signed_payload(b), bytes.fromhex(fingerprint))
        forged.append(b)
    v1_ballot = encrypt_ballot(_ballot_context(contexts["sonc"]), QUESTION_SETS["sonc"][1], cred, version=1)

    # Python trustees 1 and 2 of a 2-of-3 ceremony in which JavaScript plays trustee 3.
    py_polys = {i: TrusteePolynomial.generate(2) for i in (1, 2)}
    py_boxes = {i: PrivateKey.generate() for i in (1, 2)}
    js_box = PrivateKey.generate()
    sealed_for_js = []
    for i, poly in py_polys.items():
        ctx = f"{STATUS_CONTEXT}/share/{i}->3"
        sealed_for_js.append(
            {
                "sealed": base64.b64encode(
                    seal_share(bytes(js_box.public_key), poly.share_for(3), ctx.encode())
                ).decode(),
                "context": ctx,
                "recipient": 3,
                "commitments": [c.hex() for c in poly.commitments],
            }
        )
    bad = py_polys[1].share_for(3) + Scalar(1)
    sealed_for_js.append(
        {
            "sealed": base64.b64encode(
                seal_share(bytes(js_box.public_key), bad, f"{STATUS_CONTEXT}/share/1->3".encode())
            ).decode(),
            "context": f"{STATUS_CONTEXT}/share/1->3",
            "recipient": 3,
            "commitments": [c.hex() for c in py_polys[1].commitments],
        }
    )
    sealed_for_js.append({**sealed_for_js[0], "context": f"{STATUS_CONTEXT}/share/2->3"})

    # A tally decrypted with a threshold key whose secret shares Python knows.
    t_polys = [TrusteePolynomial.generate(2) for _ in range(3)]
    commitments = [p.commitments for p in t_polys]
    secret = {j: sum((p.share_for(j) for p in t_polys), Scalar(0)) for j in (1, 2, 3)}
    public = {j: public_key_share(commitments, j) for j in (1, 2, 3)}
    ty = combine_public_key(commitments)
    cts = [encrypt(ty, m, Scalar.random()) for m in (0, 4, 7)]
    tally_ctx = b"tally/" + ELECTION_ID.encode()
    py_share = decryption_share(cts, secret[1], 1, tally_ctx)

    manifest = {
        "manifest_version": 1,
        "election_id": ELECTION_ID,
        "definition_version": 3,
        "ceremony_round": 1,
        "credential_mode": "authority",
        "threshold": 2,
        "public_key": y.hex(),
        "trustees": [{"index": 1, "encryption_key": "ab" * 32, "commitments": ["cd" * 32]}],
        "questions": [
            {
                "kind": "sonc",
                "min_selections": None,
                "max_selections": None,
                "seats": None,
                "pass_rule": {"support_ratio": [2, 3]},
                "candidates": [
                    {"position": 0, "name": "Zoë «Z» 张", "withdrawn": False},
                    {"position": 1, "name": 'B\u2028"b"', "withdrawn": True},
                ],
            },
            {
                "kind": "approval",
                "min_selections": 1,
                "max_selections": 2,
                "seats": 2,
                "pass_rule": None,
                "candidates": [{"position": i, "name": f"候选人 {i}", "withdrawn": False} for i in range(3)],
            },
            {
                "kind": "plurality",
                "min_selections": 1,
                "max_selections": 1,
                "seats": 1,
                "pass_rule": None,
                "candidates": [{"position": i, "name": f"c{i}", "withdrawn": False} for i in range(2)],
            },
            # Ranked, on a later ballot version: positions with gaps, one withdrawn candidate.
            {
                "kind": "ranked",
                "method": "meek",
                "min_selections": None,
                "max_selections": None,
                "seats": 2,
                "pass_rule": None,
                "candidates": [{"position": p, "name": f"r{p}", "withdrawn": p == 4} for p in (0, 3, 4, 7)],
            },
        ],
    }
    request = {
        "manifests": [
            {
                "manifest": manifest,
                "fingerprint": election_fingerprint(manifest),
                "code": code,
                "choices": [[1, -1], [1, 0, 1], [0, 1], [3, 0, 1]],
            }
        ],
        "ballots": [
            {"context": contexts[n], "choices": ch, "code": code} for n, (_, ch) in QUESTION_SETS.items()
        ],
        "verify_ballots": [{"context": contexts[n], "ballot": b} for n, b in python_ballots.items()]
        + [{"context": contexts["sonc"], "ballot": b} for b in [v1_ballot, *forged]]
        + [{"context": contexts["sonc"], "ballot": tampered}],
        "audits": [
            {"context": contexts[n], "choices": ch, "code": code} for n, (_, ch) in QUESTION_SETS.items()
        ],
        "ceremony": {
            "election_id": ELECTION_ID,
            "threshold": 2,
            "indices": [3],
            "status_context": STATUS_CONTEXT,
            "recipients": {str(i): bytes(k.public_key).hex() for i, k in py_boxes.items()},
            "js_box_private": bytes(js_box).hex(),
            "sealed_for_js": sealed_for_js,
        },
        "decrypt": {
            "ciphertexts": [c.to_json() for c in cts],
            "secret_share": secret[2].hex(),
            "index": 2,
            "context_hex": tally_ctx.hex(),
            "python_share": py_share,
            "python_index": 1,
            "python_public_share": public[1].hex(),
        },
    }
    proc = _node(["tests/js/crosscheck.mjs"], json.dumps(request))
    assert proc.returncode == 0, proc.stderr
    return {
        "response": json.loads(proc.stdout),
        "manifest": manifest,
        "contexts": contexts,
        "cred": cred,
        "python_ballots": python_ballots,
        "forged": forged,
        "v1_ballot": v1_ballot,
        "py_polys": py_polys,
        "py_boxes": py_boxes,
        "cts": cts,
        "public": public,
        "py_share": py_share,
        "tally_ctx": tally_ctx,
        "secret_key": x,
    }


def test_node_test_suite_passes() -> None:
    """``node --test tests/js/``: every vector byte for byte, tamper tests, vendored libsodium."""
    _require_node_modules()
    proc = _node(["--test", "tests/js/"])
    tail = (proc.stdout + proc.stderr)[-4000:]
    assert proc.returncode == 0, f"node --test tests/js/ failed:\n{tail}"
    assert "# fail 0" in proc.stdout and "# pass 0" not in proc.stdout, tail


@pytest.mark.parametrize("name", sorted(QUESTION_SETS))
def test_javascript_ballots_verify_in_python(js: dict[str, Any], name: str) -> None:
    index = list(QUESTION_SETS).index(name)
    out = js["response"]["ballots"][index]
    ctx = _ballot_context(js["contexts"][name])
    verified = verify_ballot(ctx, out["ballot"], js["cred"].public)
    assert verified.tracker == out["tracker"] == ballot_tracker(out["ballot"])
    assert out["credential"] == js["cred"].public.hex()
    # And the plaintext is what the voter chose (decrypted with the test election key).
    from crypto.dlog import discrete_log
    from crypto.elgamal import decrypt_to_point

    for q, (spec, cts) in enumerate(zip(ctx.questions, verified.ciphertexts, strict=True)):
        bits = [discrete_log(decrypt_to_point(js["secret_key"], c), 1) for c in cts]
        choices = QUESTION_SETS[name][1][q]
        if spec.kind == "sonc":
            assert bits == [b for v in choices for b in (int(v == 1), int(v == -1))]
        else:
            assert bits == choices
    # A tampered JS ballot is rejected by Python.
    bad = json.loads(json.dumps(out["ballot"]))
    bad["answers"][0]["bit_proofs"][0]["responses"].reverse()
    with pytest.raises(CryptoError):
        verify_ballot(ctx, bad)


def test_service_manifest_fingerprint_and_context_agree(js: dict[str, Any]) -> None:
    out = js["response"]["manifests"][0]
    fingerprint = election_fingerprint(js["manifest"])
    assert out["fingerprint"] == fingerprint
    ctx = ballot_context(js["manifest"], fingerprint)
    verified = verify_ballot(ctx, out["ballot"], js["cred"].public)
    # The ranked answer (fresh JS randomness) decrypts to the ranking's stable positions.
    from crypto.elgamal import decrypt_to_point
    from crypto.ranked import unpack

    points = [decrypt_to_point(js["secret_key"], c) for c in verified.ciphertexts[3]]
    assert unpack(points) == [7, 0, 3]


def test_python_ballots_verify_in_javascript(js: dict[str, Any]) -> None:
    results = js["response"]["verify_ballots"]
    for (name, ballot), res in zip(js["python_ballots"].items(), results, strict=False):
        assert res["error"] is None, f"{name}: {res['error']}"
        assert res["tracker"] == ballot_tracker(ballot)
    assert results[-1]["error"] is not None
    assert results[-1]["error"].startswith("InvalidProof: answers[0].bit_proofs[0]")


def test_python_v2_forgeries_rejected_by_javascript_with_the_same_message(js: dict[str, Any]) -> None:
    """Forged version-2 commitments: the booth's one-equation-at-a-time check gives exactly the
    message Python gives (and a version-1 ballot still verifies in JavaScript)."""
    results = js["response"]["verify_ballots"][len(js["python_ballots"]) : -1]
    ctx = _ballot_context(js["contexts"]["sonc"])
    assert results[0] == {"error": None, "tracker": ballot_tracker(js["v1_ballot"])}
    assert len(results) == 1 + len(js["forged"]) == 5
    for ballot, res in zip(js["forged"], results[1:], strict=True):
        with pytest.raises(InvalidProof) as info:
            verify_ballot(ctx, ballot)
        assert res["error"] == f"InvalidProof: {info.value}"
        assert "answers[0].bit_proofs[1]" in res["error"]


@pytest.mark.parametrize("name", list(QUESTION_SETS))
def test_javascript_audit_records_check_in_python(js: dict[str, Any], name: str) -> None:
    prepared = js["response"]["audits"][list(QUESTION_SETS).index(name)]
    record = prepared["audit"]
    ctx = _ballot_context(js["contexts"][name])
    assert set(record) == {"type", "tracker", "commitment", "ballot", "choices", "randomness"}
    assert record["type"] == "scrutin/v2/ballot-audit"
    # The record's ballot is the cast ballot without its signature: not castable ...
    assert "signature" not in record["ballot"]
    assert "signature" not in json.dumps(record)
    with pytest.raises(InvalidBallot, match="missing \\['signature'\\]"):
        verify_ballot(ctx, record["ballot"])
    # ... and exactly the ballot the booth would have cast, had the voter not audited it.
    signed = {**record["ballot"], "signature": prepared["ballot"]["signature"]}
    assert signed == prepared["ballot"]
    verified = verify_ballot(ctx, signed, js["cred"].public)
    assert record["tracker"] == prepared["tracker"] == verified.tracker
    assert record["commitment"] == prepared["commitment"] == sha256_hex(signed_payload(signed))
    assert record["choices"] == QUESTION_SETS[name][1]
    # Independent re-derivation of every ciphertext, then the library's checker.
    for q, spec in enumerate(ctx.questions):
        choices = record["choices"][q]
        bits = [b for v in choices for b in (int(v == 1), int(v == -1))] if spec.kind == "sonc" else choices
        for i, (bit, r_hex) in enumerate(zip(bits, record["randomness"][q], strict=True)):
            assert encrypt(ctx.public_key, bit, Scalar.from_hex(r_hex)) == verified.ciphertexts[q][i]
    assert verify_audit(ctx, record, js["cred"].public) == QUESTION_SETS[name][1]


def test_javascript_ceremony_messages_check_in_python(js: dict[str, Any]) -> None:
    out = js["response"]["ceremony"]["3"]
    commitments = [Point.from_hex(c) for c in out["commitments"]]
    verify_commitments(commitments, out["proofs"], 3, ceremony_context(ELECTION_ID, 3))
    with pytest.raises(CryptoError):
        verify_commitments(commitments, out["proofs"], 2, ceremony_context(ELECTION_ID, 2))
    for j, box in js["py_boxes"].items():
        share = open_share(
            bytes(box), base64.b64decode(out["sealed"][str(j)]), f"{STATUS_CONTEXT}/share/3->{j}".encode()
        )
        assert share.hex() == out["shares"][str(j)]
        verify_share(commitments, j, share)
        with pytest.raises(CryptoError):
            open_share(bytes(box), base64.b64decode(out["sealed"][str(j)]), b"other context")


def test_python_sealed_shares_open_in_javascript(js: dict[str, Any]) -> None:
    opened = js["response"]["opened"]
    for i, poly in js["py_polys"].items():
        assert opened[i - 1] == {"error": None, "share": poly.share_for(3).hex()}
    assert opened[2]["error"].startswith("InvalidShare") and "commitments" in opened[2]["error"]
    assert opened[3]["error"].startswith("InvalidShare") and "wrong context" in opened[3]["error"]


def test_decryption_shares_cross_verify(js: dict[str, Any]) -> None:
    res = js["response"]
    assert res["python_share_error"] is None
    assert res["tampered_share_error"].startswith("InvalidShare")
    cts: list[Ciphertext] = js["cts"]
    verify_decryption_share(cts, res["decryption_share"], js["public"][2], 2, js["tally_ctx"])
    points, rejected = combine_decryption(
        cts, {1: js["py_share"], 2: res["decryption_share"]}, js["public"], 2, js["tally_ctx"]
    )
    from crypto.dlog import discrete_logs

    assert rejected == [] and discrete_logs(points, 10) == [0, 4, 7]
    bad = json.loads(json.dumps(res["decryption_share"]))
    bad["proofs"][1]["response"] = bad["proofs"][0]["response"]
    with pytest.raises(CryptoError):
        verify_decryption_share(cts, bad, js["public"][2], 2, js["tally_ctx"])
