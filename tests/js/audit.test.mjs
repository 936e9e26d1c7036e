import { test } from 'node:test';
import assert from 'node:assert/strict';
import { S, vectors, ctxOf, clone, flipHex } from './helpers.mjs';

const v = vectors('ballots.json');
const c = v.cases.find((x) => x.name === 'mixed');
const ctx = ctxOf(c);
const key = S.CredentialKey.fromSecretHex(c.credential_secret);

test('an audit record re-derives every ciphertext from the revealed randomness', () => {
  const { ballot, tracker, audit } = S.prepareBallot(ctx, c.choices, key);
  assert.equal(audit.type, 'scrutin/v1/ballot-audit');
  assert.equal(audit.tracker, tracker);
  assert.deepEqual(audit.ballot, ballot);
  assert.deepEqual(audit.randomness.map((rs) => rs.length), [4, 2, 2]);
  assert.deepEqual(S.verifyAudit(ctx, audit), { tracker, choices: c.choices });
  assert.deepEqual(S.verifyAudit(ctx, JSON.parse(JSON.stringify(audit))).tracker, tracker);
  // After an audit the booth encrypts again: new randomness, new tracker.
  const again = S.prepareBallot(ctx, c.choices, key);
  assert.notEqual(again.tracker, tracker);
});

test('a booth that lies about the choices or the randomness is caught', () => {
  const { audit } = S.prepareBallot(ctx, c.choices, key);
  const lied = clone(audit);
  lied.choices[0] = [1, 0];
  assert.throws(() => S.verifyAudit(ctx, lied), /question 0, ciphertext/);
  const wrongR = clone(audit);
  wrongR.randomness[1][0] = flipHex(wrongR.randomness[1][0]);
  assert.throws(() => S.verifyAudit(ctx, wrongR), /question 1, ciphertext 0/);
  const badTracker = { ...clone(audit), tracker: '00'.repeat(32) };
  assert.throws(() => S.verifyAudit(ctx, badTracker), /tracker/);
  const impossible = clone(audit);
  impossible.choices[2] = [1, 1];
  assert.throws(() => S.verifyAudit(ctx, impossible), S.InvalidAudit);
  const short = clone(audit);
  short.randomness[0].pop();
  assert.throws(() => S.verifyAudit(ctx, short), /randomness\[0\]/);
  assert.throws(() => S.verifyAudit(ctx, { ...clone(audit), type: 'x' }), S.InvalidAudit);
  assert.throws(() => S.verifyAudit(ctx, { ...clone(audit), extra: 1 }), S.InvalidAudit);
  const zero = clone(audit);
  zero.randomness[0][0] = '00'.repeat(32);
  assert.throws(() => S.verifyAudit(ctx, zero), S.InvalidAudit);
  const forged = clone(audit);
  forged.ballot.answers[0].ciphertexts[0].alpha = flipHex(forged.ballot.answers[0].ciphertexts[0].alpha);
  assert.throws(() => S.verifyAudit(ctx, forged), S.CryptoError);
});
