"""Validated building blocks shared by request schemas."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints

LANGUAGE_TAG = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8}){0,2}$")
HEX32 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
Username = Annotated[
    str, StringConstraints(min_length=1, max_length=255, strip_whitespace=True,
                           pattern=r"^[^#<>\[\]|{}/@:\x00-\x1f]+$"),
]


def _check_localized(value: dict[str, str]) -> dict[str, str]:
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
    return value


LocalizedText = Annotated[dict[str, str], AfterValidator(_check_localized)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")
