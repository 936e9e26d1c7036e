import { test } from 'node:test';
import assert from 'node:assert/strict';
import { S, vectors, rngFromHex } from './helpers.mjs';

const v = vectors('elgamal.json');

test('key pair, encryptions and homomorphic sum', () => {
  const rng = rngFromHex(v.seed_hex);
  const { secret, public: y } = S.keygen(rng);
  assert.equal(S.scalarHex(secret), v.secret_key);
  assert.equal(y.hex(), v.public_key);
  const cts = v.encryptions.map((c) => {
    const r = rng();
    assert.equal(S.scalarHex(r), c.r);
    const ct = S.encrypt(y, c.m, r);
    assert.deepEqual(ct.toJSON(), c.ciphertext);
    return ct;
  });
  const sum = S.aggregate(cts);
  assert.deepEqual(sum.toJSON(), v.sum_of_all);
  assert.equal(S.decryptToPoint(secret, sum).hex(), v.sum_decrypts_to);
  assert.equal(S.discreteLog(S.decryptToPoint(secret, sum), 2000), v.sum_plaintext);
});

test('ciphertext JSON is strict; re-encryption keeps the plaintext', () => {
  const ct = S.Ciphertext.fromJSON(v.encryptions[1].ciphertext);
  assert.throws(() => S.Ciphertext.fromJSON({ ...v.encryptions[1].ciphertext, extra: 1 }), S.InvalidEncoding);
  assert.throws(() => S.Ciphertext.fromJSON({ alpha: v.encryptions[1].ciphertext.alpha }), S.InvalidEncoding);
  assert.throws(() => S.Ciphertext.fromJSON([1, 2]), S.InvalidEncoding);
  const x = S.scalarFromHex(v.secret_key), y = S.Point.fromHex(v.public_key);
  const re = S.reencrypt(y, ct, 12345n);
  assert.ok(!re.equals(ct));
  assert.ok(S.decryptToPoint(x, re).equals(S.G));
  assert.ok(S.aggregate([]).alpha.isIdentity());
  assert.throws(() => S.encrypt(y, 1, 0n), RangeError);
});

test('discrete log: bounds and failure', () => {
  for (const m of [0, 1, 2, 99, 100]) assert.equal(S.discreteLog(S.baseMul(BigInt(m)), 100), m);
  assert.throws(() => S.discreteLog(S.baseMul(101n), 100), S.DiscreteLogNotFound);
});
