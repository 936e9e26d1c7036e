"""Threshold key ceremony and decryption (docs/protocol.md §8).

A t-of-n Pedersen distributed key generation with Feldman commitments. Trustee i picks a random
polynomial f_i(z) = a_{i,0} + a_{i,1} z + ... + a_{i,t-1} z^{t-1}, publishes the commitments
C_{i,k} = g^{a_{i,k}} with Schnorr proofs of knowledge *before* any share is revealed, then sends
s_{i→j} = f_i(j) to every trustee j (1-based) sealed to j's X25519 key. Trustee j checks
g^{s_{i→j}} = Π_k C_{i,k}^{j^k} (``verify_share``; a failure is a complaint) and keeps
s_j = Σ_i s_{i→j}. The election key is y = Π_i C_{i,0}; anyone can compute g^{s_j} from the
commitments (``public_key_share``).

Decryption: trustee j publishes d = α^{s_j} per ciphertext with a Chaum–Pedersen proof that
log_g g^{s_j} = log_α d. Any t valid shares combine with Lagrange coefficients at 0 into
g^m = β / Π_j d_j^{λ_j}. Invalid shares are identified and skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from nacl.encoding import RawEncoder
from nacl.exceptions import CryptoError as NaclCryptoError
from nacl.hash import blake2b
from nacl.public import Box, PrivateKey, PublicKey, SealedBox

from .elgamal import Ciphertext, Rng
from .errors import CryptoError, InvalidEncoding, InvalidProof, InvalidShare, NotEnoughShares
from .group import IDENTITY, G, L, Point, Scalar
from .proofs import (
    ChallengeResponse,
    prove_dlog,
    prove_eqdlog,
    verify_dlog,
    verify_eqdlog,
    verify_eqdlog_many,
)


def _check_index(j: int, what: str = "trustee index") -> None:
    if isinstance(j, bool) or not isinstance(j, int) or not 1 <= j < L:
        raise ValueError(f"{what} must be an int >= 1, got {j!r}")


def _coefficient_context(
    context: bytes, k: int, commitments: Sequence[Point]
) -> tuple[bytes, str, int, list[Point]]:
    # §8.1: the PoK of a_k binds the ceremony context, k and the whole commitment vector.
    return (bytes(context), "coefficient", k, list(commitments))


@dataclass(frozen=True)
class TrusteePolynomial:
    """A trustee's secret polynomial f(z) = Σ a_k z^k of degree t−1 (spec §8.1)."""

    coefficients: tuple[Scalar, ...] = field(repr=False)

    @classmethod
    def generate(cls, threshold: int, rng: Rng | None = None) -> TrusteePolynomial:
        if isinstance(threshold, bool) or not isinstance(threshold, int) or threshold < 1:
            raise ValueError("threshold must be an int >= 1")
        draw = rng or Scalar.random
        coefficients = tuple(draw() for _ in range(threshold))
        if any(a.is_zero() for a in coefficients):
            raise ValueError("coefficients must be non-zero")
        return cls(coefficients)

    @property
    def threshold(self) -> int:
        return len(self.coefficients)

    @property
    def commitments(self) -> list[Point]:
        """Feldman commitments C_k = g^{a_k}, k = 0..t−1."""
        return [G * a for a in self.coefficients]

    def commitment_proofs(self, context: bytes, rng: Rng | None = None) -> list[dict[str, str]]:
        """One Schnorr PoK per coefficient: prove_dlog(a_k) with context items
        (context, "coefficient", k, [C_0..C_{t-1}]). ``context`` must identify the election
        and the trustee (e.g. ``ceremony_context``)."""
        commitments = self.commitments
        return [
            prove_dlog(a, _coefficient_context(context, k, commitments), rng).to_json()
            for k, a in enumerate(self.coefficients)
        ]

    def share_for(self, j: int) -> Scalar:
        """s_{→j} = f(j) mod ℓ (Horner)."""
        _check_index(j)
        acc = 0
        for a in reversed(self.coefficients):
            acc = (acc * j + a.value) % L
        return Scalar(acc)


def ceremony_context(election_id: str, trustee_index: int) -> bytes:
    """Suggested ``context`` for commitment proofs: utf8("scrutin/v1/ceremony/") ||
    utf8(election_id) || 0x00 || u32be(trustee_index)."""
    _check_index(trustee_index)
    return b"scrutin/v1/ceremony/" + election_id.encode("utf-8") + b"\x00" + trustee_index.to_bytes(4, "big")


def round_context(election_id: str, ceremony_round: int) -> bytes:
    """The service's name for one key-ceremony attempt (protocol.md §8.1):
    utf8("scrutin/ceremony/v1/{election_id}/round-{round}")."""
    return f"scrutin/ceremony/v1/{election_id}/round-{ceremony_round}".encode()


def trustee_round_context(election_id: str, ceremony_round: int, trustee_index: int) -> bytes:
    """The ``context`` of trustee i's commitment proofs in the service and in election
    records: round_context ‖ utf8("/trustee-{i}") — bound to election, attempt and trustee."""
    _check_index(trustee_index)
    return round_context(election_id, ceremony_round) + f"/trustee-{trustee_index}".encode()


def verify_commitments(
    commitments: Sequence[Point],
    proofs: Sequence[dict[str, str]],
    trustee_index: int,
    context: bytes,
) -> None:
    """Check every coefficient's proof of knowledge; raises ``InvalidProof``."""
    who = f"trustee {trustee_index}"
    if not commitments:
        raise InvalidProof(f"{who}: no commitments")
    if not isinstance(proofs, list | tuple) or len(proofs) != len(commitments):
        raise InvalidProof(f"{who}: expected {len(commitments)} commitment proofs")
    for k, (c, p) in enumerate(zip(commitments, proofs, strict=True)):
        if c.is_identity():
            raise InvalidProof(f"{who}: commitment {k} is the identity")
        what = f"{who}: commitment {k} proof of knowledge"
        try:
            proof = ChallengeResponse.from_json(p, what)
        except InvalidEncoding as exc:
            raise InvalidProof(str(exc)) from None
        verify_dlog(c, proof, _coefficient_context(context, k, commitments), what)


def _feldman(commitments: Sequence[Point], j: int) -> Point:
    # Π_k C_k^{j^k}, by Horner: ((C_{t-1})^j · C_{t-2})^j ... · C_0.
    acc = IDENTITY
    for c in reversed(commitments):
        acc = acc * j + c
    return acc


def verify_share(commitments: Sequence[Point], j: int, share: Scalar) -> None:
    """g^share = Π_k C_k^{j^k}, else ``InvalidShare`` (grounds for a complaint)."""
    _check_index(j)
    if not commitments:
        raise InvalidShare("no commitments to check the share against")
    if G * share != _feldman(commitments, j):
        raise InvalidShare(f"share for trustee {j} does not match the dealer's commitments")


def combine_secret_share(shares: Iterable[Scalar]) -> Scalar:
    """s_j = Σ_i s_{i→j}: trustee j's share of the election secret key."""
    total = 0
    for s in shares:
        total += s.value
    return Scalar(total)


def combine_public_key(all_commitments: Sequence[Sequence[Point]]) -> Point:
    """y = Π_i C_{i,0} (the election public key)."""
    if not all_commitments:
        raise ValueError("no trustees")
    y = IDENTITY
    for cs in all_commitments:
        y = y + cs[0]
    if y.is_identity():
        raise InvalidShare("combined public key is the identity")
    return y


def public_key_share(all_commitments: Sequence[Sequence[Point]], j: int) -> Point:
    """g^{s_j} = Π_i Π_k C_{i,k}^{j^k}, computed from public data only."""
    _check_index(j)
    if not all_commitments:
        raise ValueError("no trustees")
    t = len(all_commitments[0])
    if any(len(cs) != t for cs in all_commitments):
        raise ValueError("all trustees must publish the same number of commitments")
    summed = []
    for k in range(t):
        acc = IDENTITY
        for cs in all_commitments:
            acc = acc + cs[k]
        summed.append(acc)
    return _feldman(summed, j)


# --- share transport ---------------------------------------------------------------------------


def encryption_keypair() -> tuple[bytes, bytes]:
    """A fresh X25519 key pair ``(private, public)`` (32 bytes each) for share transport."""
    sk = PrivateKey.generate()
    return bytes(sk), bytes(sk.public_key)


def seal_share(recipient_public: bytes, share: Scalar, context: bytes = b"") -> bytes:
    """``crypto_box_seal(share_bytes || context, recipient X25519 key)``. ``context`` (e.g.
    dealer and recipient indices) is checked by ``open_share`` so a relay cannot swap shares."""
    return bytes(SealedBox(PublicKey(bytes(recipient_public))).encrypt(share.to_bytes() + context))


def seal_share_revealable(
    recipient_public: bytes, share: Scalar, context: bytes, ephemeral_private: bytes
) -> bytes:
    """The same sealed-box format as ``seal_share`` (``epk ‖ crypto_box(m, blake2b(epk ‖ pk))``)
    but with an ephemeral key the sender chose and keeps, so that if the recipient complains
    the sender can publish ``ephemeral_private`` and anyone can re-seal the revealed share and
    compare it byte for byte with the sealed share on the board (protocol.md §8.2, complaints).
    The recipient opens it with ``open_share``."""
    esk = PrivateKey(bytes(ephemeral_private))
    epk = bytes(esk.public_key)
    nonce = blake2b(epk + bytes(recipient_public), digest_size=24, encoder=RawEncoder)
    box = Box(esk, PublicKey(bytes(recipient_public)))
    return epk + bytes(box.encrypt(share.to_bytes() + context, nonce).ciphertext)


def open_share(recipient_private: bytes, sealed: bytes, context: bytes = b"") -> Scalar:
    """Open a sealed share; ``InvalidShare`` if it does not decrypt, has the wrong context or
    is not a canonical scalar."""
    try:
        plain = SealedBox(PrivateKey(bytes(recipient_private))).decrypt(bytes(sealed))
    except (NaclCryptoError, ValueError, TypeError) as exc:
        raise InvalidShare(f"sealed share does not decrypt: {exc}") from None
    if len(plain) != 32 + len(context) or plain[32:] != context:
        raise InvalidShare("sealed share has the wrong context")
    try:
        return Scalar.from_bytes(plain[:32])
    except InvalidEncoding as exc:
        raise InvalidShare(f"sealed share: {exc}") from None


# --- decryption shares -------------------------------------------------------------------------


def _decryption_context(
    context: bytes, trustee_index: int, beta: Point, slot: int | None
) -> tuple[bytes, str, int, Point] | tuple[bytes, str, int, int, Point]:
    # §8.3: binds the tally context, the trustee and the whole ciphertext (α is the proof base).
    # Protocol 2 also binds the slot index (``slot_bound``), and its context names the hash of
    # the whole encrypted tally, so a proof is valid for one slot of one tally only: a server
    # cannot append a voter's ciphertext to "the tally" and strip it from what it publishes.
    if slot is None:
        return (bytes(context), "decryption", trustee_index, beta)
    return (bytes(context), "decryption", trustee_index, slot, beta)


def decryption_share(
    ciphertexts: Sequence[Ciphertext],
    secret_share: Scalar,
    trustee_index: int,
    context: bytes,
    rng: Rng | None = None,
    *,
    slot_bound: bool = False,
    first_slot: int = 0,
    workers: int = 1,
) -> dict[str, object]:
    """``{"trustee": j, "factors": [hex(α_i^{s_j})...], "proofs": [{challenge, response}...]}``
    with a Chaum–Pedersen proof per ciphertext (§8.3); ``slot_bound`` (protocol 2) binds each
    proof to its slot index as well (slots numbered from ``first_slot``). ``workers`` > 1
    shares a long list (a mixed ranked tally) among processes; a test ``rng`` keeps it serial."""
    _check_index(trustee_index)
    if workers > 1 and rng is None and len(ciphertexts) >= PARALLEL_MIN:
        parts = _in_pool(
            workers,
            ciphertexts,
            lambda chunk, start: (
                _share_chunk,
                (chunk, secret_share.value, trustee_index, bytes(context), slot_bound, first_slot + start),
            ),
        )
        return {
            "trustee": trustee_index,
            "factors": [f for p in parts for f in p["factors"]],
            "proofs": [q for p in parts for q in p["proofs"]],
        }
    factors: list[str] = []
    proofs: list[dict[str, str]] = []
    for i, ct in enumerate(ciphertexts, first_slot):
        factors.append((ct.alpha * secret_share).hex())
        proofs.append(
            prove_eqdlog(
                secret_share,
                ct.alpha,
                _decryption_context(context, trustee_index, ct.beta, i if slot_bound else None),
                rng,
            ).to_json()
        )
    return {"trustee": trustee_index, "factors": factors, "proofs": proofs}


PARALLEL_MIN = 1024
"""Below this many ciphertexts a process pool costs more than it saves."""


def _ct_bytes(ciphertexts: Sequence[Ciphertext]) -> list[tuple[bytes, bytes]]:
    return [(c.alpha.to_bytes(), c.beta.to_bytes()) for c in ciphertexts]


def _from_bytes(raw: Sequence[tuple[bytes, bytes]]) -> list[Ciphertext]:
    # Our own ciphertexts, passed to a worker: already validated by the caller.
    return [Ciphertext(Point(a), Point(b)) for a, b in raw]


def _share_chunk(args: tuple[list[tuple[bytes, bytes]], int, int, bytes, bool, int]) -> dict[str, object]:
    raw, secret, index, context, slot_bound, first = args
    return decryption_share(
        _from_bytes(raw), Scalar(secret), index, context, slot_bound=slot_bound, first_slot=first
    )


def _verify_chunk(
    args: tuple[list[tuple[bytes, bytes]], dict[str, object], bytes, int, bytes, bool, int],
) -> str | None:
    raw, share, public_share, index, context, slot_bound, first = args
    try:
        verify_decryption_share(
            _from_bytes(raw),
            share,
            Point(public_share),
            index,
            context,
            slot_bound=slot_bound,
            first_slot=first,
        )
    except InvalidShare as exc:
        return str(exc)
    return None


def _in_pool(
    workers: int,
    ciphertexts: Sequence[Ciphertext],
    task: Callable[[list[tuple[bytes, bytes]], int], tuple[Callable[[Any], Any], Any]],
) -> list[Any]:
    """Run ``task(chunk, start)`` = (function, argument) over slices in a process pool, in order."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    raw = _ct_bytes(ciphertexts)
    size = -(-len(raw) // (workers * 4))
    jobs = [task(raw[a : a + size], a) for a in range(0, len(raw), size)]
    # "spawn": safe inside a threaded server process (a fork would copy held locks).
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = [pool.submit(fn, arg) for fn, arg in jobs]
        return [f.result() for f in futures]


def _parse_decryption_share(
    ciphertexts: Sequence[Ciphertext], share: object, trustee_index: int
) -> tuple[list[Point], list[ChallengeResponse]]:
    who = f"decryption share of trustee {trustee_index}"
    if not isinstance(share, dict) or set(share) != {"trustee", "factors", "proofs"}:
        raise InvalidShare(f"{who}: expected keys 'trustee', 'factors', 'proofs'")
    if share["trustee"] != trustee_index or isinstance(share["trustee"], bool):
        raise InvalidShare(f"{who}: claims to be from trustee {share['trustee']!r}")
    factors, proofs = share["factors"], share["proofs"]
    n = len(ciphertexts)
    if not isinstance(factors, list) or not isinstance(proofs, list):
        raise InvalidShare(f"{who}: factors and proofs must be lists")
    if len(factors) != n or len(proofs) != n:
        raise InvalidShare(f"{who}: expected {n} factors and proofs")
    points: list[Point] = []
    parsed: list[ChallengeResponse] = []
    try:
        for i, (ct, f, p) in enumerate(zip(ciphertexts, factors, proofs, strict=True)):
            empty = ct.alpha.is_identity()
            d = Point.from_hex(f, allow_identity=empty, what=f"{who}: factor {i}")
            if empty and not d.is_identity():
                raise InvalidShare(f"{who}: factor {i} must be the identity (empty tally)")
            points.append(d)
            parsed.append(ChallengeResponse.from_json(p, f"{who}: proof {i}"))
    except InvalidEncoding as exc:
        raise InvalidShare(str(exc)) from None
    return points, parsed


def verify_decryption_share(
    ciphertexts: Sequence[Ciphertext],
    share: dict[str, object],
    public_share: Point,
    trustee_index: int,
    context: bytes,
    *,
    slot_bound: bool = False,
    first_slot: int = 0,
    workers: int = 1,
) -> None:
    """Check every factor's Chaum–Pedersen proof against g^{s_j}; raises ``InvalidShare``.
    ``workers`` > 1 checks slices of a long list in parallel processes."""
    factors, proofs = _parse_decryption_share(ciphertexts, share, trustee_index)
    if workers > 1 and len(ciphertexts) >= PARALLEL_MIN:
        f_all, p_all = share["factors"], share["proofs"]
        assert isinstance(f_all, list) and isinstance(p_all, list)
        failures = _in_pool(
            workers,
            ciphertexts,
            lambda chunk, start: (
                _verify_chunk,
                (
                    chunk,
                    {
                        "trustee": trustee_index,
                        "factors": f_all[start : start + len(chunk)],
                        "proofs": p_all[start : start + len(chunk)],
                    },
                    public_share.to_bytes(),
                    trustee_index,
                    bytes(context),
                    slot_bound,
                    first_slot + start,
                ),
            ),
        )
        for failure in failures:
            if failure is not None:
                raise InvalidShare(failure)
        return
    try:  # one kernel call for every factor's commitments
        verify_eqdlog_many(
            [
                (
                    public_share,
                    ct.alpha,
                    d,
                    proof,
                    _decryption_context(
                        context, trustee_index, ct.beta, i + first_slot if slot_bound else None
                    ),
                    f"decryption share of trustee {trustee_index}: proof {i + first_slot}",
                )
                for i, (ct, d, proof) in enumerate(zip(ciphertexts, factors, proofs, strict=True))
            ]
        )
    except InvalidProof as exc:
        raise InvalidShare(str(exc)) from None


def first_invalid_slot(
    ciphertexts: Sequence[Ciphertext],
    share: dict[str, object],
    public_share: Point,
    trustee_index: int,
    context: bytes,
    *,
    slot_bound: bool = False,
) -> int | None:
    """The first slot whose factor or proof fails (for precise error messages), or None."""
    try:
        factors, proofs = _parse_decryption_share(ciphertexts, share, trustee_index)
    except (CryptoError, ValueError, TypeError):
        return None
    for i, (ct, d, proof) in enumerate(zip(ciphertexts, factors, proofs, strict=True)):
        try:
            verify_eqdlog(
                public_share,
                ct.alpha,
                d,
                proof,
                _decryption_context(context, trustee_index, ct.beta, i if slot_bound else None),
                "slot",
            )
        except (CryptoError, ValueError, TypeError):
            return i
    return None


def lagrange_coefficient(j: int, indices: Sequence[int]) -> Scalar:
    """λ_j = Π_{k ∈ S, k ≠ j} k / (k − j) mod ℓ (interpolation at 0)."""
    num, den = 1, 1
    for k in indices:
        if k != j:
            num = num * k % L
            den = den * (k - j) % L
    return Scalar(num * pow(den, -1, L))


def combine_decryption(
    ciphertexts: Sequence[Ciphertext],
    shares: dict[int, dict[str, object]],
    public_shares: dict[int, Point],
    threshold: int,
    context: bytes,
    *,
    slot_bound: bool = False,
    workers: int = 1,
) -> tuple[list[Point], list[int]]:
    """Verify every share, skip invalid ones, combine the first ``threshold`` valid ones (by
    trustee index) into g^{m_i} = β_i / Π_j d_{j,i}^{λ_j}.

    Returns ``(plaintext points, rejected trustee indices)``; raises ``NotEnoughShares`` when
    fewer than ``threshold`` shares verify."""
    valid: dict[int, list[Point]] = {}
    rejected: list[int] = []
    reasons: list[str] = []
    for j in sorted(shares):
        try:
            if j not in public_shares:
                raise InvalidShare(f"trustee {j}: no public key share")
            verify_decryption_share(
                ciphertexts, shares[j], public_shares[j], j, context, slot_bound=slot_bound, workers=workers
            )
            valid[j] = _parse_decryption_share(ciphertexts, shares[j], j)[0]
        except (CryptoError, ValueError) as exc:
            rejected.append(j)
            reasons.append(str(exc))
    if len(valid) < threshold:
        raise NotEnoughShares(
            f"{len(valid)} valid decryption shares, {threshold} needed; rejected trustees "
            f"{rejected}: {'; '.join(reasons)}"
        )
    chosen = sorted(valid)[:threshold]
    lambdas = {j: lagrange_coefficient(j, chosen) for j in chosen}
    result: list[Point] = []
    for i, ct in enumerate(ciphertexts):
        acc = IDENTITY
        for j in chosen:
            acc = acc + valid[j][i] * lambdas[j]
        result.append(ct.beta - acc)
    return result, rejected
