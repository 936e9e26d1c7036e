// Ranked answers: a ranking packed into group elements, encrypted with plain ElGamal and proven
// by knowledge of the randomness (docs/protocol.md §14.1–14.2; the Python twin, which defines
// the bytes, is crypto/ranked.py).
//
// Packing: a ranking is the list of the candidates' stable *positions*, most preferred first,
// distinct, possibly incomplete (even empty). Its bytes are position + 1 per ranked candidate
// followed by zero bytes, cut into width(n) = max(1, ceil(n / 29)) chunks of 29 bytes. Chunk →
// point by try-and-increment: the first 16-bit counter k for which u16le(k) || chunk || 0x00 is
// a valid point of the prime-order subgroup.
//
// Ciphertext per chunk: (α, β) = (g^r, M + y^r), with a Schnorr proof of knowledge of r:
// w drawn after r; A = g^w; c = H("scrutin/v1/ranked-randomness", fingerprint, credential,
// question, "ranked", chunk, β, α, A); s = w + c·r.
import { InvalidBallot, InvalidChoices, InvalidEncoding } from './errors.js';
import { G, Point, mod, randomScalar, scalarHex } from './group.js';
import { Ciphertext } from './elgamal.js';
import { hashToScalar } from './hashing.js';
import { parseChallengeResponse } from './proofs.js';
import { sodium } from './sodium.js';

export const CHUNK_BYTES = 29;
/** The largest candidate position a ranking can name (its byte is position + 1). */
export const MAX_POSITION = 254;
export const TAG_RANKED = 'scrutin/v1/ranked-randomness';

/** A decrypted point that is not the packing of a valid ranking. */
export class InvalidPacking extends InvalidEncoding {}

function isInt(x) { return typeof x === 'number' && Number.isSafeInteger(x); }

/** Group elements per ranked answer for a question of `nCandidates`. */
export function rankedWidth(nCandidates) {
  if (!isInt(nCandidates) || nCandidates < 1) throw new RangeError('a ranked question needs at least one candidate');
  return Math.max(1, Math.ceil(nCandidates / CHUNK_BYTES));
}

/** RangeError unless `ranking` lists distinct positions in 0..254, at most `maxLength`. */
export function checkPositions(ranking, maxLength) {
  if (!Array.isArray(ranking)) throw new RangeError('a ranking is a list of candidate positions');
  if (ranking.length > maxLength) throw new RangeError(`a ranking has at most ${maxLength} entries, got ${ranking.length}`);
  for (const p of ranking) {
    if (!isInt(p) || p < 0 || p > MAX_POSITION) throw new RangeError(`candidate position ${JSON.stringify(p)} not in 0..${MAX_POSITION}`);
  }
  if (new Set(ranking).size !== ranking.length) throw new RangeError('a ranking names each candidate at most once');
}

function chunkPoint(chunk) {
  const candidate = new Uint8Array(32);
  candidate.set(chunk, 2);
  for (let k = 0; k < 1 << 16; k++) {
    candidate[0] = k & 0xff;
    candidate[1] = k >> 8;
    if (sodium.crypto_core_ed25519_is_valid_point(candidate)) return new Point(new Uint8Array(candidate));
  }
  throw new RangeError('no counter gives a point (probability below 2^-6000)');
}

/** The rankedWidth(nCandidates) points encoding `ranking` (positions, most preferred first). */
export function packRanking(ranking, nCandidates) {
  const w = rankedWidth(nCandidates);
  checkPositions(ranking, nCandidates);
  const data = new Uint8Array(w * CHUNK_BYTES);
  ranking.forEach((p, i) => { data[i] = p + 1; });
  const points = [];
  for (let i = 0; i < w; i++) points.push(chunkPoint(data.subarray(i * CHUNK_BYTES, (i + 1) * CHUNK_BYTES)));
  return points;
}

/** The ranking (positions) that `points` encode; InvalidPacking if they are not a packing. */
export function unpackRanking(points) {
  const data = [];
  points.forEach((p, i) => {
    const raw = p.toBytes();
    if (raw[31] !== 0) throw new InvalidPacking(`chunk ${i}: not a packed ranking (last byte 0x${raw[31].toString(16).padStart(2, '0')})`);
    for (let j = 2; j < 2 + CHUNK_BYTES; j++) data.push(raw[j]);
  });
  let length = data.indexOf(0);
  if (length < 0) length = data.length;
  if (data.slice(length).some((b) => b !== 0)) throw new InvalidPacking('a ranked place follows an empty place');
  const ranking = data.slice(0, length).map((b) => b - 1);
  if (new Set(ranking).size !== ranking.length) throw new InvalidPacking('the same candidate is ranked twice');
  return ranking;
}

/** What the proof of knowledge of a chunk's randomness binds (§14.2). */
export function randomnessContext(fingerprintBytes, credential, question, chunk, beta) {
  return [fingerprintBytes, credential, question, 'ranked', chunk, beta];
}

/**
 * Pack, encrypt each chunk and prove knowledge of each randomness (draw order per chunk: r,
 * then w). Returns {answer: {ciphertexts, proofs} (JSON), randomness: [BigInt r per chunk]}.
 */
export function encryptRanking(publicKey, ranking, nCandidates, fingerprintBytes, credential, question, rng = randomScalar) {
  let points;
  try {
    points = packRanking(ranking, nCandidates);
  } catch (e) {
    if (e instanceof RangeError) throw new InvalidChoices(`question ${question}: ${e.message}`);
    throw e;
  }
  const ciphertexts = [];
  const proofs = [];
  const randomness = [];
  points.forEach((m, j) => {
    const r = mod(rng());
    const ct = new Ciphertext(G.mul(r), m.add(publicKey.mul(r)));
    const w = mod(rng());
    const c = hashToScalar(TAG_RANKED, ...randomnessContext(fingerprintBytes, credential, question, j, ct.beta), ct.alpha, G.mul(w));
    ciphertexts.push(ct.toJSON());
    proofs.push({ challenge: scalarHex(c), response: scalarHex(w + c * r) });
    randomness.push(r);
  });
  return { answer: { ciphertexts, proofs }, randomness };
}

/** Strict structure {"ciphertexts": [nChunks], "proofs": [nChunks]} → {cts, proofs} parsed. */
export function parseRankedAnswer(answer, nChunks, where) {
  const ok = answer !== null && typeof answer === 'object' && !Array.isArray(answer)
    && Object.keys(answer).sort().join(',') === 'ciphertexts,proofs';
  if (!ok) throw new InvalidBallot(`${where}: expected an object with keys ["ciphertexts","proofs"]`);
  for (const name of ['ciphertexts', 'proofs']) {
    if (!Array.isArray(answer[name]) || answer[name].length !== nChunks) {
      throw new InvalidBallot(`${where}.${name}: expected a list of ${nChunks}`);
    }
  }
  const cts = answer.ciphertexts.map((c, i) => Ciphertext.fromJSON(c, { what: `${where}.ciphertexts[${i}]` }));
  const proofs = answer.proofs.map((p, i) => parseChallengeResponse(p, `${where}.proofs[${i}]`));
  return { cts, proofs };
}

/** Each chunk's proof: A = g^s − c·α, then c = H(tag, context…, α, A); InvalidBallot if not. */
export function verifyRankedAnswer({ cts, proofs }, fingerprintBytes, credential, question, what) {
  cts.forEach((ct, j) => {
    const { challenge: c, response: s } = proofs[j];
    const A = G.mul(s).sub(ct.alpha.mul(c));
    const expected = hashToScalar(TAG_RANKED, ...randomnessContext(fingerprintBytes, credential, question, j, ct.beta), ct.alpha, A);
    if (expected !== c) {
      throw new InvalidBallot(`${what}.proofs[${j}]: the proof of knowledge of the encryption randomness does not verify (question ${question}, chunk ${j})`);
    }
  });
}
