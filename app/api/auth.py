"""Log in and out. The development login exists only on the embedded default and in tests."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse

from app.api.deps import (
    SESSION_COOKIE,
    optional_actor,
    require_actor,
    settings_of,
    tokens_of,
    unit_of_work,
)
from app.errors import Forbidden
from app.schemas.voting import DevLoginIn, InvitationsIn
from app.services import audit, elections

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
