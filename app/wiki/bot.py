"""The service's wiki account: every write Scrutin makes on a wiki goes through :class:`WikiBot`.

Identity (``SCRUTIN_WIKI_BOT_*``, against ``SCRUTIN_WIKI_API_URL``): a BotPassword
(``Name@Label`` + password, ``action=login`` with a login token, the session kept in cookies) or
an OAuth 2 owner-only access token (``Authorization: Bearer``). :meth:`WikiBot.check` logs in and
reads ``meta=userinfo&uiprop=rights|groups``; a missing right is a :class:`BotConfigError` that
names it.

API etiquette, on every request: ``format=json&formatversion=2``, ``maxlag``, a User-Agent with
the operator's contact, ``assertuser`` (and ``assert=bot`` when the account has the ``bot``
right, else ``assert=user``) on writes, the CSRF token from ``meta=tokens`` (fetched again once
on ``badtoken``), ``bot=1`` and a summary on edits. ``maxlag``, ``ratelimited``, ``readonly``,
HTTP 429/5xx are retried with exponential backoff (``Retry-After`` honoured); a write whose
answer never came (timeout, broken connection) is **not** retried, since it may have been made.
Edits carry ``baserevid``/``basetimestamp``: a page changed under us is :class:`EditConflict`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
RETRY_CODES = frozenset(
    {
        "maxlag",
        "ratelimited",
        "readonly",
        "lagged",
        "internal_api_error_DBConnectionError",
        "internal_api_error_DBQueryTimeoutError",
    }
)
SESSION_LOST = frozenset({"assertuserfailed", "assertbotfailed", "assertnameduserfailed"})
NEEDED_RIGHTS = ("edit", "writeapi")
"""Rights every Scrutin write needs; ``massmessage`` is used only where the account has it."""
OPT_OUT_CATEGORY = "Opted-out of message delivery"


class WikiBotError(Exception):
    """A wiki write or read failed. ``code`` is stable (the API's error code, or ours)."""

    def __init__(self, code: str, detail: str, *, retryable: bool = False) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail
        self.retryable = retryable


class BotConfigError(WikiBotError):
    """The bot identity is wrong or lacks a right: fix the configuration."""


class EditConflict(WikiBotError):
    """The page changed after we read it (``baserevid``/``basetimestamp``)."""


@dataclass(frozen=True)
class Page:
    title: str
    exists: bool
    text: str = ""
    revid: int | None = None
    timestamp: str | None = None
    user: str | None = None
    edit_protection: str | None = None  # the edit protection level ("sysop", …), if any

    @property
    def opted_out(self) -> bool:
        """Marked for no bot messages: the MassMessage opt-out category or {{nobots}}/
        {{bots|deny=all}} (the bot exclusion convention)."""
        text = self.text.lower()
        return (
            f"[[category:{OPT_OUT_CATEGORY.lower()}" in text
            or "{{nobots}}" in text
            or "{{bots|deny=all}}" in text
        )


@dataclass
class Identity:
    name: str
    rights: frozenset[str] = field(default_factory=frozenset)
    groups: tuple[str, ...] = ()

    @property
    def is_bot(self) -> bool:
        return "bot" in self.rights

    def can_edit_protected(self, level: str | None) -> bool:
        if not level:
            return True
        if level in ("autoconfirmed", "editsemiprotected"):
            return "editsemiprotected" in self.rights or "autoconfirmed" in self.groups
        return "editprotected" in self.rights


class WikiBot:
    """One wiki account for the server. ``username``/``password`` (BotPassword) or ``token``
    (OAuth 2 owner-only); neither: anonymous, for reads only."""

    def __init__(
        self,
        api_url: str,
        *,
        username: str = "",
        password: str = "",
        token: str = "",
        user_agent: str,
        maxlag: int | None = 5,
        timeout: float = 20.0,
        max_retries: int = 4,
        backoff: float = 0.5,
        max_backoff: float = 60.0,
        edit_interval: float = 0.0,
        client: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if username and token:
            raise BotConfigError(
                "bot_misconfigured", "give a BotPassword (username and password) or an OAuth token, not both"
            )
        if bool(username) != bool(password):
            raise BotConfigError(
                "bot_misconfigured",
                "a BotPassword needs both SCRUTIN_WIKI_BOT_USERNAME and SCRUTIN_WIKI_BOT_PASSWORD",
            )
        self.api_url = api_url
        self.username = username
        self._password = password
        self._token = token
        self.user_agent = user_agent
        self.maxlag = maxlag
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self._sleep = sleep
        self._clock = clock
        self.edit_interval = edit_interval
        self._last_write: float | None = None
        headers = {"User-Agent": user_agent}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._own_client = client is None
        self._client = client or httpx.Client(timeout=timeout, headers=headers)
        if client is not None:
            self._client.headers.update(headers)
        self._identity: Identity | None = None
        self._csrf: str | None = None
        self._siteinfo: dict[str, Any] | None = None
        self.requests_made = 0

    @property
    def has_identity(self) -> bool:
        return bool(self.username or self._token)

    def close(self) -> None:
        if self._own_client:
            self._client.close()

    def __enter__(self) -> WikiBot:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- identity -------------------------------------------------------------------------

    def login(self) -> None:
        """``action=login`` with a BotPassword (nothing to do with a token)."""
        if not self.username:
            return
        data = self._call("GET", {"action": "query", "meta": "tokens", "type": "login"})
        token = _get(data, "query", "tokens", "logintoken")
        answer = self._call(
            "POST",
            {"action": "login", "lgname": self.username, "lgpassword": self._password, "lgtoken": token},
        )
        result = _get(answer, "login", "result")
        if result != "Success":
            reason = (answer.get("login") or {}).get("reason", result)
            raise BotConfigError(
                "bot_login_failed", f"the wiki refused the BotPassword {self.username!r}: {reason}"
            )
        self._csrf = None

    def check(self, needed: Iterable[str] = NEEDED_RIGHTS) -> Identity:
        """Log in and check the account's rights (``meta=userinfo``); cached."""
        if self._identity is not None:
            return self._identity
        if not self.has_identity:
            raise BotConfigError(
                "no_wiki_bot",
                "no wiki bot account is configured "
                "(SCRUTIN_WIKI_BOT_USERNAME/PASSWORD or SCRUTIN_WIKI_BOT_TOKEN)",
            )
        self.login()
        data = self._call("GET", {"action": "query", "meta": "userinfo", "uiprop": "rights|groups"})
        info = _get(data, "query", "userinfo")
        if info.get("anon") or not info.get("id"):
            raise BotConfigError(
                "bot_not_logged_in",
                "the wiki sees the bot as logged out: check SCRUTIN_WIKI_BOT_TOKEN or the BotPassword",
            )
        identity = Identity(
            name=str(info.get("name")),
            rights=frozenset(info.get("rights") or ()),
            groups=tuple(info.get("groups") or ()),
        )
        missing = [r for r in needed if r not in identity.rights]
        if missing:
            raise BotConfigError(
                "bot_rights_missing",
                f"the wiki account {identity.name!r} lacks the right(s) {', '.join(missing)}: "
                "grant them to the BotPassword or the OAuth consumer (high-volume editing, "
                "edit existing pages, create pages; 'massmessage' for mass messages)",
            )
        self._identity = identity
        return identity

    # -- reads ------------------------------------------------------------------------------

    def siteinfo(self) -> dict[str, Any]:
        """``{"lang", "wikiid", "extensions": set}`` of the wiki (cached)."""
        if self._siteinfo is None:
            data = self._call("GET", {"action": "query", "meta": "siteinfo", "siprop": "general|extensions"})
            general = _get(data, "query", "general")
            exts = {
                str(e.get("name")) for e in (data["query"].get("extensions") or ()) if isinstance(e, dict)
            }
            self._siteinfo = {
                "lang": general.get("lang"),
                "wikiid": general.get("wikiid"),
                "extensions": exts,
            }
        return self._siteinfo

    def has_massmessage(self) -> bool:
        return "MassMessage" in self.siteinfo()["extensions"]

    def read_page(self, title: str) -> Page:
        """The latest revision (``prop=revisions``) and edit protection (``prop=info``)."""
        data = self._call(
            "GET",
            {
                "action": "query",
                "prop": "revisions|info",
                "titles": title,
                "rvprop": "ids|timestamp|user|content",
                "rvslots": "main",
                "inprop": "protection",
            },
        )
        pages = _get(data, "query", "pages")
        if not isinstance(pages, list) or not pages:
            raise WikiBotError("wiki_bad_answer", f"{self.api_url}: no page in the answer")
        page = pages[0]
        name = str(page.get("title", title))
        if page.get("invalid"):
            raise WikiBotError(
                "invalid_title", f"{title!r} is not a valid page title: {page.get('invalidreason', '')}"
            )
        level = None
        for prot in page.get("protection") or ():
            if prot.get("type") == "edit":
                level = prot.get("level")
        if page.get("missing"):
            return Page(title=name, exists=False, edit_protection=level)
        rev = (page.get("revisions") or [{}])[0]
        text = ((rev.get("slots") or {}).get("main") or {}).get("content", "")
        return Page(
            title=name,
            exists=True,
            text=text,
            revid=rev.get("revid"),
            timestamp=rev.get("timestamp"),
            user=rev.get("user"),
            edit_protection=level,
        )

    def existing_users(self, names: list[str]) -> dict[str, str | None]:
        """name → the wiki's canonical name, or None if there is no such account
        (``list=users``, 50 a request)."""
        out: dict[str, str | None] = {}
        for i in range(0, len(names), 50):
            chunk = names[i : i + 50]
            data = self._call("GET", {"action": "query", "list": "users", "ususers": "|".join(chunk)})
            users = _get(data, "query", "users")
            for asked, info in zip(chunk, users, strict=False):
                ok = not (info.get("missing") or info.get("invalid")) and "userid" in info
                out[asked] = str(info.get("name", asked)) if ok else None
        return out

    # -- writes ------------------------------------------------------------------------------

    def edit(
        self,
        title: str,
        *,
        summary: str,
        text: str | None = None,
        section: str | None = None,
        sectiontitle: str | None = None,
        baserevid: int | None = None,
        basetimestamp: str | None = None,
        createonly: bool = False,
        nocreate: bool = False,
    ) -> dict[str, Any]:
        """``action=edit`` (``bot=1``); returns the API's ``edit`` object (``newrevid``,
        ``newtimestamp``, or ``nochange``)."""
        params: dict[str, Any] = {
            "action": "edit",
            "title": title,
            "summary": summary,
            "text": text or "",
            "bot": "1",
            "watchlist": "nochange",
        }
        if section is not None:
            params["section"] = section
        if sectiontitle is not None:
            params["sectiontitle"] = sectiontitle
        if baserevid is not None:
            params["baserevid"] = str(baserevid)
        if basetimestamp is not None:
            params["basetimestamp"] = basetimestamp
        if createonly:
            params["createonly"] = "1"
        if nocreate:
            params["nocreate"] = "1"
        try:
            data = self.write(params)
        except WikiBotError as exc:
            if exc.code in ("editconflict", "articleexists", "pagedeleted"):
                raise EditConflict(exc.code, exc.detail) from exc
            raise
        result = data.get("edit") or {}
        if result.get("result") != "Success":
            raise WikiBotError("edit_failed", f"the edit of {title!r} did not succeed: {result}")
        return dict(result)

    def massmessage(self, spamlist: str, subject: str, message: str) -> dict[str, Any]:
        """``action=massmessage`` to the targets listed on ``spamlist``."""
        data = self.write(
            {"action": "massmessage", "spamlist": spamlist, "subject": subject, "message": message}
        )
        result = data.get("massmessage") or {}
        if str(result.get("result", "")).lower() != "success":
            raise WikiBotError("massmessage_failed", f"massmessage did not succeed: {result}")
        return dict(result)

    def write(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """A POST with the CSRF token and the assertions; ``badtoken`` and a lost session are
        retried once after fetching a new token / logging in again."""
        identity = self.check()
        if self.edit_interval and self._last_write is not None:
            wait = self._last_write + self.edit_interval - self._clock()
            if wait > 0:
                self._sleep(wait)  # the wikis' pace for bots, between two edits
        self._last_write = self._clock()
        for attempt in (1, 2):
            body = {
                **params,
                "token": self.csrf_token(),
                "assertuser": identity.name,
                "assert": "bot" if identity.is_bot else "user",
            }
            try:
                return self._call("POST", body, write=True)
            except WikiBotError as exc:
                if attempt == 2 or exc.code not in ("badtoken", *SESSION_LOST):
                    raise
                if exc.code in SESSION_LOST:
                    self.login()
                self._csrf = None
        raise AssertionError("unreachable")

    def csrf_token(self) -> str:
        if self._csrf is None:
            data = self._call("GET", {"action": "query", "meta": "tokens", "type": "csrf"})
            self._csrf = str(_get(data, "query", "tokens", "csrftoken"))
        return self._csrf

    # -- transport ---------------------------------------------------------------------------

    def _call(self, method: str, params: Mapping[str, Any], *, write: bool = False) -> dict[str, Any]:
        full = {**params, "format": "json", "formatversion": "2"}
        if self.maxlag is not None:
            full["maxlag"] = str(self.maxlag)
        last = WikiBotError("wiki_unavailable", f"{self.api_url}: no attempt made", retryable=True)
        for attempt in range(self.max_retries + 1):
            retry_after: float | None = None
            try:
                self.requests_made += 1
                if method == "GET":
                    response = self._client.get(self.api_url, params=full, timeout=self.timeout)
                else:
                    response = self._client.post(self.api_url, data=full, timeout=self.timeout)
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                lost = WikiBotError(
                    "wiki_unavailable", f"{self.api_url}: {type(exc).__name__}: {exc}", retryable=True
                )
                if write:  # the edit may have been made: never send it twice
                    raise lost from exc
                last = lost
            else:
                retry_after = _retry_after(response)
                if response.status_code in RETRY_STATUSES:
                    last = WikiBotError(
                        "wiki_unavailable",
                        f"{self.api_url} answered HTTP {response.status_code}",
                        retryable=True,
                    )
                elif response.status_code >= 400:
                    raise WikiBotError(
                        "wiki_http_error", f"{self.api_url} answered HTTP {response.status_code}"
                    )
                else:
                    try:
                        data = response.json()
                    except ValueError as exc:
                        raise WikiBotError(
                            "wiki_bad_answer", f"{self.api_url} answered something other than JSON"
                        ) from exc
                    if not isinstance(data, dict):
                        raise WikiBotError("wiki_bad_answer", f"{self.api_url}: unexpected JSON")
                    error = data.get("error")
                    if not error:
                        return data
                    code = str(error.get("code", "unknown")) if isinstance(error, dict) else "?"
                    info = str(error.get("info", "")) if isinstance(error, dict) else str(error)
                    if code not in RETRY_CODES:
                        raise WikiBotError(code, info)
                    last = WikiBotError(code, info, retryable=True)
                    if code == "maxlag" and retry_after is None and isinstance(error.get("lag"), int | float):
                        retry_after = float(error["lag"])
            if attempt < self.max_retries:
                delay = self.backoff * (2**attempt)
                if retry_after is not None:
                    delay = max(delay, retry_after)
                self._sleep(min(self.max_backoff, delay))
        raise last


def _get(data: Mapping[str, Any], *path: str) -> Any:
    value: Any = data
    for key in path:
        if not isinstance(value, Mapping) or key not in value:
            raise WikiBotError("wiki_bad_answer", f"the wiki's answer has no {'.'.join(path)}")
        value = value[key]
    return value


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None
