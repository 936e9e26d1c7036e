"""The Schulze method (strongest paths, *winning votes*), with ties reported, not broken.

M. Schulze, "A new monotonic, clone-independent, reversal symmetric, and Condorcet-consistent
single-winner election method", Social Choice and Welfare 36 (2011), section 2:

* ``d[a][b]``: voters who rank a above b (unranked candidates are below every ranked one).
* A link a -> b has strength ``d[a][b]`` when ``d[a][b] > d[b][a]``, else there is no link (0).
* ``p[a][b]``: the strength of the strongest path from a to b, the largest minimum link strength
  over all paths (Floyd-Warshall in the widest-path form, O(C^3)).
* a is ranked above b when ``p[a][b] > p[b][a]``. This relation is transitive; the ranking is
  built by repeatedly taking, as one tie group, every remaining candidate that none beats.

The winners are the first group: more than one winner is a tie the caller must resolve.
"""

from __future__ import annotations

from collections.abc import Sequence

from app.counting.ballots import Profile


def strongest_paths(d: Sequence[Sequence[int]], among: Sequence[int] | None = None) -> list[list[int]]:
    n = len(d)
    cands = list(range(n)) if among is None else list(among)
    p = [[0] * n for _ in range(n)]
    for a in cands:
        for b in cands:
            if a != b and d[a][b] > d[b][a]:
                p[a][b] = d[a][b]
    for k in cands:
        pk = p[k]
        for a in cands:
            if a == k:
                continue
            pak = p[a][k]
            if not pak:
                continue
            pa = p[a]
            for b in cands:
                if b != a and b != k:
                    via = pak if pak < pk[b] else pk[b]
                    if via > pa[b]:
                        pa[b] = via
    return p


def schulze_ranking(p: Sequence[Sequence[int]], among: Sequence[int]) -> list[list[int]]:
    """Tie groups, best first: each group is the remaining candidates nobody remaining beats."""
    remaining = list(among)
    groups: list[list[int]] = []
    while remaining:
        top = [a for a in remaining if not any(p[b][a] > p[a][b] for b in remaining if b != a)]
        if not top:  # cannot happen: the relation is a strict partial order
            top = remaining[:]
        groups.append(sorted(top))
        remaining = [c for c in remaining if c not in top]
    return groups


def matrix(names: Sequence[str], m: Sequence[Sequence[int]], among: Sequence[int]) -> dict:
    return {names[a]: {names[b]: m[a][b] for b in among if b != a} for a in among}


def count_schulze(profile: Profile, seats: int | None = None) -> dict:
    """Rank all candidates. ``seats`` is accepted for symmetry; the winners are the top group."""
    names = profile.candidates
    every = list(range(len(names)))
    d = profile.pairwise()
    p = strongest_paths(d)
    ranking = schulze_ranking(p, every)
    return {
        "method": "schulze",
        "candidates": list(names),
        "ballots": profile.total_weight,
        "winners": [names[c] for c in ranking[0]],
        "tie": len(ranking[0]) > 1,
        "ranking": [[names[c] for c in g] for g in ranking],
        "pairwise": matrix(names, d, every),
        "strongest_paths": matrix(names, p, every),
        "condorcet_winner": next(
            (names[a] for a in every if all(d[a][b] > d[b][a] for b in every if b != a)), None
        ),
    }
