"""The election manifest: everything a ballot is bound to, hashed into the fingerprint.

Only what may never change silently goes in: questions, candidates (default-language names),
ballot kinds and limits, pass rules, trustees and their commitments, the threshold, the
election public key and the key that signs cast receipts (``receipt_key``: voters check their
receipts against it, so the trustees' confirmation covers it). Translations stay outside so
they can be fixed without a new fingerprint.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import BallotDefinition, Election
from crypto import manifest as crypto_manifest
from crypto.ballots import BallotContext
from crypto.fingerprint import election_fingerprint
from crypto.mixnet import MIN_MIXES

MANIFEST_VERSION = 2
"""2: trustees carry their signing identity (key-ceremony protocol 2, ``crypto.ceremony``)."""


def build(
    election: Election,
    trustees: list[dict[str, Any]],
    definition_version: int,
    *,
    public_key: str | None = None,
    manifest_version: int = MANIFEST_VERSION,
    receipt_key: str | None = None,
) -> dict[str, Any]:
    """``trustees``: the entries of the ceremony round (``Round.expected_manifest_trustees``),
    or of the previous definition for a later ballot version. ``receipt_key``: the hex Ed25519
    key of ``app.services.receipts.ReceiptSigner`` (left out when not given)."""
    lang = election.default_language
    doc: dict[str, Any] = {
        "manifest_version": manifest_version,
        "election_id": election.id,
        "definition_version": definition_version,
        "ceremony_round": election.ceremony_round,
        "credential_mode": election.credential_mode,
        "threshold": election.threshold,
        "min_contributors": election.min_contributors,
        "public_key": public_key if public_key is not None else election.public_key,
        "trustees": [dict(t) for t in sorted(trustees, key=lambda t: int(t["index"]))],
        "questions": [
            {
                "kind": q.kind,
                "min_selections": q.min_selections,
                "max_selections": q.max_selections,
                "seats": q.seats,
                "pass_rule": q.pass_rule,
                **({"method": q.method} if q.kind == "ranked" else {}),
                "candidates": [
                    {
                        "position": c.position,
                        "name": c.name.get(lang) or next(iter(c.name.values())),
                        "withdrawn": c.withdrawn,
                    }
                    for c in q.candidates
                ],
            }
            for q in election.questions
        ],
    }
    if any(q.kind == "ranked" for q in election.questions):
        doc["mixes_required"] = MIN_MIXES
    if receipt_key is not None:
        doc["receipt_key"] = receipt_key
    return doc


def fingerprint(manifest: dict[str, Any]) -> str:
    return election_fingerprint(manifest)


def current_definition(session: Session, election_id: str) -> BallotDefinition | None:
    return session.scalars(
        select(BallotDefinition)
        .where(BallotDefinition.election_id == election_id)
        .order_by(BallotDefinition.version.desc())
        .limit(1)
    ).first()


def definition_by_fingerprint(session: Session, election_id: str, value: str) -> BallotDefinition | None:
    return session.scalars(
        select(BallotDefinition).where(
            BallotDefinition.election_id == election_id, BallotDefinition.fingerprint == value
        )
    ).first()


def ballot_context(definition: BallotDefinition) -> BallotContext:
    return crypto_manifest.ballot_context(definition.manifest, definition.fingerprint)
