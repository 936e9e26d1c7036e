"""Mixing the ranked answers of the counted set (crypto.mixnet; docs/protocol.md §14).

After the tally starts, each ranked question's counted answers are mixed by
``mixes_required`` different trustees, one after another; the server checks each mix (the
chain's next position, a trustee not yet in the chain, its signature and its shuffle proof)
with the definition the verifier uses and refuses an invalid one, so the next trustee mixes the
last valid output. Decryption shares are accepted only once every ranked question is mixed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.models import Ballot, Election, Tally, Trustee
from app.services import audit, board, elections, lifecycle, manifest, phases
from app.services.actor import Actor
from crypto import mixnet
from crypto.elgamal import Ciphertext
from crypto.group import Point
from crypto.tally import ballot_ciphertexts, encrypted_tally_hash


@dataclass
class MixState:
    """The election's mix chains as the server's own board holds them."""

    manifest: dict[str, Any]
    setting: mixnet.MixSetting | None
    chains: dict[int, mixnet.Chain]
    required: int

    @property
    def complete(self) -> bool:
        return mixnet.complete(self.chains, self.required)

    @property
    def tally_hash(self) -> str:
        assert self.setting is not None
        return self.setting.tally_hash


def _trusted_rows(raw: list[list[dict[str, str]]]) -> list[list[Ciphertext]]:
    # Our own board: every mix on it passed check_mix before it was appended.
    return [
        [Ciphertext(Point(bytes.fromhex(c["alpha"])), Point(bytes.fromhex(c["beta"]))) for c in row]
        for row in raw
    ]


def load_state(session: Session, election: Election, tally: Tally) -> MixState:
    definition = manifest.current_definition(session, election.id)
    assert definition is not None
    final = definition.manifest
    if not mixnet.ranked_questions(final):
        return MixState(final, None, {}, 0)
    tally_event = board.page(session, election.id, limit=1, event_type="encrypted_tally")[0]
    payloads = {
        b.tracker: b.payload
        for b in session.scalars(
            select(Ballot).where(Ballot.election_id == election.id, Ballot.tracker.in_(tally.counted))
        )
    }
    inputs = mixnet.mix_inputs(
        final, [ballot_ciphertexts(payloads[t], already_verified=True) for t in tally.counted]
    )
    chains = {q: mixnet.Chain(mix_input) for q, mix_input in inputs.items()}
    for event in board.page(session, election.id, limit=10_000, event_type=mixnet.MIX):
        p = event.payload
        chain = chains[int(p["question"])]
        chain.mixers.append(int(p["index"]))
        chain.outputs.append(_trusted_rows(p["ciphertexts"]))
        chain.output_hashes.append(str(p["output_hash"]))
    required = mixnet.mixes_required(final)
    setting = mixnet.MixSetting(
        election_id=election.id,
        fingerprint=definition.fingerprint,
        tally_hash=encrypted_tally_hash(tally_event.payload),
        public_key=Point.from_hex(final["public_key"]),
        ceremony_round=int(final["ceremony_round"]),
        signing_keys={int(t["index"]): str(t["signing_key"]) for t in final["trustees"]},
        required=required,
    )
    return MixState(final, setting, chains, required)


def _tally(session: Session, election: Election) -> Tally:
    tally = session.scalars(select(Tally).where(Tally.election_id == election.id)).first()
    if tally is None:
        raise NotFound("no_tally", "the tally has not started")
    return tally


def view(session: Session, election_id: str, *, with_ciphertexts: bool = True) -> dict[str, Any]:
    """Each ranked question's chain: the next position, who mixed, the current rows."""
    election = elections.load(session, election_id)
    state = load_state(session, election, _tally(session, election))
    questions = []
    for q, chain in sorted(state.chains.items()):
        entry: dict[str, Any] = {
            "question": q,
            "rows": len(chain.input.rows),
            "width": chain.input.width,
            "input_hash": chain.input.hash,
            "mixers": list(chain.mixers),
            "position": len(chain.mixers),
            "current_hash": chain.current_hash,
            "complete": len(chain.mixers) >= state.required,
        }
        if with_ciphertexts:
            entry["ciphertexts"] = [[c.to_json() for c in row] for row in chain.current]
        questions.append(entry)
    target = (
        mixnet.decryption_target_hash(state.tally_hash, state.chains)
        if state.setting is not None and state.complete
        else None
    )
    return {
        "required": state.required,
        "complete": state.complete,
        "questions": questions,
        "tally_hash": state.tally_hash if state.setting is not None else None,
        "target_hash": target,
    }


def submit(session: Session, actor: Actor, election_id: str, payload: dict[str, Any]) -> dict[str, Any]:
    """A trustee's mix of one ranked question; refused (nothing stored) unless it verifies."""
    election = lifecycle.load_current(session, election_id)
    phases.require_phase(election.phase, {phases.TALLYING}, "mix the ranked ballots")
    trustee = session.scalars(
        select(Trustee).where(Trustee.election_id == election.id, Trustee.username == actor.username)
    ).first()
    if trustee is None:
        raise Forbidden("forbidden", f"{actor.username} is not a trustee of {election.id}")
    tally = _tally(session, election)
    if tally.result is not None or board.page(session, election.id, limit=1, event_type="decryption_share"):
        raise Conflict("decryption_started", "decryption has begun: the mixes are final")
    state = load_state(session, election, tally)
    if state.setting is None:
        raise Conflict("nothing_to_mix", "this ballot has no ranked question to mix")
    question = payload.get("question")
    if isinstance(question, bool) or question not in state.chains:
        raise InvalidInput("invalid_mix", f"question {question!r} has no ranked answers to mix")
    if payload.get("index") != trustee.trustee_index:
        raise InvalidInput(
            "invalid_mix",
            f"the mix names trustee {payload.get('index')!r}; you are trustee {trustee.trustee_index}",
        )
    chain = state.chains[question]
    try:
        mixnet.check_mix(state.setting, chain, payload, workers=os.cpu_count() or 1)
    except mixnet.InvalidMix as exc:
        # Refused: nothing is stored, and the next trustee mixes the last valid output.
        raise InvalidInput("invalid_mix", str(exc)) from exc
    board.append(session, election.id, mixnet.MIX, {k: payload[k] for k in sorted(mixnet.MIX_KEYS)})
    audit.record(
        session,
        election.id,
        actor,
        "tally.mix",
        {"question": question, "position": payload["position"], "output_hash": payload["output_hash"]},
    )
    return view(session, election.id, with_ciphertexts=False)
