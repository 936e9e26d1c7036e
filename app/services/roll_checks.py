"""Frozen rolls computed off the request path.

Freezing a roll checks every listed user against the wiki: a few look-ups each, so a roll of
thousands of users is minutes of wiki traffic (paced by maxlag and retries) that must not hold
a request, a worker thread of the web server or a database transaction. The committee's
request only queues a *roll check* (``request``); a worker — the scheduler's roll thread in
every server process, or ``scrutin roll work`` — claims it (``claim_next``), evaluates the
users a chunk at a time outside any transaction, recording its progress, asks the wiki again
for the users it could not answer for (``RETRY_DELAYS``), and stores the roll in one
transaction through ``eligibility.freeze_roll`` (which re-checks the committee role, the
phase, the roll mode and that the rules did not change since the request).

Only one check per election is queued or running at a time. A claim not renewed for
``STALE_AFTER`` (its process died) is taken again from the start: evaluating is read-only on
the wiki, and nothing is stored before the last step.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker

from app.db import transaction
from app.eligibility import FactsProvider
from app.errors import Conflict, DomainError, NotFound
from app.models import RollCheck
from app.models.base import utcnow
from app.services import audit, elections, eligibility
from app.services.actor import Actor

log = logging.getLogger("scrutin.roll_checks")

CHUNK = 50
"""Users evaluated between two progress records (and claim renewals)."""
STALE_AFTER = timedelta(minutes=10)
RETRY_DELAYS: tuple[float, ...] = (5.0, 30.0)
"""Pauses before asking the wiki again for the users it could not answer for (on top of the
provider's own per-request retries); after the last, the check fails naming them."""
ACTIVE = ("queued", "running")


def view(check: RollCheck) -> dict[str, Any]:
    return {
        "id": check.id,
        "status": check.status,
        "total": check.total,
        "checked": check.checked,
        "eligible": check.eligible,
        "error": check.error_code,
        "detail": check.error,
        "requested_by": check.requested_by,
        "created_at": check.created_at.isoformat(),
        "finished_at": check.finished_at.isoformat() if check.finished_at else None,
    }


def request(
    session: Session, actor: Actor, election_id: str, usernames: list[str], provider: FactsProvider | None
) -> dict[str, Any]:
    """Queue the check of ``usernames`` (what ``freeze_roll`` would refuse is refused now, so
    the committee learns at once; it is checked again when the roll is stored)."""
    election, rules = eligibility.frozen_roll_target(session, actor, election_id)
    eligibility.require_provider(provider)
    running = session.scalars(
        select(RollCheck).where(RollCheck.election_id == election.id, RollCheck.status.in_(ACTIVE))
    ).first()
    if running is not None:
        raise Conflict(
            "roll_check_running",
            f"the roll is being checked already (check "
            f"{running.id}: {running.checked} of {running.total} users)",
        )
    users = list(dict.fromkeys(usernames))
    check = RollCheck(
        election_id=election.id,
        requested_by=actor.username,
        requested_by_admin=actor.is_admin,
        usernames=users,
        rules_fingerprint=rules.fingerprint(),
        status="queued",
        total=len(users),
        checked=0,
        created_at=utcnow(),
    )
    session.add(check)
    session.flush()
    audit.record(
        session,
        election.id,
        actor,
        "roll.check_requested",
        {"check": check.id, "users": len(users), "rules_fingerprint": check.rules_fingerprint},
    )
    return view(check)


def get(session: Session, actor: Actor, election_id: str, check_id: int) -> dict[str, Any]:
    election = elections.load(session, election_id)
    elections.require_role(session, actor, election, "committee")
    check = session.get(RollCheck, check_id)
    if check is None or check.election_id != election.id:
        raise NotFound("roll_check_not_found", f"no roll check {check_id} in this election")
    return view(check)


def recent(session: Session, actor: Actor, election_id: str, limit: int) -> list[dict[str, Any]]:
    """The election's roll checks, the most recent first."""
    election = elections.load(session, election_id)
    elections.require_role(session, actor, election, "committee")
    checks = session.scalars(
        select(RollCheck)
        .where(RollCheck.election_id == election.id)
        .order_by(RollCheck.id.desc())
        .limit(limit)
    )
    return [view(check) for check in checks]


def claim_next(sessions: sessionmaker[Session], now: datetime | None = None) -> int | None:
    """Take the oldest queued check (or one whose worker stopped renewing its claim)."""
    now = now or utcnow()
    with transaction(sessions) as session:
        check = session.scalars(
            select(RollCheck)
            .where(
                or_(
                    RollCheck.status == "queued",
                    (RollCheck.status == "running") & (RollCheck.claimed_at < now - STALE_AFTER),
                )
            )
            .order_by(RollCheck.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        ).first()
        if check is None:
            return None
        check.status, check.claimed_at, check.checked = "running", now, 0
        return check.id


def _progress(sessions: sessionmaker[Session], check_id: int, checked: int) -> None:
    with transaction(sessions) as session:
        check = session.get(RollCheck, check_id)
        if check is not None:
            check.checked, check.claimed_at = checked, utcnow()


def _finish(
    sessions: sessionmaker[Session],
    check_id: int,
    *,
    eligible: int | None = None,
    error: DomainError | None = None,
) -> None:
    with transaction(sessions) as session:
        check = session.get(RollCheck, check_id)
        if check is None:  # the election was deleted meanwhile
            return
        check.finished_at = utcnow()
        if error is None:
            check.status, check.eligible, check.checked = "done", eligible, check.total
        else:
            check.status, check.error_code, check.error = "failed", error.code, error.detail


def run(
    sessions: sessionmaker[Session],
    provider: FactsProvider | None,
    check_id: int,
    *,
    sleep: Callable[[float], object] = time.sleep,
) -> str:
    """Evaluate and store one claimed check; returns its final status."""
    with transaction(sessions, readonly=True) as session:
        check = session.get(RollCheck, check_id)
        if check is None:
            return "gone"
        election_id, users = check.election_id, list(check.usernames)
        fingerprint = check.rules_fingerprint
        actor = Actor(username=check.requested_by, is_admin=check.requested_by_admin)
        election = elections.load(session, election_id)
        rules = eligibility.rules_of(election)
    try:
        if rules is None or rules.fingerprint() != fingerprint:
            raise Conflict(
                "rules_changed", "the rules changed after the roll check was asked for; check the roll again"
            )
        wiki = eligibility.require_provider(provider)
        entries: list[Any] = []
        for start in range(0, len(users), CHUNK):
            entries += eligibility.evaluate_roll(rules, wiki, users[start : start + CHUNK])
            _progress(sessions, check_id, len(entries))
        for delay in RETRY_DELAYS:
            again = [i for i, entry in enumerate(entries) if entry.error is not None]
            if not again:
                break
            log.info(
                "roll check %s: asking the wiki again for %d users in %.0f s", check_id, len(again), delay
            )
            sleep(delay)
            for i, entry in zip(
                again, eligibility.evaluate_roll(rules, wiki, [users[i] for i in again]), strict=True
            ):
                entries[i] = entry
        with transaction(sessions) as session:
            stored = eligibility.freeze_roll(session, actor, election_id, entries, fingerprint)
    except DomainError as exc:
        _finish(sessions, check_id, error=exc)
        return "failed"
    _finish(sessions, check_id, eligible=stored["eligible"])
    return "done"


def work_all_due(
    sessions: sessionmaker[Session],
    provider: FactsProvider | None,
    *,
    sleep: Callable[[float], object] = time.sleep,
) -> list[tuple[int, str]]:
    """Run every check that is due, one after another; (id, final status) of each."""
    done = []
    while (check_id := claim_next(sessions)) is not None:
        done.append((check_id, run(sessions, provider, check_id, sleep=sleep)))
    return done
