"""Every bad input is a clear 4xx ``{"error", "detail"}`` and stores nothing (issue 13)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from app.services.casting import CastSignals
from crypto.credentials import CredentialKey
from tests.service.helpers import ADMIN, election_config, login, open_election, voter

VOTERS = ["Ann", "Ben"]


@pytest.fixture
def raw(client: TestClient):
    """Send a raw JSON text as the administrator (so lone surrogates reach the server as
    ``\\ud800`` escapes, which ``json.dumps`` of a Python string cannot produce)."""
    token = login(client, ADMIN).token

    def send(method: str, path: str, text: str):  # type: ignore[no-untyped-def]
        return client.request(
            method,
            path,
            content=text.encode(),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )

    return send


def _count(client: TestClient) -> int:
    return len(login(client, ADMIN).get("/api/v1/elections"))


def _refused(response, status: int = 422) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error", "detail"} and body["detail"]
    return body


@pytest.mark.parametrize("where", ["Test election", "Candidate 1", "Administrators"])
def test_lone_surrogate_in_a_text_field_is_refused(client, raw, where) -> None:
    before = _count(client)
    for escape in ("\\ud800", "\\udfff", "x\\udc00y"):
        text = json.dumps(election_config()).replace(where, escape)
        assert escape in text
        _refused(raw("POST", "/api/v1/elections", text))
    assert _count(client) == before


def test_lone_surrogate_in_a_free_form_body_is_refused(client, raw) -> None:
    eid = login(client, ADMIN).post("/api/v1/elections", election_config())["id"]
    _refused(raw("PUT", f"/api/v1/elections/{eid}/role-policy", '{"policy": {"\\ud83d": "x"}}'))
    _refused(raw("PUT", f"/api/v1/elections/{eid}/role-policy", '{"policy": {"rules": ["\\ud83d"]}}'))
    # A well-formed pair is a real character and is fine in a title.
    ok = raw("PATCH", f"/api/v1/elections/{eid}", '{"title": {"en": "vote \\ud83d\\uddf3"}}')
    assert ok.status_code == 200 and ok.json()["title"]["en"] == "vote \U0001f5f3"


@pytest.mark.parametrize("text", ["a\x00b", "line\x1bescape", "bell\x07", "del\x7f", "c1\x85"])
def test_control_characters_are_refused_in_titles_and_names(client, text) -> None:
    admin = login(client, ADMIN)
    before = _count(client)
    for config in (
        election_config() | {"title": {"en": text}},
        election_config(candidates=1)
        | {"questions": [{"kind": "sonc", "title": {"en": "Q"}, "candidates": [{"name": {"en": text}}]}]},
    ):
        response = admin.http.post("/api/v1/elections", json=config, headers=admin._headers())
        body = _refused(response)
        assert "U+00" in body["detail"]
    assert _count(client) == before


def test_single_line_fields_refuse_newlines_text_areas_keep_them(client) -> None:
    admin = login(client, ADMIN)
    headers = admin._headers()
    response = admin.http.post(
        "/api/v1/elections", headers=headers, json=election_config() | {"title": {"en": "two\nlines"}}
    )
    _refused(response)
    created = admin.post(
        "/api/v1/elections", election_config() | {"description": {"en": "first line\n\tindented"}}
    )
    assert created["description"]["en"] == "first line\n\tindented"
    eid = created["id"]
    for body in (
        {"username": "Sc", "role": "scrutineer", "jurisdiction": "a\nb"},
        {"username": "Sc", "role": "scrutineer", "flags": ["pii\x00"]},
    ):
        _refused(admin.http.post(f"/api/v1/elections/{eid}/roles", json=body, headers=headers))
    assert [r["role"] for r in admin.get(f"/api/v1/elections/{eid}/roles")] == ["committee"]


def test_control_characters_in_urls_are_refused(client) -> None:
    admin = login(client, ADMIN)
    headers = admin._headers()
    for path in (
        "/api/v1/elections/a%00b",
        "/api/v1/elections/a%0ab/board",
        "/api/v1/elections/x/board?type=a%00",
    ):
        _refused(client.get(path, headers=headers))


@pytest.mark.parametrize(
    "start,end,zone",
    [
        ("0001-01-01T00:00:00", "2030-01-01T00:00:00", "Pacific/Kiritimati"),
        ("0001-01-01T05:00:00+00:00", "2030-01-01T00:00:00+00:00", "Pacific/Kiritimati"),
        ("2030-01-01T00:00:00", "9999-12-31T23:00:00", "AoE"),
        ("2030-01-01T00:00:00+00:00", "9999-12-31T23:00:00+00:00", "Pacific/Kiritimati"),
        ("2030-01-01T00:00:00+00:00", "9999-12-31T23:59:59+00:00", "UTC"),
        ("0001-01-01T00:00:00+14:00", "2030-01-01T00:00:00+00:00", "UTC"),
    ],
)
def test_schedule_years_at_the_zone_edges_are_refused(client, start, end, zone) -> None:
    admin = login(client, ADMIN)
    before = _count(client)
    config = election_config() | {"schedule": {"start": start, "end": end, "timezone": zone}}
    body = _refused(admin.http.post("/api/v1/elections", json=config, headers=admin._headers()))
    assert "year" in body["detail"]
    assert _count(client) == before
    eid = admin.post("/api/v1/elections", election_config())["id"]
    patched = admin.http.patch(
        f"/api/v1/elections/{eid}",
        headers=admin._headers(),
        json={"schedule": {"start": start, "end": end, "timezone": zone}},
    )
    _refused(patched)
    assert admin.get(f"/api/v1/elections/{eid}")["schedule"]["end_utc"].startswith(
        str(datetime.now(UTC).year)
    )


@pytest.fixture
def opened(client, tmp_path):
    admin, eid, _ = open_election(client, tmp_path, VOTERS, trustees=1, threshold=1)
    receipt = voter(client, eid, "Ann").cast([[1, 0, -1]])
    return admin, eid, receipt


def _strikes(admin, eid: str) -> list:  # type: ignore[no-untyped-def]
    return [e for e in admin.board(eid) if e["type"] in ("ballots_struck", "ballot_struck")]


def test_naive_times_and_huge_integers_in_strike_selectors_are_refused(client, opened) -> None:
    admin, eid, _ = opened
    headers = admin._headers()
    now = datetime.now(UTC)
    aware = (now - timedelta(hours=1)).isoformat()
    naive = (now + timedelta(hours=1)).replace(tzinfo=None).isoformat()
    board_before = len(admin.board(eid))
    for selector in (
        {"cast_between": [aware, naive]},
        {"cast_between": [naive, aware]},
        {"cast_between": ["0001-01-01T00:00:00+14:00", aware]},
        {"definition_version": 2**63},
        {"definition_version": 2**64 + 5},
        {"definition_version": 2**31},
    ):
        response = admin.http.post(
            f"/api/v1/elections/{eid}/scrutiny/strike",
            headers=headers,
            json=selector | {"reason_code": "other", "reason_text": "x"},
        )
        _refused(response)
    assert len(admin.board(eid)) == board_before
    assert all(
        c["state"] == "current" for c in admin.get(f"/api/v1/elections/{eid}/scrutiny/voters")["casts"]
    )


def test_huge_integers_in_query_parameters_are_refused(client, opened) -> None:
    _, eid, _ = opened
    for after in (2**63, 2**63 + 1, 2**64, 2**31):
        _refused(client.get(f"/api/v1/elections/{eid}/board", params={"after": after}))
    assert client.get(f"/api/v1/elections/{eid}/board", params={"after": 2**31 - 1}).json()["events"] == []


def test_replacing_a_credential_with_a_registered_one_is_a_conflict(client, opened) -> None:
    admin, eid, _ = opened
    ben = login(client, "Ben")
    bens = CredentialKey.generate().public.hex()
    assert ben.post(f"/api/v1/elections/{eid}/credential", {"public_key": bens})["registered"]
    # Ben has not voted: he may replace his credential, but not with Ann's (which has voted)
    # nor take someone else's registered one.
    anns = next(e for e in admin.board(eid) if e["type"] == "credential_registered")
    board_before = len(admin.board(eid))
    response = ben.http.post(
        f"/api/v1/elections/{eid}/credential",
        headers=ben._headers(),
        json={"public_key": anns["payload"]["credential"]},
    )
    assert _refused(response, 409)["error"] == "credential_taken"
    assert len(admin.board(eid)) == board_before
    again = ben.post(f"/api/v1/elections/{eid}/credential", {"public_key": bens})
    assert again == {"credential": bens, "registered": False}


def test_cast_signals_fit_their_columns() -> None:
    long = "1" * 300
    signals = CastSignals(ip=long, forwarded_for="9" * 5000, user_agent="u" * 5000)
    assert signals.ip == long[:64]
    assert len(signals.forwarded_for or "") == 1000 and len(signals.user_agent or "") == 1000
    assert CastSignals(ip=" 2001:DB8::0001 ").ip == "2001:db8::1"
    assert CastSignals(ip="testclient").ip == "testclient"
    assert CastSignals(ip="").ip is None
