"""Hashing: framing, domain separation, canonical JSON, fingerprint."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crypto.fingerprint import election_fingerprint
from crypto.group import G, L, Scalar
from crypto.hashing import (
    canonical_json,
    canonical_member,
    canonical_object,
    hash_to_scalar,
    sha256_hex,
)


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


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=20,
)


@given(st.dictionaries(st.text(max_size=6), _JSON, max_size=6), st.text(max_size=6))
def test_canonical_members_join_to_canonical_json(obj, dropped) -> None:
    """The cast path serialises a ballot's members once for both the signed payload (without
    ``signature``) and the tracker (with it): byte-identical to canonical_json of each."""
    members = {k: canonical_member(k, v) for k, v in obj.items()}
    assert canonical_object(members) == canonical_json(obj)
    rest = {k: v for k, v in obj.items() if k != dropped}
    assert canonical_object({k: m for k, m in members.items() if k != dropped}) == canonical_json(rest)


@pytest.mark.parametrize("value", [1.5, 2**53, {"a": [1, {"b": float("nan")}]}, {1: 2}])
def test_canonical_member_rejects_as_canonical_json(value) -> None:
    with pytest.raises(ValueError) as whole:
        canonical_json({"answers": value})
    with pytest.raises(ValueError) as member:
        canonical_member("answers", value)
    assert str(member.value) == str(whole.value)
