"""Voter-side and phase-action request schemas."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from app.schemas.common import DB_INT_MAX, HEX32, Line, Moment, Strict, Text, Username


class DevLoginIn(Strict):
    username: Username


class CredentialIn(Strict):
    public_key: HEX32


class CredentialListIn(Strict):
    public_keys: list[HEX32] = Field(min_length=1, max_length=200_000)
    # The credential authority's Ed25519 key and its signature of the list (crypto.roll).
    authority_key: HEX32
    signature: str = Field(pattern=r"^[0-9a-f]{128}$")


class CastIn(Strict):
    ballot: dict[str, Any]


class ReasonIn(Strict):
    reason: Text = Field(default="", max_length=2000)


class ExtendIn(Strict):
    end: Moment
    timezone: Line | None = Field(default=None, max_length=64)
    reason: Text = Field(min_length=1, max_length=2000)


class InvitationsIn(Strict):
    usernames: list[Username] = Field(min_length=1, max_length=10_000)


class MixIn(Strict):
    """One trustee's mix of one ranked question (crypto.mixnet.MIX_KEYS; protocol.md §14.4)."""

    round: int = Field(ge=1, le=DB_INT_MAX)
    index: int = Field(ge=1, le=DB_INT_MAX)
    question: int = Field(ge=0, le=100)
    position: int = Field(ge=0, le=100)
    input_hash: str = Field(pattern=r"^[0-9a-f]{64}$")
    output_hash: str = Field(pattern=r"^[0-9a-f]{64}$")
    ciphertexts: list[list[dict[str, str]]] = Field(max_length=2_000_000)
    proof: dict[str, Any]
    signature: str = Field(pattern=r"^[0-9a-f]{128}$")


class ShareIn(Strict):
    share: dict[str, Any]
    # Protocol 2: the hash of the encrypted tally the share decrypts, and the trustee's
    # signature of both (crypto.ceremony.sign_decryption_share). Absent only for protocol-1
    # elections (set up before trustee identities existed).
    tally_hash: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")
    signature: str | None = Field(default=None, pattern=r"^[0-9a-f]{128}$")
