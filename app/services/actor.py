"""Who is acting: a logged-in user, or the system (the scheduler)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    username: str
    is_admin: bool = False

    @property
    def label(self) -> str:
        return self.username


SYSTEM = Actor(username="scrutin:system", is_admin=False)
