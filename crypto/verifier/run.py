"""``verify_record``: the checks in order, each a function of what the record holds and what
the checks before it established (frozen values: ``Envelope``, ``Board``, ``Setups``,
``Phases``, ``Ballots``, ``Aggregate``, ``Target``, ``Totals``…), no state shared between them.

A ``CryptoError`` from a check is the verdict (the record does not verify); an ``OSError``
propagates unchanged. Any other exception is a bug — in a check, or in a library it calls on
input the shape checks (``crypto.verifier.shape``) have already validated — and is raised as
:class:`VerifierBug` (its cause chained), never as a rejected or malformed record."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from .. import mixnet
from ..errors import CryptoError
from ..results import RankedCounter
from .aggregate import check_aggregate
from .anchors import check_audit_anchors
from .ballots import Fanout, check_ballots
from .common import CheckResult, Progress, VerifierBug, skipped
from .counted import check_counted, counted_set
from .credentials import check_credentials
from .mixes import check_mixes
from .outcome import check_result, check_totals
from .phases import check_phases
from .setup import check_setup
from .shape import BallotSource, check_chain, check_record
from .shares import check_shares


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
            "verified": True,
            "election_id": self.election_id,
            "stage": self.stage,
            "head": self.head,
            "events": self.events,
            "credential_mode": self.credential_mode,
            "fingerprint": self.fingerprint,
            "tally_present": self.tally_present,
            "checks": [c.to_json() for c in self.checks],
            "counted": list(self.counted),
            "totals": list(self.totals) if self.totals is not None else None,
            "result": self.result,
            "notes": list(self.notes),
        }


T = TypeVar("T")


def run_check(name: str, check: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run one check: its ``CryptoError`` is the verdict; an ``OSError`` (reading a streamed
    record, reaching a Dask cluster) is neither verdict nor bug and propagates as it is;
    anything else is a bug."""
    try:
        return check(*args, **kwargs)
    except (CryptoError, OSError):
        raise
    except Exception as exc:
        raise VerifierBug(name, exc) from exc


def verify_record(
    record: dict[str, Any],
    *,
    workers: int | None = None,
    progress: Progress | None = None,
    counter: RankedCounter | None = None,
    ballots: BallotSource | None = None,
    fanout: Fanout | None = None,
) -> VerificationReport:
    """Verify a whole election record; raise a ``CryptoError`` subclass naming the first thing
    that fails (checks in the order of ``crypto.record``'s docstring), else return the report.
    A bug in the verifier raises :class:`VerifierBug` (not a ``CryptoError``).

    ``workers``: processes for ballot verification (default ``os.cpu_count()``; 1 = serial, in
    this process). ``progress(check, done, total)`` is called as checks complete.
    ``ballots``: the record's ballots, streamed (``record`` then needs no ``ballots`` key; memory
    stays bounded by the chunks in flight); ``fanout``: where ballot chunks are verified instead
    of the local process pool (a Dask cluster). Either way the report, and the failure
    reported, are the same as for the whole record in memory."""
    n_workers = workers if workers is not None else (os.cpu_count() or 1)
    if n_workers < 1:
        raise ValueError("workers must be >= 1")
    checks: list[CheckResult] = []
    notes: list[str] = []

    def done(result: CheckResult) -> None:
        checks.append(result)
        if progress is not None and result.status == "passed":
            progress(result.name, 1, 1)

    envelope, found = run_check("record", check_record, record, ballots)
    done(found)
    board, found = run_check("chain", check_chain, envelope)
    done(found)
    setups, found = run_check("setup", check_setup, board)
    notes += setups.notes
    done(found)
    phases, found = run_check("phases", check_phases, board, setups)
    done(found)
    done(run_check("audit_anchors", check_audit_anchors, board))
    done(run_check("credentials", check_credentials, board, setups.mode))
    counted = run_check("counted", counted_set, board)
    held = record["ballots"] if ballots is None else None
    verified, found = run_check(
        "ballots",
        check_ballots,
        envelope.ballots,
        held,
        ballots,
        phases.casts,
        counted,
        setups,
        workers=n_workers,
        fanout=fanout,
        progress=progress,
    )
    done(found)
    counted_facts, found = run_check("counted", check_counted, board, phases, setups, counted)
    notes += counted_facts.notes
    done(found)
    totals = result = None
    target_hash = None
    chains: Mapping[int, mixnet.Chain] = {}
    if phases.tally is None:
        for name in ("aggregate", "mixes", "decryption_shares", "totals", "result"):
            done(skipped(name, f"no tally on the board yet (stage: {phases.stage})"))
    else:
        aggregate, found = run_check(
            "aggregate", check_aggregate, phases.tally, setups, verified.version_sums, len(counted)
        )
        done(found)
        target, found = run_check(
            "mixes",
            check_mixes,
            board.election_id,
            phases,
            aggregate,
            verified.ranked_rows,
            counted,
            workers=n_workers,
        )
        done(found)
        chains, target_hash = target.chains, target.hash
        shares, found = run_check(
            "decryption_shares",
            check_shares,
            board.election_id,
            phases.tally,
            aggregate.setup,
            target,
            phases.shares,
            workers=n_workers,
        )
        done(found)
        if phases.result is None:
            done(skipped("totals", f"no result on the board yet ({len(shares)} decryption shares so far)"))
            done(skipped("result", "no result on the board yet"))
        else:
            decrypted, found = run_check(
                "totals",
                check_totals,
                phases.result,
                aggregate.setup,
                aggregate.ciphertexts,
                shares,
                len(counted),
            )
            done(found)
            outcome, found = run_check(
                "result",
                check_result,
                phases.result,
                aggregate.setup,
                setups,
                decrypted,
                target,
                len(aggregate.ciphertexts),
                shares,
                len(counted),
                aggregate.contributors,
                counter,
            )
            notes += outcome.notes
            done(found)
            totals, result = decrypted.totals, outcome.result
    last = setups.last
    return VerificationReport(
        election_id=board.election_id,
        stage=phases.stage,
        head=board.head,
        events=len(board.events),
        credential_mode=setups.mode,
        fingerprint=last.fingerprint if last else None,
        checks=tuple(checks),
        tally_present=phases.tally is not None,
        counted=tuple(c.tracker for c in counted),
        totals=totals,
        result=result,
        notes=tuple(notes),
        mix_chains=chains,
        decryption_target=target_hash,
    )
