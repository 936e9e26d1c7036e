"""The embedded default's demo election is a real, open S/O/N election one can vote in."""

from fastapi.testclient import TestClient

from app import db
from app.client.http import ScrutinSession
from app.client.voter import VoterClient
from app.config import Settings
from app.demo import DEMO_ID, ensure_demo
from app.main import create_app
from crypto.board import verify_chain
from tests.dbutil import create_database, drop_database


def test_demo_election_is_open_and_accepts_ballots(tmp_path) -> None:
    url = create_database(tmp_path)
    db.upgrade(url)
    settings = Settings(environment="development", database_url=url, data_dir=tmp_path)
    app = create_app(settings, run_scheduler=False)
    assert ensure_demo(app, tmp_path) is True
    assert ensure_demo(app, tmp_path) is False  # only once
    with TestClient(app) as http:
        voter = VoterClient(ScrutinSession("http://testserver", http=http).dev_login("Alice"), DEMO_ID)
        assert voter.status()["can_cast"] is True
        receipt = voter.cast([[1, -1, 0]])
        events = voter.session.board(DEMO_ID)
        verify_chain(events)
        assert events[-1]["payload"]["tracker"] == receipt["tracker"]
    assert len(list((tmp_path / "demo-trustees").glob("*.json"))) == 3
    app.state.engine.dispose()
    drop_database(url)


def test_scrutin_serve_builds_the_demo_without_a_warning(tmp_path) -> None:
    """`scrutin serve` as `make run` starts it (embedded SQLite, the demo on), with every warning
    an error (-W error): the demo is built over real HTTP, not with the test client, whose
    import warns. The demo election is open, with its three trustees."""
    import os
    import subprocess
    import sys
    import time

    import httpx

    from app.demo import DEMO_TRUSTEES
    from app.local_server import free_port

    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCRUTIN_")}
    env.update(SCRUTIN_DATA_DIR=str(tmp_path), SCRUTIN_ENVIRONMENT="development", PYTHONWARNINGS="error")
    process = subprocess.Popen(
        [
            sys.executable,
            "-W",
            "error",
            "-c",
            "from app.cli import main; main()",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            assert process.poll() is None, process.communicate()[0]
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "scrutin serve did not start"
            time.sleep(0.2)
        election = httpx.get(f"http://127.0.0.1:{port}/api/v1/elections/{DEMO_ID}").json()
        assert election["phase"] == "open", election
    finally:
        process.terminate()
        output = process.communicate(timeout=30)[0]
    assert "demo election ready" in output and ", ".join(DEMO_TRUSTEES) in output, output
    assert "Warning" not in output and "Traceback" not in output, output
    assert sorted(p.stem for p in (tmp_path / "demo-trustees").glob("*.json")) == sorted(DEMO_TRUSTEES)
