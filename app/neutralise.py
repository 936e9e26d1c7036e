"""Neutralise user-provided text in exports others open: spreadsheets and wiki pages.

* CSV: a cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return is a formula
  to Excel, LibreOffice and Google Sheets (``=HYPERLINK(…)``, DDE); such cells get a leading
  apostrophe, which spreadsheets show as text. Numbers (``int``) are left alone.
* Wikitext: a name is wrapped in ``<nowiki>…</nowiki>``, so templates, links, categories,
  magic words and table syntax in it are shown, not interpreted. ``&`` and ``<`` inside are
  written as entities (MediaWiki still decodes them inside nowiki), so a name cannot close
  the nowiki early; newlines become spaces so a name cannot end a table row.

No dependencies: the services, the counting CLI and the offline tools all use it.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import IO, Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SafeCsvWriter:
    """``csv.writer`` whose rows are neutralised cell by cell."""

    def __init__(self, handle: IO[str], **kwargs: Any) -> None:
        self._writer = csv.writer(handle, **kwargs)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([csv_cell(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def nowiki(text: Any) -> str:
    body = str(text).replace("&", "&amp;").replace("<", "&lt;").replace("\r", " ").replace("\n", " ")
    return f"<nowiki>{body}</nowiki>"
