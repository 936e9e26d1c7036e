// Voter credentials and Schnorr signatures (docs/protocol.md §6; crypto/credentials.py).
//
// A credential is a key pair (x, X = g^x) per voter per election; every ballot is signed with x.
// It can be derived from a 16-character base58 code the voter types (15 random characters and a
// checksum character), stretched with PBKDF2-HMAC-SHA256 (10,000 iterations, 64 bytes).
import { sodium } from './sodium.js';
import { InvalidEncoding, InvalidSignature } from './errors.js';
import { G, L, Point, bytesToBigIntLE, mod, randomScalar, scalarFromHex, scalarHex } from './group.js';
import { hashToScalar } from './hashing.js';
import { concat, utf8 } from './bytes.js';

export const BASE58_ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
export const CODE_DATA_CHARS = 15;
export const CODE_CHECKSUM_MODULUS = 53;
export const KDF_ITERATIONS = 10000;
export const KDF_SALT_PREFIX = 'scrutin/v1/credential/';
export const TAG_SIGNATURE = 'scrutin/v1/signature';

const B58_INDEX = new Map([...BASE58_ALPHABET].map((ch, i) => [ch, i]));

/** alphabet[n mod 53] where n is `data` read as a big-endian base-58 number. */
export function checksumChar(data) {
  let n = 0n;
  for (const ch of data) n = n * 58n + BigInt(B58_INDEX.get(ch));
  return BASE58_ALPHABET[Number(n % BigInt(CODE_CHECKSUM_MODULUS))];
}

/** A fresh 16-character credential code (15 uniform base58 characters + checksum). */
export function generateCode() {
  let data = '';
  const buf = new Uint8Array(1);
  while (data.length < CODE_DATA_CHARS) {
    globalThis.crypto.getRandomValues(buf);
    if (buf[0] < 232) data += BASE58_ALPHABET[buf[0] % 58]; // 232 = 4·58: no modulo bias
  }
  return data + checksumChar(data);
}

/** The code in groups of four separated by '-', as shown to voters. */
export function formatCode(code) {
  const clean = normalizeCode(code);
  return clean.match(/.{1,4}/g).join('-');
}

/** Remove spaces, tabs and hyphens and check the length, alphabet and checksum. */
export function normalizeCode(code) {
  if (typeof code !== 'string') throw new InvalidEncoding('credential code: expected a string');
  const clean = code.replace(/[ \t-]/g, '');
  if ([...clean].length !== CODE_DATA_CHARS + 1) {
    throw new InvalidEncoding(`credential code: expected ${CODE_DATA_CHARS + 1} characters, got ${[...clean].length}`);
  }
  for (const ch of clean) {
    if (!B58_INDEX.has(ch)) throw new InvalidEncoding(`credential code: invalid character ${JSON.stringify(ch)}`);
  }
  if (checksumChar(clean.slice(0, -1)) !== clean.slice(-1)) {
    throw new InvalidEncoding('credential code: checksum mismatch (typo?)');
  }
  return clean;
}

function hmacSha256(key, data) {
  const st = sodium.crypto_auth_hmacsha256_init(key);
  sodium.crypto_auth_hmacsha256_update(st, data);
  return sodium.crypto_auth_hmacsha256_final(st);
}

/** PBKDF2-HMAC-SHA256 with libsodium (used where WebCrypto is unavailable, e.g. plain http). */
export function pbkdf2Sha256Fallback(password, salt, iterations, length) {
  const blocks = [];
  for (let i = 1; blocks.length * 32 < length; i++) {
    let u = hmacSha256(password, concat(salt, new Uint8Array([i >>> 24, (i >>> 16) & 255, (i >>> 8) & 255, i & 255])));
    const t = new Uint8Array(u);
    for (let k = 1; k < iterations; k++) {
      u = hmacSha256(password, u);
      for (let b = 0; b < 32; b++) t[b] ^= u[b];
    }
    blocks.push(t);
  }
  return concat(...blocks).subarray(0, length);
}

/** PBKDF2-HMAC-SHA256 (WebCrypto when available). Returns a Promise<Uint8Array>. */
export async function pbkdf2Sha256(password, salt, iterations, length) {
  const subtle = globalThis.crypto?.subtle;
  if (subtle) {
    const key = await subtle.importKey('raw', password, 'PBKDF2', false, ['deriveBits']);
    const bits = await subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, key, 8 * length);
    return new Uint8Array(bits);
  }
  return pbkdf2Sha256Fallback(password, salt, iterations, length);
}

/** x = LE(PBKDF2-HMAC-SHA256(code, "scrutin/v1/credential/" + electionId, 10000, 64)) mod ℓ. */
export async function deriveSecret(code, electionId) {
  const clean = normalizeCode(code);
  const raw = await pbkdf2Sha256(utf8(clean), utf8(KDF_SALT_PREFIX + electionId), KDF_ITERATIONS, 64);
  const x = bytesToBigIntLE(raw) % L;
  if (x === 0n) throw new InvalidEncoding('credential code derives the zero scalar');
  return x;
}

function messageBytes(m) {
  return typeof m === 'string' ? utf8(m) : m;
}

/** A voter's credential key pair: secret x (BigInt), public X = g^x (Point). */
export class CredentialKey {
  constructor(secret, publicPoint) {
    Object.defineProperty(this, 'secret', { value: secret, enumerable: false });
    this.public = publicPoint;
    Object.freeze(this);
  }

  static fromSecret(secret) {
    const x = mod(secret);
    if (x === 0n) throw new RangeError('credential secret must be non-zero');
    return new CredentialKey(x, G.mul(x));
  }

  /** From the 64-hex secret (e.g. a saved key file). */
  static fromSecretHex(hex) {
    return CredentialKey.fromSecret(scalarFromHex(hex, 'credential secret'));
  }

  static generate(rng = randomScalar) {
    return CredentialKey.fromSecret(rng());
  }

  /** Derive from a typed code (normalizes, checks the checksum). Async (PBKDF2). */
  static async fromCode(code, electionId) {
    return CredentialKey.fromSecret(await deriveSecret(code, electionId));
  }

  secretHex() { return scalarHex(this.secret); }

  /**
   * Schnorr signature (§6.2): w ← rng; A = g^w; c = H("scrutin/v1/signature", context, X, A, message);
   * s = w + c·x. message, context: Uint8Array (a string message is UTF-8 encoded).
   * Returns {challenge: hex, response: hex}.
   */
  sign(message, context, rng = randomScalar) {
    const w = mod(rng());
    const c = hashToScalar(TAG_SIGNATURE, new Uint8Array(context), this.public, G.mul(w), messageBytes(message));
    return { challenge: scalarHex(c), response: scalarHex(w + c * this.secret) };
  }
}

/** A = g^s · X^-c; check c = H("scrutin/v1/signature", context, X, A, message). Throws InvalidSignature. */
export function verifySignature(publicPoint, message, signature, context) {
  if (signature === null || typeof signature !== 'object' || Array.isArray(signature)
      || Object.keys(signature).length !== 2 || !('challenge' in signature) || !('response' in signature)) {
    throw new InvalidSignature("signature: expected an object with 'challenge' and 'response'");
  }
  let c, s;
  try {
    c = scalarFromHex(signature.challenge, 'signature.challenge');
    s = scalarFromHex(signature.response, 'signature.response');
  } catch (e) {
    if (e instanceof InvalidEncoding) throw new InvalidSignature(e.message);
    throw e;
  }
  const A = G.mul(s).sub(publicPoint.mul(c));
  if (hashToScalar(TAG_SIGNATURE, new Uint8Array(context), publicPoint, A, messageBytes(message)) !== c) {
    throw new InvalidSignature('signature does not verify for this credential and message');
  }
}

