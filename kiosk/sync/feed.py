"""One page of the registry changes feed, checked and turned into a :class:`ChangeSet`.

The page's ``content_hash`` is recomputed first (SHA-256 of the canonical JSON of the page
without it, ``docs/sync-api.md`` §4): a truncated or altered page is refused before any record
is read. Every row then goes through its kind's schema (:mod:`kiosk.store.wire`), so a page
with one bad record is refused whole and nothing of it is applied.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kiosk.store.chain import canonical_json
from kiosk.store.changes import ChangeSet
from kiosk.store.schemas import RowsError
from kiosk.store.wire import KINDS, row_key, row_records


class PageError(ValueError):
    """A feed page that cannot be applied (wrong hash, shape or record); one line."""


@dataclass(frozen=True)
class FeedPage:
    """A verified feed page: its changes and where it leaves the gate."""

    changes: ChangeSet
    next_cursor: str
    snapshot: bool
    complete: bool
    server_time: dt.datetime
    records: int
    """Rows upserted plus keys deleted in this page."""
    sources: dict[str, dt.datetime]
    """Kind → when its source last delivered it to the server (R15); others: not said."""


def content_hash(page: Mapping[str, Any]) -> str:
    """The hash the server puts in ``content_hash``: over every other field of the page."""
    body = {k: v for k, v in page.items() if k != "content_hash"}
    return hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()


def parse_page(page: Any) -> FeedPage:
    """Check ``page`` (decoded JSON) and return its changes; :class:`PageError` otherwise."""
    if not isinstance(page, dict):
        raise PageError(f"feed page: expected an object, got {type(page).__name__}")
    declared = page.get("content_hash")
    if not isinstance(declared, str):
        raise PageError("feed page: no content_hash")
    if content_hash(page) != declared:
        raise PageError("feed page: content hash does not match (altered or cut short)")
    next_cursor = page.get("next_cursor")
    if not isinstance(next_cursor, str) or not next_cursor:
        raise PageError("feed page: next_cursor missing")
    server_time = _time(page.get("server_time"), "server_time")
    sources = _sources(page.get("sources") or {})
    replace = page.get("replace") or []
    upserts = page.get("upsert") or {}
    deletes = page.get("delete") or {}
    if not isinstance(replace, list) or not isinstance(upserts, dict):
        raise PageError("feed page: replace must be a list and upsert an object")
    if not isinstance(deletes, dict):
        raise PageError("feed page: delete must be an object")
    for kind in [*replace, *upserts, *deletes]:
        if kind not in KINDS:
            raise PageError(f"feed page: unknown registry kind {kind!r}")
    upsert: dict[str, list[Any]] = {}
    delete: dict[str, list[dict[str, Any]]] = {}
    count = 0
    for kind, rows in upserts.items():
        upsert[kind] = _records(kind, _rows(kind, rows))
        count += len(upsert[kind])
    for kind, rows in deletes.items():
        delete[kind] = [_key(kind, i, row) for i, row in enumerate(_rows(kind, rows))]
        count += len(delete[kind])
    return FeedPage(
        changes=ChangeSet(upsert=upsert, delete=delete, replace=frozenset(replace)),
        next_cursor=next_cursor,
        snapshot=bool(page.get("snapshot")),
        complete=bool(page.get("complete")),
        server_time=server_time,
        records=count,
        sources=sources,
    )


def merge(first: ChangeSet, then: ChangeSet) -> ChangeSet:
    """Two snapshot pages as one change set (``then`` only upserts, as later pages do)."""
    if then.delete or (then.replace - first.replace):
        raise PageError("feed page: a snapshot continuation may only add records")
    upsert = {kind: list(rows) for kind, rows in first.upsert.items()}
    for kind, rows in then.upsert.items():
        upsert.setdefault(kind, []).extend(rows)
    return ChangeSet(upsert=upsert, delete=first.delete, replace=first.replace)


def _rows(kind: str, rows: Any) -> list[Any]:
    if not isinstance(rows, list):
        raise PageError(f"feed page: {kind} must be a list")
    return rows


def _records(kind: str, rows: list[Any]) -> list[Any]:
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            raise PageError(f"feed page: {kind}[{i}] is not an object")
    try:
        return row_records(kind, rows)
    except RowsError as exc:
        raise PageError(f"feed page: {kind}[{exc.index}]: {exc}") from None


def _key(kind: str, i: int, row: Any) -> dict[str, Any]:
    if not isinstance(row, dict):
        raise PageError(f"feed page: {kind} delete[{i}] is not an object")
    try:
        return row_key(kind, row)
    except ValueError as exc:
        raise PageError(f"feed page: {kind} delete[{i}]: {exc}") from None


def _sources(value: Any) -> dict[str, dt.datetime]:
    if not isinstance(value, dict):
        raise PageError("feed page: sources must be an object")
    out: dict[str, dt.datetime] = {}
    for kind, at in value.items():
        if kind not in KINDS:
            raise PageError(f"feed page: sources: unknown registry kind {kind!r}")
        out[kind] = _time(at, f"sources.{kind}")
    return out


def _time(value: Any, field: str) -> dt.datetime:
    try:
        parsed = dt.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise PageError(f"feed page: {field} {value!r} is not an ISO-8601 time") from None
    if parsed.tzinfo is None:
        raise PageError(f"feed page: {field} has no UTC offset")
    return parsed
