"""Hash functions (docs/protocol.md §2).

``hash_to_scalar`` is the only hash used for Fiat–Shamir challenges, signatures and the test
DRBG: SHA-512 over a domain-separation tag and length-prefixed items, read as a 512-bit
little-endian integer and reduced mod ℓ (spec §2.1, function H).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Union

from .encoding import frame, u64be
from .group import L, Point, Scalar

HashItem = Union[bytes, str, int, Scalar, Point, Sequence["HashItem"]]  # noqa: UP007
"""What ``hash_to_scalar`` accepts (spec §2.1 item encodings)."""


def _encode(item: HashItem, out: list[bytes]) -> None:
    # Order of the checks matters: str and bytes are Sequences, bool is an int.
    if isinstance(item, Point):
        out.append(frame(item.to_bytes()))
    elif isinstance(item, Scalar):
        out.append(frame(item.to_bytes()))
    elif isinstance(item, bytes | bytearray):
        out.append(frame(bytes(item)))
    elif isinstance(item, str):
        out.append(frame(item.encode("utf-8")))
    elif isinstance(item, bool):
        raise TypeError("booleans are not hash items")
    elif isinstance(item, int):
        out.append(frame(u64be(item)))
    elif isinstance(item, Sequence):
        out.append(frame(u64be(len(item))))
        for sub in item:
            _encode(sub, out)
    else:
        raise TypeError(f"cannot hash {type(item).__name__}")


def hash_preimage(tag: str, *items: HashItem) -> bytes:
    """``frame(utf8(tag)) || enc(item_1) || ... || enc(item_n)`` — what SHA-512 hashes."""
    out = [frame(tag.encode("utf-8"))]
    for item in items:
        _encode(item, out)
    return b"".join(out)


def hash_bytes(tag: str, *items: HashItem) -> bytes:
    """``SHA-512(hash_preimage(tag, items))`` (64 bytes)."""
    return hashlib.sha512(hash_preimage(tag, *items)).digest()


def hash_to_int(tag: str, *items: HashItem) -> int:
    """``H(tag, items)`` as an int in [0, ℓ) — the fast path used by the provers/verifiers."""
    return int.from_bytes(hash_bytes(tag, *items), "little") % L


def hash_to_scalar(tag: str, *items: HashItem) -> Scalar:
    """Spec function ``H(tag, item_1, ..., item_n)``: SHA-512, little-endian, mod ℓ.

    Item encodings: point → its 32 bytes, scalar → 32 bytes LE, bytes → themselves,
    str → UTF-8, int (0 ≤ n < 2^64) → u64be(n), each wrapped in ``frame``; a list is
    ``frame(u64be(len))`` followed by its items' encodings.
    """
    return Scalar(hash_to_int(tag, *items))


def sha256_hex(data: bytes) -> str:
    """Lowercase hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


MAX_JSON_INT = 2**53 - 1
"""Largest integer magnitude allowed in canonical JSON (exact in JavaScript numbers)."""


def _check_json(obj: object, path: str) -> None:
    if obj is None or isinstance(obj, bool | str):
        return
    if isinstance(obj, int):
        if abs(obj) > MAX_JSON_INT:
            raise ValueError(f"canonical_json: integer at {path} exceeds 2^53-1")
        return
    if isinstance(obj, float):
        raise ValueError(f"canonical_json: float at {path} (only integers are allowed)")
    if isinstance(obj, dict):
        for key, value in obj.items():
            if not isinstance(key, str):
                raise ValueError(f"canonical_json: non-string key at {path}")
            _check_json(value, f"{path}.{key}")
        return
    if isinstance(obj, list | tuple):
        for i, value in enumerate(obj):
            _check_json(value, f"{path}[{i}]")
        return
    raise ValueError(f"canonical_json: unsupported type {type(obj).__name__} at {path}")


def canonical_problem(obj: object, path: str = "$") -> str | None:
    """Why ``obj`` has no canonical JSON encoding (the message ``canonical_json`` would raise
    its ``ValueError`` with, naming the path), or None: lets a verifier refuse such input as
    input instead of catching ``ValueError`` around the code that hashes it."""
    try:
        _check_json(obj, path)
    except ValueError as exc:  # _check_json raises ValueError for non-canonical input only
        return str(exc)
    return None


def canonical_member(key: str, value: object) -> bytes:
    """``"key":value`` exactly as it appears in ``canonical_json`` of a top-level object that
    holds it (with the same check and error message): ``canonical_object`` joins members, so an
    object can be serialised with and without one member at the cost of one serialisation."""
    if not isinstance(key, str):
        raise ValueError("canonical_json: non-string key at $")
    _check_json(value, f"$.{key}")
    return (
        json.dumps(key, ensure_ascii=False).encode("utf-8")
        + b":"
        + json.dumps(
            value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
        ).encode("utf-8")
    )


def canonical_object(members: Mapping[str, bytes]) -> bytes:
    """``canonical_json`` of the object whose members ``canonical_member`` encoded."""
    return b"{" + b",".join(members[k] for k in sorted(members)) + b"}"


def canonical_json(obj: object) -> bytes:
    """Canonical JSON (spec §2.4): keys sorted by code point, no whitespace, UTF-8, no
    floats, integers within ±(2^53−1), non-ASCII characters unescaped.

    Identical to ``JSON.stringify`` of an object whose keys were inserted in sorted order.
    """
    _check_json(obj, "$")
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode(
        "utf-8"
    )
