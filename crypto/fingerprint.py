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


FINGERPRINT_CODE_DIGITS = 16
"""How many leading hex digits of the fingerprint the short code shows (64 bits)."""


def fingerprint_code(fingerprint: str) -> str:
    """The short code people compare (docs/protocol.md §7.1): the first 16 lowercase hex digits
    of the election fingerprint in four groups of four, ``3f2a-91bc-0d4e-77aa``.

    The committee publishes the code of the fingerprint every trustee confirmed
    (``election_setup``) on the wiki; the booth and ``scrutin vote`` show it and, given it
    (``#fp=CODE`` / ``--fingerprint CODE``), refuse any other election."""
    if (
        not isinstance(fingerprint, str)
        or len(fingerprint) != 64
        or any(c not in "0123456789abcdef" for c in fingerprint)
    ):
        raise ValueError("an election fingerprint is 64 lowercase hex digits")
    head = fingerprint[:FINGERPRINT_CODE_DIGITS]
    return "-".join(head[i : i + 4] for i in range(0, FINGERPRINT_CODE_DIGITS, 4))


def normalise_fingerprint_code(text: str) -> str:
    """A code as people copy it (any case, spaces or dashes; or the whole 64-digit
    fingerprint) → canonical ``xxxx-xxxx-xxxx-xxxx``. Raises ``ValueError`` otherwise."""
    compact = "".join(c for c in str(text).lower() if c not in " -\t\n")
    if len(compact) not in (FINGERPRINT_CODE_DIGITS, 64) or any(c not in "0123456789abcdef" for c in compact):
        raise ValueError(
            f"not an election fingerprint code: {text!r} (expected 16 hex digits "
            "in groups of four, e.g. 3f2a-91bc-0d4e-77aa)"
        )
    return fingerprint_code(compact.ljust(64, "0"))
