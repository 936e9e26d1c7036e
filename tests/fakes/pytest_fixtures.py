"""Pytest fixtures for the fake wiki. In a conftest.py::

    from tests.fakes.pytest_fixtures import fake_wiki, fake_wiki_server  # noqa: F401

``fake_wiki_server`` (session scope) is the running :class:`FakeWikiServer`; ``fake_wiki`` (per
test) is the same server with a fresh :func:`default_farm` — change ``fake_wiki.farm`` freely.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.wiki import FakeWikiServer
from tests.fakes.wiki_data import default_farm


@pytest.fixture(scope="session")
def fake_wiki_server() -> Iterator[FakeWikiServer]:
    with FakeWikiServer(default_farm()) as server:
        yield server


@pytest.fixture
def fake_wiki(fake_wiki_server: FakeWikiServer) -> FakeWikiServer:
    fake_wiki_server.use(default_farm())
    return fake_wiki_server
