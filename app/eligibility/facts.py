"""The facts the rules are evaluated against, as plain immutable data.

A :class:`VoterFacts` is what a provider returns for one voter. It is stored for audit as JSON
(``to_json`` / ``from_json`` round-trip exactly), next to the :class:`~app.eligibility.Decision`.

Timestamps are timezone-aware UTC ``datetime`` objects in memory and ``YYYY-MM-DDTHH:MM:SSZ``
strings in JSON (the MediaWiki format).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

ANY_WIKI = "any"
HOME_WIKI = "home"
BOT_GROUPS = frozenset({"bot"})
GLOBAL_BOT_GROUPS = frozenset({"global-bot"})


def normalize_username(name: str) -> str:
    """MediaWiki's canonical form: underscores are spaces, runs of spaces collapse, the first
    letter is upper case (``"foo_bar"`` → ``"Foo bar"``)."""
    cleaned = " ".join(name.replace("_", " ").split())
    return cleaned[:1].upper() + cleaned[1:]


def format_timestamp(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_timestamp(value: str | None) -> datetime | None:
    """Parse a MediaWiki/ISO 8601 timestamp (``Z`` or an offset); ``None``/"" stay ``None``."""
    if value is None or value == "":
        return None
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError(f"timestamp without timezone: {value!r}")
    return parsed.astimezone(UTC)


@dataclass(frozen=True)
class Block:
    """A block on one wiki. ``sitewide`` is False for a partial block."""

    sitewide: bool = True
    expiry: str | None = None
    reason: str | None = None
    by: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"sitewide": self.sitewide, "expiry": self.expiry, "reason": self.reason, "by": self.by}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Block:
        return cls(
            sitewide=bool(data["sitewide"]),
            expiry=data.get("expiry"),
            reason=data.get("reason"),
            by=data.get("by"),
        )


@dataclass(frozen=True)
class EditWindow:
    """How many edits the user made in ``[start, end)`` (``start`` None = since ever), in
    ``namespaces`` (None = all). Counting stops at ``needed``: ``count`` is
    ``min(actual, needed)``. ``count`` is None when the window was not queried because the
    account's total edit count is already below ``needed``."""

    start: datetime | None
    end: datetime
    namespaces: tuple[int, ...] | None
    needed: int
    count: int | None

    def matches(self, start: datetime | None, end: datetime, namespaces: tuple[int, ...] | None) -> bool:
        return (self.start, self.end, self.namespaces) == (start, end, namespaces)

    def to_json(self) -> dict[str, Any]:
        return {
            "start": format_timestamp(self.start),
            "end": format_timestamp(self.end),
            "namespaces": list(self.namespaces) if self.namespaces is not None else None,
            "needed": self.needed,
            "count": self.count,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> EditWindow:
        end = parse_timestamp(data["end"])
        assert end is not None
        ns = data.get("namespaces")
        return cls(
            start=parse_timestamp(data.get("start")),
            end=end,
            namespaces=tuple(ns) if ns is not None else None,
            needed=int(data["needed"]),
            count=data.get("count"),
        )


@dataclass(frozen=True)
class AccountFacts:
    """A local account on one wiki. ``registration`` None means the wiki has no registration
    date (accounts from before 2005); ``edit_count`` None means the source did not say."""

    wiki: str
    user: str
    user_id: int | None = None
    edit_count: int | None = None
    registration: datetime | None = None
    groups: tuple[str, ...] = ()
    block: Block | None = None
    windows: tuple[EditWindow, ...] = ()

    @property
    def is_bot(self) -> bool:
        return any(group in BOT_GROUPS for group in self.groups)

    def window(
        self, start: datetime | None, end: datetime, namespaces: tuple[int, ...] | None
    ) -> EditWindow | None:
        for window in self.windows:
            if window.matches(start, end, namespaces):
                return window
        return None

    def to_json(self) -> dict[str, Any]:
        return {
            "wiki": self.wiki,
            "user": self.user,
            "user_id": self.user_id,
            "edit_count": self.edit_count,
            "registration": format_timestamp(self.registration),
            "groups": list(self.groups),
            "block": self.block.to_json() if self.block else None,
            "windows": [w.to_json() for w in self.windows],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AccountFacts:
        return cls(
            wiki=data["wiki"],
            user=data["user"],
            user_id=data.get("user_id"),
            edit_count=data.get("edit_count"),
            registration=parse_timestamp(data.get("registration")),
            groups=tuple(data.get("groups") or ()),
            block=Block.from_json(data["block"]) if data.get("block") else None,
            windows=tuple(EditWindow.from_json(w) for w in data.get("windows") or ()),
        )


@dataclass(frozen=True)
class AttachedAccount:
    """One wiki account attached to a global (CentralAuth) account, as CentralAuth reports it.
    CentralAuth does not say whether a block is partial; ``blocked`` counts any block."""

    wiki: str
    url: str | None = None
    edit_count: int | None = None
    registration: datetime | None = None
    groups: tuple[str, ...] = ()
    blocked: bool = False
    block_expiry: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "wiki": self.wiki,
            "url": self.url,
            "edit_count": self.edit_count,
            "registration": format_timestamp(self.registration),
            "groups": list(self.groups),
            "blocked": self.blocked,
            "block_expiry": self.block_expiry,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AttachedAccount:
        return cls(
            wiki=data["wiki"],
            url=data.get("url"),
            edit_count=data.get("edit_count"),
            registration=parse_timestamp(data.get("registration")),
            groups=tuple(data.get("groups") or ()),
            blocked=bool(data.get("blocked")),
            block_expiry=data.get("block_expiry"),
        )


@dataclass(frozen=True)
class GlobalAccountFacts:
    """The global (CentralAuth) account: lock, global groups, home wiki, attached accounts."""

    name: str
    central_id: int | None = None
    home_wiki: str | None = None
    registration: datetime | None = None
    locked: bool = False
    groups: tuple[str, ...] = ()
    attached: tuple[AttachedAccount, ...] = ()

    @property
    def is_bot(self) -> bool:
        return any(group in GLOBAL_BOT_GROUPS for group in self.groups)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "central_id": self.central_id,
            "home_wiki": self.home_wiki,
            "registration": format_timestamp(self.registration),
            "locked": self.locked,
            "groups": list(self.groups),
            "attached": [a.to_json() for a in self.attached],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> GlobalAccountFacts:
        return cls(
            name=data["name"],
            central_id=data.get("central_id"),
            home_wiki=data.get("home_wiki"),
            registration=parse_timestamp(data.get("registration")),
            locked=bool(data.get("locked")),
            groups=tuple(data.get("groups") or ()),
            attached=tuple(AttachedAccount.from_json(a) for a in data.get("attached") or ()),
        )


@dataclass(frozen=True)
class VoterFacts:
    """Everything a provider knows about one voter, as used by :func:`evaluate`.

    * ``accounts``: the local accounts the account rules are evaluated on: the one account on
      the election's wiki, or (``wiki: "any"``) every attached account worth checking.
    * ``global_account``: None when the user has no global account or it was not needed
      (``global_checked`` says which).
    * ``on_roll``: only for static rolls — whether the user is on the roll (None otherwise).
    """

    user: str
    source: str
    fetched_at: datetime
    wiki: str | None = None
    accounts: tuple[AccountFacts, ...] = ()
    global_account: GlobalAccountFacts | None = None
    global_checked: bool = False
    on_roll: bool | None = None
    schema: int = field(default=1)

    def known_wikis(self) -> set[str]:
        wikis = {account.wiki for account in self.accounts}
        if self.global_account is not None:
            wikis.update(att.wiki for att in self.global_account.attached)
            if self.global_account.home_wiki:
                wikis.add(self.global_account.home_wiki)
        return wikis

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": self.schema,
            "user": self.user,
            "source": self.source,
            "fetched_at": format_timestamp(self.fetched_at),
            "wiki": self.wiki,
            "accounts": [a.to_json() for a in self.accounts],
            "global_account": self.global_account.to_json() if self.global_account else None,
            "global_checked": self.global_checked,
            "on_roll": self.on_roll,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> VoterFacts:
        fetched_at = parse_timestamp(data["fetched_at"])
        assert fetched_at is not None
        glob = data.get("global_account")
        return cls(
            user=data["user"],
            source=data["source"],
            fetched_at=fetched_at,
            wiki=data.get("wiki"),
            accounts=tuple(AccountFacts.from_json(a) for a in data.get("accounts") or ()),
            global_account=GlobalAccountFacts.from_json(glob) if glob else None,
            global_checked=bool(data.get("global_checked")),
            on_roll=data.get("on_roll"),
            schema=int(data.get("schema", 1)),
        )


@dataclass(frozen=True)
class WindowSpec:
    """An edit-count window a rule needs: ``[start, end)``, namespaces, how many edits."""

    start: datetime | None
    end: datetime
    namespaces: tuple[int, ...] | None
    count: int


@dataclass(frozen=True)
class FactNeeds:
    """What a provider must fetch for a rules document (see :meth:`Rules.needs`).

    ``wiki``: a wiki id (``enwiki``), ``"home"`` (the CentralAuth home wiki), ``"any"`` (every
    attached wiki) or None (the provider's own wiki)."""

    wiki: str | None = None
    windows: tuple[WindowSpec, ...] = ()
    min_edits: int = 0
    global_info: bool = False
    registration: bool = False
    groups: bool = False
    blocks: bool = False

    @property
    def min_needed_edits(self) -> int:
        return max([self.min_edits, *(w.count for w in self.windows)])
