"""Cast-or-audit records (docs/protocol.md §13, docs/booth-crypto.md "Cast-or-audit").

The booth encrypts the voter's choices, shows the ballot's commitment and tracker, and the voter
either casts the ballot or audits it. An audited ballot is never cast: the booth reveals the
**audit record** — the ballot *without its signature*, the choices and the ElGamal randomness of
every ciphertext — and encrypts the choices again with fresh randomness.

``verify_audit`` is the independent checker (the JavaScript twin is ``verifyAudit`` in
``admin_ui/static/js/crypto/audit.js``): it re-encrypts every slot from the revealed randomness
and compares, re-checks every proof for the ballot's credential and returns the choices. It
needs no signature and no tracker of a cast ballot.

Why no signature: the server accepts any well-formed ballot signed with a registered credential
and the last ballot counts, so a record holding the signed ballot (format v1) let whoever
obtained it cast the audited ballot as the voter's, superseding the real one. A v2 record holds
no signature and nothing from which one can be made (the ElGamal randomness is unrelated to the
credential key), and its proofs are bound to the voter's credential, so its ciphertexts cannot
be re-signed under another credential either. The commitment — SHA-256 of the ballot's signed
payload, i.e. of the unsigned ballot — is what binds the record to what the booth displayed; the
tracker hashes the signature and is carried only as a label.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence

from .ballots import (
    BALLOT_KEYS,
    BALLOT_VERSION,
    OPPOSE,
    SELECTION_KEYS,
    SONC_KEYS,
    SUPPORT,
    BallotContext,
    QuestionSpec,
    ballot_tracker,
    proof_context,
    signed_payload,
)
from .elgamal import Ciphertext, aggregate, encrypt
from .encoding import bytes_from_hex
from .errors import CryptoError, InvalidAudit, InvalidBallot
from .group import Point, Scalar
from .hashing import sha256_hex
from .proofs import DisjunctiveProof, verify_bit, verify_range

AUDIT_TYPE = "scrutin/v2/ballot-audit"
AUDIT_TYPE_V1 = "scrutin/v1/ballot-audit"
"""v1 records carried the signed (castable) ballot; they are refused."""

AUDIT_KEYS = frozenset({"type", "tracker", "commitment", "ballot", "choices", "randomness"})
UNSIGNED_BALLOT_KEYS = BALLOT_KEYS - {"signature"}

_Parsed = tuple[list[Ciphertext], list[DisjunctiveProof], list[DisjunctiveProof]]


def ballot_commitment(ballot: Mapping[str, object]) -> str:
    """hex(SHA-256(canonical_json(ballot without "signature"))) = sha256 of the signed payload.

    Equal for a signed ballot and for the unsigned ballot of its audit record."""
    return sha256_hex(signed_payload(dict(ballot)))


def audit_record(
    ballot: Mapping[str, object],
    choices: Sequence[Sequence[int]],
    randomness: Sequence[Sequence[Scalar]],
) -> dict[str, object]:
    """The v2 audit record of a signed ballot (what the booth's ``prepareBallot`` returns as
    ``audit``): the signature is dropped, ``tracker`` is the signed ballot's tracker (a label),
    ``randomness[q][k]`` the ``r`` of ``ballot.answers[q].ciphertexts[k]``."""
    if "signature" not in ballot:
        raise ValueError("audit_record: expects the signed ballot (its tracker is recorded)")
    unsigned = copy.deepcopy({k: v for k, v in ballot.items() if k != "signature"})
    return {
        "type": AUDIT_TYPE,
        "tracker": ballot_tracker(dict(ballot)),
        "commitment": ballot_commitment(unsigned),
        "ballot": unsigned,
        "choices": [list(ch) for ch in choices],
        "randomness": [[r.hex() for r in rs] for rs in randomness],
    }


def verify_audit(
    ctx: BallotContext, audit: object, credential_public: Point | None = None
) -> list[list[int]]:
    """Check a cast-or-audit record; return the revealed choices (one list per question).

    In order: exactly the keys of a v2 record, its ``type``, ``tracker`` and ``commitment`` 64
    lowercase hex digits; ``ballot`` is a §5.4 ballot **without** ``signature`` for this election
    (and for ``credential_public`` when given); ``commitment`` is its hash; the choices fit the
    questions; for every slot ``Enc_y(bit; r) = (g^r, g^bit · y^r)`` equals the ballot's
    ciphertext; every 0/1, candidate and sum proof verifies for the ballot's credential.

    Raises ``InvalidAudit`` naming the failing element. The tracker cannot be re-checked (it
    hashes the signature the record omits); compare the commitment with what the booth showed.
    """
    try:
        return _verify(ctx, audit, credential_public)
    except InvalidAudit:
        raise
    except CryptoError as exc:
        raise InvalidAudit(f"audit record: {exc}") from exc


def _verify(ctx: BallotContext, audit: object, credential_public: Point | None) -> list[list[int]]:
    if not isinstance(audit, dict):
        raise InvalidAudit("audit record: expected a JSON object")
    if audit.get("type") == AUDIT_TYPE_V1:
        raise InvalidAudit(
            f"audit record: {AUDIT_TYPE_V1!r} records contain a signed, castable ballot and are no "
            f"longer accepted; audit again to get a {AUDIT_TYPE!r} record"
        )
    if set(audit) != AUDIT_KEYS:
        raise InvalidAudit(
            "audit record: expected keys 'type', 'tracker', 'commitment', 'ballot', 'choices', 'randomness'"
        )
    if audit["type"] != AUDIT_TYPE:
        raise InvalidAudit(f"audit record: type must be {AUDIT_TYPE!r}")
    for key in ("tracker", "commitment"):
        try:
            bytes_from_hex(audit[key], 32, key)
        except CryptoError:
            raise InvalidAudit(f"audit record: {key} must be 64 lowercase hex digits") from None
    ballot = audit["ballot"]
    if not isinstance(ballot, dict):
        raise InvalidAudit("audit record: ballot: expected a JSON object")
    if "signature" in ballot:
        raise InvalidAudit(
            "audit record: the ballot must not carry a signature (a signed ballot could be cast "
            "by whoever holds the record)"
        )
    credential, parsed = _parse_unsigned(ctx, ballot, credential_public)
    if audit["commitment"] != ballot_commitment(ballot):
        raise InvalidAudit("audit record: the commitment is not the hash of this ballot")
    choices = _choices(ctx, audit["choices"])

    randomness = audit["randomness"]
    if not isinstance(randomness, list) or len(randomness) != len(ctx.questions):
        raise InvalidAudit(f"audit record: randomness must list {len(ctx.questions)} questions")
    y = ctx.public_key
    for q, (spec, rs, ch, (cts, _, _)) in enumerate(
        zip(ctx.questions, randomness, choices, parsed, strict=True)
    ):
        if not isinstance(rs, list) or len(rs) != spec.n_slots:
            raise InvalidAudit(f"audit record: randomness[{q}] must have {spec.n_slots} entries")
        for i, (bit, r_hex, ct) in enumerate(zip(_slot_bits(spec, ch), rs, cts, strict=True)):
            r = Scalar.from_hex(r_hex, f"randomness[{q}][{i}]")
            if r.is_zero():
                raise InvalidAudit(f"audit record: randomness[{q}][{i}] is zero")
            if encrypt(y, bit, r) != ct:
                raise InvalidAudit(
                    f"audit record: question {q}, ciphertext {i} does not encrypt the revealed "
                    "choice with the revealed randomness"
                )
    _verify_proofs(ctx, credential, parsed)
    return choices


def _slot_bits(spec: QuestionSpec, choices: list[int]) -> list[int]:
    if spec.kind == "sonc":
        return [b for v in choices for b in (int(v == SUPPORT), int(v == OPPOSE))]
    return list(choices)


def _slot_name(spec: QuestionSpec, slot: int) -> str:
    if spec.kind == "sonc":
        return f"candidate {slot // 2} {'support' if slot % 2 == 0 else 'oppose'}"
    return f"option {slot}"


def _list(value: object, length: int, what: str) -> list[object]:
    if not isinstance(value, list):
        raise InvalidBallot(f"{what}: expected a list")
    if len(value) != length:
        raise InvalidBallot(f"{what}: expected {length} entries, got {len(value)}")
    return value


def _choices(ctx: BallotContext, value: object) -> list[list[int]]:
    """The record's choices, checked against the questions (the booth's ``checkChoices``)."""
    if not isinstance(value, list) or len(value) != len(ctx.questions):
        got = len(value) if isinstance(value, list) else type(value).__name__
        raise InvalidAudit(f"audit record: expected choices for {len(ctx.questions)} questions, got {got}")
    out: list[list[int]] = []
    for q, (spec, ch) in enumerate(zip(ctx.questions, value, strict=True)):
        if not isinstance(ch, list) or len(ch) != spec.n_options:
            got = len(ch) if isinstance(ch, list) else type(ch).__name__
            raise InvalidAudit(f"audit record: question {q}: expected {spec.n_options} values, got {got}")
        allowed = (SUPPORT, OPPOSE, 0) if spec.kind == "sonc" else (0, 1)
        row: list[int] = []
        for i, v in enumerate(ch):
            if isinstance(v, bool) or not isinstance(v, int) or v not in allowed:
                raise InvalidAudit(
                    f"audit record: question {q}, option {i}: value {v!r} not in {sorted(allowed)}"
                )
            row.append(v)
        bounds = spec.sum_range()
        if bounds is not None and not bounds[0] <= sum(row) <= bounds[1]:
            raise InvalidAudit(
                f"audit record: question {q}: {sum(row)} selections, allowed {bounds[0]}..{bounds[1]}"
            )
        out.append(row)
    return out


def _parse_unsigned(
    ctx: BallotContext, ballot: dict[str, object], credential_public: Point | None
) -> tuple[Point, list[_Parsed]]:
    """§5.6 steps 1–2 for a ballot without ``signature`` (``crypto.ballots.verify_ballot`` minus
    the signature key and check)."""
    if set(ballot) != UNSIGNED_BALLOT_KEYS:
        missing = sorted(UNSIGNED_BALLOT_KEYS - set(ballot))
        unexpected = sorted(set(ballot) - UNSIGNED_BALLOT_KEYS)
        raise InvalidBallot(f"ballot: wrong keys (missing {missing}, unexpected {unexpected})")
    version = ballot["version"]
    if isinstance(version, bool) or version != BALLOT_VERSION:
        raise InvalidBallot(f"ballot: unsupported version {version!r}")
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
    parsed: list[_Parsed] = []
    for q, (spec, answer) in enumerate(zip(ctx.questions, answers, strict=True)):
        where = f"answers[{q}]"
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
            DisjunctiveProof.from_json(p, 2, f"{where}.bit_proofs[{i}] ({_slot_name(spec, i)})")
            for i, p in enumerate(raw_bits)
        ]
        extra: list[DisjunctiveProof] = []
        if spec.kind == "sonc":
            raw_pairs = _list(answer["candidate_proofs"], spec.n_options, f"{where}.candidate_proofs")
            extra = [
                DisjunctiveProof.from_json(p, 2, f"{where}.candidate_proofs[{i}] (candidate {i})")
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
                        answer["sum_proof"], bounds[1] - bounds[0] + 1, f"{where}.sum_proof"
                    )
                ]
        parsed.append((cts, bits, extra))
    return credential, parsed


def _verify_proofs(ctx: BallotContext, credential: Point, parsed: list[_Parsed]) -> None:
    """§5.6 step 4: every proof, with the contexts of §5.3 (bound to ``credential``)."""
    fp = ctx.fingerprint_bytes
    y = ctx.public_key
    for q, (spec, (cts, bits, extra)) in enumerate(zip(ctx.questions, parsed, strict=True)):
        where = f"answers[{q}]"
        for i, (ct, proof) in enumerate(zip(cts, bits, strict=True)):
            verify_bit(
                y,
                ct,
                proof,
                proof_context(fp, credential, q, "bit", i),
                f"{where}.bit_proofs[{i}] (question {q}, {_slot_name(spec, i)})",
            )
        if spec.kind == "sonc":
            for i, proof in enumerate(extra):
                verify_bit(
                    y,
                    cts[2 * i] + cts[2 * i + 1],
                    proof,
                    proof_context(fp, credential, q, "candidate", i),
                    f"{where}.candidate_proofs[{i}] (question {q}, candidate {i}: "
                    "support and oppose both set)",
                )
        elif extra:
            lo, hi = spec.sum_range() or (0, 0)
            verify_range(
                y,
                aggregate(cts),
                lo,
                hi,
                extra[0],
                proof_context(fp, credential, q, "sum", 0),
                f"{where}.sum_proof (question {q}: number of selections not in {lo}..{hi})",
            )
