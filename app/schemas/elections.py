"""Committee-side request schemas: elections, questions, candidates, schedule, roles, roll."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator

from app.schemas.common import DB_INT_MAX, Line, LocalizedLine, LocalizedText, Moment, Strict, Username

BallotKind = Literal["sonc", "approval", "plurality", "ranked"]
RankedMethod = Literal["meek", "meek-openstv", "scottish-stv", "irv", "schulze", "debian"]
"""How a ranked question is counted (app.counting.METHODS; "meek" is SecurePoll's Meek STV)."""
ElectionId = str


class PassRule(Strict):
    """S/O/N pass rule: pass iff S/(S+O) <comparison> threshold and S ≥ min_support.

    ``display`` says how the percentage is shown (``round``; ``truncate``, as zhwiki to 0.1%;
    ``enwiki``: rounded, but ">99" / "<1" rather than 100 / 0 unless unanimous)."""

    threshold_percent: Decimal = Field(default=Decimal("70"), ge=0, le=100)
    comparison: Literal[">=", ">"] = ">="
    min_support: int = Field(default=0, ge=0, le=DB_INT_MAX)
    display: Literal["round", "truncate", "enwiki"] = "round"
    decimals: int = Field(default=1, ge=0, le=4)


class CandidateIn(Strict):
    name: LocalizedLine


class QuestionIn(Strict):
    kind: BallotKind
    title: LocalizedLine
    candidates: list[CandidateIn] = Field(min_length=1, max_length=100)
    min_selections: int = Field(default=0, ge=0)
    max_selections: int | None = Field(default=None, ge=1)
    seats: int | None = Field(default=None, ge=1)
    pass_rule: PassRule | None = None
    method: RankedMethod | None = None

    @model_validator(mode="after")
    def _consistent(self) -> QuestionIn:
        n = len(self.candidates)
        if self.method is not None and self.kind != "ranked":
            raise ValueError("a counting method applies to ranked questions only")
        if self.kind == "ranked":
            if self.min_selections or self.max_selections is not None:
                raise ValueError("min/max selections do not apply to ranked questions")
            if self.pass_rule is not None:
                raise ValueError("a pass rule applies to support/oppose/neutral questions only")
            if self.method is None:
                self.method = "meek"
            if self.method in ("schulze", "debian"):
                if self.seats not in (None, 1):
                    raise ValueError(f"{self.method} elects one winner (a full ranking); leave seats unset")
            elif self.seats is None:
                self.seats = 1
        elif self.kind == "sonc":
            if self.min_selections or self.max_selections is not None:
                raise ValueError("min/max selections apply to approval questions only")
            if self.pass_rule is None:
                self.pass_rule = PassRule()
        elif self.kind == "approval":
            top = self.max_selections if self.max_selections is not None else n
            if not self.min_selections <= top <= n:
                raise ValueError(f"need 0 ≤ min_selections ≤ max_selections ≤ {n} candidates")
            if self.pass_rule is not None:
                raise ValueError("a pass rule applies to support/oppose/neutral questions only")
        else:  # plurality: exactly one choice
            if self.min_selections not in (0, 1) or self.max_selections not in (None, 1):
                raise ValueError("plurality questions select exactly one candidate")
            self.min_selections, self.max_selections = 1, 1
            if self.pass_rule is not None:
                raise ValueError("a pass rule applies to support/oppose/neutral questions only")
        if self.seats is not None and self.seats > n:
            raise ValueError(f"seats ({self.seats}) exceed the number of candidates ({n})")
        return self


class ScheduleIn(Strict):
    """Wall-clock start and end in ``timezone`` (IANA name or "AoE"); the end is exclusive.
    Times with an explicit offset are taken as given."""

    start: Moment
    end: Moment
    timezone: Line = Field(default="UTC", max_length=64)


class ElectionCreate(Strict):
    id: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9-]{2,62}$")
    title: LocalizedLine
    description: LocalizedText | None = None
    default_language: str = Field(default="en", pattern=r"^[a-z]{2,3}(-[a-z0-9]{2,8}){0,2}$")
    questions: list[QuestionIn] = Field(default_factory=list, max_length=20)
    schedule: ScheduleIn | None = None
    credential_mode: Literal["convenient", "independent"] = "convenient"
    threshold: int = Field(default=1, ge=1, le=50)
    trustee_count: int = Field(default=1, ge=1, le=50)
    voter_list_public: bool = True
    min_contributors: int = Field(default=5, ge=1, le=1000)

    @model_validator(mode="after")
    def _threshold(self) -> ElectionCreate:
        if self.threshold > self.trustee_count:
            raise ValueError("threshold cannot exceed trustee_count")
        if self.default_language not in self.title:
            raise ValueError(f"title needs a text in the default language {self.default_language!r}")
        return self


class ElectionPatch(Strict):
    title: LocalizedLine | None = None
    description: LocalizedText | None = None
    default_language: str | None = Field(default=None, pattern=r"^[a-z]{2,3}(-[a-z0-9]{2,8}){0,2}$")
    questions: list[QuestionIn] | None = Field(default=None, max_length=20)
    schedule: ScheduleIn | None = None
    credential_mode: Literal["convenient", "independent"] | None = None
    threshold: int | None = Field(default=None, ge=1, le=50)
    trustee_count: int | None = Field(default=None, ge=1, le=50)
    voter_list_public: bool | None = None
    min_contributors: int | None = Field(default=None, ge=1, le=1000)


class RoleIn(Strict):
    username: Username
    role: Literal["committee", "scrutineer", "trustee", "credential_authority"]
    # Declared by the assignee; checked against the election's role policy.
    jurisdiction: Line | None = Field(default=None, max_length=64)
    flags: list[Annotated[Line, Field(max_length=64)]] = Field(default_factory=list, max_length=20)


class EligibilityIn(Strict):
    roll_mode: Literal["list", "frozen", "live"] = "list"
    rules: dict | None = None


class UsernamesIn(Strict):
    usernames: list[Username] = Field(min_length=1, max_length=100_000)


class RolePolicyIn(Strict):
    policy: dict


RollEntry = Annotated[str, StringConstraints(min_length=1, max_length=400, pattern=r"^[^\x00-\x1f\x7f]+$")]
"""``Name`` or ``Name@wiki``, resolved by the service (unresolvable ones are listed)."""


class RollIn(Strict):
    """Exactly one of ``usernames`` (``Name`` or ``Name@wiki`` entries) and ``page`` (a wiki
    page of such entries, one per line, read with ``prop=revisions``)."""

    usernames: list[RollEntry] | None = Field(default=None, min_length=1, max_length=100_000)
    page: Line | None = Field(default=None, max_length=255)
    mode: Literal["add", "replace", "remove"] = "add"

    @model_validator(mode="after")
    def _one_source(self) -> RollIn:
        if (self.usernames is None) == (self.page is None):
            raise ValueError("give either usernames or page")
        return self
