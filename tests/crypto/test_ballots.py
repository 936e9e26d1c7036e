"""Ballots: completeness for every kind and edge case, strict structure, tampering, binding."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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
from crypto.elgamal import decrypt_to_point
from crypto.errors import (
    CryptoError,
    InvalidBallot,
    InvalidChoices,
    InvalidEncoding,
    InvalidProof,
    InvalidSignature,
)
from crypto.group import G, L, Point, Scalar, base_mul
from crypto.hashing import canonical_json, sha256_hex

from .conftest import FINGERPRINT, OTHER_FINGERPRINT, SMALL_CHOICES


def _ctx(y: Point, *questions: QuestionSpec, fingerprint: str = FINGERPRINT) -> BallotContext:
    return BallotContext("election-1", fingerprint, y, tuple(questions))


def _expected_slots(spec: QuestionSpec, choice: list[int]) -> list[int]:
    if spec.kind == "sonc":
        out: list[int] = []
        for v in choice:
            out += [1 if v == 1 else 0, 1 if v == -1 else 0]
        return out
    return list(choice)


def _roundtrip(ctx: BallotContext, choices: list[list[int]], cred: CredentialKey, x: Scalar) -> None:
    ballot = encrypt_ballot(ctx, choices, cred)
    verified = verify_ballot(ctx, ballot, cred.public)
    assert verified.credential == cred.public
    assert verified.tracker == ballot_tracker(ballot)
    assert len(verified.ciphertexts) == len(ctx.questions)
    for spec, choice, cts in zip(ctx.questions, choices, verified.ciphertexts, strict=True):
        assert len(cts) == spec.n_slots
        got = [decrypt_to_point(x, c) for c in cts]
        assert got == [base_mul(v) for v in _expected_slots(spec, choice)]


@pytest.mark.parametrize(
    ("spec", "choice"),
    [
        (QuestionSpec("sonc", 1), [0]),
        (QuestionSpec("sonc", 1), [1]),
        (QuestionSpec("sonc", 1), [-1]),
        (QuestionSpec("sonc", 4), [0, 0, 0, 0]),  # all neutral
        (QuestionSpec("sonc", 3), [1, 1, 1]),
        (QuestionSpec("sonc", 3), [-1, -1, -1]),
        (QuestionSpec("approval", 3), [0, 0, 0]),  # zero selections, no range proof
        (QuestionSpec("approval", 3), [1, 1, 1]),
        (QuestionSpec("approval", 4, 0, 2), [0, 0, 0, 0]),  # zero selections, range proof
        (QuestionSpec("approval", 4, 0, 2), [0, 1, 0, 1]),  # max selections
        (QuestionSpec("approval", 4, 2, 4), [1, 1, 0, 0]),  # min selections
        (QuestionSpec("approval", 1, 1, 1), [1]),
        (QuestionSpec("plurality", 1), [1]),  # one candidate
        (QuestionSpec("plurality", 5), [0, 0, 0, 0, 1]),
        (QuestionSpec("plurality", 3, 1, 1), [0, 1, 0]),
    ],
)
def test_completeness_edge_cases(
    spec: QuestionSpec,
    choice: list[int],
    election_key: tuple[Scalar, Point],
    credential: CredentialKey,
) -> None:
    x, y = election_key
    _roundtrip(_ctx(y, spec), [choice], credential, x)


def test_fifty_candidates(election_key: tuple[Scalar, Point], credential: CredentialKey) -> None:
    x, y = election_key
    choice = [(i % 3) - 1 for i in range(50)]
    _roundtrip(_ctx(y, QuestionSpec("sonc", 50)), [choice], credential, x)


def test_approval_fifty_options_range(election_key: tuple[Scalar, Point], credential: CredentialKey) -> None:
    x, y = election_key
    choice = [1 if i % 10 == 0 else 0 for i in range(50)]
    _roundtrip(_ctx(y, QuestionSpec("approval", 50, 1, 5)), [choice], credential, x)


@settings(max_examples=6, deadline=None)
@given(
    sonc=st.lists(st.sampled_from([1, -1, 0]), min_size=1, max_size=4),
    approval=st.lists(st.integers(0, 1), min_size=1, max_size=4),
    winner=st.integers(0, 2),
)
def test_random_ballots_roundtrip(
    sonc: list[int],
    approval: list[int],
    winner: int,
    election_key: tuple[Scalar, Point],
    credential: CredentialKey,
) -> None:
    x, y = election_key
    ctx = _ctx(
        y,
        QuestionSpec("sonc", len(sonc)),
        QuestionSpec("approval", len(approval)),
        QuestionSpec("plurality", 3),
    )
    plural = [1 if i == winner else 0 for i in range(3)]
    _roundtrip(ctx, [sonc, approval, plural], credential, x)


@pytest.mark.parametrize(
    ("spec", "choice"),
    [
        (QuestionSpec("sonc", 2), [1, 2]),
        (QuestionSpec("sonc", 2), [1]),
        (QuestionSpec("sonc", 2), [True, 0]),
        (QuestionSpec("approval", 2), [1, -1]),
        (QuestionSpec("approval", 3, 1, 2), [0, 0, 0]),
        (QuestionSpec("approval", 3, 1, 2), [1, 1, 1]),
        (QuestionSpec("plurality", 3), [1, 1, 0]),
        (QuestionSpec("plurality", 3), [0, 0, 0]),
    ],
)
def test_invalid_choices(
    spec: QuestionSpec,
    choice: list[int],
    election_key: tuple[Scalar, Point],
    credential: CredentialKey,
) -> None:
    with pytest.raises(InvalidChoices) as info:
        encrypt_ballot(_ctx(election_key[1], spec), [choice], credential)
    assert isinstance(info.value, ValueError)


def test_wrong_number_of_questions(small_ctx: BallotContext, credential: CredentialKey) -> None:
    with pytest.raises(InvalidChoices):
        encrypt_ballot(small_ctx, SMALL_CHOICES[:2], credential)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"kind": "stv", "n_options": 2},
        {"kind": "ranked", "n_options": 2, "positions": (0, 0)},
        {"kind": "sonc", "n_options": 0},
        {"kind": "sonc", "n_options": 2, "max_selections": 1},
        {"kind": "approval", "n_options": 2, "min_selections": 3},
        {"kind": "approval", "n_options": 2, "max_selections": 3},
        {"kind": "approval", "n_options": 3, "min_selections": 2, "max_selections": 1},
        {"kind": "plurality", "n_options": 3, "max_selections": 2},
    ],
)
def test_question_spec_validation(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        QuestionSpec(**kwargs)


def test_context_validation(election_key: tuple[Scalar, Point]) -> None:
    y = election_key[1]
    q = QuestionSpec("sonc", 1)
    for bad in ("F1" * 32, "f1" * 31, ""):
        with pytest.raises(ValueError):
            BallotContext("e", bad, y, (q,))
    with pytest.raises(ValueError):
        BallotContext("e", FINGERPRINT, y, ())
    with pytest.raises(ValueError):
        BallotContext("", FINGERPRINT, y, (q,))


# --- structure and tampering -------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_ballot(small_ctx: BallotContext, credential: CredentialKey) -> dict[str, Any]:
    return encrypt_ballot(small_ctx, SMALL_CHOICES, credential, rng=DeterministicRng(b"tamper"))


def test_small_ballot_shape(small_ballot: dict[str, Any], small_ctx: BallotContext) -> None:
    b = small_ballot
    assert set(b) == {"version", "election_id", "fingerprint", "credential", "answers", "signature"}
    assert b["version"] == 2  # new ballots: every disjunctive proof carries its commitments
    sonc, approval, plurality, free = b["answers"]
    for answer in b["answers"]:
        for proof in [
            *answer["bit_proofs"],
            *answer.get("candidate_proofs", []),
            *([answer["sum_proof"]] if answer.get("sum_proof") else []),
        ]:
            assert set(proof) == {"commitments", "challenges", "responses"}
            assert len(proof["commitments"]) == len(proof["challenges"])
    assert set(sonc) == {"ciphertexts", "bit_proofs", "candidate_proofs"}
    assert len(sonc["ciphertexts"]) == 4 and len(sonc["candidate_proofs"]) == 2
    assert len(approval["sum_proof"]["challenges"]) == 2  # range [1..2]
    assert len(plurality["sum_proof"]["challenges"]) == 1  # exactly one
    assert free["sum_proof"] is None
    assert ballot_tracker(b) == sha256_hex(canonical_json(b))
    verify_ballot(small_ctx, b)


def _leaves(obj: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _leaves(v, (*path, k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _leaves(v, (*path, i))
    else:
        yield path, obj


def _set(obj: Any, path: tuple[Any, ...], value: Any) -> Any:
    out = copy.deepcopy(obj)
    target = out
    for p in path[:-1]:
        target = target[p]
    target[path[-1]] = value
    return out


def _mutations(value: Any) -> list[Any]:
    if isinstance(value, str) and len(value) == 64:
        raw = bytearray(bytes.fromhex(value))
        raw[0] ^= 1
        other_point = (G * 7).hex()
        as_scalar = int.from_bytes(bytes.fromhex(value), "little")
        bumped = ((as_scalar + 1) % L).to_bytes(32, "little").hex() if as_scalar < L else value
        return [m for m in {raw.hex(), other_point, bumped, value.upper()} if m != value]
    if isinstance(value, str):
        return [value + "x"]
    if isinstance(value, int):
        return [value + 1, str(value)]
    return [0]


def _resign(ballot: dict[str, Any], cred: CredentialKey, fingerprint: str) -> dict[str, Any]:
    ballot = dict(ballot)
    ballot["signature"] = cred.sign(signed_payload(ballot), bytes.fromhex(fingerprint))
    return ballot


def test_every_field_is_checked(
    small_ballot: dict[str, Any], small_ctx: BallotContext, credential: CredentialKey
) -> None:
    """Changing any leaf makes verification raise — even when the voter re-signs the ballot,
    so each proof is checked on its own and not only through the signature."""
    checked = 0
    for path, value in _leaves(small_ballot):
        for new in _mutations(value):
            tampered = _set(small_ballot, path, new)
            with pytest.raises(CryptoError):
                verify_ballot(small_ctx, tampered)
            if path[0] not in ("signature", "fingerprint", "election_id", "version"):
                resigned = _resign(tampered, credential, small_ctx.fingerprint)
                with pytest.raises(CryptoError) as info:
                    verify_ballot(small_ctx, resigned)
                if path[0] == "answers":
                    assert f"answers[{path[1]}]" in str(info.value)
                    assert not isinstance(info.value, InvalidSignature)
            checked += 1
    assert checked > 150


def test_structural_tampering(
    small_ballot: dict[str, Any], small_ctx: BallotContext, credential: CredentialKey
) -> None:
    b = small_ballot
    bad_ballots: list[Any] = [
        [],
        {**b, "extra": 1},
        {k: v for k, v in b.items() if k != "signature"},
        {**b, "version": True},
        {**b, "version": 3},
        {**b, "version": 1},  # version-2 proofs (with commitments) under version 1
        {**b, "answers": b["answers"][:3]},
        {**b, "answers": b["answers"] + b["answers"][:1]},
        _set(b, ("answers", 0, "ciphertexts"), b["answers"][0]["ciphertexts"][:3]),
        _set(b, ("answers", 0, "candidate_proofs"), b["answers"][0]["candidate_proofs"][:1]),
        _set(b, ("answers", 1, "sum_proof"), None),
        _set(b, ("answers", 3, "sum_proof"), b["answers"][1]["sum_proof"]),
        _set(b, ("answers", 0, "extra"), []),
        _set(b, ("answers", 0, "bit_proofs", 0, "challenges"), ["00" * 32]),
        _set(b, ("answers", 0, "ciphertexts", 0, "alpha"), Point.identity().hex()),
        _set(b, ("answers", 0, "ciphertexts", 0), [G.hex(), G.hex()]),
    ]
    for bad in bad_ballots:
        with pytest.raises((InvalidBallot, InvalidEncoding, InvalidSignature)):
            verify_ballot(small_ctx, bad)
        if isinstance(bad, dict) and set(bad) >= {"signature"}:
            with pytest.raises(CryptoError):
                verify_ballot(small_ctx, _resign(bad, credential, small_ctx.fingerprint))
    with pytest.raises(InvalidSignature, match="signature"):
        verify_ballot(small_ctx, {**b, "signature": {"challenge": "00" * 32}})


def test_credential_and_context_checks(
    small_ballot: dict[str, Any],
    small_ctx: BallotContext,
    credential: CredentialKey,
    other_credential: CredentialKey,
) -> None:
    verify_ballot(small_ctx, small_ballot, credential.public)
    with pytest.raises(InvalidBallot, match="credential"):
        verify_ballot(small_ctx, small_ballot, other_credential.public)
    other_id = BallotContext("election-2", FINGERPRINT, small_ctx.public_key, small_ctx.questions)
    with pytest.raises(InvalidBallot, match="election_id"):
        verify_ballot(other_id, small_ballot)
    other_fp = BallotContext("election-1", OTHER_FINGERPRINT, small_ctx.public_key, small_ctx.questions)
    with pytest.raises(InvalidBallot, match="fingerprint"):
        verify_ballot(other_fp, small_ballot)


def test_replay_under_other_fingerprint_fails(
    small_ballot: dict[str, Any], small_ctx: BallotContext, credential: CredentialKey
) -> None:
    ctx2 = BallotContext("election-1", OTHER_FINGERPRINT, small_ctx.public_key, small_ctx.questions)
    moved = _resign({**small_ballot, "fingerprint": OTHER_FINGERPRINT}, credential, OTHER_FINGERPRINT)
    with pytest.raises(InvalidProof, match=r"answers\[0\]\.bit_proofs\[0\]"):
        verify_ballot(ctx2, moved)


def test_replay_under_other_credential_fails(
    small_ballot: dict[str, Any], small_ctx: BallotContext, other_credential: CredentialKey
) -> None:
    """Ballot copying: another voter re-signs someone else's encrypted choices."""
    copied = _resign(
        {**small_ballot, "credential": other_credential.public.hex()},
        other_credential,
        small_ctx.fingerprint,
    )
    with pytest.raises(InvalidProof):
        verify_ballot(small_ctx, copied)


def _splice(
    ctx: BallotContext, cred: CredentialKey, a: list[list[int]], b: list[list[int]], q: int, slot: int
) -> dict[str, Any]:
    """Ballot for choices ``a`` with one slot's ciphertext and 0/1 proof taken from a ballot
    for ``b`` (same voter, same position): every bit proof is valid, only the relation
    between the bits is wrong."""
    ba = encrypt_ballot(ctx, a, cred)
    bb = encrypt_ballot(ctx, b, cred)
    for key in ("ciphertexts", "bit_proofs"):
        ba = _set(ba, ("answers", q, key, slot), bb["answers"][q][key][slot])
    return _resign(ba, cred, ctx.fingerprint)


def test_cheating_voter_support_and_oppose(
    election_key: tuple[Scalar, Point], credential: CredentialKey
) -> None:
    ctx = _ctx(election_key[1], QuestionSpec("sonc", 2))
    both = _splice(ctx, credential, [[0, 1]], [[0, -1]], 0, 3)
    with pytest.raises(InvalidProof, match=r"candidate_proofs\[1\].*candidate 1"):
        verify_ballot(ctx, both)


def test_cheating_voter_too_many_approvals(
    election_key: tuple[Scalar, Point], credential: CredentialKey
) -> None:
    ctx = _ctx(election_key[1], QuestionSpec("approval", 3, 0, 2))
    three = _splice(ctx, credential, [[1, 0, 1]], [[0, 1, 0]], 0, 1)
    with pytest.raises(InvalidProof, match=r"sum_proof.*0\.\.2"):
        verify_ballot(ctx, three)


def test_cheating_voter_plurality_blank(
    election_key: tuple[Scalar, Point], credential: CredentialKey
) -> None:
    ctx = _ctx(election_key[1], QuestionSpec("plurality", 2))
    blank = _splice(ctx, credential, [[0, 1]], [[1, 0]], 0, 1)
    with pytest.raises(InvalidProof, match="sum_proof"):
        verify_ballot(ctx, blank)


def test_tracker_changes_with_any_resigning(
    small_ballot: dict[str, Any], small_ctx: BallotContext, credential: CredentialKey
) -> None:
    again = _resign(small_ballot, credential, small_ctx.fingerprint)
    verify_ballot(small_ctx, again)
    assert ballot_tracker(again) != ballot_tracker(small_ballot)
    assert ballot_tracker(copy.deepcopy(small_ballot)) == ballot_tracker(small_ballot)
