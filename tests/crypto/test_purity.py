"""crypto/ imports only the standard library, PyNaCl and itself (DESIGN.md §4)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

CRYPTO = Path(__file__).resolve().parents[2] / "crypto"
ALLOWED = {"nacl", "crypto"}


def test_crypto_imports_only_stdlib_and_nacl() -> None:
    offenders = []
    for path in sorted(CRYPTO.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                if top not in ALLOWED and top not in sys.stdlib_module_names:
                    offenders.append(f"{path.name}: {name}")
    assert offenders == []
