"""Ranked answers (packing, encryption, proofs) and the Terelius–Wikström shuffle."""

from __future__ import annotations

import pytest

from crypto import ranked
from crypto.ballots import BallotContext, QuestionSpec, encrypt_ballot, verify_ballot
from crypto.credentials import CredentialKey
from crypto.elgamal import Ciphertext, keygen
from crypto.errors import InvalidBallot, InvalidChoices, InvalidEncoding, InvalidProof
from crypto.group import G, Point, Scalar
from crypto.shuffle import ShuffleProof, rows_hash, shuffle, verify_shuffle

FP = "ab" * 32


@pytest.mark.parametrize(
    "ranking,n",
    [
        ([], 1),
        ([0], 3),
        ([4, 2, 0], 5),
        (list(range(29)), 29),
        (list(range(30))[::-1], 30),
        (list(range(0, 254, 3)), 100),
    ],
)
def test_pack_round_trip(ranking: list[int], n: int) -> None:
    points = ranked.pack(ranking, max(n, len(ranking)))
    assert len(points) == ranked.width(max(n, len(ranking)))
    assert ranked.unpack(points) == ranking
    for p in points:  # every packed point is a valid group element, sign bit 0, last byte 0
        assert Point.from_bytes(p.to_bytes()) == p and p.to_bytes()[31] == 0


@pytest.mark.parametrize("bad", [[0, 0], [255], [-1], [True], "ab", [0.5]])
def test_pack_refuses_invalid_rankings(bad: object) -> None:
    with pytest.raises(ValueError):
        ranked.pack(bad, 300)  # type: ignore[arg-type]


def _point_with(data: bytes) -> Point:
    for k in range(1 << 16):
        raw = k.to_bytes(2, "little") + data
        try:
            return Point.from_bytes(raw)
        except Exception:
            continue
    raise AssertionError("no point")


@pytest.mark.parametrize(
    "chunk,why",
    [
        (bytes([1, 1]) + bytes(27) + b"\x00", "twice"),
        (bytes([1, 0, 2]) + bytes(26) + b"\x00", "empty place"),
        (bytes(28) + b"\x01" + b"\x07", "last byte"),
    ],
)
def test_unpack_rejects_non_packings(chunk: bytes, why: str) -> None:
    with pytest.raises(ranked.InvalidPacking, match=why):
        ranked.unpack([_point_with(chunk)])


def test_decrypt_ranking_maps_positions_and_rejects_unknown_ones() -> None:
    points = ranked.pack([7, 3, 9], 10)
    # final ballot lists positions 3, 7 (9 was withdrawn): indices 1, 0
    assert ranked.decrypt_ranking(points, [3, 7], frozenset({3, 7, 9})) == [1, 0]
    assert ranked.decrypt_ranking(points, [3, 7], frozenset({3, 7})) is None


def _ctx(n: int = 4, key: Point | None = None) -> BallotContext:
    return BallotContext(
        "e-ranked",
        FP,
        key or keygen()[1],
        (QuestionSpec("sonc", 2), QuestionSpec("ranked", n, positions=tuple(range(10, 10 + n)))),
    )


def test_ranked_ballot_encrypts_verifies_and_decrypts() -> None:
    x, y = keygen()
    ctx = _ctx(40, y)
    cred = CredentialKey.generate()
    ballot = encrypt_ballot(ctx, [[1, -1], [3, 0, 39]], cred)
    verified = verify_ballot(ctx, ballot)
    chunks = verified.ciphertexts[1]
    assert len(chunks) == 2
    points = [ct.beta - ct.alpha * x for ct in chunks]
    assert ranked.unpack(points) == [13, 10, 49]


def test_ranked_choices_are_checked() -> None:
    ctx = _ctx()
    cred = CredentialKey.generate()
    for bad in ([0, 0], [4], [-1], [True]):
        with pytest.raises(InvalidChoices):
            encrypt_ballot(ctx, [[0, 0], bad], cred)


def test_a_copied_or_altered_ranked_ciphertext_is_refused() -> None:
    ctx = _ctx()
    alice, mallory = CredentialKey.generate(), CredentialKey.generate()
    ballot = encrypt_ballot(ctx, [[0, 0], [2, 1]], alice)
    stolen = ballot["answers"][1]  # type: ignore[index]
    copy = encrypt_ballot(ctx, [[0, 0], [0]], mallory)
    copy["answers"][1] = stolen  # type: ignore[index]
    copy["signature"] = mallory.sign(
        __import__("crypto.ballots", fromlist=["x"]).signed_payload(
            {k: v for k, v in copy.items() if k != "signature"}
        ),
        ctx.fingerprint_bytes,
    )
    with pytest.raises(InvalidBallot, match="randomness"):
        verify_ballot(ctx, copy)
    # shifting β (a related plaintext) breaks the proof too
    altered = encrypt_ballot(ctx, [[0, 0], [2, 1]], alice)
    ct = altered["answers"][1]["ciphertexts"][0]  # type: ignore[index]
    ct["beta"] = (Point.from_hex(ct["beta"]) + G).hex()
    altered["signature"] = alice.sign(
        __import__("crypto.ballots", fromlist=["x"]).signed_payload(
            {k: v for k, v in altered.items() if k != "signature"}
        ),
        ctx.fingerprint_bytes,
    )
    with pytest.raises(InvalidBallot, match="randomness"):
        verify_ballot(ctx, altered)


def _rows(y: Point, rankings: list[list[int]], n: int) -> list[list[Ciphertext]]:
    rows = []
    for r in rankings:
        row = []
        for m in ranked.pack(r, n):
            k = Scalar.random()
            row.append(Ciphertext(G * k, m + y * k))
        rows.append(row)
    return rows


@pytest.mark.parametrize("n_rows,n", [(1, 3), (7, 3), (5, 40)])
def test_shuffle_proves_and_preserves_the_multiset(n_rows: int, n: int) -> None:
    x, y = keygen()
    rankings = [[i % n, (i + 1) % n] for i in range(n_rows)]
    rows = _rows(y, rankings, n)
    width = ranked.width(n)
    out, proof = shuffle(y, rows, width, b"ctx", b"seed")
    verify_shuffle(y, rows, out, width, proof, b"ctx", b"seed")
    again = ShuffleProof.from_json(proof.to_json(), n_rows, width)
    verify_shuffle(y, rows, out, width, again, b"ctx", b"seed")
    assert rows_hash(out, width) != rows_hash(rows, width)
    decrypted = sorted(ranked.unpack([c.beta - c.alpha * x for c in row]) for row in out)
    assert decrypted == sorted(rankings)


def test_shuffle_proof_rejects_every_forgery() -> None:
    x, y = keygen()
    rows = _rows(y, [[0], [1], [2], [0, 1]], 3)
    out, proof = shuffle(y, rows, 1, b"ctx", b"seed")
    # a replaced ciphertext (the mixer swapped a ballot for its own)
    forged = [list(r) for r in out]
    forged[2] = _rows(y, [[2, 1]], 3)[0]
    with pytest.raises(InvalidProof):
        verify_shuffle(y, rows, forged, 1, proof, b"ctx", b"seed")
    # a dropped and duplicated row
    with pytest.raises(InvalidProof):
        verify_shuffle(y, rows, [out[0], out[0], out[2], out[3]], 1, proof, b"ctx", b"seed")
    # another context (a proof replayed for another mix), other generators, another key
    for ctx, seed, key in ((b"other", b"seed", y), (b"ctx", b"other", y), (b"ctx", b"seed", keygen()[1])):
        with pytest.raises(InvalidProof):
            verify_shuffle(key, rows, out, 1, proof, ctx, seed)
    # every response altered in turn
    data = proof.to_json()
    for key in ("s1", "s2", "s3", "challenge"):
        bad = dict(data)
        bad[key] = Scalar(Scalar.from_hex(data[key]).value + 1).hex()  # type: ignore[arg-type]
        with pytest.raises(InvalidProof):
            verify_shuffle(y, rows, out, 1, ShuffleProof.from_json(bad, 4, 1), b"ctx", b"seed")
    for key in ("s4", "s_hat", "s_prime"):
        bad = dict(data)
        values = list(data[key])  # type: ignore[arg-type]
        values[0] = Scalar(Scalar.from_hex(values[0]).value + 1).hex()
        bad[key] = values
        with pytest.raises(InvalidProof):
            verify_shuffle(y, rows, out, 1, ShuffleProof.from_json(bad, 4, 1), b"ctx", b"seed")
    for key in ("commitments", "chain"):
        bad = dict(data)
        values = list(data[key])  # type: ignore[arg-type]
        values[1] = (Point.from_hex(values[1]) + G).hex()
        bad[key] = values
        with pytest.raises(InvalidProof):
            verify_shuffle(y, rows, out, 1, ShuffleProof.from_json(bad, 4, 1), b"ctx", b"seed")


def test_shuffle_proof_json_is_strict() -> None:
    _, y = keygen()
    rows = _rows(y, [[0], [1]], 2)
    _, proof = shuffle(y, rows, 1, b"ctx", b"seed")
    data = proof.to_json()
    with pytest.raises(InvalidEncoding):
        ShuffleProof.from_json({**data, "extra": 1}, 2, 1)
    with pytest.raises(InvalidEncoding):
        ShuffleProof.from_json(data, 3, 1)
    bad = dict(data)
    bad["chain"] = ["01" + "00" * 31, data["chain"][1]]  # type: ignore[index]
    with pytest.raises(InvalidEncoding):
        ShuffleProof.from_json(bad, 2, 1)


def test_shuffle_verification_in_a_process_pool_agrees() -> None:
    _, y = keygen()
    rows = _rows(y, [[i % 3] for i in range(20)], 3)
    out, proof = shuffle(y, rows, 1, b"ctx", b"seed")
    verify_shuffle(y, rows, out, 1, proof, b"ctx", b"seed", workers=2)
    forged = [list(r) for r in out]
    forged[17] = _rows(y, [[2, 1]], 3)[0]
    with pytest.raises(InvalidProof):
        verify_shuffle(y, rows, forged, 1, proof, b"ctx", b"seed", workers=2)


def test_decryption_shares_made_and_checked_in_a_pool_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    from crypto import threshold
    from crypto.errors import InvalidShare

    monkeypatch.setattr(threshold, "PARALLEL_MIN", 4)
    x, y = keygen()
    cts = [row[0] for row in _rows(y, [[i % 3] for i in range(24)], 3)]
    serial = threshold.decryption_share(cts, x, 1, b"ctx", slot_bound=True, first_slot=0)
    pooled = threshold.decryption_share(cts, x, 1, b"ctx", slot_bound=True, workers=2)
    assert pooled["factors"] == serial["factors"] and len(pooled["proofs"]) == 24
    threshold.verify_decryption_share(cts, pooled, G * x, 1, b"ctx", slot_bound=True, workers=2)
    threshold.verify_decryption_share(cts, serial, G * x, 1, b"ctx", slot_bound=True, workers=2)
    bad = {**pooled, "proofs": list(pooled["proofs"])}  # type: ignore[arg-type]
    bad["proofs"][19], bad["proofs"][20] = bad["proofs"][20], bad["proofs"][19]
    with pytest.raises(InvalidShare, match="proof 19"):
        threshold.verify_decryption_share(cts, bad, G * x, 1, b"ctx", slot_bound=True, workers=2)


def test_shuffle_proven_in_a_process_pool_verifies(monkeypatch: pytest.MonkeyPatch) -> None:
    from crypto import shuffle as module

    monkeypatch.setattr(module, "PARALLEL_MIN", 4)
    x, y = keygen()
    rankings = [[i % 3, (i + 1) % 3] for i in range(18)]
    rows = _rows(y, rankings, 3)
    out, proof = shuffle(y, rows, 1, b"ctx", b"seed", workers=2)
    verify_shuffle(y, rows, out, 1, proof, b"ctx", b"seed", workers=1)
    verify_shuffle(y, rows, out, 1, proof, b"ctx", b"seed", workers=2)
    assert sorted(ranked.unpack([c.beta - c.alpha * x for c in row]) for row in out) == sorted(rankings)
    with pytest.raises(InvalidProof):
        verify_shuffle(y, rows, out[::-1], 1, proof, b"ctx", b"seed", workers=2)
