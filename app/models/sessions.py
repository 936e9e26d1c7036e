"""Server-side login sessions and single-use voting invitations.

A session row is what a cookie or bearer token stands for: the token itself is random and only
its SHA-256 is stored (``id``), so logout, revocation and expiry take effect at once and a
database reader cannot log in. ``scope`` is empty for a general login; an invitation makes a
session scoped to voting in one election (``vote:<election id>``), which every other route
treats as anonymous.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UTCDateTime


class LoginSession(Base):
    __tablename__ = "sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256(token), hex
    username: Mapped[str] = mapped_column(String(255), index=True)
    scope: Mapped[str] = mapped_column(String(80), default="")  # "" | "vote:<election id>"
    method: Mapped[str] = mapped_column(String(16))  # development | wiki | invitation
    invitation_id: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_by: Mapped[str | None] = mapped_column(String(255))
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Invitation(Base):
    """One link for one roll member of one election; the token's SHA-256 only."""

    __tablename__ = "invitations"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    election_id: Mapped[str] = mapped_column(ForeignKey("elections.id", ondelete="CASCADE"), index=True)
    username: Mapped[str] = mapped_column(String(255))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(255))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    session_id: Mapped[str | None] = mapped_column(String(64))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_by: Mapped[str | None] = mapped_column(String(255))
