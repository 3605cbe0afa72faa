"""The admin page with the devices live: thermometer frames, camera fps, decoder stages.

It repaints from :meth:`DeviceMonitor.snapshot` a few times a second while visible; the
devices feed the monitor from their own threads, so nothing here waits on a device.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QTimer
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kiosk.ui.admin.monitor import DeviceMonitor, DeviceSnapshot

REFRESH_MS = 250


class DevicesPage(QWidget):
    """Shows a :class:`DeviceMonitor`; without one it says the devices are not connected."""

    def __init__(self, monitor: DeviceMonitor | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.monitor = monitor
        self.snapshot: DeviceSnapshot | None = None
        self.thermometer = QLabel()
        self.camera = QLabel()
        self.decoder = QLabel()
        self.frames = QPlainTextEdit()
        self.frames.setReadOnly(True)
        self.frames.setObjectName("thermometer-frames")
        self.stages = QTableWidget(0, 3)
        self.stages.verticalHeader().hide()
        self.form = QFormLayout()
        self.form_labels = [QLabel(), QLabel(), QLabel()]
        for label, field in zip(
            self.form_labels, (self.thermometer, self.camera, self.decoder), strict=True
        ):
            self.form.addRow(label, field)
        self.frames_label = QLabel()
        self.stages_label = QLabel()
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.frames_label)
        layout.addWidget(self.frames, 1)
        layout.addWidget(self.stages_label)
        layout.addWidget(self.stages, 1)
        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self.refresh)
        self._retranslate()

    def refresh(self) -> None:
        """Repaint from the monitor's current snapshot."""
        if self.monitor is None:
            return
        self.snapshot = self.monitor.snapshot()
        self._show()

    def _show(self) -> None:
        s = self.snapshot
        if s is None:
            text = self.tr("not connected to the gate's devices")
            for label in (self.thermometer, self.camera, self.decoder):
                label.setText(text)
            return
        thermo = self._state(s.thermometer_state)
        self.thermometer.setText(f"{thermo} {s.thermometer_detail}".strip())
        fps = "—"
        if s.camera_fps is not None:
            fps = self.tr("%1 fps").replace("%1", f"{s.camera_fps:.1f}")
        self.camera.setText(f"{self._state(s.camera_state)} · {fps}")
        self.decoder.setText(
            self.tr("%1 frames decoded, %2 with a code, %3 ms per frame on average")
            .replace("%1", str(s.frames_decoded))
            .replace("%2", str(s.frames_with_code))
            .replace("%3", f"{s.mean_decode_ms:.1f}")
        )
        now = time.monotonic()
        lines = []
        for at, frame in reversed(s.frames):
            ambient = f" / {frame.ambient_c:.2f} °C" if frame.ambient_c is not None else ""
            lines.append(f"-{now - at:5.1f} s  {frame.object_c:.2f} °C{ambient}")
        self.frames.setPlainText("\n".join(lines))
        self.stages.setRowCount(len(s.stages))
        for row, st in enumerate(s.stages):
            for col, value in enumerate((st.stage, str(st.reads), f"{st.mean_ms:.1f}")):
                self.stages.setItem(row, col, QTableWidgetItem(value))

    def _state(self, state: str) -> str:
        words = {
            "stopped": self.tr("stopped"),
            "connecting": self.tr("connecting"),
            "ready": self.tr("ready"),
            "active": self.tr("active"),
            "reconnecting": self.tr("reconnecting"),
            "stale": self.tr("stale"),
            "fault": self.tr("fault"),
            "failed": self.tr("failed"),
            "ended": self.tr("ended"),
            "unknown": self.tr("unknown"),
        }
        return words.get(state, state)

    def showEvent(self, event: QShowEvent) -> None:
        self.refresh()
        self.timer.start()
        super().showEvent(event)

    def hideEvent(self, event: QHideEvent) -> None:
        self.timer.stop()
        super().hideEvent(event)

    def _retranslate(self) -> None:
        labels = (self.tr("Thermometer"), self.tr("Camera"), self.tr("Decoder"))
        for label, text in zip(self.form_labels, labels, strict=True):
            label.setText(text)
        self.frames_label.setText(self.tr("Latest thermometer frames (object / ambient)"))
        self.stages_label.setText(self.tr("Codes read per decoder stage"))
        self.stages.setHorizontalHeaderLabels(
            [self.tr("Stage"), self.tr("Codes read"), self.tr("Mean ms")]
        )
        self._show()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)
