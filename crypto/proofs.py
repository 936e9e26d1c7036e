"""Non-interactive zero-knowledge proofs (docs/protocol.md §4).

All proofs are Σ-protocols made non-interactive with the *strong* Fiat–Shamir transform: the
challenge hashes a caller-supplied context (election fingerprint, voter credential, position in
the ballot, ...), the whole statement and every commitment. Proofs travel in
challenge/response form; the verifier recomputes the commitments from them and re-derives the
challenge, so no commitment point has to be decoded and validated.

* ``prove_dlog``/``verify_dlog``       — Schnorr proof of knowledge of x with X = g^x (§4.1).
* ``prove_eqdlog``/``verify_eqdlog``   — Chaum–Pedersen: log_g X = log_h Y (§4.2).
* ``prove_disjunctive``/``verify_disjunctive`` — a ciphertext encrypts one of a small list of
  values (CDS OR-composition of Chaum–Pedersen proofs, §4.3); ``prove_bit`` is {0, 1} and
  ``prove_range`` is {a, a+1, ..., b} (the range proof for sums, §4.4).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from . import kernel
from .elgamal import Ciphertext, Rng
from .errors import InvalidEncoding, InvalidProof
from .group import G, L, Point, Scalar, base_mul
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
    """One challenge and one response per allowed value; JSON ``{"challenges", "responses"}``."""

    challenges: tuple[Scalar, ...]
    responses: tuple[Scalar, ...]

    def to_json(self) -> dict[str, list[str]]:
        return {
            "challenges": [c.hex() for c in self.challenges],
            "responses": [s.hex() for s in self.responses],
        }

    @classmethod
    def from_json(cls, data: object, branches: int, what: str = "proof") -> DisjunctiveProof:
        if not isinstance(data, dict) or set(data) != {"challenges", "responses"}:
            raise InvalidEncoding(f"{what}: expected an object with exactly 'challenges' and 'responses'")
        cs, ss = data["challenges"], data["responses"]
        if not isinstance(cs, list) or not isinstance(ss, list):
            raise InvalidEncoding(f"{what}: challenges and responses must be lists")
        if len(cs) != branches or len(ss) != branches:
            raise InvalidEncoding(
                f"{what}: expected {branches} challenges and responses, got {len(cs)} and {len(ss)}"
            )
        return cls(
            tuple(Scalar(_scalar(c, f"{what}.challenges[{i}]")) for i, c in enumerate(cs)),
            tuple(Scalar(_scalar(s, f"{what}.responses[{i}]")) for i, s in enumerate(ss)),
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
) -> DisjunctiveProof:
    """Prove that ``ciphertext`` = Enc_y(values[index]; r) without revealing ``index``.

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
    commitments: list[Point] = []
    for j in range(k):
        if j == index:
            commitments.append(G * w)
            commitments.append(public_key * w)
        else:
            # Knowing r, the simulated commitments need only one variable-base multiplication:
            # α^{-c} = g^{-rc} and (β/g^{v_j})^{-c} = g^{(v_j - m)c} · y^{-rc}.
            t = ss[j] - r * cs[j]
            commitments.append(G * t)
            commitments.append(public_key * t + base_mul((values[j] - m) * cs[j]))
    c = hash_to_int(
        TAG_DISJUNCTIVE,
        *context,
        public_key,
        ciphertext.alpha,
        ciphertext.beta,
        list(values),
        commitments,
    )
    cs[index] = (c - sum(cs)) % L
    ss[index] = (w + cs[index] * r) % L
    return DisjunctiveProof(tuple(Scalar(x) for x in cs), tuple(Scalar(x) for x in ss))


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


def _reference_commitments(public_key: Point, ciphertext: Ciphertext, values: Sequence[int],
                           proof: DisjunctiveProof) -> list[Point]:
    alpha, beta = ciphertext.alpha, ciphertext.beta
    commitments: list[Point] = []
    for v, c_s, s_s in zip(values, proof.challenges, proof.responses, strict=True):
        c = c_s.value
        s = s_s.value
        beta_v = beta - _g_pow(v) if v else beta
        commitments.append(G * s - alpha * c)
        commitments.append(public_key * s - beta_v * c)
    return commitments


def verify_disjunctive_many(statements: Sequence[DisjunctiveStatement]) -> None:
    """``verify_disjunctive`` on each statement in order (the first failure raises, with the same
    error as alone). On the native kernel all commitments of all statements (a whole ballot) are
    computed in one call: A_j = s_j·g − c_j·α and B_j = s_j·y − c_j·β + (c_j·v_j)·g."""
    for n, (_, _, values, proof, _, what) in enumerate(statements):
        try:
            _check_statement(values, proof, what)
        except (ValueError, InvalidProof):
            verify_disjunctive_many(statements[:n])  # earlier failures first, as one by one
            raise
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


BIT_VALUES: tuple[int, int] = (0, 1)


def prove_bit(
    public_key: Point,
    ciphertext: Ciphertext,
    bit: int,
    randomness: Scalar,
    context: Context,
    rng: Rng | None = None,
) -> DisjunctiveProof:
    """Disjunctive proof over {0, 1} (§4.3)."""
    if bit not in (0, 1):
        raise ValueError("bit must be 0 or 1")
    return prove_disjunctive(public_key, ciphertext, BIT_VALUES, bit, randomness, context, rng)


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
) -> DisjunctiveProof:
    """Range proof low ≤ m ≤ high: the disjunctive proof over [low..high] (§4.4).

    Ballot sums are bounded by the number of options, so the linear size is small.
    """
    if not low <= value <= high:
        raise ValueError(f"value {value} is outside [{low}..{high}]")
    return prove_disjunctive(
        public_key, ciphertext, range_values(low, high), value - low, randomness, context, rng
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
