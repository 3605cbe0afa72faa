"""The outbox of the decision log: what still has to reach the central server.

Rows are ``pending`` → ``inflight`` (claimed by the sync worker) → ``sent`` (acknowledged by
row id). A failed upload returns rows to ``pending`` with a doubling, capped back-off; on
start-up :meth:`Outbox.release_inflight` returns rows a crash left in flight. A record the
server refuses for good is ``rejected``: out of the retry loop, kept, counted and listed, until
an admin requeues it.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import Engine, func, or_, select, update

from kiosk.store.chain import LogRecord
from kiosk.store.db import write_connection
from kiosk.store.log import EVENTS, OUTBOX, record_from_row

log = logging.getLogger(__name__)

Status = Literal["pending", "inflight", "sent", "rejected"]
STATUSES: tuple[Status, ...] = ("pending", "inflight", "sent", "rejected")


@dataclass(frozen=True)
class OutboxItem:
    """A claimed outbox row and the log record it carries."""

    id: int
    attempts: int
    record: LogRecord


@dataclass(frozen=True)
class RejectedItem:
    """A record the server refused for good, with its reason."""

    id: int
    error: str
    record: LogRecord


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Outbox:
    """Claim, acknowledge and retry uploads of log records."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def claim_batch(self, n: int, now: dt.datetime | None = None) -> list[OutboxItem]:
        """Mark up to ``n`` due pending rows (oldest first) in flight and return them."""
        now = now or _now()
        due = (OUTBOX.c.status == "pending") & or_(
            OUTBOX.c.next_attempt_at.is_(None), OUTBOX.c.next_attempt_at <= now
        )
        stmt = (
            select(OUTBOX.c.id, OUTBOX.c.attempts, EVENTS)
            .join(EVENTS, EVENTS.c.seq == OUTBOX.c.seq)
            .where(due)
            .order_by(OUTBOX.c.id)
            .limit(n)
        )
        with write_connection(self._engine) as conn, conn.begin():
            rows = conn.execute(stmt).all()
            ids = [r.id for r in rows]
            if ids:
                conn.execute(update(OUTBOX).where(OUTBOX.c.id.in_(ids)).values(status="inflight"))
        return [OutboxItem(r.id, r.attempts, record_from_row(r)) for r in rows]

    def ack(self, ids: Sequence[int], at: dt.datetime | None = None) -> int:
        """Mark these rows sent; returns how many were in flight or pending."""
        if not ids:
            return 0
        with write_connection(self._engine) as conn, conn.begin():
            result = conn.execute(
                update(OUTBOX)
                .where(OUTBOX.c.id.in_(list(ids)), OUTBOX.c.status != "sent")
                .values(status="sent", sent_at=at or _now(), last_error=None)
            )
        return int(result.rowcount or 0)

    def fail(
        self,
        ids: Sequence[int],
        error: str,
        now: dt.datetime | None = None,
        *,
        base_delay_s: float = 2.0,
        max_delay_s: float = 300.0,
    ) -> int:
        """Return in-flight rows to pending, retrying after a doubling delay capped at max."""
        if not ids:
            return 0
        now = now or _now()
        changed = 0
        with write_connection(self._engine) as conn, conn.begin():
            rows = conn.execute(
                select(OUTBOX.c.id, OUTBOX.c.attempts).where(
                    OUTBOX.c.id.in_(list(ids)), OUTBOX.c.status == "inflight"
                )
            ).all()
            for row in rows:
                attempts = row.attempts + 1
                delay = min(max_delay_s, base_delay_s * 2 ** (attempts - 1))
                conn.execute(
                    update(OUTBOX)
                    .where(OUTBOX.c.id == row.id)
                    .values(
                        status="pending",
                        attempts=attempts,
                        next_attempt_at=now + dt.timedelta(seconds=delay),
                        last_error=error[:500],
                    )
                )
                changed += 1
        return changed

    def reject(self, ids: Sequence[int], error: str, now: dt.datetime | None = None) -> int:
        """Mark in-flight rows the server refused for good ``rejected`` (never retried, never
        dropped); returns how many."""
        if not ids:
            return 0
        with write_connection(self._engine) as conn, conn.begin():
            result = conn.execute(
                update(OUTBOX)
                .where(OUTBOX.c.id.in_(list(ids)), OUTBOX.c.status == "inflight")
                .values(
                    status="rejected",
                    attempts=OUTBOX.c.attempts + 1,
                    next_attempt_at=None,
                    last_error=error[:500],
                )
            )
        rejected = int(result.rowcount or 0)
        if rejected:
            log.error("%d log records rejected by the server for good: %s", rejected, error[:200])
        return rejected

    def rejected(self) -> list[RejectedItem]:
        """Every rejected row with its record and the server's reason, oldest first."""
        stmt = (
            select(OUTBOX.c.id, OUTBOX.c.attempts, OUTBOX.c.last_error, EVENTS)
            .join(EVENTS, EVENTS.c.seq == OUTBOX.c.seq)
            .where(OUTBOX.c.status == "rejected")
            .order_by(OUTBOX.c.id)
        )
        with self._engine.connect() as conn:
            rows = conn.execute(stmt).all()
        return [RejectedItem(r.id, r.last_error or "", record_from_row(r)) for r in rows]

    def requeue_rejected(self, ids: Sequence[int] | None = None) -> int:
        """Return rejected rows (all, or these) to pending, e.g. after the server was fixed."""
        stmt = update(OUTBOX).where(OUTBOX.c.status == "rejected")
        if ids is not None:
            stmt = stmt.where(OUTBOX.c.id.in_(list(ids)))
        with write_connection(self._engine) as conn, conn.begin():
            result = conn.execute(stmt.values(status="pending", next_attempt_at=None))
        return int(result.rowcount or 0)

    def release(self, ids: Sequence[int]) -> int:
        """Return these in-flight rows to pending as they were (claimed but never sent: no
        attempt counted, no back-off); returns how many."""
        if not ids:
            return 0
        with write_connection(self._engine) as conn, conn.begin():
            result = conn.execute(
                update(OUTBOX)
                .where(OUTBOX.c.id.in_(list(ids)), OUTBOX.c.status == "inflight")
                .values(status="pending")
            )
        return int(result.rowcount or 0)

    def release_inflight(self) -> int:
        """Return every in-flight row to pending (call on start-up); returns how many."""
        with write_connection(self._engine) as conn, conn.begin():
            result = conn.execute(
                update(OUTBOX).where(OUTBOX.c.status == "inflight").values(status="pending")
            )
        released = int(result.rowcount or 0)
        if released:
            log.info("released %d in-flight outbox rows", released)
        return released

    def counts(self) -> dict[str, int]:
        """Rows per status (pending, inflight, sent, rejected)."""
        counts: dict[str, int] = dict.fromkeys(STATUSES, 0)
        stmt = select(OUTBOX.c.status, func.count()).group_by(OUTBOX.c.status)
        with self._engine.connect() as conn:
            for status, n in conn.execute(stmt):
                counts[str(status)] = int(n)
        return counts
