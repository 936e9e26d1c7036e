import { test } from 'node:test';
import assert from 'node:assert/strict';
import { S, vectors } from './helpers.mjs';

const v = vectors('drbg.json');

test('DRBG sequences', () => {
  assert.equal(S.DRBG_TAG, v.tag);
  for (const seq of v.sequences) {
    const rng = S.deterministicRng(S.fromHex(seq.seed_hex));
    assert.deepEqual(seq.outputs.map(() => S.scalarHex(rng())), seq.outputs);
    assert.equal(rng.drawn.length, seq.outputs.length);
  }
  assert.equal(S.scalarHex(S.deterministicRng('scrutin')()), v.sequences[1].outputs[0]);
});
