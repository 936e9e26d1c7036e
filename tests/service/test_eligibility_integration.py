"""Eligibility inside elections: rules, live and frozen rolls against a fake wiki over real
HTTP, recorded decisions, wiki login, and the role policy."""

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient

from app.client.http import ApiError
from app.config import Settings
from app.main import create_app
from tests.conftest import TEST_RATE_LIMITS, TEST_SECRET
from tests.fakes.pytest_fixtures import fake_wiki, fake_wiki_server  # noqa: F401
from tests.fakes.wiki_data import OAUTH_CLIENT_ID, OAUTH_CLIENT_SECRET, OAUTH_REDIRECT_URI, STANDARD_RULES
from tests.service.helpers import ADMIN, election_config, login, run_ceremony


@pytest.fixture
def wiki_client(database_url, tmp_path, fake_wiki):  # noqa: F811
    settings = Settings(
        environment="test",
        dev_login=True,
        secret_key=TEST_SECRET,
        **TEST_RATE_LIMITS,
        database_url=database_url,
        data_dir=tmp_path,
        admins=ADMIN,
        wiki_api_url=fake_wiki.api_url("enwiki"),
        wiki_timeout=2.0,
        wiki_cache_ttl=0,
        wiki_oauth_client_id=OAUTH_CLIENT_ID,
        wiki_oauth_client_secret=OAUTH_CLIENT_SECRET,
        wiki_oauth_base_url=fake_wiki.oauth_base_url(),
        wiki_oauth_redirect_uri=OAUTH_REDIRECT_URI,
    )
    app = create_app(settings, run_scheduler=False)
    app.state.facts_provider.max_retries = 0
    with TestClient(app) as client:
        yield client
    app.state.engine.dispose()


def ruled_election(client, tmp_path, roll_mode):
    admin = login(client, ADMIN)
    eid = admin.post("/api/v1/elections", election_config(trustees=2, threshold=1))["id"]
    for name in ("T1", "T2"):
        admin.post(f"/api/v1/elections/{eid}/roles", {"username": name, "role": "trustee"})
    admin.put = lambda path, body: admin.request("PUT", path, body)
    admin.put(f"/api/v1/elections/{eid}/eligibility", {"roll_mode": roll_mode, "rules": STANDARD_RULES})
    return admin, eid


def test_live_roll_decides_at_first_visit_and_records_it(wiki_client, tmp_path) -> None:
    admin, eid = ruled_election(wiki_client, tmp_path, "live")
    admin.post(f"/api/v1/elections/{eid}/freeze")
    run_ceremony(wiki_client, eid, ["T1", "T2"], tmp_path)
    alice = login(wiki_client, "Alice").get(f"/api/v1/elections/{eid}/me")
    assert alice["eligible"] is True and alice["can_cast"] is True
    assert alice["decision"]["basis"] == "rules"
    newbie = login(wiki_client, "Newbie").get(f"/api/v1/elections/{eid}/me")
    assert newbie["eligible"] is False
    failed = {r["rule"] for r in newbie["decision"]["results"] if not r["passed"]}
    assert {"min_edits", "registered_before"} <= failed
    assert any("edit" in reason for reason in newbie["reasons"])
    actions = [e["action"] for e in admin.get(f"/api/v1/elections/{eid}/audit")["entries"]]
    assert actions.count("eligibility.live_check") == 2


def test_wiki_outage_is_never_a_decision(wiki_client, tmp_path, fake_wiki) -> None:  # noqa: F811
    admin, eid = ruled_election(wiki_client, tmp_path, "live")
    admin.post(f"/api/v1/elections/{eid}/freeze")
    fake_wiki.farm.fail_next = 50
    with pytest.raises(ApiError) as err:
        login(wiki_client, "Alice").get(f"/api/v1/elections/{eid}/me")
    assert err.value.status == 503
    assert "try again" in err.value.detail
    fake_wiki.farm.fail_next = 0
    assert login(wiki_client, "Alice").get(f"/api/v1/elections/{eid}/me")["eligible"] is True


def test_frozen_roll_preview_and_freeze(wiki_client, tmp_path) -> None:
    admin, eid = ruled_election(wiki_client, tmp_path, "frozen")
    users = ["Alice", "Newbie", "Blocked User"]
    preview = admin.post(f"/api/v1/elections/{eid}/roll/preview", {"usernames": users})
    assert [(p["user"], p["eligible"]) for p in preview] == [
        ("Alice", True),
        ("Newbie", False),
        ("Blocked User", False),
    ]
    assert preview[1]["decision"]["basis"] == "rules" and preview[1]["error"] is None
    queued = admin.post(f"/api/v1/elections/{eid}/roll/freeze", {"usernames": users})
    assert queued["status"] == "queued" and queued["total"] == 3 and queued["checked"] == 0
    assert wiki_client.app.state.scheduler.work_roll_checks() == [(queued["id"], "done")]
    done = admin.get(f"/api/v1/elections/{eid}/roll/checks/{queued['id']}")
    assert (done["status"], done["checked"], done["eligible"]) == ("done", 3, 1)
    admin.post(f"/api/v1/elections/{eid}/freeze")
    run_ceremony(wiki_client, eid, ["T1", "T2"], tmp_path)
    blocked = login(wiki_client, "Blocked User").get(f"/api/v1/elections/{eid}/me")
    assert blocked["eligible"] is False and any("block" in r for r in blocked["reasons"])
    # Not on the frozen roll at all:
    assert login(wiki_client, "Steward").get(f"/api/v1/elections/{eid}/me")["eligible"] is False


def test_bad_rules_name_the_field(wiki_client, tmp_path) -> None:
    admin = login(wiki_client, ADMIN)
    eid = admin.post("/api/v1/elections", election_config())["id"]
    bad = {"wiki": "enwiki", "rules": {"edits_before": {"count": 1, "date": "2024-13-01"}}}
    with pytest.raises(ApiError) as err:
        admin.request("PUT", f"/api/v1/elections/{eid}/eligibility", {"roll_mode": "live", "rules": bad})
    assert err.value.code == "invalid_rules"
    assert err.value.detail.startswith("rules.edits_before.date")
    with pytest.raises(ApiError) as err:
        admin.request(
            "PUT",
            f"/api/v1/elections/{eid}/eligibility",
            {"roll_mode": "live", "rules": {"rules": {"no_such_rule": 1}}},
        )
    assert "no_such_rule" in err.value.detail


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_a_rules_error_names_its_field_machine_readably(client, lang) -> None:
    """``invalid_rules`` carries the field path in ``field``, untranslated, whatever the
    language of the detail; errors about no one field have no ``field``; nothing is stored."""
    admin = login(client, ADMIN)
    eid = admin.post("/api/v1/elections", election_config())["id"]
    headers = {"Authorization": f"Bearer {admin.token}", "Accept-Language": lang}
    path = f"/api/v1/elections/{eid}/eligibility"
    bad = {
        "roll_mode": "live",
        "rules": {"wiki": "enwiki", "rules": {"min_edits": 1, "need_groups": ["extended confirmed"]}},
    }
    answer = client.put(path, json=bad, headers=headers)
    assert answer.status_code == 422
    body = answer.json()
    assert body["error"] == "invalid_rules" and body["field"] == "rules.need_groups[0]"
    assert body["detail"].startswith("rules.need_groups[0]:" if lang == "en" else "投票资格规则无效。")
    bad["rules"] = {"rules": {"edits_before": {"count": 1, "date": "2024-13-01"}}}
    assert client.put(path, json=bad, headers=headers).json()["field"] == "rules.edits_before.date"
    assert admin.get(path)["rules"] is None  # nothing was stored
    other = client.put(path, json={"roll_mode": "live"}, headers=headers).json()
    assert other["error"] == "rules_required" and "field" not in other


def test_the_committee_reads_the_rules_back(client) -> None:
    """``GET /eligibility`` answers what ``PUT`` stored (the page fills its rule builder from
    it); only the committee may read it, and a draft stays hidden from everyone else."""
    admin = login(client, ADMIN)
    eid = admin.post("/api/v1/elections", election_config())["id"]
    path = f"/api/v1/elections/{eid}/eligibility"
    assert admin.get(path) == {"roll_mode": "list", "rules": None, "fingerprint": None}
    stored = admin.request("PUT", path, {"roll_mode": "frozen", "rules": STANDARD_RULES})
    read = admin.get(path)
    assert read == stored and read["roll_mode"] == "frozen"
    assert read["rules"]["rules"]["min_edits"] == STANDARD_RULES["rules"]["min_edits"]
    assert read["fingerprint"] and len(read["fingerprint"]) == 64
    admin.request("PUT", path, {"roll_mode": "live", "rules": STANDARD_RULES})
    assert admin.get(path)["roll_mode"] == "live"
    with pytest.raises(ApiError) as err:  # a draft: as if it did not exist
        login(client, "Mallory").get(path)
    assert (err.value.status, err.value.code) == (404, "election_not_found")
    admin.post(f"/api/v1/elections/{eid}/roles", {"username": "Scrut", "role": "scrutineer"})
    with pytest.raises(ApiError) as err:  # a role, but not the committee
        login(client, "Scrut").get(path)
    assert (err.value.status, err.value.code) == (403, "forbidden")
    with pytest.raises(ApiError) as err:
        login(client, ADMIN).get("/api/v1/elections/no-such-election/eligibility")
    assert err.value.status == 404


def test_wiki_login_gives_a_session(wiki_client, fake_wiki) -> None:  # noqa: F811
    start = wiki_client.get("/auth/wiki/login?next=/elections/x", follow_redirects=False)
    assert start.status_code == 302
    fake_wiki.farm.oauth_login_as = "Multi"
    provider = httpx.get(start.headers["location"], follow_redirects=False)
    callback = urlsplit(provider.headers["location"])
    query = {k: v[0] for k, v in parse_qs(callback.query).items()}
    done = wiki_client.get("/auth/wiki/callback", params=query, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/elections/x"
    assert wiki_client.get("/api/v1/auth/me").json()["username"] == "Multi"
    # Replaying the callback (state cookie gone) is refused.
    again = wiki_client.get("/auth/wiki/callback", params=query, follow_redirects=False)
    assert again.status_code == 401


def test_role_policy(client) -> None:
    admin = login(client, ADMIN)
    eid = admin.post("/api/v1/elections", election_config(trustees=3, threshold=2))["id"]
    admin.request(
        "PUT",
        f"/api/v1/elections/{eid}/role-policy",
        {
            "policy": {
                "roles": {
                    "scrutineer": {
                        "required_flags": ["confidentiality_agreement"],
                        "restricted_jurisdictions": ["XX"],
                    }
                },
                "trustees": {"undeclared": "refuse"},
            }
        },
    )
    with pytest.raises(ApiError) as err:
        admin.post(f"/api/v1/elections/{eid}/roles", {"username": "S", "role": "scrutineer"})
    assert err.value.status == 409 and "confidentiality_agreement" in err.value.detail
    with pytest.raises(ApiError):
        admin.post(
            f"/api/v1/elections/{eid}/roles",
            {
                "username": "S",
                "role": "scrutineer",
                "jurisdiction": "XX",
                "flags": ["confidentiality_agreement"],
            },
        )
    admin.post(
        f"/api/v1/elections/{eid}/roles",
        {"username": "S", "role": "scrutineer", "jurisdiction": "FR", "flags": ["confidentiality_agreement"]},
    )
    admin.post(f"/api/v1/elections/{eid}/roles", {"username": "T1", "role": "trustee", "jurisdiction": "DE"})
    with pytest.raises(ApiError) as err:  # two trustees from DE could decrypt alone (t = 2)
        admin.post(
            f"/api/v1/elections/{eid}/roles", {"username": "T2", "role": "trustee", "jurisdiction": "DE"}
        )
    assert err.value.status == 409
    with pytest.raises(ApiError):  # undeclared jurisdiction refused by this policy
        admin.post(f"/api/v1/elections/{eid}/roles", {"username": "T2", "role": "trustee"})
    admin.post(f"/api/v1/elections/{eid}/roles", {"username": "T2", "role": "trustee", "jurisdiction": "JP"})
    assert admin.get(f"/api/v1/elections/{eid}/role-policy")["policy"]["trustees"] == {"undeclared": "refuse"}
    with pytest.raises(ApiError) as err:
        login(client, "T1").get(f"/api/v1/elections/{eid}/role-policy")
    assert err.value.status == 403
    roles = admin.get(f"/api/v1/elections/{eid}/roles")
    assert {"username": "T2", "jurisdiction": "JP"}.items() <= next(
        r for r in roles if r["username"] == "T2"
    ).items()
