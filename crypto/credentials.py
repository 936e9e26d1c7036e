"""Voter credentials and Schnorr signatures (docs/protocol.md §6).

A credential is a key pair ``(x, X = g^x)`` per voter per election. The public ``X`` is
registered on the board; every ballot is signed with ``x``. A credential can be derived from a
short code the voter types (Belenios style): 15 random base58 characters plus a checksum
character, stretched with PBKDF2-HMAC-SHA256 (§6.1).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field

from .elgamal import Rng
from .errors import InvalidEncoding, InvalidSignature
from .group import G, L, Point, Scalar
from .hashing import hash_to_int

BASE58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
CODE_DATA_CHARS = 15
CODE_CHECKSUM_MODULUS = 53
KDF_ITERATIONS = 10_000
KDF_SALT_PREFIX = "scrutin/v1/credential/"
TAG_SIGNATURE = "scrutin/v1/signature"

_B58_INDEX = {ch: i for i, ch in enumerate(BASE58_ALPHABET)}


def _checksum_char(data: str) -> str:
    n = 0
    for ch in data:
        n = n * 58 + _B58_INDEX[ch]
    return BASE58_ALPHABET[n % CODE_CHECKSUM_MODULUS]


def generate_code() -> str:
    """A fresh 16-character credential code: 15 uniform base58 characters (≈ 87.9 bits) and
    one checksum character ``BASE58[n mod 53]`` where n is the value of the 15 characters read
    as a big-endian base-58 number."""
    data = "".join(secrets.choice(BASE58_ALPHABET) for _ in range(CODE_DATA_CHARS))
    return data + _checksum_char(data)


def format_code(code: str) -> str:
    """The code in groups of four separated by '-', as shown to voters (the booth's
    ``formatCode``); ``normalize_code`` reads it back."""
    clean = normalize_code(code)
    return "-".join(clean[i : i + 4] for i in range(0, len(clean), 4))


def normalize_code(code: str) -> str:
    """Remove spaces and hyphens (codes may be displayed in groups) and check the checksum."""
    if not isinstance(code, str):
        raise InvalidEncoding("credential code: expected a string")
    clean = "".join(ch for ch in code if ch not in " -\t")
    if len(clean) != CODE_DATA_CHARS + 1:
        raise InvalidEncoding(f"credential code: expected {CODE_DATA_CHARS + 1} characters, got {len(clean)}")
    bad = [ch for ch in clean if ch not in _B58_INDEX]
    if bad:
        raise InvalidEncoding(f"credential code: invalid character {bad[0]!r}")
    if _checksum_char(clean[:-1]) != clean[-1]:
        raise InvalidEncoding("credential code: checksum mismatch (typo?)")
    return clean


def derive_secret(code: str, election_id: str) -> Scalar:
    """x = LE(PBKDF2-HMAC-SHA256(password=code, salt="scrutin/v1/credential/" + election_id,
    iterations=10000, dkLen=64)) mod ℓ (§6.1)."""
    clean = normalize_code(code)
    raw = hashlib.pbkdf2_hmac(
        "sha256",
        clean.encode("ascii"),
        (KDF_SALT_PREFIX + election_id).encode("utf-8"),
        KDF_ITERATIONS,
        dklen=64,
    )
    x = int.from_bytes(raw, "little") % L
    if x == 0:  # probability 2^-252
        raise InvalidEncoding("credential code derives the zero scalar")
    return Scalar(x)


@dataclass(frozen=True)
class CredentialKey:
    """A voter's credential key pair (spec: x, X = g^x)."""

    secret: Scalar = field(repr=False)
    public: Point

    @classmethod
    def from_secret(cls, secret: Scalar) -> CredentialKey:
        if secret.is_zero():
            raise ValueError("credential secret must be non-zero")
        return cls(secret, G * secret)

    @classmethod
    def generate(cls, rng: Rng | None = None) -> CredentialKey:
        return cls.from_secret((rng or Scalar.random)())

    @classmethod
    def from_code(cls, code: str, election_id: str) -> CredentialKey:
        """Derive the key pair from a typed code (normalizes and checks the checksum)."""
        return cls.from_secret(derive_secret(code, election_id))

    def sign(self, message: bytes, context: bytes, rng: Rng | None = None) -> dict[str, str]:
        """Schnorr signature (§6.2): w ← rng; A = g^w;
        c = H("scrutin/v1/signature", context, X, A, message); s = w + c·x.
        Returns ``{"challenge": hex(c), "response": hex(s)}``."""
        x = self.secret.value
        w = (rng or Scalar.random)().value
        c = hash_to_int(TAG_SIGNATURE, bytes(context), self.public, G * w, bytes(message))
        return {"challenge": Scalar(c).hex(), "response": Scalar(w + c * x).hex()}


def verify_signature(public: Point, message: bytes, signature: dict[str, str], context: bytes) -> None:
    """A = g^s · X^-c; check c = H("scrutin/v1/signature", context, X, A, message).

    Raises ``InvalidSignature`` (also for a malformed signature object)."""
    if not isinstance(signature, dict) or set(signature) != {"challenge", "response"}:
        raise InvalidSignature("signature: expected an object with 'challenge' and 'response'")
    try:
        c = Scalar.from_hex(signature["challenge"], "signature.challenge").value
        s = Scalar.from_hex(signature["response"], "signature.response").value
    except InvalidEncoding as exc:
        raise InvalidSignature(str(exc)) from None
    a = G * s - public * c
    if hash_to_int(TAG_SIGNATURE, bytes(context), public, a, bytes(message)) != c:
        raise InvalidSignature("signature does not verify for this credential and message")
