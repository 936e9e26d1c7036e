"""Log in and out. The development login exists only on the embedded default and in tests."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse
from itsdangerous import BadSignature, URLSafeTimedSerializer

from app.api.deps import (
    SESSION_COOKIE,
    optional_actor,
    require_actor,
    settings_of,
    tokens_of,
    unit_of_work,
)
from app.errors import Forbidden, NotFound, Unauthenticated
from app.identity.mediawiki_oauth import MediaWikiOAuth
from app.schemas.voting import DevLoginIn, InvitationsIn
from app.services import audit, elections
from app.services.actor import Actor

router = APIRouter(tags=["auth"])


def session_response(request: Request, username: str, body: dict) -> JSONResponse:
    token = tokens_of(request).issue_session(username)
    response = JSONResponse({**body, "token": token, "username": username})
    set_session_cookie(request, response, token)
    return response


def set_session_cookie(request: Request, response, token: str) -> None:  # type: ignore[no-untyped-def]
    secure = settings_of(request).base_url.startswith("https://")
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax", secure=secure,
                        max_age=12 * 3600, path="/")


@router.post("/api/v1/auth/dev-login")
def dev_login(request: Request, body: DevLoginIn) -> JSONResponse:
    if not settings_of(request).dev_login_enabled:
        raise Forbidden("dev_login_disabled", "the development login is off in production")
    return session_response(request, body.username, {"method": "development"})


@router.get("/api/v1/auth/me")
def whoami(request: Request) -> dict:
    actor = optional_actor(request)
    if actor is None:
        return {"username": None}
    return {"username": actor.username, "is_admin": actor.is_admin}


@router.post("/api/v1/auth/logout")
def logout(request: Request) -> JSONResponse:
    response = JSONResponse({"status": "logged_out"})
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


OAUTH_COOKIE = "scrutin_oauth"
OAUTH_MAX_AGE = 600


def wiki_oauth(request: Request) -> MediaWikiOAuth:
    settings = settings_of(request)
    if not settings.wiki_oauth_client_id or not settings.wiki_oauth_base_url:
        raise NotFound("wiki_login_disabled", "wiki login is not configured on this instance")
    redirect = settings.wiki_oauth_redirect_uri or (
        settings.base_url.rstrip("/") + "/auth/wiki/callback")
    return MediaWikiOAuth(settings.wiki_oauth_client_id,
                          settings.wiki_oauth_client_secret or None,
                          settings.wiki_oauth_base_url, redirect,
                          user_agent=settings.wiki_user_agent, timeout=settings.wiki_timeout)


def _oauth_serializer(request: Request) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings_of(request).secret_key, salt="scrutin/oauth-state/v1")


@router.get("/auth/wiki/login")
def wiki_login(request: Request, next: str = "/") -> RedirectResponse:
    """Start MediaWiki OAuth 2.0 (authorization code with PKCE)."""
    client = wiki_oauth(request)
    try:
        auth = client.authorization_url()
    finally:
        client.close()
    target = next if next.startswith("/") and not next.startswith("//") else "/"
    response = RedirectResponse(auth.url, status_code=302)
    response.set_cookie(OAUTH_COOKIE, _oauth_serializer(request).dumps(
        {"state": auth.state, "verifier": auth.code_verifier, "next": target}),
        httponly=True, samesite="lax", max_age=OAUTH_MAX_AGE, path="/auth/wiki",
        secure=settings_of(request).base_url.startswith("https://"))
    return response


@router.get("/auth/wiki/callback")
def wiki_callback(request: Request) -> RedirectResponse:
    """The wiki sends the user back here; the central username becomes the session."""
    try:
        pending = _oauth_serializer(request).loads(request.cookies.get(OAUTH_COOKIE, ""),
                                                   max_age=OAUTH_MAX_AGE)
    except BadSignature as exc:
        raise Unauthenticated("wiki_login_state", "the login attempt expired; start again") from exc
    client = wiki_oauth(request)
    try:
        identity = client.complete(dict(request.query_params), expected_state=pending["state"],
                                   code_verifier=pending["verifier"])
    finally:
        client.close()
    with unit_of_work(request) as session:
        audit.record(session, audit.INSTANCE_SCOPE, Actor(identity.username), "login.wiki",
                     {"central_id": identity.central_id})
    response = RedirectResponse(pending["next"], status_code=303)
    response.delete_cookie(OAUTH_COOKIE, path="/auth/wiki")
    set_session_cookie(request, response, tokens_of(request).issue_session(identity.username))
    return response


@router.post("/api/v1/elections/{election_id}/invitations")
def invite(request: Request, election_id: str, body: InvitationsIn) -> dict:
    """Signed login links for named voters (e-mailed by the committee)."""
    actor = require_actor(request)
    tokens = tokens_of(request)
    base = settings_of(request).base_url.rstrip("/")
    with unit_of_work(request) as session:
        election = elections.load(session, election_id)
        elections.require_role(session, actor, election, "committee")
        audit.record(session, election.id, actor, "invitations.create",
                     {"count": len(body.usernames)})
    return {"links": {name: f"{base}/auth/invite/{tokens.issue_invitation(name, election_id)}"
                      for name in body.usernames}}


@router.get("/auth/invite/{token}")
def accept_invitation(request: Request, token: str) -> RedirectResponse:
    username, election_id = tokens_of(request).read_invitation(token)
    response = RedirectResponse(f"/elections/{election_id}", status_code=303)
    set_session_cookie(request, response, tokens_of(request).issue_session(username))
    return response
