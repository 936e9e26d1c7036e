"""Reading a SecurePoll election dump (``extensions/SecurePoll/cli/dumpElection.php``).

The dump is ``<SecurePoll><election><configuration>…</configuration><vote>…</vote>…
</election></SecurePoll>``. A configuration holds ``title``, ``ballot`` (``approval``,
``choose``, ``preferential``, ``radio-range``, ``stv``), ``tally``, ``primaryLang``,
``startDate``/``endDate`` (ISO 8601), ``id``, ``auth``, ``<property name=…>`` and
``<message name=… lang=…>`` elements and ``<question>`` elements; a question has the same
``property``/``message`` elements (``text`` its wording; ``min-score``/``max-score`` for
radio-range, ``min-seats`` for STV) and ``<option>`` elements (``message name="text"``).

:func:`parse_dump` returns a :class:`Dump` (plain data); the mapping to a Scrutin election is
in ``app.services.securepoll``. Documents with a DTD or entities are refused.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET  # noqa: S405 - DTDs and entities are refused before parsing
from dataclasses import dataclass, field


class DumpError(ValueError):
    """Not a SecurePoll dump we can read; the message says why."""


@dataclass
class Entity:
    id: str | None = None
    properties: dict[str, str] = field(default_factory=dict)
    messages: dict[str, dict[str, str]] = field(default_factory=dict)  # name → lang → text


@dataclass
class DumpOption(Entity):
    pass


@dataclass
class DumpQuestion(Entity):
    options: list[DumpOption] = field(default_factory=list)


@dataclass
class Dump(Entity):
    title: str = ""
    ballot: str = ""
    tally: str = ""
    primary_lang: str = "en"
    start: str | None = None
    end: str | None = None
    auth: str | None = None
    questions: list[DumpQuestion] = field(default_factory=list)
    votes: int = 0
    other_elements: list[str] = field(default_factory=list)
    elections: int = 1


def parse_dump(text: str) -> Dump:
    head = text[:4096].upper()
    if "<!DOCTYPE" in head or "<!ENTITY" in text.upper():
        raise DumpError("the dump has a DTD or entities; SecurePoll dumps have neither")
    try:
        root = ET.fromstring(text)  # noqa: S314 - see above
    except ET.ParseError as exc:
        raise DumpError(f"not well-formed XML: {exc}") from exc
    if root.tag != "SecurePoll":
        raise DumpError(f"the root element is <{root.tag}>, not <SecurePoll>")
    elections = root.findall("election")
    if not elections:
        raise DumpError("no <election> in the dump")
    election = elections[0]
    conf = election.find("configuration")
    if conf is None:
        raise DumpError("the election has no <configuration>")
    dump = Dump(elections=len(elections))
    _entity(conf, dump)
    for child in conf:
        tag, value = child.tag, (child.text or "").strip()
        if tag == "title":
            dump.title = value
        elif tag == "ballot":
            dump.ballot = value
        elif tag == "tally":
            dump.tally = value
        elif tag == "primaryLang":
            dump.primary_lang = value or "en"
        elif tag == "startDate":
            dump.start = value
        elif tag == "endDate":
            dump.end = value
        elif tag == "auth":
            dump.auth = value
        elif tag == "question":
            question = DumpQuestion()
            _entity(child, question)
            for opt in child.findall("option"):
                option = DumpOption()
                _entity(opt, option)
                question.options.append(option)
            dump.questions.append(question)
        elif tag not in ("id", "property", "message"):
            dump.other_elements.append(tag)
    dump.votes = len(election.findall("vote"))
    return dump


def _entity(element: ET.Element, entity: Entity) -> None:
    for child in element:
        if child.tag == "id":
            entity.id = (child.text or "").strip()
        elif child.tag == "property":
            name = child.get("name")
            if name:
                entity.properties[name] = (child.text or "").strip()
        elif child.tag == "message":
            name, lang = child.get("name"), child.get("lang")
            if name and lang:
                entity.messages.setdefault(name, {})[lang] = (child.text or "").strip()
