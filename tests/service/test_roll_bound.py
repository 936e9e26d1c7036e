"""Bounding stuffing from the record (issue 14, part C): the roll on the board, the credential
authority's signed list (checked by the server, read back by ``scrutin credentials upload``) and
an independent election that cannot open without its list."""

from __future__ import annotations

import pytest

from app.client.cli import check_credentials_on_board
from app.client.http import ApiError
from app.db import transaction
from app.services import elections, lifecycle
from crypto.credentials import CredentialKey
from crypto.errors import InvalidRecord
from crypto.roll import roll_fingerprint, sign_credential_list
from tests.service.helpers import ADMIN, election_config, login, run_ceremony

SEED = bytes(range(1, 33))


def _independent(client, tmp_path, voters):
    admin = login(client, ADMIN)
    eid = admin.post(
        "/api/v1/elections", election_config(trustees=2, threshold=2, credential_mode="independent")
    )["id"]
    for name in ("Trustee1", "Trustee2"):
        admin.post(f"/api/v1/elections/{eid}/roles", {"username": name, "role": "trustee"})
    admin.post(f"/api/v1/elections/{eid}/roles", {"username": "Authority", "role": "credential_authority"})
    admin.post(f"/api/v1/elections/{eid}/roll", {"usernames": voters})
    admin.post(f"/api/v1/elections/{eid}/freeze")
    return admin, eid


def test_roll_on_the_board(client, tmp_path) -> None:
    admin, eid = _independent(client, tmp_path, ["Ann", "Ben"])
    started = next(e for e in admin.board(eid) if e["type"] == "ceremony_started")
    assert started["payload"]["roll"] == {
        "size": 2,
        "fingerprint": roll_fingerprint(eid, ["Ben", "Ann"]),
        "mode": "list",
    }
    admin.post(f"/api/v1/elections/{eid}/roll", {"usernames": ["Cat"], "mode": "add"})
    admin.post(f"/api/v1/elections/{eid}/roll", {"usernames": ["Cat"], "mode": "add"})
    published = [e["payload"] for e in admin.board(eid) if e["type"] == "roll_published"]
    assert published == [
        {
            "size": 3,
            "fingerprint": roll_fingerprint(eid, ["Ann", "Ben", "Cat"]),
            "mode": "list",
            "reason": "roll_changed",
        }
    ]  # once: unchanged after


def test_independent_election_does_not_open_without_its_list(client, tmp_path) -> None:
    admin, eid = _independent(client, tmp_path, ["Ann", "Ben"])
    run_ceremony(client, eid, ["Trustee1", "Trustee2"], tmp_path)
    view = admin.get(f"/api/v1/elections/{eid}")
    assert view["phase"] == "ready"  # its start has passed
    assert "credential authority has not published" in view["open_blocked"]
    # The scheduler finds nothing due and a write (under the row lock) does not open it.
    with transaction(client.app.state.sessions) as session:
        assert eid not in lifecycle.due_elections(session)
        election = elections.load(session, eid, for_update=True)
        assert election.phase == "ready"
    assert admin.get(f"/api/v1/elections/{eid}")["phase"] == "ready"
    public = sorted(CredentialKey.generate().public.hex() for _ in range(2))
    login(client, "Authority").post(
        f"/api/v1/elections/{eid}/credentials",
        {"public_keys": public, **sign_credential_list(SEED, eid, public)},
    )
    view = admin.get(f"/api/v1/elections/{eid}")
    assert view["phase"] == "open" and view["open_blocked"] is None
    types = [e["type"] for e in admin.board(eid)]
    assert types.index("credentials_published") < types.index("opened")


def test_unsigned_or_forged_list_is_refused(client, tmp_path) -> None:
    admin, eid = _independent(client, tmp_path, ["Ann", "Ben"])
    authority = login(client, "Authority")
    public = sorted(CredentialKey.generate().public.hex() for _ in range(2))
    signed = sign_credential_list(SEED, eid, public)
    before = len(admin.board(eid))
    for body, code in (
        ({"public_keys": public}, "invalid_input"),
        ({"public_keys": public, **sign_credential_list(SEED, "other", public)}, "invalid_signature"),
        (
            {"public_keys": [*public[:1], CredentialKey.generate().public.hex()], **signed},
            "invalid_signature",
        ),
    ):
        with pytest.raises(ApiError) as err:
            authority.post(f"/api/v1/elections/{eid}/credentials", body)
        assert err.value.status in (400, 422) and err.value.code in (code, "invalid_request")
    assert len(admin.board(eid)) == before
    authority.post(f"/api/v1/elections/{eid}/credentials", {"public_keys": public, **signed})
    board = admin.board(eid)
    event = check_credentials_on_board(eid, board, {"public_keys": public, **signed})
    assert event["payload"]["authority_key"] == signed["authority_key"]
    # The read-back catches a board that differs from what the authority signed.
    other = sorted(CredentialKey.generate().public.hex() for _ in range(2))
    with pytest.raises(InvalidRecord, match="differs from the signed one"):
        check_credentials_on_board(eid, board, {"public_keys": other, **signed})
    with pytest.raises(InvalidRecord, match="another key or signature"):
        check_credentials_on_board(
            eid, board, {"public_keys": public, **sign_credential_list(bytes(32), eid, public)}
        )
