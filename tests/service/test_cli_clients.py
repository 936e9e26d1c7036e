"""The command-line clients against a live server: trustee ceremony, independent credentials
(codes generated offline, never seen by the server), and voting."""

import csv
import json

from typer.testing import CliRunner

from app.cli import cli
from app.local_server import live_server
from tests.service.helpers import election_config
from tests.service.test_e2e_http import session

runner = CliRunner()


def run(*args: str) -> str:
    result = runner.invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_independent_credentials_and_cli_trustees(settings, tmp_path) -> None:
    with live_server(settings) as url:
        admin = session(url, "Admin")
        eid = admin.post("/api/v1/elections", election_config(
            trustees=2, threshold=2, credential_mode="independent"))["id"]
        for name in ("T1", "T2"):
            admin.post(f"/api/v1/elections/{eid}/roles", {"username": name, "role": "trustee"})
        admin.post(f"/api/v1/elections/{eid}/roles",
                   {"username": "Registrar", "role": "credential_authority"})
        voters = ["Ann", "Ben", "Cat"]
        admin.post(f"/api/v1/elections/{eid}/roll", {"usernames": voters})
        admin.post(f"/api/v1/elections/{eid}/freeze")

        roll = tmp_path / "roll.txt"
        roll.write_text("\n".join(voters))
        public, codes = tmp_path / "public.json", tmp_path / "codes.csv"
        run("credentials", "generate", "--election", eid, "--roll", str(roll),
            "--public-out", str(public), "--codes-out", str(codes))
        run("credentials", "upload", "--election", eid, "--public-file", str(public),
            "--url", url, "--dev-user", "Registrar")

        for _ in range(4):
            for name in ("T1", "T2"):
                run("trustee", "ceremony", "--election", eid, "--key-file",
                    str(tmp_path / f"{name}.json"), "--url", url, "--dev-user", name)
        assert admin.get(f"/api/v1/elections/{eid}")["phase"] == "open"

        code_of = {row["username"]: row["code"] for row in csv.DictReader(codes.open())}
        out = run("vote", "--election", eid, "--choices", "1,-1,0", "--code", code_of["Ann"],
                  "--url", url, "--dev-user", "Ann")
        receipt = json.loads(out)
        # Ben cannot use Ann's code once it is bound to Ann.
        result = runner.invoke(cli, ["vote", "--election", eid, "--choices", "0,0,0", "--code",
                                     code_of["Ann"], "--url", url, "--dev-user", "Ben"])
        assert result.exit_code == 1 and "wrong_credential" in result.output
        # Ann re-votes with her code: the earlier ballot is superseded.
        run("vote", "--election", eid, "--choices", "0,0,1", "--code", code_of["Ann"],
            "--url", url, "--dev-user", "Ann")
        assert admin.get(f"/api/v1/elections/{eid}/trackers/{receipt['tracker']}")["state"] == \
            "superseded"
        published = [e for e in admin.board(eid) if e["type"] == "credentials_published"]
        assert published[0]["payload"]["count"] == 3
