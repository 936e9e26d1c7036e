"""UI languages: gettext catalogues (Babel), language negotiation, per-election texts.

UI language codes are the lowercase tags the election texts use (``en``, ``zh-hans``,
``zh-hant``); catalogues live in ``admin_ui/locale/<Locale>/LC_MESSAGES/messages.po`` with
Babel's locale names (``zh_Hans``, ``zh_Hant``). The ``.po`` files are compiled in memory at
start-up (no build step, nothing generated to commit); ``pybabel compile`` also works and a
``.mo`` file next to the ``.po`` is used when it is newer.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Mapping
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "messages"
DEFAULT_LANGUAGE = "en"
# UI language code -> (Babel locale directory, name shown in the language switch, HTML lang)
LANGUAGES: dict[str, tuple[str, str, str]] = {
    "en": ("en", "English", "en"),
    "zh-hans": ("zh_Hans", "中文（简体）", "zh-Hans"),
    "zh-hant": ("zh_Hant", "中文（繁體）", "zh-Hant"),
}
LANG_COOKIE = "scrutin_lang"

# Regions that write Traditional Chinese; everything else "zh" defaults to Simplified.
_HANT_REGIONS = {"tw", "hk", "mo"}


def normalize(tag: str | None) -> str | None:
    """Map any BCP 47 tag to one of our UI languages (or None)."""
    if not tag:
        return None
    parts = tag.strip().lower().replace("_", "-").split("-")
    if not parts or not parts[0]:
        return None
    if parts[0] == "en":
        return "en"
    if parts[0] == "zh":
        rest = parts[1:]
        if "hant" in rest or any(r in _HANT_REGIONS for r in rest):
            return "zh-hant"
        return "zh-hans"
    return None


def negotiate(accept_language: str | None) -> str:
    """The best UI language for an Accept-Language header (q-values honoured)."""
    if not accept_language:
        return DEFAULT_LANGUAGE
    ranked: list[tuple[float, int, str]] = []
    for position, item in enumerate(accept_language.split(",")[:30]):
        tag, _, params = item.strip().partition(";")
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        ranked.append((-q, position, tag))
    for neg_q, _, tag in sorted(ranked):
        if neg_q >= 0:  # q=0 means "not acceptable"
            continue
        lang = normalize(tag)
        if lang:
            return lang
    return DEFAULT_LANGUAGE


def choose_language(query: str | None, cookie: str | None, accept_language: str | None) -> str:
    """``?lang=`` beats the cookie, which beats the browser's Accept-Language."""
    for candidate in (query, cookie):
        lang = normalize(candidate)
        if lang:
            return lang
    return negotiate(accept_language)


@functools.cache
def translations(lang: str) -> NullTranslations:
    locale = LANGUAGES.get(lang, LANGUAGES[DEFAULT_LANGUAGE])[0]
    messages = LOCALE_DIR / locale / "LC_MESSAGES"
    po, mo = messages / f"{DOMAIN}.po", messages / f"{DOMAIN}.mo"
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as handle:
            return Translations(handle, domain=DOMAIN)
    if not po.exists():
        return NullTranslations()
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=locale, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


def localized(texts: Mapping[str, str] | None, lang: str, default_language: str = "en") -> str:
    """A per-election text in ``lang``, else the election's default language, else any."""
    if not texts:
        return ""
    for tag in (lang, default_language):
        if texts.get(tag):
            return texts[tag]
    return next(iter(texts.values()))
