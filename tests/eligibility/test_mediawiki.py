"""The MediaWiki provider against the fake wiki over real HTTP."""

from __future__ import annotations

import json
import socket

import pytest

from app.eligibility import (
    EligibilityUnavailable,
    MediaWikiProvider,
    UnknownUser,
    VoterFacts,
    WikiApiError,
    WikiLagged,
    WikiTimeout,
    WikiUnreachable,
    check_voter,
    evaluate,
    parse_rules,
)
from tests.fakes.wiki_data import STANDARD_RULES


@pytest.mark.parametrize(
    ("user", "eligible", "failed"),
    [
        ("Alice", True, []),
        ("Newbie", False, ["min_edits", "edits_before", "edits_between", "registered_before"]),
        ("Blocked User", False, ["not_blocked"]),
        ("Partial Block", True, []),
        ("Wanderer", False, ["not_blocked"]),
        ("Two Blocks", True, []),
        ("Locked User", False, ["not_locked"]),
        ("HelperBot", False, ["not_bot"]),
        ("Globalbot", False, ["not_bot"]),
        ("Local Only", True, []),
        ("Oldtimer", True, []),
        ("Multi", False, ["min_edits", "edits_before", "edits_between"]),
    ],
)
def test_fixture_users_under_standard_rules(provider, standard_rules, user, eligible, failed) -> None:
    decision, snapshot = check_voter(standard_rules, provider, user)
    assert decision.eligible is eligible, decision.reasons
    assert decision.failed_rules == failed
    assert decision.user == user
    json.dumps(snapshot)
    assert evaluate(standard_rules, VoterFacts.from_json(snapshot)).to_json() == decision.to_json()


def test_facts_snapshot_content(provider, standard_rules) -> None:
    _, snapshot = check_voter(standard_rules, provider, "partial_Block")
    [account] = snapshot["accounts"]
    assert account["wiki"] == "enwiki" and account["user"] == "Partial Block"
    assert account["edit_count"] == 1500
    assert account["registration"] == "2010-03-01T12:00:00Z"
    assert account["block"]["sitewide"] is False
    assert [(w["needed"], w["count"]) for w in account["windows"]] == [(10, 10), (2, 2)]
    assert snapshot["global_account"]["home_wiki"] == "enwiki"
    assert snapshot["source"] == f"mediawiki:{provider.api_url}"


def test_precedence_over_http(provider) -> None:
    doc = json.loads(json.dumps(STANDARD_RULES))
    doc["rules"].update(
        exclude=["Excluded Person"], include=["Included Person@enwiki"], allow_groups=["sysop", "steward"]
    )
    rules = parse_rules(doc)
    assert check_voter(rules, provider, "Excluded Person")[0].basis == "excluded"
    included = check_voter(rules, provider, "Included Person")[0]
    assert included.eligible and included.basis == "included"
    admin = check_voter(rules, provider, "Admin")[0]
    assert admin.eligible and admin.basis == "allowed_group" and admin.wiki == "enwiki"
    steward = check_voter(rules, provider, "Steward")[0]
    assert steward.eligible and steward.reasons == ["member of the allowed group 'steward' globally"]
    assert not check_voter(rules, provider, "Newbie")[0].eligible


def test_group_rules_over_http(provider) -> None:
    rules = parse_rules({"rules": {"need_groups": ["extendedconfirmed"]}})
    assert check_voter(rules, provider, "Alice")[0].eligible
    assert not check_voter(rules, provider, "Newbie")[0].eligible
    rules = parse_rules({"rules": {"need_global_groups": ["steward"]}})
    assert check_voter(rules, provider, "Steward")[0].eligible
    assert not check_voter(rules, provider, "Alice")[0].eligible


def test_continuation_counts_only_what_is_needed(fake_wiki, provider) -> None:
    rules = parse_rules({"rules": {"edits_before": {"count": 10, "date": "2025-01-01"}}})
    decision, _ = check_voter(rules, provider, "Alice")
    assert decision.eligible
    pages = fake_wiki.farm.api_requests("usercontribs")
    # page size 3: 3 + 3 + 3 + 1 (the last page asks only for the one edit still needed)
    assert [p.params["uclimit"] for p in pages] == ["10", "7", "4", "1"]
    assert [p.params.get("uccontinue") for p in pages] == [None, "3", "6", "9"]
    assert pages[0].params["ucend"] == "2024-12-31T23:59:59Z"
    assert pages[0].params["ucdir"] == "newer"


def test_window_bounds_and_namespaces(fake_wiki, provider) -> None:
    farm = fake_wiki.farm
    farm.wikis["enwiki"]["Alice"].contribs += [("2025-01-01T00:00:00Z", 4), ("2023-12-31T23:59:59Z", 4)]
    assert provider.count_edits("Alice", start=None, end=_d("2025-01-01"), namespaces=(4,), limit=100) == 4
    assert (
        provider.count_edits(
            "Alice", start=_d("2024-01-01"), end=_d("2025-01-01"), namespaces=(4,), limit=100
        )
        == 3
    )
    assert (
        provider.count_edits(
            "Alice", start=_d("2024-01-01"), end=_d("2025-01-01"), namespaces=(0,), limit=100
        )
        == 0
    )
    ns = farm.api_requests("usercontribs")[-1].params["ucnamespace"]
    assert ns == "0"


def _d(text: str):
    from datetime import UTC, datetime

    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_home_any_and_named_wiki_modes(provider) -> None:
    base = json.loads(json.dumps(STANDARD_RULES))
    for wiki in ("home", "any", "dewiki"):
        rules = parse_rules({**base, "wiki": wiki})
        decision, snapshot = check_voter(rules, provider, "Multi")
        assert decision.eligible, (wiki, decision.reasons)
        assert decision.wiki == "dewiki"
    any_rules = parse_rules({**base, "wiki": "any"})
    _, snapshot = check_voter(any_rules, provider, "Multi")
    wikis = {a["wiki"]: a for a in snapshot["accounts"]}
    # enwiki's 5 edits are below min_edits: not queried, recorded from CentralAuth.
    assert wikis["enwiki"]["windows"][0]["count"] is None
    assert wikis["dewiki"]["windows"][0]["count"] == 10
    assert not check_voter(any_rules, provider, "Newbie")[0].eligible
    # The check_voter ``wiki`` argument applies when the rules name none.
    local = parse_rules({"rules": {"min_edits": 100}})
    assert check_voter(local, provider, "Multi", wiki="dewiki")[0].eligible
    assert not check_voter(local, provider, "Multi")[0].eligible


def test_user_agent_and_maxlag_are_sent(fake_wiki, make_provider, standard_rules) -> None:
    provider = make_provider(user_agent="ScrutinTest/1.0 (ops@example.org)", maxlag=7)
    check_voter(standard_rules, provider, "Alice")
    requests = fake_wiki.farm.api_requests()
    assert requests and all(r.user_agent == "ScrutinTest/1.0 (ops@example.org)" for r in requests)
    assert all(r.params["maxlag"] == "7" and r.params["formatversion"] == "2" for r in requests)
    assert make_provider().user_agent.startswith("Scrutin/")


# -- failures: never a decision ---------------------------------------------------------------


def test_unknown_user(provider, standard_rules) -> None:
    with pytest.raises(UnknownUser):
        check_voter(standard_rules, provider, "Nobody Here")
    with pytest.raises(UnknownUser):
        check_voter(parse_rules({"wiki": "frwiki"}), provider, "Alice")
    with pytest.raises(UnknownUser):
        check_voter(parse_rules({"wiki": "home"}), provider, "Local Only")


def test_api_error_is_not_retried(fake_wiki, provider, standard_rules) -> None:
    with pytest.raises(WikiApiError, match="internal_api_error_DBQueryError") as caught:
        check_voter(standard_rules, provider, "Broken")
    assert caught.value.code == "wiki_api_error" and caught.value.retryable
    assert len(fake_wiki.farm.api_requests()) == 1


def test_transient_errors_are_retried(fake_wiki, make_provider, standard_rules) -> None:
    sleeps: list[float] = []
    provider = make_provider(sleep=sleeps.append, backoff=0.5, max_backoff=30, max_retries=3)
    fake_wiki.farm.fail_next = [503, 502]
    fake_wiki.farm.api_error_next = ["ratelimited"]
    assert check_voter(standard_rules, provider, "Alice")[0].eligible
    assert sleeps == [0.5, 1.0, 2.0]  # exponential backoff, no real waiting here


def test_5xx_until_retries_run_out(fake_wiki, provider, standard_rules) -> None:
    fake_wiki.farm.fail_next = [500, 500, 500]
    with pytest.raises(WikiApiError, match="HTTP 500"):
        check_voter(standard_rules, provider, "Alice")
    assert len(fake_wiki.farm.api_requests()) == 3  # 1 + max_retries


def test_4xx_is_an_error_without_retry(fake_wiki, provider, standard_rules) -> None:
    fake_wiki.farm.fail_next = [403]
    with pytest.raises(WikiApiError, match="HTTP 403"):
        check_voter(standard_rules, provider, "Alice")
    assert len(fake_wiki.farm.api_requests()) == 1


def test_maxlag_then_success_honours_retry_after(fake_wiki, make_provider, standard_rules) -> None:
    sleeps: list[float] = []
    provider = make_provider(sleep=sleeps.append, backoff=0.001, max_backoff=10)
    fake_wiki.farm.maxlag_next = 2
    fake_wiki.farm.retry_after = "3"
    assert check_voter(standard_rules, provider, "Alice")[0].eligible
    assert sleeps == [3.0, 3.0]


def test_persistent_lag_is_unavailable(fake_wiki, make_provider, standard_rules) -> None:
    sleeps: list[float] = []
    provider = make_provider(sleep=sleeps.append, maxlag=5, max_backoff=4)
    fake_wiki.farm.lag = 12
    fake_wiki.farm.retry_after = None  # fall back on the lag the API reports
    with pytest.raises(WikiLagged) as caught:
        check_voter(standard_rules, provider, "Alice")
    assert caught.value.code == "wiki_lagged"
    assert sleeps == [4, 4]  # the reported lag (12 s), capped by max_backoff


def test_timeout_is_unavailable(make_provider, standard_rules) -> None:
    provider = make_provider(timeout=0.1, max_retries=1)
    with pytest.raises(WikiTimeout):
        check_voter(standard_rules, provider, "Slowpoke")


def test_slow_then_fast_recovers(fake_wiki, make_provider, standard_rules) -> None:
    provider = make_provider(timeout=0.15, max_retries=1)
    fake_wiki.farm.delay = 0.3
    with pytest.raises(WikiTimeout):
        check_voter(standard_rules, provider, "Alice")
    fake_wiki.farm.delay = 0
    assert check_voter(standard_rules, provider, "Alice")[0].eligible


def test_unreachable_is_unavailable(standard_rules) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with MediaWikiProvider(
        f"http://127.0.0.1:{port}/w/api.php", wiki_id="enwiki", max_retries=1, backoff=0.001, timeout=0.5
    ) as provider:
        with pytest.raises(WikiUnreachable) as caught:
            check_voter(standard_rules, provider, "Alice")
    assert isinstance(caught.value, EligibilityUnavailable)


def test_malformed_answer_is_an_error(fake_wiki, provider) -> None:
    with pytest.raises(WikiApiError):
        provider.query({"list": "nothing"})


# -- cache ------------------------------------------------------------------------------------


def test_cache_ttl(fake_wiki, make_provider, standard_rules) -> None:
    now = [1000.0]
    provider = make_provider(cache_ttl=60, clock=lambda: now[0])
    check_voter(standard_rules, provider, "Alice")
    siteinfo = len(fake_wiki.farm.api_requests("siteinfo"))
    assert siteinfo == 1  # the wiki's own id is remembered for the provider's lifetime
    first = len(fake_wiki.farm.api_requests()) - siteinfo
    check_voter(standard_rules, provider, "Alice")
    assert len(fake_wiki.farm.api_requests()) == first + 1  # all from the cache
    now[0] += 59.9
    check_voter(standard_rules, provider, "Alice")
    assert len(fake_wiki.farm.api_requests()) == first + 1
    now[0] += 0.2
    check_voter(standard_rules, provider, "Alice")
    assert len(fake_wiki.farm.api_requests()) == 2 * first + 1  # expired: fetched again


def test_cache_disabled_and_bounded(fake_wiki, make_provider, standard_rules) -> None:
    provider = make_provider(cache_ttl=0)
    check_voter(standard_rules, provider, "Alice")
    check_voter(standard_rules, provider, "Alice")
    assert len(provider.cache) == 0
    small = make_provider(cache_size=2)
    check_voter(standard_rules, small, "Alice")
    assert len(small.cache) == 2


def test_errors_are_not_cached(fake_wiki, provider, standard_rules) -> None:
    fake_wiki.farm.fail_next = [500, 500, 500]
    with pytest.raises(WikiApiError):
        check_voter(standard_rules, provider, "Alice")
    assert check_voter(standard_rules, provider, "Alice")[0].eligible
