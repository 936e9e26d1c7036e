"""A thin, typed HTTP session against the Scrutin API."""

from __future__ import annotations

from typing import Any

import httpx


class ApiError(Exception):
    """An error answer from the server: ``{"error": code, "detail": text}``, and ``field``
    (the request field it is about, e.g. ``rules.need_groups[0]``) when the server names one."""

    def __init__(self, status: int, code: str, detail: str, field: str | None = None) -> None:
        super().__init__(f"{status} {code}: {detail}")
        self.status = status
        self.code = code
        self.detail = detail
        self.field = field


class ScrutinSession:
    def __init__(
        self, base_url: str, token: str | None = None, http: httpx.Client | None = None, timeout: float = 60.0
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.http = http or httpx.Client(base_url=self.base_url, timeout=timeout)
        self.token = token
        self.username: str | None = None

    def close(self) -> None:
        self.http.close()

    def dev_login(self, username: str) -> ScrutinSession:
        data = self.post("/api/v1/auth/dev-login", {"username": username})
        self.token, self.username = data["token"], username
        return self

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def request(self, method: str, path: str, body: Any = None, params: dict[str, Any] | None = None) -> Any:
        response = self.http.request(method, path, json=body, params=params, headers=self._headers())
        if response.status_code >= 400:
            try:
                data = response.json()
                raise ApiError(
                    response.status_code,
                    data.get("error", "http_error"),
                    data.get("detail", response.text),
                    data.get("field"),
                )
            except ValueError:
                raise ApiError(response.status_code, "http_error", response.text) from None
        return response.json() if response.content else None

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.request("GET", path, params=params)

    def post(self, path: str, body: Any = None) -> Any:
        return self.request("POST", path, body if body is not None else {})

    def patch(self, path: str, body: Any) -> Any:
        return self.request("PATCH", path, body)

    def delete(self, path: str) -> Any:
        return self.request("DELETE", path)

    def board(self, election_id: str) -> list[dict[str, Any]]:
        """The whole public board of an election, following pages."""
        events: list[dict[str, Any]] = []
        after = 0
        while True:
            page = self.get(f"/api/v1/elections/{election_id}/board", {"after": after, "limit": 1000})
            events.extend(page["events"])
            if len(page["events"]) < 1000:
                return events
            after = events[-1]["seq"]
