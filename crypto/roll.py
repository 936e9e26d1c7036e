"""Bounding ballot stuffing from the record (docs/protocol.md §6.3, docs/record.md).

* The voter roll on the board: ``roll_published`` events carry the size of the eligible roll and
  ``roll_fingerprint`` = hex SHA-256 of ``hash_preimage("scrutin/v1/roll", election_id,
  [usernames sorted])`` (the framed encoding of §2.1), so anyone holding the roll can check it
  and anyone can check that no more credentials were used than there are voters.
* The independent credential authority signs its credential list with an Ed25519 key kept in
  its offline tool: the signed bytes are ``"scrutin/v1/credential-list" ‖ canonical JSON of
  {election, count, credentials (sorted)}``; its fingerprint (``authority_fingerprint``, the
  format of a trustee's) is given to the committee and published.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

from nacl.exceptions import BadSignatureError
from nacl.exceptions import CryptoError as NaclCryptoError
from nacl.signing import SigningKey, VerifyKey

from .ceremony import identity_fingerprint
from .errors import InvalidRecord
from .hashing import canonical_json, hash_preimage

TAG_ROLL = "scrutin/v1/roll"
TAG_CREDENTIAL_LIST = b"scrutin/v1/credential-list\x00"


def roll_fingerprint(election_id: str, usernames: Iterable[str]) -> str:
    """SHA-256 (hex) over the tagged, framed, sorted usernames of the eligible roll."""
    names = sorted(set(usernames))
    return hashlib.sha256(hash_preimage(TAG_ROLL, election_id, names)).hexdigest()


def credential_list_bytes(election_id: str, credentials: Sequence[str]) -> bytes:
    creds = sorted(credentials)
    return TAG_CREDENTIAL_LIST + canonical_json(
        {"election": election_id, "count": len(creds), "credentials": creds}
    )


def authority_public(seed: bytes) -> str:
    return bytes(SigningKey(bytes(seed)).verify_key).hex()


def authority_fingerprint(authority_key_hex: str) -> str:
    """What the committee publishes and compares (e.g. ``K3QJ-…``, 8 groups of 4)."""
    return identity_fingerprint(authority_key_hex)


def sign_credential_list(seed: bytes, election_id: str, credentials: Sequence[str]) -> dict[str, str]:
    """``{"authority_key": hex, "signature": hex}`` for the (sorted) list."""
    key = SigningKey(bytes(seed))
    signature = key.sign(credential_list_bytes(election_id, credentials)).signature
    return {"authority_key": bytes(key.verify_key).hex(), "signature": bytes(signature).hex()}


def verify_credential_list(
    election_id: str,
    credentials: Sequence[str],
    authority_key: object,
    signature: object,
    what: str = "credential list",
) -> None:
    """Raises ``InvalidRecord`` unless ``signature`` is ``authority_key``'s signature of the
    list (a missing key or signature is an error)."""
    if not isinstance(authority_key, str) or len(authority_key) != 64:
        raise InvalidRecord(f"{what}: no credential-authority key (64 hex digits)")
    if not isinstance(signature, str) or not signature:
        raise InvalidRecord(f"{what}: not signed by the credential authority")
    try:
        VerifyKey(bytes.fromhex(authority_key)).verify(
            credential_list_bytes(election_id, credentials), bytes.fromhex(signature)
        )
    except (ValueError, TypeError, BadSignatureError, NaclCryptoError):
        raise InvalidRecord(
            f"{what}: the credential authority's signature does not verify under key {authority_key[:16]}…"
        ) from None
