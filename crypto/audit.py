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
import functools
from collections.abc import Callable, Mapping, Sequence

from . import ranked
from .ballots import (
    OPPOSE,
    SUPPORT,
    BallotContext,
    QuestionSpec,
    ballot_tracker,
    check_choices,
    parse_ballot,
    signed_payload,
    verify_proofs,
)
from .elgamal import Ciphertext, encrypt
from .encoding import bytes_from_hex
from .errors import CryptoError, InvalidAudit
from .group import G, Point, Scalar
from .hashing import sha256_hex

AUDIT_TYPE = "scrutin/v2/ballot-audit"
AUDIT_TYPE_V1 = "scrutin/v1/ballot-audit"
"""v1 records carried the signed (castable) ballot; they are refused."""

AUDIT_KEYS = frozenset({"type", "tracker", "commitment", "ballot", "choices", "randomness"})


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
    credential, parsed = parse_ballot(ctx, ballot, credential_public, signed=False)
    if audit["commitment"] != ballot_commitment(ballot):
        raise InvalidAudit("audit record: the commitment is not the hash of this ballot")
    choices = check_choices(ctx, audit["choices"], InvalidAudit, "audit record: ")

    randomness = audit["randomness"]
    if not isinstance(randomness, list) or len(randomness) != len(ctx.questions):
        raise InvalidAudit(f"audit record: randomness must list {len(ctx.questions)} questions")
    y = ctx.public_key
    for q, (spec, rs, ch, answer) in enumerate(zip(ctx.questions, randomness, choices, parsed, strict=True)):
        if not isinstance(rs, list) or len(rs) != spec.n_slots:
            raise InvalidAudit(f"audit record: randomness[{q}] must have {spec.n_slots} entries")
        if isinstance(answer, ranked.RankedAnswer):
            # A ranked chunk is plain ElGamal of a packed point (crypto.ranked), not g^bit.
            assert spec.positions is not None
            packed = ranked.pack([spec.positions[i] for i in ch], spec.n_options)
            cts = list(answer.ciphertexts)
            expected: list[Callable[[Scalar], Ciphertext]] = [
                functools.partial(_encrypt_point, y, m) for m in packed
            ]
        else:
            cts = answer[0]
            expected = [functools.partial(encrypt, y, bit) for bit in _slot_bits(spec, ch)]
        for i, (make, r_hex, ct) in enumerate(zip(expected, rs, cts, strict=True)):
            r = Scalar.from_hex(r_hex, f"randomness[{q}][{i}]")
            if r.is_zero():
                raise InvalidAudit(f"audit record: randomness[{q}][{i}] is zero")
            if make(r) != ct:
                raise InvalidAudit(
                    f"audit record: question {q}, ciphertext {i} does not encrypt the revealed "
                    "choice with the revealed randomness"
                )
    verify_proofs(ctx, credential, parsed)
    return choices


def _encrypt_point(y: Point, m: Point, r: Scalar) -> Ciphertext:
    return Ciphertext(G * r, m + y * r)


def _slot_bits(spec: QuestionSpec, choices: list[int]) -> list[int]:
    if spec.kind == "sonc":
        return [b for v in choices for b in (int(v == SUPPORT), int(v == OPPOSE))]
    return list(choices)


SONC_WORDS = {SUPPORT: "support", OPPOSE: "oppose", 0: "neutral"}


def choices_in_words(manifest: Mapping[str, object], choices: Sequence[Sequence[int]]) -> list[str]:
    """One line per question naming each candidate (the manifest's default-language names) with
    the revealed choice: ``Question 1: Ann: support; Ben: oppose`` or ``Question 2: Ann,
    Ben`` (selected) — what ``scrutin verify-audit`` prints and the booth shows translated."""
    questions = manifest["questions"]
    assert isinstance(questions, list)
    lines = []
    for q, (question, row) in enumerate(zip(questions, choices, strict=True)):
        names = [str(c["name"]) for c in question["candidates"]]
        if question["kind"] == "sonc":
            text = "; ".join(f"{n}: {SONC_WORDS[v]}" for n, v in zip(names, row, strict=True))
        elif question["kind"] == "ranked":
            text = (
                ", ".join(f"{place}. {names[i]}" for place, i in enumerate(row, 1)) or "(no candidate ranked)"
            )
        else:
            text = ", ".join(n for n, v in zip(names, row, strict=True) if v) or "(none)"
        lines.append(f"Question {q + 1}: {text}")
    return lines
