import { test } from 'node:test';
import assert from 'node:assert/strict';
import { S, vectors, item } from './helpers.mjs';

const v = vectors('hashing.json');

test('hash_to_scalar vectors: preimage, SHA-512 and scalar byte for byte', () => {
  assert.ok(v.hash_to_scalar.length >= 3);
  for (const c of v.hash_to_scalar) {
    const items = c.items.map(item);
    const pre = S.hashPreimage(c.tag, ...items);
    assert.equal(S.toHex(pre), c.preimage_hex);
    assert.equal(S.toHex(S.sha512(pre)), c.sha512_hex);
    assert.equal(S.scalarHex(S.hashToScalar(c.tag, ...items)), c.scalar);
  }
});

test('hash_to_point vectors', () => {
  for (const c of v.hash_to_point) {
    assert.equal(S.hashToPoint(c.tag, S.fromHex(c.data_hex)).hex(), c.point);
    assert.equal(S.toHex(S.sha512(S.fromHex(c.preimage_hex)).subarray(0, 32)), c.uniform_hex);
  }
});

test('canonical JSON vectors', () => {
  for (const c of v.canonical_json) assert.equal(S.canonicalJson(c.input), c.output);
});

test('canonical JSON: code-point key order, rejects floats, big ints, undefined, lone surrogates', () => {
  // U+FF21 sorts before U+1F600 by code point but after it by UTF-16 code unit.
  assert.equal(S.canonicalJson({ '\u{1F600}': 1, '\uFF21': 2, a: 3 }), '{"a":3,"Ａ":2,"😀":1}');
  assert.equal(S.canonicalJson({ s: '\u0001\u007f' }), '{"s":"\\u0001\u007f"}');
  assert.throws(() => S.canonicalJson({ x: 1.5 }), /float/);
  assert.throws(() => S.canonicalJson({ x: 2 ** 53 }), /2\^53/);
  assert.throws(() => S.canonicalJson({ x: undefined }), /undefined/);
  assert.throws(() => S.canonicalJson({ x: 1n }), /unsupported/);
  assert.throws(() => S.canonicalJson({ x: '\ud800' }), /surrogate/);
  assert.throws(() => S.canonicalJson(new Map()), /unsupported/);
});

test('election fingerprint vector', () => {
  const f = v.fingerprint;
  assert.equal(S.canonicalJson(f.manifest), f.canonical_json);
  assert.equal(S.FINGERPRINT_PREFIX, f.prefix_utf8);
  assert.equal(S.electionFingerprint(f.manifest), f.fingerprint);
});

test('hash items: booleans, negative and oversized ints are rejected', () => {
  assert.throws(() => S.hashPreimage('t', true), TypeError);
  assert.throws(() => S.hashPreimage('t', -1), RangeError);
  assert.throws(() => S.hashPreimage('t', 2n ** 64n), RangeError);
  assert.throws(() => S.hashPreimage('t', 1.5), RangeError);
  assert.throws(() => S.hashPreimage('t', null), TypeError);
});
