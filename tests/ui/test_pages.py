"""The pages render in every language, show per-election texts, and respect visibility."""

from __future__ import annotations

import secrets

import pytest

from app.services import phases
from tests.ui.conftest import login

ELECTION = {
    "title": {"en": "Steward election", "zh-hans": "监管员选举"},
    "description": {"en": "Pick stewards."},
    "default_language": "en",
    "questions": [
        {
            "kind": "sonc",
            "title": {"en": "Candidates", "zh-hant": "候選人"},
            "candidates": [{"name": {"en": "Ann", "zh-hans": "安"}}, {"name": {"en": "Ben"}}],
        },
        {
            "kind": "approval",
            "title": {"en": "Options"},
            "min_selections": 1,
            "max_selections": 2,
            "candidates": [{"name": {"en": "X"}}, {"name": {"en": "Y"}}, {"name": {"en": "Z"}}],
        },
    ],
    "schedule": {"start": "2030-01-01T00:00", "end": "2030-01-08T00:00", "timezone": "AoE"},
    "trustee_count": 1,
    "threshold": 1,
}
HEADERS = {"X-Scrutin-Request": "1"}


@pytest.fixture
def election(client):
    login(client, "Admin")
    election_id = f"ui-{secrets.token_hex(4)}"
    response = client.post("/api/v1/elections", json={**ELECTION, "id": election_id}, headers=HEADERS)
    assert response.status_code == 201, response.text
    client.post(
        f"/api/v1/elections/{election_id}/roles", json={"username": "T1", "role": "trustee"}, headers=HEADERS
    )
    client.post(f"/api/v1/elections/{election_id}/freeze", headers=HEADERS)
    return election_id


PAGES = [
    "/",
    "/login",
    "/admin",
    "/elections/{id}",
    "/elections/{id}/trustee",
    "/elections/{id}/results",
    "/scrutiny/{id}",
]


@pytest.mark.parametrize("lang", ["en", "zh-hans", "zh-hant"])
@pytest.mark.parametrize("path", PAGES)
def test_every_page_renders_in_every_language(client, election, path, lang):
    response = client.get(path.format(id=election), params={"lang": lang})
    assert response.status_code == 200
    html_lang = {"en": "en", "zh-hans": "zh-Hans", "zh-hant": "zh-Hant"}[lang]
    assert f'<html lang="{html_lang}">' in response.text
    assert f'data-lang="{lang}"' in response.text


def test_language_switch_sets_a_cookie_and_accept_language_is_honoured(client):
    response = client.get("/", params={"lang": "zh-hant"})
    assert "選舉" in response.text and "scrutin_lang=zh-hant" in response.headers["set-cookie"]
    assert "選舉" in client.get("/").text  # the cookie remembers
    client.cookies.clear()
    assert "选举" in client.get("/", headers={"Accept-Language": "zh-CN,zh;q=0.9"}).text
    assert "Elections" in client.get("/", headers={"Accept-Language": "fr"}).text


def test_language_links_keep_the_page(client, election):
    html = client.get(f"/elections/{election}/results", params={"lang": "en"}).text
    assert f'href="/elections/{election}/results?lang=zh-hans"' in html


def test_booth_shows_the_ballot_in_the_voters_language(client, election):
    zh = client.get(f"/elections/{election}", params={"lang": "zh-hans"}).text
    assert "监管员选举" in zh and "安" in zh and "支持" in zh
    assert "Ben" in zh and "Candidates" in zh  # fallback to the default language
    hant = client.get(f"/elections/{election}", params={"lang": "zh-hant"}).text
    assert "候選人" in hant and "Steward election" in hant
    en = client.get(f"/elections/{election}", params={"lang": "en"}).text
    assert en.count('type="radio" name="q0-c') == 6
    assert en.count('type="checkbox" name="q1"') == 3 and 'data-min="1" data-max="2"' in en
    assert "The end is exclusive" in en and "Anywhere on Earth" in en
    assert "2030-01-01 12:00" in en  # AoE midnight is noon UTC
    assert "only your last ballot counts" in en


def test_drafts_are_hidden_from_strangers(client):
    login(client, "Admin")
    draft = f"draft-{secrets.token_hex(4)}"
    body = {**ELECTION, "id": draft}
    assert client.post("/api/v1/elections", json=body, headers=HEADERS).status_code == 201
    assert client.get(f"/elections/{draft}").status_code == 200
    assert draft in client.get("/").text
    login(client, "Stranger")
    assert client.get(f"/elections/{draft}").status_code == 404
    assert draft not in client.get("/").text


def test_unknown_election_is_a_404_page(client):
    response = client.get("/elections/nope", params={"lang": "zh-hans"})
    assert response.status_code == 404 and "未找到" in response.text


def test_phase_names_are_translated_everywhere():
    from admin_ui.js_messages import PHASE_NAMES

    assert set(PHASE_NAMES) == set(phases.ALL_PHASES)


def test_booth_renders_a_ranked_question_with_labelled_buttons(client, tmp_path):
    """A ranked question: the counting method and seats, one item per candidate with "Add to my
    ranking" (and hidden Move up / Move down / Remove) whose accessible names name the
    candidate, the blank-ranking notice; a withdrawn candidate is marked and cannot be added.
    Translated in both Chinese scripts."""
    from tests.service.helpers import open_election

    admin, eid, _ = open_election(
        client, tmp_path, ["V1"], candidates=3, kind="ranked", method="scottish-stv", seats=2
    )
    admin.post(
        f"/api/v1/elections/{eid}/candidates/change",
        {
            "question": 0,
            "position": 1,
            "replacement": {"en": "Zed"},
            "reason": "the candidate withdrew",
            "old_ballots": "keep",
        },
    )
    en = client.get(f"/elections/{eid}", params={"lang": "en"}).text
    assert 'data-kind="ranked"' in en
    assert "Counted with Scottish STV. Seats to fill: 2." in en
    assert en.count('class="rank-candidate"') == 4
    assert en.count('class="rank-add"') == 3  # not for the withdrawn candidate
    assert 'data-candidate="1" data-name="Candidate 1" data-withdrawn="1"' in en
    assert "(withdrawn)" in en
    for name in ("Candidate 0", "Candidate 2", "Zed"):
        assert f'aria-label="Add {name} to my ranking"' in en
        assert f'aria-label="Move {name} up" hidden' in en
        assert f'aria-label="Remove {name} from my ranking" hidden' in en
    assert "You may leave the ranking blank" in en
    zh = client.get(f"/elections/{eid}", params={"lang": "zh-hans"}).text
    assert "计票方法：苏格兰单记可让渡投票制。" in zh and "将 Zed 上移" in zh and "（已退选）" in zh
    hant = client.get(f"/elections/{eid}", params={"lang": "zh-hant"}).text
    assert "蘇格蘭單記可讓渡投票制" in hant and "將 Zed 加入我的排名" in hant
