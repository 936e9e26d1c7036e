"""The voter's client: fetch the ballot definition, make or type a credential, encrypt, sign,
cast and check the receipt. The plaintext choices never leave this process."""

from __future__ import annotations

from typing import Any

from app.client.http import ScrutinSession
from crypto.ballots import BallotContext, encrypt_ballot
from crypto.credentials import CredentialKey
from crypto.manifest import ballot_context


class VoterClient:
    def __init__(self, session: ScrutinSession, election_id: str,
                 credential: CredentialKey | None = None) -> None:
        self.session = session
        self.election_id = election_id
        self.credential = credential
        self._context: BallotContext | None = None

    @property
    def path(self) -> str:
        return f"/api/v1/elections/{self.election_id}"

    def status(self) -> dict[str, Any]:
        return self.session.get(f"{self.path}/me")  # type: ignore[no-any-return]

    def context(self, refresh: bool = False) -> BallotContext:
        if self._context is None or refresh:
            data = self.session.get(f"{self.path}/definition")["definition"]
            if data is None:
                raise RuntimeError("the election has no ballot definition yet (key ceremony?)")
            self._context = ballot_context(data["manifest"], data["fingerprint"])
        return self._context

    def use_code(self, code: str) -> None:
        """Independent credential mode: the code from the credential authority."""
        self.credential = CredentialKey.from_code(code, self.election_id)

    def ensure_credential(self) -> CredentialKey:
        """Convenient mode: create a credential on first use and register its public half."""
        status = self.status()
        if status["credential_mode"] != "convenient":
            if self.credential is None:
                raise RuntimeError("this election needs the code from its credential authority")
            return self.credential
        if self.credential is None:
            self.credential = CredentialKey.generate()
        if status["credential"] != self.credential.public.hex():
            self.session.post(f"{self.path}/credential",
                              {"public_key": self.credential.public.hex()})
        return self.credential

    def make_ballot(self, choices: list[list[int]]) -> dict[str, Any]:
        if self.credential is None:
            raise RuntimeError("no credential: call ensure_credential() or use_code() first")
        return encrypt_ballot(self.context(), choices, self.credential)

    def cast(self, choices: list[list[int]]) -> dict[str, Any]:
        if self.credential is None:
            self.ensure_credential()
        ballot = self.make_ballot(choices)
        return self.cast_ballot(ballot)

    def cast_ballot(self, ballot: dict[str, Any]) -> dict[str, Any]:
        return self.session.post(f"{self.path}/ballots",  # type: ignore[no-any-return]
                                 {"ballot": ballot})
