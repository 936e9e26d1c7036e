"""The default fake wiki farm: one fixture user per rule and precedence case.

Reference dates for the rules used in tests: edits before 2025-01-01, registered before
2024-11-01, between 2024-01-01 and 2025-01-01 in namespace 4. "Good" users pass them all.
"""

from __future__ import annotations

from tests.fakes.wiki import FakeWikiFarm, edits

OAUTH_CLIENT_ID = "scrutin-test"
OAUTH_CLIENT_SECRET = "fake-oauth-secret"
OAUTH_PUBLIC_CLIENT_ID = "scrutin-public"
OAUTH_REDIRECT_URI = "http://127.0.0.1:9/auth/wiki/callback"

# A standard rules document every "good" user passes.
STANDARD_RULES = {
    "wiki": "enwiki",
    "message": "See the election page for the voting requirements.",
    "rules": {
        "min_edits": 100,
        "edits_before": {"count": 10, "date": "2025-01-01"},
        "edits_between": {"count": 2, "start": "2024-01-01", "end": "2025-01-01", "namespaces": [4]},
        "registered_before": "2024-11-01",
        "not_blocked": {"scope": "sitewide", "global_threshold": 3},
        "not_locked": True,
        "not_bot": True,
    },
}


def good_history() -> list[tuple[str, int]]:
    """12 main-namespace edits from 2015 and 3 project-namespace edits in 2024."""
    return edits(12, "2015-01-01", every_days=30) + edits(3, "2024-06-01", ns=4)


def default_farm() -> FakeWikiFarm:
    farm = FakeWikiFarm()
    good = {"registration": "2010-03-01T12:00:00Z", "editcount": 1500}

    def person(name: str, *, home: str = "enwiki", glob: dict | None = None, **account: object) -> None:
        fields = {**good, "contribs": good_history(), **account}
        farm.add_user(home, name, **fields)
        farm.add_global(name, home, **(glob or {}))

    # Eligible under STANDARD_RULES, with a small attached account on dewiki.
    person("Alice", groups=["extendedconfirmed"])
    farm.add_user("dewiki", "Alice", editcount=5, contribs=edits(5, "2020-01-01"))
    # Fails min_edits, edits_before, edits_between, registered_before.
    person("Newbie", registration="2024-12-01T00:00:00Z", editcount=3, contribs=edits(3, "2024-12-02"))
    # Blocks.
    person("Blocked User", block={"sitewide": True, "expiry": "infinite", "reason": "vandalism"})
    person(
        "Partial Block",
        block={"sitewide": False, "expiry": "2030-01-01T00:00:00Z", "reason": "edit warring on one page"},
    )
    person("Wanderer")
    for wiki in ("dewiki", "frwiki", "itwiki"):
        farm.add_user(
            wiki,
            "Wanderer",
            editcount=2,
            contribs=edits(2, "2019-01-01"),
            block={"sitewide": True, "expiry": "infinite", "reason": "cross-wiki spam"},
        )
    person("Two Blocks")
    for wiki in ("dewiki", "frwiki"):
        farm.add_user(
            wiki,
            "Two Blocks",
            editcount=2,
            contribs=edits(2, "2019-01-01"),
            block={"sitewide": True, "expiry": "infinite"},
        )
    # Global lock, bots, groups.
    person("Locked User", glob={"locked": True})
    person("HelperBot", groups=["bot"])
    person("Globalbot", glob={"groups": ["global-bot"]})
    person(
        "Admin",
        groups=["sysop"],
        registration="2024-12-01T00:00:00Z",
        editcount=3,
        contribs=edits(3, "2024-12-02"),
    )
    person("Steward", glob={"groups": ["steward"]})
    # Precedence: eligible by rules but excluded; ineligible by rules but included.
    person("Excluded Person")
    person(
        "Included Person", registration="2024-12-01T00:00:00Z", editcount=3, contribs=edits(3, "2024-12-02")
    )
    # Few edits on enwiki, many on dewiki (its home wiki).
    farm.add_user(
        "enwiki", "Multi", registration="2012-01-01T00:00:00Z", editcount=5, contribs=edits(5, "2016-01-01")
    )
    farm.add_user(
        "dewiki", "Multi", registration="2011-01-01T00:00:00Z", editcount=800, contribs=good_history()
    )
    farm.add_global("Multi", "dewiki")
    # No global account at all.
    farm.add_user("enwiki", "Local Only", **good, contribs=good_history())
    # Registered before registration dates were recorded.
    person(
        "Oldtimer",
        registration=None,
        editcount=50_000,
        contribs=edits(12, "2003-01-01") + edits(3, "2024-02-01", ns=4),
    )
    # Behaviour cases.
    person("Slowpoke")
    farm.slow_users["Slowpoke"] = 1.0
    person("Broken")
    farm.error_users["Broken"] = "internal_api_error_DBQueryError"

    farm.add_oauth_client(OAUTH_CLIENT_ID, OAUTH_CLIENT_SECRET, OAUTH_REDIRECT_URI)
    farm.add_oauth_client(OAUTH_PUBLIC_CLIENT_ID, None, OAUTH_REDIRECT_URI)
    return farm
