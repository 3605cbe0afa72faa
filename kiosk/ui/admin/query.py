"""SQL behind the admin screen: filtered, sorted pages of the decision log, counts for the
charts, and the audit records of what an admin did. No Qt here; every call runs on the
admin screen's SQL thread (:mod:`kiosk.ui.admin.worker`).

Fields inside the JSON payload (direction, role, approval number, reasons) are read by the
database (SQLite ``json_extract``/``json_each``, PostgreSQL ``jsonb``), so filtering and
sorting never load the log into Python lists.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Select,
    case,
    cast,
    exists,
    func,
    literal,
    literal_column,
    or_,
    select,
    true,
)
from sqlalchemy.dialects.postgresql import JSONB

from kiosk.core.reasons import Reason
from kiosk.core.registry import ROLES
from kiosk.core.verdict import Outcome
from kiosk.store.chain import LogRecord
from kiosk.store.db import open_engine
from kiosk.store.export import write_csv
from kiosk.store.log import EVENTS, DecisionLog, record_from_row
from kiosk.store.verify import VerifyReport

PAGE_SIZE = 200
SORT_KEYS = ("seq", "at", "kind", "outcome", "person_no", "direction", "role")


def _is_sqlite(conn: Connection | Engine) -> bool:
    return conn.dialect.name == "sqlite"


def json_text(conn: Connection | Engine, *path: str) -> ColumnElement[Any]:
    """The text at ``path`` inside the payload (NULL when absent)."""
    if _is_sqlite(conn):
        # The path is written into the SQL, not bound: only then can SQLite match the
        # expression indexes of migration 0005.
        return func.json_extract(EVENTS.c.payload, literal_column(f"'$.{'.'.join(path)}'"))
    return cast(EVENTS.c.payload, JSONB)[path].astext


def reason_values(conn: Connection | Engine, key: str = "reasons") -> Any:
    """A table-valued function yielding each code of the payload's ``key`` list."""
    if _is_sqlite(conn):
        return func.json_each(EVENTS.c.payload, f"$.{key}").table_valued("value")
    return func.jsonb_array_elements_text(cast(EVENTS.c.payload, JSONB)[key]).table_valued(
        "value"
    )


@dataclass(frozen=True)
class LogFilter:
    """What the admin asked to see; empty fields do not filter."""

    start: dt.datetime | None = None
    end: dt.datetime | None = None
    kind: str = ""
    outcome: str = ""
    reason: str = ""
    role: str = ""
    direction: str = ""
    gate: str = ""
    search: str = ""  # a person number or a visit approval number, exactly
    sort: str = "seq"
    descending: bool = True

    def describe(self) -> dict[str, str]:
        """The filter as the audit record keeps it (only what was set)."""
        values = {
            "from": self.start.isoformat() if self.start else "",
            "to": self.end.isoformat() if self.end else "",
            "kind": self.kind,
            "outcome": self.outcome,
            "reason": self.reason,
            "role": self.role,
            "direction": self.direction,
            "gate": self.gate,
            "search": self.search,
        }
        return {k: v for k, v in values.items() if v}

    def conditions(self, conn: Connection | Engine) -> list[ColumnElement[bool]]:
        """The WHERE clauses of this filter."""
        c = EVENTS.c
        where: list[ColumnElement[bool]] = []
        if self.start is not None:
            where.append(c.at >= self.start)
        if self.end is not None:
            where.append(c.at < self.end)
        if self.kind:
            where.append(c.kind == self.kind)
        if self.outcome:
            where.append(c.outcome == self.outcome)
        if self.gate:
            where.append(c.gate == self.gate)
        if self.direction:
            where.append(json_text(conn, "direction") == self.direction)
        if self.role:
            where.append(json_text(conn, "subject", "role") == self.role)
        if self.reason:
            values = reason_values(conn)
            where.append(exists(select(literal(1)).select_from(values).where(
                values.c.value == self.reason
            )))
        term = self.search.strip()
        if term:
            where.append(
                or_(c.person_no == term, json_text(conn, "subject", "approval_no") == term)
            )
        return where

    def order(self, conn: Connection | Engine) -> list[ColumnElement[Any]]:
        """ORDER BY of this filter; ``seq`` breaks ties so pages never overlap."""
        c = EVENTS.c
        columns: dict[str, ColumnElement[Any]] = {
            "seq": c.seq,
            "at": c.at,
            "kind": c.kind,
            "outcome": c.outcome,
            "person_no": c.person_no,
            "direction": json_text(conn, "direction"),
            "role": json_text(conn, "subject", "role"),
        }
        key = columns.get(self.sort, c.seq)
        first = key.desc() if self.descending else key.asc()
        if self.sort == "seq":
            return [first]
        return [first, c.seq.desc() if self.descending else c.seq.asc()]


@dataclass(frozen=True)
class LogRow:
    """One line of the browser: what the table shows of a record."""

    seq: int
    at: dt.datetime
    kind: str
    gate: str
    outcome: str | None
    person_no: str | None
    direction: str
    role: str
    name_masked: str
    approval_no: str
    reasons: tuple[str, ...]
    event: str


def _row_statement(conn: Connection, flt: LogFilter) -> Select[Any]:
    c = EVENTS.c
    return select(
        c.seq,
        c.at,
        c.kind,
        c.gate,
        c.outcome,
        c.person_no,
        json_text(conn, "direction").label("direction"),
        json_text(conn, "subject", "role").label("role"),
        json_text(conn, "subject", "name_masked").label("name_masked"),
        json_text(conn, "subject", "approval_no").label("approval_no"),
        json_text(conn, "reasons").label("reasons"),
        func.coalesce(json_text(conn, "event"), json_text(conn, "action")).label("event"),
    ).where(*flt.conditions(conn))


def _reasons(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    data = json.loads(value) if isinstance(value, str) else value
    return tuple(str(v) for v in data) if isinstance(data, list) else ()


def fetch_page(engine: Engine, flt: LogFilter, offset: int, limit: int = PAGE_SIZE) -> list[LogRow]:
    """Rows ``offset`` … ``offset + limit`` of the filtered, sorted log."""
    with engine.connect() as conn:
        stmt = _row_statement(conn, flt).order_by(*flt.order(conn)).offset(offset).limit(limit)
        return [
            LogRow(
                seq=r.seq,
                at=r.at,
                kind=r.kind,
                gate=r.gate,
                outcome=r.outcome,
                person_no=r.person_no,
                direction=r.direction or "",
                role=r.role or "",
                name_masked=r.name_masked or "",
                approval_no=r.approval_no or "",
                reasons=_reasons(r.reasons),
                event=r.event or "",
            )
            for r in conn.execute(stmt)
        ]


def count(engine: Engine, flt: LogFilter) -> int:
    """How many records match ``flt``."""
    with engine.connect() as conn:
        stmt = select(func.count()).select_from(EVENTS).where(*flt.conditions(conn))
        return int(conn.execute(stmt).scalar_one())


def record_detail(engine: Engine, seq: int) -> dict[str, Any] | None:
    """Every stored field of record ``seq``, the payload parsed; None if it is gone."""
    with engine.connect() as conn:
        row = conn.execute(select(EVENTS).where(EVENTS.c.seq == seq)).first()
    if row is None:
        return None
    detail = dict(row._mapping)
    try:
        detail["payload"] = json.loads(row.payload)
    except ValueError:
        pass  # an edited record: show the text as it is
    return detail


def filter_choices(engine: Engine) -> dict[str, list[str]]:
    """The values each filter offers: the vocabularies of the core (outcomes, roles,
    directions, reason codes) and the kinds and gates present in the log."""
    with engine.connect() as conn:
        kinds = conn.execute(select(EVENTS.c.kind).distinct().order_by(EVENTS.c.kind)).scalars()
        gates = conn.execute(select(EVENTS.c.gate).distinct().order_by(EVENTS.c.gate)).scalars()
        return {
            "kind": [str(k) for k in kinds],
            "outcome": list(get_args(Outcome)),
            "gate": [str(g) for g in gates],
            "role": list(ROLES),
            "direction": ["in", "out"],
            "reason": [r.value for r in Reason],
        }


@dataclass(frozen=True)
class DayStats:
    """The charts of one local day: counts per hour, top reject reasons, overrides."""

    day: dt.date
    admits: list[int] = field(default_factory=lambda: [0] * 24)
    rejects: list[int] = field(default_factory=lambda: [0] * 24)
    overrides: list[int] = field(default_factory=lambda: [0] * 24)
    top_reasons: list[tuple[str, int]] = field(default_factory=list)

    @property
    def total_admits(self) -> int:
        return sum(self.admits)

    @property
    def total_rejects(self) -> int:
        return sum(self.rejects)

    @property
    def total_overrides(self) -> int:
        return sum(self.overrides)


def hour_bounds(day: dt.date, tz: dt.tzinfo) -> list[dt.datetime]:
    """25 instants: the start of each local hour of ``day`` and the next midnight (UTC)."""
    start = dt.datetime.combine(day, dt.time(), tzinfo=tz)
    return [(start + dt.timedelta(hours=h)).astimezone(dt.UTC) for h in range(25)]


def day_stats(
    engine: Engine, day: dt.date, tz: dt.tzinfo, *, gate: str = "", top: int = 8
) -> DayStats:
    """Decisions of local ``day`` counted by the database, per local hour."""
    bounds = hour_bounds(day, tz)
    c = EVENTS.c
    hour = case(*((c.at < bounds[h + 1], h) for h in range(24)), else_=23).label("hour")
    where = [c.kind == "decision", c.at >= bounds[0], c.at < bounds[24]]
    if gate:
        where.append(c.gate == gate)
    stats = DayStats(day)
    with engine.connect() as conn:
        overridden = json_text(conn, "override").is_not(None)
        stmt = (
            select(
                hour,
                func.sum(case((c.outcome == "admit", 1), else_=0)),
                func.sum(case((c.outcome == "reject", 1), else_=0)),
                func.sum(case((overridden, 1), else_=0)),
            )
            .where(*where)
            .group_by(hour)
        )
        for row in conn.execute(stmt):
            h, admits, rejects, overrides = tuple(row)
            stats.admits[h] = int(admits or 0)
            stats.rejects[h] = int(rejects or 0)
            stats.overrides[h] = int(overrides or 0)
        values = reason_values(conn)
        n = func.count().label("n")
        top_stmt = (
            select(values.c.value, n)
            .select_from(EVENTS)
            .join(values, true())
            .where(*where, c.outcome == "reject")
            .group_by(values.c.value)
            .order_by(n.desc(), values.c.value)
            .limit(top)
        )
        stats.top_reasons.extend((str(v), int(k)) for v, k in conn.execute(top_stmt))
    return stats


def record_admin_action(
    log: DecisionLog,
    gate: str,
    action: str,
    details: dict[str, Any],
    *,
    at: dt.datetime | None = None,
) -> None:
    """Append an ``audit`` record (``event: admin_<action>``) of an admin screen action."""
    log.append(
        "audit",
        at or dt.datetime.now(dt.UTC),
        {"event": f"admin_{action}", "gate": gate, **details},
        gate=gate,
    )


def matching_records(engine: Engine, flt: LogFilter) -> list[LogRecord]:
    """Every record matching ``flt``, in chain order (for an export)."""
    with engine.connect() as conn:
        stmt = select(EVENTS).where(*flt.conditions(conn)).order_by(EVENTS.c.seq)
        return [record_from_row(r) for r in conn.execute(stmt.execution_options(yield_per=1000))]


def export_csv(log: DecisionLog, flt: LogFilter, path: Path, gate: str) -> int:
    """Write the records matching ``flt`` to ``path`` as spreadsheet-safe CSV (the log export's
    columns, :func:`kiosk.store.export.write_csv`) and log the export; returns the count."""
    records = matching_records(log.engine, flt)
    tmp = path.with_name(path.name + ".part")
    with tmp.open("w", encoding="utf-8-sig", newline="") as out:
        n = write_csv(records, out)
    tmp.replace(path)
    record_admin_action(log, gate, "export", {"filter": flt.describe(), "records": n,
                                              "file": path.name})
    return n


# Jobs run in a separate process (:meth:`SqlRunner.submit_process`): they are Python-heavy
# (hashing or converting every record) and would otherwise hold the interpreter lock the UI
# thread needs for every cell it paints. They open their own engine from the database URL.


def verify_at(url: str) -> VerifyReport:
    """:meth:`DecisionLog.verify` of the log at ``url``."""
    engine = open_engine(url)
    try:
        return DecisionLog(engine).verify()
    finally:
        engine.dispose()


def export_csv_at(url: str, flt: LogFilter, path: Path, gate: str) -> int:
    """:func:`export_csv` of the log at ``url``."""
    engine = open_engine(url)
    try:
        return export_csv(DecisionLog(engine, gate=gate), flt, path, gate)
    finally:
        engine.dispose()


def database_url(engine: Engine) -> str:
    """The URL another process opens ``engine``'s database with."""
    return engine.url.render_as_string(hide_password=False)
