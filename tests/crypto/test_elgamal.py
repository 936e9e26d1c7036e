"""Exponential ElGamal: correctness, homomorphism, strict JSON."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crypto.dlog import discrete_log
from crypto.elgamal import Ciphertext, aggregate, decrypt_to_point, encrypt, keygen, reencrypt
from crypto.errors import InvalidEncoding, InvalidPoint
from crypto.group import IDENTITY, G, Point, Scalar, base_mul

small = st.integers(min_value=0, max_value=50)
nonzero = st.integers(min_value=1, max_value=2**252)


@settings(max_examples=15, deadline=None)
@given(m1=small, m2=small, r1=nonzero, r2=nonzero)
def test_homomorphic_sum_and_reencryption(
    m1: int, m2: int, r1: int, r2: int, election_key: tuple[Scalar, Point]
) -> None:
    x, y = election_key
    c1 = encrypt(y, m1, Scalar(r1))
    c2 = encrypt(y, m2, Scalar(r2))
    assert decrypt_to_point(x, c1 + c2) == base_mul(m1 + m2)
    assert c1 + c2 == encrypt(y, m1 + m2, Scalar(r1 + r2)) or r1 + r2 == 0
    re = reencrypt(y, c1, Scalar(r2))
    assert re != c1
    assert decrypt_to_point(x, re) == base_mul(m1)
    assert decrypt_to_point(x, c1 - c1) == IDENTITY


def test_encrypt_matches_definition(election_key: tuple[Scalar, Point]) -> None:
    x, y = election_key
    r = Scalar(123456789)
    c = encrypt(y, 3, r)
    assert c.alpha == G * r
    assert c.beta == base_mul(3) + y * r
    with pytest.raises(ValueError):
        encrypt(y, 1, Scalar(0))


def test_aggregate(election_key: tuple[Scalar, Point]) -> None:
    x, y = election_key
    cts = [encrypt(y, i % 2, Scalar(i + 1)) for i in range(21)]
    total = aggregate(cts)
    assert discrete_log(decrypt_to_point(x, total), 100) == 10
    assert aggregate([]) == Ciphertext.zero()
    assert Ciphertext.zero() + cts[0] == cts[0]


def test_keygen() -> None:
    x, y = keygen()
    assert G * x == y and not x.is_zero()


def test_ciphertext_json_strict(election_key: tuple[Scalar, Point]) -> None:
    c = encrypt(election_key[1], 1, Scalar(99))
    assert Ciphertext.from_json(c.to_json()) == c
    with pytest.raises(InvalidEncoding):
        Ciphertext.from_json({**c.to_json(), "gamma": c.alpha.hex()})
    with pytest.raises(InvalidEncoding):
        Ciphertext.from_json({"alpha": c.alpha.hex()})
    with pytest.raises(InvalidEncoding):
        Ciphertext.from_json([c.alpha.hex(), c.beta.hex()])
    with pytest.raises(InvalidPoint):
        Ciphertext.from_json({"alpha": IDENTITY.hex(), "beta": c.beta.hex()})
    with pytest.raises(InvalidPoint):
        Ciphertext.from_json({"alpha": c.alpha.hex().upper(), "beta": c.beta.hex()})
    zero = Ciphertext.zero()
    assert Ciphertext.from_json(zero.to_json(), allow_identity=True) == zero
