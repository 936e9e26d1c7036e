"""The Debian constitution's vote-counting procedure, appendix A.6 (versions 1.2 to 1.7, 2003-2019).

1. (A.6.1/2) Quorum: an option other than the default is dropped unless at least Q voters rank it
   above the default option (``V(A,D) >= Q``). Q is computed by the secretary from the number of
   developers and printed in the results; it is an input here (``quorum``).
2. (A.6.3) Majority: an option is dropped unless it defeats the default option by its required
   majority ratio N (1 normally, 3 for 3:1 supermajority ballots such as constitutional
   amendments). Since constitution 1.3 (2006): ``V(A,D) >= N * V(D,A)`` and ``V(A,D) > V(D,A)``
   (``majority_rule="at-least"``, the default); before, ``V(A,D) > N * V(D,A)``
   (``majority_rule="strict"``). The published results show the switch; no real vote here sits
   on the boundary, so both give the same outcome on them.
3. (A.6.4-7) Among the remaining options (the default included) A defeats B if ``V(A,B) > V(B,A)``.
   Take the Schwartz set (options not transitively defeated by an option they do not transitively
   defeat back). While defeats remain inside it, drop the weakest of them all at once - a defeat
   (A,X) is weaker than (B,Y) when ``V(A,X) < V(B,Y)``, or when equal and ``V(X,A) > V(Y,B)`` -
   and recompute the Schwartz set (cloneproof Schwartz sequential dropping).
4. (A.6.8) When no defeats remain inside the Schwartz set its members win; more than one is a tie
   for the casting vote (reported as ``"tie": true``).

The ranking reported is: the winners, then the other remaining options in Schulze order, then
the dropped options as one last group.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction

from app.counting.ballots import Profile
from app.counting.errors import CountingError
from app.counting.schulze import matrix, schulze_ranking, strongest_paths


def _closure(n: int, defeats: set[tuple[int, int]], among: Sequence[int]) -> list[list[bool]]:
    reach = [[False] * n for _ in range(n)]
    for a, b in defeats:
        reach[a][b] = True
    for k in among:
        for a in among:
            if reach[a][k]:
                for b in among:
                    if reach[k][b]:
                        reach[a][b] = True
    return reach


def schwartz_set(n: int, defeats: set[tuple[int, int]], among: Sequence[int]) -> list[int]:
    reach = _closure(n, defeats, among)
    return [x for x in among if all(reach[x][y] for y in among if y != x and reach[y][x])]


def _fraction(value, what: str) -> Fraction:
    try:
        return Fraction(str(value))
    except (ValueError, ZeroDivisionError):
        raise CountingError(f"{what} must be a number, got {value!r}") from None


def count_debian(
    profile: Profile,
    *,
    quorum: str | float | Fraction | None = None,
    majorities: Mapping[str, str | Fraction | int] | None = None,
    default_option: str | None = None,
    majority_rule: str = "at-least",
) -> dict:
    """Count a Debian vote. ``majorities`` maps option names (or numbers) to N; options the
    tally sheet marks ``[3:1]`` get 3 without being listed; every other option needs 1."""
    if majority_rule not in ("at-least", "strict"):
        raise CountingError(f"unknown majority rule {majority_rule!r} (at-least or strict)")
    names = profile.candidates
    n = len(names)
    if n < 2:
        raise CountingError("a Debian vote needs at least two options (one is the default)")
    default = profile.index(default_option or profile.meta.get("default_option") or names[-1])
    required = [_fraction(v, "majority") for v in profile.meta.get("per_candidate_majority", ["1"] * n)]
    for key, value in (majorities or {}).items():
        required[profile.index(str(key))] = _fraction(value, "majority")
    q = None if quorum is None else _fraction(quorum, "quorum")

    d = profile.pairwise()
    dropped: list[dict] = []
    for a in range(n):
        if a == default:
            continue
        over, under = d[a][default], d[default][a]
        entry = {"option": names[a], "votes_over_default": over, "votes_for_default": under}
        if q is not None and over < q:
            dropped.append({**entry, "reason": "quorum", "quorum": str(quorum)})
            continue
        need = required[a]
        if majority_rule == "at-least":
            passes = over >= need * under and over > under
        else:
            passes = over > need * under
        if not passes:
            ratio = "inf" if under == 0 else f"{over / under:.3f}"
            dropped.append({**entry, "reason": "majority", "ratio": ratio, "required": str(need)})

    gone = {profile.index(e["option"]) for e in dropped}
    alive = [c for c in range(n) if c not in gone]
    defeats = {(a, b) for a in alive for b in alive if a != b and d[a][b] > d[b][a]}
    first_schwartz = schwartz_set(n, defeats, alive)
    steps: list[dict] = []
    while True:
        schwartz = schwartz_set(n, defeats, alive)
        inside = [(a, b) for a, b in defeats if a in schwartz and b in schwartz]
        if not inside:
            break
        weakest = min((d[a][b], -d[b][a]) for a, b in inside)
        drop = sorted((a, b) for a, b in inside if (d[a][b], -d[b][a]) == weakest)
        steps.append(
            {
                "schwartz_set": [names[c] for c in schwartz],
                "dropped_defeats": [[names[a], names[b]] for a, b in drop],
            }
        )
        defeats -= set(drop)
    winners = sorted(schwartz)

    p = strongest_paths(d, alive)
    rest = [c for c in alive if c not in winners]
    ranking = [winners, *schulze_ranking(p, rest)] + ([sorted(gone)] if gone else [])
    return {
        "method": "debian",
        "candidates": list(names),
        "ballots": profile.total_weight,
        "default_option": names[default],
        "quorum": None if quorum is None else str(quorum),
        "majority_rule": majority_rule,
        "majority_requirements": {names[c]: str(required[c]) for c in range(n) if c != default},
        "dropped": dropped,
        "schwartz_set": [names[c] for c in first_schwartz],
        "ssd_steps": steps,
        "winners": [names[c] for c in winners],
        "tie": len(winners) > 1,
        "ranking": [[names[c] for c in g] for g in ranking],
        "pairwise": matrix(names, d, range(n)),
        "strongest_paths": matrix(names, p, alive),
    }
