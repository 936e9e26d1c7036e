"""``scrutin vote``, ``scrutin trustee ...`` and ``scrutin credentials ...``: the clients from
the command line. Everything secret stays on this machine."""

from __future__ import annotations

import csv
import json
import secrets
from pathlib import Path

import typer

from app.client.http import ApiError, ScrutinSession
from app.client.trustee import TrusteeClient
from app.client.voter import VoterClient
from crypto.credentials import CredentialKey, generate_code
from crypto.group import Scalar

trustee_cli = typer.Typer(help="Trustee tools: key ceremony (and decryption) from a key file.",
                          no_args_is_help=True)
credentials_cli = typer.Typer(help="The independent credential authority's offline tool.",
                              no_args_is_help=True)

URL = typer.Option("http://127.0.0.1:8000", "--url", help="The Scrutin server.")
TOKEN = typer.Option(None, "--token", envvar="SCRUTIN_TOKEN", help="A session token.")
DEV_USER = typer.Option(None, "--dev-user",
                        help="Log in by name (development servers only).")


def _session(url: str, token: str | None, dev_user: str | None) -> ScrutinSession:
    session = ScrutinSession(url, token=token)
    if dev_user:
        session.dev_login(dev_user)
    if not session.token:
        raise typer.BadParameter("give --token (or --dev-user on a development server)")
    return session


def _fail(exc: ApiError) -> None:
    typer.echo(f"error: {exc.code}: {exc.detail}", err=True)
    raise typer.Exit(1)


def parse_choices(text: str) -> list[list[int]]:
    """"1,-1,0" for one question; questions separated by ";". S/O/N: 1 support, -1 oppose,
    0 neutral; approval/plurality: 1 selected, 0 not."""
    try:
        return [[int(v) for v in part.split(",") if v.strip()] for part in text.split(";")]
    except ValueError as exc:
        raise typer.BadParameter(f"choices must be integers: {exc}") from exc


def vote_command(
    election: str = typer.Option(..., "--election", help="Election id."),
    choices: str = typer.Option(..., "--choices", help='e.g. "1,-1,0" (S/O/N per candidate)'),
    code: str = typer.Option(None, "--code", help="Credential code (independent mode)."),
    credential_file: Path = typer.Option(None, "--credential-file",
                                         help="Keep the convenient-mode credential here."),
    url: str = URL, token: str = TOKEN, dev_user: str = DEV_USER,
) -> None:
    """Encrypt a ballot here, cast it, and print the signed receipt."""
    client = VoterClient(_session(url, token, dev_user), election)
    try:
        if code:
            client.use_code(code)
        else:
            if credential_file and credential_file.exists():
                secret = json.loads(credential_file.read_text())["secret"]
                client.credential = CredentialKey.from_secret(Scalar.from_hex(secret))
            client.ensure_credential()
            if credential_file and client.credential:
                credential_file.write_text(json.dumps({"election": election,
                                                       "secret": client.credential.secret.hex()}))
                credential_file.chmod(0o600)
        receipt = client.cast(parse_choices(choices))
    except ApiError as exc:
        _fail(exc)
    typer.echo(json.dumps(receipt, indent=2))


@trustee_cli.command("ceremony")
def trustee_ceremony(
    election: str = typer.Option(..., "--election"),
    key_file: Path = typer.Option(..., "--key-file", help="Your key file (created if absent)."),
    url: str = URL, token: str = TOKEN, dev_user: str = DEV_USER,
) -> None:
    """Do the next step of the key ceremony that is possible now (run it again until done)."""
    client = TrusteeClient(_session(url, token, dev_user), election, key_file)
    try:
        status = client.status()
        me = next((t for t in status["trustees"] if t["index"] == client.state.get("index")),
                  None)
        mine = me["status"] if me else "invited"
        if mine == "invited":
            typer.echo(f"joined as trustee {client.join()}")
        elif mine == "joined":
            client.commit()
            typer.echo("commitments published")
        elif mine == "committed":
            client.send_shares()
            typer.echo("sealed shares sent")
        elif mine == "shared":
            result = client.verify_and_confirm()
            typer.echo(f"shares checked: {result['status']}")
        else:
            typer.echo(f"nothing to do: this trustee is {mine}; election is {status['phase']}")
    except ApiError as exc:
        _fail(exc)


@trustee_cli.command("decrypt")
def trustee_decrypt(
    election: str = typer.Option(..., "--election"),
    key_file: Path = typer.Option(..., "--key-file", help="Your key file from the ceremony."),
    url: str = URL, token: str = TOKEN, dev_user: str = DEV_USER,
) -> None:
    """Compute your decryption share of the tally locally and submit it."""
    client = TrusteeClient(_session(url, token, dev_user), election, key_file)
    try:
        result = client.decrypt()
    except ApiError as exc:
        _fail(exc)
    if result.get("result"):
        typer.echo("share accepted; the threshold is reached and the result is published")
    else:
        typer.echo(f"share accepted; shares so far from trustees {result['shares']} "
                   f"(threshold {result['threshold']})")


@credentials_cli.command("generate")
def credentials_generate(
    election: str = typer.Option(..., "--election"),
    roll: Path = typer.Option(..., "--roll", help="Frozen roll: one username per line."),
    public_out: Path = typer.Option(..., "--public-out", help="Public credentials (JSON)."),
    codes_out: Path = typer.Option(..., "--codes-out",
                                   help="Mail-merge CSV username,code (keep secret)."),
) -> None:
    """Make one secret code per voter offline; only the public credentials are uploaded."""
    names = [line.strip() for line in roll.read_text().splitlines() if line.strip()]
    if len(set(names)) != len(names):
        raise typer.BadParameter("the roll lists a voter twice")
    rows, public = [], []
    for name in names:
        code = generate_code()
        rows.append((name, code))
        public.append(CredentialKey.from_code(code, election).public.hex())
    # Sorted, so the list's order says nothing about who holds which credential.
    public.sort()
    public_out.write_text(json.dumps({"election": election, "public_keys": public}, indent=1))
    with codes_out.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["username", "code"])
        writer.writerows(secrets.SystemRandom().sample(rows, len(rows)))
    codes_out.chmod(0o600)
    typer.echo(f"{len(public)} credentials: public list in {public_out}, codes in {codes_out}")


@credentials_cli.command("upload")
def credentials_upload(
    election: str = typer.Option(..., "--election"),
    public_file: Path = typer.Option(..., "--public-file"),
    url: str = URL, token: str = TOKEN, dev_user: str = DEV_USER,
) -> None:
    """Publish the public credentials (credential authority role, before voting opens)."""
    data = json.loads(public_file.read_text())
    if data.get("election") != election:
        raise typer.BadParameter("this file was generated for another election")
    try:
        result = _session(url, token, dev_user).post(
            f"/api/v1/elections/{election}/credentials", {"public_keys": data["public_keys"]})
    except ApiError as exc:
        _fail(exc)
    typer.echo(f"published {result['count']} credentials")
