import { test } from 'node:test';
import assert from 'node:assert/strict';
import { S, vectors } from './helpers.mjs';

const v = vectors('group.json');

test('constants', () => {
  assert.equal(S.G.hex(), v.base_point);
  assert.equal(S.L.toString(), v.order);
  assert.equal(S.IDENTITY.hex(), v.identity);
});

test('base-point multiples (fixed-base and variable-base paths agree)', () => {
  const other = S.G.mul(1n).add(S.IDENTITY); // same point, goes through the cached path
  for (const c of v.scalar_mult_base) {
    const k = S.scalarFromHex(c.scalar);
    assert.equal(S.G.mul(k).hex(), c.point);
    assert.equal(S.baseMul(k).hex(), c.point);
    assert.equal(other.mul(k).hex(), c.point);
  }
  // G·2 via the generic path: P = G·3, P·k == G·(3k)
  const p3 = S.G.mul(3n);
  assert.equal(p3.mul(5n).hex(), S.G.mul(15n).hex());
});

test('add and sub', () => {
  const p = S.Point.fromHex(v.add.p), q = S.Point.fromHex(v.add.q);
  assert.equal(p.add(q).hex(), v.add.sum);
  assert.equal(p.sub(q).hex(), v.add.difference);
});

test('identity and zero scalar are handled without libsodium errors', () => {
  const p = S.G.mul(7n);
  assert.ok(p.mul(0n).isIdentity());
  assert.ok(p.mul(S.L).isIdentity());
  assert.ok(S.IDENTITY.mul(5n).isIdentity());
  assert.ok(S.baseMul(0n).isIdentity());
  assert.ok(p.sub(p).isIdentity());
  assert.ok(p.add(p.neg()).isIdentity());
  assert.ok(S.IDENTITY.add(p).equals(p));
  assert.ok(p.add(S.IDENTITY).equals(p));
  assert.ok(S.IDENTITY.sub(p).equals(p.neg()));
  assert.ok(p.mul(-1n).equals(p.neg()));
  assert.ok(S.IDENTITY.neg().isIdentity());
});

test('invalid points are rejected with a reason', () => {
  for (const c of v.invalid_points) {
    assert.throws(() => S.Point.fromHex(c.hex), S.InvalidPoint, c.reason);
    assert.throws(() => S.Point.fromHex(c.hex), S.InvalidEncoding, c.reason);
  }
  assert.ok(S.Point.fromHex(v.identity, { allowIdentity: true }).isIdentity());
  assert.throws(() => S.Point.fromHex(v.identity), /identity/);
  assert.throws(() => S.Point.fromHex(42), S.InvalidPoint);
});

test('invalid scalars are rejected', () => {
  for (const c of v.invalid_scalars) {
    assert.throws(() => S.scalarFromHex(c.hex), S.InvalidScalar, c.reason);
  }
  assert.throws(() => S.scalarFromHex('AB'.repeat(32)), S.InvalidScalar);
  assert.equal(S.scalarFromHex(S.scalarHex(S.L - 1n)), S.L - 1n);
});

test('scalar helpers', () => {
  assert.equal(S.mod(-1n), S.L - 1n);
  const x = 123456789n;
  assert.equal(S.mod(x * S.scalarInverse(x)), 1n);
  assert.throws(() => S.scalarInverse(0n), RangeError);
  const r = S.randomScalar();
  assert.ok(r > 0n && r < S.L);
  assert.equal(S.bytesToBigIntLE(S.scalarToBytes(r)), r);
});
