"""Building elections through the public API, as a committee and trustees would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from app.client.http import ScrutinSession
from app.client.trustee import TrusteeClient
from app.client.voter import VoterClient

ADMIN = "Admin"


def login(http: Any, username: str, base_url: str = "http://testserver") -> ScrutinSession:
    return ScrutinSession(base_url, http=http).dev_login(username)


def election_config(
    *,
    election_id: str | None = None,
    candidates: int = 3,
    kind: str = "sonc",
    trustees: int = 3,
    threshold: int = 2,
    starts_in: timedelta = timedelta(minutes=-1),
    ends_in: timedelta = timedelta(hours=1),
    credential_mode: str = "convenient",
    voter_list_public: bool = True,
    min_contributors: int | None = 1,
    **question: Any,
) -> dict[str, Any]:
    """``min_contributors``: the anonymity guard's k. Tests of other behaviour tally elections
    of a handful of ballots, so they ask for k = 1 (no slot is too small); ``None`` leaves the
    server's default (5), which the guard's own tests use."""
    now = datetime.now(UTC)
    config: dict[str, Any] = {
        "title": {"en": "Test election", "zh-hans": "测试选举"},
        "questions": [
            {
                "kind": kind,
                "title": {"en": "Administrators"},
                "candidates": [{"name": {"en": f"Candidate {i}"}} for i in range(candidates)],
                **{k: v for k, v in question.items() if k != "questions"},
            }
        ],
        "schedule": {
            "start": (now + starts_in).isoformat(),
            "end": (now + ends_in).isoformat(),
            "timezone": "UTC",
        },
        "threshold": threshold,
        "trustee_count": trustees,
        "credential_mode": credential_mode,
        "voter_list_public": voter_list_public,
    }
    if "questions" in question:  # a whole list of questions instead of the one above
        config["questions"] = question["questions"]
    if min_contributors is not None:
        config["min_contributors"] = min_contributors
    if election_id:
        config["id"] = election_id
    return config


PASSPHRASE = "correct horse battery staple"
"""The test trustees' key-file passphrase."""


def trustee_client(
    http: Any, election_id: str, name: str, key_dir: Path, base_url: str = "http://testserver", **kwargs: Any
) -> TrusteeClient:
    return TrusteeClient(
        login(http, name, base_url),
        election_id,
        key_dir / f"{name}.json",
        kwargs.pop("passphrase", PASSPHRASE),
        **kwargs,
    )


def run_ceremony(http: Any, election_id: str, trustee_names: list[str], key_dir: Path) -> list[TrusteeClient]:
    """Every step of protocol 2, trustee after trustee: join, commit (hash), reveal, shares,
    confirm."""
    clients = [trustee_client(http, election_id, name, key_dir) for name in trustee_names]
    for step in ("join", "commit", "reveal", "send_shares", "verify_and_confirm"):
        for client in clients:
            getattr(client, step)()
    return clients


def open_election(
    http: Any, key_dir: Path, voters: list[str], *, trustees: int = 3, threshold: int = 2, **config: Any
) -> tuple[ScrutinSession, str, list[TrusteeClient]]:
    """Create, configure, freeze and run the ceremony; the schedule has already started, so
    the election is open on the next request. Returns (committee session, id, trustees)."""
    admin = login(http, ADMIN)
    created = admin.post(
        "/api/v1/elections", election_config(trustees=trustees, threshold=threshold, **config)
    )
    election_id = created["id"]
    names = [f"Trustee{i}" for i in range(1, trustees + 1)]
    for name in names:
        admin.post(f"/api/v1/elections/{election_id}/roles", {"username": name, "role": "trustee"})
    if voters:
        admin.post(f"/api/v1/elections/{election_id}/roll", {"usernames": voters})
    admin.post(f"/api/v1/elections/{election_id}/freeze")
    trustee_clients = run_ceremony(http, election_id, names, key_dir)
    return admin, election_id, trustee_clients


def voter(http: Any, election_id: str, username: str) -> VoterClient:
    return VoterClient(login(http, username), election_id)


def ballot_states(admin: ScrutinSession, election_id: str) -> dict[str, str]:
    """tracker → ``current`` / ``superseded`` / ``struck``, as the committee and scrutineers see
    it (``/scrutiny/voters``). The public tracker look-up says only that a ballot is on the
    board; a voter sees their own ballots' states on ``/me``."""
    return {
        row["tracker"]: row["state"]
        for row in admin.get(f"/api/v1/elections/{election_id}/scrutiny/voters")["casts"]
    }


def my_states(client: VoterClient) -> dict[str, str]:
    """tracker → state of the voter's own ballots, from their status page (``/me``)."""
    return {b["tracker"]: b["state"] for b in client.status()["ballots"]}
