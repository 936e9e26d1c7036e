"""Wiki user names as MediaWiki spells them, and ``User@wiki`` roll lists (a file or a page).

MediaWiki's canonical user name: Unicode NFC (the wiki normalises all input), underscores are
spaces, runs of white space collapse, and the first letter is upper case — unless upper-casing
it would give several letters (``ß``), which MediaWiki leaves alone. Names containing
``# < > [ ] | { } /`` or ``:`` are not valid user names.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

WIKI_ID = re.compile(r"^[a-z][a-z0-9_]{1,63}$")
INVALID = set("#<>[]|{}/:")
MAX_NAME = 255
_LINK = re.compile(
    r"^\[\[\s*(?:user|benutzer|utilisateur|utente|用户|用戶)\s*:\s*([^|\]]+)"
    r"(?:\|[^\]]*)?\]\]",
    re.IGNORECASE,
)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


def canonical_username(name: str) -> str:
    text = " ".join(unicodedata.normalize("NFC", name).replace("_", " ").split())
    if not text:
        return ""
    first = text[0].upper()
    return (first if len(first) == 1 else text[0]) + text[1:]


@dataclass(frozen=True)
class RollLine:
    """One roll entry as written (``raw``), parsed: ``user`` canonical, ``wiki`` or None; or
    ``problem`` saying why it cannot be read."""

    raw: str
    user: str = ""
    wiki: str | None = None
    problem: str | None = None


def parse_entry(raw: str, *, canonical_plain: bool = True) -> RollLine:
    """``Name@wiki`` (the name put in the wiki's canonical form) or ``Name``: canonical too
    unless ``canonical_plain`` is False (then kept as written: the name voters log in with)."""
    text = raw.strip()
    user, wiki = text, None
    if "@" in text:
        user, wiki = (p.strip() for p in text.rsplit("@", 1))
        if not WIKI_ID.match(wiki) or wiki in ("home", "any"):
            return RollLine(raw, problem=f"{wiki!r} is not a wiki id (e.g. enwiki)")
    name = canonical_username(user) if wiki or canonical_plain else " ".join(user.split())
    if not name:
        return RollLine(raw, problem="no user name")
    if len(name) > MAX_NAME or any(c in INVALID or ord(c) < 32 for c in name):
        return RollLine(raw, problem="not a valid wiki user name")
    return RollLine(raw, user=name, wiki=wiki)


def page_lines(wikitext: str) -> list[str]:
    """The entries of a roll page: one per line, list markers (``*``, ``#``, ``:``) and
    ``<!-- comments -->`` dropped, ``[[User:Name|…]]`` links read as ``Name``; headings,
    templates and blank lines ignored."""
    out = []
    for line in _COMMENT.sub("", wikitext).splitlines():
        text = line.strip().lstrip("*#:;").strip()
        if not text or text.startswith(("=", "{{", "}}", "{|", "|", "__")):
            continue
        link = _LINK.match(text)
        if link:
            rest = text[link.end() :].strip()
            text = link.group(1).strip() + (rest if rest.startswith("@") else "")
        out.append(text)
    return out


def file_lines(text: str) -> list[str]:
    """A roll file: one ``User`` or ``User@wiki`` per line; ``#`` comments and blank lines
    ignored."""
    return [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]
