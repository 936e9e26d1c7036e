"""Encrypted, proven and signed ballots (docs/protocol.md §5).

Three question kinds (``QuestionSpec.kind``):

* ``sonc`` — support / oppose / neutral per candidate. Two encrypted bits per candidate
  (support, oppose), each with a 0/1 proof, plus a 0/1 proof on their homomorphic sum
  ("candidate proof"), so (1, 1) is impossible. Tally slots: [c0_support, c0_oppose, c1_support,
  ...].
* ``approval`` — one encrypted bit per option with a 0/1 proof, and a range proof on the sum
  when ``min_selections > 0`` or ``max_selections < n_options``.
* ``plurality`` — approval with exactly one selection (range proof [1..1]).
* ``ranked`` — a ranking of the candidates (``crypto.ranked``): ``width(n)`` ElGamal
  ciphertexts of packed points, each with a proof of knowledge of its randomness. No tally
  slots: ranked answers are mixed and decrypted one by one (``crypto.shuffle``).

Every proof's challenge binds the election fingerprint, the voter's public credential, the
question index, the proof's purpose and position (``proof_context``). The ballot is signed
with the credential over its canonical JSON without the ``signature`` key. The tracker is the
SHA-256 of the canonical JSON of the whole signed ballot.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from . import ranked
from .credentials import CredentialKey, verify_signature
from .elgamal import Ciphertext, Rng, aggregate, encrypt
from .errors import CryptoError, InvalidBallot, InvalidChoices, InvalidEncoding
from .group import Point, Scalar
from .hashing import HashItem, canonical_json, canonical_member, canonical_object, sha256_hex
from .proofs import (
    BIT_VALUES,
    DisjunctiveProof,
    DisjunctiveStatement,
    prove_bit,
    prove_range,
    range_values,
    verify_disjunctive_many,
)

BALLOT_VERSION = 2
"""The version new ballots are made in: 2 = every disjunctive proof carries its commitments
(protocol §4.5, batch-verifiable); 1 = challenge/response only (records made before)."""
BALLOT_VERSIONS: tuple[int, ...] = (1, 2)
Kind = Literal["sonc", "approval", "plurality", "ranked"]
KINDS: tuple[str, ...] = ("sonc", "approval", "plurality", "ranked")

BALLOT_KEYS = frozenset({"version", "election_id", "fingerprint", "credential", "answers", "signature"})
SONC_KEYS = frozenset({"ciphertexts", "bit_proofs", "candidate_proofs"})
SELECTION_KEYS = frozenset({"ciphertexts", "bit_proofs", "sum_proof"})
RANKED_KEYS = frozenset({"ciphertexts", "proofs"})

SUPPORT, OPPOSE, NEUTRAL = 1, -1, 0


@dataclass(frozen=True)
class QuestionSpec:
    """What a ballot must contain for one question."""

    kind: Kind
    n_options: int
    min_selections: int = 0
    max_selections: int | None = None
    positions: tuple[int, ...] | None = None
    """Ranked questions: the candidates' stable positions (what a ranking encodes); by
    default 0..n-1."""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown question kind {self.kind!r}")
        if isinstance(self.n_options, bool) or not isinstance(self.n_options, int):
            raise ValueError("n_options must be an int")
        if self.n_options < 1:
            raise ValueError("a question needs at least one option")
        if self.kind == "approval":
            hi = self.n_options if self.max_selections is None else self.max_selections
            if not 0 <= self.min_selections <= hi <= self.n_options:
                raise ValueError(
                    f"approval: need 0 <= min_selections <= max_selections <= n_options, got "
                    f"{self.min_selections}..{self.max_selections} of {self.n_options}"
                )
        elif self.kind == "plurality":
            if (self.min_selections, self.max_selections) not in ((0, None), (1, 1)):
                raise ValueError("plurality: exactly one selection; leave min/max unset")
        elif (self.min_selections, self.max_selections) != (0, None):
            raise ValueError(f"{self.kind}: min_selections/max_selections do not apply")
        if self.kind == "ranked":
            positions = tuple(range(self.n_options)) if self.positions is None else tuple(self.positions)
            if (
                len(positions) != self.n_options
                or len(set(positions)) != len(positions)
                or any(not 0 <= p <= ranked.MAX_POSITION for p in positions)
            ):
                raise ValueError(
                    f"ranked: positions must be distinct, one per candidate, in 0..{ranked.MAX_POSITION}"
                )
            object.__setattr__(self, "positions", positions)
        elif self.positions is not None:
            raise ValueError("positions apply to ranked questions only")

    @property
    def n_slots(self) -> int:
        """Number of ciphertexts per ballot for this question (tally slots, or for a ranked
        question the packed chunks, which are mixed rather than summed)."""
        if self.kind == "ranked":
            return ranked.width(self.n_options)
        return 2 * self.n_options if self.kind == "sonc" else self.n_options

    def sum_range(self) -> tuple[int, int] | None:
        """The [low, high] the range proof shows for the number of selections, or None."""
        if self.kind == "plurality":
            return (1, 1)
        if self.kind == "approval":
            hi = self.n_options if self.max_selections is None else self.max_selections
            if self.min_selections > 0 or hi < self.n_options:
                return (self.min_selections, hi)
        return None


@dataclass(frozen=True)
class BallotContext:
    """Everything needed to encrypt or verify a ballot of one election."""

    election_id: str
    fingerprint: str
    public_key: Point
    questions: tuple[QuestionSpec, ...]

    def __post_init__(self) -> None:
        if not isinstance(self.election_id, str) or not self.election_id:
            raise ValueError("election_id must be a non-empty string")
        try:
            from .encoding import bytes_from_hex

            bytes_from_hex(self.fingerprint, 32, "fingerprint")
        except InvalidEncoding as exc:
            raise ValueError(str(exc)) from None
        if not isinstance(self.public_key, Point) or self.public_key.is_identity():
            raise ValueError("public_key must be a non-identity Point")
        object.__setattr__(self, "questions", tuple(self.questions))
        if not self.questions:
            raise ValueError("an election needs at least one question")

    @property
    def fingerprint_bytes(self) -> bytes:
        return bytes.fromhex(self.fingerprint)


@dataclass(frozen=True)
class VerifiedBallot:
    """A ballot that passed ``verify_ballot``: what the tally needs from it."""

    credential: Point
    tracker: str
    ciphertexts: list[list[Ciphertext]]


def proof_context(
    fingerprint: bytes, credential: Point, question: int, purpose: str, index: int
) -> tuple[HashItem, ...]:
    """The context items every ballot proof hashes first (§5.3):
    (fingerprint bytes, credential X, question index, purpose ∈ {"bit", "candidate", "sum"},
    index)."""
    return (fingerprint, credential, question, purpose, index)


def ballot_tracker(ballot: dict[str, object]) -> str:
    """hex(SHA-256(canonical_json(ballot))) over the whole signed ballot (§5.5)."""
    return sha256_hex(canonical_json(ballot))


def signed_payload(ballot: dict[str, object]) -> bytes:
    """What the credential signs: canonical JSON of the ballot without ``signature``."""
    return canonical_json({k: v for k, v in ballot.items() if k != "signature"})


# --- encryption ---------------------------------------------------------------------------------


def check_choices(
    ctx: BallotContext, choices: object, error: type[CryptoError] = InvalidChoices, prefix: str = ""
) -> list[list[int]]:
    """The voter's choices, checked against the questions (S/O/N: 1, −1, 0 per candidate;
    approval/plurality: 0/1 per option, within the selection limits). Raises ``error``
    (``InvalidChoices`` for the encrypting voter, ``InvalidAudit`` for an audit record)."""
    if not isinstance(choices, list | tuple) or len(choices) != len(ctx.questions):
        got = len(choices) if isinstance(choices, list | tuple) else type(choices).__name__
        raise error(f"{prefix}expected choices for {len(ctx.questions)} questions, got {got}")
    out: list[list[int]] = []
    for q, (spec, ch) in enumerate(zip(ctx.questions, choices, strict=True)):
        if spec.kind == "ranked":
            # A ranking: candidate indices (into this ballot's list), most preferred first.
            if (
                not isinstance(ch, list | tuple)
                or len(ch) > spec.n_options
                or any(
                    isinstance(v, bool) or not isinstance(v, int) or not 0 <= v < spec.n_options for v in ch
                )
                or len(set(ch)) != len(ch)
            ):
                raise error(
                    f"{prefix}question {q}: a ranking lists distinct candidate indices "
                    f"0..{spec.n_options - 1}, got {ch!r}"
                )
            out.append(list(ch))
            continue
        if not isinstance(ch, list | tuple) or len(ch) != spec.n_options:
            got = len(ch) if isinstance(ch, list | tuple) else type(ch).__name__
            raise error(f"{prefix}question {q}: expected {spec.n_options} values, got {got}")
        allowed = (SUPPORT, OPPOSE, NEUTRAL) if spec.kind == "sonc" else (0, 1)
        for i, v in enumerate(ch):
            if isinstance(v, bool) or not isinstance(v, int) or v not in allowed:
                raise error(f"{prefix}question {q}, option {i}: value {v!r} not in {sorted(allowed)}")
        bounds = spec.sum_range()
        if bounds is not None and not bounds[0] <= sum(ch) <= bounds[1]:
            raise error(f"{prefix}question {q}: {sum(ch)} selections, allowed {bounds[0]}..{bounds[1]}")
        out.append(list(ch))
    return out


def encrypt_ballot(
    ctx: BallotContext,
    choices: Sequence[Sequence[int]],
    credential: CredentialKey,
    *,
    rng: Rng | None = None,
    version: int = BALLOT_VERSION,
) -> dict[str, object]:
    """Encrypt, prove and sign; returns the JSON-ready ballot (§5.2 gives the draw order).
    ``version`` 1 makes the old form (tests of old records; the draws are the same)."""
    if version not in BALLOT_VERSIONS:
        raise ValueError(f"unsupported ballot version {version!r}")
    v2 = version == 2
    check_choices(ctx, choices)
    draw = rng or Scalar.random
    y = ctx.public_key
    fp = ctx.fingerprint_bytes
    cred = credential.public
    answers: list[dict[str, object]] = []
    for q, (spec, ch) in enumerate(zip(ctx.questions, choices, strict=True)):
        cts: list[Ciphertext] = []
        bit_proofs: list[DisjunctiveProof] = []
        if spec.kind == "ranked":
            assert spec.positions is not None
            answer: dict[str, object] = dict(
                ranked.encrypt_ranking(
                    y, [spec.positions[i] for i in ch], spec.n_options, fp, cred, q, draw
                ).to_json()
            )
            answers.append(answer)
        elif spec.kind == "sonc":
            candidate_proofs: list[DisjunctiveProof] = []
            for i, v in enumerate(ch):
                bits = (1 if v == SUPPORT else 0, 1 if v == OPPOSE else 0)
                rs: list[Scalar] = []
                for half, bit in enumerate(bits):
                    slot = 2 * i + half
                    r = draw()
                    ct = encrypt(y, bit, r)
                    bit_proofs.append(
                        prove_bit(
                            y, ct, bit, r, proof_context(fp, cred, q, "bit", slot), draw, commitments=v2
                        )
                    )
                    cts.append(ct)
                    rs.append(r)
                pair = cts[-2] + cts[-1]
                candidate_proofs.append(
                    prove_bit(
                        y,
                        pair,
                        bits[0] + bits[1],
                        rs[0] + rs[1],
                        proof_context(fp, cred, q, "candidate", i),
                        draw,
                        commitments=v2,
                    )
                )
            answers.append(
                {
                    "ciphertexts": [c.to_json() for c in cts],
                    "bit_proofs": [p.to_json() for p in bit_proofs],
                    "candidate_proofs": [p.to_json() for p in candidate_proofs],
                }
            )
        else:
            total_r = Scalar(0)
            for i, bit in enumerate(ch):
                r = draw()
                ct = encrypt(y, bit, r)
                bit_proofs.append(
                    prove_bit(y, ct, bit, r, proof_context(fp, cred, q, "bit", i), draw, commitments=v2)
                )
                cts.append(ct)
                total_r = total_r + r
            bounds = spec.sum_range()
            sum_proof: dict[str, list[str] | list[list[str]]] | None = None
            if bounds is not None:
                sum_proof = prove_range(
                    y,
                    aggregate(cts),
                    bounds[0],
                    bounds[1],
                    sum(ch),
                    total_r,
                    proof_context(fp, cred, q, "sum", 0),
                    draw,
                    commitments=v2,
                ).to_json()
            answers.append(
                {
                    "ciphertexts": [c.to_json() for c in cts],
                    "bit_proofs": [p.to_json() for p in bit_proofs],
                    "sum_proof": sum_proof,
                }
            )
    ballot: dict[str, object] = {
        "version": version,
        "election_id": ctx.election_id,
        "fingerprint": ctx.fingerprint,
        "credential": cred.hex(),
        "answers": answers,
    }
    ballot["signature"] = credential.sign(signed_payload(ballot), fp, draw)
    return ballot


# --- verification -------------------------------------------------------------------------------


def _list(value: object, length: int, what: str) -> list[object]:
    if not isinstance(value, list):
        raise InvalidBallot(f"{what}: expected a list")
    if len(value) != length:
        raise InvalidBallot(f"{what}: expected {length} entries, got {len(value)}")
    return value


def _slot_name(spec: QuestionSpec, slot: int) -> str:
    if spec.kind == "sonc":
        return f"candidate {slot // 2} {'support' if slot % 2 == 0 else 'oppose'}"
    return f"option {slot}"


ParsedAnswer = tuple[list[Ciphertext], list[DisjunctiveProof], list[DisjunctiveProof]] | ranked.RankedAnswer
"""One question of a parsed ballot: slot ciphertexts, their 0/1 proofs, and the candidate
proofs (S/O/N) or the sum proof (approval/plurality with limits)."""


def parse_ballot(
    ctx: BallotContext,
    ballot: object,
    credential_public: Point | None = None,
    *,
    signed: bool = True,
) -> tuple[Point, list[ParsedAnswer]]:
    """§5.6 steps 1–2: strict structure and encodings, election id / fingerprint / credential.

    ``signed=False`` parses the unsigned ballot of an audit record (same keys minus
    ``signature``); nothing is verified cryptographically here."""
    if not isinstance(ballot, dict):
        raise InvalidBallot("ballot: expected a JSON object")
    keys_expected = BALLOT_KEYS if signed else BALLOT_KEYS - {"signature"}
    if set(ballot) != keys_expected:
        missing = sorted(keys_expected - set(ballot))
        unexpected = sorted(set(ballot) - keys_expected)
        raise InvalidBallot(f"ballot: wrong keys (missing {missing}, unexpected {unexpected})")
    version = ballot["version"]
    if isinstance(version, bool) or version not in BALLOT_VERSIONS:
        raise InvalidBallot(f"ballot: unsupported version {version!r}")
    v2 = version == 2
    if ballot["election_id"] != ctx.election_id:
        raise InvalidBallot("ballot: election_id does not match this election")
    if ballot["fingerprint"] != ctx.fingerprint:
        raise InvalidBallot("ballot: fingerprint does not match this election")
    raw_credential = ballot["credential"]
    if not isinstance(raw_credential, str):
        raise InvalidBallot("ballot.credential: expected a hex string")
    credential = Point.from_hex(raw_credential, what="ballot.credential")
    if credential_public is not None and credential != credential_public:
        raise InvalidBallot("ballot: credential is not the expected voter credential")

    answers = _list(ballot["answers"], len(ctx.questions), "ballot.answers")
    parsed: list[ParsedAnswer] = []
    for q, (spec, answer) in enumerate(zip(ctx.questions, answers, strict=True)):
        where = f"answers[{q}]"
        if spec.kind == "ranked":
            parsed.append(ranked.parse_ranked_answer(answer, spec.n_slots, where))
            continue
        keys = SONC_KEYS if spec.kind == "sonc" else SELECTION_KEYS
        if not isinstance(answer, dict) or set(answer) != keys:
            raise InvalidBallot(f"{where}: expected an object with keys {sorted(keys)}")
        raw_cts = _list(answer["ciphertexts"], spec.n_slots, f"{where}.ciphertexts")
        raw_bits = _list(answer["bit_proofs"], spec.n_slots, f"{where}.bit_proofs")
        cts = [
            Ciphertext.from_json(c, what=f"{where}.ciphertexts[{i}] ({_slot_name(spec, i)})")
            for i, c in enumerate(raw_cts)
        ]
        bits = [
            DisjunctiveProof.from_json(
                p, 2, f"{where}.bit_proofs[{i}] ({_slot_name(spec, i)})", commitments=v2
            )
            for i, p in enumerate(raw_bits)
        ]
        extra: list[DisjunctiveProof] = []
        if spec.kind == "sonc":
            raw_pairs = _list(answer["candidate_proofs"], spec.n_options, f"{where}.candidate_proofs")
            extra = [
                DisjunctiveProof.from_json(
                    p, 2, f"{where}.candidate_proofs[{i}] (candidate {i})", commitments=v2
                )
                for i, p in enumerate(raw_pairs)
            ]
        else:
            bounds = spec.sum_range()
            if bounds is None:
                if answer["sum_proof"] is not None:
                    raise InvalidBallot(f"{where}.sum_proof: must be null for this question")
            else:
                extra = [
                    DisjunctiveProof.from_json(
                        answer["sum_proof"],
                        bounds[1] - bounds[0] + 1,
                        f"{where}.sum_proof",
                        commitments=v2,
                    )
                ]
        parsed.append((cts, bits, extra))
    return credential, parsed


def verify_proofs(ctx: BallotContext, credential: Point, parsed: list[ParsedAnswer]) -> None:
    """§5.6 step 4: every 0/1, candidate and sum proof, with the contexts of §5.3 (bound to
    ``credential``)."""
    fp = ctx.fingerprint_bytes
    y = ctx.public_key
    # Every disjunctive proof of the ballot is checked in one batch (one native kernel call);
    # a ranked answer flushes the batch first, so the first failure is the same as one by one.
    batch: list[DisjunctiveStatement] = []
    sums: dict[bytes, list[Point]] = {}  # derived ciphertext points → their slots (the batch)

    def derived(ct: Ciphertext, parts: Sequence[Ciphertext]) -> Ciphertext:
        sums[ct.alpha.to_bytes()] = [c.alpha for c in parts]
        sums[ct.beta.to_bytes()] = [c.beta for c in parts]
        return ct

    for q, (spec, answer) in enumerate(zip(ctx.questions, parsed, strict=True)):
        where = f"answers[{q}]"
        if isinstance(answer, ranked.RankedAnswer):
            verify_disjunctive_many(batch, sums)
            batch = []
            ranked.verify_ranked_answer(answer, fp, credential, q, where)
            continue
        cts, bits, extra = answer
        for i, (ct, proof) in enumerate(zip(cts, bits, strict=True)):
            batch.append(
                (
                    y,
                    ct,
                    BIT_VALUES,
                    proof,
                    proof_context(fp, credential, q, "bit", i),
                    f"{where}.bit_proofs[{i}] (question {q}, {_slot_name(spec, i)})",
                )
            )
        if spec.kind == "sonc":
            for i, proof in enumerate(extra):
                batch.append(
                    (
                        y,
                        derived(cts[2 * i] + cts[2 * i + 1], cts[2 * i : 2 * i + 2]),
                        BIT_VALUES,
                        proof,
                        proof_context(fp, credential, q, "candidate", i),
                        f"{where}.candidate_proofs[{i}] (question {q}, candidate {i}: "
                        "support and oppose both set)",
                    )
                )
        elif extra:
            lo, hi = spec.sum_range() or (0, 0)
            batch.append(
                (
                    y,
                    derived(aggregate(cts), cts),
                    range_values(lo, hi),
                    extra[0],
                    proof_context(fp, credential, q, "sum", 0),
                    f"{where}.sum_proof (question {q}: number of selections not in {lo}..{hi})",
                )
            )
    verify_disjunctive_many(batch, sums)


def verify_ballot(
    ctx: BallotContext, ballot: dict[str, object], credential_public: Point | None = None
) -> VerifiedBallot:
    """Check a ballot completely; raise a ``CryptoError`` subclass naming what failed.

    Order: structure and encodings, election id / fingerprint / credential, signature, then
    every proof (the cheap checks first, so garbage is rejected before any expensive work).
    """
    credential, parsed = parse_ballot(ctx, ballot, credential_public)
    # signed_payload(ballot) and ballot_tracker(ballot), each member serialised once.
    members = {k: canonical_member(k, v) for k, v in ballot.items() if k != "signature"}
    try:
        verify_signature(
            credential,
            canonical_object(members),
            ballot["signature"],  # type: ignore[arg-type]
            ctx.fingerprint_bytes,
        )
    except CryptoError as exc:
        raise type(exc)(f"ballot.signature: {exc}") from None
    verify_proofs(ctx, credential, parsed)
    members["signature"] = canonical_member("signature", ballot["signature"])
    return VerifiedBallot(
        credential=credential,
        tracker=sha256_hex(canonical_object(members)),
        ciphertexts=[list(a.ciphertexts) if isinstance(a, ranked.RankedAnswer) else a[0] for a in parsed],
    )
