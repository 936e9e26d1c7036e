"""Scottish STV: the Scottish Local Government Elections Order 2007 (SSI 2007/42), schedule 1,
rules 45-52: a Weighted Inclusive Gregory count with 5-decimal truncated transfer values.

* Rule 45: first preferences; every valid paper has value 1.
* Rule 46: quota = floor(valid papers / (seats + 1)) + 1, a whole number.
* Rule 47: a candidate whose votes equal or exceed the quota is elected (several at one stage are
  listed by votes, most first).
* Rule 48: a surplus is transferred by moving **all** the elected candidate's papers to their next
  available preference, each at ``surplus * value of the paper / candidate's votes``, "calculated
  to five decimal places (any remainder being ignored)". Papers with no next available preference
  are non-transferable; the candidate keeps the quota.
* Rule 49: the highest surplus is transferred first; equal surpluses go by the most recent
  preceding stage at which the candidates' votes differed, then by lot.
* Rule 50: when no surplus remains, the candidate with fewest votes is excluded and all their
  papers move at the value they have (1 or the transfer value they arrived with), in one stage.
* Rule 51: a tie for fewest goes by the most recent preceding stage that differs, then by lot.
* Rule 52: when the continuing candidates are as many as the vacancies, they are all elected and
  nothing more is transferred.

Arithmetic: scaled integers with 5 decimals. Truncation makes some value disappear at each
surplus transfer; it is reported with the non-transferable papers as ``exhausted``.
"""

from __future__ import annotations

from app.counting.ballots import Profile, resolve_seats
from app.counting.fixedpoint import to_str
from app.counting.tiebreak import Lot, break_by_history

PLACES = 5
SCALE = 10**PLACES


def count_scottish_stv(profile: Profile, seats: int | None = None, *, seed: int = 0) -> dict:
    seats = resolve_seats(profile, seats)
    names = profile.candidates
    n = len(names)
    lot = Lot(seed)
    papers = [(w, r) for w, r in profile.strict() if r]
    valid = sum(w for w, _ in papers)
    quota = (valid // (seats + 1) + 1) * SCALE  # rule 46

    # Each candidate's parcels: [number of papers, value per paper, ranking, position on ranking]
    piles: list[list[tuple[int, int, tuple[int, ...], int]]] = [[] for _ in range(n)]
    votes = [0] * n
    for w, ranking in papers:  # rule 45
        piles[ranking[0]].append((w, SCALE, ranking, 0))
        votes[ranking[0]] += w * SCALE

    elected: list[int] = []
    excluded: list[int] = []
    surplus_done: set[int] = set()
    history: list[list[int]] = []
    stages: list[dict] = []

    def continuing() -> list[int]:
        out = set(elected) | set(excluded)
        return [c for c in range(n) if c not in out]

    def move(parcels, value_of) -> None:
        """Give each parcel to its next available preference (definition in article 2)."""
        out = set(elected) | set(excluded)
        for count, value, ranking, pos in parcels:
            for nxt in range(pos + 1, len(ranking)):
                c = ranking[nxt]
                if c not in out:
                    v = value_of(value)
                    piles[c].append((count, v, ranking, nxt))
                    votes[c] += count * v
                    break
            # no next available preference: a non-transferable paper, set aside

    def record(action: str, acted: list[int], new: list[int]) -> None:
        prev = history[-1] if history else None
        history.append(votes[:])
        stages.append(
            {
                "round": len(stages) + 1,
                "action": action,
                "from": [names[c] for c in acted],
                "votes": {
                    names[c]: to_str(votes[c], PLACES) for c in range(n) if c not in excluded or c in acted
                },
                "transfers": (
                    {}
                    if prev is None
                    else {
                        names[c]: to_str(votes[c] - prev[c], PLACES) for c in range(n) if votes[c] != prev[c]
                    }
                ),
                "quota": to_str(quota, PLACES),
                "exhausted": to_str(valid * SCALE - sum(votes), PLACES),
                "elected": [names[c] for c in new],
                "eliminated": [names[c] for c in acted] if action == "eliminate" else [],
            }
        )

    def elect_new() -> list[int]:
        # rule 47 (the cap is only a guard: a Droop quota cannot elect more than the seats)
        new = sorted((c for c in continuing() if votes[c] >= quota), key=lambda c: (-votes[c], c))
        new = new[: seats - len(elected)]
        elected.extend(new)
        return new

    action = "first"
    acted: list[int] = []
    while True:
        new = elect_new()
        hopefuls = continuing()
        if len(elected) < seats and len(hopefuls) <= seats - len(elected):
            # rule 52: the remaining continuing candidates fill the remaining seats
            fill = sorted(hopefuls, key=lambda c: (-votes[c], c))
            elected.extend(fill)
            new = new + fill
        record(action, acted, new)
        if len(elected) >= seats:
            break

        with_surplus = [c for c in elected if c not in surplus_done and votes[c] > quota]
        if with_surplus:
            # rule 49: highest surplus first; ties by the latest stage that differs, then lot
            top = max(votes[c] for c in with_surplus)
            tied = [c for c in with_surplus if votes[c] == top]
            if len(tied) > 1:
                tied = break_by_history(tied, history[:-1], lowest=False)
            c = tied[0] if len(tied) == 1 else lot.choose(tied, names, "surplus to transfer")
            surplus = votes[c] - quota
            total = votes[c]
            parcels, piles[c] = piles[c], []
            # rule 48(3): transfer value = surplus * value / votes, truncated to 5 decimals
            move(parcels, lambda value, s=surplus, t=total: s * value // t)
            votes[c] = quota
            surplus_done.add(c)
            action, acted = "surplus", [c]
            continue

        # rule 50: exclude the lowest continuing candidate (rule 51 for ties)
        hopefuls = continuing()
        low = min(votes[c] for c in hopefuls)
        tied = [c for c in hopefuls if votes[c] == low]
        if len(tied) > 1:
            tied = break_by_history(tied, history[:-1], lowest=True)
        c = tied[0] if len(tied) == 1 else lot.choose(tied, names, "candidate to exclude")
        excluded.append(c)
        parcels, piles[c] = piles[c], []
        move(parcels, lambda value: value)  # rule 50(4): papers keep their value
        votes[c] = 0
        action, acted = "eliminate", [c]

    return {
        "method": "scottish-stv",
        "precision": PLACES,
        "seats": seats,
        "candidates": list(names),
        "elected": [names[c] for c in elected],
        "eliminated": [names[c] for c in excluded],
        "unfilled_seats": seats - len(elected),
        "unfilled_reason": None,
        "quota": to_str(quota, PLACES),
        "ballots": valid,
        "rounds": stages,
        "ties": lot.draws,
    }
