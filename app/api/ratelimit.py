"""Rate limits, in one place: an app-wide dependency maps the matched route (its path template
and method) to a class — logins, invitation links, casting, exports, audit-producing reads —
and counts the request against that class's limits (``SCRUTIN_RATE_LIMIT_*``), per session
user or, without a valid session, per client address. Over the limit: ``429 rate_limited``
with ``Retry-After``, before the route runs, so nothing is written. Routes not in
:data:`ROUTE_CLASSES` are not limited.

Counting uses the ``limits`` library (moving window) on ``SCRUTIN_RATE_LIMIT_STORAGE``:
in-memory by default (one process), or a shared store (``redis://…``) for several."""

from __future__ import annotations

import logging
import math
import time

from fastapi import Request
from limits import RateLimitItem, parse_many
from limits.storage import MovingWindowSupport, storage_from_string
from limits.strategies import (
    MovingWindowRateLimiter,
    RateLimiter,
    SlidingWindowCounterRateLimiter,
)

from app.api.deps import current_session
from app.config import Settings
from app.errors import DomainError, RateLimited
from app.services import identity

log = logging.getLogger(__name__)

_ELECTION = "/api/v1/elections/{election_id}"

#: (method, route path template) → rate-limit class.
ROUTE_CLASSES: dict[tuple[str, str], str] = {
    # logins: counted per client address (there is no session yet)
    ("POST", "/api/v1/auth/dev-login"): "login",
    ("POST", "/login"): "login",  # the login page's form (development login)
    ("GET", "/auth/wiki/callback"): "login",
    ("GET", "/auth/invite/{token}"): "login",
    ("POST", f"{_ELECTION}/invitations"): "invitations",
    ("POST", f"{_ELECTION}/ballots"): "cast",
    ("GET", f"{_ELECTION}/record"): "export",
    ("GET", f"{_ELECTION}/results.csv"): "export",
    ("GET", f"{_ELECTION}/results.wikitext"): "export",
    # reads that leave an audit entry, or list voters
    ("GET", f"{_ELECTION}/scrutiny/voters"): "sensitive_read",
    ("GET", f"{_ELECTION}/scrutiny/signals"): "sensitive_read",
    ("GET", f"{_ELECTION}/voted"): "sensitive_read",
    ("GET", f"{_ELECTION}/audit"): "sensitive_read",
    ("GET", f"{_ELECTION}/roles"): "sensitive_read",
    ("GET", f"{_ELECTION}/outbox"): "sensitive_read",
}
#: Classes counted per client address even with a session (a login is not yet anyone).
BY_ADDRESS = frozenset({"login"})


class RateLimits:
    """The configured limits of each class and the counter they share."""

    def __init__(self, settings: Settings) -> None:
        storage = storage_from_string(settings.rate_limit_storage)
        # The moving window is exact; stores without it (memcached) get the sliding counter.
        self.limiter: RateLimiter = (
            MovingWindowRateLimiter(storage)
            if isinstance(storage, MovingWindowSupport)
            else SlidingWindowCounterRateLimiter(storage)
        )
        self.limits: dict[str, list[RateLimitItem]] = {
            name: parse_many(text) if text else [] for name, text in settings.rate_limits.items()
        }

    def hit(self, klass: str, key: str) -> None:
        """Count one request of ``key`` in ``klass``; :class:`RateLimited` if over a limit."""
        items = self.limits.get(klass) or []
        try:
            refused = [item for item in items if not self.limiter.test(item, klass, key)]
            if not refused:
                refused = [item for item in items if not self.limiter.hit(item, klass, key)]
            if not refused:
                return
            reset = max(self.limiter.get_window_stats(item, klass, key).reset_time for item in refused)
        except Exception:  # noqa: BLE001 - a shared store that is down must not stop voting
            log.warning("rate-limit storage failed; request of class %s not counted", klass, exc_info=True)
            return
        retry_after = max(1, math.ceil(reset - time.time()))
        raise RateLimited(
            f"too many requests of this kind ({klass}: at most "
            f"{', '.join(str(i) for i in refused)}); retry in {retry_after} s",
            retry_after,
        )


def route_class(request: Request) -> str | None:
    route = request.scope.get("route")
    path = getattr(route, "path", None)
    if path is None:
        return None
    method = "GET" if request.method == "HEAD" else request.method
    return ROUTE_CLASSES.get((method, path))


def _client_key(request: Request, klass: str) -> str:
    if klass not in BY_ADDRESS:
        try:
            row = current_session(request)
        except DomainError:
            row = None  # the route itself refuses the session; count the address
        if row is not None:
            actor = identity.actor_of(row, request.app.state.settings.admin_usernames)
            return f"actor:{actor.label}"
    return f"address:{request.client.host if request.client else 'unknown'}"


def rate_limit(request: Request) -> None:
    """The app-wide dependency (``FastAPI(dependencies=[Depends(rate_limit)])``)."""
    klass = route_class(request)
    if klass is None:
        return
    limits: RateLimits = request.app.state.rate_limits
    limits.hit(klass, _client_key(request, klass))
