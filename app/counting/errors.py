"""Errors raised by the counting package.

Every problem with the input is a :class:`CountingError`; problems tied to a place in a file are
:class:`BallotFileError` and carry the line number, so the CLI can say exactly where to look.
"""

from __future__ import annotations


class CountingError(ValueError):
    """The ballots or settings cannot be counted as asked (e.g. more seats than candidates)."""


class BallotFileError(CountingError):
    """A malformed ballot file. ``line`` is 1-based; ``None`` when the whole file is at fault."""

    def __init__(self, message: str, *, line: int | None = None, path: str | None = None) -> None:
        self.message = message
        self.line = line
        self.path = path
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.path or "input"
        if self.line is not None:
            where += f", line {self.line}"
        return f"{where}: {self.message}"
