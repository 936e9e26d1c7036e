"""Fixtures for malicious-server tests (see ``tests/adversary/proxy.py`` for the rule API).

``live_url``  an honest live server (uvicorn on 127.0.0.1, the session's test database).
``proxy``     a ``MaliciousProxy`` in front of it: point clients or Chromium at ``proxy.url``.
``honest``    an ``httpx.Client`` straight to the live server (set-up that the proxy must not see).
``chromium``  the session-wide browser from tests/browser/fixtures.py (a root-level plugin).
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from app.config import Settings
from app.local_server import live_server
from tests.adversary.proxy import MaliciousProxy


@pytest.fixture
def live_url(database_url: str, tmp_path) -> Iterator[str]:
    from tests.conftest import TEST_RATE_LIMITS, TEST_SECRET

    settings = Settings(
        environment="test",
        dev_login=True,
        secret_key=TEST_SECRET,
        **TEST_RATE_LIMITS,
        database_url=database_url,
        data_dir=tmp_path,
        demo=False,
        admins="Admin",
        scheduler_interval_seconds=1.0,
    )
    with live_server(settings) as url:
        yield url


@pytest.fixture
def proxy(live_url: str) -> Iterator[MaliciousProxy]:
    with MaliciousProxy(live_url) as p:
        yield p


@pytest.fixture
def honest(live_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_url, timeout=60) as client:
        yield client
