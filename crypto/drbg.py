"""Deterministic scalar generator for tests and test vectors ONLY (docs/protocol.md §9).

Never use it for real ballots or keys: anyone who knows the seed knows every secret.
The k-th output (k = 0, 1, 2, ...) is ``H("scrutin/v1/test-drbg", seed, k)``; a zero output is
skipped (probability 2^-252), so a JavaScript implementation can reproduce the exact sequence.
"""

from __future__ import annotations

from .group import Scalar
from .hashing import hash_to_int

DRBG_TAG = "scrutin/v1/test-drbg"


class DeterministicRng:
    """Callable returning the next scalar of the test sequence for ``seed``."""

    def __init__(self, seed: bytes | str) -> None:
        self.seed = seed.encode("utf-8") if isinstance(seed, str) else bytes(seed)
        self.counter = 0
        self.drawn: list[Scalar] = []

    def __call__(self) -> Scalar:
        while True:
            v = hash_to_int(DRBG_TAG, self.seed, self.counter)
            self.counter += 1
            if v:
                s = Scalar(v)
                self.drawn.append(s)
                return s
