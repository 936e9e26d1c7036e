"""``scrutin vote``, ``scrutin trustee ...`` and ``scrutin credentials ...``: the clients from
the command line. Everything secret stays on this machine."""

from __future__ import annotations

import getpass
import json
import os
import secrets
from pathlib import Path

import typer

from app.client.http import ApiError, ScrutinSession
from app.client.keyfile import AUTHORITY_FORMAT, KeyFile, KeyFileError, write_private
from app.client.trustee import TrusteeClient, TrusteeRefusal, load_fingerprints
from app.client.voter import VoterClient, VoterRefusal, check_receipt
from app.neutralise import SafeCsvWriter
from crypto import auditlog, ceremony
from crypto.audit import choices_in_words, verify_audit
from crypto.board import verify_chain
from crypto.credentials import CredentialKey, format_code, generate_code
from crypto.errors import CryptoError, InvalidRecord
from crypto.fingerprint import fingerprint_code
from crypto.group import Scalar
from crypto.manifest import ballot_context
from crypto.roll import (
    authority_fingerprint,
    authority_public,
    roll_fingerprint,
    sign_credential_list,
    verify_credential_list,
)

trustee_cli = typer.Typer(
    help="Trustee tools: key ceremony (and decryption) from a key file.", no_args_is_help=True
)
audit_cli = typer.Typer(
    help="Check an election's private audit log against its public board.", no_args_is_help=True
)
credentials_cli = typer.Typer(
    help="The independent credential authority's offline tool.", no_args_is_help=True
)
receipt_cli = typer.Typer(
    help="Check a cast receipt against the public board (anyone can).", no_args_is_help=True
)

DEFAULT_URL = "http://127.0.0.1:8000"
URL = typer.Option(DEFAULT_URL, "--url", help="The Scrutin server.")
TOKEN = typer.Option(None, "--token", envvar="SCRUTIN_TOKEN", help="A session token.")
DEV_USER = typer.Option(None, "--dev-user", help="Log in by name (development servers only).")


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
    """ "1,-1,0" for one question; questions separated by ";". S/O/N: 1 support, -1 oppose,
    0 neutral; approval/plurality: 1 selected, 0 not."""
    try:
        return [[int(v) for v in part.split(",") if v.strip()] for part in text.split(";")]
    except ValueError as exc:
        raise typer.BadParameter(f"choices must be integers: {exc}") from exc


def vote_command(
    election: str = typer.Option(..., "--election", help="Election id."),
    choices: str = typer.Option(..., "--choices", help='e.g. "1,-1,0" (S/O/N per candidate)'),
    code: str = typer.Option(
        None,
        "--code",
        help="Credential code: the credential authority's (independent mode), or the one shown "
        "when your credential was made, here or in the booth (convenient mode: votes "
        "again from any device).",
    ),
    credential_file: Path = typer.Option(
        None, "--credential-file", help="Keep the convenient-mode credential here."
    ),
    fingerprint: str = typer.Option(
        None,
        "--fingerprint",
        help="The election's fingerprint code as the committee published it (e.g. on the "
        "wiki): refuse to encrypt for any other election.",
    ),
    url: str = URL,
    token: str = TOKEN,
    dev_user: str = DEV_USER,
) -> None:
    """Check the election against the public board, encrypt a ballot here, cast it, check the
    signed receipt against the board and print it."""
    try:
        client = VoterClient(_session(url, token, dev_user), election, expected_fingerprint=fingerprint)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--fingerprint") from None
    try:
        typer.echo(
            f"election fingerprint code: {client.fingerprint_code} (compare it with the "
            "one the committee published)",
            err=True,
        )
        if code:
            try:
                client.use_code(code)
            except CryptoError as exc:
                raise typer.BadParameter(str(exc), param_hint="--code") from None
        elif credential_file and credential_file.exists():
            saved = json.loads(credential_file.read_text())
            if saved.get("code"):
                client.use_code(saved["code"])
            else:
                client.credential = CredentialKey.from_secret(Scalar.from_hex(saved["secret"]))
        if client.status()["credential_mode"] == "convenient":
            client.ensure_credential()
            if client.new_code:
                typer.echo(
                    f"your credential code: {format_code(client.new_code)} — keep it "
                    "secret and safe: type it (scrutin vote --code, or in the booth) to "
                    "vote again from another device",
                    err=True,
                )
            if credential_file and client.credential:
                saved = {"election": election, "secret": client.credential.secret.hex()}
                if client.new_code or code:
                    saved["code"] = client.new_code or code
                write_private(credential_file, json.dumps(saved).encode())
        receipt = client.cast(parse_choices(choices))
    except ApiError as exc:
        _fail(exc)
    except VoterRefusal as exc:
        typer.echo(f"refused: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(
        "receipt checked: signed by the election's receipt key, ballot on the board at "
        f"event {receipt['board_seq']}",
        err=True,
    )
    typer.echo(json.dumps(receipt, indent=2))


def _read_json(path: Path, what: str) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        typer.echo(f"error: {path} is not a readable {what}: {exc}", err=True)
        raise typer.Exit(2) from None


def _board_of(record: Path | None, url: str, election: str) -> list[dict]:
    if record is not None:
        data = _read_json(record, "election record")
        if not isinstance(data, dict) or not isinstance(data.get("board"), list):
            typer.echo(f"error: {record} has no board", err=True)
            raise typer.Exit(2)
        return data["board"]
    try:
        return ScrutinSession(url).board(election)
    except ApiError as exc:
        _fail(exc)
        raise


RECORD = typer.Option(None, "--record", help="Check against this exported election record instead of --url.")


@receipt_cli.command("check")
def receipt_check(
    receipt_file: Path = typer.Argument(
        ..., metavar="RECEIPT", help="The receipt (the booth's download or the JSON `scrutin vote` prints)."
    ),
    record: Path = RECORD,
    url: str = URL,
) -> None:
    """Check a receipt: signed by the receipt key in the manifest the trustees confirmed, and
    its ballot on the board at the receipted position. Exit 0 holds, 1 does not, 2 unreadable."""
    document = _read_json(receipt_file, "receipt")
    inner = (
        document.get("receipt")
        if isinstance(document, dict) and document.get("kind") == "scrutin-receipt"
        else document
    )
    if not isinstance(inner, dict) or not isinstance(inner.get("election_id"), str):
        typer.echo(f"error: {receipt_file} is not a Scrutin receipt", err=True)
        raise typer.Exit(2)
    board = _board_of(record, url, inner["election_id"])
    try:
        event = check_receipt(ScrutinSession(url), document, board=board)
    except VoterRefusal as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(
        f"receipt OK: ballot {inner['tracker']} of election {inner['election_id']} is "
        f"board event {event['seq']} (hash {event['hash']}), signed by the election's "
        f"receipt key {inner['server_key']}"
    )


def verify_audit_command(
    audit_file: Path = typer.Argument(..., metavar="FILE", help="The audited ballot the booth downloaded."),
    record: Path = RECORD,
    url: str = URL,
) -> None:
    """Check an audited ballot outside the booth: every ciphertext re-encrypted from the
    revealed randomness, every proof, under the election key of the board's ballot definition
    it names (the board's ceremony replayed); prints the choices it contains. Exit 0 holds,
    1 does not, 2 unreadable."""
    audit = _read_json(audit_file, "audit record")
    ballot = audit.get("ballot") if isinstance(audit, dict) else None
    if (
        not isinstance(audit, dict)
        or not isinstance(ballot, dict)
        or not isinstance(ballot.get("election_id"), str)
    ):
        typer.echo(f"error: {audit_file} is not a Scrutin audit record", err=True)
        raise typer.Exit(2)
    election = ballot["election_id"]
    board = _board_of(record, url, election)
    try:
        state = ceremony.replay(election, board)
        if state.setup_round is None:
            raise CryptoError("the board holds no completed key ceremony")
        manifests = dict(ceremony.board_definitions(board))
        fp = ballot.get("fingerprint")
        if fp not in manifests:
            raise CryptoError(f"the board has no ballot definition with fingerprint {fp}")
        manifest = manifests[str(fp)]
        choices = verify_audit(ballot_context(manifest, str(fp)), audit)
    except CryptoError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(
        f"audit OK: commitment {audit['commitment']} (compare it with the one the booth "
        f"showed), election {election}, fingerprint code {fingerprint_code(str(fp))}"
    )
    for line in choices_in_words(manifest, choices):
        typer.echo(f"  {line}")


PASSPHRASE_FILE = typer.Option(
    None,
    "--passphrase-file",
    help="Read the key file's passphrase from this file (else $SCRUTIN_TRUSTEE_PASSPHRASE, "
    "else it is asked for).",
)
TRUSTEE_KEYS = typer.Option(
    None,
    "--trustee-keys",
    help="The published trustee fingerprints, one per line: the client refuses a ceremony "
    "whose trustees differ.",
)


def _passphrase(passphrase_file: Path | None, *, new: bool) -> str:
    """The key file's passphrase: from a file, the environment, or asked for on the terminal
    (twice when the key file is about to be created, so a typo cannot lock the key away)."""
    if passphrase_file is not None:
        text = passphrase_file.read_text(encoding="utf-8").rstrip("\r\n")
    elif os.environ.get("SCRUTIN_TRUSTEE_PASSPHRASE"):
        text = os.environ["SCRUTIN_TRUSTEE_PASSPHRASE"]
    else:
        text = getpass.getpass("key file passphrase: ")
        if new and getpass.getpass("again: ") != text:
            raise typer.BadParameter("the two passphrases differ")
    if not text:
        raise typer.BadParameter("the key file passphrase must not be empty")
    return text


def _trustee(
    url: str,
    token: str | None,
    dev_user: str | None,
    election: str,
    key_file: Path,
    passphrase_file: Path | None,
    trustee_keys: Path | None = None,
) -> TrusteeClient:
    expected = (
        load_fingerprints(trustee_keys.read_text(encoding="utf-8")) if trustee_keys is not None else None
    )
    try:
        # The CLI re-verifies the whole record before mixing or decrypting: use every core.
        return TrusteeClient(
            _session(url, token, dev_user),
            election,
            key_file,
            _passphrase(passphrase_file, new=not key_file.exists()),
            expected_trustees=expected,
            verify_workers=os.cpu_count() or 1,
        )
    except (KeyFileError, TrusteeRefusal) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc


def _refused(exc: TrusteeRefusal) -> None:
    typer.echo(f"refused: {exc}", err=True)
    raise typer.Exit(2)


@trustee_cli.command("identity")
def trustee_identity(
    election: str = typer.Option(..., "--election"),
    key_file: Path = typer.Option(..., "--key-file", help="Your key file (created if absent)."),
    passphrase_file: Path = PASSPHRASE_FILE,
) -> None:
    """Print this trustee's fingerprint (creating the key file if needed): give it to the
    committee, check it is the one published, compare the others' out of band."""
    try:
        # The client creates the identity on first use and checks the file is this election's;
        # nothing is sent to any server here.
        client = TrusteeClient(
            ScrutinSession(DEFAULT_URL),
            election,
            key_file,
            _passphrase(passphrase_file, new=not key_file.exists()),
        )
    except (KeyFileError, TrusteeRefusal) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(client.fingerprint)


@trustee_cli.command("ceremony")
def trustee_ceremony(
    election: str = typer.Option(..., "--election"),
    key_file: Path = typer.Option(..., "--key-file", help="Your key file (created if absent)."),
    passphrase_file: Path = PASSPHRASE_FILE,
    trustee_keys: Path = TRUSTEE_KEYS,
    url: str = URL,
    token: str = TOKEN,
    dev_user: str = DEV_USER,
) -> None:
    """Do the next step of the key ceremony that the board allows now (run it again until it
    says this trustee has confirmed)."""
    client = _trustee(url, token, dev_user, election, key_file, passphrase_file, trustee_keys)
    try:
        typer.echo(client.next_step())
    except ApiError as exc:
        _fail(exc)
    except TrusteeRefusal as exc:
        _refused(exc)


@trustee_cli.command("mix")
def trustee_mix(
    election: str = typer.Option(..., "--election"),
    key_file: Path = typer.Option(..., "--key-file", help="Your key file from the ceremony."),
    passphrase_file: Path = PASSPHRASE_FILE,
    trustee_keys: Path = TRUSTEE_KEYS,
    url: str = URL,
    token: str = TOKEN,
    dev_user: str = DEV_USER,
) -> None:
    """Verify the election record (every ballot and earlier mix), then re-encrypt and shuffle
    the ranked ballots with a proof, sign the mix and post it (ranked questions only)."""
    client = _trustee(url, token, dev_user, election, key_file, passphrase_file, trustee_keys)
    try:
        mixed = client.mix()
    except ApiError as exc:
        _fail(exc)
    except TrusteeRefusal as exc:
        _refused(exc)
    if mixed:
        typer.echo(f"mixed ranked question(s) {', '.join(str(q + 1) for q in mixed)}")
    else:
        typer.echo("nothing to mix: you mixed every ranked question already, or each has its mixes")


@trustee_cli.command("decrypt")
def trustee_decrypt(
    election: str = typer.Option(..., "--election"),
    key_file: Path = typer.Option(..., "--key-file", help="Your key file from the ceremony."),
    passphrase_file: Path = PASSPHRASE_FILE,
    trustee_keys: Path = TRUSTEE_KEYS,
    url: str = URL,
    token: str = TOKEN,
    dev_user: str = DEV_USER,
) -> None:
    """Verify the election record, then compute your decryption share of the tally locally and
    submit it (refused when the server's tally is not the one the record implies)."""
    client = _trustee(url, token, dev_user, election, key_file, passphrase_file, trustee_keys)
    try:
        result = client.decrypt()
    except ApiError as exc:
        _fail(exc)
    except TrusteeRefusal as exc:
        _refused(exc)
    if result.get("result"):
        typer.echo("share accepted; the threshold is reached and the result is published")
    else:
        typer.echo(
            f"share accepted; shares so far from trustees {result['shares']} "
            f"(threshold {result['threshold']})"
        )


@audit_cli.command("verify")
def audit_verify(
    election: str = typer.Option(..., "--election"),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
    url: str = URL,
    token: str = TOKEN,
    dev_user: str = DEV_USER,
) -> None:
    """Re-check the audit log (committee access) entry by entry, and against the heads the
    server signed and published on the public board: deleted, edited or rewritten entries are
    named. Exit status 1 when anything is wrong."""
    session = _session(url, token, dev_user)
    try:
        log = session.get(f"/api/v1/elections/{election}/audit")
        events = session.board(election)
    except ApiError as exc:
        _fail(exc)
    try:
        verify_chain(events)
        anchors = auditlog.check_anchors(election, events)
    except CryptoError as exc:
        typer.echo(f"error: the public board does not check: {exc}", err=True)
        raise typer.Exit(1) from exc
    report = auditlog.check_log(election, log["entries"], anchors)
    if as_json:
        typer.echo(json.dumps(report.to_json(), indent=2))
    else:
        typer.echo(
            f"{report.entries} entries, head {report.head}, checked against "
            f"{report.anchors_checked} anchored heads"
        )
        for seq, problem in report.problems:
            typer.echo(f"PROBLEM{f' at entry {seq}' if seq else ''}: {problem}")
        if report.ok:
            typer.echo("the audit log is intact")
    if not report.ok:
        raise typer.Exit(1)


AUTHORITY_KEY = typer.Option(
    ...,
    "--key-file",
    help="The credential authority's signing key (made on first use, encrypted with a "
    "passphrase like a trustee key file; keep it offline).",
)


def _authority_seed(key_file: Path, passphrase_file: Path | None) -> bytes:
    store = KeyFile(key_file, _passphrase(passphrase_file, new=not key_file.exists()), AUTHORITY_FORMAT)
    try:
        state = store.load()
        if not state:
            state = {"signing_seed": ceremony.generate_identity().hex()}
            store.save(state)
        return bytes.fromhex(state["signing_seed"])
    except (KeyFileError, KeyError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None


@credentials_cli.command("identity")
def credentials_identity(key_file: Path = AUTHORITY_KEY, passphrase_file: Path = PASSPHRASE_FILE) -> None:
    """Print the authority key's fingerprint (made on first use): give it to the committee,
    which publishes it; the verifier and ``upload`` show the key that signed the list."""
    typer.echo(authority_fingerprint(authority_public(_authority_seed(key_file, passphrase_file))))


@credentials_cli.command("generate")
def credentials_generate(
    election: str = typer.Option(..., "--election"),
    roll: Path = typer.Option(..., "--roll", help="Frozen roll: one username per line."),
    public_out: Path = typer.Option(..., "--public-out", help="Public credentials (JSON)."),
    codes_out: Path = typer.Option(..., "--codes-out", help="Mail-merge CSV username,code (keep secret)."),
    key_file: Path = AUTHORITY_KEY,
    passphrase_file: Path = PASSPHRASE_FILE,
) -> None:
    """Make one secret code per voter offline and sign the public list with the authority's
    key; only the public credentials (and the signature) are uploaded."""
    seed = _authority_seed(key_file, passphrase_file)
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
    signed = sign_credential_list(seed, election, public)
    public_out.write_text(
        json.dumps(
            {
                "election": election,
                "public_keys": public,
                "roll_size": len(names),
                "roll_fingerprint": roll_fingerprint(election, names),
                **signed,
            },
            indent=1,
        )
    )
    with codes_out.open("w", newline="") as handle:
        writer = SafeCsvWriter(handle)
        writer.writerow(["username", "code"])
        writer.writerows(secrets.SystemRandom().sample(rows, len(rows)))
    codes_out.chmod(0o600)
    typer.echo(
        f"{len(public)} credentials: public list in {public_out}, codes in {codes_out}; "
        f"signed by {authority_fingerprint(signed['authority_key'])}"
    )


@credentials_cli.command("upload")
def credentials_upload(
    election: str = typer.Option(..., "--election"),
    public_file: Path = typer.Option(..., "--public-file"),
    url: str = URL,
    token: str = TOKEN,
    dev_user: str = DEV_USER,
) -> None:
    """Publish the signed public credentials (credential authority role, before voting
    opens), then read the public board back: the list must be there exactly as signed."""
    data = _read_json(public_file, "public credential file")
    if not isinstance(data, dict) or data.get("election") != election:
        raise typer.BadParameter("this file was generated for another election")
    try:
        session = _session(url, token, dev_user)
        result = session.post(
            f"/api/v1/elections/{election}/credentials",
            {
                "public_keys": data.get("public_keys"),
                "authority_key": data.get("authority_key"),
                "signature": data.get("signature"),
            },
        )
        board = session.board(election)
    except ApiError as exc:
        _fail(exc)
    except CryptoError as exc:
        typer.echo(f"error: the public board does not check: {exc}", err=True)
        raise typer.Exit(1) from None
    try:
        event = check_credentials_on_board(election, board, data)
    except CryptoError as exc:
        typer.echo(f"PROBLEM: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(
        f"published {result['count']} credentials; the board holds the list as signed "
        f"(event {event['seq']}, authority {authority_fingerprint(data['authority_key'])})"
    )


def check_credentials_on_board(election: str, board: list[dict], signed: dict) -> dict:
    """The ``credentials_published`` event on the board holds exactly the signed list (and the
    signature verifies); returns the event. Raises ``CryptoError`` otherwise."""
    events = [e for e in board if e.get("type") == "credentials_published"]
    if len(events) != 1:
        raise InvalidRecord(f"the board holds {len(events)} credential lists, expected one")
    p = events[0]["payload"]
    if p.get("credentials") != sorted(signed["public_keys"]) or p.get("count") != len(signed["public_keys"]):
        raise InvalidRecord(f"event {events[0]['seq']}: the published list differs from the signed one")
    if (p.get("authority_key"), p.get("signature")) != (signed["authority_key"], signed["signature"]):
        raise InvalidRecord(f"event {events[0]['seq']}: another key or signature than the authority's")
    verify_credential_list(
        election, p["credentials"], p["authority_key"], p["signature"], f"event {events[0]['seq']}"
    )
    return events[0]


# -- the wiki end of an election (the server's bot account does the wiki work) ---------------

wiki_cli = typer.Typer(
    help="Results and announcements on the wiki, done by the server's wiki bot (docs/wiki.md).",
    no_args_is_help=True,
)
securepoll_cli = typer.Typer(help="Re-create SecurePoll elections here.", no_args_is_help=True)
EXIT_PARTIAL = 3


def roll_import_command(
    election: str = typer.Option(..., "--election", help="Election id."),
    file: Path = typer.Argument(None, help="One `User` or `User@wiki` per line (# comments)."),
    page: str = typer.Option(None, "--page", help="A wiki page of such entries instead."),
    mode: str = typer.Option("add", "--mode", help="add, replace or remove."),
    url: str = URL,
    token: str = TOKEN,
    dev_user: str = DEV_USER,
) -> None:
    """Import a `User@wiki` roll (a file or a wiki page) into an election; the entries that
    could not be resolved are listed (exit status 3)."""
    from app.wiki.names import file_lines

    if (file is None) == (page is None):
        raise typer.BadParameter("give a FILE or --page TITLE (one of them)")
    if mode not in ("add", "replace", "remove"):
        raise typer.BadParameter("--mode is add, replace or remove")
    body: dict = {"mode": mode}
    if page is not None:
        body["page"] = page
    else:
        try:
            lines = file_lines(file.read_text(encoding="utf-8-sig"))
        except OSError as exc:
            raise typer.BadParameter(f"cannot read {file}: {exc.strerror}") from None
        if not lines:
            raise typer.BadParameter(f"{file} names nobody")
        body["usernames"] = lines
    try:
        result = _session(url, token, dev_user).post(f"/api/v1/elections/{election}/roll", body)
    except ApiError as exc:
        _fail(exc)
    typer.echo(f"added {result['added']}, removed {result['removed']}, roll now {result['total']}")
    for item in result.get("rejected") or ():
        typer.echo(f"rejected: {item['entry']}: {item['reason']}", err=True)
    if result.get("rejected"):
        raise typer.Exit(EXIT_PARTIAL)


@wiki_cli.command("publish-results")
def wiki_publish_results(
    election: str = typer.Option(..., "--election", help="Election id."),
    page: str = typer.Option(..., "--page", help="The wiki page to write the results on."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show the text; write nothing."),
    force: bool = typer.Option(False, "--force", help="Overwrite a page changed since the last publish."),
    url: str = URL,
    token: str = TOKEN,
    dev_user: str = DEV_USER,
) -> None:
    """Write the verified results table on a wiki page (the server's bot edits it)."""
    try:
        out = _session(url, token, dev_user).post(
            f"/api/v1/elections/{election}/wiki/results", {"page": page, "dry_run": dry_run, "force": force}
        )
    except ApiError as exc:
        _fail(exc)
    if dry_run:
        typer.echo(out["text"], nl=False)
        note = (
            f" ({out['changed_since_publish']}: --force needed)" if out.get("changed_since_publish") else ""
        )
        typer.echo(f"dry run: would {out['action']} {out['page']}{note}", err=True)
        return
    done = "unchanged" if out.get("nochange") else f"revision {out['revid']}"
    typer.echo(f"published on {out['page']} ({done}{', forced' if out.get('forced') else ''})")


def load_message(path: Path, lang: str) -> dict:
    """A notice: JSON ``{"subject": …, "body": …}`` (each a text or ``{lang: text}``), or
    plain text whose first line is the subject."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise typer.BadParameter(f"cannot read {path}: {exc.strerror}") from None
    if text.lstrip().startswith("{"):
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise typer.BadParameter(f"{path}: not JSON: {exc}") from None
        if not isinstance(data, dict) or not {"subject", "body"} <= set(data):
            raise typer.BadParameter(f'{path}: needs "subject" and "body"')
        return {k: (data[k] if isinstance(data[k], dict) else {lang: data[k]}) for k in ("subject", "body")}
    subject, _, body = text.strip().partition("\n")
    if not subject.strip() or not body.strip():
        raise typer.BadParameter(f"{path}: the first line is the subject, then the message")
    return {"subject": {lang: subject.strip()}, "body": {lang: body.strip()}}


@wiki_cli.command("announce")
def wiki_announce(
    election: str = typer.Option(..., "--election", help="Election id."),
    message: Path = typer.Option(..., "--message", help="The notice (see docs/wiki.md)."),
    lang: str = typer.Option("en", "--lang", help="The language of a plain-text message."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show who would get it; send none."),
    batch: int = typer.Option(20, "--batch", min=1, max=500, help="Recipients per request."),
    url: str = URL,
    token: str = TOKEN,
    dev_user: str = DEV_USER,
) -> None:
    """Announce the election to its roll on the wiki (MassMessage, else talk pages), with
    progress; run it again to resume: nobody gets the notice twice."""
    body = {**load_message(message, lang), "dry_run": dry_run, "limit": batch}
    session = _session(url, token, dev_user)
    path = f"/api/v1/elections/{election}/wiki/announce"
    try:
        out = session.post(path, body)
        if dry_run:
            typer.echo(out["text"])
            typer.echo(
                f"dry run: {len(out['would_send'])} of the roll would get it by "
                f"{out['channel']} ({out['remaining']} not reached yet)",
                err=True,
            )
            return
        body["since"] = out["since"]
        while True:
            counts = out["counts"]
            for item in out["deliveries"]:
                if item["status"] != "sent":
                    typer.echo(f"{item['status']}: {item['recipient']}: {item.get('reason', '')}", err=True)
            typer.echo(
                f"{out['channel']}: {counts['sent']} sent, {counts['failed']} failed, "
                f"{counts['skipped']} skipped, {counts['unknown']} unknown; "
                f"{out['remaining']} to go"
            )
            if out["remaining"] == 0 or not out["deliveries"]:
                break
            out = session.post(path, body)
    except ApiError as exc:
        _fail(exc)
    if out["counts"]["failed"] or out["counts"]["unknown"]:
        raise typer.Exit(EXIT_PARTIAL)


@securepoll_cli.command("import")
def securepoll_import(
    file: Path = typer.Argument(..., help="The XML of SecurePoll's dumpElection.php."),
    as_json: bool = typer.Option(False, "--json", help="Print the whole answer as JSON."),
    url: str = URL,
    token: str = TOKEN,
    dev_user: str = DEV_USER,
) -> None:
    """Create the equivalent draft election; prints its id (what has no equivalent here is
    listed on standard error)."""
    try:
        xml = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise typer.BadParameter(f"cannot read {file}: {exc}") from None
    try:
        out = _session(url, token, dev_user).post("/api/v1/securepoll/import", {"xml": xml})
    except ApiError as exc:
        _fail(exc)
    if as_json:
        typer.echo(json.dumps(out, indent=2, ensure_ascii=False))
        return
    typer.echo(out["id"])
    for item in out["unmapped"]:
        typer.echo(f"not mapped: {item['what']} = {item['value']}: {item['why']}", err=True)
