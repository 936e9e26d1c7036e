"""``scrutin backup`` / ``scrutin restore``: the whole database to one file and back.

PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore`` (postgresql-client, of the server's
major version or newer); the password goes through ``PGPASSWORD``, never the command line.
SQLite: the online backup API (``sqlite3.Connection.backup``), consistent while the service
runs. A restore refuses a database that has any table unless ``force``; with ``force`` the
target's tables are dropped first (PostgreSQL: the ``public`` schema is recreated; SQLite: the
file's pages are replaced). Either file is checked to be a Scrutin database (it has an Alembic
revision) before anything is replaced.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import URL, make_url

from app import db

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"


class BackupError(Exception):
    """A backup or restore refused or failed; the message says why (one line)."""


@dataclass(frozen=True)
class Outcome:
    kind: str  # "sqlite" | "postgresql"
    revision: str | None
    path: Path

    def describe(self, verb: str) -> str:
        size = self.path.stat().st_size if self.path.exists() else 0
        return (
            f"{verb} {self.kind} database at schema revision {self.revision or 'none'} "
            f"({size:,} bytes: {self.path})"
        )


def _kind(url: str) -> str:
    if url.startswith("sqlite"):
        return "sqlite"
    if url.startswith("postgresql"):
        return "postgresql"
    raise BackupError(f"backups support SQLite and PostgreSQL, not {url.split(':', 1)[0]}")


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(database)


def _pg_command(tool: str, url: URL) -> tuple[list[str], dict[str, str]]:
    binary = shutil.which(tool)
    if binary is None:
        raise BackupError(
            f"{tool} not found: install PostgreSQL's client tools (Debian: apt-get install postgresql-client)"
        )
    args = [binary, "--no-password"]
    if url.host:
        args += ["--host", url.host]
    if url.port:
        args += ["--port", str(url.port)]
    if url.username:
        args += ["--username", url.username]
    env = {**os.environ}
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    for key, value in (url.query or {}).items():
        if key == "sslmode":
            env["PGSSLMODE"] = str(value)
    return args, env


def _run(args: list[str], env: dict[str, str], what: str) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        detail = " ".join((done.stderr or done.stdout).split())[:500]
        raise BackupError(f"{what} failed: {detail}")


def _revision_of(url: str) -> str | None:
    engine = db.make_engine(url)
    try:
        return db.current_revision(engine)
    finally:
        engine.dispose()


def _tables(url: str) -> list[str]:
    engine = db.make_engine(url)
    try:
        return list(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def backup(url: str, target: Path, *, force: bool = False) -> Outcome:
    """Write the database at ``url`` to ``target`` (a new file unless ``force``)."""
    kind = _kind(url)
    if target.exists() and not force:
        raise BackupError(f"{target} exists: give another file, or --force to replace it")
    if kind == "sqlite" and not _sqlite_path(url).exists():
        raise BackupError(f"no database at {_sqlite_path(url)}")
    revision = _revision_of(url)
    if revision is None:
        raise BackupError("the database has no Scrutin schema (run `scrutin db upgrade`?)")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        if kind == "sqlite":
            source = sqlite3.connect(_sqlite_path(url))
            destination = sqlite3.connect(partial)
            try:
                with destination:
                    source.backup(destination)
                destination.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            finally:
                destination.close()
                source.close()
        else:
            parsed = make_url(url)
            args, env = _pg_command("pg_dump", parsed)
            _run(
                args
                + [
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    f"--file={partial}",
                    str(parsed.database),
                ],
                env,
                "pg_dump",
            )
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return Outcome(kind, revision, target)


def _backup_kind(source: Path) -> str:
    try:
        with source.open("rb") as handle:
            head = handle.read(16)
    except FileNotFoundError:
        raise BackupError(f"no backup file at {source}") from None
    except OSError as exc:
        raise BackupError(f"cannot read {source}: {exc.strerror or exc}") from None
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PGDUMP_MAGIC):
        return "postgresql"
    raise BackupError(
        f"{source} is not a Scrutin backup (neither a SQLite file nor a pg_dump custom-format archive)"
    )


def restore(url: str, source: Path, *, force: bool = False) -> Outcome:
    """Replace the database at ``url`` by the backup ``source``. Refuses a database with any
    table unless ``force``."""
    kind = _kind(url)
    backup_kind = _backup_kind(source)
    if backup_kind != kind:
        raise BackupError(
            f"{source} is a {backup_kind} backup; the configured database is "
            f"{kind} (restore it into a {backup_kind} database, then move the "
            "data another way)"
        )
    if kind == "sqlite":
        check = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            ok = check.execute("PRAGMA quick_check").fetchone()
            revision = check.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"{source} is not a Scrutin database: {exc}") from None
        finally:
            check.close()
        if not ok or ok[0] != "ok":
            raise BackupError(f"{source} is damaged: {ok[0] if ok else 'no answer'}")
        if revision is None:
            raise BackupError(f"{source} has no Scrutin schema revision")
    present = _tables(url) if kind == "postgresql" or _sqlite_path(url).exists() else []
    if present and not force:
        raise BackupError(
            f"the database is not empty ({len(present)} tables): restore into "
            "an empty database, or --force to replace its contents"
        )
    if kind == "sqlite":
        path = _sqlite_path(url)
        path.parent.mkdir(parents=True, exist_ok=True)
        source_db = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        target_db = sqlite3.connect(path)
        try:
            with target_db:
                source_db.backup(target_db)
        finally:
            target_db.close()
            source_db.close()
    else:
        parsed = make_url(url)
        if present:
            engine = db.make_engine(url)
            try:
                with engine.begin() as connection:
                    connection.execute(text("DROP SCHEMA public CASCADE"))
                    connection.execute(text("CREATE SCHEMA public"))
            finally:
                engine.dispose()
        args, env = _pg_command("pg_restore", parsed)
        _run(
            args
            + [
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                f"--dbname={parsed.database}",
                str(source),
            ],
            env,
            "pg_restore",
        )
    revision = _revision_of(url)
    if revision is None:
        raise BackupError(f"{source} restored, but it holds no Scrutin schema revision")
    return Outcome(kind, revision, source)
