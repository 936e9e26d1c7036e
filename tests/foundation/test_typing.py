"""mypy --strict on crypto/ (configured in pyproject.toml) is part of the suite."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_crypto_is_strictly_typed() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "crypto"], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_app_and_pages_type_check() -> None:
    """app/ and admin_ui/ on mypy's default rules (pyproject.toml), as `make lint` runs it."""
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "app", "admin_ui"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
