"""One canonical JSON (docs/protocol.md §2.4), the same bytes in Python
(``crypto.hashing.canonical_json``) and in the browser (``admin_ui/static/js/crypto/hashing.js``
``canonicalJsonBytes``), on random JSON: nested objects and arrays, integers up to ±(2^53−1),
strings and keys anywhere in Unicode (astral characters included, whose code-point order differs
from JavaScript's UTF-16 order), control characters, booleans and null. Integers beyond 2^53−1
are refused by both."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crypto.hashing import canonical_json

ROOT = Path(__file__).resolve().parents[2]
NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed (CI installs Node.js)")
MAX = 2**53 - 1

_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=12)
_json: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | st.integers(-MAX, MAX) | _text,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(_text, inner, max_size=5),
    max_leaves=30,
)


def _javascript(values: list[Any]) -> list[Any]:
    assert NODE is not None
    done = subprocess.run(
        [NODE, "tests/js/canonical_json.mjs"],
        cwd=ROOT,
        check=True,
        input=json.dumps(values),
        capture_output=True,
        text=True,
        timeout=120,
    )
    return json.loads(done.stdout)  # type: ignore[no-any-return]


@settings(max_examples=25, deadline=None)
@given(st.lists(_json, min_size=1, max_size=40))
def test_python_and_javascript_canonical_json_agree(values) -> None:
    assert _javascript(values) == [canonical_json(v).hex() for v in values]


def test_both_refuse_integers_beyond_two_to_the_53() -> None:
    with pytest.raises(ValueError):
        canonical_json({"n": MAX + 1})
    (refused,) = _javascript([{"n": MAX + 1}])
    assert "2^53" in refused["error"]


def test_key_order_is_by_code_point() -> None:
    """U+FF61 sorts before U+1F600 by code point, after it in UTF-16 units."""
    value = {"\U0001f600": 1, "\uff61": 2}
    assert canonical_json(value) == '{"\uff61":2,"\U0001f600":1}'.encode()
    assert _javascript([value]) == [canonical_json(value).hex()]
