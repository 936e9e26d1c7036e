"""Where the real election data lives (see SOURCES.md there) and small helpers for the tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.counting import load_file

REPO = Path(__file__).resolve().parents[2]
DATA = Path(os.environ.get("SCRUTIN_ELECTION_DATA", REPO / "tests" / "data" / "elections"))


def data_path(*parts: str) -> Path:
    path = DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"election data not found at {path} (set SCRUTIN_ELECTION_DATA)")
    return path


_cache: dict[Path, object] = {}


def profile(*parts: str):
    """Parsed once per test session: the Irish files take a moment to read."""
    path = data_path(*parts)
    if path not in _cache:
        _cache[path] = load_file(path)
    return _cache[path]
