// The election fingerprint (docs/protocol.md §7; crypto/fingerprint.py):
// hex(SHA-256(utf8("scrutin/v1/election-fingerprint\n") || canonical_json(manifest))).
import { canonicalJsonBytes, sha256Hex } from './hashing.js';
import { concat, utf8 } from './bytes.js';

export const FINGERPRINT_PREFIX = 'scrutin/v1/election-fingerprint\n';

export function electionFingerprint(manifest) {
  if (manifest === null || typeof manifest !== 'object' || Array.isArray(manifest)) {
    throw new TypeError('manifest must be an object');
  }
  return sha256Hex(concat(utf8(FINGERPRINT_PREFIX), canonicalJsonBytes(manifest)));
}

export const FINGERPRINT_CODE_DIGITS = 16;

/**
 * The short code people compare (crypto/fingerprint.py fingerprint_code): the first 16 hex
 * digits of the election fingerprint in four groups of four, `3f2a-91bc-0d4e-77aa`.
 */
export function fingerprintCode(fingerprint) {
  if (typeof fingerprint !== 'string' || !/^[0-9a-f]{64}$/.test(fingerprint)) {
    throw new TypeError('an election fingerprint is 64 lowercase hex digits');
  }
  return fingerprint.slice(0, FINGERPRINT_CODE_DIGITS).match(/.{4}/g).join('-');
}

/** A code as people copy it (any case, spaces, dashes; or the whole fingerprint) → canonical. */
export function normaliseFingerprintCode(text) {
  const compact = String(text).toLowerCase().replace(/[\s-]/g, '');
  if (![FINGERPRINT_CODE_DIGITS, 64].includes(compact.length) || !/^[0-9a-f]+$/.test(compact)) {
    throw new TypeError(`not an election fingerprint code: ${JSON.stringify(text)} (expected 16 hex digits in groups of four, e.g. 3f2a-91bc-0d4e-77aa)`);
  }
  return fingerprintCode(compact.padEnd(64, '0'));
}
