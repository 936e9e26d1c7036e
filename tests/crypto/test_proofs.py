"""Zero-knowledge proofs: completeness, soundness against lying provers, tampering, binding."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crypto.elgamal import encrypt
from crypto.errors import InvalidEncoding, InvalidProof, InvalidScalar
from crypto.group import G, L, Point, Scalar, hash_to_point
from crypto.proofs import (
    ChallengeResponse,
    DisjunctiveProof,
    prove_bit,
    prove_disjunctive,
    prove_dlog,
    prove_eqdlog,
    prove_range,
    verify_bit,
    verify_disjunctive,
    verify_dlog,
    verify_eqdlog,
    verify_range,
)

CTX = ("context", b"\x01" * 32, 3)
OTHER = ("context", b"\x02" * 32, 3)


def _bump(s: Scalar) -> Scalar:
    return Scalar(s.value + 1)


def test_dlog_proof() -> None:
    x = Scalar(987654321)
    p = prove_dlog(x, CTX)
    verify_dlog(G * x, p, CTX)
    with pytest.raises(InvalidProof):
        verify_dlog(G * x, p, OTHER)
    with pytest.raises(InvalidProof):
        verify_dlog(G * (x + 1), p, CTX)
    with pytest.raises(InvalidProof):
        verify_dlog(G * x, ChallengeResponse(_bump(p.challenge), p.response), CTX)
    with pytest.raises(InvalidProof):
        verify_dlog(G * x, ChallengeResponse(p.challenge, _bump(p.response)), CTX)
    assert ChallengeResponse.from_json(p.to_json()) == p


def test_eqdlog_proof() -> None:
    x = Scalar(555)
    h = hash_to_point("test", b"h")
    p = prove_eqdlog(x, h, CTX)
    verify_eqdlog(G * x, h, h * x, p, CTX)
    with pytest.raises(InvalidProof):
        verify_eqdlog(G * x, h, h * (x + 1), p, CTX)  # wrong image: the decryption-share case
    with pytest.raises(InvalidProof):
        verify_eqdlog(G * x, h + G, (h + G) * x, p, CTX)
    with pytest.raises(InvalidProof):
        verify_eqdlog(G * x, h, h * x, p, OTHER)
    with pytest.raises(InvalidProof):
        verify_eqdlog(G * x, h, h * x, ChallengeResponse(p.challenge, _bump(p.response)), CTX)


@settings(max_examples=10, deadline=None)
@given(bit=st.integers(0, 1), r=st.integers(1, L - 1))
def test_bit_proof_complete(bit: int, r: int, election_key: tuple[Scalar, Point]) -> None:
    y = election_key[1]
    ct = encrypt(y, bit, Scalar(r))
    verify_bit(y, ct, prove_bit(y, ct, bit, Scalar(r), CTX), CTX)


def test_bit_proof_rejects_non_bits(election_key: tuple[Scalar, Point]) -> None:
    y = election_key[1]
    r = Scalar(4242)
    for m in (2, -1, 5):
        ct = encrypt(y, m, r)
        for claimed in (0, 1):  # a prover claiming either branch cannot make it verify
            with pytest.raises(InvalidProof):
                verify_bit(y, ct, prove_disjunctive(y, ct, (0, 1), claimed, r, CTX), CTX)


def test_bit_proof_tampering_and_binding(election_key: tuple[Scalar, Point]) -> None:
    y = election_key[1]
    r = Scalar(77)
    ct = encrypt(y, 1, r)
    p = prove_bit(y, ct, 1, r, CTX)
    verify_bit(y, ct, p, CTX)
    for i in range(2):
        cs = list(p.challenges)
        cs[i] = _bump(cs[i])
        with pytest.raises(InvalidProof):
            verify_bit(y, ct, DisjunctiveProof(tuple(cs), p.responses), CTX)
        ss = list(p.responses)
        ss[i] = _bump(ss[i])
        with pytest.raises(InvalidProof):
            verify_bit(y, ct, DisjunctiveProof(p.challenges, tuple(ss)), CTX)
    # swapping the branches changes which value each challenge belongs to
    with pytest.raises(InvalidProof):
        verify_bit(y, ct, DisjunctiveProof(p.challenges[::-1], p.responses[::-1]), CTX)
    with pytest.raises(InvalidProof):
        verify_bit(y, ct, p, OTHER)
    with pytest.raises(InvalidProof):
        verify_bit(G * 3, ct, p, CTX)  # another election key
    other = encrypt(y, 1, Scalar(78))
    with pytest.raises(InvalidProof):
        verify_bit(y, other, p, CTX)


def test_disjunctive_json_strict(election_key: tuple[Scalar, Point]) -> None:
    y = election_key[1]
    ct = encrypt(y, 0, Scalar(5))
    p = prove_bit(y, ct, 0, Scalar(5), CTX)
    js = p.to_json()
    assert DisjunctiveProof.from_json(js, 2) == p
    with pytest.raises(InvalidEncoding):
        DisjunctiveProof.from_json(js, 3)
    with pytest.raises(InvalidEncoding):
        DisjunctiveProof.from_json({**js, "extra": []}, 2)
    with pytest.raises(InvalidScalar):
        DisjunctiveProof.from_json(
            {
                "challenges": [L.to_bytes(32, "little").hex(), js["challenges"][1]],
                "responses": js["responses"],
            },
            2,
        )
    with pytest.raises(InvalidEncoding):
        DisjunctiveProof.from_json({"challenges": "00", "responses": []}, 2)


@pytest.mark.parametrize(("low", "high", "value"), [(0, 0, 0), (1, 1, 1), (0, 5, 3), (2, 4, 4)])
def test_range_proof(low: int, high: int, value: int, election_key: tuple[Scalar, Point]) -> None:
    y = election_key[1]
    r = Scalar(31337)
    ct = encrypt(y, value, r)
    p = prove_range(y, ct, low, high, value, r, CTX)
    assert len(p.challenges) == high - low + 1
    verify_range(y, ct, low, high, p, CTX)
    with pytest.raises(InvalidProof):
        verify_range(y, ct, low, high, p, OTHER)
    if high > low:
        with pytest.raises(InvalidProof):  # another claimed range
            verify_disjunctive(y, ct, list(range(low + 1, high + 2)), p, CTX)


def test_range_proof_rejects_out_of_range(election_key: tuple[Scalar, Point]) -> None:
    y = election_key[1]
    r = Scalar(8)
    ct = encrypt(y, 3, r)
    with pytest.raises(ValueError):
        prove_range(y, ct, 0, 2, 3, r, CTX)
    for claimed in range(3):  # lying about the branch does not help
        with pytest.raises(InvalidProof):
            verify_range(y, ct, 0, 2, prove_disjunctive(y, ct, [0, 1, 2], claimed, r, CTX), CTX)


def test_disjunctive_value_validation(election_key: tuple[Scalar, Point]) -> None:
    y = election_key[1]
    ct = encrypt(y, 0, Scalar(5))
    for values in ([], [0, 0], [-1, 0], [True, 0]):
        with pytest.raises(ValueError):
            prove_disjunctive(y, ct, values, 0, Scalar(5), CTX)
    with pytest.raises(ValueError):
        prove_bit(y, ct, 2, Scalar(5), CTX)
