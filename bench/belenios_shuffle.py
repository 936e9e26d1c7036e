"""Belenios' shuffle beside ours (issue 15): drive the installed belenios-tool (Debian 2.0)
in a throw-away directory, shuffle N one-question non-homomorphic ballots (one ciphertext
each) and verify the shuffle; CPU time of the child process (rusage), medians over runs,
µs per ciphertext, next to bench.shuffle's run() on the same N.

    python -m bench.belenios_shuffle [--ballots N] [--runs R] [--json]

Group: RFC-3526-2048 (belenios-tool 2.0 knows no Ed25519 group; its default BELENIOS-2048
cannot encode non-homomorphic answers: "Group_field.of_bits: missing parameters").
Shuffle time is `election shuffle` (includes loading the archive). Verification time is
`election verify` after the Shuffle event minus `election verify` before it (same archive).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import tempfile
from pathlib import Path

from bench import shuffle as ours

TOOL = shutil.which("belenios-tool") or "/usr/bin/belenios-tool"
GROUP = "RFC-3526-2048"
TEMPLATE = {
    "description": "bench",
    "name": "bench",
    "questions": [{"type": "NonHomomorphic", "value": {"answers": ["A", "B", "C"], "question": "Q"}}],
}


def _tool(d: Path, *args: str, stdin: str | None = None) -> tuple[str, float]:
    """Run belenios-tool in d; return stdout and the child's user+system CPU seconds."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run(
        [TOOL, *args],
        cwd=d,
        input=stdin,
        capture_output=True,
        text=True,
        env={**os.environ, "BELENIOS_USE_URANDOM": "1"},
        check=False,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise RuntimeError(f"belenios-tool {' '.join(args)}: {proc.stderr.strip()[-400:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return proc.stdout, cpu


def _election(d: Path, n: int) -> None:
    uuid = _tool(d, "setup", "generate-token")[0].strip()
    _tool(d, "setup", "generate-credentials", "--uuid", uuid, "--group", GROUP, "--count", str(n))
    next(d.glob("*.pubcreds")).rename(d / "public_creds.json")
    _tool(d, "setup", "generate-trustee-key", "--group", GROUP)
    (d / "public_keys.jsons").write_text(next(d.glob("*.pubkey")).read_text())
    _tool(d, "setup", "make-trustees")
    (d / "public_keys.jsons").unlink()
    (d / "template.json").write_text(json.dumps(TEMPLATE))
    _tool(d, "setup", "make-election", "--uuid", uuid, "--group", GROUP, "--template", "template.json")
    _tool(d, "archive", "init")
    creds = [line.split()[1] for line in next(d.glob("*.privcreds")).read_text().splitlines() if line.strip()]
    orders = ["[[1,2,3]]", "[[2,1,3]]", "[[3,1,2]]", "[[1,3,2]]"]
    for i, cred in enumerate(creds):
        (d / "cred.txt").write_text(cred + "\n")
        (d / "ballot.json").write_text(orders[i % len(orders)] + "\n")
        ballot = _tool(
            d,
            "election",
            "generate-ballot",
            "--dir",
            ".",
            "--privcred",
            "cred.txt",
            "--ballot",
            "ballot.json",
        )[0]
        _tool(d, "archive", "add-event", "--type=Ballot", stdin=ballot)


def run_belenios(n: int, runs: int) -> dict[str, float]:
    shuf, ver = [], []
    with tempfile.TemporaryDirectory(prefix="belbench-") as tmp:
        base = Path(tmp) / "base"
        base.mkdir()
        _election(base, n)
        for r in range(runs):
            d = Path(tmp) / f"run{r}"
            shutil.copytree(base, d)
            _, before = _tool(d, "election", "verify", "--dir", ".")
            out, cpu = _tool(d, "election", "shuffle", "--dir", ".", "--trustee-id", "1")
            shuf.append(cpu)
            _tool(d, "archive", "add-event", "--type=Shuffle", stdin=out)
            _, after = _tool(d, "election", "verify", "--dir", ".")
            ver.append(after - before)
    return {
        "belenios_shuffle_us_per_ciphertext": statistics.median(shuf) / n * 1e6,
        "belenios_verify_us_per_ciphertext": statistics.median(ver) / n * 1e6,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ballots", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result: dict[str, object] = {
        "ballots": args.ballots,
        "runs": args.runs,
        "group": GROUP,
        "machine": f"{platform.machine()} {platform.processor()}",
    }
    result.update(run_belenios(args.ballots, args.runs))
    mine = ours.run(args.ballots, args.runs)
    result.update({k: v for k, v in mine.items() if k.endswith("ciphertext")})
    result["ratio_shuffle_belenios_over_ours"] = (
        result["belenios_shuffle_us_per_ciphertext"] / mine["shuffle_prove_us_per_ciphertext"]
    )  # type: ignore[operator]
    result["ratio_verify_belenios_over_ours"] = (
        result["belenios_verify_us_per_ciphertext"] / mine["shuffle_verify_us_per_ciphertext"]
    )  # type: ignore[operator]
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:>36}: {value:.2f}" if isinstance(value, float) else f"{key:>36}: {value}")


if __name__ == "__main__":
    main()
