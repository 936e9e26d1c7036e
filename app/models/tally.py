"""The one tally of an election and the trustees' decryption shares for it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UTCDateTime


class Tally(Base):
    """Unique per election: a tally is computed and decrypted exactly once (DESIGN §3.2)."""

    __tablename__ = "tallies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[str] = mapped_column(ForeignKey("elections.id", ondelete="CASCADE"), unique=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    started_by: Mapped[str] = mapped_column(String(255))
    counted: Mapped[list] = mapped_column(JSON)  # trackers of the counted ballots
    layout: Mapped[list] = mapped_column(JSON)  # number of slots per question
    # Per question, per candidate: how many counted ballots listed the candidate.
    contributors: Mapped[list] = mapped_column(JSON)
    ciphertexts: Mapped[list] = mapped_column(JSON)  # flat, question by question
    totals: Mapped[list | None] = mapped_column(JSON)
    result: Mapped[dict | None] = mapped_column(JSON)
    decrypted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class DecryptionShare(Base):
    __tablename__ = "decryption_shares"
    __table_args__ = (UniqueConstraint("election_id", "trustee_index"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[str] = mapped_column(ForeignKey("elections.id", ondelete="CASCADE"))
    trustee_index: Mapped[int] = mapped_column(Integer)
    share: Mapped[dict] = mapped_column(JSON)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
