"""Several server processes on one PostgreSQL database (skipped without
SCRUTIN_TEST_DATABASE_URL): two uvicorn processes over real HTTP, casting concurrently through
both; then ``scrutin serve --workers 2`` behind one port, its metrics added up over the
processes (PROMETHEUS_MULTIPROC_DIR)."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from app.client.http import ScrutinSession
from app.client.trustee import TrusteeClient, run_ceremony
from app.client.voter import VoterClient
from app.local_server import free_port, server_process
from crypto.board import verify_chain
from tests.dbutil import postgres_admin_url
from tests.service.helpers import PASSPHRASE, ballot_states, election_config
from tests.service.test_observability import sample

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(postgres_admin_url() is None, reason="needs SCRUTIN_TEST_DATABASE_URL (PostgreSQL)"),
]
ROOT = Path(__file__).resolve().parents[2]


def session(base_url: str, username: str) -> ScrutinSession:
    return ScrutinSession(base_url, http=httpx.Client(base_url=base_url, timeout=120)).dev_login(username)


def set_up(base_url: str, tmp_path: Path, voters: list[str], candidates: int = 3) -> str:
    admin = session(base_url, "Admin")
    eid = admin.post("/api/v1/elections", election_config(candidates=candidates))["id"]
    for name in ("Tara", "Theo", "Tess"):
        admin.post(f"/api/v1/elections/{eid}/roles", {"username": name, "role": "trustee"})
    admin.post(f"/api/v1/elections/{eid}/roll", {"usernames": voters})
    admin.post(f"/api/v1/elections/{eid}/freeze")
    run_ceremony(
        [
            TrusteeClient(session(base_url, n), eid, tmp_path / f"{n}.json", PASSPHRASE)
            for n in ("Tara", "Theo", "Tess")
        ]
    )
    assert admin.get(f"/api/v1/elections/{eid}")["phase"] == "open"
    return eid


def test_two_processes_cast_concurrently_on_one_database(settings, tmp_path) -> None:
    voters = [f"Voter{i:02d}" for i in range(24)]
    with server_process(settings) as first, server_process(settings) as second:
        eid = set_up(first, tmp_path, voters)

        def vote(index_name: tuple[int, str]) -> list[str]:
            index, name = index_name
            # Voters alternate between the processes; re-votes go through the other one.
            urls = (first, second) if index % 2 else (second, first)
            local = random.Random(name)
            client = VoterClient(session(urls[0], name), eid)
            trackers = [client.cast([[local.choice((1, -1, 0)) for _ in range(3)]])["tracker"]]
            if local.random() < 0.4:  # the credential code re-votes from "another device"
                again = VoterClient(session(urls[1], name), eid)
                again.use_code(client.new_code)
                trackers.append(again.cast([[local.choice((1, -1, 0)) for _ in range(3)]])["tracker"])
            return trackers

        with ThreadPoolExecutor(max_workers=8) as pool:
            results = dict(zip(voters, pool.map(vote, enumerate(voters)), strict=True))
        admin = session(second, "Admin")
        admin.post(f"/api/v1/elections/{eid}/close", {"reason": "end of the test"})
        events = admin.board(eid)
        # Both processes see the same board.
        assert session(first, "Admin").board(eid) == events
        record = httpx.get(f"{first}/api/v1/elections/{eid}/record", timeout=120).json()
        states = ballot_states(admin, eid)

    assert verify_chain(events)  # one unbroken hash chain, whichever process appended
    seqs = [e["seq"] for e in events]
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))
    cast = [e["payload"]["tracker"] for e in events if e["type"] == "ballot_cast"]
    every = [t for trackers in results.values() for t in trackers]
    assert sorted(cast) == sorted(every) and len(set(cast)) == len(cast)  # each once
    for trackers in results.values():
        assert [states[t] for t in trackers] == ["superseded"] * (len(trackers) - 1) + ["current"]
    path = tmp_path / "record.json"
    path.write_text(json.dumps(record))
    verified = subprocess.run(
        [sys.executable, "-m", "app", "verify", str(path), "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert len(json.loads(verified.stdout)["counted"]) == len(voters)


def test_serve_with_workers_adds_up_metrics(settings, tmp_path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "SCRUTIN_ENVIRONMENT": "test",
        "SCRUTIN_DEV_LOGIN": "true",
        "SCRUTIN_SECRET_KEY": settings.secret_key,
        "SCRUTIN_ADMINS": "Admin",
        "SCRUTIN_DATABASE_URL": settings.database_url,
        "SCRUTIN_DATA_DIR": str(tmp_path),
        "SCRUTIN_DEMO": "false",
        "SCRUTIN_WORKERS": "2",
        "SCRUTIN_LOG_FORMAT": "json",
        **{
            f"SCRUTIN_RATE_LIMIT_{k}": "100000/minute"
            for k in ("LOGIN", "INVITATIONS", "CAST", "EXPORT", "SENSITIVE_READ")
        },
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    log = (tmp_path / "serve.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            assert process.poll() is None, (tmp_path / "serve.log").read_text()
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.2)
        voters = [f"Voter{i:02d}" for i in range(10)]
        eid = set_up(base, tmp_path, voters)
        before = sample(httpx.get(f"{base}/metrics").text, "scrutin_ballots_cast_total")

        def vote(name: str) -> None:
            VoterClient(session(base, name), eid).cast([[1, 0, -1]])

        with ThreadPoolExecutor(max_workers=5) as pool:
            list(pool.map(vote, voters))
        # Whichever process answers the scrape, it counts the casts of both.
        for _ in range(4):
            text = httpx.get(f"{base}/metrics").text
            assert sample(text, "scrutin_ballots_cast_total") == before + len(voters)
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()
    output = (tmp_path / "serve.log").read_text()
    pids = {
        json.loads(line).get("message", "")
        for line in output.splitlines()
        if line.startswith("{") and "Started server process" in line
    }
    assert len(pids) >= 2, output[-3000:]  # two worker processes served
    assert list((tmp_path / "prometheus").glob("*.db"))
