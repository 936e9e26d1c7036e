"""Parser for PrefLib ``.soi`` / ``.toi`` files (https://preflib.org/format, 2022 layout).

    # ALTERNATIVE NAME 1: Bob Kiss      <- metadata lines start with "#"
    # NUMBER VOTERS: 8980
    840: 5                              <- count: ranking, most preferred first
    1: {5,6},4,2                        <- braces: candidates tied at one rank (here an overvote)

``.soi`` holds strict incomplete orders and ``.toi`` orders with ties; both are read the same way.
The file has no number of seats: the caller gives it.
"""

from __future__ import annotations

import re

from app.counting.ballots import Profile
from app.counting.errors import BallotFileError, CountingError

_META = re.compile(r"#\s*([A-Z][A-Z ]*?)\s*(\d+)?\s*:\s*(.*)$")
_TOKEN = re.compile(r"\{[^{}]*\}|[^,{}]+")


def parse_preflib(text: str, *, path: str | None = None) -> Profile:
    names: dict[int, str] = {}
    declared_alts: tuple[int, int] | None = None
    declared_voters: tuple[int, int] | None = None
    title = None
    raw: list[tuple[int, int, str]] = []  # (line, count, ranking text)

    def fail(message: str, lineno: int | None) -> BallotFileError:
        return BallotFileError(message, line=lineno, path=path)

    for lineno, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        if line.startswith("#"):
            m = _META.match(line)
            if not m:
                continue
            key, num, value = m.group(1).strip(), m.group(2), m.group(3).strip()
            if key == "ALTERNATIVE NAME" and num:
                names[int(num)] = value
            elif key == "NUMBER ALTERNATIVES" and value.isdigit():
                declared_alts = (lineno, int(value))
            elif key == "NUMBER VOTERS" and value.isdigit():
                declared_voters = (lineno, int(value))
            elif key == "TITLE":
                title = value
            continue
        count_text, sep, ranking = line.partition(":")
        if not sep or not count_text.strip().isdigit():
            raise fail(f"expected '<count>: <ranking>', got {line!r}", lineno)
        raw.append((lineno, int(count_text.strip()), ranking.strip()))

    if declared_alts is None and not names:
        raise fail("no '# ALTERNATIVE NAME' header lines: not a PrefLib file?", None)
    n = declared_alts[1] if declared_alts else max(names)
    missing = [i for i in range(1, n + 1) if i not in names]
    if missing:
        raise fail(
            f"no '# ALTERNATIVE NAME {missing[0]}' line for alternative {missing[0]}",
            declared_alts[0] if declared_alts else None,
        )
    extra = [i for i in names if not 1 <= i <= n]
    if extra:
        raise fail(
            f"alternative {extra[0]} is beyond NUMBER ALTERNATIVES {n}",
            declared_alts[0] if declared_alts else None,
        )

    ballots = []
    for lineno, count, ranking in raw:
        if count < 1:
            raise fail("count must be positive", lineno)
        groups: list[list[int]] = []
        seen: set[int] = set()
        stripped = ranking.replace(" ", "")
        tokens = _TOKEN.findall(stripped)
        if ",".join(tokens) != stripped:
            raise fail(f"malformed ranking {ranking!r}", lineno)
        for tok in tokens:
            members = tok[1:-1].split(",") if tok.startswith("{") else [tok]
            group = []
            for m in members:
                if not m.isdigit() or not 1 <= int(m) <= n:
                    raise fail(f"bad alternative {m!r} (expected 1 .. {n})", lineno)
                c = int(m) - 1
                if c in seen:
                    raise fail(f"alternative {c + 1} appears twice", lineno)
                seen.add(c)
                group.append(c)
            groups.append(group)
        ballots.append((count, groups))

    total = sum(c for _, c, _ in raw)
    if declared_voters and declared_voters[1] != total:
        raise fail(
            f"NUMBER VOTERS says {declared_voters[1]} but the counts add up to {total}", declared_voters[0]
        )
    try:
        return Profile.build(
            [names[i] for i in range(1, n + 1)], ballots, title=title, meta={"format": "preflib"}
        )
    except CountingError as exc:
        raise fail(str(exc), None) from None
