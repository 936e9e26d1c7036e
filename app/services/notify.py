"""Delivering notices (re-vote invitations) to voters.

Channels, chosen per instance (``SCRUTIN_NOTIFY_CHANNELS``): ``outbox`` (stored for the
committee to read — the embedded default), ``smtp`` (e-mail through a relay) and ``mediawiki``
(the wiki's own Special:EmailUser, sent by a bot account; the voter's address stays with the
wiki). Every message is kept in the outbox table with its delivery status, whatever the channel.

Requests only queue notices (``RevoteNotices.queue`` / ``queue_notices``: ``pending`` rows, in
the transaction that invites);
a worker — the scheduler's outbox thread in every server process, or ``scrutin outbox work`` —
claims due rows (``sending``, like a wiki announcement run claims its recipients), sends them
one connection per channel and batch, and records each outcome: ``sent``; or back to
``pending`` until ``next_attempt_at`` (exponential backoff) with the ``attempts`` so far and
the last ``error``; or ``failed`` after ``max_attempts`` (or at once when the server refuses
for good, an SMTP 5xx). A claim older than ``CLAIM_SECONDS`` (its worker died) is taken again.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Protocol

import httpx
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, sessionmaker

from app.config import Settings
from app.db import transaction
from app.errors import N_
from app.models import Election, OutboxMessage
from app.models.base import utcnow
from app.observability import NOTIFY_SENT

log = logging.getLogger("scrutin.notify")
Send = Callable[[str, str, str], None]


class PermanentDeliveryError(RuntimeError):
    """The recipient's side refused for good: the notice is given up without retries."""


class Channel(Protocol):
    name: str

    def send(self, username: str, subject: str, body: str) -> None: ...


@dataclass
class OutboxOnly:
    """Nothing leaves the server: the committee reads the outbox (embedded default)."""

    name: str = "outbox"

    def send(self, username: str, subject: str, body: str) -> None:
        return None


@dataclass
class SmtpChannel:
    host: str
    port: int
    sender: str
    address_template: str
    username: str = ""
    password: str = ""
    starttls: bool = True
    timeout: float = 20.0
    name: str = "smtp"

    def message(self, username: str, subject: str, body: str) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = self.address_template.format(username=username)
        message["Subject"] = subject
        message.set_content(body)
        return message

    @contextmanager
    def connection(self) -> Iterator[Send]:
        """One SMTP connection (and login) for a whole batch of messages."""
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password)

            def send(username: str, subject: str, body: str) -> None:
                smtp.send_message(self.message(username, subject, body))

            yield send

    def send(self, username: str, subject: str, body: str) -> None:
        with self.connection() as send:
            send(username, subject, body)


@dataclass
class MediaWikiEmailChannel:
    api_url: str
    token: str
    user_agent: str
    timeout: float = 20.0
    name: str = "mediawiki"

    def send(self, username: str, subject: str, body: str) -> None:
        headers = {"Authorization": f"Bearer {self.token}", "User-Agent": self.user_agent}
        with httpx.Client(timeout=self.timeout, headers=headers) as client:
            tokens = (
                client.get(
                    self.api_url,
                    params={
                        "action": "query",
                        "meta": "tokens",
                        "type": "csrf",
                        "format": "json",
                        "formatversion": "2",
                    },
                )
                .raise_for_status()
                .json()
            )
            csrf = tokens["query"]["tokens"]["csrftoken"]
            answer = (
                client.post(
                    self.api_url,
                    data={
                        "action": "emailuser",
                        "target": username,
                        "subject": subject,
                        "text": body,
                        "token": csrf,
                        "format": "json",
                        "formatversion": "2",
                    },
                )
                .raise_for_status()
                .json()
            )
        if "error" in answer:  # the wiki's answer (nosuchuser, noemail, …) will not change
            raise PermanentDeliveryError(
                f"emailuser: {answer['error'].get('code')}: {answer['error'].get('info')}"
            )
        if answer.get("emailuser", {}).get("result") != "Success":
            raise RuntimeError(f"emailuser did not succeed: {answer}")


def channels_from(settings: Settings) -> list[Channel]:
    names = [n.strip() for n in settings.notify_channels.split(",") if n.strip()] or ["outbox"]
    out: list[Channel] = []
    for name in names:
        if name == "outbox":
            out.append(OutboxOnly())
        elif name == "smtp":
            if not (settings.smtp_host and settings.smtp_from and settings.smtp_address_template):
                raise ValueError(
                    "smtp needs SCRUTIN_SMTP_HOST, SCRUTIN_SMTP_FROM and SCRUTIN_SMTP_ADDRESS_TEMPLATE"
                )
            out.append(
                SmtpChannel(
                    settings.smtp_host,
                    settings.smtp_port,
                    settings.smtp_from,
                    settings.smtp_address_template,
                    settings.smtp_username,
                    settings.smtp_password,
                    settings.smtp_starttls,
                )
            )
        elif name == "mediawiki":
            if not (settings.wiki_email_api_url and settings.wiki_email_token):
                raise ValueError("mediawiki needs SCRUTIN_WIKI_EMAIL_API_URL and SCRUTIN_WIKI_EMAIL_TOKEN")
            out.append(
                MediaWikiEmailChannel(
                    settings.wiki_email_api_url, settings.wiki_email_token, settings.wiki_user_agent
                )
            )
        else:
            raise ValueError(f"unknown notify channel {name!r}")
    return out


CLAIM_SECONDS = 600
"""A notice claimed by a worker (``sending``) is left to it this long; after that the worker is
taken to have died and another may send it (it may then arrive twice: at least once)."""


@dataclass(frozen=True)
class RetryPolicy:
    """Attempts before giving up, and the backoff: ``base`` × 2^(attempt − 1), at most ``cap``."""

    max_attempts: int = 8
    base: timedelta = timedelta(seconds=60)
    cap: timedelta = timedelta(hours=6)
    batch_size: int = 100

    def delay(self, attempts: int) -> timedelta:
        delay: timedelta = self.base * (2 ** max(0, attempts - 1))
        return min(self.cap, delay)


def policy_from(settings: Settings) -> RetryPolicy:
    return RetryPolicy(
        max_attempts=settings.notify_max_attempts,
        base=timedelta(seconds=settings.notify_retry_seconds),
        batch_size=settings.notify_batch_size,
    )


def _permanent(exc: Exception) -> bool:
    """The server refused for good (SMTP 5xx, a wiki's error answer): retrying cannot help."""
    if isinstance(exc, PermanentDeliveryError):
        return True
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(500 <= code < 600 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return 500 <= exc.smtp_code < 600
    return False


def _sender(channel: Channel) -> AbstractContextManager[Send]:
    connection = getattr(channel, "connection", None)
    if callable(connection):
        return connection()  # type: ignore[no-any-return]
    return nullcontext(channel.send)


@dataclass
class WorkReport:
    sent: int = 0
    retry: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def attempted(self) -> int:
        return self.sent + self.retry + self.failed

    def to_json(self) -> dict[str, int]:
        return {"sent": self.sent, "retry": self.retry, "failed": self.failed}


def claim_due(session: Session, now: datetime, limit: int) -> list[OutboxMessage]:
    """Inside a transaction: the next due notices, marked ``sending`` for this worker. On
    PostgreSQL rows another worker is claiming are skipped (SKIP LOCKED); SQLite's write lock
    (BEGIN IMMEDIATE) serialises the claims."""
    stale = now - timedelta(seconds=CLAIM_SECONDS)
    due = (OutboxMessage.status == "pending") & (
        OutboxMessage.next_attempt_at.is_(None) | (OutboxMessage.next_attempt_at <= now)
    )
    abandoned = (OutboxMessage.status == "sending") & (OutboxMessage.attempted_at < stale)
    rows = list(
        session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.batch.is_(None), due | abandoned)
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    for row in rows:
        row.status, row.attempted_at = "sending", now
    session.flush()
    return rows


def work(
    sessions: sessionmaker[Session],
    channels: list[Channel],
    policy: RetryPolicy,
    *,
    now: datetime | None = None,
) -> WorkReport:
    """One pass: claim up to ``policy.batch_size`` due notices, send them (one connection per
    channel), record each outcome. Returns what happened; nothing here raises for a failed
    delivery."""
    now = now or utcnow()
    by_name = {c.name: c for c in channels}
    with transaction(sessions) as session:
        work_items = [
            (m.id, m.channel, m.recipient, m.subject, m.body)
            for m in claim_due(session, now, policy.batch_size)
        ]
    outcomes: dict[int, Exception | None] = {}
    for name in sorted({item[1] for item in work_items}):
        items = [item for item in work_items if item[1] == name]
        channel = by_name.get(name)
        if channel is None:
            for item in items:
                outcomes[item[0]] = LookupError(f"channel {name!r} is not configured here")
            continue
        try:
            with _sender(channel) as send:
                for message_id, _, recipient, subject, body in items:
                    try:
                        send(recipient, subject, body)
                        outcomes[message_id] = None
                    except Exception as exc:  # noqa: BLE001 - recorded on the row
                        outcomes[message_id] = exc
        except Exception as exc:  # noqa: BLE001 - no connection: every message of it failed
            for item in items:
                outcomes.setdefault(item[0], exc)
    report = WorkReport()
    with transaction(sessions) as session:
        for message_id, error in outcomes.items():
            row = session.get(OutboxMessage, message_id)
            if row is None:
                continue
            row.attempts = (row.attempts or 0) + 1
            row.attempted_at = now
            if error is None:
                row.status, row.sent_at, row.error, row.next_attempt_at = "sent", now, None, None
                report.sent += 1
                NOTIFY_SENT.labels(row.channel, "sent").inc()
                continue
            row.error = f"{type(error).__name__}: {error}"[:2000]
            if row.attempts >= policy.max_attempts or _permanent(error):
                row.status, row.next_attempt_at = "failed", None
                report.failed += 1
                report.errors.append(row.error)
                NOTIFY_SENT.labels(row.channel, "failed").inc()
                log.warning(
                    "notice %s to %s over %s given up after %s attempt(s): %s",
                    row.id,
                    row.recipient,
                    row.channel,
                    row.attempts,
                    row.error,
                    extra={"election_id": row.election_id},
                )
            else:
                row.status = "pending"
                row.next_attempt_at = now + policy.delay(row.attempts)
                report.retry += 1
                NOTIFY_SENT.labels(row.channel, "retry").inc()
    return report


def work_all_due(
    sessions: sessionmaker[Session],
    channels: list[Channel],
    policy: RetryPolicy,
    *,
    now: datetime | None = None,
) -> WorkReport:
    """Passes until no notice is due (``scrutin outbox work --once``, the scheduler)."""
    total = WorkReport()
    while True:
        report = work(sessions, channels, policy, now=now)
        total.sent, total.retry, total.failed = (
            total.sent + report.sent,
            total.retry + report.retry,
            total.failed + report.failed,
        )
        total.errors += report.errors
        if report.attempted < policy.batch_size:
            return total


def queue_depth(session: Session) -> dict[tuple[str, str], int]:
    """Outbox rows by kind (``notice``: re-vote notices; ``announcement``: wiki announcements)
    and status, for the ``scrutin_outbox_messages`` gauge."""
    status = case(
        (OutboxMessage.status.is_not(None), OutboxMessage.status),
        (OutboxMessage.sent_at.is_not(None), "sent"),
        (OutboxMessage.error.is_not(None), "failed"),
        else_="pending",
    )
    kind = case((OutboxMessage.batch.is_(None), "notice"), else_="announcement")
    rows = session.execute(select(kind, status, func.count()).group_by(kind, status))
    return {(k, s): n for k, s, n in rows}


REVOTE_REASONS: dict[str, str] = {
    "sockpuppet": N_("the scrutineers set it aside while checking accounts that may belong to one person."),
    "ineligible": N_("the scrutineers set it aside because your eligibility was in doubt."),
    "canvassing": N_("the scrutineers set it aside because of concerns about improper canvassing."),
    "ballot_error": N_(
        "the ballot shown to voters was wrong for a while, and ballots cast then were set aside."
    ),
    "candidate_change": N_(
        "the candidates changed after you voted, and ballots cast before the change were set aside."
    ),
    "technical": N_("a technical fault affected it, and it was set aside."),
    "other": N_("the scrutineers set it aside."),
}
"""What a voter invited to vote again after a strike is told, by reason code (the booth shows
the same messages: ``booth.revote_reason.<code>`` in admin_ui/js_messages.py, the same
catalogue entries). The strike's reason text is private and never sent."""


NOTICE_SUBJECT = N_("Please vote again: %(title)s")
NOTICE_STRUCK = N_("Your ballot in “%(title)s” could not be counted: %(reason)s")
NOTICE_INVITED = N_(
    "The election committee invites you to vote again in “%(title)s”. The committee says: %(reason)s"
)
NOTICE_DEADLINE = N_("Please vote again before the deadline: %(url)s")
NOTICE_SECRET = N_(
    "Your new ballot is encrypted like the first one; nobody can see how you "
    "voted. Only your last ballot counts."
)
NOTICE_SEPARATOR = "\n\n— — —\n\n"


def notice_languages(titles: Mapping[str, str], default_language: str, available: Iterable[str]) -> list[str]:
    """The languages of a notice, among the UI languages ``available``: the server does not
    know a voter's language, so a notice is written in the election's default language first,
    then in every other UI language the election has a title in (a voter reads the election in
    one of them)."""
    available = list(available)
    wanted = [default_language, *(lang for lang in available if titles.get(lang))]
    languages = [lang for lang in dict.fromkeys(wanted) if lang in available]
    return languages or available[:1]


Translator = Callable[[str], str]
"""A catalogue's gettext (the API layer passes admin_ui.i18n's: services import no UI code)."""


def revote_notice(
    versions: Sequence[tuple[str, Translator]],
    election_url: str,
    *,
    reason_code: str | None = None,
    reason: str | None = None,
) -> tuple[str, str]:
    """Subject and body of a re-vote notice, one version per (election title in a language,
    that language's gettext) in ``versions`` (see ``notice_languages``). After a strike
    (``reason_code``: the strike's code, translated) the ballot "could not be counted"; a plain
    invitation by name (``reason``: the committee's words, sent as written) only invites. Never
    a strike's private text."""
    subjects, bodies = [], []
    for title, gettext in versions:
        if reason_code is not None:
            why = gettext(REVOTE_REASONS.get(reason_code, REVOTE_REASONS["other"]))
            opening = gettext(NOTICE_STRUCK) % {"title": title, "reason": why}
        else:
            opening = gettext(NOTICE_INVITED) % {"title": title, "reason": reason or ""}
        subjects.append(gettext(NOTICE_SUBJECT) % {"title": title})
        bodies.append(
            f"{opening}\n\n{gettext(NOTICE_DEADLINE) % {'url': election_url}}\n\n{gettext(NOTICE_SECRET)}\n"
        )
    return " / ".join(dict.fromkeys(subjects)), NOTICE_SEPARATOR.join(bodies)


def queue_notices(
    session: Session, election_id: str, usernames: list[str], channels: list[str], subject: str, body: str
) -> int:
    """One outbox row per recipient and channel. The ``outbox`` channel is the row itself (the
    committee reads it): done at once; the others wait for the worker, never for the request."""
    now = utcnow()
    for name in usernames:
        for channel in channels:
            kept = channel == "outbox"
            session.add(
                OutboxMessage(
                    election_id=election_id,
                    recipient=name,
                    channel=channel,
                    subject=subject,
                    body=body,
                    created_at=now,
                    sent_at=now if kept else None,
                    error=None,
                    status="sent" if kept else "pending",
                    attempts=0,
                    next_attempt_at=None if kept else now,
                )
            )
    session.flush()
    return len(usernames) * len(channels)


@dataclass(frozen=True)
class RevoteNotices:
    """Re-vote notices as the instance sends them: its channels, its public address, the UI
    catalogues (passed in by the application: services import no UI code) and the outbox
    worker to wake. Made once at start-up (``app.main``); the routes that invite (a strike, a
    plain invitation, a candidate change) queue in the transaction that invites, so the
    invitation and its notices are stored together or not at all, then ``wake`` the worker."""

    channels: tuple[str, ...]
    base_url: str
    languages: tuple[str, ...]
    gettext_for: Callable[[str], Translator]
    """language → that catalogue's gettext."""
    localized: Callable[[Mapping[str, str], str, str], str]
    """(per-language texts, language, fallback language) → the text to show."""
    wake: Callable[[], None]

    def queue(
        self,
        session: Session,
        election_id: str,
        usernames: list[str],
        *,
        reason_code: str | None = None,
        reason: str | None = None,
    ) -> int:
        """Queue the notice for ``usernames`` on every channel (0 rows when nobody is
        invited). ``reason_code``: a strike's code; ``reason``: the committee's words of a
        plain invitation; never a strike's private text."""
        if not usernames:
            return 0
        election = session.get(Election, election_id)
        if election is None:  # pragma: no cover - the inviting service loaded it just now
            raise LookupError(election_id)
        titles = election.title or {election.default_language: election.id}
        versions = [
            (self.localized(titles, lang, election.default_language), self.gettext_for(lang))
            for lang in notice_languages(titles, election.default_language, self.languages)
        ]
        subject, body = revote_notice(
            versions,
            f"{self.base_url.rstrip('/')}/elections/{election_id}",
            reason_code=reason_code,
            reason=reason,
        )
        return queue_notices(session, election_id, usernames, list(self.channels), subject, body)
