"""Meek STV, in the two flavours Scrutin must reproduce.

Meek's rule (Hill, Wichmann & Woodall, "Algorithm 123", Computer Journal 1987): every candidate
has a *keep factor* k (1 for hopefuls, 0 for the excluded, less than 1 for the elected). Each
ballot gives each candidate it reaches, in order, ``weight * k`` and passes on
``weight * (1 - k)``; excluded candidates are skipped as if they had never stood; what is left after
the last preference is exhausted. The quota is recomputed from the non-exhausted votes, and the
keep factors of the elected are brought down towards ``quota / votes`` until the surpluses vanish.

* ``flavour="securepoll"`` is MediaWiki SecurePoll's ``STVTallier`` (Wikimedia board elections since
  2021): quota ``votes / (seats + 1) + 0.000001``, bcmath fixed point with 10 decimals (truncated),
  **one** keep-factor update per round (``k = k * quota / votes``, recomputed from the previous
  round), winners are everyone at or above the quota, and when a round elects nobody the hopefuls
  tied at the bottom are excluded *together* if ``lowest * n_lowest + surplus < next lowest``
  (Hill's safe exclusion) or if the iteration has stalled at this precision: the total surplus
  did not change since the previous round (SecurePoll's test) or the keep factors repeat an
  earlier round's (truncation can make them alternate for ever; the PHP never ends then). If all
  remaining candidates are tied they are all excluded and the seat is reported unfilled rather
  than decided by lot. Departures from the PHP, only where it fails: a round that would exclude
  a hopeful while no more hopefuls remain than seats elects them all (the reference rule's step
  B.1; the PHP would leave a seat empty), a keep factor is not divided by a zero total, and
  never more candidates than seats are elected (a tie across the last seat leaves it unfilled).
  Every unfilled seat comes from a tie and ``unfilled_reason`` says which.
* ``flavour="openstv"`` is OpenSTV 1.7 ``MeekSTV``, the program that produced the official
  RationalWiki counts: 6-decimal fixed point, threshold ``votes / (seats + 1) + 0.000001``
  (floor), keep factors rounded *up*, the count stops when the total surplus falls under 0.000001
  or keep factors stop changing, then all "sure losers" are excluded in one batch; ties are broken
  by the most recent round that differs, then by (seeded) lot. When only as many candidates as seats
  remain they are all elected, except those with no votes in that round (their seats stay
  unfilled). It always ends: keep factors rounded up never increase, and a round that changes
  none of them is followed by an exclusion.

Counting walks a prefix tree of the ballots (losers removed, expanded below elected candidates
only), exactly like OpenSTV does; for SecurePoll the tree gives bit-identical sums because every
ballot on one tree node carries the same weight (bcmath truncates per ballot, and
``value * count`` is exact).
"""

from __future__ import annotations

from app.counting.ballots import Profile, resolve_seats
from app.counting.errors import CountingError
from app.counting.fixedpoint import to_str
from app.counting.tiebreak import Lot, break_by_history

MAX_ROUNDS = 100_000

Tree = dict  # candidate -> [weight, subtree]


def _build_tree(ballots, elected: set[int], excluded: set[int]) -> Tree:
    """Prefix tree of the ballots over non-excluded candidates, stopping at the first hopeful."""
    root: Tree = {}
    for weight, ranking in ballots:
        node = root
        for c in ranking:
            if c in excluded:
                continue  # Meek: an excluded candidate is treated as never having stood
            entry = node.get(c)
            if entry is None:
                entry = node[c] = [0, {}]
            entry[0] += weight
            if c not in elected:
                break  # a hopeful keeps the whole remaining value
            node = entry[1]
    return root


def _distribute_securepoll(node: Tree, weight: int, kf: list[int], scale: int, totals: list[int]) -> None:
    # STVTallier::distributeVotes: voteValue = bcmul(weight, kf) (truncated), earned += value*count,
    # weight -= voteValue, stop when the weight reaches 0.
    for c, (n, children) in node.items():
        value = weight * kf[c] // scale
        totals[c] += value * n
        rest = weight - value
        if rest > 0 and children:
            _distribute_securepoll(children, rest, kf, scale, totals)


def _distribute_openstv(node: Tree, remainder: int, kf: list[int], p: int, totals: list[int]) -> None:
    # MeekSTV.updateCount: count[c] += rrr*kf*n/p and rrr = rrr*(p-kf)/p, Python 2 int division
    # on the *aggregated* node weight n (which is why the tree shape matters for this flavour).
    for c, (n, children) in node.items():
        k = kf[c]
        totals[c] += remainder * k * n // p
        rest = remainder * (p - k) // p
        if rest > 0 and children:
            _distribute_openstv(children, rest, kf, p, totals)


def _named(names, values, places, which) -> dict[str, str]:
    return {names[c]: to_str(values[c], places) for c in which}


def _and(names: tuple[str, ...], which: list[int]) -> str:
    listed = [names[c] for c in sorted(which)]
    return listed[0] if len(listed) == 1 else ", ".join(listed[:-1]) + " and " + listed[-1]


def count_meek(
    profile: Profile,
    seats: int | None = None,
    *,
    flavour: str = "securepoll",
    precision: int | None = None,
    seed: int = 0,
) -> dict:
    """Count ``profile`` with Meek STV. Returns the result dict described in docs/counting.md."""
    seats = resolve_seats(profile, seats)
    if flavour == "securepoll":
        return _securepoll(profile, seats, 10 if precision is None else precision)
    if flavour == "openstv":
        return _openstv(profile, seats, 6 if precision is None else precision, seed)
    raise CountingError(f"unknown Meek flavour {flavour!r} (securepoll or openstv)")


def _securepoll(profile: Profile, seats: int, places: int) -> dict:
    if places < 6:
        raise CountingError("SecurePoll Meek needs at least 6 decimals (its quota adds 0.000001)")
    names = profile.candidates
    n = len(names)
    scale = 10**places
    epsilon = 10 ** (places - 6)
    ballots = profile.strict()
    total_ballots = sum(w for w, _ in ballots) * scale

    elected: list[int] = []
    eliminated: list[int] = []
    kf = [scale] * n
    prev_totals: list[int] | None = None
    prev_quota = 0
    prev_surplus = 0
    tree = _build_tree(ballots, set(), set())
    rounds: list[dict] = []
    quota = 0
    # Keep factors used since the elected/excluded sets last changed. Within such a stage the
    # next keep factors are a function of the current ones only, so seeing a vector again means
    # the iteration has entered a cycle at this precision and will never elect anyone.
    seen: set[tuple[int, ...]] = set()
    unfilled_reason: str | None = None

    while len(elected) < seats:
        elected_set, out = set(elected), set(eliminated)
        hopefuls = [c for c in range(n) if c not in elected_set and c not in out]
        if not hopefuls:
            break
        if len(rounds) >= MAX_ROUNDS:  # a safety net: every stage ends (see `seen`)
            raise CountingError(f"Meek count did not finish in {MAX_ROUNDS} rounds")
        # STVTallier::calculateKeepFactors: 1 for hopefuls, 0 for the excluded, and for each
        # elected candidate k = k_prev * quota_prev / votes_prev (two truncating bc operations).
        new_kf = [0 if c in out else scale for c in range(n)]
        if prev_totals is not None:
            for c in elected:
                if prev_totals[c] > 0:  # PHP would divide by zero; keep the factor instead
                    new_kf[c] = (kf[c] * prev_quota // scale) * scale // prev_totals[c]
                else:
                    new_kf[c] = kf[c]
        kf = new_kf
        cycling = tuple(kf) in seen
        seen.add(tuple(kf))

        totals = [0] * n
        _distribute_securepoll(tree, scale, kf, scale, totals)
        votes = sum(totals)
        # calculateDroopQuota: votes / (seats + 1) + 0.000001
        quota = votes // (seats + 1) + epsilon

        left = seats - len(elected)
        by_votes = sorted(hopefuls, key=lambda c: (-totals[c], c))
        new_winners = [c for c in by_votes if totals[c] >= quota]
        tied_at_quota: list[int] = []
        if len(new_winners) > left:
            # Only possible when truncation pushed an elected candidate under the quota (a
            # Droop quota admits at most `seats` candidates at once). The PHP elects them all
            # and overfills; we elect the most votes, and a tie across the last seat, which only
            # a lot could settle, leaves it unfilled and ends the count.
            cut = totals[new_winners[left - 1]]
            if totals[new_winners[left]] == cut:
                tied_at_quota = [c for c in new_winners if totals[c] == cut]
                new_winners = [c for c in new_winners if totals[c] > cut]
            else:
                new_winners = new_winners[:left]
        all_winners = elected + new_winners
        surplus = sum(totals[c] - quota for c in all_winners)
        newly_out: list[int] = []
        if tied_at_quota:
            unfilled_reason = (
                _and(names, tied_at_quota) + " reached the quota with equal votes "
                f"for {left - len(new_winners)} seat(s) (SecurePoll draws no lots)"
            )
        elif not new_winners:
            newly_out = _securepoll_exclusions(hopefuls, all_winners, totals, surplus, prev_surplus, cycling)
            if newly_out and len(hopefuls) <= left:
                # No more hopefuls than seats left: the reference Meek rule that STVTallier
                # follows (prfound.org, step B.1) elects them all. The PHP lacks that test and
                # would exclude one here, leaving a seat empty (or loop for ever).
                newly_out, new_winners = [], by_votes
                all_winners = elected + new_winners
                surplus = sum(totals[c] - quota for c in all_winners)
            elif len(hopefuls) - len(newly_out) < left:
                unfilled_reason = (
                    _and(names, newly_out) + " were tied at the bottom and "
                    "excluded together (SecurePoll draws no lots), which left "
                    "fewer candidates than seats"
                )
        rounds.append(
            {
                "round": len(rounds) + 1,
                "action": "count" if not rounds else "iterate",
                "votes": _named(names, totals, places, hopefuls + all_winners),
                "transfers": (
                    {}
                    if prev_totals is None
                    else {
                        names[c]: to_str(totals[c] - prev_totals[c], places)
                        for c in range(n)
                        if totals[c] != prev_totals[c]
                    }
                ),
                "keep_factors": _named(names, kf, places, sorted(elected)),
                "quota": to_str(quota, places),
                "surplus": to_str(surplus, places),
                "exhausted": to_str(total_ballots - votes, places),
                "elected": [names[c] for c in new_winners],
                "eliminated": [names[c] for c in sorted(newly_out)],
            }
        )
        elected = all_winners
        eliminated += sorted(newly_out)
        prev_totals, prev_quota, prev_surplus = totals, quota, surplus
        if new_winners or newly_out:
            tree = _build_tree(ballots, set(elected), set(eliminated))
            seen = set()
        if tied_at_quota:
            break

    return {
        "method": "meek",
        "flavour": "securepoll",
        "precision": places,
        "seats": seats,
        "candidates": list(names),
        "elected": [names[c] for c in elected],
        "eliminated": [names[c] for c in eliminated],
        "unfilled_seats": seats - len(elected),
        "unfilled_reason": unfilled_reason if len(elected) < seats else None,
        "quota": to_str(quota, places),
        "ballots": sum(w for w, _ in ballots),
        "rounds": rounds,
        "ties": [],
    }


def _securepoll_exclusions(hopefuls, winners, totals, surplus, prev_surplus, cycling: bool) -> list[int]:
    """STVTallier::declareEliminated (candidates tied at the bottom go together).

    SecurePoll compares the lowest total with the next distinct total among all candidates still
    in the count (elected included), so when the hopefuls are all tied the next value is the lowest
    elected total; if everyone left is tied, everyone left is excluded.

    The iteration has *stalled* when the total surplus did not change since the previous round
    (SecurePoll's test) or, more generally, when the keep factors repeat an earlier round of this
    stage (``cycling``): truncation can make them alternate between neighbouring values for ever,
    with a surplus that alternates too. Both mean "converged at this precision", so the bottom
    group goes. Whenever SecurePoll's own test fires at all, it fires no later than ``cycling``
    (a cycle's consecutive surpluses have all been compared by the time a vector repeats), so
    every count the PHP finishes is unchanged.
    """
    lowest = min(totals[c] for c in hopefuls)
    bottom = [c for c in hopefuls if totals[c] == lowest]
    higher = [totals[c] for c in hopefuls + winners if totals[c] > lowest]
    if not higher:
        return bottom
    next_lowest = min(higher)
    if lowest * len(bottom) + surplus < next_lowest or surplus == prev_surplus or cycling:
        return bottom
    return []


def _openstv(profile: Profile, seats: int, places: int, seed: int) -> dict:
    names = profile.candidates
    n = len(names)
    p = 10**places
    ballots = profile.strict()
    n_ballots = sum(w for w, _ in ballots)
    lot = Lot(seed)

    continuing = set(range(n))
    winners: list[int] = []
    losers: list[int] = []
    counts: list[list[int]] = []
    kfs: list[list[int]] = []
    thresh: list[int] = []
    surplus: list[int] = []
    rounds: list[dict] = []
    first_elimination = True

    def over() -> bool:  # stopCond ["Know Winners", "N"]
        return len(winners) == seats or len(continuing) + len(winners) <= seats

    def weak_tie(r: int, cands, purpose: str) -> int:
        """Iterative.breakWeakTie(fewest): the round r, then earlier rounds backwards, then lot."""
        cands = sorted(cands)
        low = min(counts[r][c] for c in cands)
        tied = [c for c in cands if counts[r][c] == low]
        if len(tied) > 1:
            tied = break_by_history(tied, counts[:r], lowest=True)
        return tied[0] if len(tied) == 1 else lot.choose(tied, names, purpose)

    def sure_losers(r: int) -> list[int]:
        """STV.getSureLosers: the largest bottom group whose votes plus the surplus cannot catch
        the next candidate up (candidates with equal votes always go together)."""
        max_losers = len(continuing) + len(winners) - seats
        if sum(counts[r][c] for c in continuing) == 0 and surplus[r] == 0:
            return sorted(continuing)
        order = sorted(continuing, key=lambda c: (counts[r][c], c))
        clusters: list[list[int]] = [[order[0]]]
        for c in order[1:]:
            if counts[r][c] == counts[r][clusters[-1][0]]:
                clusters[-1].append(c)
            else:
                clusters.append([c])
        s = surplus[r]
        potential: list[int] = []
        losers_now: list[int] = []
        for i, cluster in enumerate(clusters[:-1]):
            s += len(cluster) * counts[r][cluster[0]]
            potential += cluster
            if s < counts[r][clusters[i + 1][0]] and len(potential) <= max_losers:
                losers_now = potential[:]
        return losers_now

    def in_infinite_loop(r: int) -> bool:
        return r > 1 and kfs[r - 1] == kfs[r - 2]

    def update_round(r: int, action: str, tree: Tree, acted: list[int]) -> None:
        totals = [0] * n
        _distribute_openstv(tree, p, kfs[r], p, totals)
        counts.append(totals)
        exhausted = p * n_ballots - sum(totals)
        # Droop, dynamic, fractional: (votes - exhausted) / (seats + 1) + 1 lsb
        th = (p * n_ballots - exhausted) // (seats + 1) + 1
        thresh.append(th)
        surplus.append(sum(totals[c] - th for c in (*winners, *continuing) if totals[c] > th))
        new = sorted((c for c in continuing if totals[c] >= th), key=lambda c: (-totals[c], c))
        for c in new:
            continuing.discard(c)
            winners.append(c)
        shown = [c for c in range(n) if c not in set(losers) or c in acted]
        rounds.append(
            {
                "round": r + 1,
                "action": action,
                "votes": _named(names, totals, places, shown),
                "transfers": (
                    {}
                    if r == 0
                    else {
                        names[c]: to_str(totals[c] - counts[r - 1][c], places)
                        for c in range(n)
                        if totals[c] != counts[r - 1][c]
                    }
                ),
                "keep_factors": _named(
                    names, kfs[r], places, [c for c in range(n) if kfs[r][c] not in (0, p)]
                ),
                "quota": to_str(th, places),
                "surplus": to_str(surplus[r], places),
                "exhausted": to_str(exhausted, places),
                "elected": [names[c] for c in new],
                "eliminated": [names[c] for c in acted] if action == "eliminate" else [],
            }
        )

    kfs.append([p] * n)
    update_round(0, "count", _build_tree(ballots, set(), set()), [])
    r = 0
    while not over():
        r += 1
        if r >= MAX_ROUNDS:
            raise CountingError(f"Meek count did not finish in {MAX_ROUNDS} rounds")
        prev = r - 1
        transfer = not (surplus[prev] < 1 or sure_losers(prev) or in_infinite_loop(r))
        kf = [0] * n
        if transfer:
            # RecursiveSTV.updateKeepFactors: k = ceil(k * threshold / votes) for those over it
            for c in (*continuing, *winners):
                if counts[prev][c] > thresh[prev]:
                    q, rem = divmod(kfs[prev][c] * thresh[prev], counts[prev][c])
                    kf[c] = q + (1 if rem else 0)
                else:
                    kf[c] = kfs[prev][c]
            acted: list[int] = []
            action = "surplus"
        else:
            if in_infinite_loop(r):
                acted = [weak_tie(prev, continuing, "candidate to eliminate")]
            else:
                acted = []
                if first_elimination:
                    acted = sure_losers(prev)
                    if surplus[prev] == 0:
                        rest = [c for c in continuing if c not in acted]
                        if len(rest) + len(winners) > seats and sum(counts[prev][c] for c in acted) == 0:
                            acted.append(weak_tie(prev, rest, "candidate to eliminate"))
                if not first_elimination or not acted:
                    acted = sure_losers(prev) or [weak_tie(prev, continuing, "candidate to eliminate")]
            first_elimination = False
            acted = sorted(acted)
            for c in acted:
                continuing.discard(c)
                losers.append(c)
            for c in (*continuing, *winners):
                kf[c] = kfs[prev][c]
            action = "eliminate"
        kfs.append(kf)
        update_round(r, action, _build_tree(ballots, set(winners), set(losers)), acted)

    # STV.updateCandidateStatus
    final_losers: list[int] = []
    if len(winners) < seats:
        for c in sorted(continuing):
            if counts[r][c] == 0:
                continuing.discard(c)
                final_losers.append(c)
        if len(continuing) + len(winners) > seats:
            c = weak_tie(r, continuing, "last loser")
            continuing.discard(c)
            final_losers.append(c)
        for c in sorted(continuing, key=lambda c: (-counts[r][c], c)):
            winners.append(c)
        rounds[-1]["elected"] += [names[c] for c in winners[len(winners) - len(continuing) :]]
        continuing.clear()
    losers += final_losers + sorted(continuing)

    return {
        "method": "meek-openstv",
        "flavour": "openstv",
        "precision": places,
        "seats": seats,
        "candidates": list(names),
        "elected": [names[c] for c in winners],
        "eliminated": [names[c] for c in losers],
        "unfilled_seats": seats - len(winners),
        "unfilled_reason": None
        if len(winners) == seats
        else (
            "the candidates left for the remaining seats had no votes in the last round "
            "(OpenSTV 1.7 never elects a candidate without votes)"
        ),
        "quota": to_str(thresh[-1], places),
        "ballots": n_ballots,
        "rounds": rounds,
        "ties": lot.draws,
    }
