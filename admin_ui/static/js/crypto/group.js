// The group: Ed25519's prime-order subgroup (docs/protocol.md §1; crypto/group.py).
//
// Scalars are BigInts in [0, ℓ). Points are immutable `Point` objects wrapping their canonical
// 32-byte RFC 8032 encoding. Points from outside go through `Point.fromHex`/`fromBytes`, which
// require libsodium's crypto_core_ed25519_is_valid_point (canonical, on the curve, not of small
// order, in the prime-order subgroup — so the identity is rejected). The identity exists only
// inside computations; libsodium's *_noclamp multiplications fail on a zero scalar or the
// identity, so this module handles those cases itself.
import { sodium } from './sodium.js';
import { InvalidEncoding, InvalidPoint, InvalidScalar } from './errors.js';
import { bytesFromHex, bytesEqual, concat, frame, toHex, utf8 } from './bytes.js';

/** The group order ℓ. */
export const L = 2n ** 252n + 27742317777372353535851937790883648493n;
/** The base field prime 2^255 − 19 (only used to explain rejections). */
export const FIELD_P = 2n ** 255n - 19n;

// ---- scalars ---------------------------------------------------------------------------------

/** x mod ℓ in [0, ℓ) for any BigInt (or safe-integer Number). */
export function mod(x) {
  const v = (typeof x === 'bigint' ? x : BigInt(x)) % L;
  return v < 0n ? v + L : v;
}

/** 32 bytes little-endian of a scalar (reduced mod ℓ first). */
export function scalarToBytes(x) {
  const hex = mod(x).toString(16).padStart(64, '0');
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = parseInt(hex.substr(62 - 2 * i, 2), 16);
  return out;
}

/** 64 lowercase hex digits of scalarToBytes(x) (the JSON encoding). */
export function scalarHex(x) {
  const hex = mod(x).toString(16).padStart(64, '0');
  let s = '';
  for (let i = 62; i >= 0; i -= 2) s += hex.substr(i, 2);
  return s;
}

/** Little-endian bytes (any length) → BigInt, no reduction. */
export function bytesToBigIntLE(bytes) {
  let hex = '';
  for (let i = bytes.length - 1; i >= 0; i--) hex += (bytes[i] < 16 ? '0' : '') + bytes[i].toString(16);
  return hex ? BigInt('0x' + hex) : 0n;
}

/** Strict scalar decoding: exactly 32 bytes, value < ℓ (InvalidScalar otherwise). */
export function scalarFromBytes(data, what = 'scalar') {
  if (!(data instanceof Uint8Array) || data.length !== 32) {
    throw new InvalidScalar(`${what}: expected exactly 32 bytes`);
  }
  const v = bytesToBigIntLE(data);
  if (v >= L) throw new InvalidScalar(`${what}: not canonical (value is not below the group order ℓ)`);
  return v;
}

/** Strict decoding of 64 lowercase hex digits (the JSON encoding of a scalar). */
export function scalarFromHex(value, what = 'scalar') {
  let data;
  try {
    data = bytesFromHex(value, 32, what);
  } catch (e) {
    if (e instanceof InvalidEncoding) throw new InvalidScalar(e.message);
    throw e;
  }
  return scalarFromBytes(data, what);
}

/** A uniformly random non-zero scalar: 64 bytes from the platform CSPRNG reduced mod ℓ. */
export function randomScalar() {
  const buf = new Uint8Array(64);
  for (;;) {
    globalThis.crypto.getRandomValues(buf);
    const v = bytesToBigIntLE(buf) % L;
    if (v !== 0n) return v;
  }
}

/** Multiplicative inverse mod ℓ (RangeError for zero). */
export function scalarInverse(x) {
  let a = mod(x);
  if (a === 0n) throw new RangeError('zero scalar has no inverse');
  // Extended Euclid.
  let [r0, r1, t0, t1] = [L, a, 0n, 1n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [t0, t1] = [t1, t0 - q * t1];
  }
  return mod(t0);
}

// ---- points ----------------------------------------------------------------------------------

const IDENTITY_BYTES = new Uint8Array(32); IDENTITY_BYTES[0] = 1;
const G_BYTES = new Uint8Array(32).fill(0x66); G_BYTES[0] = 0x58;
const ZERO32 = new Uint8Array(32);

function isIdentityBytes(b) {
  if (b[0] !== 1) return false;
  for (let i = 1; i < 32; i++) if (b[i] !== 0) return false;
  return true;
}

const validCache = new Map();
function validPoint(bytes, hex) {
  let ok = validCache.get(hex);
  if (ok === undefined) {
    ok = !!sodium.crypto_core_ed25519_is_valid_point(bytes);
    if (validCache.size >= 4096) validCache.delete(validCache.keys().next().value);
    validCache.set(hex, ok);
  }
  return ok;
}

function diagnose(data) {
  if (isIdentityBytes(data)) return 'the identity element is not allowed here';
  const y = bytesToBigIntLE(data) & ((1n << 255n) - 1n);
  if (y >= FIELD_P) return 'non-canonical encoding (y coordinate is not reduced mod 2^255-19)';
  return 'not a point of the prime-order subgroup (off the curve, small order or mixed order)';
}

/** Scalar argument → 32-byte LE encoding of k mod ℓ, or null when k ≡ 0. */
function scalarArg(k) {
  if (typeof k === 'bigint' || typeof k === 'number') {
    const v = mod(k);
    return v === 0n ? null : scalarToBytes(v);
  }
  if (k instanceof Uint8Array && k.length === 32) {
    return bytesEqual(k, ZERO32) ? null : k; // caller guarantees it is reduced
  }
  throw new TypeError('expected a BigInt scalar');
}

/** An element of the prime-order subgroup of Ed25519 (spec: point). Immutable. */
export class Point {
  /** Internal: wrap an encoding we produced ourselves. Use Point.fromBytes/fromHex for input. */
  constructor(bytes) {
    this._b = bytes;
    this._hex = undefined;

  }

  /** Strict decoding of 32 bytes from outside (identity only with allowIdentity). */
  static fromBytes(data, { allowIdentity = false, what = 'point' } = {}) {
    if (!(data instanceof Uint8Array)) throw new InvalidPoint(`${what}: expected bytes`);
    if (data.length !== 32) throw new InvalidPoint(`${what}: expected exactly 32 bytes, got ${data.length}`);
    const bytes = new Uint8Array(data);
    if (allowIdentity && isIdentityBytes(bytes)) return IDENTITY;
    const hex = toHex(bytes);
    if (!validPoint(bytes, hex)) throw new InvalidPoint(`${what}: ${diagnose(bytes)}`);
    const p = new Point(bytes);
    p._hex = hex;
    return p;
  }

  /** Strict decoding of 64 lowercase hex digits (the JSON encoding). */
  static fromHex(value, { allowIdentity = false, what = 'point' } = {}) {
    let data;
    try {
      data = bytesFromHex(value, 32, what);
    } catch (e) {
      if (e instanceof InvalidEncoding) throw new InvalidPoint(e.message);
      throw e;
    }
    return Point.fromBytes(data, { allowIdentity, what });
  }

  static identity() { return IDENTITY; }
  static base() { return G; }

  /** The 32-byte encoding (do not modify). */
  toBytes() { return this._b; }
  hex() { return this._hex ?? (this._hex = toHex(this._b)); }
  toJSON() { return this.hex(); }
  toString() { return this.isIdentity() ? 'Point(identity)' : `Point(${this.hex()})`; }
  isIdentity() { return isIdentityBytes(this._b); }
  equals(other) { return other instanceof Point && bytesEqual(this._b, other._b); }

  add(other) {
    if (this.isIdentity()) return other;
    if (other.isIdentity()) return this;
    return new Point(sodium.crypto_core_ed25519_add(this._b, other._b));
  }

  sub(other) {
    if (other.isIdentity()) return this;
    if (this.isIdentity()) return other.neg();
    return new Point(sodium.crypto_core_ed25519_sub(this._b, other._b));
  }

  /** −P: flip the sign bit (only the identity has x = 0 in the subgroup). */
  neg() {
    if (this.isIdentity()) return this;
    const b = new Uint8Array(this._b);
    b[31] ^= 0x80;
    return new Point(b);
  }

  /** P^k (additive notation: k·P) for a BigInt k (any sign; reduced mod ℓ). */
  mul(k) {
    const kb = scalarArg(k);
    if (kb === null || this.isIdentity()) return IDENTITY;
    if (this === G || bytesEqual(this._b, G_BYTES)) {
      return new Point(sodium.crypto_scalarmult_ed25519_base_noclamp(kb));
    }
    return new Point(sodium.crypto_scalarmult_ed25519_noclamp(kb, this._b));
  }
}

/** The neutral element. */
export const IDENTITY = new Point(IDENTITY_BYTES);
/** The standard Ed25519 base point g. */
export const G = new Point(G_BYTES);

/** g^k through libsodium's fixed-base tables. */
export function baseMul(k) {
  const kb = scalarArg(k);
  if (kb === null) return IDENTITY;
  return new Point(sodium.crypto_scalarmult_ed25519_base_noclamp(kb));
}

export const HASH_TO_POINT_TAG = 'scrutin/v1/hash-to-point';

/**
 * Independent generator with unknown discrete log (spec §2.3):
 * u = SHA-512(frame("scrutin/v1/hash-to-point") || frame(utf8(tag)) || frame(data))[0:32],
 * point = crypto_core_ed25519_from_uniform(u).
 */
export function hashToPoint(tag, data) {
  const h = sodium.crypto_hash_sha512(concat(frame(utf8(HASH_TO_POINT_TAG)), frame(utf8(tag)), frame(data)));
  const out = sodium.crypto_core_ed25519_from_uniform(h.subarray(0, 32));
  if (!sodium.crypto_core_ed25519_is_valid_point(out)) {
    throw new InvalidPoint(`hashToPoint(${JSON.stringify(tag)}) produced the identity`);
  }
  return new Point(out);
}

/**
 * Whether `data` is the canonical encoding of a point of the curve of ANY order (small- and
 * mixed-order points pass; no subgroup check): the commitments of ballot version 2, whose
 * equations are checked after multiplying by the cofactor 8 (protocol §4.5). libsodium's
 * addition decodes any curve point and re-encodes canonically: adding the identity is an exact
 * round trip (crypto/group.py curve_point_ok).
 */
export function curvePointOk(data) {
  if (!(data instanceof Uint8Array) || data.length !== 32) return false;
  let out;
  try {
    out = sodium.crypto_core_ed25519_add(data, IDENTITY_BYTES);
  } catch (e) {
    return false; // not on the curve
  }
  return bytesEqual(out, data);
}

function double(b) { return sodium.crypto_core_ed25519_add(b, b); }

/** 8·P for the canonical encoding of a curve point P of any order (checked by curvePointOk). */
export function clearCofactor(data) {
  return new Point(double(double(double(data))));
}

/** 8·p by three doublings (a prime-order Point, or the identity). */
export function timesCofactor(p) {
  return p.isIdentity() ? p : clearCofactor(p.toBytes());
}
