"""The results page in real Chromium: the figures as a table beside the chart (S/O/N and
approval), the turnout against the roll size, the question titles, the committee's display
rule (enwiki's ">99"), and no request for a result that does not exist yet (no 404 in the
console while voting is open). English and Simplified Chinese, desktop and phone; screenshots
in test-artifacts/."""

from __future__ import annotations

import httpx
import pytest

from tests.browser.test_booth_integrity import server  # noqa: F401 - the live server fixture
from tests.service.helpers import open_election, voter

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api").expect

VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
QUESTIONS = [
    {
        "kind": "sonc",
        "title": {"en": "Administrators", "zh-hans": "管理员"},
        "pass_rule": {"threshold_percent": "70", "display": "enwiki", "decimals": 0},
        "candidates": [
            {"name": {"en": "Amelia Longname", "zh-hans": "阿米莉亚"}},
            {"name": {"en": "Bartholomew Second", "zh-hans": "巴塞洛缪"}},
        ],
    },
    {
        "kind": "approval",
        "title": {"en": "Logo", "zh-hans": "标志"},
        "max_selections": 2,
        "candidates": [{"name": {"en": "Blue"}}, {"name": {"en": "Green"}}, {"name": {"en": "Red"}}],
    },
]
# Amelia: 5 support, 1 oppose (83 %) · Bartholomew: 2 support, 3 oppose, 1 neutral (40 %)
BALLOTS = [
    [[1, 1], [1, 0, 0]],
    [[1, 1], [1, 1, 0]],
    [[1, -1], [0, 1, 0]],
    [[1, -1], [1, 0, 0]],
    [[1, -1], [0, 0, 1]],
    [[-1, 0], [1, 0, 0]],
]
VOTERS = [f"V{i}" for i in range(len(BALLOTS))]
ROLL = [*VOTERS, "Absent1", "Absent2"]  # 6 of 8 on the roll vote: 75.0 % turnout


def _watch(page) -> list[str]:
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"error {exc}"))
    page.on("console", lambda m: problems.append(f"console {m.text}") if m.type == "error" else None)
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    return problems


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_results_table_turnout_and_display_rule(
    chromium,
    server,
    tmp_path,
    artifacts,  # noqa: F811
    lang,
) -> None:
    with httpx.Client(base_url=server, timeout=120) as http:
        admin, eid, trustees = open_election(
            http, tmp_path, ROLL, trustees=1, threshold=1, questions=QUESTIONS
        )
        for name, ballot in zip(VOTERS, BALLOTS, strict=True):
            voter(http, eid, name).cast(ballot)
        # While voting is open the page says the results are not out, without asking for them.
        for kind, viewport in VIEWPORTS.items():
            context = chromium.new_context(base_url=server, viewport=viewport)
            page = context.new_page()
            problems = _watch(page)
            requested: list[str] = []
            page.on("request", lambda r, seen=requested: seen.append(r.url))
            page.goto(f"/elections/{eid}/results?lang={lang}")
            expect(page.locator("#results")).not_to_contain_text("…")
            page.wait_for_load_state("networkidle")
            assert not [u for u in requested if "/api/v1/" in u and "/results" in u], requested
            assert not problems, problems
            assert page.locator("#results .result-table").count() == 0
            page.screenshot(path=str(artifacts / f"results-open-{lang}-{kind}.png"), full_page=True)
            context.close()
        admin.post(f"/api/v1/elections/{eid}/close", {"reason": "end"})
        admin.post(f"/api/v1/elections/{eid}/tally/start")
        trustees[0].decrypt()
        wikitext = http.get(f"/api/v1/elections/{eid}/results.wikitext").text
    assert "|+ <nowiki>Administrators</nowiki>" in wikitext and "|+ <nowiki>Logo</nowiki>" in wikitext

    zh = lang == "zh-hans"
    for kind, viewport in VIEWPORTS.items():
        context = chromium.new_context(base_url=server, viewport=viewport)
        page = context.new_page()
        problems = _watch(page)
        page.goto(f"/elections/{eid}/results?lang={lang}")
        page.wait_for_selector(".result-table")
        turnout = page.locator("#ballots-counted").inner_text()
        assert "6" in turnout and "8" in turnout and "75.0%" in turnout, turnout
        sections = page.locator(".result-question")
        sonc, approval = sections.nth(0), sections.nth(1)
        assert sonc.locator("h3").inner_text() == ("管理员" if zh else "Administrators")
        assert approval.locator("h3").inner_text() == ("标志" if zh else "Logo")
        rows = sonc.locator(".result-table tbody tr")
        assert rows.count() == 2
        cells = [rows.nth(i).locator("th, td").all_inner_texts() for i in range(2)]
        assert cells[0][:5] == ["阿米莉亚" if zh else "Amelia Longname", "5", "1", "0", "83%"]
        assert cells[1][:5] == ["巴塞洛缪" if zh else "Bartholomew Second", "2", "3", "1", "40%"]
        assert cells[0][5] == ("通过" if zh else "passes")
        votes = [
            approval.locator(".result-table tbody tr").nth(i).locator("td").first.inner_text()
            for i in range(3)
        ]
        assert votes == ["4", "2", "1"]
        # the table sits beside the chart on a desktop, under it on a phone
        chart = sonc.locator(".chart").bounding_box()
        table = sonc.locator(".result-table-box").bounding_box()
        if kind == "desktop":
            assert table["x"] >= chart["x"] + chart["width"] - 1, (chart, table)
        else:
            assert table["y"] >= chart["y"] + chart["height"] - 1, (chart, table)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= viewport["width"], width
        page.screenshot(path=str(artifacts / f"results-table-{lang}-{kind}.png"), full_page=True)
        assert not problems, problems
        context.close()
