// Ranked answers in the browser library: identical bytes to crypto/ranked.py (tests/vectors/ranked.json).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { S, vectors, rngFromHex, flipHex, stringLeaves, getPath, setPath, clone } from './helpers.mjs';

const v = vectors('ranked.json');

function ctxOf(c) {
  return S.ballotContextFromManifest(c.manifest, c.fingerprint);
}

function resign(ballot, key) {
  const b = clone(ballot);
  delete b.signature;
  b.signature = key.sign(S.signedPayload(b), S.fromHex(b.fingerprint));
  return b;
}

test('constants are those of crypto/ranked.py', () => {
  assert.equal(S.CHUNK_BYTES, v.chunk_bytes);
  assert.equal(S.MAX_POSITION, v.max_position);
  assert.equal(S.TAG_RANKED, v.tag);
});

for (const c of v.packing) {
  test(`packing ${JSON.stringify(c.ranking)} of ${c.n_candidates}: width, counters and points byte for byte`, () => {
    assert.equal(S.rankedWidth(c.n_candidates), c.width);
    const points = S.packRanking(c.ranking, c.n_candidates);
    assert.deepEqual(points.map((p) => p.hex()), c.points);
    assert.deepEqual(points.map((p) => p.toBytes()[0] | (p.toBytes()[1] << 8)), c.counters);
    const data = points.map((p) => S.toHex(p.toBytes().subarray(2, 31))).join('');
    assert.equal(data, c.data_hex);
    assert.deepEqual(S.unpackRanking(c.points.map((h) => S.Point.fromHex(h))), c.ranking);
  });
}

test('invalid packings are rejected with the reason of crypto/ranked.py', () => {
  for (const c of v.invalid_packings) {
    assert.throws(() => S.unpackRanking(c.points.map((h) => S.Point.fromHex(h))),
      (e) => e instanceof S.InvalidPacking && e.message.includes(c.reason), c.reason);
  }
});

test('packing refuses what is not a ranking', () => {
  for (const [ranking, n] of [[[0, 0], 3], [[255], 255], [[-1], 3], [[1.5], 3], [[0, 1, 2], 2], ['0', 3]]) {
    assert.throws(() => S.packRanking(ranking, n), RangeError, JSON.stringify([ranking, n]));
  }
  for (const n of [0, -1, 1.5, '3']) assert.throws(() => S.rankedWidth(n), RangeError);
});

for (const c of v.cases) {
  test(`ranked ballot vector "${c.name}": draws, ballot, payload, tracker and audit record byte for byte`, async () => {
    const ctx = ctxOf(c);
    assert.deepEqual(ctx.questions.map((q) => q.toJSON()), c.questions);
    const key = await S.CredentialKey.fromCode(c.credential_code, c.election_id);
    assert.equal(key.public.hex(), c.credential_public);
    const rng = rngFromHex(c.seed_hex);
    const progress = [];
    const ballot = S.encryptBallot(ctx, c.choices, key, { rng, onProgress: (done, total) => progress.push([done, total]) });
    assert.deepEqual(rng.drawn.map(S.scalarHex), c.draws);
    assert.equal(S.canonicalJson(ballot), S.canonicalJson(c.ballot));
    const payload = S.signedPayload(ballot);
    assert.equal(payload.length, c.signed_payload_length);
    assert.equal(S.sha256Hex(payload), c.signed_payload_sha256);
    assert.equal(S.ballotTracker(ballot), c.tracker);
    const total = ctx.questions.reduce((n, q) => n + q.nSlots, 0);
    assert.deepEqual(progress.at(-1), [total, total]);
    const prepared = await S.prepareBallotAsync(ctx, c.choices, key, { rng: rngFromHex(c.seed_hex), chunk: 1 });
    assert.equal(S.canonicalJson(prepared.ballot), S.canonicalJson(c.ballot));
    // The audit record is the one crypto.audit.audit_record makes, byte for byte.
    assert.equal(S.canonicalJson(prepared.audit), S.canonicalJson(c.audit));
    assert.deepEqual(S.verifyAudit(ctx, c.audit, { credentialPublic: key.public }),
      { tracker: c.tracker, commitment: c.signed_payload_sha256, choices: c.choices });
    assert.deepEqual(S.choicesInWords(c.manifest, c.choices), c.choices_in_words);
  });

  test(`ranked ballot vector "${c.name}": verifies, and decrypts to the ranking's positions`, () => {
    const ctx = ctxOf(c);
    const verified = S.verifyBallot(ctx, c.ballot, S.Point.fromHex(c.credential_public));
    const x = S.scalarFromHex(c.election_secret_key);
    verified.ciphertexts.forEach((cts, q) => {
      const points = cts.map((ct) => S.decryptToPoint(x, ct));
      const want = c.decrypted[q];
      if (ctx.questions[q].kind === 'ranked') {
        assert.deepEqual(points.map((p) => p.hex()), want.points);
        const positions = S.unpackRanking(points);
        assert.deepEqual(positions, want.positions);
        assert.deepEqual(positions, c.choices[q].map((i) => ctx.questions[q].positions[i]));
      } else {
        assert.deepEqual(points.map((p) => S.discreteLog(p, 1)), want.tally_slots);
      }
    });
  });
}

test('tampering with any string of a ranked ballot or its audit record is caught', async () => {
  for (const c of v.cases) {
    const ctx = ctxOf(c);
    const key = await S.CredentialKey.fromCode(c.credential_code, c.election_id);
    for (const path of stringLeaves(c.ballot)) {
      const bad = clone(c.ballot);
      const old = getPath(bad, path);
      setPath(bad, path, old.length === 64 ? flipHex(old) : old + 'x');
      assert.throws(() => S.verifyBallot(ctx, bad), S.CryptoError, `${c.name}: ${path.join('.')}`);
      if (path[0] === 'answers') {
        assert.throws(() => S.verifyBallot(ctx, resign(bad, key)), S.CryptoError, `${c.name} (re-signed): ${path.join('.')}`);
      }
    }
    for (const path of stringLeaves(c.audit)) {
      const bad = clone(c.audit);
      const old = getPath(bad, path);
      if (path[0] === 'tracker') continue; // a label, which nobody can re-check (audit.js)
      setPath(bad, path, old.length === 64 ? flipHex(old) : old + 'x');
      assert.throws(() => S.verifyAudit(ctx, bad), S.InvalidAudit, `${c.name} audit: ${path.join('.')}`);
    }
  }
});

test('an audit record revealing another ranking, or a reordered one, is refused', () => {
  const c = v.cases.find((x) => x.name === 'ranked');
  const ctx = ctxOf(c);
  for (const choices of [[[0, 2, 1]], [[2, 0]], [[2, 0, 1, 3]], [[]]]) {
    const bad = { ...clone(c.audit), choices };
    assert.throws(() => S.verifyAudit(ctx, bad), /does not encrypt the revealed choice/, JSON.stringify(choices));
  }
  for (const choices of [[[2, 2]], [[4]], [[true]], [['1']], [[0, 1, 2, 3, 0]], [{}]]) {
    assert.throws(() => S.verifyAudit(ctx, { ...clone(c.audit), choices }), S.InvalidAudit, JSON.stringify(choices));
  }
});

test('binding: ranked ciphertexts copied under another credential, question or election fail', async () => {
  const c = v.cases.find((x) => x.name === 'ranked-mixed');
  const ctx = ctxOf(c);
  const thief = S.CredentialKey.generate(S.deterministicRng('thief'));
  const copied = { ...clone(c.ballot), credential: thief.public.hex() };
  assert.throws(() => S.verifyBallot(ctx, resign(copied, thief)), /answers\[0\]\.bit_proofs\[0\]/);
  // Only the ranked answer copied into the thief's own ballot: its randomness proof fails.
  const own = S.encryptBallot(ctx, [[0, 0], [], [1, 0]], thief);
  own.answers[1] = clone(c.ballot.answers[1]);
  assert.throws(() => S.verifyBallot(ctx, resign(own, thief)), /answers\[1\]\.proofs\[0\]: the proof of knowledge of the encryption randomness/);
  // The same ranked answer moved to another question of the same shape.
  const two = S.ballotContextFromManifest({ ...c.manifest, questions: [c.manifest.questions[1], c.manifest.questions[1]] });
  const key = await S.CredentialKey.fromCode(c.credential_code, c.election_id);
  const b2 = S.encryptBallot(two, [[0], [1]], key);
  b2.answers[0] = clone(b2.answers[1]);
  assert.throws(() => S.verifyBallot(two, resign(b2, key)), /answers\[0\]\.proofs\[0\]/);
});

test('ranked structure and choices are checked strictly', () => {
  const c = v.cases.find((x) => x.name === 'ranked');
  const ctx = ctxOf(c);
  const a = c.ballot.answers[0];
  for (const [answer, re] of [
    [{ ...a, extra: 1 }, /keys/],
    [{ ciphertexts: a.ciphertexts }, /keys/],
    [{ ...a, ciphertexts: [] }, /ciphertexts: expected a list of 1/],
    [{ ...a, proofs: [...a.proofs, a.proofs[0]] }, /proofs: expected a list of 1/],
    [{ ...a, proofs: [{ challenge: a.proofs[0].challenge }] }, /proofs\[0\]/],
    [{ ...a, bit_proofs: [] }, /keys/],
  ]) {
    assert.throws(() => S.verifyBallot(ctx, { ...clone(c.ballot), answers: [answer] }), re);
  }
  const key = S.CredentialKey.generate(S.deterministicRng('voter'));
  for (const bad of [[[0, 0]], [[4]], [[-1]], [[0, 1, 2, 3, 0]], [[true]], [['0']], [[1.5]], [0], [{}]]) {
    assert.throws(() => S.encryptBallot(ctx, bad, key), S.InvalidChoices, JSON.stringify(bad));
  }
  assert.throws(() => new S.QuestionSpec({ kind: 'ranked', n_options: 2, positions: [0, 0] }), RangeError);
  assert.throws(() => new S.QuestionSpec({ kind: 'ranked', n_options: 2, positions: [0, 255] }), RangeError);
  assert.throws(() => new S.QuestionSpec({ kind: 'sonc', n_options: 2, positions: [0, 1] }), RangeError);
  assert.throws(() => new S.QuestionSpec({ kind: 'ranked', n_options: 2, min_selections: 1 }), RangeError);
});
