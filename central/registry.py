"""The server's copy of the registry: records by kind and natural key, each change numbered.

Every write takes the next numbers of one feed sequence (``meta.feed_seq``) under a lock on
that row, so changes commit in the order of their numbers and a gate reading the feed after
cursor N never misses a change numbered below a later one. Records are kept in their feed
form (:mod:`kiosk.store.wire`); a deletion leaves a tombstone until the feed is compacted.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, bindparam, delete, func, insert, select, update

from central.db import META, get_meta, set_meta
from central.models import RecordRow, table
from kiosk.store import wire

RECORDS = table(RecordRow)


@dataclass(frozen=True)
class WriteReport:
    """What one write changed: counts per kind, and the feed number it ended at."""

    upserted: dict[str, int]
    deleted: dict[str, int]
    seq: int


def _lock_sequence(conn: Connection) -> int:
    stmt = select(META.c.value).where(META.c.key == "feed_seq").with_for_update()
    return int(conn.execute(stmt).scalar_one())


def write(
    conn: Connection,
    now: dt.datetime,
    *,
    upsert: Mapping[str, Sequence[Any]] | None = None,
    delete_keys: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
) -> WriteReport:
    """Upsert records (``kiosk.core.registry`` dataclasses) and delete records by natural key
    (typed keys, as ``ChangeSet.delete``), inside the caller's write transaction."""
    upsert = upsert or {}
    delete_keys = delete_keys or {}
    for kind in [*upsert, *delete_keys]:
        if kind not in wire.KINDS:
            raise ValueError(f"unknown registry kind {kind!r} (one of {', '.join(wire.KINDS)})")
    seq = _lock_sequence(conn)
    upserted: dict[str, int] = {}
    deleted: dict[str, int] = {}
    for kind, keys in delete_keys.items():
        texts = [wire.key_text({n: wire.plain(v) for n, v in k.items()}) for k in keys]
        live = _live_keys(conn, kind, texts)
        rows = []
        for text in dict.fromkeys(texts):
            if text in live:
                seq += 1
                rows.append({"k": kind, "nk": text, "body": None, "seq": seq, "at": now})
        _update(conn, rows)
        deleted[kind] = len(rows)
    for kind, records in upsert.items():
        latest: dict[str, str] = {}
        for record in records:
            latest[wire.key_text(wire.key_row(kind, record))] = json.dumps(
                wire.record_row(record), ensure_ascii=False, sort_keys=True
            )
        existing = _bodies(conn, kind, list(latest))
        new_rows: list[dict[str, Any]] = []
        changed_rows: list[dict[str, Any]] = []
        for text, body in latest.items():
            if text in existing and existing[text] == body:
                continue  # unchanged: no feed entry
            seq += 1
            row = {"k": kind, "nk": text, "body": body, "seq": seq, "at": now}
            (changed_rows if text in existing else new_rows).append(row)
        if new_rows:
            conn.execute(
                insert(RECORDS),
                [
                    {
                        "kind": r["k"],
                        "natural_key": r["nk"],
                        "body": r["body"],
                        "seq": r["seq"],
                        "changed_at": r["at"],
                    }
                    for r in new_rows
                ],
            )
        _update(conn, changed_rows)
        upserted[kind] = len(new_rows) + len(changed_rows)
    set_meta(conn, "feed_seq", str(seq))
    return WriteReport(upserted, deleted, seq)


def _update(conn: Connection, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    stmt = (
        update(RECORDS)
        .where(and_(RECORDS.c.kind == bindparam("k"), RECORDS.c.natural_key == bindparam("nk")))
        .values(body=bindparam("body"), seq=bindparam("seq"), changed_at=bindparam("at"))
    )
    conn.execute(stmt, rows)


def _chunks(items: list[str], size: int = 500) -> Iterable[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _bodies(conn: Connection, kind: str, texts: list[str]) -> dict[str, str | None]:
    """Stored body (None for a tombstone) of each of these keys that has a row."""
    found: dict[str, str | None] = {}
    for chunk in _chunks(texts):
        stmt = select(RECORDS.c.natural_key, RECORDS.c.body).where(
            RECORDS.c.kind == kind, RECORDS.c.natural_key.in_(chunk)
        )
        found.update({r.natural_key: r.body for r in conn.execute(stmt)})
    return found


def _live_keys(conn: Connection, kind: str, texts: list[str]) -> set[str]:
    return {k for k, body in _bodies(conn, kind, texts).items() if body is not None}


def records(conn: Connection, kind: str) -> list[Any]:
    """Every live record of ``kind``, as ``kiosk.core.registry`` dataclasses."""
    stmt = (
        select(RECORDS.c.body)
        .where(RECORDS.c.kind == kind, RECORDS.c.body.is_not(None))
        .order_by(RECORDS.c.natural_key)
    )
    return [wire.row_record(kind, json.loads(body)) for body in conn.scalars(stmt)]


def find(conn: Connection, kind: str, key: Mapping[str, Any]) -> Any | None:
    """The live record of ``kind`` with this natural key (feed form values), or None."""
    stmt = select(RECORDS.c.body).where(
        RECORDS.c.kind == kind, RECORDS.c.natural_key == wire.key_text(key)
    )
    body = conn.scalar(stmt)
    return None if body is None else wire.row_record(kind, json.loads(body))


def counts(conn: Connection) -> dict[str, int]:
    """Live records per kind."""
    stmt = (
        select(RECORDS.c.kind, func.count())
        .where(RECORDS.c.body.is_not(None))
        .group_by(RECORDS.c.kind)
    )
    return {kind: int(n) for kind, n in conn.execute(stmt).tuples()}


def compact(conn: Connection, before: dt.datetime) -> int:
    """Drop tombstones older than ``before``; a cursor from before them gets a snapshot."""
    stmt = select(func.max(RECORDS.c.seq)).where(
        RECORDS.c.body.is_(None), RECORDS.c.changed_at < before
    )
    top = conn.scalar(stmt)
    if top is None:
        return 0
    result = conn.execute(delete(RECORDS).where(RECORDS.c.body.is_(None), RECORDS.c.seq <= top))
    floor = max(int(get_meta(conn, "feed_floor")), int(top))
    set_meta(conn, "feed_floor", str(floor))
    return int(result.rowcount or 0)


SOURCE_KEY = "source_at:"
"""Meta key prefix: ``source_at:<kind>`` is when the kind last came from its source (R15)."""


def mark_source(conn: Connection, kinds: Iterable[str], now: dt.datetime) -> None:
    """The source of these kinds delivered them at ``now`` (an import, an admin's write),
    whether or not a record changed: the gates' copies are as current as this delivery."""
    for kind in dict.fromkeys(kinds):
        if kind not in wire.KINDS:
            raise ValueError(f"unknown registry kind {kind!r}")
        key = SOURCE_KEY + kind
        conn.execute(delete(META).where(META.c.key == key))
        conn.execute(insert(META).values(key=key, value=now.astimezone(dt.UTC).isoformat()))


def source_times(conn: Connection) -> dict[str, str]:
    """Kind → ISO time of its source's last delivery, for the kinds that have one."""
    stmt = select(META.c.key, META.c.value).where(META.c.key.startswith(SOURCE_KEY))
    found = {row.key.removeprefix(SOURCE_KEY): row.value for row in conn.execute(stmt)}
    return {kind: found[kind] for kind in wire.KINDS if kind in found}
