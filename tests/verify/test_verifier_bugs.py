"""A bug in the verifier is a bug, never a verdict (issue 17, "malformed-input handling that
cannot swallow a bug in the checker"): the record's shape is validated up front with messages
naming the path of the value, and an exception other than a ``CryptoError`` raised inside a
check — injected here — surfaces as ``VerifierBug`` (and ``scrutin verify`` exit 3), not as a
rejected or malformed record."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

import crypto.lifecycle
import crypto.verifier.ballots
import crypto.verifier.run
from app.cli import cli
from crypto.errors import CryptoError, InvalidBallot, InvalidRecord
from crypto.record import VerifierBug, verify_record
from tests.verify.records import first, rehash, verify_streamed


def _bug(*args: object, **kwargs: object) -> None:
    raise KeyError("injected")


def assert_bug(record: dict, check: str, cause: type[BaseException] = KeyError) -> VerifierBug:
    with pytest.raises(VerifierBug) as caught:
        verify_record(record, workers=1)
    bug = caught.value
    assert not isinstance(bug, CryptoError)  # not "the record does not verify"
    assert bug.check == check
    assert isinstance(bug.__cause__, cause)
    assert "malformed" not in str(bug) and "internal error" in str(bug)
    return bug


def test_honest_record_verifies(rec) -> None:
    assert verify_record(rec, workers=1).stage == "published"


def test_a_key_error_in_a_check_is_a_bug_not_a_malformed_record(rec, monkeypatch) -> None:
    monkeypatch.setattr(crypto.verifier.run, "check_counted", _bug)
    assert_bug(rec, "counted")


def test_a_type_error_deep_in_a_check_is_a_bug(rec, monkeypatch) -> None:
    def broken(phase: str, kind: str) -> str | None:
        raise TypeError("injected")

    monkeypatch.setattr(crypto.lifecycle, "refusal", broken)
    assert_bug(rec, "phases", TypeError)


def test_a_key_error_while_verifying_a_ballot_is_a_bug(rec, monkeypatch) -> None:
    # (once reported as "malformed ballot: KeyError(...)")
    monkeypatch.setattr(crypto.verifier.ballots, "verify_ballot", _bug)
    assert_bug(rec, "ballots")


def test_a_bug_is_exit_3_of_scrutin_verify_not_a_rejection(rec, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(crypto.verifier.run, "check_credentials", _bug)
    path = tmp_path / "record.json"
    path.write_text(json.dumps(rec))
    result = CliRunner().invoke(cli, ["verify", str(path), "--workers", "1"])
    assert result.exit_code == 3, result.output
    assert "internal error" in result.output and "credentials" in result.output
    assert "does NOT verify" not in result.output


# --- malformed records: precise errors naming the path ---------------------------------------


def fails(record: dict, message: str) -> None:
    """Refused as InvalidRecord with exactly this message, in memory and streamed."""
    for verify in (lambda: verify_record(record, workers=1), lambda: verify_streamed(record, workers=1)):
        with pytest.raises(InvalidRecord) as caught:
            verify()
        assert str(caught.value) == message


def test_a_manifest_trustee_index_not_an_integer(rec) -> None:
    event = first(rec, "election_setup")
    event["payload"]["manifest"]["trustees"][1]["index"] = "2"
    rehash(rec)
    fails(
        rec,
        f"board event {event['seq']} (election_setup): payload.manifest.trustees[1]"
        ".index: expected an integer, got str",
    )


def test_a_manifest_question_without_candidates(rec) -> None:
    event = first(rec, "election_setup")
    del event["payload"]["manifest"]["questions"][0]["candidates"]
    rehash(rec)
    fails(
        rec,
        f"board event {event['seq']} (election_setup): payload.manifest.questions[0]: "
        "lacks the required key 'candidates'",
    )


def test_a_pass_rule_that_is_not_a_number(rec) -> None:
    event = first(rec, "election_setup")
    event["payload"]["manifest"]["questions"][0]["pass_rule"]["threshold_percent"] = "lots"
    rehash(rec)
    fails(
        rec,
        f"board event {event['seq']} (election_setup): payload.manifest.questions[0]"
        ".pass_rule.threshold_percent: expected a decimal number, got str",
    )


def test_a_decryption_share_without_factors(rec) -> None:
    event = first(rec, "decryption_share")
    del event["payload"]["share"]["factors"]
    rehash(rec)
    fails(
        rec, f"board event {event['seq']} (decryption_share): payload.share: lacks the required key 'factors'"
    )


def test_a_total_that_is_not_an_integer(rec) -> None:
    event = first(rec, "result")
    event["payload"]["totals"][2] = "2"
    rehash(rec)
    fails(rec, f"board event {event['seq']} (result): payload.totals[2]: expected an integer, got str")


def test_a_float_on_the_board_is_refused_not_a_bug(rec) -> None:
    # canonical_json refuses floats with a ValueError: the verifier must name it as input.
    event = first(rec, "result")
    event["payload"]["totals"][2] = 1.0
    fails(
        rec,
        f"board event {event['seq']} (result): canonical_json: float at "
        "$.payload.totals[2] (only integers are allowed)",
    )


def test_a_float_in_a_ballot_is_refused_not_a_bug(rec) -> None:
    event = first(rec, "ballot_cast")
    tracker = event["payload"]["tracker"]
    rec["ballots"][tracker]["version"] = 1.5
    with pytest.raises(InvalidBallot) as caught:
        verify_record(rec, workers=1)
    assert str(caught.value) == (
        f"board event {event['seq']} (ballot_cast), ballot {tracker}: "
        "canonical_json: float at ballot.version (only integers are "
        "allowed)"
    )


def test_a_counted_tracker_that_is_not_a_string(rec) -> None:
    event = first(rec, "encrypted_tally")
    event["payload"]["counted"].append(None)
    rehash(rec)
    n = len(event["payload"]["counted"]) - 1
    fails(
        rec,
        f"board event {event['seq']} (encrypted_tally): payload.counted[{n}]: expected a string, got None",
    )
