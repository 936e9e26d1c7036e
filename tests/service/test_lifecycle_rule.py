"""The lifecycle has one definition (``crypto.lifecycle``), and reads never write.

The service refuses the transitions the verifier refuses (tests/verify/test_tamper_lifecycle.py
forges the same ones into a record), with a 409 and nothing changed; ``elections.load`` does not
apply due schedule transitions (the write paths, ``lifecycle.catch_up`` and the scheduler do);
and a GET on an election with nothing due executes no INSERT, UPDATE or DELETE."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, select

from app.client.http import ApiError
from app.db import transaction
from app.main import create_app
from app.models import BoardEvent
from app.services import elections, lifecycle
from tests.service.helpers import login, open_election, voter


@pytest.fixture
def quiet(settings) -> Iterator[tuple[TestClient, object]]:
    """A service without the background scheduler, so that every statement is a request's."""
    application = create_app(settings, run_scheduler=False)
    with TestClient(application) as test_client:
        yield test_client, application
    application.state.engine.dispose()


def _writes(application) -> list[str]:
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        if statement.lstrip().split(" ", 1)[0].upper() in ("INSERT", "UPDATE", "DELETE"):
            seen.append(statement)

    event.listen(application.state.engine, "before_cursor_execute", record)
    return seen


def test_the_service_refuses_a_reopen_after_the_close(client, tmp_path) -> None:
    admin, eid, _ = open_election(client, tmp_path, ["Ann"], trustees=2, threshold=2)
    voter(client, eid, "Ann").cast([[1, 0, -1]])
    admin.post(f"/api/v1/elections/{eid}/close", {"reason": "done early"})
    before = admin.board(eid)
    for action in ("resume", "pause"):
        with pytest.raises(ApiError) as refused:
            admin.post(f"/api/v1/elections/{eid}/{action}", {"reason": "again"})
        assert refused.value.status == 409 and refused.value.code == "wrong_phase"
    assert "cannot go from closed to open" in str(_refusal(admin, eid, "resume"))
    assert admin.board(eid) == before
    assert admin.get(f"/api/v1/elections/{eid}")["phase"] == "closed"


def _refusal(admin, eid: str, action: str) -> ApiError:
    try:
        admin.post(f"/api/v1/elections/{eid}/{action}", {"reason": "again"})
    except ApiError as exc:
        return exc
    raise AssertionError(f"{action} was accepted after the close")


def test_load_never_writes_even_when_a_transition_is_due(quiet, tmp_path) -> None:
    client, application = quiet
    sessions = application.state.sessions
    admin = login(client, "Admin")
    _, eid, _ = open_election(client, tmp_path, ["Ann"], trustees=2, threshold=2)
    with transaction(sessions) as session:  # the schedule has started: opening is due
        election = elections.load(session, eid)
        assert election.phase == "ready" and lifecycle.due_steps(session, election)
        writes = _writes(application)
        elections.load(session, eid, for_update=True)
        assert not session.new and not session.dirty and writes == []
    with transaction(sessions) as session:
        assert lifecycle.load_current(session, eid).phase == "open"  # a write path applies it
    with transaction(sessions) as session:
        kinds = list(session.scalars(select(BoardEvent.type).where(BoardEvent.election_id == eid)))
        assert kinds.count("opened") == 1
    assert admin.get(f"/api/v1/elections/{eid}")["phase"] == "open"


def test_a_get_opens_no_write(quiet, tmp_path) -> None:
    client, application = quiet
    admin, eid, _ = open_election(client, tmp_path, ["Ann"], trustees=2, threshold=2)
    ann = voter(client, eid, "Ann")
    tracker = ann.cast([[1, 0, -1]])["tracker"]  # a write: opens the election, casts
    admin.get(f"/api/v1/elections/{eid}")
    writes = _writes(application)
    # (Audited views — the record export, the roles, PII — write their audit entry by design.)
    for path in (
        "",
        "/board",
        "/board/head",
        "/definition",
        f"/trackers/{tracker}",
        "/voted",
        "/role-policy",
        "/eligibility",
    ):
        admin.get(f"/api/v1/elections/{eid}{path}")
    assert ann.status()["current_tracker"] == tracker  # /me
    assert writes == []
