"""Honest trustee clients in front of a lying server: the real ``TrusteeClient`` talks to the
``MaliciousProxy``, which forges what the server returns (the board, the ceremony status, the
record, the tally). Each test asserts the client's refusal and, where it matters, that the
honest server never received the step the lie was meant to provoke (checked on the honest
board). Each forgery is re-hashed (and, where the forger can, re-signed) so that it reaches the
check it targets instead of failing on the hash chain."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from nacl.public import PrivateKey

from app.client.http import ScrutinSession
from app.client.trustee import TrusteeClient, TrusteeRefusal
from crypto import ceremony as protocol
from crypto.elgamal import Ciphertext
from crypto.fingerprint import election_fingerprint
from crypto.threshold import TrusteePolynomial
from tests.adversary.proxy import Forged, MaliciousProxy, Rule
from tests.service.helpers import (
    ADMIN,
    PASSPHRASE,
    election_config,
    login,
    open_election,
    voter,
)
from tests.verify.records import fetch_record, rehash

BOARD = r"/api/v1/elections/[^/]+/board"
CEREMONY = r"/api/v1/elections/[^/]+/ceremony"
RECORD = r"/api/v1/elections/[^/]+/record"
TALLY = r"/api/v1/elections/[^/]+/tally"

Events = list[dict[str, Any]]


# --- set-up (straight to the honest server) and the trustees (through the proxy) --------------


def frozen(honest: httpx.Client, trustees: int = 3, threshold: int = 2) -> str:
    admin = login(honest, ADMIN)
    eid = admin.post("/api/v1/elections", election_config(trustees=trustees, threshold=threshold))["id"]
    for i in range(1, trustees + 1):
        admin.post(f"/api/v1/elections/{eid}/roles", {"username": f"T{i}", "role": "trustee"})
    admin.post(f"/api/v1/elections/{eid}/roll", {"usernames": ["V1", "V2"]})
    admin.post(f"/api/v1/elections/{eid}/freeze")
    return str(eid)


def via(url: str, eid: str, name: str, key_dir: Path, **kwargs: Any) -> TrusteeClient:
    """A trustee client (its key file in ``key_dir``) talking to ``url``."""
    return TrusteeClient(
        ScrutinSession(url).dev_login(name), eid, key_dir / f"{name}.json", PASSPHRASE, **kwargs
    )


def trustees(proxy: MaliciousProxy, eid: str, key_dir: Path, n: int = 3) -> list[TrusteeClient]:
    return [via(proxy.url, eid, f"T{i}", key_dir) for i in range(1, n + 1)]


def honest_board(honest: httpx.Client, eid: str) -> Events:
    return login(honest, ADMIN).board(eid)


def posted(honest: httpx.Client, eid: str, kind: str, index: int, number: int = 1) -> bool:
    """Did the honest server receive trustee ``index``'s ``kind`` message of round ``number``?"""
    return any(
        e["type"] == kind and e["payload"].get("index") == index and e["payload"].get("round") == number
        for e in honest_board(honest, eid)
    )


def forge_board(proxy: MaliciousProxy, fn: Callable[[Events], Events | None]) -> Rule:
    """Every board page the proxy returns is ``fn`` of the honest events, re-hashed so the hash
    chain of the forgery checks (``rule.forged`` keeps the last forgery)."""

    def rewrite(data: dict[str, Any], request: Any) -> dict[str, Any]:
        events = copy.deepcopy(data["events"])
        out = fn(events)
        events = events if out is None else out
        rehash({"board": events})
        rule.forged = events  # type: ignore[attr-defined]
        return {**data, "events": events}

    rule = proxy.rewrite("GET", BOARD, rewrite)
    return rule


def find(events: Events, kind: str, index: int | None = None, number: int | None = None) -> int:
    return next(
        i
        for i, e in enumerate(events)
        if e["type"] == kind
        and (index is None or e["payload"].get("index") == index)
        and (number is None or e["payload"].get("round") == number)
    )


class Mallory:
    """A stranger with her own identity, posing as trustee ``index``: she can sign, so the
    messages she puts in that trustee's place replay; only what the client remembers or was
    told out of band can tell her apart."""

    def __init__(self, eid: str, index: int, threshold: int = 2, number: int = 1) -> None:
        self.eid, self.index, self.number = eid, index, number
        self.seed = protocol.generate_identity()
        self.signing_key = protocol.identity_public(self.seed)
        self.encryption_key = bytes(PrivateKey.generate().public_key).hex()
        poly = TrusteePolynomial.generate(threshold)
        context = protocol.commitment_context(eid, number, index, self.signing_key)
        self.commitments = [c.hex() for c in poly.commitments]
        self.proofs = poly.commitment_proofs(context)

    def payload(self, kind: str) -> dict[str, Any]:
        body: dict[str, Any] = {
            protocol.JOINED: {"signing_key": self.signing_key, "encryption_key": self.encryption_key},
            protocol.COMMITMENT_HASH: {"digest": protocol.commitments_digest(self.commitments, self.proofs)},
            protocol.COMMITMENTS: {"commitments": self.commitments, "proofs": self.proofs},
        }[kind]
        return protocol.signed_payload(self.seed, kind, self.eid, self.number, self.index, body)

    def impersonate(self, events: Events) -> None:
        """Put her own signed messages in place of the trustee's (join, hash, commitments)."""
        for event in events:
            p = event["payload"]
            if (
                event["type"] in (protocol.JOINED, protocol.COMMITMENT_HASH, protocol.COMMITMENTS)
                and p.get("index") == self.index
                and p.get("round") == self.number
            ):
                event["payload"] = self.payload(event["type"])


# --- 1. key swap ------------------------------------------------------------------------------


@pytest.mark.parametrize("swapped", ["encryption_key", "signing_key"])
def test_swapped_key_of_another_trustee_breaks_its_signature(proxy, honest, tmp_path, swapped) -> None:
    # The server swaps trustee 2's joined X25519 (or signing) key for its own, hoping trustee 1
    # seals its share to it; it cannot re-sign trustee 2's join, so the replay refuses.
    eid = frozen(honest)
    t1, t2, t3 = trustees(proxy, eid, tmp_path)
    t1.join()
    t1.commit()  # trustee 1 has seen the board before trustees 2 and 3 joined
    for t in (t2, t3):
        t.join()
        t.commit()
    mallory = Mallory(eid, 2)

    def swap(events: Events) -> None:
        events[find(events, protocol.JOINED, 2)]["payload"][swapped] = getattr(mallory, swapped)

    rule = forge_board(proxy, swap)
    with pytest.raises(TrusteeRefusal, match="trustee_joined of trustee 2: the signature does not verify"):
        t1.reveal()
    assert rule.hits >= 1
    assert not posted(honest, eid, protocol.COMMITMENTS, 1)


def test_impersonated_trustee_seen_before_is_refused_before_sealing_shares(proxy, honest, tmp_path) -> None:
    # After trustee 1 saw the honest board, the server shows it a board where a stranger (with
    # her own, validly signed join, hash and commitments) took trustee 2's place, so that
    # trustee 1 seals trustee 2's share to her: the rewritten history is refused.
    eid = frozen(honest)
    ts = trustees(proxy, eid, tmp_path)
    for step in ("join", "commit"):
        for t in ts:
            getattr(t, step)()
    for t in reversed(ts):
        t.reveal()  # trustee 1 last: it has seen every join, hash and commitment
    mallory = Mallory(eid, 2)
    rule = forge_board(proxy, mallory.impersonate)
    with pytest.raises(TrusteeRefusal, match="no longer contains event .* the server rewrote"):
        ts[0].send_shares()
    assert rule.hits >= 1
    protocol.replay(eid, rule.forged)  # type: ignore[attr-defined]  # the forgery replays
    assert not posted(honest, eid, protocol.SHARES_SENT, 1)


# --- 2. rollback ------------------------------------------------------------------------------


def test_rolled_back_board_is_refused(proxy, honest, tmp_path) -> None:
    # The server serves an older, self-consistent prefix of the board (a stale view that hides
    # the last commitments trustee 1 already saw).
    eid = frozen(honest)
    ts = trustees(proxy, eid, tmp_path)
    for step in ("join", "commit"):
        for t in ts:
            getattr(t, step)()
    for t in reversed(ts):
        t.reveal()
    rule = forge_board(proxy, lambda events: events[: find(events, protocol.COMMITMENTS, 2)])
    with pytest.raises(TrusteeRefusal, match="no longer contains event"):
        ts[0].send_shares()
    assert rule.hits >= 1
    assert not posted(honest, eid, protocol.SHARES_SENT, 1)


# --- 3. expected trustees ---------------------------------------------------------------------


def test_stranger_not_among_published_fingerprints_is_refused(proxy, honest, tmp_path) -> None:
    # The server shows a newly joining trustee a board on which a stranger (validly
    # self-signed) holds trustee 2's seat; only the published fingerprints can tell.
    eid = frozen(honest)
    t2, t3 = (via(proxy.url, eid, name, tmp_path) for name in ("T2", "T3"))
    t1 = via(
        proxy.url,
        eid,
        "T1",
        tmp_path,
        expected_trustees=[via(proxy.url, eid, "T1", tmp_path).fingerprint, t2.fingerprint, t3.fingerprint],
    )
    t2.join()
    t2.commit()
    mallory = Mallory(eid, 2)
    rule = forge_board(proxy, mallory.impersonate)
    with pytest.raises(
        TrusteeRefusal, match="trustee 2 has identity .* not one of the published trustee fingerprints"
    ):
        t1.join()
    assert rule.hits >= 1
    protocol.replay(eid, rule.forged)  # type: ignore[attr-defined]  # the forgery replays
    assert not posted(honest, eid, protocol.JOINED, 1)


# --- 4. forged confirmation -------------------------------------------------------------------


def test_forged_confirmation_is_refused(proxy, honest, tmp_path) -> None:
    # The server claims trustee 1 confirmed a fingerprint it never computed (it cannot sign
    # as trustee 1), to make trustee 3 believe the others agreed on something else.
    eid = frozen(honest)
    ts = trustees(proxy, eid, tmp_path)
    for step in ("join", "commit", "reveal", "send_shares"):
        for t in ts:
            getattr(t, step)()
    for t in ts[:2]:
        t.verify_and_confirm()

    def forge(events: Events) -> None:
        events[find(events, protocol.CONFIRMED, 1)]["payload"]["fingerprint"] = "ab" * 32

    rule = forge_board(proxy, forge)
    with pytest.raises(TrusteeRefusal, match="trustee_confirmed of trustee 1: the signature does not verify"):
        ts[2].verify_and_confirm()
    assert rule.hits >= 1
    assert not posted(honest, eid, protocol.CONFIRMED, 3)
    assert not any(e["type"] == protocol.SETUP for e in honest_board(honest, eid))


# --- 5. tally extension -----------------------------------------------------------------------


def tallying(honest: httpx.Client, key_dir: Path) -> tuple[str, dict[str, Any]]:
    """An election whose tally has started (two ballots); returns (id, V1's ballot)."""
    admin, eid, _ = open_election(honest, key_dir, ["V1", "V2"], candidates=2)
    voter(honest, eid, "V1").cast([[1, -1]])
    voter(honest, eid, "V2").cast([[0, 1]])
    admin.post(f"/api/v1/elections/{eid}/close", {"reason": "end"})
    admin.post(f"/api/v1/elections/{eid}/tally/start")
    record = fetch_record(honest, eid)
    ballots = record["ballots"]
    first_cast = next(e for e in record["board"] if e["type"] == "ballot_cast")
    return eid, ballots[first_cast["payload"]["tracker"]]


def plus_ballot(ciphertexts: list[dict[str, str]], ballot: dict[str, Any]) -> list[dict[str, str]]:
    """The tally with this ballot counted once more (slot by slot, homomorphically)."""
    extra = [c for answer in ballot["answers"] for c in answer["ciphertexts"]]
    assert len(extra) == len(ciphertexts)
    return [
        (Ciphertext.from_json(a, allow_identity=True) + Ciphertext.from_json(b)).to_json()
        for a, b in zip(ciphertexts, extra, strict=True)
    ]


def no_share_was_posted(honest: httpx.Client, eid: str, t: TrusteeClient) -> None:
    assert not any(e["type"] == "decryption_share" for e in honest_board(honest, eid))
    assert "decrypted_tally" not in t.state  # the one tally this trustee decrypts is not spent


def test_decrypt_refuses_a_tally_request_that_is_not_the_board_tally(proxy, honest, tmp_path) -> None:
    # The server asks the trustee to decrypt ciphertexts other than the board's encrypted tally
    # (one voter's ballot added again, or two slots exchanged) while the record is honest.
    eid, ballot = tallying(honest, tmp_path)
    t1 = via(proxy.url, eid, "Trustee1", tmp_path)
    forgeries = {
        "counts a ballot twice": lambda cts: plus_ballot(cts, ballot),
        "swaps two slots": lambda cts: [cts[1], cts[0], *cts[2:]],
    }
    for forgery in forgeries.values():
        rule = proxy.rewrite(
            "GET", TALLY, lambda data, request, f=forgery: {**data, "ciphertexts": f(data["ciphertexts"])}
        )
        with pytest.raises(TrusteeRefusal, match="ciphertexts that are not the encrypted tally on the board"):
            t1.decrypt()
        assert rule.hits == 1
        no_share_was_posted(honest, eid, t1)
        rule.remove()
    t1.decrypt()  # the honest tally is still decrypted
    assert sum(e["type"] == "decryption_share" for e in honest_board(honest, eid)) == 1


def test_decrypt_refuses_an_extended_tally_on_board_and_record(proxy, honest, tmp_path) -> None:
    # The server publishes (on the board, the record and the tally request alike, re-hashed) an
    # encrypted tally that counts one voter's ballot twice: it is not the sum of the counted
    # ballots, which the client recomputes.
    eid, ballot = tallying(honest, tmp_path)
    t1 = via(proxy.url, eid, "Trustee1", tmp_path)

    def extend(events: Events) -> None:
        p = events[find(events, "encrypted_tally")]["payload"]
        p["ciphertexts"] = plus_ballot(p["ciphertexts"], ballot)

    board = forge_board(proxy, extend)

    def record(data: dict[str, Any], request: Any) -> None:
        extend(data["board"])
        rehash(data)

    def tally(data: dict[str, Any], request: Any) -> None:
        data["ciphertexts"] = plus_ballot(data["ciphertexts"], ballot)

    rules = [board, proxy.rewrite("GET", RECORD, record), proxy.rewrite("GET", TALLY, tally)]
    with pytest.raises(TrusteeRefusal, match="record does not verify: .*not the homomorphic sum"):
        t1.decrypt()
    assert rules[1].hits == 1
    no_share_was_posted(honest, eid, t1)


# --- 6. replayed and reordered ceremony messages ------------------------------------------------


@pytest.mark.parametrize("relabelled", [False, True])
def test_round_one_message_replayed_in_round_two_is_refused(proxy, honest, tmp_path, relabelled) -> None:
    # After a restart, the server presents trustee 2's round-1 commitment hash again as if it
    # were trustee 2's round-2 one (as it was, or relabelled "round 2": the signature names
    # round 1), hoping trustee 1 reveals its commitments early.
    eid = frozen(honest)
    ts = trustees(proxy, eid, tmp_path)
    for step in ("join", "commit"):
        for t in ts:
            getattr(t, step)()
    login(honest, ADMIN).post(f"/api/v1/elections/{eid}/ceremony/restart", {"reason": "a lost laptop"})
    for t in ts:
        t.join()
    ts[0].commit()
    ts[2].commit()  # trustee 1 has seen the board up to round 2's joins

    def replay_old(events: Events) -> None:
        old = copy.deepcopy(events[find(events, protocol.COMMITMENT_HASH, 2, number=1)])
        if relabelled:
            old["payload"]["round"] = 2
        old["at"] = ""
        events.append(old)

    rule = forge_board(proxy, replay_old)
    message = (
        "trustee_commitment_hash of trustee 2: the signature does not verify"
        if relabelled
        else "a message for round 1 while the ceremony is in round 2 "
        r"\(replayed or stale\)"
    )
    with pytest.raises(TrusteeRefusal, match=message):
        ts[0].reveal()
    assert rule.hits >= 1
    assert not posted(honest, eid, protocol.COMMITMENTS, 1, number=2)


def test_reordered_events_are_refused(proxy, honest, tmp_path) -> None:
    # The server moves trustee 3's commitment hash after trustee 2's revealed commitments, so
    # trustee 2 seems to have revealed before everyone committed (it could have biased the key).
    eid = frozen(honest)
    ts = trustees(proxy, eid, tmp_path)
    for t in ts:
        t.join()
    ts[0].commit()  # trustee 1 has seen the joins only
    ts[1].commit()
    ts[2].commit()
    ts[1].reveal()

    def reorder(events: Events) -> None:
        moved = events.pop(find(events, protocol.COMMITMENT_HASH, 3))
        events.insert(find(events, protocol.COMMITMENTS, 2) + 1, moved)

    rule = forge_board(proxy, reorder)
    with pytest.raises(
        TrusteeRefusal,
        match=r"trustee 2 revealed its commitments before "
        r"trustees \[3\] committed",
    ):
        ts[0].reveal()
    assert rule.hits >= 1
    assert not posted(honest, eid, protocol.COMMITMENTS, 1)


# --- 7. a status ahead of the board -------------------------------------------------------------


def test_status_claiming_a_later_round_is_refused(proxy, honest, tmp_path) -> None:
    # The ceremony status claims the ceremony moved on to round 2 and proposes that round's
    # manifest for confirmation, while the board is still in round 1.
    eid = frozen(honest)
    ts = trustees(proxy, eid, tmp_path)
    for step in ("join", "commit", "reveal", "send_shares"):
        for t in ts:
            getattr(t, step)()

    def later(data: dict[str, Any], request: Any) -> None:
        assert data["proposed"] is not None
        data["round"] = 2
        data["proposed"]["manifest"]["ceremony_round"] = 2
        data["proposed"]["fingerprint"] = election_fingerprint(data["proposed"]["manifest"])

    rule = proxy.rewrite("GET", CEREMONY, later)
    with pytest.raises(TrusteeRefusal, match="manifest names round 2, the ceremony is in round 1"):
        ts[0].verify_and_confirm()
    assert rule.hits == 1
    assert not posted(honest, eid, protocol.CONFIRMED, 1)


def test_decrypt_refuses_while_the_board_says_voting_is_open(proxy, honest, tmp_path) -> None:
    # While voting is open, the server claims the tally has started and asks the trustee to
    # "decrypt the tally": the ciphertexts are one voter's ballot.
    admin, eid, _ = open_election(honest, tmp_path, ["V1", "V2"], candidates=2)
    voter(honest, eid, "V1").cast([[1, -1]])
    record = fetch_record(honest, eid)
    [ballot] = record["ballots"].values()
    ciphertexts = [c for answer in ballot["answers"] for c in answer["ciphertexts"]]
    t1 = via(proxy.url, eid, "Trustee1", tmp_path)
    rules = [
        proxy.replace(
            "GET",
            TALLY,
            Forged(
                200,
                json={
                    "phase": "tallying",
                    "counted": [],
                    "layout": [len(ciphertexts)],
                    "ciphertexts": ciphertexts,
                    "threshold": 2,
                    "shares": [],
                    "result": None,
                },
            ),
        ),
        proxy.rewrite("GET", r"/api/v1/elections/[^/]+", lambda data, request: {**data, "phase": "tallying"}),
    ]
    with pytest.raises(TrusteeRefusal, match="the board holds no encrypted tally"):
        t1.decrypt()
    # Refused on the record and the board alone: the client never took the server's word for
    # the phase, nor even asked for the ciphertexts.
    assert rules[0].hits == rules[1].hits == 0
    no_share_was_posted(honest, eid, t1)
    assert admin.get(f"/api/v1/elections/{eid}")["phase"] == "open"


def test_rollback_is_refused_by_the_next_run_of_the_client(proxy, honest, tmp_path) -> None:
    # The trustee runs one step per process (the CLI); the server serves the next run a board
    # older than the one the previous run saw (the key file must remember it).
    eid = frozen(honest)
    ts = trustees(proxy, eid, tmp_path)
    for step in ("join", "commit"):
        for t in ts:
            getattr(t, step)()
    for t in reversed(ts):
        t.reveal()  # trustee 1 last: this run saw every commitment
    next_run = via(proxy.url, eid, "T1", tmp_path)
    rule = forge_board(proxy, lambda events: events[: find(events, protocol.COMMITMENTS, 2)])
    with pytest.raises(TrusteeRefusal, match="no longer contains event"):
        next_run.send_shares()
    assert rule.hits >= 1
