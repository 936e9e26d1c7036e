"""Scalars and points: strict encodings, identity handling, arithmetic laws."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nacl import bindings

from crypto.errors import InvalidEncoding, InvalidPoint, InvalidScalar
from crypto.group import FIELD_P, IDENTITY, G, L, Point, Scalar, base_mul, hash_to_point

scalars = st.integers(min_value=0, max_value=L - 1)

# The eight points of small order (libsodium's blocklist): identity, order 2, 4 and 8.
SMALL_ORDER = [
    "0100000000000000000000000000000000000000000000000000000000000000",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "0000000000000000000000000000000000000000000000000000000000000000",
    "0000000000000000000000000000000000000000000000000000000000000080",
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
]


def test_order_and_generator() -> None:
    assert L == 2**252 + 27742317777372353535851937790883648493
    assert G.hex() == "58" + "66" * 31
    assert G * L == IDENTITY
    assert G * (L + 1) == G
    assert Point.from_hex(G.hex()) == G


@pytest.mark.parametrize("enc", SMALL_ORDER)
def test_small_order_points_rejected(enc: str) -> None:
    with pytest.raises(InvalidPoint):
        Point.from_hex(enc)


def test_identity_rejected_from_outside_but_usable_inside() -> None:
    with pytest.raises(InvalidPoint, match="identity"):
        Point.from_bytes(IDENTITY.to_bytes())
    assert Point.from_bytes(IDENTITY.to_bytes(), allow_identity=True) == IDENTITY
    assert G - G == IDENTITY
    assert IDENTITY + G == G and G + IDENTITY == G
    assert IDENTITY - G == -G
    assert IDENTITY * 5 == IDENTITY
    assert G * 0 == IDENTITY
    assert -IDENTITY == IDENTITY
    assert Point.identity().is_identity()


def test_non_canonical_encodings_rejected() -> None:
    # y = p + k for small k: the same field elements as y = k, written non-canonically.
    for k in range(19):
        enc = (FIELD_P + k).to_bytes(32, "little")
        with pytest.raises(InvalidPoint):
            Point.from_bytes(enc)
    # The canonical encoding of a valid point with y replaced by y + p (when it fits).
    y = int.from_bytes(G.to_bytes(), "little") & ((1 << 255) - 1)
    assert y + FIELD_P >= 1 << 255  # does not fit: sign-bit variants are the only alternative
    # "negative zero": x = 0 with the sign bit set
    with pytest.raises(InvalidPoint):
        Point.from_hex("01" + "00" * 30 + "80")


def test_off_subgroup_and_off_curve_rejected() -> None:
    p = G * 12345
    for torsion in SMALL_ORDER[1:]:
        mixed = bindings.crypto_core_ed25519_add(p.to_bytes(), bytes.fromhex(torsion))
        with pytest.raises(InvalidPoint, match="subgroup"):
            Point.from_bytes(mixed)
    # find an encoding that is not on the curve at all
    for y in range(2, 100):
        enc = y.to_bytes(32, "little")
        if not bindings.crypto_core_ed25519_is_valid_point(enc):
            with pytest.raises(InvalidPoint):
                Point.from_bytes(enc)
            break


@pytest.mark.parametrize(
    "bad",
    [b"", b"\x00" * 31, b"\x00" * 33, "58" + "66" * 31, None, 5],
)
def test_point_from_bytes_type_and_length(bad: object) -> None:
    with pytest.raises(InvalidPoint):
        Point.from_bytes(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "bad",
    ["58" + "66" * 30, "58" + "66" * 32, "58" + "66" * 30 + "6G", "58" + "66" * 30 + "6F", 7],
)
def test_point_from_hex_strict(bad: object) -> None:
    with pytest.raises(InvalidEncoding):
        Point.from_hex(bad)  # type: ignore[arg-type]


def test_scalar_encoding_strict() -> None:
    assert Scalar.from_bytes((L - 1).to_bytes(32, "little")).value == L - 1
    for v in (L, L + 1, 2**255, 2**256 - 1):
        with pytest.raises(InvalidScalar, match="canonical"):
            Scalar.from_bytes(v.to_bytes(32, "little"))
        with pytest.raises(InvalidScalar):
            Scalar.from_hex(v.to_bytes(32, "little").hex())
    for bad in (b"", b"\x00" * 31, b"\x00" * 33):
        with pytest.raises(InvalidScalar):
            Scalar.from_bytes(bad)
    with pytest.raises(InvalidScalar):
        Scalar.from_hex("AB" * 32)
    with pytest.raises(InvalidScalar):
        Scalar.from_hex("ab" * 31)
    with pytest.raises(TypeError):
        Scalar.from_int(True)


def test_values_are_immutable() -> None:
    s = Scalar(3)
    with pytest.raises(AttributeError):
        s._v = 4  # type: ignore[misc]
    with pytest.raises(AttributeError):
        G._b = b""  # type: ignore[misc]


@settings(max_examples=15, deadline=None)
@given(scalars, scalars)
def test_point_arithmetic_laws(a: int, b: int) -> None:
    pa, pb = base_mul(a), base_mul(b)
    assert pa + pb == base_mul(a + b)
    assert pa - pb == base_mul(a - b)
    assert pb * a == base_mul(a * b)  # variable-base equals fixed-base
    assert a * pb == pb * Scalar(a)
    assert -pa == base_mul(-a)
    if a:
        assert Point.from_bytes(pa.to_bytes()) == pa


@given(scalars, scalars)
def test_scalar_arithmetic(a: int, b: int) -> None:
    sa, sb = Scalar(a), Scalar(b)
    assert (sa + sb).value == (a + b) % L
    assert (sa - sb).value == (a - b) % L
    assert (sa * sb).value == (a * b) % L
    assert (-sa).value == (-a) % L
    assert Scalar.from_hex(sa.hex()) == sa
    assert Scalar.from_bytes(sa.to_bytes()) == sa
    if a:
        assert (sa * sa.inverse()).value == 1
    assert (3 - sa).value == (3 - a) % L
    assert Scalar.from_int(-1).value == L - 1


def test_random_scalars_nonzero_and_distinct() -> None:
    xs = {Scalar.random() for _ in range(50)}
    assert len(xs) == 50 and all(not x.is_zero() for x in xs)
    with pytest.raises(ZeroDivisionError):
        Scalar(0).inverse()


def test_hash_to_point() -> None:
    h1 = hash_to_point("generators", b"\x00")
    assert h1 == hash_to_point("generators", b"\x00")
    assert h1 != hash_to_point("generators", b"\x01")
    assert h1 != hash_to_point("other", b"\x00")
    assert Point.from_bytes(h1.to_bytes()) == h1  # in the prime-order subgroup
    assert h1 * L == IDENTITY
