"""Re-voting from any device (issue 14, part C), in a real browser: a struck, invited voter
re-votes from a fresh browser context (a public credential_replaced, shown on the status); after
``scrutin vote --dev-user Alice`` on the command line, Alice votes again in the browser by typing
the credential code the CLI printed."""

from __future__ import annotations

import re

import httpx
import pytest
from typer.testing import CliRunner

from app.cli import cli
from app.config import Settings
from app.local_server import live_server
from tests.service.helpers import login, open_election

pytestmark = pytest.mark.browser
TIMEOUT = 30_000


@pytest.fixture
def server(database_url, tmp_path):
    from tests.conftest import TEST_SECRET

    settings = Settings(
        environment="test",
        dev_login=True,
        secret_key=TEST_SECRET,
        database_url=database_url,
        data_dir=tmp_path,
        demo=False,
        admins="Admin",
        scheduler_interval_seconds=1.0,
    )
    with live_server(settings) as url:
        yield url


def _booth(chromium, server: str, eid: str, name: str):
    context = chromium.new_context(base_url=server, locale="en-US")
    context.set_default_timeout(TIMEOUT)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto("/login?lang=en")
    page.fill("#username", name)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))
    page.goto(f"/elections/{eid}")
    page.wait_for_selector("body[data-status-ready='1']")
    return context, page, errors


def _vote(page, value: int) -> str:
    page.wait_for_selector("body[data-booth-ready='1']")
    for i in range(3):
        page.check(f"input[name='q0-c{i}'][value='{value}']")
    page.click("#encrypt-button")
    page.wait_for_selector("#encrypted-box:not([hidden])")
    page.click("#cast-button")
    page.wait_for_selector("#receipt-check.ok")
    return page.locator("#receipt-tracker").inner_text()


def test_struck_voter_revotes_from_a_fresh_browser(chromium, server, tmp_path) -> None:
    with httpx.Client(base_url=server, timeout=60) as http:
        admin, eid, _ = open_election(http, tmp_path, ["Ann", "Ben"], candidates=3)
        admin.post(f"/api/v1/elections/{eid}/roles", {"username": "Scrut", "role": "scrutineer"})
        first_ctx, first, errors = _booth(chromium, server, eid, "Ann")
        _vote(first, 1)
        assert first.locator("#new-code").inner_text()  # the code, shown once
        old = login(http, "Ann", server).get(f"/api/v1/elections/{eid}/me")
        login(http, "Scrut", server).post(
            f"/api/v1/elections/{eid}/scrutiny/strike",
            {
                "trackers": [old["current_tracker"]],
                "reason_code": "other",
                "reason_text": "test",
                "invite_to_revote": True,
            },
        )
        first_ctx.close()

        fresh_ctx, page, errors2 = _booth(chromium, server, eid, "Ann")
        tracker = _vote(page, -1)
        status = login(http, "Ann", server).get(f"/api/v1/elections/{eid}/me")
        assert status["current_tracker"] == tracker and status["has_voted"]
        assert status["credential"] != old["credential"]
        replaced = [e for e in admin.board(eid) if e["type"] == "credential_replaced"]
        assert replaced and replaced[0]["payload"]["old_credential"] == old["credential"]
        page.reload()
        page.wait_for_selector("#credential-replacements li")
        assert page.locator("#credential-replacements li").get_attribute("data-seq") == str(
            replaced[0]["seq"]
        )
        assert not errors and not errors2
        fresh_ctx.close()


def test_cli_vote_then_browser_vote_with_the_code(chromium, server, tmp_path) -> None:
    with httpx.Client(base_url=server, timeout=60) as http:
        admin, eid, _ = open_election(http, tmp_path, ["Alice"], candidates=3)
        result = CliRunner().invoke(
            cli, ["vote", "--election", eid, "--choices", "1,1,1", "--url", server, "--dev-user", "Alice"]
        )
        assert result.exit_code == 0, result.output
        code = re.search(r"your credential code: ([1-9A-Za-z-]{19})", result.output).group(1)
        before = login(http, "Alice", server).get(f"/api/v1/elections/{eid}/me")

        context, page, errors = _booth(chromium, server, eid, "Alice")
        page.wait_for_selector("#credential-code-box:not([hidden])")
        assert page.is_disabled("#encrypt-button")
        page.fill("#credential-code", "1111-1111-1111-1111")  # a typo: refused, nothing stored
        page.click("#credential-code-button")
        page.wait_for_selector("#credential-code-error.error")
        page.fill("#credential-code", code)
        page.click("#credential-code-button")
        tracker = _vote(page, -1)
        after = login(http, "Alice", server).get(f"/api/v1/elections/{eid}/me")
        assert after["credential"] == before["credential"]  # no replacement: the same key
        assert after["current_tracker"] == tracker != before["current_tracker"]
        assert not [e for e in admin.board(eid) if e["type"] == "credential_replaced"]
        assert not errors
        context.close()
