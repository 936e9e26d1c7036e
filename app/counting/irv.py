"""Instant-runoff voting (single seat), as Burlington, Vermont counted its 2006 and 2009 mayoral
elections under its 2005 charter.

Each round every ballot counts for its highest-ranked continuing candidate. A candidate with more
than half of the votes of the round (exhausted ballots excluded) wins. Otherwise the candidates
who cannot win are eliminated together: the largest bottom group whose combined votes are fewer
than the votes of the next candidate up ("batch elimination"; it never changes the winner, and it
is what Burlington did: in 2009 Smith, Simpson and the write-ins went after round 1). If no such
group exists the single lowest candidate goes; a tie for lowest goes by the most recent earlier
round in which the tied candidates differed, then by (seeded) lot.

Overvotes: a rank holding several candidates (PrefLib ``{a,b}``) is an overvote. With the default
``overvote="exhaust"`` the ballot exhausts when it reaches that rank, which gives Burlington 2009's
four round-1 exhausted ballots.
"""

from __future__ import annotations

from app.counting.ballots import Profile, resolve_seats
from app.counting.errors import CountingError
from app.counting.tiebreak import Lot, break_by_history


def _top(ranking, out: set[int], overvote: str) -> int | None:
    """The ballot's highest continuing choice, or None if it is exhausted."""
    for group in ranking:
        live = [c for c in group if c not in out]
        if not live:
            continue
        if len(group) == 1:
            return live[0]
        if overvote == "exhaust":
            return None
        if overvote == "skip":
            continue
        if len(live) == 1:  # "continuing": an overvote only blocks if two live choices remain
            return live[0]
        return None
    return None


def count_irv(
    profile: Profile,
    seats: int | None = None,
    *,
    batch_elimination: bool = True,
    overvote: str = "exhaust",
    seed: int = 0,
) -> dict:
    resolve_seats(profile, seats, single=True)
    if overvote not in ("exhaust", "skip", "continuing"):
        raise CountingError(f"unknown overvote rule {overvote!r}")
    names = profile.candidates
    n = len(names)
    lot = Lot(seed)
    total = profile.total_weight
    out: set[int] = set()
    eliminated: list[int] = []
    history: list[list[int]] = []
    rounds: list[dict] = []
    winner: int | None = None

    while winner is None:
        tally = [0] * n
        for weight, ranking in profile.ballots:
            c = _top(ranking, out, overvote)
            if c is not None:
                tally[c] += weight
        live = [c for c in range(n) if c not in out]
        active = sum(tally)
        majority = active // 2 + 1
        prev = history[-1] if history else None
        history.append(tally)
        record = {
            "round": len(rounds) + 1,
            "votes": {names[c]: tally[c] for c in live},
            "transfers": (
                {}
                if prev is None
                else {names[c]: tally[c] - prev[c] for c in range(n) if tally[c] != prev[c]}
            ),
            "quota": majority,
            "exhausted": total - active,
            "elected": [],
            "eliminated": [],
        }
        rounds.append(record)
        leader = max(live, key=lambda c: (tally[c], -c))
        if tally[leader] >= majority or len(live) == 1:
            winner = leader
        elif len(live) == 2 and tally[live[0]] == tally[live[1]]:
            tied = break_by_history(live, history[:-1], lowest=False)
            winner = tied[0] if len(tied) == 1 else lot.choose(tied, names, "winner")
        if winner is not None:
            record["elected"] = [names[winner]]
            break

        losers = _sure_losers(live, tally) if batch_elimination else []
        if not losers:
            low = min(tally[c] for c in live)
            tied = [c for c in live if tally[c] == low]
            if len(tied) > 1:
                tied = break_by_history(tied, history[:-1], lowest=True)
            losers = [tied[0] if len(tied) == 1 else lot.choose(tied, names, "candidate to eliminate")]
        losers.sort()
        out.update(losers)
        eliminated += losers
        record["eliminated"] = [names[c] for c in losers]

    return {
        "method": "irv",
        "seats": 1,
        "candidates": list(names),
        "elected": [names[winner]],
        "eliminated": [names[c] for c in eliminated],
        "unfilled_seats": 0,
        "unfilled_reason": None,
        "quota": rounds[-1]["quota"],
        "ballots": total,
        "rounds": rounds,
        "ties": lot.draws,
    }


def _sure_losers(live: list[int], tally: list[int]) -> list[int]:
    """The largest bottom group whose combined votes are fewer than the next candidate's.

    Equal candidates are never split. At least one candidate (the leader) always survives.
    """
    order = sorted(live, key=lambda c: (tally[c], c))
    best: list[int] = []
    running = 0
    for i in range(len(order) - 1):
        running += tally[order[i]]
        nxt = tally[order[i + 1]]
        if tally[order[i]] < nxt and running < nxt:
            best = order[: i + 1]
    return best
