"""The OpenAPI document describes errors as they are and declares how to authenticate."""

from __future__ import annotations


def test_errors_are_documented_as_they_are(client) -> None:
    doc = client.get("/api/v1/openapi.json").json()
    assert doc["components"]["schemas"]["Error"]["required"] == ["error", "detail"]
    assert "HTTPValidationError" not in doc["components"]["schemas"]
    assert "HTTPValidationError" not in str(doc)
    operations = [(path, method, op) for path, ops in doc["paths"].items() for method, op in ops.items()]
    assert len(operations) > 40
    for path, method, op in operations:
        for code, response in op["responses"].items():
            if code.startswith(("4", "5")):
                assert response["content"]["application/json"]["schema"] == {
                    "$ref": "#/components/schemas/Error"
                }, (path, method, code)
        assert "422" in op["responses"], (path, method)
        if "{election_id}" in path:
            assert "404" in op["responses"], (path, method)
        if "requestBody" in op:
            assert "413" in op["responses"], (path, method)
    cast = doc["paths"]["/api/v1/elections/{election_id}/ballots"]["post"]
    assert {"401", "403", "404", "409", "413", "422"} <= set(cast["responses"])


def test_security_schemes_are_declared(client) -> None:
    doc = client.get("/api/v1/openapi.json").json()
    schemes = doc["components"]["securitySchemes"]
    assert schemes["bearer"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schemes["bearer"]["description"],
    }
    assert schemes["session_cookie"]["in"] == "cookie"
    paths = doc["paths"]
    assert paths["/api/v1/elections"]["post"]["security"] == [{"bearer": []}, {"session_cookie": []}]
    assert {} in paths["/api/v1/elections/{election_id}/board"]["get"]["security"]
    assert paths["/healthz"]["get"]["security"] == []


def test_a_real_422_matches_the_documented_shape(client) -> None:
    response = client.post("/api/v1/auth/dev-login", json={"nope": 1})
    assert response.status_code == 422
    assert set(response.json()) == {"error", "detail"}


def test_every_json_answer_has_a_documented_schema(client) -> None:
    """Each operation that answers JSON declares its response model (app/schemas/responses.py),
    so the document says what comes back, not just what goes in."""
    doc = client.get("/api/v1/openapi.json").json()
    undocumented = []
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            for code, response in op["responses"].items():
                if not code.startswith("2"):
                    continue
                content = response.get("content", {})
                schema = content.get("application/json", {}).get("schema")
                if "application/json" in content and not schema:
                    undocumented.append((method, path, code))
                elif schema == {}:
                    undocumented.append((method, path, code))
    assert not undocumented, undocumented
    cast = doc["paths"]["/api/v1/elections/{election_id}/ballots"]["post"]["responses"]["201"]
    receipt = cast["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    fields = doc["components"]["schemas"][receipt]["properties"]
    assert {"tracker", "board_seq", "board_hash", "server_signature"} <= set(fields)


def test_security_comes_from_the_declared_dependencies(client) -> None:
    """Routes declare who they need as Annotated dependencies (app/api/deps.py); the document's
    security requirements follow them, for every operation."""
    from app.api import deps
    from app.api.openapi import _dependency_calls, _routes

    doc = client.get("/api/v1/openapi.json").json()
    checked = 0
    for route in _routes(client.app):
        calls = _dependency_calls(getattr(route, "dependant", None))
        for method in getattr(route, "methods", None) or ():
            op = doc["paths"].get(route.path, {}).get(method.lower())
            if op is None:
                continue
            if calls & deps.REQUIRED_LOGIN:
                assert op["security"] == [{"bearer": []}, {"session_cookie": []}], route.path
                assert {"401", "403"} <= set(op["responses"]), route.path
                checked += 1
            elif calls & deps.OPTIONAL_LOGIN:
                assert {} in op["security"], route.path
                checked += 1
    assert checked > 40
