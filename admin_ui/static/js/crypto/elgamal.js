// Exponential ElGamal over the group (docs/protocol.md §3; crypto/elgamal.py).
// Key pair (x, y = g^x). Enc_y(m; r) = (α, β) = (g^r, g^m · y^r). Ciphertexts add
// homomorphically; decryption gives g^m = β / α^x (m recovered with dlog.js).
import { InvalidEncoding } from './errors.js';
import { G, IDENTITY, Point, baseMul, mod, randomScalar } from './group.js';

/** An ElGamal ciphertext (α, β); JSON {"alpha": hex, "beta": hex}. */
export class Ciphertext {
  constructor(alpha, beta) {
    this.alpha = alpha;
    this.beta = beta;
    Object.freeze(this);
  }

  toJSON() { return { alpha: this.alpha.hex(), beta: this.beta.hex() }; }

  /** Strict: an object with exactly the keys alpha and beta, each a valid point. */
  static fromJSON(data, { what = 'ciphertext', allowIdentity = false } = {}) {
    if (data === null || typeof data !== 'object' || Array.isArray(data)) {
      throw new InvalidEncoding(`${what}: expected an object with exactly 'alpha' and 'beta'`);
    }
    const keys = Object.keys(data);
    if (keys.length !== 2 || !('alpha' in data) || !('beta' in data)) {
      throw new InvalidEncoding(`${what}: expected an object with exactly 'alpha' and 'beta'`);
    }
    return new Ciphertext(
      Point.fromHex(data.alpha, { what: `${what}.alpha`, allowIdentity }),
      Point.fromHex(data.beta, { what: `${what}.beta`, allowIdentity }),
    );
  }

  add(other) { return new Ciphertext(this.alpha.add(other.alpha), this.beta.add(other.beta)); }
  sub(other) { return new Ciphertext(this.alpha.sub(other.alpha), this.beta.sub(other.beta)); }
  equals(other) { return other instanceof Ciphertext && this.alpha.equals(other.alpha) && this.beta.equals(other.beta); }

  /** (1, 1): the sum of no ciphertexts. */
  static zero() { return ZERO; }
}

const ZERO = new Ciphertext(IDENTITY, IDENTITY);

/** A fresh key pair {secret: BigInt, public: Point}. */
export function keygen(rng = randomScalar) {
  const x = mod(rng());
  if (x === 0n) throw new RangeError('secret key must be non-zero');
  return { secret: x, public: G.mul(x) };
}

// g^0 and g^1 are needed for every ballot bit.
const SMALL = new Map();
/** g^m for a small non-negative integer m (cached). */
export function gPow(m) {
  let p = SMALL.get(m);
  if (p === undefined) {
    p = baseMul(BigInt(m));
    if (SMALL.size < 4096) SMALL.set(m, p);
  }
  return p;
}

/** (g^r, g^m · y^r); r must be non-zero. */
export function encrypt(publicKey, m, r) {
  const rr = mod(r);
  if (rr === 0n) throw new RangeError('encryption randomness must be non-zero');
  return new Ciphertext(G.mul(rr), gPow(m).add(publicKey.mul(rr)));
}

/** (α · g^r, β · y^r): same plaintext, fresh randomness. */
export function reencrypt(publicKey, ciphertext, r) {
  return new Ciphertext(ciphertext.alpha.add(G.mul(r)), ciphertext.beta.add(publicKey.mul(r)));
}

/** Homomorphic sum (Ciphertext.zero() for an empty list). */
export function aggregate(ciphertexts) {
  let alpha = IDENTITY, beta = IDENTITY;
  for (const c of ciphertexts) {
    alpha = alpha.add(c.alpha);
    beta = beta.add(c.beta);
  }
  return new Ciphertext(alpha, beta);
}

/** β / α^x = g^m with the full key (tests and single-key tools only). */
export function decryptToPoint(secretKey, ciphertext) {
  return ciphertext.beta.sub(ciphertext.alpha.mul(secretKey));
}
