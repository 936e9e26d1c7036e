"""The trustee's client: the key ceremony and the tally decryption from a key file that never
leaves the trustee's machine (encrypted with a passphrase: ``app.client.keyfile``).

It believes the public board, never the server's word: before every step it downloads the
board, checks its hash chain and that it extends the board it saw last time, and replays the
ceremony (``crypto.ceremony.replay``, the verifier's own rules). It seals shares only to
encryption keys that their owners signed on the board, accepts commitments only from
identities the committee published (``expected_trustees``: the trustees' fingerprints as
published out of band), confirms only a manifest it rebuilt from the board, and decrypts only
the encrypted tally it recomputed from the record itself — once per election.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from nacl.public import PrivateKey

from app.client.http import ScrutinSession
from app.client.keyfile import KeyFile
from app.counting import count_rankings
from crypto import ceremony as protocol
from crypto import mixnet
from crypto.board import verify_chain
from crypto.elgamal import Ciphertext
from crypto.errors import CryptoError, InvalidCeremony
from crypto.fingerprint import election_fingerprint
from crypto.group import Point, Scalar
from crypto.record import VerificationReport, verify_record
from crypto.shuffle import rows_hash, shuffle
from crypto.tally import decryption_context, encrypted_tally_hash
from crypto.threshold import (
    TrusteePolynomial,
    decryption_share,
    open_share,
    seal_share_revealable,
    verify_share,
)

KEY_FILE_STATE_VERSION = 2


class TrusteeRefusal(Exception):
    """The client refuses to act: what the server sent does not match the board, the published
    trustee identities, or what this trustee did before. The message says exactly what."""


def load_fingerprints(text: str) -> list[str]:
    """The published trustee fingerprints, one per line (``#`` comments and blank lines
    ignored; anything after the fingerprint on a line, such as a username, is ignored)."""
    out = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            out.append(protocol.normalise_fingerprint(line.split()[0]))
    return out


class TrusteeClient:
    def __init__(
        self,
        session: ScrutinSession,
        election_id: str,
        key_file: Path,
        passphrase: str,
        expected_trustees: Iterable[str] | None = None,
        *,
        verify_workers: int = 1,
    ) -> None:
        self.session = session
        # Processes for re-verifying the record before mixing or decrypting (ballots, mixes).
        self.verify_workers = verify_workers
        self.election_id = election_id
        self.key_file = Path(key_file)
        self._file = KeyFile(self.key_file, passphrase)
        self.state: dict[str, Any] = self._file.load()
        if self.state.get("election_id") not in (None, election_id):
            raise TrusteeRefusal(
                f"{self.key_file} belongs to election {self.state['election_id']!r}, not {election_id!r}"
            )
        self.expected = (
            [protocol.normalise_fingerprint(f) for f in expected_trustees]
            if expected_trustees is not None
            else None
        )
        if "identity_seed" not in self.state:
            self.state["identity_seed"] = protocol.generate_identity().hex()
            self._save()

    # --- local state --------------------------------------------------------------------
    @property
    def path(self) -> str:
        return f"/api/v1/elections/{self.election_id}/ceremony"

    @property
    def seed(self) -> bytes:
        return bytes.fromhex(self.state["identity_seed"])

    @property
    def signing_key(self) -> str:
        return protocol.identity_public(self.seed)

    @property
    def fingerprint(self) -> str:
        """Give this to the committee; it is published on the wiki and compared out of band."""
        return protocol.identity_fingerprint(self.signing_key)

    def _save(self) -> None:
        self.state["version"] = KEY_FILE_STATE_VERSION
        self.state["election_id"] = self.election_id
        self._file.save(self.state)

    def _round_state(self, number: int) -> dict[str, Any]:
        rounds = self.state.setdefault("rounds", {})
        return rounds.setdefault(str(number), {})  # type: ignore[no-any-return]

    # --- the board ----------------------------------------------------------------------
    def board(self) -> list[dict[str, Any]]:
        """The whole public board, chain-checked, and checked to extend what we saw before."""
        events = self.session.board(self.election_id)
        try:
            head = verify_chain(events)
        except CryptoError as exc:
            raise TrusteeRefusal(f"the server's board is broken: {exc}") from None
        seen = self.state.get("board_seen")
        if seen:
            seq, digest = int(seen["seq"]), seen["hash"]
            if len(events) < seq or events[seq - 1]["hash"] != digest:
                raise TrusteeRefusal(
                    f"the board no longer contains event {seq} as this trustee "
                    "saw it: the server rewrote the public record"
                )
        if events and seen != (now := {"seq": events[-1]["seq"], "hash": head}):
            # Saved at once: the CLI runs one step per process, and the next run must refuse a
            # board older than the one this run saw (steps such as reveal save nothing else).
            self.state["board_seen"] = now
            self._save()
        return events

    def ceremony(self, events: list[dict[str, Any]] | None = None) -> protocol.Ceremony:
        events = events if events is not None else self.board()
        try:
            state = protocol.replay(self.election_id, events)
        except InvalidCeremony as exc:
            raise TrusteeRefusal(f"the board's key ceremony does not replay: {exc}") from None
        if state.protocol != protocol.PROTOCOL:
            raise TrusteeRefusal(
                f"this client runs ceremony protocol {protocol.PROTOCOL}, the election uses {state.protocol}"
            )
        if self.expected is not None:
            try:
                protocol.require_trustees(state, self.expected)
            except InvalidCeremony as exc:
                raise TrusteeRefusal(str(exc)) from None
        self._forget_polynomials(state)
        return state

    def _forget_polynomials(self, state: protocol.Ceremony) -> None:
        """Once the election is set up no complaint can come: the polynomials (which would let a
        thief recompute every share this trustee dealt) leave the key file."""
        if state.setup_round is None:
            return
        rounds = self.state.get("rounds", {})
        if any("coefficients" in r for r in rounds.values()):
            for r in rounds.values():
                r.pop("coefficients", None)
            self._save()

    def _my_index(self, state: protocol.Ceremony) -> int | None:
        record = state.trustee_by_key(self.signing_key)
        return record.index if record else None

    def status(self) -> dict[str, Any]:
        return self.session.get(self.path)  # type: ignore[no-any-return]

    def _post(self, step: str, kind: str, number: int, index: int, body: dict[str, Any]) -> dict[str, Any]:
        signature = protocol.sign_message(self.seed, kind, self.election_id, number, index, body)
        return self.session.post(
            f"{self.path}/{step}",  # type: ignore[no-any-return]
            {"round": number, **body, "signature": signature},
        )

    # --- ceremony steps -----------------------------------------------------------------
    def join(self) -> int:
        status = self.status()
        me = status.get("you")
        if me is None:
            raise TrusteeRefusal(f"this account is not a trustee of {self.election_id}")
        state = self.ceremony()
        number = state.round.number
        mine = self._round_state(number)
        if "box_private" not in mine:
            mine["box_private"] = bytes(PrivateKey.generate()).hex()
            self._save()
        box_public = bytes(PrivateKey(bytes.fromhex(mine["box_private"])).public_key).hex()
        index = int(me["index"])
        result = self._post(
            "join",
            protocol.JOINED,
            number,
            index,
            {"signing_key": self.signing_key, "encryption_key": box_public},
        )
        mine["index"] = index
        self.state["index"] = index
        self._save()
        return int(result["index"])

    def commit(self) -> None:
        """Draw the polynomial and publish only the hash of its commitments."""
        state = self.ceremony()
        rnd = state.round
        index = self._require_member(state)
        mine = self._round_state(rnd.number)
        if "coefficients" not in mine:
            polynomial = TrusteePolynomial.generate(rnd.threshold)
            context = protocol.commitment_context(self.election_id, rnd.number, index, self.signing_key)
            mine.update(
                coefficients=[c.hex() for c in polynomial.coefficients],
                commitments=[c.hex() for c in polynomial.commitments],
                proofs=polynomial.commitment_proofs(context),
                share_seed=secrets.token_hex(32),
            )
            self._save()
        digest = protocol.commitments_digest(mine["commitments"], mine["proofs"])
        self._post("commitment-hash", protocol.COMMITMENT_HASH, rnd.number, index, {"digest": digest})

    def reveal(self) -> None:
        """Publish the commitments, once every trustee has committed to theirs."""
        state = self.ceremony()
        rnd = state.round
        index = self._require_member(state)
        if not rnd.all_have("commitment_hash"):
            raise TrusteeRefusal("not every trustee has committed yet; reveal later")
        mine = self._round_state(rnd.number)
        self._post(
            "commitments",
            protocol.COMMITMENTS,
            rnd.number,
            index,
            {"commitments": mine["commitments"], "proofs": mine["proofs"]},
        )

    def send_shares(self) -> None:
        """Seal one share to each other trustee's encryption key *as signed on the board*."""
        state = self.ceremony()
        rnd = state.round
        index = self._require_member(state)
        if not rnd.all_have("commitments"):
            raise TrusteeRefusal("not every trustee has revealed its commitments yet")
        mine = self._round_state(rnd.number)
        polynomial = self._polynomial(mine)
        seed = bytes.fromhex(mine["share_seed"])
        sealed = {}
        for j, trustee in sorted(rnd.trustees.items()):
            if j == index:
                continue
            raw = seal_share_revealable(
                bytes.fromhex(trustee.encryption_key),
                polynomial.share_for(j),
                protocol.share_context(self.election_id, rnd.number, index, j),
                protocol.share_ephemeral_key(seed, rnd.number, j),
            )
            sealed[str(j)] = base64.b64encode(raw).decode()
        self._post("shares", protocol.SHARES_SENT, rnd.number, index, {"sealed": sealed})

    def verify_and_confirm(self) -> dict[str, Any]:
        """Rebuild the manifest's trustee part from the board, check the server's proposed
        manifest against it, open and check every share sent to us; then sign the fingerprint
        (or complain about each sender whose share is wrong)."""
        state = self.ceremony()
        rnd = state.round
        index = self._require_member(state)
        if not rnd.all_have("sealed"):
            raise TrusteeRefusal("not every trustee has sent its shares yet")
        proposed = self.status().get("proposed")
        if not proposed:
            raise TrusteeRefusal("the server proposes no manifest to confirm")
        manifest = proposed["manifest"]
        try:
            protocol.check_manifest_against_round(manifest, rnd, self.election_id)
        except InvalidCeremony as exc:
            raise TrusteeRefusal(f"the proposed manifest is not the board's ceremony: {exc}") from None
        fingerprint = election_fingerprint(manifest)
        mine = self._round_state(rnd.number)
        box_private = bytes.fromhex(mine["box_private"])
        secret = self._polynomial(mine).share_for(index)
        complaints = []
        for j, trustee in sorted(rnd.trustees.items()):
            if j == index:
                continue
            assert trustee.sealed is not None
            try:
                share = open_share(
                    box_private,
                    trustee.sealed[index],
                    protocol.share_context(self.election_id, rnd.number, j, index),
                )
                verify_share(trustee.points or [], index, share)
            except CryptoError as exc:
                complaints.append((j, f"share does not verify: {exc}"))
                continue
            secret = secret + share
        if complaints:
            result: dict[str, Any] = {}
            for j, reason in complaints:
                result = self._post(
                    "complaints",
                    protocol.COMPLAINT,
                    rnd.number,
                    index,
                    {"complainant_index": index, "accused_index": j, "reason": reason},
                )
            return {"status": "complained", **result}
        result = self._post("confirm", protocol.CONFIRMED, rnd.number, index, {"fingerprint": fingerprint})
        self.state.update(secret_share=secret.hex(), fingerprint=fingerprint, ceremony_round=rnd.number)
        # The polynomial stays until the election is set up: another trustee may still complain
        # about our share, and answering needs it (``ceremony()`` forgets it after the setup).
        self._save()
        return {"status": "confirmed", "fingerprint": fingerprint, **result}

    def answer_complaints(self) -> int:
        """Reveal the disputed share (and its ephemeral key) for each open complaint against
        this trustee, so anyone can judge it. Returns how many were answered."""
        state = self.ceremony()
        rnd = state.round
        index = self._require_member(state)
        mine = self._round_state(rnd.number)
        answered = 0
        for complaint in rnd.complaints:
            if complaint.accused != index or complaint.answer is not None or complaint.finding:
                continue
            j = complaint.complainant
            share = self._polynomial(mine).share_for(j)
            ephemeral = protocol.share_ephemeral_key(bytes.fromhex(mine["share_seed"]), rnd.number, j)
            self._post(
                "answer",
                protocol.ANSWER,
                rnd.number,
                index,
                {"complainant_index": j, "share": share.hex(), "ephemeral_secret": ephemeral.hex()},
            )
            answered += 1
        return answered

    def next_step(self) -> str:
        """Do whatever the board says this trustee can do now; returns what was done."""
        state = self.ceremony()
        rnd = state.round
        record = (
            rnd.trustees.get(self.state.get("index", -1)) if state.trustee_by_key(self.signing_key) else None
        )
        if any(
            c.accused == (record.index if record else None) and c.answer is None and c.finding is None
            for c in rnd.complaints
        ):
            return f"answered {self.answer_complaints()} complaint(s)"
        if rnd.dead:
            return "the round stopped at a complaint; the committee restarts it"
        if record is None:
            return f"joined as trustee {self.join()}"
        if record.commitment_hash is None:
            self.commit()
            return "committed to the commitments (hash published)"
        if record.commitments is None:
            if not rnd.all_have("commitment_hash"):
                return "waiting for every trustee to commit"
            self.reveal()
            return "commitments revealed"
        if record.sealed is None:
            if not rnd.all_have("commitments"):
                return "waiting for every trustee to reveal"
            self.send_shares()
            return "sealed shares sent"
        if record.confirmed is None:
            if not rnd.all_have("sealed"):
                return "waiting for every trustee's shares"
            result = self.verify_and_confirm()
            if result["status"] == "confirmed":
                return f"confirmed election fingerprint {result['fingerprint']}"
            return "complained: a share did not verify"
        return "nothing to do: this trustee has confirmed"

    def _require_member(self, state: protocol.Ceremony) -> int:
        record = state.trustee_by_key(self.signing_key)
        if record is None:
            raise TrusteeRefusal("this trustee has not joined the current ceremony round")
        return record.index

    def _polynomial(self, mine: dict[str, Any]) -> TrusteePolynomial:
        if "coefficients" not in mine:
            raise TrusteeRefusal("the key file holds no polynomial for this round")
        return TrusteePolynomial(tuple(Scalar.from_hex(c) for c in mine["coefficients"]))

    # --- tally --------------------------------------------------------------------------
    def _verified_record(self) -> tuple[dict[str, Any], VerificationReport]:
        """The election record, checked as ``scrutin verify`` checks it (mixes included), on a
        board that extends the one this trustee saw, for the fingerprint it confirmed."""
        # First what this trustee sees now (checked against what it saw before), then the
        # record, whose board must extend it. In the other order an event appended between
        # the two fetches (an audit anchor, another trustee's share) made an honest record
        # look shorter than the board "seen".
        self.board()
        seen = self.state.get("board_seen", {})
        record = self.session.get(f"/api/v1/elections/{self.election_id}/record")
        board = record.get("board") or []
        if seen and (len(board) < seen["seq"] or board[seen["seq"] - 1]["hash"] != seen["hash"]):
            raise TrusteeRefusal("the record's board is not the board this trustee saw")
        try:
            report = verify_record(record, workers=self.verify_workers, counter=count_rankings)
        except CryptoError as exc:
            raise TrusteeRefusal(f"the election record does not verify: {exc}") from None
        if report.fingerprint != self.state["fingerprint"] and not self._is_later_version(record):
            raise TrusteeRefusal(
                f"the record's election fingerprint {report.fingerprint} is not "
                f"the one this trustee confirmed ({self.state['fingerprint']})"
            )
        return record, report

    def mix(self) -> list[int]:
        """Mix every ranked question this trustee has not mixed yet and that still needs a
        mix: re-encrypt and permute the last verified output (or the counted set's answers),
        prove it, sign it, post it. Returns the questions mixed."""
        if "index" not in self.state:
            raise TrusteeRefusal(f"{self.key_file} belongs to no trustee of this election")
        record, report = self._verified_record()
        board = record["board"]
        tally = next((e for e in board if e["type"] == "encrypted_tally"), None)
        if tally is None:
            raise TrusteeRefusal("the board holds no encrypted tally: nothing to mix yet")
        if any(e["type"] == "decryption_share" for e in board):
            raise TrusteeRefusal("decryption has begun: the mixes are final")
        definition = int(tally["payload"]["definition_version"])
        fingerprint = self._fingerprint_of(board, definition)
        manifest = self._manifest_of(board, definition)
        required = mixnet.mixes_required(manifest)
        key = Point.from_hex(manifest["public_key"])
        tally_hash = encrypted_tally_hash(tally["payload"])
        index = int(self.state["index"])
        asked = self.session.get(f"/api/v1/elections/{self.election_id}/tally/mix")
        offered = {int(q["question"]): q for q in asked.get("questions", [])}
        mixed = []
        for q, chain in sorted(report.mix_chains.items()):
            if index in chain.mixers or len(chain.mixers) >= required:
                continue
            if offered.get(q, {}).get("current_hash") != chain.current_hash:
                raise TrusteeRefusal(
                    f"question {q}: the server offers rows "
                    f"{offered.get(q, {}).get('current_hash')!r} to mix; the "
                    f"verified chain on the board ends in {chain.current_hash}"
                )
            position = len(chain.mixers)
            width = chain.input.width
            output, proof = shuffle(
                key,
                chain.current,
                width,
                mixnet.mix_context(self.election_id, fingerprint, tally_hash, q, position, index),
                mixnet.generator_seed(self.election_id, fingerprint, q),
                workers=self.verify_workers,
            )
            proof_json = proof.to_json()
            output_hash = rows_hash(output, width)
            body = mixnet.mix_body(q, position, chain.current_hash, output_hash, proof_json)
            self.session.post(
                f"/api/v1/elections/{self.election_id}/tally/mixes",
                {
                    "round": int(self.state["ceremony_round"]),
                    "index": index,
                    "question": q,
                    "position": position,
                    "input_hash": chain.current_hash,
                    "output_hash": output_hash,
                    "ciphertexts": [[c.to_json() for c in row] for row in output],
                    "proof": proof_json,
                    "signature": protocol.sign_message(
                        self.seed,
                        mixnet.MIX,
                        self.election_id,
                        int(self.state["ceremony_round"]),
                        index,
                        body,
                    ),
                },
            )
            mixed.append(q)
        return mixed

    def decrypt(self) -> dict[str, Any]:
        """Recompute the encrypted tally from the election record (the independent verifier up
        to aggregation), refuse anything the server asks that differs from it, and submit this
        trustee's signed, slot-bound decryption share. With ranked questions, only once every
        ranked question carries its required, verified mixes, and the share covers their last
        outputs too. At most one tally per election."""
        if "secret_share" not in self.state:
            raise TrusteeRefusal(f"{self.key_file} holds no secret share (ceremony unfinished?)")
        record, report = self._verified_record()
        board = record.get("board") or []
        tally = next((e for e in board if e["type"] == "encrypted_tally"), None)
        if tally is None:
            raise TrusteeRefusal("the board holds no encrypted tally")
        payload = tally["payload"]
        tally_hash = encrypted_tally_hash(payload)
        asked = self.session.get(f"/api/v1/elections/{self.election_id}/tally")
        if asked.get("ciphertexts") != payload["ciphertexts"]:
            raise TrusteeRefusal(
                "the server asks to decrypt ciphertexts that are not the encrypted tally on the board"
            )
        definition = int(payload["definition_version"])
        fingerprint = self._fingerprint_of(board, definition)
        index = int(self.state["index"])
        ciphertexts = [Ciphertext.from_json(c, allow_identity=True) for c in payload["ciphertexts"]]
        if report.mix_chains:
            required = mixnet.mixes_required(self._manifest_of(board, definition))
            if not mixnet.complete(report.mix_chains, required):
                raise TrusteeRefusal(
                    f"the ranked ballots are not yet mixed by {required} "
                    "different trustees: nothing is decrypted before that"
                )
            tally_hash = mixnet.decryption_target_hash(tally_hash, report.mix_chains)
            ciphertexts = mixnet.decryption_ciphertexts(ciphertexts, report.mix_chains)
        done = self.state.get("decrypted_tally")
        if done is not None and done != tally_hash:
            raise TrusteeRefusal(
                f"this trustee already decrypted tally {done}; it never decrypts a second, different one"
            )
        share = decryption_share(
            ciphertexts,
            Scalar.from_hex(self.state["secret_share"]),
            index,
            decryption_context(self.election_id, fingerprint, tally_hash),
            slot_bound=True,
            workers=self.verify_workers,
        )
        self.state["decrypted_tally"] = tally_hash
        self._save()
        signature = protocol.sign_decryption_share(
            self.seed, self.election_id, int(self.state["ceremony_round"]), index, tally_hash, share
        )
        return self.session.post(  # type: ignore[no-any-return]
            f"/api/v1/elections/{self.election_id}/tally/shares",
            {"share": share, "tally_hash": tally_hash, "signature": signature},
        )

    def _manifest_of(self, board: list[dict[str, Any]], version: int) -> dict[str, Any]:
        for event in board:
            if (
                event["type"] in ("election_setup", "ballot_definition")
                and event["payload"]["manifest"]["definition_version"] == version
            ):
                return dict(event["payload"]["manifest"])
        raise TrusteeRefusal(f"no ballot definition {version} on the board")

    def _fingerprint_of(self, board: list[dict[str, Any]], version: int) -> str:
        for event in board:
            if (
                event["type"] in ("election_setup", "ballot_definition")
                and event["payload"]["manifest"]["definition_version"] == version
            ):
                return str(event["payload"]["fingerprint"])
        raise TrusteeRefusal(f"no ballot definition {version} on the board")

    def _is_later_version(self, record: dict[str, Any]) -> bool:
        """A candidate change adds ballot versions (same key and trustees, checked by the
        verifier); the version-1 fingerprint is the one this trustee confirmed."""
        try:
            return self._fingerprint_of(record["board"], 1) == self.state["fingerprint"]
        except TrusteeRefusal:
            return False


CEREMONY_STEPS = ("join", "commit", "reveal", "send_shares", "verify_and_confirm")
"""The protocol-2 steps in order; every trustee must finish a step before any can do the next
(commit before reveal, reveal before shares, shares before confirming)."""


def run_ceremony(clients: Iterable[TrusteeClient]) -> None:
    """Drive several trustees through a whole ceremony (simulations, the demo, tests)."""
    trustees = list(clients)
    for step in CEREMONY_STEPS:
        for trustee in trustees:
            getattr(trustee, step)()
