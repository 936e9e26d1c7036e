"""Hashing: framing, domain separation, canonical JSON, fingerprint."""

from __future__ import annotations

import hashlib

import pytest

from crypto.fingerprint import election_fingerprint
from crypto.group import G, L, Scalar
from crypto.hashing import canonical_json, hash_to_scalar, sha256_hex


def _frame(b: bytes) -> bytes:
    return len(b).to_bytes(4, "big") + b


def test_hash_to_scalar_known_answer() -> None:
    """Recompute H by hand from the spec (§2.1) to pin the byte layout."""
    data = (
        _frame(b"scrutin/v1/test")
        + _frame(b"abc")
        + _frame("é".encode())
        + _frame((7).to_bytes(8, "big"))
        + _frame(Scalar(5).to_bytes())
        + _frame(G.to_bytes())
        + _frame((2).to_bytes(8, "big"))
        + _frame(b"x")
        + _frame((1).to_bytes(8, "big"))
    )
    expected = int.from_bytes(hashlib.sha512(data).digest(), "little") % L
    got = hash_to_scalar("scrutin/v1/test", b"abc", "é", 7, Scalar(5), G, [b"x", 1])
    assert got.value == expected


def test_framing_is_unambiguous() -> None:
    t = "scrutin/v1/test"
    assert hash_to_scalar(t, b"ab", b"c") != hash_to_scalar(t, b"a", b"bc")
    assert hash_to_scalar(t, [b"a"]) != hash_to_scalar(t, b"a")
    assert hash_to_scalar(t, b"a") != hash_to_scalar("scrutin/v1/other", b"a")
    assert hash_to_scalar(t, "a") == hash_to_scalar(t, b"a")  # str is its UTF-8 bytes


@pytest.mark.parametrize("bad", [True, -1, 2**64, 1.5, object()])
def test_hash_rejects_bad_items(bad: object) -> None:
    with pytest.raises((TypeError, ValueError)):
        hash_to_scalar("t", bad)  # type: ignore[arg-type]


def test_canonical_json() -> None:
    obj = {"b": [1, {"d": None, "c": True}], "a": "é\n", "é": -3}
    assert canonical_json(obj) == '{"a":"é\\n","b":[1,{"c":true,"d":null}],"é":-3}'.encode()
    assert canonical_json({"x": 2**53 - 1})
    for bad in ({"x": 1.0}, {"x": 2**53}, {1: "a"}, {"x": {1, 2}}, [float("nan")]):
        with pytest.raises(ValueError):
            canonical_json(bad)


def test_sha256_hex() -> None:
    assert sha256_hex(b"abc") == hashlib.sha256(b"abc").hexdigest()


def test_fingerprint_is_domain_separated_and_canonical() -> None:
    m1 = {"election_id": "e", "threshold": 2, "questions": [{"kind": "sonc"}]}
    m2 = {"threshold": 2, "questions": [{"kind": "sonc"}], "election_id": "e"}
    fp = election_fingerprint(m1)
    assert fp == election_fingerprint(m2)
    assert len(fp) == 64 and fp == fp.lower()
    assert fp != sha256_hex(canonical_json(m1))
    assert fp == hashlib.sha256(b"scrutin/v1/election-fingerprint\n" + canonical_json(m1)).hexdigest()
    assert fp != election_fingerprint({**m1, "threshold": 3})
