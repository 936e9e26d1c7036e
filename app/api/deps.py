"""Request-scoped dependencies shared by the routers: the unit of work, the settings and who
is asking. Routes declare them as ``Annotated`` parameters (``actor: CurrentActor``,
``work: Work``, ``settings: RequestSettings``), so FastAPI resolves them before the route body
runs and the OpenAPI document can tell which operations need a login."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from app.config import Settings
from app.db import transaction
from app.errors import DomainError, Forbidden, Unauthenticated
from app.models import LoginSession
from app.services import audit, identity, lifecycle
from app.services.actor import Actor
from app.services.notify import RevoteNotices

SESSION_COOKIE = "scrutin_session"
CSRF_HEADER = "x-scrutin-request"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_UNSET = object()


def notices_of(request: Request) -> RevoteNotices:
    """The instance's re-vote notices (channels, catalogues, the outbox worker: app.main)."""
    return request.app.state.revote_notices  # type: ignore[no-any-return]


def settings_of(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


@contextmanager
def unit_of_work(
    request: Request, readonly: bool = False, election_id: str | None = None
) -> Iterator[Session]:
    """A transaction for one request. Read-only units never write. With ``election_id``, a
    scheduled open/close of that election that has fallen due is applied first, in its own
    short write transaction (the scheduler's work, done early), so what is read is up to date;
    nothing is written when nothing is due."""
    if election_id is not None:
        lifecycle.catch_up(request.app.state.sessions, election_id)
    with transaction(request.app.state.sessions, readonly=readonly) as session:
        yield session


@contextmanager
def recording_refusals(request: Request) -> Iterator[None]:
    """Services attach an ``audit_refusal`` to the errors that must leave a trace; the refused
    request's own transaction is rolled back, so the entry is written in a new one."""
    try:
        yield
    except DomainError as exc:
        refusal = getattr(exc, "audit_refusal", None)
        if refusal is not None:
            with unit_of_work(request) as session:
                audit.record(session, refusal.scope, refusal.actor, refusal.action, refusal.detail)
        raise


def request_token(request: Request) -> str | None:
    """The session token of the request: the bearer header, else the cookie (whose writes
    must carry the CSRF header)."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    if SESSION_COOKIE in request.cookies:
        # Cookie sessions must prove the request came from our own pages: a custom header
        # cannot be set by a cross-site form or a simple cross-origin request (CSRF defence).
        if request.method not in SAFE_METHODS and request.headers.get(CSRF_HEADER) != "1":
            raise Unauthenticated(
                "csrf_header_missing", f"cookie-authenticated requests must send {CSRF_HEADER}: 1"
            )
        return request.cookies[SESSION_COOKIE] or None
    return None


def current_session(request: Request) -> LoginSession | None:
    """The live session row of the request (looked up once per request), or None."""
    cached = getattr(request.state, "login_session", _UNSET)
    if cached is not _UNSET:
        return cached  # type: ignore[return-value]
    token = request_token(request)
    row = None
    if token:
        with transaction(request.app.state.sessions) as session:
            row = identity.resolve(session, token)
            session.flush()
            session.expunge(row)
    request.state.login_session = row
    return row


def any_actor(request: Request) -> Actor | None:
    """Whoever the session stands for, including an invitation's vote-only actor. Only the
    voting routes of that election may act for the latter (:func:`voter_actor`)."""
    row = current_session(request)
    return None if row is None else identity.actor_of(row, settings_of(request).admin_usernames)


def optional_actor(request: Request) -> Actor | None:
    """The logged-in user, or None. An invitation's vote-only session counts as anonymous."""
    actor = any_actor(request)
    return None if actor is None or actor.scoped else actor


def _scope_refused(actor: Actor) -> Forbidden:
    return Forbidden(
        "invitation_scope",
        f"this session comes from an invitation link: it may only vote in "
        f"{actor.election_scope}; log in to do anything else",
    )


def require_actor(request: Request) -> Actor:
    actor = any_actor(request)
    if actor is None:
        raise Unauthenticated("login_required", "log in first")
    if actor.scoped:
        raise _scope_refused(actor)
    return actor


def voter_actor(request: Request, election_id: str) -> Actor:
    """The voter on a voting route of ``election_id``: a logged-in user, or the holder of an
    invitation session for this very election."""
    actor = any_actor(request)
    if actor is None:
        raise Unauthenticated("login_required", "log in first")
    if actor.scoped and actor.election_scope != election_id:
        raise _scope_refused(actor)
    return actor


def optional_voter_actor(request: Request, election_id: str) -> Actor | None:
    actor = any_actor(request)
    if actor is not None and actor.scoped and actor.election_scope != election_id:
        return None
    return actor


def require_admin(request: Request) -> Actor:
    """A logged-in instance administrator (``SCRUTIN_ADMINS``)."""
    actor = require_actor(request)
    if not actor.is_admin:
        raise Forbidden("forbidden", "only instance administrators manage other users' sessions")
    return actor


class UnitOfWork:
    """The request's transactions. A route opens as many as it needs, each committed when its
    ``with`` block ends — e.g. a read, then slow work outside any transaction (proof checks,
    wiki calls), then a short write: ``with work.read(election_id) as session: …`` and
    ``with work() as session: …``."""

    def __init__(self, request: Request) -> None:
        self.request = request

    def __call__(self) -> AbstractContextManager[Session]:
        return unit_of_work(self.request)

    def read(self, election_id: str | None = None) -> AbstractContextManager[Session]:
        """A read-only transaction (never writes; scheduled phase changes of ``election_id``
        that fell due are applied first, in their own short write)."""
        return unit_of_work(self.request, readonly=True, election_id=election_id)

    def write_for(self, election_id: str) -> AbstractContextManager[Session]:
        """A write transaction that first applies due scheduled phase changes of the election."""
        return unit_of_work(self.request, election_id=election_id)


# The dependencies routes declare. Resolution order is FastAPI's: these run before the body
# is validated, so an anonymous request is refused (401) before its body is looked at.
Work = Annotated[UnitOfWork, Depends(UnitOfWork)]
RequestSettings = Annotated[Settings, Depends(settings_of)]
Notices = Annotated[RevoteNotices, Depends(notices_of)]
CurrentActor = Annotated[Actor, Depends(require_actor)]
AdminActor = Annotated[Actor, Depends(require_admin)]
MaybeActor = Annotated[Actor | None, Depends(optional_actor)]
VoterActor = Annotated[Actor, Depends(voter_actor)]
MaybeVoterActor = Annotated[Actor | None, Depends(optional_voter_actor)]
# Who may be asked to log in (OpenAPI security and 401/403): see app/api/openapi.py.
REQUIRED_LOGIN = frozenset({require_actor, require_admin, voter_actor})
OPTIONAL_LOGIN = frozenset({optional_actor, optional_voter_actor, any_actor, current_session})
