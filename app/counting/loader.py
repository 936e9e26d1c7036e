"""Read a ballot file in any supported format, recognised by extension or, failing that, content."""

from __future__ import annotations

from pathlib import Path

from app.counting.ballots import Profile
from app.counting.blt import parse_blt
from app.counting.debian_tally import parse_debian_tally
from app.counting.errors import BallotFileError
from app.counting.preflib import parse_preflib

FORMATS = ("blt", "preflib", "debian")


def detect_format(text: str, filename: str = "") -> str:
    suffix = Path(filename).suffix.lower()
    if suffix == ".blt":
        return "blt"
    if suffix in {".soi", ".toi", ".soc", ".toc"}:
        return "preflib"
    if "V:" in text and "-->" in text:
        return "debian"
    if "# ALTERNATIVE NAME" in text or "# NUMBER ALTERNATIVES" in text:
        return "preflib"
    first = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    if len(first.split()) == 2 and all(p.isdigit() for p in first.split()):
        return "blt"
    raise BallotFileError(
        "cannot tell the file format (expected BLT, PrefLib .soi/.toi or a Debian tally sheet)",
        path=filename or None,
    )


def parse_text(text: str, *, filename: str = "", fmt: str | None = None) -> Profile:
    fmt = fmt or detect_format(text, filename)
    path = filename or None
    if fmt == "blt":
        return parse_blt(text, path=path)
    if fmt == "preflib":
        return parse_preflib(text, path=path)
    if fmt == "debian":
        return parse_debian_tally(text, path=path)
    raise BallotFileError(f"unknown format {fmt!r}; known: {', '.join(FORMATS)}", path=path)


def load_file(path: str | Path, fmt: str | None = None) -> Profile:
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise BallotFileError(f"cannot read file: {exc.strerror}", path=str(p)) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")  # old Debian sheets are Latin-1
    return parse_text(text, filename=str(p), fmt=fmt)
