"""Ballot version 2 (docs/protocol.md §4.5): disjunctive proofs that carry their commitments.

Path-agnostic: CI runs tests/crypto on the native kernel (batch check) and again with
SCRUTIN_CRYPTO_KERNEL=reference (one equation at a time); the verdicts and messages asserted
here hold on both. tests/crypto/test_kernel.py compares the two paths case by case."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from nacl import bindings

from crypto.ballots import encrypt_ballot, parse_ballot, verify_ballot, verify_proofs
from crypto.credentials import CredentialKey
from crypto.drbg import DeterministicRng
from crypto.elgamal import Ciphertext, encrypt
from crypto.errors import InvalidEncoding, InvalidProof
from crypto.group import FIELD_P, G, L, Point, Scalar, curve_point_ok
from crypto.hashing import hash_to_int
from crypto.proofs import (
    BIT_VALUES,
    TAG_DISJUNCTIVE,
    DisjunctiveProof,
    prove_bit,
    prove_range,
    verify_bit,
    verify_disjunctive_many,
    verify_range,
)

from .conftest import SMALL_CHOICES
from .test_group import SMALL_ORDER

CTX = ("context", b"\x01" * 32, 3)
TORSION = [bytes.fromhex(h) for h in SMALL_ORDER[1:]]  # [0] is the identity
NON_CANONICAL = [
    (FIELD_P + 1).to_bytes(32, "little"),  # y = 1 + p: the identity, spelt badly
    bytes.fromhex("01" + "00" * 30 + "80"),
]  # "negative zero": x = 0, sign bit set
OFF_CURVE = next(
    (y).to_bytes(32, "little") for y in range(2, 100) if not curve_point_ok((y).to_bytes(32, "little"))
)


def _add_raw(a: bytes, b: bytes) -> bytes:
    return bindings.crypto_core_ed25519_add(a, b)


def honest_with_torsion(
    y: Point,
    ct: Ciphertext,
    bit: int,
    r: Scalar,
    context: Any,
    torsion: dict[tuple[int, int], bytes],
    seed: bytes,
) -> DisjunctiveProof:
    """A 0/1 proof whose prover added the given points to some commitments BEFORE hashing:
    small-order points give a valid proof under the cofactor-cleared check (8·T = 0), bound by
    the hash as sent; any other point breaks that equation."""
    rng = DeterministicRng(seed)
    w = rng().value
    cs, ss = [0, 0], [0, 0]
    j = 1 - bit
    cs[j], ss[j] = rng().value, rng().value
    pts: list[list[bytes]] = [[b""] * 2, [b""] * 2]
    pts[bit] = [(G * w).to_bytes(), (y * w).to_bytes()]
    t = ss[j] - r.value * cs[j]
    pts[j] = [(G * t).to_bytes(), (y * t + G * ((BIT_VALUES[j] - bit) * cs[j])).to_bytes()]
    for (branch, which), tor in torsion.items():
        pts[branch][which] = _add_raw(pts[branch][which], tor)
    flat = [e for pair in pts for e in pair]
    c = hash_to_int(TAG_DISJUNCTIVE, *context, y, ct.alpha, ct.beta, list(BIT_VALUES), flat)
    cs[bit] = (c - cs[j]) % L
    ss[bit] = (w + cs[bit] * r.value) % L
    return DisjunctiveProof(
        tuple(Scalar(x) for x in cs), tuple(Scalar(x) for x in ss), tuple((p[0], p[1]) for p in pts)
    )


def _with(proof: DisjunctiveProof, **changes: Any) -> DisjunctiveProof:
    fields = {"challenges": proof.challenges, "responses": proof.responses, "commitments": proof.commitments}
    fields.update(changes)
    return DisjunctiveProof(**fields)


def _set_commitment(proof: DisjunctiveProof, j: int, k: int, enc: bytes) -> DisjunctiveProof:
    assert proof.commitments is not None
    pairs = [list(p) for p in proof.commitments]
    pairs[j][k] = enc
    return _with(proof, commitments=tuple((a, b) for a, b in pairs))


def _rebalanced(
    y: Point, ct: Ciphertext, proof: DisjunctiveProof, commitments: tuple[tuple[bytes, bytes], ...]
) -> DisjunctiveProof:
    """Other commitments with challenges re-split so that their sum is the new hash again:
    the hash check passes and only the equations can catch the forgery."""
    flat = [e for pair in commitments for e in pair]
    c = hash_to_int(TAG_DISJUNCTIVE, *CTX, y, ct.alpha, ct.beta, list(BIT_VALUES), flat)
    c0 = (c - proof.challenges[1].value) % L
    return DisjunctiveProof((Scalar(c0), proof.challenges[1]), proof.responses, commitments)


def forged_bit_proofs(y: Point) -> list[tuple[str, Ciphertext, DisjunctiveProof, str]]:
    """(name, ciphertext, forged v2 proof, expected message fragment)."""
    r = Scalar(123456789)
    ct = encrypt(y, 1, r)
    good = prove_bit(y, ct, 1, r, CTX, DeterministicRng(b"v2 forged"), commitments=True)
    assert good.commitments is not None
    (a0, b0), (a1, b1) = good.commitments
    hash_error = "the challenges do not sum to the hash"
    out = [
        (
            f"non-canonical {n}",
            ct,
            _set_commitment(good, 0, n % 2, enc),
            f"commitments[0][{n % 2}] ({'AB'[n % 2]}_0) is not a canonical encoding of a curve point",
        )
        for n, enc in enumerate(NON_CANONICAL)
    ]
    out.append(
        (
            "off the curve",
            ct,
            _set_commitment(good, 1, 1, OFF_CURVE),
            "commitments[1][1] (B_1) is not a canonical encoding of a curve point",
        )
    )
    for n, tor in enumerate(TORSION):
        j, k = n % 2, n // 4 % 2
        out.append(
            (
                f"torsion {n} added after the fact",
                ct,
                _set_commitment(good, j, k, _add_raw(good.commitments[j][k], tor)),
                hash_error,
            )
        )
    out.append(("branches swapped", ct, _with(good, commitments=((a1, b1), (a0, b0))), hash_error))
    out.append(("A and B swapped", ct, _with(good, commitments=((b0, a0), (a1, b1))), hash_error))
    out.append(
        (
            "branches swapped, challenges re-split",
            ct,
            _rebalanced(y, ct, good, ((a1, b1), (a0, b0))),
            "branch 0: the A equation fails",
        )
    )
    out.append(
        (
            "B_1 off by g before hashing",
            ct,
            honest_with_torsion(y, ct, 1, r, CTX, {(1, 1): G.to_bytes()}, b"off by g"),
            "branch 1: the B equation fails",
        )
    )
    out.append(
        (
            "A_0 off by g before hashing",
            ct,
            honest_with_torsion(y, ct, 1, r, CTX, {(0, 0): G.to_bytes(), (1, 1): TORSION[1]}, b"a0"),
            "branch 0: the A equation fails",
        )
    )
    out.append(
        (
            "torsion in A_0 in place of the point, re-split",
            ct,
            _rebalanced(y, ct, good, ((TORSION[0], b0), (a1, b1))),
            "branch 0: the A equation fails",
        )
    )
    out.append(
        (
            "wrong challenge sum",
            ct,
            _with(good, challenges=(Scalar(good.challenges[0].value + 1), good.challenges[1])),
            hash_error,
        )
    )
    out.append(
        (
            "response changed",
            ct,
            _with(good, responses=(good.responses[0], Scalar(good.responses[1].value + 1))),
            "branch 1: the A equation fails",
        )
    )
    out.append(("other ciphertext", encrypt(y, 0, r), good, hash_error))
    return out


def test_v2_proofs_complete_and_carry_their_commitments(election_key: tuple[Scalar, Point]) -> None:
    y = election_key[1]
    for bit in (0, 1):
        r = Scalar.random()
        ct = encrypt(y, bit, r)
        proof = prove_bit(y, ct, bit, r, CTX, commitments=True)
        assert proof.commitments is not None and len(proof.commitments) == 2
        verify_bit(y, ct, proof, CTX)
        data = proof.to_json()
        assert set(data) == {"challenges", "commitments", "responses"}
        assert DisjunctiveProof.from_json(data, 2, commitments=True) == proof
        with pytest.raises(InvalidEncoding, match="exactly 'challenges' and 'responses'"):
            DisjunctiveProof.from_json(data, 2)  # v1 refuses the commitments key ...
        with pytest.raises(InvalidEncoding, match="'commitments'"):
            DisjunctiveProof.from_json(prove_bit(y, ct, bit, r, CTX).to_json(), 2, commitments=True)
    r = Scalar(77)
    ct = encrypt(y, 3, r)
    proof = prove_range(y, ct, 1, 4, 3, r, CTX, commitments=True)
    verify_range(y, ct, 1, 4, proof, CTX)
    # The commitments are the ones the v1 verifier recomputes: the challenges are identical.
    v1 = prove_range(y, ct, 1, 4, 3, r, CTX, DeterministicRng(b"same"))
    v2 = prove_range(y, ct, 1, 4, 3, r, CTX, DeterministicRng(b"same"), commitments=True)
    assert (v1.challenges, v1.responses) == (v2.challenges, v2.responses)


def test_v2_commitment_json_is_strict(election_key: tuple[Scalar, Point]) -> None:
    y = election_key[1]
    r = Scalar(5)
    data = prove_bit(y, encrypt(y, 0, r), 0, r, CTX, commitments=True).to_json()
    for bad, match in [
        ({**data, "commitments": data["commitments"][:1]}, "list of 2 pairs"),
        ({**data, "commitments": [data["commitments"][0], data["commitments"][1][:1]]}, "pair"),
        (
            {**data, "commitments": [[x.upper() for x in data["commitments"][0]], data["commitments"][1]]},
            "lowercase",
        ),
        ({**data, "commitments": [[1, 2], data["commitments"][1]]}, "hex string"),
        ({**data, "commitments": "ab"}, "list of 2 pairs"),
    ]:
        with pytest.raises(InvalidEncoding, match=match):
            DisjunctiveProof.from_json(bad, 2, commitments=True)


def test_honest_torsion_in_commitments_is_accepted(election_key: tuple[Scalar, Point]) -> None:
    """The check is cofactor-cleared: a prover that put small-order components into its own
    commitments before hashing gives a proof of the same statement, and it verifies."""
    y = election_key[1]
    r = Scalar(99)
    for bit in (0, 1):
        ct = encrypt(y, bit, r)
        for n, tor in enumerate(TORSION):
            torsion = {(n % 2, n // 2 % 2): tor, (1 - n % 2, 1): TORSION[(n + 3) % len(TORSION)]}
            proof = honest_with_torsion(y, ct, bit, r, CTX, torsion, b"torsion %d" % n)
            verify_bit(y, ct, proof, CTX)
    # ... but torsion never makes a false statement provable: a ciphertext of 2 has no proof
    ct = encrypt(y, 2, r)
    with pytest.raises(InvalidProof):
        verify_bit(y, ct, honest_with_torsion(y, ct, 1, r, CTX, {(0, 0): TORSION[0]}, b"lie"), CTX)


def test_forged_v2_proofs_are_rejected_with_the_failing_check(election_key: tuple[Scalar, Point]) -> None:
    y = election_key[1]
    cases = forged_bit_proofs(y)
    assert len(cases) > 15
    for name, ct, proof, message in cases:
        with pytest.raises(InvalidProof, match=r"^0/1 proof: .*") as info:
            verify_bit(y, ct, proof, CTX)
        assert message in str(info.value), (name, str(info.value))


def test_the_first_failing_proof_of_many_is_named(election_key: tuple[Scalar, Point]) -> None:
    y = election_key[1]
    statements = []
    for i in range(40):
        r = Scalar(1000 + i)
        ct = encrypt(y, i % 2, r)
        statements.append(
            (y, ct, BIT_VALUES, prove_bit(y, ct, i % 2, r, CTX, commitments=True), CTX, f"proof {i}")
        )
    verify_disjunctive_many(statements)
    forged = {n: (ct, p, msg) for n, (_, ct, p, msg) in enumerate(forged_bit_proofs(y))}
    for n, (ct, proof, message) in forged.items():
        for at in (0, 17, 39):
            bad = list(statements)
            bad[at] = (y, ct, BIT_VALUES, proof, CTX, f"proof {at}")
            if at + 5 < len(bad):  # a later failure of another kind does not win
                later_ct, later, _ = forged[(n + 7) % len(forged)]
                bad[at + 5] = (y, later_ct, BIT_VALUES, later, CTX, f"proof {at + 5}")
            with pytest.raises(InvalidProof) as info:
                verify_disjunctive_many(bad)
            assert str(info.value).startswith(f"proof {at}: ") and message in str(info.value), (
                n,
                at,
                str(info.value),
            )


def _proofs_of(ballot: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for answer in ballot["answers"]:
        out += answer.get("bit_proofs", []) + answer.get("candidate_proofs", [])
        if answer.get("sum_proof"):
            out.append(answer["sum_proof"])
    return out


def test_v1_and_v2_ballots_both_verify(small_ctx: Any, credential: CredentialKey) -> None:
    v2 = encrypt_ballot(small_ctx, SMALL_CHOICES, credential, rng=DeterministicRng(b"v2 ballot"))
    v1 = encrypt_ballot(small_ctx, SMALL_CHOICES, credential, rng=DeterministicRng(b"v2 ballot"), version=1)
    assert (v1["version"], v2["version"]) == (1, 2)
    assert all("commitments" in p for p in _proofs_of(v2))
    assert not any("commitments" in p for p in _proofs_of(v1))
    a, b = verify_ballot(small_ctx, v1), verify_ballot(small_ctx, v2)
    assert a.ciphertexts == b.ciphertexts  # the same draws: the same ciphertexts and proofs
    for p1, p2 in zip(_proofs_of(v1), _proofs_of(v2), strict=True):
        assert {k: p2[k] for k in ("challenges", "responses")} == p1
    with pytest.raises(ValueError, match="version"):
        encrypt_ballot(small_ctx, SMALL_CHOICES, credential, version=3)


def test_forged_commitments_in_a_ballot_name_the_proof(small_ctx: Any, credential: CredentialKey) -> None:
    ballot = encrypt_ballot(small_ctx, SMALL_CHOICES, credential, rng=DeterministicRng(b"v2 forge"))
    credential_point, parsed = parse_ballot(small_ctx, ballot)
    verify_proofs(small_ctx, credential_point, parsed)
    for key, i, where in [
        ("bit_proofs", 3, "answers[0].bit_proofs[3] (question 0, candidate 1 oppose)"),
        ("candidate_proofs", 1, "answers[0].candidate_proofs[1]"),
        ("sum_proof", None, "answers[1].sum_proof"),
    ]:
        q = 1 if key == "sum_proof" else 0
        for j, k, enc, message in [
            (0, 0, NON_CANONICAL[0], "not a canonical encoding"),
            (0, 1, OFF_CURVE, "not a canonical encoding"),
            (1, 0, None, "the challenges do not sum to the hash"),
        ]:
            bad = copy.deepcopy(ballot)
            proof = bad["answers"][q][key] if i is None else bad["answers"][q][key][i]
            old = bytes.fromhex(proof["commitments"][j][k])
            proof["commitments"][j][k] = (enc or _add_raw(old, TORSION[2])).hex()
            with pytest.raises(InvalidProof) as info:
                verify_proofs(small_ctx, *parse_ballot(small_ctx, bad))
            assert str(info.value).startswith(where) and message in str(info.value), str(info.value)
            with pytest.raises(InvalidProof):  # re-signed by the voter: still the proof
                verify_ballot(small_ctx, _resign(bad, credential, small_ctx))


def _resign(ballot: dict[str, Any], key: CredentialKey, ctx: Any) -> dict[str, Any]:
    from crypto.ballots import signed_payload

    b = {k: v for k, v in ballot.items() if k != "signature"}
    b["signature"] = key.sign(signed_payload(b), ctx.fingerprint_bytes)
    return b
