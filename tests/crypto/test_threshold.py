"""Threshold ceremony and decryption: every t-subset works, t-1 cannot, bad shares skipped."""

from __future__ import annotations

import copy
import itertools
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crypto.dlog import discrete_logs
from crypto.drbg import DeterministicRng
from crypto.elgamal import Ciphertext, aggregate, encrypt
from crypto.errors import InvalidProof, InvalidShare, NotEnoughShares
from crypto.group import G, Point, Scalar, base_mul
from crypto.threshold import (
    TrusteePolynomial,
    ceremony_context,
    combine_decryption,
    combine_public_key,
    combine_secret_share,
    decryption_share,
    encryption_keypair,
    lagrange_coefficient,
    open_share,
    public_key_share,
    seal_share,
    verify_commitments,
    verify_decryption_share,
    verify_share,
)

TALLY = b"tally context"


@dataclass
class Ceremony:
    n: int
    t: int
    polys: list[TrusteePolynomial]
    commitments: list[list[Point]]
    secret_shares: dict[int, Scalar]
    public_shares: dict[int, Point]
    public_key: Point


def run_ceremony(n: int, t: int, seed: bytes = b"ceremony") -> Ceremony:
    rng = DeterministicRng(seed)
    polys = [TrusteePolynomial.generate(t, rng) for _ in range(n)]
    commitments = [p.commitments for p in polys]
    for i, p in enumerate(polys, 1):
        ctx = ceremony_context("election-1", i)
        verify_commitments(commitments[i - 1], p.commitment_proofs(ctx, rng), i, ctx)
    secret_shares: dict[int, Scalar] = {}
    for j in range(1, n + 1):
        received = []
        for i, p in enumerate(polys):
            s = p.share_for(j)
            verify_share(commitments[i], j, s)
            received.append(s)
        secret_shares[j] = combine_secret_share(received)
    public_shares = {j: public_key_share(commitments, j) for j in range(1, n + 1)}
    return Ceremony(n, t, polys, commitments, secret_shares, public_shares, combine_public_key(commitments))


@pytest.fixture(scope="module")
def ceremony() -> Ceremony:
    return run_ceremony(5, 3)


@pytest.fixture(scope="module")
def tally(ceremony: Ceremony) -> tuple[list[Ciphertext], list[int]]:
    values = [0, 1, 7, 42]
    rng = DeterministicRng(b"tally")
    cts = [encrypt(ceremony.public_key, v, rng()) for v in values]
    return cts, values


@pytest.fixture(scope="module")
def shares(ceremony: Ceremony, tally: tuple[list[Ciphertext], list[int]]) -> dict[int, Any]:
    cts, _ = tally
    return {j: decryption_share(cts, ceremony.secret_shares[j], j, TALLY) for j in range(1, ceremony.n + 1)}


def test_key_shares_are_consistent(ceremony: Ceremony) -> None:
    for j, s in ceremony.secret_shares.items():
        assert G * s == ceremony.public_shares[j]
    # Interpolating any t secret shares at 0 gives the election secret key.
    for subset in itertools.combinations(range(1, ceremony.n + 1), ceremony.t):
        x = sum(
            (lagrange_coefficient(j, subset) * ceremony.secret_shares[j] for j in subset),
            Scalar(0),
        )
        assert G * x == ceremony.public_key


def test_every_t_subset_decrypts(
    ceremony: Ceremony, tally: tuple[list[Ciphertext], list[int]], shares: dict[int, Any]
) -> None:
    cts, values = tally
    for subset in itertools.combinations(range(1, ceremony.n + 1), ceremony.t):
        points, rejected = combine_decryption(
            cts, {j: shares[j] for j in subset}, ceremony.public_shares, ceremony.t, TALLY
        )
        assert rejected == []
        assert discrete_logs(points, 100) == values


def test_t_minus_one_cannot(
    ceremony: Ceremony, tally: tuple[list[Ciphertext], list[int]], shares: dict[int, Any]
) -> None:
    cts, values = tally
    for subset in itertools.combinations(range(1, ceremony.n + 1), ceremony.t - 1):
        with pytest.raises(NotEnoughShares):
            combine_decryption(cts, {j: shares[j] for j in subset}, ceremony.public_shares, ceremony.t, TALLY)
        # and interpolating t-1 shares anyway gives garbage
        pts, _ = combine_decryption(
            cts, {j: shares[j] for j in subset}, ceremony.public_shares, ceremony.t - 1, TALLY
        )
        assert pts[2] != base_mul(values[2])


def test_wrong_share_detected_and_skipped(
    ceremony: Ceremony, tally: tuple[list[Ciphertext], list[int]], shares: dict[int, Any]
) -> None:
    cts, values = tally
    bad = copy.deepcopy(shares)
    bad[2]["factors"][1] = (cts[1].alpha * Scalar(12345)).hex()  # a wrong α^s
    bad[4]["proofs"][0]["response"] = Scalar(1).hex()
    points, rejected = combine_decryption(cts, bad, ceremony.public_shares, ceremony.t, TALLY)
    assert rejected == [2, 4]
    assert discrete_logs(points, 100) == values
    with pytest.raises(NotEnoughShares, match=r"rejected trustees \[2, 4\]"):
        combine_decryption(cts, {j: bad[j] for j in (1, 2, 4)}, ceremony.public_shares, 3, TALLY)


def test_decryption_share_tampering(
    ceremony: Ceremony, tally: tuple[list[Ciphertext], list[int]], shares: dict[int, Any]
) -> None:
    cts, _ = tally
    good = shares[1]
    pub = ceremony.public_shares[1]
    verify_decryption_share(cts, good, pub, 1, TALLY)
    variants: list[Any] = [
        {**good, "trustee": 2},
        {**good, "trustee": True},
        {**good, "factors": good["factors"][:-1]},
        {**good, "extra": 1},
        {**good, "factors": [Point.identity().hex()] + good["factors"][1:]},
        {**good, "factors": [good["factors"][0].upper()] + good["factors"][1:]},
        {**good, "proofs": [{"challenge": "00" * 32}] + good["proofs"][1:]},
        {**good, "proofs": good["proofs"][::-1]},
        "not a share",
    ]
    for i in range(len(cts)):
        for key in ("challenge", "response"):
            p = copy.deepcopy(good)
            p["proofs"][i][key] = Scalar(Scalar.from_hex(p["proofs"][i][key]).value + 1).hex()
            variants.append(p)
        p = copy.deepcopy(good)
        p["factors"][i] = (Point.from_hex(p["factors"][i]) + G).hex()
        variants.append(p)
    for v in variants:
        with pytest.raises(InvalidShare):
            verify_decryption_share(cts, v, pub, 1, TALLY)
    with pytest.raises(InvalidShare):  # another trustee's public share
        verify_decryption_share(cts, good, ceremony.public_shares[2], 1, TALLY)
    with pytest.raises(InvalidShare):  # another tally context
        verify_decryption_share(cts, good, pub, 1, b"other")
    with pytest.raises(InvalidShare):  # other ciphertexts (β is bound too)
        swapped = [Ciphertext(c.alpha, c.beta + G) for c in cts]
        verify_decryption_share(swapped, good, pub, 1, TALLY)


def test_empty_tally(ceremony: Ceremony) -> None:
    cts = [aggregate([])]
    shares = {j: decryption_share(cts, ceremony.secret_shares[j], j, TALLY) for j in (1, 2, 3)}
    assert shares[1]["factors"][0] == Point.identity().hex()
    points, rejected = combine_decryption(cts, shares, ceremony.public_shares, 3, TALLY)
    assert rejected == [] and discrete_logs(points, 10) == [0]


def test_bad_dealer_share_is_a_complaint(ceremony: Ceremony) -> None:
    p = ceremony.polys[0]
    verify_share(ceremony.commitments[0], 3, p.share_for(3))
    with pytest.raises(InvalidShare, match="trustee 3"):
        verify_share(ceremony.commitments[0], 3, p.share_for(3) + 1)
    with pytest.raises(InvalidShare):
        verify_share(ceremony.commitments[0], 3, p.share_for(4))
    with pytest.raises(InvalidShare):
        verify_share(ceremony.commitments[1], 3, p.share_for(3))


def test_commitment_proofs_bound(ceremony: Ceremony) -> None:
    p = ceremony.polys[0]
    ctx1, ctx2 = ceremony_context("election-1", 1), ceremony_context("election-1", 2)
    proofs = p.commitment_proofs(ctx1)
    verify_commitments(p.commitments, proofs, 1, ctx1)
    with pytest.raises(InvalidProof, match="trustee 2"):  # copied by another trustee
        verify_commitments(p.commitments, proofs, 2, ctx2)
    with pytest.raises(InvalidProof):
        verify_commitments(p.commitments, proofs[::-1], 1, ctx1)
    with pytest.raises(InvalidProof):
        verify_commitments(p.commitments, proofs[:-1], 1, ctx1)
    with pytest.raises(InvalidProof):
        verify_commitments(ceremony.commitments[1], proofs, 1, ctx1)
    with pytest.raises(InvalidProof):
        verify_commitments(p.commitments, [{"challenge": "zz"}] + proofs[1:], 1, ctx1)


def test_share_transport() -> None:
    sk, pk = encryption_keypair()
    share = Scalar(123456789)
    sealed = seal_share(pk, share)
    assert open_share(sk, sealed) == share
    bound = seal_share(pk, share, b"dealer 1 -> trustee 2")
    assert open_share(sk, bound, b"dealer 1 -> trustee 2") == share
    with pytest.raises(InvalidShare, match="context"):
        open_share(sk, bound, b"dealer 3 -> trustee 2")
    other_sk, _ = encryption_keypair()
    with pytest.raises(InvalidShare):
        open_share(other_sk, sealed)
    with pytest.raises(InvalidShare):
        open_share(sk, sealed[:-1] + bytes([sealed[-1] ^ 1]))


@settings(max_examples=8, deadline=None)
@given(data=st.data(), n=st.integers(1, 6))
def test_property_random_thresholds(data: st.DataObject, n: int) -> None:
    t = data.draw(st.integers(1, n))
    c = run_ceremony(n, t, seed=b"prop %d %d" % (n, t))
    value = data.draw(st.integers(0, 1000))
    ct = encrypt(c.public_key, value, Scalar.random())
    subset = data.draw(st.lists(st.integers(1, n), min_size=t, max_size=n, unique=True))
    shares = {j: decryption_share([ct], c.secret_shares[j], j, TALLY) for j in subset}
    points, rejected = combine_decryption([ct], shares, c.public_shares, t, TALLY)
    assert rejected == [] and discrete_logs(points, 1000) == [value]
