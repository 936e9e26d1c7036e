"""Migrations: up, down, up again; and the models agree with the migrated schema."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from app import db
from app.models import Base


def test_upgrade_downgrade_upgrade(fresh_database_url: str) -> None:
    db.upgrade(fresh_database_url)
    engine = db.make_engine(fresh_database_url)
    assert db.current_revision(engine) == db.head_revision()
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables

    db.downgrade(fresh_database_url, "base")
    assert db.current_revision(engine) is None
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}

    db.upgrade(fresh_database_url)
    assert db.current_revision(engine) == db.head_revision()
    engine.dispose()


def test_models_match_migrations(database_url: str) -> None:
    engine = db.make_engine(database_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert diff == [], f"models and migrations disagree: {diff}"
