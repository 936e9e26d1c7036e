"""The authorization matrix: every route of the OpenAPI document × every kind of caller, with
the status each must get. A route added without a row here fails the test.

The world: election E is open, with Alice and Bob on its roll (Alice has voted), three
trustees, a scrutineer and an extra scrutineer (``Extra``); the committee of E is the instance
administrator. Election O, a draft, has its own committee member (``OtherChair``), who holds
nothing in E. ``Mallory`` is logged in and holds nothing anywhere.

Requests run in the order of :data:`ROUTES` and, for each route, in the order of
:data:`ROLES`: the callers expected to be refused come first, the allowed ones (the
administrator last) after them, so each refusal is tested in the intended state and only
the allowed calls change anything. The rows are in lifecycle order: reads, then writes that
leave E open, then pause/resume/extend/close, scrutiny, the tally and finally logout.

Bodies are valid (they pass the schema) unless a row says otherwise; where an allowed caller
gets 409 or 422, the row's comment says why (wrong phase for that action, or a body whose
content the service rejects after the role check — never a schema error).

The key-ceremony routes (every path with ``/ceremony``) are asked of election K instead: a
copy of E's roles frozen into ``key_ceremony``, no step taken, so the ceremony is where
those routes are meant to be used (on E they would all answer 409 ``wrong_phase`` first)."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from crypto.credentials import CredentialKey
from tests.service.helpers import election_config, login, open_election, voter

ROLES = ("anonymous", "voter", "off_roll", "other_committee", "trustee", "scrutineer", "admin")
USERS = {
    "voter": "Alice",
    "off_roll": "Mallory",
    "other_committee": "OtherChair",
    "trustee": "Trustee1",
    "scrutineer": "Scrut",
    "admin": "Admin",
}

E = "/api/v1/elections/{election_id}"
HEX32 = "ab" * 32
SIG = "cd" * 64
SEALED = "A" * 64
SECUREPOLL = (
    "<SecurePoll><election><configuration><title>Imported</title>"
    "<ballot>approval</ballot><primaryLang>en</primaryLang><question>"
    '<message name="text" lang="en">Q</message><option>'
    '<message name="text" lang="en">A</message></option></question>'
    "</configuration></election></SecurePoll>"
)


def row(
    anonymous: int, voter: int, off_roll: int, other_committee: int, trustee: int, scrutineer: int, admin: int
) -> dict[str, int]:
    return dict(
        zip(ROLES, (anonymous, voter, off_roll, other_committee, trustee, scrutineer, admin), strict=True)
    )


def everyone(status: int) -> dict[str, int]:
    return dict.fromkeys(ROLES, status)


def committee(status: int, *, hidden: int = 403) -> dict[str, int]:
    """Only E's committee (the administrator); everyone else logged in gets ``hidden``."""
    return row(401, hidden, hidden, hidden, hidden, hidden, status)


def staff(status: int) -> dict[str, int]:
    """The committee and the scrutineers of E."""
    return row(401, 403, 403, 403, 403, status, status)


TRUSTEE_409 = row(401, 403, 403, 403, 409, 403, 403)


def later_end() -> str:
    return (datetime.now(UTC) + timedelta(hours=2)).isoformat()


# (method, path template, body or callable(ctx) -> body, query, expected per role)
# A plain string is a step of the story between rows ("publish").
ROUTES: list[Any] = [
    # --- public and per-user reads
    ("GET", "/healthz", None, None, everyone(200)),
    ("GET", "/readyz", None, None, everyone(200)),
    ("GET", "/metrics", None, None, everyone(200)),  # test server: open (production: a token)
    ("GET", "/api/v1/receipt-key", None, None, everyone(200)),
    ("GET", "/api/v1/auth/me", None, None, everyone(200)),
    ("GET", "/auth/wiki/login", None, None, everyone(404)),  # wiki login not configured
    ("GET", "/auth/wiki/callback", None, None, everyone(401)),  # no login attempt under way
    ("GET", "/auth/invite/{token}", None, None, everyone(401)),  # an unknown link
    ("GET", "/api/v1/elections", None, None, everyone(200)),
    ("GET", E, None, None, everyone(200)),
    ("GET", f"{E}/definition", None, None, everyone(200)),
    ("GET", f"{E}/board", None, None, everyone(200)),
    ("GET", f"{E}/board/head", None, None, everyone(200)),
    ("GET", f"{E}/voted", None, None, everyone(200)),  # the election publishes who voted
    ("GET", f"{E}/trackers/{{tracker}}", None, None, everyone(200)),
    ("GET", f"{E}/ballots/{{tracker}}", None, None, everyone(200)),
    ("GET", f"{E}/record", None, None, everyone(200)),
    # the voter's own status: anyone logged in may ask (they learn they are not eligible)
    ("GET", f"{E}/me", None, None, row(401, 200, 200, 200, 200, 200, 200)),
    # --- committee, scrutiny and trustee reads
    ("GET", f"{E}/roles", None, None, committee(200)),
    ("GET", f"{E}/role-policy", None, None, committee(200)),
    ("GET", f"{E}/eligibility", None, None, committee(200)),
    ("GET", f"{E}/audit", None, None, committee(200)),
    ("GET", f"{E}/outbox", None, None, committee(200)),
    ("GET", f"{E}/invitations", None, None, committee(200)),
    ("GET", f"{E}/scrutiny/voters", None, None, staff(200)),
    ("GET", f"{E}/scrutiny/signals", None, None, staff(200)),
    ("GET", f"{E}/ceremony", None, None, row(401, 403, 403, 403, 200, 403, 200)),
    # sealed shares addressed to the caller: trustees only (the committee holds none)
    ("GET", f"{E}/ceremony/shares", None, None, row(401, 403, 403, 403, 200, 403, 403)),
    ("GET", "/api/v1/users/{username}/sessions", None, None, committee(200)),
    # --- writes that leave E open
    ("POST", "/api/v1/auth/dev-login", {"username": "Newcomer"}, None, everyone(200)),
    # creating an election: instance administrators only
    ("POST", "/api/v1/elections", lambda ctx: election_config(), None, committee(201)),
    ("PATCH", E, {"title": {"en": "Renamed"}}, None, committee(200)),
    ("POST", f"{E}/freeze", None, None, committee(409)),  # E is frozen already
    ("POST", f"{E}/roles", {"username": "Helper", "role": "scrutineer"}, None, committee(201)),
    ("DELETE", f"{E}/roles/{{role}}/{{username}}", None, None, committee(200)),
    # the policy may not change once E left draft: 409 for the committee
    ("PUT", f"{E}/role-policy", {"policy": {}}, None, committee(409)),
    ("PUT", f"{E}/eligibility", {"roll_mode": "list"}, None, committee(409)),
    # E has no eligibility rules: the committee passes the role check and gets 409 no_rules
    ("POST", f"{E}/roll/preview", {"usernames": ["Alice"]}, None, committee(409)),
    ("POST", f"{E}/roll/freeze", {"usernames": ["Alice"]}, None, committee(409)),
    ("POST", f"{E}/roll", {"usernames": ["MatrixInvitee"]}, None, committee(200)),
    ("GET", f"{E}/roll", None, {"q": "matrix"}, committee(200)),
    ("GET", f"{E}/roll/checks", None, None, committee(200)),
    # E's roll was never checked: the committee passes the role check and gets 404
    ("GET", f"{E}/roll/checks/{{check_id}}", None, None, committee(404)),
    # no wiki on this instance: the committee passes the role check and gets 409
    ("POST", f"{E}/wiki/announce", {"subject": {"en": "Vote"}, "body": {"en": "Now"}}, None, committee(409)),
    # E is open: the committee passes the role check and gets 404 no_result
    ("POST", f"{E}/wiki/results", {"page": "Results"}, None, committee(404)),
    # a SecurePoll dump becomes a draft: instance administrators only
    ("POST", "/api/v1/securepoll/import", {"xml": SECUREPOLL}, None, committee(201)),
    ("POST", f"{E}/invitations", {"usernames": ["MatrixInvitee"]}, None, committee(200)),
    ("DELETE", f"{E}/invitations/{{invitation_id}}", None, None, committee(200)),
    ("POST", f"{E}/audit/anchor", None, None, committee(200)),
    # convenient credentials: the voter registered one already (409); others are not on the roll
    (
        "POST",
        f"{E}/credential",
        lambda ctx: {"public_key": CredentialKey.generate().public.hex()},
        None,
        row(401, 409, 403, 403, 403, 403, 403),
    ),
    # only a credential authority uploads credentials (and not in convenient mode)
    (
        "POST",
        f"{E}/credentials",
        {"public_keys": [HEX32], "authority_key": HEX32, "signature": "ab" * 64},
        None,
        committee(403, hidden=403),
    ),
    # Alice's own ballot: a re-vote for her; refused for everyone not on the roll
    (
        "POST",
        f"{E}/ballots",
        lambda ctx: {"ballot": ctx["ballot"]()},
        None,
        row(401, 201, 403, 403, 403, 403, 403),
    ),
    # ceremony messages (on K): a trustee passes the role check and its made-up signature is
    # refused by the replay (409 ceremony_rejected); nobody else may post, the committee neither
    (
        "POST",
        f"{E}/ceremony/join",
        {"round": 1, "signature": SIG, "signing_key": HEX32, "encryption_key": HEX32},
        None,
        TRUSTEE_409,
    ),
    (
        "POST",
        f"{E}/ceremony/commitment-hash",
        {"round": 1, "signature": SIG, "digest": HEX32},
        None,
        TRUSTEE_409,
    ),
    (
        "POST",
        f"{E}/ceremony/commitments",
        {"round": 1, "signature": SIG, "commitments": [HEX32], "proofs": [{"a": "b"}]},
        None,
        TRUSTEE_409,
    ),
    (
        "POST",
        f"{E}/ceremony/shares",
        {"round": 1, "signature": SIG, "sealed": {"2": SEALED}},
        None,
        TRUSTEE_409,
    ),
    (
        "POST",
        f"{E}/ceremony/confirm",
        {"round": 1, "signature": SIG, "fingerprint": HEX32},
        None,
        TRUSTEE_409,
    ),
    (
        "POST",
        f"{E}/ceremony/complaints",
        {"round": 1, "signature": SIG, "complainant_index": 1, "accused_index": 2, "reason": "bad share"},
        None,
        TRUSTEE_409,
    ),
    (
        "POST",
        f"{E}/ceremony/answer",
        {"round": 1, "signature": SIG, "complainant_index": 1, "share": HEX32, "ephemeral_secret": HEX32},
        None,
        TRUSTEE_409,
    ),
    # the committee's ceremony actions: no complaint is open (409); a new round; back to draft
    ("POST", f"{E}/ceremony/no-answer", {"complainant_index": 1, "accused_index": 2}, None, committee(409)),
    ("POST", f"{E}/ceremony/restart", {"reason": "again"}, None, committee(200)),
    ("POST", f"{E}/ceremony/back-to-draft", {"reason": "again"}, None, committee(200)),
    ("POST", f"{E}/revote-invitations", {"usernames": ["Alice"], "reason": "please"}, None, committee(200)),
    # --- the phase actions, in order
    ("POST", f"{E}/pause", {"reason": "checking"}, None, committee(200)),
    ("POST", f"{E}/resume", {"reason": "checked"}, None, committee(200)),
    ("POST", f"{E}/extend", lambda ctx: {"end": later_end(), "reason": "more time"}, None, committee(200)),
    # candidate 0 withdraws: a new ballot version (old ballots kept)
    (
        "POST",
        f"{E}/candidates/change",
        {"position": 0, "reason": "withdrew", "old_ballots": "keep"},
        None,
        committee(200),
    ),
    # the scrutineer strikes (then unstrikes) Alice's first ballot; the committee, asking
    # second, passes the role check and finds nothing left to change (409 nothing_to_change)
    (
        "POST",
        f"{E}/scrutiny/strike",
        lambda ctx: {"trackers": [ctx["tracker"]], "reason_code": "other", "reason_text": "twice"},
        None,
        row(401, 403, 403, 403, 403, 200, 409),
    ),
    (
        "POST",
        f"{E}/scrutiny/unstrike",
        lambda ctx: {"trackers": [ctx["tracker"]], "reason_code": "other", "reason_text": "twice"},
        None,
        row(401, 403, 403, 403, 403, 200, 409),
    ),
    ("POST", f"{E}/close", {"reason": "done"}, None, committee(200)),
    ("POST", f"{E}/scrutiny/start", None, None, committee(200)),
    ("POST", f"{E}/scrutiny/seal", None, None, committee(200)),
    # the tally started with the seal: a second start is 409 for the committee
    ("POST", f"{E}/tally/start", None, None, committee(409)),
    # E has no ranked question: the mix chains are empty; a trustee's mix has nothing to mix
    ("GET", f"{E}/tally/mix", None, None, everyone(200)),
    (
        "POST",
        f"{E}/tally/mixes",
        {
            "round": 1,
            "index": 1,
            "question": 0,
            "position": 0,
            "input_hash": HEX32,
            "output_hash": HEX32,
            "ciphertexts": [],
            "proof": {},
            "signature": SIG,
        },
        None,
        row(401, 403, 403, 403, 409, 403, 403),
    ),
    # a share that is not a valid decryption share: 422 for the trustee after the role check
    ("POST", f"{E}/tally/shares", {"share": {}}, None, row(401, 403, 403, 403, 422, 403, 403)),
    "publish",  # the trustees decrypt: the result is published
    ("GET", f"{E}/tally", None, None, everyone(200)),
    ("GET", f"{E}/results", None, None, everyone(200)),
    ("GET", f"{E}/results.csv", None, None, everyone(200)),
    ("GET", f"{E}/results.wikitext", None, None, everyone(200)),
    # E has no ranked question: no rankings to export
    ("GET", f"{E}/results/{{question}}.blt", None, None, everyone(404)),
    # --- sessions last: revoking and logging out end them
    ("DELETE", "/api/v1/users/{username}/sessions/{session_id}", None, None, committee(404)),
    ("DELETE", "/api/v1/users/{username}/sessions", None, None, committee(200)),
    ("POST", "/api/v1/auth/logout", None, None, everyone(200)),
]


def build_world(client, tmp_path) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    admin, eid, trustees = open_election(client, tmp_path, ["Alice", "Bob"])
    for username in ("Scrut", "Extra"):
        admin.post(f"/api/v1/elections/{eid}/roles", {"username": username, "role": "scrutineer"})
    other = admin.post("/api/v1/elections", election_config())["id"]
    admin.post(f"/api/v1/elections/{other}/roles", {"username": "OtherChair", "role": "committee"})
    alice = voter(client, eid, "Alice")
    receipt = alice.cast([[1, -1, 0]])
    invited = admin.post(f"/api/v1/elections/{eid}/invitations", {"usernames": ["Bob"]})
    ceremony = admin.post("/api/v1/elections", election_config())["id"]
    for i in (1, 2, 3):
        admin.post(f"/api/v1/elections/{ceremony}/roles", {"username": f"Trustee{i}", "role": "trustee"})
    admin.post(f"/api/v1/elections/{ceremony}/roles", {"username": "Scrut", "role": "scrutineer"})
    admin.post(f"/api/v1/elections/{ceremony}/roll", {"usernames": ["Alice", "Bob"]})
    admin.post(f"/api/v1/elections/{ceremony}/freeze")
    tokens = {role: login(client, name).token for role, name in USERS.items()}
    client.cookies.clear()  # every caller below is only its bearer token (anonymous: none)
    return {
        "election_id": eid,
        "ceremony_id": ceremony,
        "trustees": trustees,
        "tracker": receipt["tracker"],
        "tokens": tokens,
        "invitation_id": invited["invitations"][0]["id"],
        "ballot": lambda: alice.make_ballot([[0, 1, -1]]),
    }


def fill(path: str, ctx: dict[str, Any]) -> str:
    user_route = path.startswith("/api/v1/users/")
    election = ctx["ceremony_id"] if "/ceremony" in path else ctx["election_id"]
    return path.format(
        election_id=election,
        tracker=ctx["tracker"],
        token=secrets.token_urlsafe(32),
        invitation_id=ctx["invitation_id"],
        username="Nobody" if user_route else "Extra",
        role="scrutineer",
        session_id="0" * 64,
        question=0,
        check_id=1,
    )


def test_every_route_for_every_role(client, tmp_path) -> None:
    documented = {
        (method.upper(), path) for path, ops in client.app.openapi()["paths"].items() for method in ops
    }
    rows = [r for r in ROUTES if not isinstance(r, str)]
    listed = [(method, path) for method, path, *_ in rows]
    assert len(listed) == len(set(listed)), "a route is listed twice"
    assert documented - set(listed) == set(), "routes without a row in the matrix"
    assert set(listed) - documented == set(), "rows for routes that no longer exist"

    ctx = build_world(client, tmp_path)
    got: dict[tuple[str, str], dict[str, int]] = {}
    details: dict[tuple[str, str, str], str] = {}
    for entry in ROUTES:
        if entry == "publish":
            for trustee in ctx["trustees"][:2]:
                trustee.decrypt()
            continue
        method, path, body, query, _ = entry
        for role in ROLES:
            headers = {}
            if role != "anonymous":
                headers["Authorization"] = f"Bearer {ctx['tokens'][role]}"
            payload = body(ctx) if callable(body) else body
            client.cookies.clear()
            response = client.request(
                method, fill(path, ctx), json=payload, params=query, headers=headers, follow_redirects=False
            )
            got.setdefault((method, path), {})[role] = response.status_code
            details[(method, path, role)] = response.text[:200]
    wrong = [
        f"{method} {path} as {role}: expected {expected[role]}, got {got[(method, path)][role]}"
        f" {details[(method, path, role)]}"
        for method, path, _, _, expected in rows
        for role in ROLES
        if got[(method, path)][role] != expected[role]
    ]
    assert not wrong, "\n" + "\n".join(wrong)
