"""Refuse oversized request bodies, and control characters in URLs, before anything parses
them."""

from __future__ import annotations

import json
import re
from urllib.parse import unquote_to_bytes

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodySizeLimit:
    def __init__(self, app: ASGIApp, max_bytes: int, max_mix_bytes: int | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        # A mix carries every counted ranked ballot re-encrypted, with its shuffle proof
        # (~400 bytes per row): its own, larger limit (SCRUTIN_MAX_MIX_BYTES).
        self.max_mix_bytes = max_mix_bytes or max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.max_mix_bytes if str(scope.get("path", "")).endswith("/tally/mixes") else self.max_bytes
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._refuse(send)
            return
        seen = 0

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise _TooLarge
            return message

        try:
            await self.app(scope, limited_receive, send)
        except _TooLarge:
            await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        await _send_error(send, 413, "payload_too_large", f"request body exceeds {self.max_bytes} bytes")


class _TooLarge(Exception):
    pass


_CONTROL_BYTES = re.compile(rb"[\x00-\x1f\x7f]")


class UrlCharacterGuard:
    """Paths and query strings never carry control characters (a NUL in an election id
    would reach PostgreSQL, which refuses it with an error): 422, as for a body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            raw_path = scope.get("raw_path") or scope.get("path", "").encode("utf-8", "replace")
            for part in (raw_path, scope.get("query_string") or b""):
                if _CONTROL_BYTES.search(unquote_to_bytes(part)):
                    await _send_error(send, 422, "invalid_request", "the URL contains a control character")
                    return
        await self.app(scope, receive, send)


async def _send_error(send: Send, status: int, code: str, detail: str) -> None:
    body = json.dumps({"error": code, "detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
