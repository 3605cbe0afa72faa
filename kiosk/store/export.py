"""Exporting the decision log as CSV or JSON Lines; every export is itself logged (design §6).

Every CSV this project writes for people to open in a spreadsheet goes through
:class:`SpreadsheetCsvWriter` (or :func:`spreadsheet_safe` per cell): the log export here, the
admin screen's export and the central server's. A cell that a spreadsheet would run as a
formula — one starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return (OWASP's
rule for CSV injection) — gets a leading single quote, so ``=HYPERLINK(…)`` typed as a person
number or imported from a file shows as text. A cell that is just a number (``-3.5``) is data,
not a formula, and stays as it is. The csv module does the quoting.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any, Literal, TextIO

from kiosk.store.chain import LogRecord, iso_utc
from kiosk.store.log import DecisionLog

ExportFormat = Literal["csv", "jsonl"]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")
FIXED_COLUMNS = ("seq", "record_id", "kind", "at", "gate", "outcome", "person_no")
CHAIN_COLUMNS = ("prev_hash", "hash")


def flatten(payload: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    """Nested fields as dotted columns; lists joined with ``|``; None as empty."""
    flat: dict[str, str] = {}
    for key, value in payload.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(flatten(value, f"{name}."))
        elif isinstance(value, list):
            flat[name] = "|".join(
                json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list)) else _cell(v)
                for v in value
            )
        else:
            flat[name] = _cell(value)
    return flat


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def spreadsheet_safe(cell: str) -> str:
    """``cell`` as a spreadsheet shows it as text: a leading ``'`` if it could start a formula."""
    if cell.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


class SpreadsheetCsvWriter:
    """A ``csv.writer`` whose every cell (header included) passes :func:`spreadsheet_safe`.

    Values are written as text: ``None`` as empty, booleans as ``true``/``false``. Rows end in
    CRLF (RFC 4180), so the csv module quotes a cell holding a lone CR or LF too.
    """

    def __init__(self, out: TextIO) -> None:
        self._writer = csv.writer(out, lineterminator="\r\n")

    def writerow(self, cells: Iterable[Any]) -> None:
        """Write one row of cells."""
        self._writer.writerow([spreadsheet_safe(_cell(c)) for c in cells])


def write_jsonl(records: Iterable[LogRecord], out: TextIO) -> int:
    """One JSON object per record (chain fields included); returns the count."""
    n = 0
    for record in records:
        out.write(json.dumps(record.as_dict(), ensure_ascii=False, sort_keys=True) + "\n")
        n += 1
    return n


def write_csv(records: list[LogRecord], out: TextIO) -> int:
    """A header of fixed columns, every payload field seen (dotted), then the chain hashes.

    Every cell is made spreadsheet-safe (:func:`spreadsheet_safe`).
    """
    flats = [flatten(r.payload) for r in records]
    payload_columns = sorted({k for f in flats for k in f})
    taken = set(FIXED_COLUMNS) | set(CHAIN_COLUMNS)
    header = {c: (f"payload.{c}" if c in taken else c) for c in payload_columns}
    writer = SpreadsheetCsvWriter(out)
    writer.writerow([*FIXED_COLUMNS, *header.values(), *CHAIN_COLUMNS])
    for record, flat in zip(records, flats, strict=True):
        row = record.as_dict()
        fixed = [row[c] for c in FIXED_COLUMNS]
        writer.writerow([*fixed, *(flat.get(c, "") for c in header), record.prev_hash, record.hash])
    return len(records)


def export(
    log: DecisionLog,
    start: dt.datetime,
    end: dt.datetime,
    fmt: ExportFormat,
    out: TextIO,
    *,
    gate: str,
    at: dt.datetime | None = None,
) -> int:
    """Write records with ``start <= at < end`` to ``out`` and log an ``audit`` event."""
    if fmt == "jsonl":
        n = write_jsonl(log.records(start, end), out)
    elif fmt == "csv":
        n = write_csv(list(log.records(start, end)), out)
    else:
        raise ValueError(f"unknown export format {fmt!r} (csv or jsonl)")
    log.append(
        "audit",
        at or dt.datetime.now(dt.UTC),
        {
            "action": "export",
            "from": iso_utc(start),
            "to": iso_utc(end),
            "format": fmt,
            "records": n,
        },
        gate=gate,
    )
    return n
