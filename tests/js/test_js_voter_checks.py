"""The booth's checks (admin_ui/static/js/crypto/ceremony.js ``checkElection``, receipts.js,
fingerprint.js) against their Python definitions (``crypto.ceremony.check_election``,
``crypto.receipts``, ``crypto.fingerprint``) on a real board made by the service: the same short
code, the same accepted election, the same refusals (swapped key, fake trustees, an earlier
definition, a wrong published code, a broken chain) and the same receipt verdicts."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from app.services.receipts import ReceiptSigner
from crypto import ceremony
from crypto.errors import CryptoError
from crypto.fingerprint import election_fingerprint, fingerprint_code, normalise_fingerprint_code
from crypto.group import G
from crypto.receipts import check_receipt_on_board, verify_receipt
from tests.conftest import TEST_SECRET
from tests.js.test_js_crypto import NODE, _node, _require_node_modules
from tests.service.helpers import open_election, voter

pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed (CI installs Node.js)")


@pytest.fixture(scope="module")
def made(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("js-voter")
    settings = Settings(
        environment="test",
        dev_login=True,
        secret_key=TEST_SECRET,
        database_url=database_url,
        data_dir=tmp,
        demo=False,
        admins="Admin",
    )
    application = create_app(settings)
    with TestClient(application) as client:
        admin, eid, _ = open_election(client, tmp / "keys", ["V1", "V2"])
        v1 = voter(client, eid, "V1")
        receipt = v1.cast([[1, -1, 0]])
        first = v1.check_election()
        admin.post(
            f"/api/v1/elections/{eid}/candidates/change",
            {"position": 1, "reason": "withdrew", "old_ballots": "keep"},
        )
        current = v1.check_election(refresh=True)
        yield {"eid": eid, "board": v1.board(), "receipt": receipt, "first": first, "current": current}
    application.state.engine.dispose()


def _python_election(eid: str, case: dict[str, Any]) -> dict[str, Any]:
    try:
        r = ceremony.check_election(eid, case["board"], case["manifest"], case["fingerprint"], case["code"])
    except CryptoError as exc:
        return {"error": str(exc)}
    return {
        "ok": {
            "code": r.code,
            "fingerprint": r.fingerprint,
            "setup_fingerprint": r.setup_fingerprint,
            "receipt_key": r.receipt_key,
        }
    }


def _python_receipt(board: list[dict[str, Any]], case: dict[str, Any]) -> dict[str, Any]:
    try:
        verify_receipt(case["receipt"], case["key"])
        return {"ok": check_receipt_on_board(case["receipt"], board)["seq"]}
    except CryptoError as exc:
        return {"error": str(exc)}


def test_booth_checks_match_python(made: dict[str, Any]) -> None:
    _require_node_modules()
    eid, board, current, first = made["eid"], made["board"], made["current"], made["first"]
    manifest, fp = current.manifest, current.fingerprint

    swapped = copy.deepcopy(manifest)
    swapped["public_key"] = (G * 4242).hex()
    broken = copy.deepcopy(board)
    broken[3]["payload"]["index"] = 9
    elections = {
        "honest": {"board": board, "manifest": manifest, "fingerprint": fp, "code": None},
        "published code": {
            "board": board,
            "manifest": manifest,
            "fingerprint": fp,
            "code": current.code.upper().replace("-", " "),
        },
        "code of this version": {
            "board": board,
            "manifest": manifest,
            "fingerprint": None,
            "code": fingerprint_code(fp),
        },
        "wrong code": {
            "board": board,
            "manifest": manifest,
            "fingerprint": fp,
            "code": "0000-1111-2222-3333",
        },
        "swapped key": {
            "board": board,
            "manifest": swapped,
            "fingerprint": election_fingerprint(swapped),
            "code": None,
        },
        "earlier definition": {
            "board": board,
            "manifest": first.manifest,
            "fingerprint": first.fingerprint,
            "code": None,
        },
        "server's fingerprint differs": {
            "board": board,
            "manifest": manifest,
            "fingerprint": "ab" * 32,
            "code": None,
        },
        "broken chain": {"board": broken, "manifest": manifest, "fingerprint": fp, "code": None},
    }
    receipt = made["receipt"]
    key = current.receipt_key
    body = {k: v for k, v in receipt.items() if k not in ("server_key", "server_signature")}
    receipts = {
        "honest": {"receipt": receipt, "key": key},
        "booth download": {"receipt": {"kind": "scrutin-receipt", "receipt": receipt}, "key": key},
        "bad signature": {"receipt": {**receipt, "revote": True}, "key": key},
        "another key": {"receipt": ReceiptSigner("rogue").sign(body), "key": key},
        "wrong position": {
            "receipt": ReceiptSigner(TEST_SECRET).sign({**body, "board_seq": receipt["board_seq"] - 1}),
            "key": key,
        },
        "wrong hash": {
            "receipt": ReceiptSigner(TEST_SECRET).sign({**body, "board_hash": "0" * 64}),
            "key": key,
        },
    }
    typed = ["3F2A 91BC 0D4E 77AA", "3f2a-91bc-0d4e", "3f2a91bc0d4e77aa" + "1" * 48, "xyz"]
    request = {
        "election_id": eid,
        "board": board,
        "fingerprints": [fp, first.fingerprint, first.setup_fingerprint],
        "typed_codes": typed,
        "elections": list(elections.values()),
        "receipts": list(receipts.values()),
    }
    proc = _node(["tests/js/voter_crosscheck.mjs"], json.dumps(request))
    assert proc.returncode == 0, proc.stderr
    js = json.loads(proc.stdout)

    assert js["codes"] == [fingerprint_code(f) for f in request["fingerprints"]]
    for text, got in zip(typed, js["normalised"], strict=True):
        try:
            assert got == {"ok": normalise_fingerprint_code(text)}
        except ValueError:
            assert "error" in got, text
    for (name, case), got in zip(elections.items(), js["elections"], strict=True):
        want = _python_election(eid, case)
        assert ("ok" in got) == ("ok" in want), (name, got, want)
        if "ok" in want:
            assert got == want, name
        else:
            assert got["error"].startswith("InvalidCeremony: ")
            # The same rule refuses, in the same words (first clause).
            assert got["error"].split(": ", 1)[1].split(" (")[0][:40] == want["error"].split(" (")[0][:40], (
                name,
                got,
                want,
            )
    assert "ok" in js["elections"][0] and js["elections"][0]["ok"]["code"] == first.code
    for (name, case), got in zip(receipts.items(), js["receipts"], strict=True):
        want = _python_receipt(board, case)
        assert got.keys() == want.keys(), (name, got, want)
        if "ok" in want:
            assert got == want
        else:
            assert got["error"].split(": ", 1)[1][:30] == want["error"][:30], (name, got, want)
    assert [("ok" in r) for r in js["receipts"]] == [True, True, False, False, False, False]
