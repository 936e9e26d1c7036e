"""``scrutin simulate``: a whole S/O/N election over real HTTP, timed phase by phase.

A server is started on 127.0.0.1 (a fresh SQLite file by default, or the PostgreSQL database
given); simulated trustees and voters use the same clients as real ones; the plaintext choices
the simulator makes are kept only here, to check the published result against them. The
record is written out and verified independently.
"""

from __future__ import annotations

import os
import random
import secrets
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from app.client.http import ScrutinSession
from app.client.trustee import TrusteeClient, run_ceremony
from app.client.voter import VoterClient
from app.config import Settings
from app.counting import count_rankings
from app.local_server import live_server, server_process

ADMIN = "SimAdmin"
SIMULATION_PASSPHRASE = "simulation"  # the simulated trustees' key files (throw-away elections)


@dataclass
class SimulationReport:
    election_id: str
    voters: int
    candidates: int
    ballots_cast: int
    timings: dict[str, float] = field(default_factory=dict)
    result_matches: bool = False
    verified: bool | None = None
    record_path: str | None = None

    def to_json(self) -> dict[str, Any]:
        return self.__dict__.copy()


def session_for(base_url: str, username: str) -> ScrutinSession:
    """A dev-login session with a long timeout (a loaded server answers slowly)."""
    http = httpx.Client(base_url=base_url, timeout=300)
    return ScrutinSession(base_url, http=http).dev_login(username)


def load_settings_for(database_url: str | None, admin: str, prefix: str) -> Settings:
    """A throw-away server for a simulation or a benchmark: dev login, a fresh data directory,
    no rate limits (every simulated voter logs in and casts from this one address)."""
    return Settings(
        environment="test",
        dev_login=True,
        secret_key=secrets.token_hex(32),
        database_url=database_url or "",
        data_dir=Path(tempfile.mkdtemp(prefix=prefix)),
        demo=False,
        admins=admin,
        rate_limit_login="",
        rate_limit_cast="",
        rate_limit_export="",
    )


def expected_totals(final_choices: dict[str, list[int]], candidates: int) -> list[int]:
    totals = []
    for c in range(candidates):
        totals.append(sum(1 for v in final_choices.values() if v[c] == 1))
        totals.append(sum(1 for v in final_choices.values() if v[c] == -1))
    return totals


def published_totals(rows: list[dict], expected: list[int]) -> tuple[list[int | None], list[int | None]]:
    """(published, expected) S/O totals side by side; a candidate the anonymity guard withheld
    (fewer counted ballots than the manifest's ``min_contributors``) is expected as None."""
    got = [n for r in rows for n in (r["support"], r["oppose"])]
    want: list[int | None] = [
        None if rows[i // 2].get("too_few_ballots") else n for i, n in enumerate(expected)
    ]
    return got, want


def run_simulation(
    *,
    voters: int,
    candidates: int,
    trustees: int,
    threshold: int,
    revote_rate: float = 0.1,
    seed: int = 1,
    out: Path,
    database_url: str | None = None,
    workers: int = 4,
    verify: bool = True,
    scenario: str = "basic",
    separate_server: bool = False,
    log=print,
) -> SimulationReport:  # type: ignore[no-untyped-def]
    if scenario not in ("basic", "remediation"):
        raise ValueError(f"unknown scenario {scenario!r}")
    if scenario == "remediation" and (voters < 8 or candidates < 2):
        raise ValueError("the remediation scenario needs at least 8 voters and 2 candidates")
    rng = random.Random(seed)
    settings = load_settings_for(database_url, ADMIN, "scrutin-sim-")
    data_dir = settings.data_dir
    if settings.uses_embedded_database:
        from app import db

        db.upgrade(settings.effective_database_url)
    timings: dict[str, float] = {}
    # In-process by default (quick); a separate server process for benchmarks.
    server = server_process if separate_server else live_server
    with server(settings) as base_url:
        t0 = time.perf_counter()
        admin = session_for(base_url, ADMIN)
        now = datetime.now(UTC)
        election = admin.post(
            "/api/v1/elections",
            {
                "title": {"en": f"Simulated election ({voters} voters)"},
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
                "threshold": threshold,
                "trustee_count": trustees,
            },
        )
        eid = election["id"]
        trustee_names = [f"SimTrustee{i}" for i in range(1, trustees + 1)]
        for name in trustee_names:
            admin.post(f"/api/v1/elections/{eid}/roles", {"username": name, "role": "trustee"})
        voter_names = [f"SimVoter{i:06d}" for i in range(voters)]
        for i in range(0, voters, 5000):
            admin.post(f"/api/v1/elections/{eid}/roll", {"usernames": voter_names[i : i + 5000]})
        admin.post(f"/api/v1/elections/{eid}/freeze")
        timings["setup_s"] = time.perf_counter() - t0

        t0 = time.perf_counter()
        key_dir = data_dir / "trustee-keys"
        trustee_clients = [
            TrusteeClient(session_for(base_url, n), eid, key_dir / f"{n}.json", SIMULATION_PASSPHRASE)
            for n in trustee_names
        ]
        run_ceremony(trustee_clients)
        timings["ceremony_s"] = time.perf_counter() - t0

        if scenario == "remediation":
            report = _remediation(
                base_url,
                admin,
                eid,
                voter_names,
                candidates,
                trustee_clients,
                threshold,
                rng,
                workers,
                timings,
                out,
                log,
            )
            report.voters = voters
            return _finish(report, out, verify, timings)

        # Plaintext choices live only in this process, to check the result at the end.
        plans = {}
        for name in voter_names:
            casts = [[rng.choice((1, -1, 0)) for _ in range(candidates)]]
            if rng.random() < revote_rate:
                casts.append([rng.choice((1, -1, 0)) for _ in range(candidates)])
            plans[name] = casts

        def vote(name: str) -> int:
            client = VoterClient(session_for(base_url, name), eid)
            for choice in plans[name]:
                client.cast([choice])
            client.session.close()
            return len(plans[name])

        t0 = time.perf_counter()
        with ThreadPoolExecutor(max_workers=workers) as pool:
            cast_count = sum(pool.map(vote, voter_names))
        elapsed = time.perf_counter() - t0
        timings["casting_s"] = elapsed
        timings["casting_ballots_per_s"] = cast_count / elapsed if elapsed else 0.0
        log(f"cast {cast_count} ballots in {elapsed:.1f} s ({timings['casting_ballots_per_s']:.1f}/s)")

        t0 = time.perf_counter()
        admin.post(f"/api/v1/elections/{eid}/close", {"reason": "simulation over"})
        admin.post(f"/api/v1/elections/{eid}/tally/start")
        for t in rng.sample(trustee_clients, threshold):
            t.decrypt()
        result = admin.get(f"/api/v1/elections/{eid}/results")
        timings["tally_s"] = time.perf_counter() - t0

        record = admin.http.get(f"/api/v1/elections/{eid}/record").content
        out.write_bytes(record)

    rows = result["questions"][0]["candidates"]
    final = {name: casts[-1] for name, casts in plans.items()}
    got, want = published_totals(rows, expected_totals(final, candidates))
    report = SimulationReport(
        election_id=eid,
        voters=voters,
        candidates=candidates,
        ballots_cast=cast_count,
        timings=timings,
        result_matches=(got == want and result["ballots_counted"] == voters),
        record_path=str(out),
    )
    return _finish(report, out, verify, timings)


def _finish(report: SimulationReport, out: Path, verify: bool, timings: dict[str, float]) -> SimulationReport:
    if verify:
        from app.record_file import verify_record_file

        t0 = time.perf_counter()
        verify_record_file(out, counter=count_rankings)
        timings["verify_s"] = time.perf_counter() - t0
        report.verified = True
    return report


def _remediation(
    base_url: str,
    admin: ScrutinSession,
    eid: str,
    voter_names: list[str],
    candidates: int,
    trustees: list[TrusteeClient],
    threshold: int,
    rng: random.Random,
    workers: int,
    timings: dict[str, float],
    out: Path,
    log,
) -> SimulationReport:  # type: ignore[no-untyped-def]
    """Open → casts → pause → strike a time window (invite) → extend → re-votes → resume →
    a candidate withdraws (old ballots kept) → more casts → close → scrutiny strikes a
    sockpuppet → seal → tally. Returns the report; the caller verifies the record."""
    path = f"/api/v1/elections/{eid}"
    admin.post(f"{path}/roles", {"username": "SimScrutineer", "role": "scrutineer", "flags": ["pii"]})
    scrutineer = session_for(base_url, "SimScrutineer")
    clients = {name: VoterClient(session_for(base_url, name), eid) for name in voter_names}
    final: dict[str, list[int]] = {}
    cast_times: dict[str, str] = {}

    def cast(name: str, choice: list[int]) -> None:
        receipt = clients[name].cast([choice])
        final[name] = choice
        cast_times.setdefault(name, receipt["cast_at"])

    def choice_for(n: int, withdrawn: set[int] = frozenset()) -> list[int]:  # type: ignore[assignment]
        return [0 if c in withdrawn else rng.choice((1, -1, 0)) for c in range(n)]

    t0 = time.perf_counter()
    half = len(voter_names) // 2
    first_wave = voter_names[:half]
    for name in first_wave:
        cast(name, choice_for(candidates))
    # A wrong ballot was shown for a while: pause, strike that window, invite, extend.
    admin.post(f"{path}/pause", {"reason": "a wrong ballot was shown for a while"})
    affected = first_wave[: max(2, half // 2)]
    window = [cast_times[affected[0]], _after(cast_times[affected[-1]])]
    struck = scrutineer.post(
        f"{path}/scrutiny/strike",
        {
            "cast_between": window,
            "reason_code": "ballot_error",
            "reason_text": "the ballot listed the candidates in the wrong order",
            "invite_to_revote": True,
        },
    )
    log(f"struck {len(struck['trackers'])} ballots cast in a window; {len(struck['invited'])} voters invited")
    end = admin.get(path)["schedule"]["end_utc"]
    admin.post(
        f"{path}/extend",
        {
            "end": (datetime.fromisoformat(end) + timedelta(hours=24)).isoformat(),
            "reason": "time for the invited voters to vote again",
        },
    )
    admin.post(f"{path}/resume", {"reason": "ballot corrected"})
    for name in struck["invited"]:
        if not clients[name].status()["notices"]:
            raise RuntimeError(f"{name} was not shown the re-vote invitation")
        cast(name, choice_for(candidates))
    # The last candidate withdraws; ballots already cast stay valid.
    withdrawn = candidates - 1
    admin.post(
        f"{path}/candidates/change",
        {"position": withdrawn, "old_ballots": "keep", "reason": "the candidate withdrew"},
    )
    for name in voter_names[half:]:
        clients[name].context(refresh=True)
        cast(name, choice_for(candidates, {withdrawn}))
    timings["casting_s"] = time.perf_counter() - t0
    admin.post(f"{path}/close", {"reason": "voting period over"})
    admin.post(f"{path}/scrutiny/start")
    sockpuppet = voter_names[-1]
    scrutineer.post(
        f"{path}/scrutiny/strike",
        {
            "voters": [sockpuppet],
            "reason_code": "sockpuppet",
            "reason_text": f"{sockpuppet} is a second account of {voter_names[-2]}",
        },
    )
    final.pop(sockpuppet, None)
    t0 = time.perf_counter()
    admin.post(f"{path}/scrutiny/seal")
    for t in rng.sample(trustees, threshold):
        t.decrypt()
    result = admin.get(f"{path}/results")
    timings["tally_s"] = time.perf_counter() - t0
    out.write_bytes(admin.http.get(f"{path}/record").content)
    rows = result["questions"][0]["candidates"]
    got, want = published_totals(rows, expected_totals(final, candidates))
    matches = (
        got == want
        and result["ballots_counted"] == len(final)
        and rows[withdrawn]["withdrawn"]
        and not rows[withdrawn]["passed"]
    )
    casts = sum(1 for e in admin.board(eid) if e["type"] == "ballot_cast")
    return SimulationReport(
        election_id=eid,
        voters=len(voter_names),
        candidates=candidates,
        ballots_cast=casts,
        timings=timings,
        result_matches=matches,
        record_path=str(out),
    )


def _after(timestamp: str) -> str:
    """The instant just after ``timestamp`` (the strike window's end is exclusive)."""
    return (datetime.fromisoformat(timestamp) + timedelta(microseconds=1)).isoformat()


def run_ranked_simulation(
    *,
    ballot_file: Path,
    method: str,
    seats: int | None,
    trustees: int,
    threshold: int,
    mixers: int,
    out: Path,
    workers: int = 4,
    database_url: str | None = None,
    verify: bool = True,
    separate_server: bool = False,
    log=print,
) -> SimulationReport:  # type: ignore[no-untyped-def]
    """A real ranked ballot file (BLT, PrefLib) cast ballot by ballot, encrypted over HTTP;
    then ``mixers`` trustees mix, ``threshold`` decrypt, and the published count must equal
    ``scrutin count`` on the same file (``result_matches``)."""
    from app.counting import count, load_file
    from crypto.mixnet import MIN_MIXES

    if mixers != MIN_MIXES:
        raise ValueError(f"this version mixes each ranked question exactly {MIN_MIXES} times")
    if not MIN_MIXES <= trustees:
        raise ValueError(f"mixing needs at least {MIN_MIXES} trustees")
    profile = load_file(ballot_file)
    if any(len(group) > 1 for _, ranking in profile.ballots for group in ranking):
        raise ValueError("the file has tied preferences; a ranked ballot is a strict ranking")
    names = list(profile.candidates)
    # Candidates the file withdraws are already gone from the profile (app.counting.blt).
    expected = count(method, profile, seats)
    rankings = [[g[0] for g in ranking] for weight, ranking in profile.ballots for _ in range(weight)]
    random.Random(1).shuffle(rankings)
    settings = load_settings_for(database_url, ADMIN, "scrutin-sim-")
    data_dir = settings.data_dir
    if settings.uses_embedded_database:
        from app import db

        db.upgrade(settings.effective_database_url)
    timings: dict[str, float] = {}
    server = server_process if separate_server else live_server
    with server(settings) as base_url:
        t0 = time.perf_counter()
        admin = session_for(base_url, ADMIN)
        now = datetime.now(UTC)
        question: dict[str, Any] = {
            "kind": "ranked",
            "title": {"en": profile.title or ballot_file.name},
            "method": method,
            "candidates": [{"name": {"en": n}} for n in names],
        }
        if seats is not None and method not in ("schulze", "debian"):
            question["seats"] = seats
        elif method not in ("schulze", "debian"):
            question["seats"] = expected.get("seats") or profile.seats or 1
        eid = admin.post(
            "/api/v1/elections",
            {
                "title": {"en": f"Ranked simulation: {ballot_file.name}"},
                "questions": [question],
                "schedule": {
                    "start": (now - timedelta(minutes=1)).isoformat(),
                    "end": (now + timedelta(days=1)).isoformat(),
                    "timezone": "UTC",
                },
                "threshold": threshold,
                "trustee_count": trustees,
                "min_contributors": 1,
            },
        )["id"]
        trustee_names = [f"SimTrustee{i}" for i in range(1, trustees + 1)]
        for name in trustee_names:
            admin.post(f"/api/v1/elections/{eid}/roles", {"username": name, "role": "trustee"})
        voter_names = [f"SimVoter{i:06d}" for i in range(len(rankings))]
        for i in range(0, len(voter_names), 5000):
            admin.post(f"/api/v1/elections/{eid}/roll", {"usernames": voter_names[i : i + 5000]})
        admin.post(f"/api/v1/elections/{eid}/freeze")
        key_dir = data_dir / "trustee-keys"
        trustee_clients = [
            TrusteeClient(
                session_for(base_url, n),
                eid,
                key_dir / f"{n}.json",
                SIMULATION_PASSPHRASE,
                verify_workers=os.cpu_count() or 1,
            )
            for n in trustee_names
        ]
        run_ceremony(trustee_clients)
        timings["setup_s"] = time.perf_counter() - t0

        def vote(pair: tuple[str, list[int]]) -> int:
            name, ranking = pair
            client = VoterClient(session_for(base_url, name), eid)
            client.cast([ranking])
            client.session.close()
            return 1

        t0 = time.perf_counter()
        with ThreadPoolExecutor(max_workers=workers) as pool:
            cast_count = sum(pool.map(vote, zip(voter_names, rankings, strict=True)))
        timings["cast_s"] = time.perf_counter() - t0
        log(f"cast {cast_count} ranked ballots in {timings['cast_s']:.1f} s")
        admin.post(f"/api/v1/elections/{eid}/close", {"reason": "simulation over"})
        t0 = time.perf_counter()
        admin.post(f"/api/v1/elections/{eid}/tally/start")
        timings["tally_start_s"] = time.perf_counter() - t0
        for i, trustee in enumerate(trustee_clients[:mixers]):
            t0 = time.perf_counter()
            trustee.mix()
            timings[f"mix_{i + 1}_s"] = time.perf_counter() - t0
            log(f"mix {i + 1} by {trustee_names[i]} in {timings[f'mix_{i + 1}_s']:.1f} s")
        t0 = time.perf_counter()
        for trustee in trustee_clients[:threshold]:
            trustee.decrypt()
        timings["decryption_s"] = time.perf_counter() - t0
        result = admin.get(f"/api/v1/elections/{eid}/results")
        out.write_bytes(admin.http.get(f"/api/v1/elections/{eid}/record").content)
    published = result["questions"][0]["count"] or {}
    keys = ("elected", "rounds", "winners", "ranking", "quota")
    matches = all(published.get(k) == expected.get(k) for k in keys)
    if not matches:
        log(
            f"published elected {published.get('elected') or published.get('winners')}; "
            f"scrutin count gives {expected.get('elected') or expected.get('winners')}"
        )
    report = SimulationReport(
        election_id=eid,
        voters=len(rankings),
        candidates=len(names),
        ballots_cast=cast_count,
        timings=timings,
        result_matches=matches,
        record_path=str(out),
    )
    return _finish(report, out, verify, timings)
