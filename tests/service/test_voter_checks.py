"""What the voter's client checks before it encrypts and after it casts (DESIGN §3.7):
the election against the board (``crypto.ceremony.check_election``), the short fingerprint code,
the receipt's signature under the manifest's receipt key and its position on the board
(``crypto.receipts``), and the command-line checks anyone can run (``scrutin receipt check``,
``scrutin verify-audit``)."""

from __future__ import annotations

import copy
import json

import pytest
from typer.testing import CliRunner

from app.cli import cli
from app.client.voter import VoterClient, VoterRefusal
from app.services.receipts import ReceiptSigner
from crypto import ceremony
from crypto.audit import audit_record
from crypto.ballots import encrypt_ballot
from crypto.board import event_hash
from crypto.credentials import CredentialKey
from crypto.drbg import DeterministicRng
from crypto.errors import InvalidCeremony, InvalidReceipt
from crypto.fingerprint import election_fingerprint, fingerprint_code, normalise_fingerprint_code
from crypto.group import G, Point
from crypto.receipts import check_receipt_on_board, verify_receipt
from tests.conftest import TEST_SECRET
from tests.service.helpers import login, open_election, voter

runner = CliRunner()


@pytest.fixture
def election(client, tmp_path):
    admin, eid, _ = open_election(client, tmp_path, ["Alice", "Bob"])
    return admin, eid


def _setup(client, eid):
    board = login(client, "Alice").board(eid)
    return next(e for e in board if e["type"] == "election_setup")["payload"], board


# --- the short code -------------------------------------------------------------------------


def test_fingerprint_code_format_and_normalisation() -> None:
    fp = "3f2a91bc0d4e77aa" + "0" * 48
    assert fingerprint_code(fp) == "3f2a-91bc-0d4e-77aa"
    for typed in ("3F2A 91BC 0D4E 77AA", "3f2a91bc0d4e77aa", " 3f2a-91bc-0d4e-77aa\n", fp):
        assert normalise_fingerprint_code(typed) == "3f2a-91bc-0d4e-77aa"
    for bad in ("3f2a-91bc-0d4e", "3f2a-91bc-0d4e-77ag", "", "3f2a-91bc-0d4e-77aa-0"):
        with pytest.raises(ValueError):
            normalise_fingerprint_code(bad)
    with pytest.raises(ValueError):
        fingerprint_code(fp.upper())


# --- the election check ---------------------------------------------------------------------


def test_client_shows_the_setup_code_and_votes_with_it(client, election) -> None:
    _, eid = election
    setup, _ = _setup(client, eid)
    alice = voter(client, eid, "Alice")
    assert alice.fingerprint_code == fingerprint_code(setup["fingerprint"])
    # The manifest the trustees confirmed names the server's receipt key.
    assert setup["manifest"]["receipt_key"] == ReceiptSigner(TEST_SECRET).public_key
    assert setup["manifest"]["receipt_key"] == alice.session.get("/api/v1/receipt-key")["public_key"]
    typed = alice.fingerprint_code.upper().replace("-", " ")
    bob = VoterClient(login(client, "Bob"), eid, expected_fingerprint=typed)
    receipt = bob.cast([[1, 0, -1]])
    assert receipt["fingerprint"] == setup["fingerprint"]


def test_a_wrong_published_code_refuses_before_anything_is_sent(client, election) -> None:
    _, eid = election
    code = voter(client, eid, "Alice").fingerprint_code
    other = code[:-1] + ("0" if code[-1] != "0" else "1")
    alice = VoterClient(login(client, "Alice"), eid, expected_fingerprint=other)
    alice.credential = CredentialKey.generate()
    with pytest.raises(VoterRefusal, match=f"fingerprint code is {code}, not the published"):
        alice.cast([[1, 1, 1]])
    assert not [e for e in alice.board() if e["type"] == "ballot_cast"]
    with pytest.raises(ValueError):
        VoterClient(login(client, "Alice"), eid, expected_fingerprint="not a code")


def test_check_election_refuses_what_the_trustees_did_not_make(client, election) -> None:
    _, eid = election
    setup, board = _setup(client, eid)
    manifest = setup["manifest"]
    ceremony.check_election(eid, board, manifest, setup["fingerprint"])  # honest: passes

    swapped = copy.deepcopy(manifest)
    swapped["public_key"] = (G * 12345).hex()  # a key the server knows the secret of
    with pytest.raises(InvalidCeremony, match="not the product of the trustees' constant"):
        ceremony.check_election(eid, board, swapped, election_fingerprint(swapped))

    # A whole fake trustee set whose key the server made: consistent, but not on the board.
    fake = copy.deepcopy(manifest)
    secret_point = G * 777
    fake["trustees"] = [
        {**t, "commitments": [secret_point.hex(), *t["commitments"][1:]]}
        if t["index"] == 1
        else {**t, "commitments": [(G * 1).hex(), *t["commitments"][1:]]}
        for t in fake["trustees"]
    ]
    points = [Point.from_hex(t["commitments"][0]) for t in fake["trustees"]]
    total = points[0]
    for p in points[1:]:
        total = total + p
    fake["public_key"] = total.hex()
    with pytest.raises(InvalidCeremony, match="trustees never confirmed it"):
        ceremony.check_election(eid, board, fake)

    with pytest.raises(InvalidCeremony, match="is not the manifest's"):
        ceremony.check_election(eid, board, manifest, "0" * 64)
    with pytest.raises(InvalidCeremony, match="for election"):
        ceremony.check_election("another", board, manifest)
    edited = copy.deepcopy(board)
    edited[0]["payload"]["threshold"] = 1
    with pytest.raises(InvalidCeremony, match="board is broken"):
        ceremony.check_election(eid, edited, manifest)
    unfinished = [e for e in board if e["type"] != "election_setup"]
    for i, e in enumerate(unfinished):  # a board that never reached the setup, re-chained
        e["seq"] = i + 1
        e["prev_hash"] = unfinished[i - 1]["hash"] if i else "0" * 64
        e["hash"] = event_hash(e["prev_hash"], e["seq"], e["at"], e["type"], e["payload"])
    with pytest.raises(InvalidCeremony, match="no election_setup"):
        ceremony.check_election(eid, unfinished, manifest)


def test_after_a_candidate_change_only_the_current_definition(client, election) -> None:
    admin, eid = election
    setup, _ = _setup(client, eid)
    alice = VoterClient(
        login(client, "Alice"), eid, expected_fingerprint=fingerprint_code(setup["fingerprint"])
    )
    old = alice.check_election()
    admin.post(
        f"/api/v1/elections/{eid}/candidates/change",
        {"position": 2, "reason": "withdrew", "old_ballots": "keep"},
    )
    board = alice.board()
    with pytest.raises(InvalidCeremony, match="an earlier version"):
        ceremony.check_election(eid, board, old.manifest, old.fingerprint)
    new = alice.check_election(refresh=True)
    assert new.fingerprint != old.fingerprint and new.code == old.code
    assert new.manifest["receipt_key"] == old.manifest["receipt_key"]
    receipt = alice.cast([[1, -1, 0]])
    assert receipt["fingerprint"] == new.fingerprint
    # The code of the new version is accepted too (the committee may publish that one).
    VoterClient(
        login(client, "Bob"), eid, expected_fingerprint=fingerprint_code(new.fingerprint)
    ).check_election()


# --- receipts ---------------------------------------------------------------------------------


def test_receipts_are_checked_against_the_manifest_key_and_the_board(client, election) -> None:
    _, eid = election
    alice = voter(client, eid, "Alice")
    receipt = alice.cast([[1, 1, 0]])  # cast() already checked it
    key = alice.check_election().receipt_key
    board = alice.board()
    verify_receipt(receipt, key)
    assert check_receipt_on_board(receipt, board)["payload"]["tracker"] == receipt["tracker"]

    bad_signature = {**receipt, "revote": not receipt["revote"]}
    with pytest.raises(InvalidReceipt, match="signature does not verify"):
        verify_receipt(bad_signature, key)
    with pytest.raises(VoterRefusal, match="signature does not verify"):
        alice.check_receipt(bad_signature)

    # Signed, but by a key that is not the manifest's (e.g. a server that rotated in secret).
    rogue = ReceiptSigner("another secret, another key").sign(
        {k: v for k, v in receipt.items() if k not in ("server_key", "server_signature")}
    )
    verify_receipt(rogue)  # valid under its own key ...
    with pytest.raises(VoterRefusal, match="not by this election's receipt key"):
        alice.check_receipt(rogue)  # ... which is not the one the trustees confirmed

    # Properly signed by the server, but the board does not hold it there.
    signer = ReceiptSigner(TEST_SECRET)
    body = {k: v for k, v in receipt.items() if k not in ("server_key", "server_signature")}
    for change, message in (
        ({"board_seq": receipt["board_seq"] - 1}, "not the receipted"),
        ({"board_seq": 10_000}, "has no event"),
        ({"board_hash": "ab" * 32}, "board was rewritten"),
        ({"tracker": "cd" * 32}, "holds tracker"),
        ({"fingerprint": "ef" * 32}, "is not that of ballot definition"),
    ):
        forged = signer.sign({**body, **change})
        verify_receipt(forged, key)
        with pytest.raises(VoterRefusal, match=message):
            alice.check_receipt(forged)
    with pytest.raises(InvalidReceipt, match="missing"):
        verify_receipt({"tracker": receipt["tracker"]})


def test_receipt_check_and_verify_audit_from_the_command_line(client, election, tmp_path) -> None:
    _, eid = election
    alice = voter(client, eid, "Alice")
    receipt = alice.cast([[1, -1, 0]])
    record = tmp_path / "record.json"
    record.write_text(json.dumps(login(client, "Alice").get(f"/api/v1/elections/{eid}/record")))
    booth_download = tmp_path / "receipt.json"
    booth_download.write_text(
        json.dumps(
            {"kind": "scrutin-receipt", "election_id": eid, "tracker": receipt["tracker"], "receipt": receipt}
        )
    )
    result = runner.invoke(cli, ["receipt", "check", str(booth_download), "--record", str(record)])
    assert result.exit_code == 0, result.output
    assert f"board event {receipt['board_seq']}" in result.output
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps({**receipt, "board_seq": receipt["board_seq"] - 1}))
    result = runner.invoke(cli, ["receipt", "check", str(forged), "--record", str(record)])
    assert result.exit_code == 1 and "signature does not verify" in result.output
    (tmp_path / "junk.json").write_text("[1, 2")
    result = runner.invoke(cli, ["receipt", "check", str(tmp_path / "junk.json"), "--record", str(record)])
    assert result.exit_code == 2

    # An audited ballot (as the booth downloads it), checked outside the page.
    ctx = alice.context()
    rng = DeterministicRng(b"cli audit")
    choices = [[1, -1, 0]]
    ballot = encrypt_ballot(ctx, choices, CredentialKey.generate(), rng=rng)
    by_alpha = {(G * d).hex(): d for d in rng.drawn}
    randomness = [[by_alpha[ct["alpha"]] for ct in a["ciphertexts"]] for a in ballot["answers"]]
    audit = tmp_path / "audited.json"
    audit.write_text(json.dumps(audit_record(ballot, choices, randomness)))
    result = runner.invoke(cli, ["verify-audit", str(audit), "--record", str(record)])
    assert result.exit_code == 0, result.output
    assert "Question 1: Candidate 0: support; Candidate 1: oppose; Candidate 2: neutral" in result.output
    assert fingerprint_code(ctx.fingerprint) in result.output
    lie = json.loads(audit.read_text())
    lie["choices"] = [[-1, 1, 0]]  # claims another vote than the ciphertexts hold
    audit.write_text(json.dumps(lie))
    result = runner.invoke(cli, ["verify-audit", str(audit), "--record", str(record)])
    assert result.exit_code == 1 and "does not encrypt the revealed choice" in result.output
