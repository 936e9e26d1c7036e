"""``scrutin roll``: preview an eligibility roll.

    scrutin roll --rules RULES.json --api https://en.wikipedia.org/w/api.php --users USERS.txt
    scrutin roll --rules RULES.json --roll ROLL.csv --users USERS.txt --format csv

Prints, for each user of USERS.txt (``User`` or ``User@wiki`` per line), ``{"user", "eligible",
"reasons"}`` — JSON: a list of these objects; CSV: columns ``user,eligible,reasons`` with the
reasons joined by ``"; "``. ``eligible`` is null (JSON) / empty (CSV) when eligibility could not
be checked; the exit status is then 3. Bad input (rules, users or roll file) exits with 2.
"""

from __future__ import annotations

import io
import json
from enum import StrEnum
from pathlib import Path

import typer

from app.eligibility.errors import RulesError
from app.eligibility.mediawiki import MediaWikiProvider
from app.eligibility.rules import load_rules
from app.eligibility.service import FactsProvider, RollEntry, compute_roll, parse_users
from app.eligibility.static_roll import RollFormatError, StaticRollProvider
from app.neutralise import SafeCsvWriter

EXIT_BAD_INPUT = 2
EXIT_UNAVAILABLE = 3


class OutputFormat(StrEnum):
    json = "json"
    csv = "csv"


def roll_command(
    ctx: typer.Context,
    rules: Path = typer.Option(None, "--rules", help="The election's rules document (JSON)."),
    users: Path = typer.Option(None, "--users", help="Users to check: one `User` or `User@wiki` per line."),
    api: str | None = typer.Option(
        None, "--api", help="MediaWiki Action API URL, e.g. https://en.wikipedia.org/w/api.php"
    ),
    roll: Path | None = typer.Option(
        None, "--roll", help="A static roll (CSV or `User@wiki` lines) instead of --api."
    ),
    output_format: OutputFormat = typer.Option(OutputFormat.json, "--format", help="Output format."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write here instead of standard output."),
    timeout: float = typer.Option(10.0, help="Seconds per API request."),
    maxlag: int = typer.Option(5, help="MediaWiki maxlag parameter (seconds)."),
    retries: int = typer.Option(4, help="Retries on maxlag, 5xx and timeouts."),
    backoff: float = typer.Option(0.5, help="First retry delay in seconds (doubles each time)."),
    user_agent: str | None = typer.Option(
        None,
        "--user-agent",
        envvar="SCRUTIN_WIKI_USER_AGENT",
        help="User-Agent for the wiki API; include a contact address.",
    ),
    workers: int = typer.Option(1, min=1, max=8, help="Parallel requests (keep low)."),
) -> None:
    """Preview an eligibility roll: for each user, eligible or not, and why (or `import`: put
    a `User@wiki` list on an election's roll)."""
    if ctx.invoked_subcommand is not None:
        return
    if rules is None or users is None:
        _fail("give --rules and --users (or the sub-command: import)")
    if (api is None) == (roll is None):
        _fail("give exactly one of --api and --roll")
    try:
        parsed_rules = load_rules(rules)
    except RulesError as exc:
        _fail(f"{rules}: {exc}")
    try:
        user_list = parse_users(users.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        _fail(f"cannot read {users}: {exc.strerror}")
    except ValueError as exc:
        _fail(f"{users}: {exc}")

    provider: FactsProvider
    if roll is not None:
        try:
            provider = StaticRollProvider.from_file(roll)
        except OSError as exc:
            _fail(f"cannot read {roll}: {exc.strerror}")
        except RollFormatError as exc:
            _fail(f"{roll}: {exc}")
        entries = compute_roll(parsed_rules, provider, user_list, max_workers=workers)
    else:
        assert api is not None
        with MediaWikiProvider(
            api, timeout=timeout, maxlag=maxlag, max_retries=retries, backoff=backoff, user_agent=user_agent
        ) as wiki:
            entries = compute_roll(parsed_rules, wiki, user_list, max_workers=workers)

    text = render(entries, output_format)
    if output is not None:
        output.write_text(text, encoding="utf-8")
    else:
        typer.echo(text, nl=False)
    unavailable = sum(entry.eligible is None for entry in entries)
    if unavailable:
        typer.echo(f"{unavailable} of {len(entries)} users could not be checked; retry later", err=True)
        raise typer.Exit(EXIT_UNAVAILABLE)


def render(entries: list[RollEntry], output_format: OutputFormat | str) -> str:
    rows = [entry.to_json() for entry in entries]
    if OutputFormat(output_format) is OutputFormat.json:
        return json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
    buffer = io.StringIO()
    writer = SafeCsvWriter(buffer, lineterminator="\n")
    writer.writerow(["user", "eligible", "reasons"])
    for row in rows:
        eligible = "" if row["eligible"] is None else str(row["eligible"]).lower()
        writer.writerow([row["user"], eligible, "; ".join(row["reasons"])])
    return buffer.getvalue()


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(EXIT_BAD_INPUT)
