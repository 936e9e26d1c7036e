"""The static roll provider: plain lines and CSV."""

from __future__ import annotations

import pytest

from app.eligibility import MissingFacts, StaticRollProvider, check_voter, parse_rules
from app.eligibility.static_roll import RollFormatError

LINES = """# committee roll
Alice@enwiki
Bob_smith

Carol@dewiki
"""

CSV = """user,wiki,edit_count,registration,groups,blocked,locked,global_groups
Alice,enwiki,1500,2010-03-01,extendedconfirmed|sysop,no,false,
Newbie,enwiki,3,2024-12-01,,no,false,
Blocked,enwiki,900,2012-01-01,,sitewide,false,
Partial,enwiki,900,2012-01-01,,partial,false,
Locked,enwiki,900,2012-01-01,,,true,
Steward,metawiki,900,2012-01-01,,,,steward
"""


def test_lines_roll() -> None:
    roll = StaticRollProvider.from_text(LINES, name="roll.txt")
    assert len(roll) == 3 and roll.source == "static_roll:roll.txt"
    rules = parse_rules({})
    alice, snapshot = check_voter(rules, roll, "Alice")
    assert alice.eligible and alice.reasons == ["on the voter roll"]
    assert snapshot["on_roll"] is True
    assert check_voter(rules, roll, "Bob smith")[0].eligible
    assert not check_voter(rules, roll, "Mallory")[0].eligible
    enwiki = parse_rules({"wiki": "enwiki"})
    assert not check_voter(enwiki, roll, "Carol")[0].eligible  # on the roll for dewiki only
    assert check_voter(enwiki, roll, "Bob smith")[0].eligible  # any wiki
    assert check_voter(parse_rules({"wiki": "dewiki"}), roll, "Carol")[0].eligible


def test_lists_still_take_precedence() -> None:
    roll = StaticRollProvider.from_text(LINES)
    rules = parse_rules({"rules": {"exclude": ["Alice"], "include": ["Mallory"]}})
    assert check_voter(rules, roll, "Alice")[0].basis == "excluded"
    assert check_voter(rules, roll, "Mallory")[0].eligible


def test_csv_roll_with_facts(tmp_path) -> None:
    path = tmp_path / "roll.csv"
    path.write_text(CSV)
    roll = StaticRollProvider.from_file(path)
    rules = parse_rules(
        {
            "rules": {
                "min_edits": 100,
                "registered_before": "2024-01-01",
                "not_blocked": "sitewide",
                "not_locked": True,
            }
        }
    )
    verdicts = {
        user: check_voter(rules, roll, user)[0]
        for user in ("Alice", "Newbie", "Blocked", "Partial", "Locked")
    }
    assert {u: d.eligible for u, d in verdicts.items()} == {
        "Alice": True,
        "Newbie": False,
        "Blocked": False,
        "Partial": True,
        "Locked": False,
    }
    assert verdicts["Newbie"].failed_rules == ["min_edits", "registered_before"]
    groups = parse_rules({"rules": {"need_groups": ["sysop"]}})
    assert check_voter(groups, roll, "Alice")[0].eligible
    steward = parse_rules({"rules": {"need_global_groups": ["steward"]}})
    assert check_voter(steward, roll, "Steward")[0].eligible
    assert roll.users()[0] == ("Alice", "enwiki")


def test_rules_the_roll_cannot_answer() -> None:
    lines = StaticRollProvider.from_text(LINES)
    for rules in (
        {"min_edits": 1},
        {"registered_before": "2020-01-01"},
        {"not_blocked": "any"},
        {"need_groups": ["sysop"]},
        {"not_locked": True},
    ):
        with pytest.raises(MissingFacts):
            check_voter(parse_rules({"rules": rules}), lines, "Alice")
    csv_roll = StaticRollProvider.from_text(CSV)
    with pytest.raises(MissingFacts, match="dated edits"):
        check_voter(
            parse_rules({"rules": {"edits_before": {"count": 1, "date": "2020-01-01"}}}), csv_roll, "Alice"
        )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Alice@EN WIKI\n", "line 1: invalid wiki id"),
        ("user,wiki\nAlice,enwiki\nBob|x,enwiki\n", "line 3: invalid user name"),
        ("user,color\nAlice,red\n", "line 1: CSV header must contain 'user'"),
        ("user,edit_count\nAlice,lots\n", "line 2, column edit_count: not an integer: 'lots'"),
        ("user,registration\nAlice,2024-13-01\n", "line 2, column registration: registration: invalid date"),
        ("user,blocked\nAlice,maybe\n", "line 2, column blocked: expected no, sitewide or partial"),
        ("user,locked\nAlice,maybe\n", "line 2, column locked: expected true or false"),
    ],
)
def test_malformed_rolls_name_the_line(text: str, message: str) -> None:
    with pytest.raises(RollFormatError) as caught:
        StaticRollProvider.from_text(text)
    assert str(caught.value).startswith(message)
