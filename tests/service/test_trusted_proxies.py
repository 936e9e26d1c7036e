"""SCRUTIN_TRUSTED_PROXIES decides whose X-Forwarded-For is believed; the cast signals record
the resolved client address, and nothing a client sends there makes a cast fail (issue 13)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from tests.service.helpers import login, open_election, voter


def _recorded(settings, tmp_path, trusted: str, forwarded: str) -> dict:  # type: ignore[no-untyped-def]
    application = create_app(settings.model_copy(update={"trusted_proxies": trusted}), run_scheduler=False)
    try:
        with TestClient(application) as http:  # the connection comes from "testclient"
            admin, eid, _ = open_election(http, tmp_path, ["Ann"], trustees=1, threshold=1)
            admin.post(
                f"/api/v1/elections/{eid}/roles",
                {"username": "Scrut", "role": "scrutineer", "flags": ["pii"]},
            )
            ann = voter(http, eid, "Ann")
            ann.session.http.headers["X-Forwarded-For"] = forwarded
            assert ann.cast([[1, 0, -1]])["tracker"]
            del ann.session.http.headers["X-Forwarded-For"]
            return login(http, "Scrut").get(f"/api/v1/elections/{eid}/scrutiny/voters", {"pii": "true"})[
                "casts"
            ][0]
    finally:
        application.state.engine.dispose()


def test_forwarded_for_is_ignored_unless_the_peer_is_trusted(settings, tmp_path) -> None:
    row = _recorded(settings, tmp_path, "", "203.0.113.7")
    assert row["ip"] == "testclient" and row["forwarded_for"] == "203.0.113.7"


@pytest.mark.parametrize(
    ("trusted", "client"),
    [
        # The right-most untrusted address is the client: what the trusted proxy saw connect.
        # A client-supplied left part is not believed...
        ("testclient", "203.0.113.7"),
        ("10.0.0.1, testclient", "203.0.113.7"),
        # ... unless its hop is trusted too; "*" trusts every hop, so the left-most counts.
        ("testclient, 203.0.113.0/24", "198.51.100.9"),
        ("*", "198.51.100.9"),
    ],
)
def test_a_trusted_proxy_forwarded_for_is_the_client(settings, tmp_path, trusted, client) -> None:
    row = _recorded(settings, tmp_path, trusted, "198.51.100.9, 203.0.113.7")
    assert row["ip"] == client


def test_a_long_forwarded_for_from_a_trusted_proxy_still_casts(settings, tmp_path) -> None:
    garbage = "x" * 300
    row = _recorded(settings, tmp_path, "testclient", garbage)
    assert row["ip"] == garbage[:64]
    assert row["forwarded_for"] == garbage
