"""Result arithmetic against published wiki and board results (../shared/data/elections)."""

import csv
import os
from pathlib import Path

import pytest

from crypto.results import passes, percent_display, sonc_question

DATA = Path(
    os.environ.get("SCRUTIN_ELECTION_DATA", Path(__file__).resolve().parents[1] / "data" / "elections")
)


def rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize(
    "row", [r for r in rows("admin_elections/enwiki_rfa_recent_2024.csv")], ids=lambda r: r["candidate"]
)
def test_enwiki_percentage_is_rounded(row) -> None:
    shown = percent_display(int(row["support"]), int(row["oppose"]), 0, "round")
    # The template prints ">99" when the rounded value is 100 but the rate is below 1.
    expected = "100" if row["published_pct"] == ">99" else row["published_pct"]
    assert shown == expected
    # The enwiki display mode prints exactly what the template published.
    assert percent_display(int(row["support"]), int(row["oppose"]), 0, "enwiki") == row["published_pct"]


def test_enwiki_display_mode_never_shows_100_or_0_unless_unanimous() -> None:
    assert percent_display(245, 1, 0, "enwiki") == ">99"
    assert percent_display(245, 1, 0, "round") == "100"
    assert percent_display(245, 0, 0, "enwiki") == "100"
    assert percent_display(1, 245, 0, "enwiki") == "<1"
    assert percent_display(0, 245, 0, "enwiki") == "0"
    assert percent_display(2000, 1, 1, "enwiki") == ">99.9"
    assert percent_display(1, 2000, 1, "enwiki") == "<0.1"
    assert percent_display(70, 30, 1, "enwiki") == "70.0"
    assert percent_display(0, 0, 0, "enwiki") is None


ZH = [r for r in rows("admin_elections/zhwiki_rfx_2024_2025.csv") if r["support"]]


@pytest.mark.parametrize("row", ZH, ids=lambda r: r["candidate"])
def test_zhwiki_percentage_rounding_and_truncation(row) -> None:
    s, o = int(row["support"]), int(row["oppose"])
    if "integer" in row["published_pct_format"]:
        assert percent_display(s, o, 0, "round") == row["published_support_pct"]
    else:
        assert percent_display(s, o, 1, "truncate") == row["published_support_pct"]


def test_zhwiki_2025_truncates_where_rounding_would_differ() -> None:
    # 133/185 = 71.89…% and 113/172 = 65.69…%: rounding would show 71.9 and 65.7.
    assert percent_display(133, 52, 1, "truncate") == "71.8"
    assert percent_display(133, 52, 1, "round") == "71.9"
    assert percent_display(113, 59, 1, "truncate") == "65.6"


def test_enwiki_admin_election_rule_is_exact_at_70_percent() -> None:
    rule = {"threshold_percent": "70", "comparison": ">=", "min_support": 0}
    assert passes(70, 30, rule)  # exactly 70.0 % passes with ≥
    assert not passes(69, 30, rule)  # 69.69… % fails even though it rounds to 70
    assert not passes(70, 30, {**rule, "comparison": ">"})
    assert not passes(0, 0, rule)  # no S or O votes: undefined rate, not passed
    assert not passes(5, 0, {**rule, "min_support": 10})


def test_wmf_board_2017_ranking_by_support_rate() -> None:
    data = list(reversed(rows("wikimedia_board/wmf_board_2017_support_neutral_oppose.csv")))
    question = {
        "kind": "sonc",
        "seats": 3,
        "pass_rule": {"threshold_percent": "0", "comparison": ">=", "display": "round", "decimals": 2},
        "candidates": [{"position": i, "name": r["candidate"]} for i, r in enumerate(data)],
    }
    # Present them in an order that is not the published one, with more support for Heilman
    # than for Jemielniak (as published): the rate, not the support count, decides.
    totals = []
    for r in data:
        totals += [int(r["support"]), int(r["oppose"])]
    result = sonc_question(question, totals)
    for r, row in zip(data, result["candidates"], strict=True):
        assert row["percent"] == r["published_support_pct"]
    published_order = sorted(range(len(data)), key=lambda i: int(data[i]["rank"]))
    by_position = {i: r for i, r in enumerate(data)}
    assert [by_position[p]["candidate"] for p in result["ranking"]] == [
        by_position[p]["candidate"] for p in published_order
    ]
    assert result["elected"] == result["ranking"][:3]
    assert result["tie"] is None


def test_ties_at_the_last_seat_are_reported_not_broken() -> None:
    question = {
        "kind": "sonc",
        "seats": 1,
        "pass_rule": {"threshold_percent": "50", "comparison": ">="},
        "candidates": [{"position": 0, "name": "A"}, {"position": 1, "name": "B"}],
    }
    result = sonc_question(question, [8, 2, 4, 1])  # both 80 %
    assert result["elected"] == []
    assert result["tie"] == {"candidates": [0, 1], "seats": 1}
