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
