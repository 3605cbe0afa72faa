"""Waiting for the admin screen's SQL thread and measuring the UI thread's stalls."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication

from kiosk.ui.admin.worker import SqlRunner
from kiosk.ui.stall import StallMeter

__all__ = ["StallMeter", "settle", "wait_until"]


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
