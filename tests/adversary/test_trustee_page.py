"""The trustee page (real headless Chromium) against a lying server.

One trustee (Trustee1) uses the page, opened through a ``MaliciousProxy``; the other trustees,
the committee and the voters talk straight to the honest live server (Python clients), so only
the page sees the lies. Every forged board is re-hashed (``tests.verify.records.rehash``) so the
page's chain check passes and the lie reaches the check it targets; each test ends with a
control (the lie withdrawn, the page acts), so a refusal proves the lie was caught.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
from nacl.public import PrivateKey

from app.client.trustee import TrusteeClient
from tests.adversary.proxy import MaliciousProxy, ProxyRequest
from tests.service.helpers import (
    ADMIN,
    PASSPHRASE,
    election_config,
    login,
    open_election,
    trustee_client,
    voter,
)
from tests.verify.records import rehash

pytestmark = pytest.mark.browser

TIMEOUT = 20_000
PAGE_TRUSTEE = "Trustee1"
Events = list[dict[str, Any]]


# --- set-up, straight to the honest server -------------------------------------------------


def frozen_election(honest: httpx.Client) -> str:
    """Created, three trustees (threshold 2), frozen: the key ceremony is waiting for joins."""
    admin = login(honest, ADMIN)
    eid = admin.post("/api/v1/elections", election_config(candidates=2))["id"]
    for name in ("Trustee1", "Trustee2", "Trustee3"):
        admin.post(f"/api/v1/elections/{eid}/roles", {"username": name, "role": "trustee"})
    admin.post(f"/api/v1/elections/{eid}/roll", {"usernames": ["V1"]})
    admin.post(f"/api/v1/elections/{eid}/freeze")
    return eid


def honest_board(honest: httpx.Client, eid: str) -> Events:
    return login(honest, ADMIN).board(eid)


def of_trustee(board: Events, kind: str, index: int) -> Events:
    return [e for e in board if e["type"] == kind and e["payload"].get("index") == index]


def forge(events: Events, mutate: Callable[[Events], None]) -> Events:
    forged = copy.deepcopy(events)
    mutate(forged)
    return rehash({"board": forged})["board"]  # type: ignore[no-any-return]


def lie_about_the_board(
    proxy: MaliciousProxy, honest: httpx.Client, eid: str, mutate: Callable[[Events], None]
) -> Any:
    """Every ``/board`` page the page asks for comes from the honest board, mutated and
    re-hashed (so the forged chain checks); returns the rule."""

    def board(data: Any, request: ProxyRequest) -> Any:
        query = parse_qs(request.query)
        after, limit = int(query.get("after", ["0"])[0]), int(query.get("limit", ["100"])[0])
        events = forge(honest_board(honest, eid), mutate)
        head = events[-1]
        return {
            "events": [e for e in events if e["seq"] > after][:limit],
            "head": {"seq": head["seq"], "hash": head["hash"], "events": len(events)},
        }

    return proxy.rewrite("GET", rf"/api/v1/elections/{re.escape(eid)}/board", board)


# --- the page, through the proxy -----------------------------------------------------------


class TrusteePage:
    def __init__(self, chromium: Any, proxy: MaliciousProxy, eid: str) -> None:
        self.context = chromium.new_context(base_url=proxy.url)
        self.context.set_default_timeout(TIMEOUT)
        self.page = self.context.new_page()
        self.page_errors: list[str] = []
        self.page.on("pageerror", lambda exc: self.page_errors.append(str(exc)))
        self.eid = eid
        self.page.goto("/login")
        self.page.fill("#username", PAGE_TRUSTEE)
        self.page.click("#login-form button[type=submit]")
        self.page.wait_for_url(re.compile(r"/$"))
        self.open()

    def open(self) -> None:
        self.page.goto(f"/elections/{self.eid}/trustee")
        self.page.wait_for_selector("body[data-trustee-ready='1']")
        self.page.fill("#keyfile-passphrase", PASSPHRASE)

    def load(self, key_file: Path) -> None:
        """A fresh page (memory empty) that loads the key file."""
        self.open()
        self.page.set_input_files("#keyfile-load", str(key_file))
        self.page.wait_for_selector("#keyfile-download:not([hidden])")

    def step(self, step: str) -> None:
        self.page.wait_for_selector(f"#step-button[data-step='{step}']:not([hidden])")
        self.page.click("#step-button")
        self.page.wait_for_selector(f"#step-button:not([data-step='{step}']):enabled", state="attached")
        assert not self.error()

    def poke(self) -> None:
        """Redraw from the server now rather than at the next 1.5 s poll (the page refreshes
        when the fingerprint field changes)."""
        self.page.locator("#trustee-keys").dispatch_event("change")

    def wait_step(self, step: str) -> None:
        self.page.wait_for_selector(f"#step-button[data-step='{step}']:not([hidden])")

    def error(self) -> str:
        return self.page.locator("#trustee-error").inner_text().strip()

    def download(self, path: Path) -> Path:
        with self.page.expect_download() as download:
            self.page.click("#keyfile-download")
        download.value.save_as(path)
        return path

    def fingerprint(self) -> str:
        return self.page.locator("#my-fingerprint-value").inner_text().strip()

    def close(self) -> None:
        assert not self.page_errors, self.page_errors
        self.context.close()


@pytest.fixture
def page_factory(chromium: Any, proxy: MaliciousProxy):
    pages: list[TrusteePage] = []

    def make(eid: str) -> TrusteePage:
        pages.append(TrusteePage(chromium, proxy, eid))
        return pages[-1]

    yield make
    for p in pages:
        p.context.close()


# --- 1. a swapped encryption key -----------------------------------------------------------


def test_page_refuses_a_swapped_encryption_key_at_the_send_step(
    proxy: MaliciousProxy, honest: httpx.Client, page_factory, tmp_path
) -> None:
    # The server shows Trustee1 another trustee's trustee_joined with the attacker's encryption
    # key (chain re-hashed), so that Trustee1 would seal that trustee's share to the attacker.
    eid = frozen_election(honest)
    page = page_factory(eid)
    page.step("join")
    page.step("commit")  # allowed before the others join
    early = page.download(tmp_path / "page-early.json")  # the board it saw: only its own steps
    others = [trustee_client(honest, eid, name, tmp_path) for name in ("Trustee2", "Trustee3")]
    for step in ("join", "commit"):
        for client in others:
            getattr(client, step)()
    page.poke()
    page.step("reveal")
    for client in others:
        client.reveal()
    page.poke()
    page.wait_step("send")
    me = login(honest, PAGE_TRUSTEE).get(f"/api/v1/elections/{eid}/ceremony")["you"]["index"]
    victim = int(others[0].state["index"])
    attacker = bytes(PrivateKey.generate().public_key).hex()

    def swap(events: Events) -> None:
        joined = of_trustee(events, "trustee_joined", victim)[0]
        joined["payload"]["encryption_key"] = attacker

    rule = lie_about_the_board(proxy, honest, eid, swap)

    # (a) The page already saw the honest board: the forged one no longer contains the event it
    # saw last, whatever the chain says.
    page.page.click("#step-button")
    page.page.wait_for_selector("#trustee-error:has-text('Refused')")
    assert "the server rewrote the public record" in page.error()
    assert rule.hits >= 1
    assert not of_trustee(honest_board(honest, eid), "trustee_shares_sent", me)

    # (b) A fresh page from a key file saved before the victim joined: the forged board extends
    # what it saw, so only the victim's signature over its join gives the lie away.
    hits = rule.hits
    page.load(early)
    status = page.page.locator("#ceremony-status")
    status.locator(".error:has-text('Refused')").wait_for()
    text = status.inner_text()
    assert f"trustee_joined of trustee {victim}" in text
    assert "the signature does not verify" in text
    assert page.page.locator("#step-button").is_hidden()
    assert rule.hits > hits
    assert not of_trustee(honest_board(honest, eid), "trustee_shares_sent", me)

    # Control: the honest board, the same key file: the page sends its shares.
    rule.remove()
    page.load(early)
    page.step("send")
    assert of_trustee(honest_board(honest, eid), "trustee_shares_sent", me)
    page.close()


# --- 1b. a proposed manifest that is not the board's ceremony ------------------------------


def test_page_refuses_to_confirm_a_manifest_that_is_not_the_boards(
    proxy: MaliciousProxy, honest: httpx.Client, page_factory, tmp_path
) -> None:
    # The server proposes an election manifest (for the trustee to sign) whose public key, or
    # one trustee's encryption key, is the attacker's instead of what the board's ceremony gives.
    eid = frozen_election(honest)
    page = page_factory(eid)
    others = [trustee_client(honest, eid, name, tmp_path) for name in ("Trustee2", "Trustee3")]
    page.step("join")
    for step, client_step in (("commit", "join"), ("reveal", "commit"), ("send", "reveal")):
        for client in others:
            getattr(client, client_step)()
        page.poke()
        page.step(step)
    me = login(honest, PAGE_TRUSTEE).get(f"/api/v1/elections/{eid}/ceremony")["you"]["index"]
    victim = int(others[0].state["index"])
    attacker = PrivateKey.generate()
    status_path = f"/api/v1/elections/{eid}/ceremony"

    def forged_key(data: Any, _: ProxyRequest) -> Any:
        if data.get("proposed"):  # another trustee's constant commitment: its key alone
            data["proposed"]["manifest"]["public_key"] = others[0].state["rounds"]["1"]["commitments"][0]
        return data

    def forged_trustee(data: Any, _: ProxyRequest) -> Any:
        if data.get("proposed"):
            trustee = data["proposed"]["manifest"]["trustees"][victim - 1]
            assert trustee["index"] == victim
            trustee["encryption_key"] = bytes(attacker.public_key).hex()
        return data

    for client in others:
        client.send_shares()
    # Each lie on a freshly loaded page, so no answer from before the lie is still in flight.
    key_file = page.download(tmp_path / "page.json")
    for lie, expected in (
        (forged_key, "is not the product of the trustees' constant commitments"),
        (
            forged_trustee,
            f"manifest trustee {victim}: encryption_key differs from what the trustee signed on the board",
        ),
    ):
        rule = proxy.rewrite("GET", re.escape(status_path), lie)
        page.load(key_file)
        page.page.click("#step-button[data-step='confirm']")
        page.page.wait_for_selector("#trustee-error:has-text('Refused')")
        assert expected in page.error()
        assert rule.hits >= 1
        assert not of_trustee(honest_board(honest, eid), "trustee_confirmed", me)
        rule.remove()

    # Control: the honest proposal, the page confirms it.
    page.load(key_file)
    page.step("confirm")
    assert of_trustee(honest_board(honest, eid), "trustee_confirmed", me)
    page.close()


# --- 2. a tally that is not the board's -----------------------------------------------------


def test_page_refuses_to_decrypt_a_tally_that_is_not_the_boards(
    proxy: MaliciousProxy, honest: httpx.Client, page_factory, tmp_path
) -> None:
    # The server asks the trustee to decrypt ciphertexts that are not the sum of the counted
    # ballots (one slot is a single ballot's: decrypting it would reveal that vote).
    admin, eid, _ = open_election(honest, tmp_path, ["V1", "V2"], candidates=2)
    voter(honest, eid, "V1").cast([[1, -1]])
    voter(honest, eid, "V2").cast([[1, 1]])
    admin.post(f"/api/v1/elections/{eid}/close", {"reason": "end"})
    admin.post(f"/api/v1/elections/{eid}/tally/start")
    key_file = tmp_path / f"{PAGE_TRUSTEE}.json"  # the CLI's key file opens in the page
    record = honest.get(f"/api/v1/elections/{eid}/record").json()
    tracker = record["board"][[e["type"] for e in record["board"]].index("ballot_cast")]["payload"]["tracker"]
    one_ballot = record["ballots"][tracker]["answers"][0]["ciphertexts"][0]
    base = rf"/api/v1/elections/{re.escape(eid)}"

    def shares() -> list[int]:
        return admin.get(f"/api/v1/elections/{eid}/tally")["shares"]  # type: ignore[no-any-return]

    def one_slot(events: Events) -> None:
        tally = next(e for e in events if e["type"] == "encrypted_tally")
        tally["payload"]["ciphertexts"][0] = one_ballot

    page = page_factory(eid)

    # (a) Board, record and tally forged alike (chain re-hashed): slot 0 of the encrypted tally
    # is one ballot's ciphertext, not the sum of the counted ballots.
    forged_ciphertexts = next(e for e in forge(record["board"], one_slot) if e["type"] == "encrypted_tally")[
        "payload"
    ]["ciphertexts"]
    rules = [
        lie_about_the_board(proxy, honest, eid, one_slot),
        proxy.rewrite(
            "GET", base + "/record", lambda data, _: {**data, "board": forge(data["board"], one_slot)}
        ),
        proxy.rewrite("GET", base + "/tally", lambda data, _: {**data, "ciphertexts": forged_ciphertexts}),
    ]
    page.load(key_file)
    page.page.click("#decrypt-button")
    page.page.wait_for_selector("#trustee-error:has-text('Refused')")
    assert "tally slot 0 is not the sum of the counted ballots" in page.error()
    assert all(rule.hits >= 1 for rule in rules)
    assert shares() == []
    proxy.clear()

    # (b) The board is honest, the server's /tally asks for other ciphertexts: one slot
    # replaced by a single ballot's, or the tally extended by one more slot.
    page.load(key_file)
    for lie in (lambda cts: [one_ballot, *cts[1:]], lambda cts: [*cts, one_ballot]):
        rule = proxy.rewrite(
            "GET", base + "/tally", lambda data, _, lie=lie: {**data, "ciphertexts": lie(data["ciphertexts"])}
        )
        page.page.click("#decrypt-button")
        page.page.wait_for_selector("#trustee-error:has-text('Refused')")
        assert "not the encrypted tally on the board" in page.error()
        assert rule.hits >= 1
        assert shares() == []
        rule.remove()
        page.page.wait_for_selector("#decrypt-button:not([hidden]):enabled")

    # Control: no lie, the same page decrypts.
    page.page.click("#decrypt-button")
    page.page.wait_for_selector("#decrypt-button[hidden]", state="attached")
    assert not page.error()
    me = TrusteeClient(login(honest, PAGE_TRUSTEE), eid, key_file, PASSPHRASE).state["index"]
    assert shares() == [me]
    page.close()


# --- 3. the published fingerprints -----------------------------------------------------------


def test_page_refuses_a_trustee_missing_from_the_published_fingerprints(
    proxy: MaliciousProxy, honest: httpx.Client, page_factory, tmp_path
) -> None:
    # The server seats a trustee whose identity the committee did not publish (here: the
    # published list lacks one trustee's fingerprint), so the page must not commit to that round.
    eid = frozen_election(honest)
    page = page_factory(eid)
    page.step("join")
    others = [trustee_client(honest, eid, name, tmp_path) for name in ("Trustee2", "Trustee3")]
    for client in others:
        client.join()
    page.poke()
    page.wait_step("commit")
    me = login(honest, PAGE_TRUSTEE).get(f"/api/v1/elections/{eid}/ceremony")["you"]["index"]
    published = [page.fingerprint(), others[0].fingerprint]  # Trustee3's is missing
    # Set the field and click at once (no change event, no poll in between): the step itself
    # must check the list.
    page.page.evaluate(
        "(text) => { document.querySelector('#trustee-keys').value = text;"
        " document.querySelector('#step-button').click(); }",
        "\n".join(published),
    )
    page.page.wait_for_selector("#trustee-error:has-text('Refused')")
    missing = others[1]
    assert (
        f"has identity {missing.fingerprint}, which is not one of the published trustee fingerprints"
    ) in page.error()
    page.page.locator("#ceremony-status .error:has-text('not one of the published')").wait_for()
    assert page.page.locator("#step-button").is_hidden()
    assert not of_trustee(honest_board(honest, eid), "trustee_commitment_hash", me)

    # Control: the whole published list, the page commits.
    page.page.fill("#trustee-keys", "\n".join([*published, missing.fingerprint]))
    page.page.locator("#trustee-keys").dispatch_event("change")
    page.step("commit")
    assert of_trustee(honest_board(honest, eid), "trustee_commitment_hash", me)
    page.close()


# --- 4. mixed ranked ballots: the page leaves them to the CLI --------------------------------


def test_page_leaves_mixed_ranked_ballots_to_the_command_line(
    proxy: MaliciousProxy, honest: httpx.Client, page_factory, tmp_path
) -> None:
    # One ballot with an S/O/N and a ranked question. The page rebuilds the tally (the ranked
    # question has no summed slots) and shows the mixes, but does not decrypt: a share over
    # mixed rankings is safe only after every shuffle proof is checked, which the CLI does.
    # A server hiding the mixing from its tally view does not change that: the page decides
    # from the record's ballot definition.
    questions = [
        {
            "kind": "sonc",
            "title": {"en": "Admins"},
            "candidates": [{"name": {"en": "Ann"}}, {"name": {"en": "Ben"}}],
        },
        {
            "kind": "ranked",
            "title": {"en": "Board"},
            "method": "irv",
            "seats": 1,
            "candidates": [{"name": {"en": n}} for n in ("Cy", "Di", "Ed")],
        },
    ]
    admin, eid, trustees = open_election(honest, tmp_path, ["V1", "V2"], questions=questions)
    voter(honest, eid, "V1").cast([[1, -1], [2, 0]])
    voter(honest, eid, "V2").cast([[1, 0], [1]])
    admin.post(f"/api/v1/elections/{eid}/close", {"reason": "end"})
    admin.post(f"/api/v1/elections/{eid}/tally/start")
    key_file = tmp_path / f"{PAGE_TRUSTEE}.json"

    def shares() -> list[int]:
        return admin.get(f"/api/v1/elections/{eid}/tally")["shares"]  # type: ignore[no-any-return]

    page = page_factory(eid)
    page.load(key_file)
    page.page.wait_for_selector("#mixing-status:has-text('0 of 2')")
    trustees[1].mix()
    trustees[2].mix()
    page.poke()
    page.page.wait_for_selector("#mixing-status:has-text('2 of 2')")
    assert "command-line tool" in page.page.locator("#ranked-cli").inner_text()
    assert page.page.locator("#decrypt-button").is_hidden()

    # The lie: the tally view says nothing of mixing, so the button shows; the click refuses.
    base = rf"/api/v1/elections/{re.escape(eid)}"
    rule = proxy.rewrite(
        "GET", base + "/tally", lambda data, _: {k: v for k, v in data.items() if k != "mixing"}
    )
    page.poke()
    page.page.wait_for_selector("#decrypt-button:not([hidden]):enabled")
    page.page.click("#decrypt-button")
    page.page.wait_for_selector("#trustee-error:has-text('Refused')")
    assert "does not decrypt this election" in page.error()
    assert rule.hits >= 1 and shares() == []
    rule.remove()

    # Control: the same trustee with the CLI (which checks both mixes) sends its share.
    trustees[0].decrypt()
    assert shares() == [trustees[0].state["index"]]
    page.close()
