// Shared helpers for the node tests of admin_ui/static/js/crypto/.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as S from '../../admin_ui/static/js/crypto/index.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export { S };

export function vectors(name) {
  return JSON.parse(readFileSync(join(ROOT, 'tests', 'vectors', name), 'utf8'));
}

/** A typed hash item of the vectors ({"point": hex}, {"int": n}, ...) → a JS hash item. */
export function item(typed) {
  const [[type, value]] = Object.entries(typed);
  switch (type) {
    case 'point': return S.Point.fromHex(value);
    case 'scalar': return S.scalarItem(S.scalarFromHex(value));
    case 'bytes': return S.fromHex(value);
    case 'str': return value;
    // JSON.parse loses precision above 2^53: the vector's 2^64−1 is re-read as a BigInt.
    case 'int': return Number.isSafeInteger(value) ? value : BigInt(value === 18446744073709552000 ? '18446744073709551615' : value);
    case 'list': return value.map(item);
    default: throw new Error(`unknown typed item ${type}`);
  }
}

/** The seeded DRBG of a vector. */
export function rngFromHex(seedHex) {
  return S.deterministicRng(S.fromHex(seedHex));
}

export function ctxOf(c) {
  return new S.BallotContext({ electionId: c.election_id, fingerprint: c.fingerprint, publicKey: c.public_key, questions: c.questions });
}

/** Flip the last hex digit of a string ('0' ↔ '1' style), keeping it lowercase hex. */
export function flipHex(s) {
  const last = s[s.length - 1];
  return s.slice(0, -1) + (last === '0' ? '1' : '0');
}

/** Every path to a string leaf of a JSON value. */
export function stringLeaves(obj, path = []) {
  if (typeof obj === 'string') return [path];
  if (Array.isArray(obj)) return obj.flatMap((v, i) => stringLeaves(v, [...path, i]));
  if (obj && typeof obj === 'object') return Object.entries(obj).flatMap(([k, v]) => stringLeaves(v, [...path, k]));
  return [];
}

export function getPath(obj, path) { return path.reduce((o, k) => o[k], obj); }
export function setPath(obj, path, value) {
  const parent = getPath(obj, path.slice(0, -1));
  parent[path[path.length - 1]] = value;
}
export function clone(x) { return JSON.parse(JSON.stringify(x)); }
