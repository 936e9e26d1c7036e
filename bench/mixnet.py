"""A whole secret ranked count on a real election, phase by phase (issue 15): encrypted
rankings with their proofs, two verified mixes, a 2-of-3 threshold decryption with proofs,
decoding and the count — the server's and the verifier's work without HTTP.

    python -m bench.mixnet [--file SOI/BLT] [--method meek] [--seats 3] [--ballots N]
                           [--workers W] [--json]

Default: Dublin West 2002 (29,988 ballots, 9 candidates, 3 seats). Wall-clock seconds per
phase; ``pipeline_s`` is what follows casting on the server (both mixes proven and checked,
both decryption shares made and checked, decoding, count); ``verify_s`` what `scrutin verify`
repeats (ballot proofs, both mixes, both shares, decoding, count). The trustee clients also
re-verify the record before each mix and decryption (``verify_s`` each time).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

from app.counting import count, count_rankings, load_file
from crypto import mixnet, ranked
from crypto.elgamal import Ciphertext
from crypto.group import Point
from crypto.shuffle import shuffle, verify_shuffle
from crypto.threshold import (
    TrusteePolynomial,
    combine_decryption,
    combine_public_key,
    combine_secret_share,
    decryption_share,
    public_key_share,
)

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "elections"
DUBLIN_WEST = DATA / "stv_irish2002" / "00001-00000002.soi"


def _timed(timings: dict[str, float], name: str, fn):  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    out = fn()
    timings[name] = round(time.perf_counter() - t0, 2)
    return out


def run(path: Path, method: str, seats: int | None, limit: int | None, workers: int) -> dict[str, object]:
    profile = load_file(path)
    rankings = [[g[0] for g in r] for w, r in profile.ballots for _ in range(w)][:limit]
    names = list(profile.candidates)
    n = len(names)
    t: dict[str, float] = {}
    polys = [TrusteePolynomial.generate(2) for _ in range(3)]
    commitments = [p.commitments for p in polys]
    key = combine_public_key(commitments)
    shares = {j: combine_secret_share(p.share_for(j) for p in polys) for j in (1, 2, 3)}
    fp, cred = b"\x00" * 32, Point.base()
    answers = _timed(
        t, "encrypt_s", lambda: [ranked.encrypt_ranking(key, r, n, fp, cred, 0) for r in rankings]
    )
    _timed(t, "ballot_proofs_s", lambda: [ranked.verify_ranked_answer(a, fp, cred, 0, "b") for a in answers])
    rows: list[list[Ciphertext]] = [list(a.ciphertexts) for a in answers]
    width = ranked.width(n)
    outputs = []
    for m in (1, 2):
        context, seed = f"bench/mix/{m}".encode(), b"bench/generators"
        out, proof = _timed(
            t,
            f"mix_{m}_prove_s",
            lambda rows=rows, c=context, s=seed: shuffle(key, rows, width, c, s, workers=workers),
        )
        _timed(
            t,
            f"mix_{m}_verify_s",
            lambda rows=rows, out=out, proof=proof, c=context, s=seed: verify_shuffle(
                key, rows, out, width, proof, c, s, workers=workers
            ),
        )
        outputs.append((out, proof))
        rows = out
    flat = [ct for row in rows for ct in row]
    context = b"bench/decryption"
    made = {}
    for j in (1, 3):
        made[j] = _timed(
            t,
            f"share_{j}_s",
            lambda j=j: decryption_share(flat, shares[j], j, context, slot_bound=True, workers=workers),
        )
    public = {j: public_key_share(commitments, j) for j in (1, 2, 3)}
    points, _ = _timed(
        t,
        "shares_check_combine_s",
        lambda: combine_decryption(flat, made, public, 2, context, slot_bound=True, workers=workers),
    )
    manifest = {"questions": [{"candidates": [{"position": i} for i in range(n)]}]}
    decoded, invalid = _timed(
        t,
        "decode_s",
        lambda: mixnet.decode_rankings(
            manifest, [manifest], 0, [points[i : i + width] for i in range(0, len(points), width)]
        ),
    )
    result = _timed(t, "count_s", lambda: count_rankings(names, decoded, method, seats))
    expected = count(method, profile, seats) if limit is None else result
    pipeline = (
        t["mix_1_prove_s"]
        + t["mix_1_verify_s"]
        + t["mix_2_prove_s"]
        + t["mix_2_verify_s"]
        + t["share_1_s"]
        + t["share_3_s"]
        + t["shares_check_combine_s"]
        + t["decode_s"]
        + t["count_s"]
    )
    verify = (
        t["ballot_proofs_s"]
        + t["mix_1_verify_s"]
        + t["mix_2_verify_s"]
        + t["shares_check_combine_s"]
        + t["decode_s"]
        + t["count_s"]
    )
    return {
        "file": path.name,
        "ballots": len(rankings),
        "candidates": n,
        "width": width,
        "method": method,
        "workers": workers,
        "timings_s": t,
        "pipeline_s": round(pipeline, 1),
        "verify_s": round(verify, 1),
        "invalid": invalid,
        "elected": result.get("elected") or result.get("winners"),
        "matches_plain_count": result.get("elected") == expected.get("elected")
        and result.get("rounds") == expected.get("rounds"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--file", type=Path, default=DUBLIN_WEST)
    parser.add_argument("--method", default="meek")
    parser.add_argument("--seats", type=int, default=3)
    parser.add_argument("--ballots", type=int, default=None, help="only the first N ballots")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    out = run(args.file, args.method, args.seats, args.ballots, args.workers)
    print(json.dumps(out, indent=None if args.json else 2))


if __name__ == "__main__":
    main()
