"""Request-scoped helpers shared by the routers: the unit of work and the current user."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import Request
from sqlalchemy.orm import Session

from app.config import Settings
from app.db import transaction
from app.errors import Unauthenticated
from app.services import lifecycle
from app.services.actor import Actor
from app.services.identity import TokenService

SESSION_COOKIE = "scrutin_session"
CSRF_HEADER = "x-scrutin-request"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def settings_of(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


def tokens_of(request: Request) -> TokenService:
    return request.app.state.tokens  # type: ignore[no-any-return]


@contextmanager
def unit_of_work(request: Request, readonly: bool = False,
                 election_id: str | None = None) -> Iterator[Session]:
    """A transaction for one request. Read-only units never write; for them, a scheduled
    open/close of ``election_id`` that has fallen due is applied first in its own short write
    transaction, so what is read is up to date."""
    if readonly and election_id is not None:
        lifecycle.catch_up(request.app.state.sessions, election_id)
    with transaction(request.app.state.sessions, readonly=readonly) as session:
        yield session


def optional_actor(request: Request) -> Actor | None:
    token = None
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        token = header[7:].strip()
    elif SESSION_COOKIE in request.cookies:
        token = request.cookies[SESSION_COOKIE]
        # Cookie sessions must prove the request came from our own pages: a custom header
        # cannot be set by a cross-site form or a simple cross-origin request (CSRF defence).
        if request.method not in SAFE_METHODS and request.headers.get(CSRF_HEADER) != "1":
            raise Unauthenticated("csrf_header_missing",
                                  f"cookie-authenticated requests must send {CSRF_HEADER}: 1")
    if not token:
        return None
    username = tokens_of(request).read_session(token)
    return Actor(username=username, is_admin=username in settings_of(request).admin_usernames)


def require_actor(request: Request) -> Actor:
    actor = optional_actor(request)
    if actor is None:
        raise Unauthenticated("login_required", "log in first")
    return actor
