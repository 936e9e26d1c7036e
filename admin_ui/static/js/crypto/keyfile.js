// A trustee's key file, encrypted with a passphrase (docs/protocol.md §8.6; the same format as
// app/client/keyfile.py, so a trustee can move between the page and the CLI):
//   {"format": "scrutin-trustee-key", "version": 2,
//    "kdf": {"alg": "argon2id13", "salt": b64(16), "opslimit": N, "memlimit": M},
//    "box": b64(nonce(24) ‖ crypto_secretbox(JSON state))}
import { sodium } from './sodium.js';
import { CryptoError } from './errors.js';
import { concat, fromBase64, fromUtf8, toBase64, utf8 } from './bytes.js';

export const KEY_FILE_FORMAT = 'scrutin-trustee-key';
export const KEY_FILE_VERSION = 2;

/** Wrong passphrase, damaged file, or not a key file. */
export class KeyFileError extends CryptoError {}

function derive(passphrase, salt, opslimit, memlimit) {
  if (!passphrase) throw new KeyFileError('a passphrase is required to protect the trustee key file');
  return sodium.crypto_pwhash(sodium.crypto_secretbox_KEYBYTES, utf8(passphrase), salt, opslimit, memlimit,
    sodium.crypto_pwhash_ALG_ARGON2ID13);
}

/**
 * A key (derived once per file: argon2id is deliberately slow) and the salt and limits it came
 * from. `from` is an existing key-file document whose salt and limits to reuse.
 */
export function keyFileKey(passphrase, from = null) {
  const salt = from ? fromBase64(from.kdf.salt) : sodium.randombytes_buf(sodium.crypto_pwhash_SALTBYTES);
  const opslimit = from ? from.kdf.opslimit : sodium.crypto_pwhash_OPSLIMIT_INTERACTIVE;
  const memlimit = from ? from.kdf.memlimit : sodium.crypto_pwhash_MEMLIMIT_INTERACTIVE;
  return { key: derive(passphrase, salt, opslimit, memlimit), salt, opslimit, memlimit };
}

/** The encrypted document for `state` under a key from keyFileKey(). */
export function sealKeyFile(state, k) {
  const nonce = sodium.randombytes_buf(sodium.crypto_secretbox_NONCEBYTES);
  const box = sodium.crypto_secretbox_easy(utf8(JSON.stringify(state)), nonce, k.key);
  return {
    format: KEY_FILE_FORMAT, version: KEY_FILE_VERSION,
    kdf: { alg: 'argon2id13', salt: toBase64(k.salt), opslimit: k.opslimit, memlimit: k.memlimit },
    box: toBase64(concat(nonce, box)),
  };
}

/** {state, key} from a key-file document and its passphrase; KeyFileError otherwise. */
export function openKeyFile(doc, passphrase) {
  if (doc === null || typeof doc !== 'object' || doc.format !== KEY_FILE_FORMAT) throw new KeyFileError('not a trustee key file');
  if (doc.version !== KEY_FILE_VERSION) throw new KeyFileError(`unsupported key file version ${doc.version}`);
  if (!doc.kdf || doc.kdf.alg !== 'argon2id13') throw new KeyFileError('unknown key derivation');
  let k, raw;
  try {
    k = keyFileKey(passphrase, doc);
    raw = fromBase64(doc.box);
  } catch (e) {
    if (e instanceof KeyFileError) throw e;
    throw new KeyFileError(`the key file is damaged: ${e.message}`);
  }
  const n = sodium.crypto_secretbox_NONCEBYTES;
  let plain;
  try {
    plain = sodium.crypto_secretbox_open_easy(raw.subarray(n), raw.subarray(0, n), k.key);
  } catch {
    throw new KeyFileError('wrong passphrase for this key file (or the file was altered)');
  }
  return { state: JSON.parse(fromUtf8(plain)), key: k };
}
