"""Errors raised by the protocol library (docs/protocol.md §1).

Every verifier in ``crypto`` raises one of these; none returns ``False``. Messages are precise
(which question, candidate, proof or trustee failed) because they are shown to auditors.
"""

from __future__ import annotations


class CryptoError(Exception):
    """Base class of every error raised by ``crypto``."""


class InvalidEncoding(CryptoError):
    """A byte string, hex string or JSON value is not the canonical encoding required."""


class InvalidPoint(InvalidEncoding):
    """Not the canonical encoding of a non-identity point of the prime-order subgroup."""


class InvalidScalar(InvalidEncoding):
    """Not a canonical 32-byte little-endian scalar below the group order ℓ."""


class InvalidProof(CryptoError):
    """A zero-knowledge proof does not verify."""


class InvalidSignature(CryptoError):
    """A credential (Schnorr) signature does not verify."""


class InvalidShare(CryptoError):
    """A trustee's key share or decryption share is inconsistent with its public commitments."""


class InvalidBallot(CryptoError):
    """A ballot is malformed or does not belong to this election / credential."""


class NotEnoughShares(CryptoError):
    """Fewer valid decryption shares than the threshold."""


class DiscreteLogNotFound(CryptoError):
    """The plaintext of a decrypted tally is not within the given bound."""


class InvalidChain(CryptoError):
    """A hash-chained log (the public board) is broken: missing, reordered or altered events."""


class InvalidChoices(InvalidBallot, ValueError):
    """The voter's choices do not fit the question (raised by the encrypting side)."""


class InvalidRecord(CryptoError):
    """An election record does not verify (``crypto.record``): the message names the board
    event (seq), ballot tracker, trustee, question or candidate that fails."""


class UnsupportedRecord(InvalidRecord):
    """Not a Scrutin election record, or a format/version this verifier does not know."""


class InvalidCeremony(InvalidRecord):
    """A key-ceremony message (``crypto.ceremony``) is out of order, badly signed, inconsistent
    with what the trustee committed to, or a ceremony did not complete honestly. Raised by the
    record verifier and by the trustee and voter clients that check the board."""


class InvalidTally(InvalidRecord):
    """The counted set, the encrypted tally or the decrypted totals do not follow from the
    board."""


class InvalidResult(InvalidRecord):
    """The published result is not the result arithmetic applied to the decrypted totals."""


class InvalidAudit(CryptoError):
    """A cast-or-audit record (``crypto.audit``) does not verify: malformed, carries a signature,
    or its ciphertexts or proofs do not match the revealed choices and randomness."""


class InvalidReceipt(CryptoError, ValueError):
    """A cast receipt is not signed by the election's receipt key, or the board does not hold
    its ballot at the position it names (``crypto.receipts``)."""
