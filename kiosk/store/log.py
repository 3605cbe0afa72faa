"""The decision log: append-only, hash-chained, durable, with its outbox and retention.

Every :meth:`DecisionLog.append` commits the record and its outbox row in one transaction
(SQLite ``synchronous=FULL``: on disk when it returns) and advances the recorded end of the log
(``meta.log_end``). Appends are serialised by a lock in the process and by ``BEGIN IMMEDIATE``
between processes. See ``docs/store.md`` for the chain format and the purge rule.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TextIO, cast

from sqlalchemy import Connection, Engine, Row, delete, func, or_, select, update

from kiosk.store import models as m
from kiosk.store.chain import GENESIS_HASH, LogRecord, canonical_json, hash_of, record_hash
from kiosk.store.db import write_connection
from kiosk.store.local_facts import LocalFact
from kiosk.store.records import table_of
from kiosk.store.verify import Anchor, Link, VerifyReport, check_links

log = logging.getLogger(__name__)

EVENTS = table_of(m.LogEventRow)
OUTBOX = table_of(m.OutboxRow)
META = table_of(m.MetaRow)
META_LOG_END = "log_end"  # "<seq> <hash>" of the newest record ever appended


@dataclass(frozen=True)
class PurgeReport:
    """What a purge removed; ``anchor`` is the last removed record (None: nothing removed)."""

    deleted: int
    unsent_dropped: int
    anchor: Anchor | None
    record: LogRecord | None  # the "purge" event that was appended


class DecisionLog:
    """Append, read, verify and purge the hash-chained log."""

    def __init__(self, engine: Engine, *, gate: str = "") -> None:
        self._engine = engine
        self._gate = gate
        self._lock = threading.Lock()

    @property
    def engine(self) -> Engine:
        """The engine the log writes to."""
        return self._engine

    def append(
        self,
        kind: str,
        at: dt.datetime,
        payload: Mapping[str, Any],
        *,
        gate: str,
        outcome: str | None = None,
        person_no: str | None = None,
        facts: Sequence[LocalFact] = (),
    ) -> LogRecord:
        """Append a record and its pending outbox row; returns once both are on disk.

        ``facts`` (e.g. a :class:`~kiosk.store.local_facts.LeaveReturn`) are written in the
        same transaction: the record and what it states commit together or not at all.
        """
        with self._lock, write_connection(self._engine) as conn, conn.begin():
            record = _append(conn, kind, at, payload, gate, outcome, person_no)
            for fact in facts:
                fact.write(conn, record)
            return record

    def records(
        self, start: dt.datetime | None = None, end: dt.datetime | None = None
    ) -> Iterator[LogRecord]:
        """Records with ``start <= at < end`` (either bound optional), in chain order."""
        stmt = select(EVENTS).order_by(EVENTS.c.seq)
        if start is not None:
            stmt = stmt.where(EVENTS.c.at >= start)
        if end is not None:
            stmt = stmt.where(EVENTS.c.at < end)
        with self._engine.connect() as conn:
            for row in conn.execute(stmt.execution_options(yield_per=1000)):
                yield record_from_row(row)

    def tail(self, n: int = 20) -> list[LogRecord]:
        """The newest ``n`` records, oldest first."""
        stmt = select(EVENTS).order_by(EVENTS.c.seq.desc()).limit(n)
        with self._engine.connect() as conn:
            rows = conn.execute(stmt).all()
        return [record_from_row(r) for r in reversed(rows)]

    def count(self) -> int:
        """How many records the log holds."""
        with self._engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(EVENTS)).scalar_one())

    def verify(self) -> VerifyReport:
        """Check the whole chain; every edit, deletion, insertion or reordering is named."""
        with self._engine.connect() as conn:
            rows = conn.execute(
                select(
                    EVENTS.c.seq, EVENTS.c.prev_hash, EVENTS.c.hash, EVENTS.c.record_id
                ).order_by(EVENTS.c.seq)
            ).all()
            anchor = _anchor(conn)
            end = _recorded_end(conn)
            with_outbox = set(conn.execute(select(OUTBOX.c.record_id)).scalars())
        links = [Link(r.seq, r.prev_hash, r.hash) for r in rows]

        def find_edited(places: dict[int, int]) -> set[int]:
            edited: set[int] = set()
            with self._engine.connect() as conn:
                stmt = select(EVENTS).order_by(EVENTS.c.seq).execution_options(yield_per=1000)
                for row in conn.execute(stmt):
                    if row.seq not in places:
                        continue
                    try:
                        record = record_from_row(row)
                        ok = hash_of(record, as_seq=places[row.seq]) == record.hash
                    except (ValueError, TypeError):  # payload no longer JSON, bad time…
                        ok = False
                    if not ok:
                        edited.add(row.seq)
            return edited

        problems = check_links(
            links,
            anchor,
            find_edited,
            recorded_end=end[0] if end else None,
            without_outbox=[r.seq for r in rows if r.record_id not in with_outbox],
        )
        return VerifyReport(ok=not problems, checked=len(links), problems=problems)

    def export(
        self,
        start: dt.datetime,
        end: dt.datetime,
        fmt: str,
        out: TextIO,
        *,
        at: dt.datetime | None = None,
    ) -> int:
        """Write records with ``start <= at < end`` as ``csv`` or ``jsonl``; logs an audit event."""
        from kiosk.store.export import ExportFormat, export

        if fmt not in ("csv", "jsonl"):
            raise ValueError(f"unknown export format {fmt!r} (csv or jsonl)")
        return export(self, start, end, cast(ExportFormat, fmt), out, gate=self._gate, at=at)

    def purge(
        self, now: dt.datetime, retention_days: int = 30, hard_max_days: int = 90
    ) -> PurgeReport:
        """Remove the oldest records that are past retention and acknowledged by the server.

        Only a prefix of the chain is removed, so the rest stays verifiable from the anchor
        stored in the appended ``purge`` event. A record not yet sent is kept (and so is
        everything after it) until it is older than ``hard_max_days``; then it is dropped and
        the purge event counts it.
        """
        if hard_max_days < retention_days:
            raise ValueError("hard_max_days must not be shorter than retention_days")
        soft = now - dt.timedelta(days=retention_days)
        hard = now - dt.timedelta(days=hard_max_days)
        with self._lock, write_connection(self._engine) as conn, conn.begin():
            joined = EVENTS.outerjoin(OUTBOX, OUTBOX.c.seq == EVENTS.c.seq)
            unsent = or_(OUTBOX.c.status.is_(None), OUTBOX.c.status != "sent")
            keep_from = conn.execute(
                select(func.min(EVENTS.c.seq))
                .select_from(joined)
                .where(or_(EVENTS.c.at >= soft, unsent & (EVENTS.c.at >= hard)))
            ).scalar()
            if keep_from is None:
                keep_from = (conn.execute(select(func.max(EVENTS.c.seq))).scalar() or 0) + 1
            doomed = EVENTS.c.seq < keep_from
            deleted = conn.execute(
                select(func.count()).select_from(EVENTS).where(doomed)
            ).scalar_one()
            if not deleted:
                return PurgeReport(0, 0, None, None)
            dropped = conn.execute(
                select(func.count()).select_from(joined).where(doomed, unsent)
            ).scalar_one()
            last = conn.execute(
                select(EVENTS.c.seq, EVENTS.c.hash).where(doomed).order_by(EVENTS.c.seq.desc())
            ).first()
            assert last is not None
            anchor = Anchor(last.seq, last.hash)
            conn.execute(delete(OUTBOX).where(OUTBOX.c.seq < keep_from))
            conn.execute(delete(EVENTS).where(doomed))
            payload = {
                "anchor_seq": anchor.seq,
                "anchor_hash": anchor.hash,
                "deleted": deleted,
                "unsent_dropped": dropped,
                "retention_days": retention_days,
                "hard_max_days": hard_max_days,
            }
            record = _append(conn, "purge", now, payload, self._gate, None, None)
        if dropped:
            log.warning(
                "purge dropped %d records never sent (older than %d days)", dropped, hard_max_days
            )
        log.info("purge removed %d records up to %d", deleted, anchor.seq)
        return PurgeReport(deleted, dropped, anchor, record)


def _append(
    conn: Connection,
    kind: str,
    at: dt.datetime,
    payload: Mapping[str, Any],
    gate: str,
    outcome: str | None,
    person_no: str | None,
) -> LogRecord:
    text = canonical_json(payload)
    stored_payload = json.loads(text)
    end = _recorded_end(conn)
    newest = conn.execute(
        select(EVENTS.c.seq, EVENTS.c.hash).order_by(EVENTS.c.seq.desc()).limit(1)
    ).first()
    if newest is not None and (end is None or newest.seq >= end[0]):
        prev_seq, prev_hash = newest.seq, newest.hash
    elif end is not None:
        prev_seq, prev_hash = end
    else:
        prev_seq, prev_hash = 0, GENESIS_HASH
    seq = prev_seq + 1
    record_id = str(uuid.uuid4())
    digest = record_hash(
        prev_hash,
        seq=seq,
        record_id=record_id,
        kind=kind,
        at=at,
        gate=gate,
        outcome=outcome,
        person_no=person_no,
        payload=stored_payload,
    )
    conn.execute(
        EVENTS.insert().values(
            seq=seq,
            record_id=record_id,
            kind=kind,
            at=at,
            gate=gate,
            outcome=outcome,
            person_no=person_no,
            payload=text,
            prev_hash=prev_hash,
            hash=digest,
        )
    )
    conn.execute(OUTBOX.insert().values(seq=seq, record_id=record_id, status="pending", attempts=0))
    value = f"{seq} {digest}"
    if end is None:
        conn.execute(META.insert().values(key=META_LOG_END, value=value))
    else:
        conn.execute(update(META).where(META.c.key == META_LOG_END).values(value=value))
    return LogRecord(
        seq, record_id, kind, at, gate, outcome, person_no, stored_payload, prev_hash, digest
    )


def _recorded_end(conn: Connection) -> tuple[int, str] | None:
    value = conn.execute(select(META.c.value).where(META.c.key == META_LOG_END)).scalar()
    if not value:
        return None
    seq, digest = str(value).split()
    return int(seq), digest


def _anchor(conn: Connection) -> Anchor:
    """The anchor of the newest purge, or the genesis."""
    best = Anchor(0, GENESIS_HASH)
    stmt = select(EVENTS.c.payload).where(EVENTS.c.kind == "purge")
    for text in conn.execute(stmt).scalars():
        try:
            data = json.loads(text)
            candidate = Anchor(int(data["anchor_seq"]), str(data["anchor_hash"]))
        except (ValueError, KeyError, TypeError):
            continue  # an edited purge record is reported by the content check
        if candidate.seq > best.seq:
            best = candidate
    return best


def record_from_row(row: Row[Any]) -> LogRecord:
    """A stored row of ``log_events`` as a :class:`LogRecord`."""
    return LogRecord(
        seq=row.seq,
        record_id=row.record_id,
        kind=row.kind,
        at=row.at,
        gate=row.gate,
        outcome=row.outcome,
        person_no=row.person_no,
        payload=json.loads(row.payload),
        prev_hash=row.prev_hash,
        hash=row.hash,
    )
