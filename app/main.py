"""The app factory. Nothing here reads settings at import time."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from fastapi import Depends, FastAPI
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from admin_ui import i18n
from admin_ui.routes import install as install_pages
from app.api import (
    auth,
    ceremony,
    elections,
    health,
    metrics,
    openapi,
    scrutiny,
    tally,
    voting,
    wiki,
)
from app.api.errors import install_error_handlers
from app.api.limits import BodySizeLimit, UrlCharacterGuard
from app.api.observe import RequestObservation
from app.api.ratelimit import RateLimits, rate_limit
from app.config import Settings, load_settings
from app.db import make_engine, make_session_factory
from app.eligibility import MediaWikiProvider
from app.scheduler import Scheduler
from app.services.audit import AuditSigner
from app.services.notify import RevoteNotices, channels_from, policy_from
from app.services.receipts import ReceiptSigner
from app.wiki.bot import BotConfigError, WikiBot, WikiBotError

log = logging.getLogger("scrutin")


def make_facts_provider(settings: Settings) -> MediaWikiProvider | None:
    """One provider per process, so its TTL cache is shared by all requests."""
    if not settings.wiki_api_url:
        return None
    return MediaWikiProvider(
        settings.wiki_api_url,
        user_agent=settings.wiki_user_agent,
        timeout=settings.wiki_timeout,
        maxlag=settings.wiki_maxlag,
        cache_ttl=settings.wiki_cache_ttl,
    )


def make_wiki_bot(settings: Settings) -> WikiBot | None:
    """The service's wiki account (anonymous, for page reads, when only the API is set)."""
    if not settings.wiki_bot_api:
        return None
    return WikiBot(
        settings.wiki_bot_api,
        username=settings.wiki_bot_username,
        password=settings.wiki_bot_password,
        token=settings.wiki_bot_token,
        user_agent=settings.wiki_user_agent,
        maxlag=settings.wiki_maxlag,
        timeout=max(settings.wiki_timeout, 20.0),
        edit_interval=settings.wiki_edit_interval,
    )


def create_app(settings: Settings | None = None, *, run_scheduler: bool = True) -> FastAPI:
    settings = settings or load_settings()
    engine = make_engine(settings.effective_database_url)
    sessions = make_session_factory(engine)
    audit_signer = AuditSigner(settings.secret_key)
    notify_channels = channels_from(settings)
    facts_provider = make_facts_provider(settings)
    scheduler = Scheduler(
        sessions,
        interval_seconds=settings.scheduler_interval_seconds,
        pii_retention=timedelta(days=settings.pii_retention_days),
        audit_signer=audit_signer,
        audit_anchor=timedelta(seconds=settings.audit_anchor_seconds),
        notify_channels=notify_channels,
        notify_policy=policy_from(settings),
        facts_provider=facts_provider,
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        bot = app.state.wiki_bot
        if bot is not None and bot.has_identity:
            # Configuration time: a bot without the rights it needs stops the start, clearly;
            # an unreachable wiki only delays the check to the first use.
            try:
                bot.check()
            except BotConfigError:
                raise
            except WikiBotError as exc:
                log.warning("wiki bot not checked yet: %s", exc)
        if run_scheduler:
            scheduler.start()
        try:
            yield
        finally:
            scheduler.stop()

    app = FastAPI(
        title="Scrutin",
        version="0.1.0",
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
        lifespan=lifespan,
        # One place for rate limits: the matched route decides the class.
        dependencies=[Depends(rate_limit)],
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = sessions
    app.state.receipt_signer = ReceiptSigner(settings.secret_key)
    app.state.audit_signer = audit_signer
    app.state.rate_limits = RateLimits(settings)
    app.state.facts_provider = facts_provider
    app.state.notify_channels = notify_channels
    app.state.scheduler = scheduler
    app.state.revote_notices = RevoteNotices(
        channels=tuple(c.name for c in notify_channels),
        base_url=settings.base_url,
        languages=tuple(i18n.LANGUAGES),
        gettext_for=lambda lang: i18n.translations(lang).gettext,
        localized=i18n.localized,
        wake=scheduler.wake_outbox,
    )
    app.state.wiki_bot = make_wiki_bot(settings)
    app.add_middleware(
        BodySizeLimit, max_bytes=settings.max_request_bytes, max_mix_bytes=settings.max_mix_bytes
    )
    app.add_middleware(UrlCharacterGuard)
    if settings.trusted_proxy_list:
        # Outermost: X-Forwarded-For (and -Proto) are believed only from these proxies, so the
        # client address every route sees (and the cast signals record) is the resolved one.
        trusted = "*" if "*" in settings.trusted_proxy_list else settings.trusted_proxy_list
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=trusted)
    # Outermost: every response (a 413, a 429 included) carries the request id and is counted.
    app.add_middleware(RequestObservation)
    install_error_handlers(app)
    for module in (health, metrics, auth, elections, ceremony, voting, tally, scrutiny, wiki):
        app.include_router(module.router)
    install_pages(app)
    openapi.install(app)

    @app.get("/api/v1/receipt-key", tags=["voting"])
    def receipt_key() -> dict[str, str]:
        """The public key that signs cast receipts."""
        return {"public_key": app.state.receipt_signer.public_key, "algorithm": "Ed25519"}

    return app


def serve_app() -> FastAPI:
    """The factory ``scrutin serve`` runs (in each worker process with ``--workers``): logs in
    the configured format (``SCRUTIN_LOG_FORMAT``), then the app."""
    from app.observability import configure_logging

    settings = load_settings()
    configure_logging(settings.effective_log_format)
    return create_app(settings)
