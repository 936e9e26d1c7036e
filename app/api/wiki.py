"""The wiki end of an election: results on a page, announcements, SecurePoll import. The server
does the wiki work with its own bot account, so the committee page and the CLI share one code
path and one audit entry per wiki write."""

from __future__ import annotations

from datetime import UTC

from fastapi import APIRouter, Request

from app.api.deps import CurrentActor, RequestSettings, Work
from app.models.base import utcnow
from app.schemas.responses import SecurePollImported, WikiAnnounced, WikiPublished
from app.schemas.wiki import AnnounceIn, PublishResultsIn, SecurePollIn
from app.services import audit, securepoll, wiki
from app.wiki.bot import WikiBotError

router = APIRouter(prefix="/api/v1", tags=["wiki"])


@router.post("/elections/{election_id}/wiki/results", response_model=WikiPublished)
def publish_results(
    request: Request,
    election_id: str,
    body: PublishResultsIn,
    actor: CurrentActor,
    work: Work,
    settings: RequestSettings,
) -> dict:
    """Edit ``page`` with the results table (``dry_run``: only say what would be written).
    A page changed since the last publish (or never published by us) is refused
    (``409 wiki_page_changed``) unless ``force``."""
    with work.read(election_id) as session:
        plan = wiki.publish_plan(session, actor, election_id, settings.base_url)
    bot = wiki.require_bot(request.app.state.wiki_bot, write=not body.dry_run)
    page = wiki.read_target(bot, body.page, write=not body.dry_run)
    with work.read(election_id) as session:
        previous = wiki.last_publish(session, election_id, page.title)
    outcome = wiki.publish_results(bot, plan, previous, page, dry_run=body.dry_run, force=body.force)
    if not body.dry_run:
        with work() as session:
            wiki.record_publish(session, actor, election_id, bot, outcome)
    return outcome


@router.post("/elections/{election_id}/wiki/announce", response_model=WikiAnnounced)
def announce(
    request: Request,
    election_id: str,
    body: AnnounceIn,
    actor: CurrentActor,
    work: Work,
    settings: RequestSettings,
) -> dict:
    """Deliver the notice to the next ``limit`` roll members not yet reached: by
    ``action=massmessage`` when the wiki has MassMessage and the bot may use it, else a new
    section on each user talk page. Every delivery is an outbox row (sent / failed / skipped);
    call again (with ``since`` from the first answer) until ``remaining`` is 0."""
    since = (
        body.since.astimezone(UTC)
        if body.since and body.since.tzinfo
        else (body.since.replace(tzinfo=UTC) if body.since else utcnow())
    )
    message = wiki.Announcement(subject=dict(body.subject), body=dict(body.body))
    base_url = settings.base_url
    with work.read(election_id) as session:
        wiki.require_committee(session, actor, election_id)
    bot = wiki.require_bot(request.app.state.wiki_bot, write=not body.dry_run)
    try:
        lang = bot.siteinfo().get("lang")
        use_mm = bot.has_massmessage() and bot.has_identity and ("massmessage" in bot.check(needed=()).rights)
    except WikiBotError as exc:
        raise wiki.wiki_error(exc) from exc
    channel = "massmessage" if use_mm else "wiki-talk"
    with work.write_for(election_id) as session:
        plan = wiki.announce_plan(
            session,
            actor,
            election_id,
            message,
            since=since,
            limit=body.limit,
            channel=channel,
            lang=lang,
            base_url=base_url,
            claim=not body.dry_run,
        )
    subject, text = plan["subject"], plan["text"]
    answer = {
        "batch": plan["key"],
        "channel": channel,
        "since": since.isoformat(),
        "subject": subject,
        "text": text,
        "dry_run": body.dry_run,
    }
    if body.dry_run:
        return {
            **answer,
            "counts": plan["counts"],
            "remaining": plan["remaining"],
            "would_send": plan["todo"],
            "deliveries": [],
        }
    if not plan["todo"]:
        outcomes: list[dict] = []
    elif use_mm:
        outcomes = wiki.massmessage_deliveries(bot, election_id, plan["todo"], subject, text, plan["key"])
    else:
        outcomes = wiki.talk_page_deliveries(bot, plan["todo"], subject, text, plan["key"])
    with work() as session:
        counts = wiki.mark(session, election_id, plan["key"], channel, subject, text, outcomes, actor, bot)
        audit.record(
            session,
            election_id,
            actor,
            "wiki.announce",
            {
                "batch": plan["key"],
                "channel": channel,
                "this_call": {
                    s: sum(o["status"] == s for o in outcomes)
                    for s in ("sent", "failed", "skipped", "unknown")
                },
            },
        )
    remaining = plan["remaining"] - len(plan["todo"])
    return {
        **answer,
        "counts": counts,
        "remaining": remaining,
        "deliveries": [
            {k: o[k] for k in ("recipient", "status") if k in o}
            | ({"reason": o["reason"]} if o.get("reason") else {})
            for o in outcomes
        ],
    }


@router.post("/securepoll/import", status_code=201, response_model=SecurePollImported)
def securepoll_import(
    body: SecurePollIn,
    actor: CurrentActor,
    work: Work,
    settings: RequestSettings,
) -> dict:
    """A draft election from a SecurePoll ``dumpElection.php`` XML dump; what has no
    equivalent here is listed in ``unmapped``."""
    with work() as session:
        return securepoll.import_dump(session, actor, body.xml, max_ballot=settings.max_request_bytes)
