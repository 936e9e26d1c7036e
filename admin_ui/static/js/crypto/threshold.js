// Threshold key ceremony and decryption (docs/protocol.md §8; crypto/threshold.py).
//
// Trustee i draws f_i(z) = a_0 + a_1 z + ... + a_{t−1} z^{t−1}, publishes Feldman commitments
// C_k = g^{a_k} with Schnorr proofs of knowledge before any share is revealed, sends
// s_{i→j} = f_i(j) sealed (crypto_box_seal) to trustee j's X25519 key, and checks the shares it
// receives against the dealers' commitments. Decryption shares d = α^{s_j} carry Chaum–Pedersen
// proofs and combine with Lagrange coefficients at 0.
import { sodium } from './sodium.js';
import { CryptoError, InvalidEncoding, InvalidProof, InvalidShare, NotEnoughShares } from './errors.js';
import { G, IDENTITY, L, Point, mod, randomScalar, scalarFromBytes, scalarFromHex, scalarHex, scalarInverse, scalarToBytes } from './group.js';
import { proveDlog, proveEqDlog, verifyDlog, verifyEqDlog, parseChallengeResponse } from './proofs.js';
import { bytesEqual, concat, u32be, utf8 } from './bytes.js';

function checkIndex(j, what = 'trustee index') {
  if (typeof j !== 'number' || !Number.isSafeInteger(j) || j < 1) throw new RangeError(`${what} must be an int >= 1, got ${j}`);
}

function bytesArg(x) {
  if (x === undefined || x === null) return new Uint8Array(0);
  return typeof x === 'string' ? utf8(x) : new Uint8Array(x);
}

function coefficientContext(context, k, commitments) {
  return [bytesArg(context), 'coefficient', k, commitments];
}

const COMMITMENTS = new WeakMap();

/** A trustee's secret polynomial of degree t−1; coefficients are BigInts. */
export class TrusteePolynomial {
  constructor(coefficients) {
    if (!Array.isArray(coefficients) || coefficients.length < 1) throw new RangeError('need at least one coefficient');
    Object.defineProperty(this, 'coefficients', { value: Object.freeze(coefficients.map(mod)), enumerable: false });
    Object.freeze(this);
  }

  /** t coefficients drawn in order a_0..a_{t−1}. */
  static generate(threshold, rng = randomScalar) {
    if (!Number.isSafeInteger(threshold) || threshold < 1) throw new RangeError('threshold must be an int >= 1');
    const cs = [];
    for (let k = 0; k < threshold; k++) cs.push(mod(rng()));
    if (cs.some((a) => a === 0n)) throw new RangeError('coefficients must be non-zero');
    return new TrusteePolynomial(cs);
  }

  /** From the hex coefficients of a key file. */
  static fromHex(hexes) {
    return new TrusteePolynomial(hexes.map((h, k) => scalarFromHex(h, `coefficient ${k}`)));
  }

  get threshold() { return this.coefficients.length; }
  coefficientsHex() { return this.coefficients.map(scalarHex); }

  /** Feldman commitments C_k = g^{a_k} (Points; computed once). */
  get commitments() {
    let cs = COMMITMENTS.get(this);
    if (!cs) {
      cs = Object.freeze(this.coefficients.map((a) => G.mul(a)));
      COMMITMENTS.set(this, cs);
    }
    return cs;
  }

  /** One Schnorr PoK per coefficient with ctx (context, "coefficient", k, [C_0..C_{t−1}]). */
  commitmentProofs(context, rng = randomScalar) {
    const commitments = this.commitments;
    return this.coefficients.map((a, k) => proveDlog(a, coefficientContext(context, k, commitments), rng));
  }

  /** s_{→j} = f(j) mod ℓ (Horner), a BigInt. */
  shareFor(j) {
    checkIndex(j);
    const jj = BigInt(j);
    let acc = 0n;
    for (let k = this.coefficients.length - 1; k >= 0; k--) acc = (acc * jj + this.coefficients[k]) % L;
    return acc;
  }
}

/** utf8("scrutin/v1/ceremony/") || utf8(electionId) || 0x00 || u32be(i). */
export function ceremonyContext(electionId, trusteeIndex) {
  checkIndex(trusteeIndex);
  return concat(utf8('scrutin/v1/ceremony/'), utf8(electionId), new Uint8Array([0]), u32be(trusteeIndex));
}

/**
 * The context the service's ceremony relay binds a sealed share to (app/client/trustee.py
 * share_context): utf8(`${ceremonyContextString}/share/${sender}->${recipient}`).
 */
export function shareContext(ceremonyContextString, sender, recipient) {
  return utf8(`${ceremonyContextString}/share/${sender}->${recipient}`);
}

/** Check every coefficient's proof of knowledge; throws InvalidProof. */
export function verifyCommitments(commitments, proofs, trusteeIndex, context) {
  const who = `trustee ${trusteeIndex}`;
  if (!commitments || commitments.length === 0) throw new InvalidProof(`${who}: no commitments`);
  if (!Array.isArray(proofs) || proofs.length !== commitments.length) {
    throw new InvalidProof(`${who}: expected ${commitments.length} commitment proofs`);
  }
  commitments.forEach((c, k) => {
    if (c.isIdentity()) throw new InvalidProof(`${who}: commitment ${k} is the identity`);
    const what = `${who}: commitment ${k} proof of knowledge`;
    try {
      verifyDlog(c, proofs[k], coefficientContext(context, k, commitments), what);
    } catch (e) {
      if (e instanceof InvalidEncoding) throw new InvalidProof(e.message);
      throw e;
    }
  });
}

function feldman(commitments, j) {
  let acc = IDENTITY;
  const jj = BigInt(j);
  for (let k = commitments.length - 1; k >= 0; k--) acc = acc.mul(jj).add(commitments[k]);
  return acc;
}

/** g^share = Π_k C_k^{j^k}, else InvalidShare (grounds for a complaint). */
export function verifyShare(commitments, j, share) {
  checkIndex(j);
  if (!commitments || commitments.length === 0) throw new InvalidShare('no commitments to check the share against');
  if (!G.mul(share).equals(feldman(commitments, j))) {
    throw new InvalidShare(`share for trustee ${j} does not match the dealer's commitments`);
  }
}

/** s_j = Σ_i s_{i→j}. */
export function combineSecretShare(shares) {
  let total = 0n;
  for (const s of shares) total += s;
  return mod(total);
}

/** y = Π_i C_{i,0}. */
export function combinePublicKey(allCommitments) {
  if (!allCommitments.length) throw new RangeError('no trustees');
  let y = IDENTITY;
  for (const cs of allCommitments) y = y.add(cs[0]);
  if (y.isIdentity()) throw new InvalidShare('combined public key is the identity');
  return y;
}

/** g^{s_j} = Π_k (Π_i C_{i,k})^{j^k}, from public data only. */
export function publicKeyShare(allCommitments, j) {
  checkIndex(j);
  if (!allCommitments.length) throw new RangeError('no trustees');
  const t = allCommitments[0].length;
  if (allCommitments.some((cs) => cs.length !== t)) throw new RangeError('all trustees must publish the same number of commitments');
  const summed = [];
  for (let k = 0; k < t; k++) {
    let acc = IDENTITY;
    for (const cs of allCommitments) acc = acc.add(cs[k]);
    summed.push(acc);
  }
  return feldman(summed, j);
}

// ---- share transport ----------------------------------------------------------------------

/** A fresh X25519 key pair {privateKey, publicKey} (32-byte Uint8Arrays). */
export function encryptionKeypair() {
  const kp = sodium.crypto_box_keypair();
  return { privateKey: kp.privateKey, publicKey: kp.publicKey };
}

/** crypto_box_seal(share_bytes || context, recipient X25519 public key) → Uint8Array. */
export function sealShare(recipientPublic, share, context = new Uint8Array(0)) {
  return sodium.crypto_box_seal(concat(scalarToBytes(share), bytesArg(context)), new Uint8Array(recipientPublic));
}

/** Open a sealed share; InvalidShare if it does not decrypt, has the wrong context or is not canonical. */
export function openShare(recipientPrivate, sealed, context = new Uint8Array(0)) {
  const sk = new Uint8Array(recipientPrivate);
  const ctx = bytesArg(context);
  let plain;
  try {
    const pk = sodium.crypto_scalarmult_base(sk);
    plain = sodium.crypto_box_seal_open(new Uint8Array(sealed), pk, sk);
  } catch (e) {
    throw new InvalidShare(`sealed share does not decrypt: ${e.message}`);
  }
  if (plain.length !== 32 + ctx.length || !bytesEqual(plain.subarray(32), ctx)) {
    throw new InvalidShare('sealed share has the wrong context');
  }
  try {
    return scalarFromBytes(plain.slice(0, 32));
  } catch (e) {
    if (e instanceof InvalidEncoding) throw new InvalidShare(`sealed share: ${e.message}`);
    throw e;
  }
}

// ---- decryption shares --------------------------------------------------------------------

// Binds the tally context, the trustee and the whole ciphertext; protocol 2 (slotBound) also the
// slot index, so a proof is valid for one slot of one tally only (crypto/threshold.py).
function decryptionContext(context, trusteeIndex, beta, slot = null) {
  if (slot === null) return [bytesArg(context), 'decryption', trusteeIndex, beta];
  return [bytesArg(context), 'decryption', trusteeIndex, slot, beta];
}

/**
 * {"trustee": j, "factors": [hex(α_i^{s_j})...], "proofs": [{challenge, response}...]} with a
 * Chaum–Pedersen proof per ciphertext. options: {rng, onProgress(done, total), slotBound (protocol 2)}.
 */
export function decryptionShare(ciphertexts, secretShare, trusteeIndex, context, { rng = randomScalar, onProgress, slotBound = false } = {}) {
  checkIndex(trusteeIndex);
  const factors = [], proofs = [];
  ciphertexts.forEach((ct, i) => {
    factors.push(ct.alpha.mul(secretShare).hex());
    proofs.push(proveEqDlog(secretShare, ct.alpha, decryptionContext(context, trusteeIndex, ct.beta, slotBound ? i : null), rng));
    if (onProgress) onProgress(i + 1, ciphertexts.length);
  });
  return { trustee: trusteeIndex, factors, proofs };
}

function parseDecryptionShare(ciphertexts, share, trusteeIndex) {
  const who = `decryption share of trustee ${trusteeIndex}`;
  if (share === null || typeof share !== 'object' || Object.keys(share).sort().join(',') !== 'factors,proofs,trustee') {
    throw new InvalidShare(`${who}: expected keys 'trustee', 'factors', 'proofs'`);
  }
  if (share.trustee !== trusteeIndex) throw new InvalidShare(`${who}: claims to be from trustee ${JSON.stringify(share.trustee)}`);
  const { factors, proofs } = share;
  const n = ciphertexts.length;
  if (!Array.isArray(factors) || !Array.isArray(proofs)) throw new InvalidShare(`${who}: factors and proofs must be lists`);
  if (factors.length !== n || proofs.length !== n) throw new InvalidShare(`${who}: expected ${n} factors and proofs`);
  const points = [];
  try {
    ciphertexts.forEach((ct, i) => {
      const empty = ct.alpha.isIdentity();
      const d = Point.fromHex(factors[i], { allowIdentity: empty, what: `${who}: factor ${i}` });
      if (empty && !d.isIdentity()) throw new InvalidShare(`${who}: factor ${i} must be the identity (empty tally)`);
      points.push(d);
      parseChallengeResponse(proofs[i], `${who}: proof ${i}`);
    });
  } catch (e) {
    if (e instanceof InvalidEncoding) throw new InvalidShare(e.message);
    throw e;
  }
  return points;
}

/** Check every factor's Chaum–Pedersen proof against g^{s_j}; throws InvalidShare. */
export function verifyDecryptionShare(ciphertexts, share, publicShare, trusteeIndex, context, { slotBound = false } = {}) {
  const factors = parseDecryptionShare(ciphertexts, share, trusteeIndex);
  ciphertexts.forEach((ct, i) => {
    try {
      verifyEqDlog(publicShare, ct.alpha, factors[i], share.proofs[i], decryptionContext(context, trusteeIndex, ct.beta, slotBound ? i : null),
        `decryption share of trustee ${trusteeIndex}: proof ${i}`);
    } catch (e) {
      if (e instanceof InvalidProof) throw new InvalidShare(e.message);
      throw e;
    }
  });
  return factors;
}

/** λ_j = Π_{k∈S, k≠j} k / (k − j) mod ℓ. */
export function lagrangeCoefficient(j, indices) {
  let num = 1n, den = 1n;
  for (const k of indices) {
    if (k !== j) {
      num = (num * BigInt(k)) % L;
      den = mod(den * BigInt(k - j));
    }
  }
  return mod(num * scalarInverse(den));
}

/**
 * Verify every share (an object {index: share}), skip invalid ones, combine the `threshold`
 * valid ones with the smallest indices. publicShares: {index: Point}.
 * Returns {points: Point[] (g^{m_i}), rejected: number[]}; throws NotEnoughShares.
 */
export function combineDecryption(ciphertexts, shares, publicShares, threshold, context) {
  const valid = new Map();
  const rejected = [], reasons = [];
  const indices = Object.keys(shares).map(Number).sort((a, b) => a - b);
  for (const j of indices) {
    try {
      const pub = publicShares[j];
      if (!pub) throw new InvalidShare(`trustee ${j}: no public key share`);
      valid.set(j, verifyDecryptionShare(ciphertexts, shares[j], pub, j, context));
    } catch (e) {
      if (!(e instanceof CryptoError || e instanceof RangeError)) throw e;
      rejected.push(j);
      reasons.push(e.message);
    }
  }
  if (valid.size < threshold) {
    throw new NotEnoughShares(`${valid.size} valid decryption shares, ${threshold} needed; rejected trustees [${rejected.join(', ')}]: ${reasons.join('; ')}`);
  }
  const chosen = [...valid.keys()].sort((a, b) => a - b).slice(0, threshold);
  const lambdas = new Map(chosen.map((j) => [j, lagrangeCoefficient(j, chosen)]));
  const points = ciphertexts.map((ct, i) => {
    let acc = IDENTITY;
    for (const j of chosen) acc = acc.add(valid.get(j)[i].mul(lambdas.get(j)));
    return ct.beta.sub(acc);
  });
  return { points, rejected };
}
