import { test } from 'node:test';
import assert from 'node:assert/strict';
import { S, vectors, rngFromHex, flipHex, clone } from './helpers.mjs';

const v = vectors('threshold.json');
const tally = v.tally;
const tallyCtx = S.fromHex(tally.context_hex);

function commitmentsOf(tr) { return tr.commitments.map((h) => S.Point.fromHex(h)); }

test('ceremony vectors: polynomials, commitments, proofs and shares byte for byte', () => {
  assert.equal(v.trustees.length, v.n);
  for (const tr of v.trustees) {
    const poly = S.TrusteePolynomial.generate(v.threshold, rngFromHex(tr.polynomial_seed_hex));
    assert.deepEqual(poly.coefficientsHex(), tr.coefficients);
    assert.deepEqual(poly.commitments.map((p) => p.hex()), tr.commitments);
    const ctx = S.ceremonyContext(v.election_id, tr.index);
    assert.equal(S.toHex(ctx), tr.context_hex);
    assert.deepEqual(poly.commitmentProofs(ctx, rngFromHex(tr.proofs_seed_hex)), tr.commitment_proofs);
    for (const [j, share] of Object.entries(tr.shares_for)) {
      assert.equal(S.scalarHex(poly.shareFor(Number(j))), share);
      S.verifyShare(commitmentsOf(tr), Number(j), S.scalarFromHex(share));
    }
    S.verifyCommitments(commitmentsOf(tr), tr.commitment_proofs, tr.index, ctx);
    assert.deepEqual(S.TrusteePolynomial.fromHex(tr.coefficients).coefficientsHex(), tr.coefficients);
  }
  const all = v.trustees.map(commitmentsOf);
  for (let j = 1; j <= v.n; j++) {
    const s = S.combineSecretShare(v.trustees.map((tr) => S.scalarFromHex(tr.shares_for[String(j)])));
    assert.equal(S.scalarHex(s), v.secret_shares[String(j)]);
    assert.equal(S.publicKeyShare(all, j).hex(), v.public_shares[String(j)]);
    assert.ok(S.G.mul(s).equals(S.publicKeyShare(all, j)));
  }
  assert.equal(S.combinePublicKey(all).hex(), v.public_key);
});

test('tally vectors: ciphertexts, decryption shares, Lagrange coefficients, combination, counts', () => {
  const y = S.Point.fromHex(v.public_key);
  const erng = rngFromHex(tally.encryption_seed_hex);
  const cts = tally.values.map((m) => S.encrypt(y, m, erng()));
  assert.deepEqual(cts.map((c) => c.toJSON()), tally.ciphertexts);
  const shares = {};
  for (const [j, seed] of Object.entries(tally.decryption_seeds_hex)) {
    const share = S.decryptionShare(cts, S.scalarFromHex(v.secret_shares[j]), Number(j), tallyCtx, { rng: rngFromHex(seed) });
    assert.deepEqual(share, tally.decryption_shares[j]);
    S.verifyDecryptionShare(cts, share, S.Point.fromHex(v.public_shares[j]), Number(j), tallyCtx);
    shares[j] = share;
  }
  for (const [j, lam] of Object.entries(tally.lagrange)) assert.equal(S.scalarHex(S.lagrangeCoefficient(Number(j), [1, 3])), lam);
  const pub = Object.fromEntries(Object.entries(v.public_shares).map(([j, h]) => [j, S.Point.fromHex(h)]));
  const { points, rejected } = S.combineDecryption(cts, tally.decryption_shares, pub, v.threshold, tallyCtx);
  assert.deepEqual(rejected, []);
  assert.deepEqual(points.map((p) => p.hex()), tally.plaintext_points);
  assert.deepEqual(S.discreteLogs(points, 10), tally.counts);
});

test('bad shares and decryption shares are detected; an invalid one is skipped', () => {
  const tr = v.trustees[0];
  assert.throws(() => S.verifyShare(commitmentsOf(tr), 2, S.scalarFromHex(tr.shares_for['2']) + 1n), S.InvalidShare);
  assert.throws(() => S.verifyShare(commitmentsOf(tr), 3, S.scalarFromHex(tr.shares_for['2'])), S.InvalidShare);
  const ctx = S.fromHex(tr.context_hex);
  const badProofs = clone(tr.commitment_proofs);
  badProofs[1].response = flipHex(badProofs[1].response);
  assert.throws(() => S.verifyCommitments(commitmentsOf(tr), badProofs, tr.index, ctx), /commitment 1 proof of knowledge/);
  assert.throws(() => S.verifyCommitments(commitmentsOf(tr), tr.commitment_proofs, 2, S.ceremonyContext(v.election_id, 2)), S.InvalidProof);
  assert.throws(() => S.verifyCommitments(commitmentsOf(tr), tr.commitment_proofs.slice(1), tr.index, ctx), S.InvalidProof);

  const cts = tally.ciphertexts.map((c) => S.Ciphertext.fromJSON(c));
  const pub = Object.fromEntries(Object.entries(v.public_shares).map(([j, h]) => [j, S.Point.fromHex(h)]));
  const bad = clone(tally.decryption_shares['1']);
  bad.factors[1] = S.Point.fromHex(bad.factors[1]).add(S.G).hex();
  assert.throws(() => S.verifyDecryptionShare(cts, bad, pub[1], 1, tallyCtx), /proof 1/);
  assert.throws(() => S.verifyDecryptionShare(cts, tally.decryption_shares['1'], pub[2], 1, tallyCtx), S.InvalidShare);
  assert.throws(() => S.verifyDecryptionShare(cts, tally.decryption_shares['1'], pub[1], 3, tallyCtx), /claims/);
  assert.throws(() => S.verifyDecryptionShare(cts, { ...tally.decryption_shares['1'], factors: [] }, pub[1], 1, tallyCtx), S.InvalidShare);
  // Trustee 2 decrypts too: with trustee 1's share broken, 2 and 3 still combine.
  const share2 = S.decryptionShare(cts, S.scalarFromHex(v.secret_shares['2']), 2, tallyCtx);
  const shares = { 1: bad, 2: share2, 3: tally.decryption_shares['3'] };
  const { points, rejected } = S.combineDecryption(cts, shares, pub, 2, tallyCtx);
  assert.deepEqual(rejected, [1]);
  assert.deepEqual(points.map((p) => p.hex()), tally.plaintext_points);
  assert.throws(() => S.combineDecryption(cts, { 1: bad, 3: tally.decryption_shares['3'] }, pub, 2, tallyCtx), S.NotEnoughShares);
});

test('every t-subset decrypts; the empty tally needs identity factors', () => {
  const cts = tally.ciphertexts.map((c) => S.Ciphertext.fromJSON(c));
  const pub = Object.fromEntries(Object.entries(v.public_shares).map(([j, h]) => [j, S.Point.fromHex(h)]));
  const all = {};
  for (let j = 1; j <= 3; j++) all[j] = S.decryptionShare(cts, S.scalarFromHex(v.secret_shares[String(j)]), j, tallyCtx);
  for (const subset of [[1, 2], [1, 3], [2, 3]]) {
    const shares = Object.fromEntries(subset.map((j) => [j, all[j]]));
    assert.deepEqual(S.discreteLogs(S.combineDecryption(cts, shares, pub, 2, tallyCtx).points, 10), tally.values);
  }
  const empty = [S.Ciphertext.zero()];
  const share = S.decryptionShare(empty, S.scalarFromHex(v.secret_shares['1']), 1, tallyCtx);
  assert.equal(share.factors[0], S.IDENTITY.hex());
  S.verifyDecryptionShare(empty, share, pub[1], 1, tallyCtx);
  assert.throws(() => S.verifyDecryptionShare(empty, { ...share, factors: [S.G.hex()] }, pub[1], 1, tallyCtx), /identity/);
  assert.throws(() => S.verifyDecryptionShare(cts.slice(0, 1), { ...share }, pub[1], 1, tallyCtx), /identity/);
});

test('sealed shares: round trip, wrong context, wrong key, garbage', () => {
  const kp = S.encryptionKeypair();
  assert.equal(kp.publicKey.length, 32);
  const share = S.scalarFromHex(v.trustees[0].shares_for['2']);
  const ctx = S.shareContext('scrutin/v1/election/e1/round-1', 1, 2);
  assert.equal(new TextDecoder().decode(ctx), 'scrutin/v1/election/e1/round-1/share/1->2');
  const sealed = S.sealShare(kp.publicKey, share, ctx);
  assert.equal(sealed.length, 48 + 32 + ctx.length);
  assert.equal(S.openShare(kp.privateKey, sealed, ctx), share);
  assert.equal(S.openShare(kp.privateKey, S.fromBase64(S.toBase64(sealed)), ctx), share);
  assert.throws(() => S.openShare(kp.privateKey, sealed, S.shareContext('scrutin/v1/election/e1/round-1', 3, 2)), /wrong context/);
  assert.throws(() => S.openShare(S.encryptionKeypair().privateKey, sealed, ctx), /does not decrypt/);
  const tampered = new Uint8Array(sealed); tampered[60] ^= 1;
  assert.throws(() => S.openShare(kp.privateKey, tampered, ctx), S.InvalidShare);
  // A non-canonical scalar in the plaintext is refused.
  const raw = S.sodium.crypto_box_seal(S.concat(new Uint8Array(32).fill(255), ctx), kp.publicKey);
  assert.throws(() => S.openShare(kp.privateKey, raw, ctx), /sealed share: /);
  // string contexts are UTF-8
  assert.equal(S.openShare(kp.privateKey, S.sealShare(kp.publicKey, share, 'abc'), S.utf8('abc')), share);
});
