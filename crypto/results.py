"""Results from decrypted totals: the arithmetic that both the server and the record verifier
run (protocol.md, "Results"). Exact rational arithmetic; display strings are derived, never
compared.

S/O/N: the support rate is S/(S+O) (neutral ignored). A candidate passes iff the rate compares
to the threshold as the rule says (``>=`` or ``>``), exactly, and S ≥ min_support; with no
support or oppose vote at all the rate is undefined and the candidate does not pass. The rate is
displayed rounded half-up or truncated (zhwiki) to k decimals, or as enwiki's template prints it
(``enwiki``: rounded, but ">99" when a rate below 1 rounds to 100 and "<1" when a rate above 0
rounds to 0; with k decimals ">99.9", "<0.1"). With ``seats``, passing
candidates are ranked by rate (WMF board 2015/2017) and the seats filled in order.

Approval and plurality: counts per option; the ``seats`` (default 1) highest win.

Ties are never broken silently: when equal candidates straddle the last seat, the seats they
compete for stay unfilled and the tie is reported.

Anonymity guard: when the manifest states ``min_contributors`` (k), a candidate listed by fewer
than k counted ballots (``crypto.tally.guarded_candidates``) was never decrypted; its row says
``too_few_ballots: true`` with no figures, it neither passes nor is ranked or elected, and the
question lists it under ``withheld``. Manifests without k give the result exactly as before.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

from .tally import guarded_candidates, min_contributors


def _fixed(n: int, decimals: int) -> str:
    text = str(Decimal(n).scaleb(-decimals))
    return f"{n / 10**decimals:.{decimals}f}" if "E" in text else text


def percent_display(support: int, oppose: int, decimals: int, mode: str) -> str | None:
    """100·S/(S+O) as text with ``decimals`` places: rounded half-up, truncated, or ``enwiki``
    (rounded, never "100" with an oppose nor "0" with a support: ">99" / "<1")."""
    if support + oppose == 0:
        return None
    scale = 10**decimals
    exact = Fraction(100 * support * scale, support + oppose)
    if mode == "truncate":
        n = exact.numerator // exact.denominator
    elif mode in ("round", "enwiki"):
        n = (exact + Fraction(1, 2)).__floor__()
    else:
        raise ValueError(f"unknown display mode {mode!r}")
    if mode == "enwiki":
        if n == 100 * scale and oppose:
            return ">" + _fixed(100 * scale - 1, decimals)
        if n == 0 and support:
            return "<" + _fixed(1, decimals)
    return _fixed(n, decimals)


def passes(support: int, oppose: int, rule: Mapping[str, Any]) -> bool:
    if support + oppose == 0 or support < int(rule.get("min_support", 0)):
        return False
    rate = Fraction(support, support + oppose)
    threshold = Fraction(Decimal(str(rule["threshold_percent"]))) / 100
    if rule.get("comparison", ">=") == ">":
        return rate > threshold
    return rate >= threshold


def _fill_seats(ranked: Sequence[tuple[Any, int]], seats: int) -> tuple[list[int], dict[str, Any] | None]:
    """``ranked``: (sort key, candidate position) best first. Returns the elected positions and
    a tie report when equal keys straddle the last seat."""
    elected: list[int] = []
    i = 0
    while i < len(ranked) and len(elected) < seats:
        group = [pos for key, pos in ranked if key == ranked[i][0]]
        if len(elected) + len(group) <= seats:
            elected.extend(group)
            i += len(group)
            continue
        return elected, {"candidates": group, "seats": seats - len(elected)}
    return elected, None


def sonc_question(
    question: Mapping[str, Any], totals: Sequence[int], guarded: Sequence[bool] | None = None
) -> dict[str, Any]:
    rule = question["pass_rule"]
    candidates = question["candidates"]
    if len(totals) != 2 * len(candidates):
        raise ValueError("S/O/N totals: two slots per candidate expected")
    rows = []
    for i, cand in enumerate(candidates):
        s, o = int(totals[2 * i]), int(totals[2 * i + 1])
        if guarded is not None and guarded[i]:
            rows.append(
                {
                    "position": cand["position"],
                    "name": cand["name"],
                    "withdrawn": bool(cand.get("withdrawn", False)),
                    "support": None,
                    "oppose": None,
                    "neutral": None,
                    "rate": None,
                    "percent": None,
                    "passed": False,
                    "too_few_ballots": True,
                }
            )
            continue
        rows.append(
            {
                "position": cand["position"],
                "name": cand["name"],
                "withdrawn": bool(cand.get("withdrawn", False)),
                "support": s,
                "oppose": o,
                "neutral": None,
                "rate": f"{s}/{s + o}" if s + o else None,
                "percent": percent_display(s, o, int(rule.get("decimals", 1)), rule.get("display", "round")),
                "passed": (not cand.get("withdrawn", False)) and passes(s, o, rule),
            }
        )
        if guarded is not None:
            rows[-1]["too_few_ballots"] = False
    result: dict[str, Any] = {"kind": "sonc", "candidates": rows, "pass_rule": dict(rule)}
    if guarded is not None:
        result["withheld"] = [r["position"] for r in rows if r["too_few_ballots"]]
    seats = question.get("seats")
    if seats:
        ranked = sorted(
            (
                (Fraction(r["support"], r["support"] + r["oppose"]), r["position"])
                for r in rows
                if r["passed"]
            ),
            key=lambda kv: kv[0],
            reverse=True,
        )
        elected, tie = _fill_seats(ranked, int(seats))
        result.update(seats=seats, ranking=[pos for _, pos in ranked], elected=elected, tie=tie)
    return result


def selection_question(
    question: Mapping[str, Any], totals: Sequence[int], guarded: Sequence[bool] | None = None
) -> dict[str, Any]:
    candidates = question["candidates"]
    if len(totals) != len(candidates):
        raise ValueError("selection totals: one slot per option expected")
    rows: list[dict[str, Any]] = [
        {
            "position": c["position"],
            "name": c["name"],
            "withdrawn": bool(c.get("withdrawn", False)),
            "votes": int(totals[i]),
        }
        for i, c in enumerate(candidates)
    ]
    if guarded is not None:
        for row, g in zip(rows, guarded, strict=True):
            row["too_few_ballots"] = bool(g)
            if g:
                row["votes"] = None
    seats = int(question.get("seats") or 1)
    ranked = sorted(
        ((r["votes"], r["position"]) for r in rows if not r["withdrawn"] and r["votes"] is not None),
        key=lambda kv: kv[0],
        reverse=True,
    )
    elected, tie = _fill_seats(ranked, seats)
    out = {"kind": question["kind"], "candidates": rows, "seats": seats, "elected": elected, "tie": tie}
    if guarded is not None:
        out["withheld"] = [r["position"] for r in rows if r["too_few_ballots"]]
    return out


def election_result(
    manifest: Mapping[str, Any],
    totals: Sequence[Sequence[int]],
    ballots_counted: int,
    contributors: Sequence[Sequence[int]] | None = None,
    ranked: Mapping[int, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The published result for every question. Neutral = ballots that listed the candidate
    − S − O (a counted ballot that neither supports nor opposes a candidate is neutral on it).
    ``contributors[q][i]`` is that number when ballots were cast on several ballot versions
    (a candidate added later was not on earlier ballots); by default every counted ballot.
    With ``min_contributors`` in the manifest, candidates listed by fewer ballots are withheld
    (module docstring) and the result states k."""
    k = min_contributors(manifest)
    listed = (
        [list(row) for row in contributors]
        if contributors is not None
        else [[ballots_counted] * len(q["candidates"]) for q in manifest["questions"]]
    )
    guarded = guarded_candidates(manifest, listed) if k else None
    questions = []
    for qi, (question, slot_totals) in enumerate(zip(manifest["questions"], totals, strict=True)):
        g = guarded[qi] if guarded is not None else None
        if question["kind"] == "ranked":
            # Counted from the mixed, decrypted rankings (``ranked_question``), not from sums.
            if ranked is None or qi not in ranked:
                raise ValueError(f"question {qi} is ranked: its count must be given")
            questions.append(ranked[qi])
            continue
        if question["kind"] == "sonc":
            q = sonc_question(question, slot_totals, g)
            for ci, row in enumerate(q["candidates"]):
                if row["support"] is not None:
                    row["neutral"] = listed[qi][ci] - row["support"] - row["oppose"]
        else:
            q = selection_question(question, slot_totals, g)
        questions.append(q)
    out: dict[str, Any] = {"ballots_counted": ballots_counted, "questions": questions}
    if k:
        out["min_contributors"] = k
    return out


RankedCounter = Callable[
    [Sequence[str], Sequence[Sequence[int]], str, "int | None", Sequence[str]], dict[str, Any]
]
"""``counter(candidate names, rankings (indices), method, seats, withdrawn names)`` → the
count as ``scrutin count --format json`` prints it. The engines live outside ``crypto/``
(``app.counting``); whoever verifies a record passes them in."""


def ranked_question(
    question: Mapping[str, Any],
    rankings: Sequence[Sequence[int]] | None,
    invalid: int,
    counter: RankedCounter | None,
) -> dict[str, Any]:
    """The published result of a ranked question from its decrypted rankings (indices into
    the final ballot's candidates, mix output order). ``rankings`` None: the question was
    withheld (fewer counted ballots than min_contributors) and never decrypted."""
    candidates = question["candidates"]
    names = [str(c["name"]) for c in candidates]
    withdrawn = [str(c["name"]) for c in candidates if c.get("withdrawn")]
    out: dict[str, Any] = {
        "kind": "ranked",
        "method": question["method"],
        "seats": question.get("seats"),
        "candidates": [
            {"position": c["position"], "name": c["name"], "withdrawn": bool(c.get("withdrawn", False))}
            for c in candidates
        ],
    }
    if rankings is None:
        out.update(ballots_counted=0, invalid=0, too_few_ballots=True, elected=[], count=None, ballots=None)
        return out
    count = (
        counter(names, rankings, str(question["method"]), question.get("seats"), withdrawn)
        if counter is not None and rankings
        else None
    )
    # STV/IRV name the elected; Schulze and Debian their winners (several only on a tie).
    winners = (count or {}).get("elected") or (count or {}).get("winners") or []
    by_name = {str(c["name"]): c["position"] for c in candidates}
    # The decrypted rankings are public anyway (anyone can combine the decryption shares on the
    # board): publishing them lets anyone recount with any program (BLT export).
    out.update(
        ballots_counted=len(rankings),
        invalid=invalid,
        too_few_ballots=False,
        elected=[by_name[w] for w in winners if w in by_name],
        count=count,
        ballots=[list(r) for r in rankings],
    )
    return out
