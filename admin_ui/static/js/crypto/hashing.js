// Hash functions (docs/protocol.md §2; crypto/hashing.py).
//
// H(tag, items...) = LE(SHA-512(frame(utf8(tag)) || enc(item_1) || ...)) mod ℓ.
// Hash items: Point → frame(32 bytes); Uint8Array → frame(bytes); string → frame(utf8);
// Number (safe integer ≥ 0) or BigInt → frame(u64be(n)); Array → frame(u64be(len)) then its
// items; a scalar must be wrapped with scalarItem(x) → frame(32-byte LE). Booleans are rejected.
import { sodium } from './sodium.js';
import { L, Point, bytesToBigIntLE, scalarToBytes } from './group.js';
import { frame, toHex, u64be, utf8 } from './bytes.js';

/** Wrap a BigInt scalar so that it is hashed as 32 LE bytes (not as a u64 integer). */
export class ScalarItem {
  constructor(value) { this.value = value; }
}
export function scalarItem(x) { return new ScalarItem(x); }

function encode(item, out) {
  if (item instanceof Point) out.push(frame(item.toBytes()));
  else if (item instanceof ScalarItem) out.push(frame(scalarToBytes(item.value)));
  else if (item instanceof Uint8Array) out.push(frame(item));
  else if (typeof item === 'string') out.push(frame(utf8(item)));
  else if (typeof item === 'boolean') throw new TypeError('booleans are not hash items');
  else if (typeof item === 'number' || typeof item === 'bigint') out.push(frame(u64be(item)));
  else if (Array.isArray(item)) {
    out.push(frame(u64be(item.length)));
    for (const sub of item) encode(sub, out);
  } else throw new TypeError(`cannot hash ${item === null ? 'null' : typeof item}`);
}

/** frame(utf8(tag)) || enc(item_1) || ... — what SHA-512 hashes. */
export function hashPreimage(tag, ...items) {
  const parts = [frame(utf8(tag))];
  for (const item of items) encode(item, parts);
  let n = 0;
  for (const p of parts) n += p.length;
  const buf = new Uint8Array(n);
  let o = 0;
  for (const p of parts) { buf.set(p, o); o += p.length; }
  return buf;
}

/** SHA-512 (64 bytes). */
export function sha512(data) { return sodium.crypto_hash_sha512(data); }
/** SHA-256 (32 bytes). */
export function sha256(data) { return sodium.crypto_hash_sha256(data); }
/** Lowercase hex SHA-256. */
export function sha256Hex(data) { return toHex(sodium.crypto_hash_sha256(data)); }

/** SHA-512(hashPreimage(tag, items)). */
export function hashBytes(tag, ...items) {
  return sodium.crypto_hash_sha512(hashPreimage(tag, ...items));
}

/** Spec function H: the digest read little-endian, reduced mod ℓ (a BigInt in [0, ℓ)). */
export function hashToScalar(tag, ...items) {
  return bytesToBigIntLE(hashBytes(tag, ...items)) % L;
}

// ---- canonical JSON (spec §2.4) ----------------------------------------------------------------

/** Largest integer magnitude allowed in canonical JSON. */
export const MAX_JSON_INT = 2 ** 53 - 1;

function compareCodePoints(a, b) {
  // Sort by Unicode code point (Python's str order), not UTF-16 code units.
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i), y = b.codePointAt(i);
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

function checkString(s, path) {
  const wellFormed = typeof s.isWellFormed === 'function'
    ? s.isWellFormed()
    : !/(?:[\ud800-\udbff](?![\udc00-\udfff])|(?:^|[^\ud800-\udbff])[\udc00-\udfff])/.test(s);
  if (!wellFormed) throw new Error(`canonicalJson: lone surrogate in string at ${path}`);
}

function canon(value, path) {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean': return value ? 'true' : 'false';
    case 'string': checkString(value, path); return JSON.stringify(value);
    case 'number':
      if (!Number.isInteger(value)) throw new Error(`canonicalJson: float at ${path} (only integers are allowed)`);
      if (Math.abs(value) > MAX_JSON_INT) throw new Error(`canonicalJson: integer at ${path} exceeds 2^53-1`);
      return String(value === 0 ? 0 : value);
    case 'object': {
      if (Array.isArray(value)) return '[' + value.map((v, i) => canon(v, `${path}[${i}]`)).join(',') + ']';
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) {
        throw new Error(`canonicalJson: unsupported type ${value.constructor?.name} at ${path}`);
      }
      const keys = Object.keys(value).sort(compareCodePoints);
      const parts = [];
      for (const k of keys) {
        if (value[k] === undefined) throw new Error(`canonicalJson: undefined at ${path}.${k}`);
        checkString(k, path);
        parts.push(JSON.stringify(k) + ':' + canon(value[k], `${path}.${k}`));
      }
      return '{' + parts.join(',') + '}';
    }
    default:
      throw new Error(`canonicalJson: unsupported type ${typeof value} at ${path}`);
  }
}

/**
 * Canonical JSON text (crypto.hashing.canonical_json): keys sorted by code point, no whitespace,
 * JSON.stringify string escapes, integers only within ±(2^53−1). Plain objects/arrays only.
 */
export function canonicalJson(value) {
  return canon(value, '$');
}

/** UTF-8 bytes of canonicalJson(value). */
export function canonicalJsonBytes(value) {
  return utf8(canon(value, '$'));
}
