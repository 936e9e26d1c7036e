"""The "Log in with your wiki account" button in real Chromium, on a server configured for wiki
OAuth (the fake wiki's OAuth 2.0 provider, on localhost): a visitor on a page that needs a
login taps it, consents on the wiki, and comes back logged in to the same page. English and
Simplified Chinese, desktop and phone; screenshots in test-artifacts/."""

from __future__ import annotations

import pytest

from app.config import Settings
from app.local_server import free_port, live_server
from tests.fakes.pytest_fixtures import fake_wiki, fake_wiki_server  # noqa: F401

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api").expect
VIEWPORTS = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}
BUTTON = {"en": "Log in with your wiki account", "zh-hans": "使用维基账户登录"}
LOGGED_IN = {"en": "Logged in as Alice", "zh-hans": "Alice"}


@pytest.fixture
def oauth_server(database_url, tmp_path, fake_wiki):  # noqa: F811
    from tests.conftest import TEST_RATE_LIMITS, TEST_SECRET

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    fake_wiki.farm.add_oauth_client("scrutin-browser", "browser-secret", f"{base}/auth/wiki/callback")
    fake_wiki.farm.oauth_login_as = "Alice"
    settings = Settings(
        environment="test",
        dev_login=False,
        secret_key=TEST_SECRET,
        **TEST_RATE_LIMITS,
        database_url=database_url,
        data_dir=tmp_path,
        demo=False,
        admins="Admin",
        base_url=base,
        wiki_oauth_client_id="scrutin-browser",
        wiki_oauth_client_secret="browser-secret",
        wiki_oauth_base_url=fake_wiki.oauth_base_url(),
    )
    with live_server(settings, port=port) as url:
        yield url


@pytest.mark.parametrize("kind", ["desktop", "phone"])
@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_wiki_login_button_logs_in_and_comes_back(chromium, oauth_server, artifacts, lang, kind) -> None:
    context = chromium.new_context(base_url=oauth_server, **VIEWPORTS[kind])
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"/admin?lang={lang}")
    button = page.locator("main a.wiki-login")
    expect(button).to_have_text(BUTTON[lang])
    expect(page.locator("header a.wiki-login")).to_have_text(BUTTON[lang])
    box = button.bounding_box()
    assert box["height"] >= 44 and box["x"] + box["width"] <= VIEWPORTS[kind]["viewport"]["width"]
    page.screenshot(path=str(artifacts / f"wiki-login-{lang}-{kind}.png"), full_page=True)
    (button.tap if kind == "phone" else button.click)()
    page.wait_for_url(f"{oauth_server}/admin*")
    expect(page.locator("header .who")).to_contain_text(LOGGED_IN[lang])
    expect(page.locator("a.wiki-login")).to_have_count(0)
    assert not errors, errors
    context.close()
