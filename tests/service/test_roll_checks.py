"""Frozen rolls computed off the request path (app/services/roll_checks.py): the committee's
request queues a check, a worker asks the (fake, real HTTP) wiki, retries the users it could not
answer for, and stores the roll — or stores nothing and says why."""

from datetime import timedelta

import pytest

from app.client.http import ApiError
from app.models.base import utcnow
from app.services import roll_checks
from tests.fakes.pytest_fixtures import fake_wiki, fake_wiki_server  # noqa: F401
from tests.fakes.wiki_data import STANDARD_RULES
from tests.service.helpers import login
from tests.service.test_eligibility_integration import ruled_election, wiki_client  # noqa: F401

USERS = ["Alice", "Newbie", "Blocked User"]


def _work(client, sleeps=None):
    state = client.app.state
    return roll_checks.work_all_due(
        state.sessions, state.facts_provider, sleep=(sleeps.append if sleeps is not None else lambda _: None)
    )


def _roll(admin, eid):
    return admin.get(f"/api/v1/elections/{eid}/roll?limit=50")


def test_the_request_only_queues_and_the_worker_stores(wiki_client, tmp_path, fake_wiki) -> None:  # noqa: F811
    admin, eid = ruled_election(wiki_client, tmp_path, "frozen")
    before = len(fake_wiki.farm.requests)
    queued = admin.post(f"/api/v1/elections/{eid}/roll/freeze", {"usernames": USERS + ["Alice"]})
    assert len(fake_wiki.farm.requests) == before  # no wiki call inside the request
    assert (queued["status"], queued["total"], queued["eligible"]) == ("queued", 3, None)
    assert _roll(admin, eid)["total"] == 0
    assert admin.get(f"/api/v1/elections/{eid}/roll/checks")["checks"] == [queued]
    assert _work(wiki_client) == [(queued["id"], "done")]
    [done] = admin.get(f"/api/v1/elections/{eid}/roll/checks")["checks"]
    assert (done["status"], done["checked"], done["eligible"], done["error"]) == ("done", 3, 1, None)
    assert done["finished_at"] is not None
    assert _roll(admin, eid)["total"] == 3
    actions = [e["action"] for e in admin.get(f"/api/v1/elections/{eid}/audit")["entries"]]
    assert "roll.check_requested" in actions and "roll.freeze" in actions
    assert _work(wiki_client) == []  # nothing left to do


def test_users_the_wiki_could_not_answer_for_are_asked_again(wiki_client, tmp_path, fake_wiki) -> None:  # noqa: F811
    admin, eid = ruled_election(wiki_client, tmp_path, "frozen")
    queued = admin.post(f"/api/v1/elections/{eid}/roll/freeze", {"usernames": USERS})
    fake_wiki.farm.fail_next = 2  # the first user's look-ups fail (the provider does not retry here)
    sleeps: list[float] = []
    assert _work(wiki_client, sleeps) == [(queued["id"], "done")]
    assert sleeps == [roll_checks.RETRY_DELAYS[0]]
    done = admin.get(f"/api/v1/elections/{eid}/roll/checks/{queued['id']}")
    assert (done["status"], done["eligible"]) == ("done", 1)


def test_a_lasting_outage_stores_nothing_and_says_so(wiki_client, tmp_path, fake_wiki) -> None:  # noqa: F811
    admin, eid = ruled_election(wiki_client, tmp_path, "frozen")
    queued = admin.post(f"/api/v1/elections/{eid}/roll/freeze", {"usernames": USERS})
    fake_wiki.farm.fail_next = 10_000
    sleeps: list[float] = []
    assert _work(wiki_client, sleeps) == [(queued["id"], "failed")]
    assert sleeps == list(roll_checks.RETRY_DELAYS)
    failed = admin.get(f"/api/v1/elections/{eid}/roll/checks/{queued['id']}")
    assert failed["status"] == "failed" and failed["error"] == "eligibility_unavailable"
    assert "could not be checked" in failed["detail"]
    assert _roll(admin, eid)["total"] == 0
    # the wiki is back: the committee asks again, and it works
    fake_wiki.farm.fail_next = 0
    again = admin.post(f"/api/v1/elections/{eid}/roll/freeze", {"usernames": USERS})
    assert _work(wiki_client) == [(again["id"], "done")]
    assert _roll(admin, eid)["total"] == 3


def test_one_check_at_a_time_and_rules_changed_meanwhile(wiki_client, tmp_path) -> None:  # noqa: F811
    admin, eid = ruled_election(wiki_client, tmp_path, "frozen")
    queued = admin.post(f"/api/v1/elections/{eid}/roll/freeze", {"usernames": USERS})
    with pytest.raises(ApiError) as err:
        admin.post(f"/api/v1/elections/{eid}/roll/freeze", {"usernames": ["Alice"]})
    assert (err.value.status, err.value.code) == (409, "roll_check_running")
    changed = {**STANDARD_RULES, "rules": {**STANDARD_RULES["rules"], "min_edits": 101}}
    admin.request("PUT", f"/api/v1/elections/{eid}/eligibility", {"roll_mode": "frozen", "rules": changed})
    assert _work(wiki_client) == [(queued["id"], "failed")]
    failed = admin.get(f"/api/v1/elections/{eid}/roll/checks/{queued['id']}")
    assert failed["error"] == "rules_changed"
    assert _roll(admin, eid)["total"] == 0


def test_a_claim_whose_worker_died_is_taken_again(wiki_client, tmp_path) -> None:  # noqa: F811
    admin, eid = ruled_election(wiki_client, tmp_path, "frozen")
    queued = admin.post(f"/api/v1/elections/{eid}/roll/freeze", {"usernames": USERS})
    sessions = wiki_client.app.state.sessions
    assert roll_checks.claim_next(sessions) == queued["id"]
    assert roll_checks.claim_next(sessions) is None  # claimed, and the claim is fresh
    later = utcnow() + roll_checks.STALE_AFTER + timedelta(seconds=1)
    assert roll_checks.claim_next(sessions, later) == queued["id"]
    assert admin.get(f"/api/v1/elections/{eid}/roll/checks?limit=1")["checks"][0]["status"] == "running"


def test_who_may_ask_and_what_is_refused(wiki_client, tmp_path) -> None:  # noqa: F811
    admin, eid = ruled_election(wiki_client, tmp_path, "frozen")
    stranger = login(wiki_client, "Alice")
    for call in (
        lambda: stranger.post(f"/api/v1/elections/{eid}/roll/freeze", {"usernames": USERS}),
        lambda: stranger.get(f"/api/v1/elections/{eid}/roll/checks"),
    ):
        with pytest.raises(ApiError) as err:
            call()
        assert err.value.status in (403, 404)
    assert admin.get(f"/api/v1/elections/{eid}/roll/checks")["checks"] == []
    with pytest.raises(ApiError) as err:
        admin.get(f"/api/v1/elections/{eid}/roll/checks/99999")
    assert (err.value.status, err.value.code) == (404, "roll_check_not_found")
    with pytest.raises(ApiError) as err:
        admin.get(f"/api/v1/elections/{eid}/roll/checks/abc")
    assert err.value.status == 422
    live_admin, live = ruled_election(wiki_client, tmp_path, "live")
    with pytest.raises(ApiError) as err:
        live_admin.post(f"/api/v1/elections/{live}/roll/freeze", {"usernames": USERS})
    assert (err.value.status, err.value.code) == (409, "wrong_roll_mode")
    assert _work(wiki_client) == []


def test_roll_work_command(wiki_client, tmp_path, fake_wiki, database_url, keep_logging) -> None:  # noqa: F811
    from typer.testing import CliRunner

    from app.cli import cli

    admin, eid = ruled_election(wiki_client, tmp_path, "frozen")
    queued = admin.post(f"/api/v1/elections/{eid}/roll/freeze", {"usernames": USERS})
    env = {
        "SCRUTIN_DATABASE_URL": database_url,
        "SCRUTIN_WIKI_API_URL": fake_wiki.api_url("enwiki"),
        "SCRUTIN_WIKI_CACHE_TTL": "0",
    }
    result = CliRunner().invoke(cli, ["roll", "work", "--once"], env=env)
    assert result.exit_code == 0, result.output
    assert f"roll check {queued['id']}: done" in result.output
    assert _roll(admin, eid)["total"] == 3
    nowiki = CliRunner().invoke(
        cli,
        ["roll", "work", "--once"],
        env={"SCRUTIN_DATABASE_URL": database_url, "SCRUTIN_WIKI_API_URL": ""},
    )
    assert nowiki.exit_code == 2 and "SCRUTIN_WIKI_API_URL" in nowiki.output
