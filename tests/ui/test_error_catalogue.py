"""The API's error catalogue (app/errors.py MESSAGES) is complete: every error code the server
can raise has a message, and every catalogued string — error messages, re-vote notices — has a
Simplified and a Traditional Chinese translation. A missing translation fails here (and in
test_i18n's catalogue check), in CI."""

from __future__ import annotations

import ast
import re
import shutil
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po

from admin_ui import i18n
from app import errors
from app.api.errors import DETAIL_FORMAT
from app.services import notify

ROOT = Path(__file__).resolve().parents[2]
# Codes the API layer answers without a DomainError (app/api/errors.py, app/api/limits.py).
HTTP_CODES = {"invalid_request", "not_found", "method_not_allowed", "payload_too_large", "http_error"}


def raised_codes() -> dict[str, str]:
    """code → file, for every ``SomeError("code", …)`` where SomeError is DomainError or a
    subclass of it (found in app/ and crypto/ by class definition, transitively)."""
    trees = {
        path: ast.parse(path.read_text())
        for root in ("app", "crypto")
        for path in (ROOT / root).rglob("*.py")
    }
    classes = {"DomainError"}
    grew = True
    while grew:
        grew = False
        for tree in trees.values():
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.ClassDef)
                    and node.name not in classes
                    and any(getattr(b, "id", getattr(b, "attr", None)) in classes for b in node.bases)
                ):
                    classes.add(node.name)
                    grew = True
    codes: dict[str, str] = {}
    fixed = set()  # classes whose __init__ passes a code of their own (RulesError: invalid_rules)
    for path, tree in trees.items():
        where = str(path.relative_to(ROOT))
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                for item in node.body:
                    # ``code = "…"`` on a class: the code its errors carry (EligibilityUnavailable
                    # and its kinds reach the API as Unavailable(exc.code, …))
                    if (
                        isinstance(item, ast.Assign)
                        and any(getattr(t, "id", None) == "code" for t in item.targets)
                        and isinstance(item.value, ast.Constant)
                        and isinstance(item.value.value, str)
                    ):
                        codes.setdefault(item.value.value, where)
                    if isinstance(item, ast.FunctionDef) and item.name == "__init__":
                        for call in ast.walk(item):
                            if (
                                isinstance(call, ast.Call)
                                and getattr(call.func, "attr", "") == "__init__"
                                and call.args
                                and isinstance(call.args[0], ast.Constant)
                            ):
                                codes.setdefault(call.args[0].value, where)
                                fixed.add(node.name)
    for path, tree in trees.items():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", None))
            if name == "RateLimited":
                codes["rate_limited"] = str(path.relative_to(ROOT))
            elif (
                name in classes
                and name not in fixed
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                codes.setdefault(node.args[0].value, str(path.relative_to(ROOT)))
    return codes


def test_every_error_code_has_a_message() -> None:
    codes = raised_codes()
    assert len(codes) > 100 and "election_not_found" in codes and "wiki_login_denied" in codes
    missing = {code: where for code, where in codes.items() if code not in errors.MESSAGES}
    missing.update({code: "app/api" for code in HTTP_CODES if code not in errors.MESSAGES})
    assert not missing, f"add these codes to app/errors.py MESSAGES (and translate): {missing}"


def catalogued() -> list[str]:
    """Every server-side string the API and the notices translate."""
    return [
        *errors.MESSAGES.values(),
        DETAIL_FORMAT,
        *notify.REVOTE_REASONS.values(),
        notify.NOTICE_SUBJECT,
        notify.NOTICE_STRUCK,
        notify.NOTICE_INVITED,
        notify.NOTICE_DEADLINE,
        notify.NOTICE_SECRET,
    ]


def untranslated(po_file: Path, messages: list[str]) -> list[str]:
    """The messages without a (non-empty, non-fuzzy, Chinese) translation in ``po_file``."""
    with po_file.open("rb") as handle:
        catalog = read_po(handle)
    out = []
    for message in messages:
        entry = catalog.get(message)
        if (
            entry is None
            or not entry.string
            or entry.fuzzy
            or not re.search(r"[\u4e00-\u9fff（]", entry.string)
        ):
            out.append(message)
    return out


@pytest.mark.parametrize("locale", ["zh_Hans", "zh_Hant"])
def test_every_catalogued_string_is_translated(locale) -> None:
    po_file = i18n.LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    assert untranslated(po_file, catalogued()) == []


def test_a_missing_translation_fails(tmp_path) -> None:
    """The check really fails: blank one translation in a copy of the catalogue."""
    source = i18n.LOCALE_DIR / "zh_Hans" / "LC_MESSAGES" / "messages.po"
    copy = tmp_path / "messages.po"
    shutil.copy(source, copy)
    with copy.open("rb") as handle:
        catalog = read_po(handle)
    catalog[errors.MESSAGES["tracker_not_found"]].string = ""
    with copy.open("wb") as handle:
        write_po(handle, catalog)
    assert untranslated(copy, catalogued()) == [errors.MESSAGES["tracker_not_found"]]


@pytest.mark.parametrize("lang", ["zh-hans", "zh-hant"])
def test_the_running_server_translates_every_message(lang) -> None:
    gettext = i18n.translations(lang).gettext
    for message in catalogued():
        assert gettext(message) != message, message
    assert gettext(errors.MESSAGES["login_required"]) != i18n.translations(
        "zh-hant" if lang == "zh-hans" else "zh-hans"
    ).gettext(errors.MESSAGES["login_required"])
