"""Candidate withdrawal or swap while an election is ready, open or paused: a new ballot
definition version with its own fingerprint.

The committee chooses per change what happens to ballots already cast on earlier versions:
``keep`` — they stay valid; a withdrawn candidate's entries are ignored in the result (a
replacement candidate was not on them, so they count as not listing it); or ``strike`` — they
are struck (reason code ``candidate_change``) and their voters invited to vote again.
Candidates keep their ``position`` as a stable id: withdrawing marks the candidate, swapping
withdraws the old one and appends the new one.

Anonymity guard: a swap that keeps counted ballots of earlier versions gives the new candidate
only the ballots cast from now on, while the others keep every ballot — a small slot that the
tally withholds when fewer than ``min_contributors`` are cast (``crypto.tally``), and, before
that, a result about a handful of named late voters. Such a change is refused (409
``small_slots``, nothing changed) unless the committee sends ``acknowledge_small_slots: true``;
striking the old ballots (everyone re-votes on the new version) or a plain withdrawal never
asks.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.errors import Conflict, InvalidInput
from app.models import Ballot, BallotDefinition, Candidate
from app.models.base import utcnow
from app.services import audit, board, elections, lifecycle, manifest, phases, scrutiny
from app.services.actor import Actor
from crypto import events

CHANGE_PHASES = frozenset({phases.READY, phases.OPEN, phases.PAUSED})


def change_candidates(
    session: Session,
    actor: Actor,
    election_id: str,
    *,
    question: int,
    position: int,
    replacement: dict[str, str] | None,
    reason: str,
    old_ballots: str,
    acknowledge_small_slots: bool = False,
) -> dict[str, Any]:
    election = lifecycle.load_current(session, election_id)
    elections.require_role(session, actor, election, "committee")
    phases.require_phase(election.phase, CHANGE_PHASES, "change the candidates")
    if old_ballots not in ("keep", "strike"):
        raise InvalidInput("invalid_choice", "old_ballots must be 'keep' or 'strike'")
    if not reason.strip():
        raise InvalidInput("reason_required", "say why the candidates change")
    if not 0 <= question < len(election.questions):
        raise InvalidInput("unknown_question", f"no question {question}")
    q = election.questions[question]
    candidate = next((c for c in q.candidates if c.position == position), None)
    if candidate is None:
        raise InvalidInput("unknown_candidate", f"question {question} has no candidate {position}")
    if candidate.withdrawn:
        raise Conflict("already_withdrawn", "this candidate has already withdrawn")
    if q.kind == "plurality" and replacement is None and sum(not c.withdrawn for c in q.candidates) <= 1:
        raise Conflict("last_candidate", "a plurality question needs a candidate left")
    current = manifest.current_definition(session, election.id)
    assert current is not None
    k = int(current.manifest.get("min_contributors") or 0)
    if replacement is not None and old_ballots == "keep" and k and not acknowledge_small_slots:
        kept = (
            session.scalar(
                select(func.count())
                .select_from(Ballot)
                .where(Ballot.election_id == election.id, Ballot.struck.is_(False))
            )
            or 0
        )
        if kept:
            raise Conflict(
                "small_slots",
                f"{kept} ballot(s) already cast are kept, and they do not list the new candidate: "
                "the new candidate's result comes only from ballots cast from now on, and is "
                f"withheld as too few ballots to publish if fewer than {k} are cast. Strike the "
                "old ballots (every voter is invited to vote again), or send "
                "acknowledge_small_slots: true to make the change anyway",
            )
    candidate.withdrawn = True
    change: dict[str, Any] = {"question": question, "withdrawn": position}
    if replacement is not None:
        if election.default_language not in replacement:
            raise InvalidInput(
                "missing_translation", f"the new name needs the {election.default_language!r} text"
            )
        new_position = max(c.position for c in q.candidates) + 1
        q.candidates.append(Candidate(position=new_position, name=replacement, withdrawn=False))
        change["added"] = new_position
    session.flush()
    version = current.version + 1
    doc = manifest.build(
        election,
        current.manifest["trustees"],
        definition_version=version,
        manifest_version=current.manifest["manifest_version"],
        receipt_key=current.manifest.get("receipt_key"),
    )
    # The guard is the first version's, whatever the column says now (elections set up
    # before it existed keep none).
    if "min_contributors" in current.manifest:
        doc["min_contributors"] = current.manifest["min_contributors"]
    else:
        doc.pop("min_contributors", None)
    fp = manifest.fingerprint(doc)
    session.add(
        BallotDefinition(
            election_id=election.id, version=version, manifest=doc, fingerprint=fp, created_at=utcnow()
        )
    )
    session.flush()
    board.append(
        session,
        election.id,
        events.BALLOT_DEFINITION,
        {
            "version": version,
            "manifest": doc,
            "fingerprint": fp,
            "change": change,
            "reason": reason,
            "old_ballots": old_ballots,
        },
    )
    audit.record(
        session,
        election.id,
        actor,
        "candidates.change",
        {
            **change,
            "reason": reason,
            "old_ballots": old_ballots,
            "version": version,
            "acknowledge_small_slots": acknowledge_small_slots,
        },
    )
    struck: dict[str, Any] = {"trackers": [], "invited": []}
    if old_ballots == "strike":
        trackers = [
            t
            for v in range(1, version)
            for t in session.scalars(
                select(Ballot.tracker).where(
                    Ballot.election_id == election.id,
                    Ballot.definition_version == v,
                    Ballot.struck.is_(False),
                )
            )
        ]
        if trackers:
            struck = scrutiny.strike(
                session,
                actor,
                election.id,
                {"trackers": trackers},
                "candidate_change",
                reason,
                invite_to_revote=election.phase in (phases.OPEN, phases.PAUSED),
            )
    return {
        "version": version,
        "fingerprint": fp,
        "change": change,
        "struck": struck["trackers"],
        "invited": struck["invited"],
    }
