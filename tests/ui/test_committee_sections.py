"""The committee page's sections for the outbox, invitation links, re-vote invitations, the
role policy and role jurisdiction/flags: rendered for the committee only, in every language,
and wired to API routes that exist. The booth's fixed explicit-roll reasons match the service."""

from __future__ import annotations

import re
import secrets
from pathlib import Path

import pytest

from admin_ui.js_messages import MESSAGES
from tests.ui.conftest import login
from tests.ui.test_pages import ELECTION, HEADERS

ROOT = Path(__file__).resolve().parents[2]
SECTIONS = [
    "outbox-section",
    "outbox-rows",
    "invite-section",
    "invite-form",
    "policy-section",
    "policy-json",
    "policy-example",
    "admin-revote-section",
    "admin-revote-form",
    "role-flags",
    "role-jurisdiction",
]
HEADINGS = {
    "en": [
        "Notification outbox",
        "Invitation links",
        "Role policy",
        "Invite voters to vote again",
        "Jurisdiction",
        "Flags",
    ],
    "zh-hans": ["通知发件箱", "邀请链接", "角色政策", "邀请选民重新投票", "司法管辖区", "标记"],
    "zh-hant": ["通知寄件匣", "邀請連結", "角色政策", "邀請選民重新投票", "司法管轄區", "標記"],
}


@pytest.fixture
def elections(client):
    """Two frozen elections; Carol is on the committee of the first only, V1 on its roll."""
    login(client, "Admin")
    ids = []
    for _ in range(2):
        election_id = f"cs-{secrets.token_hex(4)}"
        response = client.post("/api/v1/elections", json={**ELECTION, "id": election_id}, headers=HEADERS)
        assert response.status_code == 201, response.text
        client.post(
            f"/api/v1/elections/{election_id}/roles",
            json={"username": "T1", "role": "trustee"},
            headers=HEADERS,
        )
        ids.append(election_id)
    mine = client.post(
        f"/api/v1/elections/{ids[0]}/roles",
        json={
            "username": "Carol",
            "role": "committee",
            "jurisdiction": "FR",
            "flags": ["confidentiality_agreement"],
        },
        headers=HEADERS,
    )
    assert mine.status_code == 201, mine.text
    client.post(f"/api/v1/elections/{ids[0]}/roll", json={"usernames": ["V1"]}, headers=HEADERS)
    for election_id in ids:
        client.post(f"/api/v1/elections/{election_id}/freeze", headers=HEADERS)
    return ids


def _has_sections(html: str) -> bool:
    present = [f'id="{s}"' in html for s in SECTIONS]
    assert all(present) or not any(present), dict(zip(SECTIONS, present, strict=True))
    return all(present)


@pytest.mark.parametrize("lang", ["en", "zh-hans", "zh-hant"])
def test_the_committee_gets_the_new_sections_in_its_language(client, elections, lang):
    login(client, "Admin")
    html = client.get("/admin", params={"election": elections[0], "lang": lang}).text
    assert _has_sections(html)
    for heading in HEADINGS[lang]:
        assert heading in html, heading
    assert '"required_flags": ["confidentiality_agreement"]' in html  # the policy example
    assert 'id="not-committee"' not in html


def test_a_committee_member_who_is_not_an_administrator(client, elections):
    login(client, "Carol")
    assert _has_sections(client.get("/admin", params={"election": elections[0]}).text)
    assert _has_sections(client.get("/admin").text)  # on some committee
    other = client.get("/admin", params={"election": elections[1], "lang": "zh-hans"}).text
    assert not _has_sections(other) and 'id="not-committee"' in other
    assert "您不是本选举委员会的成员" in other


@pytest.mark.parametrize("who", ["Stranger", "T1", "V1", None])
def test_others_do_not_get_the_committee_sections(client, elections, who):
    client.cookies.clear()
    if who:
        login(client, who)
    for params in ({}, {"election": elections[0]}):
        html = client.get("/admin", params=params).text
        assert not _has_sections(html)
        assert ('id="not-committee"' in html) == bool(who)
        assert "election-rows" not in html and "manage-sections" not in html
    if who:  # and the API refuses them the outbox and the links, whatever the page shows
        assert client.get(f"/api/v1/elections/{elections[0]}/outbox").status_code == 403
        links = client.post(
            f"/api/v1/elections/{elections[0]}/invitations", json={"usernames": ["V1"]}, headers=HEADERS
        )
        assert links.status_code == 403


def test_the_committee_page_calls_routes_that_exist(client):
    script = (ROOT / "admin_ui" / "static" / "js" / "admin.js").read_text()
    called = set(re.findall(r"/api/v1/elections/\$\{current\.id\}/([a-z\-/]+)", script))
    assert {"outbox", "invitations", "revote-invitations", "role-policy", "roles"} <= called
    routes = set(client.get("/api/v1/openapi.json").json()["paths"])
    for path in called:
        assert f"/api/v1/elections/{{election_id}}/{path.rstrip('/')}" in routes, path


def test_the_booth_loads_the_reasons_module(client, elections):
    login(client, "V1")
    assert 'src="/static/js/booth.js"' in client.get(f"/elections/{elections[0]}").text
    booth = (ROOT / "admin_ui" / "static" / "js" / "booth.js").read_text()
    assert "from './eligibility.js'" in booth
    module = client.get("/static/js/eligibility.js")
    assert module.status_code == 200 and "javascript" in module.headers["content-type"]


def test_fixed_roll_reasons_are_the_ones_the_page_translates(client, elections):
    """The explicit roll's English reasons are msgids of the catalogue, so the booth can
    translate them (a change in the service must change js_messages.py too)."""
    login(client, "V1")
    listed = client.get(f"/api/v1/elections/{elections[0]}/me").json()
    assert listed["decision"] is None
    assert listed["reasons"] == [MESSAGES["elig.fixed.listed"]]
    login(client, "V9")
    missing = client.get(f"/api/v1/elections/{elections[0]}/me").json()
    assert missing["decision"] is None
    assert missing["reasons"] == [MESSAGES["elig.fixed.not_listed"]]


def test_roles_list_jurisdiction_and_flags_for_the_page(client, elections):
    login(client, "Admin")
    roles = client.get(f"/api/v1/elections/{elections[0]}/roles").json()
    carol = next(r for r in roles if r["username"] == "Carol")
    assert carol["jurisdiction"] == "FR" and carol["flags"] == ["confidentiality_agreement"]
    script = (ROOT / "admin_ui" / "static" / "js" / "admin.js").read_text()
    assert "r.jurisdiction" in script and "r.flags" in script and "#role-flags" in script
