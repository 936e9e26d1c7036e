// The encrypted tally, rebuilt from the election record (crypto/tally.py is the one definition
// of the counted-set rule and the version combination; this mirrors it so the trustee page can
// refuse to decrypt anything but the real tally). Counted set: for each credential, the last
// ballot in board order that is not struck. Anonymity guard: a slot whose candidate fewer than
// the manifest's min_contributors counted ballots listed is the identity (never decrypted).
import { CryptoError, InvalidBallot } from './errors.js';
import { Ciphertext, aggregate } from './elgamal.js';
import { IDENTITY } from './group.js';
import { canonicalJsonBytes, sha256Hex } from './hashing.js';
import { concat, utf8 } from './bytes.js';
import { ballotTracker, verifyBallot } from './ballots.js';
import { ballotContextFromManifest } from './manifest.js';
import { electionFingerprint } from './fingerprint.js';
import { verifyChain } from './board.js';

/** The server's encrypted tally is not the one the record implies. */
export class TallyMismatch extends CryptoError {}

/** [{seq, tracker, credential, definitionVersion}] in board order. A credential revoked by a
 * `credential_replaced` event never counts again (crypto/tally.py counted_ballots). */
export function countedBallots(events) {
  const byCredential = new Map();
  const struck = new Set();
  const revoked = new Set();
  for (const ev of events) {
    const p = ev.payload;
    if (ev.type === 'credential_replaced') {
      revoked.add(String(p.old_credential));
    } else if (ev.type === 'ballot_cast') {
      const rec = { seq: ev.seq, tracker: String(p.tracker), credential: String(p.credential), definitionVersion: p.definition_version };
      if (!byCredential.has(rec.credential)) byCredential.set(rec.credential, []);
      byCredential.get(rec.credential).push(rec);
    } else if (ev.type === 'ballot_struck') {
      for (const t of p.trackers) struck.add(t);
    } else if (ev.type === 'ballot_unstruck') {
      for (const t of p.trackers) struck.delete(t);
    }
  }
  const counted = [];
  for (const [credential, records] of byCredential) {
    if (revoked.has(credential)) continue;
    const live = records.filter((r) => !struck.has(r.tracker));
    if (live.length) counted.push(live[live.length - 1]);
  }
  return counted.sort((a, b) => a.seq - b.seq);
}

/** Homomorphic tally slots per candidate (crypto.tally.slot_width): 2 for S/O/N, 0 for a ranked
 * question (its answers are mixed and decrypted one by one, never summed), 1 otherwise. */
export function slotWidth(question) {
  return { sonc: 2, ranked: 0 }[question.kind] ?? 1;
}

/** Tally slots per question (crypto.tally.layout_of). */
export function layoutOf(manifest) {
  return manifest.questions.map((q) => slotWidth(q) * q.candidates.length);
}

/** Whether the definition has ranked questions (crypto.mixnet.ranked_questions): their ballots
 * are mixed before any is decrypted. */
export function hasRankedQuestions(manifest) {
  return manifest.questions.some((q) => q.kind === 'ranked');
}

function sumBallots(ballots, layout) {
  const flat = [];
  layout.forEach((width, q) => {
    for (let slot = 0; slot < width; slot++) flat.push(aggregate(ballots.map((b) => b[q][slot])));
  });
  return flat;
}

/** The anonymity guard's k (crypto.tally.min_contributors): 0 = no guard (older manifests). */
export function minContributors(manifest) {
  const value = manifest.min_contributors;
  if (value === undefined || value === null) return 0;
  if (!Number.isInteger(value) || value < 1) throw new InvalidBallot(`min_contributors must be an integer of at least 1, not ${JSON.stringify(value)}`);
  return value;
}

/** Per tally slot: its candidate was listed by fewer than k counted ballots (crypto.tally.guarded_slots). */
export function guardedSlots(manifest, contributors) {
  const k = minContributors(manifest);
  const flat = [];
  manifest.questions.forEach((q, qi) => {
    const width = slotWidth(q);
    for (const n of contributors[qi]) for (let w = 0; w < width; w++) flat.push(n > 0 && n < k);
  });
  return flat;
}

const ZERO = new Ciphertext(IDENTITY, IDENTITY);

/** Per-version slot sums mapped into the final definition's layout, guarded slots the identity (crypto.tally.combine_versions). */
export function combineVersions(versionSums, manifests, final) {
  const width = final.questions.map(slotWidth);
  const index = final.questions.map((q) => new Map(q.candidates.map((c, i) => [c.position, i])));
  const slots = final.questions.map((q, qi) => Array.from({ length: width[qi] * q.candidates.length }, () => []));
  const contributors = final.questions.map((q) => q.candidates.map(() => 0));
  for (const version of [...versionSums.keys()].sort((a, b) => a - b)) {
    const { flat, count } = versionSums.get(version);
    const manifest = manifests.get(version);
    if (manifest.questions.length !== final.questions.length) throw new InvalidBallot(`version ${version} has a different number of questions`);
    let offset = 0;
    manifest.questions.forEach((question, q) => {
      const w = width[q];
      question.candidates.forEach((candidate, j) => {
        const i = index[q].get(candidate.position);
        if (i === undefined) throw new InvalidBallot(`version ${version} names candidate ${candidate.position} unknown to the final ballot`);
        contributors[q][i] += count;
        for (let k = 0; k < w; k++) slots[q][w * i + k].push(flat[offset + w * j + k]);
      });
      offset += w * question.candidates.length;
    });
  }
  const guarded = guardedSlots(final, contributors);
  const ciphertexts = slots.flatMap((qs) => qs.map((cts) => aggregate(cts))).map((c, i) => (guarded[i] ? ZERO : c));
  return { ciphertexts, contributors };
}

const TALLY_HASH_FIELDS = ['definition_version', 'counted', 'layout', 'contributors', 'ciphertexts'];

/** SHA-256 over the encrypted_tally event's content (what decryption shares name, protocol 2). */
export function encryptedTallyHash(payload) {
  const body = {};
  for (const k of TALLY_HASH_FIELDS) body[k] = payload[k] === undefined ? null : payload[k];
  // Ballots with ranked questions (protocol.md §14.4): the mix inputs' summary is hashed too.
  // This page does not rebuild that summary (it never decrypts mixed ballots: trustee.js).
  if (payload.mix_inputs !== undefined) body.mix_inputs = payload.mix_inputs;
  return sha256Hex(concat(utf8('scrutin/encrypted-tally/v2'), new Uint8Array([0]), canonicalJsonBytes(body)));
}

/** The decryption proofs' context; protocol 2 names the tally hash. */
export function tallyDecryptionContext(electionId, fingerprint, tallyHash = null) {
  if (tallyHash === null) return utf8(`scrutin/tally/v1/${electionId}/${fingerprint}`);
  return utf8(`scrutin/tally/v2/${electionId}/${fingerprint}/${tallyHash}`);
}

function definitions(board) {
  const manifests = new Map(), fingerprints = new Map();
  for (const ev of board) {
    if (ev.type !== 'election_setup' && ev.type !== 'ballot_definition') continue;
    const m = ev.payload.manifest;
    const fp = electionFingerprint(m);
    if (ev.payload.fingerprint !== fp) throw new TallyMismatch(`board event ${ev.seq}: the fingerprint does not match its manifest`);
    manifests.set(m.definition_version, m);
    fingerprints.set(m.definition_version, fp);
  }
  return { manifests, fingerprints };
}

/**
 * Rebuild the encrypted tally from the record (board + ballots): the counted set by the board's
 * own cast/strike events, every counted ballot checked (tracker, credential, signature, proofs),
 * the slot sums per version combined into the final layout, and compare with the board's
 * encrypted_tally. Returns {payload, tallyHash, fingerprint, ciphertexts: Ciphertext[], manifest}; throws
 * TallyMismatch (or a CryptoError naming the bad ballot). onProgress(done, total) per ballot.
 */
export function rebuildEncryptedTally(record, electionId, { onProgress } = {}) {
  const board = record.board || [];
  verifyChain(board);
  const tallyEvent = board.find((e) => e.type === 'encrypted_tally');
  if (!tallyEvent) throw new TallyMismatch('the board holds no encrypted tally');
  const payload = tallyEvent.payload;
  const { manifests, fingerprints } = definitions(board.filter((e) => e.seq < tallyEvent.seq));
  const final = manifests.get(payload.definition_version);
  if (!final) throw new TallyMismatch(`no ballot definition ${payload.definition_version} on the board`);
  if (Math.max(...manifests.keys()) !== payload.definition_version) throw new TallyMismatch('the tally is not on the latest ballot definition');
  const counted = countedBallots(board.filter((e) => e.seq < tallyEvent.seq));
  const trackers = counted.map((r) => r.tracker);
  if (JSON.stringify(payload.counted) !== JSON.stringify(trackers)) {
    throw new TallyMismatch(`the tally counts ${payload.counted.length} ballots, the board's counted set has ${trackers.length} (or other ones)`);
  }
  const contexts = new Map();
  const grouped = new Map();
  counted.forEach((r, i) => {
    const ballot = (record.ballots || {})[r.tracker];
    if (!ballot) throw new TallyMismatch(`counted ballot ${r.tracker} is missing from the record`);
    if (ballotTracker(ballot) !== r.tracker) throw new TallyMismatch(`ballot ${r.tracker} does not hash to its tracker`);
    if (ballot.credential !== r.credential) throw new TallyMismatch(`ballot ${r.tracker} is not signed with the credential its board event names`);
    const manifest = manifests.get(r.definitionVersion);
    if (!manifest) throw new TallyMismatch(`ballot ${r.tracker} names unknown ballot definition ${r.definitionVersion}`);
    if (!contexts.has(r.definitionVersion)) contexts.set(r.definitionVersion, ballotContextFromManifest(manifest, fingerprints.get(r.definitionVersion)));
    const { ciphertexts } = verifyBallot(contexts.get(r.definitionVersion), ballot);
    if (!grouped.has(r.definitionVersion)) grouped.set(r.definitionVersion, []);
    grouped.get(r.definitionVersion).push(ciphertexts);
    if (onProgress) onProgress(i + 1, counted.length);
  });
  const sums = new Map([...grouped].map(([v, group]) => [v, { flat: sumBallots(group, layoutOf(manifests.get(v))), count: group.length }]));
  const rebuilt = combineVersions(sums, manifests, final);
  const layout = layoutOf(final);
  if (JSON.stringify(payload.layout) !== JSON.stringify(layout)) throw new TallyMismatch('the tally layout is not the final ballot definition\'s');
  if (JSON.stringify(payload.contributors) !== JSON.stringify(rebuilt.contributors)) throw new TallyMismatch('the tally\'s contributor counts differ from the counted ballots');
  if (!Array.isArray(payload.ciphertexts) || payload.ciphertexts.length !== rebuilt.ciphertexts.length) {
    throw new TallyMismatch(`the tally has ${payload.ciphertexts?.length} slots, the ballot has ${rebuilt.ciphertexts.length}`);
  }
  const ciphertexts = payload.ciphertexts.map((c, i) => Ciphertext.fromJSON(c, { what: `tally slot ${i}`, allowIdentity: true }));
  const guarded = guardedSlots(final, rebuilt.contributors);
  ciphertexts.forEach((ct, i) => {
    if (guarded[i] && !ct.equals(ZERO)) throw new TallyMismatch(`tally slot ${i}: fewer than min_contributors counted ballots listed its candidate, so it must be the identity (never decrypted)`);
    if (!ct.equals(rebuilt.ciphertexts[i])) throw new TallyMismatch(`tally slot ${i} is not the sum of the counted ballots`);
  });
  return { payload, tallyHash: encryptedTallyHash(payload), fingerprint: fingerprints.get(payload.definition_version), ciphertexts, manifest: final };
}
