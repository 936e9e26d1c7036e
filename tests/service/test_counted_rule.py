"""The counted-set rule has one definition (``crypto.tally.counted_ballots``): the services'
views (the scrutineers' voter list, each voter's ``/me``) must agree with the verifier's replay
of the board after any sequence of casts, re-votes, strikes and unstrikes."""

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crypto.tally import counted_ballots
from tests.service.helpers import ballot_states, login, my_states, open_election, voter

VOTERS = ["Ann", "Ben", "Cat"]


def _oracle(events):
    """The rule as docs/protocol.md states it, computed differently: a tracker is struck iff
    the last strike/unstrike event naming it is a strike; a credential's counted ballot is its
    latest unstruck one, unless the credential was replaced."""
    last_word: dict[str, str] = {}
    casts: list[tuple[int, str, str]] = []
    revoked = set()
    for e in events:
        p = e["payload"]
        if e["type"] == "ballot_cast":
            casts.append((e["seq"], p["tracker"], p["credential"]))
        elif e["type"] in ("ballot_struck", "ballot_unstruck"):
            for t in p["trackers"]:
                last_word[t] = e["type"]
        elif e["type"] == "credential_replaced":
            revoked.add(p["old_credential"])
    best: dict[str, tuple[int, str]] = {}
    for seq, tracker, credential in casts:
        if credential not in revoked and last_word.get(tracker) != "ballot_struck":
            if credential not in best or best[credential][0] < seq:
                best[credential] = (seq, tracker)
    return sorted(t for _, t in best.values())


_op = st.one_of(
    st.tuples(st.just("cast"), st.integers(0, 3)),
    st.tuples(
        st.sampled_from(["ballot_struck", "ballot_unstruck"]),
        st.lists(st.integers(0, 20), min_size=1, max_size=3),
    ),
    st.tuples(st.just("credential_replaced"), st.integers(0, 3)),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_op, max_size=25))
def test_counted_ballots_matches_the_stated_rule(ops) -> None:
    events, trackers = [], []
    for seq, (kind, arg) in enumerate(ops, start=1):
        if kind == "cast":
            trackers.append(f"t{seq}")
            payload = {"tracker": f"t{seq}", "credential": f"c{arg}", "definition_version": 1}
            events.append({"seq": seq, "type": "ballot_cast", "payload": payload})
        elif kind == "credential_replaced":
            events.append(
                {"seq": seq, "type": kind, "payload": {"old_credential": f"c{arg}", "credential": f"n{seq}"}}
            )
        elif trackers:
            chosen = sorted({trackers[i % len(trackers)] for i in arg})
            events.append({"seq": seq, "type": kind, "payload": {"trackers": chosen}})
    assert sorted(c.tracker for c in counted_ballots(events)) == _oracle(events)


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_service_views_equal_the_verifier_view(client, tmp_path, seed) -> None:
    """Random casts, re-votes, strikes and unstrikes through the real routes and services."""
    rng = random.Random(seed)
    admin, eid, _ = open_election(client, tmp_path, VOTERS, trustees=2, threshold=2)
    admin.post(f"/api/v1/elections/{eid}/roles", {"username": "Scrut", "role": "scrutineer"})
    scrut = login(client, "Scrut")
    clients = {name: voter(client, eid, name) for name in VOTERS}
    owner: dict[str, str] = {}
    for step in range(16):
        states = ballot_states(admin, eid)
        live = [t for t, s in states.items() if s != "struck"]
        dead = [t for t, s in states.items() if s == "struck"]
        move = rng.choice(["cast", "cast", "strike", "strike", "unstrike", "new_device"])
        counted_now = {c.tracker for c in counted_ballots(admin.board(eid))}
        uncounted = [n for n in VOTERS if not any(owner.get(t) == n for t in counted_now)]
        if move == "strike" and live:
            scrut.post(
                f"/api/v1/elections/{eid}/scrutiny/strike",
                {"trackers": [rng.choice(live)], "reason_code": "other", "reason_text": f"step {step}"},
            )
        elif move == "unstrike" and dead:
            scrut.post(
                f"/api/v1/elections/{eid}/scrutiny/unstrike",
                {"trackers": [rng.choice(dead)], "reason_code": "other", "reason_text": f"step {step}"},
            )
        elif move == "new_device" and uncounted:
            # None of the voter's ballots counts: a new device replaces the credential
            # (``credential_replaced``); the old credential's ballots never count again.
            name = rng.choice(uncounted)
            clients[name] = voter(client, eid, name)
            owner[clients[name].cast([[0, 1, 0]])["tracker"]] = name
        else:
            name = rng.choice(VOTERS)
            owner[clients[name].cast([[1, 0, -1]])["tracker"]] = name
        counted = {c.tracker for c in counted_ballots(admin.board(eid))}
        states = ballot_states(admin, eid)
        assert {t for t, s in states.items() if s == "current"} == counted
        for name, vc in clients.items():
            status = vc.status()
            mine = {t for t, o in owner.items() if o == name}
            assert set(my_states(vc)) == mine
            expected = sorted(mine & counted)
            assert len(expected) <= 1
            assert status["current_tracker"] == (expected[0] if expected else None)
            assert {b["tracker"] for b in status["ballots"] if b["counted"]} == set(expected)
