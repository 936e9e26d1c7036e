"""An election whose largest ballot would not fit the request limit is refused at creation
and edit, with the limit explained (issue 13: 20 questions x 100 candidates was accepted and
every ballot then got 413)."""

from __future__ import annotations

import json

import pytest

from app.schemas.elections import QuestionIn
from app.services.elections import max_ballot_bytes
from crypto.ballots import BallotContext, QuestionSpec, encrypt_ballot
from crypto.credentials import CredentialKey
from crypto.group import G, Scalar
from tests.service.helpers import ADMIN, election_config, login


def _question(kind: str, n: int, **kw) -> dict:  # type: ignore[no-untyped-def]
    return {
        "kind": kind,
        "title": {"en": "Q"},
        "candidates": [{"name": {"en": f"C{i}"}} for i in range(n)],
        **kw,
    }


def _real_size(questions: list[QuestionIn]) -> int:
    specs = [
        QuestionSpec(
            q.kind,
            len(q.candidates),
            q.min_selections if q.kind != "sonc" else 0,
            q.max_selections if q.kind != "sonc" else None,
        )
        for q in questions
    ]
    ctx = BallotContext("e-" + "x" * 62, "ab" * 32, G * Scalar.random(), tuple(specs))
    choices = []
    for q in questions:
        n = len(q.candidates)
        if q.kind == "sonc":
            choices.append([1] * n)
        else:
            choices.append([1] * (q.max_selections or n) + [0] * (n - (q.max_selections or n)))
    ballot = encrypt_ballot(ctx, choices, CredentialKey.generate())
    return len(json.dumps({"ballot": ballot}))  # with spaces: the larger of the two forms


@pytest.mark.parametrize(
    "questions",
    [
        [_question("sonc", 1)],
        [_question("sonc", 17)],
        [_question("sonc", 3)] * 4,
        [_question("approval", 12)],
        [_question("approval", 12, max_selections=11)],
        [_question("approval", 9, min_selections=2, max_selections=5)],
        [_question("plurality", 15)],
        [_question("sonc", 5), _question("plurality", 4)],
    ],
)
def test_the_bound_is_an_upper_bound_and_not_far_off(questions) -> None:
    parsed = [QuestionIn.model_validate(q) for q in questions]
    real, bound = _real_size(parsed), max_ballot_bytes(parsed)
    assert real <= bound <= real * 1.25 + 300


def test_an_election_nobody_could_vote_in_is_refused(client, app) -> None:
    admin = login(client, ADMIN)
    headers = admin._headers()
    huge = election_config() | {"questions": [_question("sonc", 100)] * 20}
    before = len(admin.get("/api/v1/elections"))
    response = admin.http.post("/api/v1/elections", json=huge, headers=headers)
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "ballot_too_large"
    assert "1048576" in body["detail"] and "SCRUTIN_MAX_REQUEST_BYTES" in body["detail"]
    assert len(admin.get("/api/v1/elections")) == before
    # 4 support/oppose/neutral questions of 100 candidates fit in 1 MiB; 5 do not (ballot
    # version 2 carries the proof commitments: 8 and 9 in version 1).
    eid = admin.post("/api/v1/elections", election_config() | {"questions": [_question("sonc", 100)] * 4})[
        "id"
    ]
    edited = admin.http.patch(
        f"/api/v1/elections/{eid}", headers=headers, json={"questions": [_question("sonc", 100)] * 5}
    )
    assert edited.status_code == 422 and edited.json()["error"] == "ballot_too_large"
    assert len(admin.get(f"/api/v1/elections/{eid}")["questions"]) == 4


def test_the_limit_follows_the_setting(settings, tmp_path) -> None:
    from fastapi.testclient import TestClient

    from app.main import create_app

    application = create_app(
        settings.model_copy(update={"max_request_bytes": 8 * 1048576}), run_scheduler=False
    )
    try:
        with TestClient(application) as http:
            admin = login(http, ADMIN)
            created = admin.post(
                "/api/v1/elections", election_config() | {"questions": [_question("sonc", 100)] * 20}
            )
            assert len(created["questions"]) == 20
    finally:
        application.state.engine.dispose()
