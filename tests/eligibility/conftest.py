from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from app.eligibility import MediaWikiProvider, parse_rules
from app.eligibility.rules import Rules
from tests.fakes.pytest_fixtures import fake_wiki, fake_wiki_server  # noqa: F401
from tests.fakes.wiki import FakeWikiServer
from tests.fakes.wiki_data import STANDARD_RULES

# Short timeouts and backoffs: the suite must stay fast.
FAST = {"timeout": 2.0, "max_retries": 2, "backoff": 0.001, "max_backoff": 0.01}


@pytest.fixture
def make_provider(fake_wiki: FakeWikiServer) -> Iterator[Callable[..., MediaWikiProvider]]:  # noqa: F811
    made: list[MediaWikiProvider] = []

    def make(wiki: str = "enwiki", **kwargs: object) -> MediaWikiProvider:
        provider = MediaWikiProvider(fake_wiki.api_url(wiki), **{**FAST, **kwargs})  # type: ignore[arg-type]
        made.append(provider)
        return provider

    yield make
    for provider in made:
        provider.close()


@pytest.fixture
def provider(make_provider: Callable[..., MediaWikiProvider]) -> MediaWikiProvider:
    return make_provider()


@pytest.fixture
def standard_rules() -> Rules:
    return parse_rules(STANDARD_RULES)
