// Byte helpers (docs/protocol.md §0, §2.1; crypto/encoding.py).
import { InvalidEncoding } from './errors.js';

const HEX = [];
for (let i = 0; i < 256; i++) HEX.push(i.toString(16).padStart(2, '0'));
const NIBBLE = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) NIBBLE[48 + i] = i;
for (let i = 0; i < 6; i++) NIBBLE[97 + i] = 10 + i;

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Lowercase hex of a Uint8Array. */
export function toHex(bytes) {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i]];
  return s;
}

/** Strict lowercase hex → bytes (any even length). Throws InvalidEncoding. */
export function fromHex(hex, what = 'hex') {
  if (typeof hex !== 'string') throw new InvalidEncoding(`${what}: expected a hex string, got ${typeof hex}`);
  if (hex.length % 2) throw new InvalidEncoding(`${what}: odd number of hex digits`);
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) {
    const a = hex.charCodeAt(2 * i), b = hex.charCodeAt(2 * i + 1);
    const hi = a < 128 ? NIBBLE[a] : -1, lo = b < 128 ? NIBBLE[b] : -1;
    if (hi < 0 || lo < 0) throw new InvalidEncoding(`${what}: not lowercase hexadecimal`);
    out[i] = (hi << 4) | lo;
  }
  return out;
}

/** Strict lowercase hex of exactly `length` bytes (crypto.encoding.bytes_from_hex). */
export function bytesFromHex(value, length, what) {
  if (typeof value !== 'string') {
    throw new InvalidEncoding(`${what}: expected a hex string, got ${value === null ? 'null' : typeof value}`);
  }
  if (value.length !== 2 * length) {
    throw new InvalidEncoding(`${what}: expected ${2 * length} hex digits, got ${value.length}`);
  }
  return fromHex(value, what);
}

/** UTF-8 bytes of a string. */
export function utf8(s) {
  return encoder.encode(s);
}

/** Decode UTF-8 (throws on invalid input). */
export function fromUtf8(bytes) {
  return decoder.decode(bytes);
}

/** Concatenate Uint8Arrays. */
export function concat(...parts) {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

/** Unsigned 32-bit big-endian. */
export function u32be(n) {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError(`u32be: ${n} out of range`);
  return new Uint8Array([(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
}

/** Unsigned 64-bit big-endian of a Number (safe integer) or BigInt in [0, 2^64). */
export function u64be(n) {
  let v;
  if (typeof n === 'bigint') v = n;
  else if (typeof n === 'number' && Number.isSafeInteger(n)) v = BigInt(n);
  else throw new RangeError(`integer ${n} is not a safe integer or BigInt`);
  if (v < 0n || v >= 1n << 64n) throw new RangeError(`integer ${n} does not fit in an unsigned 64-bit hash item`);
  const out = new Uint8Array(8);
  const hi = Number(v >> 32n), lo = Number(v & 0xffffffffn);
  out[0] = hi >>> 24; out[1] = (hi >>> 16) & 255; out[2] = (hi >>> 8) & 255; out[3] = hi & 255;
  out[4] = lo >>> 24; out[5] = (lo >>> 16) & 255; out[6] = (lo >>> 8) & 255; out[7] = lo & 255;
  return out;
}

/** frame(b) = u32be(len(b)) || b. */
export function frame(b) {
  const out = new Uint8Array(4 + b.length);
  const n = b.length;
  out[0] = n >>> 24; out[1] = (n >>> 16) & 255; out[2] = (n >>> 8) & 255; out[3] = n & 255;
  out.set(b, 4);
  return out;
}

/** Byte equality. */
export function bytesEqual(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Standard base64 (with padding) of bytes — the encoding the ceremony API uses for sealed shares. */
export function toBase64(bytes) {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/** Standard base64 → bytes. */
export function fromBase64(text) {
  let s;
  try { s = atob(text); } catch { throw new InvalidEncoding('invalid base64'); }
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}
