import pytest

from app.config import Settings
from tests.fakes.pytest_fixtures import fake_wiki, fake_wiki_server  # noqa: F401


@pytest.fixture
def settings(database_url: str, tmp_path) -> Settings:
    from tests.conftest import TEST_RATE_LIMITS, TEST_SECRET

    return Settings(
        environment="test",
        dev_login=True,
        secret_key=TEST_SECRET,
        **TEST_RATE_LIMITS,
        database_url=database_url,
        data_dir=tmp_path,
        demo=False,
        admins="Admin",
    )
