"""Benchmark of the counting engines on the real election data.

    python -m bench.counting [--json] [--repeat N] [--data DIR]

Reports medians over N runs: Meath 2002 with both Meek flavours and Scottish STV (issue 8
budget: Meek <= 5 s), and all 39 Debian votes counted back to back (budget <= 2 s), each once
with the files parsed beforehand and once end to end including parsing. Timings live here,
never in test assertions.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from pathlib import Path

from app.counting import count, load_file

DEFAULT_DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "elections"


def _median(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _debian_inputs(data: Path):
    import re

    inputs = []
    for tally in sorted((data / "debian").glob("*_tally.txt")):
        results = tally.with_name(tally.name.replace("_tally", "_results")).read_bytes()
        text = results.decode("utf-8", errors="replace")
        q = re.search(r"Reached quorum: \d+ > ([\d.]+)", text)
        majorities = {
            o: n
            for o, n in re.findall(
                r"^(?:Dropping )?Option (\d+) (?:passes Majority|because of Majority).*\s"
                r"(?:>=|<=|>|<) ([\d.]+)\s*$",
                text,
                re.M,
            )
        }
        inputs.append((load_file(tally), q and q.group(1), majorities))
    return inputs


def run(data: Path, repeat: int) -> dict:
    meath = load_file(data / "stv_irish2002" / "00001-00000003.soi")
    debian = _debian_inputs(data)

    def all_debian():
        for profile, quorum, majorities in debian:
            count("debian", profile, quorum=quorum, majorities=majorities)

    cases = {
        "meath_meek_securepoll_s": lambda: count("meek", meath, 5),
        "meath_meek_openstv_s": lambda: count("meek-openstv", meath, 5),
        "meath_scottish_stv_s": lambda: count("scottish-stv", meath, 5),
        "debian_39_votes_s": all_debian,
        # end to end, as `scrutin count` does it: read and parse the file(s), then count
        "meath_meek_with_parsing_s": lambda: count(
            "meek", load_file(data / "stv_irish2002" / "00001-00000003.soi"), 5
        ),
        "debian_39_votes_with_parsing_s": lambda: [
            count("debian", load_file(t)) for t in sorted((data / "debian").glob("*_tally.txt"))
        ],
    }
    parse_start = time.perf_counter()
    load_file(data / "stv_irish2002" / "00001-00000003.soi")
    figures = {"meath_parse_s": round(time.perf_counter() - parse_start, 4)}
    for name, fn in cases.items():
        figures[name] = round(_median(fn, repeat), 4)
    return {
        "repeat": repeat,
        "statistic": "median",
        "budgets_s": {
            "meath_meek_securepoll_s": 5.0,
            "meath_meek_openstv_s": 5.0,
            "meath_meek_with_parsing_s": 5.0,
            "debian_39_votes_s": 2.0,
            "debian_39_votes_with_parsing_s": 2.0,
        },
        "figures": figures,
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "processor": platform.processor() or platform.machine(),
            "cpus": os.cpu_count(),
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--data", type=Path, default=Path(os.environ.get("SCRUTIN_ELECTION_DATA", DEFAULT_DATA))
    )
    args = parser.parse_args()
    report = run(args.data, args.repeat)
    if args.json:
        print(json.dumps(report, indent=2))
        return
    for name, seconds in report["figures"].items():
        budget = report["budgets_s"].get(name)
        note = f"  (budget {budget} s, {seconds / budget:.1%} of it)" if budget else ""
        print(f"{name:<28} {seconds:8.4f} s{note}")


if __name__ == "__main__":
    main()
