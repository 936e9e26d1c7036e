"""The voter roll, voter credentials, encrypted ballots and the voters' private signals."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UTCDateTime


class Voter(Base):
    __tablename__ = "voters"
    __table_args__ = (UniqueConstraint("election_id", "username"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[str] = mapped_column(ForeignKey("elections.id", ondelete="CASCADE"))
    username: Mapped[str] = mapped_column(String(255))
    eligible: Mapped[bool] = mapped_column(Boolean)
    # The eligibility decision with reasons and the facts it used (audit snapshot).
    decision: Mapped[dict | None] = mapped_column(JSON)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Credential(Base):
    """A voter's public credential. In independent mode ``voter_id`` stays empty until the first
    ballot binds it; the server never sees the secret part."""

    __tablename__ = "credentials"
    __table_args__ = (
        UniqueConstraint("election_id", "public_key"),
        UniqueConstraint("election_id", "voter_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[str] = mapped_column(ForeignKey("elections.id", ondelete="CASCADE"))
    public_key: Mapped[str] = mapped_column(String(64))
    voter_id: Mapped[int | None] = mapped_column(ForeignKey("voters.id", ondelete="CASCADE"))
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Ballot(Base):
    __tablename__ = "ballots"
    __table_args__ = (Index("ix_ballots_election_credential", "election_id", "credential"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[str] = mapped_column(ForeignKey("elections.id", ondelete="CASCADE"))
    voter_id: Mapped[int] = mapped_column(ForeignKey("voters.id", ondelete="CASCADE"), index=True)
    credential: Mapped[str] = mapped_column(String(64))
    definition_version: Mapped[int] = mapped_column(Integer)
    payload: Mapped[dict] = mapped_column(JSON)  # the encrypted, signed ballot as cast
    signature: Mapped[dict] = mapped_column(JSON)
    tracker: Mapped[str] = mapped_column(String(64), unique=True)
    cast_at: Mapped[datetime] = mapped_column(UTCDateTime())
    board_seq: Mapped[int] = mapped_column(Integer)
    struck: Mapped[bool] = mapped_column(Boolean, default=False)


class VoterSignal(Base):
    """Private data about a cast (IP, forwarded-for, user agent). Never exported, purged after
    the retention period, every read audited."""

    __tablename__ = "voter_pii"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[str] = mapped_column(ForeignKey("elections.id", ondelete="CASCADE"))
    voter_id: Mapped[int] = mapped_column(ForeignKey("voters.id", ondelete="CASCADE"), index=True)
    ballot_id: Mapped[int | None] = mapped_column(ForeignKey("ballots.id", ondelete="CASCADE"))
    ip: Mapped[str | None] = mapped_column(String(64))
    forwarded_for: Mapped[str | None] = mapped_column(Text)
    user_agent: Mapped[str | None] = mapped_column(Text)
    cookie_id: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class RollCheck(Base):
    """A frozen roll being computed: the committee asked for these users to be checked against
    the wiki and stored; a worker (app/services/roll_checks.py) does it outside the request,
    a chunk at a time, and records its progress here. ``status``: queued → running → done or
    failed (``error_code``/``error``: why, e.g. users the wiki could not answer for)."""

    __tablename__ = "roll_checks"
    __table_args__ = (Index("ix_roll_checks_due", "status", "claimed_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[str] = mapped_column(ForeignKey("elections.id", ondelete="CASCADE"), index=True)
    requested_by: Mapped[str] = mapped_column(String(255))
    requested_by_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    usernames: Mapped[list] = mapped_column(JSON)
    rules_fingerprint: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    total: Mapped[int] = mapped_column(Integer)
    checked: Mapped[int] = mapped_column(Integer, default=0)
    eligible: Mapped[int | None] = mapped_column(Integer)
    error_code: Mapped[str | None] = mapped_column(String(64))
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The worker's claim, renewed after every chunk: a claim older than
    # roll_checks.STALE_AFTER (its process died) is taken again from the start.
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
