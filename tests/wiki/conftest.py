from tests.fakes.pytest_fixtures import fake_wiki, fake_wiki_server  # noqa: F401
