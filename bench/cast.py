"""Cast throughput over HTTP: ``python -m bench.cast [--ballots N] [--clients 16] [--json]``.

A server process (uvicorn, one worker; ``app.local_server.server_process``) on a fresh SQLite
file, or on PostgreSQL with ``--database-url`` / ``$SCRUTIN_TEST_DATABASE_URL`` (a scratch
database: the bench creates an election in it). Set-up, not timed: a 30-candidate S/O/N
election, a roll, the key ceremony, one credential per voter, and every ballot encrypted and
signed beforehand (the voters' own machines do that in a real election). Timed: ``--clients``
threads cast the ballots concurrently (``POST /ballots``, one voter each at a time). Reported:
ballots/s, latency p50/p99, and the server's CPU time per ballot (user + system time of the
server process from /proc over the timed phase, divided by the ballots), hence ballots/s per
server core.

``--profile`` instead runs the server's part of a cast in this process, one thread, under
cProfile (body parsing and validation, ``prepare_cast``, ``verify``, ``store`` and the
commit) and prints thread CPU per step and the top functions.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from app.client.http import ScrutinSession
from app.client.trustee import TrusteeClient, run_ceremony
from app.client.voter import VoterClient
from app.config import Settings
from app.local_server import free_port, live_server, server_process
from app.simulate import load_settings_for, session_for

ADMIN = "BenchAdmin"


def _settings(database_url: str | None) -> Settings:
    settings = load_settings_for(database_url, ADMIN, "scrutin-bench-cast-")
    from app import db

    db.upgrade(settings.effective_database_url)
    return settings


def prepare(
    base_url: str, ballots: int, candidates: int, clients: int, data_dir: Path
) -> tuple[str, list[tuple[ScrutinSession, dict[str, Any]]]]:
    """An open election and ``ballots`` pre-encrypted ballots, one voter each."""
    admin = session_for(base_url, ADMIN)
    now = datetime.now(UTC)
    eid = admin.post(
        "/api/v1/elections",
        {
            "title": {"en": "Cast bench"},
            "questions": [
                {
                    "kind": "sonc",
                    "title": {"en": "Candidates"},
                    "candidates": [{"name": {"en": f"Candidate {i + 1}"}} for i in range(candidates)],
                }
            ],
            "schedule": {
                "start": (now - timedelta(minutes=1)).isoformat(),
                "end": (now + timedelta(days=1)).isoformat(),
                "timezone": "UTC",
            },
            "threshold": 2,
            "trustee_count": 2,
        },
    )["id"]
    names = ["BenchTrustee1", "BenchTrustee2"]
    for name in names:
        admin.post(f"/api/v1/elections/{eid}/roles", {"username": name, "role": "trustee"})
    voters = [f"BenchVoter{i:06d}" for i in range(ballots)]
    admin.post(f"/api/v1/elections/{eid}/roll", {"usernames": voters})
    admin.post(f"/api/v1/elections/{eid}/freeze")
    run_ceremony(
        [TrusteeClient(session_for(base_url, n), eid, data_dir / f"{n}.json", "bench") for n in names]
    )
    rng = random.Random(16)
    context = None

    def one(name: str) -> tuple[ScrutinSession, dict[str, Any]]:
        nonlocal context
        client = VoterClient(session_for(base_url, name), eid)
        if context is None:
            context = client.context()
        client._context = context  # noqa: SLF001 - one checked election for every voter
        client.ensure_credential()
        return client.session, client.make_ballot([[rng.choice((1, -1, 0)) for _ in range(candidates)]])

    with ThreadPoolExecutor(max_workers=min(clients, 4)) as pool:
        return eid, list(pool.map(one, voters))


def _server_cpu(port: int) -> float:
    """User + system CPU seconds of the uvicorn process listening on ``port``."""
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            if b"uvicorn" in cmd and str(port).encode() in cmd:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except OSError:
            continue
    raise RuntimeError(f"no server process on port {port}")


def run(ballots: int, clients: int, candidates: int, database_url: str | None) -> dict[str, Any]:
    settings = _settings(database_url)
    port = free_port()
    with server_process(settings, port=port) as base_url:
        eid, prepared = prepare(base_url, ballots, candidates, clients, settings.data_dir)
        latencies: list[float] = []
        lock = threading.Lock()
        queue = iter(prepared)

        def client() -> None:
            while True:
                with lock:
                    item = next(queue, None)
                if item is None:
                    return
                session, ballot = item
                t0 = time.perf_counter()
                session.post(f"/api/v1/elections/{eid}/ballots", {"ballot": ballot})
                with lock:
                    latencies.append(time.perf_counter() - t0)

        cpu0 = _server_cpu(port)
        t0 = time.perf_counter()
        threads = [threading.Thread(target=client) for _ in range(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - t0
        cpu = _server_cpu(port) - cpu0
    latencies.sort()
    cpu_ms = 1000 * cpu / len(latencies)
    return {
        "database": "postgresql" if database_url else "sqlite",
        "ballots": len(latencies),
        "clients": clients,
        "candidates": candidates,
        "ballots_per_s": round(len(latencies) / wall, 2),
        "p50_ms": round(1000 * statistics.median(latencies), 1),
        "p99_ms": round(1000 * latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))], 1),
        "server_cpu_ms_per_ballot": round(cpu_ms, 1),
        "ballots_per_s_per_server_core": round(1000 / cpu_ms, 1),
        "load_average": os.getloadavg()[0],
    }


def profile(ballots: int, candidates: int, top: int) -> str:
    """The server's part of each cast, in this thread, under cProfile (module docstring)."""
    from app.api.deps import unit_of_work
    from app.schemas.voting import CastIn
    from app.services import casting
    from app.services.actor import Actor
    from app.services.casting import CastSignals

    settings = _settings(None)
    from app.main import create_app

    app = create_app(settings)
    with live_server(settings) as base_url:
        eid, prepared = prepare(base_url, ballots, candidates, 4, settings.data_dir)
    bodies = [(json.dumps({"ballot": b}).encode(), s.username) for s, b in prepared]

    class _Request:  # what unit_of_work reads
        def __init__(self) -> None:
            self.app = app

    request: Any = _Request()
    names = ("parse", "prepare", "verify", "store+commit")
    prof = cProfile.Profile(time.thread_time)

    def cast_all(items: list[tuple[bytes, str]], profiled: bool) -> dict[str, float]:
        steps = dict.fromkeys(names, 0.0)
        for body, username in items:
            if profiled:
                prof.enable()
            t = time.thread_time()
            parsed = CastIn.model_validate_json(body)
            t1 = time.thread_time()
            with unit_of_work(request, readonly=True, election_id=eid) as session:
                plan = casting.prepare_cast(session, Actor(username), eid, parsed.ballot)
            t2 = time.thread_time()
            verified = casting.verify(plan, parsed.ballot)
            t3 = time.thread_time()
            with unit_of_work(request) as session:
                casting.store(
                    session,
                    plan,
                    parsed.ballot,
                    verified,
                    app.state.receipt_signer,
                    CastSignals(ip="127.0.0.1"),
                )
            t4 = time.thread_time()
            if profiled:
                prof.disable()
            for name, dt in zip(names, (t1 - t, t2 - t1, t3 - t2, t4 - t3), strict=True):
                steps[name] += dt / len(items)
        return steps

    # First half timed as it runs (thread CPU, no profiler), second half under cProfile.
    half = len(bodies) // 2
    steps = cast_all(bodies[:half], False)
    cast_all(bodies[half:], True)
    out = io.StringIO()
    out.write(
        "thread CPU per ballot (no profiler): "
        + ", ".join(f"{k} {1000 * v:.2f} ms" for k, v in steps.items())
        + f"; total {1000 * sum(steps.values()):.2f} ms\n"
    )
    stats = pstats.Stats(prof, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(r"app/services|app/schemas|crypto/(ballots|hashing)", top)
    app.state.engine.dispose()
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ballots", type=int, default=320)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--candidates", type=int, default=30)
    parser.add_argument("--database-url", default=os.environ.get("SCRUTIN_TEST_DATABASE_URL"))
    parser.add_argument("--sqlite-only", action="store_true", help="ignore $SCRUTIN_TEST_DATABASE_URL")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.profile:
        print(profile(args.ballots, args.candidates, args.top))
        return
    results = [run(args.ballots, args.clients, args.candidates, None)]
    if args.database_url and not args.sqlite_only:
        results.append(run(args.ballots, args.clients, args.candidates, args.database_url))
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        for r in results:
            print(
                f"{r['database']}: {r['ballots']} ballots, {r['clients']} clients: "
                f"{r['ballots_per_s']} ballots/s, p50 {r['p50_ms']} ms, p99 {r['p99_ms']} ms;"
                f" server CPU {r['server_cpu_ms_per_ballot']} ms/ballot "
                f"({r['ballots_per_s_per_server_core']} ballots/s per core)"
            )


if __name__ == "__main__":
    main()
