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
"""

from __future__ import annotations

import math
import multiprocessing
import os
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from . import auditlog, ceremony, errors, events, lifecycle, mixnet
from .ballots import BallotContext, ballot_tracker, verify_ballot
from .board import verify_chain
from .dlog import discrete_log
from .elgamal import Ciphertext
from .errors import (
    CryptoError,
    InvalidBallot,
    InvalidEncoding,
    InvalidRecord,
    InvalidResult,
    InvalidShare,
    InvalidTally,
    UnsupportedRecord,
)
from .fingerprint import election_fingerprint
from .group import IDENTITY, Point, base_mul
from .manifest import ballot_context
from .results import RankedCounter, election_result, ranked_question
from .roll import authority_fingerprint, verify_credential_list
from .tally import (
    ZERO,
    CastRecord,
    combine_versions,
    counted_ballots,
    decryption_context,
    encrypted_tally_hash,
    guarded_slots,
    layout_of,
    min_contributors,
    split_totals,
)
from .threshold import (
    combine_public_key,
    first_invalid_slot,
    lagrange_coefficient,
    public_key_share,
    trustee_round_context,
    verify_commitments,
    verify_decryption_share,
)

RECORD_FORMAT = "scrutin-record"
RECORD_VERSIONS = (1,)

Progress = Callable[[str, int, int], None]
"""``progress(check, done, total)``: called as checks run (ballots: after every chunk)."""

CHECKS: tuple[tuple[str, str], ...] = (
    ("record", "record format and version"),
    ("chain", "hash chain of the public board; every event catalogued (crypto.events)"),
    ("setup", "key ceremony commitments, election key and fingerprint"),
    ("phases", "lifecycle: ballots only while open, tally after closing"),
    ("audit_anchors", "audit-log heads on the board: signed by one audit key, only growing"),
    ("credentials", "every ballot's credential registered or published before it; no more "
                    "credentials used than the roll has voters; the authority's signed list"),
    ("ballots", "every ballot's tracker, credential, proofs and signature"),
    ("counted", "counted set from the re-vote and strike rules"),
    ("aggregate", "encrypted tally = homomorphic sum of the counted ballots"),
    ("mixes", "ranked answers: each mix's input is the counted set or the previous output, "
              "signed by a different trustee, with a valid shuffle proof"),
    ("decryption_shares", "every trustee's decryption share and its proofs"),
    ("totals", "published totals are the threshold decryption of the tally"),
    ("result", "result arithmetic and pass rules"),
)

TALLY_EVENTS = frozenset({"encrypted_tally", mixnet.MIX, "decryption_share", "result"})
"""Their lifecycle refusals are ``InvalidTally`` (checked with their tally-order rules below)."""
CAST, STRUCK, UNSTRUCK = "ballot_cast", "ballot_struck", "ballot_unstruck"


@dataclass(frozen=True)
class CheckResult:
    """One check of the report: ``status`` is ``passed`` or ``skipped`` (with the reason in
    ``summary``); ``counts`` says what it covered."""

    name: str
    description: str
    status: str
    summary: str
    counts: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "description": self.description, "status": self.status,
                "summary": self.summary, "counts": dict(self.counts)}


@dataclass(frozen=True)
class VerificationReport:
    """What ``verify_record`` established. ``stage`` is the last phase the board reached
    (``key_ceremony``, ``ready``, ``open``, ``paused``, ``closed``, ``tallying``,
    ``published``…); ``result`` is the verified result (None before it is published)."""

    election_id: str
    stage: str
    head: str
    events: int
    credential_mode: str | None
    fingerprint: str | None
    checks: tuple[CheckResult, ...]
    tally_present: bool
    counted: tuple[str, ...]
    totals: tuple[int, ...] | None
    result: dict[str, Any] | None
    notes: tuple[str, ...] = ()
    mix_chains: Mapping[int, mixnet.Chain] = field(default_factory=dict, compare=False)
    """The verified mix chains of the ranked questions (what a trustee mixes next from)."""
    decryption_target: str | None = None
    """The hash the decryption shares name once every ranked question is mixed (else the
    encrypted tally's hash, or None before the tally)."""

    @property
    def ok(self) -> bool:
        return True  # a failing record raises; a report exists only for a verified record

    def to_json(self) -> dict[str, Any]:
        return {
            "verified": True, "election_id": self.election_id, "stage": self.stage,
            "head": self.head, "events": self.events, "credential_mode": self.credential_mode,
            "fingerprint": self.fingerprint, "tally_present": self.tally_present,
            "checks": [c.to_json() for c in self.checks], "counted": list(self.counted),
            "totals": list(self.totals) if self.totals is not None else None,
            "result": self.result, "notes": list(self.notes),
        }


# --- helpers --------------------------------------------------------------------------------


def _where(event: Mapping[str, Any]) -> str:
    return f"board event {event.get('seq')} ({event.get('type')})"


def _rewrap(exc: CryptoError, prefix: str) -> CryptoError:
    """The same error class with the location in front of the message."""
    try:
        return type(exc)(f"{prefix}: {exc}")
    except TypeError:  # pragma: no cover - every crypto error takes one message
        return InvalidRecord(f"{prefix}: {exc}")


def _int(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidRecord(f"{what}: expected an integer, got {value!r}")
    return value


def _str(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise InvalidRecord(f"{what}: expected a string, got {type(value).__name__}")
    return value


def _list(value: object, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise InvalidRecord(f"{what}: expected a list, got {type(value).__name__}")
    return value


def _dict(value: object, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InvalidRecord(f"{what}: expected an object, got {type(value).__name__}")
    return value


def _time(value: object, what: str) -> datetime:
    if not isinstance(value, str):
        raise InvalidRecord(f"{what}: expected an ISO 8601 time")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidRecord(f"{what}: {value!r} is not an ISO 8601 time") from None
    if parsed.tzinfo is None:
        raise InvalidRecord(f"{what}: {value!r} has no time zone")
    return parsed


def slot_name(manifest: Mapping[str, Any], layout: Sequence[int], flat: int) -> str:
    """'question q, candidate c (name) support' for a flat tally slot index."""
    q = 0
    i = flat
    while q < len(layout) and i >= layout[q]:
        i -= layout[q]
        q += 1
    if q >= len(layout):
        return f"slot {flat}"
    question = manifest["questions"][q]
    if question["kind"] == "sonc":
        c, half = divmod(i, 2)
        cand = question["candidates"][c]
        return (f"question {q}, candidate {c} ({cand.get('name')!s}) "
                f"{'support' if half == 0 else 'oppose'}")
    cand = question["candidates"][i]
    return f"question {q}, option {i} ({cand.get('name')!s})"


def _first_difference(published: object, expected: object, path: str = "") -> str | None:
    """The path of the first value that differs (None when equal)."""
    if isinstance(published, dict) and isinstance(expected, dict):
        for key in list(expected) + [k for k in published if k not in expected]:
            if key not in published:
                return f"{path}.{key} (missing)"
            if key not in expected:
                return f"{path}.{key} (unexpected)"
            found = _first_difference(published[key], expected[key], f"{path}.{key}")
            if found is not None:
                return found
        return None
    if isinstance(published, list) and isinstance(expected, list):
        if len(published) != len(expected):
            return f"{path} (length {len(published)}, expected {len(expected)})"
        for i, (a, b) in enumerate(zip(published, expected, strict=True)):
            found = _first_difference(a, b, f"{path}[{i}]")
            if found is not None:
                return found
        return None
    if type(published) is not type(expected) or published != expected:
        return path
    return None


def _lookup(data: object, path: str) -> object:
    """Follow a path made by ``_first_difference`` (best effort, for messages)."""
    import re

    node = data
    for key, index in re.findall(r"\.([A-Za-z_0-9]+)|\[(\d+)\]", path.split(" ")[0]):
        try:
            node = node[int(index)] if index else node[key]  # type: ignore[index]
        except (KeyError, IndexError, TypeError):
            return None
    return node


# --- ballot verification (also run in worker processes) --------------------------------------

_WORKER_CONTEXTS: dict[int, BallotContext] = {}

BallotTask = tuple[int, str, int, str, Any, bool]
"""(seq, tracker, definition_version, credential of the event, ballot, counted?)."""
PackedSums = dict[int, tuple[int, list[tuple[bytes, bytes]]]]
PackedRanked = dict[str, dict[int, list[tuple[bytes, bytes]]]]
ChunkResult = tuple[int, PackedSums, tuple[int, str, str, str] | None, PackedRanked]
"""(ballots verified, per definition version: (counted ballots, partial slot sums as point
bytes), error or None, the counted ballots' ranked answers by tracker and question) with the
error as (seq, tracker, exception class name, message)."""


def _contexts(manifests: Mapping[int, tuple[dict[str, Any], str]]) -> dict[int, BallotContext]:
    return {v: ballot_context(m, fp) for v, (m, fp) in manifests.items()}


def _init_worker(manifests: dict[int, tuple[dict[str, Any], str]]) -> None:
    """Each worker rebuilds the ballot contexts from the manifests (nothing else is shared)."""
    _WORKER_CONTEXTS.clear()
    _WORKER_CONTEXTS.update(_contexts(manifests))
    _WORKER_KEY[:] = [_manifests_key(manifests)]


_WORKER_KEY: list[tuple[tuple[int, str], ...]] = []


def _manifests_key(manifests: Mapping[int, tuple[dict[str, Any], str]]
                   ) -> tuple[tuple[int, str], ...]:
    return tuple(sorted((v, fp) for v, (_m, fp) in manifests.items()))


def verify_ballot_chunk(manifests: dict[int, tuple[dict[str, Any], str]],
                        tasks: list[BallotTask]) -> ChunkResult:
    """Verify one chunk of ballots in a worker that was not initialised with the manifests
    (a Dask worker): the ballot contexts are built once per process and per set of manifests
    (keyed by their fingerprints), then ``_verify_chunk`` runs as in the process pool."""
    key = _manifests_key(manifests)
    if _WORKER_KEY != [key]:
        _init_worker(manifests)
    return _verify_chunk(tasks)


def _verify_one(ctx: BallotContext, task: BallotTask) -> list[list[Ciphertext]]:
    seq, tracker, _version, credential, ballot, _counted = task
    if not isinstance(ballot, dict):
        raise InvalidBallot("the ballot is not a JSON object")
    actual = ballot_tracker(ballot)
    if actual != tracker:
        raise InvalidBallot(f"the ballot in the record hashes to {actual}, not to its tracker")
    if ballot.get("credential") != credential:
        raise InvalidBallot(f"the ballot is signed with credential {ballot.get('credential')!r}, "
                            f"the board event names {credential}")
    verified = verify_ballot(ctx, ballot)
    return verified.ciphertexts


def _verify_chunk(tasks: list[BallotTask],
                  contexts: Mapping[int, BallotContext] | None = None) -> ChunkResult:
    ctxs = _WORKER_CONTEXTS if contexts is None else contexts
    sums: dict[int, tuple[int, list[Ciphertext]]] = {}
    ranked_rows: PackedRanked = {}
    done = 0
    for task in tasks:
        seq, tracker, version = task[0], task[1], task[2]
        try:
            ctx = ctxs.get(version)
            if ctx is None:
                raise InvalidBallot(f"no ballot definition version {version} on the board")
            answers = _verify_one(ctx, task)
        except CryptoError as exc:
            return done, {}, (seq, tracker, type(exc).__name__, str(exc)), {}
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            return done, {}, (seq, tracker, "InvalidBallot", f"malformed ballot: {exc!r}"), {}
        done += 1
        # Ranked answers are mixed, not summed: keep them apart (counted ballots only).
        flat = [ct for spec, cts in zip(ctx.questions, answers, strict=True)
                if spec.kind != "ranked" for ct in cts]
        if task[5]:
            ranked = {q: [(c.alpha.to_bytes(), c.beta.to_bytes()) for c in cts]
                      for q, (spec, cts) in enumerate(zip(ctx.questions, answers, strict=True))
                      if spec.kind == "ranked"}
            if ranked:
                ranked_rows[tracker] = ranked
            count, acc = sums.get(version, (0, [Ciphertext(IDENTITY, IDENTITY)] * len(flat)))
            sums[version] = (count + 1, [a + b for a, b in zip(acc, flat, strict=True)])
    packed = {v: (n, [(c.alpha.to_bytes(), c.beta.to_bytes()) for c in cts])
              for v, (n, cts) in sums.items()}
    return done, packed, None, ranked_rows


def _error_class(name: str) -> type[CryptoError]:
    cls = getattr(errors, name, None)
    if isinstance(cls, type) and issubclass(cls, CryptoError):
        return cls
    return InvalidRecord


Manifests = dict[int, tuple[dict[str, Any], str]]
"""Per ballot definition version: (manifest, fingerprint) — all a ballot worker needs."""


class BallotSource(Protocol):
    """The record's ``ballots`` object when it is not held in memory (a streamed file,
    ``app.record_file``): its trackers in record order (membership and size, held), and its
    entries, read once, in record order."""

    def trackers(self) -> Collection[str]: ...

    def entries(self) -> Iterator[tuple[str, Any]]: ...


class Fanout(Protocol):
    """Where ballot chunks are verified (default: a local process pool; ``app.verify_dask``:
    a Dask cluster). ``map`` verifies every chunk it draws from ``chunks`` with
    ``verify_ballot_chunk(manifests, chunk)`` semantics and yields the results in any order;
    it draws lazily, keeping only a bounded number of chunks in flight."""

    def workers(self) -> int: ...

    def map(self, manifests: Manifests, chunks: Iterator[list[BallotTask]]
            ) -> Iterator[ChunkResult]: ...


class ProcessFanout:
    """A pool of ``n`` spawned processes, at most ``2·n`` chunks in flight."""

    def __init__(self, n: int) -> None:
        self.n = n

    def workers(self) -> int:
        return self.n

    def map(self, manifests: Manifests, chunks: Iterator[list[BallotTask]]
            ) -> Iterator[ChunkResult]:
        # "spawn": a forked child of a process with the native kernel's Go runtime loaded
        # hangs (and a fork would copy held locks in a threaded server).
        with ProcessPoolExecutor(max_workers=self.n, initializer=_init_worker,
                                 initargs=(manifests,),
                                 mp_context=multiprocessing.get_context("spawn")) as pool:
            pending: set[Future[ChunkResult]] = set()
            try:
                for chunk in chunks:
                    pending.add(pool.submit(_verify_chunk, chunk))
                    while len(pending) >= 2 * self.n:
                        done, pending = wait(pending, return_when=FIRST_COMPLETED)
                        for f in done:
                            yield f.result()
                while pending:
                    done, pending = wait(pending, return_when=FIRST_COMPLETED)
                    for f in done:
                        yield f.result()
            except BaseException:
                pool.shutdown(wait=True, cancel_futures=True)
                raise


# --- the verifier ----------------------------------------------------------------------------


@dataclass
class _Setup:
    seq: int
    manifest: dict[str, Any]
    fingerprint: str
    version: int
    public_shares: dict[int, Point]


class _Verifier:
    def __init__(self, record: Mapping[str, Any], workers: int | None,
                 progress: Progress | None, counter: RankedCounter | None = None,
                 ballots: BallotSource | None = None, fanout: Fanout | None = None) -> None:
        self.record = record
        self.workers = workers if workers is not None else (os.cpu_count() or 1)
        if self.workers < 1:
            raise ValueError("workers must be >= 1")
        self.source = ballots
        self.fanout = fanout
        self.progress = progress
        self.checks: list[CheckResult] = []
        self.notes: list[str] = []
        self.where = "record"
        self.election_id = ""
        self.board: list[dict[str, Any]] = []
        self.ballots: Collection[str] = {}
        self.head = ""
        self.setups: dict[int, _Setup] = {}
        self.setup_seq: dict[int, int] = {}
        self.ceremony: ceremony.Ceremony | None = None
        self.stage = "draft"
        self.mode: str | None = None
        self.casts: list[dict[str, Any]] = []
        self.tally_event: dict[str, Any] | None = None
        self.share_events: list[dict[str, Any]] = []
        self.mix_events: list[dict[str, Any]] = []
        self.ranked_rows: dict[str, dict[int, list[Ciphertext]]] = {}
        self.chains: dict[int, mixnet.Chain] = {}
        self.target_hash: str | None = None
        self.target_cts: list[Ciphertext] = []
        self.counter = counter
        self.used_shares: list[int] = []
        self.result_event: dict[str, Any] | None = None
        self.counted: list[CastRecord] = []
        self.version_sums: dict[int, tuple[list[Ciphertext], int]] = {}
        self.contributors: list[list[int]] | None = None
        self.tally_cts: list[Ciphertext] = []
        self.valid_shares: dict[int, list[Point]] = {}
        self.totals: list[int] | None = None
        self.result: dict[str, Any] | None = None

    # bookkeeping ---------------------------------------------------------------------------
    def _passed(self, name: str, summary: str, **counts: int) -> None:
        description = dict(CHECKS)[name]
        self.checks.append(CheckResult(name, description, "passed", summary, counts))
        if self.progress is not None:
            self.progress(name, 1, 1)

    def _skipped(self, name: str, reason: str) -> None:
        self.checks.append(CheckResult(name, dict(CHECKS)[name], "skipped", reason, {}))

    @contextmanager
    def _malformed(self, check: str) -> Iterator[None]:
        """Turn a KeyError/TypeError deep in a payload into a precise InvalidRecord."""
        try:
            yield
        except CryptoError:
            raise
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
            raise InvalidRecord(f"{self.where}: malformed ({check}): {exc!r}") from None

    def run(self) -> VerificationReport:
        self.check_record()
        with self._malformed("chain"):
            self.check_chain()
        with self._malformed("setup"):
            self.check_setup()
        with self._malformed("phases"):
            self.check_phases()
        with self._malformed("audit_anchors"):
            anchors = auditlog.check_anchors(self.election_id, self.board)
            self._passed("audit_anchors", f"{len(anchors)} audit heads",
                         anchors=len(anchors),
                         entries=int(anchors[-1]["count"]) if anchors else 0)
        with self._malformed("credentials"):
            self.check_credentials()
        with self._malformed("counted"):
            self.counted = self._counted_set()
        with self._malformed("ballots"):
            self.check_ballots()
        with self._malformed("counted"):
            self.check_counted()
        if self.tally_event is None:
            for name in ("aggregate", "mixes", "decryption_shares", "totals", "result"):
                self._skipped(name, f"no tally on the board yet (stage: {self.stage})")
        else:
            with self._malformed("aggregate"):
                self.check_aggregate()
            with self._malformed("mixes"):
                self.check_mixes()
            with self._malformed("decryption_shares"):
                self.check_shares()
            if self.result_event is None:
                self._skipped("totals", "no result on the board yet "
                              f"({len(self.valid_shares)} decryption shares so far)")
                self._skipped("result", "no result on the board yet")
            else:
                with self._malformed("totals"):
                    self.check_totals()
                with self._malformed("result"):
                    self.check_result()
        setup = self._last_setup()
        return VerificationReport(
            election_id=self.election_id, stage=self.stage, head=self.head,
            events=len(self.board), credential_mode=self.mode,
            fingerprint=setup.fingerprint if setup else None, checks=tuple(self.checks),
            tally_present=self.tally_event is not None,
            counted=tuple(c.tracker for c in self.counted),
            totals=tuple(self.totals) if self.totals is not None else None,
            result=self.result, notes=tuple(self.notes), mix_chains=self.chains,
            decryption_target=self.target_hash)

    def _last_setup(self) -> _Setup | None:
        return self.setups[max(self.setups)] if self.setups else None

    # 1. record -----------------------------------------------------------------------------
    def check_record(self) -> None:
        r = self.record
        if not isinstance(r, Mapping):
            raise UnsupportedRecord("not an election record: expected a JSON object")
        if r.get("format") != RECORD_FORMAT:
            raise UnsupportedRecord(f"not an election record: format is {r.get('format')!r}, "
                                    f"expected {RECORD_FORMAT!r}")
        if r.get("version") not in RECORD_VERSIONS or isinstance(r.get("version"), bool):
            raise UnsupportedRecord(f"unsupported record version {r.get('version')!r} "
                                    f"(this verifier reads {list(RECORD_VERSIONS)})")
        self.election_id = _str(r.get("election_id"), "record.election_id")
        board = _list(r.get("board"), "record.board")
        for i, event in enumerate(board):
            e = _dict(event, f"record.board[{i}]")
            for key in ("seq", "at", "type", "payload", "prev_hash", "hash"):
                if key not in e:
                    raise InvalidRecord(f"record.board[{i}]: event without {key!r}")
            _dict(e["payload"], f"{_where(e)}: payload")
            _str(e["type"], f"record.board[{i}].type")
            _str(e["at"], f"record.board[{i}].at")
        self.board = board
        self.ballots = (self.source.trackers() if self.source is not None
                        else _dict(r.get("ballots"), "record.ballots"))
        self._passed("record", f"{RECORD_FORMAT} v{r['version']}, election {self.election_id}",
                     events=len(board), ballots=len(self.ballots))

    # 2. chain ------------------------------------------------------------------------------
    def check_chain(self) -> None:
        self.head = verify_chain(self.board)
        for event in self.board:
            found = events.problem(event["type"], event["payload"])
            if found is not None:
                raise InvalidRecord(f"{_where(event)}: malformed (catalogue): {found} "
                                    "(docs/protocol.md §16)")
        self._passed("chain", f"{len(self.board)} events, head {self.head}",
                     events=len(self.board))

    # 3. setup ------------------------------------------------------------------------------
    def check_setup(self) -> None:
        started = next((e for e in self.board if e["type"] == "ceremony_started"), None)
        protocol = started["payload"].get("protocol", 1) if started else 1
        if protocol == ceremony.PROTOCOL:
            self._check_setup_v2()
        elif protocol == 1:
            self._check_setup_v1()
        else:
            raise UnsupportedRecord(f"{_where(started or {})}: unknown key-ceremony protocol "
                                    f"{protocol!r}")

    def _check_setup_v2(self) -> None:
        """Protocol 2: the whole ceremony replays (``crypto.ceremony``: signatures, commit
        before reveal, shares after every commitment, complaints judged, every trustee's
        confirmation of the setup's fingerprint, one key); then each definition's manifest."""
        try:
            self.ceremony = ceremony.replay(self.election_id, self.board)
        except CryptoError as exc:
            raise InvalidRecord(str(exc)) from None
        for event in self.board:
            self.where = _where(event)
            if event["type"] == "election_setup":
                self._check_one_setup_v2(event)
            elif event["type"] == "ballot_definition":
                self._check_one_definition(event)
        self.where = "record"
        self._setup_summary(self.ceremony.proofs, self.ceremony.signatures)

    def _check_one_setup_v2(self, event: dict[str, Any]) -> None:
        where, p = self.where, event["payload"]
        manifest = _dict(p["manifest"], f"{where}: manifest")
        fingerprint = _str(p["fingerprint"], f"{where}: fingerprint")
        if election_fingerprint(manifest) != fingerprint:
            raise InvalidRecord(f"{where}: fingerprint {fingerprint} is not the fingerprint of "
                                "the manifest")
        version = _int(manifest.get("definition_version"), f"{where}: definition_version")
        if version != 1 or self.setups:
            raise InvalidRecord(f"{where}: the election is set up once, as definition version 1")
        if p.get("public_key") != manifest.get("public_key"):
            raise InvalidRecord(f"{where}: public_key {p.get('public_key')} is not the product "
                                "of the trustees' constant commitments (the manifest's "
                                f"{manifest.get('public_key')})")
        try:
            min_contributors(manifest)
        except CryptoError as exc:
            raise InvalidRecord(f"{where}: manifest: {exc}") from None
        if manifest.get("credential_mode") not in ("convenient", "independent"):
            raise InvalidRecord(f"{where}: unknown credential mode "
                                f"{manifest.get('credential_mode')!r}")
        try:
            ballot_context(manifest, fingerprint)
            layout_of(manifest)
        except (CryptoError, ValueError, KeyError, TypeError) as exc:
            raise InvalidRecord(f"{where}: manifest questions: {exc}") from None
        points = [[Point.from_hex(c) for c in t["commitments"]] for t in manifest["trustees"]]
        shares = {int(t["index"]): public_key_share(points, int(t["index"]))
                  for t in manifest["trustees"]}
        self.setups[version] = _Setup(event["seq"], manifest, fingerprint, version, shares)

    def _setup_summary(self, proofs_checked: int, signatures: int = 0) -> None:
        if not self.setups:
            self.notes.append("no election_setup event: the key ceremony has not completed")
        setup = self._last_setup()
        self.mode = str(setup.manifest.get("credential_mode")) if setup else None
        trustees = len(setup.manifest["trustees"]) if setup else 0
        self._passed(
            "setup",
            (f"fingerprint {setup.fingerprint}, election key {setup.manifest['public_key']}, "
             f"{trustees} trustees, threshold {setup.manifest['threshold']}") if setup
            else "key ceremony not completed: commitment proofs only",
            definitions=len(self.setups), trustees=trustees, commitment_proofs=proofs_checked,
            signatures=signatures)

    def _check_setup_v1(self) -> None:
        """Protocol 1 (records made before trustee identities): unsigned ceremony messages."""
        eid = self.election_id
        commitments: dict[tuple[int, int], dict[str, Any]] = {}
        shares_sent: dict[int, list[dict[str, Any]]] = {}
        started: dict[int, dict[str, Any]] = {}
        current_round: int | None = None
        proofs_checked = 0
        for event in self.board:
            self.where = _where(event)
            kind, p = event["type"], event["payload"]
            if kind == "ceremony_started":
                if p.get("election_id", eid) != eid:
                    raise InvalidRecord(f"{self.where}: ceremony for election "
                                        f"{p.get('election_id')!r}, the record is {eid!r}")
                current_round = _int(p["round"], f"{self.where}: round")
                started[current_round] = p
            elif kind == "ceremony_restarted":
                current_round = _int(p["round"], f"{self.where}: round")
            elif kind == "trustee_commitments":
                rnd = _int(p["round"], f"{self.where}: round")
                index = _int(p["index"], f"{self.where}: index")
                if current_round is not None and rnd != current_round:
                    raise InvalidRecord(f"{self.where}: commitments of trustee {index} for round "
                                        f"{rnd} while the ceremony is in round {current_round}")
                if (rnd, index) in commitments:
                    raise InvalidRecord(f"{self.where}: trustee {index} published commitments "
                                        f"twice in round {rnd}")
                if shares_sent.get(rnd):
                    first = shares_sent[rnd][0]
                    raise InvalidRecord(
                        f"{self.where}: trustee {index} published commitments after "
                        f"trustee {first['payload'].get('index')} sent shares (board event "
                        f"{first['seq']}); every commitment must come before any share")
                points = [Point.from_hex(c, what=f"trustee {index} commitment {k}")
                          for k, c in enumerate(_list(p["commitments"], "commitments"))]
                context = trustee_round_context(eid, rnd, index)
                try:
                    verify_commitments(points, _list(p["proofs"], "proofs"), index, context)
                except CryptoError as exc:
                    raise _rewrap(exc, self.where) from None
                proofs_checked += len(points)
                commitments[(rnd, index)] = event
            elif kind == "trustee_shares_sent":
                rnd = _int(p["round"], f"{self.where}: round")
                shares_sent.setdefault(rnd, []).append(event)
            elif kind == "election_setup":
                self._check_one_setup(event, commitments, shares_sent, started)
            elif kind == "ballot_definition":
                self._check_one_definition(event)
        self.where = "record"
        self._setup_summary(proofs_checked)

    def _check_one_setup(self, event: dict[str, Any],
                         commitments: dict[tuple[int, int], dict[str, Any]],
                         shares_sent: dict[int, list[dict[str, Any]]],
                         started: dict[int, dict[str, Any]]) -> None:
        where, p, eid = self.where, event["payload"], self.election_id
        manifest = _dict(p["manifest"], f"{where}: manifest")
        fingerprint = _str(p["fingerprint"], f"{where}: fingerprint")
        actual = election_fingerprint(manifest)
        if actual != fingerprint:
            raise InvalidRecord(f"{where}: fingerprint {fingerprint} is not the fingerprint of "
                                f"the manifest ({actual})")
        if manifest.get("election_id") != eid:
            raise InvalidRecord(f"{where}: manifest is for election "
                                f"{manifest.get('election_id')!r}, the record is {eid!r}")
        version = _int(manifest.get("definition_version"), f"{where}: definition_version")
        if version in self.setups:
            raise InvalidRecord(f"{where}: ballot definition version {version} set up twice")
        rnd = _int(manifest.get("ceremony_round"), f"{where}: manifest.ceremony_round")
        threshold = _int(manifest.get("threshold"), f"{where}: manifest.threshold")
        trustees = _list(manifest.get("trustees"), f"{where}: manifest.trustees")
        if rnd in started:
            st = started[rnd]
            if st.get("threshold") != threshold or st.get("trustees") != len(trustees):
                raise InvalidRecord(
                    f"{where}: manifest has {len(trustees)} trustees and threshold {threshold}, "
                    f"the ceremony started (round {rnd}) with {st.get('trustees')} and "
                    f"{st.get('threshold')}")
        if not 1 <= threshold <= len(trustees):
            raise InvalidRecord(f"{where}: threshold {threshold} of {len(trustees)} trustees")
        published = {i: e for (r, i), e in commitments.items() if r == rnd}
        indices = [_int(t.get("index"), f"{where}: trustee index") for t in trustees]
        if indices != list(range(1, len(trustees) + 1)):
            raise InvalidRecord(f"{where}: manifest trustees are {indices}, expected 1..n")
        if sorted(published) != indices:
            raise InvalidRecord(f"{where}: round {rnd} has commitments from trustees "
                                f"{sorted(published)}, the manifest lists {indices}")
        all_points: list[list[Point]] = []
        for t in trustees:
            j = t["index"]
            ev = published[j]["payload"]
            if t.get("commitments") != ev["commitments"]:
                raise InvalidRecord(
                    f"{where}: trustee {j}'s commitments in the manifest differ from those "
                    f"published in board event {published[j]['seq']}")
            if t.get("encryption_key") != ev.get("encryption_key"):
                raise InvalidRecord(
                    f"{where}: trustee {j}'s encryption key in the manifest differs from board "
                    f"event {published[j]['seq']}")
            if len(ev["commitments"]) != threshold:
                raise InvalidRecord(f"{where}: trustee {j} published {len(ev['commitments'])} "
                                    f"commitments, threshold is {threshold}")
            all_points.append([Point.from_hex(c, what=f"trustee {j} commitment {k}")
                               for k, c in enumerate(ev["commitments"])])
        last_commit = max(e["seq"] for e in published.values())
        for sent in shares_sent.get(rnd, []):
            if sent["seq"] < last_commit:
                raise InvalidRecord(
                    f"board event {sent['seq']} (trustee_shares_sent): trustee "
                    f"{sent['payload'].get('index')} sent shares before every trustee had "
                    f"published commitments (last commitments: board event {last_commit})")
        key = combine_public_key(all_points).hex()
        for what, value in (("manifest.public_key", manifest.get("public_key")),
                            ("public_key", p.get("public_key"))):
            if value != key:
                raise InvalidRecord(f"{where}: {what} {value} is not the product of the "
                                    f"trustees' constant commitments ({key})")
        try:
            min_contributors(manifest)
        except CryptoError as exc:
            raise InvalidRecord(f"{where}: manifest: {exc}") from None
        if manifest.get("credential_mode") not in ("convenient", "independent"):
            raise InvalidRecord(f"{where}: unknown credential mode "
                                f"{manifest.get('credential_mode')!r}")
        try:
            ballot_context(manifest, fingerprint)
            layout_of(manifest)
        except (CryptoError, ValueError, KeyError, TypeError) as exc:
            raise InvalidRecord(f"{where}: manifest questions: {exc}") from None
        shares = {j: public_key_share(all_points, j) for j in indices}
        self.setups[version] = _Setup(event["seq"], manifest, fingerprint, version, shares)

    def _check_one_definition(self, event: dict[str, Any]) -> None:
        """A later ballot version (candidate withdrawn or swapped while open): same election,
        key and trustees; every earlier candidate kept in place (a withdrawal only sets its
        ``withdrawn`` flag); new candidates only appended."""
        where, p, eid = self.where, event["payload"], self.election_id
        manifest = _dict(p["manifest"], f"{where}: manifest")
        fingerprint = _str(p["fingerprint"], f"{where}: fingerprint")
        if election_fingerprint(manifest) != fingerprint:
            raise InvalidRecord(f"{where}: fingerprint {fingerprint} is not the fingerprint of "
                                "the manifest")
        if manifest.get("election_id") != eid:
            raise InvalidRecord(f"{where}: manifest is for election "
                                f"{manifest.get('election_id')!r}, the record is {eid!r}")
        version = _int(manifest.get("definition_version"), f"{where}: definition_version")
        if p.get("version") != version or version - 1 not in self.setups or \
                version in self.setups:
            raise InvalidRecord(f"{where}: ballot definition version {version} does not follow "
                                f"the versions set up so far ({sorted(self.setups)})")
        base = self.setups[version - 1].manifest
        for key in ("trustees", "public_key", "threshold", "ceremony_round", "credential_mode",
                    "manifest_version", "receipt_key",
                    "min_contributors"):
            if manifest.get(key) != base.get(key):
                raise InvalidRecord(f"{where}: version {version} changes {key}, which only a "
                                    "new key ceremony may set")
        questions = _list(manifest.get("questions"), f"{where}: questions")
        if len(questions) != len(base["questions"]):
            raise InvalidRecord(f"{where}: version {version} changes the number of questions")
        for q, (new, old) in enumerate(zip(questions, base["questions"], strict=True)):
            for key in ("kind", "min_selections", "max_selections", "seats", "pass_rule"):
                if new.get(key) != old.get(key):
                    raise InvalidRecord(f"{where}: version {version} changes {key} of "
                                        f"question {q}")
            cands, before = _list(new.get("candidates"), f"{where}: candidates"), \
                old["candidates"]
            if len(cands) < len(before):
                raise InvalidRecord(f"{where}: version {version} removes candidates of "
                                    f"question {q}")
            for i, (c, b) in enumerate(zip(cands, before, strict=False)):
                if c.get("position") != b.get("position") or c.get("name") != b.get("name") \
                        or (b.get("withdrawn") and not c.get("withdrawn")):
                    raise InvalidRecord(f"{where}: version {version} changes candidate {i} of "
                                        f"question {q} (only withdrawing is allowed)")
            top = max((b["position"] for b in before), default=-1)
            for c in cands[len(before):]:
                if not isinstance(c.get("position"), int) or c["position"] <= top \
                        or c.get("withdrawn"):
                    raise InvalidRecord(f"{where}: version {version} appends an invalid "
                                        f"candidate to question {q}")
                top = c["position"]
        try:
            ballot_context(manifest, fingerprint)
        except (CryptoError, ValueError, KeyError, TypeError) as exc:
            raise InvalidRecord(f"{where}: manifest questions: {exc}") from None
        self.setups[version] = _Setup(event["seq"], manifest, fingerprint, version,
                                      self.setups[version - 1].public_shares)

    # 4. phases -----------------------------------------------------------------------------
    def check_phases(self) -> None:
        phase = lifecycle.START
        casts_by_phase = 0
        strikes = 0
        seen_tally = False
        previous_at: datetime | None = None
        end: datetime | None = None  # the scheduled end (exclusive), as the board says it
        for event in self.board:
            self.where = where = _where(event)
            kind, p = event["type"], event["payload"]
            at = _time(event["at"], f"{where}: at")
            if previous_at is not None and at < previous_at:
                raise InvalidRecord(f"{where}: its time {event['at']} is before the previous "
                                    "event's: board times never go backwards")
            previous_at = at
            refused = lifecycle.refusal(phase, kind)
            if refused is not None and kind in (STRUCK, UNSTRUCK):
                raise InvalidRecord(f"{where}: {refused}: strikes are allowed only while "
                                    "voting or scrutiny may still change the counted set")
            if refused is not None and kind in ceremony.CEREMONY_EVENTS \
                    and phase not in lifecycle.CEREMONY_PHASES:
                raise InvalidRecord(f"{where}: a key-ceremony event while the election was "
                                    f"{phase}: an election has exactly one key")
            if refused is not None and kind not in TALLY_EVENTS and kind != CAST:
                raise InvalidRecord(f"{where}: {refused}")
            schedule = p.get("schedule") if kind == "ceremony_started" else (
                p if kind in ("schedule_changed", "extended") else None)
            if isinstance(schedule, Mapping) and schedule.get("end_utc") is not None:
                end = _time(schedule["end_utc"], f"{where}: end_utc")
            if kind in lifecycle.FROM_TO_EVENTS:
                expected = lifecycle.MOVES[kind][1]
                if p.get("from") != phase:
                    raise InvalidRecord(f"{where}: says the election went from "
                                        f"{p.get('from')!r} to {p.get('to')!r}, but it was "
                                        f"{phase}")
                if p.get("to") != expected:
                    raise InvalidRecord(f"{where}: a {kind} event cannot move to {p.get('to')!r}")
            if kind == "opened" and not self.setups:
                raise InvalidRecord(f"{where}: opened without an election_setup")
            if kind in lifecycle.MOVES and kind != "result":
                phase = lifecycle.after(phase, kind)
            elif kind == CAST:
                if refused is not None:
                    raise InvalidRecord(f"{where}: ballot {p.get('tracker')} cast while the "
                                        f"election was {phase} (casting is allowed only while "
                                        "open)")
                if end is not None and at >= end:
                    raise InvalidRecord(f"{where}: ballot {p.get('tracker')} cast at "
                                        f"{event['at']}, not before the scheduled end "
                                        f"{end.isoformat()} (the end is exclusive)")
                definition = _int(p.get("definition_version"), f"{where}: definition_version")
                setup = self.setups.get(definition)
                if setup is None or setup.seq > event["seq"]:
                    raise InvalidRecord(f"{where}: ballot {p.get('tracker')} names ballot "
                                        f"definition version {definition}, not set up before it")
                casts_by_phase += 1
                self.casts.append(event)
            elif kind in (STRUCK, UNSTRUCK):
                strikes += 1
            elif kind == "encrypted_tally":
                if refused is not None or seen_tally:
                    raise InvalidTally(f"{where}: an encrypted tally while {phase}"
                                       + (" (a second one)" if seen_tally else ""))
                seen_tally = True
                self.tally_event = event
            elif kind == mixnet.MIX:
                if not seen_tally or refused is not None or self.share_events:
                    raise InvalidTally(f"{where}: a mix "
                                       + ("before the encrypted tally" if not seen_tally
                                          else "after decryption began" if self.share_events
                                          else f"while {phase}"))
                self.mix_events.append(event)
            elif kind == "decryption_share":
                if not seen_tally or refused is not None:
                    raise InvalidTally(f"{where}: a decryption share "
                                       + ("before the encrypted tally" if not seen_tally
                                          else f"while {phase}"))
                self.share_events.append(event)
            elif kind == "result":
                if not seen_tally or refused is not None:
                    raise InvalidTally(f"{where}: a result "
                                       + ("before the encrypted tally" if not seen_tally
                                          else f"while {phase} (the tally is decrypted once)"))
                phase = lifecycle.after(phase, kind)
                self.result_event = event
        self.where = "record"
        self.stage = phase
        self._passed("phases", f"stage reached: {phase}", ballots_cast=casts_by_phase,
                     strike_events=strikes)

    # 5. credentials ------------------------------------------------------------------------
    def check_credentials(self) -> None:
        mode = self.mode
        registered: set[str] = set()
        used: set[str] = set()
        published: set[str] | None = None
        cast_by: dict[str, list[str]] = {}
        struck: set[str] = set()
        regs = 0
        # The roll on the board (crypto.roll): in ceremony_started since roll publishing began
        # (older records have none: those bounds are skipped), then roll_published events.
        roll: dict[str, Any] | None = None
        bounded = False
        lists: list[tuple[str, list[str], dict[str, Any], dict[str, Any] | None]] = []
        for event in self.board:
            self.where = where = _where(event)
            kind, p = event["type"], event["payload"]
            if (kind == "ceremony_started" and "roll" in p) or kind == "roll_published":
                roll = self._roll(p["roll"] if kind == "ceremony_started" else p, where)
                bounded = True
                if len(used) > roll["size"]:
                    raise InvalidRecord(f"{where}: {len(used)} credentials were used by ballots "
                                        f"but the roll has {roll['size']} voters")
            elif kind == "ceremony_started" and bounded:
                raise InvalidRecord(f"{where}: a key ceremony started without the roll")
            if kind == "credential_registered":
                if mode == "independent":
                    raise InvalidRecord(f"{where}: a voter-registered credential in an election "
                                        "with an independent credential authority")
                cred = _str(p["credential"], f"{where}: credential")
                Point.from_hex(cred, what=f"{where}: credential")
                if cred in registered:
                    raise InvalidRecord(f"{where}: credential {cred} registered twice")
                registered.add(cred)
                regs += 1
            elif kind == "credential_replaced":
                if mode == "independent":
                    raise InvalidRecord(f"{where}: credential replaced in an election with an "
                                        "independent credential authority")
                old = _str(p["old_credential"], f"{where}: old_credential")
                cred = _str(p["credential"], f"{where}: credential")
                Point.from_hex(cred, what=f"{where}: credential")
                if old not in registered:
                    raise InvalidRecord(f"{where}: replaces credential {old}, which is not "
                                        "registered")
                counting = [t for t in cast_by.get(old, []) if t not in struck]
                if counting:
                    raise InvalidRecord(f"{where}: replaces credential {old} while its ballot "
                                        f"{counting[-1]} counts (a credential is replaced only "
                                        "when none of its ballots counts, e.g. after a strike)")
                if cred in registered:
                    raise InvalidRecord(f"{where}: credential {cred} registered twice")
                registered.discard(old)
                registered.add(cred)
                regs += 1
            elif kind == "credentials_published":
                if mode == "convenient":
                    raise InvalidRecord(f"{where}: a published credential list in an election "
                                        "where voters register their own credentials")
                if published is not None:
                    raise InvalidRecord(f"{where}: the credential list is published twice")
                creds = [_str(c, f"{where}: credential") for c in _list(p["credentials"],
                                                                         f"{where}: credentials")]
                if creds != sorted(creds):
                    raise InvalidRecord(f"{where}: the credential list is not sorted")
                if len(set(creds)) != len(creds):
                    raise InvalidRecord(f"{where}: the credential list has duplicates")
                if p.get("count") != len(creds):
                    raise InvalidRecord(f"{where}: count {p.get('count')!r} but "
                                        f"{len(creds)} credentials")
                for i, c in enumerate(creds):
                    Point.from_hex(c, what=f"{where}: credential {i}")
                published = set(creds)
                regs += len(creds)
                lists.append((where, creds, p, roll))
            elif kind == CAST:
                cred = _str(p["credential"], f"{where}: credential")
                tracker = p.get("tracker")
                if mode == "independent":
                    if published is None or cred not in published:
                        raise InvalidRecord(
                            f"{where}: ballot {tracker} is signed with credential {cred}, which "
                            "is not in the credential list published before it")
                elif cred not in registered:
                    raise InvalidRecord(
                        f"{where}: ballot {tracker} is signed with credential {cred}, which was "
                        "not registered before it")
                used.add(cred)
                cast_by.setdefault(cred, []).append(str(tracker))
                if roll is not None and roll["mode"] != "live" and len(used) > roll["size"]:
                    raise InvalidRecord(f"{where}: ballot {tracker} brings the credentials "
                                        f"used to {len(used)}, but the roll has "
                                        f"{roll['size']} voters")
            elif kind == STRUCK:
                struck.update(str(t) for t in _list(p.get("trackers"), f"{where}: trackers"))
            elif kind == UNSTRUCK:
                struck.difference_update(str(t) for t in _list(p.get("trackers"),
                                                               f"{where}: trackers"))
        authorities = set()
        for where, creds, p, at_roll in lists:
            self.where = where
            if bounded:
                # The list is the credential authority's, and no longer than the roll.
                verify_credential_list(self.election_id, creds, p.get("authority_key"),
                                       p.get("signature"), where)
                authorities.add(authority_fingerprint(str(p["authority_key"])))
                if at_roll is None or len(creds) > at_roll["size"]:
                    raise InvalidRecord(f"{where}: {len(creds)} credentials published for a roll "
                                        f"of {at_roll['size'] if at_roll else 'no'} voters")
        self.where = "record"
        bound = (f"; roll of {roll['size']} voters ({roll['fingerprint'][:16]}…)" if roll else
                 "; no roll on the board (a record from before roll publishing)")
        signed = f"; list signed by credential authority {', '.join(sorted(authorities))}" \
            if authorities else ""
        self._passed("credentials", f"{mode or 'no'} credentials: {len(used)} used by "
                     f"{len(self.casts)} ballots{bound}{signed}", credentials=regs,
                     used=len(used), ballots=len(self.casts),
                     roll=roll["size"] if roll else 0)

    def _roll(self, p: object, where: str) -> dict[str, Any]:
        p = _dict(p, f"{where}: roll")
        size = _int(p.get("size"), f"{where}: roll size")
        fingerprint = _str(p.get("fingerprint"), f"{where}: roll fingerprint")
        if size < 0 or len(fingerprint) != 64 or any(c not in "0123456789abcdef"
                                                     for c in fingerprint):
            raise InvalidRecord(f"{where}: a roll needs a size ≥ 0 and a SHA-256 fingerprint")
        return {"size": size, "fingerprint": fingerprint, "mode": p.get("mode")}

    # 6. ballots ----------------------------------------------------------------------------
    def _counted_set(self) -> list[CastRecord]:
        return counted_ballots(self.board)

    def check_ballots(self) -> None:
        trackers: dict[str, int] = {}
        cast_seq: dict[str, tuple[int, str]] = {}
        for event in self.casts:
            self.where = where = _where(event)
            p = event["payload"]
            tracker = _str(p["tracker"], f"{where}: tracker")
            if tracker in trackers:
                raise InvalidBallot(f"{where}: ballot {tracker} was already cast in board event "
                                    f"{trackers[tracker]}")
            trackers[tracker] = event["seq"]
            if tracker not in self.ballots:
                raise InvalidBallot(f"{where}: ballot {tracker} is not in the record")
            for earlier in _list(p.get("supersedes", []), f"{where}: supersedes"):
                if earlier not in cast_seq or cast_seq[earlier][1] != p["credential"]:
                    raise InvalidBallot(f"{where}: ballot {tracker} says it supersedes {earlier}, "
                                        "which is not an earlier ballot of the same credential")
            cast_seq[tracker] = (event["seq"], p["credential"])
        self.where = "record"
        for tracker in self.ballots:
            if tracker not in trackers:
                raise InvalidBallot(f"record.ballots: ballot {tracker} is in the record but no "
                                    "ballot_cast event refers to it")

        counted = {c.tracker for c in self.counted}
        meta = {e["payload"]["tracker"]: (e["seq"], int(e["payload"]["definition_version"]),
                                          e["payload"]["credential"]) for e in self.casts}
        if self.source is None:  # in memory: in board order
            held: Mapping[str, Any] = self.ballots  # type: ignore[assignment]
            entries: Iterable[tuple[str, Any]] = ((t, held[t]) for t in meta)
        else:                    # streamed: in record order, read once
            entries = self.source.entries()
        manifests = {v: (s.manifest, s.fingerprint) for v, s in self.setups.items()}
        total = len(meta)
        sums: dict[int, tuple[list[Ciphertext], int]] = {}
        done = 0
        first_error: tuple[int, str, str, str] | None = None

        def absorb(result: ChunkResult) -> None:
            # Chunks may finish in any order: keep the failure of the earliest board event,
            # which is the one a serial check in board order would report.
            nonlocal done, first_error
            n, packed, error, ranked_rows = result
            for tracker, by_question in ranked_rows.items():
                self.ranked_rows[tracker] = {
                    q: [Ciphertext(Point(a), Point(b)) for a, b in row]
                    for q, row in by_question.items()}
            if error is not None and (first_error is None or error[0] < first_error[0]):
                first_error = error
            done += n
            for version, (count, raw) in packed.items():
                part = [Ciphertext(Point(a), Point(b)) for a, b in raw]
                acc, before = sums.get(version, ([Ciphertext(IDENTITY, IDENTITY)] * len(part),
                                                 0))
                sums[version] = ([x + y for x, y in zip(acc, part, strict=True)],
                                 before + count)
            if self.progress is not None:
                self.progress("ballots", done, total)

        def chunks(size: int) -> Iterator[list[BallotTask]]:
            """Tasks in chunks of ``size`` (each sorted by board event), drawn lazily from the
            entries, so that only the chunks in flight are held; once a ballot failed, only
            earlier ones are still checked."""
            chunk: list[BallotTask] = []
            seen = 0
            for tracker, ballot in entries:
                m = meta.get(tracker)
                if m is None:  # the trackers were checked above: the file changed under us
                    raise InvalidRecord(f"record.ballots: ballot {tracker} was not in the "
                                        "record when it was first read")
                seen += 1
                if first_error is not None and m[0] > first_error[0]:
                    continue
                chunk.append((m[0], tracker, m[1], m[2], ballot, tracker in counted))
                if len(chunk) >= size:
                    yield sorted(chunk, key=lambda t: t[0])
                    chunk = []
            if chunk:
                yield sorted(chunk, key=lambda t: t[0])
            if seen != total:
                raise InvalidRecord(f"record.ballots: {seen} ballots read, {total} expected "
                                    "(the record changed while it was read)")

        if self.fanout is not None:
            workers = max(1, self.fanout.workers())
        else:
            workers = min(self.workers, max(1, total))
        size = max(1, min(16, math.ceil(total / (workers * 4)))) if workers > 1 else 4
        if self.fanout is None and (workers <= 1 or total < 2):
            contexts = _contexts(manifests)
            for chunk in chunks(size):
                absorb(_verify_chunk(chunk, contexts))
        else:
            fanout = self.fanout or ProcessFanout(workers)
            for result in fanout.map(manifests, chunks(size)):
                absorb(result)
        if first_error is not None:
            seq, tracker, cls, message = first_error
            raise _error_class(cls)(f"board event {seq} (ballot_cast), ballot {tracker}: "
                                    f"{message}")
        self.version_sums = sums
        versions = sorted({int(e["payload"]["definition_version"]) for e in self.casts})
        self._passed("ballots", f"{total} ballots: trackers, credentials, proofs and signatures"
                     f" (definition versions {versions or '-'}; {workers} worker"
                     f"{'s' if workers != 1 else ''})", ballots=total, workers=workers)

    # 7. counted set ------------------------------------------------------------------------
    def check_counted(self) -> None:
        casts = {e["payload"]["tracker"]: e for e in self.casts}
        struck_events = [e for e in self.board if e["type"] in (STRUCK, UNSTRUCK)]
        for event in struck_events:
            self.where = where = _where(event)
            for t in _list(event["payload"]["trackers"], f"{where}: trackers"):
                if t not in casts or casts[t]["seq"] > event["seq"]:
                    raise InvalidTally(f"{where}: names ballot {t}, which was not cast before it")
        self.where = "record"
        expected = [c.tracker for c in self.counted]
        credentials = {c.credential for c in self.counted}
        superseded = len(self.casts) - len(self.counted)
        counts = {"cast": len(self.casts), "counted": len(expected),
                  "credentials": len(credentials), "not_counted": superseded}
        if self.tally_event is None:
            self.notes.append(f"no tally yet: the board implies {len(expected)} counted ballots")
            self._passed("counted", f"{len(expected)} ballots would count (last unstruck ballot "
                         f"of each of {len(credentials)} credentials); no tally yet", **counts)
            return
        self.where = where = _where(self.tally_event)
        p = self.tally_event["payload"]
        published = [_str(t, f"{where}: counted") for t in _list(p["counted"],
                                                                 f"{where}: counted")]
        if published != expected:
            self._explain_counted(where, published, expected, casts)
        version = _int(p["definition_version"], f"{where}: definition_version")
        if version not in self.setups:
            raise InvalidTally(f"{where}: ballot definition version {version} was never set up")
        for c in self.counted:
            if c.definition_version not in self.setups or c.definition_version > version:
                raise InvalidTally(f"{where}: counts ballot {c.tracker} of definition version "
                                   f"{c.definition_version}, the tally is of version {version}")
        self.where = "record"
        self._passed("counted", f"{len(expected)} counted ballots (last unstruck ballot of each "
                     f"credential) = the encrypted tally's list", **counts)

    def _explain_counted(self, where: str, published: list[str], expected: list[str],
                         casts: Mapping[str, dict[str, Any]]) -> None:
        struck: dict[str, int] = {}
        for e in self.board:
            if e["type"] == STRUCK:
                for t in e["payload"]["trackers"]:
                    struck[t] = e["seq"]
            elif e["type"] == UNSTRUCK:
                for t in e["payload"]["trackers"]:
                    struck.pop(t, None)
        latest: dict[str, str] = {c.credential: c.tracker for c in self.counted}
        if len(set(published)) != len(published):
            dup = next(t for t in published if published.count(t) > 1)
            raise InvalidTally(f"{where}: counts ballot {dup} more than once")
        for t in published:
            if t in expected:
                continue
            if t not in casts:
                raise InvalidTally(f"{where}: counts ballot {t}, which was never cast")
            if t in struck:
                raise InvalidTally(f"{where}: counts ballot {t} (board event {casts[t]['seq']}), "
                                   f"struck in board event {struck[t]}")
            cred = casts[t]["payload"]["credential"]
            later = latest.get(cred)
            later_seq = casts[later]["seq"] if later is not None and later in casts else "?"
            raise InvalidTally(f"{where}: counts ballot {t} (board event {casts[t]['seq']}), "
                               f"superseded by ballot {later} (board event {later_seq}) of the "
                               "same credential")
        for t in expected:
            if t not in published:
                raise InvalidTally(f"{where}: does not count ballot {t} (board event "
                                   f"{casts[t]['seq']}), the last unstruck ballot of its "
                                   "credential")
        raise InvalidTally(f"{where}: the counted ballots are not in board order")

    # 8. aggregate --------------------------------------------------------------------------
    def check_aggregate(self) -> None:
        assert self.tally_event is not None
        self.where = where = _where(self.tally_event)
        p = self.tally_event["payload"]
        setup = self.setups[int(p["definition_version"])]
        layout = layout_of(setup.manifest)
        if _list(p["layout"], f"{where}: layout") != layout:
            raise InvalidTally(f"{where}: layout {p['layout']} does not match the manifest's "
                               f"questions ({layout})")
        raw = _list(p["ciphertexts"], f"{where}: ciphertexts")
        if len(raw) != sum(layout):
            raise InvalidTally(f"{where}: {len(raw)} ciphertexts for {sum(layout)} tally slots")
        manifests = {v: st.manifest for v, st in self.setups.items()}
        try:
            expected, contributors = combine_versions(self.version_sums, manifests,
                                                      setup.manifest)
        except CryptoError as exc:
            raise InvalidTally(f"{where}: {exc}") from None
        if p.get("contributors") != contributors:
            raise InvalidTally(f"{where}: contributors {p.get('contributors')} do not match the "
                               f"counted ballots' versions ({contributors})")
        self.contributors = contributors
        guarded = guarded_slots(setup.manifest, contributors)
        k = min_contributors(setup.manifest)
        parsed = []
        for i, (c, e) in enumerate(zip(raw, expected, strict=True)):
            name = slot_name(setup.manifest, layout, i)
            try:
                ct = Ciphertext.from_json(c, what=f"ciphertext {i}", allow_identity=True)
            except InvalidEncoding as exc:
                raise InvalidTally(f"{where}: {name}: {exc}") from None
            if guarded[i] and ct != ZERO:
                raise InvalidTally(f"{where}: {name}: fewer than min_contributors = {k} counted "
                                   "ballots listed this candidate, so its slot must be the "
                                   "identity (never decrypted), not their sum")
            if ct != e:
                raise InvalidTally(f"{where}: {name}: the ciphertext is not the homomorphic sum "
                                   f"of the {len(self.counted)} counted ballots")
            parsed.append(ct)
        self.tally_cts = parsed
        self.where = "record"
        withheld = sum(guarded)
        self._passed("aggregate", f"{len(parsed)} tally slots = sums of {len(self.counted)} "
                     "counted ballots" + (f"; {withheld} withheld (fewer than {k} contributors)"
                                          if withheld else ""),
                     slots=len(parsed), ballots=len(self.counted), withheld=withheld)

    # 9. mixes -------------------------------------------------------------------------------
    def check_mixes(self) -> None:
        assert self.tally_event is not None
        p = self.tally_event["payload"]
        setup = self.setups[int(p["definition_version"])]
        self.target_cts = list(self.tally_cts)
        if not mixnet.ranked_questions(setup.manifest):
            if self.mix_events or "mix_inputs" in p:
                raise InvalidTally(f"{_where(self.mix_events[0] if self.mix_events else self.tally_event)}: "
                                   "mixes for a ballot without ranked questions")
            self._passed("mixes", "no ranked questions: nothing to mix", mixes=0, rows=0)
            return
        self.where = where = _where(self.tally_event)
        required = mixnet.mixes_required(setup.manifest)
        counted_rows = [self.ranked_rows.get(c.tracker, {}) for c in self.counted]
        n_questions = len(setup.manifest["questions"])
        inputs = mixnet.mix_inputs(setup.manifest, [[rows.get(q, []) for q in range(n_questions)]
                                                    for rows in counted_rows])
        summary = mixnet.input_summary(inputs)
        if p.get("mix_inputs") != summary:
            raise InvalidTally(f"{where}: mix_inputs {p.get('mix_inputs')!r} are not the counted "
                               f"ballots' ranked answers ({summary})")
        tally_hash = encrypted_tally_hash(p)
        setting = mixnet.MixSetting(
            election_id=self.election_id, fingerprint=setup.fingerprint, tally_hash=tally_hash,
            public_key=Point.from_hex(setup.manifest["public_key"]),
            ceremony_round=int(setup.manifest["ceremony_round"]),
            signing_keys={int(t["index"]): str(t["signing_key"])
                          for t in setup.manifest["trustees"]},
            required=required)
        self.where = "record"
        try:
            self.chains = mixnet.replay_mixes(setting, inputs, self.mix_events,
                                              workers=self.workers)
        except mixnet.InvalidMix as exc:
            raise InvalidTally(str(exc)) from None
        done = mixnet.complete(self.chains, required)
        if self.share_events and not done:
            raise InvalidTally(f"{_where(self.share_events[0])}: a decryption share before every "
                               f"ranked question had its {required} mixes: ranked answers would "
                               "be decrypted unmixed")
        if done:
            self.target_hash = mixnet.decryption_target_hash(tally_hash, self.chains)
            self.target_cts = mixnet.decryption_ciphertexts(self.tally_cts, self.chains)
        rows = sum(len(c.input.rows) for c in self.chains.values())
        self._passed("mixes", f"{len(self.mix_events)} mixes of {len(self.chains)} ranked "
                     f"question(s), {rows} rows, by trustees "
                     f"{sorted({m for c in self.chains.values() for m in c.mixers})}"
                     + ("" if done else f" (incomplete: {required} needed per question)"),
                     mixes=len(self.mix_events), rows=rows)

    # 10. decryption shares -----------------------------------------------------------------
    def check_shares(self) -> None:
        assert self.tally_event is not None
        setup = self.setups[int(self.tally_event["payload"]["definition_version"])]
        layout = layout_of(setup.manifest)
        # Protocol 2 (manifest_version 2): shares name the encrypted tally's hash, their proofs
        # bind the slot index, and each share is signed by the trustee's identity. With ranked
        # questions they name the decryption target (the sums and the last mixes, §14.5).
        bound = int(setup.manifest.get("manifest_version", 1)) >= 2
        tally_hash = encrypted_tally_hash(self.tally_event["payload"]) if bound else None
        if self.target_hash is not None:
            tally_hash = self.target_hash
        context = decryption_context(self.election_id, setup.fingerprint, tally_hash)
        keys = {int(t["index"]): t.get("signing_key") for t in setup.manifest["trustees"]}
        for event in self.share_events:
            self.where = where = _where(event)
            p = event["payload"]
            j = _int(p["index"], f"{where}: index")
            if j not in setup.public_shares:
                raise InvalidShare(f"{where}: trustee {j} is not a trustee of this election")
            if j in self.valid_shares:
                raise InvalidShare(f"{where}: trustee {j} submitted a second decryption share")
            share = _dict(p["share"], f"{where}: share")
            if bound:
                if p.get("tally_hash") != tally_hash:
                    raise InvalidShare(f"{where}: trustee {j}'s share names tally "
                                       f"{p.get('tally_hash')}, the encrypted tally on the "
                                       f"board is {tally_hash}")
                try:
                    ceremony.verify_decryption_share_signature(
                        str(keys[j]), p.get("signature"), self.election_id,
                        int(setup.manifest["ceremony_round"]), j, str(tally_hash), share)
                except CryptoError as exc:
                    raise InvalidShare(f"{where}: {exc}") from None
            try:
                verify_decryption_share(self.target_cts, share, setup.public_shares[j], j, context,
                                        slot_bound=bound, workers=self.workers)
            except CryptoError as exc:
                slot = first_invalid_slot(self.target_cts, share, setup.public_shares[j], j,
                                          context, slot_bound=bound)
                what = f", {slot_name(setup.manifest, layout, slot)} (slot {slot})" if (
                    slot is not None) else ""
                raise InvalidShare(f"{where}: trustee {j}'s decryption share{what} does not "
                                   f"verify: {exc}") from None
            self.valid_shares[j] = [Point.from_hex(f, allow_identity=True)
                                    for f in share["factors"]]
        self.where = "record"
        self._passed("decryption_shares", f"{len(self.valid_shares)} decryption shares from "
                     f"trustees {sorted(self.valid_shares)} (threshold "
                     f"{setup.manifest['threshold']})", shares=len(self.valid_shares),
                     proofs=len(self.valid_shares) * len(self.target_cts))

    # 11. totals ----------------------------------------------------------------------------
    def check_totals(self) -> None:
        assert self.tally_event is not None and self.result_event is not None
        setup = self.setups[int(self.tally_event["payload"]["definition_version"])]
        layout = layout_of(setup.manifest)
        threshold = int(setup.manifest["threshold"])
        self.where = where = _where(self.result_event)
        p = self.result_event["payload"]
        used = [_int(j, f"{where}: shares_used") for j in _list(p["shares_used"],
                                                                f"{where}: shares_used")]
        if used != sorted(set(used)):
            raise InvalidTally(f"{where}: shares_used {used} must list distinct trustee indices "
                               "in increasing order")
        if len(used) < threshold:
            raise InvalidTally(f"{where}: shares_used {used}: {len(used)} shares, the threshold "
                               f"is {threshold}")
        for j in used:
            if j not in self.valid_shares:
                raise InvalidTally(f"{where}: shares_used names trustee {j}, who has no "
                                   "decryption share on the board before the result")
        totals = [_int(t, f"{where}: totals[{i}]") for i, t in enumerate(_list(p["totals"],
                                                                          f"{where}: totals"))]
        if len(totals) != len(self.tally_cts):
            raise InvalidTally(f"{where}: {len(totals)} totals for {len(self.tally_cts)} tally "
                               "slots")
        bound = len(self.counted)
        lambdas = {j: lagrange_coefficient(j, used) for j in used}
        for i, (ct, total) in enumerate(zip(self.tally_cts, totals, strict=True)):
            name = slot_name(setup.manifest, layout, i)
            if not 0 <= total <= bound:
                raise InvalidTally(f"{where}: {name}: total {total} is outside 0..{bound} "
                                   "(the number of counted ballots)")
            acc = IDENTITY
            for j in used:
                acc = acc + self.valid_shares[j][i] * lambdas[j]
            plain = ct.beta - acc
            if base_mul(total) != plain:
                try:
                    actual = f"it decrypts to {discrete_log(plain, bound)}"
                except CryptoError:
                    actual = f"it does not decrypt to any value in 0..{bound}"
                raise InvalidTally(f"{where}: {name}: published total {total} is not the "
                                   f"decryption of the tally with the shares of trustees {used} "
                                   f"({actual})")
        self.totals = totals
        self.used_shares = used
        self.where = "record"
        self._passed("totals", f"{len(totals)} totals decrypted with the shares of trustees "
                     f"{used}", slots=len(totals), shares_used=len(used))

    # 12. result ----------------------------------------------------------------------------
    def check_result(self) -> None:
        assert self.tally_event is not None and self.result_event is not None
        assert self.totals is not None
        setup = self.setups[int(self.tally_event["payload"]["definition_version"])]
        self.where = where = _where(self.result_event)
        layout = layout_of(setup.manifest)
        expected = election_result(setup.manifest, split_totals(self.totals, layout),
                                   len(self.counted), self.contributors, self._ranked_results(setup))
        published = self.result_event["payload"].get("result")
        diff = _first_difference(published, expected, "result")
        if diff is not None:
            import re

            m = re.match(r"result\.questions\[(\d+)\](?:\.candidates\[(\d+)\])?", diff)
            about = ""
            if m:
                q = int(m.group(1))
                about = f" (question {q}"
                if m.group(2) is not None:
                    c = int(m.group(2))
                    cands = setup.manifest["questions"][q]["candidates"] if q < len(
                        setup.manifest["questions"]) else []
                    name = cands[c].get("name") if c < len(cands) else "?"
                    about += f", candidate {c} ({name})"
                about += ")"
            raise InvalidResult(f"{where}: {diff}{about} is {_lookup(published, diff)!r}, the "
                                f"result arithmetic gives {_lookup(expected, diff)!r}")
        self.result = expected
        self.where = "record"
        questions = len(expected["questions"])
        self._passed("result", f"{questions} question{'s' if questions != 1 else ''}, "
                     f"{expected['ballots_counted']} ballots counted", questions=questions)


    def _ranked_results(self, setup: _Setup) -> dict[int, dict[str, Any]]:
        """Decrypt the last mixes with the shares the result used, decode, count."""
        manifest = setup.manifest
        questions = mixnet.ranked_questions(manifest)
        if not questions:
            return {}
        used = self.used_shares
        lambdas = {j: lagrange_coefficient(j, used) for j in used}
        n_sums = len(self.tally_cts)
        points = []
        for i in range(n_sums, len(self.target_cts)):
            acc = IDENTITY
            for j in used:
                acc = acc + self.valid_shares[j][i] * lambdas[j]
            points.append(self.target_cts[i].beta - acc)
        _, rows = mixnet.split_decrypted([IDENTITY] * n_sums + points, n_sums, self.chains)
        manifests = [st.manifest for st in self.setups.values()]
        if self.counter is None:
            self.notes.append("ranked counts not re-run: no counting engine was given")
        out: dict[int, dict[str, Any]] = {}
        for q in questions:
            if q not in self.chains:
                out[q] = ranked_question(manifest["questions"][q], None, 0, self.counter)
                continue
            rankings, invalid = mixnet.decode_rankings(manifest, manifests, q, rows[q])
            out[q] = ranked_question(manifest["questions"][q], rankings, invalid, self.counter)
        if self.counter is None:
            # Without an engine only the decryption is checked: take the published counts.
            published = (self.result_event or {}).get("payload", {}).get("result", {})
            for q in questions:
                try:
                    out[q]["count"] = published["questions"][q]["count"]
                    out[q]["elected"] = published["questions"][q]["elected"]
                except (KeyError, IndexError, TypeError):
                    pass
        return out


def verify_record(record: dict[str, Any], *, workers: int | None = None,
                  progress: Progress | None = None,
                  counter: RankedCounter | None = None,
                  ballots: BallotSource | None = None,
                  fanout: Fanout | None = None) -> VerificationReport:
    """Verify a whole election record; raise a ``CryptoError`` subclass naming the first thing
    that fails (checks in the order of the module docstring), else return the report.

    ``workers``: processes for ballot verification (default ``os.cpu_count()``; 1 = serial, in
    this process). ``progress(check, done, total)`` is called as checks complete.
    ``ballots``: the record's ballots, streamed (``record`` then needs no ``ballots`` key; memory
    stays bounded by the chunks in flight); ``fanout``: where ballot chunks are verified instead
    of the local process pool (a Dask cluster). Either way the report, and the failure
    reported, are the same as for the whole record in memory."""
    return _Verifier(record, workers, progress, counter, ballots, fanout).run()


__all__ = ["CHECKS", "BallotSource", "CheckResult", "Fanout", "ProcessFanout",
           "VerificationReport", "layout_of", "slot_name", "verify_ballot_chunk",
           "verify_record"]
