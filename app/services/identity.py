"""Who is logged in: server-side sessions.

Every way of logging in (the development login, wiki OAuth in app.identity, an invitation link
in app.services.invitations) ends in :func:`open_session`, which makes a random token for the
cookie or the bearer header and stores only its SHA-256 with the username, the scope and the
expiry. Every request looks the token up (:func:`resolve`), so logout, revocation (by the user,
an administrator or the committee for invitation sessions) and expiry take effect at once.

A session's ``scope`` is empty for a general login, or ``vote:<election id>`` for a session
opened by an invitation link: that one may only vote in that election (app.api.deps).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.errors import NotFound, Unauthenticated
from app.models import LoginSession
from app.models.base import utcnow
from app.services.actor import Actor

SESSION_MAX_AGE = 12 * 3600
"""A general login lasts 12 hours."""
LAST_SEEN_RESOLUTION = timedelta(minutes=1)
"""``last_seen_at`` is written at most this often per session (a read must not write each time)."""
MAX_TOKEN_LENGTH = 256
VOTE_SCOPE = "vote:"
METHODS = ("development", "wiki", "invitation")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def new_token() -> tuple[str, str]:
    """A random token (256 bits, URL-safe) and the SHA-256 that is stored."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def vote_scope(election_id: str) -> str:
    return VOTE_SCOPE + election_id


def open_session(
    session: Session,
    username: str,
    *,
    method: str,
    scope: str = "",
    invitation_id: str | None = None,
    expires_at: datetime | None = None,
) -> tuple[str, LoginSession]:
    """Create a session row; returns the token (given to the client once, never stored)."""
    if method not in METHODS:
        raise ValueError(f"unknown login method {method!r}")
    now = utcnow()
    token, token_hash = new_token()
    row = LoginSession(
        id=token_hash,
        username=username,
        scope=scope,
        method=method,
        invitation_id=invitation_id,
        created_at=now,
        expires_at=expires_at or now + timedelta(seconds=SESSION_MAX_AGE),
        last_seen_at=now,
    )
    session.add(row)
    session.flush()
    return token, row


def resolve(session: Session, token: str) -> LoginSession:
    """The live session a token stands for; 401 if unknown, expired or revoked."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise Unauthenticated("invalid_session", "the session token is not valid")
    row = session.get(LoginSession, hash_token(token))
    if row is None:
        raise Unauthenticated("invalid_session", "the session token is not valid")
    now = utcnow()
    if row.revoked_at is not None:
        raise Unauthenticated("session_revoked", "this session was ended; log in again")
    if now >= row.expires_at:
        raise Unauthenticated("session_expired", "the session has expired; log in again")
    if not session.info.get("readonly") and now - row.last_seen_at >= LAST_SEEN_RESOLUTION:
        row.last_seen_at = now
    return row


def actor_of(row: LoginSession, admins: Collection[str]) -> Actor:
    """The actor a session stands for. A scoped (invitation) session is never an admin."""
    if row.scope.startswith(VOTE_SCOPE):
        return Actor(
            username=row.username,
            is_admin=False,
            invitation_id=row.invitation_id,
            election_scope=row.scope[len(VOTE_SCOPE) :],
        )
    return Actor(username=row.username, is_admin=row.username in admins)


def end(session: Session, session_id: str, by: str) -> bool:
    """Revoke one session now (logout, or revocation); False if it had ended already."""
    row = session.get(LoginSession, session_id, with_for_update=True)
    if row is None or row.revoked_at is not None:
        return False
    row.revoked_at = utcnow()
    row.revoked_by = by
    return True


def _state(row: LoginSession, now: datetime) -> str:
    if row.revoked_at is not None:
        return "revoked"
    return "expired" if now >= row.expires_at else "active"


def to_json(row: LoginSession, now: datetime | None = None) -> dict[str, Any]:
    return {
        "id": row.id,
        "username": row.username,
        "scope": row.scope or None,
        "method": row.method,
        "invitation_id": row.invitation_id,
        "created_at": row.created_at.isoformat(),
        "expires_at": row.expires_at.isoformat(),
        "last_seen_at": row.last_seen_at.isoformat(),
        "revoked_at": row.revoked_at.isoformat() if row.revoked_at else None,
        "state": _state(row, now or utcnow()),
    }


def sessions_of(session: Session, username: str, limit: int = 200) -> list[dict[str, Any]]:
    """A user's sessions, newest first (the token hash is the id; it cannot log anyone in)."""
    now = utcnow()
    rows = session.scalars(
        select(LoginSession)
        .where(LoginSession.username == username)
        .order_by(LoginSession.created_at.desc())
        .limit(limit)
    ).all()
    return [to_json(row, now) for row in rows]


def revoke_sessions(session: Session, username: str, by: str, session_id: str | None = None) -> list[str]:
    """Revoke every live session of a user (or the one named); returns the ids revoked."""
    query = select(LoginSession).where(LoginSession.username == username, LoginSession.revoked_at.is_(None))
    if session_id is not None:
        query = query.where(LoginSession.id == session_id)
    now = utcnow()
    rows = [row for row in session.scalars(query.with_for_update()) if now < row.expires_at]
    if session_id is not None and not rows:
        raise NotFound("session_not_found", f"{username} has no live session {session_id!r}")
    for row in rows:
        row.revoked_at = now
        row.revoked_by = by
    return [row.id for row in rows]


def purge_expired(session: Session, older_than: timedelta = timedelta(days=30)) -> int:
    """Delete session rows that ended (expired or revoked) longer ago than ``older_than``."""
    cutoff = utcnow() - older_than
    result = session.execute(
        delete(LoginSession).where(
            (LoginSession.expires_at < cutoff)
            | (LoginSession.revoked_at.is_not(None) & (LoginSession.revoked_at < cutoff))
        )
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
