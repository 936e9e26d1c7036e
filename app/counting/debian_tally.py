"""Parser for Debian tally sheets as published by devotee (https://www.debian.org/vote/).

    Option 1--->: Choice 1: Change the Social Contract [3:1 majority needed]
  /  Option 2-->: Choice 2: Further Discussion
V: 21           <login or hash>   <name>

Character *i* of the vote string is the rank the voter gave option *i* (1 = best); ``-`` means
unranked, i.e. below every ranked option and tied with the other unranked ones. Ranks above 9 are
written with letters (A = 10, ...). The voter columns are ignored.

From the option names the parser also reads two things the Debian rule needs (stored in
``profile.meta``): the default option (the one called "Further Discussion" or "None of the
Above"; the last option if none is) and each option's majority requirement when the name
states it (``[3:1]``, ``[needs 3:1]``, ``[3:1 majority needed]``). Requirements that the sheet
does not state must be given to the counter (``--majority``).
"""

from __future__ import annotations

import re
from fractions import Fraction

from app.counting.ballots import Profile
from app.counting.errors import BallotFileError, CountingError

_OPTION = re.compile(r"Option\s+(\d+)-*>:\s*(.*?)\s*(?:\|*/)?\s*$")
_MAJORITY = re.compile(
    r"\[\s*(?:needs\s+)?(\d+)\s*:\s*(\d+)(?:\s+majority(?:\s+needed)?)?\s*\]", re.IGNORECASE
)
_DEFAULT = re.compile(r"further\s+discussion|none\s+of\s+the\s+above", re.IGNORECASE)


def _rank(ch: str) -> int | None:
    if ch == "-":
        return None
    if ch.isdigit() and ch != "0":
        return int(ch)
    if ch.isalpha() and ch.isascii():
        return 10 + ord(ch.upper()) - ord("A")
    raise ValueError(ch)


def parse_debian_tally(text: str, *, path: str | None = None) -> Profile:
    options: dict[int, str] = {}
    votes: list[tuple[int, str]] = []

    def fail(message: str, lineno: int | None) -> BallotFileError:
        return BallotFileError(message, line=lineno, path=path)

    for lineno, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("V:"):
            fields = stripped[2:].split()
            if not fields:
                raise fail("empty vote line", lineno)
            votes.append((lineno, fields[0]))
            continue
        m = _OPTION.search(line)
        if m and "-->" in line:
            number = int(m.group(1))
            name = re.sub(r"\s*\|+/?\s*$", "", m.group(2)).strip()
            if number in options:
                raise fail(f"option {number} is declared twice", lineno)
            options[number] = name

    if not options:
        raise fail("no 'Option N--->: name' lines: not a Debian tally sheet?", None)
    n = len(options)
    if sorted(options) != list(range(1, n + 1)):
        raise fail(f"options must be numbered 1 .. {n}", None)
    if not votes:
        raise fail("no 'V:' vote lines", None)

    ballots = []
    for lineno, vote in votes:
        if len(vote) != n:
            raise fail(f"vote {vote!r} has {len(vote)} ranks but there are {n} options", lineno)
        try:
            ranks = [_rank(ch) for ch in vote]
        except ValueError as exc:
            raise fail(f"bad rank character {exc.args[0]!r} in vote {vote!r}", lineno) from None
        by_rank: dict[int, list[int]] = {}
        for option, r in enumerate(ranks):
            if r is not None:
                by_rank.setdefault(r, []).append(option)
        ballots.append((1, [by_rank[r] for r in sorted(by_rank)]))

    names = [options[i] for i in range(1, n + 1)]
    defaults = [i for i, name in enumerate(names) if _DEFAULT.search(name)]
    default = defaults[-1] if defaults else n - 1
    majorities = []
    for name in names:
        m = _MAJORITY.search(name)
        majorities.append(str(Fraction(int(m.group(1)), int(m.group(2)))) if m else "1")
    try:
        return Profile.build(
            names,
            ballots,
            meta={
                "format": "debian",
                "default_option": names[default],
                "per_candidate_majority": majorities,
                "ballot_count": len(votes),
            },
        )
    except CountingError as exc:
        raise fail(str(exc), None) from None
