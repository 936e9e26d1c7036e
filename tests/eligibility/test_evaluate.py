"""Evaluation on hand-built facts: every rule both ways, SecurePoll precedence, JSON."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from app.eligibility import (
    AccountFacts,
    AttachedAccount,
    Block,
    EditWindow,
    GlobalAccountFacts,
    MissingFacts,
    VoterFacts,
    evaluate,
    parse_rules,
)

NOW = datetime(2025, 1, 15, tzinfo=UTC)
BEFORE = datetime(2025, 1, 1, tzinfo=UTC)
START = datetime(2024, 1, 1, tzinfo=UTC)


def account(**kwargs: object) -> AccountFacts:
    base = dict(
        wiki="enwiki",
        user="Alice",
        user_id=7,
        edit_count=1500,
        registration=datetime(2010, 3, 1, tzinfo=UTC),
        groups=("*", "user", "autoconfirmed"),
        block=None,
        windows=(EditWindow(None, BEFORE, None, 10, 10), EditWindow(START, BEFORE, (4,), 2, 2)),
    )
    base.update(kwargs)
    return AccountFacts(**base)  # type: ignore[arg-type]


def facts(
    *accounts: AccountFacts,
    glob: GlobalAccountFacts | None = None,
    checked: bool = True,
    user: str = "Alice",
    wiki: str = "enwiki",
) -> VoterFacts:
    if glob is None and checked:
        glob = GlobalAccountFacts(
            name=user, home_wiki="enwiki", attached=(AttachedAccount("enwiki", edit_count=1500),)
        )
    return VoterFacts(
        user=user,
        source="test",
        fetched_at=NOW,
        wiki=wiki,
        accounts=accounts or (account(),),
        global_account=glob,
        global_checked=checked,
    )


def rules(**rule: object) -> object:
    return parse_rules({"rules": rule})


def only(decision, name: str):
    [result] = [r for r in decision.results if r.rule == name]
    return result


@pytest.mark.parametrize(
    ("rule", "value", "good", "bad", "bad_reason"),
    [
        ("min_edits", 100, {}, {"edit_count": 99}, "only 99 edits on enwiki; at least 100 needed"),
        (
            "edits_before",
            {"count": 10, "date": "2025-01-01"},
            {},
            {"windows": (EditWindow(None, BEFORE, None, 10, 4),)},
            "only 4 edits before 2025-01-01 on enwiki; 10 needed",
        ),
        (
            "edits_between",
            {"count": 2, "start": "2024-01-01", "end": "2025-01-01", "namespaces": [4]},
            {},
            {"windows": (EditWindow(START, BEFORE, (4,), 2, 1),)},
            "only 1 edits between 2024-01-01 and 2025-01-01 (exclusive) in namespace 4 on enwiki; 2 needed",
        ),
        (
            "registered_before",
            "2024-11-01",
            {},
            {"registration": datetime(2024, 11, 1, tzinfo=UTC)},
            "registered on enwiki on 2024-11-01, not before 2024-11-01",
        ),
        (
            "not_blocked",
            "sitewide",
            {"block": Block(sitewide=False)},
            {"block": Block(sitewide=True, expiry="infinite")},
            "blocked sitewide on enwiki (expires: infinite)",
        ),
        ("not_blocked", "any", {}, {"block": Block(sitewide=False)}, "blocked partially on enwiki"),
        ("not_bot", True, {}, {"groups": ("user", "bot")}, "has the bot flag on enwiki"),
        (
            "need_groups",
            ["sysop", "extendedconfirmed"],
            {"groups": ("extendedconfirmed",)},
            {},
            "not a member of any of these groups on enwiki: sysop, extendedconfirmed",
        ),
    ],
)
def test_account_rule_pass_and_fail(rule, value, good, bad, bad_reason) -> None:
    parsed = rules(**{rule: value})
    passing = evaluate(parsed, facts(account(**good)))
    assert passing.eligible and passing.basis == "rules"
    assert only(passing, rule).passed
    failing = evaluate(parsed, facts(account(**bad)))
    assert not failing.eligible
    assert failing.reasons == [bad_reason]
    assert only(failing, rule).wiki == "enwiki"


def test_machine_fields() -> None:
    decision = evaluate(rules(min_edits=100), facts(account(edit_count=42)))
    result = only(decision, "min_edits")
    assert (result.required, result.actual, result.passed) == (100, 42, False)


def test_unqueried_window_fails_with_total() -> None:
    window = EditWindow(None, BEFORE, None, 10, None)
    decision = evaluate(
        rules(edits_before={"count": 10, "date": "2025-01-01"}),
        facts(account(edit_count=3, windows=(window,))),
    )
    assert decision.reasons == ["fewer than 10 edits before 2025-01-01 on enwiki (only 3 edits in total)"]


def test_registration_unknown_counts_as_old() -> None:
    decision = evaluate(rules(registered_before="2006-01-01"), facts(account(registration=None)))
    assert decision.eligible
    assert "before registration dates were recorded" in decision.reasons[0]


def test_global_rules() -> None:
    locked = GlobalAccountFacts(name="Alice", locked=True)
    assert not evaluate(rules(not_locked=True), facts(glob=locked)).eligible
    assert evaluate(rules(not_locked=True), facts()).eligible
    no_global = replace(facts(), global_account=None)
    assert evaluate(rules(not_locked=True), no_global).reasons == ["no global account, so not locked"]
    steward = GlobalAccountFacts(name="Alice", groups=("steward",))
    assert evaluate(rules(need_global_groups=["steward"]), facts(glob=steward)).eligible
    decision = evaluate(rules(need_global_groups=["steward"]), facts())
    assert decision.reasons == ["not a member of any of the global groups: steward"]
    bot = GlobalAccountFacts(name="Alice", groups=("global-bot",))
    assert evaluate(rules(not_bot=True), facts(glob=bot)).reasons == ["has the global bot flag"]


def test_global_block_threshold() -> None:
    attached = tuple(
        AttachedAccount(w, blocked=w != "enwiki") for w in ("enwiki", "dewiki", "frwiki", "itwiki")
    )
    glob = GlobalAccountFacts(name="Alice", attached=attached)
    rule = rules(not_blocked={"scope": "sitewide", "global_threshold": 3})
    decision = evaluate(rule, facts(glob=glob))
    assert decision.reasons == ["blocked on 3 wikis (dewiki, frwiki, itwiki); the limit is fewer than 3"]
    assert evaluate(rules(not_blocked={"global_threshold": 4}), facts(glob=glob)).eligible


def test_need_list() -> None:
    assert evaluate(rules(need_list=["Alice@enwiki"]), facts()).eligible
    assert evaluate(rules(need_list=["Alice"]), facts()).eligible
    decision = evaluate(rules(need_list=["Alice@frwiki", "Bob"]), facts())
    assert decision.reasons == ["not on the required list"]


# -- precedence -------------------------------------------------------------------------------

FAILING = account(edit_count=1)


def test_excluded_is_refused_even_if_included_or_in_allowed_group() -> None:
    parsed = parse_rules(
        {
            "message": "Contact the committee.",
            "rules": {"exclude": ["Alice"], "include": ["Alice"], "allow_groups": ["sysop"]},
        }
    )
    decision = evaluate(parsed, facts(account(groups=("sysop",))))
    assert not decision.eligible and decision.basis == "excluded"
    assert decision.reasons == ["on the exclusion list as 'Alice'"]
    assert decision.message == "Contact the committee."


def test_included_is_admitted_despite_failing_rules() -> None:
    decision = evaluate(rules(min_edits=100, include=["Alice@enwiki"]), facts(FAILING))
    assert decision.eligible and decision.basis == "included"
    assert decision.reasons == ["on the inclusion list as 'Alice@enwiki'"]


def test_allowed_group_admits_despite_failing_rules() -> None:
    parsed = rules(min_edits=100, allow_groups=["sysop"])
    local = evaluate(parsed, facts(replace(FAILING, groups=("sysop",))))
    assert local.eligible and local.basis == "allowed_group"
    assert local.reasons == ["member of the allowed group 'sysop' on enwiki"]
    glob = GlobalAccountFacts(name="Alice", groups=("sysop",))
    assert evaluate(parsed, facts(FAILING, glob=glob)).reasons == [
        "member of the allowed group 'sysop' globally"
    ]
    assert not evaluate(parsed, facts(FAILING)).eligible


def test_list_entries_with_a_wiki_match_attached_accounts_only() -> None:
    glob = GlobalAccountFacts(name="Alice", attached=(AttachedAccount("enwiki"), AttachedAccount("dewiki")))
    assert evaluate(rules(exclude=["Alice@dewiki"]), facts(glob=glob)).basis == "excluded"
    assert evaluate(rules(exclude=["Alice@frwiki"]), facts(glob=glob)).eligible
    assert evaluate(rules(exclude=["alice_"]), facts(glob=glob)).basis == "excluded"
    assert evaluate(rules(exclude=["Bob"]), facts(glob=glob)).eligible


def test_any_wiki_picks_a_passing_account() -> None:
    small = account(wiki="enwiki", edit_count=5)
    big = account(wiki="dewiki", edit_count=800)
    decision = evaluate(rules(min_edits=100), facts(small, big, wiki="any"))
    assert decision.eligible and decision.wiki == "dewiki"
    both_small = evaluate(
        rules(min_edits=100), facts(small, account(wiki="dewiki", edit_count=50), wiki="any")
    )
    assert not both_small.eligible and both_small.wiki == "dewiki"


def test_no_account_fails_account_rules() -> None:
    empty = VoterFacts(user="Alice", source="test", fetched_at=NOW, wiki="any", global_checked=True)
    decision = evaluate(rules(min_edits=1), empty)
    assert decision.reasons == ["no account on any attached wiki"]


def test_missing_facts_raise_rather_than_decide() -> None:
    with pytest.raises(MissingFacts):
        evaluate(rules(not_locked=True), facts(checked=False))
    with pytest.raises(MissingFacts):
        evaluate(rules(min_edits=1), facts(account(edit_count=None)))
    with pytest.raises(MissingFacts):
        evaluate(rules(edits_before={"count": 1, "date": "2020-01-01"}), facts())


def test_decision_and_facts_are_json_and_reproducible() -> None:
    parsed = parse_rules(
        {"rules": {"min_edits": 100, "not_locked": True, "not_blocked": {"global_threshold": 2}}}
    )
    original = facts(account(block=Block(sitewide=False, expiry="2030-01-01", reason="x")))
    snapshot = json.loads(json.dumps(original.to_json()))
    restored = VoterFacts.from_json(snapshot)
    assert restored == original
    first, second = evaluate(parsed, original), evaluate(parsed, restored)
    assert first.to_json() == second.to_json()
    data = json.loads(json.dumps(first.to_json()))
    assert data["eligible"] is True and data["rules_fingerprint"] == parsed.fingerprint()
    assert {r["rule"] for r in data["results"]} == {"min_edits", "not_blocked", "not_locked"}
