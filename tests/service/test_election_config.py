"""Committee configuration: creation, validation, roles, phase editing rules, audit."""

from datetime import timedelta

import pytest

from app.client.http import ApiError
from tests.service.helpers import ADMIN, election_config, login, open_election


def test_only_admins_create_elections(client) -> None:
    alice = login(client, "Alice")
    with pytest.raises(ApiError) as err:
        alice.post("/api/v1/elections", election_config())
    assert err.value.status == 403


def test_create_and_read_back(client) -> None:
    admin = login(client, ADMIN)
    created = admin.post("/api/v1/elections", election_config(election_id="rfa-2026"))
    assert created["id"] == "rfa-2026"
    assert created["phase"] == "draft"
    assert created["questions"][0]["pass_rule"]["threshold_percent"] == "70"
    assert created["schedule"]["end_exclusive"] is True
    # Drafts are private.
    with pytest.raises(ApiError) as err:
        login(client, "Stranger").get("/api/v1/elections/rfa-2026")
    assert err.value.status == 404
    assert admin.get("/api/v1/elections/rfa-2026")["id"] == "rfa-2026"


@pytest.mark.parametrize(
    "mutate, field",
    [
        (lambda c: c["questions"][0].update(kind="stv"), "kind"),
        (lambda c: c["questions"][0].update(candidates=[]), "candidates"),
        (lambda c: c.update(threshold=4), "threshold"),
        (lambda c: c["schedule"].update(timezone="Mars/Olympus"), "time zone"),
        (lambda c: c["questions"][0].update(min_selections=2), "approval"),
        (lambda c: c.update(title={"EN!": "x"}), "language tag"),
        (lambda c: c.update(unexpected=1), "unexpected"),
    ],
)
def test_invalid_configuration_is_refused(client, mutate, field) -> None:
    admin = login(client, ADMIN)
    config = election_config()
    mutate(config)
    before = len(admin.get("/api/v1/elections"))
    with pytest.raises(ApiError) as err:
        admin.post("/api/v1/elections", config)
    assert err.value.status == 422
    assert field in err.value.detail
    assert len(admin.get("/api/v1/elections")) == before


def test_end_before_start_is_refused(client) -> None:
    admin = login(client, ADMIN)
    config = election_config(starts_in=timedelta(hours=2), ends_in=timedelta(hours=1))
    with pytest.raises(ApiError) as err:
        admin.post("/api/v1/elections", config)
    assert err.value.code == "invalid_schedule"


def test_aoe_schedule_is_utc_minus_12(client) -> None:
    admin = login(client, ADMIN)
    config = election_config()
    config["schedule"] = {"start": "2027-05-01T00:00:00", "end": "2027-05-31T23:59:59", "timezone": "AoE"}
    created = admin.post("/api/v1/elections", config)
    assert created["schedule"]["end_utc"] == "2027-06-01T11:59:59+00:00"
    assert created["schedule"]["aoe"] is True


def test_freeze_requires_complete_configuration(client) -> None:
    admin = login(client, ADMIN)
    created = admin.post("/api/v1/elections", election_config(trustees=2, threshold=1))
    with pytest.raises(ApiError) as err:
        admin.post(f"/api/v1/elections/{created['id']}/freeze")
    assert err.value.code == "not_ready_to_freeze"
    assert "0 of 2 trustees" in err.value.detail


def test_roles_and_permissions(client) -> None:
    admin = login(client, ADMIN)
    eid = admin.post("/api/v1/elections", election_config())["id"]
    admin.post(f"/api/v1/elections/{eid}/roles", {"username": "Carol", "role": "scrutineer"})
    with pytest.raises(ApiError) as err:
        admin.post(f"/api/v1/elections/{eid}/roles", {"username": "Carol", "role": "scrutineer"})
    assert err.value.code == "role_exists"
    carol = login(client, "Carol")
    for call in (
        lambda: carol.patch(f"/api/v1/elections/{eid}", {"title": {"en": "x"}}),
        lambda: carol.post(f"/api/v1/elections/{eid}/freeze"),
        lambda: carol.get(f"/api/v1/elections/{eid}/audit"),
        lambda: carol.post(f"/api/v1/elections/{eid}/roles", {"username": "Dan", "role": "committee"}),
    ):
        with pytest.raises(ApiError) as err:
            call()
        assert err.value.status == 403
    roles = {(r["username"], r["role"]) for r in admin.get(f"/api/v1/elections/{eid}/roles")}
    assert roles == {("Admin", "committee"), ("Carol", "scrutineer")}
    actions = [e["action"] for e in admin.get(f"/api/v1/elections/{eid}/audit")["entries"]]
    # Carol's four refused attempts and the sensitive reads are logged.
    assert actions == [
        "election.create",
        "role.assign",
        "role.assign",
        "refused",
        "refused",
        "refused",
        "refused",
        "roles.view",
        "audit.read",
    ]


def test_anonymous_requests_need_login(client) -> None:
    response = client.post("/api/v1/elections", json=election_config())
    assert response.status_code == 401
    assert response.json()["error"] == "login_required"


def test_cookie_sessions_need_the_csrf_header(client) -> None:
    client.post("/api/v1/auth/dev-login", json={"username": ADMIN})
    response = client.post("/api/v1/elections", json=election_config())
    assert response.status_code == 401
    assert response.json()["error"] == "csrf_header_missing"
    response = client.post("/api/v1/elections", json=election_config(), headers={"X-Scrutin-Request": "1"})
    assert response.status_code == 201


def test_editing_rules_follow_the_phase(client, tmp_path) -> None:
    admin, eid, _ = open_election(client, tmp_path, ["V1"])
    assert admin.get(f"/api/v1/elections/{eid}")["phase"] == "open"
    # Questions are bound into the fingerprint: frozen once the ceremony starts.
    with pytest.raises(ApiError) as err:
        admin.patch(f"/api/v1/elections/{eid}", {"questions": election_config()["questions"]})
    assert err.value.code == "not_editable"
    # Translations of the title may still be fixed.
    updated = admin.patch(f"/api/v1/elections/{eid}", {"title": {"en": "Fixed title", "zh-hant": "測試選舉"}})
    assert updated["title"]["zh-hant"] == "測試選舉"
    admin.post(f"/api/v1/elections/{eid}/close", {"reason": "test over"})
    with pytest.raises(ApiError) as err:
        admin.patch(f"/api/v1/elections/{eid}", {"title": {"en": "Too late"}})
    assert err.value.code == "not_editable"
    with pytest.raises(ApiError) as err:
        admin.post(f"/api/v1/elections/{eid}/roll", {"usernames": ["Late"]})
    assert err.value.code == "not_editable"


def test_audit_log_tampering_is_detected(client, settings) -> None:
    from sqlalchemy import update

    from app.db import make_engine
    from app.models import AuditEntry

    admin = login(client, ADMIN)
    eid = admin.post("/api/v1/elections", election_config())["id"]
    admin.post(f"/api/v1/elections/{eid}/roles", {"username": "Carol", "role": "scrutineer"})
    log = admin.get(f"/api/v1/elections/{eid}/audit")
    assert log["verification"]["ok"] and log["entries"][-1]["action"] == "audit.read"
    engine = make_engine(settings.effective_database_url)
    with engine.begin() as connection:  # an insider edits who was given a role
        connection.execute(
            update(AuditEntry)
            .where(AuditEntry.scope == eid, AuditEntry.seq == 3)
            .values(detail={"username": "Mallory", "role": "scrutineer"})
        )
    engine.dispose()
    # The log stays readable and says exactly which entry broke (it used to answer 409).
    log = admin.get(f"/api/v1/elections/{eid}/audit")
    assert not log["verification"]["ok"]
    assert [p["seq"] for p in log["verification"]["problems"]] == [3]
    assert "altered" in log["verification"]["problems"][0]["problem"]
    assert [e["seq"] for e in log["entries"] if not e["valid"]] == [3]


def test_a_draft_s_questions_can_be_edited(client) -> None:
    """Saving the committee form again sends every question: the draft's questions are
    replaced (the old rows go first; this was a 500 on the unique position)."""
    admin = login(client, ADMIN)
    config = election_config(candidates=2)
    eid = admin.post("/api/v1/elections", config)["id"]
    questions = [
        {**config["questions"][0], "title": {"en": "Renamed"}},
        {
            "kind": "approval",
            "title": {"en": "Second"},
            "candidates": [{"name": {"en": "X"}}, {"name": {"en": "Y"}}],
        },
    ]
    edited = admin.request("PATCH", f"/api/v1/elections/{eid}", {"questions": questions})
    assert [q["title"]["en"] for q in edited["questions"]] == ["Renamed", "Second"]
    again = admin.request("PATCH", f"/api/v1/elections/{eid}", {"questions": questions[:1]})
    assert [q["title"]["en"] for q in again["questions"]] == ["Renamed"]
    assert [q["title"]["en"] for q in admin.get(f"/api/v1/elections/{eid}")["questions"]] == ["Renamed"]


def test_committee_roll_view_searches_and_pages(client, tmp_path) -> None:
    admin = login(client, ADMIN)
    eid = admin.post("/api/v1/elections", election_config())["id"]
    names = ["Alice", "alfred_99", "Bob", "Carol", "100%_Xyz"]
    admin.post(f"/api/v1/elections/{eid}/roll", {"usernames": names})
    page = admin.get(f"/api/v1/elections/{eid}/roll?q=AL")
    assert [v["username"] for v in page["voters"]] == ["alfred_99", "Alice"]  # any case
    assert page["total"] == 5 and page["matched"] == 2 and page["eligible"] == 5
    assert page["voters"][0]["eligible"] is True
    assert page["voters"][0]["reasons"] == ["listed on this election's voter roll"]
    # LIKE wildcards in the search are taken literally
    assert [v["username"] for v in admin.get(f"/api/v1/elections/{eid}/roll?q=%25_")["voters"]] == [
        "100%_Xyz"
    ]
    assert admin.get(f"/api/v1/elections/{eid}/roll?q=_")["matched"] == 2
    second = admin.get(f"/api/v1/elections/{eid}/roll?offset=2&limit=2")
    assert [v["username"] for v in second["voters"]] == ["Alice", "Bob"]  # name order, any case
    # reading it is audited; bad paging is a 422; others may not read it
    actions = [e["action"] for e in admin.get(f"/api/v1/elections/{eid}/audit")["entries"]]
    assert actions.count("roll.view") == 4
    with pytest.raises(ApiError) as err:
        admin.get(f"/api/v1/elections/{eid}/roll?limit=0")
    assert err.value.status == 422
    with pytest.raises(ApiError) as err:
        login(client, "Alice").get(f"/api/v1/elections/{eid}/roll")
    assert err.value.status == 404  # a draft is hidden from everyone but its committee
