"""End to end over real HTTP: uvicorn on 127.0.0.1, the Python clients as separate parties."""

import random
from concurrent.futures import ThreadPoolExecutor

import httpx
from sqlalchemy import func, select

from app.client.http import ScrutinSession
from app.client.trustee import TrusteeClient, run_ceremony
from app.client.voter import VoterClient
from app.db import make_engine
from app.local_server import live_server
from app.models import Ballot
from crypto.ballots import verify_ballot
from crypto.board import verify_chain
from crypto.manifest import ballot_context
from tests.service.helpers import PASSPHRASE, ballot_states, election_config

VOTERS = 50


def session(base_url: str, username: str) -> ScrutinSession:
    return ScrutinSession(base_url, http=httpx.Client(base_url=base_url, timeout=60)).dev_login(username)


def test_election_over_real_http(settings, tmp_path) -> None:
    rng = random.Random(20261122)
    with live_server(settings) as base_url:
        admin = session(base_url, "Admin")
        eid = admin.post("/api/v1/elections", election_config(candidates=4))["id"]
        trustee_names = ["Tara", "Theo", "Tess"]
        for name in trustee_names:
            admin.post(f"/api/v1/elections/{eid}/roles", {"username": name, "role": "trustee"})
        voters = [f"Voter{i:02d}" for i in range(VOTERS)]
        admin.post(f"/api/v1/elections/{eid}/roll", {"usernames": voters})
        admin.post(f"/api/v1/elections/{eid}/freeze")

        trustees = [
            TrusteeClient(session(base_url, n), eid, tmp_path / f"{n}.json", PASSPHRASE)
            for n in trustee_names
        ]
        run_ceremony(trustees)
        assert admin.get(f"/api/v1/elections/{eid}")["phase"] == "open"

        def vote(name: str) -> list[str]:
            client = VoterClient(session(base_url, name), eid)
            local = random.Random(name)
            trackers = [client.cast([[local.choice((1, -1, 0)) for _ in range(4)]])["tracker"]]
            if local.random() < 0.3:  # some voters change their mind
                trackers.append(client.cast([[local.choice((1, -1, 0)) for _ in range(4)]])["tracker"])
            return trackers

        with ThreadPoolExecutor(max_workers=4) as pool:
            results = dict(zip(voters, pool.map(vote, voters), strict=True))
        admin.post(f"/api/v1/elections/{eid}/close", {"reason": "end of the test"})

        events = admin.board(eid)
        head = verify_chain(events)
        assert head == admin.get(f"/api/v1/elections/{eid}/board/head")["hash"]
        cast_events = [e for e in events if e["type"] == "ballot_cast"]
        assert len(cast_events) == sum(len(t) for t in results.values())
        # Every ballot referenced from the board is public and verifies on its own.
        definition = admin.get(f"/api/v1/elections/{eid}/definition")["definition"]
        ctx = ballot_context(definition["manifest"], definition["fingerprint"])
        for event in rng.sample(cast_events, 10):
            ballot = admin.get(f"/api/v1/elections/{eid}/ballots/{event['payload']['tracker']}")
            assert verify_ballot(ctx, ballot).tracker == event["payload"]["tracker"]
        # Exactly the last ballot of each voter is current.
        known = ballot_states(admin, eid)
        for trackers in results.values():
            states = [known[t] for t in trackers]
            assert states == ["superseded"] * (len(trackers) - 1) + ["current"]

    engine = make_engine(settings.effective_database_url)
    with engine.connect() as connection:
        stored = connection.scalar(select(func.count()).select_from(Ballot).where(Ballot.election_id == eid))
    engine.dispose()
    assert stored == sum(len(t) for t in results.values())
