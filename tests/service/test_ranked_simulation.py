"""`scrutin simulate --ranked` on real elections: every ballot of the file cast encrypted over
HTTP, mixed by two trustees, decrypted, counted — the published winners are the official ones
and equal `scrutin count` on the same file (issue 15's done-when)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.counting import count_rankings
from app.simulate import run_ranked_simulation
from crypto.record import verify_record
from tests.counting.conftest import data_path


@pytest.mark.parametrize(
    "method,expected",
    [
        ("meek-openstv", {"DuceMoosolini", "FuzzyCatPotato", "Spud"}),  # the official OpenSTV count
        ("meek", None),  # SecurePoll's flavour
    ],
)
def test_rationalwiki_2019_simulated_in_secret(
    tmp_path: Path, method: str, expected: set[str] | None
) -> None:
    out = tmp_path / "record.json"
    report = run_ranked_simulation(
        ballot_file=data_path("stv_meek_rationalwiki", "rationalwiki_board_2019.blt"),
        method=method,
        seats=None,
        trustees=3,
        threshold=2,
        mixers=2,
        out=out,
        workers=2,
        log=lambda _m: None,
    )
    assert report.result_matches and report.verified and report.ballots_cast == 26
    verified = verify_record(json.loads(out.read_text()), workers=1, counter=count_rankings)
    question = verified.result["questions"][0]  # type: ignore[index]
    if expected is not None:
        assert set(question["count"]["elected"]) == expected
    assert {m for m in report.timings} >= {"cast_s", "mix_1_s", "mix_2_s", "decryption_s", "verify_s"}


def test_simulation_refuses_tied_preferences(tmp_path: Path) -> None:
    blt = tmp_path / "tied.blt"
    blt.write_text('3 1\n1 1=2 3 0\n1 2 0\n0\n"A"\n"B"\n"C"\n"t"\n')
    with pytest.raises(ValueError, match="tied preferences"):
        run_ranked_simulation(
            ballot_file=blt,
            method="meek",
            seats=None,
            trustees=3,
            threshold=2,
            mixers=2,
            out=tmp_path / "r.json",
            log=lambda _m: None,
        )
