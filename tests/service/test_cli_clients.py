"""The command-line clients against a live server: trustee ceremony, independent credentials
(codes generated offline, never seen by the server), and voting."""

import csv
import json

from typer.testing import CliRunner

from app.cli import cli
from app.local_server import live_server
from tests.service.helpers import ballot_states, election_config
from tests.service.test_e2e_http import session

runner = CliRunner()


def run(*args: str) -> str:
    result = runner.invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_independent_credentials_and_cli_trustees(settings, tmp_path) -> None:
    with live_server(settings) as url:
        admin = session(url, "Admin")
        eid = admin.post(
            "/api/v1/elections", election_config(trustees=2, threshold=2, credential_mode="independent")
        )["id"]
        for name in ("T1", "T2"):
            admin.post(f"/api/v1/elections/{eid}/roles", {"username": name, "role": "trustee"})
        admin.post(
            f"/api/v1/elections/{eid}/roles", {"username": "Registrar", "role": "credential_authority"}
        )
        voters = ["Ann", "Ben", "Cat"]
        admin.post(f"/api/v1/elections/{eid}/roll", {"usernames": voters})
        admin.post(f"/api/v1/elections/{eid}/freeze")

        roll = tmp_path / "roll.txt"
        roll.write_text("\n".join(voters))
        passphrase = tmp_path / "passphrase"
        passphrase.write_text("correct horse battery staple\n")
        ca_key = ["--key-file", str(tmp_path / "authority.key"), "--passphrase-file", str(passphrase)]
        public, codes = tmp_path / "public.json", tmp_path / "codes.csv"
        run(
            "credentials",
            "generate",
            "--election",
            eid,
            "--roll",
            str(roll),
            "--public-out",
            str(public),
            "--codes-out",
            str(codes),
            *ca_key,
        )
        ca_fingerprint = run("credentials", "identity", *ca_key).strip()
        uploaded = run(
            "credentials",
            "upload",
            "--election",
            eid,
            "--public-file",
            str(public),
            "--url",
            url,
            "--dev-user",
            "Registrar",
        )
        assert "the board holds the list as signed" in uploaded and ca_fingerprint in uploaded

        key = {name: str(tmp_path / f"{name}.key") for name in ("T1", "T2")}
        secret = ["--passphrase-file", str(passphrase)]
        # Each trustee makes an identity and publishes its fingerprint (here: a file).
        fingerprints = {
            name: run("trustee", "identity", "--election", eid, "--key-file", key[name], *secret).strip()
            for name in key
        }
        assert len(set(fingerprints.values())) == 2
        assert (
            run("trustee", "identity", "--election", eid, "--key-file", key["T1"], *secret).strip()
            == fingerprints["T1"]
        )
        published = tmp_path / "trustees.txt"
        published.write_text("".join(f"{fp}  {name}\n" for name, fp in fingerprints.items()))

        wrong = tmp_path / "wrong-passphrase"
        wrong.write_text("not it")
        result = runner.invoke(
            cli,
            [
                "trustee",
                "ceremony",
                "--election",
                eid,
                "--key-file",
                key["T1"],
                "--passphrase-file",
                str(wrong),
                "--url",
                url,
                "--dev-user",
                "T1",
            ],
        )
        assert result.exit_code == 1 and "wrong passphrase" in result.output

        said = []
        for step in range(5):
            if step == 1:
                # A published list without T2: T1's client refuses to go on with a stranger.
                only_t1 = tmp_path / "only-t1.txt"
                only_t1.write_text(fingerprints["T1"] + "\n")
                result = runner.invoke(
                    cli,
                    [
                        "trustee",
                        "ceremony",
                        "--election",
                        eid,
                        "--key-file",
                        key["T1"],
                        *secret,
                        "--trustee-keys",
                        str(only_t1),
                        "--url",
                        url,
                        "--dev-user",
                        "T1",
                    ],
                )
                assert result.exit_code == 2, result.output
                assert "not one of the published trustee fingerprints" in result.output
            for name in ("T1", "T2"):
                said.append(
                    run(
                        "trustee",
                        "ceremony",
                        "--election",
                        eid,
                        "--key-file",
                        key[name],
                        *secret,
                        "--trustee-keys",
                        str(published),
                        "--url",
                        url,
                        "--dev-user",
                        name,
                    )
                )
        assert admin.get(f"/api/v1/elections/{eid}")["phase"] == "open"
        assert sum("confirmed election fingerprint" in line for line in said) == 2
        assert "nothing to do" in run(
            "trustee",
            "ceremony",
            "--election",
            eid,
            "--key-file",
            key["T1"],
            *secret,
            "--url",
            url,
            "--dev-user",
            "T1",
        )
        # The key files are encrypted: neither the seed nor the polynomial is readable.
        raw = (tmp_path / "T1.key").read_text()
        assert "identity_seed" not in raw and "coefficients" not in raw

        code_of = {row["username"]: row["code"] for row in csv.DictReader(codes.open())}
        voted = runner.invoke(
            cli,
            [
                "vote",
                "--election",
                eid,
                "--choices",
                "1,-1,0",
                "--code",
                code_of["Ann"],
                "--url",
                url,
                "--dev-user",
                "Ann",
            ],
        )
        assert voted.exit_code == 0, voted.output
        # stdout is the receipt; stderr says the fingerprint code and that the receipt checked.
        receipt = json.loads(voted.stdout)
        assert "election fingerprint code:" in voted.stderr and "receipt checked" in voted.stderr
        # Ben cannot use Ann's code once it is bound to Ann.
        result = runner.invoke(
            cli,
            [
                "vote",
                "--election",
                eid,
                "--choices",
                "0,0,0",
                "--code",
                code_of["Ann"],
                "--url",
                url,
                "--dev-user",
                "Ben",
            ],
        )
        assert result.exit_code == 1 and "wrong_credential" in result.output
        # Ann re-votes with her code: the earlier ballot is superseded.
        run(
            "vote",
            "--election",
            eid,
            "--choices",
            "0,0,1",
            "--code",
            code_of["Ann"],
            "--url",
            url,
            "--dev-user",
            "Ann",
        )
        assert ballot_states(admin, eid)[receipt["tracker"]] == "superseded"
        published = [e for e in admin.board(eid) if e["type"] == "credentials_published"]
        assert published[0]["payload"]["count"] == 3
