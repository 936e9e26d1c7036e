"""API error messages and re-vote notices in the requester's (or voter's) language: the error
code never changes; English stays the server's own text; zh-Hans / zh-Hant come from the
catalogues (Accept-Language, or the UI language cookie the pages set)."""

from __future__ import annotations

import pytest

from admin_ui import i18n
from app.errors import MESSAGES
from app.services import notify
from tests.service.helpers import ADMIN, login, open_election, voter


def _message(lang: str, code: str) -> str:
    return i18n.translations(lang).gettext(MESSAGES[code])


def test_errors_in_english_are_unchanged(client) -> None:
    answer = client.get("/api/v1/elections/no-such-election")
    assert answer.status_code == 404
    assert answer.json() == {"error": "election_not_found", "detail": "no election 'no-such-election'"}
    english = client.get("/api/v1/elections/no-such-election", headers={"Accept-Language": "en-GB"})
    assert english.json() == answer.json()


@pytest.mark.parametrize(("header", "lang"), [("zh-CN,zh;q=0.9", "zh-hans"), ("zh-TW", "zh-hant")])
def test_errors_follow_accept_language(client, header, lang) -> None:
    answer = client.get("/api/v1/elections/no-such-election", headers={"Accept-Language": header})
    assert answer.status_code == 404
    body = answer.json()
    assert body["error"] == "election_not_found"
    # the translated sentence, then the server's detail (it names the election)
    assert body["detail"].startswith(_message(lang, "election_not_found"))
    assert "no-such-election" in body["detail"]
    assert _message(lang, "election_not_found") != MESSAGES["election_not_found"]


def test_the_language_cookie_beats_the_browser(client) -> None:
    client.cookies.set(i18n.LANG_COOKIE, "zh-hant")
    try:
        answer = client.get("/api/v1/users/Someone/sessions", headers={"Accept-Language": "en"})
    finally:
        client.cookies.delete(i18n.LANG_COOKIE)
    assert answer.status_code == 401
    assert answer.json() == {"error": "login_required", "detail": _message("zh-hant", "login_required")}


def test_validation_and_routing_errors_are_translated(client) -> None:
    admin = login(client, ADMIN)
    headers = {"Authorization": f"Bearer {admin.token}", "Accept-Language": "zh-Hans"}
    bad = client.post("/api/v1/elections", json={"title": 5}, headers=headers)
    assert bad.status_code == 422 and bad.json()["error"] == "invalid_request"
    assert bad.json()["detail"].startswith(_message("zh-hans", "invalid_request"))
    missing = client.get("/api/v1/nowhere", headers={"Accept-Language": "zh-Hans"})
    assert missing.json() == {"error": "not_found", "detail": _message("zh-hans", "not_found")}


def test_translated_refusal_changes_nothing(client, tmp_path) -> None:
    admin, eid, _ = open_election(client, tmp_path, ["Alice"], trustees=1, threshold=1)
    before = admin.get(f"/api/v1/elections/{eid}")
    answer = client.post(
        f"/api/v1/elections/{eid}/roles",
        json={"username": "Bob", "role": "trustee"},
        headers={"Authorization": f"Bearer {admin.token}", "Accept-Language": "zh-TW"},
    )
    assert answer.status_code in (409, 422)
    assert answer.json()["error"] in MESSAGES
    assert answer.json()["detail"].startswith(_message("zh-hant", answer.json()["error"]))
    assert admin.get(f"/api/v1/elections/{eid}") == before


def _outbox(client, tmp_path, action) -> list[dict]:
    admin, eid, _ = open_election(client, tmp_path, ["Alice", "Bob"], trustees=1, threshold=1)
    voter(client, eid, "Alice").cast([[1, 1, 1]])
    action(admin, eid)
    return admin.get(f"/api/v1/elections/{eid}/outbox")["messages"]


def test_a_struck_ballots_notice_says_it_was_not_counted_in_each_language(client, tmp_path):
    messages = _outbox(
        client,
        tmp_path,
        lambda admin, eid: admin.post(
            f"/api/v1/elections/{eid}/scrutiny/strike",
            {
                "voters": ["Alice"],
                "reason_code": "canvassing",
                "reason_text": "private words",
                "invite_to_revote": True,
            },
        ),
    )
    body, subject = messages[0]["body"], messages[0]["subject"]
    hans = i18n.translations("zh-hans").gettext
    # the test election has English and Simplified Chinese titles: both texts, English first
    assert subject == "Please vote again: Test election / " + hans("Please vote again: %(title)s") % {
        "title": "测试选举"
    }
    assert "could not be counted" in body and "improper canvassing" in body
    assert (
        hans(notify.NOTICE_STRUCK)
        % {"title": "测试选举", "reason": hans(notify.REVOTE_REASONS["canvassing"])}
        in body
    )
    assert body.index("could not be counted") < body.index("测试选举")
    assert "private words" not in body
    assert "繁" not in body and i18n.translations("zh-hant").gettext(notify.NOTICE_SECRET) not in body


def test_a_plain_revote_invitation_does_not_say_the_ballot_was_not_counted(client, tmp_path):
    messages = _outbox(
        client,
        tmp_path,
        lambda admin, eid: admin.post(
            f"/api/v1/elections/{eid}/revote-invitations",
            {"usernames": ["Alice", "Bob"], "reason": "the candidate list was corrected"},
        ),
    )
    assert {m["recipient"] for m in messages} == {"Alice", "Bob"}
    hans = i18n.translations("zh-hans").gettext
    for message in messages:
        body = message["body"]
        assert "could not be counted" not in body
        assert "未能计入" not in body  # "could not be counted", in the Chinese text
        assert "未能计入" in hans(notify.NOTICE_STRUCK)
        assert "invites you to vote again" in body
        assert "the candidate list was corrected" in body  # the committee's words, as written
        assert (
            hans(notify.NOTICE_INVITED) % {"title": "测试选举", "reason": "the candidate list was corrected"}
            in body
        )


def test_notice_languages_follow_the_election() -> None:
    assert notify.notice_languages({"zh-hant": "選舉", "en": "Election"}, "zh-hant", i18n.LANGUAGES) == [
        "zh-hant",
        "en",
    ]
    assert notify.notice_languages({"en": "Election"}, "en", i18n.LANGUAGES) == ["en"]
    assert notify.notice_languages({"de": "Wahl"}, "de", i18n.LANGUAGES) == ["en"]
    hant = i18n.translations("zh-hant").gettext
    subject, body = notify.revote_notice([("選舉", hant)], "https://x/e", reason_code="technical")
    assert subject == hant(notify.NOTICE_SUBJECT) % {"title": "選舉"}
    assert hant(notify.REVOTE_REASONS["technical"]) in body and "https://x/e" in body
    assert "Please" not in body
