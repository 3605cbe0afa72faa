"""What every server function works on: the database, the data directory's secrets, the campus
time zone and a clock. The API, the ``central`` CLI and the web pages share one of these."""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, insert

from central.db import default_url, open_database
from central.keys import ServerKeys
from central.models import AuditRow, table
from kiosk.errors import UserError
from kiosk.store.private import private_dir

AUDIT = table(AuditRow)
DEFAULT_TZ = "Asia/Shanghai"


class CentralError(UserError):
    """A request the server refuses; ``code`` is the API's error code (docs/sync-api.md §2)."""

    label = "central"
    code = "invalid"
    status = 422


class NotFound(CentralError):
    """No such gate, filing, record or key."""

    code = "not_found"
    status = 404


class Conflict(CentralError):
    """The object is not in a state that allows this."""

    code = "conflict"
    status = 409


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class Central:
    """One server's database, secrets, time zone and clock."""

    engine: Engine
    keys: ServerKeys
    tz: dt.tzinfo = field(default_factory=lambda: zoneinfo.ZoneInfo(DEFAULT_TZ))
    clock: Callable[[], dt.datetime] = _utc_now

    def now(self) -> dt.datetime:
        """The server's time (UTC)."""
        return self.clock()

    def audit(self, conn: Connection, actor: str, action: str, **detail: Any) -> None:
        """Record an admin action, log read or export in the caller's transaction."""
        conn.execute(
            insert(AUDIT).values(
                at=self.now(),
                actor=actor,
                action=action,
                detail=json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str),
            )
        )


def open_central(data_dir: Path, db_url: str | None = None, tz: str = DEFAULT_TZ) -> Central:
    """Open (creating and migrating when new) the server in ``data_dir``; SQLite there unless
    ``db_url`` names another database. Makes the campus key when there is none."""
    private_dir(data_dir)
    try:
        zone = zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise CentralError(f"--tz: unknown time zone {tz!r} (e.g. Asia/Shanghai)") from None
    engine = open_database(db_url or default_url(data_dir))
    keys = ServerKeys(data_dir)
    keys.ensure_campus_key()
    return Central(engine, keys, zone)
