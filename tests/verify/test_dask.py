"""``scrutin verify --dask ADDRESS``: ballot chunks verified on a Dask cluster (a real
``distributed.LocalCluster`` of two worker processes): the same report as locally, and a forged
ballot rejected with its board event and tracker."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from app.cli import cli
from app.counting import count_rankings
from app.record_file import verify_record_file
from app.verify_dask import DaskFanout, DaskUnavailable
from crypto.errors import CryptoError
from tests.verify.records import events_of, forge_ballot

distributed = pytest.importorskip("distributed")
runner = CliRunner()


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    with distributed.LocalCluster(
        processes=True, n_workers=2, threads_per_worker=1, dashboard_address=None, silence_logs=40
    ) as local:
        yield local.scheduler_address


def test_simulated_record_verifies_on_the_cluster(cluster, simulated) -> None:
    with DaskFanout(cluster) as fanout:
        assert fanout.workers() == 2
        report = verify_record_file(simulated, fanout=fanout, counter=count_rankings).to_json()
        # the workers really ran the chunks: each built the ballot contexts once
        ran = fanout.client.run(lambda: __import__("crypto.record").record._WORKER_KEY != [])
    assert report["verified"] and all(ran.values()) and len(ran) == 2
    local = verify_record_file(simulated, workers=2, counter=count_rankings).to_json()
    assert report == local
    ballots = next(c for c in report["checks"] if c["name"] == "ballots")
    assert ballots["counts"] == {
        "ballots": len(events_of(json.loads(simulated.read_bytes()), "ballot_cast")),
        "workers": 2,
    }


def test_forged_ballot_is_rejected_with_its_position(cluster, simulated, tmp_path) -> None:
    record = json.loads(simulated.read_bytes())
    tracker, seq = forge_ballot(record, 7)
    path = tmp_path / "forged.json"
    path.write_text(json.dumps(record))
    with DaskFanout(cluster) as fanout, pytest.raises(CryptoError) as caught:
        verify_record_file(path, fanout=fanout, counter=count_rankings)
    message = str(caught.value)
    assert message.startswith(f"board event {seq} (ballot_cast), ballot {tracker}: ")
    with pytest.raises(type(caught.value)) as local:
        verify_record_file(path, workers=1, counter=count_rankings)
    assert str(local.value) == message

    result = runner.invoke(cli, ["verify", str(path), "--dask", cluster, "--json"])
    assert result.exit_code == 1, result.output
    assert json.loads(result.output) == {"verified": False, "error": f"record does NOT verify: {message}"}


def test_cli_on_the_cluster(cluster, simulated) -> None:
    result = runner.invoke(cli, ["verify", str(simulated), "--dask", cluster, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["verified"] is True


def test_unreachable_scheduler_exits_2(simulated) -> None:
    with pytest.raises(DaskUnavailable):
        DaskFanout("tcp://127.0.0.1:9", timeout=2)
    result = runner.invoke(cli, ["verify", str(simulated), "--dask", "tcp://127.0.0.1:9", "--json"])
    assert result.exit_code == 2, result.output
    assert "cannot reach the Dask scheduler" in json.loads(result.output)["error"]
