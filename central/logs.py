"""The gates' logs as the server holds them: cross-gate query, CSV export, chain verification.

Every read and export is audited (design §6). The CSV goes through the kiosk's own export
(:func:`kiosk.store.export.write_csv`, every cell made safe by ``SpreadsheetCsvWriter``); the
chain is checked with the kiosk's rules (:mod:`kiosk.store.verify`).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any, TextIO

from sqlalchemy import Select, select

from central.admin import DECISIONS, gate_id
from central.context import Central, CentralError
from kiosk.store.chain import GENESIS_HASH, LogRecord, hash_of
from kiosk.store.db import read_connection, write_connection
from kiosk.store.export import write_csv
from kiosk.store.verify import Anchor, Link, check_links

MAX_ROWS = 100_000


@dataclass(frozen=True)
class LogQuery:
    """Which records: every filter is optional; ``start <= at < end``."""

    gate: str | None = None
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    person_no: str | None = None
    outcome: str | None = None
    kind: str | None = None
    limit: int = 1000

    def as_dict(self) -> dict[str, Any]:
        """The filters, for the audit trail."""
        return {
            k: (v.isoformat() if isinstance(v, dt.datetime) else v) for k, v in vars(self).items()
        }


def _statement(central: Central, query: LogQuery) -> Select[Any]:
    if not 1 <= query.limit <= MAX_ROWS:
        raise CentralError(f"limit: expected 1–{MAX_ROWS}, got {query.limit}")
    for name in ("start", "end"):
        value = getattr(query, name)
        if value is not None and value.tzinfo is None:
            raise CentralError(f"{name}: expected a time with a UTC offset")
    stmt = select(DECISIONS)
    if query.gate is not None:
        stmt = stmt.where(DECISIONS.c.gate_id == gate_id(central, query.gate))
    if query.start is not None:
        stmt = stmt.where(DECISIONS.c.at >= query.start)
    if query.end is not None:
        stmt = stmt.where(DECISIONS.c.at < query.end)
    for name in ("person_no", "outcome", "kind"):
        value = getattr(query, name)
        if value is not None:
            stmt = stmt.where(DECISIONS.c[name] == value)
    return stmt.order_by(DECISIONS.c.at, DECISIONS.c.gate, DECISIONS.c.seq).limit(query.limit)


def _record(row: Any) -> LogRecord:
    return LogRecord(
        row.seq,
        row.record_id,
        row.kind,
        row.at,
        row.gate,
        row.outcome,
        row.person_no,
        json.loads(row.payload),
        row.prev_hash,
        row.hash,
    )


def query(central: Central, q: LogQuery, actor: str) -> list[LogRecord]:
    """Records of every gate (or one) matching ``q``, oldest first; the read is audited."""
    stmt = _statement(central, q)
    with read_connection(central.engine) as conn:
        records = [_record(r) for r in conn.execute(stmt)]
    with write_connection(central.engine) as conn, conn.begin():
        central.audit(conn, actor, "log_query", rows=len(records), **q.as_dict())
    return records


def export_csv(central: Central, q: LogQuery, out: TextIO, actor: str) -> int:
    """Write the matching records as spreadsheet-safe CSV; the export is audited."""
    records = list(_records(central, q))
    n = write_csv(records, out)
    with write_connection(central.engine) as conn, conn.begin():
        central.audit(conn, actor, "log_export", rows=n, **q.as_dict())
    return n


def _records(central: Central, q: LogQuery) -> list[LogRecord]:
    with read_connection(central.engine) as conn:
        return [_record(r) for r in conn.execute(_statement(central, q))]


def verify_gate(central: Central, gate: str) -> dict[str, Any]:
    """Check the server's copy of one gate's chain: every link and every record's hash."""
    gid = gate_id(central, gate)
    stmt = select(DECISIONS).where(DECISIONS.c.gate_id == gid).order_by(DECISIONS.c.seq)
    with read_connection(central.engine) as conn:
        records = [_record(r) for r in conn.execute(stmt)]
    if not records:
        return {"gate": gate, "ok": True, "checked": 0, "first": None, "last": None, "problems": []}
    first = records[0]
    anchor = Anchor(0, GENESIS_HASH) if first.seq == 1 else Anchor(first.seq - 1, first.prev_hash)
    by_seq = {r.seq: r for r in records}

    def find_edited(places: dict[int, int]) -> set[int]:
        return {
            s for s, place in places.items() if hash_of(by_seq[s], as_seq=place) != by_seq[s].hash
        }

    links = [Link(r.seq, r.prev_hash, r.hash) for r in records]
    problems = check_links(links, anchor, find_edited)
    return {
        "gate": gate,
        "ok": not problems,
        "checked": len(records),
        "first": first.seq,
        "last": records[-1].seq,
        "problems": [str(p) for p in problems],
    }
