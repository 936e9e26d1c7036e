"""Fixtures for the record verifier: a service of its own per test module, so each module can
build its honest records once (module scope) and tamper with deep copies."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from tests.conftest import TEST_SECRET


@pytest.fixture(scope="module")
def service(database_url: str, tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[tuple[TestClient, Path]]:
    """(test client, key directory) on the session's database, alive for one test module."""
    tmp = tmp_path_factory.mktemp("verify")
    settings = Settings(environment="test", secret_key=TEST_SECRET, database_url=database_url,
                        data_dir=tmp, demo=False, admins="Admin")
    application = create_app(settings)
    with TestClient(application) as client:
        yield client, tmp
    application.state.engine.dispose()
