"""Validated building blocks shared by request schemas."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator

# Text inputs: no C0/C1 control characters and no lone UTF-16 surrogates (JSON allows "\ud800";
# no encoder can store it). Multi-line texts (descriptions, reasons) keep newline and tab.
_FORBIDDEN_IN_TEXT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_FORBIDDEN_IN_LINE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
# The largest integer a PostgreSQL ``integer`` column (sequence numbers, versions) holds.
DB_INT_MAX = 2**31 - 1
# Times outside these years are refused: converting them between zones would leave the
# range Python and the databases can represent (year 1 at UTC+14, year 9999 at UTC−12).
MIN_YEAR, MAX_YEAR = 1970, 9998


def _describe(char: str) -> str:
    code = ord(char)
    if 0xD800 <= code <= 0xDFFF:
        return f"a lone UTF-16 surrogate (U+{code:04X})"
    return f"the control character U+{code:04X}"


def check_text(value: str, *, single_line: bool = False) -> str:
    """Refuse control characters (tab and newline allowed unless ``single_line``) and lone
    surrogates. Raises ``ValueError`` (a 422 through the request validation handler)."""
    found = (_FORBIDDEN_IN_LINE if single_line else _FORBIDDEN_IN_TEXT).search(value)
    if found:
        raise ValueError(f"text contains {_describe(found.group())}, which is not allowed")
    return value


def _check_line(value: str) -> str:
    return check_text(value, single_line=True)


def check_strings(value: Any, where: str = "body") -> None:
    """Every string anywhere in a JSON value (keys too) passes ``check_text``: the schemas'
    free-form parts (ballots, rules, policies) cannot carry what no text field may."""
    if isinstance(value, str):
        try:
            check_text(value)
        except ValueError as exc:
            raise ValueError(f"{where}: {exc}") from None
    elif isinstance(value, dict):
        for key, item in value.items():
            check_strings(key, where)
            check_strings(
                item,
                f"{where}.{key}" if isinstance(key, str) and not _FORBIDDEN_IN_TEXT.search(key) else where,
            )
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            check_strings(item, f"{where}.{i}")


def check_moment(value: datetime) -> datetime:
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValueError(f"the year must be between {MIN_YEAR} and {MAX_YEAR}")
    return value


Line = Annotated[str, AfterValidator(_check_line)]
"""A single-line text: no control characters at all."""
Text = Annotated[str, AfterValidator(check_text)]
"""A multi-line text (text areas): newline and tab allowed, no other control character."""
Moment = Annotated[datetime, AfterValidator(check_moment)]
DbInt = Annotated[int, Field(le=DB_INT_MAX)]

LANGUAGE_TAG = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8}){0,2}$")
HEX32 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
Username = Annotated[
    str,
    StringConstraints(
        min_length=1, max_length=255, strip_whitespace=True, pattern=r"^[^#<>\[\]|{}/@:\x00-\x1f]+$"
    ),
]


def _check_localized(value: dict[str, str], single_line: bool = False) -> dict[str, str]:
    if not value:
        raise ValueError("at least one language is required")
    if len(value) > 30:
        raise ValueError("at most 30 languages")
    for tag, text in value.items():
        if not LANGUAGE_TAG.match(tag):
            raise ValueError(f"invalid language tag {tag!r} (use lowercase BCP 47, e.g. 'zh-hans')")
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"text for {tag!r} is empty")
        if len(text) > 5000:
            raise ValueError(f"text for {tag!r} is longer than 5000 characters")
        try:
            check_text(text, single_line=single_line)
        except ValueError as exc:
            raise ValueError(f"text for {tag!r}: {exc}") from None
    return value


def _check_localized_line(value: dict[str, str]) -> dict[str, str]:
    return _check_localized(value, single_line=True)


LocalizedText = Annotated[dict[str, str], AfterValidator(_check_localized)]
"""Translations of a multi-line text (a description)."""
LocalizedLine = Annotated[dict[str, str], AfterValidator(_check_localized_line)]
"""Translations of a single-line text (a title, a candidate's name)."""


class Strict(BaseModel):
    """Every request body: unknown fields refused, and no string anywhere in it (free-form
    parts included) may hold a lone surrogate or a control character other than tab/newline."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _no_forbidden_characters(cls, data: Any) -> Any:
        check_strings(data)
        return data
