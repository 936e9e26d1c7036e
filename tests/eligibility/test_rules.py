"""The rules document: strict parsing, errors that name the field, canonical form."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from app.eligibility import RulesError, load_rules, parse_rules
from app.eligibility.rules import ListEntry
from app.errors import InvalidInput
from tests.fakes.wiki_data import STANDARD_RULES

FULL = {
    "version": 1,
    "wiki": "any",
    "message": "Ask the committee.",
    "rules": {
        "min_edits": 500,
        "edits_before": {"count": 150, "date": "2024-11-01", "namespaces": [0, 4]},
        "edits_between": {"count": 10, "start": "2024-05-01", "end": "2024-11-01T12:00:00Z"},
        "registered_before": "2024-10-01",
        "not_blocked": {"scope": "any", "global_threshold": 3},
        "not_locked": True,
        "not_bot": True,
        "need_groups": ["extendedconfirmed", "sysop"],
        "need_global_groups": ["steward"],
        "include": ["Alice@enwiki", "bob_smith"],
        "exclude": "Mallory\n# a comment\n\nEve@dewiki",
        "need_list": ["Carol"],
        "allow_groups": ["bureaucrat"],
    },
}


def test_full_document_parses() -> None:
    rules = parse_rules(FULL)
    assert rules.wiki == "any"
    assert rules.message == "Ask the committee."
    assert rules.min_edits == 500
    assert rules.edits_before is not None and rules.edits_before.namespaces == (0, 4)
    assert rules.edits_before.end == datetime(2024, 11, 1, tzinfo=UTC)
    assert rules.edits_between is not None
    assert rules.edits_between.end == datetime(2024, 11, 1, 12, tzinfo=UTC)
    assert rules.not_blocked is not None and rules.not_blocked.scope == "any"
    assert rules.not_blocked.global_threshold == 3
    assert rules.include == (ListEntry("Alice", "enwiki"), ListEntry("Bob smith"))
    assert rules.exclude == (ListEntry("Mallory"), ListEntry("Eve", "dewiki"))
    assert rules.need_groups == ("extendedconfirmed", "sysop")


def test_canonical_round_trip_and_fingerprint() -> None:
    rules = parse_rules(json.dumps(FULL))
    again = parse_rules(rules.to_json())
    assert again == rules
    assert again.fingerprint() == rules.fingerprint()
    changed = dict(FULL, rules={**FULL["rules"], "min_edits": 501})
    assert parse_rules(changed).fingerprint() != rules.fingerprint()


def test_shorthands_and_empty_document() -> None:
    assert parse_rules({"rules": {"not_blocked": "sitewide"}}).not_blocked.scope == "sitewide"
    empty = parse_rules("{}")
    assert empty.min_edits is None and empty.need_list is None and not empty.not_locked


def test_load_rules_from_file(tmp_path) -> None:
    path = tmp_path / "rules.json"
    path.write_text(json.dumps(STANDARD_RULES))
    assert load_rules(path).min_edits == 100
    with pytest.raises(RulesError, match="cannot read"):
        load_rules(tmp_path / "missing.json")


def _with(rule: str, value: object) -> dict:
    return {"rules": {rule: value}}


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (
            _with("edits_before", {"count": 5, "date": "2024-13-01"}),
            "rules.edits_before.date: invalid date '2024-13-01' (expected YYYY-MM-DD or "
            "YYYY-MM-DDTHH:MM:SSZ)",
        ),
        (_with("min_edit", 5), "rules.min_edit: unknown rule"),
        ({"rule": {}}, "rule: unknown field"),
        (_with("min_edits", "100"), "rules.min_edits: expected an integer, got string"),
        (_with("min_edits", True), "rules.min_edits: expected an integer, got boolean"),
        (_with("min_edits", -1), "rules.min_edits: must be at least 0, got -1"),
        (_with("min_edits", 1.5), "rules.min_edits: expected an integer, got number"),
        (_with("edits_before", {"date": "2024-01-01"}), "rules.edits_before.count: required"),
        (
            _with("edits_before", {"count": 0, "date": "2024-01-01"}),
            "rules.edits_before.count: must be at least 1, got 0",
        ),
        (
            _with("edits_before", {"count": 1, "date": "2024-01-01", "ns": [0]}),
            "rules.edits_before.ns: unknown field",
        ),
        (
            _with("edits_before", {"count": 1, "date": "2024-01-01", "namespaces": ["0"]}),
            "rules.edits_before.namespaces[0]: expected an integer namespace, got string",
        ),
        (
            _with("edits_before", {"count": 1, "date": "2024-01-01", "namespaces": []}),
            "rules.edits_before.namespaces: expected a non-empty array",
        ),
        (_with("edits_before", [1]), "rules.edits_before: expected an object, got array"),
        (
            _with("edits_between", {"count": 1, "start": "2024-02-01", "end": "2024-01-01"}),
            "rules.edits_between.end: must be after start",
        ),
        (_with("edits_between", {"count": 1, "start": "2024-02-01"}), "rules.edits_between.end: required"),
        (
            _with("registered_before", "2024-01-01T00:00:00"),
            "rules.registered_before: date-time without timezone",
        ),
        (_with("registered_before", "yesterday"), "rules.registered_before: invalid date"),
        (
            _with("registered_before", 20240101),
            "rules.registered_before: expected a date string, got integer",
        ),
        (_with("not_blocked", "partial"), 'rules.not_blocked: expected "sitewide" or "any", got \'partial\''),
        (
            _with("not_blocked", {"scope": "any", "global_threshold": 0}),
            "rules.not_blocked.global_threshold: must be at least 1",
        ),
        (_with("not_blocked", {"threshold": 2}), "rules.not_blocked.threshold: unknown field"),
        (_with("not_locked", "yes"), "rules.not_locked: expected true or false, got string"),
        (_with("not_bot", 1), "rules.not_bot: expected true or false, got integer"),
        (_with("need_groups", []), "rules.need_groups: expected a non-empty array"),
        (_with("need_groups", ["sysop", 3]), "rules.need_groups[1]: invalid group name integer"),
        (_with("allow_groups", "sysop"), "rules.allow_groups: expected a non-empty array"),
        (_with("include", ["Alice@EN WIKI"]), "rules.include[0]: invalid wiki id"),
        (_with("exclude", ["Ok", 7]), "rules.exclude[1]: expected a string, got integer"),
        (_with("need_list", {"Alice": 1}), "rules.need_list: expected an array"),
        (_with("need_list", ["Bad|name"]), "rules.need_list[0]: invalid user name"),
        ({"wiki": "English Wikipedia"}, "wiki: expected a wiki id"),
        ({"message": 5}, "message: expected a string, got integer"),
        ({"version": 2}, "version: unsupported version 2"),
        ({"rules": []}, "rules: expected an object, got array"),
        ("[1, 2]", "rules: expected a JSON object, got array"),
        ("{not json", "rules: not valid JSON"),
    ],
)
def test_invalid_documents_name_the_field(document: object, message: str) -> None:
    with pytest.raises(RulesError) as caught:
        parse_rules(document)  # type: ignore[arg-type]
    assert str(caught.value).startswith(message)
    error = caught.value
    assert isinstance(error, ValueError) and isinstance(error, InvalidInput)
    assert error.code == "invalid_rules"
    assert message.startswith(error.field)


def test_needs_reflect_the_rules() -> None:
    rules = parse_rules(STANDARD_RULES)
    needs = rules.needs()
    assert needs.wiki == "enwiki"
    assert needs.global_info and needs.registration and needs.blocks
    assert [w.count for w in needs.windows] == [10, 2]
    assert needs.min_needed_edits == 100
    local = parse_rules({"rules": {"min_edits": 5}}).needs("frwiki")
    assert local.wiki == "frwiki" and not local.global_info and local.windows == ()
