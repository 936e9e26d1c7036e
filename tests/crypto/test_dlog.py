"""Baby-step giant-step for tallies."""

from __future__ import annotations

import pytest

from crypto.dlog import discrete_log
from crypto.errors import DiscreteLogNotFound
from crypto.group import IDENTITY, G, base_mul


@pytest.mark.parametrize("m", [0, 1, 2, 99, 100])
def test_small(m: int) -> None:
    assert discrete_log(base_mul(m), 100) == m


def test_out_of_bound() -> None:
    with pytest.raises(DiscreteLogNotFound):
        discrete_log(base_mul(101), 100)
    with pytest.raises(DiscreteLogNotFound):
        discrete_log(-G, 100)
    with pytest.raises(ValueError):
        discrete_log(G, -1)


def test_identity_and_zero_bound() -> None:
    assert discrete_log(IDENTITY, 0) == 0
    with pytest.raises(DiscreteLogNotFound):
        discrete_log(G, 0)


@pytest.mark.parametrize("m", [0, 1, 999, 1000, 1001, 123456, 999_999, 1_000_000])
def test_million(m: int) -> None:
    assert discrete_log(base_mul(m), 1_000_000) == m
