"""``scrutin verify``: readable and JSON reports, exit 1 with the precise message on a bad
record, exit 2 on a file that is not a record."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from app.cli import cli
from tests.verify.records import Built, first, rehash, run_election

runner = CliRunner()


@pytest.fixture(scope="module")
def built(service) -> Built:
    client, tmp = service
    return run_election(
        client,
        tmp / "cli",
        {"W1": [[[1, 0]]], "W2": [[[-1, 1]], [[1, 1]]]},
        candidates=2,
        trustees=2,
        threshold=2,
    )


def write(tmp_path, data, name="record.json"):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return str(path)


def test_readable_report(built, tmp_path) -> None:
    result = runner.invoke(cli, ["verify", write(tmp_path, built.record), "--workers", "1"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert f"Election {built.election_id}: record verified (stage: published)" in out
    for check in (
        "chain",
        "setup",
        "credentials",
        "ballots",
        "counted",
        "aggregate",
        "decryption_shares",
        "totals",
        "result",
    ):
        assert f"✓ {check}" in out
    assert "[ballots 3, workers 1]" in out
    assert "Candidate 0" in out and "Result (2 ballots counted)" in out
    assert f"Chain head: {built.record['board'][-1]['hash']}" in out


def test_json_report(built, tmp_path) -> None:
    result = runner.invoke(cli, ["verify", write(tmp_path, built.record), "--json", "--workers", "2"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["verified"] is True and data["stage"] == "published"
    assert data["totals"] == [2, 0, 1, 0]
    assert data["result"]["questions"][0]["candidates"][0]["support"] == 2


def test_tampered_record_exits_1_with_the_message(built, tmp_path) -> None:
    record = built.copy()
    result_event = first(record, "result")
    result_event["payload"]["result"]["questions"][0]["candidates"][0]["passed"] = False
    rehash(record)
    path = write(tmp_path, record)
    result = runner.invoke(cli, ["verify", path, "--workers", "1"])
    assert result.exit_code == 1
    assert "record does NOT verify" in result.output
    assert f"board event {result_event['seq']} (result)" in result.output
    assert "candidates[0].passed" in result.output
    as_json = runner.invoke(cli, ["verify", path, "--json", "--workers", "1"])
    assert as_json.exit_code == 1
    data = json.loads(as_json.output)
    assert data["verified"] is False and "candidates[0].passed" in data["error"]


def test_broken_chain_exits_1(built, tmp_path) -> None:
    record = built.copy()
    record["board"][3]["payload"]["index"] = 9
    result = runner.invoke(cli, ["verify", write(tmp_path, record), "--workers", "1"])
    assert result.exit_code == 1 and "board event 4" in result.output


@pytest.mark.parametrize(
    "content,message",
    [
        ("not json at all", "is not JSON"),
        ({"format": "other"}, "not an election record"),
        ({"format": "scrutin-record", "version": 99}, "unsupported record version 99"),
        ([1, 2], "expected a JSON object"),
    ],
)
def test_not_a_record_exits_2(tmp_path, content, message) -> None:
    result = runner.invoke(cli, ["verify", write(tmp_path, content)])
    assert result.exit_code == 2
    assert message in result.output


def test_missing_file_exits_2(tmp_path) -> None:
    result = runner.invoke(cli, ["verify", str(tmp_path / "nope.json")])
    assert result.exit_code == 2 and "cannot read" in result.output
