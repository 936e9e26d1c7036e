"""Domain errors. Services raise these; ``app.api.errors`` maps them to HTTP in one place.

Every error carries a stable machine-readable ``code`` and a human ``detail``; clients see
``{"error": code, "detail": detail}``.
"""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error a user can cause. ``kind`` decides the HTTP status."""

    # invalid | unauthenticated | forbidden | not_found | conflict | unavailable | rate_limited
    # (a body too large is refused with 413 by the size limit, app/api/limits.py, before any
    # service runs)
    kind = "invalid"

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


class InvalidInput(DomainError):
    kind = "invalid"


class Unauthenticated(DomainError):
    kind = "unauthenticated"


class Forbidden(DomainError):
    kind = "forbidden"


class NotFound(DomainError):
    kind = "not_found"


class Conflict(DomainError):
    """The request is well formed but not allowed in the current state (e.g. wrong phase)."""

    kind = "conflict"


class Unavailable(DomainError):
    """A dependency (the wiki) could not answer; the request may succeed if retried."""

    kind = "unavailable"


class RateLimited(DomainError):
    """Too many requests of one kind (app.api.ratelimit); ``retry_after`` is in seconds."""

    kind = "rate_limited"

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__("rate_limited", detail)
        self.retry_after = retry_after
