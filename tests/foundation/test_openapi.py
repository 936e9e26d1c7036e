"""The OpenAPI document describes errors as they are and declares how to authenticate."""

from __future__ import annotations


def test_errors_are_documented_as_they_are(client) -> None:
    doc = client.get("/api/v1/openapi.json").json()
    assert doc["components"]["schemas"]["Error"]["required"] == ["error", "detail"]
    assert "HTTPValidationError" not in doc["components"]["schemas"]
    assert "HTTPValidationError" not in str(doc)
    operations = [(path, method, op) for path, ops in doc["paths"].items()
                  for method, op in ops.items()]
    assert len(operations) > 40
    for path, method, op in operations:
        for code, response in op["responses"].items():
            if code.startswith(("4", "5")):
                assert response["content"]["application/json"]["schema"] == {
                    "$ref": "#/components/schemas/Error"}, (path, method, code)
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
    assert schemes["bearer"] == {"type": "http", "scheme": "bearer",
                                 "description": schemes["bearer"]["description"]}
    assert schemes["session_cookie"]["in"] == "cookie"
    paths = doc["paths"]
    assert paths["/api/v1/elections"]["post"]["security"] == [{"bearer": []},
                                                              {"session_cookie": []}]
    assert {} in paths["/api/v1/elections/{election_id}/board"]["get"]["security"]
    assert paths["/healthz"]["get"]["security"] == []


def test_a_real_422_matches_the_documented_shape(client) -> None:
    response = client.post("/api/v1/auth/dev-login", json={"nope": 1})
    assert response.status_code == 422
    assert set(response.json()) == {"error", "detail"}
