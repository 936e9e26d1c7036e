"""Election configuration by the committee: create, edit, roles, roll, freeze."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, object_session

from app.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.models import Candidate, Election, Question, RoleAssignment, Trustee, Voter
from app.models.base import utcnow
from app.schemas.elections import ElectionCreate, ElectionPatch, QuestionIn, ScheduleIn
from app.services import audit, board, phases, role_policy, roll, schedule
from app.services.actor import Actor
from crypto import events
from crypto.ballots import QuestionSpec
from crypto.ceremony import PROTOCOL as CEREMONY_PROTOCOL
from crypto.mixnet import MIN_MIXES as MIXES_REQUIRED
from crypto.ranked import width as ranked_width

# Upper bounds of a cast request's size ({"ballot": …} as JSON, with the spaces Python's json
# puts in), calibrated on crypto.ballots.encrypt_ballot (tests/service/test_ballot_size.py
# checks they stay upper bounds). Ballot version 2 (protocol §4.5: every 0/1 and range proof
# also carries its commitments, 2 points per branch) measured: 417 bytes of envelope (ids,
# credential, signature), 57 per question, 2104 per support/oppose/neutral candidate (two
# ciphertexts, two bit proofs and a candidate proof; 1225 in version 1), 753 per
# approval/plurality option (a ciphertext and a bit proof; 460 in version 1), and for a bounded
# number of selections a range proof of about 274 bytes per allowed count (136 in version 1).
BALLOT_ENVELOPE_BYTES = 600
QUESTION_BYTES = 100
SONC_CANDIDATE_BYTES = 2130
OPTION_BYTES = 765
RANGE_BASE_BYTES = 80
RANGE_VALUE_BYTES = 280
RANKED_CHUNK_BYTES = 300  # one ciphertext and its proof of knowledge (crypto.ranked)


def load(session: Session, election_id: str, *, for_update: bool = False) -> Election:
    """Fetch an election (under its row lock, re-read, with ``for_update``). Never writes: the
    transitions its schedule has made due are applied by ``lifecycle.load_current`` (the write
    paths), ``lifecycle.catch_up`` and the scheduler."""
    query = select(Election).where(Election.id == election_id)
    if for_update:
        query = query.with_for_update().execution_options(populate_existing=True)
    election = session.scalars(query).first()
    if election is None:
        raise NotFound("election_not_found", f"no election {election_id!r}")
    return election


def load_visible(session: Session, actor: Actor | None, election_id: str) -> Election:
    """Drafts are private to the people with a role in them (and instance administrators):
    to anyone else a draft answers exactly as an id that does not exist."""
    election = load(session, election_id)
    if is_hidden(session, actor, election):
        raise not_found(election_id)
    return election


def not_found(election_id: str) -> NotFound:
    return NotFound("election_not_found", f"no election {election_id!r}")


def is_hidden(session: Session, actor: Actor | None, election: Election) -> bool:
    return election.phase == phases.DRAFT and not (
        actor and (actor.is_admin or roles_of(session, election.id, actor.username))
    )


def roles_of(session: Session, election_id: str, username: str) -> set[str]:
    return set(
        session.scalars(
            select(RoleAssignment.role).where(
                RoleAssignment.election_id == election_id, RoleAssignment.username == username
            )
        )
    )


def require_role(session: Session, actor: Actor, election: Election, *roles: str) -> None:
    if actor.is_admin and "committee" in roles:
        return
    mine = roles_of(session, election.id, actor.username)
    if not mine & set(roles):
        if election.phase == phases.DRAFT and not mine and not actor.is_admin:
            raise not_found(election.id)  # a hidden draft: as if it did not exist
        raise Forbidden("forbidden", f"this needs the role {' or '.join(roles)} in {election.id}")


def max_ballot_bytes(questions: Iterable[QuestionIn]) -> int:
    """The size of the largest cast request a ballot for these questions can make."""
    total = BALLOT_ENVELOPE_BYTES
    for q in questions:
        n = len(q.candidates)
        total += QUESTION_BYTES
        if q.kind == "ranked":
            total += ranked_width(n) * RANKED_CHUNK_BYTES
            continue
        if q.kind == "sonc":
            total += n * SONC_CANDIDATE_BYTES
            continue
        total += n * OPTION_BYTES
        bounds = QuestionSpec(
            q.kind,
            n,
            q.min_selections if q.kind == "approval" else 0,
            q.max_selections if q.kind == "approval" else None,
        ).sum_range()
        if q.kind == "plurality":
            bounds = (1, 1)
        if bounds is not None:
            total += RANGE_BASE_BYTES + (bounds[1] - bounds[0] + 1) * RANGE_VALUE_BYTES
    return total


def check_ballot_size(questions: Iterable[QuestionIn], limit: int | None) -> None:
    """An election nobody could vote in is refused: its largest ballot must fit the request
    limit (``SCRUTIN_MAX_REQUEST_BYTES``)."""
    if limit is None:
        return
    size = max_ballot_bytes(questions)
    if size > limit:
        raise InvalidInput(
            "ballot_too_large",
            f"a ballot for these questions can take up to {size} bytes, more than this "
            f"server accepts in a request ({limit} bytes, SCRUTIN_MAX_REQUEST_BYTES): use "
            f"fewer questions or candidates (a support/oppose/neutral candidate takes about "
            f"{SONC_CANDIDATE_BYTES} bytes, an approval or plurality option {OPTION_BYTES}), "
            f"or ask the operator to raise the limit",
        )


def create(session: Session, actor: Actor, data: ElectionCreate, max_ballot: int | None = None) -> Election:
    if not actor.is_admin:
        raise Forbidden("forbidden", "only instance administrators can create elections")
    check_ballot_size(data.questions, max_ballot)
    election_id = data.id or f"e-{secrets.token_hex(5)}"
    if session.get(Election, election_id) is not None:
        raise Conflict("election_exists", f"an election {election_id!r} already exists")
    election = Election(
        id=election_id,
        title=data.title,
        description=data.description or {},
        default_language=data.default_language,
        phase=phases.DRAFT,
        pause_reason=None,
        starts_at=None,
        ends_at=None,
        timezone="UTC",
        credential_mode=data.credential_mode,
        threshold=data.threshold,
        trustee_count=data.trustee_count,
        voter_list_public=data.voter_list_public,
        min_contributors=data.min_contributors,
        public_key=None,
        ceremony_round=1,
        created_at=utcnow(),
        created_by=actor.username,
    )
    if data.schedule:
        _set_schedule(election, data.schedule)
    session.add(election)
    _replace_questions(election, data.questions)
    check_mixers(election)
    session.flush()
    audit.record(session, election.id, actor, "election.create", {"config": data.model_dump(mode="json")})
    _add_role(session, actor, election, actor.username, "committee")
    return election


def update(
    session: Session, actor: Actor, election_id: str, patch: ElectionPatch, max_ballot: int | None = None
) -> Election:
    election = load(session, election_id, for_update=True)
    require_role(session, actor, election, "committee")
    if patch.questions is not None:
        check_ballot_size(patch.questions, max_ballot)
    changes = patch.model_dump(exclude_unset=True, mode="json")
    if not changes:
        raise InvalidInput("empty_patch", "nothing to change")
    for field in changes:
        phases.require_editable(election.phase, field)
    if patch.title is not None:
        election.title = patch.title
    if patch.description is not None:
        election.description = patch.description
    if patch.default_language is not None:
        election.default_language = patch.default_language
    if election.default_language not in election.title:
        raise InvalidInput("missing_translation", f"title needs a text in {election.default_language!r}")
    if patch.questions is not None:
        _replace_questions(election, patch.questions)
    if patch.schedule is not None:
        _set_schedule(election, patch.schedule)
    if patch.credential_mode is not None:
        election.credential_mode = patch.credential_mode
    if patch.threshold is not None:
        election.threshold = patch.threshold
    if patch.trustee_count is not None:
        election.trustee_count = patch.trustee_count
    if election.threshold > election.trustee_count:
        raise InvalidInput("invalid_threshold", "threshold cannot exceed trustee_count")
    check_mixers(election)
    if patch.voter_list_public is not None:
        election.voter_list_public = patch.voter_list_public
    if patch.min_contributors is not None:
        election.min_contributors = patch.min_contributors
    session.flush()
    audit.record(session, election.id, actor, "election.update", {"changes": changes})
    if patch.schedule is not None and election.phase not in (phases.DRAFT,):
        board.append(
            session,
            election.id,
            events.SCHEDULE_CHANGED,
            schedule.describe(election.starts_at, election.ends_at, election.timezone),
        )
    return election


def check_mixers(election: Election) -> None:
    """Ranked answers are mixed by MIXES_REQUIRED different trustees before any is decrypted
    (crypto.mixnet), so a ballot with a ranked question needs that many trustees."""
    if any(q.kind == "ranked" for q in election.questions) and election.trustee_count < MIXES_REQUIRED:
        raise InvalidInput(
            "too_few_mixers",
            f"a ranked question needs at least {MIXES_REQUIRED}"
            f" trustees: each of {MIXES_REQUIRED} different trustees mixes the "
            "ranked ballots before any is decrypted; raise trustee_count",
        )


def _set_schedule(election: Election, value: ScheduleIn) -> None:
    start = schedule.to_utc(value.start, value.timezone, "start", path="schedule.start")
    end = schedule.to_utc(value.end, value.timezone, "end", path="schedule.end")
    if end <= start:
        raise InvalidInput("invalid_schedule", "the end must be after the start")
    if election.phase in (phases.OPEN, phases.PAUSED) and start != election.starts_at:
        raise Conflict("not_editable", "the start cannot move once voting has opened")
    election.starts_at, election.ends_at, election.timezone = start, end, value.timezone


def _replace_questions(election: Election, questions: Iterable[QuestionIn]) -> None:
    had = bool(election.questions)
    election.questions.clear()
    session = object_session(election)
    if had and session is not None:
        # The old rows go before the new ones arrive: (election, position) is unique, and the
        # unit of work would insert the new questions before deleting the old.
        session.flush()
    for position, q in enumerate(questions):
        question = Question(
            position=position,
            kind=q.kind,
            title=q.title,
            min_selections=q.min_selections,
            max_selections=q.max_selections,
            seats=q.seats,
            pass_rule=q.pass_rule.model_dump(mode="json") if q.pass_rule else None,
            method=q.method,
        )
        question.candidates = [
            Candidate(position=i, name=c.name, withdrawn=False) for i, c in enumerate(q.candidates)
        ]
        election.questions.append(question)


def assign_role(
    session: Session,
    actor: Actor,
    election_id: str,
    username: str,
    role: str,
    jurisdiction: str | None = None,
    flags: list[str] | None = None,
) -> RoleAssignment:
    election = load(session, election_id, for_update=True)
    require_role(session, actor, election, "committee")
    phases.require_editable(election.phase, "roles")
    if role == "trustee" and election.phase != phases.DRAFT:
        raise Conflict("not_editable", "trustees can only change while the election is a draft")
    if role == "credential_authority" and election.phase not in (phases.DRAFT, phases.KEY_CEREMONY):
        raise Conflict("not_editable", "the credential authority is fixed once the key exists")
    if role == "trustee" and username in (election.excluded_trustees or []):
        raise Conflict(
            "trustee_excluded",
            f"{username} was found at fault in this election's "
            "key ceremony and cannot be a trustee of it again",
        )
    role_policy.check_role(session, election, username, role, jurisdiction, flags or [])
    return _add_role(session, actor, election, username, role, jurisdiction, flags or [])


def _add_role(
    session: Session,
    actor: Actor,
    election: Election,
    username: str,
    role: str,
    jurisdiction: str | None = None,
    flags: list[str] | None = None,
) -> RoleAssignment:
    if role in roles_of(session, election.id, username):
        raise Conflict("role_exists", f"{username} already has the role {role}")
    if role == "trustee":
        count = (
            session.scalar(
                select(func.count()).select_from(Trustee).where(Trustee.election_id == election.id)
            )
            or 0
        )
        if count >= election.trustee_count:
            raise Conflict("too_many_trustees", f"the election has {election.trustee_count} trustee places")
        session.add(
            Trustee(
                election_id=election.id,
                username=username,
                trustee_index=count + 1,
                encryption_key=None,
                commitments=None,
                commitment_proofs=None,
                status="invited",
                updated_at=utcnow(),
            )
        )
    assignment = RoleAssignment(
        election_id=election.id,
        username=username,
        role=role,
        assigned_at=utcnow(),
        assigned_by=actor.username,
        jurisdiction=jurisdiction,
        flags=list(flags or []),
    )
    session.add(assignment)
    try:
        session.flush()
    except IntegrityError as exc:
        raise Conflict("role_exists", f"{username} already has the role {role}") from exc
    audit.record(
        session,
        election.id,
        actor,
        "role.assign",
        {"username": username, "role": role, "jurisdiction": jurisdiction, "flags": list(flags or [])},
    )
    return assignment


def remove_role(session: Session, actor: Actor, election_id: str, username: str, role: str) -> None:
    election = load(session, election_id, for_update=True)
    require_role(session, actor, election, "committee")
    phases.require_editable(election.phase, "roles")
    if role == "trustee":
        if election.phase != phases.DRAFT:
            raise Conflict("not_editable", "trustees can only change while the election is a draft")
        session.execute(
            delete(Trustee).where(Trustee.election_id == election.id, Trustee.username == username)
        )
        # Keep trustee indices dense 1..n in assignment order.
        for index, trustee in enumerate(
            session.scalars(
                select(Trustee).where(Trustee.election_id == election.id).order_by(Trustee.trustee_index)
            ),
            start=1,
        ):
            trustee.trustee_index = -index  # two steps: avoid clashing on the unique index
        session.flush()
        for trustee in session.scalars(select(Trustee).where(Trustee.election_id == election.id)):
            trustee.trustee_index = -trustee.trustee_index
    if role == "committee" and username == actor.username:
        others = session.scalar(
            select(func.count())
            .select_from(RoleAssignment)
            .where(
                RoleAssignment.election_id == election.id,
                RoleAssignment.role == "committee",
                RoleAssignment.username != username,
            )
        )
        if not others:
            raise Conflict("last_committee_member", "an election needs at least one committee member")
    result = session.execute(
        delete(RoleAssignment).where(
            RoleAssignment.election_id == election.id,
            RoleAssignment.username == username,
            RoleAssignment.role == role,
        )
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        raise NotFound("role_not_found", f"{username} does not have the role {role}")
    audit.record(session, election.id, actor, "role.remove", {"username": username, "role": role})


def set_role_policy(
    session: Session, actor: Actor, election_id: str, policy: dict[str, Any]
) -> dict[str, Any]:
    election = load(session, election_id, for_update=True)
    require_role(session, actor, election, "committee")
    phases.require_phase(election.phase, {phases.DRAFT}, "change the role policy")
    role_policy.validate(policy)
    election.role_policy = policy
    session.flush()
    audit.record(session, election.id, actor, "role_policy.set", {"policy": policy})
    return policy


def list_roles(session: Session, actor: Actor, election_id: str) -> list[dict[str, Any]]:
    election = load(session, election_id)
    require_role(session, actor, election, "committee")
    rows = session.scalars(
        select(RoleAssignment)
        .where(RoleAssignment.election_id == election.id)
        .order_by(RoleAssignment.role, RoleAssignment.username)
    )
    return [
        {
            "username": r.username,
            "role": r.role,
            "assigned_at": r.assigned_at.isoformat(),
            "assigned_by": r.assigned_by,
            "jurisdiction": r.jurisdiction,
            "flags": r.flags,
        }
        for r in rows
    ]


def update_roll(
    session: Session,
    actor: Actor,
    election_id: str,
    usernames: list[str],
    mode: str,
    *,
    detail: dict[str, Any] | None = None,
) -> dict[str, int]:
    """The explicit voter list (the eligibility-rules issue adds wiki rules on top)."""
    election = load(session, election_id, for_update=True)
    require_role(session, actor, election, "committee")
    phases.require_editable(election.phase, "roll")
    names = list(dict.fromkeys(usernames))
    existing = {v.username: v for v in session.scalars(select(Voter).where(Voter.election_id == election.id))}
    if mode in ("replace", "remove") and election.phase not in (
        phases.DRAFT,
        phases.KEY_CEREMONY,
        phases.READY,
    ):
        raise Conflict("not_editable", "voters can only be added once voting has opened")
    added = removed = 0
    if mode == "replace":
        for username, voter in existing.items():
            if username not in names:
                session.delete(voter)
                removed += 1
    if mode == "remove":
        for username in names:
            if username in existing:
                session.delete(existing[username])
                removed += 1
    else:
        now = utcnow()
        for username in names:
            if username not in existing:
                session.add(
                    Voter(
                        election_id=election.id,
                        username=username,
                        eligible=True,
                        decision={
                            "source": "explicit_list",
                            "reasons": ["listed on this election's voter roll"],
                        },
                        added_at=now,
                    )
                )
                added += 1
    session.flush()
    total = (
        session.scalar(select(func.count()).select_from(Voter).where(Voter.election_id == election.id)) or 0
    )
    audit.record(
        session,
        election.id,
        actor,
        "roll.update",
        {"mode": mode, "added": added, "removed": removed, "total": total, **(detail or {})},
    )
    roll.publish(session, election, "roll_changed")
    return {"added": added, "removed": removed, "total": total}


def list_roll(
    session: Session, actor: Actor, election_id: str, query: str = "", offset: int = 0, limit: int = 50
) -> dict[str, Any]:
    """The committee's view of the roll: who is on it (eligible or not, and why), searched by
    a case-insensitive part of the name, in name order, a page at a time."""
    election = load(session, election_id)
    require_role(session, actor, election, "committee")
    where = [Voter.election_id == election.id]
    text = query.strip()
    if text:
        escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        where.append(func.lower(Voter.username).like(f"%{escaped.lower()}%", escape="\\"))
    total = (
        session.scalar(select(func.count()).select_from(Voter).where(Voter.election_id == election.id)) or 0
    )
    eligible = (
        session.scalar(
            select(func.count())
            .select_from(Voter)
            .where(Voter.election_id == election.id, Voter.eligible.is_(True))
        )
        or 0
    )
    matched = session.scalar(select(func.count()).select_from(Voter).where(*where)) or 0
    rows = session.scalars(
        select(Voter)
        .where(*where)
        .order_by(func.lower(Voter.username), Voter.username)
        .offset(offset)
        .limit(limit)
    )
    voters = [
        {
            "username": v.username,
            "eligible": v.eligible,
            "added_at": v.added_at,
            "source": (v.decision or {}).get("source"),
            "reasons": list((v.decision or {}).get("reasons") or []),
        }
        for v in rows
    ]
    return {
        "total": total,
        "eligible": eligible,
        "matched": matched,
        "offset": offset,
        "limit": limit,
        "query": text,
        "voters": voters,
    }


def freeze(session: Session, actor: Actor, election_id: str) -> Election:
    """Draft → key ceremony: the configuration is complete and the trustees may begin."""
    election = load(session, election_id, for_update=True)
    require_role(session, actor, election, "committee")
    phases.require_transition(election.phase, phases.KEY_CEREMONY)
    problems = []
    if not election.questions:
        problems.append("at least one question is needed")
    if election.starts_at is None or election.ends_at is None:
        problems.append("the schedule is not set")
    trustees = session.scalars(select(Trustee).where(Trustee.election_id == election.id)).all()
    if len(trustees) != election.trustee_count:
        problems.append(f"{len(trustees)} of {election.trustee_count} trustees assigned")
    excluded = sorted(t.username for t in trustees if t.username in (election.excluded_trustees or []))
    if excluded:
        problems.append(f"replace the trustees found at fault in the key ceremony: {', '.join(excluded)}")
    if problems:
        raise Conflict("not_ready_to_freeze", "; ".join(problems))
    role_policy.trustee_set_allowed(session, election)
    election.phase = phases.advance(election.phase, events.CEREMONY_STARTED)
    session.flush()
    board.append(
        session,
        election.id,
        events.CEREMONY_STARTED,
        {
            "election_id": election.id,
            "round": election.ceremony_round,
            "threshold": election.threshold,
            "trustees": election.trustee_count,
            "protocol": CEREMONY_PROTOCOL,
            "schedule": schedule.describe(election.starts_at, election.ends_at, election.timezone),
            # The roll at freeze (size and fingerprint, crypto.roll): later changes are
            # roll_published events; the verifier bounds the credentials used by it.
            "roll": roll.current(session, election),
        },
    )
    audit.record(session, election.id, actor, "election.freeze", {})
    return election


def view(session: Session, election: Election) -> dict[str, Any]:
    """The public description of an election."""
    from app.services import manifest as manifest_service

    definition = manifest_service.current_definition(session, election.id)
    return {
        "id": election.id,
        "title": election.title,
        "description": election.description,
        "default_language": election.default_language,
        "phase": election.phase,
        "pause_reason": election.pause_reason,
        "open_blocked": roll.open_blocked(session, election)
        if election.phase in (phases.KEY_CEREMONY, phases.READY)
        else None,
        "schedule": schedule.describe(election.starts_at, election.ends_at, election.timezone),
        "credential_mode": election.credential_mode,
        "threshold": election.threshold,
        "trustee_count": election.trustee_count,
        "voter_list_public": election.voter_list_public,
        "min_contributors": election.min_contributors,
        "roll_mode": election.roll_mode,
        "public_key": election.public_key,
        "fingerprint": definition.fingerprint if definition else None,
        "definition_version": definition.version if definition else None,
        "questions": [question_view(q) for q in election.questions],
    }


def question_view(q: Question) -> dict[str, Any]:
    return {
        "position": q.position,
        "kind": q.kind,
        "title": q.title,
        "min_selections": q.min_selections,
        "max_selections": q.max_selections,
        "seats": q.seats,
        "pass_rule": q.pass_rule,
        "method": q.method,
        "candidates": [
            {"position": c.position, "name": c.name, "withdrawn": c.withdrawn} for c in q.candidates
        ],
    }


def list_visible(session: Session, actor: Actor | None) -> list[Election]:
    elections = session.scalars(select(Election).order_by(Election.created_at.desc())).all()
    if actor and actor.is_admin:
        return list(elections)
    mine = set()
    if actor:
        mine = set(
            session.scalars(
                select(RoleAssignment.election_id).where(RoleAssignment.username == actor.username)
            )
        )
    return [e for e in elections if e.phase != phases.DRAFT or e.id in mine]


def role_policy_view(session: Session, actor: Actor, election_id: str) -> dict[str, Any]:
    """The election's role policy, for its committee."""
    election = load(session, election_id)
    require_role(session, actor, election, "committee")
    return {"policy": election.role_policy}
