"""Who is acting: a logged-in user, a voter who came through an invitation link, or the system
(the scheduler)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    username: str
    is_admin: bool = False
    # Set for a session opened by an invitation link: it may only vote in ``election_scope``
    # (app.api.deps treats it as anonymous everywhere else), and the audit log names the link.
    invitation_id: str | None = None
    election_scope: str | None = None

    @property
    def label(self) -> str:
        if self.invitation_id is not None:
            return f"invitation:{self.invitation_id} for {self.username}"
        return self.username

    @property
    def scoped(self) -> bool:
        return self.election_scope is not None


SYSTEM = Actor(username="scrutin:system", is_admin=False)
