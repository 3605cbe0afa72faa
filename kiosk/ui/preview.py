"""The live camera preview with the detected code's corners outlined.

A UI timer shows the capture's newest frame (a reference handed over under the capture's
lock: no decoding, no copying on the UI thread beyond wrapping it in a QImage); corners come
from the scan worker through :class:`~kiosk.ui.bridge.DeviceSignals`.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

FrameGetter = Callable[[], tuple[int, np.ndarray] | None]
CORNERS_KEEP_S = 0.5
"""How long an outline stays after the last frame the code was seen in."""


class CameraPreview(QWidget):
    """Paints the newest frame of ``frames`` every ``interval_ms`` and the codes' corners."""

    def __init__(self, frames: FrameGetter, interval_ms: int = 66, parent: QWidget | None = None):
        super().__init__(parent)
        self._frames = frames
        self._frame_id = -1
        self._image: QImage | None = None
        self._corners: list[np.ndarray] = []
        self._corners_at = 0.0
        self.frames_shown = 0
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(320, 240)
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._pull)
        self._timer.start(interval_ms)

    def set_corners(self, frame_id: int, corners: list[np.ndarray]) -> None:
        """The codes found in frame ``frame_id`` (an empty list keeps the last outline a while)."""
        if corners:
            self._corners = corners
            self._corners_at = time.monotonic()
        elif time.monotonic() - self._corners_at > CORNERS_KEEP_S:
            self._corners = []

    def _pull(self) -> None:
        item = self._frames()
        if item is None or item[0] == self._frame_id:
            return
        self._frame_id, frame = item
        self._image = _to_qimage(frame)
        self.frames_shown += 1
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        """Draw the frame scaled to fit, then the outlines in the same scale."""
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#202020"))
        image = self._image
        if image is None:
            painter.setPen(QColor("#dddddd"))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.tr("No camera image"))
            return
        scale = min(self.width() / image.width(), self.height() / image.height())
        w, h = image.width() * scale, image.height() * scale
        x0, y0 = (self.width() - w) / 2, (self.height() - h) / 2
        painter.drawImage(QRectF(x0, y0, w, h), image)
        pen = QPen(QColor("#00e676"))
        pen.setWidth(4)
        painter.setPen(pen)
        for pts in self._corners:
            poly = QPolygonF([QPointF(x0 + px * scale, y0 + py * scale) for px, py in pts])
            painter.drawPolygon(poly)


def _to_qimage(frame: np.ndarray) -> QImage:
    """Wrap a BGR or grey frame in a QImage that owns a copy of its pixels."""
    frame = np.ascontiguousarray(frame)
    h, w = frame.shape[:2]
    if frame.ndim == 2:
        return QImage(frame.data, w, h, frame.strides[0], QImage.Format.Format_Grayscale8).copy()
    return QImage(frame.data, w, h, frame.strides[0], QImage.Format.Format_BGR888).copy()
