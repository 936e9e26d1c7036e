"""The ``scrutin`` command line (Typer).

Sub-command groups from other packages register themselves here with one line each.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

import typer
from sqlalchemy.orm import Session, sessionmaker

from app import db
from app.cli_errors import FriendlyGroup
from app.client.cli import (
    audit_cli,
    credentials_cli,
    receipt_cli,
    roll_import_command,
    securepoll_cli,
    trustee_cli,
    verify_audit_command,
    vote_command,
    wiki_cli,
)
from app.config import Settings, SettingsError, load_settings
from app.counting.cli import count_command
from app.eligibility.cli import roll_command
from app.verify_cli import verify_command

# FriendlyGroup: user mistakes print one line, never a traceback (app/cli_errors.py).
cli = typer.Typer(
    help="Scrutin: verifiable secret-ballot elections for wiki communities.",
    no_args_is_help=True,
    cls=FriendlyGroup,
    pretty_exceptions_show_locals=False,
)
db_cli = typer.Typer(help="Database schema management.", no_args_is_help=True)
cli.add_typer(db_cli, name="db")
outbox_cli = typer.Typer(
    help="The notification outbox (re-vote notices by e-mail or wiki e-mail).", no_args_is_help=True
)
cli.add_typer(outbox_cli, name="outbox")
cli.add_typer(trustee_cli, name="trustee")
cli.add_typer(credentials_cli, name="credentials")
cli.add_typer(audit_cli, name="audit")
cli.add_typer(receipt_cli, name="receipt")
cli.add_typer(wiki_cli, name="wiki")
cli.add_typer(securepoll_cli, name="securepoll")
# `scrutin roll --rules …` previews a roll; `scrutin roll import …` imports one.
roll_cli = typer.Typer(help="Eligibility rolls: preview (options below) or import.")
roll_cli.callback(invoke_without_command=True)(roll_command)
roll_cli.command("import")(roll_import_command)
cli.add_typer(roll_cli, name="roll")
cli.command("vote")(vote_command)
cli.command("count")(count_command)
cli.command("verify")(verify_command)
cli.command("verify-audit")(verify_audit_command)


@cli.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(8000, help="TCP port."),
    workers: int = typer.Option(
        None,
        "--workers",
        min=1,
        max=64,
        help="Server processes (default: SCRUTIN_WORKERS, 1). More than one needs PostgreSQL.",
    ),
) -> None:
    """Run the web service. On the embedded default (SQLite) the schema is upgraded first."""
    import os

    import uvicorn

    from app.main import create_app
    from app.observability import configure_logging

    settings = load_settings()
    workers = workers or settings.workers
    configure_logging(settings.effective_log_format)
    if settings.uses_embedded_database:
        db.upgrade(settings.effective_database_url)
    if settings.uses_embedded_database and settings.demo and settings.dev_login_enabled:
        from app.demo import DEMO_ID, DEMO_TRUSTEES, ensure_demo

        demo_app = create_app(settings, run_scheduler=False)
        if ensure_demo(demo_app, settings.data_dir):
            typer.echo(
                f"demo election ready: http://{host}:{port}/elections/{DEMO_ID} "
                "(log in as DemoVoter1 … DemoVoter20, Alice, Bob or Carol; "
                f"committee: Admin; trustees: {', '.join(DEMO_TRUSTEES)})"
            )
        demo_app.state.engine.dispose()
    database = _redact(settings.effective_database_url)
    typer.echo(
        f"Scrutin on http://{host}:{port} (database: {database}, {workers} "
        f"process{'es' if workers > 1 else ''})"
    )
    # Forwarded headers are resolved by the app itself (SCRUTIN_TRUSTED_PROXIES, uvicorn's
    # ProxyHeadersMiddleware), not by the server's own default of trusting 127.0.0.1.
    # log_config=None: the logs keep the format configure_logging chose.
    if workers == 1:
        uvicorn.run(
            create_app(settings), host=host, port=port, proxy_headers=False, log_config=None, access_log=False
        )
        return
    # Several processes: each builds its own app (serve_app reads the same environment); the
    # metrics of all of them are added up from files in PROMETHEUS_MULTIPROC_DIR, emptied here.
    metrics_dir = Path(os.environ.get("PROMETHEUS_MULTIPROC_DIR") or settings.data_dir / "prometheus")
    metrics_dir.mkdir(parents=True, exist_ok=True)
    for stale in metrics_dir.glob("*.db"):
        stale.unlink()
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir.resolve())
    uvicorn.run(
        "app.main:serve_app",
        factory=True,
        workers=workers,
        host=host,
        port=port,
        proxy_headers=False,
        log_config=None,
        access_log=False,
    )


@db_cli.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head")) -> None:
    """Apply migrations up to REVISION (default: the latest)."""
    settings = load_settings()
    db.upgrade(settings.effective_database_url, revision)
    typer.echo(f"database upgraded to {revision}")


@db_cli.command("downgrade")
def db_downgrade(revision: str = typer.Argument(...)) -> None:
    """Revert migrations down to REVISION ("base" for an empty schema)."""
    settings = load_settings()
    db.downgrade(settings.effective_database_url, revision)
    typer.echo(f"database downgraded to {revision}")


@db_cli.command("current")
def db_current() -> None:
    """Print the schema revision of the database and the latest one the code knows."""
    settings = load_settings()
    engine = db.make_engine(settings.effective_database_url)
    typer.echo(f"current: {db.current_revision(engine)}  head: {db.head_revision()}")


@cli.command("backup")
def backup_command(
    file: Path = typer.Argument(..., help="The backup file to write."),
    force: bool = typer.Option(False, "--force", help="Replace FILE if it exists."),
) -> None:
    """Back up the whole database (SCRUTIN_DATABASE_URL, or the embedded SQLite file) to FILE:
    pg_dump's custom format on PostgreSQL, SQLite's online backup otherwise. Safe while the
    service runs."""
    from app.backup import BackupError, backup

    settings = load_settings()
    try:
        outcome = backup(settings.effective_database_url, file, force=force)
    except BackupError as exc:
        _fail(str(exc))
    typer.echo(outcome.describe("backed up"))


@cli.command("restore")
def restore_command(
    file: Path = typer.Argument(..., help="A file written by `scrutin backup`."),
    force: bool = typer.Option(
        False, "--force", help="Replace the contents of a database that is not empty."
    ),
) -> None:
    """Restore FILE into the configured database. Stop the service first; refuses a database
    that is not empty unless --force. Then run `scrutin db upgrade` if the code is newer."""
    from app.backup import BackupError, restore

    settings = load_settings()
    try:
        outcome = restore(settings.effective_database_url, file, force=force)
    except BackupError as exc:
        _fail(str(exc))
    typer.echo(outcome.describe("restored"))
    head = db.head_revision()
    if outcome.revision != head:
        typer.echo(
            f"the backup is at revision {outcome.revision}, this code at {head}: run `scrutin db upgrade`"
        )


WORKER_INTERVAL_HELP = "Seconds between passes (default: SCRUTIN_SCHEDULER_INTERVAL_SECONDS)."


def _work_loop(
    settings: Settings,
    one_pass: Callable[[sessionmaker[Session]], None],
    *,
    once: bool,
    interval: float | None,
) -> None:
    """A background worker in its own process: ``one_pass`` every ``interval`` seconds (or
    once), on the configured database, until interrupted."""
    import time

    from app.db import make_engine, make_session_factory

    engine = make_engine(settings.effective_database_url)
    sessions = make_session_factory(engine)
    try:
        while True:
            one_pass(sessions)
            if once:
                break
            time.sleep(interval or settings.scheduler_interval_seconds)
    except KeyboardInterrupt:
        pass
    finally:
        engine.dispose()


@outbox_cli.command("work")
def outbox_work(
    once: bool = typer.Option(False, "--once", help="Send what is due now, then exit (cron)."),
    interval: float = typer.Option(None, "--interval", min=0.1, help=WORKER_INTERVAL_HELP),
) -> None:
    """Send queued notices with retries and backoff (every server process does too; this is
    for a separate worker or a server that is not always up)."""
    from app.observability import configure_logging
    from app.services import notify

    settings = load_settings()
    configure_logging(settings.effective_log_format)
    try:
        channels = notify.channels_from(settings)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="SCRUTIN_NOTIFY_CHANNELS") from None
    policy = notify.policy_from(settings)

    def one_pass(sessions: sessionmaker[Session]) -> None:
        report = notify.work_all_due(sessions, channels, policy)
        if once or report.attempted:
            typer.echo(f"sent {report.sent}, to retry {report.retry}, given up {report.failed}")

    _work_loop(settings, one_pass, once=once, interval=interval)


@roll_cli.command("work")
def roll_work(
    once: bool = typer.Option(False, "--once", help="Run the checks that are due, then exit."),
    interval: float = typer.Option(None, "--interval", min=0.1, help=WORKER_INTERVAL_HELP),
) -> None:
    """Compute the frozen rolls the committees asked for, against the wiki (every server
    process does too; this is for a separate worker)."""
    from app.main import make_facts_provider
    from app.observability import configure_logging
    from app.services import roll_checks

    settings = load_settings()
    configure_logging(settings.effective_log_format)
    provider = make_facts_provider(settings)
    if provider is None:
        raise typer.BadParameter("no wiki is configured", param_hint="SCRUTIN_WIKI_API_URL")

    def one_pass(sessions: sessionmaker[Session]) -> None:
        for check_id, status in roll_checks.work_all_due(sessions, provider):
            typer.echo(f"roll check {check_id}: {status}")

    _work_loop(settings, one_pass, once=once, interval=interval)


@cli.command()
def purge(
    retention_days: int = typer.Option(
        None, "--retention-days", min=0, help="Default: SCRUTIN_PII_RETENTION_DAYS (90)."
    ),
) -> None:
    """Delete voters' private signals (IP, user agent) of elections closed longer ago than the
    retention period. The background scheduler does the same every tick."""
    from datetime import timedelta

    from app.db import make_engine, make_session_factory, transaction
    from app.services.scrutiny import purge_due

    settings = load_settings()
    days = settings.pii_retention_days if retention_days is None else retention_days
    engine = make_engine(settings.effective_database_url)
    with transaction(make_session_factory(engine)) as session:
        purged = purge_due(session, timedelta(days=days))
    engine.dispose()
    typer.echo(f"purged private signals of {len(purged)} election(s): {', '.join(purged) or '-'}")


@cli.command()
def simulate(
    voters: int = typer.Option(100, "--voters", min=1),
    candidates: int = typer.Option(5, "--candidates", min=1, max=100),
    trustees: int = typer.Option(3, "--trustees", min=1, max=50),
    threshold: int = typer.Option(2, "--threshold", min=1, max=50),
    revote_rate: float = typer.Option(0.1, "--revote-rate", min=0.0, max=1.0),
    seed: int = typer.Option(1, "--seed"),
    out: Path = typer.Option(Path("record.json"), "--out", help="Where to write the record."),
    database_url: str = typer.Option(
        None, "--database-url", help="PostgreSQL URL (default: a fresh SQLite file)."
    ),
    workers: int = typer.Option(4, "--workers", min=1, help="Concurrent voter clients."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
    separate_server: bool = typer.Option(
        False, "--server-process", help="Run the server in its own process (benchmarks)."
    ),
    scenario: str = typer.Option(
        "basic",
        "--scenario",
        help="basic, or remediation (pause, strike, extend, re-vote, candidate withdrawal, scrutiny strikes)",
    ),
    ranked: Path = typer.Option(
        None,
        "--ranked",
        help="A ranked ballot file (BLT, PrefLib): "
        "cast it encrypted, mix, decrypt, count, compare with "
        "`scrutin count`.",
    ),
    method: str = typer.Option("meek", "--method", help="Counting method (with --ranked)."),
    seats: int = typer.Option(None, "--seats", min=1, help="Seats (with --ranked)."),
    mixers: int = typer.Option(2, "--mixers", min=2, help="Mixes (with --ranked)."),
) -> None:
    """Run a whole S/O/N election over HTTP against a server started here, then check the
    published result against the simulated votes and verify the record."""
    import json

    from app.simulate import run_simulation

    if threshold > trustees:
        raise typer.BadParameter("--threshold cannot exceed --trustees")
    if scenario not in ("basic", "remediation"):
        raise typer.BadParameter("--scenario must be basic or remediation")
    if ranked is not None:
        from app.counting import METHODS, BallotFileError
        from app.simulate import run_ranked_simulation

        if method not in METHODS:
            raise typer.BadParameter(f"--method must be one of {', '.join(METHODS)}")
        try:
            report = run_ranked_simulation(
                ballot_file=ranked,
                method=method,
                seats=seats,
                trustees=trustees,
                threshold=threshold,
                mixers=mixers,
                out=out,
                workers=workers,
                database_url=database_url,
                separate_server=separate_server,
                log=lambda m: typer.echo(m, err=True),
            )
        except (ValueError, BallotFileError, OSError) as exc:
            raise typer.BadParameter(str(exc)) from None
    else:
        report = run_simulation(
            voters=voters,
            candidates=candidates,
            trustees=trustees,
            threshold=threshold,
            revote_rate=revote_rate,
            seed=seed,
            out=out,
            database_url=database_url,
            workers=workers,
            scenario=scenario,
            separate_server=separate_server,
            log=lambda m: typer.echo(m, err=True),
        )
    if as_json:
        typer.echo(json.dumps(report.to_json(), indent=2))
    else:
        for name, value in report.timings.items():
            typer.echo(f"{name:>24}: {value:.2f}")
        typer.echo(f"result matches the simulated votes: {report.result_matches}")
        typer.echo(f"record verified: {report.verified}; written to {report.record_path}")
    if not report.result_matches or report.verified is False:
        raise typer.Exit(1)


def _fail(message: str, code: int = 1) -> NoReturn:
    """A user's mistake or an unavailable dependency: one line on stderr, no traceback."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def _redact(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url


def main() -> None:
    try:
        cli()
    except SettingsError as exc:  # a clear message, not a traceback
        typer.echo(f"error: {exc}", err=True)
        raise SystemExit(2) from None
