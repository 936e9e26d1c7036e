"""Shared fixtures: one migrated database per test session (SQLite or PostgreSQL)."""

from __future__ import annotations

import os
from collections.abc import Iterator

# Every answer must match its declared response model exactly (app/schemas/responses.py):
# set before the app is imported, inherited by the servers the tests start.
os.environ.setdefault("SCRUTIN_STRICT_RESPONSES", "1")

import pytest  # noqa: E402
from fastapi.testclient import TestClient

from app import db
from app.config import Settings
from app.main import create_app
from tests.dbutil import create_database, drop_database

# The headless-Chromium fixtures (``chromium``, ``artifacts``), defined once for every directory.
pytest_plugins = ["tests.browser.fixtures"]

TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"
# Rate limits stay on in the tests (the code path runs everywhere) but never bind: one test
# client logs in many users from one address. tests/service/test_rate_limits.py sets tiny ones.
TEST_RATE_LIMITS = {
    f"rate_limit_{name}": "100000/minute"
    for name in ("login", "invitations", "cast", "export", "sensitive_read")
}


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = create_database(tmp_path_factory.mktemp("db"))
    db.upgrade(url)
    yield url
    drop_database(url)


@pytest.fixture
def fresh_database_url(tmp_path) -> Iterator[str]:
    """An empty, unmigrated database of the same kind as the session one."""
    url = create_database(tmp_path)
    yield url
    drop_database(url)


@pytest.fixture
def settings(database_url: str, tmp_path) -> Settings:
    return Settings(
        environment="test",
        dev_login=True,
        secret_key=TEST_SECRET,
        **TEST_RATE_LIMITS,
        database_url=database_url,
        data_dir=tmp_path,
        demo=False,
    )


@pytest.fixture
def app(settings: Settings):
    application = create_app(settings)
    yield application
    application.state.engine.dispose()


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client
