"""Verifiable re-encryption shuffle: the Terelius–Wikström proof of a shuffle
(docs/protocol.md §14.3).

A mixer takes N ballots, each a row of ``w`` ElGamal ciphertexts under the election key Y,
re-encrypts every ciphertext (``e'_{i,k} = e_{π(i),k} + (ρ_{i,k}·G, ρ_{i,k}·Y)``), permutes the
rows with a secret permutation π, and proves in zero knowledge that the output is such a
re-encryption and permutation of the input, without revealing π or ρ.

The proof follows Terelius and Wikström (AFRICACRYPT 2010) in the form written out as
pseudo-code by Haenni, Locher, Koenig and Dubuis ("Pseudo-code algorithms for verifiable
re-encryption mix-nets", FC 2017, Algorithms 8.44–8.47), adapted to additive notation, to
rows of ``w`` ciphertexts (one response ``s4`` per column) and to the challenge/response form
the other proofs of this protocol use (the verifier recomputes every commitment from the
responses and re-derives the challenge):

* independent generators ``h`` and ``h_0..h_{N-1}`` come from ``hash_to_point`` over a seed
  naming the election and question, so nobody knows a relation between them;
* the permutation commitment ``c_{π(i)} = r_{π(i)}·G + h_i``;
* challenges ``u_j = H(D, j)`` where D hashes the statement and the commitment;
* the commitment chain ``ĉ_i = r̂_i·G + u_{π(i)}·ĉ_{i-1}`` (``ĉ_{-1} = h``), which proves
  ``Π u_{π(i)} = Π u_j`` — together with ``Σ c_j = r̄·G + Σ h_i`` and
  ``Σ u_j·c_j = r̃·G + Σ u_{π(i)}·h_i`` this shows the committed matrix is a permutation;
* ``Σ u_{π(i)}·e'_i = Σ u_j·e_j + Enc(0; Σ u_{π(i)}·ρ_i)`` ties the ciphertexts to it.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import secrets
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

from . import kernel
from .elgamal import Ciphertext, Rng
from .encoding import u64be
from .errors import InvalidEncoding, InvalidProof
from .group import IDENTITY, G, L, Point, Scalar, hash_to_point
from .hashing import hash_bytes, hash_to_int

TAG_GENERATORS = "scrutin/v1/shuffle-generators"
TAG_SEED = "scrutin/v1/shuffle-seed"
TAG_U = "scrutin/v1/shuffle-u"
TAG_CHALLENGE = "scrutin/v1/shuffle-challenge"

Rows = Sequence[Sequence[Ciphertext]]

PARALLEL_MIN = 512
"""Fewer rows than this are verified in-process (a pool costs more than it saves)."""

PROOF_KEYS = frozenset({"commitments", "chain", "challenge", "s1", "s2", "s3", "s4", "s_hat", "s_prime"})


def rows_hash(rows: Rows, width: int) -> str:
    """SHA-256 naming a list of ciphertext rows (a mix's input or output, §14.3):
    ``SHA-256("scrutin/v1/mix-rows" 0x00 || u64be(N) || u64be(w) || α||β of every ciphertext,
    row by row)``."""
    h = hashlib.sha256(b"scrutin/v1/mix-rows\x00" + u64be(len(rows)) + u64be(width))
    for row in rows:
        if len(row) != width:
            raise InvalidEncoding(f"a row has {len(row)} ciphertexts, expected {width}")
        for ct in row:
            h.update(ct.alpha.to_bytes())
            h.update(ct.beta.to_bytes())
    return h.hexdigest()


def generators(seed: bytes, n: int) -> tuple[Point, list[Point]]:
    """``h`` (the chain's start) and ``h_0..h_{n-1}``: hash_to_point(TAG_GENERATORS,
    seed || u64be(i)) with i = 0 for h and i + 1 for h_i."""
    points = [hash_to_point(TAG_GENERATORS, seed + u64be(i)) for i in range(n + 1)]
    return points[0], points[1:]


def _seed_digest(
    context: bytes, public_key: Point, input_hash: str, output_hash: str, commitments: Sequence[Point]
) -> bytes:
    return hash_bytes(TAG_SEED, context, public_key, input_hash, output_hash, list(commitments))


def _challenges(digest: bytes, n: int) -> list[int]:
    return [hash_to_int(TAG_U, digest, j) for j in range(n)]


def _challenge(
    digest: bytes,
    chain: Sequence[Point],
    t1: Point,
    t2: Point,
    t3: Point,
    t4: Sequence[tuple[Point, Point]],
    t_hat: Sequence[Point],
) -> int:
    return hash_to_int(
        TAG_CHALLENGE, digest, list(chain), t1, t2, t3, [list(pair) for pair in t4], list(t_hat)
    )


def _msm(points: Sequence[Point], scalars: Sequence[int], *, secret: bool = False) -> Point:
    """Σ scalars[i]·points[i]: the kernel's multi-scalar multiplication (native Straus when
    built, constant time for the prover's ``secret`` nonces; else one PyNaCl multiplication and
    addition per term). The chunk functions below batch many of these in one kernel call."""
    return kernel.multi_scalar_mul(points, scalars, secret=secret)


@dataclass(frozen=True)
class ShuffleProof:
    commitments: tuple[Point, ...]
    chain: tuple[Point, ...]
    challenge: Scalar
    s1: Scalar
    s2: Scalar
    s3: Scalar
    s4: tuple[Scalar, ...]
    s_hat: tuple[Scalar, ...]
    s_prime: tuple[Scalar, ...]

    def to_json(self) -> dict[str, object]:
        return {
            "commitments": [p.hex() for p in self.commitments],
            "chain": [p.hex() for p in self.chain],
            "challenge": self.challenge.hex(),
            "s1": self.s1.hex(),
            "s2": self.s2.hex(),
            "s3": self.s3.hex(),
            "s4": [s.hex() for s in self.s4],
            "s_hat": [s.hex() for s in self.s_hat],
            "s_prime": [s.hex() for s in self.s_prime],
        }

    @classmethod
    def from_json(cls, data: object, n: int, width: int, what: str = "shuffle proof") -> ShuffleProof:
        if not isinstance(data, dict) or set(data) != PROOF_KEYS:
            raise InvalidEncoding(f"{what}: expected an object with keys {sorted(PROOF_KEYS)}")

        def points(key: str, length: int) -> tuple[Point, ...]:
            value = data[key]
            if not isinstance(value, list) or len(value) != length:
                raise InvalidEncoding(f"{what}.{key}: expected a list of {length} points")
            return tuple(Point.from_hex(v, what=f"{what}.{key}[{i}]") for i, v in enumerate(value))

        def scalars(key: str, length: int) -> tuple[Scalar, ...]:
            value = data[key]
            if not isinstance(value, list) or len(value) != length:
                raise InvalidEncoding(f"{what}.{key}: expected a list of {length} scalars")
            return tuple(Scalar.from_hex(v, f"{what}.{key}[{i}]") for i, v in enumerate(value))

        return cls(
            points("commitments", n),
            points("chain", n),
            Scalar.from_hex(data["challenge"], f"{what}.challenge"),
            Scalar.from_hex(data["s1"], f"{what}.s1"),
            Scalar.from_hex(data["s2"], f"{what}.s2"),
            Scalar.from_hex(data["s3"], f"{what}.s3"),
            scalars("s4", width),
            scalars("s_hat", n),
            scalars("s_prime", n),
        )


def _pool_map(fn: Callable[[Any], Any], tasks: Sequence[Any], workers: int) -> list[Any]:
    if workers <= 1 or len(tasks) <= 1:
        return [fn(t) for t in tasks]
    # "spawn": safe inside a threaded server process (a fork would copy held locks).
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        return list(pool.map(fn, tasks))


def _reencrypt_chunk(
    task: tuple[int, int, int, bytes, bytes, list[list[bytes]], list[list[int]], list[int]],
) -> tuple[list[list[bytes]], list[bytes], list[bytes]]:
    """Output rows start..stop (re-encrypted permuted input rows), their permutation
    commitments r·G + h_i and the generators h_i, as bytes."""
    start, stop, width, seed, y_bytes, permuted, rho, r_commit = task
    y = Point(y_bytes)
    hs = [hash_to_point(TAG_GENERATORS, seed + u64be(i + 1)) for i in range(start, stop)]
    out = []
    for row, rs in zip(permuted, rho, strict=True):
        out.append(
            [
                (Point(ct[:32]) + G * r).to_bytes() + (Point(ct[32:]) + y * r).to_bytes()
                for ct, r in zip(row, rs, strict=True)
            ]
        )
    commitments = [(G * r + h).to_bytes() for r, h in zip(r_commit, hs, strict=True)]
    return out, commitments, [h.to_bytes() for h in hs]


def _commit_chunk(
    task: tuple[int, list[bytes], list[list[bytes]], list[int], list[int], list[bytes]],
) -> tuple[bytes, list[bytes], list[bytes]]:
    """Σ ω'_i·h_i, Σ ω'_i·e'_{i,k} (α, β per column) and t̂_i over one slice."""
    width, hs, out, w_prime, w_hat, chain = task
    points = [Point(b) for b in chain]
    # One kernel call: Σ ω'·h, the 2·width column sums, then every t̂_i = ω̂_i·g + ω'_i·ĉ_{i-1}.
    msm_rows: list[tuple[Sequence[Point], Sequence[int]]] = [([Point(h) for h in hs], w_prime)]
    for k in range(width):
        msm_rows.append(([Point(r[k][:32]) for r in out], w_prime))
        msm_rows.append(([Point(r[k][32:]) for r in out], w_prime))
    msm_rows.extend(([G, points[i]], [w_hat[i], w_prime[i]]) for i in range(len(w_hat)))
    # ω', ω̂ are the prover's secret nonces: constant-time multiplication.
    res = [p.to_bytes() for p in kernel.multi_scalar_muls(msm_rows, secret=True)]
    return res[0], res[1 : 1 + 2 * width], res[1 + 2 * width :]


def shuffle(
    public_key: Point,
    rows: Rows,
    width: int,
    context: bytes,
    generator_seed: bytes,
    rng: Rng | None = None,
    permutation: Sequence[int] | None = None,
    *,
    workers: int = 1,
) -> tuple[list[list[Ciphertext]], ShuffleProof]:
    """Re-encrypt and permute ``rows``; returns the output rows and the proof.

    ``permutation[i]`` is the input row that output row i re-encrypts (drawn from the OS
    CSPRNG unless a test passes one). ``context`` binds the proof to one mix of one election
    (protocol.md §14.4 gives it); ``generator_seed`` names the election and question.
    Randomness is drawn first, in this order: ρ row by row, r for each output position, r̂,
    ω1, ω2, ω3, ω4, ω̂, ω'. ``workers`` > 1 spreads the per-row work over processes (only the
    commitment chain is sequential)."""
    draw = rng or Scalar.random
    n = len(rows)
    if n == 0:
        raise ValueError("nothing to shuffle")
    if permutation is None:
        order = list(range(n))
        secrets.SystemRandom().shuffle(order)
        permutation = order
    pi = list(permutation)
    if sorted(pi) != list(range(n)):
        raise ValueError("not a permutation")
    if n < PARALLEL_MIN:
        workers = 1
    y = public_key
    rho = [[draw().value for _ in range(width)] for _ in range(n)]
    r_out = [draw().value for _ in range(n)]  # r_{π(i)}, by output position i
    r_chain = [draw().value for _ in range(n)]
    w1, w2, w3 = draw().value, draw().value, draw().value
    w4 = [draw().value for _ in range(width)]
    w_hat = [draw().value for _ in range(n)]
    w_prime = [draw().value for _ in range(n)]
    size = n if workers <= 1 else max(1, -(-n // (workers * 4)))
    permuted = [[ct.alpha.to_bytes() + ct.beta.to_bytes() for ct in rows[pi[i]]] for i in range(n)]
    parts = _pool_map(
        _reencrypt_chunk,
        [
            (
                a,
                min(n, a + size),
                width,
                generator_seed,
                y.to_bytes(),
                permuted[a : a + size],
                rho[a : a + size],
                r_out[a : a + size],
            )
            for a in range(0, n, size)
        ],
        workers,
    )
    out_bytes = [row for part in parts for row in part[0]]
    hs_bytes = [h for part in parts for h in part[2]]
    commitments: list[Point] = [IDENTITY] * n
    for i, c_bytes in enumerate(b for part in parts for b in part[1]):
        commitments[pi[i]] = Point(c_bytes)
    r_commit = [0] * n
    for i in range(n):
        r_commit[pi[i]] = r_out[i]
    out = [[Ciphertext(Point(ct[:32]), Point(ct[32:])) for ct in row] for row in out_bytes]
    h0 = hash_to_point(TAG_GENERATORS, generator_seed + u64be(0))
    digest = _seed_digest(context, y, rows_hash(rows, width), rows_hash(out, width), commitments)
    u = _challenges(digest, n)
    u_out = [u[pi[i]] for i in range(n)]
    chain: list[Point] = []
    prev = h0
    for i in range(n):  # sequential by nature: each link builds on the previous one
        prev = G * r_chain[i] + prev * u_out[i]
        chain.append(prev)
    links = [h0.to_bytes()] + [p.to_bytes() for p in chain]
    parts2 = _pool_map(
        _commit_chunk,
        [
            (
                width,
                hs_bytes[a : a + size],
                out_bytes[a : a + size],
                w_prime[a : a + size],
                w_hat[a : a + size],
                links[a : a + size],
            )
            for a in range(0, n, size)
        ],
        workers,
    )
    h_part = IDENTITY
    t_hat: list[Point] = []
    sums = [IDENTITY] * (2 * width)
    for h_b, s_b, th_b in parts2:
        h_part = h_part + Point(h_b)
        sums = [acc + Point(b) for acc, b in zip(sums, s_b, strict=True)]
        t_hat.extend(Point(b) for b in th_b)
    t1, t2 = G * w1, G * w2
    t3 = G * w3 + h_part
    t4 = [(sums[2 * k] - G * w4[k], sums[2 * k + 1] - y * w4[k]) for k in range(width)]
    c = _challenge(digest, chain, t1, t2, t3, t4, t_hat)
    r_bar = sum(r_commit) % L
    v = [1] * n
    for i in range(n - 2, -1, -1):
        v[i] = v[i + 1] * u_out[i + 1] % L
    r_hat = sum(r_chain[i] * v[i] for i in range(n)) % L
    r_tilde = sum(r_commit[j] * u[j] for j in range(n)) % L
    r_prime = [sum(rho[i][k] * u_out[i] for i in range(n)) % L for k in range(width)]
    proof = ShuffleProof(
        commitments=tuple(commitments),
        chain=tuple(chain),
        challenge=Scalar(c),
        s1=Scalar(w1 - c * r_bar),
        s2=Scalar(w2 - c * r_hat),
        s3=Scalar(w3 - c * r_tilde),
        s4=tuple(Scalar(w4[k] - c * r_prime[k]) for k in range(width)),
        s_hat=tuple(Scalar(w_hat[i] - c * r_chain[i]) for i in range(n)),
        s_prime=tuple(Scalar(w_prime[i] - c * u_out[i]) for i in range(n)),
    )
    return out, proof


_Chunk = tuple[
    int,
    int,
    int,
    bytes,
    list[bytes],
    list[int],
    list[list[bytes]],
    list[list[bytes]],
    list[int],
    list[int],
    list[bytes],
    int,
]
"""(start, stop, width, generator seed, commitments, u, input rows, output rows (α‖β bytes),
s', ŝ, chain from start−1 (the first is h for start 0), c) — one slice of the rows."""


def _verify_chunk(task: _Chunk) -> tuple[bytes, list[bytes], bytes, list[bytes], list[bytes], bytes]:
    """The per-row sums of the verification over rows start..stop: Σ u_j·c_j, Σ u_j·e_{j,k},
    Σ s'_i·h_i, Σ s'_i·e'_{i,k} (α and β per column), each t̂_i and Σ (c_j − h_j) — all
    encoded as bytes so a process pool can carry them."""
    start, stop, width, seed, commitments, u, rows, output, s_prime, s_hat, chain, c = task
    hs = [hash_to_point(TAG_GENERATORS, seed + u64be(i + 1)) for i in range(start, stop)]
    cs = [Point(b) for b in commitments]
    points = [Point(b) for b in chain]
    # One kernel call: Σ u·c, Σ s'·h, the column sums, then each t̂_i = c·ĉ_i + ŝ_i·g + s'_i·ĉ_{i-1}.
    msm_rows: list[tuple[Sequence[Point], Sequence[int]]] = [(cs, u), (hs, s_prime)]
    for k in range(width):
        msm_rows.append(([Point(r[k][:32]) for r in rows], u))
        msm_rows.append(([Point(r[k][32:]) for r in rows], u))
        msm_rows.append(([Point(r[k][:32]) for r in output], s_prime))
        msm_rows.append(([Point(r[k][32:]) for r in output], s_prime))
    msm_rows.extend(([points[i + 1], G, points[i]], [c, s_hat[i], s_prime[i]]) for i in range(stop - start))
    res = [p.to_bytes() for p in kernel.multi_scalar_muls(msm_rows)]
    c_tilde, h_part = Point(res[0]), Point(res[1])
    cols = res[2 : 2 + 4 * width]
    e_sum = [b for k in range(width) for b in cols[4 * k : 4 * k + 2]]
    out_sum = [b for k in range(width) for b in cols[4 * k + 2 : 4 * k + 4]]
    t_hat = res[2 + 4 * width :]
    c_bar = IDENTITY
    for commitment, h in zip(cs, hs, strict=True):
        c_bar = c_bar + commitment - h
    return c_tilde.to_bytes(), e_sum, h_part.to_bytes(), out_sum, t_hat, c_bar.to_bytes()


def _as_bytes(rows: Rows) -> list[list[bytes]]:
    return [[ct.alpha.to_bytes() + ct.beta.to_bytes() for ct in row] for row in rows]


def verify_shuffle(
    public_key: Point,
    rows: Rows,
    output: Rows,
    width: int,
    proof: ShuffleProof,
    context: bytes,
    generator_seed: bytes,
    *,
    workers: int = 1,
) -> None:
    """Raise ``InvalidProof`` unless ``proof`` shows ``output`` is a re-encryption and
    permutation of ``rows`` under ``public_key``. Points of ``rows``/``output`` must already
    be validated (they come from ``Ciphertext.from_json``). ``workers`` > 1 spreads the
    per-row work (about 9 scalar multiplications a row) over that many processes."""
    n = len(rows)
    if n == 0 or len(output) != n:
        raise InvalidProof(f"a mix of {n} rows must output {n} rows, got {len(output)}")
    if (
        len(proof.commitments) != n
        or len(proof.chain) != n
        or len(proof.s_hat) != n
        or len(proof.s_prime) != n
        or len(proof.s4) != width
    ):
        raise InvalidProof("shuffle proof: wrong number of elements")
    y = public_key
    h0 = hash_to_point(TAG_GENERATORS, generator_seed + u64be(0))
    digest = _seed_digest(context, y, rows_hash(rows, width), rows_hash(output, width), proof.commitments)
    u = _challenges(digest, n)
    c = proof.challenge.value
    s_prime = [s.value for s in proof.s_prime]
    s_hat = [s.value for s in proof.s_hat]
    u_prod = 1
    for x in u:
        u_prod = u_prod * x % L
    chain = [h0, *proof.chain]
    if n < PARALLEL_MIN:
        workers = 1
    size = n if workers <= 1 else max(1, -(-n // (workers * 4)))
    in_bytes, out_bytes = _as_bytes(rows), _as_bytes(output)
    tasks: list[_Chunk] = [
        (
            a,
            min(n, a + size),
            width,
            generator_seed,
            [p.to_bytes() for p in proof.commitments[a : a + size]],
            u[a : a + size],
            in_bytes[a : a + size],
            out_bytes[a : a + size],
            s_prime[a : a + size],
            s_hat[a : a + size],
            [p.to_bytes() for p in chain[a : min(n, a + size) + 1]],
            c,
        )
        for a in range(0, n, size)
    ]
    parts = _pool_map(_verify_chunk, tasks, workers)
    c_tilde, h_part, c_bar = IDENTITY, IDENTITY, IDENTITY
    e_sum = [IDENTITY] * (2 * width)
    out_sum = [IDENTITY] * (2 * width)
    t_hat: list[Point] = []
    for ct_b, e_b, h_b, o_b, th_b, cb_b in parts:
        c_bar = c_bar + Point(cb_b)
        c_tilde = c_tilde + Point(ct_b)
        h_part = h_part + Point(h_b)
        e_sum = [a + Point(b) for a, b in zip(e_sum, e_b, strict=True)]
        out_sum = [a + Point(b) for a, b in zip(out_sum, o_b, strict=True)]
        t_hat.extend(Point(b) for b in th_b)
    c_hat = proof.chain[-1] - h0 * u_prod
    t1 = c_bar * c + G * proof.s1.value
    t2 = c_hat * c + G * proof.s2.value
    t3 = c_tilde * c + G * proof.s3.value + h_part
    t4 = []
    for k in range(width):
        s4 = proof.s4[k].value
        t4.append(
            (e_sum[2 * k] * c + out_sum[2 * k] - G * s4, e_sum[2 * k + 1] * c + out_sum[2 * k + 1] - y * s4)
        )
    if _challenge(digest, proof.chain, t1, t2, t3, t4, t_hat) != c:
        raise InvalidProof(
            "shuffle proof does not verify: the output is not shown to be a "
            "re-encryption and permutation of the input"
        )
