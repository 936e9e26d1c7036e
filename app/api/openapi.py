"""The OpenAPI document as the API really answers: every error is ``{"error", "detail"}``
(422 included, not FastAPI's default validation shape), each operation lists the error codes
it can return, and the two ways to authenticate are declared as security schemes."""

from __future__ import annotations

import inspect
import re
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from app.api.deps import OPTIONAL_LOGIN, REQUIRED_LOGIN
from app.api.ratelimit import ROUTE_CLASSES

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error", "detail"],
    "properties": {
        "error": {"type": "string", "description": "stable machine-readable code"},
        "detail": {"type": "string", "description": "human-readable explanation"},
        "field": {
            "type": "string",
            "description": "the request field the error is about, as "
            "a dotted path (e.g. `rules.need_groups[0]`); only on such errors",
        },
    },
    "additionalProperties": False,
}
DESCRIPTIONS = {
    "401": "not logged in, or the session is invalid or expired",
    "403": "logged in, but this needs a role (or a right) the caller does not have",
    "404": "no such election (drafts are hidden from people without a role in them), or no such object in it",
    "409": "not allowed in the election's current state (e.g. wrong phase)",
    "413": "the request body exceeds SCRUTIN_MAX_REQUEST_BYTES",
    "422": "invalid input: the body, a path or query parameter, or a value the rules refuse",
    "429": "too many requests of this kind (SCRUTIN_RATE_LIMIT_*): wait `Retry-After` seconds",
    "503": "a dependency (the wiki) could not answer; retry later",
}
SECURITY_SCHEMES = {
    "bearer": {
        "type": "http",
        "scheme": "bearer",
        "description": "the session token from a login (`Authorization: Bearer …`)",
    },
    "session_cookie": {
        "type": "apiKey",
        "in": "cookie",
        "name": "scrutin_session",
        "description": "the pages' session cookie; writes must also send `X-Scrutin-Request: 1`",
    },
}


_WORD = re.compile(r"\b([A-Za-z_][A-Za-z0-9_]*)\(")


def _source(endpoint: Any, depth: int = 2) -> str:
    """The endpoint's source, with that of the helpers of its own module it calls (e.g.
    ``_strike``, which the strike and unstrike routes share)."""
    try:
        text = inspect.getsource(endpoint)
    except (OSError, TypeError):
        return ""
    if depth > 0:
        module = inspect.getmodule(endpoint)
        for name in dict.fromkeys(_WORD.findall(text)):
            helper = getattr(module, name, None)
            if (
                helper is not endpoint
                and inspect.isfunction(helper)
                and helper.__module__ == endpoint.__module__
            ):
                text += "\n" + _source(helper, depth - 1)
    return text


# Reads that write an audit entry (409 audit_busy when the log is locked).
AUDITED_CLASSES = frozenset({"sensitive_read", "export"})
# Codes the source does not show: service checks specific to one read.
EXTRA_CODES = {
    ("GET", "/api/v1/elections/{election_id}/ceremony/shares"): {"409"},  # key_ceremony only
}
_REQUIRED = re.compile(r"\b(require_actor|voter_actor)\(")
_OPTIONAL = re.compile(r"\b(optional_actor|optional_voter_actor|any_actor|current_session)\(")


def _dependency_calls(dependant: Any) -> set[Any]:
    """Every dependency function an operation declares (``Annotated[…, Depends(f)]``), nested."""
    calls: set[Any] = set()
    for sub in getattr(dependant, "dependencies", ()):
        calls.add(sub.call)
        calls |= _dependency_calls(sub)
    return calls


def _login(source: str, calls: set[Any]) -> str:
    """ "required", "optional" or "none": from the declared dependencies, else from the calls
    the route (or a helper of its module) makes itself."""
    if calls & REQUIRED_LOGIN or _REQUIRED.search(source):
        return "required"
    if calls & OPTIONAL_LOGIN or _OPTIONAL.search(source):
        return "optional"
    return "none"


def _error_codes(path: str, method: str, operation: dict[str, Any], source: str, login: str) -> set[str]:
    codes = {"422"}
    if "{" in path or "NotFound(" in source:
        codes.add("404")
    if login == "required":
        codes |= {"401", "403"}
    elif login == "optional":
        codes.add("401")  # an invalid token is refused even where logging in is optional
    if "Unauthenticated(" in source:
        codes.add("401")
    if "Forbidden(" in source:
        codes.add("403")
    klass = ROUTE_CLASSES.get((method.upper(), path))
    if method != "get" or klass in AUDITED_CLASSES or "audit.record(" in source:
        codes.add("409")  # writes: wrong phase or state; audited reads: the log is busy
    codes |= EXTRA_CODES.get((method.upper(), path), set())
    if "recording_refusals(" in source:  # the services refuse with 401, 403 or 409 there
        codes |= {"401", "403", "409"}
    if "requestBody" in operation:
        codes.add("413")
    if klass is not None:
        codes.add("429")
    if (
        "_live_decision(" in source
        or "facts_provider" in source
        or "status_code=503" in source
        or "wiki_bot" in source
    ):
        codes.add("503")
    return codes


def document(app: FastAPI) -> dict[str, Any]:
    schema = get_openapi(
        title=app.title,
        version=app.version,
        routes=app.routes,
        description='Scrutin\'s HTTP API. Errors are always `{"error": code, "detail": text}`.',
    )
    components = schema.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas["Error"] = ERROR_SCHEMA
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    components["securitySchemes"] = SECURITY_SCHEMES
    endpoints = {}
    dependencies: dict[tuple[str, str], set[Any]] = {}
    for route in _routes(app):
        for method in getattr(route, "methods", None) or ():
            endpoints[(route.path, method.lower())] = getattr(route, "endpoint", None)
            dependencies[(route.path, method.lower())] = _dependency_calls(getattr(route, "dependant", None))
    error_ref = {"$ref": "#/components/schemas/Error"}
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            source = _source(endpoints.get((path, method)))
            login = _login(source, dependencies.get((path, method), set()))
            responses = operation.setdefault("responses", {})
            for code in sorted(_error_codes(path, method, operation, source, login)):
                responses[code] = {
                    "description": DESCRIPTIONS[code],
                    "content": {"application/json": {"schema": error_ref}},
                }
                if code == "429":
                    responses[code]["headers"] = {
                        "Retry-After": {
                            "description": "seconds to wait before retrying",
                            "schema": {"type": "integer", "minimum": 1},
                        }
                    }
            if login == "required":
                operation["security"] = [{"bearer": []}, {"session_cookie": []}]
            elif login == "optional":
                operation["security"] = [{}, {"bearer": []}, {"session_cookie": []}]
            else:
                operation["security"] = []
    return schema


def _routes(app: FastAPI) -> list[Any]:
    import fastapi.routing

    if hasattr(fastapi.routing, "iter_route_contexts"):  # FastAPI with included routers
        return [c for c in fastapi.routing.iter_route_contexts(app.routes) if c.path]
    return list(app.routes)


def install(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
