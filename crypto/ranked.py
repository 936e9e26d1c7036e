"""Ranked answers: a ranking packed into group elements, encrypted with plain ElGamal and
proven by knowledge of the randomness (docs/protocol.md §14.1–14.2).

A ranked answer is not added up homomorphically: the counted set's ranked ciphertexts are
mixed (``crypto.shuffle``) and then decrypted one by one, so the plaintext must be a group
element that decodes back to the ranking — not ``g^m`` with a small ``m``.

Packing (§14.1). A ranking of a question with ``n`` candidates is the list of the candidates'
*positions* (stable across ballot versions, ``candidate["position"]``), most preferred first,
without repetition, possibly incomplete (even empty). Its bytes are ``position + 1`` for each
ranked candidate (so 1..255; positions are at most 254), followed by zero bytes. They are cut
into ``width(n) = max(1, ceil(n / 29))`` chunks of 29 bytes. A chunk becomes a point by
try-and-increment: for a 16-bit counter ``k = 0, 1, …`` the 32-byte string
``u16le(k) || chunk (29 bytes) || 0x00`` is read as an RFC 8032 point encoding (y coordinate,
sign bit 0); the first ``k`` for which it is a valid point of the prime-order subgroup is
used. About one string in sixteen is, so the chance that all 65,536 counters fail is below
2^-6000. Decoding any valid point reads the bytes back; a decrypted point whose last byte is
not 0 or whose bytes are not a valid ranking is an *invalid ballot* (reported, not counted):
after the mix nobody can tell whose it was, and a voter can only spoil their own ballot.

Ciphertext (§14.2): ``(α, β) = (g^r, M + y^r)`` per chunk. Each carries a Schnorr proof of
knowledge of ``r`` (α = g^r) whose challenge binds the fingerprint, the voter's credential,
the question, the chunk and β, so a ciphertext cannot be copied into another voter's ballot
(which would let its content be recognised in the decrypted output) nor altered.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from nacl import bindings as _na

from .elgamal import Ciphertext, Rng
from .errors import InvalidBallot, InvalidChoices
from .group import G, Point, Scalar
from .hashing import HashItem, hash_to_int
from .proofs import ChallengeResponse

CHUNK_BYTES = 29
"""Ranked positions per group element."""

MAX_POSITION = 254
"""The largest candidate position a ranking can name (its byte is position + 1)."""

TAG_RANKED = "scrutin/v1/ranked-randomness"


class InvalidPacking(ValueError):
    """A decrypted point that is not the packing of a valid ranking."""


def width(n_candidates: int) -> int:
    """Group elements per ranked answer for a question of ``n_candidates``."""
    if isinstance(n_candidates, bool) or not isinstance(n_candidates, int) or n_candidates < 1:
        raise ValueError("a ranked question needs at least one candidate")
    return max(1, -(-n_candidates // CHUNK_BYTES))


def _chunk_point(chunk: bytes) -> Point:
    if len(chunk) != CHUNK_BYTES:
        raise ValueError("chunk must be 29 bytes")
    for k in range(1 << 16):
        candidate = k.to_bytes(2, "little") + chunk + b"\x00"
        if _na.crypto_core_ed25519_is_valid_point(candidate):
            return Point(candidate)
    raise ValueError("no counter gives a point (probability below 2^-6000)")  # pragma: no cover


def pack(ranking: Sequence[int], n_candidates: int) -> list[Point]:
    """The ``width(n_candidates)`` points that encode ``ranking`` (candidate positions,
    most preferred first)."""
    w = width(n_candidates)
    check_positions(ranking, n_candidates)
    data = bytes(p + 1 for p in ranking).ljust(w * CHUNK_BYTES, b"\x00")
    return [_chunk_point(data[i * CHUNK_BYTES : (i + 1) * CHUNK_BYTES]) for i in range(w)]


def check_positions(ranking: Sequence[int], max_length: int) -> None:
    if not isinstance(ranking, list | tuple):
        raise ValueError("a ranking is a list of candidate positions")
    if len(ranking) > max_length:
        raise ValueError(f"a ranking has at most {max_length} entries, got {len(ranking)}")
    for p in ranking:
        if isinstance(p, bool) or not isinstance(p, int) or not 0 <= p <= MAX_POSITION:
            raise ValueError(f"candidate position {p!r} not in 0..{MAX_POSITION}")
    if len(set(ranking)) != len(ranking):
        raise ValueError("a ranking names each candidate at most once")


def unpack(points: Sequence[Point]) -> list[int]:
    """The ranking (candidate positions) that ``points`` encode; ``InvalidPacking`` if they
    are not a packing: a set last byte, a position after an empty place, a repetition."""
    data = bytearray()
    for i, p in enumerate(points):
        raw = p.to_bytes()
        if raw[31] != 0:
            raise InvalidPacking(f"chunk {i}: not a packed ranking (last byte {raw[31]:#04x})")
        data += raw[2 : 2 + CHUNK_BYTES]
    length = data.find(0)
    if length < 0:
        length = len(data)
    if any(data[length:]):
        raise InvalidPacking("a ranked place follows an empty place")
    ranking = [b - 1 for b in data[:length]]
    if len(set(ranking)) != len(ranking):
        raise InvalidPacking("the same candidate is ranked twice")
    return ranking


@dataclass(frozen=True, slots=True)
class RankedAnswer:
    """One ranked question of a ballot: chunk ciphertexts and their randomness proofs."""

    ciphertexts: tuple[Ciphertext, ...]
    proofs: tuple[ChallengeResponse, ...]

    def to_json(self) -> dict[str, list[dict[str, str]]]:
        return {
            "ciphertexts": [c.to_json() for c in self.ciphertexts],
            "proofs": [p.to_json() for p in self.proofs],
        }


def randomness_context(
    fingerprint: bytes, credential: Point, question: int, chunk: int, beta: Point
) -> tuple[HashItem, ...]:
    """What the proof of knowledge of a chunk's randomness binds (§14.2)."""
    return (fingerprint, credential, question, "ranked", chunk, beta)


def encrypt_ranking(
    public_key: Point,
    ranking: Sequence[int],
    n_candidates: int,
    fingerprint: bytes,
    credential: Point,
    question: int,
    rng: Rng | None = None,
) -> RankedAnswer:
    """Pack, encrypt each chunk, and prove knowledge of each randomness.

    Draw order per chunk: r (encryption), then w (the proof's nonce)."""
    draw = rng or Scalar.random
    try:
        points = pack(ranking, n_candidates)
    except ValueError as exc:
        raise InvalidChoices(f"question {question}: {exc}") from None
    cts: list[Ciphertext] = []
    proofs: list[ChallengeResponse] = []
    for j, m in enumerate(points):
        r = draw()
        ct = Ciphertext(G * r, m + public_key * r)
        w = draw()
        a = G * w
        c = hash_to_int(
            TAG_RANKED, *randomness_context(fingerprint, credential, question, j, ct.beta), ct.alpha, a
        )
        cts.append(ct)
        proofs.append(ChallengeResponse(Scalar(c), Scalar(w.value + c * r.value)))
    return RankedAnswer(tuple(cts), tuple(proofs))


def verify_ranked_answer(
    answer: RankedAnswer, fingerprint: bytes, credential: Point, question: int, what: str
) -> None:
    """Each chunk's proof: A = g^s − c·α, then c = H(tag, context…, α, A)."""
    for j, (ct, proof) in enumerate(zip(answer.ciphertexts, answer.proofs, strict=True)):
        c = proof.challenge.value
        a = G * proof.response.value - ct.alpha * c
        expected = hash_to_int(
            TAG_RANKED, *randomness_context(fingerprint, credential, question, j, ct.beta), ct.alpha, a
        )
        if expected != c:
            raise InvalidBallot(
                f"{what}.proofs[{j}]: the proof of knowledge of the "
                f"encryption randomness does not verify (question {question},"
                f" chunk {j})"
            )


def parse_ranked_answer(answer: object, n_chunks: int, where: str) -> RankedAnswer:
    """Strict structure: ``{"ciphertexts": [n_chunks], "proofs": [n_chunks]}``."""
    if not isinstance(answer, dict) or set(answer) != {"ciphertexts", "proofs"}:
        raise InvalidBallot(f"{where}: expected an object with keys ['ciphertexts', 'proofs']")
    raw_cts, raw_proofs = answer["ciphertexts"], answer["proofs"]
    for value, name in ((raw_cts, "ciphertexts"), (raw_proofs, "proofs")):
        if not isinstance(value, list) or len(value) != n_chunks:
            raise InvalidBallot(f"{where}.{name}: expected a list of {n_chunks}")
    cts = tuple(Ciphertext.from_json(c, what=f"{where}.ciphertexts[{i}]") for i, c in enumerate(raw_cts))
    proofs = tuple(ChallengeResponse.from_json(p, f"{where}.proofs[{i}]") for i, p in enumerate(raw_proofs))
    return RankedAnswer(cts, proofs)


def decrypt_ranking(
    points: Sequence[Point], final_positions: Sequence[int], known_positions: set[int] | frozenset[int]
) -> list[int] | None:
    """The ranking as indices into ``final_positions`` (the final ballot's candidates), or None
    for an invalid ballot: not a packing, or naming a position no ballot version ever listed.
    Positions that the final ballot no longer lists (a withdrawn or replaced candidate, on a
    ballot cast on an earlier version) are skipped, as STV skips a withdrawn candidate."""
    try:
        ranked = unpack(points)
    except InvalidPacking:
        return None
    if any(p not in known_positions for p in ranked):
        return None
    index = {p: i for i, p in enumerate(final_positions)}
    return [index[p] for p in ranked if p in index]
