"""Records written by earlier protocol versions keep verifying (a protocol change is versioned).

The files in tests/data/records were exported by the service before the change they are named
after (v1: before trustee signing keys, commit-then-reveal and signed confirmations); they are
fixtures, never regenerated."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crypto.record import verify_record

RECORDS = Path(__file__).resolve().parents[1] / "data" / "records"


@pytest.mark.parametrize("name", ["v1-sonc-tallied.json", "v1-approval-independent.json"])
def test_v1_record_still_verifies(name: str) -> None:
    record = json.loads((RECORDS / name).read_text())
    report = verify_record(record, workers=1)
    assert report.ok, [c.to_json() for c in report.checks if c.status != "passed"]
    assert {c.name for c in report.checks if c.status == "passed"} >= {"setup", "ballots", "totals", "result"}
