"""All 39 Debian votes 2004-2018: the pairwise matrix, the dropped options and the winner must be
those of the official results file published with each tally sheet."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.counting import count
from tests.counting.conftest import DATA, data_path, profile

VOTES = sorted(p.name.removesuffix("_tally.txt") for p in (DATA / "debian").glob("*_tally.txt")) or [
    "missing"
]


def official(vote: str) -> dict:
    """Read devotee's results text: options, beat matrix, quorum, majority lines, winners."""
    raw = Path(data_path("debian", f"{vote}_results.txt")).read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    options = {int(n): name for n, name in re.findall(r'^Option (\d+) "(.*)"\s*$', text, re.M)}
    matrix = {}
    table = text.split("represents the votes that")[1].split("Looking at")[0].splitlines()
    header = next(ln for ln in table if re.fullmatch(r"\s*(\d+\s+)+\d+\s*", ln))
    # columns are right-aligned under the option numbers of the header line
    ends = [m.end() for m in re.finditer(r"\d+", header)]
    for line in table:
        m = re.match(r"^Option\s+(\d+)\b", line)
        if not m:
            continue
        row = {}
        for cell in re.finditer(r"\d+", line[m.end() :]):
            end = cell.end() + m.end()
            col = min(range(len(ends)), key=lambda k: abs(ends[k] - end))
            assert abs(ends[col] - end) <= 1, (vote, line)
            row[col + 1] = int(cell.group())
        matrix[int(m.group(1))] = row
    quorum = re.search(r"Reached quorum: \d+ > ([\d.]+)", text)
    majority = {
        int(o): (cmp, need)
        for o, cmp, need in re.findall(
            r"^(?:Dropping )?Option (\d+) (?:passes Majority|because of Majority).*"
            r"\s(>=|<=|>|<) ([\d.]+)\s*$",
            text,
            re.M,
        )
    }
    dropped = [int(o) for o in re.findall(r"^Dropping Option (\d+) because of", text, re.M)]
    winners_block = re.split(r"The winners? (?:is|are):", text)[1].split("-=-=")[0]
    winners = [int(o) for o in re.findall(r"^\s*Option (\d+) ", winners_block, re.M)]
    total = re.search(r"total numbers of votes tallied = (\d+)", text)
    return {
        "options": options,
        "matrix": matrix,
        "quorum": quorum and quorum.group(1),
        "majority": majority,
        "dropped": dropped,
        "winners": winners,
        "total": total and int(total.group(1)),
    }


def _count(vote: str) -> tuple[dict, dict]:
    off = official(vote)
    p = profile("debian", f"{vote}_tally.txt")
    # Q and each option's N are inputs of the rule, printed in the results; the comparison
    # printed there (">" before 2006, ">=" after) tells which constitution was in force.
    strict = any(cmp in (">", "<=") for cmp, _ in off["majority"].values())
    majorities = {str(o): need for o, (cmp, need) in off["majority"].items()}
    result = count(
        "debian",
        p,
        quorum=off["quorum"],
        majorities=majorities,
        majority_rule="strict" if strict else "at-least",
    )
    return off, result


@pytest.mark.parametrize("vote", VOTES)
def test_official_result(vote):
    off, result = _count(vote)
    names = result["candidates"]
    assert len(names) == len(off["matrix"])
    if off["options"]:  # a few early results files do not list the options
        assert names == [off["options"][i] for i in range(1, len(names) + 1)]
    if off["total"] is not None:
        assert result["ballots"] == off["total"]
    # the pairwise matrix, cell for cell
    for i, row in off["matrix"].items():
        for j, value in row.items():
            assert result["pairwise"][names[i - 1]][names[j - 1]] == value, (i, j)
    assert sum(len(r) for r in off["matrix"].values()) == len(names) * (len(names) - 1)
    # dropped options and the winner
    assert [names.index(d["option"]) + 1 for d in result["dropped"]] == off["dropped"]
    assert [names.index(w) + 1 for w in result["winners"]] == off["winners"]
    assert result["ranking"][0] == result["winners"]


@pytest.mark.parametrize("vote", VOTES)
def test_majority_stated_on_the_tally_sheet_matches_the_official_requirement(vote):
    off = official(vote)
    p = profile("debian", f"{vote}_tally.txt")
    stated = p.meta["per_candidate_majority"]
    for option, (_, need) in off["majority"].items():
        if stated[option - 1] != "1":  # the sheet names a supermajority: it must be the right one
            assert float(stated[option - 1]) == float(need)


def test_drop_reasons_are_reported():
    _, result = _count("2007_vote_001")
    dropped = {d["option"]: d for d in result["dropped"]}
    assert set(dropped) == {"Aigars Mahinovs", "Simon Richter"}
    assert dropped["Aigars Mahinovs"]["reason"] == "majority"
    assert dropped["Aigars Mahinovs"]["ratio"] == "0.526"  # as printed: 0.526 (142/270) < 1
    assert result["winners"] == ["Sam Hocevar"]


def test_quorum_drops_an_option():
    p = profile("debian", "2006_vote_004_tally.txt")
    result = count("debian", p, quorum="1000")
    assert [d["reason"] for d in result["dropped"]] == ["quorum"]
    assert result["winners"] == [result["default_option"]]
