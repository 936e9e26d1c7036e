"""Tampering with the protocol-2 key ceremony (and with protocol-1 records) is refused by the
record verifier. Each tampering is re-signed with the trustees' own keys (the test holds their
key files) and re-hashed, so it passes every earlier check and reaches the one it targets; a
positive control shows the constructions themselves verify when nothing dishonest is done."""

from __future__ import annotations

import base64
import copy
import json
import secrets
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from nacl.public import PrivateKey

from crypto import ceremony
from crypto.errors import InvalidProof, InvalidRecord, InvalidShare
from crypto.fingerprint import election_fingerprint
from crypto.group import Point, Scalar
from crypto.record import verify_record
from crypto.tally import decryption_context, encrypted_tally_hash
from crypto.threshold import (
    TrusteePolynomial,
    combine_public_key,
    decryption_share,
    seal_share_revealable,
)
from tests.verify.records import (
    Built,
    events_of,
    first,
    index_of,
    new_event,
    rehash,
    resign_ceremony,
    resign_decryption_share,
    run_election,
)
from tests.verify.test_tamper import fails, other_point

RECORDS = Path(__file__).resolve().parents[1] / "data" / "records"


# --- helpers ------------------------------------------------------------------------------------


def seeds_of(built: Built) -> dict[int, bytes]:
    return {int(t.state["index"]): t.seed for t in built.trustees}


def signed_event(
    built: Built,
    record: dict,
    kind: str,
    number: int,
    index: int,
    body: dict[str, Any],
    *,
    signer: int | None = None,
) -> dict[str, Any]:
    """A trustee message of ``index`` in round ``number``, signed by trustee ``signer``'s
    identity (default: its own)."""
    seed = seeds_of(built)[signer if signer is not None else index]
    return new_event(kind, ceremony.signed_payload(seed, kind, record["election_id"], number, index, body))


def resign_one(built: Built, record: dict, event: dict, *, signer: int | None = None) -> None:
    p = event["payload"]
    seed = seeds_of(built)[signer if signer is not None else p["index"]]
    p["signature"] = ceremony.sign_message(
        seed, event["type"], record["election_id"], p["round"], p["index"], ceremony.body_of(p)
    )
    rehash(record)


def honest_round(
    built: Built, record: dict, number: int, *, encryption_keys: dict[int, str] | None = None
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Every message of a complete, honest ceremony round ``number`` by the same trustees
    (fresh polynomials, so a new election key), and the ``election_setup`` it leads to."""
    eid = record["election_id"]
    base = first(record, ceremony.SETUP)["payload"]["manifest"]
    seeds = seeds_of(built)
    keys = {j: ceremony.identity_public(s) for j, s in sorted(seeds.items())}
    boxes = {j: PrivateKey.generate() for j in keys}
    enc = encryption_keys or {j: bytes(b.public_key).hex() for j, b in boxes.items()}
    polys = {j: TrusteePolynomial.generate(base["threshold"]) for j in keys}
    commitments = {j: [c.hex() for c in p.commitments] for j, p in polys.items()}
    proofs = {
        j: polys[j].commitment_proofs(ceremony.commitment_context(eid, number, j, keys[j])) for j in keys
    }
    events: list[dict[str, Any]] = []

    def post(kind: str, j: int, body: dict[str, Any]) -> None:
        events.append(signed_event(built, record, kind, number, j, body))

    for j in keys:
        post(ceremony.JOINED, j, {"signing_key": keys[j], "encryption_key": enc[j]})
    for j in keys:
        post(ceremony.COMMITMENT_HASH, j, {"digest": ceremony.commitments_digest(commitments[j], proofs[j])})
    for j in keys:
        post(ceremony.COMMITMENTS, j, {"commitments": commitments[j], "proofs": proofs[j]})
    for j in keys:
        share_seed = secrets.token_bytes(32)
        post(
            ceremony.SHARES_SENT,
            j,
            {
                "sealed": {
                    str(k): base64.b64encode(
                        seal_share_revealable(
                            bytes.fromhex(enc[k]),
                            polys[j].share_for(k),
                            ceremony.share_context(eid, number, j, k),
                            ceremony.share_ephemeral_key(share_seed, number, k),
                        )
                    ).decode()
                    for k in keys
                    if k != j
                }
            },
        )
    manifest = copy.deepcopy(base)
    manifest.update(
        ceremony_round=number,
        public_key=combine_public_key([p.commitments for _, p in sorted(polys.items())]).hex(),
        trustees=[
            {"index": j, "signing_key": keys[j], "encryption_key": enc[j], "commitments": commitments[j]}
            for j in keys
        ],
    )
    fingerprint = election_fingerprint(manifest)
    for j in keys:
        post(ceremony.CONFIRMED, j, {"fingerprint": fingerprint})
    setup = new_event(
        ceremony.SETUP,
        {"manifest": manifest, "fingerprint": fingerprint, "public_key": manifest["public_key"]},
    )
    return events, setup


def restart_event(number: int) -> dict[str, Any]:
    return new_event(ceremony.RESTARTED, {"round": number, "reason": "a trustee lost its key"})


def restarted_before_setup(
    built: Built, rec: dict, **kw: Any
) -> tuple[dict, list[dict[str, Any]], dict[str, Any]]:
    """Round 1 complete (every trustee confirmed) but not set up; a restart; a complete
    round 2. Returns (the record cut there, without ballots; round 2's events; its setup);
    the round-1 setup stays in ``rec`` for the caller to use."""
    board = copy.deepcopy(rec["board"][: index_of(rec, ceremony.SETUP)])
    events, setup = honest_round(built, rec, 2, **kw)
    cut = {**rec, "board": board + [restart_event(2)] + events, "ballots": {}}
    return cut, events, setup


def the(record: dict, kind: str, index: int) -> dict[str, Any]:
    """The round-1 event ``kind`` of trustee ``index``."""
    return next(e for e in events_of(record, kind) if e["payload"]["index"] == index)


def flip_byte(hex_text: str, at: int = 0) -> str:
    raw = bytearray(bytes.fromhex(hex_text))
    raw[at] ^= 0x01
    return raw.hex()


def fp(built: Built, index: int) -> str:
    return ceremony.identity_fingerprint(ceremony.identity_public(seeds_of(built)[index]))


@pytest.fixture(scope="module")
def empty(service) -> Built:
    """An election tallied with no ballot: every tally slot is (1, 1), so the decryption
    statements of all slots are identical and only the slot index tells proofs apart."""
    client, tmp = service
    return run_election(client, tmp / "empty", {}, extra_voters=("X1",), decrypting=(0, 1))


def v1(name: str) -> dict:
    return json.loads((RECORDS / name).read_text())


# --- positive controls ----------------------------------------------------------------------------


def test_honest_records_and_constructions_verify(rec, built, empty) -> None:
    # Honest records of both protocols verify, and so do this file's constructions when they
    # contain nothing dishonest: a restarted ceremony set up in its last round, an empty tally.
    assert verify_record(rec, workers=1).result is not None
    for name in ("v1-sonc-tallied.json", "v1-approval-independent.json"):
        assert verify_record(v1(name), workers=1).result is not None
    cut, _, setup = restarted_before_setup(built, built.copy())
    cut["board"].append(setup)
    rehash(cut)
    report = verify_record(cut, workers=1)
    assert report.stage == "ready" and report.fingerprint == setup["payload"]["fingerprint"]
    assert verify_record(empty.copy(), workers=1).totals == (0,) * 6


# --- 1. one key per election ----------------------------------------------------------------------


@pytest.mark.parametrize("restart", [True, False], ids=["restart-and-setup", "setup-only"])
def test_key_switch_after_opening(rec, built, restart) -> None:
    # The server runs a second ceremony once voting started, to switch to a key it controls.
    events, setup = honest_round(built, rec, 2)
    at = index_of(rec, "opened") + 1
    inserted = ([restart_event(2)] + events if restart else []) + [setup]
    rec["board"][at:at] = inserted
    rehash(rec)
    kind = ceremony.RESTARTED if restart else ceremony.SETUP
    fails(
        rec,
        InvalidRecord,
        f"board event {at + 1} ({kind}): a ceremony message after the "
        "election opened: an election has exactly one key",
    )


def test_key_switch_between_setup_and_opening(rec, built) -> None:
    # The server re-runs the ceremony after the setup the trustees confirmed, before opening.
    events, setup = honest_round(built, rec, 2)
    at = index_of(rec, ceremony.SETUP) + 1
    rec["board"][at:at] = [restart_event(2)] + events + [setup]
    rehash(rec)
    fails(
        rec,
        InvalidRecord,
        f"board event {at + 1} (ceremony_restarted): a ceremony message "
        "after the election was set up (round 1): an election has exactly one key",
    )


# --- 2. complaints ------------------------------------------------------------------------------


def _complaint(built: Built, rec: dict) -> dict[str, Any]:
    return signed_event(
        built,
        rec,
        ceremony.COMPLAINT,
        1,
        3,
        {"complainant_index": 3, "accused_index": 1, "reason": "share does not verify"},
    )


def test_setup_after_an_unresolved_complaint(rec, built) -> None:
    # Trustee 3 complained about trustee 1's share; the server ignores it and carries on.
    board = rec["board"]
    board.insert(board.index(the(rec, ceremony.CONFIRMED, 3)), _complaint(built, rec))
    rehash(rec)
    confirmed = the(rec, ceremony.CONFIRMED, 3)
    fails(
        rec,
        InvalidRecord,
        f"board event {confirmed['seq']} (trustee_confirmed): round 1 "
        "stopped at a complaint; only the answer and a restart may follow",
    )


def test_setup_after_an_unresolved_complaint_without_the_complainant(rec, built) -> None:
    # The same, but the server sets up without the complainant's confirmation.
    board = rec["board"]
    confirmed = the(rec, ceremony.CONFIRMED, 3)
    board[board.index(confirmed)] = _complaint(built, rec)
    rehash(rec)
    setup = first(rec, ceremony.SETUP)
    fails(
        rec,
        InvalidRecord,
        f"board event {setup['seq']} (election_setup): set up without the confirmation of trustees [3]",
    )


def test_restart_over_an_unresolved_complaint(rec, built) -> None:
    # The server restarts to bury a complaint before it is judged (no answer, no verdict).
    board = rec["board"][: index_of(rec, ceremony.SETUP)]
    confirmed = the(rec, ceremony.CONFIRMED, 3)
    board[board.index(confirmed)] = _complaint(built, rec)
    events, setup = honest_round(built, rec, 2)
    rec.update(board=board + [restart_event(2)] + events + [setup], ballots={})
    rehash(rec)
    fails(
        rec,
        InvalidRecord,
        f"board event {len(board) + 1} (ceremony_restarted): restarted "
        "with trustee 3's complaint against trustee 1 unresolved",
    )


# --- 3. shares ----------------------------------------------------------------------------------


def test_a_trustees_shares_are_missing(rec) -> None:
    # Trustee 2 never sent its shares (or the server dropped them); the others confirm anyway.
    rec["board"].remove(the(rec, ceremony.SHARES_SENT, 2))
    rehash(rec)
    fails(
        rec,
        InvalidRecord,
        f"board event {the(rec, ceremony.CONFIRMED, 1)['seq']} "
        "(trustee_confirmed): trustee 1 confirmed before every trustee sent shares",
    )


def test_a_share_to_one_trustee_is_missing(rec, built) -> None:
    # Trustee 2 withholds the share for trustee 3, signing what it sent.
    event = the(rec, ceremony.SHARES_SENT, 2)
    del event["payload"]["sealed"]["3"]
    resign_one(built, rec, event)
    fails(
        rec,
        InvalidRecord,
        f"board event {event['seq']} (trustee_shares_sent): trustee 2 must "
        "send exactly one sealed share to each other trustee [1, 3]",
    )


# --- 4. confirmations ---------------------------------------------------------------------------


def test_a_confirmation_is_missing(rec) -> None:
    # The server sets up without trustee 2's confirmation.
    rec["board"].remove(the(rec, ceremony.CONFIRMED, 2))
    rehash(rec)
    setup = first(rec, ceremony.SETUP)
    fails(
        rec,
        InvalidRecord,
        f"board event {setup['seq']} (election_setup): set up without the "
        f"confirmation of trustees [2] for fingerprint {setup['payload']['fingerprint']}",
    )


def test_a_confirmation_for_another_fingerprint(rec, built) -> None:
    # Trustee 2 confirmed another manifest (the server showed it a different one).
    setup = first(rec, ceremony.SETUP)
    other = copy.deepcopy(setup["payload"]["manifest"])
    other["questions"][0]["candidates"][1]["name"] = "Someone else"
    event = the(rec, ceremony.CONFIRMED, 2)
    event["payload"]["fingerprint"] = election_fingerprint(other)
    resign_one(built, rec, event)
    fails(
        rec,
        InvalidRecord,
        f"board event {setup['seq']} (election_setup): set up without the "
        f"confirmation of trustees [2] for fingerprint {setup['payload']['fingerprint']}",
    )


# --- 5. superseded rounds -----------------------------------------------------------------------


def _set_up_with(built: Built, cut: dict, events: list[dict], setup: dict) -> None:
    """Append ``setup`` and let every round-2 trustee confirm its fingerprint (re-signed), so
    the confirmations do not stop it before the check on its round."""
    for e in events:
        if e["type"] == ceremony.CONFIRMED:
            e["payload"]["fingerprint"] = setup["payload"]["fingerprint"]
    cut["board"].append(setup)
    resign_ceremony(built, cut)


def test_setup_from_a_superseded_round(rec, built) -> None:
    # Round 1 completed, was restarted, round 2 completed; the server sets up round 1's key.
    cut, events, _ = restarted_before_setup(built, rec)
    old = copy.deepcopy(first(rec, ceremony.SETUP))
    _set_up_with(built, cut, events, old)
    fails(
        cut,
        InvalidRecord,
        f"board event {len(cut['board'])} (election_setup): setup "
        "of round 1 while the ceremony is in round 2 (a superseded round)",
    )


def test_setup_from_a_superseded_round_relabelled(rec, built) -> None:
    # The same, with round 1's manifest relabelled as round 2 (fingerprint recomputed and
    # confirmed). Round 2 reuses round 1's encryption keys, so what differs is the commitments.
    keys = {
        t["index"]: t["encryption_key"] for t in first(rec, ceremony.SETUP)["payload"]["manifest"]["trustees"]
    }
    cut, events, _ = restarted_before_setup(built, rec, encryption_keys=keys)
    old = copy.deepcopy(first(rec, ceremony.SETUP))
    old["payload"]["manifest"]["ceremony_round"] = 2
    old["payload"]["fingerprint"] = election_fingerprint(old["payload"]["manifest"])
    _set_up_with(built, cut, events, old)
    fails(
        cut,
        InvalidRecord,
        f"board event {len(cut['board'])} (election_setup): manifest "
        "trustee 1: commitments differs from what the trustee signed on the board",
    )


def test_setup_of_the_last_round_with_a_superseded_key(rec, built) -> None:
    # Nearest construction to "round 2's setup carrying round 1's key": round 2's manifest
    # (its trustees and commitments) with round 1's election key, fingerprint recomputed and
    # confirmed by every round-2 trustee.
    cut, events, setup = restarted_before_setup(built, rec)
    old_key = first(rec, ceremony.SETUP)["payload"]["public_key"]
    p = setup["payload"]
    p["manifest"]["public_key"] = p["public_key"] = old_key
    p["fingerprint"] = election_fingerprint(p["manifest"])
    _set_up_with(built, cut, events, setup)
    fails(
        cut,
        InvalidRecord,
        f"board event {len(cut['board'])} (election_setup): manifest "
        f"public key {old_key} is not the product of the trustees' constant commitments",
    )


def test_round_1_message_replayed_in_round_2(rec, built) -> None:
    # The server replays trustee 2's round-1 commitments in round 2 (validly signed, stale).
    cut, events, setup = restarted_before_setup(built, rec)
    stale = copy.deepcopy(the(rec, ceremony.COMMITMENTS, 2))
    stale["at"] = ""
    board = cut["board"]
    board[
        board.index(
            next(e for e in events if e["type"] == ceremony.COMMITMENTS and e["payload"]["index"] == 2)
        )
    ] = stale
    rehash(cut)
    fails(
        cut,
        InvalidRecord,
        f"board event {stale['seq']} (trustee_commitments): a message for "
        "round 1 while the ceremony is in round 2 (replayed or stale)",
    )


# --- 12. who joins ------------------------------------------------------------------------------


def _stranger_join(rec: dict, index: int) -> dict[str, Any]:
    seed = ceremony.generate_identity()
    body = {
        "signing_key": ceremony.identity_public(seed),
        "encryption_key": bytes(PrivateKey.generate().public_key).hex(),
    }
    return new_event(
        ceremony.JOINED, ceremony.signed_payload(seed, ceremony.JOINED, rec["election_id"], 1, index, body)
    )


@pytest.mark.parametrize(
    "index,fragment",
    [
        (4, "trustee index 4 is not in 1..3"),
        (2, "trustee 2 joined twice"),
    ],
)
def test_an_extra_trustee_joins(rec, index, fragment) -> None:
    # The server lets an unassigned identity (its own) join, as a 4th trustee or a second 2.
    at = index_of(rec, ceremony.COMMITMENT_HASH)
    rec["board"].insert(at, _stranger_join(rec, index))
    rehash(rec)
    fails(rec, InvalidRecord, f"board event {at + 1} (trustee_joined): {fragment}")


def test_a_trustee_joins_twice(rec) -> None:
    # The server replays trustee 1's (validly signed) join.
    at = index_of(rec, ceremony.COMMITMENT_HASH)
    rec["board"].insert(at, copy.deepcopy(the(rec, ceremony.JOINED, 1)))
    rehash(rec)
    fails(rec, InvalidRecord, f"board event {at + 1} (trustee_joined): trustee 1 joined twice")


@pytest.mark.parametrize(
    "field,fragment",
    [
        ("signing_key", "trustee 3 uses the signing key of another trustee"),
        ("encryption_key", "trustee 3 uses the encryption key of another trustee"),
    ],
)
def test_one_key_joins_in_two_seats(rec, built, field, fragment) -> None:
    # One trustee's key takes a second seat (one person holding two shares of the key).
    joined = the(rec, ceremony.JOINED, 3)
    joined["payload"][field] = the(rec, ceremony.JOINED, 1)["payload"][field]
    resign_one(built, rec, joined, signer=1 if field == "signing_key" else 3)
    fails(rec, InvalidRecord, f"board event {joined['seq']} (trustee_joined): {fragment}")


# --- 6. the schedule ----------------------------------------------------------------------------


def _stamp(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _cast_at(rec: dict, event: dict[str, Any], at: datetime) -> None:
    """Move ``event`` and every later event to ``at`` (board times stay monotonic)."""
    for e in rec["board"][rec["board"].index(event) :]:
        e["at"] = _stamp(at)
    rehash(rec)


@pytest.mark.parametrize("late", [timedelta(0), timedelta(minutes=5)], ids=["at-end", "after"])
def test_ballot_after_the_scheduled_end(rec, late) -> None:
    # The server accepts a ballot once the polls have closed (the scheduled end is exclusive).
    end = datetime.fromisoformat(first(rec, "ceremony_started")["payload"]["schedule"]["end_utc"])
    control = copy.deepcopy(rec)
    _cast_at(control, events_of(control, "ballot_cast")[-1], end - timedelta(microseconds=1))
    assert verify_record(control, workers=1).result is not None  # just in time: counted
    event = events_of(rec, "ballot_cast")[-1]
    _cast_at(rec, event, end + late)
    fails(
        rec,
        InvalidRecord,
        f"board event {event['seq']} (ballot_cast): ballot "
        f"{event['payload']['tracker']} cast at {event['at']}, not before the scheduled end "
        f"{end.isoformat()} (the end is exclusive)",
    )


# --- 7. broken signatures -----------------------------------------------------------------------

SIGNED_KINDS = [
    ceremony.JOINED,
    ceremony.COMMITMENT_HASH,
    ceremony.COMMITMENTS,
    ceremony.SHARES_SENT,
    ceremony.CONFIRMED,
]


@pytest.mark.parametrize("kind", SIGNED_KINDS)
def test_ceremony_signature_with_one_byte_changed(rec, built, kind) -> None:
    # The server forges (or corrupts) a trustee's signed ceremony message.
    event = the(rec, kind, 2)
    event["payload"]["signature"] = flip_byte(event["payload"]["signature"], 17)
    rehash(rec)
    fails(
        rec,
        InvalidRecord,
        f"board event {event['seq']} ({kind}): {kind} of trustee 2: the "
        f"signature does not verify under its signing key {fp(built, 2)}",
    )


def test_decryption_share_signature_with_one_byte_changed(rec, built) -> None:
    # The server forges (or corrupts) trustee 3's signed decryption share.
    event = events_of(rec, "decryption_share")[1]
    event["payload"]["signature"] = flip_byte(event["payload"]["signature"], 40)
    rehash(rec)
    fails(
        rec,
        InvalidShare,
        f"board event {event['seq']} (decryption_share): decryption_share of "
        f"trustee 3: the signature does not verify under its signing key {fp(built, 3)}",
    )


def _server_key() -> str:
    return bytes(PrivateKey.generate().public_key).hex()


@pytest.mark.parametrize(
    "kind,edit",
    [
        (ceremony.JOINED, lambda p: p.update(encryption_key=_server_key())),
        (
            ceremony.SHARES_SENT,
            lambda p: p["sealed"].update({"1": base64.b64encode(secrets.token_bytes(80)).decode()}),
        ),
        (ceremony.CONFIRMED, lambda p: p.update(fingerprint="ab" * 32)),
    ],
    ids=["encryption-key", "sealed-share", "fingerprint"],
)
def test_signed_body_changed_by_the_relay(rec, built, kind, edit) -> None:
    # The server rewrites what a trustee signed: its own encryption key in place of trustee 2's
    # (to read the shares sealed to it), a substituted sealed share, another fingerprint.
    event = the(rec, kind, 2)
    edit(event["payload"])
    rehash(rec)
    fails(
        rec,
        InvalidRecord,
        f"board event {event['seq']} ({kind}): {kind} of trustee 2: the "
        f"signature does not verify under its signing key {fp(built, 2)}",
    )


# --- 8. signed by another trustee ---------------------------------------------------------------


@pytest.mark.parametrize("kind", SIGNED_KINDS)
def test_message_of_trustee_1_signed_by_trustee_2(rec, built, kind) -> None:
    # Trustee 2 (or a server holding its key) speaks for trustee 1.
    event = the(rec, kind, 1)
    resign_one(built, rec, event, signer=2)
    fails(
        rec,
        InvalidRecord,
        f"board event {event['seq']} ({kind}): {kind} of trustee 1: the "
        f"signature does not verify under its signing key {fp(built, 1)}",
    )


def test_decryption_share_of_trustee_1_signed_by_trustee_3(rec, built) -> None:
    # Trustee 3 submits a decryption share in trustee 1's name.
    event = events_of(rec, "decryption_share")[0]
    p = event["payload"]
    p["signature"] = ceremony.sign_decryption_share(
        seeds_of(built)[3], rec["election_id"], 1, 1, p["tally_hash"], p["share"]
    )
    rehash(rec)
    fails(
        rec,
        InvalidShare,
        f"board event {event['seq']} (decryption_share): decryption_share of "
        f"trustee 1: the signature does not verify under its signing key {fp(built, 1)}",
    )


# --- 9. decryption shares bound to the tally ------------------------------------------------------


def _secret(built: Built, index: int) -> Scalar:
    trustee = next(t for t in built.trustees if int(t.state["index"]) == index)
    return Scalar.from_hex(trustee.state["secret_share"])


def _tally_cts(rec: dict) -> list:
    from crypto.elgamal import Ciphertext

    return [
        Ciphertext.from_json(c, allow_identity=True)
        for c in first(rec, "encrypted_tally")["payload"]["ciphertexts"]
    ]


def _other_tally_hash(rec: dict) -> str:
    """The hash of another tally: the board's without its first counted ballot."""
    tally = copy.deepcopy(first(rec, "encrypted_tally")["payload"])
    tally["counted"] = tally["counted"][1:]
    return encrypted_tally_hash(tally)


def test_decryption_share_signed_for_another_tally(rec, built) -> None:
    # Trustee 1 signed its share for a different tally (the server asked it to decrypt one);
    # the server publishes it beside the board's tally.
    event = events_of(rec, "decryption_share")[0]
    other, real = _other_tally_hash(rec), event["payload"]["tally_hash"]
    event["payload"]["tally_hash"] = other
    resign_decryption_share(built, rec, event)
    fails(
        rec,
        InvalidShare,
        f"board event {event['seq']} (decryption_share): trustee 1's share "
        f"names tally {other}, the encrypted tally on the board is {real}",
    )


def test_decryption_share_proved_for_another_tally(rec, built) -> None:
    # Trustee 1's proofs were made for another tally's context; the share is then signed with
    # the board's tally hash: the proofs bind the tally too.
    event = events_of(rec, "decryption_share")[0]
    setup = first(rec, ceremony.SETUP)["payload"]
    event["payload"]["share"] = decryption_share(
        _tally_cts(rec),
        _secret(built, 1),
        1,
        decryption_context(rec["election_id"], setup["fingerprint"], _other_tally_hash(rec)),
        slot_bound=True,
    )
    resign_decryption_share(built, rec, event)
    fails(
        rec,
        InvalidShare,
        f"board event {event['seq']} (decryption_share): trustee 1's "
        "decryption share, question 0, candidate 0 (Candidate 0) support (slot 0) does not "
        "verify",
    )


# --- 10. slot binding ---------------------------------------------------------------------------


def _swap(values: list, a: int, b: int) -> None:
    values[a], values[b] = values[b], values[a]


def test_decryption_share_slots_swapped(rec, built) -> None:
    # Trustee 1's factors and proofs of two slots are swapped (support and oppose counts of
    # candidate 1 exchanged), re-signed.
    event = events_of(rec, "decryption_share")[0]
    share = event["payload"]["share"]
    _swap(share["factors"], 2, 3)
    _swap(share["proofs"], 2, 3)
    resign_decryption_share(built, rec, event)
    fails(
        rec,
        InvalidShare,
        f"board event {event['seq']} (decryption_share): trustee 1's "
        "decryption share, question 0, candidate 1 (Candidate 1) support (slot 2) does not "
        "verify",
    )


def test_decryption_proofs_swapped_between_identical_slots(empty) -> None:
    # In an empty tally every slot's statement is the same, (1, 1) with factor 1: only the
    # slot index in each proof's context tells them apart. Two proofs swapped, re-signed.
    rec = empty.copy()
    event = events_of(rec, "decryption_share")[0]
    share = event["payload"]["share"]
    cts = _tally_cts(rec)
    assert cts[0] == cts[1] and share["factors"][0] == share["factors"][1]
    _swap(share["proofs"], 0, 1)
    resign_decryption_share(empty, rec, event)
    fails(
        rec,
        InvalidShare,
        f"board event {event['seq']} (decryption_share): trustee 1's "
        "decryption share, question 0, candidate 0 (Candidate 0) support (slot 0) does not "
        "verify",
    )


def test_decryption_share_without_slot_binding(rec, built) -> None:
    # Trustee 1's share made with protocol-1 proofs (no slot index) in a protocol-2 record.
    event = events_of(rec, "decryption_share")[0]
    setup = first(rec, ceremony.SETUP)["payload"]
    event["payload"]["share"] = decryption_share(
        _tally_cts(rec),
        _secret(built, 1),
        1,
        decryption_context(rec["election_id"], setup["fingerprint"], event["payload"]["tally_hash"]),
    )
    resign_decryption_share(built, rec, event)
    fails(
        rec,
        InvalidShare,
        "trustee 1's decryption share, question 0, candidate 0 "
        "(Candidate 0) support (slot 0) does not verify",
    )


# --- 11. protocol-1 records -----------------------------------------------------------------------

V1 = ["v1-sonc-tallied.json", "v1-approval-independent.json"]


@pytest.mark.parametrize("name", V1)
def test_v1_changed_election_key(name) -> None:
    # The server sets up an election key of its own, manifest and fingerprint made consistent.
    rec = v1(name)
    setup = first(rec, "election_setup")
    p = setup["payload"]
    p["manifest"]["public_key"] = p["public_key"] = key = other_point(p["public_key"])
    p["fingerprint"] = election_fingerprint(p["manifest"])
    rehash(rec)
    fails(
        rec,
        InvalidRecord,
        f"board event {setup['seq']} (election_setup): manifest.public_key "
        f"{key} is not the product of the trustees' constant commitments",
    )


@pytest.mark.parametrize("name", V1)
def test_v1_dropped_trustee_commitments(name) -> None:
    # The server drops trustee 2's commitments (the manifest still lists trustee 2).
    rec = v1(name)
    rec["board"].remove(the(rec, "trustee_commitments", 2))
    rehash(rec)
    setup = first(rec, "election_setup")
    fails(
        rec,
        InvalidRecord,
        f"board event {setup['seq']} (election_setup): round 1 has "
        "commitments from trustees [1, 3], the manifest lists [1, 2, 3]",
    )


@pytest.mark.parametrize("name", V1)
def test_v1_second_ceremony_after_opening(name) -> None:
    # The server restarts the key ceremony of a running protocol-1 election.
    rec = v1(name)
    at = index_of(rec, "opened") + 1
    rec["board"].insert(at, restart_event(2))
    rehash(rec)
    fails(
        rec,
        InvalidRecord,
        f"board event {at + 1} (ceremony_restarted): a key-ceremony event "
        "while the election was open: an election has exactly one key",
    )


def test_v1_changed_decryption_factor() -> None:
    # The server alters trustee 2's decryption factor of one slot (protocol-1 shares are
    # unsigned: only the proof stands in the way).
    rec = v1("v1-sonc-tallied.json")
    event = the(rec, "decryption_share", 2)
    factors = event["payload"]["share"]["factors"]
    factors[1] = other_point(factors[1])
    rehash(rec)
    fails(
        rec,
        InvalidShare,
        f"board event {event['seq']} (decryption_share): trustee 2's "
        "decryption share, question 0, candidate 0 (Candidate 0) oppose (slot 1) does not "
        "verify",
    )


def test_v1_changed_commitment_everywhere() -> None:
    # The server swaps a commitment of trustee 3 in its event and in the manifest (key and
    # fingerprint recomputed): it cannot prove knowledge of the new coefficient.
    rec = v1("v1-approval-independent.json")
    event = the(rec, "trustee_commitments", 3)
    new = other_point(event["payload"]["commitments"][0])
    event["payload"]["commitments"][0] = new
    setup = first(rec, "election_setup")["payload"]
    setup["manifest"]["trustees"][2]["commitments"][0] = new
    setup["manifest"]["public_key"] = setup["public_key"] = combine_public_key(
        [[Point.from_hex(c) for c in t["commitments"]] for t in setup["manifest"]["trustees"]]
    ).hex()
    setup["fingerprint"] = election_fingerprint(setup["manifest"])
    rehash(rec)
    fails(
        rec,
        InvalidProof,
        f"board event {event['seq']} (trustee_commitments)",
        "trustee 3: commitment 0 proof of knowledge",
    )


def test_v1_shares_before_the_last_commitments() -> None:
    # The server let trustee 1 send shares before trustee 3 had committed (a rushing dealer).
    rec = v1("v1-sonc-tallied.json")
    board = rec["board"]
    sent = the(rec, "trustee_shares_sent", 1)
    board.remove(sent)
    board.insert(board.index(the(rec, "trustee_commitments", 3)), sent)
    rehash(rec)
    fails(
        rec,
        InvalidRecord,
        f"board event {the(rec, 'trustee_commitments', 3)['seq']} "
        "(trustee_commitments): trustee 3 published commitments after trustee 1 sent shares",
    )


def test_protocol_2_record_relabelled_as_protocol_1(rec) -> None:
    # Downgrade: the server strips "protocol": 2 so the legacy (unsigned) rules apply. The
    # coefficient proofs name protocol 2's context, so they no longer verify; re-proving
    # needs the trustees' coefficients.
    started = first(rec, "ceremony_started")
    del started["payload"]["protocol"]
    rehash(rec)
    fails(
        rec,
        InvalidProof,
        f"board event {the(rec, 'trustee_commitments', 1)['seq']} "
        "(trustee_commitments): trustee 1: commitment 0 proof of knowledge",
    )
