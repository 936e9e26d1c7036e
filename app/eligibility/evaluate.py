"""Evaluate a :class:`Rules` document against :class:`VoterFacts` (pure, deterministic).

Precedence, as in SecurePoll:

1. on the ``exclude`` list → not eligible (basis ``"excluded"``);
2. on the ``include`` list, or a member of one of ``allow_groups`` → eligible
   (basis ``"included"`` / ``"allowed_group"``);
3. otherwise every rule must pass (basis ``"rules"``).

Account rules (edit counts, registration, blocks, bot, groups) are evaluated on one local
account: the account on the election's wiki, or with ``wiki: "any"`` the attached account that
passes them all (if none does, the one that fails the fewest, reported as such). Global rules
(lock, global groups, lists, roll membership) are evaluated once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, TypedDict

from app.eligibility.errors import MissingFacts
from app.eligibility.facts import ANY_WIKI, AccountFacts, VoterFacts, normalize_username
from app.eligibility.rules import ListEntry, Rules, WindowRule

Basis = Literal["excluded", "included", "allowed_group", "rules"]


@dataclass(frozen=True)
class RuleResult:
    """One rule's outcome. ``reason`` is for people; ``required``/``actual``/``wiki`` for
    machines (and for translating the reason: the English text is built from them)."""

    rule: str
    passed: bool
    reason: str
    required: Any = None
    actual: Any = None
    wiki: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "passed": self.passed,
            "reason": self.reason,
            "required": self.required,
            "actual": self.actual,
            "wiki": self.wiki,
        }


@dataclass(frozen=True)
class Decision:
    eligible: bool
    basis: Basis
    user: str
    wiki: str | None
    results: tuple[RuleResult, ...]
    message: str | None = None
    rules_fingerprint: str = ""
    source: str = ""
    facts_fetched_at: str | None = None

    @property
    def reasons(self) -> list[str]:
        """What the voter is shown: the failing rules when not eligible, else every rule that
        decided (the passes). The committee's custom message is in ``message``."""
        if self.eligible:
            return [r.reason for r in self.results if r.passed]
        return [r.reason for r in self.results if not r.passed]

    @property
    def failed_rules(self) -> list[str]:
        return [r.rule for r in self.results if not r.passed]

    def to_json(self) -> dict[str, Any]:
        return {
            "eligible": self.eligible,
            "basis": self.basis,
            "user": self.user,
            "wiki": self.wiki,
            "reasons": self.reasons,
            "message": self.message,
            "results": [r.to_json() for r in self.results],
            "rules_fingerprint": self.rules_fingerprint,
            "source": self.source,
            "facts_fetched_at": self.facts_fetched_at,
        }


class _Provenance(TypedDict):
    """What every decision carries about where it came from (the fields of Decision)."""

    user: str
    rules_fingerprint: str
    source: str
    facts_fetched_at: str | None


def evaluate(rules: Rules, facts: VoterFacts) -> Decision:
    """Decide eligibility. Raises :class:`MissingFacts` if the facts lack something a rule
    needs (a provider/rules mismatch) — never guesses."""
    from app.eligibility.facts import format_timestamp

    common: _Provenance = {
        "user": facts.user,
        "rules_fingerprint": rules.fingerprint(),
        "source": facts.source,
        "facts_fetched_at": format_timestamp(facts.fetched_at),
    }
    excluded = _match(rules.exclude, facts)
    if excluded is not None:
        result = RuleResult(
            "exclude",
            False,
            f"on the exclusion list as {str(excluded)!r}",
            required="not listed",
            actual=str(excluded),
            wiki=excluded.wiki,
        )
        return Decision(
            eligible=False,
            basis="excluded",
            wiki=_default_wiki(facts),
            results=(result,),
            message=rules.message,
            **common,
        )
    included = _match(rules.include, facts)
    if included is not None:
        result = RuleResult(
            "include",
            True,
            f"on the inclusion list as {str(included)!r}",
            required="listed",
            actual=str(included),
            wiki=included.wiki,
        )
        return Decision(
            eligible=True, basis="included", wiki=_default_wiki(facts), results=(result,), **common
        )
    if rules.allow_groups:
        hit = _allowed_group(rules.allow_groups, facts)
        if hit is not None:
            group, wiki = hit
            where = f"on {wiki}" if wiki else "globally"
            result = RuleResult(
                "allow_groups",
                True,
                f"member of the allowed group {group!r} {where}",
                required=list(rules.allow_groups),
                actual=group,
                wiki=wiki,
            )
            return Decision(
                eligible=True,
                basis="allowed_group",
                wiki=wiki or _default_wiki(facts),
                results=(result,),
                **common,
            )

    global_results = _global_results(rules, facts)
    account, account_results = _best_account(rules, facts)
    results = tuple(sorted((*account_results, *global_results), key=_order))
    eligible = all(r.passed for r in results)
    return Decision(
        eligible=eligible,
        basis="rules",
        wiki=account.wiki if account else _default_wiki(facts),
        results=results,
        message=None if eligible else rules.message,
        **common,
    )


# -- helpers ---------------------------------------------------------------------------------

_RULE_ORDER = {
    name: i
    for i, name in enumerate(
        (
            "on_roll",
            "account",
            "min_edits",
            "edits_before",
            "edits_between",
            "registered_before",
            "not_blocked",
            "not_locked",
            "not_bot",
            "need_groups",
            "need_global_groups",
            "need_list",
        )
    )
}


def _order(result: RuleResult) -> int:
    return _RULE_ORDER.get(result.rule, 99)


def _default_wiki(facts: VoterFacts) -> str | None:
    if facts.accounts:
        return facts.accounts[0].wiki
    return facts.wiki if facts.wiki != ANY_WIKI else None


def _match(entries: Iterable[ListEntry], facts: VoterFacts) -> ListEntry | None:
    name = normalize_username(facts.user)
    wikis = facts.known_wikis()
    for entry in entries:
        if entry.user == name and (entry.wiki is None or entry.wiki in wikis):
            return entry
    return None


def _allowed_group(groups: tuple[str, ...], facts: VoterFacts) -> tuple[str, str | None] | None:
    for account in facts.accounts:
        for group in groups:
            if group in account.groups:
                return group, account.wiki
    if facts.global_account is not None:
        for group in groups:
            if group in facts.global_account.groups:
                return group, None
    return None


def _day(value: datetime) -> str:
    value = value.astimezone(UTC)
    if (value.hour, value.minute, value.second) == (0, 0, 0):
        return value.strftime("%Y-%m-%d")
    return value.strftime("%Y-%m-%d %H:%M:%S UTC")


def _ns(namespaces: tuple[int, ...] | None) -> str:
    if namespaces is None:
        return ""
    label = "namespace" if len(namespaces) == 1 else "namespaces"
    return f" in {label} {', '.join(str(n) for n in namespaces)}"


def _global_results(rules: Rules, facts: VoterFacts) -> list[RuleResult]:
    out: list[RuleResult] = []
    glob = facts.global_account
    if facts.on_roll is not None:
        out.append(
            RuleResult(
                "on_roll",
                facts.on_roll,
                "on the voter roll" if facts.on_roll else "not on the voter roll",
                required=True,
                actual=facts.on_roll,
            )
        )
    if rules.not_locked:
        _need_global(facts, "not_locked")
        if glob is None:
            out.append(
                RuleResult(
                    "not_locked", True, "no global account, so not locked", required=False, actual=None
                )
            )
        else:
            out.append(
                RuleResult(
                    "not_locked",
                    not glob.locked,
                    "global account is locked" if glob.locked else "global account is not locked",
                    required=False,
                    actual=glob.locked,
                )
            )
    if rules.need_global_groups is not None:
        _need_global(facts, "need_global_groups")
        have = glob.groups if glob else ()
        hit = [g for g in rules.need_global_groups if g in have]
        wanted = ", ".join(rules.need_global_groups)
        out.append(
            RuleResult(
                "need_global_groups",
                bool(hit),
                f"member of the global group {hit[0]!r}"
                if hit
                else f"not a member of any of the global groups: {wanted}",
                required=list(rules.need_global_groups),
                actual=list(have),
            )
        )
    if rules.need_list is not None:
        entry = _match(rules.need_list, facts)
        out.append(
            RuleResult(
                "need_list",
                entry is not None,
                f"on the required list as {str(entry)!r}" if entry else "not on the required list",
                required="listed",
                actual=str(entry) if entry else None,
                wiki=entry.wiki if entry else None,
            )
        )
    return out


def _need_global(facts: VoterFacts, rule: str) -> None:
    if not facts.global_checked:
        raise MissingFacts(f"rule {rule} needs global account facts, which {facts.source} did not provide")


def _best_account(rules: Rules, facts: VoterFacts) -> tuple[AccountFacts | None, list[RuleResult]]:
    if not _has_account_rules(rules):
        return (facts.accounts[0] if facts.accounts else None), []
    if not facts.accounts:
        where = "any attached wiki" if facts.wiki == ANY_WIKI else (facts.wiki or "this wiki")
        return None, [
            RuleResult(
                "account",
                False,
                f"no account on {where}",
                required="account",
                actual=None,
                wiki=None if facts.wiki == ANY_WIKI else facts.wiki,
            )
        ]
    scored = []
    for index, account in enumerate(facts.accounts):
        results = _account_results(rules, facts, account)
        failures = sum(not r.passed for r in results)
        scored.append((failures, -(account.edit_count or 0), index, account, results))
    scored.sort(key=lambda item: item[:3])
    _, _, _, account, results = scored[0]
    return account, results


def _has_account_rules(rules: Rules) -> bool:
    return any(
        x is not None and x is not False
        for x in (
            rules.min_edits,
            rules.edits_before,
            rules.edits_between,
            rules.registered_before,
            rules.not_blocked,
            rules.need_groups,
            rules.not_bot or None,
        )
    )


def _account_results(rules: Rules, facts: VoterFacts, acct: AccountFacts) -> list[RuleResult]:
    out: list[RuleResult] = []
    wiki = acct.wiki
    if rules.min_edits is not None:
        if acct.edit_count is None:
            raise MissingFacts(f"rule min_edits needs the edit count, which {facts.source} did not provide")
        ok = acct.edit_count >= rules.min_edits
        out.append(
            RuleResult(
                "min_edits",
                ok,
                f"{acct.edit_count} edits on {wiki} (at least {rules.min_edits} needed)"
                if ok
                else f"only {acct.edit_count} edits on {wiki}; at least {rules.min_edits} needed",
                required=rules.min_edits,
                actual=acct.edit_count,
                wiki=wiki,
            )
        )
    for name, window in (("edits_before", rules.edits_before), ("edits_between", rules.edits_between)):
        if window is not None:
            out.append(_window_result(name, window, acct, facts))
    if rules.registered_before is not None:
        limit = _day(rules.registered_before)
        if acct.registration is None:
            out.append(
                RuleResult(
                    "registered_before",
                    True,
                    f"registered on {wiki} before registration dates were recorded (before 2006), "
                    f"so before {limit}",
                    required=limit,
                    actual=None,
                    wiki=wiki,
                )
            )
        else:
            ok = acct.registration < rules.registered_before
            out.append(
                RuleResult(
                    "registered_before",
                    ok,
                    f"registered on {wiki} on {_day(acct.registration)}, "
                    f"{'before' if ok else 'not before'} {limit}",
                    required=limit,
                    actual=_day(acct.registration),
                    wiki=wiki,
                )
            )
    if rules.not_blocked is not None:
        out.append(_block_result(rules, facts, acct))
    if rules.not_bot:
        glob_bot = facts.global_account is not None and facts.global_account.is_bot
        if acct.is_bot:
            out.append(
                RuleResult(
                    "not_bot", False, f"has the bot flag on {wiki}", required=False, actual=True, wiki=wiki
                )
            )
        elif glob_bot:
            out.append(RuleResult("not_bot", False, "has the global bot flag", required=False, actual=True))
        else:
            out.append(
                RuleResult("not_bot", True, f"not a bot on {wiki}", required=False, actual=False, wiki=wiki)
            )
    if rules.need_groups is not None:
        hit = [g for g in rules.need_groups if g in acct.groups]
        out.append(
            RuleResult(
                "need_groups",
                bool(hit),
                f"member of the group {hit[0]!r} on {wiki}"
                if hit
                else f"not a member of any of these groups on {wiki}: {', '.join(rules.need_groups)}",
                required=list(rules.need_groups),
                actual=list(acct.groups),
                wiki=wiki,
            )
        )
    return out


def _window_result(name: str, window: WindowRule, acct: AccountFacts, facts: VoterFacts) -> RuleResult:
    wiki = acct.wiki
    if window.start is None:
        span = f"before {_day(window.end)}"
    else:
        span = f"between {_day(window.start)} and {_day(window.end)} (exclusive)"
    span += _ns(window.namespaces)
    fact = acct.window(window.start, window.end, window.namespaces)
    if fact is None:
        raise MissingFacts(f"rule {name} needs edit counts by date, which {facts.source} did not provide")
    required = window.count
    if fact.count is None:
        return RuleResult(
            name,
            False,
            f"fewer than {required} edits {span} on {wiki} (only {acct.edit_count} edits in total)",
            required=required,
            actual=acct.edit_count,
            wiki=wiki,
        )
    ok = fact.count >= required
    if ok:
        reason = f"at least {required} edits {span} on {wiki}"
    else:
        reason = f"only {fact.count} edits {span} on {wiki}; {required} needed"
    return RuleResult(name, ok, reason, required=required, actual=fact.count, wiki=wiki)


def _wikis(n: int) -> str:
    return f"{n} wiki" if n == 1 else f"{n} wikis"


def _block_result(rules: Rules, facts: VoterFacts, acct: AccountFacts) -> RuleResult:
    assert rules.not_blocked is not None
    scope, threshold = rules.not_blocked.scope, rules.not_blocked.global_threshold
    wiki = acct.wiki
    required: dict[str, Any] = {"scope": scope, "global_threshold": threshold}
    block = acct.block
    if block is not None and (block.sitewide or scope == "any"):
        kind = "sitewide" if block.sitewide else "partially"
        expiry = f" (expires: {block.expiry})" if block.expiry else ""
        return RuleResult(
            "not_blocked",
            False,
            f"blocked {kind} on {wiki}{expiry}",
            required=required,
            actual={"blocked": True, "sitewide": block.sitewide},
            wiki=wiki,
        )
    local = "only partially blocked" if block is not None else "not blocked"
    if threshold is not None:
        _need_global(facts, "not_blocked.global_threshold")
        glob = facts.global_account
        blocked_on = sorted(a.wiki for a in glob.attached if a.blocked) if glob else []
        if len(blocked_on) >= threshold:
            return RuleResult(
                "not_blocked",
                False,
                f"blocked on {_wikis(len(blocked_on))} ({', '.join(blocked_on)}); "
                f"the limit is fewer than {threshold}",
                required=required,
                actual={"blocked_wikis": blocked_on},
                wiki=wiki,
            )
        return RuleResult(
            "not_blocked",
            True,
            f"{local} on {wiki}; blocked on {_wikis(len(blocked_on))} (fewer than {threshold})",
            required=required,
            actual={"blocked": block is not None, "blocked_wikis": blocked_on},
            wiki=wiki,
        )
    return RuleResult(
        "not_blocked",
        True,
        f"{local} on {wiki}",
        required=required,
        actual={"blocked": block is not None},
        wiki=wiki,
    )
