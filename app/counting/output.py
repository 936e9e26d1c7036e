"""Render a result dict as JSON, plain text (for a terminal) or wikitext (for the wiki page)."""

from __future__ import annotations

import json

from app.neutralise import nowiki


def render(result: dict, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(result, indent=2, ensure_ascii=False)
    ranked = "rounds" in result
    if fmt == "text":
        return _stv_text(result) if ranked else _pairwise_text(result)
    if fmt == "wikitext":
        return _stv_wiki(result) if ranked else _pairwise_wiki(result)
    raise ValueError(f"unknown format {fmt!r}")


def _header(result: dict) -> list[str]:
    lines = [f"Method: {result['method']}"]
    if result.get("title"):
        lines.append(f"Title: {result['title']}")
    lines.append(f"Ballots: {result.get('ballots')}")
    if result.get("withdrawn"):
        lines.append("Withdrawn: " + ", ".join(result["withdrawn"]))
    return lines


def _round_label(rd: dict) -> str:
    action = rd.get("action")
    if action == "eliminate" and rd.get("eliminated"):
        return "exclusion of " + ", ".join(rd["eliminated"])
    if action == "surplus" and rd.get("from"):
        return "surplus of " + ", ".join(rd["from"])
    return action or ""


def _stv_text(result: dict) -> str:
    lines = _header(result)
    lines.append(f"Seats: {result['seats']}   Quota: {result['quota']}")
    lines.append("Elected: " + (", ".join(result["elected"]) or "(none)"))
    if result.get("unfilled_seats"):
        lines.append(
            f"Unfilled seats: {result['unfilled_seats']}"
            + (f" - {result['unfilled_reason']}" if result.get("unfilled_reason") else "")
        )
    width = max(len(c) for c in result["candidates"])
    for rd in result["rounds"]:
        lines.append("")
        label = _round_label(rd)
        lines.append(
            f"Round {rd['round']}"
            + (f" ({label})" if label else "")
            + f"   quota {rd['quota']}   exhausted {rd['exhausted']}"
        )
        for name, votes in rd["votes"].items():
            transfer = rd["transfers"].get(name)
            kf = rd.get("keep_factors", {}).get(name)
            extra = "" if transfer is None else f"  ({_signed(transfer)})"
            if kf is not None:
                extra += f"  keep {kf}"
            lines.append(f"  {name:<{width}}  {votes:>16}{extra}")
        for key, word in (("elected", "Elected"), ("eliminated", "Eliminated")):
            if rd.get(key):
                lines.append(f"  {word}: " + ", ".join(rd[key]))
    for tie in result.get("ties", []):
        lines.append(
            f"Tie ({tie['purpose']}) between {', '.join(tie['tied'])}: "
            f"{tie['chosen']} chosen by {tie['method']}"
        )
    return "\n".join(lines) + "\n"


def _signed(value) -> str:
    text = str(value)
    return text if text.startswith("-") else "+" + text


def _pairwise_text(result: dict) -> str:
    lines = _header(result)
    if result["method"] == "debian":
        lines.append(f"Default option: {result['default_option']}")
        if result.get("quorum") is not None:
            lines.append(f"Quorum: {result['quorum']}")
        for d in result["dropped"]:
            why = (
                f"quorum ({d['votes_over_default']} < {d['quorum']})"
                if d["reason"] == "quorum"
                else f"majority ({d['votes_over_default']}/{d['votes_for_default']} = "
                f"{d['ratio']}, needs {d['required']})"
            )
            lines.append(f"Dropped: {d['option']} because of {why}")
    lines.append(
        "Winner" + ("s (tie)" if result.get("tie") else "") + ": " + ", ".join(map(nowiki, result["winners"]))
    )
    lines.append("Ranking:")
    for i, group in enumerate(result["ranking"], start=1):
        lines.append(f"  {i}. " + " = ".join(group))
    lines.append("")
    lines.append("Pairwise (row over column):")
    lines += _matrix_text(result["pairwise"])
    lines.append("")
    lines.append("Strongest paths:")
    lines += _matrix_text(result["strongest_paths"])
    return "\n".join(lines) + "\n"


def _matrix_text(m: dict) -> list[str]:
    names = list(m)
    tags = [str(i) for i in range(1, len(names) + 1)]
    out = ["       " + "".join(f"{t:>7}" for t in tags)]
    for i, a in enumerate(names):
        cells = "".join(f"{'-' if a == b else m[a].get(b, ''):>7}" for b in names)
        out.append(f"{tags[i]:>5}  {cells}   {a}")
    return out


def _stv_wiki(result: dict) -> str:
    rounds = result["rounds"]
    lines = [
        f"'''Method:''' {result['method']}; '''seats:''' {result['seats']}; "
        f"'''quota:''' {result['quota']}; '''ballots:''' {result['ballots']}",
        "",
    ]
    lines.append("'''Elected:''' " + (", ".join(map(nowiki, result["elected"])) or "none"))
    if result.get("unfilled_seats"):
        lines.append(
            f"'''Unfilled seats:''' {result['unfilled_seats']}"
            + (f" - {result['unfilled_reason']}" if result.get("unfilled_reason") else "")
        )
    lines += ["", '{| class="wikitable" style="text-align:right"', "! Candidate"]
    lines += [f"! Round {rd['round']}" for rd in rounds]
    for name in result["candidates"]:
        if not any(name in rd["votes"] for rd in rounds):
            continue
        lines.append("|-")
        row = [f'| style="text-align:left" | {nowiki(name)}']
        for rd in rounds:
            cell = rd["votes"].get(name, "")
            if name in rd.get("elected", []):
                cell = f"'''{cell}''' (elected)"
            elif name in rd.get("eliminated", []):
                cell = f"{cell} (excluded)"
            row.append(f"| {cell}")
        lines += row
    lines.append("|-")
    lines.append('| style="text-align:left" | Exhausted')
    lines += [f"| {rd['exhausted']}" for rd in rounds]
    lines.append("|-")
    lines.append('| style="text-align:left" | Quota')
    lines += [f"| {rd['quota']}" for rd in rounds]
    lines.append("|}")
    return "\n".join(lines) + "\n"


def _pairwise_wiki(result: dict) -> str:
    lines = [f"'''Method:''' {result['method']}; '''ballots:''' {result['ballots']}", ""]
    if result["method"] == "debian":
        for d in result["dropped"]:
            lines.append(f"* Dropped: {nowiki(d['option'])} ({d['reason']})")
    lines.append(
        "'''Winner"
        + ("s (tie)" if result.get("tie") else "")
        + ":''' "
        + ", ".join(map(nowiki, result["winners"]))
    )
    lines.append("")
    for group in result["ranking"]:
        lines.append("# " + " = ".join(map(nowiki, group)))
    names = list(result["pairwise"])
    lines += [
        "",
        '{| class="wikitable" style="text-align:right"',
        "! Over → !! " + " !! ".join(map(nowiki, names)),
    ]
    for a in names:
        lines.append("|-")
        cells = " || ".join("—" if a == b else str(result["pairwise"][a][b]) for b in names)
        lines.append(f'! style="text-align:left" | {nowiki(a)}')
        lines.append(f"| {cells}")
    lines.append("|}")
    return "\n".join(lines) + "\n"
