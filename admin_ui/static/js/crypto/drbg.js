// Deterministic scalar generator for tests and test vectors ONLY (docs/protocol.md §9;
// crypto/drbg.py). Never use it for real ballots or keys: anyone who knows the seed knows
// every secret. The k-th output is H("scrutin/v1/test-drbg", seed, k); zero is skipped.
import { hashToScalar } from './hashing.js';
import { utf8 } from './bytes.js';

export const DRBG_TAG = 'scrutin/v1/test-drbg';

/**
 * deterministicRng(seed: Uint8Array | string) → rng: () => BigInt, with rng.drawn (every
 * output so far) and rng.counter. Pass it as the `rng` option of any prover.
 */
export function deterministicRng(seed) {
  const s = typeof seed === 'string' ? utf8(seed) : new Uint8Array(seed);
  const rng = () => {
    for (;;) {
      const v = hashToScalar(DRBG_TAG, s, rng.counter);
      rng.counter += 1;
      if (v !== 0n) {
        rng.drawn.push(v);
        return v;
      }
    }
  };
  rng.seed = s;
  rng.counter = 0;
  rng.drawn = [];
  return rng;
}
