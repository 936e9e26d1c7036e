"""The malicious-server harness itself: forwarding, and each kind of rule reaching a client."""

from __future__ import annotations

import httpx
import pytest

from app.client.http import ApiError, ScrutinSession
from app.client.voter import VoterClient
from tests.adversary.proxy import Forged, MaliciousProxy
from tests.service.helpers import open_election

DEFINITION = r"/api/v1/elections/[^/]+/definition"


def test_forwards_and_rewrites_a_response_for_the_python_client(
    proxy: MaliciousProxy, honest: httpx.Client, tmp_path
) -> None:
    _, eid, _ = open_election(honest, tmp_path, ["V1"], candidates=2)
    voter = VoterClient(ScrutinSession(proxy.url).dev_login("V1"), eid)
    honest_manifest = voter.session.get(f"/api/v1/elections/{eid}/definition")
    assert honest_manifest["definition"]["manifest"]["election_id"] == eid

    def retitle(data, request):
        assert request.method == "GET" and request.headers["Authorization"].startswith("Bearer")
        data["definition"]["manifest"]["election_id"] = "forged"
        return data

    rule = proxy.rewrite("GET", DEFINITION, retitle, times=1)
    forged = voter.session.get(f"/api/v1/elections/{eid}/definition")
    assert forged["definition"]["manifest"]["election_id"] == "forged"
    assert rule.hits == 1
    again = voter.session.get(f"/api/v1/elections/{eid}/definition")  # times=1: spent
    assert again == honest_manifest
    assert ("GET", f"/api/v1/elections/{eid}/definition", 200) in proxy.log


def test_request_rewrite_and_replace(proxy: MaliciousProxy) -> None:
    session = ScrutinSession(proxy.url)
    proxy.rewrite_request(
        "POST", r"/api/v1/auth/dev-login", lambda body, request: {**body, "username": "Mallory"}, times=1
    )
    session.dev_login("Alice")
    assert session.get("/api/v1/auth/me")["username"] == "Mallory"

    proxy.replace(
        "GET", r"/api/v1/auth/me", Forged(409, json={"error": "forged", "detail": "made up by the proxy"})
    )
    with pytest.raises(ApiError) as caught:
        session.get("/api/v1/auth/me")
    assert (caught.value.status, caught.value.code) == (409, "forged")
    proxy.clear()
    assert session.get("/api/v1/auth/me")["username"] == "Mallory"


def test_rewrites_text_for_a_browser_like_client(proxy: MaliciousProxy) -> None:
    proxy.rewrite_text(
        "GET", r"/login", lambda text, request: text.replace("</body>", "<p id=forged></p></body>")
    )
    page = httpx.get(f"{proxy.url}/login")
    assert page.status_code == 200 and "<p id=forged></p>" in page.text


@pytest.mark.browser
def test_chromium_through_the_proxy_same_origin(proxy: MaliciousProxy, chromium) -> None:
    """Pages, cookies and the page's own API calls all go through the proxy's origin."""
    proxy.rewrite("GET", r"/api/v1/auth/me", lambda data, request: {**data, "username": "Forged"})
    context = chromium.new_context(base_url=proxy.url)
    try:
        page = context.new_page()
        page.goto("/login")
        page.fill("#username", "Alice")
        page.click("#login-form button[type=submit]")
        page.wait_for_url(proxy.url + "/")
        seen = page.evaluate("fetch('/api/v1/auth/me').then(r => r.json())")
        assert seen["username"] == "Forged"
        assert any(method == "POST" for method, _, _ in proxy.log)  # the login went through it
    finally:
        context.close()
