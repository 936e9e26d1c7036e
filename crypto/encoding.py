"""Byte-level building blocks shared by the hash functions (docs/protocol.md §2).

``frame(b) = u32be(len(b)) || b`` is the length prefix used by every hash input, so that
concatenations of variable-length items are unambiguous.
"""

from __future__ import annotations

from .errors import InvalidEncoding

_HEX_DIGITS = frozenset("0123456789abcdef")


def u32be(n: int) -> bytes:
    """Unsigned 32-bit big-endian."""
    return n.to_bytes(4, "big")


def u64be(n: int) -> bytes:
    """Unsigned 64-bit big-endian; raises ValueError outside [0, 2^64)."""
    if not 0 <= n < 1 << 64:
        raise ValueError(f"integer {n} does not fit in an unsigned 64-bit hash item")
    return n.to_bytes(8, "big")


def frame(data: bytes) -> bytes:
    """``u32be(len(data)) || data`` (spec: frame)."""
    return len(data).to_bytes(4, "big") + data


def bytes_from_hex(value: object, length: int, what: str) -> bytes:
    """Decode strict lowercase hex of exactly ``length`` bytes.

    Upper case, whitespace, ``0x`` prefixes and odd lengths are rejected: every value must have
    exactly one JSON spelling so that the ballot tracker (a hash of the JSON) is unique.
    """
    if not isinstance(value, str):
        raise InvalidEncoding(f"{what}: expected a hex string, got {type(value).__name__}")
    if len(value) != 2 * length:
        raise InvalidEncoding(f"{what}: expected {2 * length} hex digits, got {len(value)}")
    if not _HEX_DIGITS.issuperset(value):
        raise InvalidEncoding(f"{what}: not lowercase hexadecimal")
    return bytes.fromhex(value)
