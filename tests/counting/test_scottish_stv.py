"""Scottish STV (SSI 2007/42) on the Irish 2002 ballots: quota and first stage against the
official figures, plus the rule details on small hand-checked profiles."""

from __future__ import annotations

import csv
from decimal import Decimal

import pytest

from app.counting import Profile, count
from tests.counting.conftest import data_path, profile

PARTIES = {"F.F.": "FF", "F.G.": "FG", "Lab": "Lab", "G.P.": "GP", "S.F.": "SF", "P.D.": "PD"}


def _official(file: str) -> dict:
    with open(data_path("stv_irish2002", "EXPECTED_WINNERS.csv"), newline="") as fh:
        row = next(r for r in csv.DictReader(fh) if r["file"] == file)
    prefs = {}
    for part in row["official_first_preferences_by_party"].split(";"):
        party, votes = part.strip().rsplit(" ", 1)
        prefs[party] = int(votes)
    return {"seats": int(row["seats"]), "valid": int(row["official_valid_poll"]), "prefs": prefs}


def _party(name: str) -> str:
    return next((p for suffix, p in PARTIES.items() if name.endswith(" " + suffix)), "Others")


@pytest.mark.parametrize(
    ("file", "quota"), [("00001-00000001.soi", "8789.00000"), ("00001-00000002.soi", "7498.00000")]
)
def test_first_stage_matches_official_party_totals(file, quota):
    official = _official(file)
    result = count("scottish-stv", profile("stv_irish2002", file), official["seats"])
    assert result["ballots"] == official["valid"]
    assert result["quota"] == quota  # floor(valid / (seats + 1)) + 1, rule 46
    by_party: dict[str, int] = {}
    for name, votes in result["rounds"][0]["votes"].items():
        by_party[_party(name)] = by_party.get(_party(name), 0) + int(Decimal(votes))
    assert by_party == official["prefs"]


def test_meath_quota():
    result = count("scottish-stv", profile("stv_irish2002", "00001-00000003.soi"), 5)
    assert result["quota"] == "10681.00000"


def _p(candidates, ballots, seats):
    names = list(candidates)
    return Profile.build(names, [(w, [names.index(c) for c in r]) for w, r in ballots], seats=seats)


def test_transfer_value_is_truncated_to_five_decimals():
    # 10 papers, 2 seats: quota floor(10/3) + 1 = 4 (rule 46). A has 7: surplus 3, transfer value
    # 3 x 1 / 7 = 0.428571... -> 0.42857 (rule 48(3)), so B receives 7 x 0.42857 = 2.99999.
    result = count("scottish-stv", _p("ABC", [(7, "AB"), (3, "C")], 2))
    assert result["quota"] == "4.00000"
    second = result["rounds"][1]
    assert (second["action"], second["from"]) == ("surplus", ["A"])
    assert second["votes"] == {"A": "4.00000", "B": "2.99999", "C": "3.00000"}
    assert second["exhausted"] == "0.00001"  # the truncated remainder is lost
    assert result["elected"] == ["A", "C"]  # B (2.99999) is excluded, rule 52 elects C


@pytest.mark.parametrize(("stage1", "excluded"), [("BBBCC", "C"), ("BBCCC", "B")])
def test_exclusion_tie_goes_by_most_recent_differing_stage(stage1, excluded):
    # Stage 1: D 5, B and C 2-3, E 1. E's exclusion ties B and C at 3; rule 51(2)(a) looks back
    # to stage 1, where they differed, and excludes the one that had fewer.
    ballots = [(1, x) for x in stage1] + [(5, "D"), (1, "E" + excluded)]
    result = count("scottish-stv", _p("BCDE", ballots, 1))
    assert result["eliminated"][:2] == ["E", excluded]
    assert result["ties"] == []
    assert result["elected"] == ["D"]


def test_tie_at_every_stage_is_decided_by_recorded_lot():
    result = count("scottish-stv", _p("ABC", [(2, "A"), (2, "B"), (4, "C")], 1), seed=1)
    assert result["ties"][0]["purpose"] == "candidate to exclude"
    assert sorted(result["ties"][0]["tied"]) == ["A", "B"]
    assert result["elected"] == ["C"]


def test_last_vacancies_filled_without_transfer():
    # rule 52: after the exclusion, continuing candidates == vacancies -> all elected
    p = _p("ABC", [(4, "A"), (3, "B"), (2, "C")], 2)
    result = count("scottish-stv", p)
    assert sorted(result["elected"]) == ["A", "B"]
    assert result["unfilled_seats"] == 0
