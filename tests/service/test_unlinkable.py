"""Nothing public links a name to a ballot (DESIGN §3.8), tried the way issue 14 found it:
ten voters cast (in reverse name order), two re-vote, one is struck as a sockpuppet and invited
back; an outsider polls the who-voted list and the board after every cast, then reads every
public endpoint and the record, and tries to pair names with trackers by times, by order and
by tracker states. The voter still sees, on their own page, which of their ballots counts."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from sqlalchemy import update

from app.client.http import ScrutinSession
from app.db import transaction
from app.models import Ballot
from app.models.base import utcnow
from tests.service.helpers import ADMIN, login, my_states, open_election, voter

NAMES = [f"Voter{c}" for c in "ABCDEFGHIJ"]
TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d")


def anonymous(client: Any) -> ScrutinSession:
    return ScrutinSession("http://testserver", http=client)


def times_in(value: Any) -> set[str]:
    return set(TIME.findall(str(value)))


def test_public_endpoints_and_record_link_no_name_to_a_tracker(client, tmp_path, app) -> None:
    admin, eid, _ = open_election(client, tmp_path, NAMES)
    base = f"/api/v1/elections/{eid}"
    outsider = anonymous(client)
    clients = {name: voter(client, eid, name) for name in NAMES}
    receipts: dict[str, list[dict[str, Any]]] = {name: [] for name in NAMES}
    seen_lists = []
    # 1. Polling while voting goes on: a name that appears in the list as a ballot appears on
    #    the board would pair them. Today's voters are not listed yet.
    for name in reversed(NAMES):
        receipts[name].append(clients[name].cast([[1, 0, -1]]))
        seen_lists.append(outsider.get(f"{base}/voted"))
    assert all(
        v == {"voters": [], "complete": False, "first_voted_before": seen_lists[0]["first_voted_before"]}
        for v in seen_lists
    )
    for name in ("VoterC", "VoterH"):  # two re-votes
        receipts[name].append(clients[name].cast([[-1, 0, 1]]))
    login(client, ADMIN).post(f"{base}/roles", {"username": "Scrut", "role": "scrutineer"})
    login(client, "Scrut").post(
        f"{base}/scrutiny/strike",
        {
            "voters": ["VoterE"],
            "reason_code": "sockpuppet",
            "reason_text": "VoterE is a sock of VoterQ",
            "invite_to_revote": True,
        },
    )
    receipts["VoterE"].append(clients["VoterE"].cast([[0, 0, 0]]))

    # 2. A day later the earlier days' voters are listed: names only, sorted by name.
    with transaction(app.state.sessions) as session:
        session.execute(
            update(Ballot).where(Ballot.election_id == eid).values(cast_at=utcnow() - timedelta(days=1))
        )
    listed = outsider.get(f"{base}/voted")
    assert listed["voters"] == [{"username": n} for n in sorted(NAMES)]
    assert not times_in(listed["voters"])

    # 3. Tracker look-ups: current, superseded, struck and re-cast ballots all look alike.
    trackers = [r["tracker"] for rs in receipts.values() for r in rs]
    looked = [outsider.get(f"{base}/trackers/{t}") for t in trackers]
    assert {tuple(sorted(found)) for found in looked} == {("at", "board_seq", "on_board", "tracker")}
    assert all(found["on_board"] is True for found in looked)

    # 4. The board and the record: strikes carry no reason next to their trackers, and no name
    #    is anywhere in them.
    board = outsider.board(eid)
    struck = [e for e in board if e["type"] == "ballot_struck"]
    assert struck and all(set(e["payload"]) == {"trackers", "count"} for e in struck)
    assert all(e["payload"]["trackers"] == sorted(e["payload"]["trackers"]) for e in struck)
    record = client.get(f"{base}/record").text
    public = [record, str(looked), str(board)]
    for text in public:
        assert not any(name in text for name in NAMES), "a name is in the public record"
        assert "sockpuppet" not in text and "VoterQ" not in text
    # The attack of the issue: a time next to a name (first/last cast) matched with the
    # board's ballot_cast.at. The list has no time at all, and the only public source with
    # names (the list) has nothing in common with the board but the set of names.
    board_times = times_in([e["at"] for e in board])
    assert board_times and not times_in(listed["voters"])
    assert not times_in([seen["voters"] for seen in seen_lists])

    # 5. After the close everyone who voted is listed, still without times; reason codes are
    #    published in aggregate only, when the tally starts.
    admin.post(f"{base}/close", {"reason": "end"})
    final = outsider.get(f"{base}/voted")
    assert final == {
        "voters": [{"username": n} for n in sorted(NAMES)],
        "complete": True,
        "first_voted_before": None,
    }
    admin.post(f"{base}/tally/start")
    started = next(e for e in outsider.board(eid) if e["type"] == "tally_started")
    assert started["payload"]["struck_by_reason"] == {"sockpuppet": 1}

    # 6. The voter, logged in, sees which of their ballots counts.
    e_states = my_states(clients["VoterE"])
    assert e_states == {
        receipts["VoterE"][0]["tracker"]: "struck",
        receipts["VoterE"][1]["tracker"]: "current",
    }
    c_ballots = clients["VoterC"].status()["ballots"]
    assert [b["counted"] for b in c_ballots] == [False, True]


def test_the_committee_sees_the_day_s_voters_at_once(client, tmp_path) -> None:
    admin, eid, _ = open_election(client, tmp_path, ["Ann", "Ben"])
    voter(client, eid, "Ben").cast([[1, 1, 1]])
    base = f"/api/v1/elections/{eid}/voted"
    assert admin.get(base) == {"voters": [{"username": "Ben"}], "complete": True, "first_voted_before": None}
    # A voter is the public: only earlier days' voters.
    assert login(client, "Ann").get(base)["voters"] == []
