// Encrypted, proven and signed ballots (docs/protocol.md §5; crypto/ballots.py).
//
// Question kinds: "sonc" (support 1 / oppose −1 / neutral 0 per candidate: two encrypted bits
// per candidate, each with a 0/1 proof, plus a 0/1 proof on their sum), "approval" (one bit per
// option, range proof on the sum when min/max apply), "plurality" (exactly one: range [1..1])
// and "ranked" (a ranking of candidate indices, most preferred first, possibly empty: the
// candidates' positions packed into rankedWidth(n) points, each encrypted with a proof of
// knowledge of its randomness — ranked.js; mixed and decrypted one by one, never summed).
// Every proof binds (fingerprint, credential, question, purpose, index). The ballot is signed
// over its canonical JSON without "signature"; the tracker is SHA-256 of the whole signed
// ballot's canonical JSON, the commitment SHA-256 of the unsigned part (the signed payload).
import { CryptoError, InvalidBallot, InvalidChoices } from './errors.js';
import { Point, mod, randomScalar, scalarHex } from './group.js';
import { Ciphertext, aggregate, encrypt } from './elgamal.js';
import { canonicalJsonBytes, sha256Hex } from './hashing.js';
import { proveBit, proveRange, parseDisjunctive, verifyBit, verifyRange } from './proofs.js';
import { verifySignature } from './credentials.js';
import { bytesFromHex } from './bytes.js';
import { MAX_POSITION, encryptRanking, parseRankedAnswer, rankedWidth, verifyRankedAnswer } from './ranked.js';

// New ballots are version 2: every disjunctive proof carries its commitments (protocol §4.5,
// batch-verifiable on the server); version 1 (challenge/response only) still verifies.
export const BALLOT_VERSION = 2;
export const BALLOT_VERSIONS = Object.freeze([1, 2]);
export const KINDS = Object.freeze(['sonc', 'approval', 'plurality', 'ranked']);
export const SUPPORT = 1, OPPOSE = -1, NEUTRAL = 0;

const BALLOT_KEYS = ['answers', 'credential', 'election_id', 'fingerprint', 'signature', 'version'];
const UNSIGNED_BALLOT_KEYS = BALLOT_KEYS.filter((k) => k !== 'signature');
const SONC_KEYS = ['bit_proofs', 'candidate_proofs', 'ciphertexts'];
const SELECTION_KEYS = ['bit_proofs', 'ciphertexts', 'sum_proof'];

function isInt(x) { return typeof x === 'number' && Number.isSafeInteger(x); }
function isPlainObject(x) { return x !== null && typeof x === 'object' && !Array.isArray(x); }
function sameKeys(obj, keys) {
  const k = Object.keys(obj).sort();
  return k.length === keys.length && k.every((x, i) => x === keys[i]);
}

/**
 * What a ballot must contain for one question (crypto.ballots.QuestionSpec).
 * new QuestionSpec({kind, n_options, min_selections = 0, max_selections = null, positions})
 * `positions` (ranked only): the candidates' stable positions, what a ranking encodes
 * (default 0..n-1).
 */
export class QuestionSpec {
  constructor({ kind, n_options, min_selections = 0, max_selections = null, positions = null }) {
    if (!KINDS.includes(kind)) throw new RangeError(`unknown question kind ${JSON.stringify(kind)}`);
    if (!isInt(n_options)) throw new RangeError('n_options must be an int');
    if (n_options < 1) throw new RangeError('a question needs at least one option');
    if (max_selections === undefined) max_selections = null;
    if (kind === 'approval') {
      const hi = max_selections === null ? n_options : max_selections;
      if (!(isInt(min_selections) && isInt(hi) && min_selections >= 0 && min_selections <= hi && hi <= n_options)) {
        throw new RangeError(`approval: need 0 <= min_selections <= max_selections <= n_options, got ${min_selections}..${max_selections} of ${n_options}`);
      }
    } else if (kind === 'plurality') {
      if (!((min_selections === 0 && max_selections === null) || (min_selections === 1 && max_selections === 1))) {
        throw new RangeError('plurality: exactly one selection; leave min/max unset');
      }
    } else if (!(min_selections === 0 && max_selections === null)) {
      throw new RangeError(`${kind}: min_selections/max_selections do not apply`);
    }
    if (kind === 'ranked') {
      const pos = positions === null || positions === undefined ? Array.from({ length: n_options }, (_, i) => i) : [...positions];
      if (pos.length !== n_options || new Set(pos).size !== pos.length
          || pos.some((p) => !isInt(p) || p < 0 || p > MAX_POSITION)) {
        throw new RangeError(`ranked: positions must be distinct, one per candidate, in 0..${MAX_POSITION}`);
      }
      this.positions = Object.freeze(pos);
    } else if (positions !== null && positions !== undefined) {
      throw new RangeError('positions apply to ranked questions only');
    } else {
      this.positions = null;
    }
    this.kind = kind;
    this.n_options = n_options;
    this.min_selections = min_selections;
    this.max_selections = max_selections;
    Object.freeze(this);
  }

  /** Number of ciphertexts per ballot for this question (tally slots, or the packed chunks of
   * a ranked question, which are mixed rather than summed). */
  get nSlots() {
    if (this.kind === 'ranked') return rankedWidth(this.n_options);
    return this.kind === 'sonc' ? 2 * this.n_options : this.n_options;
  }

  /** [low, high] shown by the sum proof, or null. */
  sumRange() {
    if (this.kind === 'plurality') return [1, 1];
    if (this.kind === 'approval') {
      const hi = this.max_selections === null ? this.n_options : this.max_selections;
      if (this.min_selections > 0 || hi < this.n_options) return [this.min_selections, hi];
    }
    return null;
  }

  toJSON() {
    const out = { kind: this.kind, n_options: this.n_options, min_selections: this.min_selections, max_selections: this.max_selections };
    if (this.kind === 'ranked') out.positions = [...this.positions];
    return out;
  }
}

/**
 * Everything needed to encrypt or verify a ballot of one election.
 * new BallotContext({electionId, fingerprint (64 hex), publicKey (Point or hex), questions})
 */
export class BallotContext {
  constructor({ electionId, fingerprint, publicKey, questions }) {
    if (typeof electionId !== 'string' || !electionId) throw new RangeError('electionId must be a non-empty string');
    try {
      this.fingerprintBytes = bytesFromHex(fingerprint, 32, 'fingerprint');
    } catch (e) {
      throw new RangeError(e.message);
    }
    const y = typeof publicKey === 'string' ? Point.fromHex(publicKey, { what: 'election public key' }) : publicKey;
    if (!(y instanceof Point) || y.isIdentity()) throw new RangeError('publicKey must be a non-identity Point');
    if (!Array.isArray(questions) || questions.length === 0) throw new RangeError('an election needs at least one question');
    this.electionId = electionId;
    this.fingerprint = fingerprint;
    this.publicKey = y;
    this.questions = Object.freeze(questions.map((q) => (q instanceof QuestionSpec ? q : new QuestionSpec(q))));
    Object.freeze(this);
  }
}

/** The context items every ballot proof hashes first (§5.3). */
export function proofContext(fingerprintBytes, credential, question, purpose, index) {
  return [fingerprintBytes, credential, question, purpose, index];
}

/** hex(SHA-256(canonical_json(ballot))) over the whole signed ballot (§5.5). */
export function ballotTracker(ballot) {
  return sha256Hex(canonicalJsonBytes(ballot));
}

/** What the credential signs: canonical JSON of the ballot without "signature" (bytes). */
export function signedPayload(ballot) {
  const rest = {};
  for (const [k, v] of Object.entries(ballot)) if (k !== 'signature') rest[k] = v;
  return canonicalJsonBytes(rest);
}

/**
 * hex(SHA-256(signedPayload(ballot))): the hash of the ballot without its signature. The same for
 * the signed ballot and for the unsigned ballot of its audit record, so it is what binds an audit
 * record to what the booth displayed (docs/booth-crypto.md, "Cast-or-audit").
 */
export function ballotCommitment(ballot) {
  return sha256Hex(signedPayload(ballot));
}

/** Throws InvalidChoices unless `choices` (one array per question) fits the context. */
export function checkChoices(ctx, choices) {
  if (!Array.isArray(choices) || choices.length !== ctx.questions.length) {
    throw new InvalidChoices(`expected choices for ${ctx.questions.length} questions, got ${Array.isArray(choices) ? choices.length : typeof choices}`);
  }
  ctx.questions.forEach((spec, q) => {
    const ch = choices[q];
    if (spec.kind === 'ranked') {
      // A ranking: candidate indices (into this ballot's list), most preferred first.
      if (!Array.isArray(ch) || ch.length > spec.n_options || new Set(ch).size !== ch.length
          || ch.some((v) => !isInt(v) || Object.is(v, -0) || v < 0 || v >= spec.n_options)) {
        throw new InvalidChoices(`question ${q}: a ranking lists distinct candidate indices 0..${spec.n_options - 1}, got ${JSON.stringify(ch)}`);
      }
      return;
    }
    if (!Array.isArray(ch) || ch.length !== spec.n_options) {
      throw new InvalidChoices(`question ${q}: expected ${spec.n_options} values, got ${Array.isArray(ch) ? ch.length : typeof ch}`);
    }
    const allowed = spec.kind === 'sonc' ? [SUPPORT, OPPOSE, NEUTRAL] : [0, 1];
    ch.forEach((v, i) => {
      if (typeof v !== 'number' || !allowed.includes(v) || Object.is(v, -0)) {
        throw new InvalidChoices(`question ${q}, option ${i}: value ${JSON.stringify(v)} not in [${[...allowed].sort((a, b) => a - b).join(', ')}]`);
      }
    });
    const range = spec.sumRange();
    const total = ch.reduce((a, b) => a + b, 0);
    if (range && !(range[0] <= total && total <= range[1])) {
      throw new InvalidChoices(`question ${q}: ${total} selections, allowed ${range[0]}..${range[1]}`);
    }
  });
}

/**
 * The encryption as a generator: yields {done: steps completed, total} after every slot and
 * returns {unsigned, randomness}: the ballot without "signature" and randomness[q][slot], the
 * BigInt r of each ciphertext. signBallot adds the signature (the last draw of §5.2).
 */
function* encryptSteps(ctx, choices, credential, rng, version = BALLOT_VERSION) {
  if (!BALLOT_VERSIONS.includes(version)) throw new RangeError(`unsupported ballot version ${JSON.stringify(version)}`);
  const opts = { commitments: version === 2 };
  checkChoices(ctx, choices);
  const draw = rng || randomScalar;
  const y = ctx.publicKey;
  const fp = ctx.fingerprintBytes;
  const cred = credential.public;
  const total = ctx.questions.reduce((n, spec) => n + spec.nSlots, 0);
  let done = 0;
  const answers = [];
  const randomness = [];
  for (let q = 0; q < ctx.questions.length; q++) {
    const spec = ctx.questions[q];
    const ch = choices[q];
    const cts = [];
    const rs = [];
    const bitProofs = [];
    if (spec.kind === 'ranked') {
      const enc = encryptRanking(y, ch.map((i) => spec.positions[i]), spec.n_options, fp, cred, q, draw);
      answers.push(enc.answer);
      rs.push(...enc.randomness);
      done += enc.randomness.length;
      yield { done, total };
    } else if (spec.kind === 'sonc') {
      const candidateProofs = [];
      for (let i = 0; i < ch.length; i++) {
        const v = ch[i];
        const bits = [v === SUPPORT ? 1 : 0, v === OPPOSE ? 1 : 0];
        for (let half = 0; half < 2; half++) {
          const slot = 2 * i + half;
          const r = mod(draw());
          const ct = encrypt(y, bits[half], r);
          bitProofs.push(proveBit(y, ct, bits[half], r, proofContext(fp, cred, q, 'bit', slot), draw, opts));
          cts.push(ct);
          rs.push(r);
          done += 1;
          yield { done, total };
        }
        const pair = cts[cts.length - 2].add(cts[cts.length - 1]);
        candidateProofs.push(proveBit(y, pair, bits[0] + bits[1], rs[rs.length - 2] + rs[rs.length - 1],
          proofContext(fp, cred, q, 'candidate', i), draw, opts));
      }
      answers.push({
        ciphertexts: cts.map((c) => c.toJSON()),
        bit_proofs: bitProofs,
        candidate_proofs: candidateProofs,
      });
    } else {
      let totalR = 0n;
      for (let i = 0; i < ch.length; i++) {
        const r = mod(draw());
        const ct = encrypt(y, ch[i], r);
        bitProofs.push(proveBit(y, ct, ch[i], r, proofContext(fp, cred, q, 'bit', i), draw, opts));
        cts.push(ct);
        rs.push(r);
        totalR += r;
        done += 1;
        yield { done, total };
      }
      const bounds = spec.sumRange();
      let sumProof = null;
      if (bounds !== null) {
        const count = ch.reduce((a, b) => a + b, 0);
        sumProof = proveRange(y, aggregate(cts), bounds[0], bounds[1], count, totalR,
          proofContext(fp, cred, q, 'sum', 0), draw, opts);
      }
      answers.push({ ciphertexts: cts.map((c) => c.toJSON()), bit_proofs: bitProofs, sum_proof: sumProof });
    }
    randomness.push(rs);
  }
  const unsigned = {
    version,
    election_id: ctx.electionId,
    fingerprint: ctx.fingerprint,
    credential: cred.hex(),
    answers,
  };
  return { unsigned, randomness };
}

/** The signed ballot: a new object, `unsigned` plus the credential's signature (§5.5). */
function signBallot(ctx, unsigned, credential, rng) {
  const ballot = { ...unsigned };
  ballot.signature = credential.sign(signedPayload(ballot), ctx.fingerprintBytes, rng || randomScalar);
  return ballot;
}

/** {ballot, tracker, commitment, audit} of an encryption (prepareBallot and its async twin). */
function prepared(ctx, credential, choices, { unsigned, randomness }, rng) {
  const ballot = signBallot(ctx, unsigned, credential, rng);
  const tracker = ballotTracker(ballot);
  // The audit record is built from the unsigned ballot (a deep copy): it never holds the
  // signature, so nobody who obtains it can cast it (docs/booth-crypto.md, "Cast-or-audit").
  const audit = makeAuditRecord(unsigned, tracker, choices, randomness);
  return { ballot, tracker, commitment: audit.commitment, audit };
}

function runSync(gen, onProgress) {
  for (;;) {
    const step = gen.next();
    if (step.done) return step.value;
    if (onProgress) onProgress(step.value.done, step.value.total);
  }
}

/**
 * Encrypt, prove and sign (§5.2 draw order). Returns the ballot JSON object, exactly the shape
 * crypto.ballots.encrypt_ballot produces. options: {rng, onProgress(done, total)}.
 */
export function encryptBallot(ctx, choices, credential, { rng, onProgress, version } = {}) {
  const { unsigned } = runSync(encryptSteps(ctx, choices, credential, rng, version), onProgress);
  return signBallot(ctx, unsigned, credential, rng);
}

/**
 * Like encryptBallot, but keeps what a cast-or-audit booth needs. Returns
 * {ballot, tracker, commitment, audit}:
 *   ballot      the signed ballot (exactly encryptBallot's), to POST if the voter casts;
 *   tracker     ballotTracker(ballot), the receipt's tracker;
 *   commitment  ballotCommitment(ballot), which the audit record is checked against;
 *   audit       the audit record (AUDIT_TYPE): the ballot WITHOUT its signature, the choices and
 *               the randomness. It cannot be cast. Show/download it only if the voter audits,
 *               and then never cast `ballot` (encrypt again).
 */
export function prepareBallot(ctx, choices, credential, { rng, onProgress, version } = {}) {
  const enc = runSync(encryptSteps(ctx, choices, credential, rng, version), onProgress);
  return prepared(ctx, credential, choices, enc, rng);
}

/**
 * Async prepareBallot that yields to the event loop every `chunk` slots so that a progress bar
 * can repaint. Same result as prepareBallot.
 */
export async function prepareBallotAsync(ctx, choices, credential, { rng, onProgress, chunk = 4, version } = {}) {
  const gen = encryptSteps(ctx, choices, credential, rng, version);
  let n = 0;
  for (;;) {
    const step = gen.next();
    if (step.done) return prepared(ctx, credential, choices, step.value, rng);
    if (onProgress) onProgress(step.value.done, step.value.total);
    if (++n % chunk === 0) await new Promise((resolve) => setTimeout(resolve, 0));
  }
}

// ---- cast-or-audit -------------------------------------------------------------------------

// Audit record format (docs/booth-crypto.md, "Cast-or-audit"; protocol.md §13). v1 records
// carried the signed ballot, which anyone holding the record could cast; v2 records carry the
// ballot without its signature.
export const AUDIT_TYPE = 'scrutin/v2/ballot-audit';
export const AUDIT_TYPE_V1 = 'scrutin/v1/ballot-audit';

/** `tracker` is the signed ballot's (what the booth displays); `unsigned` has no signature. */
function makeAuditRecord(unsigned, tracker, choices, randomness) {
  const ballot = JSON.parse(JSON.stringify(unsigned));
  if ('signature' in ballot) throw new Error('internal: an audit record must not hold a signature');
  return {
    type: AUDIT_TYPE,
    tracker,
    commitment: ballotCommitment(ballot),
    ballot,
    choices: choices.map((ch) => [...ch]),
    randomness: randomness.map((rs) => rs.map(scalarHex)),
  };
}

// ---- verification --------------------------------------------------------------------------

function list(value, length, what) {
  if (!Array.isArray(value)) throw new InvalidBallot(`${what}: expected a list`);
  if (value.length !== length) throw new InvalidBallot(`${what}: expected ${length} entries, got ${value.length}`);
  return value;
}

function slotName(spec, slot) {
  if (spec.kind === 'sonc') return `candidate ${Math.floor(slot / 2)} ${slot % 2 === 0 ? 'support' : 'oppose'}`;
  return `option ${slot}`;
}

/**
 * Structure and encodings of a ballot (§5.6 steps 1–2). Returns {credential, parsed}, the input
 * of verifyBallotProofs. options.signed = false: the ballot of an audit record, which must NOT
 * have a "signature" key (and whose other keys are those of §5.4).
 */
export function parseBallot(ctx, ballot, credentialPublic = null, { signed = true } = {}) {
  if (!isPlainObject(ballot)) throw new InvalidBallot('ballot: expected a JSON object');
  const expected = signed ? BALLOT_KEYS : UNSIGNED_BALLOT_KEYS;
  if (!sameKeys(ballot, expected)) {
    const have = Object.keys(ballot);
    const missing = expected.filter((k) => !have.includes(k));
    const unexpected = have.filter((k) => !expected.includes(k)).sort();
    throw new InvalidBallot(`ballot: wrong keys (missing ${JSON.stringify(missing)}, unexpected ${JSON.stringify(unexpected)})`);
  }
  if (!BALLOT_VERSIONS.includes(ballot.version)) throw new InvalidBallot(`ballot: unsupported version ${JSON.stringify(ballot.version)}`);
  const opts = { commitments: ballot.version === 2 };
  if (ballot.election_id !== ctx.electionId) throw new InvalidBallot('ballot: election_id does not match this election');
  if (ballot.fingerprint !== ctx.fingerprint) throw new InvalidBallot('ballot: fingerprint does not match this election');
  const credential = Point.fromHex(ballot.credential, { what: 'ballot.credential' });
  if (credentialPublic !== null && credentialPublic !== undefined && !credential.equals(credentialPublic)) {
    throw new InvalidBallot('ballot: credential is not the expected voter credential');
  }
  const answers = list(ballot.answers, ctx.questions.length, 'ballot.answers');
  const parsed = ctx.questions.map((spec, q) => {
    const where = `answers[${q}]`;
    const answer = answers[q];
    if (spec.kind === 'ranked') {
      const { cts, proofs } = parseRankedAnswer(answer, spec.nSlots, where);
      return { cts, ranked: proofs };
    }
    const keys = spec.kind === 'sonc' ? SONC_KEYS : SELECTION_KEYS;
    if (!isPlainObject(answer) || !sameKeys(answer, keys)) {
      throw new InvalidBallot(`${where}: expected an object with keys ${JSON.stringify(keys)}`);
    }
    const cts = list(answer.ciphertexts, spec.nSlots, `${where}.ciphertexts`).map((c, i) =>
      Ciphertext.fromJSON(c, { what: `${where}.ciphertexts[${i}] (${slotName(spec, i)})` }));
    const bits = list(answer.bit_proofs, spec.nSlots, `${where}.bit_proofs`);
    bits.forEach((p, i) => parseDisjunctive(p, 2, `${where}.bit_proofs[${i}] (${slotName(spec, i)})`, opts));
    let extra = [];
    if (spec.kind === 'sonc') {
      extra = list(answer.candidate_proofs, spec.n_options, `${where}.candidate_proofs`);
      extra.forEach((p, i) => parseDisjunctive(p, 2, `${where}.candidate_proofs[${i}] (candidate ${i})`, opts));
    } else {
      const bounds = spec.sumRange();
      if (bounds === null) {
        if (answer.sum_proof !== null) throw new InvalidBallot(`${where}.sum_proof: must be null for this question`);
      } else {
        parseDisjunctive(answer.sum_proof, bounds[1] - bounds[0] + 1, `${where}.sum_proof`, opts);
        extra = [answer.sum_proof];
      }
    }
    return { cts, bits, extra };
  });
  return { credential, parsed, version: ballot.version };
}

/**
 * Check a ballot completely (§5.6); throws a CryptoError subclass naming what failed.
 * Returns {credential: Point, tracker, ciphertexts: Ciphertext[][]}.
 */
export function verifyBallot(ctx, ballot, credentialPublic = null) {
  const parsedBallot = parseBallot(ctx, ballot, credentialPublic);
  try {
    verifySignature(parsedBallot.credential, signedPayload(ballot), ballot.signature, ctx.fingerprintBytes);
  } catch (e) {
    if (e instanceof CryptoError) throw new e.constructor(`ballot.signature: ${e.message}`);
    throw e;
  }
  verifyBallotProofs(ctx, parsedBallot);
  return { credential: parsedBallot.credential, tracker: ballotTracker(ballot), ciphertexts: parsedBallot.parsed.map((p) => p.cts) };
}

/**
 * The checks of verifyBallot except the signature, for a ballot WITHOUT "signature" (the ballot
 * of an audit record): structure, credential, every proof — bound to the ballot's credential.
 * Returns {credential, commitment, ciphertexts}. A ballot that passes is still not castable.
 */
export function verifyUnsignedBallot(ctx, ballot, credentialPublic = null) {
  const parsedBallot = parseBallot(ctx, ballot, credentialPublic, { signed: false });
  verifyBallotProofs(ctx, parsedBallot);
  return { credential: parsedBallot.credential, commitment: ballotCommitment(ballot), ciphertexts: parsedBallot.parsed.map((p) => p.cts) };
}

/** §5.6 step 4 on parseBallot's result: every 0/1, candidate and sum proof. */
export function verifyBallotProofs(ctx, { credential, parsed, version = 1 }) {
  const opts = { commitments: version === 2 };
  const fp = ctx.fingerprintBytes;
  const y = ctx.publicKey;
  ctx.questions.forEach((spec, q) => {
    const where = `answers[${q}]`;
    if (spec.kind === 'ranked') {
      verifyRankedAnswer({ cts: parsed[q].cts, proofs: parsed[q].ranked }, fp, credential, q, where);
      return;
    }
    const { cts, bits, extra } = parsed[q];
    cts.forEach((ct, i) => verifyBit(y, ct, bits[i], proofContext(fp, credential, q, 'bit', i),
      `${where}.bit_proofs[${i}] (question ${q}, ${slotName(spec, i)})`, opts));
    if (spec.kind === 'sonc') {
      extra.forEach((proof, i) => verifyBit(y, cts[2 * i].add(cts[2 * i + 1]), proof,
        proofContext(fp, credential, q, 'candidate', i),
        `${where}.candidate_proofs[${i}] (question ${q}, candidate ${i}: support and oppose both set)`, opts));
    } else if (extra.length) {
      const [lo, hi] = spec.sumRange();
      verifyRange(y, aggregate(cts), lo, hi, extra[0], proofContext(fp, credential, q, 'sum', 0),
        `${where}.sum_proof (question ${q}: number of selections not in ${lo}..${hi})`, opts);
    }
  });
}

