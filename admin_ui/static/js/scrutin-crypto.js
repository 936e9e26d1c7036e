// The pages' thin adapter over the browser cryptography library (./crypto/index.js, a separate
// module owned by the protocol work). Everything here is JSON-friendly: hex strings in and out,
// so that page code never handles BigInts or Points directly.
import {
  Ciphertext, CredentialKey, G, TrusteePolynomial, ballotContextFromManifest, combineSecretShare,
  decryptionShare as makeDecryptionShare, encryptionKeypair, fromBase64, fromHex, openShare as open,
  Point, prepareBallotAsync, ready, scalarFromHex, scalarHex, sealShare as seal, toBase64, toHex,
  utf8, verifyAudit, verifyShare as verify,
} from './crypto/index.js';

await ready();

// --- booth -------------------------------------------------------------------------------------
export function ballotContext(manifest, fingerprint) {
  return ballotContextFromManifest(manifest, fingerprint);
}

export function newCredential() { return CredentialKey.generate(); }
export function credentialFromSecret(hex) { return CredentialKey.fromSecretHex(hex); }
export function credentialFromCode(code, electionId) { return CredentialKey.fromCode(code, electionId); }
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
    return { ok: same && bound,
      problem: same ? '' : 'choices differ', record: prepared.audit };
  } catch (err) {
    return { ok: false, problem: err.message, record: prepared.audit };
  }
}

// --- trustee -----------------------------------------------------------------------------------
export function boxKeypair() {
  const kp = encryptionKeypair();
  return { publicKey: toHex(kp.publicKey), privateKey: toHex(kp.privateKey) };
}

/** {coefficients: hex[], commitments: hex[], polynomial} */
export function newPolynomial(threshold) {
  const polynomial = TrusteePolynomial.generate(threshold);
  return { polynomial, coefficients: polynomial.coefficientsHex(),
    commitments: polynomial.commitments.map((c) => c.hex()) };
}

export function commitmentProofs(generated, context) {
  return generated.polynomial.commitmentProofs(utf8(context));
}

/** f(j) of the polynomial given by its hex coefficients, as a 64-hex scalar. */
export function shareFor(coefficientsHex, j) {
  return scalarHex(TrusteePolynomial.fromHex(coefficientsHex).shareFor(j));
}

export function sealShare(recipientPublicHex, shareHex, context) {
  return toBase64(seal(fromHex(recipientPublicHex), scalarFromHex(shareHex), utf8(context)));
}

export function openShare(privateHex, sealedBase64, context) {
  return scalarHex(open(fromHex(privateHex), fromBase64(sealedBase64), utf8(context)));
}

export function verifyShare(commitmentsHex, j, shareHex) {
  verify(commitmentsHex.map((c) => Point.fromHex(c)), j, scalarFromHex(shareHex));
}

export function addShares(sharesHex) {
  return scalarHex(combineSecretShare(sharesHex.map((s) => scalarFromHex(s))));
}

export function publicShareOf(shareHex) { return G.mul(scalarFromHex(shareHex)).hex(); }

/** The decryption share (with proofs) of this trustee for the tally's ciphertexts. */
export async function decryptionShare(ciphertextsJson, secretHex, index, context, onProgress) {
  const ciphertexts = ciphertextsJson.map((c, i) => Ciphertext.fromJSON(c, { what: `ciphertext ${i}`, allowIdentity: true }));
  return makeDecryptionShare(ciphertexts, scalarFromHex(secretHex), index, utf8(context), { onProgress });
}
