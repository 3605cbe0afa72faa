"""Waiting for the admin screen's SQL thread and measuring the UI thread's stalls."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QElapsedTimer, QObject, QTimer

from kiosk.ui.admin.worker import SqlRunner


def settle(runner: SqlRunner, timeout_s: float = 60.0) -> None:
    """Process events until every queued SQL job has delivered its result."""
    deadline = time.monotonic() + timeout_s
    while runner.busy:
        if time.monotonic() > deadline:
            raise AssertionError("SQL jobs still running after the timeout")
        QCoreApplication.processEvents()
        time.sleep(0.002)
    QCoreApplication.processEvents()


def wait_until(condition: Callable[[], bool], timeout_s: float = 60.0) -> None:
    """Process events until ``condition()`` holds."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met before the timeout")
        QCoreApplication.processEvents()
        time.sleep(0.002)


class StallMeter(QObject):
    """A 10 ms timer on the UI thread; :attr:`worst_ms` is its largest lateness: how long the
    UI thread was unable to run an event while it ticked."""

    def __init__(self, interval_ms: int = 10) -> None:
        super().__init__()
        self.interval_ms = interval_ms
        self.worst_ms = 0.0
        self.ticks = 0
        self._clock = QElapsedTimer()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._tick)

    def start(self) -> None:
        self._clock.start()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def _tick(self) -> None:
        elapsed = self._clock.nsecsElapsed() / 1e6
        self._clock.restart()
        self.ticks += 1
        self.worst_ms = max(self.worst_ms, elapsed - self.interval_ms)
