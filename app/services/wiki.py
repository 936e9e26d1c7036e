"""The wiki end of an election: rolls imported from ``User@wiki`` lists, results published on a
page, announcements to the roll. Wiki calls happen outside database transactions (the routes
open one before and one after); every wiki write is an entry in the election's audit log."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from app.errors import Conflict, DomainError, InvalidInput, Unavailable
from app.models import Election
from app.services import audit, elections, eligibility, lifecycle
from app.services.actor import Actor
from app.wiki import names
from app.wiki.bot import BotConfigError, EditConflict, WikiBot, WikiBotError


def require_bot(bot: WikiBot | None, *, write: bool) -> WikiBot:
    if bot is None:
        raise Conflict(
            "no_wiki_configured", "this instance has no wiki API configured (SCRUTIN_WIKI_API_URL)"
        )
    if write and not bot.has_identity:
        raise Conflict(
            "no_wiki_bot",
            "this instance has no wiki bot account "
            "(SCRUTIN_WIKI_BOT_USERNAME/PASSWORD or SCRUTIN_WIKI_BOT_TOKEN)",
        )
    return bot


def wiki_error(exc: WikiBotError) -> DomainError:
    """A wiki failure as the caller sees it (nothing was changed here)."""
    if isinstance(exc, BotConfigError):
        return Unavailable("wiki_bot_misconfigured", exc.detail)
    if isinstance(exc, EditConflict):
        return Conflict(
            "wiki_edit_conflict", f"the page changed while we edited it ({exc.code}); read it again and retry"
        )
    if exc.retryable or exc.code in ("wiki_unavailable", "wiki_http_error", "wiki_bad_answer"):
        return Unavailable(
            "wiki_unavailable", f"the wiki did not answer usefully, retry later: {exc.code}: {exc.detail}"
        )
    return Conflict("wiki_refused", f"the wiki refused: {exc.code}: {exc.detail}")


# -- roll import ---------------------------------------------------------------------------


@dataclass
class RollPlan:
    """Names to store and the entries that could not be resolved (``{entry, reason}``)."""

    usernames: list[str]
    rejected: list[dict[str, str]]
    source: dict[str, Any]


def election_wiki(election: Election) -> str | None:
    """The wiki the election's rules check (``home``/``any``: any wiki of the global
    account), or None when the rules do not say (the instance's wiki then)."""
    rules = eligibility.rules_of(election)
    return rules.wiki if rules is not None else None


def read_roll_page(bot: WikiBot, title: str) -> tuple[list[str], dict[str, Any]]:
    try:
        page = bot.read_page(title)
    except WikiBotError as exc:
        if exc.code == "invalid_title":
            raise InvalidInput("invalid_title", exc.detail) from exc
        raise wiki_error(exc) from exc
    if not page.exists:
        raise InvalidInput("wiki_page_missing", f"there is no page {page.title!r} on the wiki")
    return names.page_lines(page.text), {"page": page.title, "revid": page.revid}


def plan_roll(
    raw: list[str],
    rules_wiki: str | None,
    bot: WikiBot | None,
    source: dict[str, Any],
    *,
    canonical_plain: bool = False,
) -> RollPlan:
    """Parse and resolve roll entries (outside any transaction: it may ask the wiki).

    ``Name`` is kept (canonical form); ``Name@wiki`` must name the election's wiki (any wiki
    when its rules say ``home``/``any``: global accounts share one name) and, where the
    instance's wiki is that wiki, an existing account there. Plain names from a wiki page are
    put in the canonical form (``canonical_plain``); given through the API they are kept as
    written (``Name@wiki`` asks for the wiki's form)."""
    lines = [names.parse_entry(r, canonical_plain=canonical_plain) for r in raw]
    rejected = [{"entry": r.raw, "reason": r.problem} for r in lines if r.problem]
    wanted: list[names.RollLine] = [r for r in lines if not r.problem]
    own_wiki = None
    if any(r.wiki for r in wanted) and bot is not None:
        try:
            own_wiki = bot.siteinfo().get("wikiid")
        except WikiBotError as exc:
            raise wiki_error(exc) from exc
    target = rules_wiki or own_wiki
    check: list[names.RollLine] = []
    accepted: list[names.RollLine] = []
    for entry in wanted:
        if entry.wiki is None or target in ("home", "any"):
            accepted.append(entry)
        elif target is None:
            rejected.append(
                {
                    "entry": entry.raw,
                    "reason": "this election names no wiki and "
                    "the instance has none: give the name without @wiki",
                }
            )
        elif entry.wiki != target:
            rejected.append(
                {"entry": entry.raw, "reason": f"{entry.wiki} is not this election's wiki ({target})"}
            )
        elif entry.wiki == own_wiki:
            check.append(entry)
        else:
            accepted.append(entry)
    if check and bot is not None:
        try:
            found = bot.existing_users(sorted({e.user for e in check}))
        except WikiBotError as exc:
            raise wiki_error(exc) from exc
        for entry in check:
            canonical = found.get(entry.user)
            if canonical is None:
                rejected.append({"entry": entry.raw, "reason": f"no user {entry.user!r} on {entry.wiki}"})
            else:
                accepted.append(names.RollLine(entry.raw, user=canonical, wiki=entry.wiki))
    usernames = list(dict.fromkeys(e.user for e in accepted))
    return RollPlan(usernames, rejected, source)


def apply_roll(session: Session, actor: Actor, election_id: str, plan: RollPlan, mode: str) -> dict[str, Any]:
    if plan.rejected and mode == "replace":
        raise InvalidInput(
            "roll_entries_rejected",
            _rejected_text(plan.rejected) + "; a replace needs every entry resolved (nothing changed)",
        )
    if not plan.usernames:
        raise InvalidInput(
            "roll_entries_rejected", _rejected_text(plan.rejected) if plan.rejected else "no user names given"
        )
    result = elections.update_roll(
        session,
        actor,
        election_id,
        plan.usernames,
        mode,
        detail={"rejected": len(plan.rejected), **plan.source},
    )
    return {**result, "accepted": len(plan.usernames), "rejected": plan.rejected}


def _rejected_text(rejected: list[dict[str, str]]) -> str:
    shown = "; ".join(f"{r['entry']!r}: {r['reason']}" for r in rejected[:20])
    more = f" (and {len(rejected) - 20} more)" if len(rejected) > 20 else ""
    return f"{len(rejected)} entr{'y' if len(rejected) == 1 else 'ies'} could not be resolved: {shown}{more}"


# -- results on the wiki -------------------------------------------------------------------

PUBLISH_ACTION = "wiki.publish_results"


def results_page_text(session: Session, election: Election, base_url: str) -> str:
    """The results export (``exports.results_wikitext``) with turnout, the record's link and
    the command that verifies it."""
    from app.neutralise import nowiki
    from app.services import exports, roll, tally

    result = tally.results(session, election.id)
    title = election.title.get(election.default_language) or election.id
    size = roll.current(session, election)["size"]
    counted = int(result.get("ballots_counted") or 0)
    turnout = f" of {size} eligible voters ({counted * 100 / size:.1f}% turnout)" if size else ""
    record = f"{base_url.rstrip('/')}/api/v1/elections/{election.id}/record"
    return "\n".join(
        [
            f"<!-- Published by Scrutin for the election {election.id}; edits here are overwritten "
            "only on purpose. -->",
            f"Results of '''{nowiki(title)}''' (election <code>{election.id}</code>, "
            f"definition fingerprint <code>{result['fingerprint'][:16]}</code>).",
            "",
            exports.results_wikitext(result).rstrip("\n"),
            "",
            f"Ballots counted: {counted}{turnout}.",
            "",
            f"Anyone can check these results: download [{record} the election record] and run "
            f"<code>scrutin verify {election.id}-record.json</code>.",
            "",
        ]
    )


def last_publish(session: Session, election_id: str, page: str) -> dict[str, Any] | None:
    found = None
    for entry in audit.entries(session, election_id):
        if entry.action == PUBLISH_ACTION and entry.detail.get("page") == page:
            found = dict(entry.detail)
    return found


def publish_plan(session: Session, actor: Actor, election_id: str, base_url: str) -> dict[str, Any]:
    """Inside a transaction: the caller may publish; the text and what was published."""
    election = elections.load(session, election_id)
    elections.require_role(session, actor, election, "committee")
    title = election.title.get(election.default_language) or election.id
    return {"text": results_page_text(session, election, base_url), "title": title}


def read_target(bot: WikiBot, page_title: str, *, write: bool):  # type: ignore[no-untyped-def]
    """The page as it is now (its title as the wiki normalises it)."""
    try:
        if write:
            bot.check()
        return bot.read_page(page_title)
    except WikiBotError as exc:
        if exc.code == "invalid_title":
            raise InvalidInput("invalid_title", exc.detail) from exc
        raise wiki_error(exc) from exc


def publish_results(
    bot: WikiBot,
    plan: dict[str, Any],
    previous: dict[str, Any] | None,
    page: Any,
    *,
    dry_run: bool,
    force: bool,
) -> dict[str, Any]:
    """Outside any transaction: refuse to overwrite someone else's edit unless ``force``,
    then edit the page (``baserevid``/``basetimestamp``: a change meanwhile is a conflict)."""
    changed = None
    if page.exists and previous is None:
        changed = f"the page {page.title!r} exists and was not published by Scrutin for this election"
    elif page.exists and previous is not None and page.revid != previous.get("revid"):
        changed = (
            f"the page {page.title!r} was changed since the last publish (revision "
            f"{page.revid} by {page.user}, after our {previous.get('revid')})"
        )
    elif not page.exists and previous is not None:
        changed = f"the page {page.title!r} was deleted since the last publish"
    if page.exists and page.text == plan["text"]:
        changed = None  # it shows exactly these results (say, our edit whose answer was lost)
    out: dict[str, Any] = {
        "page": page.title,
        "text": plan["text"],
        "dry_run": dry_run,
        "current_revid": page.revid,
        "changed_since_publish": changed,
        "action": "create" if not page.exists else "unchanged" if page.text == plan["text"] else "update",
    }
    if dry_run:
        return out
    if changed and not force:
        raise Conflict("wiki_page_changed", changed + ": look at it, then publish with force to overwrite")
    try:
        result = bot.edit(
            page.title,
            text=plan["text"],
            summary=f"Scrutin: results of {plan['title']}",
            baserevid=page.revid,
            basetimestamp=page.timestamp,
            createonly=not page.exists,
        )
    except WikiBotError as exc:
        raise wiki_error(exc) from exc
    out["revid"] = result.get("newrevid") or page.revid
    out["timestamp"] = result.get("newtimestamp") or page.timestamp
    out["nochange"] = bool(result.get("nochange"))
    out["forced"] = bool(changed and force)
    return out


def record_publish(
    session: Session, actor: Actor, election_id: str, bot: WikiBot, outcome: dict[str, Any]
) -> None:
    audit.record(
        session,
        election_id,
        actor,
        PUBLISH_ACTION,
        {
            "page": outcome["page"],
            "revid": outcome["revid"],
            "previous_revid": outcome["current_revid"],
            "forced": outcome["forced"],
            "nochange": outcome["nochange"],
            "api": bot.api_url,
        },
    )


# -- announcements -------------------------------------------------------------------------

# Delivery states: pending (claimed by a run), sent, failed (tried again by a later run),
# skipped (opted out, protected) and unknown (a mass message whose answer was lost: it may have
# gone out — look at Special:Log/massmessage before sending again by hand); the last three and
# "sent" are never retried.


@dataclass
class Announcement:
    subject: dict[str, str]
    body: dict[str, str]


def announcement_key(election_id: str, message: Announcement) -> str:
    import hashlib
    import json

    canon = json.dumps({"s": message.subject, "b": message.body}, sort_keys=True, ensure_ascii=False)
    digest = hashlib.sha256((election_id + "\0" + canon).encode()).hexdigest()
    return f"announce:{digest[:24]}"


def _pick(texts: dict[str, str], lang: str | None, default: str) -> str:
    for key in (lang, default, "en"):
        if key and key in texts:
            return texts[key]
    return next(iter(texts.values()))


def compose(
    election_id: str, default_language: str, message: Announcement, lang: str | None, base_url: str, key: str
) -> tuple[str, str]:
    """Subject and wikitext of the notice, in the wiki's language when the message has it,
    with the booth link, a signature and a hidden marker (how a resumed run knows a talk page
    already has it)."""
    subject = _pick(message.subject, lang, default_language)
    body = _pick(message.body, lang, default_language).rstrip()
    link = f"{base_url.rstrip('/')}/elections/{election_id}"
    if link not in body:
        body += f"\n\n{link}"
    return subject, f"{body}\n\n<!-- scrutin:{key} --> ~~~~"


def roll_names(session: Session, election: Election) -> list[str]:
    from sqlalchemy import select

    from app.models import Voter

    return list(
        session.scalars(
            select(Voter.username)
            .where(Voter.election_id == election.id, Voter.eligible.is_(True))
            .order_by(Voter.username)
        )
    )


def require_committee(session: Session, actor: Actor, election_id: str) -> Election:
    election = elections.load(session, election_id)
    elections.require_role(session, actor, election, "committee")
    return election


CLAIM_SECONDS = 600
"""A recipient claimed by a run (``pending``) is left to it this long; after that (the run
died) another run may take it — a talk page's marker still keeps it from a second notice."""


def announce_plan(
    session: Session,
    actor: Actor,
    election_id: str,
    message: Announcement,
    *,
    since: Any,
    limit: int,
    channel: str,
    lang: str | None,
    base_url: str,
    claim: bool,
) -> dict[str, Any]:
    """Inside a transaction: who is still to be sent this announcement (failures tried before
    ``since`` are tried again), the text, and the tallies so far. With ``claim`` the next
    ``limit`` recipients are marked ``pending`` for this run, so that a run started at the same
    time takes others."""
    from datetime import timedelta

    from sqlalchemy import select

    from app.models import OutboxMessage
    from app.models.base import utcnow

    election = lifecycle.load_current(session, election_id, for_update=claim)
    elections.require_role(session, actor, election, "committee")
    key = announcement_key(election.id, message)
    subject, text = compose(election.id, election.default_language, message, lang, base_url, key)
    now = utcnow()
    stale = now - timedelta(seconds=CLAIM_SECONDS)
    rows = {
        m.recipient: m
        for m in session.scalars(
            select(OutboxMessage).where(OutboxMessage.election_id == election.id, OutboxMessage.batch == key)
        )
    }
    todo = []
    for name in roll_names(session, election):
        row = rows.get(name)
        if (
            row is None
            or (row.status == "failed" and (row.attempted_at is None or row.attempted_at < since))
            or (row.status == "pending" and (row.attempted_at is None or row.attempted_at < stale))
        ):
            todo.append(name)
    chosen = todo[:limit]
    if claim:
        for name in chosen:
            row = rows.get(name)
            if row is None:
                row = OutboxMessage(
                    election_id=election.id,
                    recipient=name,
                    channel=channel,
                    subject=subject,
                    body=text,
                    created_at=now,
                    batch=key,
                )
                session.add(row)
                rows[name] = row
            row.status, row.attempted_at, row.channel = "pending", now, channel
        session.flush()
    return {
        "key": key,
        "subject": subject,
        "text": text,
        "todo": chosen,
        "remaining": len(todo),
        "counts": _counts(rows.values()),
    }


def _counts(rows: Any) -> dict[str, int]:
    out = {"sent": 0, "failed": 0, "skipped": 0, "unknown": 0, "pending": 0}
    for row in rows:
        out[row.status or "pending"] = out.get(row.status or "pending", 0) + 1
    return out


def mark(
    session: Session,
    election_id: str,
    key: str,
    channel: str,
    subject: str,
    body: str,
    outcomes: list[dict[str, Any]],
    actor: Actor,
    bot: WikiBot,
) -> dict[str, int]:
    """Record each delivery in the outbox (one row per recipient and announcement) and each
    wiki write in the audit log."""
    from sqlalchemy import select

    from app.models import OutboxMessage
    from app.models.base import utcnow

    now = utcnow()
    rows = {
        m.recipient: m
        for m in session.scalars(
            select(OutboxMessage).where(OutboxMessage.election_id == election_id, OutboxMessage.batch == key)
        )
    }
    for item in outcomes:
        row = rows.get(item["recipient"])
        if row is None:
            row = OutboxMessage(
                election_id=election_id,
                recipient=item["recipient"],
                channel=channel,
                subject=subject,
                body=body,
                created_at=now,
                batch=key,
            )
            session.add(row)
            rows[item["recipient"]] = row
        row.channel = channel
        row.status = item["status"]
        row.attempted_at = now
        row.error = item.get("reason")
        row.sent_at = now if item["status"] == "sent" else None
        if item.get("revid") is not None:
            audit.record(
                session,
                election_id,
                actor,
                "wiki.edit",
                {
                    "page": item["page"],
                    "revid": item["revid"],
                    "purpose": "announcement",
                    "batch": key,
                    "api": bot.api_url,
                },
            )
        if item.get("massmessage"):
            audit.record(
                session,
                election_id,
                actor,
                "wiki.massmessage",
                {
                    "spamlist": item["massmessage"],
                    "recipients": item["recipients"],
                    "batch": key,
                    "api": bot.api_url,
                },
            )
    session.flush()
    return _counts(rows.values())


def talk_page_deliveries(
    bot: WikiBot, names_: list[str], subject: str, text: str, key: str
) -> list[dict[str, Any]]:
    """A new section on each user talk page, unless opted out, protected or already there."""
    identity = bot.check()
    out: list[dict[str, Any]] = []
    for name in names_:
        title = f"User talk:{name}"
        item: dict[str, Any] = {"recipient": name, "page": title}
        try:
            page = bot.read_page(title)
            if f"<!-- scrutin:{key} -->" in page.text:
                item.update(status="sent", reason="already on the page")
            elif page.opted_out:
                item.update(status="skipped", reason="opted_out")
            elif not identity.can_edit_protected(page.edit_protection):
                item.update(status="skipped", reason=f"protected ({page.edit_protection})")
            else:
                result = bot.edit(
                    title, section="new", sectiontitle=subject, text=text, summary=f"Scrutin: {subject}"
                )
                item.update(status="sent", revid=result.get("newrevid"))
        except WikiBotError as exc:
            if isinstance(exc, BotConfigError):
                raise wiki_error(exc) from exc
            if exc.code == "protectedpage":
                item.update(status="skipped", reason="protected")
            else:
                item.update(status="failed", reason=f"{exc.code}: {exc.detail}"[:2000])
        out.append(item)
    return out


def massmessage_deliveries(
    bot: WikiBot, election_id: str, names_: list[str], subject: str, text: str, key: str
) -> list[dict[str, Any]]:
    """One delivery list page (``{{#target:User talk:…}}``) and one ``action=massmessage``;
    the wiki skips opted-out users itself. A lost answer is ``unknown``, never resent."""
    identity = bot.check()
    spamlist = f"User:{identity.name}/Scrutin/{election_id}/{key.split(':')[1][:12]}"
    targets = "\n".join(f"{{{{#target:User talk:{n}}}}}" for n in names_)
    try:
        listed = bot.edit(spamlist, text=targets + "\n", summary=f"Scrutin: delivery list for {subject}")
    except WikiBotError as exc:
        return [
            {"recipient": n, "status": "failed", "reason": f"delivery list: {exc.code}: {exc.detail}"}
            for n in names_
        ]
    try:
        bot.massmessage(spamlist, subject, text)
    except WikiBotError as exc:
        status = "unknown" if exc.code == "wiki_unavailable" else "failed"
        return [{"recipient": n, "status": status, "reason": f"{exc.code}: {exc.detail}"} for n in names_]
    first = True
    out = []
    for n in names_:
        item: dict[str, Any] = {"recipient": n, "status": "sent", "page": spamlist}
        if first:  # the delivery list edit and the mass message, audited once
            item.update(revid=listed.get("newrevid"), massmessage=spamlist, recipients=len(names_))
            first = False
        out.append(item)
    return out
