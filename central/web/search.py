"""The dashboard's cross-gate log search: filters, keyset paging in SQL, one page at a time.

Pages are ordered newest first by ``(at, id)`` and continue from the last row of the previous
page (``WHERE (at, id) < (:at, :id) … LIMIT n``), so page 1,000 costs what page 1 costs; the
indexes ``ix_web_decisions_*`` (``central/web/models.py``) serve the time, gate and outcome
filters. Reason, role and approval number live in the record's JSON payload and are matched
there (a reason matches the record's reasons and warnings). Every search and read is audited.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict
from sqlalchemy import Select, literal_column, or_, select, tuple_

from central.admin import DECISIONS
from central.context import Central, CentralError, NotFound
from central.logs import _record
from kiosk.core.reasons import Reason
from kiosk.core.registry import ROLES
from kiosk.store.chain import LogRecord
from kiosk.store.db import read_connection, write_connection

PAGE_SIZES = (25, 50, 100)
EXPORT_MAX = 100_000
_IDENT = re.compile(r"[0-9A-Za-z][0-9A-Za-z._/-]{0,63}")


def _blank(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


def _ident(value: Any) -> str | None:
    value = _blank(value)
    if value is None:
        return None
    if not isinstance(value, str) or not _IDENT.fullmatch(value.strip()):
        raise ValueError("expected letters, digits and . _ / - (at most 64)")
    return value.strip()


def _choice(options: tuple[str, ...]) -> BeforeValidator:
    def check(value: Any) -> str | None:
        value = _blank(value)
        if value is not None and value not in options:
            raise ValueError(f"expected one of {', '.join(options)}")
        return value

    return BeforeValidator(check)


def _local_time(value: Any) -> dt.datetime | None:
    value = _blank(value)
    if value is None:
        return None
    try:
        return dt.datetime.fromisoformat(str(value)[:32])
    except ValueError:
        raise ValueError("expected a time like 2022-01-20T08:00") from None


def _cursor(value: Any) -> str | None:
    value = _blank(value)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError("not a page cursor of this search")
    try:
        decode_after(value)
    except CentralError as exc:
        raise ValueError(str(exc).removeprefix("after: ")) from None
    return value


Ident = Annotated[str | None, BeforeValidator(_ident)]
LocalTime = Annotated[dt.datetime | None, BeforeValidator(_local_time)]
REASONS: tuple[str, ...] = tuple(r.value for r in Reason)
OUTCOMES = ("admit", "reject", "pending")


class LogFilter(BaseModel):
    """What the admin searches for; times are campus-local unless they carry an offset."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    start: LocalTime = None
    end: LocalTime = None
    gate: Ident = None
    outcome: Annotated[str | None, _choice(OUTCOMES)] = None
    reason: Annotated[str | None, _choice(REASONS)] = None
    role: Annotated[str | None, _choice(ROLES)] = None
    who: Ident = None
    """A person number or a visit approval number."""
    size: Annotated[int, BeforeValidator(lambda v: _blank(v) or 50)] = 50
    after: Annotated[str | None, BeforeValidator(_cursor)] = None
    """The keyset cursor of the next page (opaque)."""

    def as_query(self) -> dict[str, str]:
        """The filters as query parameters (for links to the next page and the export)."""
        out = {}
        for name in ("start", "end", "gate", "outcome", "reason", "role", "who"):
            value = getattr(self, name)
            if value is not None:
                out[name] = (
                    value.isoformat(timespec="minutes") if name in ("start", "end") else value
                )
        out["size"] = str(self.size)
        return out


@dataclass(frozen=True)
class Row:
    """One record in a result page."""

    id: int
    record: LogRecord


@dataclass(frozen=True)
class Page:
    """One page of results and the cursor of the next one (None: last page)."""

    rows: list[Row]
    next_after: str | None


def _where(central: Central, f: LogFilter, stmt: Select[Any]) -> Select[Any]:
    d = DECISIONS.c
    if f.size not in PAGE_SIZES:
        raise CentralError(f"size: expected one of {', '.join(map(str, PAGE_SIZES))}")
    if f.start is not None:
        stmt = stmt.where(d.at >= _utc(central, f.start))
    if f.end is not None:
        stmt = stmt.where(d.at < _utc(central, f.end))
    if f.gate is not None:
        stmt = stmt.where(d.gate == f.gate)
    if f.outcome is not None:
        stmt = stmt.where(d.outcome == f.outcome)
    if f.reason is not None:
        stmt = stmt.where(d.payload.like(f'%"{f.reason}"%'))
    if f.role is not None:
        stmt = stmt.where(d.payload.like(f"%{_fragment('role', f.role)}%"))
    if f.who is not None:
        approval_no = approval_expression(central.engine.dialect.name)
        stmt = stmt.where(or_(d.person_no == f.who, approval_no == f.who))
    return stmt


def approval_expression(dialect: str) -> Any:
    """The visit approval number inside a record's payload, written exactly as the expression
    index ``ix_web_decisions_approval_no`` (migration ``web_0001``) so the index serves it."""
    if dialect == "postgresql":
        return literal_column("((decisions.payload::jsonb -> 'subject') ->> 'approval_no')")
    return literal_column("json_extract(decisions.payload, '$.subject.approval_no')")


def _fragment(key: str, value: str) -> str:
    """``"key": "value"`` as the server stores payloads (``json.dumps``, sorted keys)."""
    return json.dumps({key: value}, ensure_ascii=False)[1:-1]


def _utc(central: Central, when: dt.datetime) -> dt.datetime:
    if when.tzinfo is None:
        when = when.replace(tzinfo=central.tz)
    return when.astimezone(dt.UTC)


def encode_after(at: dt.datetime, row_id: int) -> str:
    """The opaque cursor after the row ``(at, id)``."""
    text = f"{at.astimezone(dt.UTC).isoformat()}|{row_id}"
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_after(cursor: str) -> tuple[dt.datetime, int]:
    """The ``(at, id)`` a cursor names (``CentralError`` for a damaged one)."""
    try:
        if len(cursor) > 200:
            raise ValueError("too long")
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        at_text, id_text = text.split("|")
        at = dt.datetime.fromisoformat(at_text)
        if at.tzinfo is None:
            raise ValueError("naive")
        return at, int(id_text)
    except (ValueError, UnicodeDecodeError, binascii.Error):
        raise CentralError("after: not a page cursor of this search") from None


def search(central: Central, f: LogFilter, actor: str) -> Page:
    """One page of matching records, newest first; the search is audited."""
    found = page_of(central, f)
    with write_connection(central.engine) as conn, conn.begin():
        central.audit(conn, actor, "web_log_search", rows=len(found.rows), **f.as_query())
    return found


def page_of(central: Central, f: LogFilter) -> Page:
    """One page of matching records, newest first, by keyset (not audited: call
    :func:`search`)."""
    d = DECISIONS.c
    stmt = _where(central, f, select(DECISIONS))
    if f.after is not None:
        at, row_id = decode_after(f.after)
        stmt = stmt.where(tuple_(d.at, d.id) < tuple_(at, row_id))
    stmt = stmt.order_by(d.at.desc(), d.id.desc()).limit(f.size + 1)
    with read_connection(central.engine) as conn:
        rows = conn.execute(stmt).all()
    more = len(rows) > f.size
    rows = rows[: f.size]
    after = encode_after(rows[-1].at, rows[-1].id) if more and rows else None
    return Page([Row(r.id, _record(r)) for r in rows], after)


def offset_page(central: Central, f: LogFilter, page: int) -> list[LogRecord]:
    """The same page found with ``OFFSET`` (the benchmark's baseline; not used by the pages)."""
    d = DECISIONS.c
    stmt = _where(central, f, select(DECISIONS)).order_by(d.at.desc(), d.id.desc())
    stmt = stmt.offset(page * f.size).limit(f.size)
    with read_connection(central.engine) as conn:
        return [_record(r) for r in conn.execute(stmt)]


def record(central: Central, row_id: int, actor: str) -> LogRecord:
    """One record by its row id; the read is audited."""
    with read_connection(central.engine) as conn:
        row = conn.execute(select(DECISIONS).where(DECISIONS.c.id == row_id)).one_or_none()
    if row is None:
        raise NotFound(f"no log record {row_id}")
    with write_connection(central.engine) as conn, conn.begin():
        central.audit(conn, actor, "web_log_read", record_id=row.record_id, gate=row.gate)
    return _record(row)


def matching(central: Central, f: LogFilter) -> Iterator[LogRecord]:
    """Every matching record, newest first, at most ``EXPORT_MAX`` (for the CSV export)."""
    d = DECISIONS.c
    stmt = _where(central, f, select(DECISIONS)).order_by(d.at.desc(), d.id.desc())
    with read_connection(central.engine) as conn:
        for r in conn.execute(stmt.limit(EXPORT_MAX)):
            yield _record(r)
