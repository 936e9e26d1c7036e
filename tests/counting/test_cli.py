"""``scrutin count``: every method through the real command, JSON keys as issue 8 specifies."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from app.cli import cli
from tests.counting.conftest import data_path

runner = CliRunner()


def _run(*args: str):
    return runner.invoke(cli, ["count", *args])


def _json(*args: str) -> dict:
    result = _run(*args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_meek_openstv_json():
    out = _json(
        "--method", "meek-openstv", str(data_path("stv_meek_rationalwiki", "rationalwiki_board_2019.blt"))
    )
    assert out["method"] == "meek-openstv"
    assert sorted(out["elected"]) == ["DuceMoosolini", "FuzzyCatPotato", "Spud"]
    assert {"elected", "quota", "rounds"} <= set(out)
    assert out["rounds"][1]["votes"]["Spud"] == "7.124997"


@pytest.mark.parametrize("method", ["meek", "scottish-stv"])
def test_stv_with_seats_and_withdrawal(method):
    path = str(data_path("stv_meek_rationalwiki", "rationalwiki_board_2021.blt"))
    out = _json("--method", method, "--withdraw", "Other", path)
    assert sorted(out["elected"]) == ["Asela", "DuceMoosolini", "GeeJayK", "Spud"]
    assert out["withdrawn"] == ["Other"]
    out = _json("--method", method, "--seats", "2", path)
    assert len(out["elected"]) == 2


def test_irv_json():
    out = _json("--method", "irv", str(data_path("irv_burlington", "00005-00000002.toi")))
    assert out["elected"] == ["Bob Kiss"]
    assert out["rounds"][0]["votes"]["Kurt Wright"] == 2951
    assert isinstance(out["quota"], int)


def test_schulze_json():
    out = _json("--method", "schulze", str(data_path("irv_burlington", "00005-00000002.toi")))
    assert out["winners"] == ["Andy Montroll"]
    assert out["ranking"][0] == ["Andy Montroll"]
    assert out["pairwise"]["Andy Montroll"]["Bob Kiss"] == 4067


def test_debian_json_with_quorum_and_majority():
    path = str(data_path("debian", "2007_vote_004_tally.txt"))
    out = _json(
        "--method", "debian", "--quorum", "48.5824042221049", "--majority", "1=3", "--majority", "2=3", path
    )
    assert {"winners", "ranking", "pairwise", "dropped"} <= set(out)
    assert out["majority_requirements"]["Choice 1: Reduce the length of DPL election process"] == "3"
    assert out["winners"] == ["Choice 1: Reduce the length of DPL election process"]


@pytest.mark.parametrize("fmt", ["text", "wikitext"])
@pytest.mark.parametrize(
    ("method", "file"),
    [
        ("meek", ("stv_meek_rationalwiki", "rationalwiki_board_2019.blt")),
        ("debian", ("debian", "2004_gr_sarge_tally.txt")),
    ],
)
def test_human_formats(fmt, method, file):
    result = _run("--method", method, "--format", fmt, str(data_path(*file)))
    assert result.exit_code == 0, result.output
    if method == "meek":
        assert "FuzzyCatPotato" in result.stdout
        assert ("Round 2" in result.stdout) if fmt == "text" else ("{|" in result.stdout)
    else:
        assert "Choice 2: Postpone changes until Sarge releases" in result.stdout


def test_malformed_file_gives_line_and_no_traceback(tmp_path):
    bad = tmp_path / "bad.blt"
    bad.write_text("3 1\n1 1 2\n0\n")
    result = _run("--method", "meek", str(bad))
    assert result.exit_code != 0
    assert "line 2" in result.stderr and "must end with 0" in result.stderr
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_bad_options_are_refused(tmp_path):
    path = str(data_path("stv_meek_rationalwiki", "rationalwiki_board_2019.blt"))
    assert _run("--method", "borda", path).exit_code != 0
    result = _run("--method", "meek", "--seats", "9", path)
    assert result.exit_code != 0 and "9 seats but only 5 candidates" in result.stderr
    result = _run("--method", "meek", str(tmp_path / "missing.blt"))
    assert result.exit_code != 0 and "cannot read file" in result.stderr
