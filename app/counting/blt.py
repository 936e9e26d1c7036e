"""Parser for the BLT ballot format (ERS / OpenSTV / SecurePoll dumps).

    5 3                 <- number of candidates, number of seats
    -2                  <- optional: withdrawn candidates as negative numbers
    1 4 5 3 2 1 0       <- weight, preferences (1-based candidate numbers), terminating 0
    3 2=4 1 0           <- "=" joins candidates tied at one rank (a few BLT dialects)
    0                   <- end of ballots
    "Ariel314159"       <- one quoted name per candidate, in number order
    ...
    "Election title"    <- optional quoted title

A ballot line may start with a ballot id in parentheses, ``(b17) 1 2 3 0``, which is ignored.
"""

from __future__ import annotations

import shlex

from app.counting.ballots import Profile
from app.counting.errors import BallotFileError, CountingError


def parse_blt(text: str, *, path: str | None = None) -> Profile:
    lines = text.splitlines()

    def fail(message: str, lineno: int | None) -> BallotFileError:
        return BallotFileError(message, line=lineno, path=path)

    # Skip blank lines and "#" comments everywhere outside quoted names.
    numbered = [(i + 1, ln.strip()) for i, ln in enumerate(lines)]
    body = [(n, ln) for n, ln in numbered if ln and not ln.startswith("#")]
    if not body:
        raise fail("empty file", None)

    header_no, header = body[0]
    parts = header.split()
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        raise fail(f"first line must be '<candidates> <seats>', got {header!r}", header_no)
    n_cand, seats = int(parts[0]), int(parts[1])
    if n_cand < 1:
        raise fail("the number of candidates must be at least 1", header_no)
    if seats < 1:
        raise fail("the number of seats must be at least 1", header_no)
    if seats > n_cand:
        raise fail(f"{seats} seats but only {n_cand} candidates", header_no)

    pos = 1
    withdrawn: list[int] = []
    if pos < len(body) and body[pos][1].startswith("-"):
        lineno, ln = body[pos]
        for tok in ln.split():
            if not (tok.startswith("-") and tok[1:].isdigit() and 1 <= int(tok[1:]) <= n_cand):
                raise fail(f"bad withdrawn candidate {tok!r} (expected -1 .. -{n_cand})", lineno)
            withdrawn.append(int(tok[1:]) - 1)
        pos += 1

    ballots: list[tuple[int, list[list[int]]]] = []
    ended = False
    while pos < len(body):
        lineno, ln = body[pos]
        pos += 1
        if ln == "0":
            ended = True
            break
        tokens = ln.split()
        if tokens[0].startswith("("):
            tokens = tokens[1:]
        if not tokens or not tokens[0].isdigit() or int(tokens[0]) < 1:
            raise fail(f"ballot line must start with a positive whole weight, got {ln!r}", lineno)
        if tokens[-1] != "0":
            raise fail("ballot line must end with 0", lineno)
        weight = int(tokens[0])
        groups: list[list[int]] = []
        seen: set[int] = set()
        for tok in tokens[1:-1]:
            group = []
            for piece in tok.split("="):
                if not piece.isdigit() or not 1 <= int(piece) <= n_cand:
                    raise fail(f"bad candidate number {piece!r} (expected 1 .. {n_cand})", lineno)
                c = int(piece) - 1
                if c in seen:
                    raise fail(f"candidate {c + 1} is ranked twice", lineno)
                seen.add(c)
                group.append(c)
            groups.append(group)
        ballots.append((weight, groups))
    if not ended:
        raise fail("missing the '0' line that ends the ballots", body[-1][0])

    # Names and title: quoted strings, possibly several on a line.
    strings: list[tuple[int, str]] = []
    for lineno, ln in body[pos:]:
        try:
            tokens = shlex.split(ln, posix=True)
        except ValueError as exc:
            raise fail(f"cannot read quoted name: {exc}", lineno) from None
        strings.extend((lineno, t) for t in tokens)
    if len(strings) < n_cand:
        raise fail(
            f"header says {n_cand} candidates but {len(strings)} names follow the ballots",
            strings[-1][0] if strings else body[-1][0],
        )
    if len(strings) > n_cand + 1:
        raise fail(f"unexpected text after the title: {strings[n_cand + 1][1]!r}", strings[n_cand + 1][0])
    names = [s for _, s in strings[:n_cand]]
    title = strings[n_cand][1] if len(strings) > n_cand else None

    try:
        profile = Profile.build(names, ballots, seats=seats, title=title, meta={"format": "blt"})
    except CountingError as exc:
        raise fail(str(exc), None) from None
    if withdrawn:
        profile = profile.withdraw([names[c] for c in withdrawn])
    return profile
