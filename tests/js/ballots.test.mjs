import { test } from 'node:test';
import assert from 'node:assert/strict';
import { S, vectors, rngFromHex, ctxOf, flipHex, stringLeaves, getPath, setPath, clone } from './helpers.mjs';

const v = vectors('ballots.json');
const KINDS_COVERED = new Set(v.cases.flatMap((c) => c.questions.map((q) => q.kind)));

function resign(ballot, key) {
  const b = clone(ballot);
  delete b.signature;
  b.signature = key.sign(S.signedPayload(b), S.fromHex(b.fingerprint));
  return b;
}

test('the vectors cover every ballot kind', () => {
  assert.deepEqual([...KINDS_COVERED].sort(), ['approval', 'plurality', 'sonc']);
});

for (const c of v.cases) {
  test(`ballot vector "${c.name}": draws, ballot, signed payload and tracker byte for byte`, async () => {
    const ctx = ctxOf(c);
    assert.equal(S.electionFingerprint(c.manifest), c.fingerprint);
    const key = await S.CredentialKey.fromCode(c.credential_code, c.election_id);
    assert.equal(key.secretHex(), c.credential_secret);
    assert.equal(key.public.hex(), c.credential_public);
    const rng = rngFromHex(c.seed_hex);
    const progress = [];
    const version = c.ballot.version;
    const ballot = S.encryptBallot(ctx, c.choices, key, { rng, version, onProgress: (done, total) => progress.push([done, total]) });
    assert.deepEqual(rng.drawn.map(S.scalarHex), c.draws);
    assert.deepEqual(ballot, c.ballot);
    assert.equal(S.canonicalJson(ballot), S.canonicalJson(c.ballot));
    const payload = S.signedPayload(ballot);
    assert.equal(payload.length, c.signed_payload_length);
    assert.equal(S.sha256Hex(payload), c.signed_payload_sha256);
    assert.equal(S.ballotTracker(ballot), c.tracker);
    const total = ctx.questions.reduce((n, q) => n + q.nSlots, 0);
    assert.deepEqual(progress.at(-1), [total, total]);
    // prepareBallot and its async twin give the same ballot and an audit record that checks
    const prepared = S.prepareBallot(ctx, c.choices, key, { rng: rngFromHex(c.seed_hex), version });
    assert.deepEqual(prepared.ballot, c.ballot);
    assert.equal(prepared.tracker, c.tracker);
    const preparedAsync = await S.prepareBallotAsync(ctx, c.choices, key, { rng: rngFromHex(c.seed_hex), chunk: 1, version });
    assert.deepEqual(preparedAsync, prepared);
    assert.equal(prepared.commitment, c.signed_payload_sha256);
    assert.deepEqual(S.verifyAudit(ctx, prepared.audit, { credentialPublic: key.public }),
      { tracker: c.tracker, commitment: c.signed_payload_sha256, choices: c.choices });
    assert.ok(!('signature' in prepared.audit.ballot));
  });

  test(`ballot vector "${c.name}": verifies, and decrypts to the recorded tally slots`, () => {
    const ctx = ctxOf(c);
    const cred = S.Point.fromHex(c.credential_public);
    const verified = S.verifyBallot(ctx, c.ballot, cred);
    assert.equal(verified.tracker, c.tracker);
    assert.ok(verified.credential.equals(cred));
    const x = S.scalarFromHex(c.election_secret_key);
    const slots = verified.ciphertexts.map((cts) => cts.map((ct) => S.discreteLog(S.decryptToPoint(x, ct), 1)));
    assert.deepEqual(slots, c.tally_slots);
  });
}

test('tampering with any string of a ballot makes verification throw (signature or proof)', async () => {
  for (const c of v.cases) {
    const ctx = ctxOf(c);
    const key = await S.CredentialKey.fromCode(c.credential_code, c.election_id);
    for (const path of stringLeaves(c.ballot)) {
      const bad = clone(c.ballot);
      const old = getPath(bad, path);
      setPath(bad, path, old.length === 64 ? flipHex(old) : old + 'x');
      assert.throws(() => S.verifyBallot(ctx, bad), S.CryptoError, `${c.name}: ${path.join('.')}`);
      // Re-signed by the voter, the same change must still be caught by a proof check.
      if (path[0] === 'answers') {
        const resigned = resign(bad, key);
        assert.throws(() => S.verifyBallot(ctx, resigned), S.CryptoError, `${c.name} (re-signed): ${path.join('.')}`);
      }
    }
  }
});

test('structure: wrong keys, version, lengths, null sum proof and credential are rejected', async () => {
  const c = v.cases.find((x) => x.name === 'mixed');
  const ctx = ctxOf(c);
  const b = c.ballot;
  const cases = [
    [{ ...b, extra: 1 }, /wrong keys/],
    [(() => { const x = clone(b); delete x.signature; return x; })(), /missing/],
    [{ ...b, version: true }, /version/],
    [{ ...b, version: 3 }, /version/],
    [{ ...b, version: b.version === 2 ? 1 : 2 }, /commitments|challenges/],
    [{ ...b, election_id: 'other' }, /election_id/],
    [{ ...b, fingerprint: 'ab'.repeat(32) }, /fingerprint/],
    [{ ...b, answers: b.answers.slice(1) }, /answers/],
    [{ ...b, credential: b.credential.toUpperCase() }, /credential/],
    [{ ...b, answers: [b.answers[0], { ...b.answers[1], sum_proof: null }, b.answers[2]] }, /sum_proof/],
    [{ ...b, answers: [{ ...b.answers[0], ciphertexts: b.answers[0].ciphertexts.slice(1) }, b.answers[1], b.answers[2]] }, /ciphertexts/],
    [{ ...b, answers: [b.answers[0], { ...b.answers[1], candidate_proofs: [] }, b.answers[2]] }, /keys/],
    [[], /object/],
  ];
  for (const [bad, re] of cases) assert.throws(() => S.verifyBallot(ctx, bad), re);
  assert.throws(() => S.verifyBallot(ctx, b, S.G), /expected voter credential/);
  const free = v.cases.find((x) => x.name === 'approval-free');
  const fb = clone(free.ballot);
  fb.answers[0].sum_proof = { challenges: [], responses: [] };
  assert.throws(() => S.verifyBallot(ctxOf(free), fb), /must be null/);
});

test('binding: a ballot replayed under another fingerprint or another credential fails', async () => {
  const c = v.cases[0];
  const other = new S.BallotContext({ electionId: c.election_id, fingerprint: 'cd'.repeat(32), publicKey: c.public_key, questions: c.questions });
  const moved = { ...clone(c.ballot), fingerprint: other.fingerprint };
  const key = await S.CredentialKey.fromCode(c.credential_code, c.election_id);
  assert.throws(() => S.verifyBallot(other, resign(moved, key)), S.InvalidProof);
  // Someone else copies the encrypted answers under their own credential and signs them.
  const thief = S.CredentialKey.generate(S.deterministicRng('thief'));
  const copied = { ...clone(c.ballot), credential: thief.public.hex() };
  assert.throws(() => S.verifyBallot(ctxOf(c), resign(copied, thief)), /bit_proofs\[0\]/);
});

test('support and oppose both set is caught by the candidate proof', () => {
  const c = v.cases[0];
  const ctx = ctxOf(c);
  const key = S.CredentialKey.generate(S.deterministicRng('voter'));
  const ballot = S.encryptBallot(ctx, [[0, 0, 0]], key);
  // Forge candidate 1: both bits 1, each with a valid 0/1 proof; no valid candidate proof exists.
  const y = ctx.publicKey, fp = ctx.fingerprintBytes;
  const r1 = 5n, r2 = 7n;
  const ct1 = S.encrypt(y, 1, r1), ct2 = S.encrypt(y, 1, r2);
  const a = ballot.answers[0];
  a.ciphertexts[2] = ct1.toJSON(); a.ciphertexts[3] = ct2.toJSON();
  const opts = { commitments: ballot.version === 2 };
  a.bit_proofs[2] = S.proveBit(y, ct1, 1, r1, S.proofContext(fp, key.public, 0, 'bit', 2), undefined, opts);
  a.bit_proofs[3] = S.proveBit(y, ct2, 1, r2, S.proofContext(fp, key.public, 0, 'bit', 3), undefined, opts);
  a.candidate_proofs[1] = S.proveBit(y, ct1.add(ct2), 1, r1 + r2, S.proofContext(fp, key.public, 0, 'candidate', 1), undefined, opts);
  assert.throws(() => S.verifyBallot(ctx, resign(ballot, key)), /candidate_proofs\[1\] \(question 0, candidate 1: support and oppose both set\)/);
});

test('choices are checked before encrypting', () => {
  const ctx = ctxOf(v.cases.find((x) => x.name === 'mixed'));
  const key = S.CredentialKey.generate(S.deterministicRng('voter'));
  for (const bad of [
    [[0, 1], [1, 0]],
    [[0, 2], [1, 0], [1, 0]],
    [[0, 1], [1, 1], [1, 0]],
    [[0, 1], [1, 0], [0, 0]],
    [[0, 1], [1, 0], [1, 1]],
    [[0, 1], [true, 0], [1, 0]],
    [[0, 1, 0], [1, 0], [1, 0]],
  ]) assert.throws(() => S.encryptBallot(ctx, bad, key), S.InvalidChoices, JSON.stringify(bad));
});

test('edge cases: all neutral, zero and max selections, one candidate, 50 candidates', () => {
  const { public: y } = S.keygen(S.deterministicRng('edge'));
  const key = S.CredentialKey.generate(S.deterministicRng('edge voter'));
  const mk = (questions) => new S.BallotContext({ electionId: 'e', fingerprint: '00'.repeat(32), publicKey: y, questions });
  const cases = [
    [[{ kind: 'sonc', n_options: 1 }], [[0]]],
    [[{ kind: 'sonc', n_options: 50 }], [Array.from({ length: 50 }, (_, i) => [1, -1, 0][i % 3])]],
    [[{ kind: 'approval', n_options: 3, min_selections: 0, max_selections: 3 }], [[1, 1, 1]]],
    [[{ kind: 'approval', n_options: 3, min_selections: 0, max_selections: 2 }], [[0, 0, 0]]],
    [[{ kind: 'approval', n_options: 3, min_selections: 3, max_selections: 3 }], [[1, 1, 1]]],
    [[{ kind: 'plurality', n_options: 1 }], [[1]]],
  ];
  for (const [questions, choices] of cases) {
    const ctx = mk(questions);
    const ballot = S.encryptBallot(ctx, choices, key);
    S.verifyBallot(ctx, ballot, key.public);
  }
});
