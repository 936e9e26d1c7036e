"""Properties every correct engine has, on random small profiles (hypothesis)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from app.counting import Profile, count

NAMES = "ABCDEFG"


@st.composite
def profiles(draw, min_candidates=2, max_candidates=6):
    n = draw(st.integers(min_candidates, max_candidates))
    ranking = st.permutations(range(n)).flatmap(
        lambda perm: st.integers(1, n).map(lambda k: perm[:k]))
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


@settings(max_examples=100, deadline=None)
@given(profiles(max_candidates=6), st.integers(1, 6))
def test_stv_fills_min_seats_candidates(p, seats):
    seats = min(seats, len(p.candidates))
    # SSI 2007/42 rule 52 fills every seat, even with candidates nobody voted for
    result = count("scottish-stv", p, seats)
    assert len(result["elected"]) == len(set(result["elected"])) == seats
    # OpenSTV never elects a candidate with no votes (RationalWiki 2021 relied on that)
    result = count("meek-openstv", p, seats)
    assert len(result["elected"]) == len(set(result["elected"]))
    assert len(result["elected"]) + result["unfilled_seats"] == seats
    if result["unfilled_seats"]:
        last = result["rounds"][-1]["votes"]
        assert all(float(v) == 0 for name, v in last.items() if name not in result["elected"])
    # SecurePoll's Meek excludes candidates tied at the bottom together, which may leave seats
    # unfilled; it reports them instead of deciding by lot.
    result = count("meek", p, seats)
    assert len(result["elected"]) + result["unfilled_seats"] == seats
    assert len(set(result["elected"])) == len(result["elected"])
    if result["unfilled_seats"]:
        last = result["rounds"][-1]
        assert len(last["eliminated"]) >= 1
