"""Metrics (Prometheus) and logs (text or JSON, with the request id) for one process.

The metrics are module-level objects of ``prometheus_client``; with ``PROMETHEUS_MULTIPROC_DIR``
set (several server processes: ``scrutin serve --workers N`` sets it), every process writes its
values to files there and a scrape of ``/metrics`` on any process adds them up. Nothing here
reads settings at import time; ``configure_logging`` is called by the app factory and the CLI.
"""

from __future__ import annotations

import contextvars
import json
import logging
import os
import re
import sys
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, TextIO

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import REGISTRY, Collector

HTTP_REQUESTS = Counter(
    "scrutin_http_requests",
    "HTTP requests answered, by route template and status",
    ["method", "route", "status"],
)
HTTP_LATENCY = Histogram(
    "scrutin_http_request_duration_seconds",
    "Time to answer a request, by route template",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
BALLOTS_CAST = Counter("scrutin_ballots_cast", "Ballots accepted on a board")
BALLOT_VERIFY = Histogram(
    "scrutin_ballot_verification_seconds",
    "Time to verify a cast ballot's proofs (in the server, before it is stored)",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
NOTIFY_SENT = Counter(
    "scrutin_notifications",
    "Notification delivery attempts, by channel and outcome (sent, retry, failed)",
    ["channel", "outcome"],
)

CONTENT_TYPE = CONTENT_TYPE_LATEST


def render(extra: Iterable[Collector] = ()) -> bytes:
    """The text exposition of this process's metrics (or of all processes' in multiprocess
    mode), plus ``extra`` collectors computed now (queue depths read from the database)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry = REGISTRY
    collectors = list(extra)
    if registry is REGISTRY:
        # The default registry is process-wide: collect the extras into a fresh one.
        scratch = CollectorRegistry()
        for collector in collectors:
            scratch.register(collector)
        return generate_latest(registry) + generate_latest(scratch)
    for collector in collectors:
        registry.register(collector)
    return generate_latest(registry)


class QueueDepth(Collector):
    """``scrutin_outbox_messages{kind, status}``: the outbox rows by status, read at scrape
    time (the database is the one truth shared by every process)."""

    def __init__(self, counts: dict[tuple[str, str], int]) -> None:
        self._counts = counts

    def collect(self) -> Iterable[GaugeMetricFamily]:
        family = GaugeMetricFamily(
            "scrutin_outbox_messages",
            "Outbox rows by kind (notice, announcement) and status",
            labels=["kind", "status"],
        )
        for (kind, status), value in sorted(self._counts.items()):
            family.add_metric([kind, status], value)
        yield family


# --- request ids and logs -------------------------------------------------------------------

REQUEST_ID_HEADER = "x-request-id"
_REQUEST_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "scrutin_request_id", default=None
)


def accepted_request_id(value: str | None) -> str:
    """The client's X-Request-ID when well formed (1–128 of ``A-Za-z0-9._:-``, starting with a
    letter or digit), else a new random one: nothing else a client sends reaches the logs."""
    if value is not None and _REQUEST_ID_RE.fullmatch(value):
        return value
    return uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    """Puts the current request's id on every record (``None`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get()
        return True


_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "color_message",
    "asctime",
}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request_id, any ``extra``
    fields, and the traceback when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in out and not key.startswith("_"):
                out[key] = value if isinstance(value, str | int | float | bool | None) else str(value)
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
_HANDLER_MARK = "_scrutin_handler"


class _StandardError(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is at the time (a test runner swaps it)."""

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass


def make_handler(log_format: str, stream: TextIO | None = None) -> logging.Handler:
    handler: logging.StreamHandler = (  # type: ignore[type-arg]
        logging.StreamHandler(stream) if stream is not None else _StandardError()
    )
    handler.setFormatter(JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT))
    handler.addFilter(RequestIdFilter())
    setattr(handler, _HANDLER_MARK, True)
    return handler


def configure_logging(log_format: str, level: int = logging.INFO) -> None:
    """One handler of the chosen format on the root logger, which the service's loggers and
    uvicorn's propagate to (a second call replaces it). uvicorn's own access log is off: the
    request middleware writes one ``scrutin.access`` line per request, with its id, route,
    status and duration. Called by ``scrutin serve`` (tests keep pytest's logging)."""
    root = logging.getLogger()
    root.handlers = [h for h in root.handlers if not getattr(h, _HANDLER_MARK, False)]
    root.addHandler(make_handler(log_format))
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers = []
        logger.propagate = True
    logging.getLogger("uvicorn.access").disabled = True
