"""Role policy: required flags, restricted jurisdictions, trustee sets."""

from __future__ import annotations

import pytest

from app.eligibility.role_policy import (
    Person,
    RolePolicy,
    RolePolicyConfigError,
    RolePolicyViolation,
    TrusteePolicy,
    assignment_problems,
    check_assignment,
    check_trustee_set,
    trustee_set_problems,
)
from app.errors import Conflict, InvalidInput

NDA = "confidentiality_agreement"
POLICY = RolePolicy(required_flags=frozenset({NDA}), restricted_jurisdictions=frozenset({"XA", "XB"}))


def person(name: str, where: str | None = "DE", *flags: str) -> Person:
    return Person(username=name, jurisdiction=where, flags=frozenset(flags))


def test_assignment_allowed() -> None:
    check_assignment(person("Alice", "de", NDA), "scrutineer", POLICY)


def test_missing_flag_is_refused() -> None:
    with pytest.raises(RolePolicyViolation) as caught:
        check_assignment(person("Bob"), "scrutineer", POLICY)
    assert str(caught.value) == ("Bob cannot be scrutineer: missing required flag confidentiality_agreement")
    assert isinstance(caught.value, ValueError) and isinstance(caught.value, Conflict)
    assert caught.value.code == "role_policy"


def test_restricted_jurisdiction_is_refused_case_insensitively() -> None:
    problems = assignment_problems(person("Carol", " xa ", NDA), "trustee", POLICY)
    assert problems == ["Carol cannot be trustee: declared jurisdiction XA is restricted for this role"]


def test_undeclared_jurisdiction() -> None:
    check_assignment(person("Dan", None, NDA), "scrutineer", POLICY)
    strict = RolePolicy(required_flags=frozenset({NDA}), require_jurisdiction=True)
    with pytest.raises(RolePolicyViolation, match="no declared jurisdiction"):
        check_assignment(person("Dan", "  ", NDA), "scrutineer", strict)


def test_all_problems_are_listed() -> None:
    with pytest.raises(RolePolicyViolation) as caught:
        check_assignment(person("Eve", "XB"), "trustee", POLICY)
    assert len(caught.value.problems) == 2


def test_trustee_set_allowed() -> None:
    trustees = [person("A", "DE"), person("B", "DE"), person("C", "FR"), person("D", "US")]
    check_trustee_set(trustees, threshold=3)


def test_t_trustees_from_one_jurisdiction_are_refused() -> None:
    trustees = [person("A", "DE"), person("B", "de"), person("C", "DE"), person("D", "US")]
    with pytest.raises(RolePolicyViolation) as caught:
        check_trustee_set(trustees, threshold=3)
    assert str(caught.value) == (
        "3 trustees from jurisdiction DE (A, B, C), at most 2 allowed; "
        "3 of them could decrypt without anyone else (threshold 3)"
    )


def test_configurable_limit_and_switch() -> None:
    trustees = [person("A", "DE"), person("B", "DE"), person("C", "FR"), person("D", "US")]
    problems = trustee_set_problems(trustees, 3, TrusteePolicy(max_per_jurisdiction=1))
    assert problems == ["2 trustees from jurisdiction DE (A, B), at most 1 allowed"]
    same = [person("A"), person("B"), person("C")]
    assert trustee_set_problems(same, 2, TrusteePolicy(enabled=False)) == []


def test_undeclared_trustees() -> None:
    trustees = [person("A", None), person("B", None), person("C", "FR")]
    assert "jurisdiction (undeclared)" in trustee_set_problems(trustees, 2)[0]
    assert trustee_set_problems(trustees, 2, TrusteePolicy(undeclared="ignore")) == []
    refused = trustee_set_problems(trustees, 3, TrusteePolicy(undeclared="refuse"))
    assert refused == ["trustee A has no declared jurisdiction", "trustee B has no declared jurisdiction"]


def test_impossible_sets() -> None:
    assert "impossible" in trustee_set_problems([person("A")], 2)[0]
    assert "more than once" in trustee_set_problems([person("A", "DE"), person("A", "FR")], 1)[0]


def test_policies_from_json() -> None:
    policy = RolePolicy.from_json(
        {"required_flags": [NDA], "restricted_jurisdictions": ["xa"], "require_jurisdiction": True}
    )
    assert policy.restricted_jurisdictions == frozenset({"XA"})
    assert RolePolicy.from_json(policy.to_json()) == policy
    assert TrusteePolicy.from_json({"max_per_jurisdiction": 2, "undeclared": "refuse"}) == TrusteePolicy(
        max_per_jurisdiction=2, undeclared="refuse"
    )


@pytest.mark.parametrize(
    ("cls", "data", "message"),
    [
        (RolePolicy, {"flags": []}, "role_policy.flags: unknown field"),
        (RolePolicy, {"required_flags": "nda"}, "role_policy.required_flags: expected an array"),
        (
            RolePolicy,
            {"restricted_jurisdictions": [""]},
            "role_policy.restricted_jurisdictions[0]: expected a non-empty string",
        ),
        (RolePolicy, {"require_jurisdiction": "yes"}, "role_policy.require_jurisdiction"),
        (TrusteePolicy, {"max_per_jurisdiction": 0}, "trustee_policy.max_per_jurisdiction"),
        (TrusteePolicy, {"undeclared": "guess"}, "trustee_policy.undeclared"),
        (TrusteePolicy, {"enabled": 1}, "trustee_policy.enabled"),
    ],
)
def test_policy_documents_are_validated(cls, data, message) -> None:
    with pytest.raises(RolePolicyConfigError) as caught:
        cls.from_json(data)
    assert str(caught.value).startswith(message)
    assert isinstance(caught.value, ValueError) and isinstance(caught.value, InvalidInput)
