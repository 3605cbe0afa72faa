"""A keyboard-wedge scanner or card reader that types into the kiosk, wherever the focus is.

A wedge types much faster than a person: text whose keys arrive at most ``max_gap_s`` apart
and that ends in Enter is a scan. The filter watches every key press of the application;
a scan's Enter is swallowed (it must not press a focused button) and the text is emitted.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget

MAX_GAP_S = 0.08
"""A wedge types a key every few milliseconds; a fast person needs 100 ms or more."""
MIN_LENGTH = 4


class WedgeFilter(QObject):
    """Install on the QApplication; ``scanned(text)`` fires for each wedge scan."""

    scanned = Signal(str)

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        max_gap_s: float = MAX_GAP_S,
        min_length: int = MIN_LENGTH,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(parent)
        self.max_gap_s = max_gap_s
        self.min_length = min_length
        self._clock = clock
        self._buffer: list[str] = []
        self._last = 0.0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        """Collect fast keys; on Enter after a fast run, emit the scan and eat the Enter."""
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        if event.isAutoRepeat() or not _first_delivery(watched):
            return False
        now = self._clock()
        if now - self._last > self.max_gap_s:
            self._buffer.clear()
        self._last = now
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            text = "".join(self._buffer)
            self._buffer.clear()
            if len(text) >= self.min_length:
                self.scanned.emit(text)
                return True
            return False
        if event.text() and event.text().isprintable():
            self._buffer.append(event.text())
        return False


def _first_delivery(watched: QObject) -> bool:
    """A key event travels from the window to the focus widget and up its parents; count it
    once, where it lands: the focus widget, or the top-level widget when nothing has focus."""
    if not isinstance(watched, QWidget):
        return False
    focus = QApplication.focusWidget()
    return watched is focus if focus is not None else watched.isWindow()
