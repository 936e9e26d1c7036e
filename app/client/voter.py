"""The voter's client: fetch the ballot definition, check it against the public board, make or
type a credential, encrypt, sign, cast and check the receipt. The plaintext choices never leave
this process.

It believes the board, never the server's word (DESIGN §3.7): before encrypting it recomputes
the fingerprint, checks that the election key is ∏ C_{i,0} of the trustees' commitments and
that the board's key ceremony replays to the setup every trustee confirmed, of which the
offered definition is the current version (``crypto.ceremony.check_election``); given the short
code the committee published (``expected_fingerprint``), it refuses any other election. After
casting it checks the receipt's signature under the manifest's receipt key and that the board
holds the ballot where the receipt says (``crypto.receipts``).
"""

from __future__ import annotations

from typing import Any

from app.client.http import ScrutinSession
from crypto import ceremony, receipts
from crypto.ballots import BallotContext, encrypt_ballot
from crypto.credentials import CredentialKey, generate_code
from crypto.errors import CryptoError
from crypto.fingerprint import normalise_fingerprint_code
from crypto.manifest import ballot_context


class VoterRefusal(Exception):
    """The client refuses: the election is not one the trustees made (or not the published
    one), or a receipt does not hold. The message says exactly what."""


class VoterClient:
    def __init__(
        self,
        session: ScrutinSession,
        election_id: str,
        credential: CredentialKey | None = None,
        expected_fingerprint: str | None = None,
    ) -> None:
        self.session = session
        self.election_id = election_id
        self.credential = credential
        self.expected_fingerprint = (
            normalise_fingerprint_code(expected_fingerprint) if expected_fingerprint is not None else None
        )
        self._context: BallotContext | None = None
        self.new_code: str | None = None  # a credential code made here (convenient mode)
        self._check: ceremony.ElectionCheck | None = None

    @property
    def path(self) -> str:
        return f"/api/v1/elections/{self.election_id}"

    def status(self) -> dict[str, Any]:
        return self.session.get(f"{self.path}/me")  # type: ignore[no-any-return]

    def board(self) -> list[dict[str, Any]]:
        return self.session.board(self.election_id)

    def check_election(self, refresh: bool = False) -> ceremony.ElectionCheck:
        """The offered definition against the board (see the module docstring)."""
        if self._check is None or refresh:
            data = self.session.get(f"{self.path}/definition")["definition"]
            if data is None:
                raise RuntimeError("the election has no ballot definition yet (key ceremony?)")
            try:
                self._check = ceremony.check_election(
                    self.election_id,
                    self.board(),
                    data["manifest"],
                    data.get("fingerprint"),
                    self.expected_fingerprint,
                )
            except (CryptoError, KeyError, TypeError) as exc:
                self._check, self._context = None, None
                raise VoterRefusal(f"refusing to vote in election {self.election_id}: {exc}") from None
            self._context = None
        return self._check

    @property
    def fingerprint_code(self) -> str:
        """The short code of the election the trustees set up: compare it with the wiki."""
        return self.check_election().code

    def context(self, refresh: bool = False) -> BallotContext:
        check = self.check_election(refresh=refresh)
        if self._context is None:
            self._context = ballot_context(check.manifest, check.fingerprint)
        return self._context

    def use_code(self, code: str) -> None:
        """The credential code: in independent mode the credential authority's; in convenient
        mode the one shown when the credential was made (in the booth or by ``scrutin vote``),
        which re-votes from any device. Same format and derivation everywhere (§6.1)."""
        self.credential = CredentialKey.from_code(code, self.election_id)

    def ensure_credential(self) -> CredentialKey:
        """Convenient mode: on first use make a credential from a fresh code (``new_code``:
        show it to the voter once, to keep) and register its public half. A different
        credential already registered is replaced only while none of its ballots counts (the
        server says ``credential_in_use`` otherwise: use the code)."""
        status = self.status()
        if status["credential_mode"] != "convenient":
            if self.credential is None:
                raise RuntimeError("this election needs the code from its credential authority")
            return self.credential
        if self.credential is None:
            self.new_code = generate_code()
            self.credential = CredentialKey.from_code(self.new_code, self.election_id)
        if status["credential"] != self.credential.public.hex():
            self.session.post(f"{self.path}/credential", {"public_key": self.credential.public.hex()})
        return self.credential

    def make_ballot(self, choices: list[list[int]]) -> dict[str, Any]:
        if self.credential is None:
            raise RuntimeError("no credential: call ensure_credential() or use_code() first")
        return encrypt_ballot(self.context(), choices, self.credential)

    def cast(self, choices: list[list[int]]) -> dict[str, Any]:
        self.context()  # the election is checked before anything is registered or sent
        if self.credential is None:
            self.ensure_credential()
        ballot = self.make_ballot(choices)
        return self.cast_ballot(ballot)

    def cast_ballot(self, ballot: dict[str, Any]) -> dict[str, Any]:
        """Cast, then check the receipt (``VoterRefusal`` if it does not hold: keep it, it is
        the evidence)."""
        receipt: dict[str, Any] = self.session.post(f"{self.path}/ballots", {"ballot": ballot})
        self.check_receipt(receipt)
        return receipt

    def check_receipt(self, receipt: dict[str, Any]) -> dict[str, Any]:
        """Signed by the receipt key of the manifest the trustees confirmed, and on the board
        at the receipted position. Returns the board event."""
        return check_receipt(self.session, receipt, self.election_id)


def check_receipt(
    session: ScrutinSession,
    document: Any,
    election_id: str | None = None,
    board: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """``scrutin receipt check`` and ``VoterClient.check_receipt``: the receipt (bare, or the
    booth's download) against the election's board (fetched unless given, e.g. from a record).
    The receipt key is the setup manifest's, the board's ceremony having replayed."""
    try:
        receipt = receipts.unwrap(document)
        eid = election_id or str(receipt.get("election_id"))
        if receipt.get("election_id") != eid:
            raise VoterRefusal(f"the receipt is for election {receipt.get('election_id')!r}, not {eid!r}")
        events = board if board is not None else session.board(eid)
        state = ceremony.replay(eid, events)
        setup = next((e for e in events if e["type"] == ceremony.SETUP), None)
        if state.setup_round is None or setup is None:
            raise VoterRefusal("the board holds no completed key ceremony")
        key = setup["payload"]["manifest"].get("receipt_key")
        receipts.verify_receipt(receipt, key if isinstance(key, str) else None)
        return receipts.check_receipt_on_board(receipt, events)
    except CryptoError as exc:
        raise VoterRefusal(f"the receipt does not hold: {exc}") from None
