"""``GET /metrics``: Prometheus metrics (app/observability.py) and the outbox queue depth.

Access (docs/operations.md, "Metrics"): with ``SCRUTIN_METRICS_TOKEN`` set, only a request
carrying ``Authorization: Bearer <token>`` is answered; without it, /metrics is open in
development and test and refused in production."""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.api.deps import settings_of
from app.db import transaction
from app.errors import Forbidden, Unauthenticated
from app.observability import CONTENT_TYPE, QueueDepth, render
from app.services import notify

router = APIRouter(tags=["health"])


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}, "description": "Prometheus text exposition"}},
)
def metrics(request: Request) -> Response:
    """Request counts and latencies by route, ballots cast, ballot verification time, and the
    outbox rows by kind and status."""
    settings = settings_of(request)
    if settings.metrics_token:
        header = request.headers.get("authorization", "")
        given = header[7:].strip() if header.lower().startswith("bearer ") else ""
        if not hmac.compare_digest(given.encode(), settings.metrics_token.encode()):
            raise Unauthenticated(
                "metrics_token_required", "send Authorization: Bearer <SCRUTIN_METRICS_TOKEN>"
            )
    elif settings.environment == "production":
        raise Forbidden("metrics_restricted", "set SCRUTIN_METRICS_TOKEN to scrape /metrics in production")
    with transaction(request.app.state.sessions, readonly=True) as session:
        depth = notify.queue_depth(session)
    return Response(render([QueueDepth(depth)]), media_type=CONTENT_TYPE)
