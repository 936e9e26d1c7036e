// Cast-or-audit (Benaloh challenge) support for the booth. See docs/booth-crypto.md, "Audit".
//
// After encrypting, the booth shows the ballot tracker and asks: cast, or audit? An audited
// ballot is never cast: the booth reveals its audit record (the signed ballot, the voter's
// choices and the randomness r of every ciphertext), anyone can re-derive every ciphertext from
// it, and the booth then encrypts the choices again with fresh randomness (a new tracker).
//
// Audit record (JSON):
//   {"type": "scrutin/v1/ballot-audit",
//    "tracker": hex SHA-256 of the ballot's canonical JSON (what the booth displayed),
//    "ballot": the complete signed ballot (docs/protocol.md §5.4),
//    "choices": [[...per option: sonc 1/-1/0, approval/plurality 0/1] per question],
//    "randomness": [[hex r per ciphertext slot, in the ballot's ciphertext order] per question]}
import { InvalidAudit, CryptoError } from './errors.js';
import { scalarFromHex } from './group.js';
import { encrypt } from './elgamal.js';
import { AUDIT_TYPE, ballotTracker, checkChoices, verifyBallot } from './ballots.js';

function slotBits(spec, ch) {
  if (spec.kind === 'sonc') {
    const bits = [];
    for (const v of ch) bits.push(v === 1 ? 1 : 0, v === -1 ? 1 : 0);
    return bits;
  }
  return [...ch];
}

/**
 * Check an audit record against the election: the ballot verifies completely (signature and
 * every proof), its tracker is the one recorded, the choices fit the questions, and every
 * ciphertext equals Enc_y(bit; r) with the revealed r. Throws InvalidAudit (or the ballot's
 * CryptoError); returns {tracker, choices}.
 * options.credentialPublic: the Point the ballot must be signed by (optional).
 */
export function verifyAudit(ctx, record, { credentialPublic = null } = {}) {
  if (record === null || typeof record !== 'object' || Array.isArray(record)) {
    throw new InvalidAudit('audit record: expected a JSON object');
  }
  const keys = Object.keys(record).sort().join(',');
  if (keys !== 'ballot,choices,randomness,tracker,type') {
    throw new InvalidAudit("audit record: expected keys 'type', 'tracker', 'ballot', 'choices', 'randomness'");
  }
  if (record.type !== AUDIT_TYPE) throw new InvalidAudit(`audit record: type must be ${JSON.stringify(AUDIT_TYPE)}`);
  const verified = verifyBallot(ctx, record.ballot, credentialPublic);
  if (verified.tracker !== ballotTracker(record.ballot) || record.tracker !== verified.tracker) {
    throw new InvalidAudit('audit record: the tracker is not the tracker of this ballot');
  }
  try {
    checkChoices(ctx, record.choices);
  } catch (e) {
    if (e instanceof CryptoError) throw new InvalidAudit(`audit record: ${e.message}`);
    throw e;
  }
  const rand = record.randomness;
  if (!Array.isArray(rand) || rand.length !== ctx.questions.length) {
    throw new InvalidAudit(`audit record: randomness must list ${ctx.questions.length} questions`);
  }
  ctx.questions.forEach((spec, q) => {
    const rs = rand[q];
    if (!Array.isArray(rs) || rs.length !== spec.nSlots) {
      throw new InvalidAudit(`audit record: randomness[${q}] must have ${spec.nSlots} entries`);
    }
    const bits = slotBits(spec, record.choices[q]);
    rs.forEach((hex, i) => {
      let r;
      try {
        r = scalarFromHex(hex, `randomness[${q}][${i}]`);
      } catch (e) {
        throw new InvalidAudit(`audit record: ${e.message}`);
      }
      if (r === 0n) throw new InvalidAudit(`audit record: randomness[${q}][${i}] is zero`);
      const expected = encrypt(ctx.publicKey, bits[i], r);
      if (!expected.equals(verified.ciphertexts[q][i])) {
        throw new InvalidAudit(`audit record: question ${q}, ciphertext ${i} does not encrypt the revealed choice with the revealed randomness`);
      }
    });
  });
  return { tracker: verified.tracker, choices: record.choices };
}
