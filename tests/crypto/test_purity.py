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


def test_only_the_kernel_module_loads_native_code_and_it_loads_one_library() -> None:
    """crypto/ stays pure: ctypes (and the environment) only in kernel.py, whose only I/O is
    loading crypto/libscrutin_kernel.so at import."""
    for path in sorted(CRYPTO.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {
            a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names
        }
        imported |= {
            n.module.split(".")[0]
            for n in ast.walk(tree)
            if isinstance(n, ast.ImportFrom) and n.level == 0 and n.module
        }
        calls = {
            n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
        }
        assert "open" not in calls, path.name
        if path.name != "kernel.py":
            assert "ctypes" not in imported, path.name
            continue
        loads = [
            n
            for n in ast.walk(tree)
            if isinstance(n, ast.Call)
            and isinstance(n.func, ast.Attribute)
            and n.func.attr in {"CDLL", "LoadLibrary", "PyDLL"}
        ]
        assert len(loads) == 1 and ast.unparse(loads[0].args[0]) == "str(LIBRARY_PATH)"
        assert 'with_name("libscrutin_kernel.so")' in path.read_text(encoding="utf-8")
