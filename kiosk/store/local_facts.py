"""Local facts: what this gate learned itself, written in the same transaction as the log
record that states it.

Synced registry data is never edited by the gate: a re-sync or a full replace would undo the
edit. A fact is its own record instead, which the registry reads beside the synced data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import Connection, select

from kiosk.store import models as m
from kiosk.store.chain import LogRecord
from kiosk.store.dataset_times import write_synced
from kiosk.store.records import table_of

RETURNS = table_of(m.LeaveReturnRow)


class LocalFact(Protocol):
    """Something written with a log record, in its transaction."""

    def write(self, conn: Connection, record: LogRecord) -> None:
        """Store the fact; ``record`` is the log record being appended."""
        ...


@dataclass(frozen=True)
class LeaveReturn:
    """A student came back from leave ``leave_id`` at ``returned_at`` (销假); the first
    return recorded for a leave is kept."""

    leave_id: str
    returned_at: dt.datetime

    def write(self, conn: Connection, record: LogRecord) -> None:
        """Record the return unless one is recorded already."""
        known = conn.execute(
            select(RETURNS.c.leave_id).where(RETURNS.c.leave_id == self.leave_id)
        ).first()
        if known is None:
            conn.execute(
                RETURNS.insert().values(
                    leave_id=self.leave_id,
                    returned_at=self.returned_at,
                    record_id=record.record_id,
                )
            )


@dataclass(frozen=True)
class SyncedAsOf:
    """An admin's statement that the registry matches the central records as of ``as_of``."""

    as_of: dt.datetime

    def write(self, conn: Connection, record: LogRecord) -> None:
        """Every dataset is current as of ``as_of`` (no source time: the admin vouches)."""
        write_synced(conn, self.as_of)
