import { test } from 'node:test';
import assert from 'node:assert/strict';
import { S, vectors, rngFromHex, flipHex } from './helpers.mjs';

const v = vectors('credentials.json');

test('credential codes → PBKDF2 (WebCrypto and libsodium fallback) → key pair', async () => {
  assert.equal(v.codes.length, 3);
  for (const c of v.codes) {
    assert.equal(S.normalizeCode(c.display), c.code);
    assert.equal(S.formatCode(c.code), c.display);
    assert.equal(S.KDF_SALT_PREFIX + c.election_id, c.kdf_salt_utf8);
    assert.equal(S.KDF_ITERATIONS, c.kdf_iterations);
    const raw = await S.pbkdf2Sha256(S.utf8(c.code), S.utf8(c.kdf_salt_utf8), c.kdf_iterations, 64);
    assert.equal(S.toHex(raw), c.kdf_output_hex);
    const key = await S.CredentialKey.fromCode(c.display, c.election_id);
    assert.equal(key.secretHex(), c.secret);
    assert.equal(key.public.hex(), c.public);
  }
  const c = v.codes[0];
  const fallback = S.pbkdf2Sha256Fallback(S.utf8(c.code), S.utf8(c.kdf_salt_utf8), c.kdf_iterations, 64);
  assert.equal(S.toHex(fallback), c.kdf_output_hex);
});

test('codes: checksum, alphabet and length are checked; generated codes are valid', () => {
  const code = v.codes[0].code;
  const typo = code.slice(0, 3) + (code[3] === 'a' ? 'b' : 'a') + code.slice(4);
  assert.throws(() => S.normalizeCode(typo), /checksum/);
  assert.throws(() => S.normalizeCode(code.slice(1)), /16 characters/);
  assert.throws(() => S.normalizeCode('0' + code.slice(1)), /invalid character/);
  assert.throws(() => S.normalizeCode(42), S.InvalidEncoding);
  for (let i = 0; i < 20; i++) {
    const g = S.generateCode();
    assert.equal(S.normalizeCode(g), g);
    assert.equal(g.length, 16);
  }
});

test('signature vector and tampering', () => {
  const d = v.signature;
  const key = S.CredentialKey.fromSecretHex(d.secret);
  assert.equal(key.public.hex(), d.public);
  const rng = rngFromHex(d.seed_hex);
  const msg = S.fromHex(d.message_hex), ctx = S.fromHex(d.context_hex);
  const sig = key.sign(msg, ctx, rng);
  assert.deepEqual(rng.drawn.map(S.scalarHex), d.draws);
  assert.deepEqual(sig, d.signature);
  const c = S.scalarFromHex(sig.challenge), s = S.scalarFromHex(sig.response);
  const A = S.G.mul(s).sub(key.public.mul(c));
  assert.equal(A.hex(), d.commitment);
  assert.equal(S.toHex(S.hashPreimage(S.TAG_SIGNATURE, ctx, key.public, A, msg)), d.challenge_preimage_hex);
  S.verifySignature(key.public, msg, d.signature, ctx);
  assert.throws(() => S.verifySignature(key.public, S.utf8('{"example":"massage"}'), d.signature, ctx), S.InvalidSignature);
  assert.throws(() => S.verifySignature(key.public, msg, d.signature, S.fromHex('ce'.repeat(32))), S.InvalidSignature);
  assert.throws(() => S.verifySignature(S.G, msg, d.signature, ctx), S.InvalidSignature);
  assert.throws(() => S.verifySignature(key.public, msg, { ...d.signature, response: flipHex(d.signature.response) }, ctx), S.InvalidSignature);
  assert.throws(() => S.verifySignature(key.public, msg, { ...d.signature, challenge: 'zz' }, ctx), S.InvalidSignature);
  assert.throws(() => S.verifySignature(key.public, msg, { challenge: d.signature.challenge }, ctx), S.InvalidSignature);
  assert.throws(() => S.verifySignature(key.public, msg, { ...d.signature, extra: '' }, ctx), S.InvalidSignature);
});
