"""A fake MediaWiki farm over real HTTP: Action API + OAuth 2.0 provider.

Routes (``{wiki}`` is a wiki id such as ``enwiki``):

* ``GET /{wiki}/w/api.php`` — ``action=query`` with ``meta=siteinfo``, ``list=users``,
  ``meta=globaluserinfo``, ``list=usercontribs`` (``formatversion=2`` JSON);
* the same for the service's bot (:meth:`FakeWikiFarm.bot_api`): ``meta=tokens`` (login and
  csrf), ``action=login`` (BotPasswords, a session cookie), ``meta=userinfo`` (rights),
  ``prop=revisions|info`` (pages and protection), ``action=edit`` (``baserevid``/
  ``basetimestamp`` conflicts, ``section=new``, ``createonly``, protection, ``assert``/
  ``assertuser``), ``action=massmessage`` (when ``farm.massmessage`` is on: delivers to the
  talk pages named by ``{{#target:…}}`` on the list page, skipping opted-out ones) and
  ``action=emailuser``;
* ``GET /{wiki}/w/rest.php/oauth2/authorize`` — auto-consents and redirects to the client's
  ``redirect_uri`` with ``code`` and ``state`` (the logged-in user is the ``fake_user`` query
  parameter, else ``farm.oauth_login_as``);
* ``POST /{wiki}/w/rest.php/oauth2/access_token`` — checks client, secret, redirect URI, PKCE;
* ``GET /{wiki}/w/rest.php/oauth2/resource/profile`` — the MediaWiki profile for a bearer token.

Behaviour knobs on :class:`FakeWikiFarm` (thread-safe enough for tests): ``page_size`` (caps
``uclimit``, to force continuation), ``lag`` (permanent replication lag, compared with the
request's ``maxlag``), ``maxlag_next`` (the next N API requests answer ``maxlag``),
``fail_next`` (HTTP statuses for the next requests), ``api_error_next`` (API error codes for
the next requests), ``delay`` (seconds before every answer), ``slow_users`` / ``error_users``
(per user name); for the bot: ``bot_passwords``, ``rights`` (per account), ``pages`` and
``protection`` (per wiki; ``put_page`` edits as someone else), ``massmessage`` (the extension
is there), ``ratelimited_next`` (the next N writes answer ``ratelimited``) and
``drop_next_write`` (the next N writes are made but their answer is lost). Every request is
logged in ``farm.requests``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

IMPLICIT_GROUPS = ("*", "user", "autoconfirmed")


def edits(n: int, start: str, *, every_days: float = 1.0, ns: int = 0) -> list[tuple[str, int]]:
    """``n`` contributions in namespace ``ns`` starting at ``start`` (YYYY-MM-DD)."""
    t0 = datetime.fromisoformat(start).replace(tzinfo=UTC)
    return [((t0 + timedelta(days=every_days * i)).strftime("%Y-%m-%dT%H:%M:%SZ"), ns) for i in range(n)]


@dataclass
class FakeAccount:
    name: str
    user_id: int
    registration: str | None = "2010-01-01T00:00:00Z"
    groups: list[str] = field(default_factory=list)
    block: dict[str, Any] | None = None  # {"sitewide": bool, "expiry", "reason", "by"}
    contribs: list[tuple[str, int]] = field(default_factory=list)
    editcount: int | None = None

    @property
    def edit_count(self) -> int:
        return self.editcount if self.editcount is not None else len(self.contribs)


@dataclass
class FakeGlobal:
    name: str
    central_id: int
    home: str
    locked: bool = False
    groups: list[str] = field(default_factory=list)
    registration: str = "2010-01-01T00:00:00Z"


@dataclass
class OAuthClient:
    client_id: str
    secret: str | None
    redirect_uri: str


@dataclass
class Request:
    method: str
    wiki: str
    path: str
    params: dict[str, str]
    user_agent: str | None


class FakeWikiFarm:
    def __init__(self, wikis: tuple[str, ...] = ("enwiki", "dewiki", "frwiki", "itwiki", "metawiki")) -> None:
        self.wikis: dict[str, dict[str, FakeAccount]] = {w: {} for w in wikis}
        self.globals: dict[str, FakeGlobal] = {}
        self.base_url = "http://127.0.0.1:0"
        self.page_size = 3
        self.lag = 0.0
        self.maxlag_next = 0
        self.retry_after: str | None = "0"
        self.fail_next: list[int] = []
        self.api_error_next: list[str] = []
        self.delay = 0.0
        self.slow_users: dict[str, float] = {}
        self.error_users: dict[str, str] = {}
        self.requests: list[Request] = []
        self.oauth_clients: dict[str, OAuthClient] = {}
        self.oauth_login_as = "Alice"
        self.oauth_deny_next = False
        self._codes: dict[str, dict[str, Any]] = {}
        self._tokens: dict[str, str] = {}
        # Special:EmailUser through the Action API: owner-only bot tokens and what was sent.
        self.email_bot_tokens: dict[str, str] = {}
        self.sent_emails: list[dict[str, str]] = []
        # The bot API: BotPasswords ("Name@Label" → password), account rights, pages.
        self.bot_passwords: dict[str, str] = {}
        self.rights: dict[str, list[str]] = {}
        self.pages: dict[str, dict[str, list[dict[str, Any]]]] = {w: {} for w in wikis}
        self.protection: dict[tuple[str, str], str] = {}
        self.massmessage = False
        self.massmessages: list[dict[str, Any]] = []
        self.ratelimited_next = 0  # the next N writes answer "ratelimited"
        self.drop_next_write = 0  # the next N writes are made but the connection is cut
        self._sessions: dict[str, str] = {}
        self._revid = 1000
        self._lock = threading.Lock()
        self._next_id = 1

    # -- building the data -----------------------------------------------------------------

    def add_user(self, wiki: str, name: str, **kwargs: Any) -> FakeAccount:
        self._next_id += 1
        account = FakeAccount(name=name, user_id=self._next_id, **kwargs)
        self.wikis[wiki][name] = account
        return account

    def add_global(self, name: str, home: str, **kwargs: Any) -> FakeGlobal:
        self._next_id += 1
        glob = FakeGlobal(name=name, central_id=self._next_id, home=home, **kwargs)
        self.globals[name] = glob
        return glob

    def add_oauth_client(self, client_id: str, secret: str | None, redirect_uri: str) -> OAuthClient:
        client = OAuthClient(client_id, secret, redirect_uri)
        self.oauth_clients[client_id] = client
        return client

    def wiki_url(self, wiki: str) -> str:
        return f"{self.base_url}/{wiki}"

    def put_page(
        self, wiki: str, title: str, text: str, *, user: str = "Someone", comment: str = "", bot: bool = False
    ) -> dict[str, Any]:
        """A new revision of ``title`` (as if someone edited it); returns the revision."""
        with self._lock:
            self._revid += 1
            stamp = (datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=self._revid)).strftime(
                "%Y-%m-%dT%H:%M:%SZ"
            )
            rev = {
                "revid": self._revid,
                "timestamp": stamp,
                "user": user,
                "text": text,
                "comment": comment,
                "bot": bot,
            }
            self.pages[wiki].setdefault(normalize_title(title), []).append(rev)
        return rev

    def page_text(self, wiki: str, title: str) -> str | None:
        revs = self.pages[wiki].get(normalize_title(title))
        return revs[-1]["text"] if revs else None

    def edits_by(self, user: str, wiki: str = "enwiki") -> list[tuple[str, dict[str, Any]]]:
        return [
            (title, rev) for title, revs in self.pages[wiki].items() for rev in revs if rev["user"] == user
        ]

    def api_requests(self, kind: str | None = None) -> list[Request]:
        """Logged API requests, optionally only those with ``list``/``meta`` == kind."""
        out = [r for r in self.requests if r.path.endswith("api.php")]
        if kind is not None:
            out = [r for r in out if kind in (r.params.get("list"), r.params.get("meta"))]
        return out

    # -- knobs -------------------------------------------------------------------------------

    def _pop(self, name: str) -> Any:
        with self._lock:
            queue = getattr(self, name)
            if isinstance(queue, list):
                return queue.pop(0) if queue else None
            if queue > 0:
                setattr(self, name, queue - 1)
                return True
            return None

    # -- Action API --------------------------------------------------------------------------

    def api(self, wiki: str, params: dict[str, str]) -> tuple[int, dict[str, str], Any]:
        status = self._pop("fail_next")
        if status is not None:
            return status, {}, {"error": {"code": "http", "info": f"HTTP {status}"}}
        code = self._pop("api_error_next")
        if code is not None:
            return 200, {}, {"error": {"code": code, "info": f"fake {code}"}}
        maxlag = params.get("maxlag")
        forced = self._pop("maxlag_next")
        if forced or (maxlag is not None and self.lag > float(maxlag)):
            lag = max(self.lag, float(maxlag or 0) + 1)
            headers = {"X-Database-Lag": str(int(lag))}
            if self.retry_after is not None:
                headers["Retry-After"] = self.retry_after
            return (
                200,
                headers,
                {
                    "error": {
                        "code": "maxlag",
                        "host": "db1",
                        "lag": lag,
                        "info": f"Waiting for db1: {lag} seconds lagged.",
                    }
                },
            )
        if params.get("action") != "query" or params.get("format") != "json":
            return 200, {}, {"error": {"code": "badvalue", "info": "only action=query json"}}
        users = self.wikis.get(wiki)
        if users is None:
            return 404, {}, {"error": "no such wiki"}
        who = params.get("ususers") or params.get("guiuser") or params.get("ucuser") or ""
        if who in self.slow_users:
            time.sleep(self.slow_users[who])
        if who in self.error_users:
            code = self.error_users[who]
            return 200, {}, {"error": {"code": code, "info": f"fake {code} for {who}"}}
        if params.get("meta") == "siteinfo":
            return 200, {}, {"batchcomplete": True, "query": {"general": {"wikiid": wiki, "sitename": wiki}}}
        if params.get("list") == "users":
            return (
                200,
                {},
                {
                    "batchcomplete": True,
                    "query": {
                        "users": [self._user(users, name) for name in params.get("ususers", "").split("|")]
                    },
                },
            )
        if params.get("meta") == "globaluserinfo":
            return (
                200,
                {},
                {"batchcomplete": True, "query": {"globaluserinfo": self._global(params["guiuser"])}},
            )
        if params.get("list") == "usercontribs":
            return self._contribs(users, params)
        return 200, {}, {"error": {"code": "badvalue", "info": "unsupported query"}}

    BOT_ACTIONS = frozenset({"login", "edit", "massmessage", "emailuser"})

    def is_bot_request(self, params: dict[str, str]) -> bool:
        return (
            params.get("action") in self.BOT_ACTIONS
            or params.get("meta") in ("tokens", "userinfo")
            or "revisions" in params.get("prop", "").split("|")
            or "extensions" in params.get("siprop", "").split("|")
        )

    def _who(self, auth: str | None, cookie: str | None) -> str | None:
        if auth and auth.startswith("Bearer "):
            return self.email_bot_tokens.get(auth[7:])
        for part in (cookie or "").split(";"):
            key, _, value = part.strip().partition("=")
            if key == "fakewiki_session" and value in self._sessions:
                return self._sessions[value]
        return None

    def _rights(self, user: str | None) -> set[str]:
        if user is None:
            return {"read", "createaccount"}
        return {"read", "edit", "writeapi", "createpage", *self.rights.get(user, [])}

    def bot_api(
        self, wiki: str, method: str, params: dict[str, str], auth: str | None, cookie: str | None
    ) -> tuple[int, dict[str, str], Any]:
        """The bot's side of the Action API (see the module docstring)."""
        if params.get("action") == "emailuser" or (params.get("meta") == "tokens" and auth is not None):
            if auth is not None:
                return self.email(wiki, method, params, auth)
        early = self._knobs(params, write=method == "POST")
        if early is not None:
            return early
        if wiki not in self.pages:
            return 404, {}, {"error": "no such wiki"}
        who = self._who(auth, cookie)
        bot_name = who.split("@", 1)[0] if who else None
        action, meta = params.get("action"), params.get("meta")
        if meta == "tokens":
            kind = params.get("type", "csrf")
            key = "logintoken" if kind == "login" else "csrftoken"
            token = f"{kind}-{who}+\\" if who else "+\\"
            if kind == "login":
                token = "login-token+\\"
            return 200, {}, {"batchcomplete": True, "query": {"tokens": {key: token}}}
        if action == "login":
            if method != "POST":
                return 200, {}, {"error": {"code": "mustbeposted", "info": "POST only"}}
            name = params.get("lgname", "")
            if params.get("lgtoken") != "login-token+\\":
                return 200, {}, {"login": {"result": "WrongToken"}}
            if self.bot_passwords.get(name) != params.get("lgpassword"):
                return (
                    200,
                    {},
                    {"login": {"result": "Failed", "reason": "Incorrect username or password entered."}},
                )
            session = secrets.token_urlsafe(12)
            with self._lock:
                self._sessions[session] = name
            return (
                200,
                {"Set-Cookie": f"fakewiki_session={session}; Path=/; HttpOnly"},
                {"login": {"result": "Success", "lguserid": 7, "lgusername": name.split("@")[0]}},
            )
        if meta == "userinfo":
            if who is None:
                return 200, {}, {"query": {"userinfo": {"id": 0, "name": "127.0.0.1", "anon": True}}}
            return (
                200,
                {},
                {
                    "batchcomplete": True,
                    "query": {
                        "userinfo": {
                            "id": 7,
                            "name": bot_name,
                            "rights": sorted(self._rights(bot_name)),
                            "groups": ["*", "user", *(["bot"] if "bot" in self._rights(bot_name) else [])],
                        }
                    },
                },
            )
        if meta == "siteinfo":
            exts = [{"name": "CentralAuth"}] + ([{"name": "MassMessage"}] if self.massmessage else [])
            return (
                200,
                {},
                {
                    "batchcomplete": True,
                    "query": {
                        "general": {
                            "wikiid": wiki,
                            "sitename": wiki,
                            "lang": "de" if wiki == "dewiki" else "en",
                        },
                        "extensions": exts,
                    },
                },
            )
        if params.get("action") == "query" and "revisions" in params.get("prop", ""):
            return (
                200,
                {},
                {
                    "batchcomplete": True,
                    "query": {"pages": [self._page(wiki, t) for t in params.get("titles", "").split("|")]},
                },
            )
        if action in ("edit", "massmessage"):
            if method != "POST":
                return 200, {}, {"error": {"code": "mustbeposted", "info": "POST only"}}
            rights = self._rights(bot_name)
            if params.get("assert") == "user" and who is None:
                return 200, {}, {"error": {"code": "assertuserfailed", "info": "not logged in"}}
            if params.get("assert") == "bot" and "bot" not in rights:
                return 200, {}, {"error": {"code": "assertbotfailed", "info": "not a bot"}}
            if params.get("assertuser") and params["assertuser"] != bot_name:
                return 200, {}, {"error": {"code": "assertnameduserfailed", "info": "you are not that user"}}
            # Assertions come first (ApiMain), the token is the module's check.
            if params.get("token") != (f"csrf-{who}+\\" if who else "+\\"):
                return 200, {}, {"error": {"code": "badtoken", "info": "Invalid CSRF token."}}
            if self._pop("ratelimited_next"):
                return 200, {}, {"error": {"code": "ratelimited", "info": "You've exceeded your rate limit."}}
            if action == "edit":
                result = self._edit(wiki, params, bot_name or "127.0.0.1", rights)
            else:
                result = self._massmessage(wiki, params, bot_name or "127.0.0.1", rights)
            if self._pop("drop_next_write"):
                return -1, {}, None  # made, but the answer never arrives
            return result
        return 200, {}, {"error": {"code": "badvalue", "info": "unsupported bot request"}}

    def _knobs(self, params: dict[str, str], *, write: bool) -> tuple[int, dict[str, str], Any] | None:
        status = self._pop("fail_next")
        if status is not None:
            return status, {}, {"error": {"code": "http", "info": f"HTTP {status}"}}
        code = self._pop("api_error_next")
        if code is not None:
            return 200, {}, {"error": {"code": code, "info": f"fake {code}"}}
        maxlag = params.get("maxlag")
        if self._pop("maxlag_next") or (maxlag is not None and self.lag > float(maxlag)):
            lag = max(self.lag, float(maxlag or 0) + 1)
            headers = {"X-Database-Lag": str(int(lag))}
            if self.retry_after is not None:
                headers["Retry-After"] = self.retry_after
            return (
                200,
                headers,
                {
                    "error": {
                        "code": "maxlag",
                        "host": "db1",
                        "lag": lag,
                        "info": f"Waiting for db1: {lag} seconds lagged.",
                    }
                },
            )
        return None

    def _page(self, wiki: str, title: str) -> dict[str, Any]:
        name = normalize_title(title)
        if not name or any(c in name for c in "#<>[]|{}"):
            return {"title": title, "invalid": True, "invalidreason": "bad characters"}
        prot = self.protection.get((wiki, name))
        protection = [{"type": "edit", "level": prot, "expiry": "infinity"}] if prot else []
        revs = self.pages[wiki].get(name)
        if not revs:
            return {"ns": 0, "title": name, "missing": True, "protection": protection}
        rev = revs[-1]
        return {
            "pageid": abs(hash(name)) % 10**6,
            "ns": 0,
            "title": name,
            "protection": protection,
            "revisions": [
                {
                    "revid": rev["revid"],
                    "parentid": revs[-2]["revid"] if len(revs) > 1 else 0,
                    "timestamp": rev["timestamp"],
                    "user": rev["user"],
                    "slots": {"main": {"contentmodel": "wikitext", "content": rev["text"]}},
                }
            ],
        }

    def _edit(
        self, wiki: str, params: dict[str, str], user: str, rights: set[str]
    ) -> tuple[int, dict[str, str], Any]:
        def err(code: str, info: str) -> tuple[int, dict[str, str], Any]:
            return 200, {}, {"error": {"code": code, "info": info}}

        title = normalize_title(params.get("title", ""))
        if not title:
            return err("invalidtitle", "Bad title")
        if not params.get("summary"):
            return err("nosummary", "this fake wants a summary on every edit")
        prot = self.protection.get((wiki, title))
        if prot == "sysop" and "editprotected" not in rights:
            return err("protectedpage", "This page has been protected to prevent editing.")
        revs = self.pages[wiki].get(title) or []
        current = revs[-1] if revs else None
        if params.get("createonly") and current:
            return err("articleexists", "The article you tried to create has been created already.")
        if params.get("nocreate") and not current:
            return err("missingtitle", "The page you specified doesn't exist.")
        base = params.get("baserevid")
        if base and current and int(base) != current["revid"]:
            return err("editconflict", "Edit conflict.")
        stamp = params.get("basetimestamp")
        if stamp and current and stamp != current["timestamp"]:
            return err("editconflict", "Edit conflict.")
        old = current["text"] if current else ""
        if params.get("section") == "new":
            heading = params.get("sectiontitle", "")
            text = (
                old.rstrip() + "\n\n" if old.strip() else ""
            ) + f"== {heading} ==\n\n{params.get('text', '')}"
        else:
            text = params.get("text", "")
        if current and text == old:
            return (
                200,
                {},
                {
                    "edit": {
                        "result": "Success",
                        "title": title,
                        "nochange": True,
                        "pageid": 1,
                        "contentmodel": "wikitext",
                    }
                },
            )
        rev = self.put_page(
            wiki, title, text, user=user, comment=params.get("summary", ""), bot=params.get("bot") == "1"
        )
        out: dict[str, Any] = {
            "result": "Success",
            "pageid": 1,
            "title": title,
            "contentmodel": "wikitext",
            "oldrevid": current["revid"] if current else 0,
            "newrevid": rev["revid"],
            "newtimestamp": rev["timestamp"],
        }
        if not current:
            out["new"] = True
        return 200, {}, {"edit": out}

    def _massmessage(
        self, wiki: str, params: dict[str, str], user: str, rights: set[str]
    ) -> tuple[int, dict[str, str], Any]:
        if not self.massmessage:
            return (
                200,
                {},
                {
                    "error": {
                        "code": "badvalue",
                        "info": 'Unrecognized value for parameter "action": massmessage.',
                    }
                },
            )
        if "massmessage" not in rights:
            return (
                200,
                {},
                {
                    "error": {
                        "code": "permissiondenied",
                        "info": "You don't have permission to send messages.",
                    }
                },
            )
        spamlist = self.page_text(wiki, params.get("spamlist", ""))
        if spamlist is None:
            return (
                200,
                {},
                {
                    "error": {
                        "code": "massmessage-spamlist-doesnotexist",
                        "info": "The specified delivery list does not exist.",
                    }
                },
            )
        import re

        targets = re.findall(r"\{\{#target:([^|}]+)", spamlist)
        delivered = []
        for target in targets:
            talk = normalize_title(target)
            current = self.page_text(wiki, talk) or ""
            if "category:opted-out of message delivery" in current.lower():
                continue
            heading = params.get("subject", "")
            self.put_page(
                wiki,
                talk,
                (current.rstrip() + "\n\n" if current.strip() else "")
                + f"== {heading} ==\n\n{params.get('message', '')}",
                user="MediaWiki message delivery",
                comment=heading,
                bot=True,
            )
            delivered.append(talk)
        with self._lock:
            self.massmessages.append(
                {
                    "by": user,
                    "spamlist": params.get("spamlist"),
                    "subject": params.get("subject"),
                    "message": params.get("message"),
                    "targets": targets,
                    "delivered": delivered,
                }
            )
        return 200, {}, {"massmessage": {"result": "success", "count": len(targets)}}

    def email(
        self, wiki: str, method: str, params: dict[str, str], auth: str | None
    ) -> tuple[int, dict[str, str], Any]:
        """``meta=tokens&type=csrf`` and ``action=emailuser`` for a bot's bearer token."""
        token = auth[7:] if auth and auth.startswith("Bearer ") else ""
        bot = self.email_bot_tokens.get(token)
        if bot is None:
            return (
                200,
                {},
                {"error": {"code": "mwoauth-invalid-authorization", "info": "invalid bearer token"}},
            )
        csrf = f"csrf-{bot}+\\"
        if method == "GET" and params.get("meta") == "tokens":
            return 200, {}, {"batchcomplete": True, "query": {"tokens": {"csrftoken": csrf}}}
        if method == "POST" and params.get("action") == "emailuser":
            if params.get("token") != csrf:
                return 200, {}, {"error": {"code": "badtoken", "info": "Invalid CSRF token."}}
            target = params.get("target", "")
            if target not in self.wikis.get(wiki, {}):
                return (
                    200,
                    {},
                    {"error": {"code": "nosuchuser", "info": f'The user "{target}" does not exist.'}},
                )
            with self._lock:
                self.sent_emails.append(
                    {
                        "from": bot,
                        "to": target,
                        "subject": params.get("subject", ""),
                        "text": params.get("text", ""),
                    }
                )
            return 200, {}, {"emailuser": {"result": "Success"}}
        return 200, {}, {"error": {"code": "badvalue", "info": "unsupported"}}

    def _user(self, users: dict[str, FakeAccount], name: str) -> dict[str, Any]:
        account = users.get(name)
        if account is None:
            return {"name": name, "missing": True}
        out: dict[str, Any] = {
            "userid": account.user_id,
            "name": account.name,
            "editcount": account.edit_count,
            "registration": account.registration,
            "groups": [*IMPLICIT_GROUPS, *account.groups],
        }
        if account.block:
            out.update(
                {
                    "blockid": 99,
                    "blockedby": account.block.get("by", "Admin"),
                    "blockedbyid": 1,
                    "blockreason": account.block.get("reason", "spam"),
                    "blockedtimestamp": "2024-01-01T00:00:00Z",
                    "blockexpiry": account.block.get("expiry", "infinite"),
                    "blockpartial": not account.block.get("sitewide", True),
                }
            )
        return out

    def _global(self, name: str) -> dict[str, Any]:
        glob = self.globals.get(name)
        if glob is None:
            return {"missing": True}
        merged = []
        for wiki, users in self.wikis.items():
            account = users.get(name)
            if account is None:
                continue
            item: dict[str, Any] = {
                "wiki": wiki,
                "url": self.wiki_url(wiki),
                "timestamp": "2015-01-01T00:00:00Z",
                "method": "login",
                "editcount": account.edit_count,
                "registration": account.registration or "",
                "groups": list(account.groups),
            }
            if account.block:
                item["blocked"] = {
                    "expiry": account.block.get("expiry", "infinity"),
                    "reason": account.block.get("reason", "spam"),
                }
            merged.append(item)
        out: dict[str, Any] = {
            "home": glob.home,
            "id": glob.central_id,
            "registration": glob.registration,
            "name": glob.name,
            "groups": list(glob.groups),
            "merged": merged,
        }
        if glob.locked:
            out["locked"] = True
        return out

    def _contribs(
        self, users: dict[str, FakeAccount], params: dict[str, str]
    ) -> tuple[int, dict[str, str], Any]:
        account = users.get(params.get("ucuser", ""))
        try:
            limit = min(int(params.get("uclimit", "10")), 500)
        except ValueError:
            return 200, {}, {"error": {"code": "badinteger", "info": "bad uclimit"}}
        if limit < 1:
            return 200, {}, {"error": {"code": "badinteger", "info": "bad uclimit"}}
        limit = min(limit, self.page_size)
        newer = params.get("ucdir", "older") == "newer"
        start, end = params.get("ucstart"), params.get("ucend")
        lo, hi = (start, end) if newer else (end, start)
        namespaces = None
        if params.get("ucnamespace"):
            namespaces = {int(n) for n in params["ucnamespace"].split("|")}
        rows = sorted(account.contribs if account else [], reverse=not newer)
        rows = [
            (ts, ns)
            for ts, ns in rows
            if (lo is None or ts >= lo)
            and (hi is None or ts <= hi)
            and (namespaces is None or ns in namespaces)
        ]
        offset = int(params.get("uccontinue", "0"))
        page = rows[offset : offset + limit]
        body: dict[str, Any] = {
            "query": {
                "usercontribs": [
                    {
                        "userid": account.user_id if account else 0,
                        "user": params.get("ucuser"),
                        "ns": ns,
                        "timestamp": ts,
                    }
                    for ts, ns in page
                ]
            }
        }
        if offset + limit < len(rows):
            body["continue"] = {"uccontinue": str(offset + limit), "continue": "-||"}
        else:
            body["batchcomplete"] = True
        return 200, {}, body

    # -- OAuth 2.0 -----------------------------------------------------------------------------

    def authorize(self, params: dict[str, str]) -> tuple[int, dict[str, str], Any]:
        client = self.oauth_clients.get(params.get("client_id", ""))
        if client is None or params.get("response_type") != "code":
            return 400, {}, {"error": "invalid_client", "message": "unknown client"}
        redirect = params.get("redirect_uri") or client.redirect_uri
        if redirect != client.redirect_uri:
            return 400, {}, {"error": "invalid_request", "message": "redirect_uri mismatch"}
        state = params.get("state", "")
        if self.oauth_deny_next:
            self.oauth_deny_next = False
            query = {"error": "access_denied", "error_description": "The user denied", "state": state}
        else:
            if params.get("code_challenge") and params.get("code_challenge_method") != "S256":
                return 400, {}, {"error": "invalid_request", "message": "S256 only"}
            if client.secret is None and not params.get("code_challenge"):
                return 400, {}, {"error": "invalid_request", "message": "public clients need PKCE"}
            code = secrets.token_urlsafe(16)
            with self._lock:
                self._codes[code] = {
                    "client_id": client.client_id,
                    "redirect_uri": redirect,
                    "user": params.get("fake_user") or self.oauth_login_as,
                    "challenge": params.get("code_challenge"),
                }
            query = {"code": code, "state": state}
        return 302, {"Location": f"{redirect}?{urlencode(query)}"}, None

    def token(self, form: dict[str, str], auth: str | None) -> tuple[int, dict[str, str], Any]:
        client_id, secret = form.get("client_id"), form.get("client_secret")
        if auth and auth.startswith("Basic "):
            client_id, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
        client = self.oauth_clients.get(client_id or "")

        def refuse(error: str, why: str, status: int = 400) -> tuple[int, dict[str, str], Any]:
            return status, {}, {"error": error, "error_description": why, "message": why}

        if client is None:
            return refuse("invalid_client", "Client authentication failed", 401)
        if client.secret is not None and secret != client.secret:
            return refuse("invalid_client", "Client authentication failed", 401)
        if form.get("grant_type") != "authorization_code":
            return refuse("unsupported_grant_type", "grant type not supported")
        with self._lock:
            grant = self._codes.pop(form.get("code", ""), None)  # single use
        if grant is None or grant["client_id"] != client.client_id:
            return refuse("invalid_grant", "Authorization code has been revoked")
        if form.get("redirect_uri") != grant["redirect_uri"]:
            return refuse("invalid_grant", "redirect_uri mismatch")
        if grant["challenge"]:
            verifier = form.get("code_verifier", "")
            digest = hashlib.sha256(verifier.encode()).digest()
            computed = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
            if computed != grant["challenge"]:
                return refuse("invalid_grant", "Failed to verify code_verifier")
        token = secrets.token_urlsafe(24)
        with self._lock:
            self._tokens[token] = grant["user"]
        return (
            200,
            {},
            {
                "token_type": "Bearer",
                "expires_in": 14400,
                "access_token": token,
                "refresh_token": secrets.token_urlsafe(24),
            },
        )

    def profile(self, auth: str | None) -> tuple[int, dict[str, str], Any]:
        token = auth[7:] if auth and auth.startswith("Bearer ") else ""
        user = self._tokens.get(token)
        if user is None:
            return (
                401,
                {},
                {
                    "error": "invalid_token",
                    "httpCode": 401,
                    "message": "The resource owner or authorization server denied",
                },
            )
        glob = self.globals.get(user)
        home = self.wikis.get(glob.home if glob else "enwiki", {}).get(user)
        return (
            200,
            {},
            {
                "sub": glob.central_id if glob else (home.user_id if home else 0),
                "username": user,
                "editcount": home.edit_count if home else 0,
                "confirmed_email": True,
                "blocked": bool(home and home.block),
                "registered": "20100101000000",
                "groups": [*IMPLICIT_GROUPS, *(home.groups if home else [])],
                "rights": ["read", "edit"],
                "grants": ["basic"],
            },
        )


def normalize_title(title: str) -> str:
    """MediaWiki's title normalisation for the fake: underscores, spaces, first letter (also
    after a namespace prefix)."""
    text = " ".join(title.replace("_", " ").split())
    if ":" in text:
        ns, _, rest = text.partition(":")
        rest = rest.strip()
        return f"{ns[:1].upper()}{ns[1:]}:{rest[:1].upper()}{rest[1:]}"
    return text[:1].upper() + text[1:]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # keep-alive + small writes would wait for delayed ACKs
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - silence
        pass

    def do_GET(self) -> None:  # noqa: N802
        self._handle("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._handle("POST")

    def _handle(self, method: str) -> None:
        farm = self.server.farm
        url = urlsplit(self.path)
        params = dict(parse_qsl(url.query, keep_blank_values=True))
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if method == "POST":
            params.update(dict(parse_qsl(body.decode(), keep_blank_values=True)))
        parts = url.path.strip("/").split("/", 1)
        wiki, rest = (parts[0], "/" + parts[1]) if len(parts) == 2 else ("", url.path)
        with farm._lock:
            farm.requests.append(Request(method, wiki, rest, params, self.headers.get("User-Agent")))
        if farm.delay:
            time.sleep(farm.delay)
        auth = self.headers.get("Authorization")
        if rest == "/w/api.php" and farm.is_bot_request(params):
            status, headers, payload = farm.bot_api(wiki, method, params, auth, self.headers.get("Cookie"))
            if status == -1:  # drop_next_write: the write was made, the answer is lost
                self.close_connection = True
                return
        elif rest == "/w/api.php" and method == "GET":
            status, headers, payload = farm.api(wiki, params)
        elif rest == "/w/rest.php/oauth2/authorize" and method == "GET":
            status, headers, payload = farm.authorize(params)
        elif rest == "/w/rest.php/oauth2/access_token" and method == "POST":
            status, headers, payload = farm.token(params, auth)
        elif rest == "/w/rest.php/oauth2/resource/profile" and method == "GET":
            status, headers, payload = farm.profile(auth)
        else:
            status, headers, payload = 404, {}, {"error": "not found"}
        data = b"" if payload is None else json.dumps(payload).encode()
        try:
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout tests)
            pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    farm: FakeWikiFarm


class FakeWikiServer:
    """Runs a :class:`FakeWikiFarm` on ``127.0.0.1`` (a free port) in a background thread.

    ``server.farm`` can be replaced between tests (``server.use(farm)``)."""

    def __init__(self, farm: FakeWikiFarm | None = None) -> None:
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self.use(farm or FakeWikiFarm())
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-wiki", daemon=True
        )

    @property
    def farm(self) -> FakeWikiFarm:
        return self._httpd.farm

    def use(self, farm: FakeWikiFarm) -> FakeWikiFarm:
        farm.base_url = self.url
        self._httpd.farm = farm
        return farm

    def api_url(self, wiki: str = "enwiki") -> str:
        return f"{self.url}/{wiki}/w/api.php"

    def oauth_base_url(self, wiki: str = "metawiki") -> str:
        """What :class:`app.identity.MediaWikiOAuth` takes as ``wiki_base_url``."""
        return f"{self.url}/{wiki}/w"

    def start(self) -> FakeWikiServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> FakeWikiServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
