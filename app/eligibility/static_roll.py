"""The static roll provider: a committee-supplied list instead of live wiki data.

Two formats:

* plain lines ``User@wiki`` or ``User`` (any wiki); blank lines and ``# comments`` ignored;
* CSV with a header row containing ``user`` and optionally ``wiki``, ``edit_count``,
  ``registration`` (date or ISO timestamp), ``groups`` and ``global_groups`` (separated by
  ``|`` or spaces), ``blocked`` (``""``/``no``, ``sitewide``/``yes``, ``partial``), ``locked``
  (``true``/``false``).

Being on the roll is itself a rule (``on_roll``). Rules that need a fact the roll does not carry
(e.g. ``min_edits`` without an ``edit_count`` column, or any dated edit window) raise
:class:`MissingFacts` rather than deciding.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from app.eligibility.errors import MissingFacts
from app.eligibility.facts import (
    ANY_WIKI,
    HOME_WIKI,
    AccountFacts,
    Block,
    FactNeeds,
    GlobalAccountFacts,
    VoterFacts,
    normalize_username,
)
from app.eligibility.rules import _date, parse_list_entry

CSV_COLUMNS = ("user", "wiki", "edit_count", "registration", "groups", "global_groups", "blocked", "locked")


class RollFormatError(ValueError):
    """The roll file is malformed; the message names the line (and column)."""


@dataclass(frozen=True)
class RollRow:
    user: str
    wiki: str | None = None
    edit_count: int | None = None
    registration: datetime | None = None
    groups: tuple[str, ...] = ()
    global_groups: tuple[str, ...] = ()
    blocked: Block | None = None
    locked: bool | None = None


class StaticRollProvider:
    def __init__(
        self,
        rows: Iterable[RollRow],
        *,
        name: str = "static roll",
        columns: Iterable[str] = ("user", "wiki"),
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.name = name
        self.columns = frozenset(columns)
        self._now = now
        self._rows: dict[str, list[RollRow]] = {}
        for row in rows:
            self._rows.setdefault(normalize_username(row.user), []).append(row)

    @property
    def source(self) -> str:
        return f"static_roll:{self.name}"

    def __len__(self) -> int:
        return sum(len(rows) for rows in self._rows.values())

    def users(self) -> list[tuple[str, str | None]]:
        """Every (user, wiki) on the roll, in file order per user — handy for a frozen roll."""
        return [(row.user, row.wiki) for rows in self._rows.values() for row in rows]

    # -- construction ------------------------------------------------------------------------

    @classmethod
    def from_file(cls, path: str | Path, **kwargs: object) -> StaticRollProvider:
        path = Path(path)
        text = path.read_text(encoding="utf-8-sig")
        return cls.from_text(text, name=str(kwargs.pop("name", path.name)), **kwargs)  # type: ignore[arg-type]

    @classmethod
    def from_text(
        cls, text: str, *, name: str = "static roll", fmt: str | None = None, **kwargs: object
    ) -> StaticRollProvider:
        """``fmt`` is ``"csv"`` or ``"lines"``; by default CSV when the first non-comment line
        is a header starting with ``user``."""
        if fmt is None:
            first = next(
                (line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")), ""
            )
            fmt = (
                "csv" if first.replace(" ", "").lower().split(",")[0] == "user" and "," in first else "lines"
            )
        if fmt == "csv":
            rows, columns = _parse_csv(text)
        elif fmt == "lines":
            rows, columns = _parse_lines(text), ("user", "wiki")
        else:
            raise ValueError(f"unknown roll format {fmt!r} (csv or lines)")
        return cls(rows, name=name, columns=columns, **kwargs)  # type: ignore[arg-type]

    # -- provider interface ------------------------------------------------------------------

    def fetch(self, username: str, needs: FactNeeds) -> VoterFacts:
        self._check_columns(needs)
        name = normalize_username(username)
        rows = self._rows.get(name, [])
        wiki = needs.wiki
        if wiki not in (None, ANY_WIKI, HOME_WIKI):
            rows = [r for r in rows if r.wiki in (None, wiki)]
        if needs.registration and any(r.registration is None for r in rows):
            raise MissingFacts(f"the roll {self.name!r} has no registration date for {name!r}")
        if needs.min_edits and any(r.edit_count is None for r in rows):
            raise MissingFacts(f"the roll {self.name!r} has no edit count for {name!r}")
        accounts = tuple(
            AccountFacts(
                wiki=r.wiki or (wiki if wiki not in (None, ANY_WIKI, HOME_WIKI) else "any"),
                user=name,
                edit_count=r.edit_count,
                registration=r.registration,
                groups=r.groups,
                block=r.blocked,
            )
            for r in rows
        )
        has_global = bool({"locked", "global_groups"} & self.columns)
        glob = None
        if has_global and rows:
            glob = GlobalAccountFacts(
                name=name,
                locked=any(bool(r.locked) for r in rows),
                groups=tuple(dict.fromkeys(g for r in rows for g in r.global_groups)),
            )
        return VoterFacts(
            user=name,
            source=self.source,
            fetched_at=self._now(),
            wiki=wiki,
            accounts=accounts,
            global_account=glob,
            global_checked=has_global,
            on_roll=bool(rows),
        )

    def _check_columns(self, needs: FactNeeds) -> None:
        if needs.windows:
            raise MissingFacts(
                f"the roll {self.name!r} cannot answer edits_before/edits_between "
                "(no dated edits); use the MediaWiki provider"
            )
        for flag, column, rule in (
            (needs.min_edits, "edit_count", "min_edits"),
            (needs.registration, "registration", "registered_before"),
            (needs.blocks, "blocked", "not_blocked"),
            (needs.groups, "groups", "need_groups/allow_groups/not_bot"),
        ):
            if flag and column not in self.columns:
                raise MissingFacts(f"the roll {self.name!r} has no {column!r} column, needed by {rule}")


def _parse_lines(text: str) -> list[RollRow]:
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            entry = parse_list_entry(line, f"line {number}")
        except ValueError as exc:
            raise RollFormatError(str(exc)) from exc
        rows.append(RollRow(user=entry.user, wiki=entry.wiki))
    return rows


def _parse_csv(text: str) -> tuple[list[RollRow], tuple[str, ...]]:
    reader = csv.DictReader(io.StringIO(text))
    columns = tuple((c or "").strip().lower() for c in reader.fieldnames or ())
    unknown = [c for c in columns if c not in CSV_COLUMNS]
    if "user" not in columns or unknown:
        raise RollFormatError(
            f"line 1: CSV header must contain 'user' and only "
            f"{', '.join(CSV_COLUMNS)} (unknown: {', '.join(unknown) or '-'})"
        )
    rows = []
    for raw in reader:
        number = reader.line_num
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items() if k}
        if not row.get("user"):
            continue

        def fail(column: str, problem: str, _n: int = number) -> RollFormatError:
            return RollFormatError(f"line {_n}, column {column}: {problem}")

        try:
            entry = parse_list_entry(
                row["user"] + (f"@{row['wiki']}" if row.get("wiki") else ""), f"line {number}"
            )
        except ValueError as exc:
            raise RollFormatError(str(exc)) from exc
        edit_count = None
        if row.get("edit_count"):
            try:
                edit_count = int(row["edit_count"])
            except ValueError:
                raise fail("edit_count", f"not an integer: {row['edit_count']!r}") from None
        registration = None
        if row.get("registration"):
            try:
                registration = _date(row["registration"], "registration")
            except ValueError as exc:
                raise fail("registration", str(exc)) from None
        blocked_text = row.get("blocked", "").lower()
        if blocked_text in ("", "no", "false", "0"):
            blocked = None
        elif blocked_text in ("yes", "true", "1", "sitewide"):
            blocked = Block(sitewide=True)
        elif blocked_text == "partial":
            blocked = Block(sitewide=False)
        else:
            raise fail("blocked", f"expected no, sitewide or partial, got {blocked_text!r}")
        locked_text = row.get("locked", "").lower()
        if locked_text not in ("", "true", "false", "yes", "no", "1", "0"):
            raise fail("locked", f"expected true or false, got {locked_text!r}")
        rows.append(
            RollRow(
                user=entry.user,
                wiki=entry.wiki,
                edit_count=edit_count,
                registration=registration,
                groups=tuple(row.get("groups", "").replace("|", " ").split()),
                global_groups=tuple(row.get("global_groups", "").replace("|", " ").split()),
                blocked=blocked,
                locked=locked_text in ("true", "yes", "1") if locked_text else None,
            )
        )
    return rows, columns
