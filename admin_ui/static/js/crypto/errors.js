// Errors raised by the protocol library (docs/protocol.md §1; crypto/errors.py).
// Every verifier throws one of these; none returns false. Messages name what failed.

export class CryptoError extends Error {
  constructor(message) {
    super(message);
    this.name = new.target.name;
  }
}
/** A byte string, hex string or JSON value is not the canonical encoding required. */
export class InvalidEncoding extends CryptoError {}
/** Not the canonical encoding of a non-identity point of the prime-order subgroup. */
export class InvalidPoint extends InvalidEncoding {}
/** Not a canonical 32-byte little-endian scalar below the group order ℓ. */
export class InvalidScalar extends InvalidEncoding {}
/** A zero-knowledge proof does not verify. */
export class InvalidProof extends CryptoError {}
/** A credential (Schnorr) signature does not verify. */
export class InvalidSignature extends CryptoError {}
/** A trustee's key share or decryption share is inconsistent with its public commitments. */
export class InvalidShare extends CryptoError {}
/** A ballot is malformed or does not belong to this election / credential. */
export class InvalidBallot extends CryptoError {}
/** The voter's choices do not fit the question (raised by the encrypting side). */
export class InvalidChoices extends InvalidBallot {}
/** An audited ballot does not match the revealed randomness and choices. */
export class InvalidAudit extends CryptoError {}
/** Fewer valid decryption shares than the threshold. */
export class NotEnoughShares extends CryptoError {}
/** The plaintext of a decrypted tally is not within the given bound. */
export class DiscreteLogNotFound extends CryptoError {}
/** A hash-chained log (the public board) is broken. */
export class InvalidChain extends CryptoError {}
/** A cast receipt is not signed by the election's receipt key, or its ballot is not on the board where it says. */
export class InvalidReceipt extends CryptoError {}
