"""Service-facing helpers: one voter's live check, and a whole roll.

The election service stores what these return; nothing here touches the database.
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol

from app.eligibility.errors import EligibilityUnavailable
from app.eligibility.evaluate import Decision, evaluate
from app.eligibility.facts import FactNeeds, VoterFacts, normalize_username
from app.eligibility.rules import Rules, parse_list_entry


class FactsProvider(Protocol):
    """What :func:`check_voter` needs from a provider (MediaWiki API, static roll, a fake)."""

    @property
    def source(self) -> str: ...

    def fetch(self, username: str, needs: FactNeeds) -> VoterFacts: ...


def check_voter(
    rules: Rules, provider: FactsProvider, username: str, wiki: str | None = None
) -> tuple[Decision, dict[str, Any]]:
    """Fetch the facts ``rules`` need for ``username`` and decide.

    ``wiki`` is the wiki to check when the rules do not name one (None: the provider's own
    wiki). Returns the decision and the facts snapshot (a JSON-serialisable dict; store both —
    ``VoterFacts.from_json(snapshot)`` re-creates the facts and ``evaluate`` re-derives the
    same decision). Raises :class:`EligibilityUnavailable` (tell the voter to retry).
    """
    facts = provider.fetch(username, rules.needs(default_wiki=wiki))
    return evaluate(rules, facts), facts.to_json()


@dataclass(frozen=True)
class RollEntry:
    """One line of a roll. Exactly one of ``decision`` and ``error`` is set."""

    user: str
    wiki: str | None
    decision: Decision | None = None
    facts: dict[str, Any] | None = None
    error: EligibilityUnavailable | None = None

    @property
    def eligible(self) -> bool | None:
        """True/False, or None when eligibility could not be checked."""
        return self.decision.eligible if self.decision is not None else None

    @property
    def reasons(self) -> list[str]:
        if self.decision is not None:
            return self.decision.reasons
        assert self.error is not None
        return [f"eligibility could not be checked ({self.error.code}): {self.error.detail}"]

    def to_json(self) -> dict[str, Any]:
        """``{"user", "eligible", "reasons"}`` — the ``scrutin roll`` output format."""
        user = self.decision.user if self.decision is not None else self.user
        return {
            "user": user if self.wiki is None else f"{user}@{self.wiki}",
            "eligible": self.eligible,
            "reasons": self.reasons,
        }


def compute_roll(
    rules: Rules,
    provider: FactsProvider,
    users: Iterable[str | tuple[str, str | None]],
    *,
    max_workers: int = 1,
) -> list[RollEntry]:
    """Evaluate many users (a frozen roll or a preview). Unavailable users are reported in
    their entry (``error``), not raised. ``max_workers`` > 1 queries in parallel (keep it low
    on Wikimedia wikis)."""
    pairs = [(u, None) if isinstance(u, str) else (u[0], u[1]) for u in users]

    def one(pair: tuple[str, str | None]) -> RollEntry:
        user, wiki = pair
        try:
            decision, facts = check_voter(rules, provider, user, wiki)
        except EligibilityUnavailable as exc:
            return RollEntry(user=normalize_username(user), wiki=wiki, error=exc)
        return RollEntry(user=decision.user, wiki=wiki, decision=decision, facts=facts)

    if max_workers <= 1:
        return [one(pair) for pair in pairs]
    with ThreadPoolExecutor(max_workers=max_workers) as pool:
        return list(pool.map(one, pairs))


def parse_users(text: str) -> list[tuple[str, str | None]]:
    """A users file: ``User`` or ``User@wiki`` per line; blank lines and ``#`` comments skipped.
    Raises :class:`app.eligibility.RulesError` (a ValueError) naming the bad line."""
    out = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        entry = parse_list_entry(line, f"line {number}")
        out.append((entry.user, entry.wiki))
    return out
