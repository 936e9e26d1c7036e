"""The election fingerprint (docs/protocol.md §7).

``fingerprint = hex(SHA-256(utf8("scrutin/v1/election-fingerprint\\n")
|| canonical_json(manifest)))``

The manifest is everything a ballot depends on (election id, questions, candidate ids, ballot
kinds, trustee keys and commitments, threshold, election public key). Every proof in a ballot
binds the fingerprint, so a ballot cannot be replayed into another election or another
version of the same election.
"""

from __future__ import annotations

import hashlib

from .hashing import canonical_json

FINGERPRINT_PREFIX = b"scrutin/v1/election-fingerprint\n"


def election_fingerprint(manifest: dict[str, object]) -> str:
    """Lowercase hex (64 digits) of the domain-separated SHA-256 of the canonical manifest."""
    if not isinstance(manifest, dict):
        raise TypeError("manifest must be a dict")
    return hashlib.sha256(FINGERPRINT_PREFIX + canonical_json(manifest)).hexdigest()
