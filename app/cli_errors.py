"""User mistakes and unavailable dependencies on the command line: one line on standard error
(``error: …``) and a non-zero status, never a traceback. A traceback still means a bug.

The root ``scrutin`` group catches, around every sub-command: unknown schema revisions (status
2, like a bad option value), an unreachable or unmigrated database, an unreachable server and a
server's error answer (status 1). Refused settings (``SettingsError``) are caught by
``app.cli.main``, status 2."""

from __future__ import annotations

from typing import Any, NoReturn

import httpx
import typer
from alembic.util import CommandError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, ProgrammingError
from typer.core import TyperGroup

from app.client.http import ApiError


def fail(message: str, code: int = 1) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return " ".join(text.splitlines()[0].split()) if text else type(exc).__name__


def _database() -> str:
    from app.cli import _redact
    from app.config import load_settings

    try:
        return _redact(load_settings().effective_database_url)
    except Exception:  # noqa: BLE001 - only for the message
        return "the configured database"


def database_message(exc: DBAPIError) -> str:
    detail = _first_line(exc)
    if "no such table" in detail or "does not exist" in detail and "relation" in detail:
        return f"the database {_database()} has no Scrutin schema ({detail}): run `scrutin db upgrade`"
    return f"cannot use the database {_database()}: {detail}"


def _server(exc: httpx.TransportError) -> str:
    try:
        url = exc.request.url
        return f"{url.scheme}://{url.netloc.decode()}"
    except RuntimeError:
        return "the server"


class FriendlyGroup(TyperGroup):
    def invoke(self, ctx: Any) -> Any:  # typer's own (vendored) click Context
        try:
            return super().invoke(ctx)
        except CommandError as exc:  # alembic: an unknown revision, a broken chain
            fail(f"schema: {exc}", 2)
        except (OperationalError, InterfaceError, ProgrammingError) as exc:
            fail(database_message(exc), 1)
        except httpx.TransportError as exc:
            fail(f"cannot reach {_server(exc)}: {_first_line(exc)}", 1)
        except ApiError as exc:
            fail(f"{exc.code}: {exc.detail}", 1)
