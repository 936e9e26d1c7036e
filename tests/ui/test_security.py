"""Security headers on every response and CSRF protection of the pages' HTML forms."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from admin_ui.security import CSRF_COOKIE
from app.main import create_app
from tests.ui.conftest import csrf_token, login

PATHS = [
    "/",
    "/login",
    "/admin",
    "/elections/nope",
    "/static/css/scrutin.css",
    "/static/js/booth.js",
    "/api/v1/elections",
    "/healthz",
]


@pytest.mark.parametrize("path", PATHS)
def test_every_response_has_the_security_headers(client, path):
    headers = client.get(path).headers
    csp = headers["content-security-policy"]
    directives = {d.split()[0]: d.split()[1:] for d in csp.split("; ")}
    assert directives["script-src"] == ["'self'", "'wasm-unsafe-eval'"]
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["base-uri"] == ["'none'"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "same-origin"
    assert "camera=()" in headers["permissions-policy"]
    assert "strict-transport-security" not in headers  # plain http base URL


def test_hsts_when_the_base_url_is_https(settings):
    app = create_app(settings.model_copy(update={"base_url": "https://vote.example.org"}))
    try:
        with TestClient(app) as client:
            headers = client.get("/").headers
            assert headers["strict-transport-security"].startswith("max-age=")
    finally:
        app.state.engine.dispose()


def test_pages_are_not_cached_but_static_files_may_be(client):
    assert client.get("/").headers["cache-control"] == "no-store"
    assert "no-store" not in client.get("/static/css/scrutin.css").headers.get("cache-control", "")


def test_pages_have_no_inline_script(client):
    import re

    for path in ("/", "/login", "/admin", "/elections/nope"):
        html = client.get(path).text
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert 'src="/static/' in tag or 'type="application/json"' in tag, tag
        assert " on" not in "".join(re.findall(r"<[a-z]+\b[^>]*\son[a-z]+=", html))


def test_login_form_needs_the_csrf_token(client):
    token = csrf_token(client)
    for data in (
        {"username": "Alice"},
        {"username": "Alice", "csrf_token": "0" * 64},
        {"username": "Alice", "csrf_token": token + "0"},
    ):
        response = client.post("/login", data=data, follow_redirects=False)
        assert response.status_code == 403
        assert "scrutin_session" not in response.cookies
    response = client.post("/login", data={"username": "Alice", "csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/"


def test_csrf_token_is_bound_to_the_browser_cookie(client, settings):
    token = csrf_token(client)
    app2 = create_app(settings)
    try:
        with TestClient(app2) as other:
            other.get("/login")  # another browser: another cookie
            assert (
                other.post(
                    "/login", data={"username": "Mallory", "csrf_token": token}, follow_redirects=False
                ).status_code
                == 403
            )
    finally:
        app2.state.engine.dispose()


def test_cross_origin_form_post_is_refused(client):
    token = csrf_token(client)
    response = client.post(
        "/login",
        data={"username": "Alice", "csrf_token": token},
        headers={"Origin": "https://evil.example"},
        follow_redirects=False,
    )
    assert response.status_code == 403
    response = client.post(
        "/login",
        data={"username": "Alice", "csrf_token": token},
        headers={"Origin": "http://testserver"},
        follow_redirects=False,
    )
    assert response.status_code == 303


def test_cookies_are_http_only_and_same_site(client):
    page = client.get("/login")
    csrf_cookie = page.headers["set-cookie"]
    assert CSRF_COOKIE in csrf_cookie and "HttpOnly" in csrf_cookie
    assert "samesite=strict" in csrf_cookie.lower()
    response = client.post(
        "/login", data={"username": "Alice", "csrf_token": csrf_token(client)}, follow_redirects=False
    )
    session = response.headers["set-cookie"]
    assert session.startswith("scrutin_session=") and "HttpOnly" in session
    assert "samesite=lax" in session.lower() and "Secure" not in session


def test_secure_cookies_on_https(settings):
    app = create_app(settings.model_copy(update={"base_url": "https://vote.example.org"}))
    try:
        with TestClient(app, base_url="https://testserver") as client:
            assert "Secure" in client.get("/login").headers["set-cookie"]
            response = client.post(
                "/login", data={"username": "Alice", "csrf_token": csrf_token(client)}, follow_redirects=False
            )
            assert "Secure" in response.headers["set-cookie"]
    finally:
        app.state.engine.dispose()


def test_logout_needs_the_csrf_token(client):
    login(client, "Alice")
    assert client.post("/logout", data={}, follow_redirects=False).status_code == 403
    assert client.get("/api/v1/auth/me").json()["username"] == "Alice"
    response = client.post("/logout", data={"csrf_token": csrf_token(client, "/")}, follow_redirects=False)
    assert response.status_code == 303
    assert client.get("/api/v1/auth/me").json()["username"] is None


def test_login_redirect_stays_on_this_site(client):
    for target, expected in (
        ("/elections/x", "/elections/x"),
        ("//evil.example", "/"),
        ("https://evil.example", "/"),
        ("/\\evil.example", "/"),
    ):
        response = client.post(
            "/login",
            data={"username": "Alice", "next": target, "csrf_token": csrf_token(client)},
            follow_redirects=False,
        )
        assert response.headers["location"] == expected


def test_dev_login_form_is_off_in_production(settings):
    app = create_app(settings.model_copy(update={"environment": "production"}))
    try:
        with TestClient(app) as client:
            assert 'id="login-form"' not in client.get("/login").text
            token = app.state.csrf.token_for(client.cookies[CSRF_COOKIE])
            response = client.post(
                "/login", data={"username": "Admin", "csrf_token": token}, follow_redirects=False
            )
            assert response.status_code == 403
            assert "scrutin_session" not in response.cookies
    finally:
        app.state.engine.dispose()


def test_cookie_api_writes_still_need_the_request_header(client):
    login(client, "Admin")
    body = {"title": {"en": "X"}}
    assert client.post("/api/v1/elections", json=body).status_code == 401
    assert client.post("/api/v1/elections", json=body, headers={"X-Scrutin-Request": "1"}).status_code == 201
