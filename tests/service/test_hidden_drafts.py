"""A draft is invisible to everyone without a role in it: every GET route with an election id
answers for a hidden draft exactly as for an id that does not exist (issue 13)."""

from __future__ import annotations

import re

import fastapi.routing
import pytest
from starlette.routing import Route

from tests.service.helpers import ADMIN, election_config, login

MISSING = "no-such-election"
DUMMIES = {"tracker": "0" * 64, "role": "committee", "username": "Nobody"}


def all_routes(app) -> list[tuple[str, set[str]]]:  # type: ignore[no-untyped-def]
    """(path, methods) of every route, including those of included routers."""
    if hasattr(fastapi.routing, "iter_route_contexts"):  # FastAPI ≥ 0.16x: included routers
        contexts = fastapi.routing.iter_route_contexts(app.routes)
        return [
            (c.path, set(c.original_route.methods or ()))
            for c in contexts
            if c.path and isinstance(c.original_route, Route)
        ]
    return [(r.path, set(r.methods or ())) for r in app.routes if isinstance(r, Route)]


def election_get_routes(app) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted({path for path, methods in all_routes(app) if "GET" in methods and "{election_id}" in path})


def _fill(path: str, election_id: str) -> str:
    return re.sub(
        r"\{(\w+)\}",
        lambda m: election_id if m.group(1) == "election_id" else DUMMIES.get(m.group(1), "x"),
        path,
    )


def _normalised(response, election_id: str):  # type: ignore[no-untyped-def]
    return response.status_code, response.text.replace(election_id, "<id>")


def test_there_are_routes_to_check(app) -> None:
    paths = election_get_routes(app)
    assert len(paths) >= 15
    assert "/api/v1/elections/{election_id}/board" in paths
    assert "/elections/{election_id}" in paths


@pytest.mark.parametrize("who", [None, "Stranger"])
def test_hidden_draft_answers_like_a_missing_id(client, app, who) -> None:
    admin = login(client, ADMIN)
    draft = admin.post("/api/v1/elections", election_config())["id"]
    admin.post(f"/api/v1/elections/{draft}/roll", {"usernames": ["Stranger"]})
    headers = {"Authorization": f"Bearer {login(client, who).token}"} if who else {}
    client.cookies.clear()  # the logins set session cookies; only ``headers`` speak
    differing = []
    for path in election_get_routes(app):
        hidden = client.get(_fill(path, draft), headers=headers, follow_redirects=False)
        missing = client.get(_fill(path, MISSING), headers=headers, follow_redirects=False)
        if _normalised(hidden, draft) != _normalised(missing, MISSING):
            differing.append(
                (path, hidden.status_code, hidden.text[:120], missing.status_code, missing.text[:120])
            )
        assert hidden.status_code < 500 and missing.status_code < 500, path
    assert differing == [], "\n".join(map(str, differing))
    # The committee still sees its draft.
    assert (
        client.get(
            f"/api/v1/elections/{draft}", headers={"Authorization": f"Bearer {admin.token}"}
        ).status_code
        == 200
    )
