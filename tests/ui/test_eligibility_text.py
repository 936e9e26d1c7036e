"""The booth's eligibility reasons in the voter's language (admin_ui/static/js/eligibility.js).

Decisions of every kind are made by the real evaluator (app.eligibility.evaluate) on hand-built
facts; node renders their machine fields with each language's catalogue. In English the page
must say exactly what the server says (so the fields are read right); in Chinese every reason
is translated and keeps its numbers, dates, wikis and names. Unknown rules fall back to the
server's English text. Skipped only when node is not installed (CI requires it).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from admin_ui.js_messages import MESSAGES, catalogue
from app.eligibility import (
    AccountFacts,
    AttachedAccount,
    Block,
    EditWindow,
    GlobalAccountFacts,
    VoterFacts,
    evaluate,
    parse_rules,
)

ROOT = Path(__file__).resolve().parents[2]
MODULE = ROOT / "admin_ui" / "static" / "js" / "eligibility.js"
NODE = shutil.which("node")
if NODE is None and os.environ.get("SCRUTIN_REQUIRE_NODE") == "1":
    raise RuntimeError("node is missing but SCRUTIN_REQUIRE_NODE=1 (CI must run the JS tests)")
needs_node = pytest.mark.skipif(NODE is None, reason="node is not installed (CI installs Node.js)")

NOW = datetime(2025, 1, 15, tzinfo=UTC)
BEFORE = datetime(2025, 1, 1, tzinfo=UTC)
START = datetime(2024, 1, 1, tzinfo=UTC)
NOON = datetime(2024, 6, 1, 12, 30, tzinfo=UTC)
LANGS = ("en", "zh-hans", "zh-hant")
CJK = re.compile(r"[\u4e00-\u9fff]")
# What a translation must keep from the English reason: dates, numbers, wiki ids, names.
KEPT = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:T[\d:]+Z)?|\d+|[a-z]+wiki|Alice(?:@\w+)?|sysop|steward|"
    r"extendedconfirmed|global-bot"
)


def account(**kwargs: Any) -> AccountFacts:
    base: dict[str, Any] = dict(
        wiki="enwiki",
        user="Alice",
        user_id=7,
        edit_count=1500,
        registration=datetime(2010, 3, 1, tzinfo=UTC),
        groups=("*", "user", "autoconfirmed"),
        block=None,
        windows=(
            EditWindow(None, BEFORE, None, 10, 10),
            EditWindow(START, BEFORE, (4,), 2, 2),
            EditWindow(START, NOON, (4, 5), 2, 1),
        ),
    )
    base.update(kwargs)
    return AccountFacts(**base)


def facts(
    *accounts: AccountFacts,
    glob: GlobalAccountFacts | None = None,
    wiki: str = "enwiki",
    on_roll: bool | None = None,
) -> VoterFacts:
    if glob is None:
        glob = GlobalAccountFacts(
            name="Alice", home_wiki="enwiki", attached=(AttachedAccount("enwiki", edit_count=1500),)
        )
    return VoterFacts(
        user="Alice",
        source="test",
        fetched_at=NOW,
        wiki=wiki,
        accounts=accounts if accounts else (account(),),
        global_account=glob,
        global_checked=True,
        on_roll=on_roll,
    )


def decide(rules: dict[str, Any], voter: VoterFacts, message: str | None = None):
    return evaluate(parse_rules({"message": message, "rules": rules} if message else {"rules": rules}), voter)


def _blocked_on(*wikis: str) -> GlobalAccountFacts:
    return GlobalAccountFacts(
        name="Alice",
        attached=tuple(
            AttachedAccount(w, blocked=w in wikis) for w in ("enwiki", "dewiki", "frwiki", "itwiki")
        ),
    )


def decisions() -> list:
    threshold = {"scope": "sitewide", "global_threshold": 3}
    return [
        decide({"min_edits": 100}, facts()),
        decide({"min_edits": 100}, facts(account(edit_count=42))),
        decide({"edits_before": {"count": 10, "date": "2025-01-01"}}, facts()),
        decide(
            {"edits_before": {"count": 10, "date": "2025-01-01"}},
            facts(account(windows=(EditWindow(None, BEFORE, None, 10, 4),))),
        ),
        decide(
            {"edits_before": {"count": 10, "date": "2025-01-01"}},
            facts(account(edit_count=3, windows=(EditWindow(None, BEFORE, None, 10, None),))),
        ),
        decide(
            {"edits_between": {"count": 2, "start": "2024-01-01", "end": "2025-01-01", "namespaces": [4]}},
            facts(),
        ),
        decide(
            {
                "edits_between": {
                    "count": 2,
                    "start": "2024-01-01",
                    "end": "2024-06-01T12:30:00Z",
                    "namespaces": [4, 5],
                }
            },
            facts(),
        ),
        decide({"registered_before": "2024-11-01"}, facts()),
        decide(
            {"registered_before": "2024-11-01"},
            facts(account(registration=datetime(2024, 11, 1, tzinfo=UTC))),
        ),
        decide({"registered_before": "2006-01-01"}, facts(account(registration=None))),
        decide({"not_blocked": "sitewide"}, facts()),
        decide({"not_blocked": "sitewide"}, facts(account(block=Block(sitewide=False)))),
        decide({"not_blocked": "sitewide"}, facts(account(block=Block(sitewide=True, expiry="infinite")))),
        decide({"not_blocked": "any"}, facts(account(block=Block(sitewide=False)))),
        decide(
            {"not_blocked": "any"}, facts(account(block=Block(sitewide=False, expiry="2030-01-01T00:00:00Z")))
        ),
        decide({"not_blocked": threshold}, facts(glob=_blocked_on("dewiki", "frwiki", "itwiki"))),
        decide({"not_blocked": threshold}, facts(glob=_blocked_on("dewiki"))),
        decide(
            {"not_blocked": threshold},
            facts(account(block=Block(sitewide=False)), glob=_blocked_on("dewiki", "frwiki")),
        ),
        decide({"not_locked": True}, facts()),
        decide({"not_locked": True}, facts(glob=GlobalAccountFacts(name="Alice", locked=True))),
        evaluate(
            parse_rules({"rules": {"not_locked": True}}),
            VoterFacts(
                user="Alice",
                source="test",
                fetched_at=NOW,
                wiki="enwiki",
                accounts=(account(),),
                global_account=None,
                global_checked=True,
            ),
        ),
        decide({"not_bot": True}, facts()),
        decide({"not_bot": True}, facts(account(groups=("user", "bot")))),
        decide({"not_bot": True}, facts(glob=GlobalAccountFacts(name="Alice", groups=("global-bot",)))),
        decide(
            {"need_groups": ["sysop", "extendedconfirmed"]},
            facts(account(groups=("user", "extendedconfirmed"))),
        ),
        decide({"need_groups": ["sysop", "extendedconfirmed"]}, facts()),
        decide(
            {"need_global_groups": ["steward"]},
            facts(glob=GlobalAccountFacts(name="Alice", groups=("steward",))),
        ),
        decide({"need_global_groups": ["steward"]}, facts()),
        decide({"exclude": ["Alice"], "include": ["Alice"]}, facts(), message="Ask the committee."),
        decide({"min_edits": 100, "include": ["Alice@enwiki"]}, facts(account(edit_count=1))),
        decide(
            {"min_edits": 100, "allow_groups": ["sysop"]}, facts(account(edit_count=1, groups=("sysop",)))
        ),
        decide(
            {"min_edits": 100, "allow_groups": ["sysop"]},
            facts(account(edit_count=1), glob=GlobalAccountFacts(name="Alice", groups=("sysop",))),
        ),
        decide({"need_list": ["Alice@enwiki"]}, facts()),
        decide({"need_list": ["Bob"]}, facts()),
        decide(
            {"min_edits": 1},
            VoterFacts(user="Alice", source="test", fetched_at=NOW, wiki="any", global_checked=True),
        ),
        decide(
            {"min_edits": 1},
            VoterFacts(user="Alice", source="test", fetched_at=NOW, wiki="enwiki", global_checked=True),
        ),
        decide({"min_edits": 1}, facts(on_roll=True)),
        decide({"min_edits": 1}, facts(on_roll=False)),
    ]


def _run_node(request: dict[str, Any]) -> dict[str, Any]:
    assert NODE is not None
    script = f"""
import * as E from {json.dumps(MODULE.as_uri())};
let input = '';
for await (const chunk of process.stdin) input += chunk;
const req = JSON.parse(input);
const out = {{}};
for (const [lang, cat] of Object.entries(req.catalogues)) {{
  const t = (key, vars = {{}}) => (cat[key] ?? key)
    .replace(/%\\((\\w+)\\)s/g, (_, name) => String(vars[name] ?? '')).replace(/%%/g, '%');
  out[lang] = {{
    results: req.results.map((r) => E.ruleText(r, t)),
    statuses: req.statuses.map((s) => E.eligibilityText(s, t)),
    notices: req.notices.map((n) => E.noticeText(n, t)),
  }};
}}
process.stdout.write(JSON.stringify(out));
"""
    proc = subprocess.run(
        [NODE, "--input-type=module", "-e", script],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.fixture(scope="module")
def rendered() -> dict[str, Any]:
    if NODE is None:
        pytest.skip("node is not installed")
    made = [d.to_json() for d in decisions()]
    results = [r for d in made for r in d["results"]]
    results.append(
        {
            "rule": "future_rule",
            "passed": False,
            "reason": "a rule of the future",
            "required": 1,
            "actual": 0,
            "wiki": "enwiki",
        }
    )
    statuses = [
        {"eligible": True, "reasons": ["listed on this election's voter roll"], "decision": None},
        {"eligible": False, "reasons": ["not on the voter roll of this election"], "decision": None},
        {"eligible": False, "reasons": ["a reason the page does not know"], "decision": None},
        *({"eligible": d["eligible"], "reasons": d["reasons"], "decision": d} for d in made),
    ]
    notices = [
        {
            "kind": "revote",
            "reason": "Your ballot was cast on the wrong version.",
            "since": "2025-01-02T03:04:05+00:00",
        },
        {"kind": "other", "reason": "kept as it is"},
        # After a strike: the reason code's message, never a private text.
        {"kind": "revote", "reason_code": "sockpuppet", "reason": None, "since": "2025-01-02T03:04:05+00:00"},
        {"kind": "revote", "reason_code": "unheard-of", "reason": None, "since": "2025-01-02T03:04:05+00:00"},
    ]
    out = _run_node(
        {
            "catalogues": {lang: catalogue(lang) for lang in LANGS},
            "results": results,
            "statuses": statuses,
            "notices": notices,
        }
    )
    return {"made": made, "results": results, "statuses": statuses, "out": out}


@needs_node
def test_every_rule_kind_is_covered(rendered) -> None:
    rules = {r["rule"] for r in rendered["results"]}
    assert rules >= {
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
        "include",
        "exclude",
        "need_list",
        "allow_groups",
    }
    assert len(rendered["results"]) >= 40


@needs_node
def test_english_reasons_are_exactly_the_servers(rendered) -> None:
    english = rendered["out"]["en"]["results"]
    for result, text in zip(rendered["results"], english, strict=True):
        assert text == result["reason"], result


@needs_node
@pytest.mark.parametrize("lang", ["zh-hans", "zh-hant"])
def test_chinese_reasons_are_translated_with_their_values(rendered, lang) -> None:
    texts = rendered["out"][lang]["results"]
    for result, text in zip(rendered["results"], texts, strict=True):
        if result["rule"] == "future_rule":
            assert text == "a rule of the future"  # unknown: the server's English
            continue
        assert text != result["reason"] and CJK.search(text), (result, text)
        assert "elig." not in text and "%(" not in text, text
        for kept in KEPT.findall(result["reason"]):
            assert kept in text, (kept, result["reason"], text)
    assert len(set(texts)) > 30  # not one sentence for everything


@needs_node
def test_status_reasons_basis_message_and_notices(rendered) -> None:
    out = rendered["out"]
    made = rendered["made"]
    # The explicit roll: fixed English reasons translated, unknown ones kept.
    assert out["en"]["statuses"][0]["reasons"] == ["listed on this election's voter roll"]
    assert out["zh-hans"]["statuses"][0]["reasons"] == ["在本选举的选民名册上"]
    assert out["zh-hant"]["statuses"][1]["reasons"] == ["不在本選舉的選民名冊上"]
    assert out["zh-hans"]["statuses"][2]["reasons"] == ["a reason the page does not know"]
    # With a decision: the same reasons the server shows (failures, or passes when eligible).
    for decision, status in zip(made, out["en"]["statuses"][3:], strict=True):
        assert status["reasons"] == decision["reasons"]
    excluded = made.index(next(d for d in made if d["basis"] == "excluded")) + 3
    for lang in ("zh-hans", "zh-hant"):
        status = out[lang]["statuses"][excluded]
        assert CJK.search(status["basis"])
        assert "Ask the committee." in status["message"] and CJK.search(status["message"])
        revote, other, struck, unknown = out[lang]["notices"]
        assert "Your ballot was cast on the wrong version." in revote and CJK.search(revote)
        assert other == "kept as it is"
        assert CJK.search(struck) and "sockpuppet" not in struck and struck != unknown
        assert CJK.search(unknown) and "unheard-of" not in unknown
    en_struck = out["en"]["notices"][2]
    assert en_struck == (
        "Your ballot no longer counts, and you are invited to vote again "
        "(invitation of 2025-01-02T03:04:05+00:00): the scrutineers set it "
        "aside while checking accounts that may belong to one person."
    )
    assert out["en"]["notices"][3].endswith(": the scrutineers set it aside.")
    assert out["en"]["statuses"][excluded]["message"] == (
        "Message from the election committee: Ask the committee."
    )
    allowed = [
        out["zh-hans"]["statuses"][i + 3]["basis"]
        for i, d in enumerate(made)
        if d["basis"] == "allowed_group"
    ]
    assert allowed and all(CJK.search(b) for b in allowed)
    assert out["zh-hans"]["statuses"][3]["basis"] is None  # decided by the rules


def test_every_eligibility_key_is_in_the_catalogue() -> None:
    """Keys built at run time (template literals) are listed here, so none can go missing."""
    script = MODULE.read_text()
    literal = set(re.findall(r"'((?:elig|booth)\.[a-z_.]+)'", script))
    dynamic = {f"elig.blocked.{k}{e}" for k in ("sitewide", "partial") for e in ("", "_expiry")}
    dynamic |= {f"elig.not_blocked.{k}{g}" for k in ("pass", "partial") for g in ("", "_global")}
    dynamic |= {f"elig.{r}.{o}" for r in ("need_groups", "need_global_groups") for o in ("pass", "fail")}
    dynamic |= {f"elig.basis.{b}" for b in ("excluded", "included", "allowed_group")}
    from app.models import REASON_CODES

    dynamic |= {f"booth.revote_reason.{code}" for code in REASON_CODES}
    listed = re.search(r"REVOTE_REASON_CODES = \[([^\]]*)\]", script).group(1)
    assert tuple(re.findall(r"'([a-z_]+)'", listed)) == REASON_CODES
    assert (literal | dynamic) - set(MESSAGES) == set()
    assert {k for k in MESSAGES if k.startswith("elig.")} - (literal | dynamic) == set()
