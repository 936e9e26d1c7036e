"""Security headers for every response, and CSRF tokens for the pages' HTML forms.

The JSON API defends cookie sessions with the ``X-Scrutin-Request: 1`` header (app.api.deps);
HTML forms cannot send custom headers, so they carry a token instead: a random value in a
``SameSite=Strict`` cookie, and an HMAC of it (keyed with the secret key) in a hidden field.
A cross-site page can neither read the cookie nor forge the HMAC. The ``Origin`` header, when
the browser sends one, must also be ours.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSRF_COOKIE = "scrutin_csrf"
CSRF_FIELD = "csrf_token"

# libsodium.js compiles WebAssembly: 'wasm-unsafe-eval' allows exactly that, not JS eval().
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'wasm-unsafe-eval'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"
HSTS = "max-age=63072000; includeSubDomains"


def security_headers(https: bool) -> dict[str, str]:
    headers = {
        "Content-Security-Policy": CONTENT_SECURITY_POLICY,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",  # "no-referrer" would make form posts send Origin: null
        "X-Frame-Options": "DENY",
        "Permissions-Policy": PERMISSIONS_POLICY,
        "Cross-Origin-Opener-Policy": "same-origin",
        "Cross-Origin-Resource-Policy": "same-origin",
    }
    if https:
        headers["Strict-Transport-Security"] = HSTS
    return headers


class SecurityHeaders:
    """Pure ASGI middleware (no BaseHTTPMiddleware: it must not buffer streamed responses)."""

    def __init__(self, app: ASGIApp, https: bool) -> None:
        self.app = app
        self.headers = security_headers(https)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    if name not in headers:
                        headers[name] = value
                path = scope.get("path", "")
                if not path.startswith("/static/") and "cache-control" not in headers:
                    # Pages and API answers carry session-specific data.
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)


class CsrfTokens:
    def __init__(self, secret_key: str) -> None:
        self._key = hashlib.sha256(b"scrutin/csrf/v1\0" + secret_key.encode()).digest()

    def new_cookie_value(self) -> str:
        return secrets.token_urlsafe(32)

    def token_for(self, cookie_value: str) -> str:
        return hmac.new(self._key, cookie_value.encode(), hashlib.sha256).hexdigest()

    def check(self, cookie_value: str | None, token: str | None) -> bool:
        if not cookie_value or not token:
            return False
        return hmac.compare_digest(self.token_for(cookie_value), token)


def same_origin(request: Request, base_url: str) -> bool:
    """True unless the browser says the request came from another origin."""
    origin = request.headers.get("origin")
    if origin is None:  # same-origin GET navigations and old browsers send none
        return True
    allowed = {_origin(base_url), _origin(str(request.base_url))}
    return origin.rstrip("/") in allowed


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
