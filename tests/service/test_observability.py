"""Metrics at /metrics, request ids and JSON logs (app/observability.py, app/api/observe.py)."""

from __future__ import annotations

import io
import json
import logging
import re

from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from app.observability import make_handler
from tests.conftest import TEST_SECRET
from tests.service.helpers import open_election, voter


def sample(text: str, name: str, **labels: str) -> float:
    """The value of one sample in a Prometheus text exposition (0 when absent)."""
    for line in text.splitlines():
        if line.startswith("#") or not line.startswith(name):
            continue
        head, _, value = line.rpartition(" ")
        metric, _, label_text = head.partition("{")
        if metric != name:
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', label_text))
        if all(found.get(k) == v for k, v in labels.items()):
            return float(value)
    return 0.0


def test_a_cast_moves_the_counters(client, tmp_path) -> None:
    _, eid, _ = open_election(client, tmp_path, ["Alice", "Bob"], trustees=1, threshold=1)
    before = client.get("/metrics")
    assert before.status_code == 200 and before.headers["content-type"].startswith("text/plain")
    cast_route = "/api/v1/elections/{election_id}/ballots"
    b = before.text
    voter(client, eid, "Alice").cast([[1, 0, -1]])
    after = client.get("/metrics").text
    assert sample(after, "scrutin_ballots_cast_total") == sample(b, "scrutin_ballots_cast_total") + 1
    assert (
        sample(after, "scrutin_http_requests_total", method="POST", route=cast_route, status="201")
        == sample(b, "scrutin_http_requests_total", method="POST", route=cast_route, status="201") + 1
    )
    assert sample(after, "scrutin_http_request_duration_seconds_count", method="POST", route=cast_route) >= 1
    assert sample(after, "scrutin_ballot_verification_seconds_count") >= 1
    # Routes are labelled by template, never by the raw path (ids, trackers, usernames).
    client.get(f"/api/v1/elections/{eid}/board/head")
    text = client.get("/metrics").text
    assert (
        sample(
            text,
            "scrutin_http_requests_total",
            method="GET",
            route="/api/v1/elections/{election_id}/board/head",
            status="200",
        )
        >= 1
    )
    assert f"/elections/{eid}/" not in text
    client.get("/no/such/page/Alice")
    assert "Alice" not in client.get("/metrics").text
    # A refused cast (already closed? here: not on the roll) is not a ballot cast.
    cast_count = sample(client.get("/metrics").text, "scrutin_ballots_cast_total")
    try:
        voter(client, eid, "Mallory").cast([[1, 0, -1]])
    except Exception:  # noqa: BLE001 - the refusal itself is tested elsewhere
        pass
    assert sample(client.get("/metrics").text, "scrutin_ballots_cast_total") == cast_count


def test_queue_depth_is_read_from_the_outbox(client, tmp_path) -> None:
    admin, eid, _ = open_election(client, tmp_path, ["Alice"], trustees=1, threshold=1)
    voter(client, eid, "Alice").cast([[1, 1, 1]])
    admin.post(
        f"/api/v1/elections/{eid}/scrutiny/strike",
        {
            "voters": ["Alice"],
            "reason_code": "ballot_error",
            "reason_text": "wrong ballot",
            "invite_to_revote": True,
        },
    )
    text = client.get("/metrics").text
    assert "# TYPE scrutin_outbox_messages gauge" in text
    assert sample(text, "scrutin_outbox_messages", kind="notice", status="sent") >= 1


def json_lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def test_request_id_is_echoed_and_in_every_json_log_line(app) -> None:
    stream = io.StringIO()
    handler = make_handler("json", stream)
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)

    @app.get("/_test/log")
    def _log_inside() -> dict:  # a sync route: runs in the thread pool
        logging.getLogger("scrutin.test").warning("inside the route", extra={"answer": 42})
        return {"ok": True}

    try:
        with TestClient(app) as client:
            response = client.get("/_test/log", headers={"X-Request-ID": "req-1234.abc"})
            other = client.get("/healthz")
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
    assert response.headers["x-request-id"] == "req-1234.abc"
    generated = other.headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", generated)
    lines = json_lines(stream)
    mine = [line for line in lines if line["request_id"] == "req-1234.abc"]
    assert {line["logger"] for line in mine} >= {"scrutin.test", "scrutin.access"}
    inside = next(line for line in mine if line["logger"] == "scrutin.test")
    assert inside["message"] == "inside the route" and inside["answer"] == 42
    assert inside["level"] == "warning"
    access = next(line for line in mine if line["logger"] == "scrutin.access")
    assert access["route"] == "/_test/log" and access["status"] == 200
    assert any(line["request_id"] == generated and line["logger"] == "scrutin.access" for line in lines)


def test_a_malformed_request_id_is_replaced_not_echoed(client) -> None:
    for bad in ("has space", "x" * 129, "-leading-dash", "semi;colon", "<script>", ""):
        response = client.get("/healthz", headers={"X-Request-ID": bad})
        echoed = response.headers["x-request-id"]
        assert echoed != bad and re.fullmatch(r"[0-9a-f]{32}", echoed), bad
    # Accepted ids are echoed unchanged.
    assert client.get("/healthz", headers={"X-Request-ID": "a" * 128}).headers["x-request-id"] == "a" * 128


def test_text_log_lines_carry_the_request_id(app) -> None:
    stream = io.StringIO()
    handler = make_handler("text", stream)
    access = logging.getLogger("scrutin.access")
    access.addHandler(handler)
    old_level = access.level
    access.setLevel(logging.INFO)
    try:
        with TestClient(app) as client:
            client.get("/healthz", headers={"X-Request-ID": "text-id-1"})
    finally:
        access.removeHandler(handler)
        access.setLevel(old_level)
    assert "[text-id-1] GET /healthz 200" in stream.getvalue()


def _app(tmp_path, **extra):
    settings = Settings(
        secret_key=TEST_SECRET,
        data_dir=tmp_path,
        demo=False,
        database_url=f"sqlite:///{tmp_path / 'm.db'}",
        **extra,
    )
    return create_app(settings, run_scheduler=False)


def test_metrics_access(tmp_path) -> None:
    from app import db

    db.upgrade(f"sqlite:///{tmp_path / 'm.db'}")
    with TestClient(_app(tmp_path, environment="production")) as client:
        refused = client.get("/metrics")
        assert refused.status_code == 403 and refused.json()["error"] == "metrics_restricted"
    with TestClient(_app(tmp_path, environment="production", metrics_token="s3cret-token")) as c:
        assert c.get("/metrics").status_code == 401
        assert c.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
        ok = c.get("/metrics", headers={"Authorization": "Bearer s3cret-token"})
        assert ok.status_code == 200 and "scrutin_http_requests_total" in ok.text


def test_log_format_setting() -> None:
    assert Settings().effective_log_format == "text"
    assert (
        Settings(
            environment="production",
            secret_key=TEST_SECRET,
            demo=False,
        ).effective_log_format
        == "json"
    )
    assert Settings(log_format="json").effective_log_format == "json"
