"""Cast-or-audit records: ``crypto.audit`` (docs/protocol.md §13, docs/booth-crypto.md).

* Records built from the ballot vectors and from fresh Python ballots verify, return the choices,
  and carry no signature: ``verify_ballot`` refuses their ballot, no value in them is a valid
  signature, and re-signing the ciphertexts under another credential fails the proofs.
* Every tampering (randomness, choices, ciphertexts, proofs, structure) is rejected.
* With node: the booth's JavaScript records (fresh randomness, and the test DRBG for a byte-for-byte
  comparison with ``audit_record``) verify in Python through tests/js/crosscheck.mjs, tampered ones
  do not, and Python's records verify in JavaScript.
"""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crypto.audit import AUDIT_TYPE, audit_record, ballot_commitment, verify_audit
from crypto.ballots import (
    BallotContext,
    QuestionSpec,
    ballot_tracker,
    encrypt_ballot,
    signed_payload,
    verify_ballot,
)
from crypto.credentials import CredentialKey, verify_signature
from crypto.drbg import DeterministicRng
from crypto.elgamal import encrypt
from crypto.errors import CryptoError, InvalidAudit, InvalidBallot, InvalidProof, InvalidSignature
from crypto.group import G, Point, Scalar
from crypto.hashing import canonical_json

from .conftest import SMALL_CHOICES

ROOT = Path(__file__).resolve().parents[2]
CASES: list[dict[str, Any]] = json.loads((ROOT / "tests" / "vectors" / "ballots.json").read_text("utf-8"))[
    "cases"
]
NODE = shutil.which("node")


def _ctx(case: dict[str, Any]) -> BallotContext:
    return BallotContext(
        case["election_id"],
        case["fingerprint"],
        Point.from_hex(case["public_key"]),
        tuple(QuestionSpec(**q) for q in case["questions"]),
    )


def _context_json(case: dict[str, Any]) -> dict[str, Any]:
    return {k: case[k] for k in ("election_id", "fingerprint", "public_key", "questions")}


def _randomness(ballot: dict[str, Any], draws: list[Scalar]) -> list[list[Scalar]]:
    """The r of every ciphertext among the draws of its encryption (α = g^r)."""
    by_alpha = {(G * d).hex(): d for d in draws}
    return [[by_alpha[ct["alpha"]] for ct in answer["ciphertexts"]] for answer in ballot["answers"]]


def _vector_record(case: dict[str, Any]) -> dict[str, Any]:
    draws = [Scalar.from_hex(d) for d in case["draws"]]
    return audit_record(case["ballot"], case["choices"], _randomness(case["ballot"], draws))


def _flip(s: str) -> str:
    return s[:-1] + ("1" if s[-1] == "0" else "0")


def _leaves(obj: object, path: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple[str | int, ...], object]]:
    """Every (path, value) of a JSON value, containers included."""
    yield path, obj
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _leaves(v, (*path, k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _leaves(v, (*path, i))


def _set(obj: Any, path: tuple[str | int, ...], value: object) -> None:
    for k in path[:-1]:
        obj = obj[k]
    obj[path[-1]] = value


def _recommitted(record: dict[str, Any]) -> dict[str, Any]:
    """A lying booth that keeps the commitment consistent with the altered ballot."""
    return {**record, "commitment": ballot_commitment(record["ballot"])}


CASE_MIXED = next(c for c in CASES if c["name"] == "mixed")


# --- Python records -----------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_vector_records_verify_and_return_the_choices(case: dict[str, Any]) -> None:
    ctx = _ctx(case)
    record = _vector_record(case)
    assert list(record) == ["type", "tracker", "commitment", "ballot", "choices", "randomness"]
    assert record["type"] == AUDIT_TYPE == "scrutin/v2/ballot-audit"
    assert record["tracker"] == case["tracker"]
    assert record["commitment"] == case["signed_payload_sha256"] == ballot_commitment(case["ballot"])
    assert record["ballot"] == {k: v for k, v in case["ballot"].items() if k != "signature"}
    cred = Point.from_hex(case["credential_public"])
    assert verify_audit(ctx, record) == case["choices"]
    assert verify_audit(ctx, json.loads(json.dumps(record)), cred) == case["choices"]
    other = CredentialKey.generate(DeterministicRng(b"someone else")).public
    with pytest.raises(InvalidAudit, match="not the expected voter credential"):
        verify_audit(ctx, record, other)


def test_fresh_python_ballots_of_every_kind(small_ctx: BallotContext, credential: CredentialKey) -> None:
    rng = DeterministicRng(b"audit fresh")
    ballot = encrypt_ballot(small_ctx, SMALL_CHOICES, credential, rng=rng)
    record = audit_record(ballot, SMALL_CHOICES, _randomness(ballot, rng.drawn))
    assert verify_audit(small_ctx, record, credential.public) == SMALL_CHOICES
    assert record["tracker"] == ballot_tracker(ballot)
    # The record is a copy: altering it does not alter the ballot that may be cast.
    record["ballot"]["answers"][0]["ciphertexts"].pop()  # type: ignore[index]
    verify_ballot(small_ctx, ballot, credential.public)
    with pytest.raises(ValueError, match="signed ballot"):
        audit_record(record["ballot"], SMALL_CHOICES, [])  # type: ignore[arg-type]


def test_an_audit_record_cannot_be_cast() -> None:
    case = CASE_MIXED
    ctx = _ctx(case)
    record = _vector_record(case)
    cred = Point.from_hex(case["credential_public"])
    fp = ctx.fingerprint_bytes
    payload = signed_payload(case["ballot"])
    text = json.dumps(record)
    assert "signature" not in text
    for secret in (*case["ballot"]["signature"].values(), case["credential_secret"]):
        assert secret not in text
    # The server's check refuses the record's ballot: its signature is missing ...
    with pytest.raises(InvalidBallot, match=r"missing \['signature'\]"):
        verify_ballot(ctx, record["ballot"])
    # ... and that is all that is missing (the voter's signature needs the credential secret).
    verify_ballot(ctx, {**record["ballot"], "signature": case["ballot"]["signature"]}, cred)
    # No value of the record is a signature of the ballot: no node ...
    for _, value in _leaves(record):
        with pytest.raises(CryptoError):
            verify_ballot(ctx, {**record["ballot"], "signature": value})
    # ... and no ordered pair of its scalars.
    scalars = []
    for _, value in _leaves(record):
        if isinstance(value, str) and value not in scalars:
            try:
                Scalar.from_hex(value)
            except CryptoError:
                continue
            scalars.append(value)
    assert len(scalars) > 30
    for c in scalars:
        for s in scalars:
            with pytest.raises(InvalidSignature):
                verify_signature(cred, payload, {"challenge": c, "response": s}, fp)
    # A third party cannot cast the audited ciphertexts under their own credential either.
    thief = CredentialKey.generate(DeterministicRng(b"thief"))
    theirs: dict[str, object] = {**copy.deepcopy(record["ballot"]), "credential": thief.public.hex()}
    theirs["signature"] = thief.sign(signed_payload(theirs), fp)
    with pytest.raises(InvalidProof, match=r"answers\[0\]\.bit_proofs\[0\]"):
        verify_ballot(ctx, theirs)


def test_lies_about_randomness_choices_and_ciphertexts_are_caught() -> None:
    case = CASE_MIXED
    ctx = _ctx(case)
    good = _vector_record(case)

    def fails(record: object, pattern: str) -> None:
        with pytest.raises(InvalidAudit, match=pattern):
            verify_audit(ctx, record)

    bad = copy.deepcopy(good)
    bad["randomness"][1][0] = _flip(bad["randomness"][1][0])
    fails(bad, r"question 1, ciphertext 0 does not encrypt")
    bad = copy.deepcopy(good)
    bad["randomness"][0].reverse()
    fails(bad, r"question 0, ciphertext 0")
    bad = copy.deepcopy(good)
    bad["randomness"][0][0] = "00" * 32
    fails(bad, r"randomness\[0\]\[0\] is zero")
    bad = copy.deepcopy(good)
    bad["randomness"][0][0] = "ff" * 32
    fails(bad, r"randomness\[0\]\[0\]: not canonical")
    bad = copy.deepcopy(good)
    bad["randomness"][2].pop()
    fails(bad, r"randomness\[2\] must have 2 entries")

    bad = copy.deepcopy(good)
    bad["choices"][0] = [1, 0]  # the vector's ballot encrypts [0, 1]
    fails(bad, r"question 0, ciphertext 0 does not encrypt")
    bad = copy.deepcopy(good)
    bad["choices"][2] = [1, 1]
    fails(bad, r"question 2: 2 selections, allowed 1\.\.1")
    bad = copy.deepcopy(good)
    bad["choices"][1][0] = True
    fails(bad, r"question 1, option 0: value True")

    bad = copy.deepcopy(good)
    answers = bad["ballot"]["answers"]
    answers[0]["ciphertexts"][0] = answers[0]["ciphertexts"][1]
    fails(bad, "commitment is not the hash of this ballot")
    fails(_recommitted(bad), r"question 0, ciphertext 0 does not encrypt")
    # Re-encrypted consistently with a new r, proofs left alone: the proof check catches it.
    bad = copy.deepcopy(good)
    r = Scalar(12345)
    bad["randomness"][1][1] = r.hex()
    reencrypted = encrypt(ctx.public_key, case["choices"][1][1], r)
    bad["ballot"]["answers"][1]["ciphertexts"][1] = reencrypted.to_json()
    fails(_recommitted(bad), r"answers\[1\]\.bit_proofs\[1\]")
    bad = copy.deepcopy(good)
    bad["ballot"]["answers"][1]["sum_proof"]["responses"].reverse()
    fails(_recommitted(bad), r"answers\[1\]\.sum_proof")

    fails({**good, "type": "scrutin/v1/ballot-audit", "ballot": case["ballot"]}, "no longer accepted")
    fails({**good, "type": "x"}, "type must be")
    fails({**good, "extra": 1}, "expected keys")
    fails({k: v for k, v in good.items() if k != "commitment"}, "expected keys")
    fails({**good, "ballot": case["ballot"]}, "must not carry a signature")
    fails({**good, "tracker": "X" * 64}, "tracker must be 64 lowercase hex")
    fails({**good, "commitment": "00" * 32}, "commitment is not the hash")
    fails({**good, "ballot": []}, "ballot: expected a JSON object")
    fails([], "expected a JSON object")
    bad = copy.deepcopy(good)
    bad["ballot"]["note"] = "x"
    fails(_recommitted(bad), "wrong keys")
    other = BallotContext("other", ctx.fingerprint, ctx.public_key, ctx.questions)
    with pytest.raises(InvalidAudit, match="election_id does not match"):
        verify_audit(other, good)


def test_tampering_with_any_value_except_the_tracker_label_fails() -> None:
    case = CASE_MIXED
    ctx = _ctx(case)
    good = _vector_record(case)
    checked = 0
    for path, value in list(_leaves(good)):
        if not isinstance(value, str) or path == ("tracker",):
            continue
        bad = copy.deepcopy(good)
        _set(bad, path, _flip(value) if len(value) == 64 else value + "x")
        with pytest.raises(InvalidAudit):
            verify_audit(ctx, bad)
        if path[0] == "ballot":
            with pytest.raises(InvalidAudit):
                verify_audit(ctx, _recommitted(bad))
        checked += 1
    for q, row in enumerate(good["choices"]):
        for i, value in enumerate(row):
            for alt in (-1, 0, 1, 2, "1", None):
                if alt == value and type(alt) is type(value):
                    continue
                bad = copy.deepcopy(good)
                bad["choices"][q][i] = alt
                with pytest.raises(InvalidAudit):
                    verify_audit(ctx, bad)
                checked += 1
    assert checked > 80
    # The tracker hashes the omitted signature: only its form is checked (a label).
    assert verify_audit(ctx, {**good, "tracker": _flip(good["tracker"])}) == case["choices"]


# --- the booth's JavaScript records -------------------------------------------------------------


@pytest.fixture(scope="module")
def js() -> dict[str, Any]:
    """One run of tests/js/crosscheck.mjs: JS records (fresh and seeded), Python records checked in JS."""
    if NODE is None:
        pytest.skip("node is not installed (CI installs Node.js)")
    if not (ROOT / "node_modules" / "libsodium-wrappers-sumo").is_dir():
        pytest.fail("node_modules/ is missing: run `npm ci` at the repository root")
    python_records = [_vector_record(c) for c in CASES]
    tampered = copy.deepcopy(python_records[CASES.index(CASE_MIXED)])
    tampered["randomness"][0][1] = _flip(tampered["randomness"][0][1])
    request = {
        "audits": [
            {"context": _context_json(c), "choices": c["choices"], "code": c["credential_code"]}
            for c in CASES
        ],
        "audits_seeded": [
            {
                "context": _context_json(c),
                "choices": c["choices"],
                "credential_secret": c["credential_secret"],
                "seed_hex": c["seed_hex"],
                "version": c["ballot"]["version"],
            }
            for c in CASES
        ],
        "verify_audits": [
            {"context": _context_json(c), "record": r, "credential": c["credential_public"]}
            for c, r in zip(CASES, python_records, strict=True)
        ]
        + [{"context": _context_json(CASE_MIXED), "record": tampered}],
    }
    proc = subprocess.run(
        [NODE, "tests/js/crosscheck.mjs"],
        cwd=ROOT,
        input=json.dumps(request),
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    out: dict[str, Any] = json.loads(proc.stdout)
    return out


@pytest.mark.parametrize("index", range(len(CASES)), ids=[c["name"] for c in CASES])
def test_javascript_records_verify_in_python(js: dict[str, Any], index: int) -> None:
    case = CASES[index]
    ctx = _ctx(case)
    cred = Point.from_hex(case["credential_public"])
    prepared = js["audits"][index]
    record = prepared["audit"]
    assert verify_audit(ctx, record, cred) == case["choices"]
    assert record["tracker"] == prepared["tracker"] == ballot_tracker(prepared["ballot"])
    assert record["commitment"] == prepared["commitment"] == ballot_commitment(prepared["ballot"])
    assert "signature" not in json.dumps(record)
    with pytest.raises(InvalidBallot, match=r"missing \['signature'\]"):
        verify_ballot(ctx, record["ballot"])
    verify_ballot(ctx, prepared["ballot"], cred)  # the ballot that would have been cast

    def fails(bad: dict[str, Any]) -> None:
        with pytest.raises(InvalidAudit):
            verify_audit(ctx, bad, cred)

    for q, rs in enumerate(record["randomness"]):
        for i in range(len(rs)):
            bad = copy.deepcopy(record)
            bad["randomness"][q][i] = _flip(rs[i])
            fails(bad)
            bad = copy.deepcopy(record)
            cts = bad["ballot"]["answers"][q]["ciphertexts"]
            cts[i]["beta"] = cts[(i + 1) % len(cts)]["beta"] if len(cts) > 1 else _flip(cts[i]["beta"])
            fails(bad)
            fails(_recommitted(bad))
    for q, row in enumerate(record["choices"]):
        for i, value in enumerate(row):
            bad = copy.deepcopy(record)
            bad["choices"][q][i] = 0 if value else 1
            fails(bad)


def test_javascript_seeded_records_equal_python_records(js: dict[str, Any]) -> None:
    for case, prepared in zip(CASES, js["audits_seeded"], strict=True):
        assert prepared["ballot"] == case["ballot"]
        assert canonical_json(prepared["audit"]) == canonical_json(_vector_record(case)), case["name"]


def test_python_records_verify_in_javascript(js: dict[str, Any]) -> None:
    results = js["verify_audits"]
    for case, res in zip(CASES, results, strict=False):
        assert res["error"] is None, f"{case['name']}: {res['error']}"
        assert res["result"] == {
            "tracker": case["tracker"],
            "commitment": case["signed_payload_sha256"],
            "choices": case["choices"],
        }
    assert results[-1]["error"].startswith("InvalidAudit: audit record: question 0, ciphertext 1")
