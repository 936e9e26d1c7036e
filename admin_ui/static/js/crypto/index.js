// Scrutin browser cryptography — byte-for-byte compatible with the Python package crypto/
// (docs/protocol.md; module map and audit format in docs/booth-crypto.md).
//
//   import { ready, ... } from '/static/js/crypto/index.js';
//   await ready();        // libsodium (WebAssembly) is loaded; CSP needs 'wasm-unsafe-eval'
//
// Conventions: scalars are BigInt in [0, ℓ); points are Point objects (Point.fromHex validates
// input); JSON values (ballots, proofs, shares) are plain objects with lowercase hex strings,
// exactly as the Python side produces them. Verifiers throw a CryptoError subclass, never return
// false. Every randomized function takes an optional `rng` (() => BigInt, default: CSPRNG);
// deterministicRng(seed) is for tests and vectors only.
//
// Booth
//   ballotContextFromManifest(manifest, fingerprint?) → BallotContext   (checks the fingerprint)
//   new BallotContext({electionId, fingerprint, publicKey, questions: [{kind, n_options,
//                      min_selections, max_selections, positions (ranked)}]})
//   electionFingerprint(manifest) → hex
//   CredentialKey.fromCode(code, electionId) → Promise<CredentialKey>    (PBKDF2, §6.1)
//   CredentialKey.generate(rng?) / .fromSecret(BigInt) / .fromSecretHex(hex); key.public: Point
//   normalizeCode(code) → 16 chars (throws InvalidEncoding on typo), formatCode, generateCode
//   encryptBallot(ctx, choices, credential, {rng?, onProgress?, version?}) → ballot JSON (Python
//     shape; version 2 = BALLOT_VERSION, proofs with commitments, protocol §4.5; 1 for old vectors)
//     choices: one array per question; sonc: 1 support / -1 oppose / 0 neutral; approval and
//     plurality: 0/1 per option; ranked: candidate indices, most preferred first (maybe [])
//   packRanking(positions, n) → Point[], unpackRanking(points) → positions (InvalidPacking),
//   rankedWidth(n), encryptRanking, verifyRankedAnswer (ranked.js, crypto/ranked.py)
//   choicesInWords(manifest, choices) → ["Question 1: 1. Ann, 2. Ben", ...]
//   prepareBallot(ctx, choices, credential, {rng?, onProgress?})
//       → {ballot, tracker, commitment, audit}; `audit` (scrutin/v2/ballot-audit) holds the
//       ballot WITHOUT its signature, so it can never be cast; show `commitment` before the
//       voter chooses cast or audit (the audit record is checked against it)
//   prepareBallotAsync(ctx, choices, credential, {onProgress?, chunk?}) → Promise<same>
//       (yields to the event loop so a progress bar repaints)
//   ballotTracker(ballot) → hex SHA-256 of canonical JSON
//   ballotCommitment(ballot) → hex SHA-256 of the canonical JSON without "signature"
//   verifyBallot(ctx, ballot, credentialPublic?) → {credential, tracker, ciphertexts}
//   verifyUnsignedBallot(ctx, ballot, credentialPublic?) → {credential, commitment, ciphertexts}
//   verifyAudit(ctx, auditRecord, {credentialPublic?}) → {tracker, commitment, choices}
//       (cast-or-audit; `commitment` is verified, `tracker` is the record's label)
//   checkChoices(ctx, choices)  (throws InvalidChoices with a message naming the question)
//   checkElection(electionId, board, manifest, fingerprint?, {expectedCode?})
//       → {code, fingerprint, setupFingerprint, receiptKey, ...}: the key is ∏ C_{i,0}, the
//       board's ceremony replays to the setup, the manifest is its current definition
//       (crypto.ceremony.check_election); fingerprintCode(fp), normaliseFingerprintCode(text)
//   verifyReceipt(receipt, receiptKey?), checkReceiptOnBoard(receipt, board)  (crypto.receipts)
//
// Trustee page
//   encryptionKeypair() → {privateKey, publicKey} (X25519, Uint8Array)
//   TrusteePolynomial.generate(t, rng?) / .fromHex(hexes); .commitments (Point[]),
//     .commitmentProofs(context, rng?), .shareFor(j) → BigInt, .coefficientsHex()
//   ceremonyContext(electionId, i) → bytes; shareContext(statusContext, sender, recipient) → bytes
//   verifyCommitments(commitments, proofs, i, context)
//   sealShare(recipientPublic, share, context) → Uint8Array (base64 with toBase64 for the API)
//   openShare(recipientPrivate, sealed, context) → BigInt; verifyShare(commitments, j, share)
//   combineSecretShare(shares), combinePublicKey(allCommitments), publicKeyShare(allCommitments, j)
//   decryptionShare(ciphertexts, secretShare, j, context, {rng?, onProgress?}) → share JSON
//   verifyDecryptionShare(ciphertexts, share, publicShare, j, context)
//   combineDecryption(ciphertexts, shares, publicShares, t, context) → {points, rejected}
//   lagrangeCoefficient(j, indices), discreteLog(point, bound), discreteLogs(points, bound)
//
// Building blocks: Point, G, IDENTITY, L, mod, scalarHex, scalarFromHex, scalarToBytes,
//   randomScalar, baseMul, hashToPoint, hashToScalar, hashPreimage, canonicalJson, sha256Hex,
//   Ciphertext, keygen, encrypt, reencrypt, aggregate, decryptToPoint, proveDlog, verifyDlog,
//   proveEqDlog, verifyEqDlog, proveDisjunctive, verifyDisjunctive, proveBit, verifyBit,
//   proveRange, verifyRange, verifySignature, eventHash, verifyChain, toHex, fromHex,
//   toBase64, fromBase64, utf8; errors: CryptoError, InvalidEncoding, InvalidPoint,
//   InvalidScalar, InvalidProof, InvalidSignature, InvalidShare, InvalidBallot, InvalidChoices,
//   InvalidAudit, NotEnoughShares, DiscreteLogNotFound, InvalidChain.
export { ready, sodium } from './sodium.js';
export * from './errors.js';
export { toHex, fromHex, bytesFromHex, utf8, fromUtf8, concat, frame, u32be, u64be, bytesEqual, toBase64, fromBase64 } from './bytes.js';
export * from './group.js';
export * from './hashing.js';
export * from './drbg.js';
export * from './elgamal.js';
export * from './proofs.js';
export * from './credentials.js';
export * from './ballots.js';
export * from './ranked.js';
export * from './audit.js';
export * from './threshold.js';
export * from './dlog.js';
export * from './fingerprint.js';
export * from './manifest.js';
export * from './board.js';
export * from './ceremony.js';
export * from './tally.js';
export * from './keyfile.js';
export * from './receipts.js';
