"""``POST /elections/{id}/roll`` with ``Name@wiki`` entries and wiki pages, and
``scrutin roll import``, against the fake wiki over real HTTP."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.client.http import ApiError
from app.models import Voter
from app.wiki.names import canonical_username, page_lines, parse_entry
from tests.service.helpers import ADMIN, election_config, login
from tests.wiki.helpers import wiki_app


@pytest.fixture
def app(database_url, tmp_path, fake_wiki):
    application = wiki_app(database_url, tmp_path, fake_wiki)
    yield application
    application.state.engine.dispose()


def roll_of(app, eid) -> list[str]:
    with app.state.sessions() as session:
        return sorted(session.scalars(select(Voter.username).where(Voter.election_id == eid)))


def draft(admin) -> str:
    return admin.post("/api/v1/elections", election_config(trustees=1, threshold=1))["id"]


def test_names_are_normalised_as_mediawiki_does() -> None:
    assert canonical_username("alice_in  wonderland") == "Alice in wonderland"
    assert canonical_username("e\u0301mile") == "\u00c9mile"  # NFC, then the first letter
    assert canonical_username("ßtraße") == "ßtraße"  # "SS" would be two letters
    assert parse_entry("bob_smith@enwiki").user == "Bob smith"
    assert parse_entry("Bob@EN wiki").problem
    assert parse_entry("A[b]").problem
    assert page_lines(
        "== Voters ==\n* [[User:Carol|Carol]]@enwiki\n# alice@enwiki\n"
        "<!-- hidden -->\n{{template}}\n:[[User:Dave]]\n"
    ) == ["Carol@enwiki", "alice@enwiki", "Dave"]


def test_wiki_entries_are_resolved_and_the_rest_listed(app) -> None:
    with TestClient(app) as client:
        admin = login(client, ADMIN)
        eid = draft(admin)
        result = admin.post(
            f"/api/v1/elections/{eid}/roll",
            {
                "usernames": [
                    "alice@enwiki",
                    "Multi@enwiki",
                    "Ghost@enwiki",
                    "Alice@dewiki",
                    "Plain_name",
                    "Bad@Wiki!",
                    "x|y",
                ]
            },
        )
        assert result["added"] == 3 and result["accepted"] == 3
        reasons = {r["entry"]: r["reason"] for r in result["rejected"]}
        assert set(reasons) == {"Ghost@enwiki", "Alice@dewiki", "Bad@Wiki!", "x|y"}
        assert "no user 'Ghost' on enwiki" in reasons["Ghost@enwiki"]
        assert "not this election's wiki (enwiki)" in reasons["Alice@dewiki"]
        # A plain name is kept as written (the name voters log in with).
        assert roll_of(app, eid) == ["Alice", "Multi", "Plain_name"]
        # A replace with an unresolvable entry changes nothing.
        with pytest.raises(ApiError) as err:
            admin.post(
                f"/api/v1/elections/{eid}/roll",
                {"usernames": ["Alice@enwiki", "Ghost@enwiki"], "mode": "replace"},
            )
        assert err.value.status == 422 and err.value.code == "roll_entries_rejected"
        assert "Ghost" in err.value.detail
        # A plain name is kept as written (the name voters log in with).
        assert roll_of(app, eid) == ["Alice", "Multi", "Plain_name"]
        audit = admin.get(f"/api/v1/elections/{eid}/audit")["entries"]
        assert any(e["action"] == "roll.update" and e["detail"]["rejected"] == 4 for e in audit)


def test_home_wiki_rules_accept_any_wiki(app, fake_wiki) -> None:
    with TestClient(app) as client:
        admin = login(client, ADMIN)
        eid = draft(admin)
        admin.request(
            "PUT", f"/api/v1/elections/{eid}/eligibility", {"roll_mode": "list", "rules": {"wiki": "home"}}
        )
        result = admin.post(f"/api/v1/elections/{eid}/roll", {"usernames": ["Multi@dewiki", "Alice@enwiki"]})
        assert result["rejected"] == [] and roll_of(app, eid) == ["Alice", "Multi"]


def test_roll_from_a_wiki_page(app, fake_wiki) -> None:
    fake_wiki.farm.put_page(
        "enwiki", "Wikipedia:Election/Voters", "Voters:\n* alice@enwiki\n* [[User:Newbie]]\n* Nobody@enwiki\n"
    )
    with TestClient(app) as client:
        admin = login(client, ADMIN)
        eid = draft(admin)
        result = admin.post(f"/api/v1/elections/{eid}/roll", {"page": "Wikipedia:Election/Voters"})
        assert roll_of(app, eid) == ["Alice", "Newbie"]
        # Prose on the page is listed too, never silently dropped.
        assert [r["entry"] for r in result["rejected"]] == ["Voters:", "Nobody@enwiki"]
        with pytest.raises(ApiError) as err:
            admin.post(f"/api/v1/elections/{eid}/roll", {"page": "No such page"})
        assert err.value.code == "wiki_page_missing"
        with pytest.raises(ApiError) as err:
            admin.post(f"/api/v1/elections/{eid}/roll", {"page": "x", "usernames": ["A"]})
        assert err.value.status == 422
        # The wiki down: 503, nothing changed.
        fake_wiki.farm.fail_next = [503] * 10
        with pytest.raises(ApiError) as err:
            admin.post(f"/api/v1/elections/{eid}/roll", {"usernames": ["Steward@enwiki"]})
        assert err.value.status == 503 and err.value.code == "wiki_unavailable"
        assert roll_of(app, eid) == ["Alice", "Newbie"]
