"""Tally: the counted set's homomorphic sum, decrypted once by a threshold of trustees.

No tally is ever decrypted before voting and scrutiny end, and each election has exactly one
tally (a unique row, created under the election lock): two decrypted tallies that differ by a
strike would reveal the struck ballots (DESIGN §3.2, SecurePoll T267482).
"""

from __future__ import annotations

import os
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.counting import count_rankings
from app.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.models import Ballot, BallotDefinition, DecryptionShare, Election, Tally, Trustee
from app.models.base import utcnow
from app.services import audit, board, elections, lifecycle, manifest, mixing, phases, roll, scrutiny
from app.services.actor import Actor
from crypto import events, mixnet
from crypto.ceremony import verify_decryption_share_signature
from crypto.dlog import discrete_log
from crypto.elgamal import Ciphertext
from crypto.errors import CryptoError
from crypto.group import Point
from crypto.results import election_result, ranked_question
from crypto.tally import (
    ballot_ciphertexts,
    counted_ballots,
    decryption_context,
    encrypted_tally_hash,
    layout_of,
    split_totals,
    sum_across_versions,
)
from crypto.threshold import combine_decryption, public_key_share, verify_decryption_share

TALLY_START_PHASES = phases.TALLY_START_PHASES

WORKERS = os.cpu_count() or 1
"""Processes for checking a long decryption share (a mixed ranked tally; short lists stay
in-process, crypto.threshold.PARALLEL_MIN)."""


def _tally(session: Session, election_id: str) -> Tally | None:
    return session.scalars(select(Tally).where(Tally.election_id == election_id)).first()


class _Decryption:
    """How this election's tally is decrypted: protocol 2 (manifest_version 2) binds every
    proof to the hash of the encrypted tally and its slot, and shares are signed by the
    trustee's identity; protocol 1 elections keep their original context."""

    def __init__(self, session: Session, election: Election, tally: Tally) -> None:
        definition = manifest.current_definition(session, election.id)
        assert definition is not None
        self.manifest = definition.manifest
        self.protocol = 2 if definition.manifest.get("manifest_version", 1) >= 2 else 1
        self.tally_hash: str | None = None
        if self.protocol == 2:
            found = board.page(session, election.id, limit=1, event_type="encrypted_tally")
            assert found, "a tally row always comes with its encrypted_tally event"
            self.tally_hash = encrypted_tally_hash(found[0].payload)
        # Ranked questions: the trustees decrypt the sums and the last mixes (the decryption
        # target, crypto.mixnet), and only once every ranked question is mixed.
        self.mixes = mixing.load_state(session, election, tally)
        self.ciphertexts = [Ciphertext.from_json(c, allow_identity=True) for c in tally.ciphertexts]
        self.n_sums = len(self.ciphertexts)
        self.ready = self.mixes.complete
        if self.mixes.setting is not None and self.ready:
            self.tally_hash = mixnet.decryption_target_hash(self.mixes.tally_hash, self.mixes.chains)
            self.ciphertexts = mixnet.decryption_ciphertexts(self.ciphertexts, self.mixes.chains)
        self.context = decryption_context(election.id, definition.fingerprint, self.tally_hash)

    def signing_key(self, index: int) -> str:
        return str(next(t["signing_key"] for t in self.manifest["trustees"] if t["index"] == index))


def start(session: Session, actor: Actor, election_id: str) -> dict[str, Any]:
    """Closed (or scrutiny) → tallying: fix the counted set and publish the encrypted sums."""
    election = lifecycle.load_current(session, election_id)
    elections.require_role(session, actor, election, "committee")
    phases.require_phase(election.phase, TALLY_START_PHASES, "start the tally")
    if _tally(session, election.id) is not None:  # pragma: no cover - phase prevents it
        raise Conflict("tally_exists", "this election has already been tallied")
    definition = manifest.current_definition(session, election.id)
    assert definition is not None
    board_events = [board.to_json(e) for e in board.all_events(session, election.id)]
    counted = counted_ballots(board_events)
    trackers = [c.tracker for c in counted]
    payloads = {
        b.tracker: b.payload
        for b in session.scalars(
            select(Ballot).where(Ballot.election_id == election.id, Ballot.tracker.in_(trackers))
        )
    }
    manifests = {
        d.version: d.manifest
        for d in session.scalars(select(BallotDefinition).where(BallotDefinition.election_id == election.id))
    }
    # Ballots cast on earlier ballot versions (a candidate withdrew or was swapped and the
    # committee kept them) count for the candidates they listed.
    sums, contributors = sum_across_versions(
        [
            (c.definition_version, ballot_ciphertexts(payloads[c.tracker], already_verified=True))
            for c in counted
        ],
        manifests,
        definition.manifest,
    )
    layout = layout_of(definition.manifest)
    mix_inputs = None
    if mixnet.ranked_questions(definition.manifest):
        mix_inputs = mixnet.input_summary(
            mixnet.mix_inputs(
                definition.manifest,
                [ballot_ciphertexts(payloads[c.tracker], already_verified=True) for c in counted],
            )
        )
    tally = Tally(
        election_id=election.id,
        started_at=utcnow(),
        started_by=actor.username,
        counted=trackers,
        layout=layout,
        ciphertexts=[c.to_json() for c in sums],
        contributors=contributors,
        totals=None,
        result=None,
        decrypted_at=None,
    )
    session.add(tally)
    previous = election.phase
    election.phase = phases.advance(previous, events.TALLY_STARTED)
    session.flush()
    board.append(
        session,
        election.id,
        events.TALLY_STARTED,
        {
            "from": previous,
            "to": "tallying",
            "struck_by_reason": scrutiny.struck_by_reason(session, election.id),
        },
    )
    encrypted: dict[str, Any] = {
        "definition_version": definition.version,
        "counted": trackers,
        "layout": layout,
        "contributors": contributors,
        "ciphertexts": tally.ciphertexts,
    }
    if mix_inputs is not None:
        encrypted["mix_inputs"] = mix_inputs
    board.append(session, election.id, events.ENCRYPTED_TALLY, encrypted)
    audit.record(session, election.id, actor, "tally.start", {"counted": len(trackers)})
    return view(session, election, tally)


def view(session: Session, election: Election, tally: Tally | None = None) -> dict[str, Any]:
    tally = tally or _tally(session, election.id)
    if tally is None:
        raise NotFound("no_tally", "the tally has not started")
    submitted = sorted(
        session.scalars(
            select(DecryptionShare.trustee_index).where(DecryptionShare.election_id == election.id)
        )
    )
    decryption = _Decryption(session, election, tally)
    out = {
        "phase": election.phase,
        "counted": tally.counted,
        "layout": tally.layout,
        "ciphertexts": tally.ciphertexts,
        "context": decryption.context.decode(),
        "protocol": decryption.protocol,
        "tally_hash": decryption.tally_hash,
        "threshold": election.threshold,
        "shares": submitted,
        "result": tally.result,
    }
    if decryption.mixes.setting is not None:
        out["mixing"] = {
            "required": decryption.mixes.required,
            "complete": decryption.ready,
            "mixed": {q: list(c.mixers) for q, c in decryption.mixes.chains.items()},
        }
    return out


def get(session: Session, election_id: str) -> dict[str, Any]:
    election = elections.load(session, election_id)
    return view(session, election)


def _public_shares(session: Session, election: Election) -> dict[int, Point]:
    trustees = list(
        session.scalars(
            select(Trustee).where(Trustee.election_id == election.id).order_by(Trustee.trustee_index)
        )
    )
    commitments = [[Point.from_hex(c) for c in t.commitments or []] for t in trustees]
    return {t.trustee_index: public_key_share(commitments, t.trustee_index) for t in trustees}


def submit_share(
    session: Session,
    actor: Actor,
    election_id: str,
    share: dict[str, Any],
    tally_hash: str | None = None,
    signature: str | None = None,
) -> dict[str, Any]:
    """A trustee's decryption share. Invalid shares are refused (nothing stored); once t valid
    shares exist the tally is combined, decrypted and published — once."""
    election = lifecycle.load_current(session, election_id)
    phases.require_phase(election.phase, {phases.TALLYING}, "submit a decryption share")
    trustee = session.scalars(
        select(Trustee).where(Trustee.election_id == election.id, Trustee.username == actor.username)
    ).first()
    if trustee is None:
        raise Forbidden("forbidden", f"{actor.username} is not a trustee of {election.id}")
    tally = _tally(session, election.id)
    assert tally is not None
    if session.scalars(
        select(DecryptionShare).where(
            DecryptionShare.election_id == election.id, DecryptionShare.trustee_index == trustee.trustee_index
        )
    ).first():
        raise Conflict("share_exists", "this trustee has already submitted its share")
    decryption = _Decryption(session, election, tally)
    if not decryption.ready:
        raise Conflict(
            "mixing_incomplete",
            "the ranked ballots are not mixed yet: every ranked "
            f"question needs {decryption.mixes.required} mixes by different trustees "
            "before anything is decrypted",
        )
    ciphertexts = decryption.ciphertexts
    context = decryption.context
    public_shares = _public_shares(session, election)
    slot_bound = decryption.protocol == 2
    try:
        if slot_bound:
            if tally_hash is None or tally_hash != decryption.tally_hash:
                raise InvalidInput(
                    "wrong_tally",
                    f"the share names tally {tally_hash}; the "
                    f"encrypted tally on the board is {decryption.tally_hash}",
                )
            verify_decryption_share_signature(
                decryption.signing_key(trustee.trustee_index),
                signature,
                election.id,
                int(decryption.manifest["ceremony_round"]),
                trustee.trustee_index,
                tally_hash,
                share,
            )
        verify_decryption_share(
            ciphertexts,
            share,
            public_shares[trustee.trustee_index],
            trustee.trustee_index,
            context,
            slot_bound=slot_bound,
            workers=WORKERS,
        )
    except CryptoError as exc:
        raise InvalidInput("invalid_share", str(exc)) from exc
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidInput("invalid_share", f"malformed decryption share: {exc}") from exc
    session.add(
        DecryptionShare(
            election_id=election.id, trustee_index=trustee.trustee_index, share=share, submitted_at=utcnow()
        )
    )
    session.flush()
    payload: dict[str, Any] = {"index": trustee.trustee_index, "share": share}
    if slot_bound:
        payload.update(tally_hash=tally_hash, signature=signature)
    board.append(session, election.id, events.DECRYPTION_SHARE, payload)
    audit.record(session, election.id, actor, "tally.share", {"index": trustee.trustee_index})
    shares = {
        s.trustee_index: s.share
        for s in session.scalars(select(DecryptionShare).where(DecryptionShare.election_id == election.id))
    }
    if len(shares) >= election.threshold and tally.result is None:
        _decrypt_and_publish(session, election, tally, decryption, shares, public_shares, context, slot_bound)
    return view(session, election, tally)


def _decrypt_and_publish(
    session: Session,
    election: Election,
    tally: Tally,
    decryption: _Decryption,
    shares: dict[int, dict],
    public_shares: dict[int, Point],
    context: bytes,
    slot_bound: bool,
) -> None:
    points, rejected = combine_decryption(
        decryption.ciphertexts,
        shares,
        public_shares,
        election.threshold,
        context,
        slot_bound=slot_bound,
        workers=WORKERS,
    )
    sums, ranked_rows = mixnet.split_decrypted(points, decryption.n_sums, decryption.mixes.chains)
    bound = len(tally.counted)
    totals = [discrete_log(p, bound) for p in sums]
    definition = manifest.current_definition(session, election.id)
    assert definition is not None
    final = definition.manifest
    manifests = [
        d.manifest
        for d in session.scalars(select(BallotDefinition).where(BallotDefinition.election_id == election.id))
    ]
    ranked: dict[int, dict[str, Any]] = {}
    for q in mixnet.ranked_questions(final):
        if q not in ranked_rows:  # withheld by the anonymity guard: never mixed or decrypted
            ranked[q] = ranked_question(final["questions"][q], None, 0, count_rankings)
            continue
        rankings, invalid = mixnet.decode_rankings(final, manifests, q, ranked_rows[q])
        ranked[q] = ranked_question(final["questions"][q], rankings, invalid, count_rankings)
    result = election_result(final, split_totals(totals, tally.layout), bound, tally.contributors, ranked)
    tally.totals = totals
    tally.result = result
    tally.decrypted_at = utcnow()
    election.phase = phases.advance(election.phase, events.RESULT)
    session.flush()
    used = sorted(j for j in shares if j not in rejected)[: election.threshold]
    board.append(
        session, election.id, events.RESULT, {"totals": totals, "shares_used": used, "result": result}
    )


def results(session: Session, election_id: str) -> dict[str, Any]:
    election = elections.load(session, election_id)
    tally = _tally(session, election.id)
    if tally is None or tally.result is None:
        raise NotFound("no_result", "the result is not published yet")
    definition = manifest.current_definition(session, election.id)
    assert definition is not None
    # The signed result has no titles (the manifest has none): each question gets its title
    # (every language) here, and the roll size (public: on the board) for the turnout.
    titles = [q.title for q in election.questions]
    questions = [
        {**q, "title": titles[i] if i < len(titles) else None}
        for i, q in enumerate(tally.result["questions"])
    ]
    return {
        "election_id": election.id,
        "title": election.title,
        "default_language": election.default_language,
        "fingerprint": definition.fingerprint,
        **tally.result,
        "questions": questions,
        "roll_size": roll.current(session, election)["size"],
    }
