"""How long the UI thread could not run an event: a 10 ms timer and its worst lateness."""

from __future__ import annotations

from PySide6.QtCore import QElapsedTimer, QObject, QTimer


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
        """Start ticking (and forget earlier stalls)."""
        self.worst_ms = 0.0
        self._clock.start()
        self._timer.start()

    def stop(self) -> None:
        """Stop ticking; :attr:`worst_ms` keeps its value."""
        self._timer.stop()

    def _tick(self) -> None:
        elapsed = self._clock.nsecsElapsed() / 1e6
        self._clock.restart()
        self.ticks += 1
        self.worst_ms = max(self.worst_ms, elapsed - self.interval_ms)
