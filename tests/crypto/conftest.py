"""Fixtures for the crypto tests: deterministic keys so failures are reproducible."""

from __future__ import annotations

import pytest

from crypto.ballots import BallotContext, QuestionSpec
from crypto.credentials import CredentialKey
from crypto.drbg import DeterministicRng
from crypto.elgamal import keygen
from crypto.group import Point, Scalar

FINGERPRINT = "f1" * 32
OTHER_FINGERPRINT = "f2" * 32


@pytest.fixture(scope="session")
def election_key() -> tuple[Scalar, Point]:
    return keygen(DeterministicRng(b"test election key"))


@pytest.fixture(scope="session")
def credential() -> CredentialKey:
    return CredentialKey.generate(DeterministicRng(b"test credential"))


@pytest.fixture(scope="session")
def other_credential() -> CredentialKey:
    return CredentialKey.generate(DeterministicRng(b"other credential"))


@pytest.fixture(scope="session")
def small_ctx(election_key: tuple[Scalar, Point]) -> BallotContext:
    """One question of each kind, small enough to tamper with every field."""
    return BallotContext(
        election_id="election-1",
        fingerprint=FINGERPRINT,
        public_key=election_key[1],
        questions=(
            QuestionSpec("sonc", 2),
            QuestionSpec("approval", 3, min_selections=1, max_selections=2),
            QuestionSpec("plurality", 2),
            QuestionSpec("approval", 2),
        ),
    )


SMALL_CHOICES = [[1, -1], [1, 0, 1], [0, 1], [1, 1]]
