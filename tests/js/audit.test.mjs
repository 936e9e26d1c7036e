import { test } from 'node:test';
import assert from 'node:assert/strict';
import { S, vectors, ctxOf, clone, flipHex, stringLeaves, getPath, setPath } from './helpers.mjs';

const v = vectors('ballots.json');
const c = v.cases.find((x) => x.name === 'mixed');
const ctx = ctxOf(c);
const key = S.CredentialKey.fromSecretHex(c.credential_secret);
const other = S.CredentialKey.fromSecretHex('07'.padEnd(64, '0'));

function withoutSignature(ballot) {
  const { signature, ...rest } = ballot;
  return rest;
}

/** Every [path, value] of a JSON value, objects and arrays included. */
function nodes(obj, path = []) {
  const here = [[path, obj]];
  if (Array.isArray(obj)) return here.concat(obj.flatMap((x, i) => nodes(x, [...path, i])));
  if (obj && typeof obj === 'object') return here.concat(Object.entries(obj).flatMap(([k, x]) => nodes(x, [...path, k])));
  return here;
}

/** The record with its commitment recomputed (a booth lying consistently). */
function recommitted(record) {
  return { ...record, commitment: S.ballotCommitment(record.ballot) };
}

test('an audit record (v2) re-derives every ciphertext from the revealed randomness', () => {
  const { ballot, tracker, commitment, audit } = S.prepareBallot(ctx, c.choices, key);
  assert.equal(audit.type, 'scrutin/v2/ballot-audit');
  assert.equal(S.AUDIT_TYPE, 'scrutin/v2/ballot-audit');
  assert.deepEqual(Object.keys(audit), ['type', 'tracker', 'commitment', 'ballot', 'choices', 'randomness']);
  assert.equal(audit.tracker, tracker);
  assert.equal(tracker, S.ballotTracker(ballot));
  assert.equal(audit.commitment, commitment);
  assert.equal(commitment, S.ballotCommitment(ballot));
  assert.equal(commitment, S.sha256Hex(S.signedPayload(ballot)));
  assert.deepEqual(audit.ballot, withoutSignature(ballot));
  assert.deepEqual(audit.randomness.map((rs) => rs.length), [4, 2, 2]);
  const expected = { tracker, commitment, choices: c.choices };
  assert.deepEqual(S.verifyAudit(ctx, audit), expected);
  assert.deepEqual(S.verifyAudit(ctx, audit, { credentialPublic: key.public }), expected);
  assert.deepEqual(S.verifyAudit(ctx, clone(audit)), expected);
  assert.throws(() => S.verifyAudit(ctx, audit, { credentialPublic: other.public }),
    (e) => e instanceof S.InvalidAudit && /not the expected voter credential/.test(e.message));
  // The record is a copy: it shares nothing with the ballot that may be cast.
  audit.ballot.answers[0].ciphertexts[0].alpha = '00'.repeat(32);
  assert.notEqual(ballot.answers[0].ciphertexts[0].alpha, '00'.repeat(32));
  // After an audit the booth encrypts again: new randomness, new commitment, new tracker.
  const again = S.prepareBallot(ctx, c.choices, key);
  assert.notEqual(again.tracker, tracker);
  assert.notEqual(again.commitment, commitment);
});

test('an audit record cannot be cast: no signature, no secret, and nothing in it signs the ballot', () => {
  const { ballot, audit } = S.prepareBallot(ctx, c.choices, key);
  const fp = ctx.fingerprintBytes;
  const payload = S.signedPayload(ballot);
  // No "signature" key anywhere, neither the cast ballot's signature values nor the credential secret.
  for (const [path] of nodes(audit)) assert.notEqual(path.at(-1), 'signature', path.join('.'));
  const text = JSON.stringify(audit);
  for (const secret of [ballot.signature.challenge, ballot.signature.response, key.secretHex()]) {
    assert.ok(!text.includes(secret));
  }
  // What the server runs on a submitted ballot (crypto verify_ballot): the record's ballot is
  // rejected for its missing signature ...
  assert.throws(() => S.verifyBallot(ctx, audit.ballot), (e) => e instanceof S.InvalidBallot && /missing \["signature"\]/.test(e.message));
  // ... while the very same ballot with the voter's signature (which needs the secret) would pass:
  // the signature is the only thing missing.
  assert.equal(S.verifyBallot(ctx, { ...audit.ballot, signature: ballot.signature }).tracker, audit.tracker);
  S.verifySignature(key.public, payload, ballot.signature, fp);
  // No value of the record is a valid signature: every object and array node ...
  for (const [path, value] of nodes(audit)) {
    assert.throws(() => S.verifyBallot(ctx, { ...audit.ballot, signature: value }), S.CryptoError, path.join('.'));
  }
  // ... and every ordered pair of scalars in it, as {challenge, response}.
  const scalars = [...new Set(stringLeaves(audit).map((p) => getPath(audit, p)))].filter((h) => {
    try { S.scalarFromHex(h); return true; } catch { return false; }
  });
  assert.ok(scalars.length > 50, `only ${scalars.length} scalars`);
  let tried = 0;
  for (const challenge of scalars) {
    for (const response of scalars) {
      assert.throws(() => S.verifySignature(key.public, payload, { challenge, response }, fp), S.InvalidSignature);
      tried += 1;
    }
  }
  assert.equal(tried, scalars.length ** 2);
  // Nor can a third party sign the audited ciphertexts with their own credential: the proofs
  // are bound to the voter's credential.
  const theirs = { ...clone(audit.ballot), credential: other.public.hex() };
  theirs.signature = other.sign(S.signedPayload(theirs), fp);
  assert.throws(() => S.verifyBallot(ctx, theirs), (e) => e instanceof S.InvalidProof && /answers\[0\]\.bit_proofs\[0\]/.test(e.message));
});

test('a booth that lies about the choices, the randomness or the ciphertexts is caught', () => {
  const { audit } = S.prepareBallot(ctx, c.choices, key);
  const fails = (record, re) => assert.throws(() => S.verifyAudit(ctx, record),
    (e) => e instanceof S.InvalidAudit && (!re || re.test(e.message)), re ? String(re) : undefined);

  const lied = clone(audit);
  lied.choices[0] = [1, 0];
  fails(lied, /question 0, ciphertext 0 does not encrypt/);
  const wrongR = clone(audit);
  wrongR.randomness[1][0] = flipHex(wrongR.randomness[1][0]);
  fails(wrongR, /question 1, ciphertext 0/);
  const swappedR = clone(audit);
  swappedR.randomness[0].reverse();
  fails(swappedR, /question 0, ciphertext 0/);
  // A ciphertext changed: the commitment no longer matches; recomputed, the ciphertext does
  // not re-derive from the randomness.
  const forged = clone(audit);
  forged.ballot.answers[0].ciphertexts[0] = forged.ballot.answers[0].ciphertexts[1];
  fails(forged, /commitment is not the hash of this ballot/);
  fails(recommitted(forged), /question 0, ciphertext 0 does not encrypt/);
  // Ciphertexts re-encrypted consistently with other randomness, but proofs left alone.
  const reenc = clone(audit);
  const r = 12345n;
  reenc.randomness[1][1] = S.scalarHex(r);
  reenc.ballot.answers[1].ciphertexts[1] = S.encrypt(ctx.publicKey, c.choices[1][1], r).toJSON();
  fails(recommitted(reenc), /answers\[1\]\.bit_proofs\[1\]/);
  // A proof altered (commitment recomputed): caught by the proof check.
  const badProof = clone(audit);
  badProof.ballot.answers[1].sum_proof.responses.reverse();
  fails(recommitted(badProof), /answers\[1\]\.sum_proof/);

  fails({ ...clone(audit), commitment: '00'.repeat(32) }, /commitment/);
  fails({ ...clone(audit), commitment: audit.commitment.toUpperCase() }, /commitment must be 64 lowercase hex/);
  fails({ ...clone(audit), tracker: 'x' }, /tracker must be 64 lowercase hex/);
  const impossible = clone(audit);
  impossible.choices[2] = [1, 1];
  fails(impossible, /question 2: 2 selections/);
  const short = clone(audit);
  short.randomness[0].pop();
  fails(short, /randomness\[0\]/);
  fails({ ...clone(audit), type: 'x' }, /type must be/);
  fails({ ...clone(audit), extra: 1 }, /expected keys/);
  const { commitment, ...noCommitment } = clone(audit);
  fails(noCommitment, /expected keys/);
  const zero = clone(audit);
  zero.randomness[0][0] = '00'.repeat(32);
  fails(zero, /randomness\[0\]\[0\] is zero/);
  fails({ ...clone(audit), type: 'scrutin/v1/ballot-audit' }, /no longer accepted/);
  // A record that carries a signature (or any other extra ballot key) is refused.
  const { ballot } = S.prepareBallot(ctx, c.choices, key);
  fails({ ...clone(audit), ballot }, /must not carry a signature/);
  const extraKey = clone(audit);
  extraKey.ballot.note = 'x';
  fails(recommitted(extraKey), /wrong keys/);
  fails(null, /JSON object/);
  fails([], /JSON object/);
});

test('tampering with any value of an audit record except its tracker label fails verifyAudit', () => {
  const { audit } = S.prepareBallot(ctx, c.choices, key);
  let checked = 0;
  for (const path of stringLeaves(audit)) {
    if (path.length === 1 && path[0] === 'tracker') continue;
    const bad = clone(audit);
    const old = getPath(bad, path);
    setPath(bad, path, old.length === 64 ? flipHex(old) : `${old}x`);
    assert.throws(() => S.verifyAudit(ctx, bad), S.InvalidAudit, path.join('.'));
    if (path[0] === 'ballot') {
      assert.throws(() => S.verifyAudit(ctx, recommitted(bad)), S.InvalidAudit, `${path.join('.')} (recommitted)`);
    }
    checked += 1;
  }
  audit.choices.forEach((ch, q) => ch.forEach((value, i) => {
    for (const alt of [-1, 0, 1, 2, '1', null]) {
      if (alt === value) continue;
      const bad = clone(audit);
      bad.choices[q][i] = alt;
      assert.throws(() => S.verifyAudit(ctx, bad), S.InvalidAudit, `choices[${q}][${i}] = ${alt}`);
      checked += 1;
    }
  }));
  assert.ok(checked > 100, `${checked}`);
  // The tracker hashes the (omitted) signature: the record cannot prove it, verifyAudit only
  // checks its form and returns it as written. The commitment is what binds the record.
  const relabelled = { ...clone(audit), tracker: flipHex(audit.tracker) };
  assert.deepEqual(S.verifyAudit(ctx, relabelled).commitment, audit.commitment);
});
