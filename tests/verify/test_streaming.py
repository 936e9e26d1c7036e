"""``scrutin verify`` reads the record file with its ballots streamed (app/record_file.py): the
same report and the same failures as the whole record in memory, with memory bounded by the
ballot chunks in flight (every tamper test of test_tamper*.py also checks the streamed path,
through ``fails``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from app.counting import count_rankings
from app.record_file import open_record, verify_record_file
from crypto.errors import CryptoError
from crypto.record import verify_record
from tests.verify.records import events_of, forge_ballot, verify_streamed
from tests.verify.test_tamper import bump, fails, trackers

ROOT = Path(__file__).resolve().parents[2]


def outcome(run: Any) -> tuple[str, Any]:
    try:
        return "verified", run().to_json()
    except CryptoError as exc:
        return type(exc).__name__, str(exc)


@pytest.mark.parametrize("workers", [1, 2])
def test_honest_record_same_report(built, workers) -> None:
    whole = verify_record(built.copy(), workers=workers).to_json()
    assert whole["verified"]
    assert verify_streamed(built.record, workers=workers).to_json() == whole


def test_first_bad_ballot_whatever_the_order_in_the_file(rec, built) -> None:
    """Chunks finish in any order and the file need not follow the board: the failure reported
    is still the earliest board event's, as in memory."""
    early, late = trackers(built, "V1")[0], trackers(built, "V2")[1]
    for tracker in (late, early):
        rec["ballots"][tracker]["signature"]["challenge"] = bump(
            rec["ballots"][tracker]["signature"]["challenge"]
        )
    rec["ballots"] = dict(reversed(list(rec["ballots"].items())))
    assert list(rec["ballots"]).index(late) < list(rec["ballots"]).index(early)
    for workers in (1, 2):
        fails(rec, CryptoError, f"ballot {early}", workers=workers)


@pytest.mark.parametrize(
    "edit", ["duplicate_ballot", "ballots_list", "nan", "top_list", "no_ballots", "duplicate_top", "bom"]
)
def test_what_streaming_would_read_differently_falls_back(built, tmp_path, edit) -> None:
    """Anything ijson would read differently from ``json.loads`` (or not at all) is read whole:
    the result is the in-memory verifier's, whatever it is."""
    record = built.copy()
    text = json.dumps(record, separators=(",", ":"))
    tracker, ballot = next(iter(record["ballots"].items()))
    if edit == "duplicate_ballot":  # json.loads keeps the last value at the first position
        text = text.replace('"ballots":{', '"ballots":{' + json.dumps(tracker) + ':{"x":1},', 1)
    elif edit == "ballots_list":
        text = text.replace('"ballots":{', '"ballots":[{', 1)[:-1] + "]}"
    elif edit == "nan":
        text = text[:-1] + ',"extra":NaN}'
    elif edit == "top_list":
        text = "[" + text + "]"
    elif edit == "no_ballots":
        del record["ballots"]
        text = json.dumps(record)
    elif edit == "duplicate_top":
        text = text[:-1] + ',"format":"other"}'
    elif edit == "bom":
        text = "\ufeff" + text
    path = tmp_path / "record.json"
    path.write_bytes(text.encode("utf-8-sig" if edit == "bom" else "utf-8"))
    try:
        expected = outcome(lambda: verify_record(json.loads(path.read_bytes()), workers=1))
    except ValueError:
        with pytest.raises(ValueError):
            open_record(path)
        return
    assert open_record(path).ballots is None  # read whole
    assert outcome(lambda: verify_record_file(path, workers=1)) == expected
    if edit == "duplicate_ballot":
        assert expected[0] == "verified"  # the last value is the real ballot


def test_streamed_reader_holds_no_ballot(built, tmp_path) -> None:
    path = tmp_path / "record.json"
    path.write_text(json.dumps(built.record))
    loaded = open_record(path)
    assert loaded.ballots is not None and "ballots" not in loaded.record
    assert list(loaded.ballots.trackers()) == list(built.record["ballots"])
    assert dict(loaded.ballots.entries()) == built.record["ballots"]
    assert loaded.record["board"] == built.record["board"]


_MEMORY = """
import json, sys, tracemalloc
from pathlib import Path
from app.counting import count_rankings
from app.record_file import verify_record_file
from crypto.record import verify_record
path, mode = Path(sys.argv[1]), sys.argv[2]
tracemalloc.start()
if mode == "stream":
    report = verify_record_file(path, workers=1, counter=count_rankings)
else:
    report = verify_record(json.loads(path.read_bytes()), workers=1, counter=count_rankings)
print(json.dumps({"peak": tracemalloc.get_traced_memory()[1], "report": report.to_json()}))
"""


def _peak(path: Path, mode: str) -> tuple[int, dict[str, Any]]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", _MEMORY, str(path), mode],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    out = json.loads(done.stdout)
    return out["peak"], out["report"]


def test_memory_is_bounded_by_a_chunk_not_the_record(simulated) -> None:
    """Peak Python memory (tracemalloc, a fresh interpreter each) of verifying a simulated
    record: under twice the file's size when streamed; loading the whole JSON exceeds it."""
    bound = 2 * simulated.stat().st_size
    stream_peak, stream_report = _peak(simulated, "stream")
    whole_peak, whole_report = _peak(simulated, "whole")
    assert stream_report == whole_report and stream_report["verified"]
    assert whole_peak > bound, (whole_peak, bound)
    assert stream_peak < bound, (stream_peak, bound)
    assert stream_peak < whole_peak / 2, (stream_peak, whole_peak)


def test_simulated_record_forged_ballot_same_failure(simulated, tmp_path) -> None:
    record = json.loads(simulated.read_bytes())
    tracker, seq = forge_ballot(record, len(events_of(record, "ballot_cast")) // 2)
    path = tmp_path / "forged.json"
    path.write_text(json.dumps(record))
    expected = outcome(
        lambda: verify_record(json.loads(path.read_bytes()), workers=2, counter=count_rankings)
    )
    assert expected[0] in ("InvalidSignature", "InvalidProof"), expected
    assert expected[1].startswith(f"board event {seq} (ballot_cast), ballot {tracker}: ")
    assert outcome(lambda: verify_record_file(path, workers=2, counter=count_rankings)) == expected
