// The pages' thin adapter over the browser cryptography library (./crypto/index.js, a separate
// module owned by the protocol work). Everything here is JSON-friendly: hex strings in and out,
// so that page code never handles BigInts or Points directly.
import {
  CEREMONY_PROTOCOL, CredentialKey, formatCode, generateCode, checkElection as checkElection2, checkReceiptOnBoard, InvalidCeremony, TrusteePolynomial, ballotContextFromManifest,
  ceremonyShareContext, checkManifestAgainstRound, combineSecretShare, commitmentContext,
  commitmentsDigest, decryptionShare as makeDecryptionShare, electionFingerprint,
  encryptionKeypair, fromHex, generateIdentity, hasRankedQuestions as rankedIn, identityFingerprint, identityPublic,
  keyFileKey as deriveKeyFileKey, openKeyFile as open2, openShare as open, prepareBallotAsync,
  ready, rebuildEncryptedTally, replayCeremony, requireTrustees, scalarFromHex, scalarHex,
  sealKeyFile as seal2, sealShareRevealable, shareEphemeralKey, signDecryptionShare, signMessage,
  sodium, tallyDecryptionContext, toBase64, toHex, verifyAudit, verifyChain, verifyReceipt,
  verifyShare as verify,
} from './crypto/index.js';

await ready();

// --- booth -------------------------------------------------------------------------------------
export function ballotContext(manifest, fingerprint) {
  return ballotContextFromManifest(manifest, fingerprint);
}

/**
 * The election against the board (crypto/ceremony.js checkElection): throws unless the key is
 * ∏ C_{i,0}, the ceremony replays to the setup and the manifest is its current definition (and,
 * with `expectedCode`, the published code). Resolves {context, code, receiptKey}.
 */
export function checkElection(electionId, board, manifest, fingerprint, expectedCode = null) {
  const checked = checkElection2(electionId, board, manifest, fingerprint, { expectedCode });
  return { context: ballotContextFromManifest(manifest, checked.fingerprint), code: checked.code,
    receiptKey: checked.receiptKey };
}

/** The choices the encrypted ballot really holds: its audit record checked (never the form). */
export function decodeBallot(ctx, prepared) {
  return verifyAudit(ctx, prepared.audit, { credentialPublic: prepared.key.public }).choices;
}

/** Signed by the manifest's receipt key, and on the board where it says (throws InvalidReceipt). */
export function checkReceipt(receipt, board, receiptKey) {
  verifyReceipt(receipt, receiptKey);
  return checkReceiptOnBoard(receipt, board);
}

export function newCredential() { return CredentialKey.generate(); }
export function credentialFromSecret(hex) { return CredentialKey.fromSecretHex(hex); }
export function credentialFromCode(code, electionId) { return CredentialKey.fromCode(code, electionId); }
export function newCode() { return generateCode(); }
export { formatCode };
export function credentialSecret(key) { return key.secretHex(); }
export function credentialPublic(key) { return key.public.hex(); }

/** Encrypt with progress; resolves to {ballot, tracker, audit}. */
export async function encryptBallot(ctx, choices, credential, onProgress) {
  return prepareBallotAsync(ctx, choices, await credential, { onProgress });
}

/**
 * Cast-or-audit: check the revealed randomness of an encrypted (never cast) ballot.
 * Returns {ok, problem, record}; `record` is the audit record anyone can re-check.
 */
export async function auditBallot(ctx, prepared) {
  try {
    const checked = verifyAudit(ctx, prepared.audit, { credentialPublic: prepared.key.public });
    const same = JSON.stringify(checked.choices) === JSON.stringify(prepared.choices);
    // Audit records of protocol v2 carry a commitment (the unsigned ballot's hash) that the
    // booth displayed before the voter chose; v1 records only the tracker.
    const bound = checked.commitment === undefined ? checked.tracker === prepared.tracker
      : checked.commitment === prepared.commitment;
    return { ok: same && bound, choices: checked.choices,
      problem: same ? '' : 'choices differ', record: prepared.audit };
  } catch (err) {
    return { ok: false, problem: err.message, record: prepared.audit, choices: null };
  }
}

// --- trustee (protocol 2: docs/protocol.md §8; crypto/ceremony.py) -----------------------------
// The page keeps the trustee's state (the same JSON as the CLI key file) in memory only; these
// functions read the board and produce signed message bodies from it.

export { InvalidCeremony, KeyFileError, TallyMismatch, identityFingerprint, parseFingerprints } from './crypto/index.js';

export function newIdentity() { return generateIdentity(); }
export function signingKeyOf(seedHex) { return identityPublic(seedHex); }
export function fingerprintOf(seedHex) { return identityFingerprint(identityPublic(seedHex)); }

/** Chain-check the board; the replayed ceremony (throws InvalidChain / InvalidCeremony). */
export function readCeremony(electionId, board, expectedFingerprints = null) {
  verifyChain(board);
  const ceremony = replayCeremony(electionId, board);
  if (ceremony.protocol !== CEREMONY_PROTOCOL) {
    throw new InvalidCeremony(`this page runs ceremony protocol ${CEREMONY_PROTOCOL}, the election uses ${ceremony.protocol}`);
  }
  if (expectedFingerprints && expectedFingerprints.length) requireTrustees(ceremony, expectedFingerprints);
  return ceremony;
}

export function headOf(board) { return board.length ? { seq: board[board.length - 1].seq, hash: verifyChain(board) } : null; }

/** A signed request body: {round, ...body, signature}. */
export function signed(seedHex, kind, electionId, round, index, body) {
  return { round, ...body, signature: signMessage(seedHex, kind, electionId, round, index, body) };
}

export function boxKeypair() {
  const kp = encryptionKeypair();
  return { publicKey: toHex(kp.publicKey), privateKey: toHex(kp.privateKey) };
}

export function boxPublicOf(privateHex) { return toHex(sodium.crypto_scalarmult_base(fromHex(privateHex))); }

/** A fresh polynomial with its commitments, v2 proofs and the seed of its share ephemerals. */
export function newPolynomial(threshold, electionId, round, index, signingKey) {
  const polynomial = TrusteePolynomial.generate(threshold);
  return {
    coefficients: polynomial.coefficientsHex(),
    commitments: polynomial.commitments.map((c) => c.hex()),
    proofs: polynomial.commitmentProofs(commitmentContext(electionId, round, index, signingKey)),
    share_seed: toHex(sodium.randombytes_buf(32)),
  };
}

export function digestOf(commitments, proofs) { return commitmentsDigest(commitments, proofs); }

/** {j: base64 sealed share} to every other trustee's encryption key as signed on the board. */
export function sealShares(mine, rnd, electionId, index) {
  const polynomial = TrusteePolynomial.fromHex(mine.coefficients);
  const sealed = {};
  for (const [j, trustee] of [...rnd.trustees].sort((a, b) => a[0] - b[0])) {
    if (j === index) continue;
    sealed[String(j)] = toBase64(sealShareRevealable(fromHex(trustee.encryptionKey), polynomial.shareFor(j),
      ceremonyShareContext(electionId, rnd.number, index, j), shareEphemeralKey(mine.share_seed, rnd.number, j)));
  }
  return sealed;
}

/**
 * Open and check every share sent to this trustee. Returns {secretShare, complaints: [[j, reason]]}.
 */
export function openShares(mine, rnd, electionId, index) {
  const polynomial = TrusteePolynomial.fromHex(mine.coefficients);
  const parts = [polynomial.shareFor(index)];
  const complaints = [];
  for (const [j, trustee] of [...rnd.trustees].sort((a, b) => a[0] - b[0])) {
    if (j === index) continue;
    try {
      const share = open(fromHex(mine.box_private), trustee.sealed.get(index), ceremonyShareContext(electionId, rnd.number, j, index));
      verify(trustee.points, index, share);
      parts.push(share);
    } catch (err) {
      complaints.push([j, `share does not verify: ${err.message}`]);
    }
  }
  return { secretShare: scalarHex(combineSecretShare(parts)), complaints };
}

/** The answer to a complaint: the disputed share and the ephemeral key it was sealed with. */
export function complaintAnswer(mine, rnd, complainant) {
  return {
    complainant_index: complainant,
    share: scalarHex(TrusteePolynomial.fromHex(mine.coefficients).shareFor(complainant)),
    ephemeral_secret: toHex(shareEphemeralKey(mine.share_seed, rnd.number, complainant)),
  };
}

/** Checks the proposed manifest against the board's round; its fingerprint. */
export function confirmManifest(manifest, rnd, electionId) {
  checkManifestAgainstRound(manifest, rnd, electionId);
  return electionFingerprint(manifest);
}

/** The encrypted tally the record implies ({payload, tallyHash, fingerprint, ciphertexts}). */
export function rebuildTally(record, electionId, onProgress) {
  return rebuildEncryptedTally(record, electionId, { onProgress });
}

/** Whether the rebuilt tally's ballot definition has ranked questions (mixed, never summed). */
export function hasRankedQuestions(manifest) {
  return rankedIn(manifest);
}

/** A signed, slot-bound decryption share of the rebuilt tally. */
export function decryptionShare(rebuilt, state, electionId, onProgress) {
  const share = makeDecryptionShare(rebuilt.ciphertexts, scalarFromHex(state.secret_share), state.index,
    tallyDecryptionContext(electionId, rebuilt.fingerprint, rebuilt.tallyHash), { onProgress, slotBound: true });
  return {
    share, tally_hash: rebuilt.tallyHash,
    signature: signDecryptionShare(state.identity_seed, electionId, state.ceremony_round, state.index, rebuilt.tallyHash, share),
  };
}

// Key files (the CLI's format): the derived key is kept so each save does not pay argon2id again.
export function keyFileKey(passphrase, doc = null) { return deriveKeyFileKey(passphrase, doc); }
export function sealKeyFile(state, key) { return seal2(state, key); }
export function openKeyFile(doc, passphrase) { return open2(doc, passphrase); }
