"""Tampering with what bounds ballot stuffing (issue 14, part C): the roll on the board, the
credential authority's signature of its list, and the credential-replacement rule."""

from __future__ import annotations

import pytest

from crypto.credentials import CredentialKey
from crypto.errors import InvalidRecord
from crypto.record import verify_record
from crypto.roll import authority_fingerprint, sign_credential_list
from tests.verify.records import AUTHORITY_SEED, Built, events_of, first, new_event, rehash, run_election
from tests.verify.test_tamper import fails, seq_of, trackers


@pytest.fixture(scope="module")
def independent(service) -> Built:
    client, tmp = service
    return run_election(
        client,
        tmp / "indep-roll",
        {"I1": [[[1, 0, 0]]], "I2": [[[0, 1, 0]]]},
        credential_mode="independent",
        tally=False,
    )


def test_honest_records_carry_the_roll(rec, independent) -> None:
    started = first(rec, "ceremony_started")["payload"]["roll"]
    assert started["size"] == 3 and len(started["fingerprint"]) == 64
    report = verify_record(independent.copy(), workers=1)
    summary = next(c for c in report.checks if c.name == "credentials").summary
    assert "roll of 2 voters" in summary
    assert authority_fingerprint(sign_credential_list(AUTHORITY_SEED, "x", [])["authority_key"]) in summary


def test_more_credentials_used_than_the_roll_has_voters(rec, built) -> None:
    first(rec, "ceremony_started")["payload"]["roll"]["size"] = 2
    rehash(rec)
    third = seq_of(rec, trackers(built, "V3")[0])
    fails(
        rec, InvalidRecord, f"board event {third} (ballot_cast)", "credentials used to 3", "roll has 2 voters"
    )


def test_a_later_roll_smaller_than_the_credentials_used(rec) -> None:
    closed = next(i for i, e in enumerate(rec["board"]) if e["type"] == "closed")
    roll = dict(first(rec, "ceremony_started")["payload"]["roll"], size=1, reason="closed")
    rec["board"].insert(closed + 1, new_event("roll_published", roll))
    rehash(rec)
    fails(rec, InvalidRecord, "(roll_published)", "3 credentials were used", "roll has 1 voters")


def test_a_malformed_roll(rec) -> None:
    first(rec, "ceremony_started")["payload"]["roll"]["fingerprint"] = "not a hash"
    rehash(rec)
    fails(rec, InvalidRecord, "(ceremony_started)", "SHA-256 fingerprint")


def test_bad_authority_signature(independent) -> None:
    rec = independent.copy()
    payload = first(rec, "credentials_published")["payload"]
    sig = payload["signature"]
    payload["signature"] = ("0" if sig[0] != "0" else "1") + sig[1:]
    rehash(rec)
    fails(rec, InvalidRecord, "(credentials_published)", "signature does not verify")


def test_missing_authority_signature(independent) -> None:
    rec = independent.copy()
    payload = first(rec, "credentials_published")["payload"]
    del payload["signature"], payload["authority_key"]
    rehash(rec)
    fails(rec, InvalidRecord, "(credentials_published)", "no credential-authority key")
    rec = independent.copy()
    del first(rec, "credentials_published")["payload"]["signature"]
    rehash(rec)
    fails(rec, InvalidRecord, "not signed by the credential authority")


def test_list_changed_after_signing(independent) -> None:
    """A credential the server added (signature unchanged) is caught, even with the roll
    raised to fit."""
    rec = independent.copy()
    payload = first(rec, "credentials_published")["payload"]
    fake = sorted([*payload["credentials"], CredentialKey.generate().public.hex()])
    payload["credentials"], payload["count"] = fake, len(fake)
    first(rec, "ceremony_started")["payload"]["roll"]["size"] = 5
    rehash(rec)
    fails(rec, InvalidRecord, "(credentials_published)", "signature does not verify")


def test_list_longer_than_the_roll(independent) -> None:
    """Re-signed (a compromised authority key): the list is still bounded by the roll."""
    rec = independent.copy()
    payload = first(rec, "credentials_published")["payload"]
    first(rec, "ceremony_started")["payload"]["roll"]["size"] = 1
    payload.update(sign_credential_list(AUTHORITY_SEED, independent.election_id, payload["credentials"]))
    rehash(rec)
    fails(rec, InvalidRecord, "roll has 1 voters")


def test_credential_replaced_while_its_ballot_counts(rec, built) -> None:
    v1 = trackers(built, "V1")[0]
    cast = next(
        i for i, e in enumerate(rec["board"]) if e["type"] == "ballot_cast" and e["payload"]["tracker"] == v1
    )
    old = rec["board"][cast]["payload"]["credential"]
    rec["board"].insert(
        cast + 1,
        new_event(
            "credential_replaced",
            {
                "old_credential": old,
                "credential": events_of(rec, "election_setup")[0]["payload"]["public_key"],
            },
        ),
    )
    rehash(rec)
    fails(
        rec,
        InvalidRecord,
        "(credential_replaced)",
        f"replaces credential {old}",
        f"while its ballot {v1} counts",
    )
