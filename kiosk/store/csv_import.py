"""Importing registry CSV files (columns in ``docs/registry-csv.md``).

ID numbers and full names are turned into the keyed HMAC and masked forms here and never
stored. A file is checked completely before anything is written; the first bad cell stops the
import with a message naming the file, line, column and what was expected.
"""

from __future__ import annotations

import csv
import datetime as dt
import zoneinfo
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.errors import UserError
from kiosk.store import records as rec
from kiosk.store.changes import ChangeSet, key_of
from kiosk.store.registry import RegistryWriter
from kiosk.store.schemas import KIND_SCHEMAS, ValidationError, error_field, first_error


class CsvImportError(UserError, ValueError):
    """A registry CSV file cannot be imported; the message names where and why."""

    label = "import error"

    def __init__(self, file: Path, line: int, column: str | None, message: str) -> None:
        self.file, self.line, self.column = file, line, column
        where = f"{file}: line {line}" if line else str(file)
        where += f", column {column}" if column else ""
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class CsvKind:
    """One importable kind: the store kind it fills, its columns and which are required."""

    name: str
    record_kind: rec.RecordKind[Any]
    columns: tuple[str, ...]
    required: tuple[str, ...]


CSV_KINDS: dict[str, CsvKind] = {
    k.name: k
    for k in (
        CsvKind(
            "people",
            rec.PEOPLE,
            ("person_no", "role", "name", "id_number", "unit", "active"),
            ("person_no", "role", "name"),
        ),
        CsvKind(
            "visits",
            rec.VISIT_APPROVALS,
            (
                "approval_no",
                "name",
                "id_number",
                "origin_region",
                "host_unit",
                "host_person_no",
                "visit_date",
                "gates",
                "filed_at",
                "status",
                "plate",
            ),
            (
                "approval_no",
                "name",
                "id_number",
                "origin_region",
                "host_unit",
                "host_person_no",
                "visit_date",
                "filed_at",
                "status",
            ),
        ),
        CsvKind(
            "stays",
            rec.STAY_APPROVALS,
            ("person_no", "from", "until", "status"),
            ("person_no", "from", "until", "status"),
        ),
        CsvKind(
            "leaves",
            rec.LEAVE_APPROVALS,
            (
                "leave_id",
                "person_no",
                "kind",
                "from",
                "until",
                "destination_region",
                "status",
                "returned_at",
            ),
            ("person_no", "kind", "from", "until", "destination_region", "status"),
        ),
        CsvKind(
            "quarantine", rec.QUARANTINES, ("id_number", "person_no", "from", "until"), ("from",)
        ),
        CsvKind(
            "risk-areas",
            rec.RISK_AREAS,
            ("region_code", "level", "from", "until"),
            ("region_code", "level", "from"),
        ),
        CsvKind(
            "checkins",
            rec.CHECKINS,
            ("person_no", "date", "status"),
            ("person_no", "date", "status"),
        ),
        CsvKind("revocations", rec.REVOCATIONS, ("kind", "person_no"), ("kind", "person_no")),
        CsvKind(
            "vehicles",
            rec.VEHICLES,
            ("plate", "unit", "person_no", "until", "active"),
            ("plate", "unit"),
        ),
    )
}

KIND_NAMES = tuple(CSV_KINDS)


def read_csv(kind: CsvKind, path: Path, key: bytes | None, tz: dt.tzinfo) -> list[Any]:
    """Parse every row of ``path`` into records, or raise :class:`CsvImportError`."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            return _read(kind, path, csv.reader(fh), key, tz)
    except UnicodeDecodeError as exc:
        raise CsvImportError(path, 0, None, f"not UTF-8 text ({exc.reason})") from None
    except FileNotFoundError:
        raise CsvImportError(path, 0, None, "file not found") from None
    except IsADirectoryError:
        raise CsvImportError(path, 0, None, "is a directory, not a CSV file") from None
    except OSError as exc:
        raise CsvImportError(path, 0, None, f"cannot read ({exc.strerror or exc})") from None
    except csv.Error as exc:  # e.g. a cell longer than the field size limit, a NUL byte
        raise CsvImportError(path, 0, None, f"not a CSV file we can read ({exc})") from None


def _read(kind: CsvKind, path: Path, reader: Any, key: bytes | None, tz: dt.tzinfo) -> list[Any]:
    header = [h.strip() for h in next(reader, [])]
    if not any(header):
        raise CsvImportError(path, 1, None, "expected a header row, the file is empty")
    for i, name in enumerate(header, 1):
        if name not in kind.columns:
            raise CsvImportError(
                path,
                1,
                f"{i} ({name[:40] or 'empty'})",
                f"unknown column (known: {', '.join(kind.columns)})",
            )
    if len(set(header)) != len(header):
        raise CsvImportError(path, 1, None, "a column appears twice in the header")
    for column in kind.required:
        if column not in header:
            raise CsvImportError(path, 1, None, f"missing required column {column!r}")
    place = {name: f"{i} ({name})" for i, name in enumerate(header, 1)}
    records: list[Any] = []
    seen: dict[tuple[Any, ...], int] = {}
    for cells in reader:
        line = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            raise CsvImportError(
                path, line, None, f"expected {len(header)} cells, found {len(cells)}"
            )
        row = {name: cell for name, cell in zip(header, cells, strict=True) if cell.strip()}
        for name in kind.required:
            if name not in row:
                raise CsvImportError(path, line, place[name], "expected a value, got an empty cell")
        record = _record(kind, row, key, tz, path, line, place)
        k = tuple(key_of(kind.record_kind, record).values())
        if kind.record_kind.key and k in seen:
            raise CsvImportError(
                path,
                line,
                None,
                f"duplicate {'/'.join(kind.record_kind.key)} {k!r} (first on line {seen[k]})",
            )
        seen[k] = line
        records.append(record)
    return records


def _record(
    kind: CsvKind,
    row: dict[str, str],
    key: bytes | None,
    tz: dt.tzinfo,
    path: Path,
    line: int,
    place: dict[str, str],
) -> Any:
    schema = KIND_SCHEMAS[kind.record_kind.name]
    try:
        model = schema.model_validate(row, context={"tz": tz, "key": key})
    except ValidationError as exc:
        field = error_field(exc)
        message = first_error(exc)
        if field in place:
            message = message.removeprefix(f"{field}: ")
        raise CsvImportError(path, line, place.get(field or ""), message) from None
    return model.record(key)  # type: ignore[attr-defined]


def import_csv(
    writer: RegistryWriter,
    kind_name: str,
    path: Path,
    key: bytes | None,
    tz: dt.tzinfo,
    *,
    replace: bool = False,
) -> int:
    """Import one CSV file in one transaction (``replace``: drop that kind's rows first).

    The registry's version and sync time are left alone: an import is not a sync (R15).
    """
    if kind_name not in CSV_KINDS:
        raise ValueError(f"unknown kind {kind_name!r} (one of {', '.join(KIND_NAMES)})")
    kind = CSV_KINDS[kind_name]
    records = read_csv(kind, path, key, tz)
    name = kind.record_kind.name
    writer.apply(
        ChangeSet(upsert={name: records}, replace=frozenset({name}) if replace else frozenset()),
        None,
    )
    return len(records)


def campus_tz(name: str) -> dt.tzinfo:
    """The campus time zone by IANA name."""
    return zoneinfo.ZoneInfo(name)
