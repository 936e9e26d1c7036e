"""The wiki client commands against a live server whose bot edits the fake wiki: roll import,
results on the wiki, announcements with progress, SecurePoll import."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
from typer.testing import CliRunner

from app.cli import cli
from app.local_server import live_server
from tests.service.helpers import ADMIN, election_config, login, run_ceremony, voter
from tests.wiki.helpers import BOT, wiki_settings

runner = CliRunner()
DATA = Path(__file__).parent.parent / "data" / "securepoll"


def scrutin(*args: str, code: int = 0):  # type: ignore[no-untyped-def]
    result = runner.invoke(cli, list(args))
    assert result.exit_code == code, (result.output, result.stderr)
    return result


def test_the_wiki_end_of_an_election_from_the_command_line(database_url, tmp_path, fake_wiki) -> None:
    farm = fake_wiki.farm
    settings = wiki_settings(database_url, tmp_path, fake_wiki)
    farm.put_page("enwiki", "Wikipedia:Election/Voters", "* Newbie@enwiki\n* Nobody@enwiki\n")
    with live_server(settings) as url, httpx.Client(base_url=url, timeout=30) as http:
        admin = login(http, ADMIN, url)
        eid = admin.post("/api/v1/elections", election_config(trustees=1, threshold=1))["id"]
        admin.post(f"/api/v1/elections/{eid}/roles", {"username": "T1", "role": "trustee"})
        auth = ["--election", eid, "--url", url, "--dev-user", ADMIN]
        roll = tmp_path / "roll.txt"
        roll.write_text("# voters\nalice@enwiki\nGhost@enwiki\n")
        out = scrutin("roll", "import", str(roll), *auth, code=3)
        assert "added 1" in out.stdout and "rejected: Ghost@enwiki: no user" in out.stderr
        out = scrutin("roll", "import", "--page", "Wikipedia:Election/Voters", *auth, code=3)
        assert "added 1, removed 0, roll now 2" in out.stdout and "Nobody@enwiki" in out.stderr
        scrutin("roll", "import", *auth, code=2)  # neither a file nor a page

        message = tmp_path / "notice.txt"
        message.write_text("Vote now\nThe election is open; please vote.\n")
        dry = scrutin("wiki", "announce", "--message", str(message), "--dry-run", *auth)
        assert "2 of the roll would get it by wiki-talk" in dry.stderr
        assert not farm.edits_by(BOT)

        admin.post(f"/api/v1/elections/{eid}/freeze")
        trustees = run_ceremony(http, eid, ["T1"], tmp_path)
        sent = scrutin("wiki", "announce", "--message", str(message), "--batch", "1", *auth)
        assert "wiki-talk: 1 sent, 0 failed, 0 skipped, 0 unknown; 1 to go" in sent.stdout
        assert "wiki-talk: 2 sent, 0 failed, 0 skipped, 0 unknown; 0 to go" in sent.stdout
        again = scrutin("wiki", "announce", "--message", str(message), *auth)
        assert "2 sent" in again.stdout
        assert farm.page_text("enwiki", "User talk:Alice").count("== Vote now ==") == 1

        voter(http, eid, "Alice").cast([[1, 0, -1]])
        admin.post(f"/api/v1/elections/{eid}/close", {"reason": "end"})
        admin.post(f"/api/v1/elections/{eid}/tally/start")
        trustees[0].decrypt()
        page = ["--page", "Wikipedia:Election/Results"]
        dry = scrutin("wiki", "publish-results", *page, "--dry-run", *auth)
        assert "wikitable" in dry.stdout and "would create" in dry.stderr
        done = scrutin("wiki", "publish-results", *page, *auth)
        assert "published on Wikipedia:Election/Results (revision" in done.stdout
        farm.put_page("enwiki", "Wikipedia:Election/Results", "changed", user="Other")
        refused = scrutin("wiki", "publish-results", *page, *auth, code=1)
        assert "wiki_page_changed" in refused.stderr
        forced = scrutin("wiki", "publish-results", *page, "--force", *auth)
        assert "forced" in forced.stdout
        assert "wikitable" in farm.page_text("enwiki", "Wikipedia:Election/Results")

        new = scrutin("securepoll", "import", str(DATA / "approval.xml"), "--url", url, "--dev-user", ADMIN)
        assert new.stdout.strip().startswith("e-") and "not mapped: votes" not in new.stderr
        assert "not mapped: tally = plurality" in new.stderr
        full = json.loads(
            scrutin(
                "securepoll",
                "import",
                str(DATA / "approval.xml"),
                "--json",
                "--url",
                url,
                "--dev-user",
                ADMIN,
            ).stdout
        )
        assert full["election"]["questions"][0]["kind"] == "approval"
