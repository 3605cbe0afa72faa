"""A minimal gate-side reader of the feed for tests: pages into a real kiosk store."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from sqlalchemy import Engine, select

from kiosk.store import records as rec
from kiosk.store import wire
from kiosk.store.changes import ChangeSet
from kiosk.store.db import migrate, open_engine
from kiosk.store.registry import RegistryWriter
from kiosk.store.wire import record_row


def changes_of(page: dict[str, Any]) -> ChangeSet:
    """The change set a feed page carries."""
    return ChangeSet(
        upsert={k: [wire.row_record(k, r) for r in rows] for k, rows in page["upsert"].items()},
        delete={k: [wire.row_key(k, r) for r in rows] for k, rows in page["delete"].items()},
        replace=frozenset(page["replace"]),
    )


def _key(kind: rec.RecordKind[Any], row: dict[str, Any]) -> str:
    return wire.key_text({n: row[n] for n in kind.key})


class KioskRegistry:
    """A kiosk SQLite store that applies feed pages the way docs/sync-api.md says."""

    def __init__(self, path: Any) -> None:
        self.engine: Engine = open_engine(f"sqlite:///{path}")
        migrate(self.engine)
        self.writer = RegistryWriter(self.engine)
        self.cursor: str | None = None

    def apply(self, page: dict[str, Any]) -> None:
        """Apply one page and keep its cursor as the registry version."""
        synced = dt.datetime.fromisoformat(page["server_time"]) if page["complete"] else None
        self.writer.apply(changes_of(page), page["next_cursor"], synced_at=synced)
        self.cursor = page["next_cursor"]

    def rows(self) -> dict[str, list[dict[str, Any]]]:
        """Every record per kind in feed form, sorted (to compare with the server's)."""
        out: dict[str, list[dict[str, Any]]] = {}
        with self.engine.connect() as conn:
            for kind in rec.ALL_KINDS:
                rows = conn.execute(select(kind.table))
                got = [record_row(kind.from_row(dict(r._mapping))) for r in rows]
                got.sort(key=functools.partial(_key, kind))
                out[kind.name] = got
        return out

    def close(self) -> None:
        """Release the database."""
        self.engine.dispose()
