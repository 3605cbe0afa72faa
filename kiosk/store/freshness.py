"""Where the registry's freshness (rule R15) comes from besides a real sync: an admin's
explicit statement, logged as an audit event in the same transaction."""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING

from kiosk.store.chain import LogRecord
from kiosk.store.local_facts import SyncedAsOf

if TYPE_CHECKING:
    from kiosk.store.store import Store

log = logging.getLogger(__name__)


def declare_synced(store: Store, as_of: dt.datetime, *, by: str, now: dt.datetime) -> LogRecord:
    """Mark the registry as matching the central records at ``as_of``; returns the audit record.

    Used after importing CSV exports offline; the audit event names who said so and when.
    """
    if as_of.tzinfo is None or as_of.utcoffset() is None:
        raise ValueError("as_of needs a time zone")
    payload = {"action": "mark_synced", "as_of": as_of.isoformat(), "by": by, "via": "cli"}
    record = store.log.append("audit", now, payload, gate=store.gate, facts=[SyncedAsOf(as_of)])
    log.info("registry marked synced as of %s by %s", as_of.isoformat(), by)
    return record
