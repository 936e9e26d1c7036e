"""The one hash-chain construction, shared by the public board (``crypto.board``) and the
private audit logs (``crypto.auditlog``) (docs/protocol.md §2.5)::

    link(tag, prev, fields) = hex(SHA-256(tag ‖ canonical_json({"prev": prev, **fields})))

with ``prev`` = 64 zeros before the first link. :func:`walk` checks a chain link by link.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from .hashing import canonical_json

GENESIS = "0" * 64

Recompute = Callable[[str, int, Mapping[str, Any]], str]
"""``recompute(prev, seq, item)``: the link hash the item should have."""


def link(tag: bytes, prev: str, fields: Mapping[str, Any]) -> str:
    """The hash of one link: its fields and its predecessor's hash, under a domain tag."""
    if "prev" in fields:
        raise ValueError("a link's fields cannot contain 'prev'")
    return hashlib.sha256(tag + canonical_json({"prev": prev, **fields})).hexdigest()


def walk(
    items: Iterable[Mapping[str, Any]], *, prev_key: str, hash_key: str, recompute: Recompute
) -> Iterator[tuple[int, Mapping[str, Any], str | None]]:
    """For each item in order: ``(expected seq, item, problem)``, where ``problem`` is None
    (the link holds), ``"seq"`` (its ``seq`` is not the next number: items deleted or
    reordered), ``"prev"`` (it does not name its predecessor's hash) or ``"hash"`` (its
    contents no longer match its stored hash). The chain continues from each stored hash."""
    prev = GENESIS
    for expected, item in enumerate(items, start=1):
        stored = item.get(hash_key)
        problem: str | None = None
        if item.get("seq") != expected:
            problem = "seq"
        elif item.get(prev_key) != prev:
            problem = "prev"
        elif recompute(prev, expected, item) != stored:
            problem = "hash"
        yield expected, item, problem
        prev = str(stored)
