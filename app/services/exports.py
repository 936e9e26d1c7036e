"""Result exports (JSON is the API itself; CSV and wikitext here) and the election record.

The record is the public board plus every ballot it refers to: all an auditor needs to run
``scrutin verify`` (DESIGN §3.5). It never contains private data: no usernames, no IP
addresses, no user agents (those live in their own table and are never joined in here).
"""

from __future__ import annotations

import io
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.counting.output import render as render_count
from app.errors import NotFound
from app.models import Ballot
from app.models.base import utcnow
from app.neutralise import SafeCsvWriter, nowiki
from app.services import board, elections
from app.services.receipts import ReceiptSigner

RECORD_FORMAT = "scrutin-record"
RECORD_VERSION = 1


def _rows(result: dict[str, Any]):  # type: ignore[no-untyped-def]
    for qi, question in enumerate(result["questions"]):
        for cand in question["candidates"]:
            elected = cand["position"] in (question.get("elected") or [])
            yield qi, question, cand, elected


TOO_FEW = "too few ballots to publish"
"""Shown instead of the figures of a candidate the anonymity guard withheld."""


def _title_languages(result: dict[str, Any]) -> list[str]:
    """The languages of the question titles other than the election's default, sorted."""
    default = result.get("default_language") or "en"
    return sorted(
        {
            lang
            for q in result["questions"]
            if isinstance(q.get("title"), dict)
            for lang, text in q["title"].items()
            if text and lang != default
        }
    )


def results_csv(result: dict[str, Any]) -> str:
    """One row per candidate. ``question`` is the question's index (0, 1, …),
    ``question_title`` its title in the election's default language, then
    ``question_title_<lang>`` for each other language any title is given in (empty where a
    question has no title in that language)."""
    out = io.StringIO()
    writer = SafeCsvWriter(out)
    guard = "min_contributors" in result
    languages = _title_languages(result)
    writer.writerow(
        ["question", "question_title"]
        + [f"question_title_{lang}" for lang in languages]
        + [
            "kind",
            "position",
            "candidate",
            "support",
            "oppose",
            "neutral",
            "support_percent",
            "passed",
            "votes",
            "elected",
            "withdrawn",
        ]
        + (["withheld"] if guard else [])
    )
    for qi, question, cand, elected in _rows(result):
        extra = [TOO_FEW if cand.get("too_few_ballots") else ""] if guard else []
        title = question.get("title") if isinstance(question.get("title"), dict) else {}
        head = [qi, question_title(result, qi), *(title.get(lang) or "" for lang in languages)]
        # support, oppose, neutral, support_percent, passed, votes: what the kind has. A
        # withheld candidate (too few ballots) shows none; ranked rounds are in the wikitext
        # and JSON exports, the CSV lists who was elected.
        counts: list[Any] = [""] * 6
        if cand.get("too_few_ballots") or question["kind"] == "ranked":
            pass
        elif question["kind"] == "sonc":
            counts = [
                cand["support"],
                cand["oppose"],
                cand["neutral"],
                cand["percent"] or "",
                "yes" if cand["passed"] else "no",
                "",
            ]
        else:
            counts[5] = cand["votes"]
        shown_elected = "yes" if elected and not cand.get("too_few_ballots") else ""
        writer.writerow(
            [
                *head,
                question["kind"],
                cand["position"],
                cand["name"],
                *counts,
                shown_elected,
                "yes" if cand["withdrawn"] else "",
            ]
            + extra
        )
    return out.getvalue()


def _cell(text: Any) -> str:
    # Whatever a candidate is called, it is shown as text: no template, link or table syntax.
    return nowiki(text)


def question_title(result: dict[str, Any], qi: int) -> str:
    """The question's title in the election's default language (``tally.results`` adds the
    titles; "Question N" when there is none)."""
    title = result["questions"][qi].get("title")
    if isinstance(title, dict):
        title = title.get(result.get("default_language") or "en") or next(
            (v for v in title.values() if v), None
        )
    return str(title) if title else f"Question {qi + 1}"


def results_wikitext(result: dict[str, Any]) -> str:
    lines = []
    for qi, question in enumerate(result["questions"]):
        if question["kind"] == "ranked":
            lines += _ranked_wikitext(question, _cell(question_title(result, qi)))
            continue
        lines.append('{| class="wikitable sortable"')
        lines.append(f"|+ {_cell(question_title(result, qi))}")
        if question["kind"] == "sonc":
            rule = question["pass_rule"]
            lines.append("! Candidate !! Support !! Oppose !! Neutral !! Support % !! Result")
            for cand in question["candidates"]:
                if cand.get("too_few_ballots"):
                    lines += [
                        "|-",
                        f'| {_cell(cand["name"])} || colspan="5" | '
                        f"{'Withdrawn; ' if cand['withdrawn'] else ''}{TOO_FEW.capitalize()}",
                    ]
                    continue
                outcome = (
                    "Withdrawn"
                    if cand["withdrawn"]
                    else "Elected"
                    if cand["position"] in (question.get("elected") or [])
                    else "Passed"
                    if cand["passed"]
                    else "Not passed"
                )
                percent = f"{cand['percent']}%" if cand["percent"] is not None else "—"
                lines += [
                    "|-",
                    f"| {_cell(cand['name'])} || {cand['support']} || "
                    f"{cand['oppose']} || {cand['neutral']} || {percent} || {outcome}",
                ]
            lines.append("|}")
            lines.append(
                f"Pass rule: support / (support + oppose) {rule['comparison']} "
                f"{rule['threshold_percent']}%"
                + (f", at least {rule['min_support']} support" if rule.get("min_support") else "")
                + f". Ballots counted: {result['ballots_counted']}."
            )
        else:
            lines.append("! Option !! Votes !! Result")
            for cand in question["candidates"]:
                if cand.get("too_few_ballots"):
                    lines += [
                        "|-",
                        f'| {_cell(cand["name"])} || colspan="2" | '
                        f"{'Withdrawn; ' if cand['withdrawn'] else ''}{TOO_FEW.capitalize()}",
                    ]
                    continue
                outcome = (
                    "Withdrawn"
                    if cand["withdrawn"]
                    else "Elected"
                    if cand["position"] in question["elected"]
                    else ""
                )
                lines += ["|-", f"| {_cell(cand['name'])} || {cand['votes']} || {outcome}"]
            lines.append("|}")
        if question.get("withheld"):
            lines.append(
                f"Candidates listed by fewer than {result['min_contributors']} counted "
                "ballots are not published (anonymity guard)."
            )
        if question.get("tie"):
            names = [
                c["name"] for c in question["candidates"] if c["position"] in question["tie"]["candidates"]
            ]
            lines.append(
                f"Tie for {question['tie']['seats']} seat(s) between "
                f"{', '.join(map(_cell, names))}: not broken by the count."
            )
    return "\n".join(lines) + "\n"


def _ranked_wikitext(question: dict[str, Any], title: str) -> list[str]:
    """A ranked question under its title: the count's own wikitext (rounds, or the pairwise
    matrix)."""
    lines = [f"; {title}"]
    if question.get("too_few_ballots"):
        return [*lines, f"{TOO_FEW.capitalize()}: the ranked ballots were not decrypted."]
    if question.get("count") is None:
        return [*lines, "No ranked ballot was counted."]
    lines.append(render_count(question["count"], "wikitext").rstrip("\n"))
    if question.get("invalid"):
        lines.append(f"Invalid ranked ballots (not counted): {question['invalid']}.")
    return lines


def results_blt(result: dict[str, Any], question: int) -> str:
    """The decrypted anonymous rankings of a ranked question as a BLT file, for a recount
    with any STV program (`scrutin count FILE`). Rankings come in mix output order."""
    try:
        q = result["questions"][question]
    except (IndexError, TypeError):
        raise NotFound("no_question", f"the result has no question {question}") from None
    if q.get("kind") != "ranked" or q.get("ballots") is None:
        raise NotFound("no_rankings", f"question {question} has no decrypted rankings")
    candidates = q["candidates"]
    lines = [f"{len(candidates)} {q.get('seats') or 1}"]
    withdrawn = [str(-(i + 1)) for i, c in enumerate(candidates) if c.get("withdrawn")]
    if withdrawn:
        lines.append(" ".join(withdrawn))
    lines += [" ".join(["1", *(str(i + 1) for i in ranking), "0"]) for ranking in q["ballots"]]
    lines.append("0")
    lines += ['"' + str(c["name"]).replace('"', "'") + '"' for c in candidates]
    lines.append('"' + str(result.get("title") or "Scrutin").replace('"', "'") + '"')
    return "\n".join(lines) + "\n"


def record(session: Session, election_id: str, signer: ReceiptSigner) -> dict[str, Any]:
    election = elections.load(session, election_id)
    events = [board.to_json(e) for e in board.all_events(session, election.id)]
    ballots = {
        b.tracker: b.payload
        for b in session.scalars(
            select(Ballot).where(Ballot.election_id == election.id).order_by(Ballot.board_seq)
        )
    }
    return {
        "format": RECORD_FORMAT,
        "version": RECORD_VERSION,
        "election_id": election.id,
        "exported_at": utcnow().isoformat(),
        "receipt_key": signer.public_key,
        "board": events,
        "ballots": ballots,
    }


def record_json(session: Session, election_id: str, signer: ReceiptSigner) -> bytes:
    return json.dumps(
        record(session, election_id, signer), separators=(",", ":"), ensure_ascii=False
    ).encode()
