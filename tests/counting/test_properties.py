"""Properties every correct engine has, on random small profiles (hypothesis)."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import example, given, settings
from hypothesis import strategies as st

from app.counting import Profile, count

NAMES = "ABCDEFG"


@st.composite
def profiles(draw, min_candidates=2, max_candidates=6):
    n = draw(st.integers(min_candidates, max_candidates))
    ranking = st.permutations(range(n)).flatmap(lambda perm: st.integers(1, n).map(lambda k: perm[:k]))
    ballots = draw(st.lists(st.tuples(st.integers(1, 5), ranking), min_size=1, max_size=25))
    return Profile.build(NAMES[:n], ballots)


@settings(max_examples=150, deadline=None)
@given(profiles())
def test_irv_first_preference_majority_wins(p):
    firsts = [0] * len(p.candidates)
    for w, r in p.ballots:
        firsts[r[0][0]] += w
    total = p.total_weight
    leader = max(range(len(firsts)), key=firsts.__getitem__)
    result = count("irv", p)
    if 2 * firsts[leader] > total:
        assert result["elected"] == [p.candidates[leader]]
    assert len(result["elected"]) == 1


@settings(max_examples=150, deadline=None)
@given(profiles())
def test_condorcet_winner_wins_schulze_and_debian(p):
    d = p.pairwise()
    n = len(p.candidates)
    condorcet = [a for a in range(n) if all(d[a][b] > d[b][a] for b in range(n) if b != a)]
    result = count("schulze", p)
    if condorcet:
        assert result["winners"] == [p.candidates[condorcet[0]]]
        assert result["condorcet_winner"] == p.candidates[condorcet[0]]
        # Debian without quorum and with simple majorities: a Condorcet winner beats the
        # default option too, so it survives and wins
        assert count("debian", p)["winners"] == [p.candidates[condorcet[0]]]
    # the ranking is a partition of all candidates
    flat = [c for g in result["ranking"] for c in g]
    assert sorted(flat) == sorted(p.candidates)


def assert_securepoll_unfilled_by_tie(result: dict) -> None:
    """SecurePoll's Meek draws no lots, so a seat may stay empty only because of a tie.

    Either (a) a group tied at the bottom was excluded together and left fewer candidates than
    seats: the ones left are then all elected, in later rounds, so every candidate ends elected
    or excluded. (The old form of this property demanded an exclusion in the *last* round, which
    is wrong: after the tied group goes, the count goes on until whoever is left is elected, and
    those rounds exclude nobody.) Or (b) in the last round more hopefuls reached the quota than
    seats were left, with equal votes across the last seat (it takes truncation pushing an
    elected candidate under the quota, so in practice a low precision).
    """
    assert result["unfilled_reason"]
    seats, candidates = result["seats"], result["candidates"]
    elected, excluded = set(result["elected"]), set(result["eliminated"])
    in_count = len(candidates)
    for rd in result["rounds"]:
        gone = rd["eliminated"]
        if (
            len(gone) >= 2
            and len({rd["votes"][c] for c in gone}) == 1
            and in_count > seats > in_count - len(gone)
        ):
            assert elected | excluded == set(candidates)  # (a)
            return
        in_count -= len(gone)
    last = result["rounds"][-1]
    quota = Decimal(last["quota"])
    reached = [
        Decimal(v)
        for c, v in last["votes"].items()
        if c not in elected and c not in excluded and Decimal(v) >= quota
    ]
    assert len(reached) > result["unfilled_seats"]  # (b)
    assert len(set(reached)) == 1


def check_stv_fills_seats(p: Profile, seats: int, precision: int | None = None) -> None:
    # SSI 2007/42 rule 52 fills every seat, even with candidates nobody voted for
    result = count("scottish-stv", p, seats)
    assert len(result["elected"]) == len(set(result["elected"])) == seats
    assert result["unfilled_reason"] is None
    # OpenSTV never elects a candidate with no votes (RationalWiki 2021 relied on that)
    result = count("meek-openstv", p, seats)
    assert len(result["elected"]) == len(set(result["elected"]))
    assert len(result["elected"]) + result["unfilled_seats"] == seats
    assert bool(result["unfilled_reason"]) == bool(result["unfilled_seats"])
    if result["unfilled_seats"]:
        last = result["rounds"][-1]["votes"]
        assert all(float(v) == 0 for name, v in last.items() if name not in result["elected"])
    # SecurePoll's Meek excludes candidates tied at the bottom together, which may leave seats
    # unfilled; it reports them instead of deciding by lot. Otherwise, once no more hopefuls
    # remain than seats, they are all elected, so nothing else leaves a seat empty.
    result = count("meek", p, seats, precision=precision)
    assert len(result["elected"]) + result["unfilled_seats"] == seats
    assert len(set(result["elected"])) == len(result["elected"])
    if result["unfilled_seats"]:
        assert_securepoll_unfilled_by_tie(result)
    else:
        assert result["unfilled_reason"] is None


# Falsifying examples hypothesis found (see the regression tests in test_meek.py): a keep-factor
# 2-cycle that never ended, and a tie that empties a seat rounds before the last one.
EXAMPLE_1 = Profile(candidates=("A", "B", "C", "D", "E"), ballots=((1, ((0,), (1,))), (1, ((0,), (2,)))))
EXAMPLE_2 = Profile(
    candidates=("A", "B", "C", "D", "E"), ballots=((2, ((2,),)), (3, ((0,), (1,))), (3, ((0,), (3,))))
)


@settings(max_examples=150, deadline=None)
@given(profiles(max_candidates=6), st.integers(1, 6), st.sampled_from([None, 6]))
@example(EXAMPLE_1, 2, None)
@example(EXAMPLE_2, 3, None)
def test_stv_fills_min_seats_candidates(p, seats, precision):
    # precision 6 (SecurePoll's minimum) makes truncation ties far more frequent than 10
    check_stv_fills_seats(p, min(seats, len(p.candidates)), precision)
