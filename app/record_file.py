"""Reading an exported election record from a file without holding it in memory (``scrutin
verify``, ``scrutin simulate``).

A record is one JSON object (``app.services.exports.record``) whose ``ballots`` object is almost
all of it (≈ 40 kB per 30-candidate ballot). ``open_record(path)`` reads the file twice with
ijson (yajl2 in C): the first pass builds everything except the ballots' values and keeps the
trackers (the ``ballots`` keys, in record order); the second pass, started by the verifier,
yields one ``(tracker, ballot)`` at a time. Memory is then the board plus the ballot chunks in
flight, not the record.

Whatever this reader would treat differently from ``json.loads`` of the whole file — a file
ijson cannot parse (NaN, another encoding, broken JSON), a top level that is not an object, a
key repeated at the top level or among the ballots, ``ballots`` that is not an object — makes
it fall back to ``json.loads`` (``Loaded.ballots`` is then None), so the verifier sees exactly
the document ``json.loads`` would give and reports the same result or error.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ijson

from crypto.errors import InvalidRecord
from crypto.record import VerificationReport, verify_record


class _Fallback(Exception):
    """The streamed reading would differ from ``json.loads``: read the whole file."""


class StreamedBallots:
    """``crypto.record.BallotSource`` over the ``ballots`` object of a record file."""

    def __init__(self, path: Path, trackers: dict[str, None]) -> None:
        self.path = path
        self._trackers = trackers

    def trackers(self) -> dict[str, None]:
        return self._trackers

    def entries(self) -> Iterator[tuple[str, Any]]:
        with self.path.open("rb") as f:
            try:
                yield from ijson.kvitems(f, "ballots", use_float=True)
            except ijson.JSONError as exc:  # it parsed in the first pass: the file changed
                raise InvalidRecord(f"record.ballots: the file changed while it was read ({exc})") from None


@dataclass
class Loaded:
    """``record``: the record (without its ``ballots`` key when ``ballots`` streams them)."""

    record: Any
    ballots: StreamedBallots | None


def _value(events: Iterator[tuple[str, str, Any]], first: tuple[str, str, Any]) -> Any:
    """The JSON value that starts with event ``first``, built as ``json.loads`` would."""
    _prefix, event, value = first
    if event not in ("start_map", "start_array"):
        return value
    builder = ijson.ObjectBuilder()
    builder.event(event, value)
    depth = 1
    for _prefix, event, value in events:
        builder.event(event, value)
        if event in ("start_map", "start_array"):
            depth += 1
        elif event in ("end_map", "end_array"):
            depth -= 1
            if depth == 0:
                return builder.value
    raise _Fallback  # pragma: no cover - ijson raises on truncated input


def _scan(path: Path) -> tuple[dict[str, Any], dict[str, None] | None]:
    """(the record without its ballots' values, the trackers in record order; None when the
    record has no ``ballots`` key)."""
    head: dict[str, Any] = {}
    trackers: dict[str, None] | None = None
    with path.open("rb") as f:
        events = iter(ijson.parse(f, use_float=True))
        first = next(events, None)
        if first is None or first[1] != "start_map":
            raise _Fallback
        for prefix, event, value in events:
            if event == "end_map" and prefix == "":
                break
            key = value  # a top-level map_key
            if key in head:
                raise _Fallback
            start = next(events)
            if key != "ballots":
                head[key] = _value(events, start)
                continue
            if start[1] != "start_map":
                raise _Fallback
            head[key] = None
            trackers = {}
            depth = 1
            for _prefix, event, value in events:
                if event == "map_key":
                    if depth == 1:
                        if value in trackers:
                            raise _Fallback
                        trackers[value] = None
                elif event in ("start_map", "start_array"):
                    depth += 1
                elif event in ("end_map", "end_array"):
                    depth -= 1
                    if depth == 0:
                        break
        if next(events, None) is not None:
            raise _Fallback  # pragma: no cover - ijson rejects trailing data
    head.pop("ballots", None)
    return head, trackers


def open_record(path: Path) -> Loaded:
    """The record at ``path``, its ballots streamed when the file allows it (module docstring).
    Raises ``OSError`` (unreadable) or ``ValueError`` (not JSON) as ``json.loads`` would."""
    try:
        head, trackers = _scan(path)
    except (_Fallback, ijson.JSONError, StopIteration, UnicodeDecodeError):
        return Loaded(json.loads(path.read_bytes()), None)
    if trackers is None:  # no ballots key: the verifier reports it as for the whole record
        return Loaded(head, None)
    return Loaded(head, StreamedBallots(path, trackers))


def verify_record_file(path: Path, **options: Any) -> VerificationReport:
    """``verify_record`` of the record at ``path``, its ballots streamed; ``options`` as for
    ``verify_record`` (``workers``, ``progress``, ``counter``, ``fanout``)."""
    loaded = open_record(path)
    return verify_record(loaded.record, ballots=loaded.ballots, **options)
