"""Languages: negotiation, complete catalogues, per-election texts with fallback."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from admin_ui import i18n
from admin_ui.js_messages import MESSAGES, catalogue

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"%\((\w+)\)s|%%")


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, "en"),
        ("", "en"),
        ("fr-FR,fr;q=0.9", "en"),
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh-hans"),
        ("zh-TW,zh;q=0.9", "zh-hant"),
        ("zh-HK", "zh-hant"),
        ("zh-Hant-TW", "zh-hant"),
        ("zh-Hans-SG", "zh-hans"),
        ("zh", "zh-hans"),
        ("fr;q=1, zh-tw;q=0.5, en;q=0.7", "en"),
        ("en;q=0, zh-mo;q=0.2", "zh-hant"),
        ("de, *;q=0.1", "en"),
        ("zh_TW", "zh-hant"),
        ("en-GB", "en"),
        ("zh;q=bogus, en", "en"),
    ],
)
def test_accept_language_negotiation(header, expected):
    assert i18n.negotiate(header) == expected


def test_query_beats_cookie_beats_header():
    assert i18n.choose_language("zh-hant", "en", "zh-CN") == "zh-hant"
    assert i18n.choose_language(None, "zh-hans", "en") == "zh-hans"
    assert i18n.choose_language("xx", None, "zh-TW") == "zh-hant"


def test_per_election_texts_fall_back_to_the_default_language():
    texts = {"en": "Board election", "zh-hans": "理事会选举"}
    assert i18n.localized(texts, "zh-hans", "en") == "理事会选举"
    assert i18n.localized(texts, "zh-hant", "zh-hans") == "理事会选举"
    assert i18n.localized(texts, "zh-hant", "en") == "Board election"
    assert i18n.localized({"de": "Wahl"}, "en", "en") == "Wahl"
    assert i18n.localized({}, "en") == ""


def _catalog(locale: str):
    with (i18n.LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=locale)


def test_messages_pot_is_up_to_date(tmp_path):
    """Every string in the code is in messages.pot (run the extraction in docs/ui.md if not)."""
    out = tmp_path / "fresh.pot"
    subprocess.run(
        [
            str(Path(sys.executable).with_name("pybabel")),
            "-q",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "N_",
            "-o",
            str(out),
            "--no-location",
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with out.open("rb") as fresh, (i18n.LOCALE_DIR / "messages.pot").open("rb") as committed:
        fresh_ids = {m.id for m in read_po(fresh) if m.id}
        committed_ids = {m.id for m in read_po(committed) if m.id}
    assert fresh_ids - committed_ids == set(), "new strings: re-run pybabel extract and update"
    assert committed_ids - fresh_ids == set(), "stale strings: re-run pybabel extract and update"


@pytest.mark.parametrize("locale", ["zh_Hans", "zh_Hant"])
def test_chinese_catalogues_are_complete(locale):
    with (i18n.LOCALE_DIR / "messages.pot").open("rb") as handle:
        wanted = {m.id for m in read_po(handle) if m.id}
    catalog = _catalog(locale)
    have = {m.id: m for m in catalog if m.id}
    assert wanted <= set(have), f"untranslated in {locale}: {sorted(wanted - set(have))[:5]}"
    for msgid in wanted:
        message = have[msgid]
        assert message.string, f"{locale}: empty translation of {msgid!r}"
        assert "fuzzy" not in message.flags, f"{locale}: fuzzy translation of {msgid!r}"
        assert sorted(PLACEHOLDER.findall(message.string)) == sorted(PLACEHOLDER.findall(msgid)), (
            f"{locale}: placeholders differ in {msgid!r}"
        )
        assert re.search(r"[\u4e00-\u9fff（]", message.string), msgid


def test_traditional_and_simplified_catalogues_differ():
    hans = {m.id: m.string for m in _catalog("zh_Hans") if m.id}
    hant = {m.id: m.string for m in _catalog("zh_Hant") if m.id}
    assert hans["Support"] == "支持" and hant["Support"] == "支持"
    assert hans["Log in"] == "登录" and hant["Log in"] == "登入"
    assert sum(hans[k] != hant[k] for k in hans) > len(hans) // 2


@pytest.mark.parametrize("lang", ["en", "zh-hans", "zh-hant"])
def test_javascript_catalogue_is_complete(lang):
    texts = catalogue(lang)
    assert set(texts) == set(MESSAGES)
    if lang != "en":
        untranslated = [k for k, v in texts.items() if v == MESSAGES[k]]
        assert untranslated == [], untranslated


def test_every_js_string_used_by_the_pages_is_in_the_catalogue():
    used = set()
    for script in (ROOT / "admin_ui" / "static" / "js").glob("*.js"):
        used |= set(re.findall(r"\bt\('([a-z_.]+)'", script.read_text()))
    assert used - set(MESSAGES) == set()


def test_strike_reason_codes_match_the_service():
    from admin_ui.js_messages import REASON_CODES
    from app.models.scrutiny import REASON_CODES as SERVICE_CODES

    assert tuple(REASON_CODES) == SERVICE_CODES
    script = (ROOT / "admin_ui" / "static" / "js" / "scrutiny.js").read_text()
    listed = re.search(r"const REASON_CODES = \[([^\]]*)\]", script).group(1)
    assert tuple(re.findall(r"'([a-z_]+)'", listed)) == SERVICE_CODES
