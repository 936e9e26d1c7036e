"""Duplicate and sockpuppet signals for scrutineers, computed from the private cast signals.

A signal is a cluster of two or more distinct voters that share something: the same IP, the
same /24 (IPv4) or /64 (IPv6) network, the same IP and user agent, the same browser cookie, or
casting within a short burst. Signals are hints for a human scrutineer, never automatic
strikes. Cluster ids are stable hashes of (kind, key), so a strike can name a cluster.
"""

from __future__ import annotations

import hashlib
import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class CastSignal:
    username: str
    tracker: str
    cast_at: datetime
    ip: str | None
    user_agent: str | None
    cookie_id: str | None


@dataclass(frozen=True)
class Cluster:
    id: str
    kind: str  # same_ip | same_network | same_ip_ua | same_cookie | burst
    key: str  # the shared value (private: shown only with the PII right)
    usernames: tuple[str, ...]
    trackers: tuple[str, ...]

    def to_json(self, with_pii: bool) -> dict:
        data = {
            "id": self.id,
            "kind": self.kind,
            "voters": list(self.usernames),
            "ballots": len(self.trackers),
        }
        if with_pii:
            data["key"] = self.key
        return data


MAX_ADDRESS = 64  # the width of the ``voter_pii.ip`` column
MAX_FORWARDED_FOR = 1000
MAX_USER_AGENT = 1000


def client_address(host: str | None) -> str | None:
    """The client address as recorded: a valid IP in its canonical form; anything else (a
    test client's name, a unix socket, garbage a trusted proxy passed on) cut to the column."""
    if not host:
        return None
    try:
        return str(ipaddress.ip_address(host.strip()))
    except ValueError:
        return host[:MAX_ADDRESS]


def network_of(ip: str) -> str | None:
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return None
    prefix = 24 if address.version == 4 else 64
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def _cluster(kind: str, key: str, rows: Sequence[CastSignal]) -> Cluster:
    digest = hashlib.sha256(f"{kind}\x00{key}".encode()).hexdigest()[:16]
    return Cluster(
        id=f"{kind}:{digest}",
        kind=kind,
        key=key,
        usernames=tuple(sorted({r.username for r in rows})),
        trackers=tuple(r.tracker for r in rows),
    )


def clusters(
    rows: Iterable[CastSignal], burst_window: timedelta = timedelta(seconds=60), burst_min_voters: int = 5
) -> list[Cluster]:
    rows = list(rows)
    groups: dict[tuple[str, str], list[CastSignal]] = {}
    for row in rows:
        keys = []
        if row.ip:
            keys.append(("same_ip", row.ip))
            network = network_of(row.ip)
            if network:
                keys.append(("same_network", network))
            if row.user_agent:
                keys.append(("same_ip_ua", f"{row.ip} | {row.user_agent}"))
        if row.cookie_id:
            keys.append(("same_cookie", row.cookie_id))
        for key in keys:
            groups.setdefault(key, []).append(row)
    found = [
        _cluster(kind, key, members)
        for (kind, key), members in groups.items()
        if len({m.username for m in members}) >= 2
    ]
    found.extend(_bursts(rows, burst_window, burst_min_voters))
    return sorted(found, key=lambda c: (c.kind, -len(c.usernames), c.id))


def _bursts(rows: list[CastSignal], window: timedelta, min_voters: int) -> list[Cluster]:
    """Maximal runs of casts by at least ``min_voters`` distinct voters within ``window``."""
    ordered = sorted(rows, key=lambda r: r.cast_at)
    out: list[Cluster] = []
    start = 0
    last_end = -1
    for end in range(len(ordered)):
        while ordered[end].cast_at - ordered[start].cast_at > window:
            start += 1
        members = ordered[start : end + 1]
        if len({m.username for m in members}) >= min_voters and end > last_end:
            # Extend to the end of this burst before reporting it once.
            stop = end
            while stop + 1 < len(ordered) and ordered[stop + 1].cast_at - ordered[start].cast_at <= window:
                stop += 1
            members = ordered[start : stop + 1]
            key = f"{members[0].cast_at.isoformat()} .. {members[-1].cast_at.isoformat()}"
            out.append(_cluster("burst", key, members))
            last_end = stop
    return out
