"""``scrutin verify RECORD``: check an exported election record, independently of any server
or database (DESIGN §3.5). Exit codes: 0 verified, 1 the record does not verify (the message
says which event, ballot, trustee, question or candidate), 2 not a readable record (or the
Dask scheduler of ``--dask`` cannot be reached), 3 an internal error of the verifier (a bug,
``crypto.record.VerifierBug``: no verdict on the record either way)."""

from __future__ import annotations

import contextlib
import json
import sys
import traceback
from pathlib import Path
from typing import Any

import typer

from app.counting import count_rankings
from app.record_file import open_record
from crypto.errors import CryptoError, UnsupportedRecord
from crypto.record import VerificationReport, VerifierBug, verify_record


def _fail(message: str, code: int, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps({"verified": False, "error": message}, ensure_ascii=False))
    else:
        typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def _result_lines(result: dict[str, Any]) -> list[str]:
    lines = [f"Result ({result['ballots_counted']} ballots counted)"]
    for qi, q in enumerate(result["questions"]):
        lines.append(f"  Question {qi + 1} ({q['kind']})")
        if q["kind"] == "sonc":
            lines.append(
                f"    {'candidate':<28} {'support':>7} {'oppose':>7} {'neutral':>7} {'%':>7}  outcome"
            )
            for c in q["candidates"]:
                outcome = (
                    "withdrawn"
                    if c["withdrawn"]
                    else "elected"
                    if c["position"] in (q.get("elected") or [])
                    else "passed"
                    if c["passed"]
                    else "not passed"
                )
                pct = c["percent"] if c["percent"] is not None else "-"
                lines.append(
                    f"    {str(c['name'])[:28]:<28} {c['support']:>7} {c['oppose']:>7} "
                    f"{c['neutral']:>7} {pct:>7}  {outcome}"
                )
        else:
            lines.append(f"    {'option':<28} {'votes':>7}  outcome")
            for c in q["candidates"]:
                outcome = (
                    "withdrawn"
                    if c["withdrawn"]
                    else "elected"
                    if c["position"] in (q.get("elected") or [])
                    else ""
                )
                lines.append(f"    {str(c['name'])[:28]:<28} {c['votes']:>7}  {outcome}")
        if q.get("tie"):
            lines.append(
                f"    tie for {q['tie']['seats']} seat(s) between positions "
                f"{q['tie']['candidates']}: not broken by the count"
            )
    return lines


def render(report: VerificationReport) -> str:
    lines = [f"Election {report.election_id}: record verified (stage: {report.stage})"]
    for check in report.checks:
        mark = "✓" if check.status == "passed" else "–"
        counts = ", ".join(f"{k} {v}" for k, v in check.counts.items())
        lines.append(
            f"  {mark} {check.name:<18} {check.summary}"
            + (f" [{counts}]" if counts and check.status == "passed" else "")
        )
    if not report.tally_present:
        lines.append(f"No tally on the board yet: {len(report.counted)} ballots would count.")
    elif report.result is None:
        lines.append("The tally has started; no result is published yet.")
    if report.result is not None:
        lines += _result_lines(report.result)
    for note in report.notes:
        lines.append(f"note: {note}")
    lines.append(f"Chain head: {report.head} ({report.events} events)")
    return "\n".join(lines)


def verify_command(
    record: Path = typer.Argument(..., help="The election record (JSON) to verify."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
    workers: int | None = typer.Option(
        None, "--workers", min=1, help="Processes for ballot verification (default: all cores)."
    ),
    dask: str | None = typer.Option(
        None,
        "--dask",
        metavar="ADDRESS",
        help="Verify the ballots on this Dask scheduler (tcp://host:8786; extra scrutin[dask]).",
    ),
) -> None:
    """Verify an election record: chain, key ceremony, credentials, every ballot, the counted
    set, the tally, the decryption and the result. Exits 1 on any failure."""
    try:
        loaded = open_record(record)  # the ballots are streamed, not held (app/record_file.py)
    except OSError as exc:
        _fail(f"cannot read {record}: {exc.strerror or exc}", 2, as_json)
    except (ValueError, UnicodeDecodeError) as exc:
        _fail(f"{record} is not JSON: {exc}", 2, as_json)

    def progress(check: str, done: int, total: int) -> None:
        if check == "ballots" and not as_json and sys.stderr.isatty():
            typer.echo(f"\r  verifying ballots {done}/{total}", nl=False, err=True)

    try:
        with contextlib.ExitStack() as stack:
            fanout = None
            if dask is not None:
                from app.verify_dask import DaskFanout, DaskUnavailable

                try:
                    fanout = stack.enter_context(DaskFanout(dask))
                except DaskUnavailable as exc:
                    _fail(str(exc), 2, as_json)
            report = verify_record(
                loaded.record,
                workers=workers,
                progress=progress,
                counter=count_rankings,
                ballots=loaded.ballots,
                fanout=fanout,
            )
    except UnsupportedRecord as exc:
        _fail(str(exc), 2, as_json)
    except CryptoError as exc:
        _fail(f"record does NOT verify: {exc}", 1, as_json)
    except VerifierBug as exc:
        if not as_json:
            traceback.print_exception(exc.__cause__ or exc, file=sys.stderr)
        _fail(f"{exc}; please report it", 3, as_json)
    if sys.stderr.isatty() and not as_json:
        typer.echo("\r", nl=False, err=True)
    if as_json:
        typer.echo(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    else:
        typer.echo(render(report))
