"""Elections, their versioned ballot definitions, questions and candidates."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, UTCDateTime


class Election(Base):
    __tablename__ = "elections"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    # Per-language texts: {"en": "...", "zh-hans": "..."}
    title: Mapped[dict] = mapped_column(JSON)
    description: Mapped[dict] = mapped_column(JSON)
    default_language: Mapped[str] = mapped_column(String(16))
    phase: Mapped[str] = mapped_column(String(32), index=True)
    # Why the election is paused (shown to voters); None when not paused.
    pause_reason: Mapped[str | None] = mapped_column(Text)
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # IANA zone name or "AoE" (UTC-12), the zone the committee chose for the schedule.
    timezone: Mapped[str] = mapped_column(String(64))
    credential_mode: Mapped[str] = mapped_column(String(16))  # convenient | independent
    threshold: Mapped[int] = mapped_column(Integer)
    trustee_count: Mapped[int] = mapped_column(Integer)
    voter_list_public: Mapped[bool] = mapped_column(Boolean)
    # Anonymity guard (DESIGN §3.9): no tally slot of fewer counted ballots is decrypted; goes
    # into the manifest (``min_contributors``) when the ceremony completes.
    min_contributors: Mapped[int] = mapped_column(Integer, default=5, server_default="5")
    public_key: Mapped[str | None] = mapped_column(String(64))
    # Eligibility: "list" (the explicit roll only), "frozen" (rules evaluated for a list of
    # candidates before opening) or "live" (rules evaluated at each voter's first visit).
    roll_mode: Mapped[str] = mapped_column(String(16), default="list")
    eligibility_rules: Mapped[dict | None] = mapped_column(JSON)
    # Role policy: {"roles": {role: {required_flags, restricted_jurisdictions, ...}},
    #               "trustees": {max_per_jurisdiction, undeclared, ...}}
    role_policy: Mapped[dict | None] = mapped_column(JSON)
    # Incremented when the committee restarts a failed key ceremony; binds proofs to one attempt.
    ceremony_round: Mapped[int] = mapped_column(Integer, default=1)
    # Usernames a key-ceremony verdict found at fault: never a trustee of this election again.
    excluded_trustees: Mapped[list | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(255))
    # When voting closed; private signals are purged a retention period after it.
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    pii_purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    questions: Mapped[list[Question]] = relationship(
        back_populates="election", order_by="Question.position", cascade="all, delete-orphan"
    )


class Question(Base):
    __tablename__ = "questions"
    __table_args__ = (UniqueConstraint("election_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[str] = mapped_column(ForeignKey("elections.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))  # sonc | approval | plurality | ranked
    title: Mapped[dict] = mapped_column(JSON)
    min_selections: Mapped[int] = mapped_column(Integer)
    max_selections: Mapped[int | None] = mapped_column(Integer)
    seats: Mapped[int | None] = mapped_column(Integer)
    # S/O/N pass rule: {"threshold_percent": "70", "comparison": ">=", "min_support": 0,
    # "display": "round"|"truncate", "decimals": 1}
    pass_rule: Mapped[dict | None] = mapped_column(JSON)
    # Ranked questions: the counting method (app.counting.METHODS).
    method: Mapped[str | None] = mapped_column(String(16), default=None)

    election: Mapped[Election] = relationship(back_populates="questions")
    candidates: Mapped[list[Candidate]] = relationship(
        back_populates="question", order_by="Candidate.position", cascade="all, delete-orphan"
    )


class Candidate(Base):
    __tablename__ = "candidates"
    __table_args__ = (UniqueConstraint("question_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[dict] = mapped_column(JSON)
    withdrawn: Mapped[bool] = mapped_column(Boolean, default=False)

    question: Mapped[Question] = relationship(back_populates="candidates")


class BallotDefinition(Base):
    """A frozen snapshot of the questions and candidates that ballots are cast against.

    Version 1 is made when the key ceremony completes; later versions (candidate withdrawal or
    swap while open) get their own fingerprint. A ballot names the version it was cast on.
    """

    __tablename__ = "ballot_definitions"
    __table_args__ = (UniqueConstraint("election_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[str] = mapped_column(ForeignKey("elections.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    manifest: Mapped[dict] = mapped_column(JSON)
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
