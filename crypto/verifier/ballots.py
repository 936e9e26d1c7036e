"""Check 6 (``ballots``): each ``ballot_cast``'s tracker is the hash of the ballot in the
record, the ballot's credential is the event's, every proof and the signature verify under the
manifest of its definition version (``crypto.ballots.verify_ballot``); no ballot in the record
that no event refers to. This is the expensive part: chunks of ballots are verified in a
process pool (``ProcessFanout``) or elsewhere (a ``Fanout``: ``app.verify_dask``), each worker
returning the partial homomorphic sums of its counted ballots (``ChunkResult``)."""

from __future__ import annotations

import math
import multiprocessing
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from typing import Any, Protocol

from .. import errors
from ..ballots import BallotContext, ballot_tracker, verify_ballot
from ..elgamal import Ciphertext
from ..errors import CryptoError, InvalidBallot, InvalidRecord
from ..group import IDENTITY, Point
from ..hashing import canonical_problem
from ..manifest import ballot_context
from ..tally import CastRecord
from .common import CheckResult, Progress, passed
from .setup import Setups
from .shape import BallotSource, Event

_WORKER_CONTEXTS: dict[int, BallotContext] = {}
_WORKER_KEY: list[tuple[tuple[int, str], ...]] = []

BallotTask = tuple[int, str, int, str, Any, bool]
"""(seq, tracker, definition_version, credential of the event, ballot, counted?)."""
PackedSums = dict[int, tuple[int, list[tuple[bytes, bytes]]]]
PackedRanked = dict[str, dict[int, list[tuple[bytes, bytes]]]]
ChunkResult = tuple[int, PackedSums, tuple[int, str, str, str] | None, PackedRanked]
"""(ballots verified, per definition version: (counted ballots, partial slot sums as point
bytes), error or None, the counted ballots' ranked answers by tracker and question) with the
error as (seq, tracker, exception class name, message)."""

Manifests = dict[int, tuple[dict[str, Any], str]]
"""Per ballot definition version: (manifest, fingerprint) — all a ballot worker needs."""


def _contexts(manifests: Mapping[int, tuple[dict[str, Any], str]]) -> dict[int, BallotContext]:
    return {v: ballot_context(m, fp) for v, (m, fp) in manifests.items()}


def _manifests_key(manifests: Mapping[int, tuple[dict[str, Any], str]]) -> tuple[tuple[int, str], ...]:
    return tuple(sorted((v, fp) for v, (_m, fp) in manifests.items()))


def _init_worker(manifests: dict[int, tuple[dict[str, Any], str]]) -> None:
    """Each worker rebuilds the ballot contexts from the manifests (nothing else is shared)."""
    _WORKER_CONTEXTS.clear()
    _WORKER_CONTEXTS.update(_contexts(manifests))
    _WORKER_KEY[:] = [_manifests_key(manifests)]


def verify_ballot_chunk(
    manifests: dict[int, tuple[dict[str, Any], str]], tasks: list[BallotTask]
) -> ChunkResult:
    """Verify one chunk of ballots in a worker that was not initialised with the manifests
    (a Dask worker): the ballot contexts are built once per process and per set of manifests
    (keyed by their fingerprints), then ``_verify_chunk`` runs as in the process pool."""
    key = _manifests_key(manifests)
    if _WORKER_KEY != [key]:
        _init_worker(manifests)
    return _verify_chunk(tasks)


def _verify_one(ctx: BallotContext, task: BallotTask) -> list[list[Ciphertext]]:
    _seq, tracker, _version, credential, ballot, _counted = task
    if not isinstance(ballot, dict):
        raise InvalidBallot("the ballot is not a JSON object")
    try:
        actual = ballot_tracker(ballot)
    except ValueError:
        # canonical_json's refusal of a value JSON allows (a float, a huge integer) is a verdict
        # on the ballot; a ValueError the ballot does not explain is a bug and propagates.
        problem = canonical_problem(ballot, "ballot")
        if problem is None:
            raise
        raise InvalidBallot(problem) from None
    if actual != tracker:
        raise InvalidBallot(f"the ballot in the record hashes to {actual}, not to its tracker")
    if ballot.get("credential") != credential:
        raise InvalidBallot(
            f"the ballot is signed with credential {ballot.get('credential')!r}, "
            f"the board event names {credential}"
        )
    return verify_ballot(ctx, ballot).ciphertexts


def _verify_chunk(
    tasks: list[BallotTask], contexts: Mapping[int, BallotContext] | None = None
) -> ChunkResult:
    """Verify the tasks in order; stop at the first that does not verify (its error is the
    chunk's). ``crypto.ballots.parse_ballot`` validates a ballot's whole structure, so only a
    ``CryptoError`` is a verdict: anything else propagates (a bug, ``VerifierBug``)."""
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
        done += 1
        # Ranked answers are mixed, not summed: keep them apart (counted ballots only).
        flat = [
            ct
            for spec, cts in zip(ctx.questions, answers, strict=True)
            if spec.kind != "ranked"
            for ct in cts
        ]
        if task[5]:
            ranked = {
                q: [(c.alpha.to_bytes(), c.beta.to_bytes()) for c in cts]
                for q, (spec, cts) in enumerate(zip(ctx.questions, answers, strict=True))
                if spec.kind == "ranked"
            }
            if ranked:
                ranked_rows[tracker] = ranked
            count, acc = sums.get(version, (0, [Ciphertext(IDENTITY, IDENTITY)] * len(flat)))
            sums[version] = (count + 1, [a + b for a, b in zip(acc, flat, strict=True)])
    packed = {v: (n, [(c.alpha.to_bytes(), c.beta.to_bytes()) for c in cts]) for v, (n, cts) in sums.items()}
    return done, packed, None, ranked_rows


def _error_class(name: str) -> type[CryptoError]:
    cls = getattr(errors, name, None)
    if isinstance(cls, type) and issubclass(cls, CryptoError):
        return cls
    return InvalidRecord


class Fanout(Protocol):
    """Where ballot chunks are verified (default: a local process pool; ``app.verify_dask``:
    a Dask cluster). ``map`` verifies every chunk it draws from ``chunks`` with
    ``verify_ballot_chunk(manifests, chunk)`` semantics and yields the results in any order;
    it draws lazily, keeping only a bounded number of chunks in flight."""

    def workers(self) -> int: ...

    def map(self, manifests: Manifests, chunks: Iterator[list[BallotTask]]) -> Iterator[ChunkResult]: ...


class ProcessFanout:
    """A pool of ``n`` spawned processes, at most ``2·n`` chunks in flight."""

    def __init__(self, n: int) -> None:
        self.n = n

    def workers(self) -> int:
        return self.n

    def map(self, manifests: Manifests, chunks: Iterator[list[BallotTask]]) -> Iterator[ChunkResult]:
        # "spawn": a forked child of a process with the native kernel's Go runtime loaded
        # hangs (and a fork would copy held locks in a threaded server).
        with ProcessPoolExecutor(
            max_workers=self.n,
            initializer=_init_worker,
            initargs=(manifests,),
            mp_context=multiprocessing.get_context("spawn"),
        ) as pool:
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


@dataclass(frozen=True)
class Ballots:
    """What the ballots established: per definition version the homomorphic sums of its
    counted ballots and how many there are; the counted ballots' ranked answers."""

    version_sums: Mapping[int, tuple[list[Ciphertext], int]]
    ranked_rows: Mapping[str, Mapping[int, list[Ciphertext]]]


def check_ballots(
    ballots: Collection[str],
    held: Mapping[str, Any] | None,
    source: BallotSource | None,
    casts: Sequence[Event],
    counted: Sequence[CastRecord],
    setups: Setups,
    *,
    workers: int,
    fanout: Fanout | None,
    progress: Progress | None,
) -> tuple[Ballots, CheckResult]:
    """``ballots``: the record's trackers; ``held``: the ballots in memory (else ``source``
    streams them)."""
    trackers: dict[str, int] = {}
    cast_seq: dict[str, tuple[int, str]] = {}
    for event in casts:
        where, p = event.where, event.payload
        tracker = p["tracker"]
        if tracker in trackers:
            raise InvalidBallot(
                f"{where}: ballot {tracker} was already cast in board event {trackers[tracker]}"
            )
        trackers[tracker] = event.seq
        if tracker not in ballots:
            raise InvalidBallot(f"{where}: ballot {tracker} is not in the record")
        for earlier in p["supersedes"]:
            if earlier not in cast_seq or cast_seq[earlier][1] != p["credential"]:
                raise InvalidBallot(
                    f"{where}: ballot {tracker} says it supersedes {earlier}, "
                    "which is not an earlier ballot of the same credential"
                )
        cast_seq[tracker] = (event.seq, p["credential"])
    for tracker in ballots:
        if tracker not in trackers:
            raise InvalidBallot(
                f"record.ballots: ballot {tracker} is in the record but no ballot_cast event refers to it"
            )

    counted_set = {c.tracker for c in counted}
    meta = {
        e.payload["tracker"]: (e.seq, int(e.payload["definition_version"]), e.payload["credential"])
        for e in casts
    }
    if source is None:  # in memory: in board order
        assert held is not None
        entries: Iterable[tuple[str, Any]] = ((t, held[t]) for t in meta)
    else:  # streamed: in record order, read once
        entries = source.entries()
    manifests = setups.manifests()
    total = len(meta)
    sums: dict[int, tuple[list[Ciphertext], int]] = {}
    ranked_rows: dict[str, dict[int, list[Ciphertext]]] = {}
    done = 0
    first_error: tuple[int, str, str, str] | None = None

    def absorb(result: ChunkResult) -> None:
        # Chunks may finish in any order: keep the failure of the earliest board event,
        # which is the one a serial check in board order would report.
        nonlocal done, first_error
        n, packed, error, rows = result
        for tracker, by_question in rows.items():
            ranked_rows[tracker] = {
                q: [Ciphertext(Point(a), Point(b)) for a, b in row] for q, row in by_question.items()
            }
        if error is not None and (first_error is None or error[0] < first_error[0]):
            first_error = error
        done += n
        for version, (count, raw) in packed.items():
            part = [Ciphertext(Point(a), Point(b)) for a, b in raw]
            acc, before = sums.get(version, ([Ciphertext(IDENTITY, IDENTITY)] * len(part), 0))
            sums[version] = ([x + y for x, y in zip(acc, part, strict=True)], before + count)
        if progress is not None:
            progress("ballots", done, total)

    def chunks(size: int) -> Iterator[list[BallotTask]]:
        """Tasks in chunks of ``size`` (each sorted by board event), drawn lazily from the
        entries, so that only the chunks in flight are held; once a ballot failed, only
        earlier ones are still checked."""
        chunk: list[BallotTask] = []
        seen = 0
        for tracker, ballot in entries:
            m = meta.get(tracker)
            if m is None:  # the trackers were checked above: the file changed under us
                raise InvalidRecord(
                    f"record.ballots: ballot {tracker} was not in the record when it was first read"
                )
            seen += 1
            if first_error is not None and m[0] > first_error[0]:
                continue
            chunk.append((m[0], tracker, m[1], m[2], ballot, tracker in counted_set))
            if len(chunk) >= size:
                yield sorted(chunk, key=lambda t: t[0])
                chunk = []
        if chunk:
            yield sorted(chunk, key=lambda t: t[0])
        if seen != total:
            raise InvalidRecord(
                f"record.ballots: {seen} ballots read, {total} expected "
                "(the record changed while it was read)"
            )

    if fanout is not None:
        n_workers = max(1, fanout.workers())
    else:
        n_workers = min(workers, max(1, total))
    size = max(1, min(16, math.ceil(total / (n_workers * 4)))) if n_workers > 1 else 4
    if fanout is None and (n_workers <= 1 or total < 2):
        contexts = _contexts(manifests)
        for chunk in chunks(size):
            absorb(_verify_chunk(chunk, contexts))
    else:
        for result in (fanout or ProcessFanout(n_workers)).map(manifests, chunks(size)):
            absorb(result)
    if first_error is not None:
        seq, tracker, cls, message = first_error
        raise _error_class(cls)(f"board event {seq} (ballot_cast), ballot {tracker}: {message}")
    versions = sorted({int(e.payload["definition_version"]) for e in casts})
    facts = Ballots(sums, ranked_rows)
    return facts, passed(
        "ballots",
        f"{total} ballots: trackers, credentials, proofs and "
        f"signatures (definition versions {versions or '-'}; {n_workers} "
        f"worker{'s' if n_workers != 1 else ''})",
        ballots=total,
        workers=n_workers,
    )
