"""The ballot profile: candidates plus weighted rankings, as every counting engine receives them.

A ranking is a tuple of *groups*; each group is a tuple of candidate indices that share one rank
(``((2,), (0, 3))`` means "candidate 2 first, then 0 and 3 tied"); strict rankings have groups
of one.
Candidates that a voter did not rank come below every ranked candidate and tie with each other
(the PrefLib and Debian convention). Identical rankings are merged and their weights added, which
keeps the big Irish profiles small (Meath: 64,081 ballots, 25,101 distinct rankings).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import SupportsInt, cast

from app.counting.errors import CountingError

Ranking = tuple[tuple[int, ...], ...]


@dataclass(frozen=True)
class Profile:
    """Candidates (names in file order) and weighted rankings over their indices."""

    candidates: tuple[str, ...]
    ballots: tuple[tuple[int, Ranking], ...]
    seats: int | None = None
    title: str | None = None
    #: extra information from the file that some rules need (e.g. Debian majority requirements)
    meta: dict = field(default_factory=dict, compare=False)

    @classmethod
    def build(
        cls,
        candidates: Sequence[str],
        ballots: Iterable[tuple[int, Sequence[Sequence[int]] | Sequence[int]]],
        *,
        seats: int | None = None,
        title: str | None = None,
        meta: dict | None = None,
    ) -> Profile:
        """Validate and normalise: merge identical rankings, drop empty ones, check indices.

        A ranking may be given as a flat sequence of indices (strict) or as a sequence of groups.
        """
        names = tuple(candidates)
        if len(set(names)) != len(names):
            dup = sorted({n for n in names if names.count(n) > 1})
            raise CountingError(f"duplicate candidate names: {', '.join(dup)}")
        merged: dict[Ranking, int] = {}
        for weight, ranking in ballots:
            if weight <= 0:
                raise CountingError(f"ballot weight must be positive, got {weight}")
            groups = tuple(
                tuple(g) if isinstance(g, (tuple, list)) else (int(cast(SupportsInt, g)),) for g in ranking
            )
            seen: set[int] = set()
            for group in groups:
                for c in group:
                    if not 0 <= c < len(names):
                        raise CountingError(f"candidate index {c + 1} out of range")
                    if c in seen:
                        raise CountingError(f"candidate {names[c]!r} ranked twice on one ballot")
                    seen.add(c)
            groups = tuple(g for g in groups if g)
            if groups:
                merged[groups] = merged.get(groups, 0) + weight
        return cls(names, tuple((w, r) for r, w in merged.items()), seats, title, dict(meta or {}))

    @property
    def total_weight(self) -> int:
        return sum(w for w, _ in self.ballots)

    def index(self, name: str) -> int:
        """Candidate index by exact name, unique case-insensitive prefix, or 1-based number."""
        if name in self.candidates:
            return self.candidates.index(name)
        folded = name.casefold()
        hits = [i for i, c in enumerate(self.candidates) if c.casefold().startswith(folded)]
        if len(hits) == 1:
            return hits[0]
        if name.isdigit() and 1 <= int(name) <= len(self.candidates):
            return int(name) - 1
        if hits:
            raise CountingError(
                f"candidate {name!r} is ambiguous: " + ", ".join(self.candidates[i] for i in hits)
            )
        raise CountingError(f"unknown candidate {name!r}; candidates are: " + ", ".join(self.candidates))

    def withdraw(self, names: Iterable[str]) -> Profile:
        """Remove withdrawn candidates as if they had never stood.

        Their preferences are deleted from every ballot, so those ballots pass to the next
        preference; ballots left empty are dropped (SecurePoll does the same when a candidate is
        excluded at count time). Candidate-indexed metadata (``meta["per_candidate"]``) follows.
        """
        gone = {self.index(n) for n in names}
        if not gone:
            return self
        keep = [i for i in range(len(self.candidates)) if i not in gone]
        remap = {old: new for new, old in enumerate(keep)}
        ballots = []
        for weight, ranking in self.ballots:
            groups = [tuple(remap[c] for c in g if c in remap) for g in ranking]
            ballots.append((weight, [g for g in groups if g]))
        meta = dict(self.meta)
        for key, value in self.meta.items():
            if key.startswith("per_candidate_") and isinstance(value, (list, tuple)):
                meta[key] = [value[i] for i in keep]
        meta["withdrawn"] = [*self.meta.get("withdrawn", []), *(self.candidates[i] for i in sorted(gone))]
        return Profile.build(
            [self.candidates[i] for i in keep], ballots, seats=self.seats, title=self.title, meta=meta
        )

    def strict(self) -> tuple[tuple[int, tuple[int, ...]], ...]:
        """Rankings for rules that need a strict order (STV, IRV).

        A tied rank is an *overvote*: the ballot is used up to the rank before the tie and then
        exhausts (the usual rule for public elections, e.g. Burlington 2009's rank-1 overvotes).
        """
        out: dict[tuple[int, ...], int] = {}
        for weight, ranking in self.ballots:
            prefix = []
            for group in ranking:
                if len(group) != 1:
                    break
                prefix.append(group[0])
            key = tuple(prefix)
            out[key] = out.get(key, 0) + weight
        return tuple((w, r) for r, w in out.items())

    def pairwise(self) -> list[list[int]]:
        """``d[i][j]``: total weight of ballots ranking i strictly above j (unranked = bottom)."""
        n = len(self.candidates)
        d = [[0] * n for _ in range(n)]
        for weight, ranking in self.ballots:
            above: list[int] = []
            for group in ranking:
                for a in above:
                    row = d[a]
                    for c in group:
                        row[c] += weight
                above.extend(group)
            ranked = set(above)
            unranked = [c for c in range(n) if c not in ranked]
            for a in above:
                row = d[a]
                for c in unranked:
                    row[c] += weight
        return d


def resolve_seats(profile: Profile, seats: int | None, *, single: bool = False) -> int:
    """The number of seats to fill: the argument, else the file's; refuse impossible numbers."""
    if single:
        if seats not in (None, 1):
            raise CountingError(f"this method fills one seat, not {seats}")
        seats = 1
    if seats is None:
        seats = profile.seats
    if seats is None:
        raise CountingError("the number of seats is not in the file: give it (--seats N)")
    if seats < 1:
        raise CountingError(f"the number of seats must be at least 1, got {seats}")
    if seats > len(profile.candidates):
        raise CountingError(
            f"{seats} seats but only {len(profile.candidates)} candidates"
            + (" after withdrawals" if profile.meta.get("withdrawn") else "")
        )
    return seats
