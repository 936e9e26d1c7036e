"""Non-interactive zero-knowledge proofs (docs/protocol.md §4).

All proofs are Σ-protocols made non-interactive with the *strong* Fiat–Shamir transform: the
challenge hashes a caller-supplied context (election fingerprint, voter credential, position in
the ballot, ...), the whole statement and every commitment. Proofs travel in
challenge/response form; the verifier recomputes the commitments from them and re-derives the
challenge, so no commitment point has to be decoded and validated. Exception: in ballot
version 2 a disjunctive proof also carries its commitments (§4.5), decoded without the
subgroup check, so that all equations of a ballot are checked as one cofactor-cleared random
linear combination (``verify_disjunctive_v2_many``).

* ``prove_dlog``/``verify_dlog``       — Schnorr proof of knowledge of x with X = g^x (§4.1).
* ``prove_eqdlog``/``verify_eqdlog``   — Chaum–Pedersen: log_g X = log_h Y (§4.2).
* ``prove_disjunctive``/``verify_disjunctive`` — a ciphertext encrypts one of a small list of
  values (CDS OR-composition of Chaum–Pedersen proofs, §4.3); ``prove_bit`` is {0, 1} and
  ``prove_range`` is {a, a+1, ..., b} (the range proof for sums, §4.4).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from . import kernel
from .elgamal import Ciphertext, Rng
from .encoding import bytes_from_hex
from .errors import InvalidEncoding, InvalidProof
from .group import G, L, Point, Scalar, base_mul, clear_cofactor, curve_point_ok, times_cofactor
from .hashing import HashItem, hash_to_int

TAG_DLOG = "scrutin/v1/dlog"
TAG_EQDLOG = "scrutin/v1/eqdlog"
TAG_DISJUNCTIVE = "scrutin/v1/disjunctive"

Context = Sequence[HashItem]

# g^m for the small plaintexts that disjunctive proofs use, computed once.
_SMALL_POWERS: dict[int, Point] = {}


def _g_pow(m: int) -> Point:
    p = _SMALL_POWERS.get(m)
    if p is None:
        p = base_mul(m)
        if len(_SMALL_POWERS) < 4096:
            _SMALL_POWERS[m] = p
    return p


def _scalar(value: object, what: str) -> int:
    return Scalar.from_hex(value, what).value  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class ChallengeResponse:
    """A Schnorr / Chaum–Pedersen proof ``(c, s)``; JSON ``{"challenge", "response"}``."""

    challenge: Scalar
    response: Scalar

    def to_json(self) -> dict[str, str]:
        return {"challenge": self.challenge.hex(), "response": self.response.hex()}

    @classmethod
    def from_json(cls, data: object, what: str = "proof") -> ChallengeResponse:
        if not isinstance(data, dict) or set(data) != {"challenge", "response"}:
            raise InvalidEncoding(f"{what}: expected an object with exactly 'challenge' and 'response'")
        return cls(
            Scalar(_scalar(data["challenge"], f"{what}.challenge")),
            Scalar(_scalar(data["response"], f"{what}.response")),
        )


@dataclass(frozen=True, slots=True)
class DisjunctiveProof:
    """One challenge and one response per allowed value; JSON ``{"challenges", "responses"}``.

    Ballot version 2 (§4.5) also carries the commitments ``(A_j, B_j)`` of every branch, as
    sent (32-byte encodings, not yet decoded): JSON ``{"commitments": [[A_0, B_0], ...],
    "challenges", "responses"}``."""

    challenges: tuple[Scalar, ...]
    responses: tuple[Scalar, ...]
    commitments: tuple[tuple[bytes, bytes], ...] | None = None

    def to_json(self) -> dict[str, list[str] | list[list[str]]]:
        out: dict[str, list[str] | list[list[str]]] = {
            "challenges": [c.hex() for c in self.challenges],
            "responses": [s.hex() for s in self.responses],
        }
        if self.commitments is not None:
            out["commitments"] = [[a.hex(), b.hex()] for a, b in self.commitments]
        return out

    @classmethod
    def from_json(
        cls, data: object, branches: int, what: str = "proof", *, commitments: bool = False
    ) -> DisjunctiveProof:
        """Strict parse; ``commitments`` (ballot version 2) requires the ``"commitments"`` key,
        otherwise it is refused. Commitments are only hex-decoded here: whether they are curve
        points is part of the proof check (``verify_disjunctive_many``)."""
        keys = {"challenges", "responses"} | ({"commitments"} if commitments else set())
        if not isinstance(data, dict) or set(data) != keys:
            names = " and ".join(f"'{k}'" for k in sorted(keys))
            raise InvalidEncoding(f"{what}: expected an object with exactly {names}")
        cs, ss = data["challenges"], data["responses"]
        if not isinstance(cs, list) or not isinstance(ss, list):
            raise InvalidEncoding(f"{what}: challenges and responses must be lists")
        if len(cs) != branches or len(ss) != branches:
            raise InvalidEncoding(
                f"{what}: expected {branches} challenges and responses, got {len(cs)} and {len(ss)}"
            )
        pairs: tuple[tuple[bytes, bytes], ...] | None = None
        if commitments:
            raw = data["commitments"]
            if not isinstance(raw, list) or len(raw) != branches:
                raise InvalidEncoding(f"{what}: commitments must be a list of {branches} pairs")
            parsed: list[tuple[bytes, bytes]] = []
            for j, pair in enumerate(raw):
                if not isinstance(pair, list) or len(pair) != 2:
                    raise InvalidEncoding(f"{what}.commitments[{j}]: expected a pair [A, B]")
                a, b = (bytes_from_hex(x, 32, f"{what}.commitments[{j}][{k}]") for k, x in enumerate(pair))
                parsed.append((a, b))
            pairs = tuple(parsed)
        return cls(
            tuple(Scalar(_scalar(c, f"{what}.challenges[{i}]")) for i, c in enumerate(cs)),
            tuple(Scalar(_scalar(s, f"{what}.responses[{i}]")) for i, s in enumerate(ss)),
            pairs,
        )


# --- Schnorr proof of knowledge of a discrete logarithm (§4.1) ---------------------------------


def prove_dlog(secret: Scalar, context: Context, rng: Rng | None = None) -> ChallengeResponse:
    """Prove knowledge of x with X = g^x.

    w ← rng; A = g^w; c = H("scrutin/v1/dlog", ctx..., X, A); s = w + c·x.
    """
    x = secret.value
    public = G * x
    w = (rng or Scalar.random)().value
    a = G * w
    c = hash_to_int(TAG_DLOG, *context, public, a)
    return ChallengeResponse(Scalar(c), Scalar(w + c * x))


def verify_dlog(
    public: Point, proof: ChallengeResponse, context: Context, what: str = "proof of knowledge"
) -> None:
    """Recompute A = g^s · X^-c and check c = H("scrutin/v1/dlog", ctx..., X, A)."""
    c = proof.challenge.value
    a = G * proof.response.value - public * c
    if hash_to_int(TAG_DLOG, *context, public, a) != c:
        raise InvalidProof(f"{what}: Schnorr proof does not verify")


# --- Chaum–Pedersen proof of equality of discrete logarithms (§4.2) ---------------------------


def prove_eqdlog(secret: Scalar, base: Point, context: Context, rng: Rng | None = None) -> ChallengeResponse:
    """Prove log_g X = log_h Y for X = g^x, Y = h^x (h = ``base``).

    w ← rng; A = g^w; B = h^w; c = H("scrutin/v1/eqdlog", ctx..., h, X, Y, A, B); s = w + c·x.
    """
    x = secret.value
    w = (rng or Scalar.random)().value
    c = hash_to_int(TAG_EQDLOG, *context, base, G * x, base * x, G * w, base * w)
    return ChallengeResponse(Scalar(c), Scalar(w + c * x))


def verify_eqdlog(
    public: Point,
    base: Point,
    image: Point,
    proof: ChallengeResponse,
    context: Context,
    what: str = "Chaum-Pedersen proof",
) -> None:
    """A = g^s · X^-c, B = h^s · Y^-c; check c = H("scrutin/v1/eqdlog", ctx..., h, X, Y, A, B)."""
    c = proof.challenge.value
    s = proof.response.value
    a = G * s - public * c
    b = base * s - image * c
    if hash_to_int(TAG_EQDLOG, *context, base, public, image, a, b) != c:
        raise InvalidProof(f"{what}: Chaum-Pedersen proof does not verify")


EqdlogStatement = tuple[Point, Point, Point, ChallengeResponse, Context, str]
"""The arguments of ``verify_eqdlog``: (X, h, Y, proof, context, what)."""


def verify_eqdlog_many(statements: Sequence[EqdlogStatement]) -> None:
    """``verify_eqdlog`` on each statement in order (the first failure raises the same error);
    on the native kernel all commitments A = s·g − c·X, B = s·h − c·Y in one call."""
    if kernel.native():
        rows: list[tuple[list[Point], list[int]]] = []
        for public, base, image, proof, _, _ in statements:
            c, s = proof.challenge.value, proof.response.value
            rows.append(([G, public], [s, L - c]))
            rows.append(([base, image], [s, L - c]))
        flat = kernel.multi_scalar_muls(rows)
    for n, (public, base, image, proof, context, what) in enumerate(statements):
        c = proof.challenge.value
        if kernel.native():
            a, b = flat[2 * n], flat[2 * n + 1]
        else:
            s = proof.response.value
            a = G * s - public * c
            b = base * s - image * c
        if hash_to_int(TAG_EQDLOG, *context, base, public, image, a, b) != c:
            raise InvalidProof(f"{what}: Chaum-Pedersen proof does not verify")


# --- Disjunctive proofs: the ciphertext encrypts one of `values` (§4.3, §4.4) ------------------


def _check_values(values: Sequence[int]) -> None:
    if not values:
        raise ValueError("a disjunctive proof needs at least one allowed value")
    if len(set(values)) != len(values):
        raise ValueError("allowed values must be distinct")
    for v in values:
        if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v < 1 << 64:
            raise ValueError(f"allowed value {v!r} is not an integer in [0, 2^64)")


def prove_disjunctive(
    public_key: Point,
    ciphertext: Ciphertext,
    values: Sequence[int],
    index: int,
    randomness: Scalar,
    context: Context,
    rng: Rng | None = None,
    *,
    commitments: bool = False,
) -> DisjunctiveProof:
    """Prove that ``ciphertext`` = Enc_y(values[index]; r) without revealing ``index``;
    ``commitments``: the proof also carries its commitments (ballot version 2, §4.5).

    Random draws, in this order: w (real branch), then for each simulated branch j ≠ index in
    increasing j: c_j, then s_j. Commitments: real branch A_i = g^w, B_i = y^w; simulated
    A_j = g^{s_j} α^{-c_j}, B_j = y^{s_j} (β / g^{v_j})^{-c_j}. Challenge
    c = H("scrutin/v1/disjunctive", ctx..., y, α, β, [v_0..v_{k-1}], [A_0, B_0, ..., A_{k-1},
    B_{k-1}]); c_i = c − Σ_{j≠i} c_j; s_i = w + c_i · r.
    """
    _check_values(values)
    draw = rng or Scalar.random
    r = randomness.value
    m = values[index]
    w = draw().value
    k = len(values)
    cs = [0] * k
    ss = [0] * k
    for j in range(k):
        if j != index:
            cs[j] = draw().value
            ss[j] = draw().value
    points: list[Point] = []
    for j in range(k):
        if j == index:
            points.append(G * w)
            points.append(public_key * w)
        else:
            # Knowing r, the simulated commitments need only one variable-base multiplication:
            # α^{-c} = g^{-rc} and (β/g^{v_j})^{-c} = g^{(v_j - m)c} · y^{-rc}.
            t = ss[j] - r * cs[j]
            points.append(G * t)
            points.append(public_key * t + base_mul((values[j] - m) * cs[j]))
    c = hash_to_int(
        TAG_DISJUNCTIVE,
        *context,
        public_key,
        ciphertext.alpha,
        ciphertext.beta,
        list(values),
        points,
    )
    cs[index] = (c - sum(cs)) % L
    ss[index] = (w + cs[index] * r) % L
    pairs = (
        tuple((points[2 * j].to_bytes(), points[2 * j + 1].to_bytes()) for j in range(k))
        if commitments
        else None
    )
    return DisjunctiveProof(tuple(Scalar(x) for x in cs), tuple(Scalar(x) for x in ss), pairs)


def verify_disjunctive(
    public_key: Point,
    ciphertext: Ciphertext,
    values: Sequence[int],
    proof: DisjunctiveProof,
    context: Context,
    what: str = "disjunctive proof",
) -> None:
    """Recompute A_j = g^{s_j} α^{-c_j}, B_j = y^{s_j} (β/g^{v_j})^{-c_j} for every j and check
    Σ c_j = H("scrutin/v1/disjunctive", ctx..., y, α, β, [v...], [A_0, B_0, ...]) mod ℓ."""
    verify_disjunctive_many([(public_key, ciphertext, values, proof, context, what)])


DisjunctiveStatement = tuple[Point, Ciphertext, Sequence[int], DisjunctiveProof, Context, str]
"""The arguments of ``verify_disjunctive``: (y, ciphertext, values, proof, context, what)."""


def _check_statement(values: Sequence[int], proof: DisjunctiveProof, what: str) -> None:
    _check_values(values)
    if len(proof.challenges) != len(values) or len(proof.responses) != len(values):
        raise InvalidProof(f"{what}: wrong number of branches")


def _reference_commitments(
    public_key: Point, ciphertext: Ciphertext, values: Sequence[int], proof: DisjunctiveProof
) -> list[Point]:
    alpha, beta = ciphertext.alpha, ciphertext.beta
    commitments: list[Point] = []
    for v, c_s, s_s in zip(values, proof.challenges, proof.responses, strict=True):
        c = c_s.value
        s = s_s.value
        beta_v = beta - _g_pow(v) if v else beta
        commitments.append(G * s - alpha * c)
        commitments.append(public_key * s - beta_v * c)
    return commitments


Sums = Mapping[bytes, Sequence[Point]]
"""Optional, for the batch check: a derived point (encoding) → the validated points it is the
sum of (a candidate proof's ciphertext is the sum of two slots, a sum proof's of all of them).
The batch then puts the derived point's coefficient on its summands: fewer distinct points in
the multi-scalar multiplication, the same result."""


def verify_disjunctive_many(statements: Sequence[DisjunctiveStatement], sums: Sums | None = None) -> None:
    """``verify_disjunctive`` on each statement in order (the first failure raises, with the same
    error as alone). Proofs without commitments (ballot version 1): on the native kernel all
    commitments of all statements (a whole ballot) are computed in one call,
    A_j = s_j·g − c_j·α and B_j = s_j·y − c_j·β + (c_j·v_j)·g. Proofs with commitments (version
    2, §4.5): ``verify_disjunctive_v2_many``."""
    for n, (_, _, values, proof, _, what) in enumerate(statements):
        try:
            _check_statement(values, proof, what)
        except (ValueError, InvalidProof):
            verify_disjunctive_many(statements[:n])  # earlier failures first, as one by one
            raise
    # Runs of the same form, in order (a ballot is all one version).
    start = 0
    for n in range(1, len(statements) + 1):
        if n == len(statements) or (statements[n][3].commitments is None) != (
            statements[start][3].commitments is None
        ):
            run = statements[start:n]
            if run and run[0][3].commitments is not None:
                verify_disjunctive_v2_many(run, sums)
            elif run:
                _verify_v1_many(run)
            start = n


def _verify_v1_many(statements: Sequence[DisjunctiveStatement]) -> None:
    use_kernel = kernel.native()
    if use_kernel:
        rows: list[tuple[list[Point], list[int]]] = []
        for y, ct, values, proof, _, _ in statements:
            for v, c_s, s_s in zip(values, proof.challenges, proof.responses, strict=True):
                c, s = c_s.value, s_s.value
                rows.append(([G, ct.alpha], [s, L - c]))
                rows.append(([y, ct.beta, G], [s, L - c, c * v % L]))
        flat = kernel.multi_scalar_muls(rows)
    pos = 0
    for y, ct, values, proof, context, what in statements:
        if use_kernel:
            commitments = flat[pos : pos + 2 * len(values)]
            pos += 2 * len(values)
        else:
            commitments = _reference_commitments(y, ct, values, proof)
        total = sum(c.value for c in proof.challenges)
        expected = hash_to_int(TAG_DISJUNCTIVE, *context, y, ct.alpha, ct.beta, list(values), commitments)
        if total % L != expected:
            raise InvalidProof(f"{what}: does not verify")


# --- version 2: proofs that carry their commitments, checked in batch (§4.5) -------------------

_AB = ("A", "B")


def _v2_cheap_error(statement: DisjunctiveStatement, decoded: Sequence[bool]) -> str | None:
    """The error of the checks that need no curve arithmetic: commitments decode (``decoded``,
    one bool per commitment A_0, B_0, A_1, ...; empty: not checked here), then the challenge
    sum."""
    y, ct, values, proof, context, what = statement
    assert proof.commitments is not None
    for n, ok in enumerate(decoded):
        if not ok:
            return (
                f"{what}: commitments[{n // 2}][{n % 2}] ({_AB[n % 2]}_{n // 2}) is not a "
                "canonical encoding of a curve point"
            )
    flat = [e for pair in proof.commitments for e in pair]
    expected = hash_to_int(TAG_DISJUNCTIVE, *context, y, ct.alpha, ct.beta, list(values), flat)
    if sum(c.value for c in proof.challenges) % L != expected:
        return f"{what}: does not verify (the challenges do not sum to the hash)"
    return None


def _equation_error(what: str, j: int, which: int) -> str:
    return f"{what}: does not verify (branch {j}: the {_AB[which]} equation fails)"


def _reference_v2_equations(statement: DisjunctiveStatement) -> str | None:
    """One equation at a time through crypto/group.py: 8·(s·g − c·α) = 8·A and
    8·(s·y − c·(β − v·g)) = 8·B for each branch."""
    y, ct, values, proof, _, what = statement
    assert proof.commitments is not None
    for j, (v, c_s, s_s, (a, b)) in enumerate(
        zip(values, proof.challenges, proof.responses, proof.commitments, strict=True)
    ):
        c, s = c_s.value, s_s.value
        if times_cofactor(G * s - ct.alpha * c) != clear_cofactor(a):
            return _equation_error(what, j, 0)
        beta_v = ct.beta - _g_pow(v) if v else ct.beta
        if times_cofactor(y * s - beta_v * c) != clear_cofactor(b):
            return _equation_error(what, j, 1)
    return None


def _coefficients(n: int) -> list[int]:
    """n random non-zero 128-bit coefficients from the OS CSPRNG (never from the input)."""
    raw = os.urandom(16 * n)
    return [int.from_bytes(raw[16 * i : 16 * i + 16], "little") or 1 for i in range(n)]


def _equation_terms(
    statement: DisjunctiveStatement, acc: dict[bytes, int], only: tuple[int, int] | None = None
) -> None:
    """Add z·(A − s·g + c·α) and z'·(B − s·y + c·β − (c·v)·g) of every branch (or of the one
    equation ``only`` = (branch, 0 for A / 1 for B)) to ``acc`` (coefficient per point). The
    signs put the short coefficient z on the commitment, which is then a 128-bit scalar: the
    multi-scalar multiplication spends about half the additions on it."""
    y, ct, values, proof, _, _ = statement
    assert proof.commitments is not None
    count = 2 * len(values) if only is None else 1
    zs = iter(_coefficients(count))
    g, yb, ab, bb = G.to_bytes(), y.to_bytes(), ct.alpha.to_bytes(), ct.beta.to_bytes()
    get = acc.get
    for j, (v, c_s, s_s, (a, b)) in enumerate(
        zip(values, proof.challenges, proof.responses, proof.commitments, strict=True)
    ):
        c, s = c_s.value, s_s.value
        if only is None or only == (j, 0):
            z = next(zs)
            acc[g] = get(g, 0) - z * s
            acc[ab] = get(ab, 0) + z * c
            acc[a] = get(a, 0) + z
        if only is None or only == (j, 1):
            z = next(zs)
            acc[yb] = get(yb, 0) - z * s
            acc[bb] = get(bb, 0) + z * c
            acc[g] = get(g, 0) - z * c * v
            acc[b] = get(b, 0) + z


def _batch_ok(statements: Sequence[DisjunctiveStatement], sums: Sums | None = None) -> bool:
    """All equations of ``statements`` in one random linear combination (one native call)."""
    acc: dict[bytes, int] = {}
    for st in statements:
        _equation_terms(st, acc)
    if sums:
        for derived in [b for b in acc if b in sums]:
            k = acc.pop(derived)
            for p in sums[derived]:
                b = p.to_bytes()
                acc[b] = acc.get(b, 0) + k
    return kernel.cofactor_zero(list(acc), [k % L for k in acc.values()])


def _first_failing(statements: Sequence[DisjunctiveStatement], sums: Sums | None = None) -> int:
    """Bisect a failed batch down to the first statement whose equations fail."""
    lo, hi = 0, len(statements)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if _batch_ok(statements[lo:mid], sums):
            lo = mid
        else:
            hi = mid
    return lo


def _kernel_v2_equations(statement: DisjunctiveStatement) -> str | None:
    """The first failing equation of one statement, one small batch per equation."""
    _, _, values, _, _, what = statement
    for j in range(len(values)):
        for which in (0, 1):
            acc: dict[bytes, int] = {}
            _equation_terms(statement, acc, (j, which))
            if not kernel.cofactor_zero(list(acc), [k % L for k in acc.values()]):
                return _equation_error(what, j, which)
    return None


def verify_disjunctive_v2_many(statements: Sequence[DisjunctiveStatement], sums: Sums | None = None) -> None:
    """Version-2 proofs (every proof carries its commitments), in order; the first failing one
    raises ``InvalidProof``. Per proof (§4.5): each commitment is a canonical encoding of a
    curve point (any order), Σ c_j = H(..., the commitments as sent), and for each branch
    8·(s·g − c·α − A) = 0 and 8·(s·y − c·β + (c·v)·g − B) = 0.

    Reference path: one equation at a time. Native kernel: optimistically, every challenge sum
    is checked (hashing needs no decoding) and all equations of all statements go into one
    random linear combination (128-bit coefficients from the OS CSPRNG), decoded and checked in
    one multi-scalar multiplication; that is the whole work for valid proofs. Otherwise the
    commitments are decoded in one call, the equations of the statements before the first
    cheap failure are batched again and a failed batch is bisected to the first failing
    statement, whose failing equation is then named — the same error as one by one."""
    for _, _, values, proof, _, what in statements:
        _check_statement(values, proof, what)
        if proof.commitments is None or len(proof.commitments) != len(values):
            raise InvalidProof(f"{what}: wrong number of commitments")
    if not kernel.native():
        for st in statements:
            commitments = st[3].commitments
            assert commitments is not None
            error = _v2_cheap_error(
                st, [curve_point_ok(e) for pair in commitments for e in pair]
            ) or _reference_v2_equations(st)
            if error is not None:
                raise InvalidProof(error)
        return
    if all(_v2_cheap_error(st, ()) is None for st in statements):  # every challenge sum holds
        try:
            if _batch_ok(statements, sums):
                return
        except ValueError:  # a commitment does not decode: find it below
            pass
    encodings = [e for st in statements for pair in st[3].commitments or () for e in pair]
    decoded = kernel.decode_points(encodings)
    first, cheap, pos = len(statements), None, 0
    for n, st in enumerate(statements):
        k = 2 * len(st[2])
        cheap = _v2_cheap_error(st, decoded[pos : pos + k])
        pos += k
        if cheap is not None:
            first = n
            break
    if first and not _batch_ok(statements[:first], sums):
        bad = statements[_first_failing(statements[:first], sums)]
        error = _kernel_v2_equations(bad)
        if error is None:  # a batch failed but its statement passes alone (probability ~2^-128)
            error = _reference_v2_equations(bad) or f"{bad[5]}: does not verify"
        raise InvalidProof(error)
    if cheap is not None:
        raise InvalidProof(cheap)


BIT_VALUES: tuple[int, int] = (0, 1)


def prove_bit(
    public_key: Point,
    ciphertext: Ciphertext,
    bit: int,
    randomness: Scalar,
    context: Context,
    rng: Rng | None = None,
    *,
    commitments: bool = False,
) -> DisjunctiveProof:
    """Disjunctive proof over {0, 1} (§4.3)."""
    if bit not in (0, 1):
        raise ValueError("bit must be 0 or 1")
    return prove_disjunctive(
        public_key, ciphertext, BIT_VALUES, bit, randomness, context, rng, commitments=commitments
    )


def verify_bit(
    public_key: Point,
    ciphertext: Ciphertext,
    proof: DisjunctiveProof,
    context: Context,
    what: str = "0/1 proof",
) -> None:
    verify_disjunctive(public_key, ciphertext, BIT_VALUES, proof, context, what)


def range_values(low: int, high: int) -> list[int]:
    """The allowed values of a range proof: [low, low+1, ..., high]."""
    if not 0 <= low <= high:
        raise ValueError(f"invalid range [{low}..{high}]")
    return list(range(low, high + 1))


def prove_range(
    public_key: Point,
    ciphertext: Ciphertext,
    low: int,
    high: int,
    value: int,
    randomness: Scalar,
    context: Context,
    rng: Rng | None = None,
    *,
    commitments: bool = False,
) -> DisjunctiveProof:
    """Range proof low ≤ m ≤ high: the disjunctive proof over [low..high] (§4.4).

    Ballot sums are bounded by the number of options, so the linear size is small.
    """
    if not low <= value <= high:
        raise ValueError(f"value {value} is outside [{low}..{high}]")
    return prove_disjunctive(
        public_key,
        ciphertext,
        range_values(low, high),
        value - low,
        randomness,
        context,
        rng,
        commitments=commitments,
    )


def verify_range(
    public_key: Point,
    ciphertext: Ciphertext,
    low: int,
    high: int,
    proof: DisjunctiveProof,
    context: Context,
    what: str = "range proof",
) -> None:
    verify_disjunctive(public_key, ciphertext, range_values(low, high), proof, context, what)
