"""Checks 11 (``totals``) and 12 (``result``).

``totals``: ``g^{total_i} = β_i / ∏ d_{j,i}^{λ_j}`` over the shares the result says it used
(at least the threshold, each verified by check 10), and ``0 ≤ total_i ≤ counted``.
``result``: the published result equals ``crypto.results.election_result`` recomputed from
the totals (and, for ranked questions, from the decrypted last mixes, counted by the given
engine)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .. import mixnet
from ..dlog import discrete_log
from ..elgamal import Ciphertext
from ..errors import CryptoError, InvalidResult, InvalidTally
from ..group import IDENTITY, base_mul
from ..results import RankedCounter, election_result, ranked_question
from ..tally import layout_of, split_totals
from ..threshold import lagrange_coefficient
from .common import CheckResult, first_difference, lookup, passed, slot_name
from .mixes import Target
from .setup import Setup, Setups
from .shape import Event
from .shares import Shares


@dataclass(frozen=True)
class Totals:
    totals: tuple[int, ...]
    used: tuple[int, ...]
    """The trustees whose shares the result used, in increasing order."""


def check_totals(
    result: Event, setup: Setup, tally_cts: Sequence[Ciphertext], shares: Shares, counted: int
) -> tuple[Totals, CheckResult]:
    manifest = setup.manifest
    layout = layout_of(manifest)
    threshold = manifest["threshold"]
    where, p = result.where, result.payload
    used: list[int] = p["shares_used"]
    if used != sorted(set(used)):
        raise InvalidTally(
            f"{where}: shares_used {used} must list distinct trustee indices in increasing order"
        )
    if len(used) < threshold:
        raise InvalidTally(f"{where}: shares_used {used}: {len(used)} shares, the threshold is {threshold}")
    for j in used:
        if j not in shares:
            raise InvalidTally(
                f"{where}: shares_used names trustee {j}, who has no "
                "decryption share on the board before the result"
            )
    totals: list[int] = p["totals"]
    if len(totals) != len(tally_cts):
        raise InvalidTally(f"{where}: {len(totals)} totals for {len(tally_cts)} tally slots")
    lambdas = {j: lagrange_coefficient(j, used) for j in used}
    for i, (ct, total) in enumerate(zip(tally_cts, totals, strict=True)):
        name = slot_name(manifest, layout, i)
        if not 0 <= total <= counted:
            raise InvalidTally(
                f"{where}: {name}: total {total} is outside 0..{counted} (the number of counted ballots)"
            )
        acc = IDENTITY
        for j in used:
            acc = acc + shares[j][i] * lambdas[j]
        plain = ct.beta - acc
        if base_mul(total) != plain:
            try:
                actual = f"it decrypts to {discrete_log(plain, counted)}"
            except CryptoError:
                actual = f"it does not decrypt to any value in 0..{counted}"
            raise InvalidTally(
                f"{where}: {name}: published total {total} is not the "
                f"decryption of the tally with the shares of trustees {used} "
                f"({actual})"
            )
    return Totals(tuple(totals), tuple(used)), passed(
        "totals",
        f"{len(totals)} totals decrypted with the shares of trustees {used}",
        slots=len(totals),
        shares_used=len(used),
    )


@dataclass(frozen=True)
class Outcome:
    result: dict[str, Any]
    notes: tuple[str, ...] = ()


def check_result(
    result: Event,
    setup: Setup,
    setups: Setups,
    totals: Totals,
    target: Target,
    n_sums: int,
    shares: Shares,
    counted: int,
    contributors: list[list[int]],
    counter: RankedCounter | None,
) -> tuple[Outcome, CheckResult]:
    """``n_sums``: how many of ``target.ciphertexts`` are the tally's sums (the rest are the
    last mixes' rows)."""
    manifest = setup.manifest
    where = result.where
    layout = layout_of(manifest)
    published = result.payload["result"]
    ranked, notes = _ranked_results(setup, setups, totals, target, n_sums, shares, published, counter)
    expected = election_result(
        manifest, split_totals(list(totals.totals), layout), counted, contributors, ranked
    )
    diff = first_difference(published, expected, "result")
    if diff is not None:
        m = re.match(r"result\.questions\[(\d+)\](?:\.candidates\[(\d+)\])?", diff)
        about = ""
        if m:
            q = int(m.group(1))
            about = f" (question {q}"
            if m.group(2) is not None:
                c = int(m.group(2))
                cands = manifest["questions"][q]["candidates"] if q < len(manifest["questions"]) else []
                name = cands[c]["name"] if c < len(cands) else "?"
                about += f", candidate {c} ({name})"
            about += ")"
        raise InvalidResult(
            f"{where}: {diff}{about} is {lookup(published, diff)!r}, the "
            f"result arithmetic gives {lookup(expected, diff)!r}"
        )
    questions = len(expected["questions"])
    return Outcome(expected, notes), passed(
        "result",
        f"{questions} question{'s' if questions != 1 else ''}, {expected['ballots_counted']} ballots counted",
        questions=questions,
    )


def _ranked_results(
    setup: Setup,
    setups: Setups,
    totals: Totals,
    target: Target,
    n_sums: int,
    shares: Shares,
    published: dict[str, Any],
    counter: RankedCounter | None,
) -> tuple[dict[int, dict[str, Any]], tuple[str, ...]]:
    """Decrypt the last mixes with the shares the result used, decode, count."""
    manifest = setup.manifest
    questions = mixnet.ranked_questions(manifest)
    if not questions:
        return {}, ()
    used = list(totals.used)
    lambdas = {j: lagrange_coefficient(j, used) for j in used}
    points = []
    for i in range(n_sums, len(target.ciphertexts)):
        acc = IDENTITY
        for j in used:
            acc = acc + shares[j][i] * lambdas[j]
        points.append(target.ciphertexts[i].beta - acc)
    _, rows = mixnet.split_decrypted([IDENTITY] * n_sums + points, n_sums, target.chains)
    manifests = [st.manifest for st in setups.by_version.values()]
    notes = () if counter is not None else ("ranked counts not re-run: no counting engine was given",)
    out: dict[int, dict[str, Any]] = {}
    for q in questions:
        if q not in target.chains:
            out[q] = ranked_question(manifest["questions"][q], None, 0, counter)
            continue
        rankings, invalid = mixnet.decode_rankings(manifest, manifests, q, rows[q])
        out[q] = ranked_question(manifest["questions"][q], rankings, invalid, counter)
    if counter is None:
        # Without an engine only the decryption is checked: take the published counts.
        for q in questions:
            found = lookup(published, f".questions[{q}]")
            if isinstance(found, dict) and "count" in found and "elected" in found:
                out[q]["count"] = found["count"]
                out[q]["elected"] = found["elected"]
            elif isinstance(found, dict) and "count" in found:
                out[q]["count"] = found["count"]
    return out, notes
