import pytest
from pydantic import ValidationError

from app.config import Settings, normalize_database_url


def test_development_allows_placeholder_secret(monkeypatch) -> None:
    monkeypatch.delenv("SCRUTIN_SECRET_KEY", raising=False)
    assert Settings(environment="development").secret_key


@pytest.mark.parametrize("secret", ["", "change-me", "development-only-secret", "short"])
def test_production_refuses_placeholder_or_short_secret(secret: str) -> None:
    with pytest.raises(ValidationError, match="SCRUTIN_SECRET_KEY"):
        Settings(environment="production", secret_key=secret)


def test_settings_come_from_environment(monkeypatch) -> None:
    monkeypatch.setenv("SCRUTIN_ENVIRONMENT", "production")
    monkeypatch.setenv("SCRUTIN_SECRET_KEY", "k" * 40)
    monkeypatch.setenv("SCRUTIN_DATABASE_URL", "postgresql://u:p@db/scrutin")
    settings = Settings()
    assert settings.environment == "production"
    assert settings.effective_database_url == "postgresql+psycopg://u:p@db/scrutin"
    assert not settings.uses_embedded_database


def test_embedded_default_is_sqlite_under_data_dir(tmp_path) -> None:
    settings = Settings(data_dir=tmp_path, database_url="")
    assert settings.uses_embedded_database
    assert settings.effective_database_url == f"sqlite:///{tmp_path.as_posix()}/scrutin.db"


def test_normalize_keeps_explicit_drivers() -> None:
    assert normalize_database_url("sqlite:///x.db") == "sqlite:///x.db"
    assert normalize_database_url("postgres://a/b") == "postgresql+psycopg://a/b"
