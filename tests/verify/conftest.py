"""Fixtures for the record verifier: a service of its own per test module, so each module can
build its honest records once (module scope) and tamper with deep copies."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from tests.conftest import TEST_RATE_LIMITS, TEST_SECRET
from tests.verify.records import Built, run_election


@pytest.fixture(scope="module")
def service(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, Path]]:
    """(test client, key directory) on the session's database, alive for one test module."""
    tmp = tmp_path_factory.mktemp("verify")
    settings = Settings(
        environment="test",
        dev_login=True,
        secret_key=TEST_SECRET,
        **TEST_RATE_LIMITS,
        database_url=database_url,
        data_dir=tmp,
        demo=False,
        admins="Admin",
    )
    application = create_app(settings)
    with TestClient(application) as client:
        yield client, tmp
    application.state.engine.dispose()


VOTES = {"V1": [[[1, 1, -1]]], "V2": [[[-1, -1, -1]], [[1, -1, 0]]], "V3": [[[1, 0, 1]]]}
"""The honest protocol-2 election the tamper tests start from (test_tamper*.py)."""


@pytest.fixture(scope="module")
def built(service) -> Built:
    client, tmp = service
    # Trustees 1 and 3 decrypt; seats make the result rank and elect.
    return run_election(client, tmp / "sonc", VOTES, decrypting=(0, 2), seats=2)


@pytest.fixture
def rec(built) -> dict:
    """A deep copy of the honest record, to tamper with."""
    return built.copy()


@pytest.fixture(scope="session")
def simulated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A record of ``scrutin simulate`` (48 voters, 30 candidates, real HTTP): the record file
    the streaming and Dask tests verify."""
    from app.simulate import run_simulation

    out = tmp_path_factory.mktemp("simulated") / "record.json"
    run_simulation(
        voters=48,
        candidates=30,
        trustees=2,
        threshold=2,
        revote_rate=0.1,
        seed=5,
        out=out,
        workers=2,
        verify=False,
        log=lambda *args, **kw: None,
    )
    return out
