"""The results page of a secret ranked election (real Chromium): a Meek STV question and a
Schulze question run through the real service (encrypted rankings, two mixes, threshold
decryption, the count) and shown as winners, every round, the pairwise matrix and the BLT link,
in English and Simplified Chinese, with the figures the counting engine computed."""

from __future__ import annotations

import httpx
import pytest

from app.counting import count_rankings
from tests.browser.test_booth_integrity import server  # noqa: F401 - the live server fixture
from tests.verify.records import run_election

pytestmark = pytest.mark.browser

NAMES = ["Amelia Longname", "Bartholomew Second", "Cordelia Third", "Desmond Fourth"]
RANKINGS = [[0, 1], [1, 0], [2], [0, 2, 1], [3, 1], [1], [0], [2, 0]]


def _questions() -> list[dict]:
    candidates = [{"name": {"en": n, "zh-hans": f"{n}（候选人）"}} for n in NAMES]
    return [
        {
            "kind": "ranked",
            "title": {"en": "Board seats"},
            "method": "meek",
            "seats": 2,
            "candidates": candidates,
        },
        {
            "kind": "ranked",
            "title": {"en": "Chair"},
            "method": "schulze",
            "seats": 1,
            "candidates": candidates,
        },
    ]


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_results_page_shows_the_rounds_of_a_secret_ranked_count(
    chromium,
    server,
    tmp_path,  # noqa: F811
    lang,
) -> None:
    votes = {f"V{i}": [[r, r]] for i, r in enumerate(RANKINGS)}
    with httpx.Client(base_url=server, timeout=120) as http:
        built = run_election(
            http, tmp_path / "keys", votes, mixers=(0, 1), questions=_questions(), min_contributors=1
        )
    meek = count_rankings(NAMES, RANKINGS, "meek", 2)
    schulze = count_rankings(NAMES, RANKINGS, "schulze", 1)
    context = chromium.new_context(base_url=server, viewport={"width": 390, "height": 844})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"/elections/{built.election_id}/results?lang={lang}")
    page.wait_for_selector(".ranked-winners")
    sections = page.locator(".result-question")
    stv, chair = sections.nth(0), sections.nth(1)
    display = (lambda n: n) if lang == "en" else (lambda n: f"{n}（候选人）")
    winners = stv.locator(".ranked-winners").inner_text()
    for name in meek["elected"]:
        assert display(name) in winners
    # every round of the Meek count, with its quota and a keep factor where one applies
    rows = stv.locator(".count-table tbody tr")
    assert rows.count() == len(meek["rounds"])
    for i, r in enumerate(meek["rounds"]):
        text = rows.nth(i).inner_text()
        assert str(r["quota"]) in text
        for votes_of in r["votes"].values():
            assert votes_of in text
    kept = [r for r in meek["rounds"] if r["keep_factors"]]
    assert kept and next(iter(kept[0]["keep_factors"].values())) in stv.locator(".count-table").inner_text()
    assert stv.locator(".bar-row").count() == len(NAMES)  # the final round's chart
    # the Schulze question: its winner and the pairwise matrix
    assert display(schulze["winners"][0]) in chair.locator(".ranked-winners").inner_text()
    matrix = chair.locator(".count-table").inner_text()
    assert str(schulze["pairwise"][NAMES[0]][NAMES[3]]) in matrix
    # the anonymous rankings as BLT, recountable by anyone
    href = stv.locator("a[href$='/results/0.blt']").get_attribute("href")
    blt = httpx.get(f"{server}{href}")
    assert blt.status_code == 200 and blt.text.count("\n") >= len(RANKINGS)
    # on a phone, the wide count scrolls inside its box, not the page
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, width
    page.screenshot(path=str(tmp_path / f"ranked-results-{lang}.png"), full_page=True)
    assert not errors, errors
    context.close()
