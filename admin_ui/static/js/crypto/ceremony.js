// The key ceremony as the public board shows it, protocol 2 (docs/protocol.md §8;
// crypto/ceremony.py is the reference and the one definition: this module replays a board by
// the same rules, so the trustee page acts only on what the board proves, never on what the
// server's status says). Every message is signed with the trustee's Ed25519 identity.
import { sodium } from './sodium.js';
import { CryptoError } from './errors.js';
import { Point, scalarFromHex, scalarToBytes } from './group.js';
import { canonicalJsonBytes, sha256, sha256Hex } from './hashing.js';
import { bytesEqual, concat, fromBase64, fromHex, toHex, utf8 } from './bytes.js';
import { combinePublicKey, verifyCommitments, verifyShare } from './threshold.js';
import { verifyChain } from './board.js';
import { electionFingerprint, fingerprintCode, normaliseFingerprintCode } from './fingerprint.js';

/** A board's key ceremony cannot have happened as shown (crypto.errors.InvalidCeremony). */
export class InvalidCeremony extends CryptoError {}

export const CEREMONY_PROTOCOL = 2;
export const MAX_ROUNDS = 8;
const MAX_SEALED_SHARE_BYTES = 1024;
const SIGNATURE_TAG = concat(utf8('scrutin/ceremony/v2'), new Uint8Array([0]));
const IDENTITY_TAG = concat(utf8('scrutin/trustee-identity/v1'), new Uint8Array([0]));

export const EVENTS = Object.freeze({
  JOINED: 'trustee_joined', COMMITMENT_HASH: 'trustee_commitment_hash',
  COMMITMENTS: 'trustee_commitments', SHARES_SENT: 'trustee_shares_sent',
  CONFIRMED: 'trustee_confirmed', COMPLAINT: 'ceremony_complaint', ANSWER: 'complaint_answer',
  VERDICT: 'complaint_verdict', STARTED: 'ceremony_started', RESTARTED: 'ceremony_restarted',
  RETURNED_TO_DRAFT: 'returned_to_draft', SETUP: 'election_setup',
  DECRYPTION_SHARE: 'decryption_share',
});
const SIGNED = new Set([EVENTS.JOINED, EVENTS.COMMITMENT_HASH, EVENTS.COMMITMENTS,
  EVENTS.SHARES_SENT, EVENTS.CONFIRMED, EVENTS.COMPLAINT, EVENTS.ANSWER]);
const CEREMONY_EVENTS = new Set([...SIGNED, EVENTS.VERDICT, EVENTS.STARTED, EVENTS.RESTARTED,
  EVENTS.RETURNED_TO_DRAFT, EVENTS.SETUP]);
export const FINDING = Object.freeze({ VALID: 'share_valid', INVALID: 'share_invalid', NO_ANSWER: 'no_answer' });

// --- identity --------------------------------------------------------------------------------

/** A new identity: the 32-byte Ed25519 seed, as hex (kept only in the encrypted key file). */
export function generateIdentity() {
  return toHex(sodium.randombytes_buf(32));
}

function keypairOf(seedHex) {
  return sodium.crypto_sign_seed_keypair(fromHex(seedHex, 'identity seed'));
}

/** The hex Ed25519 verify key of a seed. */
export function identityPublic(seedHex) {
  return toHex(keypairOf(seedHex).publicKey);
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
function base32(bytes) {
  let bits = 0, value = 0, out = '';
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

function verifyKeyBytes(value, what) {
  if (typeof value !== 'string' || !/^[0-9a-f]{64}$/.test(value)) {
    throw new InvalidCeremony(`${what}: expected 64 lowercase hex digits`);
  }
  return fromHex(value);
}

/** base32(SHA-256(tag ‖ verify key)[:20]) in eight groups of four: what people compare. */
export function identityFingerprint(signingKeyHex) {
  const digest = sha256(concat(IDENTITY_TAG, verifyKeyBytes(signingKeyHex, 'signing key'))).subarray(0, 20);
  return base32(digest).match(/.{4}/g).join('-');
}

/** A fingerprint as people copy it (any case, spaces, dashes) → canonical form. */
export function normaliseFingerprint(text) {
  const compact = String(text).toUpperCase().replace(/[^A-Z0-9]/g, '');
  if (compact.length !== 32) {
    throw new InvalidCeremony(`not a trustee fingerprint: ${JSON.stringify(text)} (expected 32 base32 characters in groups of four)`);
  }
  return compact.match(/.{4}/g).join('-');
}

/** Published fingerprints, one per line; '#' comments and anything after the first word ignored. */
export function parseFingerprints(text) {
  return String(text).split(/\r?\n/).map((line) => line.split('#')[0].trim()).filter(Boolean)
    .map((line) => normaliseFingerprint(line.split(/\s+/)[0]));
}

// --- signed messages -------------------------------------------------------------------------

/** tag ‖ canonical JSON of {kind, election, round, trustee, body}. */
export function signedBytes(kind, electionId, round, index, body) {
  return concat(SIGNATURE_TAG, canonicalJsonBytes({ kind, election: electionId, round, trustee: index, body }));
}

export function signMessage(seedHex, kind, electionId, round, index, body) {
  return toHex(sodium.crypto_sign_detached(signedBytes(kind, electionId, round, index, body), keypairOf(seedHex).privateKey));
}

export function verifyMessage(signingKeyHex, signature, kind, electionId, round, index, body) {
  const who = `${kind} of trustee ${index}`;
  const key = verifyKeyBytes(signingKeyHex, `${who}: signing key`);
  if (typeof signature !== 'string' || !/^[0-9a-f]{128}$/.test(signature)) {
    throw new InvalidCeremony(`${who}: missing or malformed signature`);
  }
  let ok = false;
  try {
    ok = sodium.crypto_sign_verify_detached(fromHex(signature), signedBytes(kind, electionId, round, index, body), key);
  } catch { ok = false; }
  if (!ok) {
    throw new InvalidCeremony(`${who}: the signature does not verify under its signing key ${identityFingerprint(signingKeyHex)}`);
  }
}

/** The signed part of a payload: everything but round, index and signature. */
export function bodyOf(payload) {
  const body = {};
  for (const [k, v] of Object.entries(payload)) if (!['round', 'index', 'signature'].includes(k)) body[k] = v;
  return body;
}

// --- statements ------------------------------------------------------------------------------

export function commitmentContext(electionId, round, index, signingKeyHex) {
  return utf8(`scrutin/ceremony/v2/${electionId}/${round}/${index}/${signingKeyHex}`);
}

export function commitmentsDigest(commitments, proofs) {
  return sha256Hex(concat(utf8('scrutin/commitments/v2'), new Uint8Array([0]),
    canonicalJsonBytes({ commitments: [...commitments], proofs: [...proofs] })));
}

export function ceremonyShareContext(electionId, round, sender, recipient) {
  return utf8(`scrutin/share/v2/${electionId}/${round}/${sender}->${recipient}`);
}

/** The X25519 ephemeral secret a share is sealed with (revealed only to answer a complaint). */
export function shareEphemeralKey(shareSeedHex, round, recipient) {
  return sodium.crypto_hash_sha512(concat(utf8('scrutin/share-ephemeral/v2'), new Uint8Array([0]),
    fromHex(shareSeedHex, 'share seed'), utf8(`/${round}/${recipient}`))).slice(0, 32);
}

/** libsodium's sealed-box format (epk ‖ crypto_box(m, blake2b(epk ‖ pk))) with a chosen ephemeral key. */
export function sealShareRevealable(recipientPublic, share, context, ephemeralPrivate) {
  const pk = new Uint8Array(recipientPublic);
  const esk = new Uint8Array(ephemeralPrivate);
  const epk = sodium.crypto_scalarmult_base(esk);
  const nonce = sodium.crypto_generichash(24, concat(epk, pk));
  return concat(epk, sodium.crypto_box_easy(concat(scalarToBytes(share), context), nonce, pk, esk));
}

function decodeSealed(value, what) {
  if (typeof value !== 'string') throw new InvalidCeremony(`${what}: expected base64`);
  let raw;
  try { raw = fromBase64(value); } catch { throw new InvalidCeremony(`${what}: not base64`); }
  if (raw.length < 48 || raw.length > MAX_SEALED_SHARE_BYTES) throw new InvalidCeremony(`${what}: ${raw.length} bytes is not a sealed share`);
  return raw;
}

/** share_valid (the complainant was wrong) or share_invalid (the accused was). */
export function judgeComplaint(electionId, round, accused, complainant, commitments, recipientKeyHex, sealed, shareHex, ephemeralHex) {
  try {
    const share = scalarFromHex(String(shareHex));
    const ephemeral = fromHex(String(ephemeralHex));
    if (ephemeral.length !== 32) return FINDING.INVALID;
    const resealed = sealShareRevealable(fromHex(recipientKeyHex), share, ceremonyShareContext(electionId, round, accused, complainant), ephemeral);
    if (!bytesEqual(resealed, sealed)) return FINDING.INVALID;
    verifyShare(commitments, complainant, share);
  } catch {
    return FINDING.INVALID;
  }
  return FINDING.VALID;
}

// --- replaying the board ---------------------------------------------------------------------

class Round {
  constructor(number, threshold, size) {
    Object.assign(this, { number, threshold, size, trustees: new Map(), complaints: [], setupFingerprint: null });
  }

  allHave(attribute) {
    return this.trustees.size === this.size && [...this.trustees.values()].every((t) => t[attribute] !== null);
  }

  get dead() { return this.complaints.length > 0; }

  get publicKey() {
    return combinePublicKey([...this.trustees.keys()].sort((a, b) => a - b).map((j) => this.trustees.get(j).points || []));
  }

  expectedManifestTrustees() {
    return [...this.trustees.keys()].sort((a, b) => a - b).map((j) => {
      const t = this.trustees.get(j);
      return { index: j, signing_key: t.signingKey, encryption_key: t.encryptionKey, commitments: t.commitments };
    });
  }
}

function int(value, what) {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new InvalidCeremony(`${what}: expected an integer, got ${JSON.stringify(value)}`);
  return value;
}

/** The replayed ceremony: {protocol, rounds: Map, current, round, excludedKeys, setupRound, opened}. */
export class Ceremony {
  constructor(electionId) {
    Object.assign(this, { electionId, protocol: null, rounds: new Map(), current: null, excludedKeys: new Set(), setupRound: null, opened: false });
  }

  get round() {
    if (this.current === null) throw new InvalidCeremony('no key ceremony has started');
    return this.rounds.get(this.current);
  }

  trusteeByKey(signingKey) {
    for (const t of this.round.trustees.values()) if (t.signingKey === signingKey) return t;
    return null;
  }
}

class Replay {
  constructor(electionId) { this.c = new Ceremony(electionId); }

  event(ev) {
    if (ev.type === 'opened') { this.c.opened = true; return; }
    if (!CEREMONY_EVENTS.has(ev.type)) return;
    try {
      this.dispatch(ev.type, ev.payload || {}, ev);
    } catch (e) {
      const why = e instanceof CryptoError ? e.message : `malformed ceremony message: ${e.message}`;
      throw new InvalidCeremony(`board event ${ev.seq} (${ev.type}): ${why}`);
    }
  }

  dispatch(kind, p, ev) {
    const c = this.c;
    if (c.opened) throw new InvalidCeremony('a ceremony message after the election opened: an election has exactly one key');
    if (c.setupRound !== null) throw new InvalidCeremony(`a ceremony message after the election was set up (round ${c.setupRound}): an election has exactly one key`);
    if (kind === EVENTS.STARTED) this.started(p);
    else if (kind === EVENTS.RESTARTED) this.restarted(p);
    else if (kind === EVENTS.RETURNED_TO_DRAFT) { /* closed by the restart just before it */ }
    else if (kind === EVENTS.SETUP) this.setup(p, ev);
    else if (kind === EVENTS.VERDICT) this.verdict(p);
    else this.signed(kind, p, ev);
  }

  newRound(number, threshold, size) {
    const c = this.c;
    if (c.rounds.has(number)) throw new InvalidCeremony(`round ${number} started twice`);
    if (c.current !== null && number <= c.current) throw new InvalidCeremony(`round ${number} does not follow round ${c.current}`);
    if (number > MAX_ROUNDS) throw new InvalidCeremony(`round ${number}: at most ${MAX_ROUNDS} ceremony rounds`);
    if (!(threshold >= 1 && threshold <= size)) throw new InvalidCeremony(`threshold ${threshold} of ${size} trustees`);
    c.rounds.set(number, new Round(number, threshold, size));
    c.current = number;
  }

  started(p) {
    const c = this.c;
    if ((p.election_id ?? c.electionId) !== c.electionId) throw new InvalidCeremony(`ceremony for election ${JSON.stringify(p.election_id)}`);
    const protocol = int(p.protocol ?? 1, 'protocol');
    if (c.protocol !== null && protocol !== c.protocol) throw new InvalidCeremony(`protocol ${protocol} after protocol ${c.protocol}`);
    c.protocol = protocol;
    const number = int(p.round, 'round');
    if (c.current !== null && number === c.current && c.rounds.get(number).trustees.size === 0) {
      c.rounds.delete(number);  // back from draft: the restart opened this round already
      c.current = number > 1 ? number - 1 : null;
    }
    this.newRound(number, int(p.threshold, 'threshold'), int(p.trustees, 'trustees'));
  }

  restarted(p) {
    const previous = this.c.round;
    for (const x of previous.complaints) {
      if (x.finding === null) throw new InvalidCeremony(`restarted with trustee ${x.complainant}'s complaint against trustee ${x.accused} unresolved`);
    }
    if (typeof p.reason !== 'string' || !p.reason.trim()) throw new InvalidCeremony('a restart must say why');
    this.newRound(int(p.round, 'round'), previous.threshold, previous.size);
  }

  signed(kind, p, ev) {
    const c = this.c;
    if (c.protocol !== CEREMONY_PROTOCOL) throw new InvalidCeremony(`${kind} in a protocol-${c.protocol} ceremony`);
    const rnd = c.round;
    const number = int(p.round, 'round');
    if (number !== rnd.number) throw new InvalidCeremony(`a message for round ${number} while the ceremony is in round ${rnd.number} (replayed or stale)`);
    const index = int(p.index, 'index');
    if (index < 1 || index > rnd.size) throw new InvalidCeremony(`trustee index ${index} is not in 1..${rnd.size}`);
    let key;
    if (kind === EVENTS.JOINED) {
      key = p.signing_key;
      verifyKeyBytes(key, 'signing key');
    } else {
      if (!rnd.trustees.has(index)) throw new InvalidCeremony(`trustee ${index} has not joined round ${rnd.number}`);
      key = rnd.trustees.get(index).signingKey;
    }
    verifyMessage(key, p.signature, kind, c.electionId, rnd.number, index, bodyOf(p));
    if (rnd.dead && kind !== EVENTS.ANSWER) throw new InvalidCeremony(`round ${rnd.number} stopped at a complaint; only the answer and a restart may follow`);
    this[kind](rnd, index, p, ev);
  }

  trustee_joined(rnd, index, p, ev) {
    if (rnd.trustees.has(index)) throw new InvalidCeremony(`trustee ${index} joined twice`);
    const key = p.signing_key;
    if (this.c.excludedKeys.has(key)) throw new InvalidCeremony(`trustee ${index}'s identity ${identityFingerprint(key)} was found at fault in an earlier round and is excluded`);
    const others = [...rnd.trustees.values()];
    if (others.some((t) => t.signingKey === key)) throw new InvalidCeremony(`trustee ${index} uses the signing key of another trustee`);
    verifyKeyBytes(p.encryption_key, 'encryption key');
    if (others.some((t) => t.encryptionKey === p.encryption_key)) throw new InvalidCeremony(`trustee ${index} uses the encryption key of another trustee`);
    rnd.trustees.set(index, {
      index, signingKey: key, encryptionKey: p.encryption_key, joinedSeq: ev.seq,
      fingerprint: identityFingerprint(key), commitmentHash: null, commitments: null, proofs: null,
      points: null, sealed: null, sealedBase64: null, confirmed: null,
    });
  }

  trustee_commitment_hash(rnd, index, p) {
    const t = rnd.trustees.get(index);
    if (t.commitmentHash !== null) throw new InvalidCeremony(`trustee ${index} committed twice`);
    if (typeof p.digest !== 'string' || p.digest.length !== 64) throw new InvalidCeremony('digest: expected 64 hex digits');
    t.commitmentHash = p.digest;
  }

  trustee_commitments(rnd, index, p) {
    const t = rnd.trustees.get(index);
    if (!rnd.allHave('commitmentHash')) throw new InvalidCeremony(`trustee ${index} revealed its commitments before every trustee committed to theirs (commit before reveal)`);
    if (t.commitments !== null) throw new InvalidCeremony(`trustee ${index} revealed commitments twice`);
    const commitments = [...p.commitments], proofs = [...p.proofs];
    if (commitmentsDigest(commitments, proofs) !== t.commitmentHash) throw new InvalidCeremony(`trustee ${index}'s commitments are not the ones it committed to (hash mismatch)`);
    if (commitments.length !== rnd.threshold) throw new InvalidCeremony(`trustee ${index} published ${commitments.length} commitments, threshold is ${rnd.threshold}`);
    const points = commitments.map((x, k) => Point.fromHex(x, { what: `trustee ${index} commitment ${k}` }));
    verifyCommitments(points, proofs, index, commitmentContext(this.c.electionId, rnd.number, index, t.signingKey));
    Object.assign(t, { commitments, proofs, points });
  }

  trustee_shares_sent(rnd, index, p) {
    const t = rnd.trustees.get(index);
    if (!rnd.allHave('commitments')) throw new InvalidCeremony(`trustee ${index} sent shares before every trustee revealed its commitments`);
    if (t.sealed !== null) throw new InvalidCeremony(`trustee ${index} sent shares twice`);
    const expected = [...rnd.trustees.keys()].filter((j) => j !== index).map(String).sort();
    const sealed = p.sealed;
    if (sealed === null || typeof sealed !== 'object' || Array.isArray(sealed)
        || Object.keys(sealed).sort().join(',') !== expected.join(',')) {
      throw new InvalidCeremony(`trustee ${index} must send exactly one sealed share to each other trustee [${expected.join(', ')}]`);
    }
    t.sealed = new Map(Object.entries(sealed).map(([j, v]) => [Number(j), decodeSealed(v, `share ${index}->${j}`)]));
    t.sealedBase64 = { ...sealed };
  }

  trustee_confirmed(rnd, index, p) {
    const t = rnd.trustees.get(index);
    if (!rnd.allHave('sealed')) throw new InvalidCeremony(`trustee ${index} confirmed before every trustee sent shares`);
    if (t.confirmed !== null) throw new InvalidCeremony(`trustee ${index} confirmed twice`);
    if (typeof p.fingerprint !== 'string' || p.fingerprint.length !== 64) throw new InvalidCeremony('fingerprint: expected 64 hex digits');
    t.confirmed = p.fingerprint;
  }

  ceremony_complaint(rnd, index, p) {
    const accused = int(p.accused_index, 'accused_index');
    if (accused === index || !rnd.trustees.has(accused)) throw new InvalidCeremony(`trustee ${index} complains about trustee ${accused}, which is not another trustee of this round`);
    if (rnd.trustees.get(accused).sealed === null) throw new InvalidCeremony(`complaint about trustee ${accused} before it sent shares`);
    if (rnd.trustees.get(index).confirmed !== null) throw new InvalidCeremony(`trustee ${index} complains after confirming`);
    if (int(p.complainant_index, 'complainant_index') !== index) throw new InvalidCeremony('complainant_index differs from the signer');
    if (typeof p.reason !== 'string') throw new InvalidCeremony('a complaint must give a reason');
    rnd.complaints.push({ complainant: index, accused, reason: p.reason, answer: null, finding: null, culprit: null });
  }

  complaint_answer(rnd, index, p) {
    const complainant = int(p.complainant_index, 'complainant_index');
    const x = rnd.complaints.find((y) => y.accused === index && y.complainant === complainant && y.answer === null && y.finding === null);
    if (!x) throw new InvalidCeremony(`trustee ${index} answers a complaint by trustee ${complainant} that is not open`);
    x.answer = { share: p.share, ephemeral_secret: p.ephemeral_secret };
  }

  verdict(p) {
    const rnd = this.c.round;
    if (int(p.round, 'round') !== rnd.number) throw new InvalidCeremony(`a verdict for round ${p.round} in round ${rnd.number}`);
    const complainant = int(p.complainant_index, 'complainant_index');
    const accused = int(p.accused_index, 'accused_index');
    const x = rnd.complaints.find((y) => y.accused === accused && y.complainant === complainant && y.finding === null);
    if (!x) throw new InvalidCeremony(`a verdict on a complaint by trustee ${complainant} against trustee ${accused} that is not open`);
    let expected;
    if (x.answer === null) {
      if (p.finding !== FINDING.NO_ANSWER) throw new InvalidCeremony(`finding ${JSON.stringify(p.finding)} without an answer from trustee ${accused}`);
      expected = FINDING.NO_ANSWER;
    } else {
      const a = rnd.trustees.get(accused), k = rnd.trustees.get(complainant);
      expected = judgeComplaint(this.c.electionId, rnd.number, accused, complainant, a.points || [], k.encryptionKey,
        a.sealed.get(complainant), x.answer.share, x.answer.ephemeral_secret);
    }
    if (p.finding !== expected) throw new InvalidCeremony(`the verdict says ${JSON.stringify(p.finding)}; the answer on the board gives ${JSON.stringify(expected)}`);
    const culprit = expected === FINDING.VALID ? complainant : accused;
    if (int(p.culprit_index, 'culprit_index') !== culprit) throw new InvalidCeremony(`the verdict names trustee ${p.culprit_index}, the finding makes trustee ${culprit} the culprit`);
    Object.assign(x, { finding: expected, culprit });
    this.c.excludedKeys.add(rnd.trustees.get(culprit).signingKey);
  }

  setup(p) {
    const c = this.c;
    if (c.protocol !== CEREMONY_PROTOCOL) return;  // protocol 1: not this client's business
    const rnd = c.round;
    const manifest = p.manifest;
    if (int(manifest.ceremony_round, 'manifest.ceremony_round') !== rnd.number) {
      throw new InvalidCeremony(`setup of round ${manifest.ceremony_round} while the ceremony is in round ${rnd.number} (a superseded round)`);
    }
    checkManifestAgainstRound(manifest, rnd, c.electionId);
    const unconfirmed = [];
    for (let j = 1; j <= rnd.size; j++) if (!rnd.trustees.has(j) || rnd.trustees.get(j).confirmed !== p.fingerprint) unconfirmed.push(j);
    if (unconfirmed.length) throw new InvalidCeremony(`set up without the confirmation of trustees [${unconfirmed.join(', ')}] for fingerprint ${p.fingerprint}`);
    rnd.setupFingerprint = p.fingerprint;
    c.setupRound = rnd.number;
  }
}

/** A protocol-2 manifest names exactly this round's trustees, threshold and key ∏ C_{i,0}. */
export function checkManifestAgainstRound(manifest, rnd, electionId) {
  if (manifest.election_id !== electionId) throw new InvalidCeremony(`manifest is for election ${JSON.stringify(manifest.election_id)}`);
  if (manifest.manifest_version !== 2) throw new InvalidCeremony(`a protocol-2 ceremony needs manifest_version 2, not ${JSON.stringify(manifest.manifest_version)}`);
  if (manifest.ceremony_round !== rnd.number) throw new InvalidCeremony(`manifest names round ${manifest.ceremony_round}, the ceremony is in round ${rnd.number}`);
  if (manifest.threshold !== rnd.threshold) throw new InvalidCeremony(`manifest threshold ${manifest.threshold} differs from the ceremony's ${rnd.threshold}`);
  if (!rnd.allHave('commitments')) throw new InvalidCeremony('not every trustee has revealed its commitments');
  const expected = rnd.expectedManifestTrustees();
  const got = manifest.trustees;
  if (!Array.isArray(got) || got.length !== expected.length) throw new InvalidCeremony(`manifest lists ${Array.isArray(got) ? got.length : 0} trustees, the ceremony has ${expected.length}`);
  expected.forEach((want, i) => {
    const have = got[i];
    for (const key of ['index', 'signing_key', 'encryption_key', 'commitments']) {
      if (!have || JSON.stringify(have[key]) !== JSON.stringify(want[key])) throw new InvalidCeremony(`manifest trustee ${want.index}: ${key} differs from what the trustee signed on the board`);
    }
    if (Object.keys(have).length !== 4) throw new InvalidCeremony('manifest trustees carry fields the ceremony does not know');
  });
  const key = rnd.publicKey.hex();
  if (manifest.public_key !== key) throw new InvalidCeremony(`manifest public key ${manifest.public_key} is not the product of the trustees' constant commitments (${key})`);
}

/** Replay every ceremony event of a board in order; throws InvalidCeremony at the first impossible one. */
export function replayCeremony(electionId, events) {
  const r = new Replay(electionId);
  for (const ev of events) r.event(ev);
  return r.c;
}

/** What only a key ceremony sets: a later ballot definition keeps them (crypto.ceremony.DEFINITION_FIXED_KEYS). */
export const DEFINITION_FIXED_KEYS = Object.freeze(['election_id', 'manifest_version', 'ceremony_round',
  'credential_mode', 'threshold', 'trustees', 'public_key', 'receipt_key']);

/** [fingerprint, manifest] of the election_setup and every later ballot_definition, in board order. */
export function boardDefinitions(events) {
  return events.filter((e) => e.type === EVENTS.SETUP || e.type === 'ballot_definition')
    .map((e) => [String(e.payload.fingerprint), e.payload.manifest]);
}

/**
 * The booth's check before it encrypts (crypto.ceremony.check_election, the one definition):
 * the manifest's key is ∏ C_{i,0}; its fingerprint is recomputed (= `fingerprint` if given);
 * the board's chain holds and its ceremony replays to a setup every trustee confirmed; the
 * manifest is the board's current definition and keeps the setup's fixed fields; with
 * `expectedCode`, that is the code of the setup's (or this) fingerprint.
 * Returns {ceremony, setupManifest, setupFingerprint, manifest, fingerprint, code, receiptKey}.
 */
export function checkElection(electionId, events, manifest, fingerprint = null, { expectedCode = null } = {}) {
  if (!manifest || manifest.election_id !== electionId) {
    throw new InvalidCeremony(`the ballot definition is for election ${JSON.stringify(manifest?.election_id)}, not ${JSON.stringify(electionId)}`);
  }
  let key;
  try {
    key = combinePublicKey(manifest.trustees.map((t) => t.commitments.map((c) => Point.fromHex(c, { what: `trustee ${t.index} commitment` })))).hex();
  } catch (err) {
    throw new InvalidCeremony(`the ballot definition's trustees are malformed: ${err.message}`);
  }
  if (manifest.public_key !== key) {
    throw new InvalidCeremony(`the ballot definition's public key ${manifest.public_key} is not the product of the trustees' constant commitments (${key}): refusing to encrypt`);
  }
  const computed = electionFingerprint(manifest);
  if (fingerprint !== null && fingerprint !== undefined && fingerprint !== computed) {
    throw new InvalidCeremony(`the server's fingerprint ${fingerprint} is not the manifest's (${computed})`);
  }
  try { verifyChain(events); } catch (err) { throw new InvalidCeremony(`the board is broken: ${err.message}`); }
  const ceremony = replayCeremony(electionId, events);
  if (ceremony.protocol !== CEREMONY_PROTOCOL || ceremony.setupRound === null) {
    throw new InvalidCeremony('the board holds no election_setup of a protocol-2 key ceremony: the trustees did not make this election\'s key');
  }
  const definitions = boardDefinitions(events);
  const [setupFingerprint, setupManifest] = definitions[0];
  const [currentFingerprint, current] = definitions[definitions.length - 1];
  if (computed !== currentFingerprint || !bytesEqual(canonicalJsonBytes(manifest), canonicalJsonBytes(current))) {
    const known = definitions.some(([fp]) => fp === computed);
    throw new InvalidCeremony(`the ballot definition ${computed} is not the board's current one (${currentFingerprint})${known ? ' (an earlier version)' : ': the trustees never confirmed it and the board does not announce it'}`);
  }
  for (const name of DEFINITION_FIXED_KEYS) {
    if (JSON.stringify(manifest[name] ?? null) !== JSON.stringify(setupManifest[name] ?? null)) {
      throw new InvalidCeremony(`the ballot definition changes ${name}, which only the key ceremony sets`);
    }
  }
  const code = fingerprintCode(setupFingerprint);
  if (expectedCode !== null && expectedCode !== undefined) {
    let wanted;
    try { wanted = normaliseFingerprintCode(expectedCode); } catch (err) { throw new InvalidCeremony(err.message); }
    if (wanted !== code && wanted !== fingerprintCode(computed)) {
      throw new InvalidCeremony(`this election's fingerprint code is ${code}, not the published ${wanted}: refusing to encrypt`);
    }
  }
  const receiptKey = typeof setupManifest.receipt_key === 'string' ? setupManifest.receipt_key : null;
  return { ceremony, setupManifest, setupFingerprint, manifest, fingerprint: computed, code, receiptKey };
}

/** The current round's trustees are exactly the published fingerprints. */
export function requireTrustees(ceremony, expectedFingerprints) {
  const wanted = new Set([...expectedFingerprints].map(normaliseFingerprint));
  const trustees = [...ceremony.round.trustees.values()].sort((a, b) => a.index - b.index);
  for (const t of trustees) {
    if (!wanted.has(t.fingerprint)) throw new InvalidCeremony(`trustee ${t.index} has identity ${t.fingerprint}, which is not one of the published trustee fingerprints`);
  }
}

/** What a trustee signs with its decryption share (protocol 2). */
export function signDecryptionShare(seedHex, electionId, round, index, tallyHash, share) {
  return signMessage(seedHex, EVENTS.DECRYPTION_SHARE, electionId, round, index, { tally_hash: tallyHash, share });
}
