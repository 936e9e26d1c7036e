"""The trustee's client: take part in the key ceremony from a key file that never leaves the
trustee's machine. The server only ever sees public commitments and sealed shares."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path
from typing import Any

from nacl.public import PrivateKey

from app.client.http import ScrutinSession
from crypto.elgamal import Ciphertext
from crypto.errors import CryptoError
from crypto.group import Point, Scalar
from crypto.threshold import (
    TrusteePolynomial,
    decryption_share,
    open_share,
    seal_share,
    verify_share,
)

KEY_FILE_VERSION = 1


def share_context(status: dict[str, Any], sender: int, recipient: int) -> bytes:
    """Binds a sealed share to the election, ceremony round, sender and recipient."""
    return f"{status['context']}/share/{sender}->{recipient}".encode()


class TrusteeClient:
    """State lives in ``key_file`` (JSON, mode 0600): written after every step so a trustee
    can stop and resume. After the ceremony it holds the secret share for decryption."""

    def __init__(self, session: ScrutinSession, election_id: str, key_file: Path) -> None:
        self.session = session
        self.election_id = election_id
        self.key_file = Path(key_file)
        self.state: dict[str, Any] = (json.loads(self.key_file.read_text())
                                      if self.key_file.exists() else {})

    @property
    def path(self) -> str:
        return f"/api/v1/elections/{self.election_id}/ceremony"

    def _save(self) -> None:
        self.state["version"] = KEY_FILE_VERSION
        self.state["election_id"] = self.election_id
        self.key_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.key_file.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(self.state, handle, indent=2)
        tmp.replace(self.key_file)

    def status(self) -> dict[str, Any]:
        return self.session.get(self.path)  # type: ignore[no-any-return]

    def join(self) -> int:
        box_key = PrivateKey.generate()
        result = self.session.post(f"{self.path}/join",
                                   {"encryption_key": bytes(box_key.public_key).hex()})
        self.state.update(index=result["index"], context=result["context"],
                          box_private=bytes(box_key).hex())
        self._save()
        return int(result["index"])

    def commit(self) -> None:
        status = self.status()
        polynomial = TrusteePolynomial.generate(status["threshold"])
        context = self.state["context"].encode()
        self.session.post(f"{self.path}/commitments", {
            "commitments": [c.hex() for c in polynomial.commitments],
            "proofs": polynomial.commitment_proofs(context)})
        self.state["coefficients"] = [c.hex() for c in polynomial.coefficients]
        self._save()

    def _polynomial(self) -> TrusteePolynomial:
        return TrusteePolynomial(tuple(Scalar.from_hex(c) for c in self.state["coefficients"]))

    def send_shares(self) -> None:
        status = self.status()
        polynomial = self._polynomial()
        me = self.state["index"]
        shares = {}
        for trustee in status["trustees"]:
            j = trustee["index"]
            if j == me:
                continue
            sealed = seal_share(bytes.fromhex(trustee["encryption_key"]), polynomial.share_for(j),
                                share_context(status, me, j))
            shares[j] = base64.b64encode(sealed).decode()
        self.session.post(f"{self.path}/shares", {"shares": shares})

    def verify_and_confirm(self) -> dict[str, Any]:
        """Open every share sent to us, check it against its sender's public commitments, and
        confirm, or complain about each sender whose share does not match."""
        status = self.status()
        me = self.state["index"]
        received = self.session.get(f"{self.path}/shares")["shares"]
        commitments = {t["index"]: [Point.from_hex(c) for c in t["commitments"]]
                       for t in status["trustees"]}
        secret = self._polynomial().share_for(me)
        complaints = []
        box_private = bytes.fromhex(self.state["box_private"])
        for trustee in status["trustees"]:
            j = trustee["index"]
            if j == me:
                continue
            try:
                share = open_share(box_private, base64.b64decode(received[str(j)]),
                                   share_context(status, j, me))
                verify_share(commitments[j], me, share)
            except (CryptoError, KeyError, ValueError) as exc:
                complaints.append({"accused_index": j, "reason": f"share does not verify: {exc}"})
                continue
            secret = secret + share
        result = self.session.post(f"{self.path}/verify", {"complaints": complaints})
        if not complaints:
            self.state["secret_share"] = secret.hex()
            # The polynomial is no longer needed; keeping it would only add risk.
            self.state.pop("coefficients", None)
            self._save()
        return result  # type: ignore[no-any-return]

    def decrypt(self) -> dict[str, Any]:
        """Compute this trustee's decryption share of the published encrypted tally (with
        Chaum–Pedersen proofs) from the key file, and submit it."""
        if "secret_share" not in self.state:
            raise RuntimeError(f"{self.key_file} holds no secret share (ceremony unfinished?)")
        tally = self.session.get(f"/api/v1/elections/{self.election_id}/tally")
        ciphertexts = [Ciphertext.from_json(c, allow_identity=True) for c in tally["ciphertexts"]]
        share = decryption_share(ciphertexts, Scalar.from_hex(self.state["secret_share"]),
                                 int(self.state["index"]), tally["context"].encode())
        return self.session.post(  # type: ignore[no-any-return]
            f"/api/v1/elections/{self.election_id}/tally/shares", {"share": share})
