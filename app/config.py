"""Settings from the environment (prefix ``SCRUTIN_``).

Settings are never read at import time: ``load_settings()`` is called by the app factory and
the CLI, and tests build ``Settings`` objects directly.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_SECRETS = frozenset({"", "change-me", "changeme", "secret", "development-only-secret"})
DEFAULT_DATA_DIR = Path("var")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SCRUTIN_", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    # Empty means the embedded default: a SQLite file under data_dir.
    database_url: str = ""
    data_dir: Path = DEFAULT_DATA_DIR
    secret_key: str = "development-only-secret"
    base_url: str = "http://127.0.0.1:8000"
    # Largest request body accepted anywhere (a 50-candidate S/O/N ballot is ~150 KiB).
    max_request_bytes: int = Field(default=1_048_576, ge=1024)
    # POST /tally/mixes only: a mix of N ranked ballots is about 400·N bytes per chunk.
    max_mix_bytes: int = Field(default=64 * 1_048_576, ge=1024)
    # Comma-separated wiki usernames allowed to create elections (instance administrators).
    admins: str = ""
    # Wiki data for eligibility rules (MediaWiki Action API) and wiki login (OAuth 2.0).
    wiki_api_url: str = ""
    wiki_user_agent: str = "Scrutin/0.1 (election service; set SCRUTIN_WIKI_USER_AGENT with a contact)"
    wiki_timeout: float = Field(default=10.0, gt=0)
    wiki_maxlag: int = Field(default=5, ge=0)
    wiki_cache_ttl: float = Field(default=300.0, ge=0)
    wiki_oauth_client_id: str = ""
    wiki_oauth_client_secret: str = ""
    wiki_oauth_base_url: str = ""  # e.g. https://meta.wikimedia.org/w
    wiki_oauth_redirect_uri: str = ""  # default: <base_url>/auth/wiki/callback
    # Scrutiny: private signals are deleted this many days after voting closes.
    pii_retention_days: int = Field(default=90, ge=0)
    burst_window_seconds: int = Field(default=60, ge=1)
    burst_min_voters: int = Field(default=5, ge=2)
    # How re-vote invitations are delivered besides the on-site notice: "outbox" (kept for the
    # committee to read; the embedded default), "smtp" and/or "mediawiki" (comma-separated).
    notify_channels: str = "outbox"
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = True
    smtp_from: str = ""
    # The outbox worker: attempts before a notice is given up, the first retry's delay (doubled
    # after each failure, at most 6 hours) and notices per pass (one connection per channel).
    notify_max_attempts: int = Field(default=8, ge=1, le=100)
    notify_retry_seconds: float = Field(default=60.0, gt=0)
    notify_batch_size: int = Field(default=100, ge=1, le=10_000)
    # Wiki users have no address here: the template maps a username to one (private wikis).
    smtp_address_template: str = ""
    # MediaWiki "emailuser" (Special:EmailUser) through an owner-only OAuth 2.0 access token.
    wiki_email_api_url: str = ""
    wiki_email_token: str = ""
    # The service's own wiki account for writes (results pages, announcements) and page reads:
    # a BotPassword ("Name@Label" + password) or an OAuth 2 owner-only access token, against
    # wiki_bot_api_url (default: wiki_api_url). See docs/wiki.md.
    wiki_bot_username: str = ""
    wiki_bot_password: str = ""
    wiki_bot_token: str = ""
    wiki_bot_api_url: str = ""
    # Seconds at least between two of the bot's edits (talk-page notices are many edits).
    wiki_edit_interval: float = Field(default=1.0, ge=0, le=60)
    scheduler_interval_seconds: float = Field(default=15.0, gt=0)
    # How often at most an election's audit head is anchored on its public board (when the
    # log grew): the window in which a truncated log could go unnoticed.
    audit_anchor_seconds: float = Field(default=60.0, gt=0)
    # Create the demo election on an empty embedded database when serving.
    demo: bool = True
    # The password-less login by name outside development: only for test servers (the test
    # fixtures, `scrutin simulate`); refused in production.
    dev_login: bool = False
    # Whose X-Forwarded-For is believed: comma-separated proxy addresses or networks
    # ("127.0.0.1", "10.0.0.0/8"), "*" for any; empty = nobody's (the connection's address).
    trusted_proxies: str = ""
    # Rate limits (the `limits` library's notation, ";"-separated: "30/minute;300/hour"; empty
    # = no limit for that class), counted per session user, else per client address; see
    # app/api/ratelimit.py for which routes belong to which class.
    rate_limit_storage: str = "memory://"  # e.g. redis://host:6379 to share between processes
    rate_limit_login: str = "30/minute;300/hour"  # dev login, wiki callback, invitation links
    rate_limit_invitations: str = "30/minute;300/hour"  # making invitation links
    rate_limit_cast: str = "20/minute;200/hour"  # casting a ballot
    rate_limit_export: str = "30/minute;300/hour"  # the record, results CSV and wikitext
    rate_limit_sensitive_read: str = "240/minute"  # voter lists, PII, audit, roles, outbox

    # Logs: "text" (one readable line) or "json" (one object per line, for a log pipeline);
    # empty = json in production, text elsewhere. Every line carries the request id.
    log_format: Literal["", "json", "text"] = ""
    # /metrics: with a token, only `Authorization: Bearer <token>` is answered; without one it
    # is open in development and test, refused in production (docs/operations.md, "Metrics").
    metrics_token: str = ""
    # Server processes `scrutin serve` starts (uvicorn workers); more than one needs PostgreSQL
    # (or a shared SCRUTIN_RATE_LIMIT_STORAGE for exact rate limits).
    workers: int = Field(default=1, ge=1, le=64)

    @field_validator(
        "rate_limit_login",
        "rate_limit_invitations",
        "rate_limit_cast",
        "rate_limit_export",
        "rate_limit_sensitive_read",
    )
    @classmethod
    def _parse_rate_limit(cls, value: str) -> str:
        from limits import parse_many

        if value.strip():
            try:
                parse_many(value)
            except ValueError as exc:
                raise ValueError(
                    f"rate limit {value!r} is not of the form '30/minute' or '30/minute;300/hour'"
                ) from exc
        return value.strip()

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: str) -> str:
        value = value.strip()
        if not value:
            return value
        if not value.startswith(("sqlite:", "postgresql:", "postgres:", "postgresql+psycopg:")):
            raise ValueError(
                "SCRUTIN_DATABASE_URL must be a PostgreSQL URL "
                "(postgresql://user:password@host/db) or a SQLite one "
                "(sqlite:///path.db), or empty for the embedded default"
            )
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        try:
            make_url(normalize_database_url(value))
        except (ArgumentError, ValueError) as exc:
            raise ValueError(f"SCRUTIN_DATABASE_URL is not a database URL: {exc}") from None
        return value

    @field_validator("rate_limit_storage")
    @classmethod
    def _check_rate_limit_storage(cls, value: str) -> str:
        from limits.storage import storage_from_string

        try:
            storage_from_string(value)
        except Exception as exc:  # noqa: BLE001 - the library's errors vary by backend
            raise ValueError(f"SCRUTIN_RATE_LIMIT_STORAGE {value!r} is refused: {exc}") from exc
        return value

    @model_validator(mode="after")
    def _refuse_unsafe_settings(self) -> Settings:
        secret = self.secret_key.strip()
        if self.environment != "development" and secret in PLACEHOLDER_SECRETS:
            raise ValueError(
                "SCRUTIN_SECRET_KEY must be set to a real secret outside development "
                f"(environment={self.environment!r})"
            )
        if self.environment != "development" and len(secret) < 32:
            raise ValueError(
                "SCRUTIN_SECRET_KEY must be at least 32 characters (not counting surrounding "
                "whitespace) outside development"
            )
        if self.wiki_bot_username and self.wiki_bot_token:
            raise ValueError(
                "SCRUTIN_WIKI_BOT_USERNAME/PASSWORD (a BotPassword) and "
                "SCRUTIN_WIKI_BOT_TOKEN (OAuth) are exclusive: give one"
            )
        if bool(self.wiki_bot_username) != bool(self.wiki_bot_password):
            raise ValueError(
                "a BotPassword needs both SCRUTIN_WIKI_BOT_USERNAME and SCRUTIN_WIKI_BOT_PASSWORD"
            )
        if (self.wiki_bot_username or self.wiki_bot_token) and not self.wiki_bot_api:
            raise ValueError("the wiki bot account needs SCRUTIN_WIKI_API_URL (or SCRUTIN_WIKI_BOT_API_URL)")
        if self.environment == "production" and self.dev_login:
            raise ValueError("SCRUTIN_DEV_LOGIN (password-less login by name) is refused in production")
        if self.environment == "production" and self.demo and self.uses_embedded_database:
            raise ValueError(
                "production on the embedded SQLite database with the demo election on: set "
                "SCRUTIN_DATABASE_URL to PostgreSQL, or SCRUTIN_DEMO=false to run production "
                "on SQLite without the demo"
            )
        return self

    @property
    def admin_usernames(self) -> frozenset[str]:
        names = {n.strip() for n in self.admins.split(",") if n.strip()}
        if not names and self.environment == "development":
            # The embedded default's demo needs someone who can create elections.
            names = {"Admin"}
        return frozenset(names)

    @property
    def wiki_bot_api(self) -> str:
        """The API the bot account writes to (and reads pages from)."""
        return self.wiki_bot_api_url or self.wiki_api_url

    @property
    def dev_login_enabled(self) -> bool:
        """Password-less login by name: in development, or on a test server that opted in."""
        return self.environment == "development" or (self.environment == "test" and self.dev_login)

    @property
    def trusted_proxy_list(self) -> list[str]:
        return [p.strip() for p in self.trusted_proxies.split(",") if p.strip()]

    @property
    def rate_limits(self) -> dict[str, str]:
        """Each rate-limit class and its limits (empty: unlimited)."""
        return {
            "login": self.rate_limit_login,
            "invitations": self.rate_limit_invitations,
            "cast": self.rate_limit_cast,
            "export": self.rate_limit_export,
            "sensitive_read": self.rate_limit_sensitive_read,
        }

    @property
    def effective_log_format(self) -> str:
        return self.log_format or ("json" if self.environment == "production" else "text")

    @property
    def uses_embedded_database(self) -> bool:
        return not self.database_url

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return normalize_database_url(self.database_url)
        return f"sqlite:///{(self.data_dir / 'scrutin.db').as_posix()}"


def normalize_database_url(url: str) -> str:
    """Accept plain ``postgresql://`` URLs and use the psycopg 3 driver for them."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class SettingsError(Exception):
    """The environment's settings are refused; the message says which and why."""


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        messages = [str(e.get("msg", "")).removeprefix("Value error, ") for e in exc.errors()]
        raise SettingsError("invalid settings: " + "; ".join(messages)) from exc
