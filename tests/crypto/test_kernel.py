"""Differential tests of the native verification kernel against the PyNaCl reference path
(crypto/kernel.py, docs/performance.md): identical results and identical rejections.

Skipped when the kernel is not built (``make kernel``), except under SCRUTIN_REQUIRE_KERNEL=1
(CI), where a missing kernel fails."""

from __future__ import annotations

import copy
import json
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from nacl import bindings

from crypto import kernel
from crypto.ballots import BallotContext, QuestionSpec, encrypt_ballot, verify_ballot
from crypto.credentials import CredentialKey
from crypto.drbg import DeterministicRng
from crypto.elgamal import Ciphertext, encrypt
from crypto.errors import CryptoError
from crypto.group import FIELD_P, IDENTITY, G, L, Point, Scalar, base_mul, hash_to_point
from crypto.record import verify_record
from crypto.shuffle import shuffle, verify_shuffle

from .conftest import FINGERPRINT, SMALL_CHOICES
from .test_group import SMALL_ORDER

ROOT = Path(__file__).resolve().parents[2]

if kernel.BACKEND != "native":
    if os.environ.get("SCRUTIN_REQUIRE_KERNEL") == "1":
        raise RuntimeError(
            "SCRUTIN_REQUIRE_KERNEL=1 but the native kernel is not loaded "
            f"({kernel.LIBRARY_PATH} missing, or SCRUTIN_CRYPTO_KERNEL=reference): run `make kernel`"
        )
    pytest.skip("native kernel not built (make kernel)", allow_module_level=True)


def both(fn: Callable[[], Any]) -> tuple[Any, Any]:
    """``fn()`` on the native path, then on the reference path: (result or exception) twice."""
    out = []
    for ref in (False, True):
        try:
            if ref:
                with kernel.reference_path():
                    assert not kernel.native()
                    out.append(("ok", fn()))
            else:
                assert kernel.native()
                out.append(("ok", fn()))
        except (CryptoError, ValueError) as exc:
            out.append((type(exc).__name__, str(exc)))
    return out[0], out[1]


def same(fn: Callable[[], Any]) -> Any:
    native, reference = both(fn)
    assert native == reference
    return native


# --- point validation -------------------------------------------------------------------------


def malformed_encodings() -> list[bytes]:
    """Every malformed-point case of test_group.py and tests/vectors/group.json, and more."""
    rng = DeterministicRng(b"kernel malformed")
    encs = [bytes.fromhex(h) for h in SMALL_ORDER]
    encs += [
        bytes.fromhex(c["hex"])
        for c in json.loads((ROOT / "tests/vectors/group.json").read_text())["invalid_points"]
        if len(c["hex"]) == 64 and c["hex"] == c["hex"].lower()
    ]
    encs.append(IDENTITY.to_bytes())
    encs += [(FIELD_P + k).to_bytes(32, "little") for k in range(19)]  # y ≥ p
    y_g = int.from_bytes(G.to_bytes(), "little") & ((1 << 255) - 1)
    encs.append((y_g + FIELD_P).to_bytes(32, "little") if y_g + FIELD_P < 1 << 255 else bytes(32))
    encs.append(bytes.fromhex("01" + "00" * 30 + "80"))  # "negative zero"
    for _ in range(4):  # mixed order: a subgroup point plus each torsion point
        p = G * rng()
        for torsion in SMALL_ORDER[1:]:  # [0] is the identity
            try:
                encs.append(bindings.crypto_core_ed25519_add(p.to_bytes(), bytes.fromhex(torsion)))
            except Exception:  # libsodium refuses some non-canonical torsion encodings
                pass
    return encs


def small_y_encodings() -> list[bytes]:
    """y = 2..79 with both signs: mostly off the curve, some valid points (agreement only)."""
    return [(y | sign << 255).to_bytes(32, "little") for y in range(2, 80) for sign in (0, 1)]


def test_validate_points_agrees_on_every_malformed_case() -> None:
    encs = malformed_encodings()
    native = kernel.validate_points(encs)
    assert native == kernel.reference_validate_points(encs)
    assert native.count(True) == 0
    assert len(encs) > 50
    small = small_y_encodings()
    native = kernel.validate_points(small)
    assert native == kernel.reference_validate_points(small)
    assert 0 < native.count(False) < len(small)


def test_validate_points_agrees_on_valid_points_and_odd_inputs() -> None:
    rng = DeterministicRng(b"kernel valid")
    good = [(G * rng()).to_bytes() for _ in range(50)] + [G.to_bytes(), hash_to_point("t", b"x").to_bytes()]
    odd: list[Any] = [b"", b"\x00" * 31, b"\x00" * 33, "58" + "66" * 31, None, 5, bytearray(G.to_bytes())]
    mixed = good + malformed_encodings()[:20] + odd
    native = kernel.validate_points(mixed)
    assert native == kernel.reference_validate_points(mixed)
    assert native[: len(good)] == [True] * len(good)
    assert native[-1] is True and native[-7:-1] == [False] * 6
    assert kernel.validate_points([]) == []


# --- multi-scalar multiplication ---------------------------------------------------------------


def test_multi_scalar_mul_agrees_on_random_rows() -> None:
    rng = DeterministicRng(b"kernel msm")
    pts = [G * rng() for _ in range(12)] + [G, IDENTITY]
    rows: list[tuple[list[Point], list[Scalar | int]]] = [([], [])]
    for n in range(1, 15):
        ps = [pts[(n * 7 + i) % len(pts)] for i in range(n)]
        ks: list[Scalar | int] = [rng() for _ in range(n)]
        rows.append((ps, ks))
    # edge scalars (0, 1, ℓ-1, ℓ, negative, > ℓ) and cancellation to the identity
    rows.append(([pts[0], pts[1], G, pts[0]], [0, 1, L - 1, L]))
    rows.append(([pts[2], pts[2]], [-5, 5]))
    rows.append(([pts[3], G, G], [3 * L + 2, -1, 2**300]))
    rows.append(([G, G], [Scalar(7), L - 7]))
    native = kernel.multi_scalar_muls(rows)
    assert native == [kernel.reference_multi_scalar_mul(p, s) for p, s in rows]
    assert kernel.multi_scalar_muls(rows, secret=True) == native  # the constant-time path
    assert native[0] == IDENTITY and native[-3] == IDENTITY and native[-1] == IDENTITY
    assert (
        kernel.multi_scalar_mul(pts[:5], [1, 2, 3, 4, 5])
        == pts[0] + pts[1] * 2 + pts[2] * 3 + pts[3] * 4 + pts[4] * 5
    )


def test_multi_scalar_mul_rejects_bad_arguments_on_both_paths() -> None:
    for args in (([G], [1, 2]), ([G.to_bytes()], [1]), ([G], [True]), ([G], [1.0])):
        for ref in (False, True):
            with pytest.raises((TypeError, ValueError)):
                if ref:
                    with kernel.reference_path():
                        kernel.multi_scalar_mul(*args)  # type: ignore[arg-type]
                else:
                    kernel.multi_scalar_mul(*args)  # type: ignore[arg-type]


# --- whole ballots ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sonc30(election_key: tuple[Scalar, Point]) -> tuple[BallotContext, dict[str, Any], CredentialKey]:
    ctx = BallotContext("election-30", FINGERPRINT, election_key[1], (QuestionSpec("sonc", 30),))
    cred = CredentialKey.generate(DeterministicRng(b"kernel sonc30 credential"))
    ballot = encrypt_ballot(ctx, [[(i % 3) - 1 for i in range(30)]], cred, rng=DeterministicRng(b"k30"))
    return ctx, ballot, cred


def test_random_ballots_verify_identically(
    small_ctx: BallotContext, credential: CredentialKey, sonc30: Any
) -> None:
    for seed in range(4):
        ballot = encrypt_ballot(
            small_ctx, SMALL_CHOICES, credential, rng=DeterministicRng(f"kernel ballot {seed}".encode())
        )
        status, verified = same(lambda b=ballot: verify_ballot(small_ctx, b))
        assert status == "ok" and verified.tracker
    ctx, ballot, _ = sonc30
    assert same(lambda: verify_ballot(ctx, ballot).ciphertexts)[0] == "ok"


def test_vector_ballots_verify_identically() -> None:
    for case in json.loads((ROOT / "tests/vectors/ballots.json").read_text())["cases"]:
        questions = tuple(QuestionSpec(**q) for q in case["questions"])
        ctx = BallotContext(
            case["election_id"], case["fingerprint"], Point.from_hex(case["public_key"]), questions
        )
        status, verified = same(lambda c=case, x=ctx: verify_ballot(x, c["ballot"]))
        assert status == "ok" and verified.tracker == case["tracker"]


def _tampered(ballot: dict[str, Any]) -> list[dict[str, Any]]:
    """Proof and ciphertext tamperings at several places (signature NOT redone, so we also
    re-run the proofs-only check below), and every malformed point in a ciphertext."""
    out = []
    answers = ballot["answers"]
    for q, answer in enumerate(answers):
        for key in ("bit_proofs", "candidate_proofs", "sum_proof"):
            proofs = answer.get(key)
            if not proofs:
                continue
            proofs = proofs if isinstance(proofs, list) else [proofs]
            for i in (0, len(proofs) - 1):
                for field in ("challenges", "responses"):
                    b = copy.deepcopy(ballot)
                    target = b["answers"][q][key]
                    target = target[i] if isinstance(target, list) else target
                    target[field][-1] = (Scalar.from_hex(target[field][-1]) + 1).hex()
                    out.append(b)
        b = copy.deepcopy(ballot)
        ct = b["answers"][q]["ciphertexts"][-1]
        ct["beta"] = (Point.from_hex(ct["beta"]) + G).hex()
        out.append(b)
    return out


def test_tampered_ballots_rejected_identically(
    small_ctx: BallotContext, credential: CredentialKey, sonc30: Any
) -> None:
    from crypto.ballots import parse_ballot, verify_proofs

    ballot = encrypt_ballot(small_ctx, SMALL_CHOICES, credential, rng=DeterministicRng(b"kernel tamper"))
    cases = [(small_ctx, b) for b in _tampered(ballot)]
    ctx30, b30, _ = sonc30
    cases += [(ctx30, b) for b in _tampered(b30)]
    assert len(cases) > 20
    for ctx, bad in cases:
        # the whole ballot (the signature fails first) ...
        status, message = same(lambda c=ctx, b=bad: verify_ballot(c, b))
        assert status != "ok", message
        # ... and the proofs alone, so the proof rejections themselves are compared
        status, message = same(lambda c=ctx, b=bad: verify_proofs(c, *parse_ballot(c, b)))
        assert status == "InvalidProof", message


def test_malformed_points_in_a_ballot_rejected_identically(
    small_ctx: BallotContext, credential: CredentialKey
) -> None:
    ballot = encrypt_ballot(small_ctx, SMALL_CHOICES, credential, rng=DeterministicRng(b"kernel points"))
    for n, enc in enumerate(malformed_encodings()):
        b = copy.deepcopy(ballot)
        ct = b["answers"][n % 4]["ciphertexts"][0]
        ct["alpha" if n % 2 else "beta"] = enc.hex()
        status, message = same(lambda b=b: verify_ballot(small_ctx, b))
        assert status == "InvalidPoint", message


# --- ballot version 2: commitments decoded without the subgroup check, batch equations --------


def test_decode_points_agrees_on_every_malformed_and_torsion_case() -> None:
    from .test_proofs_v2 import TORSION

    rng = DeterministicRng(b"kernel decode")
    encs = malformed_encodings() + small_y_encodings() + TORSION
    encs += [(G * rng()).to_bytes() for _ in range(20)]
    encs += [bindings.crypto_core_ed25519_add((G * rng()).to_bytes(), t) for t in TORSION]
    odd: list[Any] = [b"", b"\x00" * 31, b"\x00" * 33, None, 5, bytearray(G.to_bytes())]
    native = kernel.decode_points(encs + odd)
    assert native == kernel.reference_decode_points(encs + odd)
    assert native[-6:] == [False] * 5 + [True]
    # torsion and mixed-order points decode (no subgroup check); non-canonical ones never do
    assert all(native[len(encs) - 20 - 2 * len(TORSION) : len(encs)])
    assert not any(kernel.decode_points([(FIELD_P + k).to_bytes(32, "little") for k in range(19)]))
    # x = 0 with the sign bit set, for both points with x = 0 (y = 1 and y = −1): non-canonical
    for y in (1, FIELD_P - 1):
        pair = [(y | 1 << 255).to_bytes(32, "little"), y.to_bytes(32, "little")]
        assert same(lambda p=pair: kernel.decode_points(p)) == ("ok", [False, True])
    assert kernel.decode_points([]) == []


def test_cofactor_zero_agrees_with_torsion_components() -> None:
    from .test_proofs_v2 import OFF_CURVE, TORSION

    rng = DeterministicRng(b"kernel cofactor")
    p, q = G * rng(), G * rng()
    k = rng().value
    p_t = bindings.crypto_core_ed25519_add(p.to_bytes(), TORSION[3])
    cases: list[tuple[list[Any], list[int]]] = [
        ([p, q, G], [k, 0, 0]),  # k·p ≠ 0
        ([p, p_t], [1, L - 1]),  # p − (p + T): torsion only → zero
        ([p_t, G], [k, 0]),
        ([p, G, p], [3, 0, L - 3]),
        ([TORSION[0], TORSION[5], IDENTITY], [rng().value, rng().value, 7]),  # pure torsion
        ([p_t, p, G], [2, L - 2, 1]),  # = g ≠ 0
        ([], []),
        ([G, G.to_bytes(), p, p.to_bytes()], [5, L - 5, 9, L - 9]),  # Points and bytes merge
    ]
    native = [kernel.cofactor_zero(ps, ks) for ps, ks in cases]
    assert native == [kernel.reference_cofactor_zero(ps, ks) for ps, ks in cases]
    assert native == [False, True, False, True, True, False, True, True]
    for bad in (FIELD_P + 1).to_bytes(32, "little"), OFF_CURVE:
        assert same(lambda b=bad: kernel.cofactor_zero([G, b], [1, 1]))[0] == "ValueError"
    assert same(lambda: kernel.cofactor_zero([G], [1, 2]))[0] == "ValueError"


def test_forged_v2_proofs_rejected_identically(election_key: tuple[Scalar, Point]) -> None:
    from crypto.proofs import verify_bit

    from .test_proofs_v2 import CTX, forged_bit_proofs

    y = election_key[1]
    for name, ct, proof, message in forged_bit_proofs(y):
        status, text = same(lambda c=ct, p=proof: verify_bit(y, c, p, CTX))
        assert status == "InvalidProof" and message in text, (name, text)


def test_v1_and_v2_ballots_verify_identically(
    small_ctx: BallotContext, credential: CredentialKey, sonc30: Any
) -> None:
    for version in (1, 2):
        for seed in range(3):
            ballot = encrypt_ballot(
                small_ctx,
                SMALL_CHOICES,
                credential,
                version=version,
                rng=DeterministicRng(f"kernel v{version} {seed}".encode()),
            )
            status, verified = same(lambda b=ballot: verify_ballot(small_ctx, b).tracker)
            assert status == "ok"
    ctx, _, cred = sonc30
    b1 = encrypt_ballot(
        ctx, [[(i % 3) - 1 for i in range(30)]], cred, version=1, rng=DeterministicRng(b"k30 v1")
    )
    assert same(lambda: verify_ballot(ctx, b1).ciphertexts)[0] == "ok"


def _v2_tampered(ballot: dict[str, Any]) -> list[dict[str, Any]]:
    """Commitment forgeries at the first, a middle and the last proof of every kind."""
    from .test_proofs_v2 import NON_CANONICAL, OFF_CURVE, TORSION

    out = []
    for q, answer in enumerate(ballot["answers"]):
        for key in ("bit_proofs", "candidate_proofs", "sum_proof"):
            proofs = answer.get(key)
            if not proofs:
                continue
            count = len(proofs) if isinstance(proofs, list) else 1
            for i in sorted({0, count // 2, count - 1}):
                for n, change in enumerate(("non-canonical", "off-curve", "torsion", "swap", "g")):
                    b = copy.deepcopy(ballot)
                    target = b["answers"][q][key]
                    target = target[i] if isinstance(target, list) else target
                    cm = target["commitments"]
                    j, k = n % len(cm), n % 2
                    old = bytes.fromhex(cm[j][k])
                    if change == "non-canonical":
                        cm[j][k] = NON_CANONICAL[n % 2].hex()
                    elif change == "off-curve":
                        cm[j][k] = OFF_CURVE.hex()
                    elif change == "torsion":
                        cm[j][k] = bindings.crypto_core_ed25519_add(old, TORSION[n]).hex()
                    elif change == "swap":
                        cm[0], cm[-1] = cm[-1], cm[0]
                        cm[0][0], cm[0][1] = cm[0][1], cm[0][0]
                    else:
                        cm[j][k] = (Point(old) + G).hex() if old != IDENTITY.to_bytes() else G.hex()
                    out.append(b)
    return out


def test_v2_commitment_forgeries_in_ballots_rejected_identically(
    small_ctx: BallotContext, credential: CredentialKey, sonc30: Any
) -> None:
    from crypto.ballots import parse_ballot, verify_proofs

    ballot = encrypt_ballot(small_ctx, SMALL_CHOICES, credential, rng=DeterministicRng(b"kernel v2 forge"))
    cases = [(small_ctx, b) for b in _v2_tampered(ballot)]
    ctx30, b30, _ = sonc30
    cases += [(ctx30, b) for b in _v2_tampered(b30)]
    assert len(cases) > 50
    for ctx, bad in cases:
        status, message = same(lambda c=ctx, b=bad: verify_proofs(c, *parse_ballot(c, b)))
        assert status == "InvalidProof", message


def test_bad_proof_among_many_named_identically(sonc30: Any) -> None:
    """A 30-candidate ballot (90 proofs in one batch): one or two bad proofs anywhere; the batch
    is bisected to the first, with the message of the one-by-one check."""
    from crypto.ballots import parse_ballot, verify_proofs

    ctx, ballot, _ = sonc30
    for first, second in [(0, None), (37, None), (59, None), (11, 40), (58, 59)]:
        b = copy.deepcopy(ballot)
        for at in (first, second):
            if at is None:
                continue
            proof = b["answers"][0]["bit_proofs"][at]
            proof["responses"][1] = (Scalar.from_hex(proof["responses"][1]) + 1).hex()
        status, message = same(lambda b=b: verify_proofs(ctx, *parse_ballot(ctx, b)))
        assert status == "InvalidProof"
        assert (
            message.startswith(f"answers[0].bit_proofs[{first}] ")
            and "branch 1: the A equation fails" in message
        ), message
    b = copy.deepcopy(ballot)
    proof = b["answers"][0]["candidate_proofs"][29]
    proof["responses"][0] = (Scalar.from_hex(proof["responses"][0]) + 1).hex()
    status, message = same(lambda: verify_proofs(ctx, *parse_ballot(ctx, b)))
    assert message.startswith("answers[0].candidate_proofs[29] ") and "branch 0" in message


# --- records, shuffles, spawned workers -------------------------------------------------------


@pytest.mark.parametrize("name", ["v1-sonc-tallied.json", "v1-approval-independent.json"])
def test_real_records_verify_identically(name: str) -> None:
    record = json.loads((ROOT / "tests/data/records" / name).read_text())
    status, report = same(lambda: verify_record(copy.deepcopy(record), workers=1).to_json())
    assert status == "ok" and report["verified"]
    tampered = copy.deepcopy(record)
    ballot = next(iter(tampered["ballots"].values()))
    proof = ballot["answers"][0]["bit_proofs"][0]
    proof["responses"][0] = (Scalar.from_hex(proof["responses"][0]) + 1).hex()
    status, report = same(lambda: verify_record(copy.deepcopy(tampered), workers=1).to_json())
    assert status == "InvalidBallot", report  # the tracker check comes first; same message on both


def test_shuffle_proofs_identical_on_both_paths(election_key: tuple[Scalar, Point]) -> None:
    y = election_key[1]
    rng = DeterministicRng(b"kernel shuffle rows")
    rows = [[encrypt(y, (i * 3 + k) % 5, rng()) for k in range(2)] for i in range(7)]
    perm = [3, 0, 6, 1, 5, 2, 4]

    def prove() -> Any:
        out, proof = shuffle(
            y, rows, 2, b"ctx", b"seed", DeterministicRng(b"kernel shuffle"), perm, workers=1
        )
        return out, proof.to_json()

    status, (out, proof_json) = same(prove)
    assert status == "ok"
    from crypto.shuffle import ShuffleProof

    proof = ShuffleProof.from_json(proof_json, len(rows), 2)
    assert same(lambda: verify_shuffle(y, rows, out, 2, proof, b"ctx", b"seed", workers=1)) == ("ok", None)
    bad_out = [list(r) for r in out]
    bad_out[0][0] = Ciphertext(bad_out[0][0].alpha + G, bad_out[0][0].beta)
    status, _ = same(lambda: verify_shuffle(y, rows, bad_out, 2, proof, b"ctx", b"seed", workers=1))
    assert status == "InvalidProof"


def _worker_backend(_: int) -> tuple[str, str]:
    from crypto import kernel as k

    return k.BACKEND, k.multi_scalar_mul([G], [2]).hex()


def test_kernel_loads_in_spawned_workers() -> None:
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        backend, two_g = pool.submit(_worker_backend, 0).result(timeout=120)
    assert backend == "native" and two_g == base_mul(2).hex()


def test_decryption_shares_checked_identically() -> None:
    from crypto.errors import InvalidShare
    from crypto.threshold import verify_decryption_share

    v = json.loads((ROOT / "tests/vectors/threshold.json").read_text())
    cts = [Ciphertext.from_json(c) for c in v["tally"]["ciphertexts"]]
    public = {int(j): Point.from_hex(p) for j, p in v["public_shares"].items()}
    ctx = bytes.fromhex(v["tally"]["context_hex"])
    for j, share in v["tally"]["decryption_shares"].items():
        assert same(lambda j=j, s=share: verify_decryption_share(cts, s, public[int(j)], int(j), ctx)) == (
            "ok",
            None,
        )
        for slot in (0, len(cts) - 1):
            for part in ("challenge", "response"):
                bad = copy.deepcopy(share)
                bad["proofs"][slot][part] = (Scalar.from_hex(bad["proofs"][slot][part]) + 1).hex()
                status, message = same(
                    lambda j=j, b=bad: verify_decryption_share(cts, b, public[int(j)], int(j), ctx)
                )
                assert status == InvalidShare.__name__ and f"proof {slot}" in message


def test_parallel_record_verification_with_the_kernel_loaded() -> None:
    """A forked child of a process with the Go runtime loaded hangs: the record verifier's
    pool must spawn. Run in a subprocess so a regression fails on the timeout, not hangs."""
    import subprocess
    import sys

    code = (
        "import json, sys; from crypto import kernel; from crypto.record import verify_record; "
        "from crypto.group import G, base_mul; assert kernel.native(); "
        "assert kernel.multi_scalar_muls([([base_mul(7)], [3])] * 4000)[0] == base_mul(21); "
        "r = verify_record(json.load(open(sys.argv[1])), workers=2); print(r.to_json()['verified'])"
    )
    record = str(ROOT / "tests/data/records/v1-sonc-tallied.json")
    done = subprocess.run(
        [sys.executable, "-c", code, record],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0 and done.stdout.strip() == "True", done.stderr[-2000:]


def test_aggregate_identical_on_both_paths(election_key: tuple[Scalar, Point]) -> None:
    from crypto.elgamal import aggregate

    y = election_key[1]
    rng = DeterministicRng(b"kernel aggregate")
    cts = [encrypt(y, i % 3, rng()) for i in range(40)]
    zero = Ciphertext(IDENTITY, IDENTITY)
    cancel = [cts[0], Ciphertext(-cts[0].alpha, -cts[0].beta)] * 5
    cases = [cts, cts * 3, cts[:7], cts[:8], [zero] * 9, cts[:9] + [zero], cancel]
    for case in cases:
        assert same(lambda c=case: aggregate(c)) == same(lambda c=case: aggregate(iter(c)))
    assert same(lambda: aggregate([zero] * 9))[1] == zero
    assert same(lambda: aggregate([cts[0], Ciphertext(-cts[0].alpha, -cts[0].beta)] * 5))[1] == zero
