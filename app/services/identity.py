"""Who is logged in: signed session tokens and signed invitation links.

One interface for every way of logging in: the development login and invitation links here,
wiki OAuth (app.identity) on top; each ends in ``issue_session(username)``.
"""

from __future__ import annotations

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from app.errors import Unauthenticated

SESSION_MAX_AGE = 12 * 3600
INVITATION_MAX_AGE = 30 * 24 * 3600


class TokenService:
    def __init__(self, secret_key: str) -> None:
        self._sessions = URLSafeTimedSerializer(secret_key, salt="scrutin/session/v1")
        self._invitations = URLSafeTimedSerializer(secret_key, salt="scrutin/invitation/v1")

    def issue_session(self, username: str) -> str:
        return self._sessions.dumps({"u": username})

    def read_session(self, token: str, max_age: int = SESSION_MAX_AGE) -> str:
        try:
            data = self._sessions.loads(token, max_age=max_age)
        except SignatureExpired as exc:
            raise Unauthenticated("session_expired", "the session has expired; log in again") from exc
        except BadSignature as exc:
            raise Unauthenticated("invalid_session", "the session token is not valid") from exc
        return str(data["u"])

    def issue_invitation(self, username: str, election_id: str) -> str:
        return self._invitations.dumps({"u": username, "e": election_id})

    def read_invitation(self, token: str, max_age: int = INVITATION_MAX_AGE) -> tuple[str, str]:
        try:
            data = self._invitations.loads(token, max_age=max_age)
        except SignatureExpired as exc:
            raise Unauthenticated("invitation_expired", "this invitation link has expired") from exc
        except BadSignature as exc:
            raise Unauthenticated("invalid_invitation", "this invitation link is not valid") from exc
        return str(data["u"]), str(data["e"])
