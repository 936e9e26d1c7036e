"""Small discrete logarithms for tallies (docs/protocol.md §8.4).

A decrypted tally is ``g^m`` with 0 ≤ m ≤ number of ballots. Baby-step giant-step with
``n = ⌊√bound⌋ + 1`` baby steps finds m with at most n group additions after a one-off table of
n additions, which is cached per table size (a tally decodes many slots with the same bound).
"""

from __future__ import annotations

import math
from collections import OrderedDict

from .errors import DiscreteLogNotFound
from .group import IDENTITY, G, Point

_MAX_TABLES = 8
_TABLES: OrderedDict[int, dict[bytes, int]] = OrderedDict()


def _baby_steps(n: int) -> dict[bytes, int]:
    table = _TABLES.get(n)
    if table is not None:
        _TABLES.move_to_end(n)
        return table
    table = {}
    p = IDENTITY
    for i in range(n):
        table[p.to_bytes()] = i
        p = p + G
    _TABLES[n] = table
    while len(_TABLES) > _MAX_TABLES:
        _TABLES.popitem(last=False)
    return table


def discrete_log(point: Point, bound: int) -> int:
    """The m in [0, bound] with g^m = ``point``; raises ``DiscreteLogNotFound`` otherwise."""
    if isinstance(bound, bool) or not isinstance(bound, int) or bound < 0:
        raise ValueError("bound must be a non-negative int")
    n = math.isqrt(bound) + 1
    table = _baby_steps(n)
    giant = -(G * n)
    q = point
    for j in range(bound // n + 1):
        i = table.get(q.to_bytes())
        if i is not None:
            m = j * n + i
            if m <= bound:
                return m
            break
        q = q + giant
    raise DiscreteLogNotFound(f"decrypted value is not g^m for any 0 <= m <= {bound}")


def discrete_logs(points: list[Point], bound: int) -> list[int]:
    """``discrete_log`` of each point (same table)."""
    return [discrete_log(p, bound) for p in points]
