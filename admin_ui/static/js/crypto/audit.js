// Cast-or-audit (Benaloh challenge) support for the booth. See docs/booth-crypto.md,
// "Cast-or-audit", and docs/protocol.md §13; the Python twin is crypto/audit.py.
//
// After encrypting, the booth shows the ballot's commitment (and tracker) and asks: cast, or
// audit? An audited ballot is never cast: the booth reveals its audit record (the ballot WITHOUT
// its signature, the voter's choices and the randomness r of every ciphertext), anyone can
// re-derive every ciphertext from it, and the booth then encrypts the choices again with fresh
// randomness (a new commitment, a new tracker).
//
// Audit record (JSON), type "scrutin/v2/ballot-audit":
//   {"type": "scrutin/v2/ballot-audit",
//    "tracker": the tracker the booth displayed for the signed ballot (a label: it hashes the
//               signature, which the record deliberately omits, so it cannot be re-checked),
//    "commitment": hex SHA-256 of the unsigned ballot's canonical JSON (= of the signed payload),
//    "ballot": the ballot of docs/protocol.md §5.4 without "signature",
//    "choices": [[...per option: sonc 1/-1/0, approval/plurality 0/1; ranked: the ranking,
//                candidate indices most preferred first] per question],
//    "randomness": [[hex r per ciphertext (slot, or ranked chunk), in the ballot's ciphertext
//                   order] per question]}
// A ranked chunk is plain ElGamal of a packed point, (g^r, M + y^r) (ranked.js), not g^bit.
//
// Nothing in it can be cast: the server requires the credential's signature, the record holds no
// signature and no secret from which one could be made (only the ElGamal randomness, which is
// unrelated to the credential key), and the proofs are bound to the voter's credential, so the
// ciphertexts cannot be re-signed under another credential either.
import { InvalidAudit, CryptoError } from './errors.js';
import { G, scalarFromHex } from './group.js';
import { Ciphertext, encrypt } from './elgamal.js';
import { packRanking } from './ranked.js';
import {
  AUDIT_TYPE, AUDIT_TYPE_V1, ballotCommitment, checkChoices, parseBallot, verifyBallotProofs,
} from './ballots.js';

const AUDIT_KEYS = ['ballot', 'choices', 'commitment', 'randomness', 'tracker', 'type'];
const HEX64 = /^[0-9a-f]{64}$/;

function slotBits(spec, ch) {
  if (spec.kind === 'sonc') {
    const bits = [];
    for (const v of ch) bits.push(v === 1 ? 1 : 0, v === -1 ? 1 : 0);
    return bits;
  }
  return [...ch];
}

/** Run `fn`, turning any CryptoError into InvalidAudit (one error class for every failure). */
function asAudit(fn) {
  try {
    return fn();
  } catch (e) {
    if (e instanceof InvalidAudit || !(e instanceof CryptoError)) throw e;
    const err = new InvalidAudit(`audit record: ${e.message}`);
    err.cause = e;
    throw err;
  }
}

/**
 * Check a cast-or-audit record against the election, without any signature:
 *   1. exactly the keys of AUDIT_TYPE, that type, `tracker` and `commitment` 64 lowercase hex;
 *   2. `ballot` is a §5.4 ballot WITHOUT "signature" (structure, encodings, election, and the
 *      credential equals options.credentialPublic when given);
 *   3. `commitment` = ballotCommitment(ballot);
 *   4. the choices fit the questions; `randomness` has one non-zero scalar per slot;
 *   5. every ciphertext equals Enc_y(bit; r) with the revealed r and the bit of the choice;
 *   6. every 0/1, candidate and sum proof verifies for the ballot's credential.
 * Throws InvalidAudit naming what failed. Returns {tracker, commitment, choices}: `commitment`
 * is verified (compare it with what the booth displayed); `tracker` is the record's label as
 * written, which no one can re-check without the signature.
 */
export function verifyAudit(ctx, record, { credentialPublic = null } = {}) {
  if (record === null || typeof record !== 'object' || Array.isArray(record)) {
    throw new InvalidAudit('audit record: expected a JSON object');
  }
  if (record.type === AUDIT_TYPE_V1) {
    throw new InvalidAudit(`audit record: ${JSON.stringify(AUDIT_TYPE_V1)} records contain a signed, castable ballot and are no longer accepted; audit again to get a ${JSON.stringify(AUDIT_TYPE)} record`);
  }
  const keys = Object.keys(record).sort().join(',');
  if (keys !== AUDIT_KEYS.join(',')) {
    throw new InvalidAudit("audit record: expected keys 'type', 'tracker', 'commitment', 'ballot', 'choices', 'randomness'");
  }
  if (record.type !== AUDIT_TYPE) throw new InvalidAudit(`audit record: type must be ${JSON.stringify(AUDIT_TYPE)}`);
  for (const k of ['tracker', 'commitment']) {
    if (typeof record[k] !== 'string' || !HEX64.test(record[k])) {
      throw new InvalidAudit(`audit record: ${k} must be 64 lowercase hex digits`);
    }
  }
  const ballot = record.ballot;
  if (ballot !== null && typeof ballot === 'object' && !Array.isArray(ballot) && 'signature' in ballot) {
    throw new InvalidAudit('audit record: the ballot must not carry a signature (a signed ballot could be cast by whoever holds the record)');
  }
  const parsedBallot = asAudit(() => parseBallot(ctx, ballot, credentialPublic, { signed: false }));
  const commitment = ballotCommitment(ballot);
  if (record.commitment !== commitment) {
    throw new InvalidAudit('audit record: the commitment is not the hash of this ballot');
  }
  asAudit(() => checkChoices(ctx, record.choices));
  const rand = record.randomness;
  if (!Array.isArray(rand) || rand.length !== ctx.questions.length) {
    throw new InvalidAudit(`audit record: randomness must list ${ctx.questions.length} questions`);
  }
  ctx.questions.forEach((spec, q) => {
    const rs = rand[q];
    if (!Array.isArray(rs) || rs.length !== spec.nSlots) {
      throw new InvalidAudit(`audit record: randomness[${q}] must have ${spec.nSlots} entries`);
    }
    const cts = parsedBallot.parsed[q].cts;
    const y = ctx.publicKey;
    let make;
    if (spec.kind === 'ranked') {
      const packed = packRanking(record.choices[q].map((i) => spec.positions[i]), spec.n_options);
      make = (i, r) => new Ciphertext(G.mul(r), packed[i].add(y.mul(r)));
    } else {
      const bits = slotBits(spec, record.choices[q]);
      make = (i, r) => encrypt(y, bits[i], r);
    }
    rs.forEach((hex, i) => {
      const r = asAudit(() => scalarFromHex(hex, `randomness[${q}][${i}]`));
      if (r === 0n) throw new InvalidAudit(`audit record: randomness[${q}][${i}] is zero`);
      if (!make(i, r).equals(cts[i])) {
        throw new InvalidAudit(`audit record: question ${q}, ciphertext ${i} does not encrypt the revealed choice with the revealed randomness`);
      }
    });
  });
  asAudit(() => verifyBallotProofs(ctx, parsedBallot));
  return { tracker: record.tracker, commitment, choices: record.choices };
}

const SONC_WORDS = { 1: 'support', '-1': 'oppose', 0: 'neutral' };

/**
 * One line per question naming each candidate (the manifest's default-language names) with the
 * revealed choice, exactly as crypto.audit.choices_in_words (and `scrutin verify-audit`) prints
 * it: "Question 1: Ann: support; Ben: oppose", "Question 2: Ann, Ben" (selected) or, ranked,
 * "Question 3: 1. Ann, 2. Ben" ("(no candidate ranked)" for a blank ranking).
 */
export function choicesInWords(manifest, choices) {
  return manifest.questions.map((question, q) => {
    const names = question.candidates.map((c) => String(c.name));
    const row = choices[q];
    let text;
    if (question.kind === 'sonc') {
      text = names.map((n, i) => `${n}: ${SONC_WORDS[row[i]]}`).join('; ');
    } else if (question.kind === 'ranked') {
      text = row.map((i, place) => `${place + 1}. ${names[i]}`).join(', ') || '(no candidate ranked)';
    } else {
      text = names.filter((_, i) => row[i]).join(', ') || '(none)';
    }
    return `Question ${q + 1}: ${text}`;
  });
}
