"""Scrutiny: strike history, re-vote invitations and outgoing notices."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UTCDateTime

REASON_CODES = (
    "sockpuppet",  # several accounts of one person
    "ineligible",  # the voter was not eligible after all
    "canvassing",  # vote solicited improperly / bought
    "ballot_error",  # the ballot shown to voters was wrong for a while
    "candidate_change",  # a candidate withdrew or was swapped
    "technical",  # a software or operational fault
    "other",
)


class StrikeAction(Base):
    """One strike or unstrike of one ballot, with the private reason text (the public board
    carries only the tracker and the reason code)."""

    __tablename__ = "strike_actions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[str] = mapped_column(ForeignKey("elections.id", ondelete="CASCADE"), index=True)
    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballots.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(8))  # strike | unstrike
    reason_code: Mapped[str] = mapped_column(String(32))
    reason_text: Mapped[str] = mapped_column(Text)
    selector: Mapped[dict] = mapped_column(JSON)
    actor: Mapped[str] = mapped_column(String(255))
    board_seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class RevoteInvitation(Base):
    """A voter whose ballot was struck is invited to vote again: shown at their next visit and
    sent through the configured channel."""

    __tablename__ = "revote_invitations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[str] = mapped_column(ForeignKey("elections.id", ondelete="CASCADE"), index=True)
    voter_id: Mapped[int] = mapped_column(ForeignKey("voters.id", ondelete="CASCADE"))
    # The committee's words to the voters (``invite``), or empty after a strike: a strike's
    # reason text is private (audit log only); the voter is told the message of its
    # ``reason_code`` (translated in the booth, ``notify.REVOTE_REASONS`` in e-mails).
    reason: Mapped[str] = mapped_column(Text)
    reason_code: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(255))
    seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class OutboxMessage(Base):
    """Every notice sent (or, on the embedded default, kept for the committee to read)."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[str] = mapped_column(ForeignKey("elections.id", ondelete="CASCADE"), index=True)
    recipient: Mapped[str] = mapped_column(String(255))
    channel: Mapped[str] = mapped_column(String(16))  # outbox | smtp | mediawiki
    subject: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    error: Mapped[str | None] = mapped_column(Text)
    # Wiki announcements (app/services/wiki.py): pending | sent | failed | skipped | unknown,
    # the announcement's key, and the last attempt (a resumed run retries each failure once).
    status: Mapped[str | None] = mapped_column(String(16))
    batch: Mapped[str | None] = mapped_column(String(80), index=True)
    attempted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Notices (batch NULL; app/services/notify.py): pending → sending (claimed by a worker) →
    # sent, or back to pending until next_attempt_at after a failure (``error`` keeps the
    # last one), or failed after SCRUTIN_NOTIFY_MAX_ATTEMPTS.
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
