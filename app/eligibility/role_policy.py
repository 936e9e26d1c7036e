"""The role policy: who may hold a role (flags, jurisdiction) and what a trustee set must avoid.

Pure functions over plain dataclasses. The role-assignment service calls them before it writes,
and audits the outcome (including refusals). A refusal raises :class:`RolePolicyViolation`, a
``ValueError`` and an :class:`app.errors.Conflict` (HTTP 409, code ``role_policy``) whose
message lists every problem.

Jurisdictions are compared case-insensitively after stripping (use ISO 3166-1 alpha-2 codes such
as ``"DE"``, or a committee-chosen label).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from app.errors import Conflict, InvalidInput

UNDECLARED = "(undeclared)"
Undeclared = Literal["refuse", "pool", "ignore"]


class RolePolicyViolation(Conflict, ValueError):
    """A role assignment or trustee set breaks the policy. ``problems`` lists each one."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("role_policy", "; ".join(self.problems))

    def __str__(self) -> str:
        return self.detail


class RolePolicyConfigError(InvalidInput, ValueError):
    """A role or trustee policy document is malformed; the message names the field."""

    def __init__(self, message: str) -> None:
        super().__init__("invalid_role_policy", message)

    def __str__(self) -> str:
        return self.detail


@dataclass(frozen=True)
class Person:
    """Someone proposed for a role. ``flags`` are recorded attestations such as
    ``"confidentiality_agreement"``; ``jurisdiction`` is self-declared (None if not declared)."""

    username: str
    jurisdiction: str | None = None
    flags: frozenset[str] = field(default_factory=frozenset)

    @property
    def jurisdiction_key(self) -> str | None:
        if self.jurisdiction is None or not self.jurisdiction.strip():
            return None
        return self.jurisdiction.strip().upper()


@dataclass(frozen=True)
class RolePolicy:
    """Requirements for one role (e.g. scrutineer with PII access, trustee)."""

    required_flags: frozenset[str] = field(default_factory=frozenset)
    restricted_jurisdictions: frozenset[str] = field(default_factory=frozenset)
    require_jurisdiction: bool = False

    @classmethod
    def from_json(cls, data: Mapping[str, Any], field_name: str = "role_policy") -> RolePolicy:
        """From ``{"required_flags": [...], "restricted_jurisdictions": [...],
        "require_jurisdiction": bool}``; errors name the field."""
        known = ("required_flags", "restricted_jurisdictions", "require_jurisdiction")
        if not isinstance(data, Mapping):
            raise _bad(f"{field_name}: expected an object")
        for key in data:
            if key not in known:
                raise _bad(f"{field_name}.{key}: unknown field (known: {', '.join(known)})")
        require = data.get("require_jurisdiction", False)
        if not isinstance(require, bool):
            raise _bad(f"{field_name}.require_jurisdiction: expected true or false")
        return cls(
            required_flags=frozenset(
                _strings(data.get("required_flags", []), f"{field_name}.required_flags")
            ),
            restricted_jurisdictions=frozenset(
                j.strip().upper()
                for j in _strings(
                    data.get("restricted_jurisdictions", []), f"{field_name}.restricted_jurisdictions"
                )
            ),
            require_jurisdiction=require,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "required_flags": sorted(self.required_flags),
            "restricted_jurisdictions": sorted(self.restricted_jurisdictions),
            "require_jurisdiction": self.require_jurisdiction,
        }


@dataclass(frozen=True)
class TrusteePolicy:
    """The trustee-set rule: no group of ``threshold`` trustees may share a jurisdiction.

    ``max_per_jurisdiction`` overrides the limit (default ``threshold - 1``, i.e. one
    jurisdiction alone can never reach the threshold). Trustees who declared no jurisdiction are
    refused (``"refuse"``), counted together as one jurisdiction (``"pool"``, the default: they
    could all be in the same place) or not counted (``"ignore"``). ``enabled=False`` turns the
    check off (record that choice in the audit log)."""

    enabled: bool = True
    max_per_jurisdiction: int | None = None
    undeclared: Undeclared = "pool"

    @classmethod
    def from_json(cls, data: Mapping[str, Any], field_name: str = "trustee_policy") -> TrusteePolicy:
        known = ("enabled", "max_per_jurisdiction", "undeclared")
        if not isinstance(data, Mapping):
            raise _bad(f"{field_name}: expected an object")
        for key in data:
            if key not in known:
                raise _bad(f"{field_name}.{key}: unknown field (known: {', '.join(known)})")
        enabled = data.get("enabled", True)
        if not isinstance(enabled, bool):
            raise _bad(f"{field_name}.enabled: expected true or false")
        limit = data.get("max_per_jurisdiction")
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
            raise _bad(f"{field_name}.max_per_jurisdiction: expected an integer >= 1")
        undeclared = data.get("undeclared", "pool")
        if undeclared not in ("refuse", "pool", "ignore"):
            raise _bad(f"{field_name}.undeclared: expected refuse, pool or ignore")
        return cls(enabled=enabled, max_per_jurisdiction=limit, undeclared=undeclared)


def assignment_problems(person: Person, role: str, policy: RolePolicy) -> list[str]:
    """Every reason ``person`` may not take ``role`` (empty list: allowed)."""
    problems = []
    missing = sorted(policy.required_flags - person.flags)
    if missing:
        problems.append(
            f"{person.username} cannot be {role}: missing required "
            f"{'flag' if len(missing) == 1 else 'flags'} {', '.join(missing)}"
        )
    key = person.jurisdiction_key
    restricted = {j.strip().upper() for j in policy.restricted_jurisdictions}
    if key is None and policy.require_jurisdiction:
        problems.append(f"{person.username} cannot be {role}: no declared jurisdiction")
    elif key is not None and key in restricted:
        problems.append(
            f"{person.username} cannot be {role}: declared jurisdiction {key} is restricted for this role"
        )
    return problems


def check_assignment(person: Person, role: str, policy: RolePolicy) -> None:
    """Raise :class:`RolePolicyViolation` unless ``person`` may take ``role``."""
    problems = assignment_problems(person, role, policy)
    if problems:
        raise RolePolicyViolation(problems)


def trustee_set_problems(
    trustees: Sequence[Person], threshold: int, policy: TrusteePolicy = TrusteePolicy()
) -> list[str]:
    """Every reason the trustee set is unacceptable for a ``threshold``-of-n key."""
    n = len(trustees)
    if threshold < 1 or threshold > n:
        return [f"threshold {threshold} is impossible with {n} trustees (need 1 ≤ t ≤ n)"]
    names = [t.username for t in trustees]
    duplicates = sorted(name for name, c in Counter(names).items() if c > 1)
    if duplicates:
        return [f"the same person is a trustee more than once: {', '.join(duplicates)}"]
    if not policy.enabled:
        return []
    limit = policy.max_per_jurisdiction if policy.max_per_jurisdiction is not None else threshold - 1
    problems = []
    groups: dict[str, list[str]] = {}
    for trustee in trustees:
        key = trustee.jurisdiction_key
        if key is None:
            if policy.undeclared == "refuse":
                problems.append(f"trustee {trustee.username} has no declared jurisdiction")
                continue
            if policy.undeclared == "ignore":
                continue
            key = UNDECLARED
        groups.setdefault(key, []).append(trustee.username)
    for key, members in sorted(groups.items()):
        if len(members) > limit:
            could = (
                f"; {len(members)} of them could decrypt without anyone else (threshold {threshold})"
                if len(members) >= threshold
                else ""
            )
            problems.append(
                f"{len(members)} trustees from jurisdiction {key} "
                f"({', '.join(members)}), at most {limit} allowed{could}"
            )
    return problems


def check_trustee_set(
    trustees: Sequence[Person], threshold: int, policy: TrusteePolicy = TrusteePolicy()
) -> None:
    """Raise :class:`RolePolicyViolation` if ``threshold`` trustees from one jurisdiction could
    decrypt alone (or the configured per-jurisdiction limit is exceeded)."""
    problems = trustee_set_problems(trustees, threshold, policy)
    if problems:
        raise RolePolicyViolation(problems)


def _bad(message: str) -> RolePolicyConfigError:
    return RolePolicyConfigError(message)


def _strings(value: Any, field_name: str) -> Iterable[str]:
    if not isinstance(value, list):
        raise _bad(f"{field_name}: expected an array of strings")
    for i, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            raise _bad(f"{field_name}[{i}]: expected a non-empty string")
    return [item.strip() for item in value]
