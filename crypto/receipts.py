"""Cast receipts (docs/protocol.md §8.9): what the server signs when it accepts a ballot, and
the checks anyone can run on one (the JavaScript twin is ``admin_ui/static/js/crypto/receipts.js``).

A receipt is the JSON object ``{election_id, tracker, credential, cast_at, board_seq,
board_hash, fingerprint, revote, server_key, server_signature}``; ``server_signature`` is the
base64 Ed25519 signature by ``server_key`` over ``canonical_json`` of every other field.

The receipt key the voter trusts is not the one the receipt names, nor what the server answers
at ``/api/v1/receipt-key``: it is ``receipt_key`` in the election manifest, which every trustee
confirmed (its fingerprint) and whose short code the committee publishes. So a receipt that
verifies is a statement by that server which it cannot disown, and ``check_receipt_on_board``
proves the board holds the receipted ballot where the receipt says.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence
from typing import Any

from nacl.exceptions import BadSignatureError
from nacl.exceptions import CryptoError as NaclCryptoError
from nacl.signing import SigningKey, VerifyKey

from .board import verify_chain
from .errors import CryptoError, InvalidReceipt
from .hashing import canonical_json

RECEIPT_FIELDS = frozenset(
    {"election_id", "tracker", "credential", "cast_at", "board_seq", "board_hash", "fingerprint", "revote"}
)
SIGNATURE_FIELDS = ("server_key", "server_signature")


def receipt_body(receipt: Mapping[str, Any]) -> bytes:
    """The signed bytes: canonical JSON of the receipt without ``server_key`` and
    ``server_signature``."""
    return canonical_json({k: v for k, v in receipt.items() if k not in SIGNATURE_FIELDS})


def receipt_public_key(seed: bytes) -> str:
    """The hex Ed25519 public key of the receipt key with this 32-byte seed."""
    return bytes(SigningKey(seed).verify_key).hex()


def sign_receipt(seed: bytes, receipt: Mapping[str, Any]) -> dict[str, Any]:
    """The receipt with ``server_key`` and ``server_signature`` (base64 Ed25519 over
    :func:`receipt_body`) added: what :func:`verify_receipt` checks."""
    body = {k: v for k, v in receipt.items() if k not in SIGNATURE_FIELDS}
    signature = SigningKey(seed).sign(receipt_body(body)).signature
    return {
        **body,
        "server_key": receipt_public_key(seed),
        "server_signature": base64.b64encode(bytes(signature)).decode(),
    }


def _hex(value: object, what: str, n: int = 64) -> str:
    if not isinstance(value, str) or len(value) != n or any(c not in "0123456789abcdef" for c in value):
        raise InvalidReceipt(f"receipt: {what} must be {n} lowercase hex digits")
    return value


def unwrap(document: object) -> dict[str, Any]:
    """The receipt inside what the booth downloads (``{"kind": "scrutin-receipt", "receipt":
    {...}, ...}``) or a bare receipt as ``scrutin vote`` prints it."""
    if isinstance(document, dict) and document.get("kind") == "scrutin-receipt":
        document = document.get("receipt")
    if not isinstance(document, dict):
        raise InvalidReceipt("receipt: expected a JSON object")
    return document


def verify_receipt(receipt: object, receipt_key: str | None = None) -> dict[str, Any]:
    """Check the receipt's shape and its signature; with ``receipt_key`` (the manifest's), also
    that it is that key which signed. Returns the receipt. Raises ``InvalidReceipt``."""
    r = unwrap(receipt)
    missing = sorted((RECEIPT_FIELDS | set(SIGNATURE_FIELDS)) - set(r))
    if missing:
        raise InvalidReceipt(f"receipt: missing {', '.join(missing)}")
    for key in ("tracker", "credential", "board_hash", "fingerprint", "server_key"):
        _hex(r[key], key)
    if isinstance(r["board_seq"], bool) or not isinstance(r["board_seq"], int) or r["board_seq"] < 1:
        raise InvalidReceipt("receipt: board_seq must be a positive integer")
    try:
        signature = base64.b64decode(str(r["server_signature"]), validate=True)
    except (binascii.Error, ValueError):
        raise InvalidReceipt("receipt: server_signature is not base64") from None
    if receipt_key is not None and r["server_key"] != receipt_key:
        raise InvalidReceipt(
            f"receipt: signed by key {r['server_key']}, not by this election's "
            f"receipt key {receipt_key} (from the manifest)"
        )
    try:
        body = receipt_body(r)
        VerifyKey(bytes.fromhex(r["server_key"])).verify(body, signature)
    except (BadSignatureError, NaclCryptoError, ValueError, CryptoError):
        raise InvalidReceipt(f"receipt: the signature does not verify under {r['server_key']}") from None
    return r


def check_receipt_on_board(receipt: object, events: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The board (chain checked) holds the receipted ballot at the receipted position:
    event ``board_seq`` is a ``ballot_cast`` of this tracker and credential whose hash is
    ``board_hash``, and ``fingerprint`` is that of the ballot definition the event names.
    Returns the board event. Raises ``InvalidReceipt`` (or ``InvalidChain``)."""
    r = unwrap(receipt)
    verify_chain(events)
    seq = r.get("board_seq")
    if not isinstance(seq, int) or isinstance(seq, bool) or not 1 <= seq <= len(events):
        raise InvalidReceipt(
            f"receipt: the board has no event {seq!r} (it has {len(events)}): "
            "the receipted ballot is not on the board"
        )
    event = events[seq - 1]
    p = event.get("payload") or {}
    where = f"board event {seq}"
    if event.get("type") != "ballot_cast":
        raise InvalidReceipt(f"receipt: {where} is a {event.get('type')} event, not the receipted ballot")
    if p.get("tracker") != r.get("tracker"):
        raise InvalidReceipt(
            f"receipt: {where} holds tracker {p.get('tracker')}, the receipt {r.get('tracker')}"
        )
    if p.get("credential") != r.get("credential"):
        raise InvalidReceipt(f"receipt: {where} holds another credential")
    if event.get("hash") != r.get("board_hash"):
        raise InvalidReceipt(
            f"receipt: {where} has hash {event.get('hash')}, the receipt "
            f"{r.get('board_hash')}: the board was rewritten"
        )
    fingerprints = definition_fingerprints(events[:seq])
    version = p.get("definition_version")
    if not isinstance(version, int) or fingerprints.get(version) != r.get("fingerprint"):
        raise InvalidReceipt(
            f"receipt: fingerprint {r.get('fingerprint')} is not that of ballot "
            f"definition {version!r} on the board"
        )
    return dict(event)


def definition_fingerprints(events: Sequence[Mapping[str, Any]]) -> dict[int, str]:
    """{definition_version: fingerprint} of the setup and every later ballot definition."""
    out: dict[int, str] = {}
    for event in events:
        p = event.get("payload") or {}
        if event.get("type") == "election_setup":
            out[int((p.get("manifest") or {}).get("definition_version", 1))] = str(p.get("fingerprint"))
        elif event.get("type") == "ballot_definition" and isinstance(p.get("version"), int):
            out[int(p["version"])] = str(p.get("fingerprint"))
    return out
