"""The OpenAPI document as the API really answers: every error is ``{"error", "detail"}``
(422 included, not FastAPI's default validation shape), each operation lists the error codes
it can return, and the two ways to authenticate are declared as security schemes."""

from __future__ import annotations

import inspect
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error", "detail"],
    "properties": {
        "error": {"type": "string", "description": "stable machine-readable code"},
        "detail": {"type": "string", "description": "human-readable explanation"},
    },
    "additionalProperties": False,
}
DESCRIPTIONS = {
    "401": "not logged in, or the session is invalid or expired",
    "403": "logged in, but this needs a role (or a right) the caller does not have",
    "404": "no such election (drafts are hidden from people without a role in them), or no "
           "such object in it",
    "409": "not allowed in the election's current state (e.g. wrong phase)",
    "413": "the request body exceeds SCRUTIN_MAX_REQUEST_BYTES",
    "422": "invalid input: the body, a path or query parameter, or a value the rules refuse",
    "503": "a dependency (the wiki) could not answer; retry later",
}
SECURITY_SCHEMES = {
    "bearer": {"type": "http", "scheme": "bearer",
               "description": "the session token from a login (`Authorization: Bearer …`)"},
    "session_cookie": {"type": "apiKey", "in": "cookie", "name": "scrutin_session",
                       "description": "the pages' session cookie; writes must also send "
                                      "`X-Scrutin-Request: 1`"},
}


def _source(endpoint: Any) -> str:
    try:
        return inspect.getsource(endpoint)
    except (OSError, TypeError):
        return ""


def _error_codes(path: str, method: str, operation: dict[str, Any], source: str) -> set[str]:
    codes = {"422"}
    if "{" in path:
        codes.add("404")
    if "require_actor(" in source or "voter_actor(" in source:
        codes |= {"401", "403"}
    elif "optional_actor(" in source or "optional_voter_actor(" in source:
        codes.add("401")  # an invalid token is refused even where logging in is optional
    if method != "get":
        codes.add("409")
    if "requestBody" in operation:
        codes.add("413")
    if "ensure_decision(" in source or "facts_provider" in source:
        codes.add("503")
    return codes


def document(app: FastAPI) -> dict[str, Any]:
    schema = get_openapi(title=app.title, version=app.version, routes=app.routes,
                         description="Scrutin's HTTP API. Errors are always "
                                     '`{"error": code, "detail": text}`.')
    components = schema.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas["Error"] = ERROR_SCHEMA
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    components["securitySchemes"] = SECURITY_SCHEMES
    endpoints = {}
    for route in _routes(app):
        for method in getattr(route, "methods", None) or ():
            endpoints[(route.path, method.lower())] = getattr(route, "endpoint", None)
    error_ref = {"$ref": "#/components/schemas/Error"}
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            source = _source(endpoints.get((path, method)))
            responses = operation.setdefault("responses", {})
            for code in sorted(_error_codes(path, method, operation, source)):
                responses[code] = {"description": DESCRIPTIONS[code],
                                   "content": {"application/json": {"schema": error_ref}}}
            if "require_actor(" in source:
                operation["security"] = [{"bearer": []}, {"session_cookie": []}]
            elif "optional_actor(" in source:
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
