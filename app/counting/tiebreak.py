"""Ties that the rules settle "by lot".

SSI 2007/42 rules 49(3) and 51(2)(b), OpenSTV's default strong tie-break and the IRV rule below
all end with a random choice. A count must be reproducible, so the lot is drawn from a seeded
generator and every draw is recorded in the result (``"ties"``) so that a committee can redo it
with a real lot if its rules demand one.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Sequence


class Lot:
    def __init__(self, seed: int = 0) -> None:
        self.seed = seed
        self._rng = random.Random(seed)
        self.draws: list[dict] = []

    def choose(self, tied: Sequence[int], names: Sequence[str], purpose: str) -> int:
        ordered = sorted(tied)
        pick = self._rng.choice(ordered)
        self.draws.append(
            {
                "purpose": purpose,
                "tied": [names[c] for c in ordered],
                "chosen": names[pick],
                "method": f"lot (seeded random, seed {self.seed})",
            }
        )
        return pick


def break_by_history(
    tied: Sequence[int],
    history: Sequence[Sequence[int]],
    *,
    lowest: bool,
    backward: bool = True,
) -> list[int]:
    """Narrow a tie using the values at earlier stages.

    ``history`` is the list of per-candidate values of the earlier stages, oldest first. With
    ``backward`` the most recent stage at which the tied candidates differ decides (SSI 2007/42
    rules 49(2) and 51(2)(a), OpenSTV "backward"); otherwise the earliest one. Returns the
    candidates still tied after looking at every stage (one element if the tie was broken).
    """
    pick: Callable[[Iterable[int]], int] = min if lowest else max
    stages = reversed(history) if backward else iter(history)
    remaining = list(tied)
    for values in stages:
        target = pick(values[c] for c in remaining)
        narrowed = [c for c in remaining if values[c] == target]
        if len(narrowed) < len(remaining):
            remaining = narrowed
            if len(remaining) == 1:
                break
    return remaining
