"""Registry records and natural keys in their JSON form, as the sync feed carries them.

One form for every kind of :data:`kiosk.store.records.ALL_KINDS`: the record's field names,
dates ``YYYY-MM-DD``, times ISO-8601 in UTC with microseconds, tuples as lists, bytes as
lowercase hex. Rows go back through the kind's schema (:func:`kiosk.store.schemas.to_record`);
keys go back by the record type's field annotations. The central server writes with these
functions and the kiosk's sync reads with them (``docs/sync-api.md``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import types
import typing
from collections.abc import Mapping
from functools import cache
from typing import Any

from kiosk.store import records as rec
from kiosk.store.chain import canonical_json, iso_utc
from kiosk.store.schemas import to_record, to_records

KINDS: dict[str, rec.RecordKind[Any]] = {kind.name: kind for kind in rec.ALL_KINDS}


def plain(value: Any) -> Any:
    """One field value in its JSON form."""
    if isinstance(value, dt.datetime):
        return iso_utc(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [plain(v) for v in value]
    if isinstance(value, bytes):
        return value.hex()
    return value


def record_row(record: Any) -> dict[str, Any]:
    """A record (a ``kiosk.core.registry`` dataclass) as a feed row."""
    return {f.name: plain(getattr(record, f.name)) for f in dataclasses.fields(record)}


def key_row(kind: str, record: Any) -> dict[str, Any]:
    """The natural key of ``record`` (of ``kind``) as a feed deletion row."""
    return {name: plain(getattr(record, name)) for name in KINDS[kind].key}


def key_text(key: Mapping[str, Any]) -> str:
    """A key row as one canonical string (what the server stores and orders by)."""
    return canonical_json(dict(key))


def row_record(kind: str, row: Mapping[str, Any]) -> Any:
    """A feed row back as the record, validated by the kind's schema (``RecordError``)."""
    return to_record(kind, row)


def row_records(kind: str, rows: list[Mapping[str, Any]]) -> list[Any]:
    """Feed rows back as records, validated in one call (``RowsError`` names the bad row)."""
    return to_records(kind, rows)


@cache
def _key_types(kind: str) -> dict[str, Any]:
    hints = typing.get_type_hints(KINDS[kind].record_type)
    return {name: hints[name] for name in KINDS[kind].key}


def row_key(kind: str, row: Mapping[str, Any]) -> dict[str, Any]:
    """A feed deletion row back as the typed key ``ChangeSet.delete`` takes.

    Raises ``ValueError`` naming the field when the row is not exactly the kind's key.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown registry kind {kind!r}")
    types_ = _key_types(kind)
    if set(row) != set(types_):
        raise ValueError(f"{kind}: expected the key fields {sorted(types_)}, got {sorted(row)}")
    return {name: _typed(kind, name, types_[name], row[name]) for name in types_}


def _typed(kind: str, name: str, hint: Any, value: Any) -> Any:
    options = typing.get_args(hint) if isinstance(hint, types.UnionType) else (hint,)
    if value is None:
        if type(None) in options:
            return None
        raise ValueError(f"{kind}.{name}: expected a value, got null")
    target = next(t for t in options if t is not type(None))
    try:
        if target is dt.datetime:
            parsed = dt.datetime.fromisoformat(value)
            if parsed.tzinfo is None:
                raise ValueError("no UTC offset")
            return parsed
        if target is dt.date:
            return dt.date.fromisoformat(value)
        if target is bytes:
            return bytes.fromhex(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{kind}.{name}: {exc}") from None
    if not isinstance(value, str):
        raise ValueError(f"{kind}.{name}: expected text, got {type(value).__name__}")
    return value
