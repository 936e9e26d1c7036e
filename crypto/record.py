"""The independent verifier of an election record (docs/record.md, "What `scrutin verify`
checks"; DESIGN §3.5: it needs the exported record only — no database, no server, no secret).

``verify_record(record)`` runs the checks below in this order and returns a
``VerificationReport``; the first failure raises a ``CryptoError`` subclass whose message
names the board event (``seq``), ballot tracker, trustee, question or candidate at fault:

1. ``record`` — the document is a ``scrutin-record`` of version 1 (else ``UnsupportedRecord``).
2. ``chain`` — sequence numbers, links and hashes of the board (``InvalidChain``); every
   event's type and payload keys are in the catalogue (``crypto.events``, else
   ``InvalidRecord`` naming the event).
3. ``setup`` — every ceremony round's commitment proofs; for each ``election_setup``: the
   fingerprint of its manifest, the manifest's trustees equal to its round's
   ``trustee_commitments`` (all published before any share was sent), the election key
   ``∏ C_{i,0}``.
4. ``phases`` — the lifecycle events follow each other (``from`` is the phase the board was
   in); ballots are cast only while open; no strike after the tally started; one encrypted
   tally, decryption shares after it, at most one result.
5. ``credentials`` — convenient mode: a ballot's credential was registered (or replaced in)
   before the ballot, and a credential is replaced only while none of its ballots counts
   (struck); independent mode: it is in the published list. Since the roll is on the board
   (``ceremony_started.roll``, ``roll_published``): no more credentials used by ballots than
   the roll has voters (at every ballot, or at each roll event for a live roll), and an
   independent list is signed by the credential authority (``crypto.roll``) and no longer than
   the roll.
6. ``ballots`` — each ``ballot_cast``'s tracker is the hash of the ballot in the record, the
   ballot's credential is the event's, every proof and the signature verify under the
   manifest of its definition version; no ballot in the record that no event refers to.
   This is the expensive part and runs in a process pool (``workers``).
7. ``counted`` — the re-vote and strike rules (``crypto.tally.counted_ballots``) give exactly
   the ``encrypted_tally``'s ``counted`` list.
8. ``aggregate`` — the encrypted tally is the slot-wise homomorphic sum of the counted ballots,
   except that a slot whose candidate fewer than the manifest's ``min_contributors`` counted
   ballots listed holds the identity (the anonymity guard, ``crypto.tally.guarded_slots``:
   it is never decrypted).
9. ``decryption_shares`` — every share's Chaum–Pedersen proofs against ``g^{s_j}`` computed
   from the commitments.
10. ``totals`` — ``g^{total_i} = β_i / ∏ d_{j,i}^{λ_j}`` over the shares the result says it used,
    and ``0 ≤ total_i ≤ counted``.
11. ``result`` — the published result equals ``crypto.results.election_result`` recomputed.

A record without a tally yet (open, closed, …) verifies up to check 7 (the counted set the
board implies) and the report says the tally is absent; that is not an error.

The checks live in ``crypto.verifier``, one module per family, each a function of explicit
inputs (the typed board and the frozen facts earlier checks established) that returns its
findings; this module is the public facade. The record's shape is validated up front
(``crypto.verifier.shape``: every message names the event and the path of the value), so the
checks never turn a ``KeyError``/``TypeError`` into a verdict: an exception other than a
``CryptoError`` is a bug and raises ``VerifierBug`` (not a ``CryptoError``).
"""

from __future__ import annotations

from .tally import layout_of
from .verifier import (
    CHECKS,
    RECORD_FORMAT,
    RECORD_VERSIONS,
    BallotSource,
    BallotTask,
    CheckResult,
    ChunkResult,
    Fanout,
    Manifests,
    ProcessFanout,
    Progress,
    VerificationReport,
    VerifierBug,
    slot_name,
    verify_ballot_chunk,
    verify_record,
)
from .verifier.ballots import _WORKER_KEY  # noqa: F401  (the Dask test reads a worker's state)
from .verifier.phases import TALLY_EVENTS

__all__ = [
    "CHECKS",
    "RECORD_FORMAT",
    "RECORD_VERSIONS",
    "TALLY_EVENTS",
    "BallotSource",
    "BallotTask",
    "CheckResult",
    "ChunkResult",
    "Fanout",
    "Manifests",
    "ProcessFanout",
    "Progress",
    "VerificationReport",
    "VerifierBug",
    "layout_of",
    "slot_name",
    "verify_ballot_chunk",
    "verify_record",
]
