"""Meek STV against the official RationalWiki counts (OpenSTV 1.7 is the official count there)
and the official winners of the Irish 2002 constituencies."""

from __future__ import annotations

import pytest

from app.counting import Profile, count
from tests.counting.conftest import profile
from tests.counting.test_properties import EXAMPLE_1, EXAMPLE_2, check_stv_fills_seats

RW = "stv_meek_rationalwiki"

# Published on the official results page (EXPECTED_RESULTS.md), 6 decimals.
RW2019_ROUND1 = {
    "Ariel314159": "5.000000",
    "Cosmikdebris": "2.000000",
    "DuceMoosolini": "4.000000",
    "FuzzyCatPotato": "12.000000",
    "Spud": "3.000000",
}
RW2019_ROUND2 = {
    "Ariel314159": "5.000000",
    "Cosmikdebris": "2.458333",
    "DuceMoosolini": "4.916666",
    "FuzzyCatPotato": "6.500004",
    "Spud": "7.124997",
}


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
    (
        "00001-00000003.soi",
        5,
        {"John Bruton", "Damien English", "Noel Dempsey", "Mary Wallace", "Johnny Brady"},
    ),
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


# --- Termination and unfilled seats: regressions found by tests/counting/test_properties.py ---


def test_securepoll_keep_factor_two_cycle_ends_the_stage():
    # A's keep factor alternates 0.3333338332 / 0.3333338331 for ever (truncation), so the
    # surplus alternates too and SecurePoll's "surplus unchanged" test never fires: the count
    # used to run 100,000 rounds and fail. A repeated keep-factor vector is a stall as well.
    result = count("meek", EXAMPLE_1, 2)
    assert len(result["rounds"]) == 5
    kfs = [rd["keep_factors"].get("A") for rd in result["rounds"][2:]]
    assert kfs == ["0.3333338332", "0.3333338331", "0.3333338332"]
    assert result["rounds"][-1]["eliminated"] == ["B", "C"]  # tied at the bottom, out together
    assert result["elected"] == ["A"]
    assert result["unfilled_seats"] == 1
    assert result["unfilled_reason"].startswith("B and C were tied at the bottom")
    check_stv_fills_seats(EXAMPLE_1, 2)


def test_securepoll_tie_leaves_seat_unfilled_before_the_last_round():
    # B and D are tied and go out together in round 4, leaving only C for two seats; C is
    # elected in round 5, which excludes nobody: the seat is unfilled because of the tie in
    # round 4, not because of anything the last round did.
    result = count("meek", EXAMPLE_2, 3)
    assert [rd["eliminated"] for rd in result["rounds"]] == [[], ["E"], [], ["B", "D"], []]
    assert [rd["elected"] for rd in result["rounds"]] == [["A"], [], [], [], ["C"]]
    assert result["elected"] == ["A", "C"]
    assert result["unfilled_seats"] == 1
    assert result["unfilled_reason"].startswith("B and D were tied at the bottom")
    check_stv_fills_seats(EXAMPLE_2, 3)


def test_securepoll_cycle_with_a_bottom_tie_terminates():
    p = Profile.build("ABCDEF", [(1, [5, 1, 0]), (1, [1, 5, 3, 0, 2, 4])])
    result = count("meek", p, 3)
    assert result["elected"] == ["B", "F"]
    assert result["rounds"][-1]["eliminated"] == ["A", "D"]
    assert result["unfilled_seats"] == 1
    check_stv_fills_seats(p, 3)


def test_securepoll_last_hopeful_is_elected_not_excluded():
    # C and E (5 votes each) are tied and excluded together in round 14, leaving B alone for
    # the last seat. In round 15 the PHP (and this engine before) excluded B by Hill's test
    # (6.87 + surplus 9.28 < 17.35: A got C's and E's ballots before its keep factor could
    # adjust) and left the seat empty; the reference rule elects the last hopeful, as OpenSTV
    # and Scottish STV do.
    p = Profile.build(
        "ABCDE", [(3, [3, 1]), (4, [0]), (3, [1]), (5, [4, 0, 1, 3]), (5, [0, 1, 3]), (5, [2, 0])]
    )
    result = count("meek", p, 2)
    assert result["rounds"][13]["eliminated"] == ["C", "E"]
    assert result["rounds"][-1]["elected"] == ["B"]
    assert result["elected"] == ["A", "B"]
    assert result["unfilled_seats"] == 0 and result["unfilled_reason"] is None
    for method in ("meek-openstv", "scottish-stv"):
        assert count(method, p, 2)["elected"] == ["A", "B"]


def test_candidates_without_votes():
    p = Profile.build("ABC", [(4, [1])])
    result = count("meek", p, 2)
    assert result["elected"][0] == "B"
    # A and C both have no votes: tied, excluded together, one seat left unfilled
    assert result["unfilled_seats"] == 1
    assert "A and C were tied" in result["unfilled_reason"]
    # A alone for the last seat: the PHP excluded A (0 + surplus < B's votes) and left the seat
    # empty; now A is elected, as in Scottish STV
    result = count("meek", Profile.build("AB", [(4, [1])]), 2)
    assert result["elected"] == ["B", "A"]
    assert [rd["elected"] for rd in result["rounds"]] == [["B"], ["A"]]
    # OpenSTV never elects a candidate without votes
    result = count("meek-openstv", Profile.build("AB", [(4, [1])]), 2)
    assert result["elected"] == ["B"] and result["unfilled_seats"] == 1
    assert "without votes" in result["unfilled_reason"]


def test_securepoll_never_elects_more_than_the_seats():
    # At 6 decimals truncation pushes A (elected) to 1.999998, under the quota 2.000000, while
    # B (2.000001) and C (2.000000) both reach it with one seat left. The PHP would elect both
    # (three winners for two seats); the most votes take the seat.
    p = Profile.build("ABC", [(3, [0, 1]), (2, [2]), (3, [0])])
    result = count("meek", p, 2, precision=6)
    assert result["rounds"][-1]["votes"] == {"B": "2.000001", "C": "2.000000", "A": "1.999998"}
    assert result["elected"] == ["A", "B"]
    assert result["unfilled_seats"] == 0


def test_securepoll_tie_at_the_quota_for_the_last_seat_is_reported():
    p = Profile.build("ABC", [(1, [1, 0]), (1, [2, 0, 1]), (3, [0])])
    result = count("meek", p, 2, precision=6)
    last = result["rounds"][-1]
    assert last["votes"]["B"] == last["votes"]["C"] == last["quota"] == "1.000000"
    assert result["elected"] == ["A"]
    assert result["unfilled_seats"] == 1
    assert result["unfilled_reason"].startswith("B and C reached the quota with equal votes")
    check_stv_fills_seats(p, 2, precision=6)


def test_securepoll_votes_draining_to_zero_do_not_divide_by_zero():
    # Every ballot stops at an elected candidate, so each round's quota (non-exhausted votes /
    # (seats + 1)) pulls the keep factors down until the elected have no votes left; the PHP (and
    # this engine before) then divided by a zero total.
    p = Profile.build("ABCDEFG", [(5, [4]), (2, [1, 2, 3])])
    # A, F and G, with no votes, are tied for the last seat
    result = count("meek", p, 5)
    assert result["elected"] == ["E", "B", "C", "D"]
    assert result["rounds"][-1]["eliminated"] == ["A", "F", "G"]
    assert result["unfilled_seats"] == 1
    check_stv_fills_seats(p, 5)
    # as many seats as candidates: once nothing is left to iterate, A (no votes) is elected
    result = count("meek", Profile.build("ABCDE", [(5, [4]), (2, [1, 2, 3])]), 5)
    assert result["elected"] == ["E", "B", "C", "D", "A"]
    assert result["rounds"][-1]["votes"]["E"] == "0.0000000000"
    assert result["rounds"][-1]["elected"] == ["A"]


@pytest.mark.parametrize(
    ("candidates", "ballots", "seats"),
    [
        ("ABC", [(3, [[0, 1]])], 2),  # only overvotes: no votes at all
        ("ABCD", [(3, [0])], 3),  # the others tied at zero
        ("ABC", [(1, [0]), (1, [1]), (1, [2])], 2),  # everyone tied
        ("ABCD", [(1, [0]), (1, [1]), (1, [2]), (1, [3])], 1),
        ("ABCD", [(2, [0, 1]), (2, [1, 0]), (1, [2]), (1, [3])], 1),
    ],
)
def test_all_tied_or_zero_votes_terminate_everywhere(candidates, ballots, seats):
    p = Profile.build(candidates, ballots)
    check_stv_fills_seats(p, seats)
    check_stv_fills_seats(p, seats, precision=6)
    if seats == 1:
        assert len(count("irv", p)["elected"]) == 1
