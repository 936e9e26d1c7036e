"""Cast receipts signed by the server (Ed25519), so a voter can prove what the server accepted.

The signing key is derived from the instance secret; its public half is published at
``/api/v1/receipt-key`` and in every election record.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey, VerifyKey


class ReceiptSigner:
    def __init__(self, secret_key: str) -> None:
        seed = hashlib.sha256(b"scrutin/receipt-key/v1\x00" + secret_key.encode()).digest()
        self._key = SigningKey(seed)

    @property
    def public_key(self) -> str:
        return self._key.verify_key.encode().hex()

    def sign(self, receipt: dict[str, Any]) -> dict[str, Any]:
        body = _canonical(receipt)
        signature = self._key.sign(body).signature
        return {**receipt, "server_key": self.public_key,
                "server_signature": base64.b64encode(signature).decode()}


def verify_receipt(signed: dict[str, Any]) -> None:
    """Raise ValueError unless the receipt carries a valid signature by its server_key."""
    fields = {k: v for k, v in signed.items() if k not in ("server_key", "server_signature")}
    try:
        VerifyKey(bytes.fromhex(signed["server_key"])).verify(
            _canonical(fields), base64.b64decode(signed["server_signature"]))
    except (BadSignatureError, KeyError, ValueError) as exc:
        raise ValueError("receipt signature is invalid") from exc


def _canonical(obj: dict[str, Any]) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
