"""CLI user mistakes print one line (``error: …``) and a non-zero status, never a traceback:
``python -m app``, an unreachable database, a database without the schema, an unknown schema
revision, an unreachable server, an unknown election, a bad option or setting value."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import cli
from app.local_server import free_port, live_server

ROOT = Path(__file__).resolve().parents[2]
UNREACHABLE_DB = "postgresql://nobody:secret-pw@127.0.0.1:1/nothing"


@pytest.fixture(autouse=True)
def _keep_logging(keep_logging):
    """`scrutin outbox work` configures the process's logging (tests/service/conftest.py)."""


def one_line_error(result, code: int) -> str:
    assert result.exit_code == code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    assert "Traceback" not in result.output
    return lines[0]


def invoke(*args: str, **env: str):
    return CliRunner().invoke(cli, list(args), env=env)


def python_m_app(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **env},
    )


def test_python_m_app_prints_usage() -> None:
    bare = python_m_app()
    assert bare.returncode == 2 and "Usage:" in bare.stdout + bare.stderr
    assert "Traceback" not in bare.stderr
    helped = python_m_app("--help")
    assert helped.returncode == 0 and "backup" in helped.stdout and "outbox" in helped.stdout


@pytest.mark.parametrize(
    "args",
    [["db", "current"], ["db", "upgrade"], ["purge"], ["backup", "x.backup"], ["outbox", "work", "--once"]],
)
def test_an_unreachable_database_is_one_line(args, tmp_path) -> None:
    line = one_line_error(
        invoke(
            *[a if a != "x.backup" else str(tmp_path / a) for a in args],
            SCRUTIN_DATABASE_URL=UNREACHABLE_DB,
            SCRUTIN_DATA_DIR=str(tmp_path),
        ),
        1,
    )
    assert "cannot use the database" in line and "Connection refused" in line
    assert "secret-pw" not in line  # the password is never printed


def test_a_database_without_the_schema_says_to_upgrade(tmp_path) -> None:
    line = one_line_error(invoke("purge", SCRUTIN_DATABASE_URL="", SCRUTIN_DATA_DIR=str(tmp_path)), 1)
    assert "no Scrutin schema" in line and "scrutin db upgrade" in line


def test_an_unknown_revision_is_a_bad_value(tmp_path) -> None:
    for command in ("upgrade", "downgrade"):
        line = one_line_error(
            invoke("db", command, "nosuchrev", SCRUTIN_DATABASE_URL="", SCRUTIN_DATA_DIR=str(tmp_path)), 2
        )
        assert "nosuchrev" in line


def test_an_unreachable_server_is_one_line(tmp_path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    line = one_line_error(
        invoke("vote", "--election", "e1", "--choices", "1", "--url", url, "--dev-user", "Alice"), 1
    )
    assert f"cannot reach {url}" in line


def test_an_unknown_election_is_one_line(settings, tmp_path) -> None:
    with live_server(settings) as url:
        for args in (
            ["vote", "--election", "nope", "--choices", "1"],
            ["audit", "verify", "--election", "nope"],
        ):
            line = one_line_error(invoke(*args, "--url", url, "--dev-user", "Admin"), 1)
            assert "election_not_found" in line


def test_bad_setting_values_are_one_line(tmp_path) -> None:
    for value in ("mysql://x@y/z", "nonsense", "postgresql://x@y:notaport/z"):
        done = python_m_app("db", "current", SCRUTIN_DATABASE_URL=value, SCRUTIN_DATA_DIR=str(tmp_path))
        assert done.returncode == 2, done.stderr
        assert done.stderr.strip().startswith("error: invalid settings: SCRUTIN_DATABASE_URL")
        assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
    workers = python_m_app("db", "current", SCRUTIN_WORKERS="many", SCRUTIN_DATA_DIR=str(tmp_path))
    assert workers.returncode == 2 and "Traceback" not in workers.stderr


def test_bad_option_values_are_refused_without_traceback(tmp_path) -> None:
    for args in (
        ["serve", "--workers", "0"],
        ["serve", "--port", "x"],
        ["outbox", "work", "--interval", "0"],
    ):
        result = invoke(*args, SCRUTIN_DATA_DIR=str(tmp_path))
        assert result.exit_code == 2 and "Traceback" not in result.output, result.output
