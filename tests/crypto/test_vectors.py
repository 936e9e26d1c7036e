"""The JSON test vectors are reproducible byte for byte and verify with the library."""

from __future__ import annotations

import json
from typing import Any

import pytest

from crypto.ballots import BallotContext, QuestionSpec, ballot_tracker, verify_ballot
from crypto.credentials import CredentialKey, verify_signature
from crypto.drbg import DeterministicRng
from crypto.elgamal import Ciphertext
from crypto.errors import InvalidEncoding
from crypto.group import Point, Scalar
from crypto.threshold import combine_decryption, verify_commitments, verify_decryption_share

from .make_vectors import GENERATORS, VECTORS_DIR, render


def _load(name: str) -> Any:
    return json.loads((VECTORS_DIR / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_vectors_regenerate_byte_for_byte(name: str) -> None:
    text = render(GENERATORS[name]())
    assert (VECTORS_DIR / name).read_text(encoding="utf-8") == text, (
        f"{name} changed: run `python -m tests.crypto.make_vectors` and review the diff "
        "(a change here breaks the JavaScript booth)"
    )


def test_draws_follow_the_seed() -> None:
    for case in _load("ballots.json")["cases"]:
        rng = DeterministicRng(bytes.fromhex(case["seed_hex"]))
        assert [rng().hex() for _ in case["draws"]] == case["draws"]


def test_ballot_vectors_verify() -> None:
    for case in _load("ballots.json")["cases"]:
        questions = tuple(QuestionSpec(**q) for q in case["questions"])
        ctx = BallotContext(
            case["election_id"], case["fingerprint"], Point.from_hex(case["public_key"]), questions
        )
        cred = CredentialKey.from_code(case["credential_code"], case["election_id"])
        assert cred.public.hex() == case["credential_public"]
        verified = verify_ballot(ctx, case["ballot"], cred.public)
        assert verified.tracker == case["tracker"] == ballot_tracker(case["ballot"])


def test_signature_vector_verifies() -> None:
    sig = _load("credentials.json")["signature"]
    verify_signature(
        Point.from_hex(sig["public"]),
        bytes.fromhex(sig["message_hex"]),
        sig["signature"],
        bytes.fromhex(sig["context_hex"]),
    )


def test_threshold_vectors_verify() -> None:
    v = _load("threshold.json")
    for tr in v["trustees"]:
        verify_commitments(
            [Point.from_hex(c) for c in tr["commitments"]],
            tr["commitment_proofs"],
            tr["index"],
            bytes.fromhex(tr["context_hex"]),
        )
    cts = [Ciphertext.from_json(c) for c in v["tally"]["ciphertexts"]]
    public = {int(j): Point.from_hex(p) for j, p in v["public_shares"].items()}
    shares = {int(j): s for j, s in v["tally"]["decryption_shares"].items()}
    ctx = bytes.fromhex(v["tally"]["context_hex"])
    for j, s in shares.items():
        verify_decryption_share(cts, s, public[j], j, ctx)
    points, rejected = combine_decryption(cts, shares, public, v["threshold"], ctx)
    assert [p.hex() for p in points] == v["tally"]["plaintext_points"] and rejected == []


def test_invalid_encodings_in_vectors_are_rejected() -> None:
    g = _load("group.json")
    for case in g["invalid_points"]:
        with pytest.raises(InvalidEncoding):
            Point.from_hex(case["hex"])
    for case in g["invalid_scalars"]:
        with pytest.raises(InvalidEncoding):
            Scalar.from_hex(case["hex"])


def test_ranked_vectors_verify_audit_and_decrypt() -> None:
    from crypto import ranked
    from crypto.audit import choices_in_words, verify_audit
    from crypto.elgamal import decrypt_to_point
    from crypto.manifest import ballot_context

    v = _load("ranked.json")
    for case in v["packing"]:
        points = [Point.from_hex(p) for p in case["points"]]
        assert ranked.pack(case["ranking"], case["n_candidates"]) == points
        assert ranked.unpack(points) == case["ranking"]
    for case in v["invalid_packings"]:
        with pytest.raises(ranked.InvalidPacking, match=case["reason"]):
            ranked.unpack([Point.from_hex(p) for p in case["points"]])
    for case in v["cases"]:
        ctx = ballot_context(case["manifest"], case["fingerprint"])
        cred = Point.from_hex(case["credential_public"])
        verified = verify_ballot(ctx, case["ballot"], cred)
        assert verified.tracker == case["tracker"]
        assert verify_audit(ctx, case["audit"], cred) == case["choices"]
        assert choices_in_words(case["manifest"], case["choices"]) == case["choices_in_words"]
        x = Scalar.from_hex(case["election_secret_key"])
        for spec, cts, want, ch in zip(
            ctx.questions, verified.ciphertexts, case["decrypted"], case["choices"], strict=True
        ):
            if spec.kind == "ranked":
                positions = ranked.unpack([decrypt_to_point(x, c) for c in cts])
                assert positions == want["positions"] == [spec.positions[i] for i in ch]
