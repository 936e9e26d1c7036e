"""A lying server against the voter's clients (issue 14): the Python ``VoterClient`` and the
booth in Chromium refuse a ballot definition whose election key the trustees did not make (no
ballot is posted, no credential registered), and both detect a forged receipt — a bad
signature, a key other than the manifest's, or a correctly signed receipt naming a board
position that does not hold the ballot."""

from __future__ import annotations

import re

import httpx
import pytest

from app.client.http import ScrutinSession
from app.client.voter import VoterClient, VoterRefusal
from app.services.receipts import ReceiptSigner
from crypto.fingerprint import election_fingerprint
from crypto.group import G
from tests.adversary.proxy import MaliciousProxy
from tests.conftest import TEST_SECRET
from tests.service.helpers import open_election

DEFINITION = r"/api/v1/elections/[^/]+/definition"
BOARD = r"/api/v1/elections/[^/]+/board"
BALLOTS = r"/api/v1/elections/[^/]+/ballots"
ATTACKER_KEY = (G * 31337).hex()  # the server knows its secret, 31337


def swap_key(data, request):
    """Encrypt under the server's own key; recompute the fingerprint so it looks consistent."""
    manifest = data["definition"]["manifest"]
    manifest["public_key"] = ATTACKER_KEY
    data["definition"]["fingerprint"] = election_fingerprint(manifest)


def swap_key_on_board_too(data, request):
    for event in data["events"]:
        if event["type"] == "election_setup":
            event["payload"]["manifest"]["public_key"] = ATTACKER_KEY
            event["payload"]["public_key"] = ATTACKER_KEY


def _posted(proxy: MaliciousProxy, pattern: str) -> list:
    return [entry for entry in proxy.log if entry[0] == "POST" and re.fullmatch(pattern, entry[1])]


def _casts(honest: httpx.Client, eid: str) -> list:
    events = honest.get(f"/api/v1/elections/{eid}/board", params={"limit": 1000}).json()["events"]
    return [e for e in events if e["type"] == "ballot_cast"]


def _sign_elsewhere(receipt: dict, **change) -> dict:
    """The server holds its receipt key: it can sign a receipt that names another position."""
    body = {k: v for k, v in receipt.items() if k not in ("server_key", "server_signature")}
    return ReceiptSigner(TEST_SECRET).sign({**body, **change})


# --- the Python client -----------------------------------------------------------------------


def test_python_client_refuses_a_swapped_key(proxy: MaliciousProxy, honest: httpx.Client, tmp_path) -> None:
    _, eid, _ = open_election(honest, tmp_path, ["V1"], candidates=2)
    rule = proxy.rewrite("GET", DEFINITION, swap_key)
    client = VoterClient(ScrutinSession(proxy.url).dev_login("V1"), eid)
    with pytest.raises(VoterRefusal, match="not the product of the trustees' constant"):
        client.cast([[1, -1]])
    assert rule.hits >= 1
    # The server also rewrites the board's setup to match: the ceremony no longer replays.
    board_rule = proxy.rewrite("GET", BOARD, swap_key_on_board_too)
    with pytest.raises(VoterRefusal):
        VoterClient(ScrutinSession(proxy.url).dev_login("V1"), eid).check_election()
    assert board_rule.hits >= 1
    assert not _posted(proxy, BALLOTS) and not _posted(proxy, r".*/credential")
    assert _casts(honest, eid) == []


@pytest.mark.parametrize("forgery", ["bad signature", "another key", "wrong position"])
def test_python_client_detects_a_forged_receipt(
    proxy: MaliciousProxy, honest: httpx.Client, tmp_path, forgery: str
) -> None:
    _, eid, _ = open_election(honest, tmp_path, ["V1"], candidates=2)

    def forge(receipt, request):
        if forgery == "bad signature":
            return {**receipt, "board_seq": receipt["board_seq"] - 1}
        if forgery == "another key":
            body = {k: v for k, v in receipt.items() if k not in ("server_key", "server_signature")}
            return ReceiptSigner("a key the trustees never saw").sign(body)
        return _sign_elsewhere(receipt, board_seq=receipt["board_seq"] - 1)

    rule = proxy.rewrite("POST", BALLOTS, forge)
    client = VoterClient(ScrutinSession(proxy.url).dev_login("V1"), eid)
    expected = {
        "bad signature": "signature does not verify",
        "another key": "not by this election's receipt key",
        "wrong position": "not the receipted ballot",
    }[forgery]
    with pytest.raises(VoterRefusal, match=expected):
        client.cast([[1, 0]])
    assert rule.hits == 1


# --- the booth in Chromium ---------------------------------------------------------------------


def _booth(chromium, proxy: MaliciousProxy, eid: str, name: str):
    context = chromium.new_context(base_url=proxy.url, locale="en-US")
    context.set_default_timeout(30_000)
    page = context.new_page()
    page.goto("/login?lang=en")
    page.fill("#username", name)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))
    page.goto(f"/elections/{eid}")
    return context, page


@pytest.mark.browser
def test_booth_refuses_a_swapped_key(chromium, proxy: MaliciousProxy, honest: httpx.Client, tmp_path) -> None:
    _, eid, _ = open_election(honest, tmp_path, ["V1"], candidates=2)
    rule = proxy.rewrite("GET", DEFINITION, swap_key)
    context, page = _booth(chromium, proxy, eid, "V1")
    page.wait_for_selector("body[data-election-refused='1']")
    assert (
        "not the product of the trustees' constant commitments" in page.locator("#ballot-error").inner_text()
    )
    assert page.is_disabled("#encrypt-button")
    assert page.get_attribute("body", "data-booth-ready") is None
    # Even a voter who clicks anyway gets nothing encrypted or sent.
    page.evaluate("document.querySelector('#encrypt-button').disabled = false")
    page.click("#encrypt-button")
    page.wait_for_timeout(300)
    assert page.locator("#encrypted-box").is_hidden()
    context.close()
    assert rule.hits >= 1
    assert not _posted(proxy, BALLOTS) and not _posted(proxy, r".*/credential")
    assert _casts(honest, eid) == []


@pytest.mark.browser
@pytest.mark.parametrize("forgery", ["bad signature", "wrong position"])
def test_booth_detects_a_forged_receipt(
    chromium, proxy: MaliciousProxy, honest: httpx.Client, tmp_path, forgery: str
) -> None:
    _, eid, _ = open_election(honest, tmp_path, ["V1"], candidates=2)

    def forge(receipt, request):
        if forgery == "bad signature":
            return {**receipt, "revote": True}
        return _sign_elsewhere(receipt, board_seq=receipt["board_seq"] - 1)

    rule = proxy.rewrite("POST", BALLOTS, forge)
    context, page = _booth(chromium, proxy, eid, "V1")
    page.wait_for_selector("body[data-booth-ready='1']")
    page.check("input[name='q0-c0'][value='1']")
    page.click("#encrypt-button")
    page.wait_for_selector("#encrypted-box:not([hidden])")
    page.click("#cast-button")
    page.wait_for_selector("#receipt-check.error")
    text = page.locator("#receipt-check").inner_text()
    assert ("signature does not verify" if forgery == "bad signature" else "not the receipted ballot") in text
    context.close()
    assert rule.hits == 1
