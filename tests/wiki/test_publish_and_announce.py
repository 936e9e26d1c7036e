"""Results published on a wiki page and announcements to the roll, through the API the
committee page and the CLI share, against the fake wiki over real HTTP."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from app.client.http import ApiError
from app.db import transaction
from app.models import OutboxMessage
from app.models.base import utcnow
from app.services import wiki
from app.services.actor import Actor
from tests.service.helpers import ADMIN, election_config, login, open_election, run_ceremony, voter
from tests.wiki.helpers import BOT, wiki_app

PAGE = "Wikipedia:Elections/2026/Results"
MESSAGE = {
    "subject": {"en": "Vote in the test election", "de": "Wählt!"},
    "body": {"en": "The election is open.", "de": "Die Wahl ist offen."},
}


@pytest.fixture
def app(database_url, tmp_path, fake_wiki):
    application = wiki_app(database_url, tmp_path, fake_wiki)
    yield application
    application.state.engine.dispose()


def published_election(client, tmp_path) -> tuple:
    admin = login(client, ADMIN)
    eid = admin.post("/api/v1/elections", election_config(trustees=1, threshold=1))["id"]
    admin.post(f"/api/v1/elections/{eid}/roles", {"username": "T1", "role": "trustee"})
    admin.post(f"/api/v1/elections/{eid}/roll", {"usernames": ["Alice", "Newbie"]})
    admin.post(f"/api/v1/elections/{eid}/freeze")
    trustees = run_ceremony(client, eid, ["T1"], tmp_path)
    voter(client, eid, "Alice").cast([[1, -1, 0]])
    admin.post(f"/api/v1/elections/{eid}/close", {"reason": "end"})
    admin.post(f"/api/v1/elections/{eid}/tally/start")
    trustees[0].decrypt()
    return admin, eid


def actions(admin, eid) -> list[dict]:
    return [
        e for e in admin.get(f"/api/v1/elections/{eid}/audit")["entries"] if e["action"].startswith("wiki.")
    ]


def test_publish_results_dry_run_then_edit_then_refuse_a_changed_page(app, fake_wiki, tmp_path) -> None:
    farm = fake_wiki.farm
    with TestClient(app) as client:
        admin, eid = published_election(client, tmp_path)
        url = f"/api/v1/elections/{eid}/wiki/results"
        dry = admin.post(url, {"page": PAGE, "dry_run": True})
        assert dry["action"] == "create" and farm.page_text("enwiki", PAGE) is None
        assert '{| class="wikitable sortable"' in dry["text"]
        assert "Ballots counted: 1 of 2 eligible voters (50.0% turnout)" in dry["text"]
        assert f"https://vote.example.org/api/v1/elections/{eid}/record" in dry["text"]
        assert f"scrutin verify {eid}-record.json" in dry["text"]
        assert not actions(admin, eid)

        first = admin.post(url, {"page": PAGE})
        assert farm.page_text("enwiki", PAGE) == dry["text"]
        rev = farm.pages["enwiki"][PAGE][-1]
        assert rev["user"] == BOT and rev["bot"] and "Scrutin: results" in rev["comment"]
        # Publishing again is fine (our own revision is the latest): nothing changes.
        again = admin.post(url, {"page": PAGE})
        assert again["nochange"] and len(farm.pages["enwiki"][PAGE]) == 1

        farm.put_page("enwiki", PAGE, "vandalised", user="Mallory")
        with pytest.raises(ApiError) as err:
            admin.post(url, {"page": PAGE})
        assert err.value.status == 409 and err.value.code == "wiki_page_changed"
        assert "Mallory" in err.value.detail
        assert farm.page_text("enwiki", PAGE) == "vandalised"
        forced = admin.post(url, {"page": PAGE, "force": True})
        assert forced["forced"] and farm.page_text("enwiki", PAGE) == dry["text"]
        logged = actions(admin, eid)
        assert [e["detail"]["revid"] for e in logged] == [first["revid"], first["revid"], forced["revid"]]
        assert logged[-1]["detail"]["forced"] is True

        # Someone else's page, never published by us: refused unless forced.
        farm.put_page("enwiki", "Other page", "theirs")
        with pytest.raises(ApiError) as err:
            admin.post(url, {"page": "Other page"})
        assert err.value.code == "wiki_page_changed"
        # Not a committee member: refused, the wiki untouched.
        with pytest.raises(ApiError) as err:
            login(client, "Alice").post(url, {"page": "Fresh page"})
        assert err.value.status in (403, 404)
        assert farm.page_text("enwiki", "Fresh page") is None


def test_publish_needs_results_and_a_bot(database_url, tmp_path, fake_wiki) -> None:
    app = wiki_app(database_url, tmp_path, fake_wiki, bot=False)
    with TestClient(app) as client:
        admin, eid, _ = open_election(client, tmp_path, ["Alice"], trustees=1, threshold=1)
        with pytest.raises(ApiError) as err:
            admin.post(f"/api/v1/elections/{eid}/wiki/announce", MESSAGE)
        assert err.value.status == 409 and err.value.code == "no_wiki_bot"
        # A dry run only reads: the anonymous reader will do.
        assert admin.post(f"/api/v1/elections/{eid}/wiki/announce", {**MESSAGE, "dry_run": True})[
            "would_send"
        ] == ["Alice"]
        with pytest.raises(ApiError) as err:
            admin.post(f"/api/v1/elections/{eid}/wiki/results", {"page": PAGE, "dry_run": True})
        assert err.value.status == 404 and err.value.code == "no_result"
    app.state.engine.dispose()


def test_bot_without_rights_stops_the_start(database_url, tmp_path, fake_wiki) -> None:
    from app.wiki.bot import BotConfigError

    fake_wiki.farm.bot_passwords["ElectionBot@scrutin"] = "wrong"
    app = wiki_app(database_url, tmp_path, fake_wiki)
    fake_wiki.farm.bot_passwords["ElectionBot@scrutin"] = "wrong"
    with pytest.raises(BotConfigError, match="refused the BotPassword"), TestClient(app):
        pass
    app.state.engine.dispose()


def test_announce_on_talk_pages_resumes_without_sending_twice(app, fake_wiki, tmp_path) -> None:
    farm = fake_wiki.farm
    farm.put_page("enwiki", "User talk:Newbie", "[[Category:Opted-out of message delivery]]")
    farm.protection[("enwiki", "User talk:Steward")] = "sysop"
    roll = ["Alice", "Newbie", "Steward", "Multi", "Wanderer"]
    with TestClient(app) as client:
        admin, eid, _ = open_election(client, tmp_path, roll, trustees=1, threshold=1)
        url = f"/api/v1/elections/{eid}/wiki/announce"
        dry = admin.post(url, {**MESSAGE, "dry_run": True})
        assert dry["channel"] == "wiki-talk" and sorted(dry["would_send"]) == sorted(roll)
        assert f"https://vote.example.org/elections/{eid}" in dry["text"]
        assert not farm.edits_by(BOT)

        # The wiki fails part-way: Multi's edit is rate limited past every retry.
        farm.ratelimited_next = 0
        first = admin.post(url, {**MESSAGE, "limit": 3})
        assert [d["recipient"] for d in first["deliveries"]] == ["Alice", "Multi", "Newbie"]
        assert first["remaining"] == 2
        farm.ratelimited_next = 10
        second = admin.post(url, {**MESSAGE, "limit": 3, "since": first["since"]})
        assert {d["recipient"]: d["status"] for d in second["deliveries"]} == {
            "Steward": "skipped",
            "Wanderer": "failed",
        }
        assert second["remaining"] == 0
        farm.ratelimited_next = 0
        # Resumed: only the failure is tried again; nobody gets the notice twice.
        third = admin.post(url, MESSAGE)
        assert [d["recipient"] for d in third["deliveries"]] == ["Wanderer"]
        assert third["counts"] == {"sent": 3, "failed": 0, "skipped": 2, "unknown": 0, "pending": 0}
        fourth = admin.post(url, MESSAGE)
        assert fourth["deliveries"] == [] and fourth["remaining"] == 0
        outbox = admin.get(f"/api/v1/elections/{eid}/outbox")["messages"]
        logged = actions(admin, eid)
    for name in ("Alice", "Multi", "Wanderer"):
        text = farm.page_text("enwiki", f"User talk:{name}")
        assert text.count("== Vote in the test election ==") == 1, name
        assert "The election is open." in text and "~~~~" in text
    assert "Vote in the test" not in farm.page_text("enwiki", "User talk:Newbie")
    assert farm.page_text("enwiki", "User talk:Steward") is None
    status = {m["recipient"]: (m["status"], m["error"]) for m in outbox if m["channel"] == "wiki-talk"}
    assert status["Newbie"] == ("skipped", "opted_out")
    assert status["Steward"][0] == "skipped" and "protected" in status["Steward"][1]
    assert status["Alice"][0] == status["Wanderer"][0] == "sent"
    edits = [e for e in logged if e["action"] == "wiki.edit"]
    assert sorted(e["detail"]["page"] for e in edits) == [
        "User talk:Alice",
        "User talk:Multi",
        "User talk:Wanderer",
    ]


def test_a_lost_answer_is_not_posted_twice(app, fake_wiki, tmp_path) -> None:
    farm = fake_wiki.farm
    with TestClient(app) as client:
        admin, eid, _ = open_election(client, tmp_path, ["Alice"], trustees=1, threshold=1)
        url = f"/api/v1/elections/{eid}/wiki/announce"
        farm.drop_next_write = 1
        first = admin.post(url, MESSAGE)
        assert first["deliveries"][0]["status"] == "failed"
        again = admin.post(url, MESSAGE)
        assert again["deliveries"][0]["status"] == "sent"
    assert farm.page_text("enwiki", "User talk:Alice").count("Vote in the test") == 1


def test_announce_by_massmessage(database_url, tmp_path, fake_wiki) -> None:
    farm = fake_wiki.farm
    farm.massmessage = True
    farm.put_page("enwiki", "User talk:Newbie", "[[Category:Opted-out of message delivery]]")
    app = wiki_app(database_url, tmp_path, fake_wiki, rights=("bot", "massmessage"))
    with TestClient(app) as client:
        admin, eid, _ = open_election(client, tmp_path, ["Alice", "Newbie"], trustees=1, threshold=1)
        url = f"/api/v1/elections/{eid}/wiki/announce"
        done = admin.post(url, MESSAGE)
        assert done["channel"] == "massmessage" and done["counts"]["sent"] == 2
        assert admin.post(url, MESSAGE)["deliveries"] == []  # never twice
        logged = {e["action"] for e in actions(admin, eid)}
    app.state.engine.dispose()
    assert len(farm.massmessages) == 1
    sent = farm.massmessages[0]
    assert sent["targets"] == ["User talk:Alice", "User talk:Newbie"]
    assert sent["delivered"] == ["User talk:Alice"]  # the wiki honours the opt-out
    assert sent["subject"] == "Vote in the test election"
    assert {"wiki.edit", "wiki.massmessage", "wiki.announce"} <= logged


def test_announce_in_the_wikis_language(database_url, tmp_path, fake_wiki) -> None:
    farm = fake_wiki.farm
    app = wiki_app(database_url, tmp_path, fake_wiki, wiki_bot_api_url=fake_wiki.api_url("dewiki"))
    farm.add_user("dewiki", "Alice")
    with TestClient(app) as client:
        admin, eid, _ = open_election(client, tmp_path, ["Alice"], trustees=1, threshold=1)
        admin.post(f"/api/v1/elections/{eid}/wiki/announce", MESSAGE)
    app.state.engine.dispose()
    text = farm.page_text("dewiki", "User talk:Alice")
    assert "== Wählt! ==" in text and "Die Wahl ist offen." in text


def test_two_runs_at_once_take_different_recipients(app, tmp_path) -> None:
    with TestClient(app) as client:
        _, eid, _ = open_election(client, tmp_path, ["Alice", "Multi", "Newbie"], trustees=1, threshold=1)
    message = wiki.Announcement(subject=MESSAGE["subject"], body=MESSAGE["body"])
    actor = Actor(username=ADMIN, is_admin=True)

    def plan(**kw):  # type: ignore[no-untyped-def]
        with transaction(app.state.sessions) as session:
            return wiki.announce_plan(
                session,
                actor,
                eid,
                message,
                since=utcnow(),
                channel="wiki-talk",
                lang="en",
                base_url="https://x",
                **kw,
            )

    first = plan(limit=2, claim=True)
    second = plan(limit=2, claim=True)
    assert first["todo"] == ["Alice", "Multi"] and second["todo"] == ["Newbie"]
    assert plan(limit=5, claim=False)["todo"] == []
    # A run that died: its claims lapse and another run takes them.
    with transaction(app.state.sessions) as session:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.recipient == "Alice")
            .values(attempted_at=utcnow() - timedelta(hours=1))
        )
    assert plan(limit=5, claim=False)["todo"] == ["Alice"]
