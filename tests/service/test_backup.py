"""``scrutin backup`` / ``scrutin restore``: a round trip on the suite's kind of database
(SQLite always, PostgreSQL when SCRUTIN_TEST_DATABASE_URL is set) serves the same election,
whose record verifies identically; a restore refuses a non-empty database unless --force."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from app import db
from app.cli import cli
from app.config import Settings
from app.main import create_app
from crypto.record import verify_record
from tests.conftest import TEST_RATE_LIMITS, TEST_SECRET
from tests.dbutil import create_database, drop_database
from tests.service.helpers import ADMIN, open_election, voter


@pytest.fixture
def two_databases(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    urls = create_database(tmp_path / "a"), create_database(tmp_path / "b")
    yield urls
    for url in urls:
        drop_database(url)


def app_on(url, tmp_path):
    settings = Settings(
        environment="test",
        dev_login=True,
        secret_key=TEST_SECRET,
        **TEST_RATE_LIMITS,
        database_url=url,
        data_dir=tmp_path,
        admins=ADMIN,
        demo=False,
    )
    return create_app(settings, run_scheduler=False)


def served(url, tmp_path, eid):
    """What the service answers about the election: its page data, board head and record."""
    app = app_on(url, tmp_path)
    with TestClient(app) as client:
        anonymous = client.get(f"/api/v1/elections/{eid}").json()
        head = client.get(f"/api/v1/elections/{eid}/board/head").json()
        record = client.get(f"/api/v1/elections/{eid}/record").json()
    app.state.engine.dispose()
    record.pop("exported_at", None)
    return anonymous, head, record


def run(*args, url, tmp_path):
    env = {"SCRUTIN_DATABASE_URL": url, "SCRUTIN_DATA_DIR": str(tmp_path)}
    return CliRunner().invoke(cli, list(args), env=env)


def test_backup_restore_round_trip(two_databases, tmp_path):
    source, target = two_databases
    db.upgrade(source)
    app = app_on(source, tmp_path)
    with TestClient(app) as client:
        admin, eid, _ = open_election(client, tmp_path, ["Alice", "Bob", "Carol"], trustees=1, threshold=1)
        for name in ("Alice", "Bob", "Carol"):
            voter(client, eid, name).cast([[1, 0, -1]])
        admin.post(f"/api/v1/elections/{eid}/close", {"reason": "end of the test"})
    app.state.engine.dispose()
    before = served(source, tmp_path, eid)

    file = tmp_path / "scrutin.backup"
    made = run("backup", str(file), url=source, tmp_path=tmp_path)
    assert made.exit_code == 0, made.output
    assert "backed up" in made.output and f"revision {db.head_revision()}" in made.output
    # An existing file is not overwritten without --force.
    again = run("backup", str(file), url=source, tmp_path=tmp_path)
    assert again.exit_code == 1 and "exists" in again.output and "Traceback" not in again.output

    restored = run("restore", str(file), url=target, tmp_path=tmp_path)
    assert restored.exit_code == 0, restored.output
    after = served(target, tmp_path, eid)
    assert after == before
    report_before = verify_record(before[2]).to_json()
    assert verify_record(after[2]).to_json() == report_before
    assert len(report_before["counted"]) == 3

    # A database that is not empty is refused, and left as it was …
    app = app_on(target, tmp_path)
    with TestClient(app) as client:
        _, other_eid, _ = open_election(client, tmp_path / "other", [], trustees=1, threshold=1)
    app.state.engine.dispose()
    refused = run("restore", str(file), url=target, tmp_path=tmp_path)
    assert refused.exit_code == 1 and "not empty" in refused.output
    assert len(refused.output.strip().splitlines()) == 1
    app = app_on(target, tmp_path)
    with TestClient(app) as client:
        assert client.get(f"/api/v1/elections/{other_eid}").status_code == 200
    app.state.engine.dispose()
    # … unless --force: then it holds exactly the backup.
    forced = run("restore", str(file), "--force", url=target, tmp_path=tmp_path)
    assert forced.exit_code == 0, forced.output
    app = app_on(target, tmp_path)
    with TestClient(app) as client:
        assert client.get(f"/api/v1/elections/{other_eid}").status_code == 404
    app.state.engine.dispose()
    assert served(target, tmp_path, eid) == before


def test_restore_refuses_what_is_not_a_backup(two_databases, tmp_path):
    _, target = two_databases
    junk = tmp_path / "notes.txt"
    junk.write_text("hello")
    result = run("restore", str(junk), url=target, tmp_path=tmp_path)
    assert result.exit_code == 1 and "not a Scrutin backup" in result.output
    missing = run("restore", str(tmp_path / "nope.backup"), url=target, tmp_path=tmp_path)
    assert missing.exit_code == 1 and "no backup file" in missing.output
    # A backup of the other kind of database is refused before anything is touched.
    other = tmp_path / "other.backup"
    other.write_bytes(
        b"PGDMP" + b"\0" * 100 if target.startswith("sqlite") else b"SQLite format 3\x00" + b"\0" * 100
    )
    crossed = run("restore", str(other), url=target, tmp_path=tmp_path)
    assert crossed.exit_code == 1 and "backup; the configured database is" in crossed.output
    for answer in (result, missing, crossed):
        assert "Traceback" not in answer.output


def test_backup_of_a_database_without_schema_is_refused(two_databases, tmp_path):
    source, _ = two_databases
    if source.startswith("sqlite"):
        result = run("backup", str(tmp_path / "x.backup"), url=source, tmp_path=tmp_path)
        assert result.exit_code == 1 and "no database at" in result.output
    db.upgrade(source, "base")  # Alembic's own table, no revision: not a Scrutin database
    result = run("backup", str(tmp_path / "y.backup"), url=source, tmp_path=tmp_path)
    assert result.exit_code == 1 and "no Scrutin schema" in result.output
    assert not (tmp_path / "y.backup").exists()
