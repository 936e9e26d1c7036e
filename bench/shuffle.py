"""Shuffle proof cost per ciphertext (issue 15): prove and verify a Terelius–Wikström shuffle
of N one-chunk ranked ciphertexts, medians over runs; optionally Belenios' own shuffle.

    python -m bench.shuffle [--rows N] [--runs R] [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from crypto import ranked
from crypto.elgamal import Ciphertext, keygen
from crypto.group import G, Scalar
from crypto.shuffle import shuffle, verify_shuffle


def _rows(n: int) -> tuple[object, list[list[Ciphertext]]]:
    _, y = keygen()
    rows = []
    for i in range(n):
        m = ranked.pack([i % 9, (i + 4) % 9], 9)[0]
        r = Scalar.random()
        rows.append([Ciphertext(G * r, m + y * r)])
    return y, rows


def run(rows: int, runs: int, workers: int = 1) -> dict[str, float]:
    prove, verify = [], []
    y, data = _rows(rows)
    for _ in range(runs):
        t0 = time.process_time()
        out, proof = shuffle(y, data, 1, b"ctx", b"bench")  # type: ignore[arg-type]
        prove.append(time.process_time() - t0)
        t0 = time.process_time()
        verify_shuffle(
            y,
            data,
            out,
            1,
            proof,
            b"ctx",
            b"bench",  # type: ignore[arg-type]
            workers=workers,
        )
        verify.append(time.process_time() - t0)
    return {
        "rows": rows,
        "runs": runs,
        "shuffle_prove_us_per_ciphertext": statistics.median(prove) / rows * 1e6,
        "shuffle_verify_us_per_ciphertext": statistics.median(verify) / rows * 1e6,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = run(args.rows, args.runs)
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:>36}: {value:.1f}" if isinstance(value, float) else f"{key:>36}: {value}")


if __name__ == "__main__":
    main()
