"""Check 5 (``credentials``): who may cast.

Convenient mode: a ballot's credential was registered (or replaced in) before the ballot, and
a credential is replaced only while none of its ballots counts (struck); independent mode: it
is in the published list. Since the roll is on the board (``ceremony_started.roll``,
``roll_published``): no more credentials used by ballots than the roll has voters (at every
ballot, or at each roll event for a live roll), and an independent list is signed by the
credential authority (``crypto.roll``) and no longer than the roll."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import InvalidRecord
from ..group import Point
from ..roll import authority_fingerprint, verify_credential_list
from .common import CAST, STRUCK, UNSTRUCK, CheckResult, as_dict, as_int, as_str, passed
from .shape import Board


@dataclass(frozen=True)
class Roll:
    size: int
    fingerprint: str
    mode: object


def read_roll(value: object, where: str) -> Roll:
    p = as_dict(value, f"{where}: roll")
    size = as_int(p.get("size"), f"{where}: roll size")
    fingerprint = as_str(p.get("fingerprint"), f"{where}: roll fingerprint")
    if size < 0 or len(fingerprint) != 64 or any(c not in "0123456789abcdef" for c in fingerprint):
        raise InvalidRecord(f"{where}: a roll needs a size ≥ 0 and a SHA-256 fingerprint")
    return Roll(size, fingerprint, p.get("mode"))


def check_credentials(board: Board, mode: str | None) -> CheckResult:
    registered: set[str] = set()
    used: set[str] = set()
    published: set[str] | None = None
    cast_by: dict[str, list[str]] = {}
    struck: set[str] = set()
    regs = 0
    casts = 0
    # The roll on the board (crypto.roll): in ceremony_started since roll publishing began
    # (older records have none: those bounds are skipped), then roll_published events.
    roll: Roll | None = None
    bounded = False
    lists: list[tuple[str, list[str], dict[str, Any], Roll | None]] = []
    for event in board.events:
        where, kind, p = event.where, event.type, event.payload
        if (kind == "ceremony_started" and "roll" in p) or kind == "roll_published":
            roll = read_roll(p["roll"] if kind == "ceremony_started" else p, where)
            bounded = True
            if len(used) > roll.size:
                raise InvalidRecord(
                    f"{where}: {len(used)} credentials were used by ballots "
                    f"but the roll has {roll.size} voters"
                )
        elif kind == "ceremony_started" and bounded:
            raise InvalidRecord(f"{where}: a key ceremony started without the roll")
        if kind == "credential_registered":
            if mode == "independent":
                raise InvalidRecord(
                    f"{where}: a voter-registered credential in an election "
                    "with an independent credential authority"
                )
            cred = p["credential"]
            Point.from_hex(cred, what=f"{where}: credential")
            if cred in registered:
                raise InvalidRecord(f"{where}: credential {cred} registered twice")
            registered.add(cred)
            regs += 1
        elif kind == "credential_replaced":
            if mode == "independent":
                raise InvalidRecord(
                    f"{where}: credential replaced in an election with an independent credential authority"
                )
            old, cred = p["old_credential"], p["credential"]
            Point.from_hex(cred, what=f"{where}: credential")
            if old not in registered:
                raise InvalidRecord(f"{where}: replaces credential {old}, which is not registered")
            counting = [t for t in cast_by.get(old, []) if t not in struck]
            if counting:
                raise InvalidRecord(
                    f"{where}: replaces credential {old} while its ballot "
                    f"{counting[-1]} counts (a credential is replaced only "
                    "when none of its ballots counts, e.g. after a strike)"
                )
            if cred in registered:
                raise InvalidRecord(f"{where}: credential {cred} registered twice")
            registered.discard(old)
            registered.add(cred)
            regs += 1
        elif kind == "credentials_published":
            if mode == "convenient":
                raise InvalidRecord(
                    f"{where}: a published credential list in an election "
                    "where voters register their own credentials"
                )
            if published is not None:
                raise InvalidRecord(f"{where}: the credential list is published twice")
            creds: list[str] = p["credentials"]
            if creds != sorted(creds):
                raise InvalidRecord(f"{where}: the credential list is not sorted")
            if len(set(creds)) != len(creds):
                raise InvalidRecord(f"{where}: the credential list has duplicates")
            if p["count"] != len(creds):
                raise InvalidRecord(f"{where}: count {p['count']!r} but {len(creds)} credentials")
            for i, c in enumerate(creds):
                Point.from_hex(c, what=f"{where}: credential {i}")
            published = set(creds)
            regs += len(creds)
            lists.append((where, creds, p, roll))
        elif kind == CAST:
            cred, tracker = p["credential"], p["tracker"]
            casts += 1
            if mode == "independent":
                if published is None or cred not in published:
                    raise InvalidRecord(
                        f"{where}: ballot {tracker} is signed with credential {cred}, which "
                        "is not in the credential list published before it"
                    )
            elif cred not in registered:
                raise InvalidRecord(
                    f"{where}: ballot {tracker} is signed with credential {cred}, which was "
                    "not registered before it"
                )
            used.add(cred)
            cast_by.setdefault(cred, []).append(tracker)
            if roll is not None and roll.mode != "live" and len(used) > roll.size:
                raise InvalidRecord(
                    f"{where}: ballot {tracker} brings the credentials "
                    f"used to {len(used)}, but the roll has "
                    f"{roll.size} voters"
                )
        elif kind == STRUCK:
            struck.update(p["trackers"])
        elif kind == UNSTRUCK:
            struck.difference_update(p["trackers"])
    authorities = set()
    for where, creds, p, at_roll in lists:
        if bounded:
            # The list is the credential authority's, and no longer than the roll.
            verify_credential_list(
                board.election_id, creds, p.get("authority_key"), p.get("signature"), where
            )
            authorities.add(authority_fingerprint(str(p["authority_key"])))
            if at_roll is None or len(creds) > at_roll.size:
                raise InvalidRecord(
                    f"{where}: {len(creds)} credentials published for a roll "
                    f"of {at_roll.size if at_roll else 'no'} voters"
                )
    bound = (
        f"; roll of {roll.size} voters ({roll.fingerprint[:16]}…)"
        if roll
        else "; no roll on the board (a record from before roll publishing)"
    )
    signed = f"; list signed by credential authority {', '.join(sorted(authorities))}" if authorities else ""
    return passed(
        "credentials",
        f"{mode or 'no'} credentials: {len(used)} used by {casts} ballots{bound}{signed}",
        credentials=regs,
        used=len(used),
        ballots=casts,
        roll=roll.size if roll else 0,
    )
