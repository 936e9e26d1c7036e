"""Test databases: a temporary SQLite file, or a throw-away PostgreSQL database when
SCRUTIN_TEST_DATABASE_URL points at a server (CI sets it to run the suite on PostgreSQL)."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app.config import normalize_database_url

POSTGRES_ENV = "SCRUTIN_TEST_DATABASE_URL"


def postgres_admin_url() -> str | None:
    url = os.environ.get(POSTGRES_ENV, "").strip()
    return normalize_database_url(url) if url else None


def create_database(tmp_dir: Path) -> str:
    """A new empty database; returns its SQLAlchemy URL."""
    admin = postgres_admin_url()
    if admin is None:
        return f"sqlite:///{(tmp_dir / f'scrutin-{uuid.uuid4().hex[:8]}.db').as_posix()}"
    name = f"scrutin_test_{uuid.uuid4().hex[:12]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return make_url(admin).set(database=name).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    admin = postgres_admin_url()
    if admin is None or not url.startswith("postgresql"):
        return
    name = make_url(url).database
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()
