"""Schulze on the published textbook examples (schulze_vectors/), including the tie."""

from __future__ import annotations

import json

import pytest

from app.counting import Profile, count
from tests.counting.conftest import data_path


def _examples():
    with open(data_path("schulze_vectors", "schulze_examples.json")) as fh:
        return json.load(fh)["examples"]


def _profile(example) -> Profile:
    names = example["candidates"]
    return Profile.build(names, [(w, [names.index(c) for c in order]) for w, order in example["ballots"]])


@pytest.mark.parametrize("index", range(4))
def test_published_order(index):
    example = _examples()[index]
    result = count("schulze", _profile(example))
    assert result["ranking"] == example["expected_order"]
    expected = example["expected_winner"]
    assert result["winners"] == (expected if isinstance(expected, list) else [expected])
    assert result["tie"] == isinstance(expected, list)
    assert result["ballots"] == example["voters"]


def test_wikipedia_pairwise_matrix():
    example = _examples()[0]
    result = count("schulze", _profile(example))
    # d[X,Y] as written in the example's note
    for pair, value in {
        "AB": 20,
        "AC": 26,
        "AD": 30,
        "AE": 22,
        "BC": 16,
        "BD": 33,
        "BE": 18,
        "CD": 17,
        "CE": 24,
        "DE": 14,
    }.items():
        x, y = pair
        assert result["pairwise"][x][y] == value
        assert result["pairwise"][y][x] == 45 - value
    assert result["condorcet_winner"] is None
    # the strongest path from E to every other candidate beats the reverse path
    sp = result["strongest_paths"]
    assert all(sp["E"][x] > sp[x]["E"] for x in "ABCD")
