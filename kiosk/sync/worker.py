"""The sync worker: a named background thread ("sync") that pulls the registry and pushes the
outbox every ``server.sync_interval_s``, and at once when a decision was logged.

Each round publishes a :class:`~kiosk.sync.status.SyncStatus` to the listeners (the screen's
status bar) and keeps it for :attr:`SyncWorker.status`. A failed round is retried after a
doubling delay (1 s up to the interval); the requests themselves are retried by the HTTP
link. Nothing here ever decides about a person: a kiosk whose server is gone keeps deciding
from its registry, and rule R15 says when that registry is too old.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from kiosk.store import Store
from kiosk.store.dataset_times import oldest_synced
from kiosk.sync.http import ServerClient, ServerError
from kiosk.sync.pull import ProgressCallback, PullResult, pull
from kiosk.sync.push import PushResult, push
from kiosk.sync.status import SyncStatus, save_status

log = logging.getLogger(__name__)

StatusListener = Callable[[SyncStatus], None]
FIRST_RETRY_S = 1.0


@dataclass(frozen=True)
class RoundResult:
    """What one sync round did; ``error`` is the first failure's one line, if any."""

    pulled: PullResult | None
    pushed: PushResult | None
    error: str | None
    status: SyncStatus


class SyncWorker:
    """Pulls and pushes on its own thread; :meth:`run_once` does one round on the caller's."""

    def __init__(
        self,
        client: ServerClient,
        store: Store,
        *,
        interval_s: float,
        batch_size: int,
        status_file: Path | None = None,
    ) -> None:
        self.client = client
        self.status_file = status_file
        self.store = store
        self.interval_s = interval_s
        self.batch_size = batch_size
        self._listeners: list[StatusListener] = []
        self._lock = threading.Lock()
        self._round_lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._status = SyncStatus(configured=True)
        self._status = self._read_status(self._status)

    # ------------------------------------------------------------- lifecycle
    def start(self) -> SyncWorker:
        """Return rows a crash left in flight to pending, then start the "sync" thread."""
        if self._thread is not None:
            return self
        self.store.outbox.release_inflight()
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="sync", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout_s: float = 10.0) -> None:
        """Stop after the round in progress (its batch is settled or returned to pending)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout_s)
            if self._thread.is_alive():
                log.warning("sync thread still busy after %.0f s", timeout_s)
            self._thread = None
        self.client.close()

    def __enter__(self) -> SyncWorker:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def wake(self) -> None:
        """Run a round soon (a decision was logged, the guard asked)."""
        self._wake.set()

    def add_listener(self, listener: StatusListener) -> None:
        """Receive every new status (on the sync thread)."""
        with self._lock:
            self._listeners.append(listener)

    @property
    def status(self) -> SyncStatus:
        """The status after the last round."""
        with self._lock:
            return self._status

    # ---------------------------------------------------------------- rounds
    def run_once(
        self, *, progress: ProgressCallback | None = None, now_due: bool = False
    ) -> RoundResult:
        """Pull, then push; both are tried even when the other fails."""
        with self._round_lock:
            pulled: PullResult | None = None
            pushed: PushResult | None = None
            errors: list[str] = []
            try:
                pulled = pull(
                    self.client, self.store.registry, self.store.writer, progress=progress
                )
            except ServerError as exc:
                errors.append(f"registry: {exc}")
            try:
                pushed = push(
                    self.client, self.store.outbox, batch_size=self.batch_size, now_due=now_due
                )
            except ServerError as exc:
                errors.append(f"upload: {exc}")
            error = "; ".join(errors) or None
            status = self._publish(error)
            return RoundResult(pulled, pushed, error, status)

    def _run(self) -> None:
        delay = 0.0
        while not self._stop.is_set():
            self._wake.wait(delay)
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                result = self.run_once()
            except Exception:  # noqa: BLE001 - the worker must outlive one bad round
                log.exception("sync round failed")
                self._publish("internal error in the sync round (see the log)")
                delay = self.interval_s
                continue
            if result.error:
                log.warning("sync round failed: %s", result.error)
                delay = min(self.interval_s, max(FIRST_RETRY_S, delay * 2))
            else:
                delay = self.interval_s

    # ---------------------------------------------------------------- status
    def _publish(self, error: str | None) -> SyncStatus:
        with self._lock:
            before = self._status
        now = dt.datetime.now(dt.UTC)
        status = self._read_status(
            replace(before, last_success=now if error is None else before.last_success)
        )
        status = replace(status, last_error=error)
        with self._lock:
            self._status = status
            listeners = list(self._listeners)
        if self.status_file is not None:
            try:
                save_status(self.status_file, status)
            except OSError as exc:
                log.warning("sync status not saved to %s: %s", self.status_file, exc)
        for listener in listeners:
            try:
                listener(status)
            except Exception:  # noqa: BLE001 - a listener bug must not stop sync
                log.exception("sync status listener failed")
        return status

    def _read_status(self, base: SyncStatus) -> SyncStatus:
        counts = self.store.outbox.counts()
        skew = self.client.skew.skew_s if self.client.skew is not None else None
        syncs = self.store.registry.dataset_syncs()
        return replace(
            base,
            backlog=counts["pending"] + counts["inflight"],
            rejected=counts["rejected"],
            registry_version=self.store.registry.version or None,
            registry_synced_at=oldest_synced(syncs),
            clock_skew_s=skew,
            datasets=tuple(syncs),
        )
