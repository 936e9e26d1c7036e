"""Log in and out, sessions, invitation links. The development login exists only on the
embedded default and in tests. Every login creates a server-side session (app.services.identity);
an invitation link creates one scoped to voting in one election (app.services.invitations)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse
from itsdangerous import BadSignature, URLSafeTimedSerializer

from app.api.deps import (
    SESSION_COOKIE,
    AdminActor,
    CurrentActor,
    RequestSettings,
    Work,
    any_actor,
    current_session,
    recording_refusals,
    settings_of,
    unit_of_work,
)
from app.errors import DomainError, Forbidden, NotFound, Unauthenticated
from app.identity.mediawiki_oauth import MediaWikiOAuth
from app.models.base import utcnow
from app.schemas.responses import (
    InvitationList,
    InvitationsMade,
    InvitationView,
    LoggedIn,
    LoggedOut,
    SessionsRevoked,
    UserSessions,
    WhoAmI,
)
from app.schemas.voting import DevLoginIn, InvitationsIn
from app.services import audit, identity, invitations
from app.services.actor import Actor

router = APIRouter(tags=["auth"])


def session_response(request: Request, username: str, body: dict) -> JSONResponse:
    with unit_of_work(request) as session:
        token, row = identity.open_session(session, username, method="development")
        expires_at = row.expires_at
    response = JSONResponse(
        {**body, "token": token, "username": username, "expires_at": expires_at.isoformat()}
    )
    set_session_cookie(request, response, token)
    return response


def set_session_cookie(
    request: Request,
    response,
    token: str,  # type: ignore[no-untyped-def]
    max_age: int = identity.SESSION_MAX_AGE,
) -> None:
    secure = settings_of(request).base_url.startswith("https://")
    response.set_cookie(
        SESSION_COOKIE, token, httponly=True, samesite="lax", secure=secure, max_age=max(1, max_age), path="/"
    )


@router.post("/api/v1/auth/dev-login", response_model=LoggedIn)
def dev_login(request: Request, body: DevLoginIn, settings: RequestSettings) -> JSONResponse:
    if not settings.dev_login_enabled:
        raise Forbidden("dev_login_disabled", "the development login is off in production")
    return session_response(request, body.username, {"method": "development"})


@router.get("/api/v1/auth/me", response_model=WhoAmI, response_model_exclude_unset=True)
def whoami(request: Request) -> dict:
    """Who the session stands for. An invitation's vote-only session is anonymous here: it
    names only the election it may vote in."""
    actor = any_actor(request)
    if actor is None:
        return {"username": None}
    if actor.scoped:
        return {"username": None, "scope": {"vote_only": True, "election_id": actor.election_scope}}
    return {"username": actor.username, "is_admin": actor.is_admin}


@router.post("/api/v1/auth/logout", response_model=LoggedOut)
def logout(request: Request, work: Work) -> JSONResponse:
    """End the session now: its token (cookie or bearer) is refused from the next request."""
    try:
        row = current_session(request)
    except Unauthenticated as exc:
        if exc.code == "csrf_header_missing":
            raise
        row = None  # already ended or never valid: logging out is still fine
    if row is not None:
        with work() as session:
            identity.end(session, row.id, row.username)
    response = JSONResponse({"status": "logged_out"})
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/api/v1/users/{username}/sessions", response_model=UserSessions)
def user_sessions(username: str, _admin: AdminActor, work: Work) -> dict:
    """A user's sessions, newest first (administrators)."""
    with work.read() as session:
        return {"username": username, "sessions": identity.sessions_of(session, username)}


@router.delete("/api/v1/users/{username}/sessions", response_model=SessionsRevoked)
def revoke_user_sessions(username: str, actor: AdminActor, work: Work) -> dict:
    """End every live session of a user at once (administrators); audited."""
    with work() as session:
        revoked = identity.revoke_sessions(session, username, actor.label)
        audit.record(
            session,
            audit.INSTANCE_SCOPE,
            actor,
            "sessions.revoke",
            {"username": username, "sessions": len(revoked)},
        )
    return {"username": username, "revoked": len(revoked)}


@router.delete("/api/v1/users/{username}/sessions/{session_id}", response_model=SessionsRevoked)
def revoke_user_session(username: str, session_id: str, actor: AdminActor, work: Work) -> dict:
    """End one session of a user (administrators); audited."""
    with work() as session:
        revoked = identity.revoke_sessions(session, username, actor.label, session_id=session_id)
        audit.record(
            session,
            audit.INSTANCE_SCOPE,
            actor,
            "sessions.revoke",
            {"username": username, "sessions": len(revoked), "session": session_id},
        )
    return {"username": username, "revoked": len(revoked)}


OAUTH_COOKIE = "scrutin_oauth"
OAUTH_MAX_AGE = 600


def wiki_oauth(request: Request) -> MediaWikiOAuth:
    settings = settings_of(request)
    if not settings.wiki_oauth_client_id or not settings.wiki_oauth_base_url:
        raise NotFound("wiki_login_disabled", "wiki login is not configured on this instance")
    redirect = settings.wiki_oauth_redirect_uri or (settings.base_url.rstrip("/") + "/auth/wiki/callback")
    return MediaWikiOAuth(
        settings.wiki_oauth_client_id,
        settings.wiki_oauth_client_secret or None,
        settings.wiki_oauth_base_url,
        redirect,
        user_agent=settings.wiki_user_agent,
        timeout=settings.wiki_timeout,
    )


def _oauth_serializer(request: Request) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings_of(request).secret_key, salt="scrutin/oauth-state/v1")


@router.get("/auth/wiki/login", status_code=302, response_class=RedirectResponse)
def wiki_login(request: Request, settings: RequestSettings, next: str = "/") -> RedirectResponse:
    """Start MediaWiki OAuth 2.0 (authorization code with PKCE)."""
    client = wiki_oauth(request)
    try:
        auth = client.authorization_url()
    finally:
        client.close()
    target = next if next.startswith("/") and not next.startswith("//") else "/"
    response = RedirectResponse(auth.url, status_code=302)
    response.set_cookie(
        OAUTH_COOKIE,
        _oauth_serializer(request).dumps(
            {"state": auth.state, "verifier": auth.code_verifier, "next": target}
        ),
        httponly=True,
        samesite="lax",
        max_age=OAUTH_MAX_AGE,
        path="/auth/wiki",
        secure=settings.base_url.startswith("https://"),
    )
    return response


@router.get("/auth/wiki/callback", status_code=303, response_class=RedirectResponse)
def wiki_callback(request: Request, work: Work) -> RedirectResponse:
    """The wiki sends the user back here; the central username becomes the session."""
    try:
        pending = _oauth_serializer(request).loads(
            request.cookies.get(OAUTH_COOKIE, ""), max_age=OAUTH_MAX_AGE
        )
    except BadSignature as exc:
        raise Unauthenticated("wiki_login_state", "the login attempt expired; start again") from exc
    client = wiki_oauth(request)
    try:
        wiki_user = client.complete(
            dict(request.query_params), expected_state=pending["state"], code_verifier=pending["verifier"]
        )
    finally:
        client.close()
    with work() as session:
        token, _ = identity.open_session(session, wiki_user.username, method="wiki")
        audit.record(
            session,
            audit.INSTANCE_SCOPE,
            Actor(wiki_user.username),
            "login.wiki",
            {"central_id": wiki_user.central_id},
        )
    response = RedirectResponse(pending["next"], status_code=303)
    response.delete_cookie(OAUTH_COOKIE, path="/auth/wiki")
    set_session_cookie(request, response, token)
    return response


@router.post("/api/v1/elections/{election_id}/invitations", response_model=InvitationsMade)
def invite(
    request: Request,
    election_id: str,
    body: InvitationsIn,
    actor: CurrentActor,
    work: Work,
    settings: RequestSettings,
) -> dict:
    """Single-use voting links for named roll members (sent by the committee). Refused, with
    nothing made, if any name is off the roll or holds a privileged position anywhere."""
    base = settings.base_url.rstrip("/")
    with recording_refusals(request), work() as session:
        made = invitations.create(session, actor, election_id, body.usernames, settings.admin_usernames)
        links = {inv.username: f"{base}/auth/invite/{token}" for inv, token in made}
        listed = [{"id": inv.id, "username": inv.username} for inv, _ in made]
    return {"links": links, "invitations": listed}


@router.get("/api/v1/elections/{election_id}/invitations", response_model=InvitationList)
def list_invitations(election_id: str, actor: CurrentActor, work: Work) -> dict:
    """The election's invitations and their state (never the links: only hashes are kept)."""
    with work() as session:
        return {"invitations": invitations.list_for(session, actor, election_id)}


@router.delete("/api/v1/elections/{election_id}/invitations/{invitation_id}", response_model=InvitationView)
def revoke_invitation(
    election_id: str,
    invitation_id: str,
    actor: CurrentActor,
    work: Work,
) -> dict:
    """Withdraw a link; the vote-only session it opened (if any) ends at once."""
    with work() as session:
        return invitations.revoke(session, actor, election_id, invitation_id)


@router.get("/auth/invite/{token}", status_code=303, response_class=RedirectResponse)
def accept_invitation(
    request: Request,
    token: str,
    work: Work,
    settings: RequestSettings,
) -> RedirectResponse:
    """Open an invitation link: a session that may only vote in that election."""
    try:
        current = current_session(request)
    except DomainError:
        current = None
    with recording_refusals(request), work() as session:
        accepted = invitations.accept(
            session, token, settings.admin_usernames, current.id if current is not None else None
        )
    response = RedirectResponse(f"/elections/{accepted.election_id}", status_code=303)
    if accepted.token is not None:
        remaining = accepted.expires_at - utcnow()
        set_session_cookie(request, response, accepted.token, max_age=int(remaining.total_seconds()))
    return response
