"""The admin screen's SQL thread: database work runs there, results come back as callbacks
on the UI thread."""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from multiprocessing import get_context
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

log = logging.getLogger(__name__)

Done = Callable[[Any], None]
Failed = Callable[[str], None]


class SqlRunner(QObject):
    """Runs callables one at a time on a named worker thread (``admin-sql``), or in a worker
    process (:meth:`submit_process`).

    ``submit(fn, …, on_done=…)`` returns at once; ``on_done(result)`` (or ``on_error(text)``)
    is called later on the thread that owns the runner, the UI thread. :attr:`last_ms` holds
    how long each kind of job last took on the worker, for the screen's status line.
    """

    _finished = Signal(int, object, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="admin-sql")
        self._processes: ProcessPoolExecutor | None = None
        self._tickets = itertools.count(1)
        self._callbacks: dict[int, tuple[Done, Failed | None]] = {}
        self._finished.connect(self._deliver)
        self.last_ms: dict[str, float] = {}
        self._closed = False

    def submit(
        self,
        fn: Callable[..., Any],
        *args: Any,
        on_done: Done,
        on_error: Failed | None = None,
        label: str = "",
    ) -> int:
        """Queue ``fn(*args)``; returns its ticket (0: the runner is closed, nothing runs)."""
        if self._closed:  # the window is closing: nothing will show the result
            return 0
        ticket = next(self._tickets)
        self._callbacks[ticket] = (on_done, on_error)
        name = label or getattr(fn, "__name__", "job")

        def job() -> None:
            started = time.perf_counter()
            try:
                result = fn(*args)
            except Exception as exc:  # noqa: BLE001 - reported on the UI thread, never raised
                log.warning("admin %s failed: %s", name, exc, exc_info=True)
                self._finished.emit(ticket, None, f"{type(exc).__name__}: {exc}")
                return
            finally:
                self.last_ms[name] = (time.perf_counter() - started) * 1000
            self._finished.emit(ticket, result, "")

        future: Future[None] = self._pool.submit(job)
        del future
        return ticket

    def submit_process(
        self,
        fn: Callable[..., Any],
        *args: Any,
        on_done: Done,
        on_error: Failed | None = None,
        label: str = "",
    ) -> int:
        """Like :meth:`submit`, but ``fn(*args)`` runs in a worker process (``fn``, its
        arguments and result must pickle): for Python-heavy jobs, which in a thread would hold
        the interpreter lock the UI thread needs."""
        if self._closed:  # the window is closing: nothing will show the result
            return 0
        if self._processes is None:
            self._processes = ProcessPoolExecutor(1, mp_context=get_context("spawn"))
        ticket = next(self._tickets)
        self._callbacks[ticket] = (on_done, on_error)
        name = label or getattr(fn, "__name__", "job")
        started = time.perf_counter()

        def finished(future: Future[Any]) -> None:  # on the pool's thread
            self.last_ms[name] = (time.perf_counter() - started) * 1000
            try:
                result = future.result()
            except Exception as exc:  # noqa: BLE001 - reported on the UI thread
                log.warning("admin %s failed: %s", name, exc)
                self._finished.emit(ticket, None, f"{type(exc).__name__}: {exc}")
                return
            self._finished.emit(ticket, result, "")

        self._processes.submit(fn, *args).add_done_callback(finished)
        return ticket

    @Slot(int, object, str)
    def _deliver(self, ticket: int, result: Any, error: str) -> None:
        callbacks = self._callbacks.pop(ticket, None)
        if callbacks is None or self._closed:
            return
        on_done, on_error = callbacks
        if error:
            if on_error is not None:
                on_error(error)
        else:
            on_done(result)

    @property
    def busy(self) -> bool:
        """True while a job is queued or running."""
        return bool(self._callbacks)

    def close(self) -> None:
        """Finish the running job, drop queued ones, stop the thread."""
        self._closed = True
        self._pool.shutdown(wait=True, cancel_futures=True)
        if self._processes is not None:
            self._processes.shutdown(wait=True, cancel_futures=True)
        self._callbacks.clear()
