import { test } from 'node:test';
import assert from 'node:assert/strict';
import { S, vectors, item, rngFromHex, flipHex } from './helpers.mjs';

const v = vectors('proofs.json');

test('Schnorr proof of knowledge vector (draws, commitment, preimage, proof)', () => {
  const d = v.dlog;
  const x = S.scalarFromHex(d.secret);
  const ctx = d.context.map(item);
  const rng = rngFromHex(d.seed_hex);
  const proof = S.proveDlog(x, ctx, rng);
  assert.deepEqual(rng.drawn.map(S.scalarHex), d.draws);
  assert.deepEqual(proof, d.proof);
  const X = S.Point.fromHex(d.public);
  assert.equal(S.G.mul(x).hex(), d.public);
  const A = S.G.mul(S.scalarFromHex(proof.response)).sub(X.mul(S.scalarFromHex(proof.challenge)));
  assert.equal(A.hex(), d.commitment);
  assert.equal(S.toHex(S.hashPreimage(S.TAG_DLOG, ...ctx, X, A)), d.challenge_preimage_hex);
  S.verifyDlog(X, d.proof, ctx);
  // tampering
  assert.throws(() => S.verifyDlog(X, { ...d.proof, response: flipHex(d.proof.response) }, ctx), S.InvalidProof);
  assert.throws(() => S.verifyDlog(X, { ...d.proof, challenge: flipHex(d.proof.challenge) }, ctx), S.InvalidProof);
  assert.throws(() => S.verifyDlog(X.add(S.G), d.proof, ctx), S.InvalidProof);
  assert.throws(() => S.verifyDlog(X, d.proof, [...ctx.slice(0, 2), 8]), S.InvalidProof);
  assert.throws(() => S.verifyDlog(X, { challenge: d.proof.challenge }, ctx), S.InvalidEncoding);
});

test('Chaum–Pedersen vector', () => {
  const d = v.eqdlog;
  const x = S.scalarFromHex(d.secret);
  const h = S.hashToPoint('example base', new Uint8Array(0));
  assert.equal(h.hex(), d.base);
  const ctx = d.context.map(item);
  const rng = rngFromHex(d.seed_hex);
  const proof = S.proveEqDlog(x, h, ctx, rng);
  assert.deepEqual(rng.drawn.map(S.scalarHex), d.draws);
  assert.deepEqual(proof, d.proof);
  const X = S.Point.fromHex(d.public), Y = S.Point.fromHex(d.image);
  assert.equal(h.mul(x).hex(), d.image);
  const c = S.scalarFromHex(proof.challenge), s = S.scalarFromHex(proof.response);
  const A = S.G.mul(s).sub(X.mul(c)), B = h.mul(s).sub(Y.mul(c));
  assert.deepEqual([A.hex(), B.hex()], d.commitments);
  assert.equal(S.toHex(S.hashPreimage(S.TAG_EQDLOG, ...ctx, h, X, Y, A, B)), d.challenge_preimage_hex);
  S.verifyEqDlog(X, h, Y, d.proof, ctx);
  assert.throws(() => S.verifyEqDlog(X, h, Y.add(S.G), d.proof, ctx), S.InvalidProof);
  assert.throws(() => S.verifyEqDlog(X, S.G, Y, d.proof, ctx), S.InvalidProof);
  assert.throws(() => S.verifyEqDlog(X, h, Y, { ...d.proof, response: flipHex(d.proof.response) }, ctx), S.InvalidProof);
});

test('disjunctive vectors: 0/1 proofs and the range proof', () => {
  assert.equal(v.disjunctive.length, 3);
  for (const d of v.disjunctive) {
    const y = S.Point.fromHex(d.public_key);
    const encRng = rngFromHex(d.encryption_seed_hex);
    const r = encRng();
    assert.equal(S.scalarHex(r), d.r);
    const ct = S.encrypt(y, d.plaintext, r);
    assert.deepEqual(ct.toJSON(), d.ciphertext);
    const ctx = d.context.map(item);
    const rng = rngFromHex(d.proof_seed_hex);
    const proof = S.proveDisjunctive(y, ct, d.values, d.true_index, r, ctx, rng);
    assert.deepEqual(rng.drawn.map(S.scalarHex), d.draws, d.name);
    assert.deepEqual(proof, d.proof, d.name);
    // commitments and challenge as the verifier recomputes them
    const commitments = [];
    d.values.forEach((val, j) => {
      const c = S.scalarFromHex(proof.challenges[j]), s = S.scalarFromHex(proof.responses[j]);
      commitments.push(S.G.mul(s).sub(ct.alpha.mul(c)), y.mul(s).sub(ct.beta.sub(S.baseMul(BigInt(val))).mul(c)));
    });
    assert.deepEqual(commitments.map((p) => p.hex()), d.commitments);
    const items = [...ctx, y, ct.alpha, ct.beta, d.values, commitments];
    assert.equal(S.toHex(S.hashPreimage(S.TAG_DISJUNCTIVE, ...items)), d.challenge_preimage_hex);
    assert.equal(S.scalarHex(S.hashToScalar(S.TAG_DISJUNCTIVE, ...items)), d.challenge);
    S.verifyDisjunctive(y, ct, d.values, d.proof, ctx);
    if (d.values.length === 2) S.verifyBit(y, ct, d.proof, ctx);
    else S.verifyRange(y, ct, d.values[0], d.values[d.values.length - 1], d.proof, ctx);
    // tamper with every challenge and response; a wrong statement or context fails too
    for (const key of ['challenges', 'responses']) {
      d.proof[key].forEach((_, j) => {
        const bad = { ...d.proof, [key]: d.proof[key].map((h, i) => (i === j ? flipHex(h) : h)) };
        assert.throws(() => S.verifyDisjunctive(y, ct, d.values, bad, ctx), S.InvalidProof);
      });
    }
    assert.throws(() => S.verifyDisjunctive(y, S.encrypt(y, d.plaintext, r + 1n), d.values, d.proof, ctx), S.InvalidProof);
    assert.throws(() => S.verifyDisjunctive(y, ct, d.values, d.proof, [...ctx.slice(0, 4), 99]), S.InvalidProof);
    assert.throws(() => S.verifyDisjunctive(y, ct, d.values, d.proof, [S.fromHex('cd'.repeat(32)), ...ctx.slice(1)]), S.InvalidProof);
    assert.throws(() => S.verifyDisjunctive(y, ct, [...d.values, 9], d.proof, ctx), S.InvalidEncoding);
    assert.throws(() => S.verifyDisjunctive(y, ct, d.values, { ...d.proof, responses: d.proof.responses.map((h) => h.toUpperCase()) }, ctx), S.InvalidScalar);
  }
});

test('a proof for a value outside the allowed set does not verify', () => {
  const { public: y } = S.keygen(S.deterministicRng('k'));
  const r = 77n;
  const ct = S.encrypt(y, 2, r);
  const ctx = ['x'];
  // A prover claiming 2 ∈ {0, 1} (index 1, value 1) produces a proof that fails.
  const proof = S.proveBit(y, ct, 1, r, ctx);
  assert.throws(() => S.verifyBit(y, ct, proof, ctx), S.InvalidProof);
  const ok = S.proveRange(y, ct, 0, 3, 2, r, ctx);
  S.verifyRange(y, ct, 0, 3, ok, ctx);
  assert.throws(() => S.verifyRange(y, ct, 0, 1, ok, ctx), S.InvalidEncoding);
  assert.throws(() => S.proveRange(y, ct, 0, 1, 2, r, ctx), RangeError);
});
