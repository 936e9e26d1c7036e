"""Generate the deterministic test vectors in tests/vectors/ (docs/protocol.md §9).

    python -m tests.crypto.make_vectors          # rewrite the files
    python -m tests.crypto.make_vectors --check  # exit 1 if a file differs

Every random scalar comes from ``crypto.drbg.DeterministicRng`` with the seed recorded in the
vector, and the drawn scalars are listed in draw order, so another implementation can either
re-derive them from the seed or inject them directly. Intermediate values (hash preimages,
commitments) are included to make debugging a mismatch quick.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from crypto import ranked
from crypto.audit import audit_record, choices_in_words, verify_audit
from crypto.ballots import (
    BallotContext,
    QuestionSpec,
    ballot_tracker,
    encrypt_ballot,
    proof_context,
    signed_payload,
    verify_ballot,
)
from crypto.credentials import (
    KDF_ITERATIONS,
    KDF_SALT_PREFIX,
    TAG_SIGNATURE,
    CredentialKey,
    _checksum_char,
)
from crypto.dlog import discrete_logs
from crypto.drbg import DRBG_TAG, DeterministicRng
from crypto.elgamal import Ciphertext, aggregate, decrypt_to_point, encrypt, keygen
from crypto.fingerprint import FINGERPRINT_PREFIX, election_fingerprint
from crypto.group import HASH_TO_POINT_TAG, G, L, Point, Scalar, base_mul, hash_to_point
from crypto.hashing import HashItem, canonical_json, hash_preimage, hash_to_scalar
from crypto.manifest import ballot_context
from crypto.proofs import (
    TAG_DISJUNCTIVE,
    TAG_DLOG,
    TAG_EQDLOG,
    prove_disjunctive,
    prove_dlog,
    prove_eqdlog,
    range_values,
)
from crypto.threshold import (
    TrusteePolynomial,
    ceremony_context,
    combine_decryption,
    combine_public_key,
    combine_secret_share,
    decryption_share,
    lagrange_coefficient,
    public_key_share,
)

VECTORS_DIR = Path(__file__).resolve().parents[1] / "vectors"


def typed(item: HashItem) -> Any:
    """A hash item with its type, as the spec's encoding needs it."""
    if isinstance(item, Point):
        return {"point": item.hex()}
    if isinstance(item, Scalar):
        return {"scalar": item.hex()}
    if isinstance(item, bytes):
        return {"bytes": item.hex()}
    if isinstance(item, str):
        return {"str": item}
    if isinstance(item, int):
        return {"int": item}
    return {"list": [typed(x) for x in item]}


def _hexes(xs: list[Scalar]) -> list[str]:
    return [x.hex() for x in xs]


# --- hashing, group, DRBG ------------------------------------------------------------------------


def hashing_vectors() -> dict[str, Any]:
    cases: list[tuple[str, tuple[HashItem, ...]]] = [
        ("scrutin/v1/example", ()),
        ("scrutin/v1/example", (b"", b"\x00\xff", "héllo", 0, 2**64 - 1)),
        ("scrutin/v1/example", (G, Scalar(1), [G * 2, [3, "x"]], b"ab")),
    ]
    h2s = []
    for tag, items in cases:
        pre = hash_preimage(tag, *items)
        h2s.append(
            {
                "tag": tag,
                "items": [typed(i) for i in items],
                "preimage_hex": pre.hex(),
                "sha512_hex": hashlib.sha512(pre).hexdigest(),
                "scalar": hash_to_scalar(tag, *items).hex(),
            }
        )
    h2p = []
    for tag, data in (("generators", b""), ("generators", b"\x00\x00\x00\x01"), ("h", b"abc")):
        pre = (
            len(HASH_TO_POINT_TAG).to_bytes(4, "big")
            + HASH_TO_POINT_TAG.encode()
            + len(tag).to_bytes(4, "big")
            + tag.encode()
            + len(data).to_bytes(4, "big")
            + data
        )
        h2p.append(
            {
                "tag": tag,
                "data_hex": data.hex(),
                "preimage_hex": pre.hex(),
                "uniform_hex": hashlib.sha512(pre).digest()[:32].hex(),
                "point": hash_to_point(tag, data).hex(),
            }
        )
    json_cases = [
        {"b": 1, "a": [True, None, "x"], "é": {"z": -5, "y": 'line\nbreak \u2028 "q"'}},
        [],
        {"answers": [{"sum_proof": None}], "version": 1},
    ]
    manifest = {
        "election_id": "arbcom-2026",
        "questions": [{"kind": "sonc", "candidates": ["Alice", "Bob"]}],
        "threshold": 2,
    }
    return {
        "hash_to_scalar": h2s,
        "hash_to_point": h2p,
        "canonical_json": [{"input": c, "output": canonical_json(c).decode("utf-8")} for c in json_cases],
        "fingerprint": {
            "manifest": manifest,
            "prefix_utf8": FINGERPRINT_PREFIX.decode(),
            "canonical_json": canonical_json(manifest).decode("utf-8"),
            "fingerprint": election_fingerprint(manifest),
        },
    }


def group_vectors() -> dict[str, Any]:
    mults = []
    for k in (1, 2, 3, 255, L - 1, 2**200 + 12345):
        mults.append({"scalar": Scalar(k).hex(), "point": (G * k).hex()})
    a, b = G * 5, G * 7
    mixed = (
        a + Point(bytes.fromhex("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05"))
    ).hex()
    return {
        "base_point": G.hex(),
        "order": str(L),
        "identity": Point.identity().hex(),
        "scalar_mult_base": mults,
        "add": {"p": a.hex(), "q": b.hex(), "sum": (a + b).hex(), "difference": (a - b).hex()},
        "invalid_points": [
            {"hex": Point.identity().hex(), "reason": "identity"},
            {"hex": "ec" + "ff" * 30 + "7f", "reason": "small order (order 2)"},
            {"hex": "00" * 32, "reason": "small order (order 4)"},
            {
                "hex": "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
                "reason": "small order (order 8)",
            },
            {"hex": (2**255 - 19 + 2).to_bytes(32, "little").hex(), "reason": "non-canonical y >= p"},
            {"hex": "01" + "00" * 30 + "80", "reason": "non-canonical: x = 0 with sign bit"},
            {"hex": mixed, "reason": "mixed order: g^5 plus a point of order 8"},
            {"hex": "58" + "66" * 30, "reason": "31 bytes"},
            {"hex": (G * 2).hex().upper(), "reason": "upper-case hex"},
        ],
        "invalid_scalars": [
            {"hex": L.to_bytes(32, "little").hex(), "reason": "equal to l"},
            {"hex": (2**256 - 1).to_bytes(32, "little").hex(), "reason": "above l"},
            {"hex": "01" * 31, "reason": "31 bytes"},
        ],
    }


def drbg_vectors() -> dict[str, Any]:
    out = []
    for seed in (b"", b"scrutin", bytes(range(32))):
        rng = DeterministicRng(seed)
        out.append({"seed_hex": seed.hex(), "outputs": [rng().hex() for _ in range(5)]})
    return {"tag": DRBG_TAG, "sequences": out}


def elgamal_vectors() -> dict[str, Any]:
    rng = DeterministicRng(b"elgamal")
    x, y = keygen(rng)
    cases = []
    cts = []
    for m in (0, 1, 2, 1000):
        r = rng()
        c = encrypt(y, m, r)
        cts.append(c)
        cases.append({"m": m, "r": r.hex(), "ciphertext": c.to_json()})
    return {
        "seed_hex": b"elgamal".hex(),
        "secret_key": x.hex(),
        "public_key": y.hex(),
        "encryptions": cases,
        "sum_of_all": aggregate(cts).to_json(),
        "sum_decrypts_to": decrypt_to_point(x, aggregate(cts)).hex(),
        "sum_plaintext": 1003,
    }


# --- proofs ---------------------------------------------------------------------------------------


def _disjunctive_case(
    name: str, y: Point, values: list[int], index: int, seed: bytes, context: tuple[HashItem, ...]
) -> dict[str, Any]:
    enc_rng = DeterministicRng(seed + b"/r")
    r = enc_rng()
    ct = encrypt(y, values[index], r)
    rng = DeterministicRng(seed)
    proof = prove_disjunctive(y, ct, values, index, r, context, rng)
    commitments: list[Point] = []
    for v, c, s in zip(values, proof.challenges, proof.responses, strict=True):
        commitments.append(G * s - ct.alpha * c)
        commitments.append(y * s - (ct.beta - base_mul(v)) * c)
    items = (*context, y, ct.alpha, ct.beta, list(values), commitments)
    return {
        "name": name,
        "public_key": y.hex(),
        "values": values,
        "true_index": index,
        "plaintext": values[index],
        "encryption_seed_hex": (seed + b"/r").hex(),
        "r": r.hex(),
        "ciphertext": ct.to_json(),
        "context": [typed(i) for i in context],
        "proof_seed_hex": seed.hex(),
        "draws": _hexes(rng.drawn),
        "commitments": [p.hex() for p in commitments],
        "challenge_preimage_hex": hash_preimage(TAG_DISJUNCTIVE, *items).hex(),
        "challenge": hash_to_scalar(TAG_DISJUNCTIVE, *items).hex(),
        "proof": proof.to_json(),
    }


def proofs_vectors() -> dict[str, Any]:
    x = DeterministicRng(b"proofs/secret")()
    context: tuple[HashItem, ...] = (b"\x11" * 32, "example", 7)
    rng = DeterministicRng(b"proofs/dlog")
    p = prove_dlog(x, context, rng)
    a = G * p.response - (G * x) * p.challenge
    dlog = {
        "secret": x.hex(),
        "public": (G * x).hex(),
        "context": [typed(i) for i in context],
        "seed_hex": b"proofs/dlog".hex(),
        "draws": _hexes(rng.drawn),
        "commitment": a.hex(),
        "challenge_preimage_hex": hash_preimage(TAG_DLOG, *context, G * x, a).hex(),
        "proof": p.to_json(),
    }
    h = hash_to_point("example base", b"")
    rng = DeterministicRng(b"proofs/eqdlog")
    q = prove_eqdlog(x, h, context, rng)
    ca = G * q.response - (G * x) * q.challenge
    cb = h * q.response - (h * x) * q.challenge
    eqdlog = {
        "secret": x.hex(),
        "base": h.hex(),
        "public": (G * x).hex(),
        "image": (h * x).hex(),
        "context": [typed(i) for i in context],
        "seed_hex": b"proofs/eqdlog".hex(),
        "draws": _hexes(rng.drawn),
        "commitments": [ca.hex(), cb.hex()],
        "challenge_preimage_hex": hash_preimage(TAG_EQDLOG, *context, h, G * x, h * x, ca, cb).hex(),
        "proof": q.to_json(),
    }
    _, y = keygen(DeterministicRng(b"proofs/election key"))
    cred = CredentialKey.generate(DeterministicRng(b"proofs/credential"))
    fp = bytes.fromhex("ab" * 32)
    disj = [
        _disjunctive_case("bit 0", y, [0, 1], 0, b"proofs/bit0", proof_context(fp, cred.public, 0, "bit", 0)),
        _disjunctive_case("bit 1", y, [0, 1], 1, b"proofs/bit1", proof_context(fp, cred.public, 0, "bit", 1)),
        _disjunctive_case(
            "range 1..3 value 2",
            y,
            range_values(1, 3),
            1,
            b"proofs/range",
            proof_context(fp, cred.public, 1, "sum", 0),
        ),
    ]
    return {"dlog": dlog, "eqdlog": eqdlog, "disjunctive": disj}


# --- credentials ----------------------------------------------------------------------------------

CODES = ("3kTMd8x2Q9ZbFhN", "111111111111111", "zzzzzzzzzzzzzzz")


def credentials_vectors() -> dict[str, Any]:
    codes = []
    for data in CODES:
        code = data + _checksum_char(data)
        salt = KDF_SALT_PREFIX + "arbcom-2026"
        raw = hashlib.pbkdf2_hmac("sha256", code.encode(), salt.encode(), KDF_ITERATIONS, 64)
        key = CredentialKey.from_code(code, "arbcom-2026")
        codes.append(
            {
                "code": code,
                "display": "-".join(code[i : i + 4] for i in range(0, 16, 4)),
                "election_id": "arbcom-2026",
                "kdf_salt_utf8": salt,
                "kdf_iterations": KDF_ITERATIONS,
                "kdf_output_hex": raw.hex(),
                "secret": key.secret.hex(),
                "public": key.public.hex(),
            }
        )
    key = CredentialKey.from_code(codes[0]["code"], "arbcom-2026")
    message, context = b'{"example":"message"}', bytes.fromhex("cd" * 32)
    rng = DeterministicRng(b"credentials/signature")
    sig = key.sign(message, context, rng)
    c, s = Scalar.from_hex(sig["challenge"]), Scalar.from_hex(sig["response"])
    a = G * s - key.public * c
    return {
        "codes": codes,
        "signature": {
            "secret": key.secret.hex(),
            "public": key.public.hex(),
            "message_hex": message.hex(),
            "context_hex": context.hex(),
            "seed_hex": b"credentials/signature".hex(),
            "draws": _hexes(rng.drawn),
            "commitment": a.hex(),
            "challenge_preimage_hex": hash_preimage(TAG_SIGNATURE, context, key.public, a, message).hex(),
            "signature": sig,
        },
    }


# --- ballots --------------------------------------------------------------------------------------


def _spec_json(q: QuestionSpec) -> dict[str, Any]:
    return {
        "kind": q.kind,
        "n_options": q.n_options,
        "min_selections": q.min_selections,
        "max_selections": q.max_selections,
    }


def _ballot_case(
    name: str, questions: tuple[QuestionSpec, ...], choices: list[list[int]], version: int = 2
) -> dict[str, Any]:
    x, y = keygen(DeterministicRng(b"ballots/election key"))
    manifest = {"election_id": "arbcom-2026", "name": name}
    fp = election_fingerprint(manifest)
    ctx = BallotContext("arbcom-2026", fp, y, questions)
    code = CODES[0] + _checksum_char(CODES[0])
    cred = CredentialKey.from_code(code, "arbcom-2026")
    seed = b"ballots/" + name.encode()
    rng = DeterministicRng(seed)
    ballot = encrypt_ballot(ctx, choices, cred, rng=rng, version=version)
    verified = verify_ballot(ctx, ballot, cred.public)
    plaintexts = [discrete_logs([decrypt_to_point(x, c) for c in cts], 1) for cts in verified.ciphertexts]
    payload = signed_payload(ballot)
    return {
        "name": name,
        "election_id": ctx.election_id,
        "manifest": manifest,
        "fingerprint": fp,
        "election_secret_key": x.hex(),
        "public_key": y.hex(),
        "questions": [_spec_json(q) for q in questions],
        "credential_code": code,
        "credential_secret": cred.secret.hex(),
        "credential_public": cred.public.hex(),
        "choices": choices,
        "seed_hex": seed.hex(),
        "draws": _hexes(rng.drawn),
        "signed_payload_sha256": hashlib.sha256(payload).hexdigest(),
        "signed_payload_length": len(payload),
        "ballot": ballot,
        "tracker": ballot_tracker(ballot),
        "tally_slots": plaintexts,
    }


def ballots_vectors() -> dict[str, Any]:
    return {
        "cases": [
            _ballot_case("sonc", (QuestionSpec("sonc", 3),), [[1, -1, 0]]),
            _ballot_case("approval-range", (QuestionSpec("approval", 4, 1, 2),), [[0, 1, 0, 1]]),
            _ballot_case("approval-free", (QuestionSpec("approval", 3),), [[0, 0, 0]]),
            _ballot_case("plurality", (QuestionSpec("plurality", 3),), [[0, 0, 1]]),
            _ballot_case(
                "mixed",
                (
                    QuestionSpec("sonc", 2),
                    QuestionSpec("approval", 2, 0, 1),
                    QuestionSpec("plurality", 2),
                ),
                [[0, 1], [1, 0], [1, 0]],
            ),
            # Ballot version 1 (no commitments in the proofs): what records made before
            # version 2 hold; every verifier must still accept them.
            _ballot_case("sonc-v1", (QuestionSpec("sonc", 3),), [[1, -1, 0]], version=1),
            _ballot_case(
                "mixed-v1",
                (
                    QuestionSpec("sonc", 2),
                    QuestionSpec("approval", 2, 0, 1),
                    QuestionSpec("plurality", 2),
                ),
                [[0, 1], [1, 0], [1, 0]],
                version=1,
            ),
        ]
    }


# --- ranked (protocol.md §14.1–14.2) --------------------------------------------------------------


def _packing_case(ranking: list[int], n: int) -> dict[str, Any]:
    points = ranked.pack(ranking, n)
    w = ranked.width(n)
    data = bytes(p + 1 for p in ranking).ljust(w * ranked.CHUNK_BYTES, b"\x00")
    assert ranked.unpack(points) == ranking
    return {
        "n_candidates": n,
        "ranking": ranking,
        "width": w,
        "data_hex": data.hex(),
        "counters": [int.from_bytes(p.to_bytes()[:2], "little") for p in points],
        "points": [p.hex() for p in points],
    }


def _invalid_packing(points: list[Point], reason: str) -> dict[str, Any]:
    try:
        ranked.unpack(points)
    except ranked.InvalidPacking as exc:
        assert reason in str(exc), (reason, exc)
        return {"points": [p.hex() for p in points], "reason": reason}
    raise AssertionError(f"not an invalid packing: {reason}")


def _chunk(data: bytes) -> Point:
    return ranked._chunk_point(data)


def _ranked_ballot_case(
    name: str, questions: list[dict[str, Any]], choices: list[list[int]]
) -> dict[str, Any]:
    x, y = keygen(DeterministicRng(b"ranked/election key"))
    manifest = {
        "election_id": "board-2026",
        "public_key": y.hex(),
        "name": name,
        "default_language": "en",
        "questions": questions,
    }
    fp = election_fingerprint(manifest)
    ctx = ballot_context(manifest, fp)
    code = CODES[1] + _checksum_char(CODES[1])
    cred = CredentialKey.from_code(code, "board-2026")
    seed = b"ranked/" + name.encode()
    rng = DeterministicRng(seed)
    ballot = encrypt_ballot(ctx, choices, cred, rng=rng)
    verified = verify_ballot(ctx, ballot, cred.public)
    # The randomness of every ciphertext, found among the draws (α = g^r), for the audit record.
    by_alpha = {(G * r).hex(): r for r in rng.drawn}
    randomness = [[by_alpha[c.alpha.hex()] for c in cts] for cts in verified.ciphertexts]
    audit = audit_record(ballot, choices, randomness)
    assert verify_audit(ctx, audit, cred.public) == choices
    decrypted: list[Any] = []
    for spec, cts in zip(ctx.questions, verified.ciphertexts, strict=True):
        points = [decrypt_to_point(x, c) for c in cts]
        if spec.kind == "ranked":
            decrypted.append({"points": [p.hex() for p in points], "positions": ranked.unpack(points)})
        else:
            decrypted.append({"tally_slots": discrete_logs(points, 1)})
    payload = signed_payload(ballot)
    return {
        "name": name,
        "election_id": ctx.election_id,
        "manifest": manifest,
        "fingerprint": fp,
        "election_secret_key": x.hex(),
        "public_key": y.hex(),
        "questions": [
            dict(_spec_json(q), **({"positions": list(q.positions or ())} if q.kind == "ranked" else {}))
            for q in ctx.questions
        ],
        "credential_code": code,
        "credential_secret": cred.secret.hex(),
        "credential_public": cred.public.hex(),
        "choices": choices,
        "seed_hex": seed.hex(),
        "draws": _hexes(rng.drawn),
        "signed_payload_sha256": hashlib.sha256(payload).hexdigest(),
        "signed_payload_length": len(payload),
        "ballot": ballot,
        "tracker": ballot_tracker(ballot),
        "audit": audit,
        "decrypted": decrypted,
        "choices_in_words": choices_in_words(manifest, choices),
    }


def _ranked_question(names: list[str], positions: list[int] | None = None) -> dict[str, Any]:
    positions = positions if positions is not None else list(range(len(names)))
    return {
        "kind": "ranked",
        "method": "meek",
        "seats": 1,
        "candidates": [
            {"position": p, "name": n, "withdrawn": False} for p, n in zip(positions, names, strict=True)
        ],
    }


def ranked_vectors() -> dict[str, Any]:
    many = [f"C{i}" for i in range(31)]
    board = _ranked_question(["Ann", "Ben", "Cy", "Dee"])
    return {
        "chunk_bytes": ranked.CHUNK_BYTES,
        "max_position": ranked.MAX_POSITION,
        "tag": ranked.TAG_RANKED,
        "packing": [
            _packing_case([], 1),
            _packing_case([0], 1),
            _packing_case([2, 0, 3], 4),
            _packing_case([], 29),
            _packing_case(list(range(28, -1, -1)), 29),
            _packing_case([], 30),
            _packing_case(list(range(30)), 30),
            _packing_case([254, 0, 17], 255),
        ],
        "invalid_packings": [
            _invalid_packing([G], "last byte"),
            _invalid_packing([_chunk(bytes([1, 0, 2]).ljust(29, b"\x00"))], "follows an empty place"),
            _invalid_packing([_chunk(bytes([3, 3]).ljust(29, b"\x00"))], "ranked twice"),
            _invalid_packing(
                [_chunk(bytes([1]).ljust(29, b"\x00")), _chunk(bytes([2]).ljust(29, b"\x00"))],
                "follows an empty place",
            ),
        ],
        "cases": [
            _ranked_ballot_case("ranked", [board], [[2, 0, 1]]),
            _ranked_ballot_case("ranked-blank", [board], [[]]),
            _ranked_ballot_case(
                "ranked-positions", [_ranked_question(["Ann", "Cy", "Dee"], [0, 2, 5])], [[2, 1]]
            ),
            _ranked_ballot_case("ranked-wide", [_ranked_question(many)], [list(range(30, 0, -1))]),
            _ranked_ballot_case(
                "ranked-mixed",
                [
                    {"kind": "sonc", "candidates": [{"name": "Eve"}, {"name": "Fay"}]},
                    board,
                    {
                        "kind": "approval",
                        "min_selections": 1,
                        "max_selections": 1,
                        "candidates": [{"name": "Yes"}, {"name": "No"}],
                    },
                ],
                [[1, -1], [3, 1], [0, 1]],
            ),
        ],
    }


# --- threshold ------------------------------------------------------------------------------------


def threshold_vectors() -> dict[str, Any]:
    n, t = 3, 2
    election_id = "arbcom-2026"
    trustees = []
    polys = []
    for i in range(1, n + 1):
        rng = DeterministicRng(b"threshold/polynomial/%d" % i)
        poly = TrusteePolynomial.generate(t, rng)
        polys.append(poly)
        ctx = ceremony_context(election_id, i)
        prng = DeterministicRng(b"threshold/proofs/%d" % i)
        trustees.append(
            {
                "index": i,
                "polynomial_seed_hex": (b"threshold/polynomial/%d" % i).hex(),
                "coefficients": _hexes(list(poly.coefficients)),
                "commitments": [c.hex() for c in poly.commitments],
                "context_hex": ctx.hex(),
                "proofs_seed_hex": (b"threshold/proofs/%d" % i).hex(),
                "commitment_proofs": poly.commitment_proofs(ctx, prng),
                "shares_for": {str(j): poly.share_for(j).hex() for j in range(1, n + 1)},
            }
        )
    commitments = [p.commitments for p in polys]
    secret = {j: combine_secret_share([p.share_for(j) for p in polys]) for j in range(1, n + 1)}
    public = {j: public_key_share(commitments, j) for j in range(1, n + 1)}
    y = combine_public_key(commitments)
    erng = DeterministicRng(b"threshold/tally")
    values = [0, 3, 5]
    cts: list[Ciphertext] = [encrypt(y, v, erng()) for v in values]
    tally_ctx = b"tally/" + election_id.encode()
    shares = {}
    for j in (1, 3):
        shares[j] = decryption_share(
            cts, secret[j], j, tally_ctx, DeterministicRng(b"threshold/decrypt/%d" % j)
        )
    points, rejected = combine_decryption(cts, shares, public, t, tally_ctx)
    assert rejected == []
    return {
        "n": n,
        "threshold": t,
        "election_id": election_id,
        "trustees": trustees,
        "secret_shares": {str(j): s.hex() for j, s in secret.items()},
        "public_shares": {str(j): p.hex() for j, p in public.items()},
        "public_key": y.hex(),
        "tally": {
            "encryption_seed_hex": b"threshold/tally".hex(),
            "values": values,
            "ciphertexts": [c.to_json() for c in cts],
            "context_hex": tally_ctx.hex(),
            "decryption_seeds_hex": {str(j): (b"threshold/decrypt/%d" % j).hex() for j in shares},
            "decryption_shares": {str(j): s for j, s in shares.items()},
            "lagrange": {str(j): lagrange_coefficient(j, [1, 3]).hex() for j in (1, 3)},
            "plaintext_points": [p.hex() for p in points],
            "counts": discrete_logs(points, 10),
        },
    }


GENERATORS: dict[str, Callable[[], dict[str, Any]]] = {
    "hashing.json": hashing_vectors,
    "group.json": group_vectors,
    "drbg.json": drbg_vectors,
    "elgamal.json": elgamal_vectors,
    "proofs.json": proofs_vectors,
    "credentials.json": credentials_vectors,
    "ballots.json": ballots_vectors,
    "ranked.json": ranked_vectors,
    "threshold.json": threshold_vectors,
}


def render(obj: Any) -> str:
    return json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def generate() -> dict[str, str]:
    return {name: render(gen()) for name, gen in GENERATORS.items()}


def main(argv: list[str]) -> int:
    check = "--check" in argv
    status = 0
    for name, text in generate().items():
        path = VECTORS_DIR / name
        if check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                print(f"{path} is out of date", file=sys.stderr)
                status = 1
        else:
            VECTORS_DIR.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path}")
    return status


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
