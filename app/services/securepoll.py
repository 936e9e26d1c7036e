"""A draft election from a SecurePoll dump (``app.wiki.securepoll``). The mapping is in
docs/wiki.md; everything without an equivalent is listed in ``unmapped`` — never dropped."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from app.errors import Forbidden, InvalidInput
from app.schemas.elections import ElectionCreate
from app.services import elections, eligibility
from app.services.actor import Actor
from app.wiki.securepoll import Dump, DumpError, DumpQuestion, parse_dump
from crypto.mixnet import MIN_MIXES

LANG = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8}){0,2}$")
EDIT_PROPS = {
    "list_edits-before",
    "list_edits-before-count",
    "list_edits-before-date",
    "list_edits-between",
    "list_edits-between-count",
    "list_edits-startdate",
    "list_edits-enddate",
}
HANDLED_ELECTION_PROPS = {
    "voter-privacy",
    "min-edits",
    "max-registration",
    "not-blocked",
    "not-bot",
    "need-group",
    "not-centrally-blocked",
    "central-block-threshold",
    *EDIT_PROPS,
}
HANDLED_QUESTION_PROPS = {"min-score", "max-score", "default-score", "column-label-msgs", "min-seats"}
HANDLED_MESSAGES = {"title", "intro"}


def import_dump(session: Session, actor: Actor, xml: str, *, max_ballot: int | None = None) -> dict[str, Any]:
    if not actor.is_admin:
        raise Forbidden("forbidden", "only instance administrators can create elections")
    try:
        dump = parse_dump(xml)
    except DumpError as exc:
        raise InvalidInput("invalid_securepoll_dump", str(exc)) from exc
    unmapped: list[dict[str, str]] = []

    def note(what: str, value: Any, why: str) -> None:
        unmapped.append({"what": what, "value": str(value), "why": why})

    lang = dump.primary_lang.lower().replace("_", "-")
    if not LANG.match(lang):
        raise InvalidInput(
            "invalid_securepoll_dump", f"primaryLang {dump.primary_lang!r} is not a language code"
        )
    title = _texts(dump.messages.get("title")) or ({lang: dump.title} if dump.title else {})
    if lang not in title:
        title[lang] = dump.title or next(iter(title.values()), "") or "SecurePoll election"
    config: dict[str, Any] = {
        "title": title,
        "default_language": lang,
        "trustee_count": 1,
        "threshold": 1,
        "questions": [_question(dump, q, i, note) for i, q in enumerate(dump.questions)],
    }
    if any(q["kind"] == "ranked" for q in config["questions"]):
        # Ranked ballots are mixed by MIN_MIXES different trustees before any is decrypted,
        # and no single trustee may decrypt: the draft starts at 3 trustees, 2 to decrypt.
        config["trustee_count"] = max(3, MIN_MIXES)
        config["threshold"] = 2
        note(
            "trustees",
            "3 (2 to decrypt)",
            "SecurePoll holds one key; Scrutin's ranked "
            f"ballots need at least {MIN_MIXES} trustees to mix them: check the trustees",
        )
    if dump.properties.get("voter-privacy") in ("1", "true"):
        config["voter_list_public"] = False  # SecurePoll hides who voted: so does Scrutin
    intro = _texts(dump.messages.get("intro"))
    if intro:
        config["description"] = intro
    if dump.start and dump.end:
        config["schedule"] = {"start": _iso(dump.start), "end": _iso(dump.end), "timezone": "UTC"}
    else:
        note("schedule", f"{dump.start} – {dump.end}", "no start or end date: set the schedule")
    rules, rule_notes = _rules(dump.properties)
    for what, value, why in rule_notes:
        note(what, value, why)
    for name, value in sorted(dump.properties.items()):
        if name not in HANDLED_ELECTION_PROPS and (name, value) not in {
            (u["what"], u["value"]) for u in unmapped
        }:
            note(f"property {name}", value, _why_property(name))
    for name, texts in sorted(dump.messages.items()):
        if name not in HANDLED_MESSAGES:
            note(f"message {name}", ", ".join(sorted(texts)), "no equivalent text on Scrutin's pages")
    if dump.tally and dump.ballot != "stv":
        note("tally", dump.tally, "Scrutin counts by the question kind (and its pass rule)")
    if dump.auth:
        note("auth", dump.auth, "voters log in with wiki OAuth; eligibility comes from the rules below")
    if dump.votes:
        note("votes", dump.votes, "votes are never imported: a Scrutin election starts empty")
    for tag in dump.other_elements:
        note(f"element <{tag}>", "", "not part of a SecurePoll configuration we know")
    if dump.elections > 1:
        note("elections", dump.elections, "only the first <election> of the dump is imported")
    if dump.id:
        note("SecurePoll id", dump.id, "Scrutin gives the draft its own id")
    try:
        data = ElectionCreate.model_validate(config)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        raise InvalidInput(
            "invalid_securepoll_dump", f"the dump does not make a valid election: {where}: {first.get('msg')}"
        ) from exc
    election = elections.create(session, actor, data, max_ballot=max_ballot)
    if rules:
        eligibility.set_rules(session, actor, election.id, {"version": 1, "rules": rules}, "live")
    return {
        "id": election.id,
        "election": elections.view(session, election),
        "eligibility": rules or None,
        "roll_mode": "live" if rules else "list",
        "unmapped": unmapped,
    }


def _question(dump: Dump, q: DumpQuestion, index: int, note: Any) -> dict[str, Any]:
    title = _texts(q.messages.get("text")) or {dump.primary_lang.lower(): f"Question {index + 1}"}
    candidates = [
        {"name": _texts(o.messages.get("text")) or {dump.primary_lang.lower(): f"Option {j + 1}"}}
        for j, o in enumerate(q.options)
    ]
    where = f"question {index + 1}"
    out: dict[str, Any] = {"title": title, "candidates": candidates}
    props = q.properties
    if dump.ballot == "radio-range":
        lo, hi = props.get("min-score", "-1"), props.get("max-score", "1")
        if (lo, hi) != ("-1", "1"):
            raise InvalidInput(
                "securepoll_unsupported",
                f"{where}: a radio-range ballot from {lo} to {hi} has no "
                "equivalent (Scrutin has support/oppose/neutral: -1 to +1)",
            )
        out["kind"] = "sonc"
        note(
            f"{where} pass rule",
            "70%",
            "SecurePoll has no pass mark; Scrutin's default "
            "(support / (support + oppose) ≥ 70%) applies: change it if needed",
        )
    elif dump.ballot == "approval":
        out["kind"] = "approval"
    elif dump.ballot == "choose":
        out["kind"] = "plurality"
    elif dump.ballot == "stv":
        seats = props.get("min-seats")
        if not seats or not seats.isdigit():
            raise InvalidInput("invalid_securepoll_dump", f"{where}: an STV question needs its min-seats")
        out.update(kind="ranked", method="meek", seats=int(seats))  # SecurePoll's Meek STV
    else:
        raise InvalidInput(
            "securepoll_unsupported",
            f"the ballot type {dump.ballot!r} has no equivalent here "
            "(radio-range −1/0/+1, approval, choose and stv do)",
        )
    for name, value in sorted(props.items()):
        if name not in HANDLED_QUESTION_PROPS:
            note(f"{where} property {name}", value, "no equivalent")
    for name in sorted(q.messages):
        if name != "text":
            note(
                f"{where} message {name}",
                ", ".join(sorted(q.messages[name])),
                "Scrutin's ballot labels are its own (translated)",
            )
    return out


def _rules(props: dict[str, str]) -> tuple[dict[str, Any], list[tuple[str, str, str]]]:
    rules: dict[str, Any] = {}
    notes: list[tuple[str, str, str]] = []
    if props.get("min-edits", "").strip() not in ("", "0"):
        rules["min_edits"] = _int(props["min-edits"], "min-edits")
    if props.get("max-registration"):
        rules["registered_before"] = _mw_time(props["max-registration"], "max-registration")
    if props.get("not-blocked") in ("1", "true"):
        rules["not_blocked"] = {"scope": "sitewide"}
        if props.get("not-centrally-blocked") in ("1", "true"):
            rules["not_blocked"]["global_threshold"] = _int(
                props.get("central-block-threshold") or "1", "central-block-threshold"
            )
    elif props.get("not-centrally-blocked") in ("1", "true"):
        notes.append(
            (
                "property not-centrally-blocked",
                props["not-centrally-blocked"],
                "Scrutin counts blocks on other wikis only together with not-blocked",
            )
        )
    if props.get("not-bot") in ("1", "true"):
        rules["not_bot"] = True
    if props.get("need-group"):
        rules["need_groups"] = [props["need-group"]]
    if props.get("list_edits-before") in ("1", "true"):
        rules["edits_before"] = {
            "count": _int(props.get("list_edits-before-count", "0"), "list_edits-before-count"),
            "date": _mw_time(props.get("list_edits-before-date", ""), "list_edits-before-date"),
        }
    if props.get("list_edits-between") in ("1", "true"):
        rules["edits_between"] = {
            "count": _int(props.get("list_edits-between-count", "0"), "list_edits-between-count"),
            "start": _mw_time(props.get("list_edits-startdate", ""), "list_edits-startdate"),
            "end": _mw_time(props.get("list_edits-enddate", ""), "list_edits-enddate"),
        }
    return rules, notes


def _why_property(name: str) -> str:
    if name in ("need-list", "include-list", "exclude-list"):
        return (
            "SecurePoll's voter lists are not in the dump: import the list with "
            "`scrutin roll import --election ID FILE` (or --page)"
        )
    if name == "admins":
        return "assign the committee roles here by hand"
    if name.startswith(("gpg-", "openssl-", "encrypt-")):
        return "Scrutin encrypts every ballot its own way (docs/protocol.md)"
    if name.startswith("jump-"):
        return "Scrutin is not reached by a SecurePoll jump"
    return "no equivalent"


def _texts(messages: dict[str, str] | None) -> dict[str, str]:
    out = {}
    for lang, text in (messages or {}).items():
        key = lang.lower().replace("_", "-")
        if LANG.match(key) and text.strip():
            out[key] = text.strip()
    return out


def _int(value: str, what: str) -> int:
    try:
        return int(value)
    except ValueError as exc:
        raise InvalidInput("invalid_securepoll_dump", f"{what}: not a number: {value!r}") from exc


def _iso(value: str) -> str:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).isoformat()
    except ValueError as exc:
        raise InvalidInput("invalid_securepoll_dump", f"not an ISO 8601 date: {value!r}") from exc


def _mw_time(value: str, what: str) -> str:
    """MediaWiki TS_MW (``20240101000000``) or ISO 8601 → ISO 8601 UTC."""
    text = value.strip()
    if re.fullmatch(r"\d{14}", text):
        return f"{text[0:4]}-{text[4:6]}-{text[6:8]}T{text[8:10]}:{text[10:12]}:{text[12:14]}Z"
    try:
        datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise InvalidInput("invalid_securepoll_dump", f"{what}: not a date: {value!r}") from exc
    return text
