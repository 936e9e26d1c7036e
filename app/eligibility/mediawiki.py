"""Facts from the MediaWiki Action API (``api.php``) over httpx.

Requests made for one voter (``formatversion=2``, ``maxlag`` on every request):

* ``list=users`` (``usprop=editcount|registration|groups|blockinfo``) on the election's wiki;
* ``meta=globaluserinfo`` (``guiprop=groups|merged``) when the rules need global facts (lock,
  global groups, global block threshold, ``"home"``/``"any"`` wiki, lists naming other wikis);
* ``list=usercontribs`` per edit window (``ucstart``/``ucend``/``ucnamespace``), stopping as
  soon as the needed number of edits is counted, following ``continue``.

Failures never turn into a decision: unknown users raise :class:`UnknownUser`; HTTP 5xx/429,
timeouts, connection errors, ``maxlag`` and transient API errors are retried with exponential
backoff (honouring ``Retry-After``) and then raise :class:`WikiTimeout`,
:class:`WikiUnreachable`, :class:`WikiLagged` or :class:`WikiApiError` — all
:class:`EligibilityUnavailable`. Successful responses are cached in memory for ``cache_ttl``.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from app.eligibility.errors import (
    EligibilityUnavailable,
    UnknownUser,
    WikiApiError,
    WikiLagged,
    WikiTimeout,
    WikiUnreachable,
)
from app.eligibility.facts import (
    ANY_WIKI,
    HOME_WIKI,
    AccountFacts,
    AttachedAccount,
    Block,
    EditWindow,
    FactNeeds,
    GlobalAccountFacts,
    VoterFacts,
    WindowSpec,
    format_timestamp,
    normalize_username,
    parse_timestamp,
)

DEFAULT_USER_AGENT = (
    "Scrutin/0.1 (secret-ballot elections for wiki communities; "
    "operator contact not configured) httpx/" + httpx.__version__
)
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
RETRY_API_CODES = frozenset(
    {
        "ratelimited",
        "readonly",
        "internal_api_error_DBConnectionError",
        "internal_api_error_DBQueryTimeoutError",
        "lagged",
    }
)
MAX_UCLIMIT = 500


class TTLCache:
    """A small thread-safe in-memory cache: entries expire ``ttl`` seconds after being stored;
    beyond ``max_entries`` the oldest are dropped. ``clock`` is injectable for tests."""

    _MISSING = object()

    def __init__(
        self, ttl: float, max_entries: int = 10_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self._clock = clock
        self._data: OrderedDict[Any, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Any) -> Any:
        """The cached value, or ``TTLCache.MISSING``."""
        with self._lock:
            item = self._data.get(key)
            if item is None:
                return self._MISSING
            expires, value = item
            if self._clock() >= expires:
                del self._data[key]
                return self._MISSING
            return value

    def set(self, key: Any, value: Any) -> None:
        if self.ttl <= 0:
            return
        with self._lock:
            self._data[key] = (self._clock() + self.ttl, value)
            self._data.move_to_end(key)
            while len(self._data) > self.max_entries:
                self._data.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()

    def __len__(self) -> int:
        return len(self._data)

    MISSING = _MISSING


class MediaWikiProvider:
    """Eligibility facts from a MediaWiki wiki (and its CentralAuth global accounts).

    ``api_url`` is the election wiki's ``…/w/api.php``. Other wikis' APIs (for ``"home"``,
    ``"any"`` or a named wiki) are ``wiki_api_urls[wiki]`` if given, else CentralAuth's
    ``url`` for the wiki + ``api_path``. Use as a context manager or call :meth:`close`.
    """

    def __init__(
        self,
        api_url: str,
        *,
        wiki_id: str | None = None,
        user_agent: str | None = None,
        timeout: float = 10.0,
        maxlag: int | None = 5,
        max_retries: int = 4,
        backoff: float = 0.5,
        max_backoff: float = 30.0,
        cache_ttl: float = 300.0,
        cache_size: int = 10_000,
        api_path: str = "/w/api.php",
        wiki_api_urls: Mapping[str, str] | None = None,
        max_any_wikis: int = 50,
        client: httpx.Client | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.api_url = api_url
        self.user_agent = user_agent or DEFAULT_USER_AGENT
        self.timeout = timeout
        self.maxlag = maxlag
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.api_path = api_path
        self.wiki_api_urls = dict(wiki_api_urls or {})
        self.max_any_wikis = max_any_wikis
        self.cache = TTLCache(cache_ttl, cache_size, clock)
        self._wiki_id = wiki_id
        self._sleep = sleep
        self._now = now
        self._own_client = client is None
        self._client = client or httpx.Client(
            timeout=timeout, follow_redirects=True, headers={"User-Agent": self.user_agent}
        )
        self.requests_made = 0

    # -- lifecycle ---------------------------------------------------------------------------

    def close(self) -> None:
        if self._own_client:
            self._client.close()

    def __enter__(self) -> MediaWikiProvider:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def source(self) -> str:
        return f"mediawiki:{self.api_url}"

    # -- the provider interface -------------------------------------------------------------

    def fetch(self, username: str, needs: FactNeeds) -> VoterFacts:
        """All facts ``needs`` asks for. Raises :class:`EligibilityUnavailable` subclasses."""
        name = normalize_username(username)
        if not name:
            raise UnknownUser("empty user name")
        wiki = needs.wiki
        glob: GlobalAccountFacts | None = None
        global_checked = False
        if needs.global_info or wiki in (ANY_WIKI, HOME_WIKI):
            glob = self.global_user(name)
            global_checked = True

        if wiki == ANY_WIKI:
            accounts = self._any_accounts(name, glob, needs)
            user = glob.name if glob else accounts[0].user
        else:
            if wiki == HOME_WIKI:
                if glob is None or not glob.home_wiki:
                    raise UnknownUser(f"{name!r} has no global account with a home wiki")
                wiki = glob.home_wiki
            elif wiki is None:
                wiki = self.default_wiki_id()
            if glob is None and not self._knows_api(wiki):
                glob = self.global_user(name)
                global_checked = True
            api = self._api_for(wiki, glob, name)
            account = self.user(name, api_url=api, wiki=wiki)
            windows = tuple(self._window(account, spec, api) for spec in needs.windows)
            accounts = (_with_windows(account, windows),)
            user = account.user
        return VoterFacts(
            user=user,
            source=self.source,
            fetched_at=self._now(),
            wiki=wiki,
            accounts=accounts,
            global_account=glob,
            global_checked=global_checked,
        )

    # -- building blocks -----------------------------------------------------------------

    def default_wiki_id(self) -> str:
        """The election wiki's id (``siteinfo`` ``wikiid``), unless given to the constructor."""
        if self._wiki_id is None:
            data = self.query({"meta": "siteinfo", "siprop": "general"})
            try:
                self._wiki_id = str(data["query"]["general"]["wikiid"])
            except (KeyError, TypeError) as exc:
                raise WikiApiError(f"{self.api_url}: siteinfo without wikiid") from exc
        return self._wiki_id

    def user(self, username: str, *, api_url: str | None = None, wiki: str | None = None) -> AccountFacts:
        """The local account (``list=users``); raises :class:`UnknownUser` if missing."""
        api = api_url or self.api_url
        data = self.query(
            {"list": "users", "ususers": username, "usprop": "editcount|registration|groups|blockinfo"},
            api_url=api,
        )
        try:
            info = data["query"]["users"][0]
        except (KeyError, IndexError, TypeError) as exc:
            raise WikiApiError(f"{api}: malformed list=users answer") from exc
        where = wiki or api
        if info.get("missing") or info.get("invalid") or "userid" not in info:
            raise UnknownUser(f"no user {username!r} on {where}")
        block = None
        if info.get("blockid") is not None or info.get("blockedby") is not None:
            block = Block(
                sitewide=not info.get("blockpartial", False),
                expiry=info.get("blockexpiry"),
                reason=info.get("blockreason"),
                by=info.get("blockedby"),
            )
        return AccountFacts(
            wiki=wiki or self.default_wiki_id(),
            user=info.get("name", username),
            user_id=info.get("userid"),
            edit_count=int(info.get("editcount") or 0),
            registration=_ts(info.get("registration"), api),
            groups=tuple(info.get("groups") or ()),
            block=block,
        )

    def global_user(self, username: str) -> GlobalAccountFacts | None:
        """The CentralAuth account (``meta=globaluserinfo``), or None if there is none."""
        data = self.query({"meta": "globaluserinfo", "guiuser": username, "guiprop": "groups|merged"})
        try:
            info = data["query"]["globaluserinfo"]
        except (KeyError, TypeError) as exc:
            raise WikiApiError(f"{self.api_url}: malformed globaluserinfo answer") from exc
        if info.get("missing"):
            return None
        attached = []
        for item in info.get("merged") or ():
            blocked = item.get("blocked")
            attached.append(
                AttachedAccount(
                    wiki=item["wiki"],
                    url=item.get("url"),
                    edit_count=item.get("editcount"),
                    registration=_ts(item.get("registration"), self.api_url),
                    groups=tuple(item.get("groups") or ()),
                    blocked=bool(blocked),
                    block_expiry=blocked.get("expiry") if isinstance(blocked, dict) else None,
                )
            )
        return GlobalAccountFacts(
            name=info.get("name", username),
            central_id=info.get("id"),
            home_wiki=info.get("home"),
            registration=_ts(info.get("registration"), self.api_url),
            locked=bool(info.get("locked")),
            groups=tuple(info.get("groups") or ()),
            attached=tuple(attached),
        )

    def count_edits(
        self,
        username: str,
        *,
        end: datetime,
        start: datetime | None = None,
        namespaces: tuple[int, ...] | None = None,
        limit: int,
        api_url: str | None = None,
    ) -> int:
        """Edits in ``[start, end)``, counted up to ``limit`` (``list=usercontribs``)."""
        api = api_url or self.api_url
        params: dict[str, Any] = {
            "list": "usercontribs",
            "ucuser": username,
            "ucdir": "newer",
            "ucprop": "timestamp",
            # usercontribs bounds are inclusive, with one-second resolution.
            "ucend": format_timestamp(end - timedelta(seconds=1)),
        }
        if start is not None:
            params["ucstart"] = format_timestamp(start)
        if namespaces is not None:
            params["ucnamespace"] = "|".join(str(n) for n in namespaces)
        count = 0
        while True:
            params["uclimit"] = str(max(1, min(MAX_UCLIMIT, limit - count)))
            data = self.query(params, api_url=api)
            try:
                count += len(data["query"]["usercontribs"])
            except (KeyError, TypeError) as exc:
                raise WikiApiError(f"{api}: malformed usercontribs answer") from exc
            if count >= limit:
                return limit
            cont = data.get("continue")
            if not cont:
                return count
            params = {**params, **cont}

    def query(self, params: Mapping[str, Any], *, api_url: str | None = None) -> dict[str, Any]:
        """One ``action=query`` GET with caching, retries and error mapping."""
        api = api_url or self.api_url
        full = {"action": "query", "format": "json", "formatversion": "2", **params}
        key = (api, tuple(sorted((k, str(v)) for k, v in full.items())))
        cached = self.cache.get(key)
        if cached is not TTLCache.MISSING:
            return cached  # type: ignore[no-any-return]
        if self.maxlag is not None:
            full["maxlag"] = str(self.maxlag)
        data = self._get(api, full)
        self.cache.set(key, data)
        return data

    # -- internals -------------------------------------------------------------------------

    def _get(self, api: str, params: dict[str, Any]) -> dict[str, Any]:
        last: EligibilityUnavailable = WikiApiError(f"{api}: no attempt made")
        for attempt in range(self.max_retries + 1):
            retry_after: float | None = None
            try:
                self.requests_made += 1
                response = self._client.get(
                    api, params=params, timeout=self.timeout, headers={"User-Agent": self.user_agent}
                )
            except httpx.TimeoutException:
                last = WikiTimeout(f"{api} did not answer within {self.timeout:g} s")
            except httpx.TransportError as exc:
                last = WikiUnreachable(f"{api}: {type(exc).__name__}: {exc}")
            else:
                retry_after = _retry_after(response)
                status = response.status_code
                if status in RETRY_STATUSES:
                    last = WikiApiError(f"{api} answered HTTP {status}", code="wiki_http_error")
                elif status >= 400:
                    raise WikiApiError(f"{api} answered HTTP {status}", code="wiki_http_error")
                else:
                    try:
                        data = response.json()
                    except ValueError as exc:
                        raise WikiApiError(f"{api} answered something other than JSON") from exc
                    if not isinstance(data, dict):
                        raise WikiApiError(f"{api} answered unexpected JSON")
                    error = data.get("error")
                    if not error:
                        return data
                    code = str(error.get("code", "unknown")) if isinstance(error, dict) else "?"
                    info = error.get("info", "") if isinstance(error, dict) else str(error)
                    if code == "maxlag":
                        last = WikiLagged(f"{api}: replication lag above {self.maxlag} s ({info})")
                        if retry_after is None and isinstance(error.get("lag"), int | float):
                            retry_after = float(error["lag"])
                    elif code in RETRY_API_CODES:
                        last = WikiApiError(f"{api}: {code}: {info}")
                    else:
                        raise WikiApiError(f"{api}: {code}: {info}")
            if attempt < self.max_retries:
                delay = self.backoff * (2**attempt)
                if retry_after is not None:
                    delay = max(delay, retry_after)
                self._sleep(min(self.max_backoff, delay))
        raise last

    def _knows_api(self, wiki: str) -> bool:
        return wiki in self.wiki_api_urls or wiki == self.default_wiki_id()

    def _api_for(self, wiki: str, glob: GlobalAccountFacts | None, name: str) -> str:
        if wiki in self.wiki_api_urls:
            return self.wiki_api_urls[wiki]
        if wiki == self.default_wiki_id():
            return self.api_url
        for att in glob.attached if glob else ():
            if att.wiki == wiki and att.url:
                return att.url.rstrip("/") + self.api_path
        raise UnknownUser(f"{name!r} has no account on {wiki}")

    def _window(self, account: AccountFacts, spec: WindowSpec, api: str) -> EditWindow:
        count = self.count_edits(
            account.user,
            start=spec.start,
            end=spec.end,
            namespaces=spec.namespaces,
            limit=spec.count,
            api_url=api,
        )
        return EditWindow(
            start=spec.start, end=spec.end, namespaces=spec.namespaces, needed=spec.count, count=count
        )

    def _any_accounts(
        self, name: str, glob: GlobalAccountFacts | None, needs: FactNeeds
    ) -> tuple[AccountFacts, ...]:
        if glob is None:
            # A local-only account: only the election wiki can be checked.
            wiki = self.default_wiki_id()
            account = self.user(name, api_url=self.api_url, wiki=wiki)
            windows = tuple(self._window(account, s, self.api_url) for s in needs.windows)
            return (_with_windows(account, windows),)
        needed = needs.min_needed_edits
        ranked = sorted(glob.attached, key=lambda a: (-(a.edit_count or 0), a.wiki))
        full = [a for a in ranked if (a.edit_count or 0) >= needed][: self.max_any_wikis]
        out: list[AccountFacts] = []
        for att in full:
            api = self._api_for(att.wiki, glob, name)
            try:
                account = self.user(glob.name, api_url=api, wiki=att.wiki)
            except UnknownUser:
                continue
            windows = tuple(self._window(account, s, api) for s in needs.windows)
            out.append(_with_windows(account, windows))
        checked = {a.wiki for a in out}
        for att in ranked:
            if att.wiki in checked:
                continue
            # Not worth querying: CentralAuth's edit count is already below what is needed.
            windows = tuple(
                EditWindow(start=s.start, end=s.end, namespaces=s.namespaces, needed=s.count, count=None)
                for s in needs.windows
            )
            out.append(
                AccountFacts(
                    wiki=att.wiki,
                    user=glob.name,
                    edit_count=att.edit_count,
                    registration=att.registration,
                    groups=att.groups,
                    block=Block(sitewide=True, expiry=att.block_expiry) if att.blocked else None,
                    windows=windows,
                )
            )
        if not out:
            raise UnknownUser(f"{name!r} has no attached accounts")
        return tuple(out)


def _with_windows(account: AccountFacts, windows: tuple[EditWindow, ...]) -> AccountFacts:
    from dataclasses import replace

    return replace(account, windows=windows)


def _ts(value: Any, api: str) -> datetime | None:
    if value in (None, "", False):
        return None
    try:
        return parse_timestamp(str(value))
    except ValueError as exc:
        raise WikiApiError(f"{api}: bad timestamp {value!r}") from exc


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None
