"""``scrutin securepoll import`` / ``POST /securepoll/import``: SecurePoll dumps become draft
elections; what has no equivalent is listed, never dropped."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.client.http import ApiError
from app.wiki.securepoll import DumpError, parse_dump
from tests.service.helpers import ADMIN, login

DATA = Path(__file__).parent.parent / "data" / "securepoll"


def dump(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


def test_the_dump_is_read() -> None:
    d = parse_dump(dump("steward-confirmations.xml"))
    assert d.ballot == "radio-range" and d.start == "2026-02-05T00:00:00Z" and d.votes == 1
    assert d.properties["min-edits"] == "600"
    assert d.messages["title"]["fr"] == "Confirmations des stewards 2026"
    assert [o.messages["text"]["en"] for o in d.questions[0].options] == ["Steward One", "Steward Two"]
    for bad, why in [
        ("<x/>", "root element"),
        ("<SecurePoll></SecurePoll>", "no <election>"),
        ("<SecurePoll", "well-formed"),
        ('<!DOCTYPE x [<!ENTITY a "b">]><SecurePoll/>', "DTD"),
    ]:
        with pytest.raises(DumpError, match=why):
            parse_dump(bad)


def test_radio_range_becomes_sonc_with_rules_and_a_report(client) -> None:
    admin = login(client, ADMIN)
    out = admin.post("/api/v1/securepoll/import", {"xml": dump("steward-confirmations.xml")})
    election = admin.get(f"/api/v1/elections/{out['id']}")
    assert election["phase"] == "draft"
    assert election["title"] == {"en": "Steward confirmations 2026", "fr": "Confirmations des stewards 2026"}
    question = election["questions"][0]
    assert question["kind"] == "sonc"
    assert [c["name"] for c in question["candidates"]] == [
        {"en": "Steward One"},
        {"en": "Steward Two", "fr": "Steward Deux"},
    ]
    assert out["roll_mode"] == "live"
    assert out["eligibility"] == {
        "min_edits": 600,
        "registered_before": "2025-11-01T00:00:00Z",
        "not_blocked": {"scope": "sitewide", "global_threshold": 2},
        "not_bot": True,
        "edits_between": {"count": 50, "start": "2025-08-01T00:00:00Z", "end": "2026-02-01T00:00:00Z"},
    }
    unmapped = {u["what"]: u for u in out["unmapped"]}
    assert election["voter_list_public"] is False  # voter-privacy
    for what in (
        "property need-list",
        "property admins",
        "property encrypt-type",
        "message jump-text",
        "auth",
        "votes",
        "tally",
        "question 1 pass rule",
        "question 1 message column+1",
    ):
        assert what in unmapped, what
    assert "scrutin roll import" in unmapped["property need-list"]["why"]
    assert unmapped["votes"]["value"] == "1"
    audit = admin.get(f"/api/v1/elections/{out['id']}/audit")["entries"]
    assert {"election.create", "eligibility.rules"} <= {e["action"] for e in audit}


def test_approval_in_another_language(client) -> None:
    out = login(client, ADMIN).post("/api/v1/securepoll/import", {"xml": dump("approval.xml")})
    election = out["election"]
    assert election["default_language"] == "de" and election["title"] == {"de": "Logo-Abstimmung"}
    assert election["questions"][0]["kind"] == "approval" and out["eligibility"] is None


def test_stv_becomes_a_ranked_meek_question(client) -> None:
    out = login(client, ADMIN).post("/api/v1/securepoll/import", {"xml": dump("board-stv.xml")})
    question = out["election"]["questions"][0]
    assert question["kind"] == "ranked" and question["seats"] == 2
    assert question["method"] == "meek"  # SecurePoll's Meek STV
    election = out["election"]
    assert election["trustee_count"] >= 2 and election["threshold"] >= 2
    assert "trustees" in {u["what"] for u in out["unmapped"]}


def test_unsupported_or_broken_dumps_change_nothing(client) -> None:
    admin = login(client, ADMIN)
    before = len(admin.get("/api/v1/elections"))
    score = dump("steward-confirmations.xml").replace(
        '<property name="max-score">1</property>', '<property name="max-score">5</property>'
    )
    for xml, code in [
        (score, "securepoll_unsupported"),
        (
            dump("approval.xml").replace("approval</ballot>", "preferential</ballot>"),
            "securepoll_unsupported",
        ),
        ("<SecurePoll><election/></SecurePoll>", "invalid_securepoll_dump"),
        (dump("approval.xml").replace("2026-03-15T00:00:00Z", "soon"), "invalid_securepoll_dump"),
    ]:
        with pytest.raises(ApiError) as err:
            admin.post("/api/v1/securepoll/import", {"xml": xml})
        assert err.value.status == 422 and err.value.code == code, xml[:80]
    with pytest.raises(ApiError) as err:
        login(client, "Alice").post("/api/v1/securepoll/import", {"xml": dump("approval.xml")})
    assert err.value.status == 403
    assert len(admin.get("/api/v1/elections")) == before
