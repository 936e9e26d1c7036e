"""Delivering notices (re-vote invitations) to voters.

Channels, chosen per instance (``SCRUTIN_NOTIFY_CHANNELS``): ``outbox`` (stored for the
committee to read — the embedded default), ``smtp`` (e-mail through a relay) and ``mediawiki``
(the wiki's own Special:EmailUser, sent by a bot account; the voter's address stays with the
wiki). Every message is kept in the outbox table with its delivery status, whatever the channel.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol

import httpx
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, sessionmaker

from app.config import Settings
from app.db import transaction
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


def queue_depth(session: Session) -> dict[tuple[str, str], int]:
    """Outbox rows by kind (``notice``: re-vote notices; ``announcement``: wiki announcements)
    and status, for the ``scrutin_outbox_messages`` gauge."""
    status = case((OutboxMessage.status.is_not(None), OutboxMessage.status),
                  (OutboxMessage.sent_at.is_not(None), "sent"),
                  (OutboxMessage.error.is_not(None), "failed"), else_="pending")
    kind = case((OutboxMessage.batch.is_(None), "notice"), else_="announcement")
    rows = session.execute(select(kind, status, func.count()).group_by(kind, status))
    return {(k, s): n for k, s, n in rows}


REVOTE_REASONS: dict[str, str] = {
    "sockpuppet": "the scrutineers set it aside while checking accounts that may belong to one "
                  "person.",
    "ineligible": "the scrutineers set it aside because the voter's eligibility was in doubt.",
    "canvassing": "the scrutineers set it aside because of concerns about improper "
                  "canvassing.",
    "ballot_error": "the ballot shown to voters was wrong for a while, and ballots cast then "
                    "were set aside.",
    "candidate_change": "the candidates changed after you voted, and ballots cast before the "
                        "change were set aside.",
    "technical": "a technical fault affected it, and it was set aside.",
    "other": "the scrutineers set it aside.",
}
"""What a voter invited to vote again after a strike is told, by reason code (the booth shows
the same messages translated: ``booth.revote_reason.<code>`` in admin_ui/js_messages.py). The
strike's reason text is private and never sent."""


def revote_reason(reason_code: str | None, reason: str | None) -> str:
    """The voter-facing reason: the committee's own words when it invited voters by name, else
    the message of the strike's reason code."""
    if reason_code is not None:
        return REVOTE_REASONS.get(reason_code, REVOTE_REASONS["other"])
    return reason or REVOTE_REASONS["other"]


def revote_notice(election_title: str, election_url: str, reason: str) -> tuple[str, str]:
    """``reason``: what the voter may be told (``revote_reason``), never a private text."""
    subject = f"Please vote again: {election_title}"
    body = (f"Your ballot in \"{election_title}\" could not be counted: {reason}\n\n"
            f"Please vote again before the deadline: {election_url}\n\n"
            "Your new ballot is encrypted like the first one; nobody can see how you voted.\n")
    return subject, body
