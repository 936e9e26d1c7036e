from fastapi.testclient import TestClient

from app import db
from app.config import Settings
from app.main import create_app
from tests.conftest import TEST_RATE_LIMITS, TEST_SECRET


def test_healthz(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_when_schema_is_current(client: TestClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["revision"] == db.head_revision()


def test_readyz_fails_when_schema_is_behind(fresh_database_url: str, tmp_path) -> None:
    db.upgrade(fresh_database_url, "0001")
    settings = Settings(
        environment="test",
        dev_login=True,
        secret_key=TEST_SECRET,
        **TEST_RATE_LIMITS,
        database_url=fresh_database_url,
        data_dir=tmp_path,
    )
    application = create_app(settings)
    with TestClient(application) as client:
        if db.head_revision() != "0001":
            response = client.get("/readyz")
            assert response.status_code == 503
            assert response.json()["error"] == "schema_outdated"
        db.downgrade(fresh_database_url, "base")
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.json()["error"] == "schema_outdated"
    application.state.engine.dispose()


def test_readyz_fails_when_database_unreachable(tmp_path) -> None:
    settings = Settings(
        environment="test",
        dev_login=True,
        secret_key=TEST_SECRET,
        **TEST_RATE_LIMITS,
        database_url=f"sqlite:///{tmp_path}/no/such/dir/x.db",
        data_dir=tmp_path,
    )
    application = create_app(settings)
    # make_engine creates the directory for SQLite; remove it to make the database unreachable.
    (tmp_path / "no" / "such" / "dir").rmdir()
    with TestClient(application) as client:
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["error"] == "database_unreachable"


def test_unknown_route_uses_error_shape(client: TestClient) -> None:
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert set(response.json()) == {"error", "detail"}


def test_oversized_body_is_refused(settings: Settings) -> None:
    small = settings.model_copy(update={"max_request_bytes": 2048})
    application = create_app(small)
    with TestClient(application) as client:
        response = client.post("/healthz", content=b"x" * 5000)
    assert response.status_code == 413
    assert response.json()["error"] == "payload_too_large"
    application.state.engine.dispose()
