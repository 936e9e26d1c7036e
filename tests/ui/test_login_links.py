"""The "Log in with your wiki account" button (/auth/wiki/login, back to the page) on every page
that needs a login, when the server is configured for wiki OAuth — and never when it is not."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest

from app.config import Settings
from tests.ui.conftest import login

BASE = "https://meta.example.org/w"
PAGES = [
    "/",
    "/admin",
    "/login?next=/admin",
    "/elections/{e}",
    "/elections/{e}/trustee",
    "/elections/{e}/results",
    "/scrutiny/{e}",
    "/elections/missing-election",
]
ELECTION = {
    "title": {"en": "Login links"},
    "trustee_count": 1,
    "threshold": 1,
    "questions": [{"kind": "sonc", "title": {"en": "Q"}, "candidates": [{"name": {"en": "A"}}]}],
}


def _make(database_url, tmp_path, **oauth) -> Settings:
    from tests.conftest import TEST_RATE_LIMITS, TEST_SECRET

    return Settings(
        environment="test",
        dev_login=True,
        secret_key=TEST_SECRET,
        **TEST_RATE_LIMITS,
        database_url=database_url,
        data_dir=tmp_path,
        demo=False,
        admins="Admin",
        **oauth,
    )


@pytest.fixture
def settings(database_url, tmp_path, request) -> Settings:
    oauth = (
        {
            "wiki_oauth_client_id": "scrutin-test",
            "wiki_oauth_client_secret": "s3cret",
            "wiki_oauth_base_url": BASE,
        }
        if getattr(request, "param", True)
        else {}
    )
    return _make(database_url, tmp_path, **oauth)


def _election(client) -> str:
    login(client, "Admin")
    created = client.post("/api/v1/elections", json=ELECTION, headers={"X-Scrutin-Request": "1"})
    assert created.status_code == 201, created.text
    client.post(
        "/logout",
        data={
            "csrf_token": re.search(r'name="csrf_token" value="([0-9a-f]+)"', client.get("/").text).group(1)
        },
    )
    client.cookies.clear()
    return created.json()["id"]


def _wiki_links(html: str) -> list[str]:
    return re.findall(r'<a class="wiki-login[^"]*" href="([^"]+)"', html)


def test_every_login_page_offers_the_wiki_account(client) -> None:
    eid = _election(client)
    for path in PAGES:
        page = client.get(path.format(e=eid) + ("&" if "?" in path else "?") + "lang=zh-hans")
        links = _wiki_links(page.text)
        assert links, path
        assert "使用维基账户登录" in page.text, path
        for link in links:
            url = urlparse(link.replace("&amp;", "&"))
            assert url.path == "/auth/wiki/login"
            back = parse_qs(url.query)["next"][0]
            expected = "/admin" if path.startswith("/login") else path.format(e=eid)
            assert back.startswith(expected), (path, back)
    # the button works: it starts OAuth at the configured wiki, and comes back to the page
    start = client.get(f"/auth/wiki/login?next=/scrutiny/{eid}", follow_redirects=False)
    assert start.status_code == 302 and start.headers["location"].startswith(BASE)


def test_a_logged_in_user_sees_no_login_button(client) -> None:
    login(client, "Admin")
    assert _wiki_links(client.get("/admin").text) == []


@pytest.mark.parametrize("settings", [False], indirect=True)
def test_without_oauth_there_is_no_wiki_button(client) -> None:
    eid = _election(client)
    for path in PAGES:
        page = client.get(path.format(e=eid))
        assert _wiki_links(page.text) == [], path
        assert "/auth/wiki/login" not in page.text, path
        assert 'href="/login?next=' in page.text or path.startswith("/login"), path
