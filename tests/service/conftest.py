import pytest

from app.config import Settings


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


@pytest.fixture
def keep_logging():
    """Commands such as `scrutin outbox work` configure the process's logging (as a real
    worker must): put pytest's back after the test."""
    import logging

    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
