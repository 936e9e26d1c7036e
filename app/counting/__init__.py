"""Plaintext counting engines: Meek STV (SecurePoll and OpenSTV 1.7 flavours), Scottish STV,
IRV, Schulze and the Debian constitution's A.6 procedure.

Pure Python and independent of the database: the service (and ``scrutin count``) hands in a
:class:`~app.counting.ballots.Profile` and gets back a JSON-ready dict. See docs/counting.md.

    from app.counting import count, load_file
    result = count("meek", load_file("ballots.blt"), seats=3, withdraw=["Spud"])
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from app.counting.ballots import Profile, resolve_seats
from app.counting.debian import count_debian
from app.counting.errors import BallotFileError, CountingError
from app.counting.irv import count_irv
from app.counting.loader import load_file, parse_text
from app.counting.meek import count_meek
from app.counting.schulze import count_schulze
from app.counting.scottish_stv import count_scottish_stv

METHODS = ("meek", "meek-openstv", "scottish-stv", "irv", "schulze", "debian")

__all__ = [
    "METHODS",
    "count_rankings",
    "BallotFileError",
    "CountingError",
    "Profile",
    "count",
    "load_file",
    "parse_text",
]


def count(
    method: str,
    profile: Profile,
    seats: int | None = None,
    *,
    withdraw: Iterable[str] = (),
    quorum: str | float | None = None,
    majorities: Mapping[str, str] | None = None,
    majority_rule: str = "at-least",
    precision: int | None = None,
    seed: int = 0,
) -> dict:
    """Count ``profile`` with ``method`` (one of :data:`METHODS`) and return the result dict.

    ``withdraw`` removes candidates before counting (their preferences are skipped). ``quorum``,
    ``majorities`` and ``majority_rule`` are for ``debian``; ``precision`` (decimals) for the Meek
    flavours; ``seed`` seeds the lot that breaks ties the rules leave to chance.
    Raises :class:`CountingError` for settings that make no sense for these ballots.
    """
    withdrawn = list(withdraw)
    if withdrawn:
        profile = profile.withdraw(withdrawn)
    if method not in ("debian",) and (quorum is not None or majorities):
        raise CountingError("--quorum and --majority apply to the debian method only")
    if method == "meek":
        result = count_meek(profile, seats, flavour="securepoll", precision=precision)
    elif method == "meek-openstv":
        result = count_meek(profile, seats, flavour="openstv", precision=precision, seed=seed)
    elif method == "scottish-stv":
        result = count_scottish_stv(profile, seats, seed=seed)
    elif method == "irv":
        result = count_irv(profile, seats, seed=seed)
    elif method == "schulze":
        if seats is not None:
            resolve_seats(profile, seats)
        result = count_schulze(profile)
    elif method == "debian":
        result = count_debian(profile, quorum=quorum, majorities=majorities, majority_rule=majority_rule)
    else:
        raise CountingError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    result["method"] = method
    if profile.title:
        result["title"] = profile.title
    result["withdrawn"] = list(profile.meta.get("withdrawn", []))
    return result


def count_rankings(
    candidates: Sequence[str],
    rankings: Sequence[Sequence[int]],
    method: str,
    seats: int | None,
    withdrawn: Sequence[str] = (),
) -> dict:
    """Count decrypted ranked ballots (candidate indices, most preferred first) — the counter
    that the service, ``scrutin verify`` and the trustee clients hand to
    ``crypto.record.verify_record`` (``crypto.results.RankedCounter``)."""
    profile = Profile.build(list(candidates), [(1, list(r)) for r in rankings], seats=seats)
    return count(
        method, profile, seats if method not in ("schulze", "debian") else None, withdraw=list(withdrawn)
    )
