"""Wiki requests: publish results on a page, announce to the roll, import a SecurePoll dump."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from app.schemas.common import Line, LocalizedLine, LocalizedText, Strict


class PublishResultsIn(Strict):
    page: Line = Field(max_length=255)
    dry_run: bool = False
    force: bool = False


class AnnounceIn(Strict):
    subject: LocalizedLine
    body: LocalizedText
    dry_run: bool = False
    limit: int = Field(default=50, ge=1, le=500)
    # The run's start, as the first answer gave it: failures tried before it are tried again.
    since: datetime | None = None


class SecurePollIn(Strict):
    xml: str = Field(min_length=1, max_length=900_000)
