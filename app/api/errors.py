"""The one place where domain errors become HTTP responses ``{"error": code, "detail": text}``."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from admin_ui import i18n
from app.db import transaction
from app.errors import MESSAGES, N_, DomainError

log = logging.getLogger("scrutin.api")

STATUS_BY_KIND = {
    "invalid": 422,
    "unauthenticated": 401,
    "forbidden": 403,
    "not_found": 404,
    "conflict": 409,
    "unavailable": 503,
    "rate_limited": 429,
}


DETAIL_FORMAT = N_("%(message)s (%(detail)s)")
"""A translated message followed by the server's own (English) detail, which names the values."""


def request_language(request: Request) -> str:
    """The requester's language, as the pages choose it: ``?lang=``, the UI language cookie,
    then Accept-Language (a client sending none, like the CLI, gets English)."""
    return i18n.choose_language(
        request.query_params.get("lang"),
        request.cookies.get(i18n.LANG_COOKIE),
        request.headers.get("accept-language"),
    )


def localized_detail(code: str, detail: str, lang: str) -> str:
    """``detail`` in ``lang``: in English the server's own text (unchanged); in another language
    the catalogued message of ``code`` translated, followed by that text when it says more."""
    message = MESSAGES.get(code)
    if lang == i18n.DEFAULT_LANGUAGE or message is None:
        return detail
    gettext = i18n.translations(lang).gettext
    text = gettext(message)
    if not detail or detail.rstrip(".").lower() == message.rstrip(".").lower():
        return text
    return gettext(DETAIL_FORMAT) % {"message": text, "detail": detail}


def error_response(
    status: int, code: str, detail: str, request: Request | None = None, field: str | None = None
) -> JSONResponse:
    """``{"error": code, "detail": text}`` (and ``"field": path`` when the error is about one
    field); the code and the field never change, the text is in the requester's language when
    ``request`` is given."""
    if request is not None:
        detail = localized_detail(code, detail, request_language(request))
    content = {"error": code, "detail": detail}
    if field is not None:
        content["field"] = field
    return JSONResponse(status_code=status, content=content)


def _log_refusal(request: Request, exc: DomainError) -> None:
    """A logged-in user refused a privileged action goes in the audit log (the election's, or
    the instance's), in its own transaction: the request's own was rolled back."""
    from app.api.deps import any_actor
    from app.models import Election
    from app.services import audit

    try:
        actor = any_actor(request)
    except DomainError:
        return
    if actor is None:
        return
    election_id = request.path_params.get("election_id")
    with transaction(request.app.state.sessions) as session:
        scope = audit.INSTANCE_SCOPE
        if isinstance(election_id, str) and session.scalar(
            select(Election.id).where(Election.id == election_id)
        ):
            scope = election_id
        audit.record(
            session,
            scope,
            actor,
            "refused",
            {"method": request.method, "path": request.url.path, "error": exc.code},
        )


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> JSONResponse:
        if exc.kind == "forbidden":
            try:
                await run_in_threadpool(_log_refusal, request, exc)
            except Exception:  # noqa: BLE001 - the refusal itself must still be answered
                log.exception("could not log a refused request")
        response = error_response(STATUS_BY_KIND[exc.kind], exc.code, exc.detail, request, exc.field)
        retry_after = getattr(exc, "retry_after", None)
        if retry_after is not None:
            response.headers["Retry-After"] = str(retry_after)
        return response

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        parts = []
        for err in exc.errors()[:5]:
            where = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
            parts.append(f"{where or 'body'}: {err.get('msg', 'invalid')}")
        return error_response(422, "invalid_request", "; ".join(parts) or "invalid request", request)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed", 413: "payload_too_large"}.get(
            exc.status_code, "http_error"
        )
        return error_response(exc.status_code, code, str(exc.detail), request)
