"""Key-ceremony request schemas (protocol 2). The server checks shapes; ``crypto.ceremony``
checks signatures, order and mathematics when it replays the board with the message."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, StringConstraints

from app.schemas.common import HEX32, Strict, Text

SIGNATURE = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{128}$")]
ROUND = Annotated[int, Field(ge=1, le=1000)]
INDEX = Annotated[int, Field(ge=1, le=50)]
SEALED = Annotated[str, StringConstraints(min_length=64, max_length=1400, pattern=r"^[A-Za-z0-9+/]+=*$")]


class Signed(Strict):
    round: ROUND  # the ceremony round the trustee signed for
    signature: SIGNATURE  # Ed25519 over crypto.ceremony.signed_bytes(kind, election, round, index, body)

    def body(self) -> dict[str, Any]:
        return self.model_dump()


class JoinIn(Signed):
    signing_key: HEX32  # the trustee's long-term Ed25519 identity (its fingerprint is published)
    encryption_key: HEX32  # the trustee's X25519 key for this round; shares are sealed to it


class CommitmentHashIn(Signed):
    digest: HEX32  # crypto.ceremony.commitments_digest(commitments, proofs)


class CommitmentsIn(Signed):
    commitments: list[HEX32] = Field(min_length=1, max_length=50)
    proofs: list[dict[str, str]] = Field(min_length=1, max_length=50)


class SharesIn(Signed):
    # recipient trustee index (a string key in JSON) -> base64 sealed box; published on the board
    sealed: dict[str, SEALED] = Field(max_length=50)


class ConfirmIn(Signed):
    fingerprint: HEX32  # the election fingerprint this trustee checked


class ComplaintIn(Signed):
    complainant_index: INDEX  # signed: must be the signer's own index
    accused_index: INDEX
    reason: Text = Field(min_length=1, max_length=2000)


class AnswerIn(Signed):
    complainant_index: INDEX
    share: HEX32  # the disputed share, revealed
    ephemeral_secret: HEX32  # the X25519 ephemeral key it was sealed with


class NoAnswerIn(Strict):
    complainant_index: INDEX
    accused_index: INDEX
