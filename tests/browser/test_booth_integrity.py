"""The booth casts exactly what the screen shows (issue 14): once encrypted, the choices are
locked; a change anyway (forced here through the DOM) discards the encrypted ballot; what the
page shows before Cast and in an audit is read back from the ballot itself; and the ballot that
reaches the board, decrypted here with the trustees' key shares, holds the choices on the screen.
The fingerprint code the booth shows is the CLI's, and the receipt is checked on the page."""

from __future__ import annotations

import re

import httpx
import pytest
from typer.testing import CliRunner

from app.cli import cli
from app.config import Settings
from app.local_server import live_server
from crypto.elgamal import Ciphertext, decrypt_to_point
from crypto.group import G, Point, Scalar
from crypto.threshold import lagrange_coefficient
from tests.service.helpers import open_election

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


def _decrypt_ballot(ballot: dict, trustees: list, public_key: str) -> list[int]:
    """The S/O/N choices of one ballot, with the key shares of trustees 1 and 2 (t = 2)."""
    x = Scalar(0)
    for j, client in ((1, trustees[0]), (2, trustees[1])):
        x = x + lagrange_coefficient(j, [1, 2]) * Scalar.from_hex(client.state["secret_share"])
    assert (G * x) == Point.from_hex(public_key)
    bits = [
        decrypt_to_point(x, Ciphertext.from_json(ct)) == G * 1 for ct in ballot["answers"][0]["ciphertexts"]
    ]
    return [1 if s else -1 if o else 0 for s, o in zip(bits[0::2], bits[1::2], strict=True)]


def _summary(page, box: str) -> list[str]:
    return page.locator(f"{box} li").evaluate_all("items => items.map(i => i.dataset.choice)")


def test_booth_casts_what_the_screen_shows(chromium, server, tmp_path, artifacts) -> None:
    with httpx.Client(base_url=server, timeout=60) as http:
        _, eid, trustees = open_election(http, tmp_path, ["V1", "V2"], candidates=3)
        definition = http.get(
            f"/api/v1/elections/{eid}/definition",
            headers={"Authorization": f"Bearer {trustees[0].session.token}"},
        ).json()["definition"]
    # The fingerprint code as the CLI prints it (V2 votes from the command line).
    result = CliRunner().invoke(
        cli, ["vote", "--election", eid, "--choices", "0,0,0", "--url", server, "--dev-user", "V2"]
    )
    assert result.exit_code == 0, result.output
    cli_code = re.search(r"election fingerprint code: ([0-9a-f-]{19})", result.output).group(1)

    context = chromium.new_context(base_url=server, locale="en-US")
    context.set_default_timeout(TIMEOUT)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto("/login?lang=en")
    page.fill("#username", "V1")
    page.click("#login-form button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))
    page.goto(f"/elections/{eid}#fp={cli_code.upper()}")
    page.wait_for_selector("body[data-booth-ready='1']")
    assert page.locator("#fingerprint-code").inner_text() == cli_code
    assert page.locator("#fingerprint-match").inner_text().strip()

    def choose(value: int) -> None:
        for i in range(3):
            page.check(f"input[name='q0-c{i}'][value='{value}']")

    # Encrypt all Support: the choices lock, and the page reads them back from the ballot.
    choose(1)
    page.click("#encrypt-button")
    page.wait_for_selector("#encrypted-box:not([hidden])")
    assert _summary(page, "#ballot-summary") == ["1", "1", "1"]
    assert page.locator("#ballot-summary li").first.inner_text().endswith("support")
    assert page.is_disabled("input[name='q0-c0'][value='-1']")
    assert page.locator("#encrypt-button").is_hidden()
    supported = page.locator("#tracker").inner_text()

    # The attack: click Oppose everywhere after encrypting (forced past the lock).
    page.evaluate("""() => {
        for (const f of document.querySelectorAll('fieldset.question')) f.disabled = false;
        for (let i = 0; i < 3; i++) document.querySelector(`input[name='q0-c${i}'][value='-1']`).click();
    }""")
    page.wait_for_selector("#encrypted-box", state="hidden")
    assert "discarded" in page.locator("#ballot-error").inner_text()
    assert not page.is_disabled("input[name='q0-c0'][value='1']")
    assert page.locator("#cast-button").is_hidden()

    # Encrypt what is on the screen now (all Oppose), audit it, then cast the re-encryption.
    choose(-1)
    page.click("#encrypt-button")
    page.wait_for_selector("#encrypted-box:not([hidden])")
    assert _summary(page, "#ballot-summary") == ["-1", "-1", "-1"]
    audited = page.locator("#tracker").inner_text()
    page.click("#audit-button")
    page.wait_for_selector("#audit-result.ok")
    assert _summary(page, "#audit-summary") == ["-1", "-1", "-1"]
    page.wait_for_function(f"document.querySelector('#tracker').textContent !== '{audited}'")
    page.wait_for_selector("#cast-button:enabled")
    assert _summary(page, "#ballot-summary") == ["-1", "-1", "-1"]
    tracker = page.locator("#tracker").inner_text()
    page.click("#cast-button")
    page.wait_for_selector("#receipt-box:not([hidden])")
    page.wait_for_selector("#receipt-check.ok")
    assert page.locator("#receipt-tracker").inner_text() == tracker
    page.screenshot(path=str(artifacts / "booth-integrity.png"), full_page=True)
    assert not errors, errors
    context.close()

    with httpx.Client(base_url=server, timeout=60) as http:
        board = http.get(f"/api/v1/elections/{eid}/board", params={"limit": 1000}).json()
        cast = [e["payload"]["tracker"] for e in board["events"] if e["type"] == "ballot_cast"]
        assert supported not in cast and audited not in cast and tracker in cast
        ballot = http.get(f"/api/v1/elections/{eid}/ballots/{tracker}").json()
    ballot = ballot.get("ballot", ballot)
    assert _decrypt_ballot(ballot, trustees, definition["manifest"]["public_key"]) == [-1, -1, -1]
