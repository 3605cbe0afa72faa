"""Turn a scenario's ``registry`` object into registry records (ID numbers only as HMACs)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from zoneinfo import ZoneInfo

from kiosk.core.registry import RegistrySnapshot
from kiosk.scenarios.spec import (
    ScenarioError,
    parse_date,
    parse_end,
    parse_instant,
    parse_start,
)
from kiosk.store.db import migrate, open_engine
from kiosk.store.registry import RegistryWriter, SqlRegistry
from kiosk.store.schemas import RecordError, to_record

# Scenario table → (store kind, conveniences: defaults, then how each time field is read).
_TABLES: dict[str, tuple[str, dict[str, Any], dict[str, str]]] = {
    "people": ("people", {}, {}),
    "visit_approvals": (
        "visit_approvals",
        {"status": "approved"},
        {"visit_date": "date", "filed_at": "start"},
    ),
    "stay_approvals": ("stay_approvals", {"status": "approved"}, {"from": "date", "until": "date"}),
    "leave_approvals": (
        "leave_approvals",
        {"status": "approved"},
        {"from": "start", "until": "end", "returned_at": "instant"},
    ),
    "quarantine": ("quarantines", {}, {"from": "start", "until": "end"}),
    "risk_areas": ("risk_areas", {"from": "-3650d"}, {"from": "start", "until": "end"}),
    "checkins": ("checkins", {"status": "normal"}, {"date": "date"}),
    "revoked": ("revocations", {"kind": "campus_pass"}, {}),
    "vehicles": ("vehicles", {}, {"until": "date"}),
}


def build_records(
    reg: dict[str, Any], now: dt.datetime, tz: ZoneInfo, key: bytes, source: str
) -> RegistrySnapshot:
    """Validate every table of a scenario registry with the registry schemas
    (``kiosk.store.schemas``), naming the row of any bad value.

    Scenario conveniences come first: relative times (``"-30h"``), dates meaning the start or
    end of a day, default statuses, and leave ids ``L1``, ``L2``… by position.
    """
    out = RegistrySnapshot(version="scenario", synced_at=now)
    unknown = sorted(set(reg) - set(_TABLES))
    if unknown:
        raise ScenarioError(
            f"{source}: registry.{unknown[0]}: unknown table (known: {', '.join(_TABLES)})"
        )
    for table, (kind, defaults, times) in _TABLES.items():
        rows = reg.get(table, [])
        if not isinstance(rows, list):
            raise ScenarioError(f"{source}: registry.{table}: expected an array")
        target = getattr(out, kind)
        for i, row in enumerate(rows):
            w = f"{source}: registry.{table}[{i}]"
            if not isinstance(row, dict):
                raise ScenarioError(f"{w}: expected an object")
            values = {**defaults, **row}
            if table == "leave_approvals":
                values.setdefault("leave_id", f"L{i + 1}")
            for name, form in times.items():
                if name in values:
                    values[name] = _time(form, values[name], now, tz, f"{w}.{name}")
            try:
                target.append(to_record(kind, values, tz=tz, key=key))
            except RecordError as exc:
                raise ScenarioError(f"{w}: {exc}") from None
    return out


def _time(form: str, value: Any, now: dt.datetime, tz: ZoneInfo, where: str) -> Any:
    if value is None:
        return None
    if form == "date":
        return parse_date(value, now, tz, where)
    if form == "start":
        return parse_start(value, now, tz, where)
    if form == "end":
        return parse_end(value, now, tz, where)
    return parse_instant(value, now, where)


@contextmanager
def sql_registry(snapshot: RegistrySnapshot, url: str) -> Iterator[SqlRegistry]:
    """The snapshot written into a freshly migrated database at ``url``, closed on exit."""
    engine = open_engine(url)
    try:
        migrate(engine)
        RegistryWriter(engine).replace(snapshot)
        registry = SqlRegistry(engine)
        try:
            yield registry
        finally:
            registry.close()
    finally:
        engine.dispose()
