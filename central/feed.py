"""Registry feed pages: incremental after a cursor, or a paged snapshot (docs/sync-api.md §4).

Cursors are opaque to gates: ``<epoch>~<seq>`` after the change numbered ``seq``, or
``<epoch>~<seq>~<kind>~<key>`` in the middle of a snapshot begun at ``seq`` (``key`` is the
last natural key sent, URL-safe base64). ``epoch`` names this database, so a cursor from
another server database is unknown and gets a snapshot.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from central.db import get_meta
from central.registry import RECORDS, source_times
from kiosk.store import wire
from kiosk.store.chain import canonical_json, iso_utc

DEFAULT_LIMIT = 2000
MAX_LIMIT = 10_000


@dataclass(frozen=True)
class _Position:
    seq: int
    kind: str | None = None  # set: inside a snapshot
    after: str | None = None  # last natural key sent in ``kind``


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _unb64(text: str) -> str:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()


def _parse(cursor: str | None, epoch: str, floor: int, top: int) -> _Position | None:
    """The position a cursor names, or None when it is missing, unknown or too old."""
    if not cursor:
        return None
    parts = cursor.split("~")
    if parts[0] != epoch or len(parts) not in (2, 4):
        return None
    try:
        seq = int(parts[1])
        after = _unb64(parts[3]) if len(parts) == 4 else None
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
    if seq < floor or seq > top:
        return None
    if len(parts) == 4:
        if parts[2] not in wire.KINDS:
            return None
        return _Position(seq, parts[2], after)
    return _Position(seq)


def page(conn: Connection, cursor: str | None, limit: int, now: dt.datetime) -> dict[str, Any]:
    """One feed page after ``cursor`` (a snapshot page when the cursor cannot be served)."""
    epoch = get_meta(conn, "epoch")
    top = int(get_meta(conn, "feed_seq"))
    floor = int(get_meta(conn, "feed_floor"))
    position = _parse(cursor, epoch, floor, top)
    if position is None:
        body = _snapshot(conn, epoch, _Position(top, next(iter(wire.KINDS)), None), limit, top)
        body["replace"] = list(wire.KINDS)
    elif position.kind is not None:
        body = _snapshot(conn, epoch, position, limit, top)
    else:
        body = _incremental(conn, epoch, position.seq, limit)
    page_body = {
        "cursor": cursor or None,
        **body,
        "sources": source_times(conn),
        "server_time": iso_utc(now),
    }
    page_body["content_hash"] = content_hash(page_body)
    return page_body


def content_hash(page_body: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON of the page without its ``content_hash``."""
    rest = {k: v for k, v in page_body.items() if k != "content_hash"}
    return hashlib.sha256(canonical_json(rest).encode("utf-8")).hexdigest()


def _incremental(conn: Connection, epoch: str, after: int, limit: int) -> dict[str, Any]:
    stmt = (
        select(RECORDS.c.kind, RECORDS.c.natural_key, RECORDS.c.body, RECORDS.c.seq)
        .where(RECORDS.c.seq > after)
        .order_by(RECORDS.c.seq)
        .limit(limit + 1)
    )
    rows = conn.execute(stmt).all()
    more = len(rows) > limit
    rows = rows[:limit]
    upsert: dict[str, list[Any]] = {}
    delete: dict[str, list[Any]] = {}
    for row in rows:
        if row.kind not in wire.KINDS:
            continue
        if row.body is None:
            delete.setdefault(row.kind, []).append(json.loads(row.natural_key))
        else:
            upsert.setdefault(row.kind, []).append(json.loads(row.body))
    last = rows[-1].seq if rows else after
    return {
        "next_cursor": f"{epoch}~{last}",
        "snapshot": False,
        "complete": not more,
        "replace": [],
        "upsert": upsert,
        "delete": delete,
    }


def _snapshot(
    conn: Connection, epoch: str, position: _Position, limit: int, top: int
) -> dict[str, Any]:
    kinds = list(wire.KINDS)
    assert position.kind is not None
    upsert: dict[str, list[Any]] = {}
    left = limit
    kind_at = kinds.index(position.kind)
    after = position.after
    next_cursor = f"{epoch}~{position.seq}"
    while kind_at < len(kinds):
        kind = kinds[kind_at]
        stmt = (
            select(RECORDS.c.natural_key, RECORDS.c.body)
            .where(RECORDS.c.kind == kind, RECORDS.c.body.is_not(None))
            .order_by(RECORDS.c.natural_key)
            .limit(left + 1)
        )
        if after is not None:
            stmt = stmt.where(RECORDS.c.natural_key > after)
        rows = conn.execute(stmt).all()
        taken = rows[:left]
        if taken:
            upsert[kind] = [json.loads(r.body) for r in taken]
        left -= len(taken)
        if len(rows) > len(taken):  # this kind goes on in the next page
            next_cursor = f"{epoch}~{position.seq}~{kind}~{_b64(taken[-1].natural_key)}"
            break
        kind_at += 1
        after = None
        if left == 0 and kind_at < len(kinds):
            next_cursor = f"{epoch}~{position.seq}~{kinds[kind_at]}~"
            break
    finished = next_cursor.count("~") == 1
    return {
        "next_cursor": next_cursor,
        "snapshot": True,
        "complete": finished and position.seq == top,
        "replace": [],
        "upsert": upsert,
        "delete": {},
    }
