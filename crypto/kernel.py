"""The native verification kernel and its pure-PyNaCl reference (docs/performance.md).

Batched group operations for verifiers, with identical semantics on both paths:

* ``validate_points(encodings)`` — one bool per encoding: does it pass ``Point.from_bytes``
  (libsodium's ``crypto_core_ed25519_is_valid_point``: canonical, of order exactly ℓ)?
* ``multi_scalar_mul(points, scalars)`` — ``Σ scalars[i]·points[i]`` as a ``Point``.
* ``multi_scalar_muls(rows)`` — many independent multi-scalar multiplications in one call (a
  ballot's proof commitments), one ``Point`` per row.
* ``decode_points(encodings)`` — one bool per encoding: is it the canonical encoding of a curve
  point of any order (``group.curve_point_ok``; no subgroup check: ballot-v2 commitments)?
* ``cofactor_zero(points, scalars)`` — is ``8·Σ scalars[i]·points[i]`` the identity (the batch
  check of ballot version 2, protocol §4.5)? Points may be such any-order encodings.

The native path is ``crypto/libscrutin_kernel.so`` built by ``make kernel`` from
``kernel/kernel.go`` over filippo.io/edwards25519 (variable-time Straus multi-scalar
multiplication; every input here is public). It is loaded with ctypes at import, the only I/O
of ``crypto/``. Secret scalars (a prover's nonces) take the library's constant-time path
(``secret=True``). ``SCRUTIN_CRYPTO_KERNEL=reference`` forces the PyNaCl path; without the built
object that path runs anyway. Points passed to the multiplications are ``Point`` values, hence
already validated (or produced by our own arithmetic); the identity is allowed there.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Final

from .group import (
    _G_BYTES,
    IDENTITY,
    L,
    Point,
    Scalar,
    _valid_point,
    clear_cofactor,
    curve_point_ok,
)

_BASE_INDEX: Final[int] = 0xFFFFFFFF  # a term on G in scrutin_table_rows

LIBRARY_PATH: Final[Path] = Path(__file__).with_name("libscrutin_kernel.so")


def _load() -> ctypes.CDLL | None:
    if os.environ.get("SCRUTIN_CRYPTO_KERNEL", "native") == "reference":
        return None
    if not LIBRARY_PATH.is_file():
        return None
    try:
        lib = ctypes.CDLL(str(LIBRARY_PATH))
        validate, rows = lib.scrutin_validate, lib.scrutin_table_rows
        decode, batch = lib.scrutin_decode, lib.scrutin_batch_zero
    except (OSError, AttributeError):  # unloadable or stale build: the reference path runs
        return None  # (CI's SCRUTIN_REQUIRE_KERNEL=1 turns this into a failure)
    u8p = ctypes.c_char_p
    validate.argtypes = [u8p, ctypes.c_size_t, ctypes.c_void_p]
    validate.restype = None
    rows.argtypes = [
        u8p,
        ctypes.c_size_t,
        ctypes.c_void_p,
        u8p,
        ctypes.c_void_p,
        ctypes.c_size_t,
        ctypes.c_void_p,
        ctypes.c_int,
    ]
    rows.restype = ctypes.c_int
    decode.argtypes = [u8p, ctypes.c_size_t, ctypes.c_void_p]
    decode.restype = None
    batch.argtypes = [u8p, ctypes.c_size_t, ctypes.c_void_p, u8p, ctypes.c_size_t]
    batch.restype = ctypes.c_int
    return lib


_NATIVE: Final[ctypes.CDLL | None] = _load()
_LIB: ctypes.CDLL | None = _NATIVE

BACKEND: Final[str] = "native" if _NATIVE is not None else "reference"
"""Which path this process uses by default: ``"native"`` (built and not disabled) or ``"reference"``."""


def native() -> bool:
    """Whether calls now take the native path (False inside ``reference_path()``)."""
    return _LIB is not None


@contextlib.contextmanager
def reference_path() -> Iterator[None]:
    """Run the block on the PyNaCl reference path (differential tests and the benchmark's
    side-by-side figures; not thread-safe, never used by the service)."""
    global _LIB
    saved, _LIB = _LIB, None
    try:
        yield
    finally:
        _LIB = saved


def _scalar_bytes(k: Scalar | int) -> bytes:
    if isinstance(k, Scalar):
        return k.to_bytes()
    if isinstance(k, bool) or not isinstance(k, int):
        raise TypeError(f"expected Scalar or int, got {type(k).__name__}")
    return (k % L).to_bytes(32, "little")


def _check_row(points: Sequence[Point], scalars: Sequence[Scalar | int]) -> None:
    if len(points) != len(scalars):
        raise ValueError("multi_scalar_mul: as many scalars as points are needed")
    for p in points:
        if not isinstance(p, Point):
            raise TypeError(f"expected Point, got {type(p).__name__}")


# --- reference (PyNaCl through crypto.group) ---------------------------------------------


def reference_validate_points(encodings: Sequence[bytes]) -> list[bool]:
    """The PyNaCl path of ``validate_points``."""
    return [isinstance(e, bytes | bytearray) and len(e) == 32 and _valid_point(bytes(e)) for e in encodings]


def reference_multi_scalar_mul(points: Sequence[Point], scalars: Sequence[Scalar | int]) -> Point:
    """The PyNaCl path of ``multi_scalar_mul``: one multiplication and one addition per term."""
    _check_row(points, scalars)
    acc = IDENTITY
    for p, k in zip(points, scalars, strict=True):
        acc = acc + p * (k if isinstance(k, Scalar) else Scalar.from_int(k))
    return acc


def reference_decode_points(encodings: Sequence[bytes]) -> list[bool]:
    """The PyNaCl path of ``decode_points``."""
    return [curve_point_ok(e) for e in encodings]


def _term_bytes(p: Point | bytes) -> bytes:
    if isinstance(p, Point):
        return p._b
    if isinstance(p, bytes | bytearray) and len(p) == 32:
        return bytes(p)
    raise TypeError(f"expected Point or 32 bytes, got {type(p).__name__}")


def reference_cofactor_zero(points: Sequence[Point | bytes], scalars: Sequence[int]) -> bool:
    """The PyNaCl path of ``cofactor_zero``: ``Σ scalars[i]·(8·points[i])`` (8·P by three
    doublings, then one multiplication per term in the prime-order subgroup)."""
    if len(points) != len(scalars):
        raise ValueError("cofactor_zero: as many scalars as points are needed")
    encs = [_term_bytes(p) for p in points]
    if not all(curve_point_ok(e) for e in encs):
        raise ValueError("cofactor_zero: a point is not a canonical curve point encoding")
    acc = IDENTITY
    for e, k in zip(encs, scalars, strict=True):
        acc = acc + clear_cofactor(e) * Scalar.from_int(k)
    return acc.is_identity()


def _native_point_test(test: Callable[..., object], encodings: Sequence[bytes]) -> list[bool]:
    """One native call answering a yes/no question for each 32-byte encoding (anything that is
    not 32 bytes is a no without asking)."""
    ok = [isinstance(e, bytes | bytearray) and len(e) == 32 for e in encodings]
    if not encodings:
        return []
    flat = b"".join(bytes(e) if good else bytes(32) for e, good in zip(encodings, ok, strict=True))
    out = ctypes.create_string_buffer(len(encodings))
    test(flat, len(encodings), out)
    return [good and out.raw[i] == 1 for i, good in enumerate(ok)]


# --- public API ------------------------------------------------------------------------


def validate_points(encodings: Sequence[bytes]) -> list[bool]:
    """For each encoding, whether ``Point.from_bytes`` accepts it (the identity is rejected)."""
    if _LIB is None:
        return reference_validate_points(encodings)
    return _native_point_test(_LIB.scrutin_validate, encodings)


def multi_scalar_muls(
    rows: Sequence[tuple[Sequence[Point], Sequence[Scalar | int]]], *, secret: bool = False
) -> list[Point]:
    """``[multi_scalar_mul(points, scalars) for points, scalars in rows]`` in one native call.

    Natively, variable time (verifiers: every input public) unless ``secret`` (a prover's
    nonces), which uses the library's constant-time multi-scalar multiplication; the reference
    path's libsodium multiplications are constant time either way."""
    for points, scalars in rows:
        _check_row(points, scalars)
    if _LIB is None:
        return [reference_multi_scalar_mul(p, s) for p, s in rows]
    if not rows:
        return []
    # One call for the whole batch: each distinct point is decoded once (a point table), G goes
    # through the library's base-point tables, and the results are compressed in one batch.
    table: dict[bytes, int] = {}
    idx: list[int] = []
    scs: list[bytes] = []
    for points, scalars in rows:
        for p, k in zip(points, scalars, strict=True):
            b = p._b
            if b == _G_BYTES:
                idx.append(_BASE_INDEX)
            else:
                i = table.get(b)
                if i is None:
                    i = table[b] = len(table)
                idx.append(i)
            scs.append(_scalar_bytes(k))
    counts = (ctypes.c_uint32 * len(rows))(*(len(points) for points, _ in rows))
    out = ctypes.create_string_buffer(32 * len(rows))
    rc = _LIB.scrutin_table_rows(
        b"".join(table),
        len(table),
        (ctypes.c_uint32 * len(idx))(*idx),
        b"".join(scs),
        counts,
        len(rows),
        out,
        1 if secret else 0,
    )
    if rc != 0:  # unreachable for Point/Scalar inputs; never return a wrong answer silently
        raise RuntimeError(f"native kernel rejected its input ({rc})")
    raw = out.raw
    return [Point(raw[32 * i : 32 * i + 32]) for i in range(len(rows))]


def multi_scalar_mul(
    points: Sequence[Point], scalars: Sequence[Scalar | int], *, secret: bool = False
) -> Point:
    """``Σ scalars[i]·points[i]`` (the identity for empty lists); ``secret`` as in
    ``multi_scalar_muls``."""
    return multi_scalar_muls([(points, scalars)], secret=secret)[0]


def decode_points(encodings: Sequence[bytes]) -> list[bool]:
    """For each encoding, whether it is the canonical encoding of a curve point of any order
    (what ``group.curve_point_ok`` accepts: small- and mixed-order points pass)."""
    if _LIB is None:
        return reference_decode_points(encodings)
    return _native_point_test(_LIB.scrutin_decode, encodings)


def cofactor_zero(points: Sequence[Point | bytes], scalars: Sequence[int]) -> bool:
    """Whether ``8·Σ scalars[i]·points[i]`` is the identity (one variable-time multi-scalar
    multiplication natively; every input public). ``points`` are ``Point`` values or canonical
    curve-point encodings of any order (``decode_points``; ``ValueError`` otherwise); terms on
    the same point are merged first."""
    if _LIB is None:
        return reference_cofactor_zero(points, scalars)
    if len(points) != len(scalars):
        raise ValueError("cofactor_zero: as many scalars as points are needed")
    table: dict[bytes, int] = {}
    idx: list[int] = []
    scs: list[bytes] = []
    for p, k in zip(points, scalars, strict=True):
        b = _term_bytes(p)
        if b == _G_BYTES:
            idx.append(_BASE_INDEX)
        else:
            i = table.get(b)
            if i is None:
                i = table[b] = len(table)
            idx.append(i)
        scs.append(_scalar_bytes(k))
    rc = _LIB.scrutin_batch_zero(
        b"".join(table), len(table), (ctypes.c_uint32 * len(idx))(*idx), b"".join(scs), len(idx)
    )
    if rc == -1:
        raise ValueError("cofactor_zero: a point is not a canonical curve point encoding")
    if rc < 0:  # unreachable for int scalars reduced mod ℓ
        raise RuntimeError(f"native kernel rejected its input ({rc})")
    return bool(rc == 1)
