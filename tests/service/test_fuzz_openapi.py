"""A bounded schemathesis run over the whole OpenAPI document, against the ASGI app, as an
anonymous client and as an instance administrator: no answer may be a server error (5xx),
have a status the operation does not document, or a body or content type other than the
documented one. Bounded: a fixed number of examples per operation, derandomized (the same
inputs on every run), no example database.

Every operation is tried against a real open election (``election_id`` is replaced by its id
in half of the examples' paths, by the generated value in the others), so routes are
exercised past the 404 of an unknown id."""

from __future__ import annotations

from typing import Any

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.service.helpers import login, open_election

MAX_EXAMPLES = 10
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# Routes whose generated calls would end the caller's own session mid-run.
SKIP = {("POST", "/api/v1/auth/logout")}


def _fuzz(app: Any, headers: dict[str, str], election_id: str) -> list[str]:
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) in SKIP:
            continue

        @hypothesis.settings(
            max_examples=MAX_EXAMPLES,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @hypothesis.given(case=operation.as_strategy(), real=hypothesis.strategies.booleans())
        def run(case, real: bool) -> None:  # type: ignore[no-untyped-def]
            if real and case.path_parameters and "election_id" in case.path_parameters:
                case.path_parameters["election_id"] = election_id
            response = case.call(headers=headers)
            case.validate_response(response, checks=CHECKS)

        try:
            run()
        except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - reported together below
            failures.append(
                f"{operation.method.upper()} {operation.path}: {type(exc).__name__}: {str(exc)[:1500]}"
            )
    return failures


@pytest.fixture
def election_id(client, tmp_path) -> str:
    _, eid, _ = open_election(client, tmp_path, ["Alice", "Bob"])
    return eid


@pytest.mark.parametrize("who", ["anonymous", "admin"])
def test_fuzz_finds_no_server_error_and_no_undocumented_answer(app, client, election_id, who) -> None:
    headers = {}
    if who == "admin":
        headers["Authorization"] = f"Bearer {login(client, 'Admin').token}"
    client.cookies.clear()
    failures = _fuzz(app, headers, election_id)
    assert not failures, "\n\n".join(failures)
