"""`scrutin simulate`: whole elections over real HTTP, checked against the plaintext votes and
verified from the record alone."""

import json

import pytest
from typer.testing import CliRunner

from app import db
from app.cli import cli
from tests.dbutil import create_database, drop_database, postgres_admin_url


@pytest.fixture
def database_option(tmp_path):
    """On the PostgreSQL run, simulate against a fresh PostgreSQL database too."""
    if postgres_admin_url() is None:
        yield []
        return
    url = create_database(tmp_path)
    db.upgrade(url)
    yield ["--database-url", url]
    drop_database(url)


@pytest.mark.parametrize(
    "scenario, server", [("basic", []), ("basic", ["--server-process"]), ("remediation", [])]
)
def test_simulate(scenario, server, tmp_path, database_option) -> None:
    out = tmp_path / "record.json"
    result = CliRunner().invoke(
        cli,
        [
            "simulate",
            *server,
            "--voters",
            "10",
            "--candidates",
            "3",
            "--trustees",
            "3",
            "--threshold",
            "2",
            "--revote-rate",
            "0.3",
            "--seed",
            "7",
            "--scenario",
            scenario,
            "--out",
            str(out),
            "--json",
            *database_option,
        ],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout[result.stdout.index("{") :])
    assert report["result_matches"] is True and report["verified"] is True
    assert {"setup_s", "ceremony_s", "casting_s", "tally_s", "verify_s"} <= set(report["timings"])
    record = json.loads(out.read_text())
    types = [e["type"] for e in record["board"]]
    if scenario == "remediation":
        assert {
            "paused",
            "ballot_struck",
            "extended",
            "revote_invited",
            "resumed",
            "ballot_definition",
            "scrutiny_started",
        } <= set(types)
    assert types[-1] == "result"


def test_simulate_refuses_bad_parameters(tmp_path) -> None:
    result = CliRunner().invoke(
        cli, ["simulate", "--trustees", "2", "--threshold", "3", "--out", str(tmp_path / "r.json")]
    )
    assert result.exit_code == 2
