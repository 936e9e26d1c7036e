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


def csrf_token(client, path: str = "/login") -> str:
    import re

    page = client.get(path)
    return re.search(r'name="csrf_token" value="([0-9a-f]+)"', page.text).group(1)


def login(client, username: str) -> None:
    response = client.post(
        "/login", data={"username": username, "csrf_token": csrf_token(client)}, follow_redirects=False
    )
    assert response.status_code == 303, response.text
