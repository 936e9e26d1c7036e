"""Voter-side and phase-action request schemas."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from app.schemas.common import HEX32, Line, Moment, Strict, Text, Username


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


class ShareIn(Strict):
    share: dict[str, Any]
    # Protocol 2: the hash of the encrypted tally the share decrypts, and the trustee's
    # signature of both (crypto.ceremony.sign_decryption_share). Absent only for protocol-1
    # elections (set up before trustee identities existed).
    tally_hash: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")
    signature: str | None = Field(default=None, pattern=r"^[0-9a-f]{128}$")
