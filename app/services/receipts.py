"""Cast receipts signed by the server (Ed25519), so a voter can prove what the server accepted.

The signing key is derived from the instance secret; its public half is published at
``/api/v1/receipt-key``, in every election record, and — what voters check receipts against —
as ``receipt_key`` in every manifest (so the trustees' confirmation and the published
fingerprint code cover it). The checks are ``crypto.receipts``.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from nacl.signing import SigningKey

from crypto import receipts


class ReceiptSigner:
    def __init__(self, secret_key: str) -> None:
        seed = hashlib.sha256(b"scrutin/receipt-key/v1\x00" + secret_key.encode()).digest()
        self._key = SigningKey(seed)

    @property
    def public_key(self) -> str:
        return self._key.verify_key.encode().hex()

    def sign(self, receipt: dict[str, Any]) -> dict[str, Any]:
        body = receipts.receipt_body(receipt)
        signature = self._key.sign(body).signature
        return {**receipt, "server_key": self.public_key,
                "server_signature": base64.b64encode(signature).decode()}


def verify_receipt(signed: dict[str, Any], receipt_key: str | None = None) -> None:
    """Raise ValueError (``crypto.errors.InvalidReceipt``) unless the receipt carries a valid
    signature by its server_key (and that key is ``receipt_key`` when given)."""
    receipts.verify_receipt(signed, receipt_key)
