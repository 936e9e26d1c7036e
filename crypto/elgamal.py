"""Exponential ElGamal over the group (docs/protocol.md §3).

Key pair ``(x, y = g^x)``. ``Enc_y(m; r) = (α, β) = (g^r, g^m · y^r)``. Ciphertexts add
homomorphically: ``Enc(m1; r1) + Enc(m2; r2) = Enc(m1 + m2; r1 + r2)``. Decryption gives
``g^m = β / α^x``; the small ``m`` is recovered with ``crypto.dlog``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from . import kernel
from .errors import InvalidEncoding
from .group import IDENTITY, G, Point, Scalar, base_mul

Rng = Callable[[], Scalar]
"""Source of non-zero random scalars; ``Scalar.random`` unless a test injects a DRBG."""


@dataclass(frozen=True, slots=True)
class Ciphertext:
    """An ElGamal ciphertext ``(α, β)`` (spec: ciphertext)."""

    alpha: Point
    beta: Point

    def to_json(self) -> dict[str, str]:
        return {"alpha": self.alpha.hex(), "beta": self.beta.hex()}

    @classmethod
    def from_json(cls, data: object, *, what: str = "ciphertext", allow_identity: bool = False) -> Ciphertext:
        """Strict: a dict with exactly the keys ``alpha`` and ``beta``, each a valid point."""
        if not isinstance(data, dict) or set(data) != {"alpha", "beta"}:
            raise InvalidEncoding(f"{what}: expected an object with exactly 'alpha' and 'beta'")
        return cls(
            Point.from_hex(data["alpha"], what=f"{what}.alpha", allow_identity=allow_identity),
            Point.from_hex(data["beta"], what=f"{what}.beta", allow_identity=allow_identity),
        )

    def __add__(self, other: Ciphertext) -> Ciphertext:
        return Ciphertext(self.alpha + other.alpha, self.beta + other.beta)

    def __sub__(self, other: Ciphertext) -> Ciphertext:
        return Ciphertext(self.alpha - other.alpha, self.beta - other.beta)

    @staticmethod
    def zero() -> Ciphertext:
        """``(1, 1)``: the neutral element (the sum of no ciphertexts)."""
        return _ZERO


_ZERO = Ciphertext(IDENTITY, IDENTITY)


def keygen(rng: Rng | None = None) -> tuple[Scalar, Point]:
    """A fresh key pair ``(x, g^x)``."""
    x = (rng or Scalar.random)()
    if x.is_zero():
        raise ValueError("secret key must be non-zero")
    return x, G * x


def encrypt(public_key: Point, m: int, r: Scalar) -> Ciphertext:
    """``(g^r, g^m · y^r)``; ``r`` must be non-zero (α would be the identity)."""
    if r.is_zero():
        raise ValueError("encryption randomness must be non-zero")
    return Ciphertext(G * r, base_mul(m) + public_key * r)


def reencrypt(public_key: Point, ciphertext: Ciphertext, r: Scalar) -> Ciphertext:
    """``(α · g^r, β · y^r)``: same plaintext, fresh randomness."""
    return Ciphertext(ciphertext.alpha + G * r, ciphertext.beta + public_key * r)


_NATIVE_SUM_MIN = 8  # below this, PyNaCl additions cost less than the call


def aggregate(ciphertexts: Iterable[Ciphertext]) -> Ciphertext:
    """Homomorphic sum (``Ciphertext.zero()`` for an empty iterable). On the native kernel a
    long sum is one call (each point decoded once, added, one encoding per result)."""
    cts = ciphertexts if isinstance(ciphertexts, list | tuple) else list(ciphertexts)
    if len(cts) >= _NATIVE_SUM_MIN and kernel.native():
        ones = [1] * len(cts)
        alpha, beta = kernel.multi_scalar_muls(
            [([c.alpha for c in cts], ones), ([c.beta for c in cts], ones)]
        )
        return Ciphertext(alpha, beta)
    alpha = IDENTITY
    beta = IDENTITY
    for c in cts:
        alpha = alpha + c.alpha
        beta = beta + c.beta
    return Ciphertext(alpha, beta)


def decrypt_to_point(secret_key: Scalar, ciphertext: Ciphertext) -> Point:
    """``β / α^x = g^m`` with the full key (tests and single-key tools only)."""
    return ciphertext.beta - ciphertext.alpha * secret_key
