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
        voter = VoterClient(ScrutinSession("http://testserver", http=http).dev_login("Alice"),
                            DEMO_ID)
        assert voter.status()["can_cast"] is True
        receipt = voter.cast([[1, -1, 0]])
        events = voter.session.board(DEMO_ID)
        verify_chain(events)
        assert events[-1]["payload"]["tracker"] == receipt["tracker"]
    assert len(list((tmp_path / "demo-trustees").glob("*.json"))) == 3
    app.state.engine.dispose()
    drop_database(url)
