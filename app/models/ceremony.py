"""Trustees and the distributed key generation they run (the server only relays)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UTCDateTime


class Trustee(Base):
    __tablename__ = "trustees"
    __table_args__ = (
        UniqueConstraint("election_id", "trustee_index"),
        UniqueConstraint("election_id", "username"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[str] = mapped_column(ForeignKey("elections.id", ondelete="CASCADE"))
    username: Mapped[str] = mapped_column(String(255))
    trustee_index: Mapped[int] = mapped_column(Integer)  # 1-based, the x of its Shamir share
    # X25519 public key (hex) that other trustees seal their shares to.
    encryption_key: Mapped[str | None] = mapped_column(String(64))
    commitments: Mapped[list | None] = mapped_column(JSON)
    commitment_proofs: Mapped[list | None] = mapped_column(JSON)
    # joined -> committed -> shared -> verified (or complained)
    status: Mapped[str] = mapped_column(String(16))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SealedShare(Base):
    """A Shamir share from one trustee to another, sealed to the recipient's X25519 key."""

    __tablename__ = "sealed_shares"
    __table_args__ = (UniqueConstraint("election_id", "sender_index", "recipient_index"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[str] = mapped_column(ForeignKey("elections.id", ondelete="CASCADE"))
    sender_index: Mapped[int] = mapped_column(Integer)
    recipient_index: Mapped[int] = mapped_column(Integer)
    sealed: Mapped[str] = mapped_column(Text)  # base64
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Complaint(Base):
    __tablename__ = "ceremony_complaints"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[str] = mapped_column(ForeignKey("elections.id", ondelete="CASCADE"))
    complainant_index: Mapped[int] = mapped_column(Integer)
    accused_index: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
