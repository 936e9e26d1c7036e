"""Key-ceremony request schemas. The server checks shapes; crypto checks the mathematics."""

from __future__ import annotations

from pydantic import Field

from app.schemas.common import HEX32, Strict


class JoinIn(Strict):
    encryption_key: HEX32  # the trustee's X25519 public key, shares are sealed to it


class CommitmentsIn(Strict):
    commitments: list[HEX32] = Field(min_length=1, max_length=50)
    proofs: list[dict] = Field(min_length=1, max_length=50)


class SharesIn(Strict):
    # recipient trustee index (as a string key in JSON) -> base64 sealed box
    shares: dict[int, str] = Field(max_length=50)  # empty when there is a single trustee


class ComplaintIn(Strict):
    accused_index: int = Field(ge=1, le=50)
    reason: str = Field(min_length=1, max_length=2000)


class VerifyIn(Strict):
    complaints: list[ComplaintIn] = Field(default_factory=list, max_length=50)
