"""Election schedules: wall-clock times in an IANA zone or "AoE", stored in UTC.

"AoE" (Anywhere on Earth) is UTC−12: a deadline "31 May AoE" has passed only once it has passed
everywhere on Earth. The end of voting is exclusive: a ballot at exactly ``ends_at`` is refused.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from app.errors import InvalidInput

AOE = "AoE"
AOE_ZONE = timezone(timedelta(hours=-12), "AoE")


def zone(name: str) -> tzinfo:
    if name == AOE:
        return AOE_ZONE
    if not name or name.startswith(("/", ".")) or ".." in name:
        raise InvalidInput("invalid_timezone", f"unknown time zone {name!r}")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidInput("invalid_timezone", f"unknown time zone {name!r}") from exc


def _wall(value: datetime) -> datetime:
    return value.replace(tzinfo=None)


def to_utc(value: datetime, zone_name: str, field: str = "time", *, path: str | None = None) -> datetime:
    """A naive value is a wall-clock time in ``zone_name``; an aware one is converted as is.
    A wall-clock time that the zone skips (the clocks jump forward over it) or passes twice (the
    clocks go back) is refused: the committee says which instant it means with an offset."""
    if value.tzinfo is None:
        tz = zone(zone_name)
        candidates = []
        for fold in (0, 1):
            try:
                aware = value.replace(tzinfo=tz, fold=fold)
                if _wall(aware.astimezone(UTC).astimezone(tz)) == value:
                    candidates.append(aware)
            except (OverflowError, ValueError):
                continue
        offsets = sorted({o for o in (c.utcoffset() for c in candidates) if o is not None}, reverse=True)
        local = value.isoformat(timespec="minutes")
        if not candidates:
            raise InvalidInput(
                "nonexistent_time",
                f"{field}: {local} does not exist in "
                f"{zone_name} (the clocks jump forward over it); choose another "
                "time",
                field=path or field,
            )
        if len(offsets) > 1:
            shown = " or ".join(
                value.replace(tzinfo=timezone(o)).isoformat(timespec="minutes") for o in offsets
            )
            raise InvalidInput(
                "ambiguous_time",
                f"{field}: {local} happens twice in "
                f"{zone_name} (the clocks go back); give the offset: {shown}",
                field=path or field,
            )
        value = candidates[0]
    try:
        return value.astimezone(UTC)
    except (OverflowError, ValueError) as exc:
        raise InvalidInput(
            "invalid_time", f"{value.isoformat()} is out of range", field=path or field
        ) from exc


def describe(starts_at: datetime | None, ends_at: datetime | None, zone_name: str) -> dict:
    tz = zone(zone_name)
    return {
        "timezone": zone_name,
        "start_utc": starts_at.isoformat() if starts_at else None,
        "end_utc": ends_at.isoformat() if ends_at else None,
        "start_local": starts_at.astimezone(tz).isoformat() if starts_at else None,
        "end_local": ends_at.astimezone(tz).isoformat() if ends_at else None,
        "end_exclusive": True,
        "aoe": zone_name == AOE,
    }


def known_zones() -> list[str]:
    return [AOE, "UTC", *sorted(z for z in available_timezones() if "/" in z)]
