"""The app factory. Nothing here reads settings at import time."""

from __future__ import annotations

from fastapi import FastAPI

from app.api import health
from app.api.errors import install_error_handlers
from app.api.limits import BodySizeLimit
from app.config import Settings, load_settings
from app.db import make_engine, make_session_factory


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or load_settings()
    app = FastAPI(title="Scrutin", version="0.1.0", openapi_url="/api/v1/openapi.json")
    app.state.settings = settings
    app.state.engine = make_engine(settings.effective_database_url)
    app.state.sessions = make_session_factory(app.state.engine)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_request_bytes)
    install_error_handlers(app)
    app.include_router(health.router)
    return app
