"""The record verifier as small checks (``crypto.record`` documents the whole; docs/record.md).

One module per check family, each a function of explicit inputs returning what it
established (frozen values) and its ``CheckResult``, raising a precise ``CryptoError``:

- ``shape``       — 1 ``record`` and 2 ``chain``: envelope, hash chain, catalogue, nested shapes
- ``setup``       — 3 ``setup``: the key ceremony and the ballot definitions
- ``phases``      — 4 ``phases``: lifecycle and board time (``crypto.lifecycle``)
- ``anchors``     — ``audit_anchors`` (``crypto.auditlog``)
- ``credentials`` — 5 ``credentials``: registered/published credentials, the roll
- ``ballots``     — 6 ``ballots``: every ballot, in a process pool or a ``Fanout``
- ``counted``     — 7 ``counted``: the counted set (``crypto.tally.counted_ballots``)
- ``aggregate``   — 8 ``aggregate``: the encrypted tally, the anonymity guard
- ``mixes``       — 9 ``mixes``: ranked answers' mix chains (``crypto.mixnet``)
- ``shares``      — 10 ``decryption_shares``
- ``outcome``     — 11 ``totals`` and 12 ``result``
- ``run``         — ``verify_record``: the checks in order; a non-``CryptoError`` from a check is
  raised as ``VerifierBug``
"""

from .ballots import (
    BallotTask,
    ChunkResult,
    Fanout,
    Manifests,
    ProcessFanout,
    verify_ballot_chunk,
)
from .common import CHECKS, RECORD_FORMAT, RECORD_VERSIONS, CheckResult, Progress, VerifierBug, slot_name
from .run import VerificationReport, verify_record
from .shape import BallotSource

__all__ = [
    "CHECKS",
    "RECORD_FORMAT",
    "RECORD_VERSIONS",
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
    "slot_name",
    "verify_ballot_chunk",
    "verify_record",
]
