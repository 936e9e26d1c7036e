// The public board's hash chain (crypto/board.py).
// H_event = SHA-256(utf8("scrutin/board/v1") || 0x00 || canonical_json({prev, seq, at, type, payload})).
import { InvalidChain } from './errors.js';
import { canonicalJsonBytes, sha256Hex } from './hashing.js';
import { concat, utf8 } from './bytes.js';

export const GENESIS_HASH = '0'.repeat(64);
const BOARD_TAG = concat(utf8('scrutin/board/v1'), new Uint8Array([0]));

export function eventHash(prevHash, seq, at, eventType, payload) {
  return sha256Hex(concat(BOARD_TAG, canonicalJsonBytes({ prev: prevHash, seq, at, type: eventType, payload })));
}

/** Check sequence numbers, links and hashes of a whole board; returns the head hash. */
export function verifyChain(events) {
  let prev = GENESIS_HASH;
  let expected = 1;
  for (const ev of events) {
    if (ev.seq !== expected) throw new InvalidChain(`board event ${expected}: found sequence number ${JSON.stringify(ev.seq)}`);
    if (ev.prev_hash !== prev) throw new InvalidChain(`board event ${ev.seq}: prev_hash does not link to event ${ev.seq - 1}`);
    const h = eventHash(prev, ev.seq, ev.at, ev.type, ev.payload);
    if (ev.hash !== h) throw new InvalidChain(`board event ${ev.seq} (${ev.type}): hash mismatch`);
    prev = h;
    expected += 1;
  }
  return prev;
}
