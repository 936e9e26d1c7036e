"""Scrutiny request schemas: strike selectors, reasons, invitations, candidate changes."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from app.schemas.common import DB_INT_MAX, Line, LocalizedLine, Moment, Strict, Text, Username


class StrikeIn(Strict):
    """Exactly one selector; a public reason code and a private reason text."""

    trackers: list[Annotated[Line, Field(max_length=64)]] | None = Field(
        default=None, min_length=1, max_length=100_000
    )
    voters: list[Username] | None = Field(default=None, min_length=1, max_length=100_000)
    cast_between: tuple[Moment, Moment] | None = None
    definition_version: int | None = Field(default=None, ge=1, le=DB_INT_MAX)
    cluster: Line | None = Field(default=None, max_length=100)
    reason_code: Line = Field(max_length=32)
    reason_text: Text = Field(max_length=5000)
    invite_to_revote: bool = False

    @model_validator(mode="after")
    def _one_selector(self) -> StrikeIn:
        given = [
            k
            for k in ("trackers", "voters", "cast_between", "definition_version", "cluster")
            if getattr(self, k) is not None
        ]
        if len(given) != 1:
            raise ValueError(
                "give exactly one selector: trackers, voters, cast_between, definition_version or cluster"
            )
        if self.cast_between and any(t.tzinfo is None for t in self.cast_between):
            raise ValueError("cast_between needs times with a UTC offset")
        return self

    def selector(self) -> dict:
        return {
            k: getattr(self, k)
            for k in ("trackers", "voters", "cast_between", "definition_version", "cluster")
            if getattr(self, k) is not None
        }


class RevoteIn(Strict):
    usernames: list[Username] = Field(min_length=1, max_length=100_000)
    reason: Text = Field(min_length=1, max_length=2000)


class CandidateChangeIn(Strict):
    question: int = Field(default=0, ge=0, le=DB_INT_MAX)
    position: int = Field(ge=0, le=DB_INT_MAX)
    replacement: LocalizedLine | None = None
    reason: Text = Field(min_length=1, max_length=2000)
    old_ballots: str = Field(pattern="^(keep|strike)$")
    # A swap that keeps earlier ballots makes a slot of only later ballots (anonymity guard).
    acknowledge_small_slots: bool = False
