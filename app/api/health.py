"""Liveness and readiness probes."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from app import db
from app.schemas.responses import Health, Ready

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health)
def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz", response_model=Ready)
def readyz(request: Request) -> JSONResponse:
    """The database answers and its schema is at the latest migration."""
    engine = request.app.state.engine
    head = db.head_revision()
    try:
        current = db.current_revision(engine)
    except Exception as exc:  # noqa: BLE001 - any database failure means not ready
        return JSONResponse(
            status_code=503,
            content={"error": "database_unreachable", "detail": type(exc).__name__},
        )
    if current != head:
        return JSONResponse(
            status_code=503,
            content={
                "error": "schema_outdated",
                "detail": f"database at revision {current!r}, code expects {head!r}; "
                "run `scrutin db upgrade`",
            },
        )
    return JSONResponse({"status": "ready", "revision": current})
