"""Bring the registry up to date from the feed: each page applied in one transaction.

The registry version (the feed cursor) moves only with the page it belongs to, inside
:meth:`~kiosk.store.registry.RegistryWriter.apply`'s transaction: a crash between pages
resumes from the last applied cursor. A full snapshot arrives as a run of pages; they are
staged and applied together, so the gate never decides on a half-loaded registry. The sync
times move only on a page that says the gate is now current (``complete``): every dataset to
that page's ``server_time``, with the source times the page reports beside it (rule R15).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from kiosk.store.changes import ChangeSet
from kiosk.store.registry import RegistryWriter, SqlRegistry
from kiosk.sync.feed import FeedPage, PageError, merge, parse_page
from kiosk.sync.http import BadAnswer, ServerClient

log = logging.getLogger(__name__)

FEED_PATH = "/api/v1/feed"
PAGE_LIMIT = 5000
MAX_PAGES = 100_000
"""A feed that never says ``complete`` is a defect; stop after this many pages."""


@dataclass(frozen=True)
class Progress:
    """How far one pull has come, for a progress bar."""

    pages: int
    records: int
    snapshot: bool
    done: bool


@dataclass(frozen=True)
class PullResult:
    """What one pull did."""

    pages: int
    records: int
    applied: int
    """Transactions committed (a staged snapshot counts once)."""
    snapshot: bool
    version: str


ProgressCallback = Callable[[Progress], None]


def pull(
    client: ServerClient,
    registry: SqlRegistry,
    writer: RegistryWriter,
    *,
    limit: int = PAGE_LIMIT,
    progress: ProgressCallback | None = None,
) -> PullResult:
    """Fetch and apply feed pages until the server says the gate is current.

    Raises :class:`~kiosk.sync.http.ServerError` when the server cannot be used; pages
    applied before the failure stay applied (each with its own cursor).
    """
    cursor = registry.version
    staged: ChangeSet | None = None
    staged_page: FeedPage | None = None
    pages = records = applied = 0
    saw_snapshot = False
    # The next page is fetched while this one is checked and applied (the server works on it
    # meanwhile); its cursor comes from the raw page, which is dropped if its hash is wrong.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="feed-fetch") as fetcher:
        ahead: Future[Any] = fetcher.submit(_fetch, client, cursor, limit)
        for _ in range(MAX_PAGES):
            raw = ahead.result()
            if isinstance(raw, dict) and not raw.get("complete"):
                ahead = fetcher.submit(_fetch, client, str(raw.get("next_cursor") or ""), limit)
            try:
                page = parse_page(raw)
            except PageError as exc:
                raise BadAnswer(str(exc)) from exc
            pages += 1
            records += page.records
            saw_snapshot = saw_snapshot or page.snapshot
            if page.snapshot and (staged is None or page.changes.replace):
                staged, staged_page = page.changes, page  # a snapshot (re)starts
            elif page.snapshot:
                assert staged is not None
                staged, staged_page = merge(staged, page.changes), page
            else:
                if staged is not None and staged_page is not None:
                    _apply(writer, staged, staged_page, final=False)
                    applied += 1
                    staged = staged_page = None
                _apply(writer, page.changes, page, final=page.complete)
                applied += 1
            if staged is not None and staged_page is not None and page.complete:
                _apply(writer, staged, staged_page, final=True)
                applied += 1
                staged = staged_page = None
            cursor = page.next_cursor
            if progress is not None:
                progress(Progress(pages, records, saw_snapshot, page.complete))
            if page.complete:
                return PullResult(pages, records, applied, saw_snapshot, cursor)
    raise BadAnswer(f"feed did not complete after {MAX_PAGES} pages")


def _fetch(client: ServerClient, cursor: str, limit: int) -> Any:
    params: dict[str, str | int] = {"limit": limit}
    if cursor:
        params["cursor"] = cursor
    return client.get(FEED_PATH, params)


def _apply(writer: RegistryWriter, changes: ChangeSet, page: FeedPage, *, final: bool) -> None:
    """Apply one page; the last one makes every dataset current as of its ``server_time``,
    capped by the source times it reports."""
    if final:
        writer.apply(changes, page.next_cursor, synced_at=page.server_time, sources=page.sources)
    else:
        writer.apply(changes, page.next_cursor)
