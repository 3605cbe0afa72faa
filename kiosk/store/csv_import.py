"""Importing registry CSV files (columns in ``docs/registry-csv.md``).

ID numbers and full names are turned into the keyed HMAC and masked forms here and never
stored. A file is checked completely before anything is written; the first bad cell stops the
import with a message naming the file, line, column and what was expected.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.core.dates import DateRangeError, check_date
from kiosk.core.identity import (
    MAX_ID_NUMBER_CHARS,
    MIN_ID_NUMBER_CHARS,
    id_hmac,
    mask_id,
    mask_name,
)
from kiosk.core.registry import (
    CHECKIN_STATUSES,
    LEAVE_KINDS,
    RISK_LEVELS,
    ROLES,
    STATUSES,
    Checkin,
    LeaveApproval,
    Person,
    Quarantine,
    Revocation,
    RiskArea,
    StayApproval,
    VisitApproval,
)
from kiosk.errors import UserError
from kiosk.store import records as rec
from kiosk.store.registry import RegistryWriter

REGION = re.compile(r"^\d{2,12}$")
ID_NUMBER = re.compile(rf"^[0-9A-Za-z]{{{MIN_ID_NUMBER_CHARS},{MAX_ID_NUMBER_CHARS}}}$")
TRUE = {"true", "1", "yes", "y"}
FALSE = {"false", "0", "no", "n"}


class CsvImportError(UserError, ValueError):
    """A registry CSV file cannot be imported; the message names where and why."""

    label = "import error"

    def __init__(self, file: Path, line: int, column: str | None, message: str) -> None:
        self.file, self.line, self.column = file, line, column
        where = f"{file}: line {line}" if line else str(file)
        where += f", column {column}" if column else ""
        super().__init__(f"{where}: {message}")


class _Bad(ValueError):
    """A cell does not parse; the reader adds file, line and column."""


Parser = Callable[[str], Any]


@dataclass(frozen=True)
class Column:
    name: str
    parse: Parser
    required: bool = True


@dataclass(frozen=True)
class CsvKind:
    """One importable kind: its columns, natural key and how a row becomes a record."""

    name: str
    record_kind: rec.RecordKind[Any]
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    build: Callable[[dict[str, Any], bytes], Any]


def _text(value: str) -> str:
    if not value:
        raise _Bad("expected a value, got an empty cell")
    return value


def _optional_text(value: str) -> str:
    return value


def _choice(*options: str) -> Parser:
    def parse(value: str) -> str:
        if value not in options:
            raise _Bad(f"expected one of {', '.join(options)}, got {value!r}")
        return value

    return parse


def _bool(value: str) -> bool:
    low = value.lower()
    if low in TRUE or not low:
        return True
    if low in FALSE:
        return False
    raise _Bad(f"expected true or false, got {value!r}")


def _region(value: str) -> str:
    if not REGION.match(value):
        raise _Bad(f"expected a GB/T 2260 region code (digits), got {value!r}")
    return value


def _id_number(value: str) -> str:
    if not ID_NUMBER.match(value):
        raise _Bad(  # never echo it back
            f"expected an ID number ({MIN_ID_NUMBER_CHARS}–{MAX_ID_NUMBER_CHARS} letters or digits)"
        )
    return value.upper()


def _optional_id_number(value: str) -> str | None:
    return _id_number(value) if value else None


def _date(value: str) -> dt.date:
    try:
        return check_date(dt.date.fromisoformat(value))
    except DateRangeError as exc:
        raise _Bad(str(exc)) from None
    except ValueError:
        raise _Bad(f"expected a date YYYY-MM-DD, got {value!r}") from None


def _gates(value: str) -> tuple[str, ...]:
    return tuple(g for g in re.split(r"[\s|]+", value) if g)


@dataclass(frozen=True)
class _Times:
    """Datetime parsers in the campus time zone (values without offset are local)."""

    tz: dt.tzinfo

    def at(self, value: str) -> dt.datetime:
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            raise _Bad(f"expected a time like 2022-01-20T09:00:00+08:00, got {value!r}") from None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=self.tz)
        try:
            return check_date(parsed)
        except DateRangeError as exc:
            raise _Bad(str(exc)) from None

    def optional_at(self, value: str) -> dt.datetime | None:
        return self.at(value) if value and value.lower() != "null" else None


def _person(r: dict[str, Any], key: bytes) -> Person:
    number = r["id_number"]
    return Person(
        person_no=r["person_no"],
        role=r["role"],
        name_masked=mask_name(r["name"]),
        id_hmac=id_hmac(key, number) if number else None,
        id_masked=mask_id(number) if number else None,
        unit=r["unit"],
        active=r["active"],
    )


def _visit(r: dict[str, Any], key: bytes) -> VisitApproval:
    return VisitApproval(
        approval_no=r["approval_no"],
        name_masked=mask_name(r["name"]),
        id_hmac=id_hmac(key, r["id_number"]),
        origin_region=r["origin_region"],
        host_unit=r["host_unit"],
        host_person_no=r["host_person_no"],
        visit_date=r["visit_date"],
        gates=r["gates"],
        filed_at=r["filed_at"],
        status=r["status"],
        id_masked=mask_id(r["id_number"]),
    )


def _leave(r: dict[str, Any], key: bytes) -> LeaveApproval:
    leave_id = r["leave_id"] or f"{r['person_no']}-{r['from'].strftime('%Y%m%d%H%M')}"
    return LeaveApproval(
        leave_id=leave_id,
        person_no=r["person_no"],
        kind=r["kind"],
        start=r["from"],
        until=r["until"],
        destination_region=r["destination_region"],
        status=r["status"],
        returned_at=r["returned_at"],
    )


def _quarantine(r: dict[str, Any], key: bytes) -> Quarantine:
    if not r["id_number"] and not r["person_no"]:
        raise _Bad("expected id_number or person_no (or both)")
    return Quarantine(
        id_hmac=id_hmac(key, r["id_number"]) if r["id_number"] else None,
        person_no=r["person_no"] or None,
        start=r["from"],
        until=r["until"],
    )


def csv_kinds(tz: dt.tzinfo) -> dict[str, CsvKind]:
    """Every importable kind by its command-line name."""
    t = _Times(tz)
    status = _choice(*STATUSES)
    kinds = [
        CsvKind(
            "people",
            rec.PEOPLE,
            (
                Column("person_no", _text),
                Column("role", _choice(*ROLES)),
                Column("name", _text),
                Column("id_number", _optional_id_number, required=False),
                Column("unit", _optional_text, required=False),
                Column("active", _bool, required=False),
            ),
            ("person_no",),
            _person,
        ),
        CsvKind(
            "visits",
            rec.VISIT_APPROVALS,
            (
                Column("approval_no", _text),
                Column("name", _text),
                Column("id_number", _id_number),
                Column("origin_region", _region),
                Column("host_unit", _text),
                Column("host_person_no", _text),
                Column("visit_date", _date),
                Column("gates", _gates, required=False),
                Column("filed_at", t.at),
                Column("status", status),
            ),
            ("approval_no",),
            _visit,
        ),
        CsvKind(
            "stays",
            rec.STAY_APPROVALS,
            (
                Column("person_no", _text),
                Column("from", _date),
                Column("until", _date),
                Column("status", status),
            ),
            ("person_no", "from"),
            lambda r, _k: StayApproval(r["person_no"], r["from"], r["until"], r["status"]),
        ),
        CsvKind(
            "leaves",
            rec.LEAVE_APPROVALS,
            (
                Column("leave_id", _optional_text, required=False),
                Column("person_no", _text),
                Column("kind", _choice(*LEAVE_KINDS)),
                Column("from", t.at),
                Column("until", t.at),
                Column("destination_region", _region),
                Column("status", status),
                Column("returned_at", t.optional_at, required=False),
            ),
            ("leave_id",),
            _leave,
        ),
        CsvKind(
            "quarantine",
            rec.QUARANTINES,
            (
                Column("id_number", _optional_id_number, required=False),
                Column("person_no", _optional_text, required=False),
                Column("from", t.at),
                Column("until", t.optional_at, required=False),
            ),
            (),
            _quarantine,
        ),
        CsvKind(
            "risk-areas",
            rec.RISK_AREAS,
            (
                Column("region_code", _region),
                Column("level", _choice(*RISK_LEVELS)),
                Column("from", t.at),
                Column("until", t.optional_at, required=False),
            ),
            ("region_code", "from"),
            lambda r, _k: RiskArea(r["region_code"], r["level"], r["from"], r["until"]),
        ),
        CsvKind(
            "checkins",
            rec.CHECKINS,
            (
                Column("person_no", _text),
                Column("date", _date),
                Column("status", _choice(*CHECKIN_STATUSES)),
            ),
            ("person_no", "date"),
            lambda r, _k: Checkin(r["person_no"], r["date"], r["status"]),
        ),
        CsvKind(
            "revocations",
            rec.REVOCATIONS,
            (Column("kind", _text), Column("person_no", _text)),
            ("kind", "person_no"),
            lambda r, _k: Revocation(r["kind"], r["person_no"]),
        ),
    ]
    return {k.name: k for k in kinds}


KIND_NAMES = (
    "people",
    "visits",
    "stays",
    "leaves",
    "quarantine",
    "risk-areas",
    "checkins",
    "revocations",
)


def read_csv(kind: CsvKind, path: Path, key: bytes) -> list[Any]:
    """Parse every row of ``path`` into records, or raise :class:`CsvImportError`."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            return _read(kind, path, csv.reader(fh), key)
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


def _read(kind: CsvKind, path: Path, reader: Any, key: bytes) -> list[Any]:
    header = [h.strip() for h in next(reader, [])]
    if not any(header):
        raise CsvImportError(path, 1, None, "expected a header row, the file is empty")
    known = {c.name: c for c in kind.columns}
    for i, name in enumerate(header, 1):
        if name not in known:
            raise CsvImportError(
                path,
                1,
                f"{i} ({name or 'empty'})",
                f"unknown column (known: {', '.join(known)})",
            )
    if len(set(header)) != len(header):
        raise CsvImportError(path, 1, None, "a column appears twice in the header")
    for column in kind.columns:
        if column.required and column.name not in header:
            raise CsvImportError(path, 1, None, f"missing required column {column.name!r}")
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
        values: dict[str, Any] = {}
        for i, (name, cell) in enumerate(zip(header, cells, strict=True), 1):
            try:
                values[name] = known[name].parse(cell.strip())
            except _Bad as exc:
                raise CsvImportError(path, line, f"{i} ({name})", str(exc)) from None
        for column in kind.columns:
            if column.name not in values:
                values[column.name] = column.parse("")
        if kind.key:
            k = tuple(values[c] for c in kind.key)
            if k in seen and all(k):
                raise CsvImportError(
                    path,
                    line,
                    None,
                    f"duplicate {'/'.join(kind.key)} {k!r} (first on line {seen[k]})",
                )
            seen[k] = line
        try:
            records.append(kind.build(values, key))
        except _Bad as exc:
            raise CsvImportError(path, line, None, str(exc)) from None
    return records


def import_csv(
    writer: RegistryWriter,
    kind_name: str,
    path: Path,
    key: bytes,
    tz: dt.tzinfo,
    *,
    replace: bool = False,
) -> int:
    """Import one CSV file in one transaction (``replace``: drop that kind's rows first)."""
    kinds = csv_kinds(tz)
    if kind_name not in kinds:
        raise ValueError(f"unknown kind {kind_name!r} (one of {', '.join(KIND_NAMES)})")
    kind = kinds[kind_name]
    records = read_csv(kind, path, key)
    if replace:
        writer.replace_kind(kind.record_kind, records)
    else:
        writer.upsert(kind.record_kind, records)
    return len(records)


def campus_tz(name: str) -> dt.tzinfo:
    """The campus time zone by IANA name."""
    return zoneinfo.ZoneInfo(name)
