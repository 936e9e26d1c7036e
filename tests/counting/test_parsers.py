"""Ballot files: the real ones parse to the published totals; malformed ones are refused with
the line at fault."""

from __future__ import annotations

import pytest

from app.counting import BallotFileError, CountingError, count, parse_text
from app.counting.loader import detect_format
from tests.counting.conftest import profile


def test_real_files_parse_to_their_published_sizes():
    assert profile("stv_irish2002", "00001-00000003.soi").total_weight == 64081
    assert len(profile("stv_irish2002", "00001-00000003.soi").candidates) == 14
    assert profile("irv_burlington", "00005-00000002.toi").total_weight == 8980
    rw = profile("stv_meek_rationalwiki", "rationalwiki_board_2019.blt")
    assert (rw.seats, rw.total_weight, rw.title) == (3, 26, "2019 rationalwiki foundation board election")
    deb = profile("debian", "2004_gr_sarge_tally.txt")
    assert deb.meta["default_option"] == "Choice 7: Further discussion"
    assert deb.meta["per_candidate_majority"] == ["3", "3", "3", "3", "3", "1", "1"]


BLT_OK = '3 2\n2 1 2 0\n1 3=2 1 0\n0\n"A"\n"B"\n"C"\n"Title"\n'


def test_blt_ties_and_withdrawn_line():
    p = parse_text(BLT_OK, filename="x.blt")
    assert p.candidates == ("A", "B", "C")
    assert dict((r, w) for w, r in p.ballots) == {((0,), (1,)): 2, ((2, 1), (0,)): 1}
    withdrawn = parse_text(BLT_OK.replace("3 2\n", "3 2\n-3\n"), filename="x.blt")
    assert withdrawn.candidates == ("A", "B")
    assert withdrawn.meta["withdrawn"] == ["C"]


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("3 x\n", 1, "first line"),
        ("3 4\n0\n", 1, "4 seats but only 3 candidates"),
        ("3 1\n1 1 2\n0\n", 2, "must end with 0"),
        ("3 1\n1 1 4 0\n0\n", 2, "bad candidate number '4'"),
        ("3 1\n1 1 1 0\n0\n", 2, "ranked twice"),
        ("3 1\nabc 1 0\n0\n", 2, "positive whole weight"),
        ("3 1\n1 1 0\n", 2, "missing the '0' line"),
        ('3 1\n1 1 0\n0\n"A"\n"B"\n', 5, "3 candidates but 2 names"),
        ('3 1\n1 1 0\n0\n"A"\n"B"\n"C"\n"T"\n"extra"\n', 8, "unexpected text"),
    ],
)
def test_malformed_blt_names_the_line(text, line, words):
    with pytest.raises(BallotFileError) as info:
        parse_text(text, filename="bad.blt")
    assert info.value.line == line
    assert words in str(info.value)
    assert f"bad.blt, line {line}" in str(info.value)


PREFLIB = (
    "# NUMBER ALTERNATIVES: 2\n# NUMBER VOTERS: 3\n"
    "# ALTERNATIVE NAME 1: A\n# ALTERNATIVE NAME 2: B\n2: 1,2\n1: {1,2}\n"
)


def test_preflib_ties_and_checks():
    p = parse_text(PREFLIB, filename="x.toi")
    assert dict((r, w) for w, r in p.ballots) == {((0,), (1,)): 2, ((0, 1),): 1}
    with pytest.raises(BallotFileError, match="line 2: NUMBER VOTERS says 3 but the counts"):
        parse_text(PREFLIB.replace("2: 1,2", "5: 1,2"), filename="x.toi")
    with pytest.raises(BallotFileError, match="line 5: bad alternative '3'"):
        parse_text(PREFLIB.replace("2: 1,2", "2: 1,3"), filename="x.toi")
    with pytest.raises(BallotFileError, match="line 6: malformed ranking"):
        parse_text(PREFLIB.replace("1: {1,2}", "1: {1,2"), filename="x.toi")
    with pytest.raises(BallotFileError, match="line 5: expected '<count>: <ranking>'"):
        parse_text(PREFLIB.replace("2: 1,2", "two: 1,2"), filename="x.soi")


DEBIAN = "     Option 1--->: Yes [3:1]\n   /  Option 2-->: Further Discussion\nV: 12\tabc\nV: -1\tdef\n"


def test_debian_tally_checks():
    p = parse_text(DEBIAN)
    assert p.meta["default_option"] == "Further Discussion"
    assert p.meta["per_candidate_majority"] == ["3", "1"]
    with pytest.raises(BallotFileError, match="line 4: vote '-12' has 3 ranks but there are 2"):
        parse_text(DEBIAN.replace("V: -1", "V: -12"))
    with pytest.raises(BallotFileError, match="line 3: bad rank character '0'"):
        parse_text(DEBIAN.replace("V: 12", "V: 10"))


def test_format_detection():
    assert detect_format(BLT_OK) == "blt"
    assert detect_format(PREFLIB) == "preflib"
    assert detect_format(DEBIAN) == "debian"
    with pytest.raises(BallotFileError, match="cannot tell the file format"):
        detect_format("hello\nworld\n")


@pytest.mark.parametrize(
    ("method", "seats", "words"),
    [
        ("meek", 4, "4 seats but only 3 candidates"),
        ("scottish-stv", 0, "at least 1"),
        ("irv", 2, "fills one seat"),
    ],
)
def test_inconsistent_seats_are_refused(method, seats, words):
    with pytest.raises(CountingError, match=words):
        count(method, parse_text(BLT_OK, filename="x.blt"), seats)


def test_seats_required_when_the_file_has_none():
    with pytest.raises(CountingError, match="give it"):
        count("meek", parse_text(PREFLIB, filename="x.toi"))


def test_unknown_withdrawn_candidate():
    with pytest.raises(CountingError, match="unknown candidate 'Z'"):
        count("meek", parse_text(BLT_OK, filename="x.blt"), withdraw=["Z"])
