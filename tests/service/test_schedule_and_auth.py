"""Scheduled open/close (end exclusive), the background scheduler, invitation links
(tests/service/test_sessions_and_invitations.py has the rest)."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from app.client.http import ApiError
from app.db import make_engine
from app.models import Election
from app.scheduler import Scheduler
from app.services.phases import scheduled_phase
from tests.service.helpers import ADMIN, login, open_election


def test_end_is_exclusive() -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    end = datetime(2026, 1, 8, tzinfo=UTC)
    assert scheduled_phase("ready", start, end, start - timedelta(microseconds=1)) == []
    assert scheduled_phase("ready", start, end, start) == ["open"]
    assert scheduled_phase("open", start, end, end - timedelta(microseconds=1)) == []
    assert scheduled_phase("open", start, end, end) == ["closed"]
    assert scheduled_phase("paused", start, end, end) == ["closed"]
    assert scheduled_phase("ready", start, end, end) == ["open", "closed"]


def test_scheduler_closes_on_time_without_requests(client, app, settings, tmp_path) -> None:
    admin, eid, _ = open_election(client, tmp_path, ["V1"])
    assert admin.get(f"/api/v1/elections/{eid}")["phase"] == "open"
    engine = make_engine(settings.effective_database_url)
    with engine.begin() as connection:
        connection.execute(
            update(Election)
            .where(Election.id == eid)
            .values(ends_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    engine.dispose()
    moved = Scheduler(app.state.sessions).tick()
    assert eid in moved
    events = admin.board(eid)
    assert events[-1]["type"] == "closed"
    assert events[-1]["payload"]["by"] == "schedule"


def test_invitation_link_opens_a_vote_only_session(client, tmp_path) -> None:
    admin, eid, _ = open_election(client, tmp_path, ["Invitee"])
    links = admin.post(f"/api/v1/elections/{eid}/invitations", {"usernames": ["Invitee"]})
    path = links["links"]["Invitee"].split("8000", 1)[1]
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/elections/{eid}"
    # Not a login (issue 13): anonymous to /auth/me, the invitee only on the voting routes.
    me = client.get("/api/v1/auth/me").json()
    assert me == {"username": None, "scope": {"vote_only": True, "election_id": eid}}
    assert client.get(f"/api/v1/elections/{eid}/me").json()["username"] == "Invitee"
    bad = client.get(path[:-3] + "xyz", follow_redirects=False)
    assert bad.status_code == 401


def test_forged_session_token_is_refused(client) -> None:
    response = client.get("/api/v1/auth/me", headers={"Authorization": "Bearer forged.token"})
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_session"


def test_dev_login_is_off_in_production(database_url, tmp_path) -> None:
    from fastapi.testclient import TestClient

    from app.config import Settings
    from app.main import create_app

    settings = Settings(
        environment="production", secret_key="p" * 40, database_url=database_url, data_dir=tmp_path
    )
    application = create_app(settings, run_scheduler=False)
    with TestClient(application) as http:
        response = http.post("/api/v1/auth/dev-login", json={"username": ADMIN})
    assert response.status_code == 403
    application.state.engine.dispose()


def test_pause_needs_a_reason(client, tmp_path) -> None:
    admin, eid, _ = open_election(client, tmp_path, ["V1"])
    with pytest.raises(ApiError) as err:
        admin.post(f"/api/v1/elections/{eid}/pause", {"reason": "  "})
    assert err.value.code == "reason_required"
    assert login(client, "V1").get(f"/api/v1/elections/{eid}/me")["phase"] == "open"


def test_concurrent_requests_open_the_election_once(settings, tmp_path) -> None:
    """Many requests arriving when the start passes: one `opened` event, not one each."""
    from concurrent.futures import ThreadPoolExecutor

    import httpx

    from app.local_server import live_server
    from tests.service.helpers import election_config, run_ceremony

    with live_server(settings) as url:

        def session(name):
            from app.client.http import ScrutinSession

            return ScrutinSession(url, http=httpx.Client(base_url=url, timeout=30)).dev_login(name)

        admin = session(ADMIN)
        eid = admin.post(
            "/api/v1/elections",
            election_config(
                trustees=1, threshold=1, starts_in=timedelta(hours=1), ends_in=timedelta(hours=2)
            ),
        )["id"]
        admin.post(f"/api/v1/elections/{eid}/roles", {"username": "T1", "role": "trustee"})
        admin.post(f"/api/v1/elections/{eid}/freeze")
        run_ceremony(admin.http, eid, ["T1"], tmp_path)
        assert admin.get(f"/api/v1/elections/{eid}")["phase"] == "ready"
        engine = make_engine(settings.effective_database_url)
        with engine.begin() as connection:
            connection.execute(
                update(Election)
                .where(Election.id == eid)
                .values(starts_at=datetime.now(UTC) - timedelta(seconds=1))
            )
        engine.dispose()
        clients = [session(f"V{i}") for i in range(8)]
        with ThreadPoolExecutor(max_workers=8) as pool:
            phases = list(pool.map(lambda c: c.get(f"/api/v1/elections/{eid}")["phase"], clients))
        assert set(phases) == {"open"}
        assert [e["type"] for e in admin.board(eid)].count("opened") == 1


@pytest.mark.parametrize(
    ("start", "code", "shown"),
    [
        # Europe/Berlin, 2031-03-30: the clocks jump from 02:00 to 03:00 — 02:30 does not exist.
        ("2031-03-30T02:30", "nonexistent_time", "does not exist"),
        # 2031-10-26: the clocks go back from 03:00 to 02:00 — 02:30 happens twice.
        ("2031-10-26T02:30", "ambiguous_time", "2031-10-26T02:30+02:00 or 2031-10-26T02:30+01:00"),
    ],
)
def test_dst_gaps_and_overlaps_are_refused_unless_the_offset_is_given(client, start, code, shown) -> None:
    from tests.service.helpers import election_config

    admin = login(client, ADMIN)
    config = election_config()
    before = len(admin.get("/api/v1/elections"))
    config["schedule"] = {"start": start, "end": "2031-11-30T12:00", "timezone": "Europe/Berlin"}
    with pytest.raises(ApiError) as err:
        admin.post("/api/v1/elections", config)
    assert err.value.status == 422 and err.value.code == code
    assert err.value.detail.startswith("start: ") and shown in err.value.detail
    assert err.value.field == "schedule.start"
    assert len(admin.get("/api/v1/elections")) == before  # nothing was created
    # The field is named machine-readably (pages place the error from it; the detail is
    # translated): here the end, in the same gap or overlap a year later.
    end = "2032-03-28T02:30" if code == "nonexistent_time" else "2032-10-31T02:30"
    wrong_end = {**config, "schedule": {**config["schedule"], "start": "2031-07-01T12:00", "end": end}}
    raw = client.post("/api/v1/elections", json=wrong_end, headers={"X-Scrutin-Request": "1"})
    assert raw.status_code == 422 and raw.json()["field"] == "schedule.end", raw.json()
    # With the offset the committee chose, the instant is unambiguous.
    config["schedule"]["start"] = (
        f"{start}+01:00" if code == "ambiguous_time" else start.replace("02:30", "03:30")
    )
    created = admin.post("/api/v1/elections", config)
    expected = "2031-10-26T01:30:00+00:00" if code == "ambiguous_time" else "2031-03-30T01:30:00+00:00"
    assert created["schedule"]["start_utc"] == expected
    # An ordinary wall-clock time is taken in the zone as before.
    config["schedule"]["start"] = "2031-07-01T12:00"
    assert admin.post("/api/v1/elections", config)["schedule"]["start_utc"] == "2031-07-01T10:00:00+00:00"
