"""MediaWiki OAuth 2.0 login end to end against the fake provider over HTTP."""

from __future__ import annotations

import socket
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from app.errors import Unauthenticated
from app.identity import MediaWikiOAuth, OAuthLoginError
from tests.fakes.wiki_data import (
    OAUTH_CLIENT_ID,
    OAUTH_CLIENT_SECRET,
    OAUTH_PUBLIC_CLIENT_ID,
    OAUTH_REDIRECT_URI,
)


@pytest.fixture
def oauth(fake_wiki):
    with MediaWikiOAuth(
        OAUTH_CLIENT_ID, OAUTH_CLIENT_SECRET, fake_wiki.oauth_base_url(), OAUTH_REDIRECT_URI, timeout=2.0
    ) as client:
        yield client


def browser_visit(url: str, user: str | None = None) -> dict[str, str]:
    """What the user's browser does: open the authorize URL, log in and consent (the fake
    auto-consents), follow the redirect back — returning the callback's query parameters."""
    if user is not None:
        url += f"&fake_user={user.replace(' ', '+')}"
    response = httpx.get(url, follow_redirects=False)
    assert response.status_code == 302, response.text
    location = response.headers["Location"]
    assert location.startswith(OAUTH_REDIRECT_URI + "?")
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def test_login_flow_end_to_end(fake_wiki, oauth) -> None:
    request = oauth.authorization_url()
    parts = urlsplit(request.url)
    assert (
        f"{parts.scheme}://{parts.netloc}{parts.path}"
        == f"{fake_wiki.url}/metawiki/w/rest.php/oauth2/authorize"
    )
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert query["client_id"] == OAUTH_CLIENT_ID and query["response_type"] == "code"
    assert query["redirect_uri"] == OAUTH_REDIRECT_URI and query["state"] == request.state
    assert query["code_challenge_method"] == "S256" and request.code_verifier

    callback = browser_visit(request.url, "Multi")
    identity = oauth.complete(callback, expected_state=request.state, code_verifier=request.code_verifier)
    assert identity.username == "Multi"
    assert identity.central_id == str(fake_wiki.farm.globals["Multi"].central_id)
    assert identity.profile["confirmed_email"] is True and not identity.blocked
    token_call = [r for r in fake_wiki.farm.requests if r.path.endswith("access_token")][0]
    assert token_call.method == "POST" and token_call.params["code_verifier"]
    assert token_call.params["client_secret"] == OAUTH_CLIENT_SECRET
    assert token_call.user_agent.startswith("Scrutin/")


def test_fetch_username_with_code(oauth) -> None:
    request = oauth.authorization_url(state="fixed-state-value")
    assert request.state == "fixed-state-value"
    callback = browser_visit(request.url)  # the fake's default user
    assert oauth.fetch_username(callback["code"], request.code_verifier) == "Alice"


def test_public_client_with_pkce_only(fake_wiki) -> None:
    client = MediaWikiOAuth(OAUTH_PUBLIC_CLIENT_ID, None, fake_wiki.oauth_base_url(), OAUTH_REDIRECT_URI)
    request = client.authorization_url()
    callback = browser_visit(request.url, "Steward")
    assert (
        client.complete(callback, expected_state=request.state, code_verifier=request.code_verifier).username
        == "Steward"
    )
    client.close()


def test_state_mismatch_is_refused(oauth) -> None:
    request = oauth.authorization_url()
    callback = browser_visit(request.url)
    with pytest.raises(OAuthLoginError) as caught:
        oauth.complete(callback, expected_state="another-state", code_verifier=request.code_verifier)
    assert caught.value.code == "wiki_login_state"
    assert isinstance(caught.value, Unauthenticated)
    with pytest.raises(OAuthLoginError, match="wiki_login_state"):
        oauth.complete(callback, expected_state=None, code_verifier=request.code_verifier)


def test_user_denies(fake_wiki, oauth) -> None:
    fake_wiki.farm.oauth_deny_next = True
    request = oauth.authorization_url()
    callback = browser_visit(request.url)
    with pytest.raises(OAuthLoginError) as caught:
        oauth.complete(callback, expected_state=request.state, code_verifier=request.code_verifier)
    assert caught.value.code == "wiki_login_denied"


def test_wrong_verifier_and_reused_code(oauth) -> None:
    request = oauth.authorization_url()
    callback = browser_visit(request.url)
    with pytest.raises(OAuthLoginError, match="code_verifier") as caught:
        oauth.complete(callback, expected_state=request.state, code_verifier="x" * 64)
    assert caught.value.code == "wiki_login_token"
    # the code was spent by the failed attempt: it cannot be used again
    with pytest.raises(OAuthLoginError, match="wiki_login_token"):
        oauth.complete(callback, expected_state=request.state, code_verifier=request.code_verifier)


def test_wrong_client_secret(fake_wiki) -> None:
    client = MediaWikiOAuth(OAUTH_CLIENT_ID, "wrong", fake_wiki.oauth_base_url(), OAUTH_REDIRECT_URI)
    request = client.authorization_url()
    callback = browser_visit(request.url)
    with pytest.raises(OAuthLoginError, match="HTTP 401"):
        client.complete(callback, expected_state=request.state, code_verifier=request.code_verifier)
    client.close()


def test_bad_access_token_for_profile(oauth) -> None:
    with pytest.raises(OAuthLoginError) as caught:
        oauth.fetch_profile("not-a-token")
    assert caught.value.code == "wiki_login_profile"


def test_provider_down_or_slow(fake_wiki) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    down = MediaWikiOAuth(
        OAUTH_CLIENT_ID, OAUTH_CLIENT_SECRET, f"http://127.0.0.1:{port}/w", OAUTH_REDIRECT_URI, timeout=0.5
    )
    with pytest.raises(OAuthLoginError) as caught:
        down.fetch_username("code", "verifier")
    assert caught.value.code == "wiki_login_unavailable"
    slow = MediaWikiOAuth(
        OAUTH_CLIENT_ID, OAUTH_CLIENT_SECRET, fake_wiki.oauth_base_url(), OAUTH_REDIRECT_URI, timeout=0.1
    )
    request = slow.authorization_url()
    callback = browser_visit(request.url)
    fake_wiki.farm.delay = 0.3
    with pytest.raises(OAuthLoginError, match="wiki_login_unavailable"):
        slow.complete(callback, expected_state=request.state, code_verifier=request.code_verifier)
    down.close()
    slow.close()


def test_endpoints_and_config() -> None:
    client = MediaWikiOAuth(
        "id", "secret", "https://meta.wikimedia.org/w/", "https://vote.example.org/auth/wiki/callback"
    )
    assert client.authorize_endpoint == "https://meta.wikimedia.org/w/rest.php/oauth2/authorize"
    assert client.token_endpoint == "https://meta.wikimedia.org/w/rest.php/oauth2/access_token"
    assert client.profile_endpoint == "https://meta.wikimedia.org/w/rest.php/oauth2/resource/profile"
    assert client.authorization_url().code_verifier != client.authorization_url().code_verifier
    no_pkce = MediaWikiOAuth("id", "secret", "https://meta.wikimedia.org/w", "https://x/cb", use_pkce=False)
    request = no_pkce.authorization_url()
    assert request.code_verifier is None and "code_challenge" not in request.url
    with pytest.raises(ValueError):
        MediaWikiOAuth("", "secret", "https://meta.wikimedia.org/w", "https://x/cb")
