// Cast receipts (docs/protocol.md §8.9; crypto/receipts.py is the one definition): the
// server's Ed25519 signature over the canonical JSON of the receipt without server_key and
// server_signature, checked against the receipt key of the manifest the trustees confirmed,
// and the receipted ballot found on the board at the receipted position.
import { sodium } from './sodium.js';
import { InvalidReceipt } from './errors.js';
import { canonicalJsonBytes } from './hashing.js';
import { fromBase64, fromHex } from './bytes.js';
import { verifyChain } from './board.js';

const FIELDS = ['election_id', 'tracker', 'credential', 'cast_at', 'board_seq', 'board_hash', 'fingerprint', 'revote'];
const SIGNATURE_FIELDS = ['server_key', 'server_signature'];

export function receiptBody(receipt) {
  const body = {};
  for (const [k, v] of Object.entries(receipt)) if (!SIGNATURE_FIELDS.includes(k)) body[k] = v;
  return canonicalJsonBytes(body);
}

/** The receipt inside the booth's download, or a bare receipt. */
export function unwrapReceipt(doc) {
  const r = doc && doc.kind === 'scrutin-receipt' ? doc.receipt : doc;
  if (!r || typeof r !== 'object' || Array.isArray(r)) throw new InvalidReceipt('receipt: expected a JSON object');
  return r;
}

function hex64(value, what) {
  if (typeof value !== 'string' || !/^[0-9a-f]{64}$/.test(value)) throw new InvalidReceipt(`receipt: ${what} must be 64 lowercase hex digits`);
}

/** Shape and signature; with `receiptKey` (the manifest's), that it is that key which signed. */
export function verifyReceipt(doc, receiptKey = null) {
  const r = unwrapReceipt(doc);
  const missing = [...FIELDS, ...SIGNATURE_FIELDS].filter((k) => !(k in r)).sort();
  if (missing.length) throw new InvalidReceipt(`receipt: missing ${missing.join(', ')}`);
  for (const k of ['tracker', 'credential', 'board_hash', 'fingerprint', 'server_key']) hex64(r[k], k);
  if (!Number.isSafeInteger(r.board_seq) || r.board_seq < 1) throw new InvalidReceipt('receipt: board_seq must be a positive integer');
  if (receiptKey !== null && r.server_key !== receiptKey) {
    throw new InvalidReceipt(`receipt: signed by key ${r.server_key}, not by this election's receipt key ${receiptKey} (from the manifest)`);
  }
  let ok = false;
  try {
    const signature = fromBase64(String(r.server_signature));
    ok = signature.length === 64 && sodium.crypto_sign_verify_detached(signature, receiptBody(r), fromHex(r.server_key));
  } catch { ok = false; }
  if (!ok) throw new InvalidReceipt(`receipt: the signature does not verify under ${r.server_key}`);
  return r;
}

/** {definition_version: fingerprint} of the setup and later ballot definitions. */
export function definitionFingerprints(events) {
  const out = new Map();
  for (const e of events) {
    if (e.type === 'election_setup') out.set(Number(e.payload?.manifest?.definition_version ?? 1), String(e.payload.fingerprint));
    else if (e.type === 'ballot_definition' && Number.isSafeInteger(e.payload?.version)) out.set(e.payload.version, String(e.payload.fingerprint));
  }
  return out;
}

/** Event board_seq is a ballot_cast of this tracker and credential with hash board_hash, under the receipted definition. */
export function checkReceiptOnBoard(doc, events) {
  const r = unwrapReceipt(doc);
  verifyChain(events);
  const seq = r.board_seq;
  if (!Number.isSafeInteger(seq) || seq < 1 || seq > events.length) {
    throw new InvalidReceipt(`receipt: the board has no event ${JSON.stringify(seq)} (it has ${events.length}): the receipted ballot is not on the board`);
  }
  const event = events[seq - 1];
  const p = event.payload || {};
  const where = `board event ${seq}`;
  if (event.type !== 'ballot_cast') throw new InvalidReceipt(`receipt: ${where} is a ${event.type} event, not the receipted ballot`);
  if (p.tracker !== r.tracker) throw new InvalidReceipt(`receipt: ${where} holds tracker ${p.tracker}, the receipt ${r.tracker}`);
  if (p.credential !== r.credential) throw new InvalidReceipt(`receipt: ${where} holds another credential`);
  if (event.hash !== r.board_hash) throw new InvalidReceipt(`receipt: ${where} has hash ${event.hash}, the receipt ${r.board_hash}: the board was rewritten`);
  const fps = definitionFingerprints(events.slice(0, seq));
  if (fps.get(p.definition_version) !== r.fingerprint) {
    throw new InvalidReceipt(`receipt: fingerprint ${r.fingerprint} is not that of ballot definition ${JSON.stringify(p.definition_version)} on the board`);
  }
  return event;
}
