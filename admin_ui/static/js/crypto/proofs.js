// Non-interactive zero-knowledge proofs (docs/protocol.md §4; crypto/proofs.py).
//
// Σ-protocols with the strong Fiat–Shamir transform: the challenge hashes a caller-supplied
// context (an array of hash items), the whole statement and every commitment. Proofs travel in
// challenge/response form (JSON with hex scalars); verifiers recompute the commitments.
//
//   proveDlog / verifyDlog                 Schnorr proof of knowledge of x, X = g^x   (§4.1)
//   proveEqDlog / verifyEqDlog             Chaum–Pedersen log_g X = log_h Y           (§4.2)
//   proveDisjunctive / verifyDisjunctive   ciphertext encrypts one of `values`        (§4.3)
//   proveBit / verifyBit                   values [0, 1]
//   proveRange / verifyRange               values [low..high]                          (§4.4)
import { InvalidEncoding, InvalidProof } from './errors.js';
import { G, L, baseMul, clearCofactor, curvePointOk, mod, randomScalar, scalarFromHex, scalarHex, timesCofactor } from './group.js';
import { bytesFromHex } from './bytes.js';
import { gPow } from './elgamal.js';
import { hashToScalar } from './hashing.js';

export const TAG_DLOG = 'scrutin/v1/dlog';
export const TAG_EQDLOG = 'scrutin/v1/eqdlog';
export const TAG_DISJUNCTIVE = 'scrutin/v1/disjunctive';

function isPlainObject(x) {
  return x !== null && typeof x === 'object' && !Array.isArray(x);
}

function exactKeys(data, keys) {
  if (!isPlainObject(data)) return false;
  const k = Object.keys(data);
  return k.length === keys.length && keys.every((x) => Object.prototype.hasOwnProperty.call(data, x));
}

/** Strict parse of {"challenge", "response"} → {challenge: BigInt, response: BigInt}. */
export function parseChallengeResponse(data, what = 'proof') {
  if (!exactKeys(data, ['challenge', 'response'])) {
    throw new InvalidEncoding(`${what}: expected an object with exactly 'challenge' and 'response'`);
  }
  return {
    challenge: scalarFromHex(data.challenge, `${what}.challenge`),
    response: scalarFromHex(data.response, `${what}.response`),
  };
}

/**
 * Strict parse of {"challenges", "responses"} with `branches` entries each; with
 * options.commitments (ballot version 2, protocol §4.5) also "commitments": [[A_j, B_j], ...],
 * hex-decoded only (whether they are curve points is part of the proof check).
 */
export function parseDisjunctive(data, branches, what = 'proof', { commitments = false } = {}) {
  const keys = commitments ? ['challenges', 'commitments', 'responses'] : ['challenges', 'responses'];
  if (!exactKeys(data, keys)) {
    throw new InvalidEncoding(`${what}: expected an object with exactly ${keys.map((k) => `'${k}'`).join(' and ')}`);
  }
  const cs = data.challenges, ss = data.responses;
  if (!Array.isArray(cs) || !Array.isArray(ss)) throw new InvalidEncoding(`${what}: challenges and responses must be lists`);
  if (cs.length !== branches || ss.length !== branches) {
    throw new InvalidEncoding(`${what}: expected ${branches} challenges and responses, got ${cs.length} and ${ss.length}`);
  }
  let pairs = null;
  if (commitments) {
    const raw = data.commitments;
    if (!Array.isArray(raw) || raw.length !== branches) throw new InvalidEncoding(`${what}: commitments must be a list of ${branches} pairs`);
    pairs = raw.map((pair, j) => {
      if (!Array.isArray(pair) || pair.length !== 2) throw new InvalidEncoding(`${what}.commitments[${j}]: expected a pair [A, B]`);
      return pair.map((x, k) => bytesFromHex(x, 32, `${what}.commitments[${j}][${k}]`));
    });
  }
  return {
    challenges: cs.map((c, i) => scalarFromHex(c, `${what}.challenges[${i}]`)),
    responses: ss.map((s, i) => scalarFromHex(s, `${what}.responses[${i}]`)),
    commitments: pairs,
  };
}

// ---- Schnorr proof of knowledge (§4.1) -----------------------------------------------------

/** w ← rng; A = g^w; c = H("scrutin/v1/dlog", ctx..., X, A); s = w + c·x. → {challenge, response}. */
export function proveDlog(secret, context, rng = randomScalar) {
  const x = mod(secret);
  const X = G.mul(x);
  const w = mod(rng());
  const c = hashToScalar(TAG_DLOG, ...context, X, G.mul(w));
  return { challenge: scalarHex(c), response: scalarHex(w + c * x) };
}

/** A = g^s · X^-c; check c = H("scrutin/v1/dlog", ctx..., X, A). Throws InvalidProof / InvalidEncoding. */
export function verifyDlog(publicPoint, proof, context, what = 'proof of knowledge') {
  const { challenge: c, response: s } = parseChallengeResponse(proof, what);
  const A = G.mul(s).sub(publicPoint.mul(c));
  if (hashToScalar(TAG_DLOG, ...context, publicPoint, A) !== c) {
    throw new InvalidProof(`${what}: Schnorr proof does not verify`);
  }
}

// ---- Chaum–Pedersen (§4.2) -----------------------------------------------------------------

/** w ← rng; A = g^w; B = h^w; c = H("scrutin/v1/eqdlog", ctx..., h, X, Y, A, B); s = w + c·x. */
export function proveEqDlog(secret, base, context, rng = randomScalar) {
  const x = mod(secret);
  const w = mod(rng());
  const c = hashToScalar(TAG_EQDLOG, ...context, base, G.mul(x), base.mul(x), G.mul(w), base.mul(w));
  return { challenge: scalarHex(c), response: scalarHex(w + c * x) };
}

/** A = g^s·X^-c, B = h^s·Y^-c; check c = H("scrutin/v1/eqdlog", ctx..., h, X, Y, A, B). */
export function verifyEqDlog(publicPoint, base, image, proof, context, what = 'Chaum-Pedersen proof') {
  const { challenge: c, response: s } = parseChallengeResponse(proof, what);
  const A = G.mul(s).sub(publicPoint.mul(c));
  const B = base.mul(s).sub(image.mul(c));
  if (hashToScalar(TAG_EQDLOG, ...context, base, publicPoint, image, A, B) !== c) {
    throw new InvalidProof(`${what}: Chaum-Pedersen proof does not verify`);
  }
}

// ---- disjunctive proofs (§4.3, §4.4) -------------------------------------------------------

function checkValues(values) {
  if (!Array.isArray(values) || values.length === 0) throw new RangeError('a disjunctive proof needs at least one allowed value');
  if (new Set(values).size !== values.length) throw new RangeError('allowed values must be distinct');
  for (const v of values) {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
      throw new RangeError(`allowed value ${v} is not a non-negative safe integer`);
    }
  }
}

/**
 * Prove that `ciphertext` = Enc_y(values[index]; randomness) without revealing index.
 * Draws, in order: w, then for each j ≠ index (increasing): c_j, s_j.
 * Returns {challenges: [hex...], responses: [hex...]}, with options.commitments (ballot
 * version 2) also commitments: [[hex(A_j), hex(B_j)], ...].
 */
export function proveDisjunctive(publicKey, ciphertext, values, index, randomness, context, rng = randomScalar,
  { commitments: withCommitments = false } = {}) {
  checkValues(values);
  const r = mod(randomness);
  const m = values[index];
  const k = values.length;
  const w = mod(rng());
  const cs = new Array(k).fill(0n);
  const ss = new Array(k).fill(0n);
  for (let j = 0; j < k; j++) {
    if (j !== index) {
      cs[j] = mod(rng());
      ss[j] = mod(rng());
    }
  }
  const commitments = [];
  for (let j = 0; j < k; j++) {
    if (j === index) {
      commitments.push(G.mul(w), publicKey.mul(w));
    } else {
      // α^{-c} = g^{-rc} and (β/g^{v_j})^{-c} = g^{(v_j − m)c} · y^{-rc}: one variable-base mult.
      const t = mod(ss[j] - r * cs[j]);
      const d = BigInt(values[j] - m) * cs[j];
      commitments.push(G.mul(t), publicKey.mul(t).add(baseMul(d)));
    }
  }
  const c = hashToScalar(TAG_DISJUNCTIVE, ...context, publicKey, ciphertext.alpha, ciphertext.beta, values, commitments);
  let others = 0n;
  for (let j = 0; j < k; j++) if (j !== index) others += cs[j];
  cs[index] = mod(c - others);
  ss[index] = mod(w + cs[index] * r);
  const proof = { challenges: cs.map(scalarHex), responses: ss.map(scalarHex) };
  if (withCommitments) {
    proof.commitments = [];
    for (let j = 0; j < k; j++) proof.commitments.push([commitments[2 * j].hex(), commitments[2 * j + 1].hex()]);
  }
  return proof;
}

/**
 * A_j = g^{s_j} α^{-c_j}, B_j = y^{s_j} (β/g^{v_j})^{-c_j}; check
 * Σ c_j = H("scrutin/v1/disjunctive", ctx..., y, α, β, [v...], [A_0, B_0, ...]) mod ℓ.
 * options.commitments (ballot version 2, §4.5): the proof carries A_j, B_j; check each is a
 * canonical curve point (any order), Σ c_j = H(..., the commitments as sent), then for each
 * branch 8·(g^{s_j} α^{-c_j}) = 8·A_j and 8·(y^{s_j} (β/g^{v_j})^{-c_j}) = 8·B_j — one equation
 * at a time, with the error texts of crypto/proofs.py.
 */
export function verifyDisjunctive(publicKey, ciphertext, values, proof, context, what = 'disjunctive proof',
  { commitments: withCommitments = false } = {}) {
  checkValues(values);
  const parsed = parseDisjunctive(proof, values.length, what, { commitments: withCommitments });
  const { alpha, beta } = ciphertext;
  if (withCommitments) {
    const sent = parsed.commitments.flat();
    sent.forEach((e, n) => {
      if (!curvePointOk(e)) {
        throw new InvalidProof(`${what}: commitments[${n >> 1}][${n & 1}] (${'AB'[n & 1]}_${n >> 1}) is not a canonical encoding of a curve point`);
      }
    });
    const total = parsed.challenges.reduce((a, c) => a + c, 0n);
    if (total % L !== hashToScalar(TAG_DISJUNCTIVE, ...context, publicKey, alpha, beta, values, sent)) {
      throw new InvalidProof(`${what}: does not verify (the challenges do not sum to the hash)`);
    }
    for (let j = 0; j < values.length; j++) {
      const c = parsed.challenges[j], s = parsed.responses[j];
      const v = values[j];
      if (!timesCofactor(G.mul(s).sub(alpha.mul(c))).equals(clearCofactor(sent[2 * j]))) {
        throw new InvalidProof(`${what}: does not verify (branch ${j}: the A equation fails)`);
      }
      const betaV = v ? beta.sub(gPow(v)) : beta;
      if (!timesCofactor(publicKey.mul(s).sub(betaV.mul(c))).equals(clearCofactor(sent[2 * j + 1]))) {
        throw new InvalidProof(`${what}: does not verify (branch ${j}: the B equation fails)`);
      }
    }
    return;
  }
  const commitments = [];
  let total = 0n;
  for (let j = 0; j < values.length; j++) {
    const c = parsed.challenges[j], s = parsed.responses[j];
    total += c;
    const v = values[j];
    const betaV = v ? beta.sub(gPow(v)) : beta;
    commitments.push(G.mul(s).sub(alpha.mul(c)), publicKey.mul(s).sub(betaV.mul(c)));
  }
  const expected = hashToScalar(TAG_DISJUNCTIVE, ...context, publicKey, alpha, beta, values, commitments);
  if (total % L !== expected) throw new InvalidProof(`${what}: does not verify`);
}

export const BIT_VALUES = Object.freeze([0, 1]);

/** Disjunctive proof over {0, 1}. */
export function proveBit(publicKey, ciphertext, bit, randomness, context, rng = randomScalar, options = {}) {
  if (bit !== 0 && bit !== 1) throw new RangeError('bit must be 0 or 1');
  return proveDisjunctive(publicKey, ciphertext, [0, 1], bit, randomness, context, rng, options);
}

export function verifyBit(publicKey, ciphertext, proof, context, what = '0/1 proof', options = {}) {
  verifyDisjunctive(publicKey, ciphertext, [0, 1], proof, context, what, options);
}

/** [low, low+1, ..., high]. */
export function rangeValues(low, high) {
  if (!(Number.isSafeInteger(low) && Number.isSafeInteger(high) && low >= 0 && low <= high)) {
    throw new RangeError(`invalid range [${low}..${high}]`);
  }
  const out = [];
  for (let v = low; v <= high; v++) out.push(v);
  return out;
}

/** Range proof low ≤ m ≤ high: the disjunctive proof over [low..high]. */
export function proveRange(publicKey, ciphertext, low, high, value, randomness, context, rng = randomScalar, options = {}) {
  if (!(low <= value && value <= high)) throw new RangeError(`value ${value} is outside [${low}..${high}]`);
  return proveDisjunctive(publicKey, ciphertext, rangeValues(low, high), value - low, randomness, context, rng, options);
}

export function verifyRange(publicKey, ciphertext, low, high, proof, context, what = 'range proof', options = {}) {
  verifyDisjunctive(publicKey, ciphertext, rangeValues(low, high), proof, context, what, options);
}
