"""Credentials: codes, derivation, Schnorr signatures."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crypto.credentials import (
    BASE58_ALPHABET,
    CredentialKey,
    derive_secret,
    generate_code,
    normalize_code,
    verify_signature,
)
from crypto.errors import InvalidEncoding, InvalidSignature
from crypto.group import G, L, Scalar

CODE = "3kTMd8x2Q9ZbFhN"  # 15 data characters; the checksum is appended below


def _code() -> str:
    from crypto.credentials import _checksum_char

    return CODE + _checksum_char(CODE)


def test_generated_codes() -> None:
    codes = {generate_code() for _ in range(50)}
    assert len(codes) == 50
    for c in codes:
        assert len(c) == 16 and set(c) <= set(BASE58_ALPHABET)
        assert normalize_code(c) == c


def test_code_normalization() -> None:
    code = _code()
    grouped = "-".join(code[i : i + 4] for i in range(0, 16, 4))
    assert normalize_code(grouped) == code
    assert normalize_code(" " + code[:8] + " " + code[8:]) == code
    for bad in (code[:-1], code + "1", code[:-1] + "0", 12):
        with pytest.raises(InvalidEncoding):
            normalize_code(bad)  # type: ignore[arg-type]


@settings(max_examples=200, deadline=None)
@given(pos=st.integers(0, 15), ch=st.sampled_from(BASE58_ALPHABET))
def test_checksum_catches_single_substitutions(pos: int, ch: str) -> None:
    code = _code()
    if code[pos] == ch:
        return
    typo = code[:pos] + ch + code[pos + 1 :]
    # n mod 53 changes unless the digit difference is ±53, which the check cannot see.
    from crypto.credentials import _B58_INDEX

    if abs(_B58_INDEX[ch] - _B58_INDEX[code[pos]]) == 53 and pos < 15:
        return
    with pytest.raises(InvalidEncoding, match="checksum"):
        normalize_code(typo)


def test_from_code_deterministic_and_election_bound() -> None:
    code = _code()
    a = CredentialKey.from_code(code, "election-1")
    assert a == CredentialKey.from_code(code, "election-1")
    assert a.public == G * a.secret
    assert a != CredentialKey.from_code(code, "election-2")
    assert derive_secret(code, "election-1") == a.secret
    assert a.secret.hex() not in repr(a)  # the secret never ends up in logs


def test_signature_roundtrip_and_tampering(credential: CredentialKey) -> None:
    msg, ctx = b"the ballot", b"\xaa" * 32
    sig = credential.sign(msg, ctx)
    verify_signature(credential.public, msg, sig, ctx)
    with pytest.raises(InvalidSignature):
        verify_signature(credential.public, msg + b"!", sig, ctx)
    with pytest.raises(InvalidSignature):
        verify_signature(credential.public, msg, sig, b"\xab" * 32)
    with pytest.raises(InvalidSignature):
        verify_signature(G * 5, msg, sig, ctx)
    for key in ("challenge", "response"):
        bumped = Scalar(Scalar.from_hex(sig[key]).value + 1).hex()
        with pytest.raises(InvalidSignature):
            verify_signature(credential.public, msg, {**sig, key: bumped}, ctx)
    for bad in (
        {},
        {"challenge": sig["challenge"]},
        {**sig, "x": "1"},
        {**sig, "response": L.to_bytes(32, "little").hex()},
        "sig",
    ):
        with pytest.raises(InvalidSignature):
            verify_signature(credential.public, msg, bad, ctx)  # type: ignore[arg-type]


def test_secret_must_be_nonzero() -> None:
    with pytest.raises(ValueError):
        CredentialKey.from_secret(Scalar(0))
