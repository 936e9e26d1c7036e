"""Every tampering makes the verifier fail, with a message naming the event, ballot, trustee,
question or candidate at fault. Tamperings that would break the chain (or a tracker) first
are made consistent again (re-signed, re-tracked, re-hashed) so they reach their own check."""

from __future__ import annotations

import copy

import pytest

from crypto.ballots import encrypt_ballot
from crypto.credentials import CredentialKey
from crypto.errors import (
    InvalidBallot,
    InvalidChain,
    InvalidProof,
    InvalidRecord,
    InvalidResult,
    InvalidShare,
    InvalidSignature,
    InvalidTally,
    UnsupportedRecord,
)
from crypto.fingerprint import election_fingerprint
from crypto.group import G, Point, Scalar
from crypto.manifest import ballot_context
from crypto.record import verify_record
from tests.verify.records import (
    Built,
    cast_event,
    events_of,
    first,
    index_of,
    new_event,
    reconfirm,
    rehash,
    resign,
    resign_ceremony,
    resign_decryption_share,
    retrack,
    run_election,
    verify_streamed,
)

# The honest record (fixtures ``built`` and ``rec``) is built in conftest.py, shared with
# test_tamper_ceremony.py.


@pytest.fixture(scope="module")
def independent(service) -> Built:
    client, tmp = service
    return run_election(
        client,
        tmp / "indep",
        {"I1": [[[1, 0, 0]]], "I2": [[[0, 1, 0]]]},
        credential_mode="independent",
        tally=False,
    )


def fails(record: dict, error: type[Exception], *fragments: str, workers: int = 1) -> str:
    """The record fails with ``error`` naming every fragment — in memory, and identically
    (class and message) when read from a file with its ballots streamed."""
    with pytest.raises(error) as caught:
        verify_record(record, workers=workers)
    message = str(caught.value)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    with pytest.raises(error) as streamed:
        verify_streamed(record, workers=workers)
    assert type(streamed.value) is type(caught.value)
    assert str(streamed.value) == message
    return message


def trackers(built: Built, name: str) -> list[str]:
    cred = built.credential(name).public.hex()
    return [
        e["payload"]["tracker"]
        for e in events_of(built.record, "ballot_cast")
        if e["payload"]["credential"] == cred
    ]


def bump(hex_scalar: str) -> str:
    return (Scalar.from_hex(hex_scalar) + 1).hex()


def other_point(hex_point: str) -> str:
    return (Point.from_hex(hex_point) + G).hex()


def seq_of(record: dict, tracker: str) -> int:
    return cast_event(record, tracker)["seq"]


# --- the record itself and the chain ------------------------------------------------------------


def test_honest_record_verifies(rec) -> None:
    assert verify_record(rec, workers=1).result is not None


@pytest.mark.parametrize("key,value", [("format", "something-else"), ("version", 2)])
def test_wrong_format_or_version(rec, key, value) -> None:
    rec[key] = value
    fails(rec, UnsupportedRecord, repr(value))


def test_edited_payload_breaks_the_chain(rec) -> None:
    event = first(rec, "closed")
    event["payload"]["reason"] = "edited"
    fails(rec, InvalidChain, f"board event {event['seq']} (closed): hash mismatch")


def test_dropped_event_breaks_the_chain(rec) -> None:
    i = index_of(rec, "ballot_cast")
    del rec["board"][i]
    fails(rec, InvalidChain, f"board event {i + 1}")


def test_reordered_events_break_the_chain(rec) -> None:
    i = index_of(rec, "ballot_cast")
    rec["board"][i], rec["board"][i + 1] = rec["board"][i + 1], rec["board"][i]
    fails(rec, InvalidChain, f"board event {i + 1}")


def test_dropped_ballot_cast_rehashed_leaves_an_orphan_ballot(rec, built) -> None:
    tracker = trackers(built, "V3")[0]
    rec["board"].remove(cast_event(rec, tracker))
    rehash(rec)
    fails(rec, InvalidBallot, f"ballot {tracker} is in the record but no ballot_cast event")


def test_malformed_payload(rec, built) -> None:
    event = cast_event(rec, trackers(built, "V1")[0])
    del event["payload"]["credential"]
    rehash(rec)
    fails(rec, InvalidRecord, f"board event {event['seq']} (ballot_cast)", "malformed")


# --- setup: manifest, fingerprint, commitments, election key -------------------------------------


def test_changed_manifest(rec) -> None:
    setup = first(rec, "election_setup")
    setup["payload"]["manifest"]["questions"][0]["candidates"][1]["name"] = "Someone else"
    rehash(rec)
    fails(
        rec,
        InvalidRecord,
        f"board event {setup['seq']} (election_setup): fingerprint",
        "is not the fingerprint of the manifest",
    )


def test_changed_fingerprint(rec) -> None:
    setup = first(rec, "election_setup")
    setup["payload"]["fingerprint"] = "ab" * 32
    rehash(rec)
    fails(
        rec,
        InvalidRecord,
        "(election_setup): set up without the confirmation of trustees "
        "[1, 2, 3] for fingerprint " + "ab" * 32,
    )


def test_changed_fingerprint_confirmed_by_every_trustee(rec, built) -> None:
    setup = first(rec, "election_setup")
    setup["payload"]["fingerprint"] = "ab" * 32
    reconfirm(built, rec)
    fails(
        rec,
        InvalidRecord,
        f"board event {setup['seq']} (election_setup): fingerprint " + "ab" * 32,
        "is not the fingerprint of the manifest",
    )


def test_changed_manifest_with_its_fingerprint_no_longer_matches_the_ballots(rec, built) -> None:
    setup = first(rec, "election_setup")["payload"]
    setup["manifest"]["questions"][0]["candidates"][1]["name"] = "Someone else"
    setup["fingerprint"] = election_fingerprint(setup["manifest"])
    reconfirm(built, rec)
    first_ballot = events_of(rec, "ballot_cast")[0]["payload"]["tracker"]
    fails(rec, InvalidBallot, f"ballot {first_ballot}", "fingerprint does not match")


def test_revealed_commitments_differ_from_the_committed_hash(rec, built) -> None:
    event = events_of(rec, "trustee_commitments")[1]
    event["payload"]["commitments"][1] = other_point(event["payload"]["commitments"][1])
    resign_ceremony(built, rec, digests=False)
    fails(
        rec,
        InvalidRecord,
        f"board event {event['seq']} (trustee_commitments)",
        "trustee 2's commitments are not the ones it committed to",
    )


def test_changed_commitment(rec, built) -> None:
    event = events_of(rec, "trustee_commitments")[1]
    event["payload"]["commitments"][1] = other_point(event["payload"]["commitments"][1])
    resign_ceremony(built, rec)
    fails(
        rec,
        InvalidRecord,
        f"board event {event['seq']} (trustee_commitments)",
        "trustee 2",
        "proof of knowledge",
    )


def test_changed_commitment_proof(rec, built) -> None:
    event = events_of(rec, "trustee_commitments")[0]
    proof = event["payload"]["proofs"][1]
    proof["response"] = bump(proof["response"])
    resign_ceremony(built, rec)
    fails(rec, InvalidRecord, f"board event {event['seq']}", "trustee 1: commitment 1 proof")


def test_manifest_commitments_differ_from_the_published_ones(rec) -> None:
    setup = first(rec, "election_setup")["payload"]
    trustee = setup["manifest"]["trustees"][2]
    trustee["commitments"][0] = other_point(trustee["commitments"][0])
    setup["fingerprint"] = election_fingerprint(setup["manifest"])
    rehash(rec)
    fails(
        rec,
        InvalidRecord,
        "manifest trustee 3: commitments differs from what the trustee signed on the board",
    )


def test_changed_election_key(rec) -> None:
    setup = first(rec, "election_setup")
    setup["payload"]["public_key"] = other_point(setup["payload"]["public_key"])
    rehash(rec)
    fails(
        rec,
        InvalidRecord,
        f"board event {setup['seq']} (election_setup): public_key",
        "is not the product of the trustees' constant commitments",
    )


def test_changed_election_key_in_the_manifest(rec) -> None:
    setup = first(rec, "election_setup")["payload"]
    setup["manifest"]["public_key"] = setup["public_key"] = other_point(setup["public_key"])
    setup["fingerprint"] = election_fingerprint(setup["manifest"])
    rehash(rec)
    fails(
        rec, InvalidRecord, "manifest public key", "is not the product of the trustees' constant commitments"
    )


def test_shares_sent_before_every_commitment(rec) -> None:
    board = rec["board"]
    sent = board.pop(index_of(rec, "trustee_shares_sent"))
    board.insert(index_of(rec, "trustee_commitments") + 1, sent)
    rehash(rec)
    fails(rec, InvalidRecord, "trustee 1 sent shares before every trustee revealed its commitments")


# --- ballots ---------------------------------------------------------------------------------------


def test_changed_ciphertext_breaks_the_tracker(rec, built) -> None:
    tracker = trackers(built, "V1")[0]
    ct = rec["ballots"][tracker]["answers"][0]["ciphertexts"][0]
    ct["alpha"] = other_point(ct["alpha"])
    fails(
        rec, InvalidBallot, f"board event {seq_of(rec, tracker)} (ballot_cast), ballot {tracker}", "hashes to"
    )


def test_changed_ciphertext_breaks_the_signature(rec, built) -> None:
    tracker = trackers(built, "V1")[0]
    ct = rec["ballots"][tracker]["answers"][0]["ciphertexts"][0]
    ct["alpha"] = other_point(ct["alpha"])
    new = retrack(rec, tracker)
    fails(rec, InvalidSignature, f"ballot {new}", "ballot.signature")


def test_changed_ciphertext_breaks_its_proof(rec, built) -> None:
    tracker = trackers(built, "V1")[0]
    ballot = rec["ballots"][tracker]
    ct = ballot["answers"][0]["ciphertexts"][0]
    ct["beta"] = other_point(ct["beta"])
    resign(ballot, built.credential("V1"))
    new = retrack(rec, tracker)
    fails(
        rec,
        InvalidProof,
        f"board event {seq_of(rec, new)} (ballot_cast), ballot {new}",
        "bit_proofs[0] (question 0, candidate 0 support)",
    )


def test_changed_proof_challenge(rec, built) -> None:
    tracker = trackers(built, "V3")[0]
    ballot = rec["ballots"][tracker]
    proof = ballot["answers"][0]["bit_proofs"][3]
    proof["challenges"][0] = bump(proof["challenges"][0])
    resign(ballot, built.credential("V3"))
    new = retrack(rec, tracker)
    fails(rec, InvalidProof, f"ballot {new}", "bit_proofs[3] (question 0, candidate 1 oppose)")


def test_changed_candidate_proof_response(rec, built) -> None:
    tracker = trackers(built, "V2")[1]
    ballot = rec["ballots"][tracker]
    proof = ballot["answers"][0]["candidate_proofs"][2]
    proof["responses"][1] = bump(proof["responses"][1])
    resign(ballot, built.credential("V2"))
    new = retrack(rec, tracker)
    fails(rec, InvalidProof, f"ballot {new}", "candidate_proofs[2] (question 0, candidate 2")


def test_the_ballots_of_a_new_record_are_version_2(rec) -> None:
    assert {b["version"] for b in rec["ballots"].values()} == {2}
    proof = next(iter(rec["ballots"].values()))["answers"][0]["bit_proofs"][0]
    assert set(proof) == {"commitments", "challenges", "responses"}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("torsion", "does not verify (the challenges do not sum to the hash)"),
        ("non-canonical", "commitments[1][0] (A_1) is not a canonical encoding of a curve point"),
        ("off-curve", "commitments[1][0] (A_1) is not a canonical encoding of a curve point"),
        ("swapped", "does not verify (the challenges do not sum to the hash)"),
    ],
)
def test_changed_proof_commitment(rec, built, change, message) -> None:
    """Ballot version 2 (protocol §4.5): a forged commitment in one ballot among many, re-signed
    and re-tracked so it reaches the proof check; the record names that ballot and proof."""
    from nacl.bindings import crypto_core_ed25519_add

    from tests.crypto.test_proofs_v2 import NON_CANONICAL, OFF_CURVE, TORSION

    tracker = trackers(built, "V2")[1]
    ballot = rec["ballots"][tracker]
    proof = ballot["answers"][0]["candidate_proofs"][1]
    old = bytes.fromhex(proof["commitments"][1][0])
    proof["commitments"][1][0] = {
        "torsion": lambda: crypto_core_ed25519_add(old, TORSION[4]).hex(),
        "non-canonical": lambda: NON_CANONICAL[0].hex(),
        "off-curve": lambda: OFF_CURVE.hex(),
        "swapped": lambda: proof["commitments"][0][0],
    }[change]()
    resign(ballot, built.credential("V2"))
    new = retrack(rec, tracker)
    fails(rec, InvalidProof, f"ballot {new}", "candidate_proofs[1] (question 0, candidate 1", message)


def test_changed_signature(rec, built) -> None:
    tracker = trackers(built, "V3")[0]
    signature = rec["ballots"][tracker]["signature"]
    signature["response"] = bump(signature["response"])
    new = retrack(rec, tracker)
    fails(rec, InvalidSignature, f"board event {seq_of(rec, new)} (ballot_cast), ballot {new}")


def test_ballot_swapped_for_another_valid_ballot(rec, built) -> None:
    a, b = trackers(built, "V1")[0], trackers(built, "V3")[0]
    rec["ballots"][a] = copy.deepcopy(rec["ballots"][b])
    fails(rec, InvalidBallot, f"ballot {a}", f"hashes to {b}")


def test_event_names_another_credential(rec, built) -> None:
    tracker = trackers(built, "V2")[1]  # cast after every credential was registered
    event = cast_event(rec, tracker)
    event["payload"]["credential"] = built.credential("V3").public.hex()
    event["payload"]["supersedes"] = []
    rehash(rec)
    fails(rec, InvalidBallot, f"ballot {tracker}", "the board event names")


def test_supersedes_a_ballot_of_another_credential(rec, built) -> None:
    event = cast_event(rec, trackers(built, "V3")[0])
    event["payload"]["supersedes"] = [trackers(built, "V1")[0]]
    rehash(rec)
    fails(rec, InvalidBallot, f"board event {event['seq']} (ballot_cast)", "says it supersedes")


def test_ballot_missing_from_the_record(rec, built) -> None:
    tracker = trackers(built, "V3")[0]
    del rec["ballots"][tracker]
    fails(rec, InvalidBallot, f"ballot {tracker} is not in the record")


def test_parallel_verification_reports_the_first_bad_ballot(rec, built) -> None:
    early, late = trackers(built, "V1")[0], trackers(built, "V2")[1]
    for tracker in (late, early):
        signature = rec["ballots"][tracker]["signature"]
        signature["challenge"] = bump(signature["challenge"])
    fails(rec, InvalidBallot, f"ballot {early}", workers=2)


# --- credentials and phases -------------------------------------------------------------------------


def _foreign_ballot(rec: dict, key: CredentialKey) -> dict:
    setup = first(rec, "election_setup")["payload"]
    return encrypt_ballot(ballot_context(setup["manifest"], setup["fingerprint"]), [[1, 1, 1]], key)


def test_ballot_with_an_unregistered_credential(rec) -> None:
    from crypto.ballots import ballot_tracker

    key = CredentialKey.generate()
    ballot = _foreign_ballot(rec, key)
    tracker = ballot_tracker(ballot)
    rec["ballots"][tracker] = ballot
    rec["board"].insert(
        index_of(rec, "closed"),
        new_event(
            "ballot_cast",
            {"tracker": tracker, "credential": key.public.hex(), "definition_version": 1, "supersedes": []},
        ),
    )
    rehash(rec)
    fails(
        rec,
        InvalidRecord,
        f"ballot {tracker} is signed with credential {key.public.hex()}",
        "not registered before it",
    )


def test_credential_registered_after_its_ballot(rec, built) -> None:
    cred = built.credential("V1").public.hex()
    board = rec["board"]
    registration = next(
        e for e in events_of(rec, "credential_registered") if e["payload"]["credential"] == cred
    )
    board.remove(registration)
    registration["at"] = ""  # takes the time of the event it now follows
    board.insert(board.index(cast_event(rec, trackers(built, "V1")[0])) + 1, registration)
    rehash(rec)
    fails(rec, InvalidRecord, f"credential {cred}, which was not registered before it")


def test_credential_registration_removed(rec, built) -> None:
    cred = built.credential("V2").public.hex()
    rec["board"] = [
        e
        for e in rec["board"]
        if not (e["type"] == "credential_registered" and e["payload"]["credential"] == cred)
    ]
    rehash(rec)
    first_seq = seq_of(rec, trackers(built, "V2")[0])
    fails(rec, InvalidRecord, f"board event {first_seq} (ballot_cast)", "not registered")


def test_credential_not_in_the_published_list(independent) -> None:
    rec = independent.copy()
    used = independent.credential("I2").public.hex()
    event = first(rec, "credentials_published")
    event["payload"]["credentials"].remove(used)
    event["payload"]["count"] -= 1
    rehash(rec)
    fails(rec, InvalidRecord, f"credential {used}, which is not in the credential list")


def test_independent_record_verifies(independent) -> None:
    assert verify_record(independent.copy(), workers=1).credential_mode == "independent"


def test_ballot_cast_after_closing(rec, built) -> None:
    board = rec["board"]
    event = cast_event(rec, trackers(built, "V3")[0])
    board.remove(event)
    event["at"] = ""
    board.insert(index_of(rec, "closed") + 1, event)
    rehash(rec)
    fails(rec, InvalidRecord, f"ballot {event['payload']['tracker']} cast while the election was closed")


def test_strike_after_the_tally_started(rec, built) -> None:
    rec["board"].insert(
        index_of(rec, "encrypted_tally"),
        new_event("ballot_struck", {"trackers": [trackers(built, "V1")[0]], "reason_code": "sock"}),
    )
    rehash(rec)
    fails(rec, InvalidRecord, "ballot_struck while the election was tallying")


def test_second_result(rec) -> None:
    rec["board"].append(copy.deepcopy(first(rec, "result")))
    rehash(rec)
    fails(rec, InvalidTally, f"board event {len(rec['board'])} (result)", "while published")


def test_decryption_share_before_the_encrypted_tally(rec) -> None:
    board = rec["board"]
    share = first(rec, "decryption_share")
    board.remove(share)
    board.insert(index_of(rec, "encrypted_tally"), share)
    rehash(rec)
    fails(rec, InvalidTally, "a decryption share before the encrypted tally")


# --- counted set ---------------------------------------------------------------------------------


def test_counted_list_missing_a_ballot(rec, built) -> None:
    tracker = trackers(built, "V3")[0]
    tally = first(rec, "encrypted_tally")
    tally["payload"]["counted"].remove(tracker)
    rehash(rec)
    fails(rec, InvalidTally, f"board event {tally['seq']} (encrypted_tally): does not count ballot {tracker}")


def test_counted_list_with_a_superseded_ballot(rec, built) -> None:
    old, new = trackers(built, "V2")
    counted = first(rec, "encrypted_tally")["payload"]["counted"]
    counted[counted.index(new)] = old
    rehash(rec)
    fails(rec, InvalidTally, f"counts ballot {old}", f"superseded by ballot {new}")


def test_counted_list_reordered(rec) -> None:
    first(rec, "encrypted_tally")["payload"]["counted"].reverse()
    rehash(rec)
    fails(rec, InvalidTally, "not in board order")


def test_struck_ballot_still_counted(rec, built) -> None:
    tracker = trackers(built, "V1")[0]
    rec["board"].insert(
        index_of(rec, "closed"),
        new_event("ballot_struck", {"trackers": [tracker], "reason_code": "sockpuppet"}),
    )
    rehash(rec)
    fails(rec, InvalidTally, f"counts ballot {tracker}", "struck in board event")


def before_tally(rec: dict) -> dict:
    """The same record cut just before the tally started: a valid closed-stage record."""
    rec["board"] = rec["board"][: index_of(rec, "tally_started")]
    return rec


def test_struck_and_superseded_ballots_are_not_counted(rec, built) -> None:
    rec = before_tally(rec)
    old, new = trackers(built, "V2")
    report = verify_record(rec, workers=1)
    assert report.stage == "closed" and old not in report.counted and new in report.counted
    # Strike V2's last ballot: their previous one counts again; strike V1's: V1 is out.
    v1 = trackers(built, "V1")[0]
    rec["board"].insert(
        index_of(rec, "closed"),
        new_event("ballot_struck", {"trackers": [new, v1], "reason_code": "sockpuppet"}),
    )
    rehash(rec)
    report = verify_record(rec, workers=1)
    assert old in report.counted and new not in report.counted and v1 not in report.counted
    assert len(report.counted) == 2
    # Unstriking restores them.
    rec["board"].insert(
        index_of(rec, "closed"),
        new_event("ballot_unstruck", {"trackers": [new, v1], "reason_code": "cleared"}),
    )
    rehash(rec)
    report = verify_record(rec, workers=1)
    assert new in report.counted and v1 in report.counted and old not in report.counted


def test_strike_of_an_unknown_ballot(rec) -> None:
    rec = before_tally(rec)
    rec["board"].insert(
        index_of(rec, "closed"), new_event("ballot_struck", {"trackers": ["cd" * 32], "reason_code": "x"})
    )
    rehash(rec)
    fails(rec, InvalidTally, "names ballot " + "cd" * 32 + ", which was not cast before it")


# --- aggregate, decryption shares, totals, result --------------------------------------------------


def test_changed_tally_ciphertext(rec) -> None:
    tally = first(rec, "encrypted_tally")
    cts = tally["payload"]["ciphertexts"]
    cts[2], cts[3] = cts[3], cts[2]
    rehash(rec)
    fails(
        rec,
        InvalidTally,
        f"board event {tally['seq']} (encrypted_tally): question 0, candidate 1 (Candidate 1) support",
        "not the homomorphic sum",
    )


def test_changed_decryption_factor(rec, built) -> None:
    event = events_of(rec, "decryption_share")[1]
    factors = event["payload"]["share"]["factors"]
    factors[3] = other_point(factors[3])
    resign_decryption_share(built, rec, event)
    fails(
        rec,
        InvalidShare,
        f"board event {event['seq']} (decryption_share): trustee 3's",
        "question 0, candidate 1 (Candidate 1) oppose (slot 3)",
    )


def test_changed_decryption_proof(rec, built) -> None:
    event = events_of(rec, "decryption_share")[0]
    proof = event["payload"]["share"]["proofs"][4]
    proof["challenge"] = bump(proof["challenge"])
    resign_decryption_share(built, rec, event)
    fails(
        rec,
        InvalidShare,
        "trustee 1's decryption share, question 0, candidate 2 (Candidate 2) support (slot 4)",
    )


def test_changed_total(rec) -> None:
    result = first(rec, "result")
    result["payload"]["totals"][0] -= 1
    rehash(rec)
    fails(
        rec,
        InvalidTally,
        f"board event {result['seq']} (result): question 0, candidate 0 "
        "(Candidate 0) support: published total 2",
        "(it decrypts to 3)",
    )


def test_total_out_of_range(rec) -> None:
    first(rec, "result")["payload"]["totals"][1] = 99
    rehash(rec)
    fails(rec, InvalidTally, "candidate 0 (Candidate 0) oppose: total 99 is outside 0..3")


@pytest.mark.parametrize(
    "used,fragment",
    [
        ([1, 2], "names trustee 2, who has no decryption share"),
        ([1], "the threshold is 2"),
        ([3, 1], "in increasing order"),
    ],
)
def test_changed_shares_used(rec, used, fragment) -> None:
    first(rec, "result")["payload"]["shares_used"] = used
    rehash(rec)
    fails(rec, InvalidTally, fragment)


def _edit_result(rec: dict, edit) -> None:
    edit(first(rec, "result")["payload"]["result"])
    rehash(rec)


def test_changed_percent(rec) -> None:
    _edit_result(rec, lambda r: r["questions"][0]["candidates"][1].update(percent="99.9"))
    fails(
        rec,
        InvalidResult,
        "result.questions[0].candidates[1].percent",
        "(question 0, candidate 1 (Candidate 1)) is '99.9'",
        "gives '50.0'",
    )


def test_flipped_pass_flag(rec) -> None:
    _edit_result(rec, lambda r: r["questions"][0]["candidates"][1].update(passed=True))
    fails(rec, InvalidResult, "candidates[1].passed", "candidate 1", "is True", "gives False")


def test_changed_elected(rec) -> None:
    _edit_result(rec, lambda r: r["questions"][0].update(elected=[1]))
    fails(rec, InvalidResult, "result.questions[0].elected", "(question 0)")


def test_changed_ballots_counted(rec) -> None:
    _edit_result(rec, lambda r: r.update(ballots_counted=4))
    fails(rec, InvalidResult, "result.ballots_counted is 4", "gives 3")


def test_struck_ballot_excluded_from_a_full_retally(rec, built) -> None:
    """Strike V1's ballot before closing and redo the whole tally honestly (the test holds
    the trustees' key shares): the record verifies and V1's ballot is not counted."""
    from crypto.dlog import discrete_log
    from crypto.elgamal import Ciphertext
    from crypto.results import election_result
    from crypto.tally import (
        ballot_ciphertexts,
        counted_ballots,
        decryption_context,
        encrypted_tally_hash,
        split_totals,
        sum_across_versions,
    )
    from crypto.threshold import combine_decryption, decryption_share, public_key_share

    struck = trackers(built, "V1")[0]
    rec["board"].insert(
        index_of(rec, "closed"),
        new_event("ballot_struck", {"trackers": [struck], "reason_code": "sockpuppet"}),
    )
    setup = first(rec, "election_setup")["payload"]
    manifest = setup["manifest"]
    counted = [c.tracker for c in counted_ballots(rec["board"])]
    tally = first(rec, "encrypted_tally")["payload"]
    sums, contributors = sum_across_versions(
        [(1, ballot_ciphertexts(rec["ballots"][t])) for t in counted], {1: manifest}, manifest
    )
    tally.update(counted=counted, ciphertexts=[c.to_json() for c in sums], contributors=contributors)
    cts = [Ciphertext.from_json(c, allow_identity=True) for c in tally["ciphertexts"]]
    tally_hash = encrypted_tally_hash(tally)
    context = decryption_context(manifest["election_id"], setup["fingerprint"], tally_hash)
    commitments = [[Point.from_hex(c) for c in t["commitments"]] for t in manifest["trustees"]]
    shares = {}
    for event in events_of(rec, "decryption_share"):
        j = event["payload"]["index"]
        secret = Scalar.from_hex(built.trustees[j - 1].state["secret_share"])
        shares[j] = event["payload"]["share"] = decryption_share(cts, secret, j, context, slot_bound=True)
        event["payload"]["tally_hash"] = tally_hash
        resign_decryption_share(built, rec, event)
    points, _ = combine_decryption(
        cts, shares, {j: public_key_share(commitments, j) for j in shares}, 2, context, slot_bound=True
    )
    totals = [discrete_log(p, len(counted)) for p in points]
    first(rec, "result")["payload"].update(
        totals=totals,
        result=election_result(manifest, split_totals(totals, tally["layout"]), len(counted), contributors),
    )
    rehash(rec)
    report = verify_record(rec, workers=2)
    assert struck not in report.counted and len(report.counted) == 2
    assert report.result["ballots_counted"] == 2
    assert report.totals[:2] == (2, 0)  # candidate 0: V2 and V3 support, V1's vote is gone
