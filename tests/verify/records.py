"""Honest election records built through the real service, and tampering helpers that keep
the record internally consistent (re-signed ballots, recomputed trackers, re-hashed chain) so
that each tampering reaches the check it targets."""

from __future__ import annotations

import copy
import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.client.trustee import TrusteeClient
from app.client.voter import VoterClient
from app.record_file import verify_record_file
from crypto.ballots import ballot_tracker, signed_payload
from crypto.board import GENESIS_HASH, event_hash
from crypto.credentials import CredentialKey, generate_code
from crypto.record import VerificationReport
from crypto.roll import sign_credential_list
from tests.service.helpers import ADMIN, election_config, login, open_election, run_ceremony, voter

Votes = dict[str, list[list[list[int]]]]
"""voter name → ballots in casting order (a re-vote is a second entry) → choices per question."""


@dataclass
class Built:
    record: dict[str, Any]
    election_id: str
    voters: dict[str, VoterClient] = field(default_factory=dict)
    trustees: list[TrusteeClient] = field(default_factory=list)

    def credential(self, name: str) -> CredentialKey:
        key = self.voters[name].credential
        assert key is not None
        return key

    def copy(self) -> dict[str, Any]:
        return copy.deepcopy(self.record)


def fetch_record(client: Any, election_id: str) -> dict[str, Any]:
    response = client.get(f"/api/v1/elections/{election_id}/record")
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


AUTHORITY_SEED = bytes(range(32))
"""The test credential authority's signing-key seed."""


def _open_independent(
    client: Any, key_dir: Path, voters: list[str], *, trustees: int, threshold: int, **config: Any
) -> tuple[Any, str, list[TrusteeClient], dict[str, CredentialKey]]:
    admin = login(client, ADMIN)
    eid = admin.post(
        "/api/v1/elections",
        election_config(trustees=trustees, threshold=threshold, credential_mode="independent", **config),
    )["id"]
    names = [f"Trustee{i}" for i in range(1, trustees + 1)]
    for name in names:
        admin.post(f"/api/v1/elections/{eid}/roles", {"username": name, "role": "trustee"})
    admin.post(f"/api/v1/elections/{eid}/roles", {"username": "Authority", "role": "credential_authority"})
    admin.post(f"/api/v1/elections/{eid}/roll", {"usernames": voters})
    admin.post(f"/api/v1/elections/{eid}/freeze")
    keys = {name: CredentialKey.from_code(generate_code(), eid) for name in voters}
    public = sorted(k.public.hex() for k in keys.values())
    login(client, "Authority").post(
        f"/api/v1/elections/{eid}/credentials",
        {"public_keys": public, **sign_credential_list(AUTHORITY_SEED, eid, public)},
    )
    trustee_clients = run_ceremony(client, eid, names, key_dir)
    return admin, eid, trustee_clients, keys


def run_election(
    client: Any,
    key_dir: Path,
    votes: Votes,
    *,
    trustees: int = 3,
    threshold: int = 2,
    close: bool = True,
    tally: bool = True,
    decrypting: tuple[int, ...] | None = None,
    extra_voters: tuple[str, ...] = (),
    pause_between: bool = False,
    credential_mode: str = "convenient",
    mixers: tuple[int, ...] = (),
    **config: Any,
) -> Built:
    """Open an election, cast every voter's ballots round by round (re-votes in later rounds),
    close it, start the tally and let the trustees ``decrypting`` (0-based; default the first
    ``threshold``) decrypt; return the exported record with the parties' clients."""
    key_dir.mkdir(parents=True, exist_ok=True)
    roll = list(votes) + list(extra_voters)
    if credential_mode == "independent":
        admin, eid, trustee_clients, keys = _open_independent(
            client, key_dir, roll, trustees=trustees, threshold=threshold, **config
        )
        clients = {name: VoterClient(login(client, name), eid, keys[name]) for name in votes}
    else:
        admin, eid, trustee_clients = open_election(
            client, key_dir, roll, trustees=trustees, threshold=threshold, **config
        )
        clients = {name: voter(client, eid, name) for name in votes}
    rounds = max((len(v) for v in votes.values()), default=0)
    for r in range(rounds):
        if pause_between and r == 1:
            admin.post(f"/api/v1/elections/{eid}/pause", {"reason": "a pause"})
            admin.post(f"/api/v1/elections/{eid}/resume", {"reason": "resumed"})
        for name, ballots in votes.items():
            if r < len(ballots):
                clients[name].cast(ballots[r])
    if close:
        admin.post(f"/api/v1/elections/{eid}/close", {"reason": "end"})
    if close and tally:
        admin.post(f"/api/v1/elections/{eid}/tally/start")
        for i in mixers:  # ranked questions: each of these trustees mixes, in this order
            trustee_clients[i].mix()
        for i in decrypting if decrypting is not None else tuple(range(threshold)):
            trustee_clients[i].decrypt()
    return Built(fetch_record(client, eid), eid, clients, trustee_clients)


# --- tampering --------------------------------------------------------------------------------


def verify_streamed(record: Any, **options: Any) -> VerificationReport:
    """``verify_record`` through the record file path ``scrutin verify`` takes: the record
    written as the service exports it, then read back with its ballots streamed."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "record.json"
        path.write_bytes(json.dumps(record, separators=(",", ":"), ensure_ascii=False).encode())
        return verify_record_file(path, **options)


def rehash(record: dict[str, Any]) -> dict[str, Any]:
    """Recompute seq, prev_hash and hash of every event after a tampering, so the chain check
    passes and the tampering reaches the deeper check it targets."""
    prev = GENESIS_HASH
    previous_at = None
    for i, event in enumerate(record["board"], start=1):
        if not event["at"]:  # an inserted event takes its predecessor's time (times are monotonic)
            event["at"] = previous_at or "2026-01-01T00:00:00.000000Z"
        previous_at = event["at"]
        event["seq"] = i
        event["prev_hash"] = prev
        event["hash"] = event_hash(prev, i, event["at"], event["type"], event["payload"])
        prev = event["hash"]
    return record


def _replace_tracker(value: Any, old: str, new: str) -> Any:
    if isinstance(value, str):
        return new if value == old else value
    if isinstance(value, list):
        return [_replace_tracker(v, old, new) for v in value]
    if isinstance(value, dict):
        return {k: _replace_tracker(v, old, new) for k, v in value.items()}
    return value


def retrack(record: dict[str, Any], old: str) -> str:
    """After editing ``record["ballots"][old]``: recompute its tracker, rename it everywhere
    (ballots, ballot_cast, supersedes, counted, strikes) and re-hash the chain."""
    ballot = record["ballots"].pop(old)
    new = ballot_tracker(ballot)
    record["ballots"][new] = ballot
    for event in record["board"]:
        event["payload"] = _replace_tracker(event["payload"], old, new)
    rehash(record)
    return new


def resign(ballot: dict[str, Any], key: CredentialKey) -> None:
    ballot["signature"] = key.sign(signed_payload(ballot), bytes.fromhex(ballot["fingerprint"]))


def events_of(record: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e for e in record["board"] if e["type"] == kind]


def first(record: dict[str, Any], kind: str) -> dict[str, Any]:
    return events_of(record, kind)[0]


def index_of(record: dict[str, Any], kind: str) -> int:
    return next(i for i, e in enumerate(record["board"]) if e["type"] == kind)


def cast_event(record: dict[str, Any], tracker: str) -> dict[str, Any]:
    return next(e for e in events_of(record, "ballot_cast") if e["payload"]["tracker"] == tracker)


def new_event(kind: str, payload: dict[str, Any], at: str = "") -> dict[str, Any]:
    """An event to insert; ``rehash`` fills seq, hashes and (by default) the time."""
    return {"seq": 0, "at": at, "type": kind, "payload": payload, "prev_hash": "", "hash": ""}


# --- protocol-2 re-signing: the test holds the trustees' key files -----------------------------


def _seeds(built: Built) -> dict[int, bytes]:
    return {int(t.state["index"]): t.seed for t in built.trustees}


def resign_ceremony(built: Built, record: dict[str, Any], *, digests: bool = True) -> None:
    """After editing ceremony messages: recompute every commitment hash from the (edited)
    revealed commitments, re-sign every trustee message and re-hash the chain, so the tampering
    reaches the check it targets instead of failing on a signature."""
    from crypto import ceremony

    seeds = _seeds(built)
    revealed = {
        (e["payload"]["round"], e["payload"]["index"]): e["payload"]
        for e in events_of(record, ceremony.COMMITMENTS)
    }
    for event in record["board"]:
        kind, p = event["type"], event["payload"]
        if kind not in ceremony.SIGNED_BY_TRUSTEE:
            continue
        if digests and kind == ceremony.COMMITMENT_HASH and (p["round"], p["index"]) in revealed:
            r = revealed[(p["round"], p["index"])]
            p["digest"] = ceremony.commitments_digest(r["commitments"], r["proofs"])
        p["signature"] = ceremony.sign_message(
            seeds[p["index"]], kind, record["election_id"], p["round"], p["index"], ceremony.body_of(p)
        )
    rehash(record)


def reconfirm(built: Built, record: dict[str, Any]) -> None:
    """Every trustee confirms the (edited) setup's fingerprint, re-signed."""
    setup = first(record, "election_setup")["payload"]
    for event in events_of(record, "trustee_confirmed"):
        event["payload"]["fingerprint"] = setup["fingerprint"]
    resign_ceremony(built, record)


def resign_decryption_share(built: Built, record: dict[str, Any], event: dict[str, Any]) -> None:
    from crypto import ceremony

    p = event["payload"]
    manifest = first(record, "election_setup")["payload"]["manifest"]
    p["signature"] = ceremony.sign_decryption_share(
        _seeds(built)[p["index"]],
        record["election_id"],
        manifest["ceremony_round"],
        p["index"],
        p["tally_hash"],
        p["share"],
    )
    rehash(record)


def forge_ballot(record: dict[str, Any], index: int) -> tuple[str, int]:
    """Change a challenge of the ``index``-th cast ballot's fourth candidate proof, keep the
    record consistent (tracker, chain), and return (the forged ballot's tracker, its board
    seq): the ballot itself no longer verifies."""
    casts = events_of(record, "ballot_cast")
    old = casts[index]["payload"]["tracker"]
    proof = record["ballots"][old]["answers"][0]["candidate_proofs"][3]
    challenge = int.from_bytes(bytes.fromhex(proof["challenges"][0]), "little")
    proof["challenges"][0] = ((challenge + 1) % 2**252).to_bytes(32, "little").hex()
    new = retrack(record, old)
    return new, cast_event(record, new)["seq"]
