"""Re-voting from any device (convenient mode): the credential code, and the public, audited
``credential_replaced`` that revokes a credential none of whose ballots counts."""

import pytest

from app.client.http import ApiError
from crypto.credentials import CredentialKey, format_code, normalize_code
from crypto.record import verify_record
from tests.service.helpers import login, open_election, voter

VOTERS = ["Ann", "Ben", "Cat"]


@pytest.fixture
def election(client, tmp_path):
    admin, eid, trustees = open_election(client, tmp_path, VOTERS, trustees=2, threshold=2)
    admin.post(
        f"/api/v1/elections/{eid}/roles", {"username": "Scrut", "role": "scrutineer", "flags": ["pii"]}
    )
    return admin, eid, trustees


def _strike(client, eid, tracker):
    login(client, "Scrut").post(
        f"/api/v1/elections/{eid}/scrutiny/strike",
        {"trackers": [tracker], "reason_code": "other", "reason_text": "test", "invite_to_revote": True},
    )


def test_new_credential_has_a_code_that_votes_from_another_device(client, election) -> None:
    admin, eid, _ = election
    ann = voter(client, eid, "Ann")
    first = ann.cast([[1, 0, 0]])
    code = ann.new_code
    assert code and normalize_code(format_code(code)) == code
    assert ann.credential == CredentialKey.from_code(code, eid)
    # Another device, no credential: a fresh one is refused while Ann's ballot counts...
    other = voter(client, eid, "Ann")
    with pytest.raises(ApiError) as err:
        other.cast([[0, 1, 0]])
    assert err.value.code == "credential_in_use" and err.value.status == 409
    assert other.status()["credential"] == ann.credential.public.hex()
    # ... and the code re-votes (same credential, nothing registered again).
    again = voter(client, eid, "Ann")
    again.use_code(format_code(code))
    second = again.cast([[0, 1, 0]])
    assert second["revote"] is True and second["credential"] == first["credential"]
    types = [e["type"] for e in admin.board(eid)]
    assert "credential_replaced" not in types
    assert again.status()["current_tracker"] == second["tracker"]


def test_struck_voter_replaces_the_credential_on_a_new_device(client, election) -> None:
    admin, eid, trustees = election
    ann = voter(client, eid, "Ann")
    first = ann.cast([[1, 0, 0]])
    voter(client, eid, "Ben").cast([[0, 0, 1]])
    _strike(client, eid, first["tracker"])
    fresh = voter(client, eid, "Ann")  # a new device: no credential, no code
    assert fresh.status()["has_voted"] is False
    second = fresh.cast([[0, 1, 0]])
    assert second["credential"] != first["credential"] and fresh.new_code
    events = admin.board(eid)
    replaced = [e for e in events if e["type"] == "credential_replaced"]
    assert [e["payload"] for e in replaced] == [
        {"old_credential": first["credential"], "credential": second["credential"]}
    ]
    status = fresh.status()
    assert status["credential_replacements"] == [
        {
            "seq": replaced[0]["seq"],
            "at": replaced[0]["at"],
            "old_credential": first["credential"],
            "credential": second["credential"],
        }
    ]
    assert status["current_tracker"] == second["tracker"]
    audit = admin.get(f"/api/v1/elections/{eid}/audit")
    assert any(e["action"] == "credential.replace" for e in audit["entries"])
    # The old device's credential is revoked: it cannot cast any more.
    with pytest.raises(ApiError) as err:
        ann.cast([[0, 0, 1]])
    assert err.value.code in ("credential_in_use", "wrong_credential")
    # Unstriking the old ballot does not make it count again (its credential is revoked).
    admin.post(f"/api/v1/elections/{eid}/close", {"reason": "end"})
    admin.post(f"/api/v1/elections/{eid}/scrutiny/start")
    login(client, "Scrut").post(
        f"/api/v1/elections/{eid}/scrutiny/unstrike",
        {"trackers": [first["tracker"]], "reason_code": "other", "reason_text": "undo"},
    )
    tally = admin.post(f"/api/v1/elections/{eid}/scrutiny/seal")
    assert first["tracker"] not in tally["counted"] and second["tracker"] in tally["counted"]
    for t in trustees:
        t.decrypt()
    report = verify_record(client.get(f"/api/v1/elections/{eid}/record").json(), workers=1)
    assert report.ok and second["tracker"] in report.counted
    assert first["tracker"] not in report.counted


def test_replacement_refused_while_a_ballot_counts(client, election) -> None:
    _, eid, _ = election
    ann = voter(client, eid, "Ann")
    ann.cast([[1, 0, 0]])
    before = ann.status()["credential"]
    with pytest.raises(ApiError) as err:
        login(client, "Ann").post(
            f"/api/v1/elections/{eid}/credential", {"public_key": CredentialKey.generate().public.hex()}
        )
    assert err.value.code == "credential_in_use"
    assert ann.status()["credential"] == before
