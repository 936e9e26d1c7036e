// Small discrete logarithms for tallies (docs/protocol.md §8.4; crypto/dlog.py):
// baby-step giant-step with n = ⌊√bound⌋ + 1 baby steps g^0..g^(n−1), giant step g^(−n).
import { DiscreteLogNotFound } from './errors.js';
import { G, IDENTITY } from './group.js';

const TABLES = new Map();

function babySteps(n) {
  let table = TABLES.get(n);
  if (table) return table;
  table = new Map();
  let p = IDENTITY;
  for (let i = 0; i < n; i++) {
    table.set(p.hex(), i);
    p = p.add(G);
  }
  if (TABLES.size >= 8) TABLES.delete(TABLES.keys().next().value);
  TABLES.set(n, table);
  return table;
}

function isqrt(n) {
  let x = Math.floor(Math.sqrt(n));
  while (x * x > n) x--;
  while ((x + 1) * (x + 1) <= n) x++;
  return x;
}

/** The m in [0, bound] with g^m = point; throws DiscreteLogNotFound otherwise. */
export function discreteLog(point, bound) {
  if (!Number.isSafeInteger(bound) || bound < 0) throw new RangeError('bound must be a non-negative int');
  const n = isqrt(bound) + 1;
  const table = babySteps(n);
  const giant = G.mul(BigInt(n)).neg();
  let q = point;
  for (let j = 0; j <= Math.floor(bound / n); j++) {
    const i = table.get(q.hex());
    if (i !== undefined) {
      const m = j * n + i;
      if (m <= bound) return m;
      break;
    }
    q = q.add(giant);
  }
  throw new DiscreteLogNotFound(`decrypted value is not g^m for any 0 <= m <= ${bound}`);
}

export function discreteLogs(points, bound) {
  return points.map((p) => discreteLog(p, bound));
}
