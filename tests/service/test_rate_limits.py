"""Rate limits: each class refuses with 429, Retry-After and {"error": "rate_limited"} once its
limit is reached, before the route runs (nothing is written); counted per session user, else
per client address; routes outside every class are never limited."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import func, select

from app.api.openapi import _routes
from app.api.ratelimit import ROUTE_CLASSES
from app.config import Settings
from app.db import make_engine
from app.main import create_app
from app.models import AuditEntry, Ballot, BoardEvent, LoginSession
from tests.conftest import TEST_SECRET
from tests.service.helpers import election_config, login, open_election, voter


@contextmanager
def limited(settings: Settings, **limits: str) -> Iterator[TestClient]:
    application = create_app(settings.model_copy(update=limits), run_scheduler=False)
    try:
        with TestClient(application) as http:
            yield http
    finally:
        application.state.engine.dispose()


def count(settings: Settings, model, *where) -> int:  # type: ignore[no-untyped-def]
    engine = make_engine(settings.effective_database_url)
    with engine.connect() as c:
        n = c.scalar(select(func.count()).select_from(model).where(*where))
    engine.dispose()
    return int(n or 0)


def assert_rate_limited(response, klass: str) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 429, response.text
    assert response.json()["error"] == "rate_limited"
    assert klass in response.json()["detail"]
    assert 1 <= int(response.headers["retry-after"]) <= 60


def test_logins_are_limited_per_address_and_nothing_is_made(settings) -> None:
    with limited(settings, rate_limit_login="2/minute") as http:
        for name in ("RateA", "RateB"):
            assert http.post("/api/v1/auth/dev-login", json={"username": name}).status_code == 200
        refused = http.post("/api/v1/auth/dev-login", json={"username": "RateC"})
        assert_rate_limited(refused, "login")
        assert "token" not in refused.json()
        assert count(settings, LoginSession, LoginSession.username == "RateC") == 0
        # A valid session does not lift a login limit: it counts the address.
        token = http.post("/api/v1/auth/dev-login", json={"username": "RateA"})
        assert token.status_code == 429
        # Invitation links are logins too (an unknown token would be 401; it is not reached).
        assert_rate_limited(http.get("/auth/invite/nope", follow_redirects=False), "login")
        # Routes outside every class are not limited.
        for _ in range(5):
            assert http.get("/healthz").status_code == 200
            assert http.get("/api/v1/auth/me").status_code == 200


def test_a_refused_cast_writes_nothing(client, settings, tmp_path) -> None:
    _, eid, _ = open_election(client, tmp_path, ["Alice", "Bob"])
    with limited(settings, rate_limit_cast="1/minute") as http:
        alice = voter(http, eid, "Alice")
        alice.cast([[1, -1, 0]])
        ballot = alice.make_ballot([[0, 1, -1]])
        before = (
            count(settings, Ballot, Ballot.election_id == eid),
            count(settings, BoardEvent, BoardEvent.election_id == eid),
        )
        refused = http.post(
            f"/api/v1/elections/{eid}/ballots",
            json={"ballot": ballot},
            headers={"Authorization": f"Bearer {alice.session.token}"},
        )
        assert_rate_limited(refused, "cast")
        assert (
            count(settings, Ballot, Ballot.election_id == eid),
            count(settings, BoardEvent, BoardEvent.election_id == eid),
        ) == before
        # Counted per voter: Bob has his own allowance.
        voter(http, eid, "Bob").cast([[1, 1, 1]])


def test_audited_reads_are_limited_per_user_and_leave_no_entry(client, settings) -> None:
    admin = login(client, "Admin")
    eid = admin.post("/api/v1/elections", election_config())["id"]
    admin.post(f"/api/v1/elections/{eid}/roles", {"username": "Clerk", "role": "committee"})
    with limited(settings, rate_limit_sensitive_read="2/minute") as http:
        token = login(http, "Admin").token
        headers = {"Authorization": f"Bearer {token}"}
        assert http.get(f"/api/v1/elections/{eid}/audit", headers=headers).status_code == 200
        assert http.get(f"/api/v1/elections/{eid}/roles", headers=headers).status_code == 200
        entries = count(settings, AuditEntry, AuditEntry.scope == eid)
        for path in ("audit", "roles", "outbox", "scrutiny/voters", "scrutiny/signals"):
            assert_rate_limited(
                http.get(f"/api/v1/elections/{eid}/{path}", headers=headers), "sensitive_read"
            )
        assert count(settings, AuditEntry, AuditEntry.scope == eid) == entries
        # Another user of the same address is counted on its own.
        clerk = login(http, "Clerk")
        assert clerk.get(f"/api/v1/elections/{eid}/audit")["entries"]


def test_exports_and_invitations_are_limited(client, settings, tmp_path) -> None:
    _, eid, _ = open_election(client, tmp_path, ["Alice", "Bob"])
    with limited(settings, rate_limit_export="1/minute", rate_limit_invitations="1/minute") as http:
        assert http.get(f"/api/v1/elections/{eid}/record").status_code == 200
        assert_rate_limited(http.get(f"/api/v1/elections/{eid}/results.csv"), "export")
        admin = login(http, "Admin")
        headers = {"Authorization": f"Bearer {admin.token}"}
        assert http.get(f"/api/v1/elections/{eid}/record", headers=headers).status_code == 200
        made = http.post(
            f"/api/v1/elections/{eid}/invitations", json={"usernames": ["Alice"]}, headers=headers
        )
        assert made.status_code == 200, made.text
        audit_before = count(settings, AuditEntry, AuditEntry.scope == eid)
        refused = http.post(
            f"/api/v1/elections/{eid}/invitations", json={"usernames": ["Bob"]}, headers=headers
        )
        assert_rate_limited(refused, "invitations")
        assert count(settings, AuditEntry, AuditEntry.scope == eid) == audit_before


def test_an_empty_limit_is_no_limit_and_bad_limits_are_refused(settings) -> None:
    with limited(settings, rate_limit_login="") as http:
        for i in range(5):
            assert http.post("/api/v1/auth/dev-login", json={"username": f"U{i}"}).status_code == 200
    base = {"environment": "test", "secret_key": TEST_SECRET}
    for field, value in (
        ("rate_limit_cast", "lots"),
        ("rate_limit_login", "10/fortnight"),
        ("rate_limit_storage", "nonsense://x"),
    ):
        with pytest.raises(ValidationError, match="rate limit|RATE_LIMIT_STORAGE"):
            Settings(**base, **{field: value})


def test_a_failing_store_does_not_stop_voting(settings, monkeypatch) -> None:
    with limited(settings, rate_limit_login="1/minute") as http:
        limiter = http.app.state.rate_limits.limiter

        def down(*_args, **_kwargs):  # type: ignore[no-untyped-def]
            raise ConnectionError("store unreachable")

        monkeypatch.setattr(limiter, "test", down)
        for name in ("X1", "X2", "X3"):
            assert http.post("/api/v1/auth/dev-login", json={"username": name}).status_code == 200


def test_every_limited_route_exists_and_documents_429(client) -> None:
    doc = client.get("/api/v1/openapi.json").json()
    pages = {("POST", "/login")}  # the login page's form is not in the API document
    for method, path in set(ROUTE_CLASSES) - pages:
        responses = doc["paths"][path][method.lower()]["responses"]
        assert "Retry-After" in responses["429"]["headers"], (method, path)
    paths = {(m, r.path) for r in _routes(client.app) for m in getattr(r, "methods", ()) or ()}
    assert set(ROUTE_CLASSES) <= paths
    unlimited = doc["paths"]["/api/v1/elections/{election_id}/board"]["get"]["responses"]
    assert "429" not in unlimited
