"""A malicious server for tests: a real HTTP proxy in front of the live test server that lies.

Scrutin's clients must treat the server as an adversary (DESIGN §3.7): they check what it sends
against the public board and the election fingerprint before they encrypt, sign or decrypt. To
test that, put a ``MaliciousProxy`` between a client and an honest live server
(``app.local_server.live_server``) and make the proxy forge exactly the answer under test. The
proxy is real HTTP on ``127.0.0.1`` (a random free port), so it works the same for

* the Python clients (``app.client.*``): give them ``proxy.url`` as their base URL, and
* Chromium: open the pages *through* the proxy (``browser.new_context(base_url=proxy.url)``);
  pages, scripts and API calls then share the proxy's origin, so the proxy can forge any of them.

Everything not matched by a rule is forwarded unchanged (method, path, query, body, headers —
including ``Host``, so the server's same-origin checks see the proxy's origin, which is the one
the browser uses). Redirects to the upstream are rewritten to the proxy.

Rules (first registered, first tried; every matching rule of a kind applies, in order):

``proxy.rewrite(method, path_regex, fn, *, times=None)``
    Rewrite a JSON **response**. ``fn(data, request)`` gets the decoded JSON body of the
    server's answer and the ``ProxyRequest``; it returns the forged JSON (or mutates ``data``
    and returns ``None``). The status code and headers are kept (``Content-Length`` fixed).
``proxy.rewrite_text(method, path_regex, fn, *, times=None)``
    Same for a non-JSON response (HTML, JavaScript): ``fn(text, request) -> str``.
``proxy.rewrite_request(method, path_regex, fn, *, times=None)``
    Rewrite a JSON **request body** before it reaches the server: ``fn(body, request)`` returns
    the forged body (or mutates it and returns ``None``).
``proxy.replace(method, path_regex, fn, *, times=None)``
    Answer without asking the server: ``fn(request)`` returns a ``Forged(status, json=...)`` (or
    ``Forged(status, text=..., content_type=...)``); or ``fn`` may be a ``Forged`` itself.

``method`` is an HTTP method or ``"*"``; ``path_regex`` is matched with ``re.fullmatch``
against the path without the query string (e.g. ``r"/api/v1/elections/[^/]+/definition"``).
``times=n`` makes a rule apply to the next n matching requests only. Every ``add`` returns a
``Rule`` whose ``hits`` counts how often it fired (assert on it: a forgery the client never saw
proves nothing) and whose ``remove()`` withdraws it; ``proxy.clear()`` withdraws all.
``proxy.log`` lists ``(method, path, status)`` of every request that went through.

Use it as a context manager, or through the pytest fixtures in ``tests/adversary/conftest.py``
(``live_url`` — an honest live server — and ``proxy`` — a MaliciousProxy in front of it)::

    def test_swapped_key(proxy):
        rule = proxy.rewrite("GET", r"/api/v1/elections/[^/]+/definition", swap_key)
        client = VoterClient(ScrutinSession(proxy.url).dev_login("V1"), "e1")
        with pytest.raises(ElectionCheckFailed, match="public key"):
            client.context()
        assert rule.hits == 1
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import httpx

# Hop-by-hop headers (RFC 9110 §7.6.1) and the ones the proxy recomputes.
_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "content-length",
    "accept-encoding",
    "content-encoding",
}


@dataclass
class ProxyRequest:
    """What the client sent (after any request rewrite)."""

    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


@dataclass
class Forged:
    """A whole answer made up by the proxy (for ``replace``)."""

    status: int = 200
    json: Any = None
    text: str | None = None
    content_type: str | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def encode(self) -> tuple[bytes, str]:
        if self.text is not None:
            return self.text.encode(), self.content_type or "text/plain; charset=utf-8"
        return json.dumps(self.json).encode(), self.content_type or "application/json"


@dataclass
class Rule:
    kind: str  # "response" | "text" | "request" | "replace"
    method: str
    pattern: re.Pattern[str]
    fn: Any
    times: int | None
    owner: MaliciousProxy
    hits: int = 0

    def matches(self, method: str, path: str) -> bool:
        return (
            (self.method == "*" or self.method == method)
            and self.pattern.fullmatch(path) is not None
            and (self.times is None or self.hits < self.times)
        )

    def remove(self) -> None:
        self.owner._remove(self)


class MaliciousProxy:
    """A forwarding HTTP proxy with rewrite rules; see the module docstring."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rstrip("/")
        self._rules: list[Rule] = []
        self._lock = threading.Lock()
        self.log: list[tuple[str, str, int]] = []
        self._http = httpx.Client(base_url=self.upstream, timeout=120, follow_redirects=False)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self.port = int(self._server.server_address[1])
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread: threading.Thread | None = None

    # --- lifecycle -----------------------------------------------------------------------------
    def start(self) -> MaliciousProxy:
        self._thread = threading.Thread(
            target=self._server.serve_forever, daemon=True, name=f"malicious-proxy-{self.port}"
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._http.close()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def __enter__(self) -> MaliciousProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- rules ---------------------------------------------------------------------------------
    def _add(self, kind: str, method: str, path_regex: str, fn: Any, times: int | None) -> Rule:
        rule = Rule(kind, method.upper(), re.compile(path_regex), fn, times, self)
        with self._lock:
            self._rules.append(rule)
        return rule

    def _remove(self, rule: Rule) -> None:
        with self._lock:
            if rule in self._rules:
                self._rules.remove(rule)

    def rewrite(
        self,
        method: str,
        path_regex: str,
        fn: Callable[[Any, ProxyRequest], Any],
        *,
        times: int | None = None,
    ) -> Rule:
        return self._add("response", method, path_regex, fn, times)

    def rewrite_text(
        self,
        method: str,
        path_regex: str,
        fn: Callable[[str, ProxyRequest], str],
        *,
        times: int | None = None,
    ) -> Rule:
        return self._add("text", method, path_regex, fn, times)

    def rewrite_request(
        self,
        method: str,
        path_regex: str,
        fn: Callable[[Any, ProxyRequest], Any],
        *,
        times: int | None = None,
    ) -> Rule:
        return self._add("request", method, path_regex, fn, times)

    def replace(
        self,
        method: str,
        path_regex: str,
        fn: Callable[[ProxyRequest], Forged] | Forged,
        *,
        times: int | None = None,
    ) -> Rule:
        return self._add("replace", method, path_regex, fn, times)

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def _take(self, kind: str, method: str, path: str) -> Iterator[Rule]:
        with self._lock:
            chosen = [r for r in self._rules if r.kind == kind and r.matches(method, path)]
            for rule in chosen:
                rule.hits += 1
        yield from chosen

    # --- one exchange --------------------------------------------------------------------------
    def handle(self, request: ProxyRequest) -> tuple[int, list[tuple[str, str]], bytes]:
        method, path = request.method, request.path
        for rule in self._take("request", method, path):
            data = request.json()
            forged = rule.fn(data, request)
            request.body = json.dumps(data if forged is None else forged).encode()
        for rule in self._take("replace", method, path):
            answer = rule.fn if isinstance(rule.fn, Forged) else rule.fn(request)
            body, ctype = answer.encode()
            headers = [("Content-Type", ctype), *answer.headers.items()]
            return answer.status, headers, body

        headers = {k: v for k, v in request.headers.items() if k.lower() not in _HOP}
        headers["Accept-Encoding"] = "identity"
        url = path + (f"?{request.query}" if request.query else "")
        upstream = self._http.request(method, url, headers=headers, content=request.body)
        body = upstream.content
        out = [(k, v) for k, v in upstream.headers.multi_items() if k.lower() not in _HOP]
        out = [(k, v.replace(self.upstream, self.url) if k.lower() == "location" else v) for k, v in out]
        for rule in self._take("response", method, path):
            data = json.loads(body)
            forged = rule.fn(data, request)
            body = json.dumps(data if forged is None else forged).encode()
        for rule in self._take("text", method, path):
            body = rule.fn(body.decode(), request).encode()
        return upstream.status_code, out, body


def _handler(proxy: MaliciousProxy) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet
            pass

        def _any(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            request = ProxyRequest(
                self.command, parts.path, parts.query, {k: v for k, v in self.headers.items()}, body
            )
            try:
                status, headers, payload = proxy.handle(request)
            except Exception as exc:  # a broken rule must fail loudly, not hang the client
                status, payload = 599, f"malicious proxy: {type(exc).__name__}: {exc}".encode()
                headers = [("Content-Type", "text/plain")]
            proxy.log.append((self.command, parts.path, status))
            self.send_response(status)
            for key, value in headers:
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _any

    return Handler
