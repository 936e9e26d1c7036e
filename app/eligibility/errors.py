"""Eligibility errors.

Two families, deliberately distinct:

* :class:`RulesError` — the rules document is wrong (committee input). It is a ``ValueError``
  and an :class:`app.errors.InvalidInput`, so the API maps it to 422 with code ``invalid_rules``;
  ``str(err)`` names the field, e.g. ``rules.edits_before.date: invalid date '2024-13-01'``.
* :class:`EligibilityUnavailable` — the facts could not be obtained (unknown user, API error,
  timeout, maxlag, missing data). The voter must be told "eligibility could not be checked,
  retry later"; it never means eligible or ineligible. ``code`` is stable and machine-readable.
"""

from __future__ import annotations

from app.errors import InvalidInput


class EligibilityError(Exception):
    """Base of the eligibility errors that are not rules errors."""


class RulesError(InvalidInput, ValueError):
    """The rules document is invalid. ``field`` is a dotted path such as ``rules.min_edits``."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__("invalid_rules", f"{field}: {problem}", field=field)
        self.field = field
        self.problem = problem

    def __str__(self) -> str:
        return self.detail


class EligibilityUnavailable(EligibilityError):
    """Eligibility could not be determined. Tell the voter to retry; never decide either way."""

    code = "eligibility_unavailable"
    retryable = True

    def __init__(self, detail: str, *, code: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return f"{self.code}: {self.detail}"


class UnknownUser(EligibilityUnavailable):
    """The wiki does not know this user (or the user has no account on the required wiki)."""

    code = "unknown_user"
    retryable = False


class WikiApiError(EligibilityUnavailable):
    """The API answered with an error (HTTP 4xx/5xx or an API error code other than maxlag)."""

    code = "wiki_api_error"


class WikiTimeout(EligibilityUnavailable):
    """The API did not answer in time, on every attempt."""

    code = "wiki_timeout"


class WikiUnreachable(EligibilityUnavailable):
    """The API could not be reached (connection refused, DNS, TLS...)."""

    code = "wiki_unreachable"


class WikiLagged(EligibilityUnavailable):
    """The wiki's replicas stayed lagged beyond ``maxlag`` on every attempt."""

    code = "wiki_lagged"


class MissingFacts(EligibilityUnavailable):
    """The provider cannot supply a fact the rules need (e.g. a static roll without edit counts).

    This is a configuration problem of the election, not of the voter.
    """

    code = "missing_facts"
    retryable = False
