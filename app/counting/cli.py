"""``scrutin count``: count a plaintext ballot file and print the result."""

from __future__ import annotations

from pathlib import Path

import typer

from app.counting import METHODS, CountingError, count, load_file
from app.counting.output import render

FORMATS = ("json", "text", "wikitext")


def _choice(value: str, allowed: tuple[str, ...], option: str) -> str:
    if value not in allowed:
        raise typer.BadParameter(f"{value!r} is not one of: {', '.join(allowed)}", param_hint=option)
    return value


def count_command(
    file: Path = typer.Argument(..., help="BLT, PrefLib .soi/.toi or Debian tally sheet."),
    method: str = typer.Option(..., "--method", "-m", help="|".join(METHODS)),
    seats: int | None = typer.Option(None, "--seats", help="Seats to fill (default: the file's)."),
    quorum: str | None = typer.Option(None, "--quorum", help="Debian quorum Q."),
    withdraw: list[str] = typer.Option(
        [], "--withdraw", help="Withdrawn candidate (name, unique prefix or number); repeatable."
    ),
    majority: list[str] = typer.Option(
        [], "--majority", help="Debian majority requirement OPTION=N, e.g. 1=3; repeatable."
    ),
    strict_majority: bool = typer.Option(
        False,
        "--strict-majority",
        help="Debian before 2006: an option needs V(A,D) > N*V(D,A) rather than >=.",
    ),
    precision: int | None = typer.Option(None, "--precision", help="Meek decimals."),
    seed: int = typer.Option(0, "--seed", help="Seed of the lot for ties left to chance."),
    fmt: str = typer.Option("text", "--format", "-f", help="|".join(FORMATS)),
) -> None:
    """Count plaintext ballots with an STV, IRV, Schulze or Debian rule."""
    _choice(method, METHODS, "--method")
    _choice(fmt, FORMATS, "--format")
    majorities = {}
    for spec in majority:
        key, sep, value = spec.partition("=")
        if not sep:
            raise typer.BadParameter(f"expected OPTION=N, got {spec!r}", param_hint="--majority")
        majorities[key.strip()] = value.strip()
    try:
        profile = load_file(file)
        result = count(
            method,
            profile,
            seats,
            withdraw=withdraw,
            quorum=quorum,
            majorities=majorities or None,
            majority_rule="strict" if strict_majority else "at-least",
            precision=precision,
            seed=seed,
        )
    except CountingError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(render(result, fmt), nl=False)
