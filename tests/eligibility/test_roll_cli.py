"""``scrutin roll`` end to end: the Typer app from app.cli, the fake wiki over HTTP."""

from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from app.cli import cli
from tests.fakes.wiki_data import STANDARD_RULES

USERS = """# users to preview
Alice
Newbie@enwiki
locked_User
Slowpoke
"""


@pytest.fixture
def files(tmp_path):
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps(STANDARD_RULES))
    users = tmp_path / "users.txt"
    users.write_text(USERS)
    return rules, users


def run(*args: str):
    return CliRunner().invoke(cli, ["roll", *args])


def test_roll_json(fake_wiki, files) -> None:
    rules, users = files
    fake_wiki.farm.slow_users.pop("Slowpoke")
    result = run(
        "--rules", str(rules), "--api", fake_wiki.api_url(), "--users", str(users), "--backoff", "0.001"
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [set(r) for r in rows] == [{"user", "eligible", "reasons"}] * 4
    assert [(r["user"], r["eligible"]) for r in rows] == [
        ("Alice", True),
        ("Newbie@enwiki", False),
        ("Locked User", False),
        ("Slowpoke", True),
    ]
    assert rows[2]["reasons"] == ["global account is locked"]
    assert "not a bot on enwiki" in rows[0]["reasons"]


def test_roll_csv_with_an_unavailable_user(fake_wiki, files, tmp_path) -> None:
    rules, users = files
    out = tmp_path / "roll.csv"
    result = run(
        "--rules",
        str(rules),
        "--api",
        fake_wiki.api_url(),
        "--users",
        str(users),
        "--format",
        "csv",
        "--timeout",
        "0.1",
        "--retries",
        "1",
        "--backoff",
        "0.001",
        "--output",
        str(out),
    )
    assert result.exit_code == 3, result.output
    assert "1 of 4 users could not be checked" in result.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert [(r["user"], r["eligible"]) for r in rows] == [
        ("Alice", "true"),
        ("Newbie@enwiki", "false"),
        ("Locked User", "false"),
        ("Slowpoke", ""),
    ]
    assert rows[3]["reasons"].startswith("eligibility could not be checked (wiki_timeout)")
    assert "; " in rows[1]["reasons"]


def test_roll_from_a_static_roll(files, tmp_path) -> None:
    rules, users = files
    roll = tmp_path / "roll.txt"
    roll.write_text("Alice@enwiki\nSlowpoke\n")
    plain = tmp_path / "plain.json"
    plain.write_text('{"wiki": "enwiki"}')
    result = run("--rules", str(plain), "--roll", str(roll), "--users", str(users))
    assert result.exit_code == 0, result.output
    assert [r["eligible"] for r in json.loads(result.stdout)] == [True, False, False, True]
    # Rules the roll cannot answer: reported per user, exit status 3, never a guess.
    result = run("--rules", str(rules), "--roll", str(roll), "--users", str(users))
    assert result.exit_code == 3
    assert all(r["eligible"] is None for r in json.loads(result.stdout))


def test_bad_input_exits_2(fake_wiki, files, tmp_path) -> None:
    rules, users = files
    bad = tmp_path / "bad.json"
    bad.write_text('{"rules": {"edits_before": {"count": 5, "date": "2024-13-01"}}}')
    result = run("--rules", str(bad), "--api", fake_wiki.api_url(), "--users", str(users))
    assert result.exit_code == 2
    assert "rules.edits_before.date: invalid date '2024-13-01'" in result.stderr
    result = run("--rules", str(rules), "--users", str(users))
    assert result.exit_code == 2 and "exactly one of --api and --roll" in result.stderr
    bad_users = tmp_path / "users-bad.txt"
    bad_users.write_text("Alice\nBob@Not A Wiki\n")
    result = run("--rules", str(rules), "--api", fake_wiki.api_url(), "--users", str(bad_users))
    assert result.exit_code == 2 and "line 2: invalid wiki id" in result.stderr
