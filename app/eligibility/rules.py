"""The declarative rules document of an election, parsed and validated strictly.

Document shape (JSON)::

    {
      "wiki": "enwiki" | "home" | "any",          # optional; default: the provider's own wiki
      "message": "text shown to voters who are not eligible",   # optional
      "rules": {
        "min_edits": 500,
        "edits_before": {"count": 150, "date": "2024-11-01", "namespaces": [0]},
        "edits_between": {"count": 10, "start": "2024-05-01", "end": "2024-11-01"},
        "registered_before": "2024-10-01",
        "not_blocked": "sitewide" | "any" | {"scope": "sitewide", "global_threshold": 3},
        "not_locked": true,
        "not_bot": true,
        "need_groups": ["extendedconfirmed"],          # member of at least one
        "need_global_groups": ["steward"],             # member of at least one
        "include": ["Alice@enwiki", "Bob"],
        "exclude": ["Mallory"],
        "need_list": ["..."],
        "allow_groups": ["sysop"]
      }
    }

Dates are ``YYYY-MM-DD`` (midnight UTC at the start of that day) or ISO 8601 with ``Z`` or an
offset. "Before" is strictly before; ``edits_between`` is ``[start, end)``.

Anything unknown or malformed raises :class:`RulesError` naming the field.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from app.eligibility.errors import RulesError
from app.eligibility.facts import (
    ANY_WIKI,
    HOME_WIKI,
    FactNeeds,
    WindowSpec,
    format_timestamp,
    normalize_username,
)
from crypto.hashing import canonical_json, sha256_hex

RULE_NAMES = (
    "min_edits",
    "edits_before",
    "edits_between",
    "registered_before",
    "not_blocked",
    "not_locked",
    "not_bot",
    "need_groups",
    "need_global_groups",
    "include",
    "exclude",
    "need_list",
    "allow_groups",
)

TOP_LEVEL = ("version", "wiki", "message", "rules")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_WIKI_RE = re.compile(r"^[a-z0-9_.\-]{1,64}$")
_GROUP_RE = re.compile(r"^[^\s|<>\[\]{}#]{1,255}$")
MAX_LIST_ENTRIES = 200_000

BlockScope = Literal["sitewide", "any"]


@dataclass(frozen=True)
class WindowRule:
    count: int
    start: datetime | None
    end: datetime
    namespaces: tuple[int, ...] | None


@dataclass(frozen=True)
class BlockRule:
    scope: BlockScope = "sitewide"
    global_threshold: int | None = None


@dataclass(frozen=True)
class ListEntry:
    """A line of an include/exclude/need list: ``User@wiki`` or ``User`` (any wiki)."""

    user: str
    wiki: str | None = None

    def __str__(self) -> str:
        return f"{self.user}@{self.wiki}" if self.wiki else self.user


@dataclass(frozen=True)
class Rules:
    wiki: str | None = None
    message: str | None = None
    min_edits: int | None = None
    edits_before: WindowRule | None = None
    edits_between: WindowRule | None = None
    registered_before: datetime | None = None
    not_blocked: BlockRule | None = None
    not_locked: bool = False
    not_bot: bool = False
    need_groups: tuple[str, ...] | None = None
    need_global_groups: tuple[str, ...] | None = None
    include: tuple[ListEntry, ...] = ()
    exclude: tuple[ListEntry, ...] = ()
    need_list: tuple[ListEntry, ...] | None = None
    allow_groups: tuple[str, ...] = ()

    # -- serialisation -------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        """The canonical document (parse_rules(r.to_json()) == r)."""
        rules: dict[str, Any] = {}
        if self.min_edits is not None:
            rules["min_edits"] = self.min_edits
        if self.edits_before is not None:
            rules["edits_before"] = _window_json(self.edits_before, before=True)
        if self.edits_between is not None:
            rules["edits_between"] = _window_json(self.edits_between, before=False)
        if self.registered_before is not None:
            rules["registered_before"] = format_timestamp(self.registered_before)
        if self.not_blocked is not None:
            block: dict[str, Any] = {"scope": self.not_blocked.scope}
            if self.not_blocked.global_threshold is not None:
                block["global_threshold"] = self.not_blocked.global_threshold
            rules["not_blocked"] = block
        if self.not_locked:
            rules["not_locked"] = True
        if self.not_bot:
            rules["not_bot"] = True
        if self.need_groups is not None:
            rules["need_groups"] = list(self.need_groups)
        if self.need_global_groups is not None:
            rules["need_global_groups"] = list(self.need_global_groups)
        for name in ("include", "exclude"):
            entries = getattr(self, name)
            if entries:
                rules[name] = [str(e) for e in entries]
        if self.need_list is not None:
            rules["need_list"] = [str(e) for e in self.need_list]
        if self.allow_groups:
            rules["allow_groups"] = list(self.allow_groups)
        doc: dict[str, Any] = {"version": 1, "rules": rules}
        if self.wiki is not None:
            doc["wiki"] = self.wiki
        if self.message is not None:
            doc["message"] = self.message
        return doc

    def fingerprint(self) -> str:
        """SHA-256 of the canonical JSON (``crypto.hashing.canonical_json``, protocol.md §2.4):
        ties a stored decision to the exact rules used."""
        return sha256_hex(canonical_json(self.to_json()))

    # -- what a provider must fetch --------------------------------------------------------

    def needs(self, default_wiki: str | None = None) -> FactNeeds:
        windows = tuple(
            WindowSpec(start=w.start, end=w.end, namespaces=w.namespaces, count=w.count)
            for w in (self.edits_before, self.edits_between)
            if w is not None
        )
        wiki = self.wiki if self.wiki is not None else default_wiki
        global_info = bool(
            self.not_locked
            or self.need_global_groups is not None
            or (self.not_blocked is not None and self.not_blocked.global_threshold is not None)
            or wiki in (ANY_WIKI, HOME_WIKI)
            or self.allow_groups
            or self.not_bot
            or any(e.wiki for e in (*self.include, *self.exclude, *(self.need_list or ())))
        )
        return FactNeeds(
            wiki=wiki,
            windows=windows,
            min_edits=self.min_edits or 0,
            global_info=global_info,
            registration=self.registered_before is not None,
            groups=bool(self.need_groups is not None or self.allow_groups or self.not_bot),
            blocks=self.not_blocked is not None,
        )


def _window_json(window: WindowRule, *, before: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"count": window.count}
    if before:
        out["date"] = format_timestamp(window.end)
    else:
        out["start"] = format_timestamp(window.start)
        out["end"] = format_timestamp(window.end)
    if window.namespaces is not None:
        out["namespaces"] = list(window.namespaces)
    return out


# -- parsing ---------------------------------------------------------------------------------


def load_rules(path: str | Path) -> Rules:
    """Read and parse a rules file. Unreadable or non-JSON files raise :class:`RulesError`."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise RulesError("rules", f"cannot read {str(path)!r}: {exc.strerror}") from exc
    return parse_rules(text)


def parse_rules(document: str | bytes | Mapping[str, Any]) -> Rules:
    """Parse a rules document (JSON text or an already-decoded mapping)."""
    if isinstance(document, str | bytes):
        try:
            document = json.loads(document)
        except (ValueError, UnicodeDecodeError) as exc:
            raise RulesError("rules", f"not valid JSON: {exc}") from exc
    if not isinstance(document, Mapping):
        raise RulesError("rules", f"expected a JSON object, got {_type(document)}")
    _no_unknown(document, TOP_LEVEL, "")
    version = document.get("version", 1)
    if version != 1 or isinstance(version, bool):
        raise RulesError("version", f"unsupported version {version!r} (expected 1)")
    wiki = _opt_wiki(document.get("wiki"), "wiki")
    message = document.get("message")
    if message is not None:
        if not isinstance(message, str):
            raise RulesError("message", f"expected a string, got {_type(message)}")
        if len(message) > 5000:
            raise RulesError("message", "longer than 5000 characters")
        message = message.strip() or None
    raw = document.get("rules", {})
    if not isinstance(raw, Mapping):
        raise RulesError("rules", f"expected an object, got {_type(raw)}")
    _no_unknown(raw, RULE_NAMES, "rules.")

    def opt(name: str, parser: Any) -> Any:
        value = raw.get(name)
        return None if value is None else parser(value, f"rules.{name}")

    edits_before = opt("edits_before", _edits_before)
    edits_between = opt("edits_between", _edits_between)
    return Rules(
        wiki=wiki,
        message=message,
        min_edits=opt("min_edits", lambda v, f: _int(v, f, minimum=0)),
        edits_before=edits_before,
        edits_between=edits_between,
        registered_before=opt("registered_before", _date),
        not_blocked=opt("not_blocked", _not_blocked),
        not_locked=bool(opt("not_locked", _bool)),
        not_bot=bool(opt("not_bot", _bool)),
        need_groups=opt("need_groups", _groups),
        need_global_groups=opt("need_global_groups", _groups),
        include=opt("include", _entries) or (),
        exclude=opt("exclude", _entries) or (),
        need_list=opt("need_list", _entries),
        allow_groups=opt("allow_groups", _groups) or (),
    )


def _type(value: Any) -> str:
    if value is None:
        return "null"
    return {
        bool: "boolean",
        int: "integer",
        float: "number",
        str: "string",
        list: "array",
        dict: "object",
    }.get(type(value), type(value).__name__)


def _no_unknown(mapping: Mapping[str, Any], known: tuple[str, ...], prefix: str) -> None:
    for key in mapping:
        if key not in known:
            raise RulesError(
                f"{prefix}{key}", f"unknown {'rule' if prefix else 'field'} (known: {', '.join(known)})"
            )


def _int(value: Any, field: str, *, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise RulesError(field, f"expected an integer, got {_type(value)}")
    if value < minimum:
        raise RulesError(field, f"must be at least {minimum}, got {value}")
    if value > 10_000_000_000:
        raise RulesError(field, f"too large: {value}")
    return value


def _bool(value: Any, field: str) -> bool:
    if not isinstance(value, bool):
        raise RulesError(field, f"expected true or false, got {_type(value)}")
    return value


def _date(value: Any, field: str) -> datetime:
    if not isinstance(value, str):
        raise RulesError(field, f"expected a date string, got {_type(value)}")
    try:
        if _DATE_RE.match(value):
            parsed = datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
        elif "T" in value:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
            if parsed.tzinfo is None:
                raise RulesError(field, f"date-time without timezone {value!r} (add Z or an offset)")
            parsed = parsed.astimezone(UTC)
        else:
            raise ValueError(value)
    except RulesError:
        raise
    except ValueError as exc:
        raise RulesError(
            field, f"invalid date {value!r} (expected YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)"
        ) from exc
    if parsed.microsecond:
        parsed = parsed.replace(microsecond=0)
    return parsed


def _namespaces(value: Any, field: str) -> tuple[int, ...]:
    if not isinstance(value, list) or not value:
        raise RulesError(
            field,
            f"expected a non-empty array of namespace numbers, got "
            f"{_type(value) if not isinstance(value, list) else 'empty array'}",
        )
    out = []
    for i, item in enumerate(value):
        if isinstance(item, bool) or not isinstance(item, int):
            raise RulesError(f"{field}[{i}]", f"expected an integer namespace, got {_type(item)}")
        out.append(item)
    return tuple(sorted(set(out)))


def _object(value: Any, field: str, known: tuple[str, ...]) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise RulesError(field, f"expected an object, got {_type(value)}")
    for key in value:
        if key not in known:
            raise RulesError(f"{field}.{key}", f"unknown field (known: {', '.join(known)})")
    return value


def _required(obj: Mapping[str, Any], key: str, field: str) -> Any:
    if obj.get(key) is None:
        raise RulesError(f"{field}.{key}", "required")
    return obj[key]


def _edits_before(value: Any, field: str) -> WindowRule:
    obj = _object(value, field, ("count", "date", "namespaces"))
    count = _int(_required(obj, "count", field), f"{field}.count", minimum=1)
    end = _date(_required(obj, "date", field), f"{field}.date")
    ns = obj.get("namespaces")
    return WindowRule(
        count=count,
        start=None,
        end=end,
        namespaces=None if ns is None else _namespaces(ns, f"{field}.namespaces"),
    )


def _edits_between(value: Any, field: str) -> WindowRule:
    obj = _object(value, field, ("count", "start", "end", "namespaces"))
    count = _int(_required(obj, "count", field), f"{field}.count", minimum=1)
    start = _date(_required(obj, "start", field), f"{field}.start")
    end = _date(_required(obj, "end", field), f"{field}.end")
    if start >= end:
        raise RulesError(f"{field}.end", f"must be after start ({obj['start']!r})")
    ns = obj.get("namespaces")
    return WindowRule(
        count=count,
        start=start,
        end=end,
        namespaces=None if ns is None else _namespaces(ns, f"{field}.namespaces"),
    )


def _scope(value: Any, field: str) -> BlockScope:
    if value not in ("sitewide", "any"):
        shown = repr(value) if isinstance(value, str) else _type(value)
        raise RulesError(field, f'expected "sitewide" or "any", got {shown}')
    return value  # type: ignore[no-any-return]


def _not_blocked(value: Any, field: str) -> BlockRule:
    if isinstance(value, str):
        return BlockRule(scope=_scope(value, field))
    obj = _object(value, field, ("scope", "global_threshold"))
    scope = _scope(obj.get("scope", "sitewide"), f"{field}.scope")
    threshold = obj.get("global_threshold")
    if threshold is not None:
        threshold = _int(threshold, f"{field}.global_threshold", minimum=1)
    return BlockRule(scope=scope, global_threshold=threshold)


def _groups(value: Any, field: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise RulesError(field, "expected a non-empty array of group names")
    out = []
    for i, item in enumerate(value):
        if not isinstance(item, str) or not _GROUP_RE.match(item):
            shown = repr(item) if isinstance(item, str) else _type(item)
            raise RulesError(f"{field}[{i}]", f"invalid group name {shown}")
        out.append(item)
    return tuple(dict.fromkeys(out))


def _opt_wiki(value: Any, field: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not _WIKI_RE.match(value):
        shown = repr(value) if isinstance(value, str) else _type(value)
        raise RulesError(field, f'expected a wiki id (e.g. "enwiki"), "home" or "any", got {shown}')
    return value


def parse_list_entry(line: str, field: str = "entry") -> ListEntry:
    """``User@wiki`` or ``User``. The user name is normalised as MediaWiki does."""
    text = line.strip()
    user, wiki = text, None
    if "@" in text:
        user, wiki = text.rsplit("@", 1)
        wiki = wiki.strip()
        if not _WIKI_RE.match(wiki) or wiki in (ANY_WIKI, HOME_WIKI):
            raise RulesError(field, f"invalid wiki id in {line!r}")
    user = normalize_username(user)
    if not user or any(c in user for c in "#<>[]|{}/"):
        raise RulesError(field, f"invalid user name in {line!r}")
    return ListEntry(user=user, wiki=wiki)


def _entries(value: Any, field: str) -> tuple[ListEntry, ...]:
    """An array of lines, or one string of newline-separated lines (``#`` starts a comment)."""
    if isinstance(value, str):
        lines = [(i, line) for i, line in enumerate(value.splitlines())]
    elif isinstance(value, list):
        lines = list(enumerate(value))
    else:
        raise RulesError(field, f'expected an array of "User@wiki" or "User" lines, got {_type(value)}')
    if len(lines) > MAX_LIST_ENTRIES:
        raise RulesError(field, f"more than {MAX_LIST_ENTRIES} entries")
    out = []
    for i, line in lines:
        if not isinstance(line, str):
            raise RulesError(f"{field}[{i}]", f"expected a string, got {_type(line)}")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        out.append(parse_list_entry(line, f"{field}[{i}]"))
    return tuple(dict.fromkeys(out))
