"""Cast receipts signed by the server (Ed25519), so a voter can prove what the server accepted.

The signing key is derived from the instance secret; its public half is published at
``/api/v1/receipt-key``, in every election record, and — what voters check receipts against —
as ``receipt_key`` in every manifest (so the trustees' confirmation and the published
fingerprint code cover it). The checks are ``crypto.receipts``.
"""

from __future__ import annotations

import hashlib
from typing import Any

from crypto import receipts


class ReceiptSigner:
    """The instance's receipt key: seed = SHA-256("scrutin/receipt-key/v1" 0x00 ‖ secret);
    signing and checking are ``crypto.receipts`` (protocol.md §8.9)."""

    def __init__(self, secret_key: str) -> None:
        self._seed = hashlib.sha256(b"scrutin/receipt-key/v1\x00" + secret_key.encode()).digest()
        self.public_key = receipts.receipt_public_key(self._seed)

    def sign(self, receipt: dict[str, Any]) -> dict[str, Any]:
        return receipts.sign_receipt(self._seed, receipt)


def verify_receipt(signed: dict[str, Any], receipt_key: str | None = None) -> None:
    """Raise ValueError (``crypto.errors.InvalidReceipt``) unless the receipt carries a valid
    signature by its server_key (and that key is ``receipt_key`` when given)."""
    receipts.verify_receipt(signed, receipt_key)
