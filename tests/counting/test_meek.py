"""Meek STV against the official RationalWiki counts (OpenSTV 1.7 is the official count there)
and the official winners of the Irish 2002 constituencies."""

from __future__ import annotations

import pytest

from app.counting import count
from tests.counting.conftest import profile

RW = "stv_meek_rationalwiki"

# Published on the official results page (EXPECTED_RESULTS.md), 6 decimals.
RW2019_ROUND1 = {"Ariel314159": "5.000000", "Cosmikdebris": "2.000000",
                 "DuceMoosolini": "4.000000", "FuzzyCatPotato": "12.000000", "Spud": "3.000000"}
RW2019_ROUND2 = {"Ariel314159": "5.000000", "Cosmikdebris": "2.458333",
                 "DuceMoosolini": "4.916666", "FuzzyCatPotato": "6.500004", "Spud": "7.124997"}


def test_rationalwiki_2019_official_rounds_openstv():
    result = count("meek-openstv", profile(RW, "rationalwiki_board_2019.blt"))
    r1, r2 = result["rounds"][:2]
    assert r1["votes"] == RW2019_ROUND1
    assert (r1["exhausted"], r1["surplus"], r1["quota"]) == ("0.000000", "5.499999", "6.500001")
    assert r1["elected"] == ["FuzzyCatPotato"]
    assert r2["votes"] == RW2019_ROUND2
    assert (r2["exhausted"], r2["surplus"], r2["quota"]) == ("0.000000", "0.624999", "6.500001")
    assert r2["keep_factors"]["FuzzyCatPotato"] == "0.541667"


@pytest.mark.parametrize("method", ["meek-openstv", "meek"])
def test_rationalwiki_winners(method):
    r2019 = count(method, profile(RW, "rationalwiki_board_2019.blt"))
    assert sorted(r2019["elected"]) == ["DuceMoosolini", "FuzzyCatPotato", "Spud"]
    # 2021: four real candidates for four seats plus a dummy "Other" nobody ranked
    r2021 = count(method, profile(RW, "rationalwiki_board_2021.blt"))
    assert sorted(r2021["elected"]) == ["Asela", "DuceMoosolini", "GeeJayK", "Spud"]
    assert r2021["unfilled_seats"] == 0


def test_securepoll_quota_and_precision():
    result = count("meek", profile(RW, "rationalwiki_board_2019.blt"))
    first = result["rounds"][0]
    assert first["quota"] == "6.5000010000"  # 26 / 4 + 0.000001, 10 decimals
    assert first["votes"]["FuzzyCatPotato"] == "12.0000000000"
    assert result["precision"] == 10


IRISH = [
    ("00001-00000001.soi", 4, {"Trevor Sargent", "Sean Ryan", "Jim Glennon", "G.V. Wright"}),
    ("00001-00000002.soi", 3, {"Joe Higgins", "Brian Lenihan", "Joan Burton"}),
    ("00001-00000003.soi", 5, {"John Bruton", "Damien English", "Noel Dempsey",
                               "Mary Wallace", "Johnny Brady"}),
]


@pytest.mark.parametrize("method", ["meek", "meek-openstv", "scottish-stv"])
@pytest.mark.parametrize(("file", "seats", "winners"), IRISH, ids=["north", "west", "meath"])
def test_irish_2002_official_winners(method, file, seats, winners):
    result = count(method, profile("stv_irish2002", file), seats)
    assert len(result["elected"]) == seats
    elected = result["elected"]
    for person in winners:
        assert any(name.startswith(person + " ") for name in elected), (person, elected)


def test_withdrawn_candidate_is_skipped():
    p = profile(RW, "rationalwiki_board_2019.blt")
    result = count("meek", p, withdraw=["FuzzyCatPotato"])
    assert "FuzzyCatPotato" not in result["candidates"]
    assert result["withdrawn"] == ["FuzzyCatPotato"]
    # FuzzyCatPotato's 12 first preferences move on instead of being lost
    first = result["rounds"][0]["votes"]
    assert sum(float(v) for v in first.values()) == 26
