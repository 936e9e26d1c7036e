"""Receipts are signed and checked in ``crypto.receipts`` (protocol.md §8.9): what
``sign_receipt`` makes, ``verify_receipt`` accepts under the signing key and refuses under any
other key or after any field changes."""

from __future__ import annotations

import pytest

from crypto.errors import InvalidReceipt
from crypto.receipts import receipt_public_key, sign_receipt, verify_receipt

SEED = bytes(range(32))
RECEIPT = {
    "election_id": "e-1",
    "tracker": "a" * 64,
    "credential": "b" * 64,
    "cast_at": "2026-01-01T00:00:00.000000Z",
    "board_seq": 7,
    "board_hash": "c" * 64,
    "fingerprint": "d" * 64,
    "revote": False,
}


def test_a_signed_receipt_verifies_under_its_key_only() -> None:
    signed = sign_receipt(SEED, RECEIPT)
    assert signed["server_key"] == receipt_public_key(SEED)
    assert verify_receipt(signed, receipt_public_key(SEED)) == signed
    with pytest.raises(InvalidReceipt, match="not by this election's receipt key"):
        verify_receipt(signed, receipt_public_key(bytes(32)))


@pytest.mark.parametrize(
    "field, value", [("board_seq", 8), ("revote", True), ("tracker", "e" * 64), ("cast_at", "2026")]
)
def test_any_changed_field_breaks_the_signature(field, value) -> None:
    forged = {**sign_receipt(SEED, RECEIPT), field: value}
    with pytest.raises(InvalidReceipt):
        verify_receipt(forged)


def test_re_signing_replaces_an_old_signature() -> None:
    once = sign_receipt(SEED, RECEIPT)
    assert sign_receipt(SEED, once) == once
