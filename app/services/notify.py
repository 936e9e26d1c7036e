"""Delivering notices (re-vote invitations) to voters.

Channels, chosen per instance (``SCRUTIN_NOTIFY_CHANNELS``): ``outbox`` (stored for the
committee to read — the embedded default), ``smtp`` (e-mail through a relay) and ``mediawiki``
(the wiki's own Special:EmailUser, sent by a bot account; the voter's address stays with the
wiki). Every message is kept in the outbox table with its delivery status, whatever the channel.
"""

from __future__ import annotations

import smtplib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.config import Settings
from app.db import transaction
from app.errors import N_
from app.models import OutboxMessage
from app.models.base import utcnow


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

    def send(self, username: str, subject: str, body: str) -> None:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = self.address_template.format(username=username)
        message["Subject"] = subject
        message.set_content(body)
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password)
            smtp.send_message(message)


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
            tokens = client.get(self.api_url, params={
                "action": "query", "meta": "tokens", "type": "csrf", "format": "json",
                "formatversion": "2"}).raise_for_status().json()
            csrf = tokens["query"]["tokens"]["csrftoken"]
            answer = client.post(self.api_url, data={
                "action": "emailuser", "target": username, "subject": subject, "text": body,
                "token": csrf, "format": "json", "formatversion": "2"}).raise_for_status().json()
        if "error" in answer:
            raise RuntimeError(f"emailuser: {answer['error'].get('code')}: "
                               f"{answer['error'].get('info')}")
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
                raise ValueError("smtp needs SCRUTIN_SMTP_HOST, SCRUTIN_SMTP_FROM and "
                                 "SCRUTIN_SMTP_ADDRESS_TEMPLATE")
            out.append(SmtpChannel(settings.smtp_host, settings.smtp_port, settings.smtp_from,
                                   settings.smtp_address_template, settings.smtp_username,
                                   settings.smtp_password, settings.smtp_starttls))
        elif name == "mediawiki":
            if not (settings.wiki_email_api_url and settings.wiki_email_token):
                raise ValueError("mediawiki needs SCRUTIN_WIKI_EMAIL_API_URL and "
                                 "SCRUTIN_WIKI_EMAIL_TOKEN")
            out.append(MediaWikiEmailChannel(settings.wiki_email_api_url,
                                             settings.wiki_email_token,
                                             settings.wiki_user_agent))
        else:
            raise ValueError(f"unknown notify channel {name!r}")
    return out


def deliver_pending(sessions: sessionmaker[Session], channels: list[Channel],
                    election_id: str) -> dict[str, int]:
    """Send queued notices (after the transaction that queued them has committed), recording
    each delivery or error on its outbox row."""
    by_name = {c.name: c for c in channels}
    sent = failed = 0
    with transaction(sessions) as session:
        pending = list(session.scalars(select(OutboxMessage).where(
            OutboxMessage.election_id == election_id, OutboxMessage.sent_at.is_(None),
            OutboxMessage.error.is_(None), OutboxMessage.batch.is_(None))))
        work = [(m.id, m.channel, m.recipient, m.subject, m.body) for m in pending]
    for message_id, channel, recipient, subject, body in work:
        error = None
        try:
            by_name[channel].send(recipient, subject, body)
        except Exception as exc:  # noqa: BLE001 - any delivery failure is recorded, not raised
            error = f"{type(exc).__name__}: {exc}"[:2000]
        with transaction(sessions) as session:
            message = session.get(OutboxMessage, message_id)
            if message is not None:
                message.sent_at = None if error else utcnow()
                message.error = error
        sent, failed = (sent + 1, failed) if error is None else (sent, failed + 1)
    return {"sent": sent, "failed": failed}


REVOTE_REASONS: dict[str, str] = {
    "sockpuppet": N_("the scrutineers set it aside while checking accounts that may belong to "
                     "one person."),
    "ineligible": N_("the scrutineers set it aside because your eligibility was in doubt."),
    "canvassing": N_("the scrutineers set it aside because of concerns about improper "
                     "canvassing."),
    "ballot_error": N_("the ballot shown to voters was wrong for a while, and ballots cast then "
                       "were set aside."),
    "candidate_change": N_("the candidates changed after you voted, and ballots cast before the "
                           "change were set aside."),
    "technical": N_("a technical fault affected it, and it was set aside."),
    "other": N_("the scrutineers set it aside."),
}
"""What a voter invited to vote again after a strike is told, by reason code (the booth shows
the same messages: ``booth.revote_reason.<code>`` in admin_ui/js_messages.py, the same
catalogue entries). The strike's reason text is private and never sent."""


NOTICE_SUBJECT = N_("Please vote again: %(title)s")
NOTICE_STRUCK = N_("Your ballot in “%(title)s” could not be counted: %(reason)s")
NOTICE_INVITED = N_("The election committee invites you to vote again in “%(title)s”. "
                    "The committee says: %(reason)s")
NOTICE_DEADLINE = N_("Please vote again before the deadline: %(url)s")
NOTICE_SECRET = N_("Your new ballot is encrypted like the first one; nobody can see how you "
                   "voted. Only your last ballot counts.")
NOTICE_SEPARATOR = "\n\n— — —\n\n"


def notice_languages(titles: Mapping[str, str], default_language: str,
                     available: Iterable[str]) -> list[str]:
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


def revote_notice(versions: Sequence[tuple[str, Translator]], election_url: str, *,
                  reason_code: str | None = None, reason: str | None = None) -> tuple[str, str]:
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
        bodies.append(f"{opening}\n\n{gettext(NOTICE_DEADLINE) % {'url': election_url}}\n\n"
                      f"{gettext(NOTICE_SECRET)}\n")
    return " / ".join(dict.fromkeys(subjects)), NOTICE_SEPARATOR.join(bodies)
