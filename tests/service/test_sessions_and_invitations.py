"""Issue 13, part A: invitations are not logins; sessions live on the server.

The attack of the issue, replayed: the committee of election B tries to mint links for an
administrator, for trustees, scrutineers and credential authorities of another election, and for
a voter of another election; a valid link's session tries to act outside voting in its own
election. Then single use, expiry, revocation by the committee, logout and revocation by an
administrator, and the audit entries each step leaves.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from app.client.http import ScrutinSession
from app.client.voter import VoterClient
from app.db import transaction
from app.models import Election, Invitation, LoginSession, Voter
from app.services import audit, identity
from tests.service.helpers import ADMIN, election_config, login, open_election
from tests.ui.conftest import csrf_token

HEADERS = {"X-Scrutin-Request": "1"}
_SUFFIX = {"value": ""}


def N(name: str) -> str:  # noqa: N802 - reads like the name it stands for
    """A user name unique to the running test (the database is shared by the whole session,
    and a role held anywhere makes a user uninvitable)."""
    return f"{name}{_SUFFIX['value']}"


@pytest.fixture(autouse=True)
def _unique_names() -> None:
    _SUFFIX["value"] = "_" + secrets.token_hex(3)


def _browser(app) -> TestClient:
    """A fresh browser: its own cookie jar, and the header our pages send on writes."""
    browser = TestClient(app)
    browser.headers.update(HEADERS)
    return browser


def _link_path(url: str) -> str:
    return "/auth/invite/" + url.rsplit("/auth/invite/", 1)[1]


def _audit(admin: ScrutinSession, election_id: str) -> list[dict[str, Any]]:
    return admin.get(f"/api/v1/elections/{election_id}/audit")["entries"]


def _instance_audit(app) -> list[Any]:
    with transaction(app.state.sessions) as session:
        return [audit.to_json(e) for e in audit.entries(session, audit.INSTANCE_SCOPE)]


@pytest.fixture
def world(client, app, tmp_path) -> dict[str, Any]:
    """Election A: open, voters VoterA, Shared, Invitee and Late, one trustee, a scrutineer.
    Election B: a draft with a credential authority, whose committee member CommB is not an
    admin, its roll VoterB, Shared and Admin. Names carry the test's suffix (N)."""
    admin, a_id, _ = open_election(
        client,
        tmp_path,
        [N("VoterA"), N("Shared"), N("Invitee"), N("Late")],
        trustees=1,
        threshold=1,
        voter_list_public=False,
    )
    admin.post(f"/api/v1/elections/{a_id}/roles", {"username": N("ScrutA"), "role": "scrutineer"})
    b_id = admin.post("/api/v1/elections", election_config(trustees=1, threshold=1))["id"]
    admin.post(
        f"/api/v1/elections/{b_id}/roles", {"username": N("AuthorityB"), "role": "credential_authority"}
    )
    admin.post(f"/api/v1/elections/{b_id}/roles", {"username": N("CommB"), "role": "committee"})
    admin.post(f"/api/v1/elections/{b_id}/roll", {"usernames": [N("VoterB"), N("Shared"), ADMIN]})
    return {"admin": admin, "a": a_id, "b": b_id, "comm_b": login(client, N("CommB"))}


def _invite(session: ScrutinSession, election_id: str, *names: str) -> dict[str, str]:
    return session.post(f"/api/v1/elections/{election_id}/invitations", {"usernames": list(names)})["links"]


def _refusal(session: ScrutinSession, election_id: str, *names: str) -> tuple[int, str, str]:
    response = session.http.post(
        f"/api/v1/elections/{election_id}/invitations",
        json={"usernames": list(names)},
        headers={"Authorization": f"Bearer {session.token}"},
    )
    body = response.json()
    return response.status_code, body["error"], body["detail"]


# --- creation -------------------------------------------------------------------------------


def test_links_for_privileged_accounts_or_off_roll_names_are_refused(world, app) -> None:
    comm_b, b_id, a_id = world["comm_b"], world["b"], world["a"]
    # Admin is on B's roll: it is the position, not the roll, that refuses it.
    for name, position in (
        (ADMIN, "instance administrator"),
        ("Trustee1", f"trustee of {a_id}"),
        (N("ScrutA"), f"scrutineer of {a_id}"),
        (N("AuthorityB"), f"credential_authority of {b_id}"),
        (N("CommB"), f"committee of {b_id}"),
    ):
        status, code, detail = _refusal(comm_b, b_id, name)
        assert (status, code) == (403, "invitation_privileged"), name
        assert position in detail
    # A voter of another election is not on B's roll; neither is a made-up name, nor a name
    # listed but decided ineligible.
    with transaction(app.state.sessions) as session:
        session.add(
            Voter(
                election_id=b_id,
                username=N("Ineligible"),
                eligible=False,
                decision={"reasons": ["too few edits"]},
                added_at=datetime.now(UTC),
            )
        )
    for name in (N("VoterA"), N("Nobody"), N("Ineligible")):
        assert _refusal(comm_b, b_id, name)[:2] == (422, "invitation_not_on_roll")
    # All or nothing: one bad name in the list and no link is made for anyone.
    assert _refusal(comm_b, b_id, N("VoterB"), ADMIN)[:2] == (403, "invitation_privileged")
    assert comm_b.get(f"/api/v1/elections/{b_id}/invitations")["invitations"] == []
    # And B's committee cannot make links for election A at all.
    assert _refusal(comm_b, a_id, N("VoterA"))[:2] == (403, "forbidden")

    refused = [e for e in _audit(world["admin"], b_id) if e["action"] == "invitations.refused"]
    assert len(refused) == 9
    assert all(e["actor"] == N("CommB") for e in refused)
    assert refused[0]["detail"] == {
        "recipients": [ADMIN],
        "reason": "invitation_privileged",
        "refused": [ADMIN],
    }
    assert refused[-1]["detail"]["recipients"] == [N("VoterB"), ADMIN]


def test_creation_is_audited_with_its_recipients(world, app) -> None:
    comm_b, b_id = world["comm_b"], world["b"]
    links = _invite(comm_b, b_id, N("VoterB"), N("Shared"))
    assert set(links) == {N("VoterB"), N("Shared")}
    listed = comm_b.get(f"/api/v1/elections/{b_id}/invitations")["invitations"]
    assert {(i["username"], i["state"], i["created_by"]) for i in listed} == {
        (N("VoterB"), "unused", N("CommB")),
        (N("Shared"), "unused", N("CommB")),
    }
    entry = [e for e in _audit(world["admin"], b_id) if e["action"] == "invitations.create"][-1]
    assert entry["actor"] == N("CommB")
    assert entry["detail"]["recipients"] == [N("VoterB"), N("Shared")]
    assert entry["detail"]["invitations"] == {i["username"]: i["id"] for i in listed}
    # Only the token's hash is kept: the link appears nowhere in the database or the log.
    token = links[N("VoterB")].rsplit("/", 1)[1]
    with transaction(app.state.sessions) as session:
        stored = session.scalars(select(Invitation)).all()
    assert token not in repr([(i.token_hash, i.id) for i in stored])
    assert identity.hash_token(token) in {i.token_hash for i in stored}
    assert token not in repr(_audit(world["admin"], b_id))


def test_links_are_refused_once_voting_has_ended(world, app) -> None:
    admin, a_id = world["admin"], world["a"]
    with transaction(app.state.sessions) as session:
        session.execute(
            update(Election)
            .where(Election.id == a_id)
            .values(ends_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    status, code, _ = _refusal(admin, a_id, N("VoterA"))
    assert (status, code) == (409, "wrong_phase")


# --- what a link's session may do -----------------------------------------------------------


def test_a_links_session_may_only_vote_in_its_election(world, app) -> None:
    admin, a_id, b_id = world["admin"], world["a"], world["b"]
    # B's committee invites Shared, who is on both rolls: the session votes in B only.
    shared_link = _invite(world["comm_b"], b_id, N("Shared"))[N("Shared")]
    link = _invite(admin, a_id, N("Invitee"))[N("Invitee")]
    browser = _browser(app)
    opened = browser.get(_link_path(link), follow_redirects=False)
    assert opened.status_code == 303 and opened.headers["location"] == f"/elections/{a_id}"
    token = browser.cookies["scrutin_session"]

    # Voting in A works, as Invitee, from the cookie.
    invitee = VoterClient(ScrutinSession("http://testserver", http=browser), a_id)
    assert invitee.status()["username"] == N("Invitee") and invitee.status()["can_cast"]
    receipt = invitee.cast([[1, -1, 0]])
    assert receipt["tracker"]

    # Everything else treats it as anonymous or refuses it, by cookie or as a bearer token.
    bearer = {"Authorization": f"Bearer {token}"}
    for headers in ({}, bearer):
        me = browser.get("/api/v1/auth/me", headers=headers).json()
        assert me["username"] is None and "is_admin" not in me
        for method, path, body in (
            ("GET", f"/api/v1/elections/{a_id}/roles", None),
            ("POST", f"/api/v1/elections/{a_id}/roles", {"username": N("Invitee"), "role": "scrutineer"}),
            ("GET", f"/api/v1/elections/{a_id}/audit", None),
            ("GET", f"/api/v1/elections/{a_id}/scrutiny/voters?pii=true", None),
            ("GET", f"/api/v1/elections/{a_id}/scrutiny/signals", None),
            ("GET", f"/api/v1/elections/{a_id}/invitations", None),
            ("POST", f"/api/v1/elections/{a_id}/invitations", {"usernames": [N("VoterA")]}),
            ("POST", f"/api/v1/elections/{a_id}/pause", {"reason": "mine now"}),
            ("POST", "/api/v1/elections", election_config()),
            ("GET", f"/api/v1/users/{N('Invitee')}/sessions", None),
            ("DELETE", f"/api/v1/users/{N('VoterA')}/sessions", None),
            ("GET", f"/api/v1/elections/{b_id}/me", None),
            ("POST", f"/api/v1/elections/{b_id}/credential", {"public_key": "00" * 32}),
            ("POST", f"/api/v1/elections/{b_id}/ballots", {"ballot": {}}),
        ):
            response = browser.request(method, path, json=body, headers=headers)
            assert response.status_code == 403, (method, path, response.text)
            assert response.json()["error"] == "invitation_scope", (method, path)
        # The hidden voter list stays hidden; B (a draft) does not exist for it.
        assert browser.get(f"/api/v1/elections/{a_id}/voted", headers=headers).status_code == 403
        assert browser.get(f"/api/v1/elections/{b_id}", headers=headers).status_code == 404
    # The pages: the booth of A knows the voter; every other page sees a visitor.
    assert f'data-user="{N("Invitee")}"' in browser.get(f"/elections/{a_id}").text
    assert 'data-user=""' in browser.get("/").text
    assert 'data-user=""' in browser.get("/admin").text

    # The link for B gives a session that cannot vote in A (Shared is a voter there too).
    other = _browser(app)
    assert other.get(_link_path(shared_link), follow_redirects=False).status_code == 303
    response = other.get(f"/api/v1/elections/{a_id}/me")
    assert (response.status_code, response.json()["error"]) == (403, "invitation_scope")
    # Shared's own login is untouched: they vote in A themselves.
    assert VoterClient(login(_browser(app), N("Shared")), a_id).cast([[0, 0, 1]])["tracker"]


def test_use_is_single_and_audited(world, app) -> None:
    admin, a_id = world["admin"], world["a"]
    link = _link_path(_invite(admin, a_id, N("Invitee"))[N("Invitee")])
    first, second = _browser(app), _browser(app)
    assert first.get(link, follow_redirects=False).status_code == 303
    token = first.cookies["scrutin_session"]
    # The browser it is bound to may open it again (same session); any other is refused.
    again = first.get(link, follow_redirects=False)
    assert again.status_code == 303 and "set-cookie" not in again.headers
    refused = second.get(link, follow_redirects=False)
    assert (refused.status_code, refused.json()["error"]) == (409, "invitation_used")
    assert "scrutin_session" not in second.cookies
    assert first.get(f"/api/v1/elections/{a_id}/me").json()["username"] == N("Invitee")
    assert first.cookies["scrutin_session"] == token

    invitation = admin.get(f"/api/v1/elections/{a_id}/invitations")["invitations"][0]
    assert invitation["state"] == "used" and invitation["used_at"]
    holder = f"invitation:{invitation['id']} for {N('Invitee')}"
    entries = _audit(admin, a_id)
    uses = [
        (e["actor"], e["action"], e["detail"].get("result") or e["detail"].get("reason"))
        for e in entries
        if e["action"].startswith("invitation.use")
    ]
    assert uses == [
        (holder, "invitation.use", "session_created"),
        (holder, "invitation.use", "same_browser"),
        (holder, "invitation.use_refused", "invitation_used"),
    ]
    # What the voter did through the link is attributed to the link, never to the user alone.
    invitee = VoterClient(ScrutinSession("http://testserver", http=first), a_id)
    invitee.ensure_credential()
    assert all(e["actor"] != N("Invitee") for e in _audit(admin, a_id))
    # A forged or altered link is refused and opens nothing.
    bad = _browser(app).get(link[:-3] + "xyz", follow_redirects=False)
    assert (bad.status_code, bad.json()["error"]) == (401, "invalid_invitation")


def test_a_link_expires_with_voting_and_after_thirty_days(world, app) -> None:
    admin, a_id = world["admin"], world["a"]
    links = _invite(admin, a_id, N("Invitee"), N("Late"), N("VoterA"))
    browser = _browser(app)
    assert browser.get(_link_path(links[N("Invitee")]), follow_redirects=False).status_code == 303
    with transaction(app.state.sessions) as session:
        ends_at = session.get(Election, a_id).ends_at
        row = session.scalars(select(LoginSession).where(LoginSession.username == N("Invitee"))).one()
        # The session lives exactly until voting ends (the election ends in an hour here).
        assert row.expires_at == ends_at and row.scope == f"vote:{a_id}"
        # At most 30 days: this one was made 31 days ago.
        session.execute(
            update(Invitation)
            .where(Invitation.username == N("Late"))
            .values(expires_at=datetime.now(UTC) - timedelta(days=1))
        )
    late = _browser(app).get(_link_path(links[N("Late")]), follow_redirects=False)
    assert (late.status_code, late.json()["error"]) == (401, "invitation_expired")

    # Voting ends: the unused link and the session it made both stop at once.
    with transaction(app.state.sessions) as session:
        past = datetime.now(UTC) - timedelta(seconds=1)
        session.execute(update(Election).where(Election.id == a_id).values(ends_at=past))
        session.execute(update(LoginSession).where(LoginSession.id == row.id).values(expires_at=past))
    expired = _browser(app).get(_link_path(links[N("VoterA")]), follow_redirects=False)
    assert (expired.status_code, expired.json()["error"]) == (401, "invitation_expired")
    response = browser.get(f"/api/v1/elections/{a_id}/me")
    assert (response.status_code, response.json()["error"]) == (401, "session_expired")
    states = {
        i["username"]: i["state"] for i in admin.get(f"/api/v1/elections/{a_id}/invitations")["invitations"]
    }
    assert states == {N("Invitee"): "expired", N("Late"): "expired", N("VoterA"): "expired"}
    reasons = [e["detail"]["reason"] for e in _audit(admin, a_id) if e["action"] == "invitation.use_refused"]
    assert reasons == ["invitation_expired", "invitation_expired"]


def test_the_committee_revokes_links_and_their_sessions(world, app) -> None:
    admin, a_id = world["admin"], world["a"]
    links = _invite(admin, a_id, N("Invitee"), N("VoterA"))
    browser = _browser(app)
    assert browser.get(_link_path(links[N("Invitee")]), follow_redirects=False).status_code == 303
    assert browser.get(f"/api/v1/elections/{a_id}/me").status_code == 200
    ids = {i["username"]: i["id"] for i in admin.get(f"/api/v1/elections/{a_id}/invitations")["invitations"]}

    # Someone without the committee role cannot revoke.
    outsider = world["comm_b"]
    with pytest.raises(Exception) as err:
        outsider.delete(f"/api/v1/elections/{a_id}/invitations/{ids[N('Invitee')]}")
    assert err.value.status == 403  # type: ignore[attr-defined]

    revoked = admin.delete(f"/api/v1/elections/{a_id}/invitations/{ids[N('Invitee')]}")
    assert revoked["state"] == "revoked" and revoked["revoked_by"] == ADMIN
    response = browser.get(f"/api/v1/elections/{a_id}/me")  # at once, mid-session
    assert (response.status_code, response.json()["error"]) == (401, "session_revoked")
    again = browser.get(_link_path(links[N("Invitee")]), follow_redirects=False)
    assert (again.status_code, again.json()["error"]) == (401, "invitation_revoked")
    admin.delete(f"/api/v1/elections/{a_id}/invitations/{ids[N('VoterA')]}")
    unused = _browser(app).get(_link_path(links[N("VoterA")]), follow_redirects=False)
    assert (unused.status_code, unused.json()["error"]) == (401, "invitation_revoked")
    missing = admin.http.delete(
        f"/api/v1/elections/{a_id}/invitations/nope", headers={"Authorization": f"Bearer {admin.token}"}
    )
    assert (missing.status_code, missing.json()["error"]) == (404, "invitation_not_found")

    # A new link for the same voter replaces the earlier one (which stops working).
    first = _invite(admin, a_id, N("VoterA"))[N("VoterA")]
    second = _invite(admin, a_id, N("VoterA"))[N("VoterA")]
    replaced = _browser(app).get(_link_path(first), follow_redirects=False)
    assert replaced.json()["error"] == "invitation_revoked"
    assert _browser(app).get(_link_path(second), follow_redirects=False).status_code == 303
    entries = _audit(admin, a_id)
    revocations = [e["detail"] for e in entries if e["action"] == "invitation.revoke"]
    assert revocations[0] == {
        "invitation": ids[N("Invitee")],
        "username": N("Invitee"),
        "session_ended": True,
    }
    assert [e for e in entries if e["action"] == "invitations.create"][-1]["detail"]["superseded"] != []


def test_a_link_is_refused_if_its_user_became_privileged(world, app) -> None:
    admin, a_id, b_id = world["admin"], world["a"], world["b"]
    link = _invite(admin, a_id, N("VoterA"))[N("VoterA")]
    admin.post(f"/api/v1/elections/{b_id}/roles", {"username": N("VoterA"), "role": "trustee"})
    response = _browser(app).get(_link_path(link), follow_redirects=False)
    assert (response.status_code, response.json()["error"]) == (403, "invitation_privileged")
    # And once off the roll (removed before voting opens), a link is refused too.
    comm_b = world["comm_b"]
    link_b = _invite(comm_b, b_id, N("VoterB"))[N("VoterB")]
    comm_b.post(f"/api/v1/elections/{b_id}/roll", {"usernames": [N("VoterB")], "mode": "remove"})
    response = _browser(app).get(_link_path(link_b), follow_redirects=False)
    assert (response.status_code, response.json()["error"]) == (403, "invitation_not_on_roll")
    refusals = [e for e in _audit(admin, b_id) if e["action"] == "invitation.use_refused"]
    assert refusals[-1]["detail"]["reason"] == "invitation_not_on_roll"
    assert refusals[-1]["actor"].endswith(" for " + N("VoterB"))


# --- sessions -------------------------------------------------------------------------------


def test_logout_ends_the_session_at_once(client, app) -> None:
    api = ScrutinSession("http://testserver", http=_browser(app)).dev_login(N("Alice"))
    assert api.get("/api/v1/auth/me")["username"] == N("Alice")
    api.post("/api/v1/auth/logout")
    response = api.http.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {api.token}"})
    assert (response.status_code, response.json()["error"]) == (401, "session_revoked")
    # The cookie flavour: the page's logout form ends it as well.
    browser = _browser(app)
    browser.post("/api/v1/auth/dev-login", json={"username": N("Bob")})
    token = browser.cookies["scrutin_session"]
    assert browser.get("/api/v1/auth/me").json()["username"] == N("Bob")
    assert browser.post("/api/v1/auth/logout").json() == {"status": "logged_out"}
    response = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert response.json()["error"] == "session_revoked"
    # Logging out twice, or with a dead token, is not an error.
    assert api.post("/api/v1/auth/logout") == {"status": "logged_out"}


def test_tokens_are_random_and_only_their_hash_is_stored(client, app) -> None:
    one = login(_browser(app), N("Alice")).token
    two = login(_browser(app), N("Alice")).token
    assert one != two and N("Alice") not in one and len(one) >= 40
    with transaction(app.state.sessions) as session:
        rows = session.scalars(select(LoginSession).where(LoginSession.username == N("Alice"))).all()
    assert {r.id for r in rows} == {identity.hash_token(one), identity.hash_token(two)}
    assert all(r.method == "development" and r.scope == "" for r in rows)
    # A token that looks like the old signed ones, or an absurdly long one, is just invalid.
    for forged in ("eyJ1IjoiQWRtaW4ifQ.Z0.sig", "x" * 5000):
        response = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {forged}"})
        assert (response.status_code, response.json()["error"]) == (401, "invalid_session")


def test_sessions_expire(client, app) -> None:
    api = login(_browser(app), N("Alice"))
    with transaction(app.state.sessions) as session:
        session.execute(
            update(LoginSession)
            .where(LoginSession.id == identity.hash_token(api.token))
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    response = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {api.token}"})
    assert (response.status_code, response.json()["error"]) == (401, "session_expired")


def test_an_admin_revokes_another_users_sessions(client, app) -> None:
    admin = login(_browser(app), ADMIN)
    phone, laptop = login(_browser(app), N("Alice")), login(_browser(app), N("Alice"))
    listed = admin.get(f"/api/v1/users/{N('Alice')}/sessions")["sessions"]
    assert [s["state"] for s in listed] == ["active", "active"]
    assert {s["id"] for s in listed} == {identity.hash_token(phone.token), identity.hash_token(laptop.token)}
    # Not for anyone else: Alice cannot list or end Bob's sessions (nor her own this way).
    bob = login(_browser(app), N("Bob"))
    for method in ("GET", "DELETE"):
        response = phone.http.request(
            method, f"/api/v1/users/{N('Bob')}/sessions", headers={"Authorization": f"Bearer {phone.token}"}
        )
        assert response.status_code == 403
    assert bob.get("/api/v1/auth/me")["username"] == N("Bob")

    one = identity.hash_token(phone.token)
    assert admin.delete(f"/api/v1/users/{N('Alice')}/sessions/{one}") == {
        "username": N("Alice"),
        "revoked": 1,
    }
    response = phone.http.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {phone.token}"})
    assert response.json()["error"] == "session_revoked"
    assert laptop.get("/api/v1/auth/me")["username"] == N("Alice")
    missing = admin.http.delete(
        f"/api/v1/users/{N('Alice')}/sessions/{one}", headers={"Authorization": f"Bearer {admin.token}"}
    )
    assert (missing.status_code, missing.json()["error"]) == (404, "session_not_found")
    assert admin.delete(f"/api/v1/users/{N('Alice')}/sessions") == {"username": N("Alice"), "revoked": 1}
    response = laptop.http.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {laptop.token}"})
    assert response.json()["error"] == "session_revoked"
    assert [s["state"] for s in admin.get(f"/api/v1/users/{N('Alice')}/sessions")["sessions"]] == [
        "revoked",
        "revoked",
    ]
    # The instance log is shared with other tests of the session: only this test's user.
    entries = [
        e
        for e in _instance_audit(app)
        if e["action"] == "sessions.revoke" and e["detail"]["username"] == N("Alice")
    ]
    assert [(e["actor"], e["detail"]["username"], e["detail"]["sessions"]) for e in entries] == [
        (ADMIN, N("Alice"), 1),
        (ADMIN, N("Alice"), 1),
    ]


def test_the_page_login_and_logout_use_server_sessions(client, app) -> None:
    browser = TestClient(app)
    csrf = csrf_token(browser)
    response = browser.post(
        "/login", data={"username": N("Carol"), "csrf_token": csrf, "next": "/"}, follow_redirects=False
    )
    assert response.status_code == 303
    token = browser.cookies["scrutin_session"]
    assert f'data-user="{N("Carol")}"' in browser.get("/").text
    browser.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    response = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert response.json()["error"] == "session_revoked"


def test_the_scheduler_purges_long_ended_sessions(client, app) -> None:
    from app.scheduler import Scheduler

    api = login(_browser(app), N("Alice"))
    with transaction(app.state.sessions) as session:
        session.execute(
            update(LoginSession)
            .where(LoginSession.id == identity.hash_token(api.token))
            .values(expires_at=datetime.now(UTC) - timedelta(days=31))
        )
    Scheduler(app.state.sessions).tick()
    with transaction(app.state.sessions) as session:
        assert session.get(LoginSession, identity.hash_token(api.token)) is None
