"""The pages: booth, committee, trustee, results, scrutiny, home and login.

Pages are server-rendered shells (Jinja2) whose scripts (static files, no inline script) talk
to the JSON API under /api/v1 with the session cookie and ``X-Scrutin-Request: 1``. Server-side
data comes from ``app.services`` (never from the models directly).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from markupsafe import Markup

from admin_ui import i18n
from admin_ui.js_messages import PHASE_NAMES, catalogue
from admin_ui.security import (
    CSRF_COOKIE,
    CSRF_FIELD,
    CsrfTokens,
    SecurityHeaders,
    same_origin,
)
from app.db import transaction
from app.errors import DomainError
from app.services import elections as election_service
from app.services import identity
from app.services.actor import Actor
from app.services.schedule import known_zones

HERE = Path(__file__).resolve().parent
SESSION_COOKIE = "scrutin_session"  # the same cookie the API reads (app.api.deps)
_UNSET = object()

router = APIRouter(include_in_schema=False)
_env = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _gettext(translations: Any) -> Any:
    @pass_context
    def gettext(context: Any, message: str, **variables: Any) -> str:
        text = translations.gettext(message)
        if context.eval_ctx.autoescape:
            text = Markup(text)
        return text % variables if variables else text

    return gettext


def _https(request: Request) -> bool:
    return str(request.app.state.settings.base_url).startswith("https://")


def _session_row(request: Request) -> Any:
    """The live session of the page's cookie (app.services.identity), or None."""
    cached = getattr(request.state, "page_session", _UNSET)
    if cached is not _UNSET:
        return cached
    token = request.cookies.get(SESSION_COOKIE)
    row = None
    if token:
        try:
            with transaction(request.app.state.sessions) as session:
                row = identity.resolve(session, token)
                session.flush()
                session.expunge(row)
        except DomainError:
            row = None
    request.state.page_session = row
    return row


def current_actor(request: Request, election_id: str | None = None) -> Actor | None:
    """The logged-in user. A vote-only invitation session counts only on the pages of the
    election it may vote in (``election_id``); everywhere else the visitor is anonymous."""
    row = _session_row(request)
    if row is None:
        return None
    actor = identity.actor_of(row, request.app.state.settings.admin_usernames)
    if actor.scoped and actor.election_scope != election_id:
        return None
    return actor


def page_language(request: Request) -> str:
    return i18n.choose_language(
        request.query_params.get("lang"),
        request.cookies.get(i18n.LANG_COOKIE),
        request.headers.get("accept-language"),
    )


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> Response:
    lang = page_language(request)
    translations = i18n.translations(lang)
    csrf: CsrfTokens = request.app.state.csrf
    csrf_cookie = request.cookies.get(CSRF_COOKIE) or csrf.new_cookie_value()
    actor = current_actor(
        request, context.get("election", {}).get("id") if isinstance(context.get("election"), dict) else None
    )
    settings = request.app.state.settings
    path = request.url.path
    query = {k: v for k, v in request.query_params.items() if k != "lang"}
    body = _env.get_template(template).render(
        _=_gettext(translations),
        lang=lang,
        html_lang=i18n.LANGUAGES[lang][2],
        languages=[
            (code, name, path + "?" + urlencode({**query, "lang": code}))
            for code, (_, name, _) in i18n.LANGUAGES.items()
        ],
        user=actor,
        csrf_field=CSRF_FIELD,
        csrf_token=csrf.token_for(csrf_cookie),
        dev_login=settings.dev_login_enabled,
        # the wiki account login (/auth/wiki/login) is offered only when OAuth is configured
        wiki_login=bool(settings.wiki_oauth_client_id and settings.wiki_oauth_base_url),
        js_catalogue=catalogue(lang),
        phase_names=PHASE_NAMES,
        request_base=str(settings.base_url).rstrip("/"),
        localized=lambda texts, default="en": i18n.localized(texts, lang, default),
        next_url=path + ("?" + urlencode(query) if query else ""),
        # where a login comes back to: this page, or from the login page its own ``next``
        login_next=_safe_next(query.get("next"))
        if path == "/login"
        else path + ("?" + urlencode(query) if query else ""),
        **context,
    )
    response = HTMLResponse(body, status_code=status_code)
    if CSRF_COOKIE not in request.cookies:
        response.set_cookie(
            CSRF_COOKIE, csrf_cookie, httponly=True, samesite="strict", secure=_https(request), path="/"
        )
    if i18n.normalize(request.query_params.get("lang")):
        response.set_cookie(
            i18n.LANG_COOKIE, lang, max_age=365 * 24 * 3600, samesite="lax", secure=_https(request), path="/"
        )
    return response


def _election(request: Request, election_id: str) -> dict[str, Any] | None:
    """The public view of an election, as the API gives it (None if not visible)."""
    try:
        with transaction(request.app.state.sessions) as session:
            election = election_service.load_visible(
                session, current_actor(request, election_id), election_id
            )
            return election_service.view(session, election)
    except DomainError:
        return None


def _election_page(request: Request, election_id: str, template: str, **context: Any) -> Response:
    election = _election(request, election_id)
    if election is None:
        return render(request, "not_found.html", status_code=404, election_id=election_id)
    return render(request, template, election=election, **context)


def _safe_next(value: str | None) -> str:
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/"


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> Response:
    with transaction(request.app.state.sessions) as session:
        visible = [
            election_service.view(session, e)
            for e in election_service.list_visible(session, current_actor(request))
        ]
    return render(request, "home.html", elections=visible)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request) -> Response:
    return render(request, "login.html", next=_safe_next(request.query_params.get("next")))


@router.post("/login")
def login(
    request: Request,
    username: str = Form(..., max_length=255),
    csrf_token: str = Form(""),
    next: str = Form("/"),
) -> Response:
    _require_csrf(request, csrf_token)
    settings = request.app.state.settings
    if not settings.dev_login_enabled:
        return render(request, "login.html", status_code=403, next=_safe_next(next), error="disabled")
    name = username.strip()
    if not name or any(c in name for c in "#<>[]|{}/@:") or any(ord(c) < 32 for c in name):
        return render(request, "login.html", status_code=422, next=_safe_next(next), error="invalid")
    with transaction(request.app.state.sessions) as session:
        token, _ = identity.open_session(session, name, method="development")
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=_https(request),
        max_age=identity.SESSION_MAX_AGE,
        path="/",
    )
    return response


@router.post("/logout")
def logout(request: Request, csrf_token: str = Form("")) -> Response:
    _require_csrf(request, csrf_token)
    row = _session_row(request)
    if row is not None:
        with transaction(request.app.state.sessions) as session:
            identity.end(session, row.id, row.username)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


class CsrfFailed(Exception):
    pass


def _require_csrf(request: Request, token: str) -> None:
    csrf: CsrfTokens = request.app.state.csrf
    if not same_origin(request, request.app.state.settings.base_url) or not csrf.check(
        request.cookies.get(CSRF_COOKIE), token
    ):
        raise CsrfFailed()


@router.get("/elections/{election_id}", response_class=HTMLResponse)
def booth(request: Request, election_id: str) -> Response:
    return _election_page(request, election_id, "booth.html")


@router.get("/elections/{election_id}/trustee", response_class=HTMLResponse)
def trustee(request: Request, election_id: str) -> Response:
    return _election_page(request, election_id, "trustee.html")


@router.get("/elections/{election_id}/results", response_class=HTMLResponse)
def results(request: Request, election_id: str) -> Response:
    return _election_page(request, election_id, "results.html")


@router.get("/scrutiny/{election_id}", response_class=HTMLResponse)
def scrutiny(request: Request, election_id: str) -> Response:
    return _election_page(request, election_id, "scrutiny.html")


def _is_committee(request: Request, actor: Actor | None) -> bool:
    """Whether the management sections are rendered: instance administrators; committee
    members of the election in ``?election=`` (or, without it, of any election). The API
    checks the role again on every call."""
    if actor is None:
        return False
    if actor.is_admin:
        return True
    wanted = request.query_params.get("election")
    with transaction(request.app.state.sessions) as session:
        if wanted:
            return "committee" in election_service.roles_of(session, wanted, actor.username)
        return any(
            "committee" in election_service.roles_of(session, e.id, actor.username)
            for e in election_service.list_visible(session, actor)
        )


@router.get("/admin", response_class=HTMLResponse)
def admin(request: Request) -> Response:
    return render(
        request,
        "admin.html",
        zones=known_zones(),
        committee=_is_committee(request, current_actor(request)),
        request_election=request.query_params.get("election"),
    )


def install(app: FastAPI) -> None:
    """Mount the static files, the security headers and the pages on the app."""
    settings = app.state.settings
    app.state.csrf = CsrfTokens(settings.secret_key)
    app.add_middleware(SecurityHeaders, https=str(settings.base_url).startswith("https://"))
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.exception_handler(CsrfFailed)
    async def _csrf_failed(request: Request, _: CsrfFailed) -> Response:
        return render(request, "error.html", status_code=403, reason="csrf")

    app.include_router(router)
