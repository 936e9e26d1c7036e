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


@pytest.mark.parametrize("secret", [" " * 32, " " * 40, "\t" * 33, "  short-but-padded  " + " " * 20])
def test_production_refuses_whitespace_secrets(secret: str) -> None:
    with pytest.raises(ValidationError, match="SCRUTIN_SECRET_KEY"):
        Settings(environment="production", secret_key=secret, demo=False)


def test_dev_login_only_in_development_or_an_opted_in_test_server(tmp_path) -> None:
    secret = "k" * 40
    assert Settings(environment="development").dev_login_enabled
    assert not Settings(environment="test", secret_key=secret).dev_login_enabled
    assert Settings(environment="test", secret_key=secret, dev_login=True).dev_login_enabled
    assert not Settings(environment="production", secret_key=secret, demo=False).dev_login_enabled
    with pytest.raises(ValidationError, match="SCRUTIN_DEV_LOGIN"):
        Settings(environment="production", secret_key=secret, dev_login=True, demo=False)


def test_production_refuses_the_demo_on_the_embedded_database(monkeypatch, tmp_path) -> None:
    secret = "k" * 40
    with pytest.raises(ValidationError, match="SCRUTIN_DEMO=false"):
        Settings(environment="production", secret_key=secret, data_dir=tmp_path)
    assert Settings(environment="production", secret_key=secret, data_dir=tmp_path, demo=False)
    assert Settings(environment="production", secret_key=secret, database_url="postgresql://u@db/s")
    # From the command line: a clear message and exit status 2, not a traceback.
    from typer.testing import CliRunner

    from app.cli import cli, main
    from app.config import SettingsError, load_settings

    monkeypatch.setenv("SCRUTIN_ENVIRONMENT", "production")
    monkeypatch.setenv("SCRUTIN_SECRET_KEY", secret)
    monkeypatch.setenv("SCRUTIN_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("SCRUTIN_DATABASE_URL", raising=False)
    monkeypatch.delenv("SCRUTIN_DEMO", raising=False)
    with pytest.raises(SettingsError, match="SCRUTIN_DEMO=false"):
        load_settings()
    result = CliRunner().invoke(cli, ["serve"])
    assert isinstance(result.exception, SettingsError)
    monkeypatch.setattr("sys.argv", ["scrutin", "serve"])
    with pytest.raises(SystemExit) as exited:
        main()
    assert exited.value.code == 2


def test_trusted_proxies_are_parsed() -> None:
    assert Settings().trusted_proxy_list == []
    assert Settings(trusted_proxies=" 10.0.0.1, 172.16.0.0/12 ,").trusted_proxy_list == [
        "10.0.0.1",
        "172.16.0.0/12",
    ]
